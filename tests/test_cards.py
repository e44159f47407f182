"""Wall cards: what a gym prints and pins beside the machine, read back as a user would."""

from __future__ import annotations

import io
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pdfplumber
import pytest
from pypdf import PdfReader
from pypdf.generic import DictionaryObject, IndirectObject
from reportlab.lib.units import mm
from reportlab.pdfbase.ttfonts import TTFont
from typer.testing import CliRunner

from pipeline.cards import PlainArtefact, render_booklet, render_card
from pipeline.cards.fonts import CardFont, card_fonts
from pipeline.cards.layout import MARK_GAP, MARK_LENGTH
from pipeline.cards.story import heading_text
from pipeline.cli import app
from pipeline.config import Settings
from pipeline.diagnostics import Level
from pipeline.engine import export
from pipeline.entries import codec_for
from pipeline.exporters.base import ExportContext
from pipeline.exporters.cards import CardsExporter
from pipeline.i18n.labels import labels_for
from pipeline.model import Exercise
from pipeline.state import STATE_FILE, state_folder
from pipeline.writer import OutputWriter
from tests.complexity import tangled
from tests.conftest import exercise_of, line_of

WriteSeed = Callable[[str, str | bytes], Path]
MM = 72 / 25.4

HOWTO = "\n<!-- howto -->\n\n### Do It\nDo the exercise with control.\n"

HOSTILE = (
    "---\n"
    'title: "<b>Bold</b> & Co"\n'
    'description: "Uses <font size=90>huge</font> & </para> literally."\n'
    "---\n\n"
    "## Setup\n"
    "1. **Label <b>x</b>**: Text with <font size=90>BIG</font> and </para> & more.\n\n"
    "## Execution\n"
    "1. Press & hold <br/> then **really** *carefully* release.\n" + HOWTO
)

GREEK_CYRILLIC = (
    "---\n"
    'title: "Жим ногами · Πρέσα ποδιών"\n'
    'video: "dQw4w9WgXcQ"\n'
    'description: "Базовое упражнение. Η πρέσα ποδιών δυναμώνει τους τετρακέφαλους."\n'  # noqa: RUF001
    "muscles: [квадрицепсы, τετρακέφαλοι]\n"
    "level: beginner\n"
    "lang: ru\n"
    "---\n\n"
    "## Setup\n1. **Сиденье**: Отрегулируйте спинку.\n\n"
    "## Execution\n1. **Жим**: Выжмите платформу. Ρυθμίστε το κάθισμα.\n" + HOWTO
)


def _long_seed() -> str:
    words = ["press", "hold", "lower", "squeeze", "brace", "exhale", "inhale", "control"]

    def sentence(count: int, offset: int) -> str:
        return " ".join(words[(i * 3 + offset) % len(words)] for i in range(count)).capitalize()

    lines = [
        "---",
        'title: "Long Card"',
        'description: "A seed with far more text than a card can hold at any legible size."',
        "---",
        "",
        "## Setup",
    ]
    lines += [f"{i + 1}. **Step {i + 1}**: {sentence(40, i)} setupmark{i}." for i in range(8)]
    lines += ["", "## Execution"]
    lines += [f"{i + 1}. **Move {i + 1}**: {sentence(45, i)} execmark{i}." for i in range(14)]
    lines += ["", "## Tips"]
    lines += [f"- **Tip {i + 1}**: {sentence(30, i)} tipmark{i}." for i in range(6)]
    lines += ["", "## Common Mistakes"]
    lines += [f"- {sentence(25, i)} mistakemark{i}." for i in range(6)]
    return "\n".join(lines) + "\n" + HOWTO


@pytest.fixture
def shipped(seeds_dir: Path) -> Exercise:
    """The shipped seed, parsed."""
    return exercise_of(seeds_dir / "leverage-machine-lying-leg-curl.md")


@pytest.fixture
def bare(shipped: Exercise) -> Exercise:
    """The shipped seed without its prescription and its muscle map: on an A5 page the box
    and the map take the lines that keep the shipped card on one page at A5's floor."""
    return shipped.model_copy(update={"prescription": None, "muscles": (), "secondary_muscles": ()})


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def _assert_in_order(text: str, parts: list[str]) -> None:
    """Every word of every part appears, in order; page furniture may come between."""
    words = text.split()
    position = 0
    for part in parts:
        for word in part.split():
            try:
                position = words.index(word, position) + 1
            except ValueError:
                raise AssertionError(f"{word!r} of {part!r} missing or out of order") from None


def _collect_fonts(resources: Any, fonts: dict[int, DictionaryObject]) -> None:
    """Fonts of a resource dictionary and of the form XObjects it names (the booklet places
    each card page as a form), by object."""
    resources = resources.get_object() if resources is not None else None
    if not resources:
        return
    font_dict: Any = resources.get("/Font")
    for ref in font_dict.get_object().values() if font_dict else ():
        key = ref.idnum if isinstance(ref, IndirectObject) else id(ref)
        fonts[key] = ref.get_object()
    xobjects: Any = resources.get("/XObject")
    for ref in xobjects.get_object().values() if xobjects else ():
        xobject = ref.get_object()
        if xobject.get("/Subtype") == "/Form":
            _collect_fonts(xobject.get("/Resources"), fonts)


def _fonts(pdf: bytes) -> list[DictionaryObject]:
    reader = PdfReader(io.BytesIO(pdf))
    fonts: dict[int, DictionaryObject] = {}
    for page in reader.pages:
        _collect_fonts(page.get("/Resources"), fonts)
    return list(fonts.values())


def _font_programs(pdf: bytes) -> set[int]:
    programs = set()
    for font in _fonts(pdf):
        descriptor = font.get("/FontDescriptor")
        if descriptor is not None and "/FontFile2" in descriptor.get_object():
            programs.add(descriptor.get_object().raw_get("/FontFile2").idnum)
    return programs


