"""What the card faces can draw, what a card does with a character they cannot, and the
warnings that tell a seed's author.

Each face's characters come from its cmap (reportlab's face of it), read once per face and
kept as a set, so a text is checked with one set difference. A character the face a text is
set in cannot draw is one of:

- *invisible* (a format character such as a bidirectional isolate or a tag, a variation
  selector): it was never meant to show, so it is left out without a word; a space the face
  lacks (U+3000) becomes an ordinary space;
- a *symbol* (an emoji, a pictograph, an emoji's skin tone or keycap): left out, with a
  warning. On a printed card an empty box in its place looks like a misprint, and the
  sentence reads without it;
- anything else (a letter, digit or mark of a script the font lacks): kept, so it prints as
  the font's empty box, with a warning. Leaving letters out would change the words without
  a trace; the box shows the reader where something is missing.

A right-to-left letter the face can draw (Hebrew, Arabic) is warned about too: the card sets
every line left to right, so it prints backwards.

Seeds in English are all ASCII, which every face draws: their check loads no font at all.
"""

from __future__ import annotations

import enum
import functools
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from pipeline.model import Exercise, Item, Source

SCRIPTS = "Latin, Greek, Cyrillic, Armenian and Georgian"
"""The scripts every card face draws whole (tests hold the faces to it; docs/cards.md)."""
SHOWN = 3
"""Characters a warning names; the rest of its line's are counted."""


class Kind(enum.Enum):
    """What a card does with a character of a text, in the face the text is set in."""

    DRAWN = "drawn"
    SPACE = "printed as a space"
    INVISIBLE = "left out without a word"
    SYMBOL = "left out"
    BOX = "printed as an empty box"
    BACKWARDS = "printed backwards"


_WARNED = (Kind.BOX, Kind.SYMBOL, Kind.BACKWARDS)
_SELECTORS = frozenset("\ufe0e\ufe0f")
"""Text and emoji presentation selectors: the card draws every symbol one way, so they are
always left out (with the emoji they follow, an ``1️⃣`` prints as a plain ``1``)."""
_RIGHT_TO_LEFT = ("R", "AL")
"""Bidirectional classes of right-to-left letters: Hebrew (R), Arabic and Syriac (AL)."""


@dataclass(frozen=True)
class _Face:
    covered: frozenset[str]
    """Every character the face has a glyph for."""
    plain: frozenset[str]
    """Those the card prints as written: all but right-to-left letters (a right-to-left mark
    is invisible either way) and the emoji variation selectors."""


@functools.cache
def _face(font: str) -> _Face:
    from pipeline.cards.fonts import card_face

    covered = frozenset(map(chr, card_face(font).face.charToGlyph))
    backwards = {
        c
        for c in covered
        if unicodedata.bidirectional(c) in _RIGHT_TO_LEFT and unicodedata.category(c)[0] == "L"
    }
    return _Face(covered, covered - backwards - _SELECTORS)


def covered(font: str) -> frozenset[str]:
    """The characters the card face ``font`` can draw, from its cmap (read once per face)."""
    return _face(font).covered


def kind(char: str, font: str) -> Kind:
    """What a card does with ``char`` in the face ``font``."""
    face = _face(font)
    if char in face.plain:
        return Kind.DRAWN
    if char in _SELECTORS:
        return Kind.INVISIBLE
    return Kind.BACKWARDS if char in face.covered else _missing_kind(char)


def _missing_kind(char: str) -> Kind:
    """What a card does with a character its face cannot draw."""
    category = unicodedata.category(char)
    code = ord(char)
    if category == "Zs":
        return Kind.SPACE
    if category in ("Cc", "Cf", "Zl", "Zp") or 0xFE00 <= code <= 0xFE0F or code >= 0xE0000:
        return Kind.INVISIBLE
    # Emoji newer than this Python's Unicode data are unassigned to it, but every block from
    # U+1F000 to U+1FBFF holds symbols.
    if category in ("So", "Sk", "Me") or (category == "Cn" and 0x1F000 <= code <= 0x1FBFF):
        return Kind.SYMBOL
    return Kind.BOX


def printed(text: str, font: str) -> str:
    """``text`` as a card prints it in ``font``: symbols the face cannot draw left out (with
    the space before one that ends a word, so ``Squat 💪 now`` is ``Squat now``), invisible
    characters it lacks left out, a space it lacks made an ordinary one."""
    if text.isascii():
        return text
    table = _replacements(text, font)
    if not table:
        return text
    if "\u200d" in text and _LEFT in table.values():
        text = _EMOJI_SEQUENCE.sub(lambda m: _LEFT if _drops(m[0], table) else m[0], text)
    text = text.translate(table)
    return _LEFT_OUT.sub("", text) if _LEFT in text else text


def _replacements(text: str, font: str) -> dict[int, str | None]:
    """What the card prints for each character of ``text`` it does not print as it is, as
    :meth:`str.translate` takes it."""
    table: dict[int, str | None] = {}
    for char in set(text).difference(_face(font).plain):
        what = kind(char, font)
        if what is Kind.SPACE:
            table[ord(char)] = " "
        elif what is Kind.SYMBOL:
            table[ord(char)] = _LEFT
        elif what is Kind.INVISIBLE:
            table[ord(char)] = None
    return table


