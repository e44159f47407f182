"""A seed's pictures: read and checked once, drawn on the card, copied beside the page, in
the JSON-LD and the catalogue; and part of the seed's inputs, so changing only a picture
rebuilds its seed."""

from __future__ import annotations

import io
import json
import re
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader
from typer.testing import CliRunner

from pipeline.cards import render_card
from pipeline.cli import app
from pipeline.config import Settings
from pipeline.engine import export
from pipeline.model import Exercise
from pipeline.validation import validate_document
from tests.conftest import SHIPPED_PICTURES, copy_pictures, line_of

SETTINGS = Settings(base_url="https://example.org/")
START = "images/lying-leg-curl-start.jpg"
END = "images/lying-leg-curl-end.jpg"
PICTURED = (
    "images:\n"
    f"  - {{path: {START}, alt: Legs straight, caption: Start, license: CC0-1.0, "
    "author: Jane Doe, source_url: https://example.org/photos}\n"
    f"  - {END}"
)


@pytest.fixture
def pictured(leg_curl: Callable[..., Path]) -> Callable[..., Path]:
    """A leg-curl seed with ``extra`` frontmatter, beside the shipped pictures."""

    def write(extra: str = PICTURED, name: str = "leg-curl.md") -> Path:
        path = leg_curl(extra, name)
        copy_pictures(path.parent)
        return path

    return write


def _image_count(pdf: bytes) -> int:
    return len(re.findall(rb"/Subtype /Image", pdf))


def test_a_local_picture_is_read_with_its_size_hash_and_credit(
    pictured: Callable[..., Path],
) -> None:
    from pipeline.parser import parse_seed

    path = pictured()
    result = parse_seed(path)
    assert result.exercise is not None, result.diagnostics
    assert result.key is not None
    start, end = result.exercise.images
    assert (start.src, start.file) == (START, (path.parent / START).as_posix())
    assert (start.format, start.width, start.height) == ("jpeg", 850, 567)
    assert start.alt == "Legs straight" and start.caption == "Start"
    assert start.credit is not None and start.credit.license == "CC0-1.0"
    assert end.credit is None and end.alt is None
    # Both files are the seed's inputs, so the seed is read again when one changes.
    assert [i.path for i in result.inputs] == [start.file, end.file]
    assert result.key != result.sha256


def _bomb(path: Path) -> None:
    # 10,000 x 10,000 one-bit pixels: a few kilobytes of PNG, over Pillow's pixel limit.
    Image.new("1", (10_000, 10_000)).save(path)


def _cut(path: Path) -> None:
    path.write_bytes((SHIPPED_PICTURES / "lying-leg-curl-start.jpg").read_bytes()[:4000])


def _text(path: Path) -> None:
    path.write_text("not a picture", "utf-8")


def _broken_svg(path: Path) -> None:
    path.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="10"', "utf-8")


def _png_named_jpg(path: Path) -> None:
    Image.new("RGB", (20, 10), "red").save(path, "PNG")


def _outside_link(path: Path) -> None:
    outside = path.parent.parent.parent / "elsewhere.jpg"
    shutil.copy(SHIPPED_PICTURES / "lying-leg-curl-start.jpg", outside)
    path.symlink_to(outside)


@pytest.mark.parametrize(
    ("name", "make", "message"),
    [
        ("missing.jpg", None, "the picture 'images/missing.jpg' does not exist"),
        ("bomb.png", _bomb, "has too many pixels to be a picture"),
        ("cut.jpg", _cut, "cannot be decoded"),
        ("text.jpg", _text, "is not a PNG or JPEG image"),
        ("broken.svg", _broken_svg, "is not well-formed SVG"),
        ("red.jpg", _png_named_jpg, "is a PNG image: rename it to match"),
        ("link.jpg", _outside_link, "is a symbolic link that leads outside the seed's folder"),
    ],
)
def test_a_picture_that_cannot_be_used_is_an_error_at_its_line_and_costs_nothing_else(
    pictured: Callable[..., Path],
    tmp_path: Path,
    name: str,
    make: Callable[[Path], None] | None,
    message: str,
) -> None:
    bad = pictured(f"images: [{START}, images/{name}]", "bad.md")
    good = pictured(PICTURED, "good.md")
    if make is not None:
        make(bad.parent / "images" / name)
    out = tmp_path / "out"
    report = export([bad.parent], out, SETTINGS, jobs=1)
    errors = [d for d in report.diagnostics if d.level == "error"]
    assert [(d.path, d.line) for d in errors] == [(bad.as_posix(), 3)]
    assert message in errors[0].message
    assert (out / "cards" / f"{good.stem}.pdf").exists()
    assert not (out / "cards" / f"{bad.stem}.pdf").exists()
    assert not (out / "html" / bad.stem).exists()


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("../outside.jpg", "leads outside the seed's folder"),
        ("/etc/hostname.jpg", "is an absolute path"),
        ("images/start.gif", "is not a .png, .jpg, .jpeg or .svg file"),
        ("images\\\\start.jpg", "separate folders with '/'"),
    ],
)
def test_a_picture_path_that_names_no_picture_in_the_folder_is_an_error(
    pictured: Callable[..., Path], written: str, message: str
) -> None:
    from pipeline.parser import parse_seed

    path = pictured(f'image: "{written}"')
    result = parse_seed(path)
    assert result.exercise is None
    [error] = result.diagnostics
    assert error.line == line_of(path.read_text("utf-8"), "image:")
    assert message in error.message