def _catalog(pdf: bytes) -> Any:
    return PdfReader(io.BytesIO(pdf)).trailer["/Root"].get_object()


def _assert_fonts_embedded(pdf: bytes) -> None:
    fonts = _fonts(pdf)
    assert fonts
    for font in fonts:
        name = str(font.get("/BaseFont"))
        assert "Helvetica" not in name
        descriptor: Any = font["/FontDescriptor"].get_object()
        assert "/FontFile2" in descriptor, f"{name} is not embedded"


def test_shipped_card_has_everything_in_reading_order_on_one_page(shipped: Exercise) -> None:
    card = render_card(shipped, Settings())
    assert card.warnings == []
    assert len(PdfReader(io.BytesIO(card.pdf)).pages) == 1
    parts = [shipped.title, shipped.description]
    for section in shipped.sections:
        for item in section.items:
            parts += [f"{item.label}:" if item.label else "", item.text]
    parts += [shipped.outro_text, shipped.slug]
    _assert_in_order(_text(card.pdf), [p for p in parts if p])


@pytest.mark.parametrize(("box", "smallest"), [(False, 13.5), (True, 13.0)])
def test_shipped_card_body_text_stays_well_above_the_floor_on_a4(
    shipped: Exercise, box: bool, smallest: float
) -> None:
    # The prescription box takes two lines of the page, and the row of pictures, muscle map
    # and QR code a little more than the QR code and the map took beside the title: the
    # text gives up a point and a quarter for all of them (14.25 pt without any), still
    # well above the 12 pt floor.
    assert shipped.prescription is not None
    exercise = shipped if box else shipped.model_copy(update={"prescription": None})
    card = render_card(exercise, Settings(page_size="a4"))
    with pdfplumber.open(io.BytesIO(card.pdf)) as pdf:
        words = pdf.pages[0].extract_words(extra_attrs=["size", "fontname"])
    top = next(w["top"] for w in words if w["text"] == "SETUP")
    bottom = next(w["top"] for w in words if w["text"] == "By")  # the closing note
    body = [
        w
        for w in words
        if top < w["top"] < bottom and not w["text"].isupper() and not w["text"].isdigit()
    ]
    assert len(body) > 100
    assert round(min(w["size"] for w in body), 3) >= smallest
    body_words = " ".join(w["text"] for w in body)
    for item in (*shipped.setup, *shipped.execution, *shipped.tips, *shipped.mistakes):
        assert item.text.split()[-1] in body_words


def test_every_font_is_embedded_and_none_is_helvetica(shipped: Exercise) -> None:
    for settings in (
        Settings(),
        Settings(page_size="a5"),
        Settings(layout="2up"),
        Settings(bleed_mm=3),
    ):
        _assert_fonts_embedded(render_card(shipped, settings).pdf)
        _assert_fonts_embedded(render_booklet([shipped], settings))


def test_booklet_shares_one_embedded_font_program_per_face(
    shipped: Exercise, write_seed: WriteSeed, shipped_text: str
) -> None:
    others = [exercise_of(write_seed(f"copy-{n}.md", shipped_text)) for n in range(4)]
    single = _font_programs(render_card(shipped, Settings()).pdf)
    booklet = render_booklet([shipped, *others], Settings())
    assert len(PdfReader(io.BytesIO(booklet)).pages) == 5
    assert len(_font_programs(booklet)) == len(single)


def _decode_qr(pdf: Path, tmp_path: Path) -> str | None:
    tools = [shutil.which("pdftoppm"), shutil.which("zbarimg")]
    if not all(tools):
        if os.environ.get("CI") == "true":
            pytest.fail("pdftoppm and zbarimg must be installed in CI (.ci/run installs them)")
        pytest.skip("pdftoppm or zbarimg is not installed")
    prefix = tmp_path / "render"
    subprocess.run(["pdftoppm", "-png", "-r", "150", str(pdf), str(prefix)], check=True)
    image = sorted(tmp_path.glob("render*.png"))[0]
    found = subprocess.run(
        ["zbarimg", "--raw", "-q", str(image)], capture_output=True, text=True, check=False
    )
    return found.stdout.strip() or None


def test_qr_code_decodes_to_the_video_url(shipped: Exercise, tmp_path: Path) -> None:
    path = tmp_path / "card.pdf"
    path.write_bytes(render_card(shipped, Settings()).pdf)
    assert _decode_qr(path, tmp_path) == shipped.video_short_url == "https://youtu.be/vl5nUdE9mWM"
    assert "youtu.be/vl5nUdE9mWM" in _text(path.read_bytes())


def test_qr_code_is_one_path_not_a_shape_per_module(shipped: Exercise) -> None:
    reader = PdfReader(io.BytesIO(render_card(shipped, Settings()).pdf))
    content = reader.pages[0].get_contents()
    assert content is not None
    stream = content.get_data().decode("latin-1")
    # Every module run is a rectangle of one path, filled once.
    assert stream.count(" re") > 100
    # The filled rectangles are the panels' slices (tips, mistakes, the prescription box),
    # never one a module.
    assert stream.count(" re f") + stream.count(" re\nf") <= 14


def test_a_seed_without_video_has_no_qr_and_no_empty_box(
    write_seed: WriteSeed, shipped_text: str
) -> None:
    seed = write_seed("no-video.md", shipped_text.replace('video: "vl5nUdE9mWM"\n', ""))
    card = render_card(exercise_of(seed), Settings())
    text = _text(card.pdf)
    assert "youtu.be" not in text
    assert "Scan for the video" not in text
    content = PdfReader(io.BytesIO(card.pdf)).pages[0].get_contents()
    assert content is not None
    # The panels' slices only (tips, mistakes, the prescription box): no QR code's modules.
    assert content.get_data().decode("latin-1").count(" re") < 14
    with pdfplumber.open(io.BytesIO(card.pdf)) as pdf:
        page = pdf.pages[0]
        setup = next(w for w in page.extract_words() if w["text"] == "SETUP")
        header = [c for c in page.chars if c["bottom"] < setup["top"]]
    # No QR column: the description runs on into the space the code would have taken.
    assert max(c["x1"] for c in header) > page.width - 40 * MM