_LEFT = "\x00"
"""Where a symbol was left out, until the space before it is looked at (a seed's text never
holds a control character: the parser replaces or refuses them)."""
_LEFT_OUT = re.compile("[ \t]?\x00+(?=[\\s.,;:!?)]|$)|\x00+")
"""A symbol left out, with the space before it when it ends a word."""
_EMOJI_SEQUENCE = re.compile(
    "[^\\s\u200d](?:[\ufe0e\ufe0f\U0001f3fb-\U0001f3ff]*\u200d[^\\s\u200d])+[\ufe0e\ufe0f]?"
)
"""Characters joined into one emoji (🏋 + ♀ is a woman lifting weights): left out whole when
one of them is, so a ♀ does not print alone."""


def _drops(sequence: str, table: dict[int, str | None]) -> bool:
    return any(table.get(ord(c)) == _LEFT for c in sequence)


def printed_upper(text: str, font: str) -> str:
    """``text`` in capitals (section headings), as far as ``font`` has them: a letter whose
    capital the face lacks stays as written (Georgian has capitals, Mtavruli, that DejaVu
    Sans does not draw; its headings stay in the everyday letters)."""
    upper = text.upper()
    have = _face(font).covered
    if upper.isascii() or set(upper) <= have:
        return upper
    return "".join(c.upper() if set(c.upper()) <= have or c not in have else c for c in text)


class Printed(NamedTuple):
    """A text a card prints, the style it is set in and where the seed has it."""

    text: str
    source: Source
    bold: bool = False
    italic: bool = False
    upper: bool = False


def printed_texts(exercise: Exercise) -> Iterator[Printed]:
    """Every text of the seed a card prints, in the style it is set in (as
    :mod:`pipeline.cards.story` sets it). The words the card adds ("Scan for the video",
    the level, page numbers) and the video's URL and the slug, all ASCII, are left out."""
    yield Printed(exercise.title, exercise.source_of("title"), bold=True)
    for key, values in (("equipment", exercise.equipment), ("muscles", exercise.muscles)):
        for index, value in enumerate(values):
            yield Printed(value, exercise.source_of(key, index), bold=True)
    yield Printed(exercise.description, exercise.source_of("description"))
    for section in exercise.sections:
        if section.items:  # a section with nothing in it is not on the card
            yield Printed(section.heading, section.source, bold=True, upper=True)
            for item in section.items:
                yield from _item_texts(item)
    for paragraph in exercise.outro:
        for span in paragraph.spans:
            yield Printed(span.text, paragraph.source, bold=span.strong, italic=True)


def _item_texts(item: Item) -> Iterator[Printed]:
    """An item's bold label, then its text, span by span."""
    if item.label:
        yield Printed(item.label, item.source, bold=True)
    if not item.spans:
        yield Printed(item.text, item.source)
    for span in item.spans:
        yield Printed(span.text, item.source, bold=span.strong, italic=span.emphasis)


def glyph_warnings(exercise: Exercise) -> list[tuple[Source, str]]:
    """The warnings for the characters of a seed its card cannot print as written: one per
    line of the seed, naming a few of its characters (code and Unicode name) and saying what
    the card does with them (an empty box, left off, printed backwards). In line order;
    empty, without loading a font, for a seed that is all ASCII."""
    if _all_ascii(exercise):
        return []
    texts = [t for t in printed_texts(exercise) if not t.text.isascii()]
    return [
        (source, _message({what: list(chars) for what, chars in kinds.items()}))
        for _, (source, kinds) in sorted(_troubles(texts).items())
    ]


def _all_ascii(exercise: Exercise) -> bool:
    """Whether every text a card prints of the seed is ASCII (most English seeds): checked
    on the plain strings, before any is looked at piece by piece."""
    return all(text.isascii() for text in _strings(exercise))


def _strings(exercise: Exercise) -> Iterator[str]:
    yield exercise.title
    yield exercise.description
    yield from exercise.equipment
    yield from exercise.muscles
    for section in exercise.sections:
        yield section.heading
        for item in section.items:
            yield item.label or ""
            yield item.text
    yield from (paragraph.text for paragraph in exercise.outro)


def _troubles(texts: list[Printed]) -> dict[int, tuple[Source, dict[Kind, dict[str, None]]]]:
    """By line, the characters of ``texts`` a card cannot print as written, by what it does
    with them, in the order they first appear."""
    from pipeline.cards.fonts import FAMILY

    found: dict[int, tuple[Source, dict[Kind, dict[str, None]]]] = {}
    for t in texts:
        font = FAMILY.face(bold=t.bold, italic=t.italic)
        text = printed_upper(t.text, font) if t.upper else t.text
        odd = set(text).difference(_face(font).plain)
        for char in sorted(odd, key=text.index):
            what = kind(char, font)
            if what in _WARNED:
                kinds = found.setdefault(t.source.line, (t.source, {}))[1]
                kinds.setdefault(what, {})[char] = None
    return found


