"""The card typeface: DejaVu Sans, vendored under ``pipeline/data/fonts`` and embedded in
every card, so a card looks the same on a machine with no fonts installed."""

from __future__ import annotations

import functools
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.ttfonts import (
    FF_NONSYMBOLIC,
    FF_SYMBOLIC,
    SUBSETN,
    TTFont,
    makeToUnicodeCMap,
)

FONT_DIR = Path(__file__).resolve().parent.parent / "data" / "fonts"


@dataclass(frozen=True)
class FontFamily:
    """Registered reportlab font names of one family."""

    regular: str
    bold: str
    italic: str
    bold_italic: str

    def face(self, *, bold: bool = False, italic: bool = False) -> str:
        """The face for a combination of bold and italic."""
        if bold:
            return self.bold_italic if italic else self.bold
        return self.italic if italic else self.regular


_FILES = {
    "CardSans": "DejaVuSans.ttf",
    "CardSans-Bold": "DejaVuSans-Bold.ttf",
    "CardSans-Italic": "DejaVuSans-Oblique.ttf",
    "CardSans-BoldItalic": "DejaVuSans-BoldOblique.ttf",
}


COMMON_CHARACTERS = "’‘“”–—…•·°×÷±½¼¾éèêàâçñöüäß™®©"  # noqa: RUF001
"""Non-ASCII characters common in English seeds, given the same codes in every card (see
:func:`reserve_common_characters`), 31 to fill the free codes below the ASCII range."""


class _Formatted(pdfdoc.PDFObject):  # type: ignore[misc]
    """A PDF value formatted once and reused as bytes."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def format(self, document: Any) -> bytes:
        """The stored bytes."""
        return self.data


def _flate_stream(compressed: bytes, **entries: Any) -> Any:
    stream = pdfdoc.PDFStream(content=compressed)
    stream.dictionary["Filter"] = pdfdoc.PDFArray([pdfdoc.PDFName("FlateDecode")])
    for key, value in entries.items():
        stream.dictionary[key] = value
    return stream


@functools.lru_cache(maxsize=128)
def subset_data(face: Any, base_name: str, subset: tuple[int, ...]) -> tuple[bytes, ...]:
    """Widths, compressed ToUnicode map, compressed font program and its length of one
    subset, as reportlab makes them. Cached as bytes: each document gets its own objects
    (reportlab marks an object as belonging to one document), and the booklet writes the
    same bytes through its own objects."""
    widths = pdfdoc.PDFArray([face.getCharWidth(c) for c in subset]).format(None)
    to_unicode = zlib.compress(makeToUnicodeCMap(base_name, list(subset)).encode("latin-1"))
    program = face.makeSubset(list(subset))
    return widths, to_unicode, zlib.compress(program), str(len(program)).encode()


class CardFont(TTFont):  # type: ignore[misc]
    """A TrueType font whose subsets are made once per distinct subset, not once per PDF.

    ``addObjects`` does what reportlab's does (same objects, same bytes), but takes each
    subset's widths, ToUnicode map and font program from a cache: cards in one language
    mostly embed the same subset (ASCII plus :data:`COMMON_CHARACTERS`)."""

    def addObjects(self, doc: Any) -> None:
        """Add this font's subsets to ``doc``."""
        state = self.state.get(doc) or self.State(self._asciiReadable)
        self.state[doc] = state
        state.frozen = 1
        face = self.face
        for n, subset in enumerate(state.subsets):
            internal_name = self.getSubsetInternalName(n, doc)[1:]
            base_name = (SUBSETN(n) + b"+" + face.name + face.subfontNameX).decode("pdfdoc")
            widths, to_unicode, program, length = subset_data(face, base_name, tuple(subset))
            font = pdfdoc.PDFTrueTypeFont()
            font.__Comment__ = f"Font {self.fontName} subset {n}"
            font.Name = internal_name
            font.BaseFont = base_name
            font.FirstChar = 0
            font.LastChar = len(subset) - 1
            font.Widths = _Formatted(widths)
            font.ToUnicode = doc.Reference(_flate_stream(to_unicode), "toUnicodeCMap:" + base_name)
            program_ref = doc.Reference(
                _flate_stream(program, Length1=_Formatted(length)),
                f"fontFile:{face.filename}({base_name})",
            )
            font.FontDescriptor = doc.Reference(
                pdfdoc.PDFDictionary(
                    {
                        "Type": "/FontDescriptor",
                        "Ascent": face.ascent,
                        "CapHeight": face.capHeight,
                        "Descent": face.descent,
                        "Flags": (face.flags & ~FF_NONSYMBOLIC) | FF_SYMBOLIC,
                        "FontBBox": pdfdoc.PDFArray(face.bbox),
                        "FontName": pdfdoc.PDFName(base_name),
                        "ItalicAngle": face.italicAngle,
                        "StemV": face.stemV,
                        "FontFile2": program_ref,
                        "MissingWidth": face.defaultWidth,
                    }
                ),
                "fontDescriptor:" + base_name,
            )
            doc.Reference(font, internal_name)
            doc.idToObject["BasicFonts"].dict[internal_name] = font
        del self.state[doc]


