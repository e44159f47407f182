"""The booklet, ``cards.pdf``, assembled from what each card's rendering left behind.

A card is rendered once, where its seed is exported (in a worker process). Besides its own
PDF, the rendering keeps a :class:`CardArtefact`: the drawing operators of each card page in
card coordinates, compressed, and the font subsets the card embeds, each given by its font
and the characters it holds. The artefact is small plain data, so the engine caches it
between runs, and the booklet is put together from artefacts without laying out, drawing or
even parsing a seed again.

Assembly writes the PDF objects itself. Each card page becomes a Form XObject with its own
font resources (the card's own subset names stay valid, so its content stream is copied as
it is, still compressed); each sheet shows one or two of them, placed as the card's PDF places
them, with the same crop marks and cut guide; each distinct font subset is embedded once, as
reportlab embeds it, and shared by every card that names it, and so is each picture (its
name comes from its bytes). No PDF library assembles pages
from cached content streams with shared fonts in a few microseconds a page: reportlab draws
(it cannot take a finished content stream with resources of its own), and merging the card
PDFs with pypdf would parse and rewrite every card and keep one font copy per card.
"""

from __future__ import annotations

import functools
import hashlib
import io
import unicodedata
import zlib
from collections.abc import Callable, Sequence
from typing import Any, BinaryIO, NamedTuple

from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import FF_NONSYMBOLIC, FF_SYMBOLIC
from reportlab.pdfgen.canvas import Canvas

from pipeline.blobs import BlobStore
from pipeline.cards.fonts import card_fonts, subset_data
from pipeline.cards.layout import CREATOR, Geometry, draw_sheet_marks, geometry
from pipeline.cards.pictures import ImageRef, picture_body
from pipeline.cards.splice import identified, identifier, identity
from pipeline.config import Settings
from pipeline.i18n.labels import labels_for

INVARIANT_DATE = "D:20000101000000+00'00'"
"""The date reportlab's invariant mode writes; the cards carry it, so the booklet does too."""
_PROC_SET = b"/ProcSet [ /PDF /Text ]"


class SubsetRef(NamedTuple):
    """A font subset of a card: its resource name in the card's pages (``F1+0``), the
    registered font it is cut from, and the characters it holds, by code (the first at 0)."""

    name: str
    font: str
    chars: str


PlainArtefact = tuple[
    str,
    str,
    str,
    tuple[bytes, ...],
    tuple[tuple[str, str, str], ...],
    tuple[tuple[str, str, str, str], ...],
]
"""A :class:`CardArtefact` as plain tuples: the card exporter's entry, which the engine keeps
between runs as JSON and reads back through this type (ten thousand in about a tenth of a
second)."""


class CardArtefact(NamedTuple):
    """What the booklet needs of one rendered card."""

    slug: str
    title: str
    lang: str
    pages: tuple[bytes, ...]
    """Each card page's drawing operators, card coordinates, Flate-compressed."""
    fonts: tuple[SubsetRef, ...]
    images: tuple[ImageRef, ...] = ()
    """The pictures its pages draw, by name: their bytes are not carried but kept once in the
    cards' blobs (see :func:`~pipeline.cards.pictures.picture_body`)."""

    def plain(self) -> PlainArtefact:
        """The same fields as plain tuples (the exporter's digest)."""
        return (
            self.slug,
            self.title,
            self.lang,
            self.pages,
            tuple((f.name, f.font, f.chars) for f in self.fonts),
            tuple((r.name, r.key, r.file, r.sha256) for r in self.images),
        )


def _pdf_string(text: str) -> bytes:
    """A PDF text string: a literal when ASCII, else UTF-16 with its byte order mark."""
    if text.isascii():
        escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        return b"(" + escaped.encode("ascii") + b")"
    return b"<FEFF" + text.encode("utf-16-be").hex().upper().encode("ascii") + b">"


def _numbers(*values: float) -> bytes:
    text: str = fp_str(*values)
    return text.encode("ascii")


