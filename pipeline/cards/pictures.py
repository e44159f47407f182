"""The seed's pictures on its card: side by side under the header (start and end position),
each scaled to its cell with its shape kept.

A PNG or JPEG becomes one image XObject, prepared once per file in a process however many
cards show it: a JPEG of print size is embedded as it is (no second lossy pass), a larger
one is scaled down to :data:`MAX_PIXELS` on its long side and encoded again, a PNG is
flattened on white and compressed. Its resource name comes from its bytes, so the booklet
embeds each picture once, however many cards use it. An SVG is drawn as vectors, as the
logo is (see :mod:`pipeline.svg`).
"""

from __future__ import annotations

import functools
import hashlib
import io
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from pipeline.blobs import BlobStore, blob_key
from pipeline.cards.flowable import Flowable
from pipeline.cards.palette import MUTED
from pipeline.cards.text import break_lines
from pipeline.model import Picture, PictureFormat

MAX_PIXELS = 1400
"""The long side a picture is printed from, at most: a card's picture is at most about
90 mm wide, so this is over 350 pixels an inch, and a photo's file stays small."""
MAX_ON_CARD = 2
"""Pictures a card shows: the start and end position (the page shows them all)."""
_JPEG_QUALITY = 90


class ImageRef(NamedTuple):
    """A picture as a card's entry names it: the booklet reads its object from the cards'
    blobs by ``key``, or prepares it again from the seed's file ``file`` (whose bytes the
    parse hashed to ``sha256``) when the blob is gone."""

    name: str
    """Its resource name in the card's pages."""
    key: str
    """The blob key (SHA-256) of its image XObject's body."""
    file: str
    sha256: str


@dataclass(frozen=True, slots=True)
class CardImage:
    """A raster picture as the card's PDF embeds it."""

    name: str
    """Its resource name in a card's pages, from its bytes."""
    width: int
    height: int
    color_space: str
    filter: str
    data: bytes
    file: str
    """The seed's picture it was prepared from, and the hash of that file's bytes."""
    sha256: str

    def ref(self, resource: str) -> ImageRef:
        """How a card's entry names this picture, drawn as ``resource`` in its pages."""
        return ImageRef(resource, blob_key(self.body()), self.file, self.sha256)

    def body(self) -> bytes:
        """The image XObject's PDF object body, as the booklet writes it."""
        return (
            b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /%s "
            b"/BitsPerComponent 8 /Filter /%s /Length %d >>\nstream\n%s\nendstream"
            % (
                self.width,
                self.height,
                self.color_space.encode("ascii"),
                self.filter.encode("ascii"),
                len(self.data),
                self.data,
            )
        )


@functools.lru_cache(maxsize=64)
def prepared(path: str, sha256: str) -> CardImage:
    """The picture at ``path`` (with the bytes ``sha256`` names, as the parse checked them)
    ready to embed."""
    from PIL import Image, ImageOps

    from pipeline.pictures import checked_bytes

    data = checked_bytes(path, sha256)
    with Image.open(io.BytesIO(data)) as image:
        turned = image.getexif().get(0x0112, 1) != 1
        as_is = (
            image.format == "JPEG"
            and image.mode in ("RGB", "L")
            and max(image.size) <= MAX_PIXELS
            and not turned
        )
        if as_is:  # named by the hash the parse made of these very bytes
            made = (image.width, image.height, image.mode, "DCTDecode", data)
            return _image(*made, source=(path, sha256), digest=sha256)
        picture = ImageOps.exif_transpose(image)
        picture.thumbnail((MAX_PIXELS, MAX_PIXELS), Image.Resampling.LANCZOS)
        picture = _flattened(picture)
        if image.format in ("JPEG", "MPO"):
            out = io.BytesIO()
            picture.save(out, "JPEG", quality=_JPEG_QUALITY, optimize=True)
            made = (picture.width, picture.height, picture.mode, "DCTDecode", out.getvalue())
        else:
            raw = zlib.compress(picture.tobytes(), 6)
            made = (picture.width, picture.height, picture.mode, "FlateDecode", raw)
        return _image(*made, source=(path, sha256))