FAMILY = FontFamily(*_FILES)
"""The names the card faces are registered under."""


@functools.cache
def card_fonts() -> FontFamily:
    """Register the card faces with reportlab (once per process) and return their names."""
    for name in _FILES:
        card_face(name)
    return FAMILY


@functools.cache
def card_face(name: str) -> CardFont:
    """One card face, registered with reportlab (once per process): ``pipeline check`` reads
    the characters of only the faces a seed's text needs."""
    font = CardFont(name, str(FONT_DIR / _FILES[name]))
    pdfmetrics.registerFont(font)
    return font


@functools.cache
def _covered() -> frozenset[int]:
    """The characters every face draws, by code: those a card reserves codes for. (What a
    card does with a character one face lacks is :mod:`pipeline.cards.glyphs`'s.)"""
    from pipeline.cards.glyphs import covered

    common = frozenset.intersection(*(covered(name) for name in _FILES))
    return frozenset(map(ord, common))


def prepare_fonts() -> None:
    """Register the faces and work out what they cover, now rather than on the first card."""
    from pipeline.cards.glyphs import covered

    _blocks()
    for name in _FILES:
        covered(name)


SCRIPT_BLOCKS = (
    "".join(map(chr, range(0x0400, 0x0460))) + "\u0490\u0491",  # Cyrillic
    "".join(map(chr, range(0x0386, 0x03CF))),  # Greek
)
"""Alphabets reserved whole, in this order, in a card that uses any letter of them: every card
in the script then embeds the same subsets, so a booklet of them embeds those once."""


@functools.cache
def _blocks() -> tuple[frozenset[str], ...]:
    covered = _covered()
    return tuple(frozenset(c for c in block if ord(c) in covered) for block in SCRIPT_BLOCKS)


def reserve_card_characters(doc: Any, texts: Iterable[str]) -> None:
    """Give the characters of a card beyond ASCII and :data:`COMMON_CHARACTERS` their codes
    before anything is drawn, in an order that depends on which characters they are, not on
    where they first appear: each alphabet of :data:`SCRIPT_BLOCKS` the card uses, whole,
    then any other character, in code order. Cards in one script then cut the same subsets
    from each face, and the booklet embeds each of those once for all of them."""
    used = _uncommon_characters(texts)
    if not used:
        return
    text = "".join(_reservation_order(used))
    for name in _FILES:
        pdfmetrics.getFont(name).splitString(text, doc)


def _uncommon_characters(texts: Iterable[str]) -> set[str]:
    """The characters of ``texts`` beyond ASCII and :data:`COMMON_CHARACTERS`."""
    return {c for text in texts for c in text if ord(c) > 127 and c not in COMMON_CHARACTERS}


def _reservation_order(used: set[str]) -> list[str]:
    """The order to reserve ``used`` in: each alphabet of :data:`SCRIPT_BLOCKS` it touches,
    whole, then the rest of it the font can draw, except the no-break space, in code order."""
    order = []
    rest = used
    for block in _blocks():
        if rest & block:
            order += sorted(block)
            rest = rest - block
    covered = _covered()
    order += sorted(c for c in rest if ord(c) in covered and c != "\xa0")
    return order


def reserve_common_characters(doc: Any) -> None:
    """Give :data:`COMMON_CHARACTERS` their codes in every face before anything is drawn, so
    the first subset of a typical card is the same in every document (and cached)."""
    for name in _FILES:
        pdfmetrics.getFont(name).splitString(COMMON_CHARACTERS, doc)