class _Objects:
    """The numbered objects of one PDF, written out in number order at the end. A picture's
    object is held by name only, and read when it is written: the booklet's pictures are
    never all in memory at once."""

    def __init__(self) -> None:
        self.bodies: list[bytes | ImageRef] = []

    def reserve(self) -> int:
        """A number for an object whose body is only known later (see :meth:`put`)."""
        self.bodies.append(b"")
        return len(self.bodies)

    def put(self, number: int, body: bytes) -> None:
        """Set the body of a reserved object."""
        self.bodies[number - 1] = body

    def add(self, body: bytes | ImageRef) -> int:
        """Add an object (or the picture whose body it is); its number."""
        self.bodies.append(body)
        return len(self.bodies)

    def add_stream(self, entries: bytes, compressed: bytes) -> int:
        """Add a Flate-compressed stream with the dictionary ``entries`` besides its filter."""
        return self.add(
            b"<< %s /Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream"
            % (entries, len(compressed), compressed)
        )

    def write(
        self, root: int, info: int, sink: BinaryIO, picture: Callable[[ImageRef], bytes]
    ) -> None:
        """Write the whole file to ``sink``: header, objects (each picture's body from
        ``picture``), cross-reference table and trailer."""
        head = b"%PDF-1.4\n%\x93\x8c\x8b\x9e\n"
        # Like reportlab's invariant mode: the file identifier is a hash of the content
        # (see pipeline.cards.splice.identified).
        content = identity()
        content.update(head)
        offsets = []
        position = len(head)
        pending = [head]
        for number, body in enumerate(self.bodies, 1):
            large = isinstance(body, ImageRef)
            data = picture(body) if isinstance(body, ImageRef) else body
            chunk = b"%d 0 obj\n%s\nendobj\n" % (number, data)
            content.update(identified(chunk))
            offsets.append(position)
            position += len(chunk)
            pending.append(chunk)
            if large or len(pending) >= _CHUNKS:
                _flush(pending, sink)
        _flush(pending, sink)
        ident = identifier(content)
        sink.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(self.bodies) + 1))
        sink.write(b"".join(b"%010d 00000 n \n" % o for o in offsets))
        sink.write(
            b"trailer\n<< /ID [ <%s> <%s> ] /Info %d 0 R /Root %d 0 R /Size %d >>\n"
            b"startxref\n%d\n%%%%EOF\n" % (ident, ident, info, root, len(self.bodies) + 1, position)
        )


_CHUNKS = 512
"""Objects written to the file at a time (a picture's at once, so it is let go)."""


def _flush(pending: list[bytes], sink: BinaryIO) -> None:
    """Write the chunks ``pending``, and empty it."""
    sink.write(b"".join(pending))
    pending.clear()


def _tag(key: bytes, taken: dict[bytes, bytes]) -> bytes:
    """Six capital letters naming a subset, from a hash of what it holds: different subsets
    in one file must have different tags, and a stable tag keeps the subset's bytes cached."""
    for attempt in range(1000):
        digest = hashlib.sha256(key + b"\0%d" % attempt).digest()
        tag = bytes(65 + byte % 26 for byte in digest[:6])
        if taken.setdefault(tag, key) == key:
            return tag
    raise AssertionError("no free subset tag")  # pragma: no cover - 26**6 tags