def test_a_picture_over_the_size_setting_is_an_error(pictured: Callable[..., Path]) -> None:
    from pipeline.parser import parse_seed

    path = pictured(f"image: {START}")
    limits = Settings(max_image_bytes=50_000).limits()
    [error] = parse_seed(path, limits=limits).diagnostics
    assert "over the limit of 50000 (setting max_image_bytes)" in error.message


def test_a_mapping_with_a_wrong_field_names_the_field(pictured: Callable[..., Path]) -> None:
    from pipeline.parser import parse_seed

    path = pictured(f"images:\n  - {{path: {START}, alt: ''}}\n  - {{path: {END}, size: 4}}")
    messages = [d.message for d in parse_seed(path).diagnostics]
    assert messages[0].startswith("images: item 1 alt: is empty")
    assert messages[1].startswith("images: item 2 has the unknown key 'size'")


def test_the_card_draws_each_picture_once_and_the_booklet_shares_it(
    pictured: Callable[..., Path], tmp_path: Path
) -> None:
    pictured(PICTURED, "leg-curl.md")
    pictured(f"slug: second-curl\n{PICTURED}", "second.md")
    out = tmp_path / "out"
    assert export([tmp_path / "seeds"], out, SETTINGS, jobs=1).errors == 0
    card = (out / "cards" / "leg-curl.pdf").read_bytes()
    assert _image_count(card) == 2
    [page] = PdfReader(io.BytesIO(card)).pages
    assert len(page.images) == 2
    # The start picture is embedded as it is published: the JPEG's own bytes.
    start = (SHIPPED_PICTURES / "lying-leg-curl-start.jpg").read_bytes()
    assert start in card
    booklet = (out / "cards.pdf").read_bytes()
    assert _image_count(booklet) == 2  # two cards, two pictures each, each picture once
    assert booklet.count(start) == 1


def _blobs(out: Path) -> list[Path]:
    return sorted((out.parent / ".pipeline-state" / out.name / "cache" / "pdf").iterdir())


def test_the_booklet_reads_each_picture_from_the_cards_blobs_not_from_the_entries(
    pictured: Callable[..., Path], tmp_path: Path
) -> None:
    path = pictured()
    pictured(f"slug: other\nimage: {END}", "other.md")
    out = tmp_path / "out"
    assert export([path.parent], out, SETTINGS, jobs=1).errors == 0
    booklet = (out / "cards.pdf").read_bytes()
    blobs = _blobs(out)
    assert len(blobs) == 2  # two pictures, the end one shown by both cards
    end = (SHIPPED_PICTURES / "lying-leg-curl-end.jpg").read_bytes()
    assert any(end in blob.read_bytes() for blob in blobs)
    # The stored entries name the pictures; none carries one.
    with sqlite3.connect(out.parent / ".pipeline-state" / "out" / "state.sqlite") as db:
        sizes = [n for (n,) in db.execute("SELECT length(data) FROM entries WHERE exporter='pdf'")]
    assert len(sizes) == 2 and max(sizes) < 12_000

    # A damaged blob and a lost one: the booklet is the same bytes, the pictures prepared
    # again from the seeds' files, and kept again.
    blobs[0].write_bytes(b"not the picture")
    blobs[1].unlink()
    (out / "cards.pdf").unlink()
    again = export([path.parent], out, SETTINGS, jobs=1)
    assert again.errors == 0 and again.written == ["cards.pdf"]
    assert (out / "cards.pdf").read_bytes() == booklet
    assert [b.name for b in _blobs(out)] == [b.name for b in blobs]

    # A picture no card shows any more is let go.
    (path.parent / "other.md").unlink()
    path.write_text(path.read_text("utf-8").replace(f"  - {END}\n", ""), "utf-8")
    assert export([path.parent], out, SETTINGS, jobs=1).errors == 0
    assert len(_blobs(out)) == 1


