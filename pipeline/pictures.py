"""A seed's pictures: how ``image`` and ``images`` name them, and the checks a local file
passes before any exporter uses it.

A local picture is a file in the seed's folder (or below it), read once by the parser: its
bytes are hashed, its size is checked against the ``max_image_bytes`` setting, a PNG or JPEG
is decoded by Pillow (whose pixel limit refuses a decompression bomb), and an SVG is parsed
strictly and drawn by svglib. Each file the parser looked at, found or not, is one of the
seed's inputs (:class:`pipeline.inputs.InputFile`).
"""

from __future__ import annotations

import hashlib
import io
import posixpath
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.files import read_regular
from pipeline.inputs import InputFile
from pipeline.model import PictureFormat

if TYPE_CHECKING:
    from pipeline.model import Picture

SUFFIXES: dict[str, PictureFormat] = {
    ".png": PictureFormat.PNG,
    ".jpg": PictureFormat.JPEG,
    ".jpeg": PictureFormat.JPEG,
    ".svg": PictureFormat.SVG,
}
_ORIENTATION = 0x0112
_QUARTER_TURNS = frozenset({5, 6, 7, 8})
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_UNSAFE = re.compile(r"[\x00-\x1f\x7f]")
_PILLOW_FORMATS = {"PNG": PictureFormat.PNG, "JPEG": PictureFormat.JPEG, "MPO": PictureFormat.JPEG}


class PictureError(ValueError):
    """A local picture that cannot be used; the message says why, after its path."""


def is_url(ref: str) -> bool:
    """True when a picture is given by an address (``https:...``) rather than a path."""
    return _SCHEME.match(ref) is not None


def local_ref(ref: str) -> str:
    """A local picture's path, normalised (``./images//a.jpg`` -> ``images/a.jpg``);
    :class:`ValueError` when it cannot name a picture in the seed's folder."""
    text = ref.strip()
    shown = f"'{text[:60]}'"
    if not text:
        raise ValueError("is empty")
    if _UNSAFE.search(text):
        raise ValueError(f"{shown} holds a control character or a line break")
    if "\\" in text:
        raise ValueError(f"{shown} holds '\\': separate folders with '/'")
    if text.startswith("/"):
        raise ValueError(
            f"{shown} is an absolute path: give the path from the seed's folder, "
            "e.g. images/squat-start.jpg"
        )
    normal = posixpath.normpath(text)
    if normal == ".." or normal.startswith("../"):
        raise ValueError(
            f"{shown} leads outside the seed's folder: keep pictures in it or below it, "
            "e.g. images/squat-start.jpg"
        )
    if posixpath.splitext(normal)[1].lower() not in SUFFIXES:
        raise ValueError(f"{shown} is not a .png, .jpg, .jpeg or .svg file")
    return normal


@dataclass(frozen=True, slots=True)
class LocalPicture:
    """What the checks of a local picture found."""

    format: PictureFormat
    width: int
    height: int


def shown_path(seed_shown: str, ref: str) -> str:
    """The picture's path as the seed's is shown: ``seeds/a.md`` and ``images/a.jpg`` give
    ``seeds/images/a.jpg``."""
    return posixpath.normpath(posixpath.join(posixpath.dirname(seed_shown), ref))


def stat_input(path: Path, shown: str) -> InputFile:
    """The file as an input before it is read: its size and mtime, ``-1`` when missing."""
    try:
        stat = path.stat()
    except OSError:
        return InputFile(shown, -1, -1)
    return InputFile(shown, stat.st_size, stat.st_mtime_ns)


def check_local(
    folder: Path, ref: str, found: InputFile, max_bytes: int
) -> tuple[InputFile, LocalPicture]:
    """Read and check the picture ``ref`` of a seed in ``folder``: the input with its hash,
    and what the picture is. :class:`PictureError` when it cannot be used."""
    path = folder / ref
    if found.size < 0:
        if path.is_symlink():
            raise PictureError("is a symbolic link that leads nowhere")
        raise PictureError("does not exist")
    real = path.resolve()
    if not real.is_relative_to(folder.resolve()):
        raise PictureError("is a symbolic link that leads outside the seed's folder")
    if found.size > max_bytes:
        raise PictureError(
            f"is {found.size} bytes, over the limit of {max_bytes} (setting max_image_bytes)"
        )
    try:
        data = read_regular(path, max_bytes + 1)
    except OSError as exc:
        raise PictureError(f"cannot be read ({exc.strerror or exc})") from None
    if len(data) > max_bytes:
        raise PictureError(f"is over the limit of {max_bytes} bytes (setting max_image_bytes)")
    read = InputFile(found.path, found.size, found.mtime_ns, hashlib.sha256(data).hexdigest())
    expected = SUFFIXES[posixpath.splitext(ref)[1].lower()]
    if expected is PictureFormat.SVG:
        return read, _check_svg(path)
    return read, _check_raster(data, expected)


def _check_svg(path: Path) -> LocalPicture:
    from pipeline.svg import SvgError, read_svg

    try:
        drawing = read_svg(path)
    except SvgError as exc:
        raise PictureError(
            f"is {exc}" if str(exc).startswith(("an ", "not ")) else str(exc)
        ) from None
    width, height = round(float(drawing.width)), round(float(drawing.height))
    return LocalPicture(PictureFormat.SVG, max(width, 1), max(height, 1))


def _check_raster(data: bytes, expected: PictureFormat) -> LocalPicture:
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            # Pillow only warns between its limit and twice it; both are refused here.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=("PNG", "JPEG")) as image:
                kind, width, height = _decoded(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        limit = Image.MAX_IMAGE_PIXELS or 0
        raise PictureError(
            f"has too many pixels to be a picture (over {limit:,}): it may be a "
            "decompression bomb; scale it down"
        ) from None
    except UnidentifiedImageError:
        raise PictureError("is not a PNG or JPEG image") from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise PictureError(f"cannot be decoded ({exc})") from None
    if kind is not expected:
        raise PictureError(f"is a {kind.value.upper()} image: rename it to match")
    if not width or not height:
        raise PictureError("has no pixels")
    return LocalPicture(kind, width, height)


def _decoded(image: Any) -> tuple[PictureFormat, int, int]:
    """Decode ``image`` (to find a file cut short) and say what it is and its size as it is
    shown, turned by its EXIF tag."""
    kind = _PILLOW_FORMATS[image.format or ""]
    width, height = image.size
    if image.getexif().get(_ORIENTATION, 1) in _QUARTER_TURNS:
        width, height = height, width
    if kind is PictureFormat.JPEG:
        # Decoded at an eighth of its size: every byte is still read, which finds a cut-off
        # file, in a fraction of the time.
        image.draft("RGB", (max(image.width // 8, 1), max(image.height // 8, 1)))
    image.load()
    return kind, width, height


def picture_bytes(picture: Picture) -> bytes:
    """A local picture's bytes, as the parse checked them; :class:`OutputError` when the
    file has changed or gone since (the next export reads the seed again)."""
    assert picture.file is not None and picture.sha256 is not None
    return checked_bytes(picture.file, picture.sha256)


def checked_bytes(file: str, sha256: str) -> bytes:
    """The bytes of ``file``, which the parse found to hash to ``sha256``;
    :class:`~pipeline.writer.OutputError` when it no longer does."""
    from pipeline.writer import OutputError

    try:
        data = Path(file).read_bytes()
    except OSError as exc:
        raise OutputError(f"the picture {file} cannot be read ({exc.strerror})") from None
    if hashlib.sha256(data).hexdigest() != sha256:
        raise OutputError(f"the picture {file} changed while the export ran; export again")
    return data