def test_two_builds_are_byte_identical(seeds_dir: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "one", tmp_path / "two"
    export([seeds_dir], first, Settings(), ["pdf"])
    # A second process, with another hash seed, must not change a byte either.
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pipeline",
            "export",
            str(seeds_dir),
            "-o",
            str(second),
            "-f",
            "pdf",
        ],
        check=False,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    for name in ("cards/leverage-machine-lying-leg-curl.pdf", "cards.pdf"):
        assert (first / name).read_bytes() == (second / name).read_bytes()


def test_hostile_seed_text_prints_literally(write_seed: WriteSeed) -> None:
    card = render_card(exercise_of(write_seed("hostile.md", HOSTILE)), Settings())
    text = _text(card.pdf)
    for literal in (
        "<b>Bold</b> & Co",
        "<font size=90>huge</font> & </para> literally.",
        "Label <b>x</b>:",
        "<font size=90>BIG</font> and </para> & more.",
        "Press & hold <br/> then really carefully release.",
    ):
        assert literal in text
    with pdfplumber.open(io.BytesIO(card.pdf)) as pdf:
        # The title of a short card is 42 pt (2.1 times the 20 pt ceiling); never the 90.
        assert max(c["size"] for c in pdf.pages[0].chars) < 45


def test_seed_emphasis_is_kept_as_bold_and_italic(write_seed: WriteSeed) -> None:
    card = render_card(exercise_of(write_seed("hostile.md", HOSTILE)), Settings())
    with pdfplumber.open(io.BytesIO(card.pdf)) as pdf:
        words = pdf.pages[0].extract_words(extra_attrs=["fontname"])
    fonts = {w["text"]: w["fontname"] for w in words}
    assert fonts["really"].endswith("DejaVuSans-Bold")
    assert fonts["carefully"].endswith("DejaVuSans-Oblique")
    assert fonts["release."].endswith("DejaVuSans")


def test_long_seed_flows_onto_a_second_page_with_a_warning_and_loses_no_word(
    write_seed: WriteSeed, tmp_path: Path
) -> None:
    seed = write_seed("long-card.md", _long_seed())
    report = export([seed], tmp_path / "out", Settings(), ["pdf"])
    warnings = [d for d in report.diagnostics if d.level is Level.WARNING]
    assert len(warnings) == 1
    assert warnings[0].path == seed.as_posix()
    assert "long-card" in warnings[0].message and "page" in warnings[0].message
    pdf = (tmp_path / "out" / "cards" / "long-card.pdf").read_bytes()
    assert len(PdfReader(io.BytesIO(pdf)).pages) >= 2
    exercise = exercise_of(seed)
    parts = [exercise.title, exercise.description]
    for section in exercise.sections:
        for item in section.items:
            parts += [f"{item.label}:" if item.label else "", item.text]
    _assert_in_order(_text(pdf), [p for p in parts if p])
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        words = [w for p in document.pages for w in p.extract_words(extra_attrs=["size"])]
    # "exhale" is in every step, tip and mistake, and nowhere else.
    sizes = [w["size"] for w in words if w["text"].casefold().startswith("exhale")]
    assert len(sizes) > 20
    assert round(min(sizes), 2) >= 12


def test_long_words_wrap_inside_the_safe_margin(write_seed: WriteSeed) -> None:
    word = "Supercalifragilistic" * 8
    seed = write_seed("long-word.md", _long_seed().replace("Step 1**: ", f"Step 1**: {word} "))
    card = render_card(exercise_of(seed), Settings())
    assert word in _text(card.pdf).replace(" ", "")
    with pdfplumber.open(io.BytesIO(card.pdf)) as pdf:
        for page in pdf.pages:
            for char in page.chars:
                assert char["x0"] >= 10 * MM and char["x1"] <= page.width - 10 * MM
                assert char["top"] >= 10 * MM and char["bottom"] <= page.height - 10 * MM


def test_greek_and_cyrillic_print_with_the_embedded_font(write_seed: WriteSeed) -> None:
    card = render_card(exercise_of(write_seed("leg-press.md", GREEK_CYRILLIC)), Settings())
    assert card.warnings == []
    text = _text(card.pdf)
    for phrase in ("Жим ногами · Πρέσα ποδιών", "τετρακέφαλοι", "Выжмите платформу.", "Начальный"):
        assert phrase in text
    assert _catalog(card.pdf)["/Lang"] == "ru"


def test_a_character_the_font_lacks_is_a_warning_at_its_line(
    write_seed: WriteSeed, tmp_path: Path
) -> None:
    # More in tests/test_glyphs.py.
    text = GREEK_CYRILLIC.replace("спинку.", "спинку 🏋.")
    seed = write_seed("emoji.md", text)
    report = export([seed], tmp_path / "out", Settings(), ["pdf"])
    warnings = [d for d in report.diagnostics if d.level is Level.WARNING]
    assert len(warnings) == 1
    assert (warnings[0].path, warnings[0].line) == (seed.as_posix(), line_of(text, "1. **Сид"))
    assert "'🏋' (U+1F3CB WEIGHT LIFTER)" in warnings[0].message


def test_metadata_names_the_card(shipped: Exercise) -> None:
    reader = PdfReader(io.BytesIO(render_card(shipped, Settings()).pdf))
    meta = reader.metadata
    assert meta is not None
    assert meta.title == shipped.title
    assert meta.subject == shipped.description
    assert meta.author and meta.creator
    assert _catalog(render_card(shipped, Settings()).pdf)["/Lang"] == "en"