class _Fonts:
    """The booklet's font subsets: each distinct one written once, on first use."""

    def __init__(self, objects: _Objects) -> None:
        self.objects = objects
        self.refs: dict[tuple[str, str], int] = {}
        self.tags: dict[bytes, bytes] = {}
        card_fonts()

    def ref(self, font: str, chars: str) -> int:
        """The object number of the font dictionary of the subset of ``font`` holding
        ``chars``."""
        key = (font, chars)
        number = self.refs.get(key)
        if number is None:
            number = self.refs[key] = self._write(font, chars)
        return number

    def _write(self, font: str, chars: str) -> int:
        face: Any = pdfmetrics.getFont(font).face
        tag = _tag(f"{font}\0{chars}".encode(), self.tags)
        base_name = (tag + b"+" + face.name + face.subfontNameX).decode("ascii")
        codes = tuple(map(ord, chars))
        widths, to_unicode, program, length = subset_data(face, base_name, codes)
        add = self.objects.add
        unicode_ref = self.objects.add_stream(b"", to_unicode)
        program_ref = self.objects.add_stream(b"/Length1 " + length, program)
        descriptor = add(
            b"<< /Type /FontDescriptor /Ascent %s /CapHeight %s /Descent %s /Flags %d "
            b"/FontBBox [ %s ] /FontFile2 %d 0 R /FontName /%s /ItalicAngle %s "
            b"/MissingWidth %s /StemV %s >>"
            % (
                _numbers(face.ascent),
                _numbers(face.capHeight),
                _numbers(face.descent),
                (face.flags & ~FF_NONSYMBOLIC) | FF_SYMBOLIC,
                _numbers(*face.bbox),
                program_ref,
                base_name.encode("ascii"),
                _numbers(face.italicAngle),
                _numbers(face.defaultWidth),
                _numbers(face.stemV),
            )
        )
        return add(
            b"<< /Type /Font /Subtype /TrueType /BaseFont /%s /FirstChar 0 /LastChar %d "
            b"/Widths %s /FontDescriptor %d 0 R /ToUnicode %d 0 R >>"
            % (base_name.encode("ascii"), len(codes) - 1, widths, descriptor, unicode_ref)
        )


def _sheet_marks(geo: Geometry) -> str:
    """The operators of the crop marks and cut guide, as the card PDFs draw them."""
    size = (geo.sheet_width, geo.sheet_height)
    canvas = Canvas(io.BytesIO(), pagesize=size, initialFontName=card_fonts().regular)
    code: list[str] = canvas._code
    start = len(code)
    draw_sheet_marks(canvas, geo)
    return "\n".join(code[start:])


class _Sheets:
    """Fills sheets with card pages, one or two a sheet, and writes each full sheet."""

    def __init__(self, objects: _Objects, geo: Geometry, parent: int) -> None:
        self.objects = objects
        self.geo = geo
        self.parent = parent
        self.kids: list[int] = []
        self.slots: list[int] = []
        self.contents: dict[int, int] = {}
        self.marks = _sheet_marks(geo)
        boxes = b""
        if geo.bleed:
            boxes = b" /TrimBox [ %s ] /BleedBox [ %s ]" % (
                _numbers(*geo.trim_box),
                _numbers(*geo.bleed_box),
            )
        self.page_head = b"<< /Type /Page /Parent %d 0 R /MediaBox [ 0 0 %s ]%s" % (
            parent,
            _numbers(geo.sheet_width, geo.sheet_height),
            boxes,
        )
        # A card may draw anywhere on its sheet, as in its own PDF: the form clips to the
        # sheet seen from any slot, never to the card.
        x0, y0 = geo.card_origin(geo.per_sheet - 1)
        self.bbox = b"/BBox [ %s ]" % _numbers(-x0, -y0, geo.sheet_width, geo.sheet_height)

    def place(self, form: int) -> None:
        """Put a card page (a form) in the next slot."""
        self.slots.append(form)
        if len(self.slots) == self.geo.per_sheet:
            self.finish()

    def finish(self) -> None:
        """Write the sheet being filled, if it holds anything."""
        if not self.slots:
            return
        used = len(self.slots)
        content = self.contents.get(used)
        if content is None:
            ops = []
            for slot in range(used):
                origin = fp_str(*self.geo.card_origin(slot))
                ops.append(f"q\n1 0 0 1 {origin} cm\n/C{slot} Do\nQ")
            ops.append(self.marks)
            stream = zlib.compress(("\n".join(ops) + "\n").encode("ascii"))
            content = self.contents[used] = self.objects.add_stream(b"", stream)
        forms = b" ".join(b"/C%d %d 0 R" % (slot, form) for slot, form in enumerate(self.slots))
        self.kids.append(
            self.objects.add(
                b"%s /Resources << %s /XObject << %s >> >> /Contents %d 0 R >>"
                % (self.page_head, _PROC_SET, forms, content)
            )
        )
        self.slots = []


def _order(card: PlainArtefact) -> tuple[str, str, str, str]:
    """Where a card goes in the booklet: by title as a reader alphabetises it (``Übung``
    with the U's, not after Z), then as written, then slug for equal titles."""
    slug, title = card[0], card[1]
    folded = title.casefold()
    plain = "".join(
        c for c in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(c)
    )
    return (plain, folded, title, slug)


