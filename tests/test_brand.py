"""A gym's own brand: the [tool.pipeline.brand] table, its accent colour's contrast, its
logo, and the cards and pages that show them."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from pipeline.brand import check_accent, contrast, parse_colour
from pipeline.cli import app
from tests.conftest import SHIPPED_SEED, copy_pictures

BRAND = Path(__file__).parent / "fixtures" / "brand"
SITE = "https://example.org/"


@pytest.mark.parametrize(
    ("first", "second", "ratio"),
    [("#000000", "#ffffff", 21.0), ("#ffffff", "#ffffff", 1.0), ("#777777", "#ffffff", 4.48)],
)
def test_contrast_is_wcag_s(first: str, second: str, ratio: float) -> None:
    assert contrast(parse_colour(first), parse_colour(second)) == pytest.approx(ratio, abs=0.01)


@pytest.mark.parametrize("written", ["#1d5fa6", "1d5fa6", "#1D5FA6", " #1d5fa6 "])
def test_an_accent_is_read_as_people_write_it(written: str) -> None:
    assert check_accent(written) == "#1d5fa6"


@pytest.mark.parametrize(
    ("accent", "message"),
    [
        ("#e8511f", "'#e8511f' has a contrast of 3.73:1 with the cards' white, below the 4.5:1"),
        ("#ffcc00", "'#ffcc00' has a contrast of 1.51:1"),
        ("#0a0", "'#0a0' has a contrast of 3.11:1"),
        ("orange", "'orange' is not a colour: write it as #rrggbb"),
    ],
)
def test_an_accent_text_cannot_be_read_on_is_an_error_naming_its_ratio(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, accent: str, message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pipeline.toml").write_text(f'[brand]\naccent = "{accent}"\n', "utf-8")
    result = runner.invoke(app, ["export", str(SHIPPED_SEED), "-o", "out"])
    assert result.exit_code == 2, result.output
    assert f"error: pipeline.toml: brand.accent: {message}" in result.output
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.svg", None, "brand.logo: cannot be read"),
        ("logo.gif", b"GIF89a", "brand.logo: not an SVG, PNG or JPEG file"),
        ("broken.svg", b"<svg xmlns='http://www.w3.org/2000/svg'><g></svg>",
         "brand.logo: not well-formed SVG at line 1"),
        ("html.svg", b"<html><body/></html>", "brand.logo: not an SVG: its root element is <html>"),
        ("empty.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>",
         "brand.logo: an SVG with no size"),
        ("text.png", b"not a png at all", "brand.logo: not a readable image"),
        ("words.svg", b"<svg xmlns='http://www.w3.org/2000/svg' width='90' height='20'>"
         b"<text x='0' y='15'>Iron Gym</text></svg>",
         "brand.logo: an SVG with text in it: convert the text to paths"),
    ],
)  # fmt: skip
def test_a_logo_that_cannot_be_drawn_is_an_error_before_anything_is_written(
    runner: CliRunner,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    content: bytes | None,
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    if content is not None:
        (tmp_path / name).write_bytes(content)
    (tmp_path / "pipeline.toml").write_text(
        f'base_url = "{SITE}"\n[brand]\nlogo = "{name}"\n', "utf-8"
    )
    result = runner.invoke(app, ["export", str(SHIPPED_SEED), "-o", "out"])
    assert result.exit_code == 2, result.output
    assert f"error: {name}: {message}" in result.output, result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_a_decompression_bomb_is_not_a_logo(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    Image.new("1", (2000, 2000)).save(tmp_path / "bomb.png")
    (tmp_path / "pipeline.toml").write_text(
        f'base_url = "{SITE}"\n[brand]\nlogo = "bomb.png"\n', "utf-8"
    )
    result = runner.invoke(app, ["export", str(SHIPPED_SEED), "-o", "out"])
    assert result.exit_code == 2, result.output
    assert "bomb.png: brand.logo: too many pixels to be an image" in result.output


def test_an_unknown_brand_key_is_named_with_the_keys_there_are(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pipeline.toml").write_text('[brand]\nnmae = "Iron"\n', "utf-8")
    result = runner.invoke(app, ["export", str(SHIPPED_SEED), "-o", "out"])
    assert result.exit_code == 2, result.output
    assert "brand.nmae: not a setting; did you mean 'name'? (the settings: name, logo" in (
        result.output
    )


def _branded(tmp_path: Path, logo: str = "logo.svg") -> Path:
    (tmp_path / "pipeline.toml").write_text(
        f'base_url = "{SITE}"\n[brand]\nname = "Iron Temple Gym"\nlogo = "{BRAND / logo}"\n'
        'accent = "#0b6e4f"\nfooter = "Ironstreet 4, open 6-23"\n',
        "utf-8",
    )
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    text = SHIPPED_SEED.read_text("utf-8").replace("sets: 3", "station: B4\nsets: 3", 1)
    (seeds / SHIPPED_SEED.name).write_text(text, "utf-8")
    copy_pictures(seeds)
    return seeds


@pytest.mark.parametrize("logo", ["logo.svg", "logo.png"])
def test_the_card_the_booklet_and_the_page_show_the_brand(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, logo: str
) -> None:
    import pdfplumber

    monkeypatch.chdir(tmp_path)
    seeds = _branded(tmp_path, logo)
    result = runner.invoke(app, ["export", str(seeds), "-o", "out"])
    assert result.exit_code == 0, result.output
    for pdf in ("out/cards/leverage-machine-lying-leg-curl.pdf", "out/cards.pdf"):
        with pdfplumber.open(tmp_path / pdf) as document:
            page = document.pages[0]
            text = " ".join((page.extract_text() or "").split())
            # The PNG logo is an image in the page's own content, so the booklet has it too.
            assert logo.endswith(".svg") or page.images, pdf
        assert text.startswith("Iron Temple Gym B4 Leverage Machine Lying Leg Curl"), text
        assert text.endswith("Ironstreet 4, open 6-23"), text
    html = (tmp_path / "out/html/leverage-machine-lying-leg-curl/index.html").read_text("utf-8")
    assert '<p class="brand">Iron Temple Gym</p>' in html
    assert ":root { --accent: #0b6e4f; --accent-ink: #0b6e4f; }" in html
    assert "<dt>Station</dt><dd>B4</dd>" in html
    index = (tmp_path / "out/html/index.html").read_text("utf-8")
    assert '<p class="brand">Iron Temple Gym</p>' in index


def test_a_new_logo_under_the_same_name_rebuilds_the_cards_only(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    logo = tmp_path / "logo.svg"
    logo.write_bytes((BRAND / "logo.svg").read_bytes())
    seeds = _branded(tmp_path)
    toml = (tmp_path / "pipeline.toml").read_text("utf-8")
    (tmp_path / "pipeline.toml").write_text(toml.replace(str(BRAND / "logo.svg"), "logo.svg"))
    assert runner.invoke(app, ["export", str(seeds), "-o", "out"]).exit_code == 0
    card = tmp_path / "out/cards/leverage-machine-lying-leg-curl.pdf"
    before = card.read_bytes()
    page = (tmp_path / "out/html/leverage-machine-lying-leg-curl/index.html").stat().st_mtime_ns
    logo.write_text(logo.read_text("utf-8").replace("#0b6e4f", "#7c1fa2"), "utf-8")
    assert runner.invoke(app, ["export", str(seeds), "-o", "out"]).exit_code == 0
    assert card.read_bytes() != before
    assert (
        tmp_path / "out/html/leverage-machine-lying-leg-curl/index.html"
    ).stat().st_mtime_ns == page


@pytest.mark.parametrize("station", ["'12345678'", "'A B'", "-4"])
def test_a_station_that_is_not_a_short_code_is_an_error_at_its_line(
    tmp_path: Path, station: str
) -> None:
    from pipeline.parser import parse_seed

    seed = tmp_path / "x.md"
    text = SHIPPED_SEED.read_text("utf-8").replace("sets: 3", f"station: {station}\nsets: 3", 1)
    seed.write_text(text, "utf-8")
    copy_pictures(tmp_path)
    result = parse_seed(seed)
    assert result.exercise is None
    (error,) = [d for d in result.diagnostics if d.level.value == "error"]
    assert error.line == 10 and "station" in error.message and "e.g. station: 12" in error.message