def _named(char: str) -> str:
    """A character as a warning names it: ``'漢' (U+6F22 CJK UNIFIED IDEOGRAPH-6F22)``."""
    category = unicodedata.category(char)
    name = unicodedata.name(char, "")
    code = f"U+{ord(char):04X}"
    if category == "Co":
        return f"{code} (a private-use character)"
    if not name:
        return f"{code} (a character this version of Unicode does not name)"
    # A combining mark is shown on a dotted circle, as Unicode's charts show it.
    shown = f"\u25cc{char}" if category.startswith("M") else char
    return f"'{shown}' ({code} {name})"


def _listed(chars: list[str]) -> str:
    named = [_named(c) for c in chars[:SHOWN]]
    if len(chars) > SHOWN:
        return f"{', '.join(named)} and {len(chars) - SHOWN} more"
    return named[0] if len(named) == 1 else f"{', '.join(named[:-1])} and {named[-1]}"


def _boxes(chars: list[str]) -> str:
    one = len(chars) == 1
    return (
        f"the card font cannot draw {_listed(chars)}; "
        + ("it prints as an empty box" if one else "they print as empty boxes")
        + f" on the card: the cards print {SCRIPTS} letters, so write "
        + ("it" if one else "them")
        + " with those or leave "
        + ("it" if one else "them")
        + " out"
    )


def _symbols(chars: list[str]) -> str:
    one = len(chars) == 1
    return (
        f"the card font cannot draw {_listed(chars)}; "
        + ("it is" if one else "they are")
        + " left off the card (an empty box there would look like a misprint): say in words "
        + ("what it means, if it matters" if one else "what they mean, if it matters")
    )


def _backwards(chars: list[str]) -> str:
    scripts = dict.fromkeys(unicodedata.name(c, "?").split()[0].title() for c in chars)
    joined = " and ".join(scripts)
    unjoined = any(unicodedata.bidirectional(c) == "AL" for c in chars)
    return (
        f"the {joined} text on this line is written right to left, but a card sets every "
        "line left to right: it prints backwards"
        + (", its letters unjoined" if unjoined else "")
        + f"; the cards print {SCRIPTS}"
    )


def _both(boxes: list[str], symbols: list[str]) -> str:
    """A line with letters that print as boxes and symbols left off, in one sentence."""
    box, symbol = len(boxes) == 1, len(symbols) == 1
    return (
        f"the card font cannot draw {_listed(boxes)}, which "
        + ("prints as an empty box" if box else "print as empty boxes")
        + f" (the cards print {SCRIPTS} letters: write "
        + ("it" if box else "them")
        + " with those or leave "
        + ("it" if box else "them")
        + f" out), nor {_listed(symbols)}, which "
        + ("is" if symbol else "are")
        + " left off the card (say in words what "
        + ("it means" if symbol else "they mean")
        + ", if it matters)"
    )


def _message(kinds: dict[Kind, list[str]]) -> str:
    """The one warning for a line, from its characters by what the card does with them."""
    boxes, symbols = kinds.get(Kind.BOX), kinds.get(Kind.SYMBOL)
    said = []
    if boxes and symbols:
        said.append(_both(boxes, symbols))
    elif boxes or symbols:
        said.append(_boxes(boxes) if boxes else _symbols(symbols or []))
    if backwards := kinds.get(Kind.BACKWARDS):
        said.append(_backwards(backwards))
    return "; and ".join(said)


CARD_LABELS = (
    "setup",
    "execution",
    "tips",
    "mistakes",
    "level_beginner",
    "level_intermediate",
    "level_expert",
    "scan_for_video",
    "continued",
    "continues",
)
"""The labels a card draws (the rest are on pages, or in the PDF's metadata): section
headings and the running head in bold capitals, badges and the QR caption."""


def label_warnings(labels: Mapping[str, Mapping[str, object]]) -> list[str]:
    """For the labels setting (``{lang: {name: text}}``), a warning for each label a card
    draws that holds characters the card faces cannot print as written, naming the label and
    its characters. The shipped labels are all drawable (a test holds them to it); this is
    for a gym's own words."""
    said = []
    for lang, table in sorted(labels.items()):
        for name in CARD_LABELS:
            text = table.get(name)
            if isinstance(text, str) and not text.isascii() and (kinds := _label_troubles(text)):
                message = _message(kinds).replace("text on this line", "text of this label")
                said.append(f"labels: {lang}.{name} '{text}': {message}")
    return said


def _label_troubles(text: str) -> dict[Kind, list[str]]:
    """The characters of a label a card cannot print as written, by what it does with them:
    a label is drawn in bold capitals (headings, the running head) and in the regular face
    (the QR caption)."""
    from pipeline.cards.fonts import FAMILY

    kinds: dict[Kind, dict[str, None]] = {}
    for font, shown in ((FAMILY.bold, printed_upper(text, FAMILY.bold)), (FAMILY.regular, text)):
        for char in sorted(set(shown).difference(_face(font).plain), key=shown.index):
            if (what := kind(char, font)) in _WARNED:
                kinds.setdefault(what, {})[char] = None
    return {what: list(chars) for what, chars in kinds.items()}