def _flattened(image: Any) -> Any:
    """The picture in RGB or grey, transparency laid on the white of the card."""
    from PIL import Image

    if image.mode in ("RGB", "L"):
        return image
    if image.mode in ("LA", "PA", "RGBA", "P") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        white = Image.new("RGB", rgba.size, (255, 255, 255))
        white.paste(rgba, mask=rgba.getchannel("A"))
        return white
    return image.convert("L" if image.mode in ("1", "I", "I;16", "F") else "RGB")


def _image(
    width: int,
    height: int,
    mode: str,
    kind: str,
    data: bytes,
    *,
    source: tuple[str, str],
    digest: str | None = None,
) -> CardImage:
    space = "DeviceGray" if mode == "L" else "DeviceRGB"
    name = "Pic" + (digest or hashlib.sha256(data).hexdigest())[:20]
    return CardImage(name, width, height, space, kind, data, *source)


def picture_body(ref: ImageRef, blobs: BlobStore | None) -> bytes:
    """The image XObject body of the picture ``ref`` names: its blob, or, when the blob is
    gone or damaged, the picture prepared again from the seed's file (and kept again)."""
    if blobs is not None:
        body = blobs.get(ref.key)
        if body is not None:
            return body
    body = prepared(ref.file, ref.sha256).body()
    key = blob_key(body)
    if blobs is not None and key == ref.key:  # another Pillow may encode it otherwise
        blobs.put(body, key)
    return body


def draw_image(canvas: Any, image: CardImage, x: float, y: float, w: float, h: float) -> str:
    """Draw ``image`` into the box at ``(x, y)``, ``w`` by ``h``; its resource name, which
    the card's pages then use."""
    from reportlab.pdfbase.pdfdoc import PDFImageXObject

    document = canvas._doc
    registered = document.getXObjectName(image.name)
    if registered not in document.idToObject:
        xobject = PDFImageXObject(image.name)
        xobject.width, xobject.height = image.width, image.height
        xobject.bitsPerComponent = 8
        xobject.colorSpace = image.color_space
        xobject._filters = (image.filter,)
        xobject.streamContent = image.data
        xobject.mask = None
        canvas._setXObjects(xobject)
        document.Reference(xobject, registered)
        document.addForm(image.name, xobject)
    canvas.saveState()
    canvas.translate(x, y)
    canvas.scale(w, h)
    canvas._code.append(f"/{registered} Do")
    canvas.restoreState()
    canvas._formsinuse.append(image.name)
    uses: dict[str, CardImage] = getattr(canvas, "card_images", {})
    uses[registered] = image
    canvas.card_images = uses
    return str(registered)


def _aspect(picture: Picture) -> float:
    """Width over height, as the picture prints (a photo turned by its EXIF tag is turned)."""
    if picture.format is PictureFormat.SVG:
        from pipeline.svg import read_svg

        drawing = read_svg(Path(picture.file or ""))
        return float(drawing.width) / float(drawing.height)
    assert picture.file is not None and picture.sha256 is not None
    image = prepared(picture.file, picture.sha256)
    return image.width / image.height


def card_pictures(pictures: Sequence[Picture]) -> list[Picture]:
    """The pictures a card prints: its first local ones, at most :data:`MAX_ON_CARD` (one on
    the web is never fetched, so the page and the JSON-LD link it, and the card has none)."""
    return [p for p in pictures if p.local][:MAX_ON_CARD]