def test_a_picture_on_the_web_is_linked_and_never_fetched(
    leg_curl: Callable[..., Path], tmp_path: Path
) -> None:
    path = leg_curl("image: https://img.example.org/curl.jpg")
    out = tmp_path / "out"
    assert export([path.parent], out, SETTINGS, jobs=1).errors == 0
    assert _image_count((out / "cards" / "leg-curl.pdf").read_bytes()) == 0
    page = (out / "html" / "leg-curl" / "index.html").read_text("utf-8")
    assert '<img src="https://img.example.org/curl.jpg" alt="Leg Curl" loading="lazy"' in page
    graph = json.loads((out / "jsonld" / "leg-curl.jsonld").read_text("utf-8"))["@graph"]
    howto = next(node for node in graph if node["@type"] == "HowTo")
    assert howto["image"][0]["contentUrl"] == "https://img.example.org/curl.jpg"


def test_the_page_shows_the_pictures_copied_beside_it_with_their_size_and_text(
    pictured: Callable[..., Path], tmp_path: Path
) -> None:
    path = pictured()
    out = tmp_path / "out"
    assert export([path.parent], out, SETTINGS, jobs=1).errors == 0
    folder = out / "html" / "leg-curl"
    copied = folder / "lying-leg-curl-start.jpg"
    assert copied.read_bytes() == (path.parent / START).read_bytes()
    assert (folder / "lying-leg-curl-end.jpg").exists()
    page = (folder / "index.html").read_text("utf-8")
    assert (
        '<figure id="picture-1"><img src="lying-leg-curl-start.jpg" alt="Legs straight" '
        'width="850" height="567" loading="lazy" decoding="async">'
    ) in page
    assert 'alt="Leg Curl (2/2)"' in page
    assert '<a rel="license" href="https://creativecommons.org/publicdomain/zero/1.0/">' in page


def test_the_json_ld_gives_each_picture_as_an_image_object_with_its_credit(
    pictured: Callable[..., Path], tmp_path: Path
) -> None:
    path = pictured()
    out = tmp_path / "out"
    assert export([path.parent], out, SETTINGS, jobs=1).errors == 0
    document = json.loads((out / "jsonld" / "leg-curl.jsonld").read_text("utf-8"))
    assert validate_document(document) == []
    nodes = {node["@type"]: node for node in document["@graph"]}
    page = "https://example.org/leg-curl/"
    assert nodes["WebPage"]["primaryImageOfPage"] == {"@id": f"{page}#picture-1"}
    start, end = nodes["HowTo"]["image"]
    assert start == {
        "@type": "ImageObject",
        "@id": f"{page}#picture-1",
        "contentUrl": f"{page}lying-leg-curl-start.jpg",
        "caption": "Start",
        "creator": {"@type": "Person", "name": "Jane Doe"},
        "creditText": "Jane Doe",
        "license": "https://creativecommons.org/publicdomain/zero/1.0/",
        "acquireLicensePage": "https://example.org/photos",
    }
    assert end == {
        "@type": "ImageObject",
        "@id": f"{page}#picture-2",
        "contentUrl": f"{page}lying-leg-curl-end.jpg",
    }
    validated = CliRunner().invoke(app, ["validate", str(out)])
    assert validated.exit_code == 0, validated.output


def test_the_catalogue_lists_the_pictures(pictured: Callable[..., Path], tmp_path: Path) -> None:
    path = pictured()
    out = tmp_path / "out"
    assert export([path.parent], out, SETTINGS, jobs=1).errors == 0
    db = sqlite3.connect(out / "catalogue.sqlite")
    rows = db.execute(
        "SELECT position, url, file, width, height, alt, caption, license, author "
        "FROM exercise_images ORDER BY position"
    ).fetchall()
    (image,) = db.execute("SELECT image FROM exercises").fetchone()
    db.close()
    page = "https://example.org/leg-curl/"
    assert rows == [
        (1, f"{page}lying-leg-curl-start.jpg", "html/leg-curl/lying-leg-curl-start.jpg",
         850, 567, "Legs straight", "Start", "CC0-1.0", "Jane Doe"),
        (2, f"{page}lying-leg-curl-end.jpg", "html/leg-curl/lying-leg-curl-end.jpg",
         850, 567, None, None, None, None),
    ]  # fmt: skip
    assert image == rows[0][1]