@pytest.mark.parametrize(
    ("page_size", "width_mm", "height_mm"),
    [("a4", 210, 297), ("a5", 148, 210), ("letter", 215.9, 279.4)],
)
def test_page_sizes(shipped: Exercise, page_size: str, width_mm: float, height_mm: float) -> None:
    settings = Settings.model_validate({"page_size": page_size})
    reader = PdfReader(io.BytesIO(render_card(shipped, settings).pdf))
    box = reader.pages[0].mediabox
    # On A5 the prescription box takes the lines that kept the shipped card on one page at
    # A5's 10 pt floor: with it, the card continues on a second page (at 14 pt) instead.
    assert len(reader.pages) == (2 if page_size == "a5" else 1)
    if page_size == "a5":
        bare = shipped.model_copy(
            update={"prescription": None, "muscles": (), "secondary_muscles": ()}
        )
        assert len(PdfReader(io.BytesIO(render_card(bare, settings).pdf)).pages) == 1
    assert float(box.width) == pytest.approx(width_mm * MM, abs=0.5)
    assert float(box.height) == pytest.approx(height_mm * MM, abs=0.5)


def test_2up_puts_two_a5_cards_on_a_landscape_a4_sheet_with_a_cut_guide(
    bare: Exercise, write_seed: WriteSeed, shipped_text: str
) -> None:
    other = exercise_of(write_seed("another.md", shipped_text.replace("Isolate", "Train")))
    other = other.model_copy(update={"prescription": None, "muscles": (), "secondary_muscles": ()})
    booklet = render_booklet([bare, other], Settings(layout="2up"))
    reader = PdfReader(io.BytesIO(booklet))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert float(box.width) == pytest.approx(297 * MM, abs=0.5)
    assert float(box.height) == pytest.approx(210 * MM, abs=0.5)
    with pdfplumber.open(io.BytesIO(booklet)) as pdf:
        page = pdf.pages[0]
        left = page.crop((0, 0, page.width / 2, page.height)).extract_text()
        right = page.crop((page.width / 2, 0, page.width, page.height)).extract_text()
        guides = [line for line in page.lines if abs(line["x0"] - page.width / 2) < 0.5]
    assert "Another" in left and "Train" in left  # by title: Another before Leverage
    assert "leverage-machine-lying-leg-curl" in right
    assert guides and guides[0]["height"] > page.height * 0.9


def test_bleed_sets_trim_and_bleed_boxes_and_draws_crop_marks(shipped: Exercise) -> None:
    pdf = render_card(shipped, Settings(bleed_mm=3))
    page = PdfReader(io.BytesIO(pdf.pdf)).pages[0]
    trim, bleed, media = page.trimbox, page.bleedbox, page.mediabox
    assert float(trim.width) == pytest.approx(210 * MM, abs=0.01)
    assert float(trim.height) == pytest.approx(297 * MM, abs=0.01)
    assert float(bleed.left) == pytest.approx(float(trim.left) - 3 * MM, abs=0.01)
    assert float(bleed.top) == pytest.approx(float(trim.top) + 3 * MM, abs=0.01)
    assert float(media.left) < float(bleed.left) and float(media.top) > float(bleed.top)
    with pdfplumber.open(io.BytesIO(pdf.pdf)) as document:
        lines = document.pages[0].lines
    # Two marks at each of the four corners, all outside the bleed.
    left, right = float(bleed.left), float(bleed.right)
    bottom, top = float(bleed.bottom), float(bleed.top)
    marks = [
        line
        for line in lines
        if line["x1"] <= left or line["x0"] >= right or line["y1"] <= bottom or line["y0"] >= top
    ]
    assert len(marks) == 8


def test_without_bleed_the_page_is_the_card(shipped: Exercise) -> None:
    page = PdfReader(io.BytesIO(render_card(shipped, Settings()).pdf)).pages[0]
    assert page.trimbox == page.mediabox == page.bleedbox


def test_export_writes_each_card_and_the_booklet_ordered_by_title(
    runner: CliRunner, seeds_dir: Path, write_seed: WriteSeed, shipped_text: str, tmp_path: Path
) -> None:
    text = shipped_text.replace("---\nvideo", '---\ntitle: "Abdominal Crunch"\nvideo', 1)
    write_seed("zz-crunch.md", text)
    out = tmp_path / "out"
    result = runner.invoke(app, ["export", str(tmp_path / "seeds"), "-o", str(out), "-f", "pdf"])
    assert result.exit_code == 0, result.output
    assert (out / "cards" / "leverage-machine-lying-leg-curl.pdf").is_file()
    assert (out / "cards" / "zz-crunch.pdf").is_file()
    pages = PdfReader(out / "cards.pdf").pages
    assert len(pages) == 2
    assert (pages[0].extract_text() or "").startswith("Abdominal Crunch")
    assert "Leverage Machine" in (pages[1].extract_text() or "")


def test_2up_with_a5_is_refused_with_a_clean_message(
    runner: CliRunner, seeds_dir: Path, tmp_path: Path
) -> None:
    result = runner.invoke(
        app,
        [
            "export",
            str(seeds_dir),
            "-o",
            str(tmp_path / "out"),
            "--page-size",
            "a5",
            "--layout=2up",
        ],
    )
    assert result.exit_code == 2
    assert "2up" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out" / "cards.pdf").exists()


def test_card_text_is_never_clipped_by_the_safe_margin(shipped: Exercise) -> None:
    for settings in (Settings(), Settings(page_size="a5"), Settings(page_size="letter")):
        pdf = render_card(shipped, settings).pdf
        with pdfplumber.open(io.BytesIO(pdf)) as document:
            page = document.pages[0]
            xs = [c["x1"] for c in page.chars]
            assert min(c["x0"] for c in page.chars) >= 10 * MM
            assert max(xs) <= page.width - 10 * MM
            assert re.search(r"leverage-machine-lying-leg-curl", page.extract_text())