class PictureRow(Flowable):
    """The card's pictures side by side, all at one height with their shapes kept, none
    taller than ``max_height``, then the blocks ``extras`` gives (the muscle map, the QR
    code), as one group in the middle of the card: start and end read as a pair, beside what
    they work and where the video is. A caption, when the seed gives one, goes on a line
    under its picture."""

    def __init__(
        self,
        pictures: Sequence[Picture],
        *,
        max_height: float,
        gap: float,
        font: str,
        size: float,
        space_before: float,
        extras: Sequence[tuple[Flowable, float | None]] = (),
    ) -> None:
        super().__init__()
        self.pictures = list(pictures)
        self.aspects = [_aspect(p) for p in self.pictures]
        self.max_height = max_height
        self.gap = gap
        self.font = font
        self.size = size
        self.spaceBefore = space_before
        self.extras = list(extras)
        """Blocks drawn after the pictures, each with its width over its height (drawn at
        the pictures' height), or None for a block of its own size."""
        self.boxes: list[tuple[float, float]] = []
        self.extra_boxes: list[tuple[float, float, float]] = []
        self.captions: list[str] = []
        self.image_height = 0.0

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        """As tall as the pictures at the height that fills the width (at most
        ``max_height``) with a caption line when one has a caption, or as the tallest
        block after them."""
        gaps = self.gap * (len(self.pictures) + len(self.extras) - 1)
        fixed = {
            index: block.wrap(availWidth / 3, self.max_height)
            for index, (block, aspect) in enumerate(self.extras)
            if aspect is None
        }
        aspects = [*self.aspects, *(a for _, a in self.extras if a is not None)]
        room = availWidth - gaps - sum(w for w, _ in fixed.values())
        image_height = min(self.max_height, room / sum(aspects))
        self._place(availWidth, image_height, fixed)
        self.captions = [
            self._caption(p, w) for p, (_, w) in zip(self.pictures, self.boxes, strict=True)
        ]
        caption_height = self.size * 1.5 if any(self.captions) else 0.0
        tallest = max((h for _, _, h in self.extra_boxes), default=0.0)
        self.width = availWidth
        self.height = max(image_height + caption_height, tallest)
        self.image_height = image_height
        return self.width, self.height

    def _place(
        self, width: float, image_height: float, fixed: dict[int, tuple[float, float]]
    ) -> None:
        """Each picture's and block's place along the row, the group centred in ``width``;
        ``fixed`` holds the size of each block of its own size, by its place in ``extras``."""
        widths = [image_height * aspect for aspect in self.aspects]
        extra_widths = [
            fixed[i][0] if aspect is None else image_height * aspect
            for i, (_, aspect) in enumerate(self.extras)
        ]
        gaps = self.gap * (len(widths) + len(extra_widths) - 1)
        x = (width - sum(widths) - sum(extra_widths) - gaps) / 2
        self.boxes = []
        for w in widths:
            self.boxes.append((x, w))
            x += w + self.gap
        self.extra_boxes = []
        for index, ((block, aspect), w) in enumerate(zip(self.extras, extra_widths, strict=True)):
            h = fixed[index][1] if aspect is None else block.wrap(w, image_height)[1]
            self.extra_boxes.append((x, w, h))
            x += w + self.gap

    def _caption(self, picture: Picture, width: float) -> str:
        if not picture.caption:
            return ""
        lines = break_lines(picture.caption, self.font, self.size, width)
        return lines[0] + ("\u2026" if len(lines) > 1 else "")

    def draw(self) -> None:
        """Each picture with its caption under it, then the blocks after them, their tops
        in line."""
        canvas = self.canv
        base = self.height - self.image_height
        for picture, (x, w), caption in zip(self.pictures, self.boxes, self.captions, strict=True):
            h = self.image_height
            if picture.format is PictureFormat.SVG:
                _draw_svg(canvas, picture, x, base, w, h)
            else:
                assert picture.file is not None and picture.sha256 is not None
                draw_image(canvas, prepared(picture.file, picture.sha256), x, base, w, h)
            if caption:
                canvas.setFillColor(MUTED)
                canvas.setFont(self.font, self.size)
                canvas.drawCentredString(x + w / 2, base - self.size * 1.2, caption)
        for (block, aspect), (x, _, h) in zip(self.extras, self.extra_boxes, strict=True):
            # The map beside the pictures it goes with; a block of its own size from the top.
            y = base + (self.image_height - h) / 2 if aspect is not None else self.height - h
            block.drawOn(canvas, x, y)


def _draw_svg(canvas: Any, picture: Picture, x: float, y: float, w: float, h: float) -> None:
    from reportlab.graphics import renderPDF

    from pipeline.svg import read_svg

    drawing = read_svg(Path(picture.file or ""))
    canvas.saveState()
    canvas.translate(x, y)
    canvas.scale(w / drawing.width, h / drawing.height)
    renderPDF.draw(drawing, canvas, 0, 0)
    canvas.restoreState()