def test_changing_only_a_picture_rebuilds_its_seed(
    pictured: Callable[..., Path], tmp_path: Path
) -> None:
    path = pictured()
    pictured(f"slug: other\nimage: {END}", "other.md")
    out = tmp_path / "out"
    first = export([path.parent], out, SETTINGS, jobs=1)
    assert first.errors == 0
    card = (out / "cards" / "leg-curl.pdf").read_bytes()
    again = export([path.parent], out, SETTINGS, jobs=1)
    assert again.parsed == 0 and not again.written
    # A new start picture, in the same file, of another size.
    picture = path.parent / START
    Image.new("RGB", (300, 400), "navy").save(picture, "JPEG")
    changed = export([path.parent], out, SETTINGS, jobs=1)
    assert changed.errors == 0
    assert changed.parsed == 1  # only the seed that shows it
    assert (out / "cards" / "leg-curl.pdf").read_bytes() != card
    assert (out / "html" / "leg-curl" / "lying-leg-curl-start.jpg").read_bytes() == (
        picture.read_bytes()
    )
    assert 'width="300" height="400"' in (out / "html/leg-curl/index.html").read_text("utf-8")


def test_a_missing_picture_put_in_place_is_found_by_the_next_export(
    pictured: Callable[..., Path], tmp_path: Path
) -> None:
    path = pictured(f"image: images/{'later.jpg'}")
    out = tmp_path / "out"
    assert export([path.parent], out, SETTINGS, jobs=1).errors == 1
    assert export([path.parent], out, SETTINGS, jobs=1).errors == 1
    shutil.copy(path.parent / START, path.parent / "images" / "later.jpg")
    fixed = export([path.parent], out, SETTINGS, jobs=1)
    assert fixed.errors == 0
    assert (out / "html" / "leg-curl" / "later.jpg").exists()


def test_an_svg_picture_is_drawn_as_vectors(pictured: Callable[..., Path], tmp_path: Path) -> None:
    path = pictured("image: images/figure.svg")
    (path.parent / "images" / "figure.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 30" width="40" height="30">'
        '<rect x="5" y="5" width="30" height="20" fill="#123456"/></svg>',
        "utf-8",
    )
    card = render_card(_exercise(path), SETTINGS)
    assert _image_count(card.pdf) == 0
    assert re.search(rb"0?\.070588 0?\.203922 0?\.337255 rg", _content(card.pdf))


def _exercise(path: Path) -> Exercise:
    from tests.conftest import exercise_of

    return exercise_of(path)


def _content(pdf: bytes) -> bytes:
    reader = PdfReader(io.BytesIO(pdf))
    return b"".join(page.get_contents().get_data() for page in reader.pages)  # type: ignore[union-attr]


def test_check_warns_about_a_picture_without_a_licence(
    pictured: Callable[..., Path], runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = pictured()
    monkeypatch.chdir(path.parent.parent)
    result = runner.invoke(app, ["check", str(path)])
    end_line = line_of(path.read_text("utf-8"), f"  - {END}")
    assert f"{path}:{end_line}: warning: the picture '{END}' has no licence" in result.output, (
        result.output
    )


def test_a_card_made_from_a_photo_turned_by_its_exif_tag_prints_it_upright(
    pictured: Callable[..., Path],
) -> None:
    path = pictured("image: images/turned.jpg")
    image = Image.new("RGB", (400, 200), "white")
    exif = image.getexif()
    exif[0x0112] = 6  # shown turned a quarter clockwise: 200 wide, 400 tall
    image.save(path.parent / "images" / "turned.jpg", exif=exif)
    card = render_card(_exercise(path), SETTINGS)
    [page] = PdfReader(io.BytesIO(card.pdf)).pages
    [picture] = page.images
    assert picture.image is not None and picture.image.size == (200, 400)


def test_beside_the_pictures_go_the_muscle_map_and_the_qr_code() -> None:
    import pdfplumber

    from tests.conftest import SHIPPED_SEED

    card = render_card(_exercise(SHIPPED_SEED), SETTINGS)
    with pdfplumber.open(io.BytesIO(card.pdf)) as pdf:
        page = pdf.pages[0]
        words = page.extract_words()
        pictures = page.images
    top = {w["text"]: w["top"] for w in reversed(words)}
    # The row is under the prescription box, and the title has the width above it.
    assert len(pictures) == 2
    assert top["sets"] < min(p["top"] for p in pictures) < top["Scan"] < top["SETUP"]
    assert top["Leverage"] == top["Curl"]  # the whole title on one line, on A4
    assert top["Start"] == top["End"] > max(p["bottom"] for p in pictures)  # the captions