def _image_resources(
    pictures: Sequence[tuple[str, str, str, str]], images: dict[str, int], objects: _Objects
) -> bytes:
    """A card's pictures as its form's ``/XObject`` resources; each picture's object is
    added on its first use: named by its bytes, a picture many cards show is one object."""
    if not pictures:
        return b""
    for picture in pictures:
        name = picture[0]
        if name not in images:
            images[name] = objects.add(ImageRef(*picture))
    named = b" ".join(b"/%s %d 0 R" % (p[0].encode("ascii"), images[p[0]]) for p in pictures)
    return b" /XObject << " + named + b" >>"


def assemble_booklet(
    cards: Sequence[PlainArtefact], settings: Settings, blobs: BlobStore | None = None
) -> bytes:
    """Every card in one PDF, as :func:`write_booklet` writes it, in memory."""
    sink = io.BytesIO()
    write_booklet(cards, settings, sink, blobs)
    return sink.getvalue()


def write_booklet(
    cards: Sequence[PlainArtefact],
    settings: Settings,
    sink: BinaryIO,
    blobs: BlobStore | None = None,
) -> None:
    """Write to ``sink`` every card in one PDF, ordered by title, each distinct font subset
    and picture embedded once. ``cards`` are :class:`CardArtefact` or their
    :meth:`~CardArtefact.plain` form; their pictures come from ``blobs`` one at a time, as
    they are written (or are prepared again from the seeds' files)."""
    geo = geometry(settings)
    objects = _Objects()
    catalog, info, pages = objects.reserve(), objects.reserve(), objects.reserve()
    fonts = _Fonts(objects)
    sheets = _Sheets(objects, geo, pages)
    form_head = b"<< /Type /XObject /Subtype /Form %s /Resources << %s /Font << " % (
        sheets.bbox,
        _PROC_SET,
    )
    images: dict[str, int] = {}
    for _, _, _, card_pages, subsets, pictures in sorted(cards, key=_order):
        resources = b" ".join(
            b"/%s %d 0 R" % (name.encode("ascii"), fonts.ref(font, chars))
            for name, font, chars in subsets
        )
        xobjects = _image_resources(pictures, images, objects)
        head = form_head + resources + b" >>" + xobjects + b" >> /Filter /FlateDecode /Length "
        for page in card_pages:
            sheets.place(objects.add(b"%s%d >>\nstream\n%s\nendstream" % (head, len(page), page)))
    sheets.finish()
    if not sheets.kids:
        # No card: one blank sheet, as a PDF with no page is one some readers refuse.
        sheets.kids.append(objects.add(sheets.page_head + b" /Resources << >> >>"))
    kids = b" ".join(b"%d 0 R" % kid for kid in sheets.kids)
    objects.put(pages, b"<< /Type /Pages /Count %d /Kids [ %s ] >>" % (len(sheets.kids), kids))
    langs = sorted({card[2] for card in cards})
    lang = langs[0] if len(langs) == 1 else "mul"
    # The booklet's own words are in its cards' language, or the default one for a mix.
    words = labels_for(langs[0] if len(langs) == 1 else settings.default_lang, settings.labels)
    objects.put(
        catalog,
        b"<< /Type /Catalog /Lang %s /PageMode /UseNone /Pages %d 0 R >>"
        % (_pdf_string(lang), pages),
    )
    count = len(cards)
    date = _pdf_string(INVARIANT_DATE)
    objects.put(
        info,
        b"<< /Author %s /CreationDate %s /Creator %s /Keywords %s /ModDate %s /Producer %s "
        b"/Subject %s /Title %s /Trapped /False >>"
        % (
            _pdf_string(CREATOR),
            date,
            _pdf_string(CREATOR),
            _pdf_string(words["card_keywords"]),
            date,
            _pdf_string(CREATOR),
            _pdf_string(words.count("booklet_cards", count)),
            _pdf_string(words["booklet_title"]),
        ),
    )
    objects.write(catalog, info, sink, functools.partial(picture_body, blobs=blobs))