def test_cached_font_subsets_are_the_bytes_reportlab_itself_writes(
    shipped: Exercise, write_seed: WriteSeed, monkeypatch: pytest.MonkeyPatch
) -> None:
    greek = exercise_of(write_seed("leg-press.md", GREEK_CYRILLIC))
    cached = [render_card(e, Settings()).pdf for e in (shipped, greek, shipped)]
    monkeypatch.setattr(CardFont, "addObjects", TTFont.addObjects)
    plain = [render_card(e, Settings()).pdf for e in (shipped, greek, shipped)]
    assert cached == plain


def test_changing_the_page_settings_rebuilds_the_cards(seeds_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    export([seeds_dir], out, Settings(), ["pdf"])
    export([seeds_dir], out, Settings(layout="2up"), ["pdf"])
    for name in ("cards.pdf", "cards/leverage-machine-lying-leg-curl.pdf"):
        box = PdfReader(out / name).pages[0].mediabox
        assert float(box.width) > float(box.height), name


def test_an_absurdly_long_title_flows_on_and_nothing_is_clipped(write_seed: WriteSeed) -> None:
    title = " ".join(["Curl"] * 600)
    seed = write_seed(
        "huge.md",
        f'---\ntitle: "{title}"\nvideo: "vl5nUdE9mWM"\ndescription: "{"desc " * 300}"\n---\n\n'
        f"## Execution\n1. {'x' * 3000}\n" + HOWTO,
    )
    card = render_card(exercise_of(seed), Settings())
    assert card.pages > 1 and card.warnings
    with pdfplumber.open(io.BytesIO(card.pdf)) as pdf:
        for page in pdf.pages:
            for char in page.chars:
                assert char["x0"] >= 10 * MM and char["x1"] <= page.width - 10 * MM
                assert char["top"] >= 10 * MM and char["bottom"] <= page.height - 10 * MM
        text = " ".join(page.extract_text() for page in pdf.pages)
    assert text.count("Curl") >= 600
    assert text.count("desc") == 300
    assert text.replace(" ", "").replace("\n", "").count("x") == 3000


# -- the booklet, assembled from the cards the workers rendered ---------------------------------

RUSSIAN = (
    "---\n"
    'title: "Тяга верхнего блока"\n'
    'description: "Упражнение для широчайших мышц спины."\n'
    "lang: ru\n"
    "---\n\n"
    "## Setup\n1. **Сиденье**: Зафиксируйте бёдра под валиками.\n\n"
    "## Execution\n1. **Тяга**: Опустите рукоять к груди, сводя лопатки.\n" + HOWTO
)


def _catalogue(seeds_dir: Path, write_seed: WriteSeed, shipped_text: str) -> Path:
    """The shipped seed and cards that exercise the booklet: markup-like text, two scripts,
    a card over two pages, and a title that sorts first."""
    write_seed("hostile.md", HOSTILE)
    write_seed("leg-press.md", GREEK_CYRILLIC)
    write_seed("lat-pulldown.md", RUSSIAN)
    write_seed("long.md", _long_seed())
    write_seed(
        "zz-crunch.md",
        shipped_text.replace("---\nvideo", '---\ntitle: "Abdominal Crunch"\nvideo', 1),
    )
    return seeds_dir


def _title_order(folder: Path) -> list[Path]:
    """The card PDFs in ``folder`` in the order the booklet must show them: by title, then
    slug."""
    cards = []
    for path in sorted(folder.glob("*.pdf")):
        meta = PdfReader(path).metadata
        assert meta is not None and meta.title
        cards.append((meta.title.casefold(), meta.title, path.stem, path))
    return [card[-1] for card in sorted(cards)]


def _page_fonts(page: Any) -> set[tuple[str, tuple[float, ...], bytes]]:
    """Each font a page uses, as what a reader sees of it: its name without the subset tag,
    its widths and its embedded program."""
    fonts: dict[int, DictionaryObject] = {}
    _collect_fonts(page.get("/Resources"), fonts)
    found = set()
    for font in fonts.values():
        descriptor: Any = font["/FontDescriptor"].get_object()
        program = descriptor["/FontFile2"].get_object().get_data()
        name = str(font["/BaseFont"]).split("+", 1)[1]
        widths: Any = font["/Widths"]
        found.add((name, tuple(float(w) for w in widths), program))
    return found


def test_booklet_shows_what_the_card_pdfs_show_in_title_order(
    seeds_dir: Path, write_seed: WriteSeed, shipped_text: str, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    export([_catalogue(seeds_dir, write_seed, shipped_text)], out, Settings(), ["pdf"], jobs=1)
    # One booklet per language: the English cards in cards.pdf, the Russian in cards.ru.pdf.
    for folder, booklet_name, count in (
        (out / "cards", "cards.pdf", 6),
        (out / "cards/ru", "cards.ru.pdf", 2),
    ):
        card_pages = [page for path in _title_order(folder) for page in PdfReader(path).pages]
        booklet = PdfReader(out / booklet_name).pages
        assert len(card_pages) == len(booklet) == count  # the long card takes three pages
        for card, sheet in zip(card_pages, booklet, strict=True):
            assert " ".join(sheet.extract_text().split()) == " ".join(card.extract_text().split())
            assert _page_fonts(sheet) == _page_fonts(card)
    english = PdfReader(out / "cards.pdf").pages
    assert " ".join(english[0].extract_text().split()).startswith("<b>Bold</b> & Co")
    russian = PdfReader(out / "cards.ru.pdf").pages
    assert " ".join(russian[0].extract_text().split()).startswith("Жим ногами")
    assert " ".join(russian[-1].extract_text().split()).startswith("Тяга верхнего блока")


def _render_pngs(pdf: Path, prefix: Path) -> list[bytes]:
    if shutil.which("pdftoppm") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("pdftoppm must be installed in CI (.ci/run installs it)")
        pytest.skip("pdftoppm is not installed")
    subprocess.run(["pdftoppm", "-png", "-r", "40", str(pdf), str(prefix)], check=True)
    images = sorted(prefix.parent.glob(prefix.name + "-*.png"))
    data = [image.read_bytes() for image in images]
    for image in images:
        image.unlink()
    return data


@pytest.mark.parametrize("bleed", [0.0, 3.0])
def test_booklet_pages_look_exactly_like_the_card_pdfs(
    seeds_dir: Path, write_seed: WriteSeed, shipped_text: str, tmp_path: Path, bleed: float
) -> None:
    out = tmp_path / "out"
    seeds = _catalogue(seeds_dir, write_seed, shipped_text)
    export([seeds], out, Settings(bleed_mm=bleed), ["pdf"], jobs=1)
    for folder, booklet in ((out / "cards", "cards.pdf"), (out / "cards/ru", "cards.ru.pdf")):
        pngs = [png for path in _title_order(folder) for png in _render_pngs(path, tmp_path / "c")]
        assert _render_pngs(out / booklet, tmp_path / "b") == pngs


def test_each_font_subset_is_embedded_once_and_shared_by_cards_in_one_script(
    seeds_dir: Path, write_seed: WriteSeed, shipped_text: str, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    export([_catalogue(seeds_dir, write_seed, shipped_text)], out, Settings(), ["pdf"])
    booklet = (out / "cards.pdf").read_bytes()
    reader = PdfReader(out / "cards.pdf")
    programs = [font[2] for page in reader.pages for font in _page_fonts(page)]
    # One embedded program object per distinct subset, whatever the number of cards using it.
    assert booklet.count(b"/FontFile2 ") == len(set(programs)) == len(_font_programs(booklet))
    # The English cards cut the same subsets (the long one uses no italic).
    english = [_page_fonts(page) for page in reader.pages[:5]]
    assert english[0] == english[1] == english[2] >= english[3] | english[4]
    # So do two cards in Cyrillic, with different words: the booklet embeds one set for both.
    first = exercise_of(write_seed("lat-pulldown.md", RUSSIAN))
    other = exercise_of(write_seed("row.md", RUSSIAN.replace("верхнего блока", "к поясу")))
    pair = render_booklet([first, other], Settings())
    assert len(_font_programs(pair)) == len(_font_programs(render_card(other, Settings()).pdf))


def test_jobs_1_and_jobs_2_give_a_byte_identical_booklet(
    seeds_dir: Path, write_seed: WriteSeed, shipped_text: str, tmp_path: Path
) -> None:
    seeds = _catalogue(seeds_dir, write_seed, shipped_text)
    export([seeds], tmp_path / "one", Settings(), ["pdf"], jobs=1)
    export([seeds], tmp_path / "two", Settings(), ["pdf"], jobs=2)
    exercises = [exercise_of(path) for path in sorted(seeds.glob("*.md"))]
    for booklet, lang in (("cards.pdf", "en"), ("cards.ru.pdf", "ru")):
        first = (tmp_path / "one" / booklet).read_bytes()
        assert first == (tmp_path / "two" / booklet).read_bytes()
        assert first == render_booklet([e for e in exercises if e.lang == lang], Settings())


@pytest.mark.parametrize("entries_lost", [False, True])
def test_a_one_seed_change_gives_the_booklet_a_clean_export_gives(
    seeds_dir: Path, write_seed: WriteSeed, shipped_text: str, tmp_path: Path, entries_lost: bool
) -> None:
    seeds = _catalogue(seeds_dir, write_seed, shipped_text)
    out = tmp_path / "out"
    export([seeds], out, Settings(), ["pdf"], jobs=2)
    if entries_lost:
        # The cards are current but their stored entries are gone: each is made again.
        with sqlite3.connect(state_folder(out) / STATE_FILE) as db:
            db.execute("DELETE FROM entries WHERE exporter = 'pdf'")
    write_seed("hostile.md", HOSTILE.replace("Bold</b> & Co", "Bold</b> & Sons"))
    report = export([seeds], out, Settings(), ["pdf"], jobs=2)
    assert report.parsed == (6 if entries_lost else 1)
    assert set(report.written) == {"cards/hostile.pdf", "cards.pdf"}
    export([seeds], tmp_path / "clean", Settings(), ["pdf"], jobs=1)
    assert (out / "cards.pdf").read_bytes() == (tmp_path / "clean" / "cards.pdf").read_bytes()
    assert "& Sons" in _text((out / "cards.pdf").read_bytes())


def test_2up_and_bleed_booklets_keep_their_boxes_cut_guides_and_crop_marks(
    seeds_dir: Path, write_seed: WriteSeed, shipped_text: str, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    seeds = _catalogue(seeds_dir, write_seed, shipped_text)
    export([seeds], out, Settings(layout="2up", bleed_mm=3), ["pdf"])
    card: Any = PdfReader(out / "cards" / "leverage-machine-lying-leg-curl.pdf").pages[0]
    booklet = PdfReader(out / "cards.pdf")
    # Ten English card pages (the long card takes five, the shipped card and its copy two
    # each at A5 with their prescription), two a sheet; the Russian cards are in cards.ru.pdf.
    assert len(booklet.pages) == 5
    sheet: Any
    for sheet in booklet.pages:
        for box in ("/MediaBox", "/TrimBox", "/BleedBox"):
            assert [float(v) for v in sheet[box]] == [float(v) for v in card[box]]
    with pdfplumber.open(out / "cards" / "leverage-machine-lying-leg-curl.pdf") as single:
        expected = sorted((round(ln["x0"], 2), round(ln["top"], 2)) for ln in single.pages[0].lines)
    with pdfplumber.open(out / "cards.pdf") as document:
        for page in document.pages:
            guide = [ln for ln in page.lines if abs(ln["x0"] - page.width / 2) < 0.5]
            assert any(ln["height"] > page.height * 0.8 for ln in guide)
            bleed_box: Any = booklet.pages[page.page_number - 1]["/BleedBox"]
            bleed = [float(v) for v in bleed_box]
            marks = [
                (round(ln["x0"], 2), round(ln["top"], 2))
                for ln in page.lines
                if ln["x1"] <= bleed[0] or ln["x0"] >= bleed[2]
                or ln["bottom"] >= page.height - bleed[1] or ln["top"] <= page.height - bleed[3]
            ]  # fmt: skip
            assert len(marks) == 10  # two at each corner, and one above and below the cut
            assert sorted(marks) == [m for m in expected if m in marks] == sorted(set(marks))


def test_booklet_passes_qpdf_check(
    seeds_dir: Path, write_seed: WriteSeed, shipped_text: str, tmp_path: Path
) -> None:
    if shutil.which("qpdf") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("qpdf must be installed in CI (.ci/run installs it)")
        pytest.skip("qpdf is not installed")
    seeds = _catalogue(seeds_dir, write_seed, shipped_text)
    for name, settings in {"1up": Settings(), "2up": Settings(layout="2up", bleed_mm=3)}.items():
        export([seeds], tmp_path / name, settings, ["pdf"])
        check = subprocess.run(
            ["qpdf", "--check", str(tmp_path / name / "cards.pdf")],
            capture_output=True,
            text=True,
            check=False,
        )
        assert check.returncode == 0, check.stdout + check.stderr


def test_the_entry_is_small_plain_data_made_from_the_one_rendering(
    shipped: Exercise, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import pipeline.cards

    renders = []
    real = pipeline.cards.render_card

    def counting(exercise: Exercise, settings: Settings) -> Any:
        renders.append(exercise.slug)
        return real(exercise, settings)

    monkeypatch.setattr(pipeline.cards, "render_card", counting)
    context = ExportContext(writer=OutputWriter(tmp_path), settings=Settings())
    entry = CardsExporter(Settings()).export_exercise(shipped, context)
    assert renders == [shipped.slug]
    assert entry == real(shipped, Settings()).artefact.plain()
    codec = codec_for(CardsExporter.entry_type)
    assert codec.decode(codec.encode(entry)) == entry
    # A few kilobytes: the two pictures are named, not carried (a photo is 75 or 86 KiB).
    pictures = entry[5]
    assert [name for name, *_ in pictures] == sorted(name for name, *_ in pictures)
    assert {Path(file).name for _, _, file, _ in pictures} == {
        "lying-leg-curl-start.jpg",
        "lying-leg-curl-end.jpg",
    }
    assert len(codec.encode(entry)) < 10_000
    assert CardsExporter.entry_type == PlainArtefact


def test_booklet_metadata_names_the_print_run(shipped: Exercise, write_seed: WriteSeed) -> None:
    greek = exercise_of(write_seed("leg-press.md", GREEK_CYRILLIC))
    english = PdfReader(io.BytesIO(render_booklet([shipped], Settings())))
    assert english.metadata is not None
    assert english.metadata.title == "Exercise wall cards"
    assert english.metadata.subject == "1 exercise wall card"
    assert english.metadata.author == english.metadata.creator == "exercise-pipeline"
    assert _catalog(render_booklet([shipped], Settings()))["/Lang"] == "en"
    mixed = render_booklet([shipped, greek], Settings())
    assert _catalog(mixed)["/Lang"] == "mul"
    assert PdfReader(io.BytesIO(mixed)).metadata.subject == "2 exercise wall cards"  # type: ignore[union-attr]
    # No card at all (every seed failed): still a PDF a reader opens, with one blank sheet.
    assert len(PdfReader(io.BytesIO(render_booklet([], Settings()))).pages) == 1


# -- type sizes: a floor and a ceiling per page size --------------------------------------------

CARD_FIXTURES = Path(__file__).parent / "fixtures" / "cards"
PAGES = {
    "a4": (Settings(), "A4", 12.0, 20.0),
    "letter": (Settings(page_size="letter"), "Letter", 12.0, 20.0),
    "a5": (Settings(page_size="a5"), "A5", 10.0, 14.0),
    "2up": (Settings(layout="2up"), "A5", 10.0, 14.0),
    "a4-bleed": (Settings(bleed_mm=3), "A4", 12.0, 20.0),
    "2up-bleed": (Settings(layout="2up", bleed_mm=3), "A5", 10.0, 14.0),
}
"""Each page setting, the page size its warnings name, and its body floor and ceiling."""
LANGS = ["en", "de", "ru"]


def _fixture_card(name: str) -> Exercise:
    return exercise_of(CARD_FIXTURES / f"{name}.md")


def _body_size(page: Any) -> float:
    """The size most of a page's characters are set in: the steps' and tips' text."""
    sizes: dict[float, int] = {}
    for char in page.chars:
        if not char["text"].isspace():
            size = round(char["size"], 2)
            sizes[size] = sizes.get(size, 0) + 1
    return max(sizes, key=lambda size: sizes[size])


def _heading_sizes(page: Any, exercise: Exercise) -> list[float]:
    """The sizes the page's section headings are printed in."""
    labels = labels_for(exercise.lang)
    bold = card_fonts().bold
    names = {word for s in exercise.sections for word in heading_text(s, labels, bold).split()}
    words = page.extract_words(extra_attrs=["size"])
    return [w["size"] for w in words if w["text"] in names]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("page", list(PAGES))
def test_a_long_card_keeps_its_body_text_at_the_page_floor_and_flows_on_with_a_warning(
    lang: str, page: str
) -> None:
    settings, name, floor, ceiling = PAGES[page]
    exercise = _fixture_card(f"long-{lang}")
    card = render_card(exercise, settings)
    with pdfplumber.open(io.BytesIO(card.pdf)) as pdf:
        bodies = [_body_size(sheet) for sheet in pdf.pages]
        headings = [size for sheet in pdf.pages for size in _heading_sizes(sheet, exercise)]
    assert floor <= min(bodies) and max(bodies) <= ceiling
    assert card.pages == 2
    assert len(card.warnings) == 1
    match = re.fullmatch(
        rf"card for 'long-{lang}' would need ([\d.]+) pt body text to fit one {name}\b.*"
        rf" page, below the {floor:g} pt that reads from two metres; it continues on 1 more"
        rf" page at {card.body_size:g} pt",
        card.warnings[0],
    )
    assert match, card.warnings[0]
    assert float(match[1]) < floor
    assert len(headings) >= 4 and min(headings) > max(bodies)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("page", list(PAGES))
def test_a_short_card_grows_its_type_to_the_ceiling_and_leaves_no_blank_half_page(
    lang: str, page: str
) -> None:
    settings, _, _, ceiling = PAGES[page]
    exercise = _fixture_card(f"short-{lang}")
    card = render_card(exercise, settings)
    assert card.warnings == [] and card.pages == 1
    with pdfplumber.open(io.BytesIO(card.pdf)) as pdf:
        sheet = pdf.pages[0]
        body = _body_size(sheet)
        headings = _heading_sizes(sheet, exercise)
        content = [c for c in sheet.chars if c["size"] > 7 and c["x0"] < sheet.width / 2]
        footer = max(ln["top"] for ln in sheet.lines if ln["width"] > sheet.width / 3)
        slug = settings.bleed_mm * mm + MARK_GAP + MARK_LENGTH if settings.bleed_mm else 0.0
    assert body == ceiling
    assert headings and min(headings) > body
    above = min(c["top"] for c in content) - slug
    below = footer - max(c["bottom"] for c in content)
    # The room a short card leaves is shared out, not all left at the foot of the page.
    assert below < 2.5 * above


@pytest.mark.parametrize("page", list(PAGES))
def test_the_shipped_card_fits_one_page_above_the_floor_with_headings_above_the_body(
    shipped: Exercise, bare: Exercise, page: str
) -> None:
    settings, name, floor, ceiling = PAGES[page]
    if name == "A5":
        # With its prescription, the shipped card continues on a second A5 page (and says
        # so); without it, it fits one.
        boxed = render_card(shipped, settings)
        assert boxed.pages == 2 and "would need" in boxed.warnings[0]
        shipped = bare
    card = render_card(shipped, settings)
    assert card.warnings == [] and card.pages == 1
    with pdfplumber.open(io.BytesIO(card.pdf)) as pdf:
        body = _body_size(pdf.pages[0])
        headings = _heading_sizes(pdf.pages[0], shipped)
    assert floor <= body <= ceiling
    assert len(headings) >= 4 and min(headings) > body


def test_the_export_warns_where_a_card_flows_on_naming_the_page_and_the_size_it_needed(
    runner: CliRunner, write_seed: WriteSeed, tmp_path: Path
) -> None:
    seed = write_seed("long-en.md", (CARD_FIXTURES / "long-en.md").read_text("utf-8"))
    result = runner.invoke(
        app, ["export", str(seed), "-o", str(tmp_path / "out"), "-f", "pdf", "--page-size", "a5"]
    )
    assert result.exit_code == 0, result.output
    assert re.search(
        rf"{re.escape(seed.as_posix())}:1: warning: card for 'long-en' would need [\d.]+ pt "
        r"body text to fit one A5 page, below the 10 pt",
        result.output,
    ), result.output
    assert len(PdfReader(tmp_path / "out" / "cards" / "long-en.pdf").pages) == 2
    assert (tmp_path / "out" / "cards.pdf").exists()


def test_long_and_short_cards_render_byte_identically_twice() -> None:
    for name in ("long-de", "short-ru"):
        for settings in (Settings(), Settings(layout="2up", bleed_mm=3)):
            first = render_card(_fixture_card(name), settings)
            second = render_card(_fixture_card(name), settings)
            assert first.pdf == second.pdf
            assert first.artefact == second.artefact


# -- reportlab internals the cards rely on (docs/cards.md, "Upgrading reportlab") -------------


@pytest.mark.parametrize("settings", [Settings(), Settings(layout="2up", bleed_mm=3)])
def test_the_digest_pages_are_the_operators_reportlab_wrote_into_the_card(
    write_seed: WriteSeed, settings: Settings
) -> None:
    """The booklet copies each card page from ``canvas._code``, reportlab's private list of the
    page's operators: they must be the very bytes of the card PDF's page, in order."""
    import zlib

    for exercise in (_fixture_card("long-de"), exercise_of(write_seed("x.md", GREEK_CYRILLIC))):
        card = render_card(exercise, settings)
        contents = [page.get_contents() for page in PdfReader(io.BytesIO(card.pdf)).pages]
        written = b"".join(content.get_data() for content in contents if content is not None)
        position = 0
        for operators in map(zlib.decompress, card.artefact.pages):
            position = written.index(operators, position) + len(operators)


def test_the_booklet_dates_are_the_ones_reportlab_writes_into_the_cards(shipped: Exercise) -> None:
    """The booklet writes reportlab's invariant-mode date itself (``INVARIANT_DATE``)."""
    from pipeline.cards.booklet import INVARIANT_DATE

    card = PdfReader(io.BytesIO(render_card(shipped, Settings()).pdf)).metadata
    booklet = PdfReader(io.BytesIO(render_booklet([shipped], Settings()))).metadata
    assert card is not None and booklet is not None
    for key in ("/CreationDate", "/ModDate"):
        assert str(card[key]) == str(booklet[key]) == INVARIANT_DATE


def test_reportlab_runs_with_its_c_accelerators() -> None:
    """Without ``rl-accel``, or with one this reportlab cannot load, reportlab falls back to
    pure Python without a word and the cards render about 30% slower."""
    from reportlab.lib import rl_accel
    from reportlab.lib.rl_accel import fp_str

    assert rl_accel._py_funcs == {}
    assert set(rl_accel._c_funcs) == set(rl_accel.__all__)
    assert fp_str.__module__ == "_rl_accel"


def test_no_part_of_the_card_renderer_is_too_tangled_to_read_at_once() -> None:
    assert tangled("cards") == []
