"""The cards whose renderings are kept as reviewed PNGs (``tests/fixtures/card-png``), and
how they are rendered: shared by the pixel tests and ``python -m tests.golden``."""

from __future__ import annotations

import io
import subprocess
import tempfile
from pathlib import Path

from PIL import Image

from pipeline.brand import BrandSettings
from pipeline.cards import render_card
from pipeline.config import Settings
from pipeline.model import Exercise
from pipeline.parser import parse_seed

FIXTURES = Path(__file__).parent / "fixtures"
CARD_PNG = FIXTURES / "card-png"
SHIPPED = Path(__file__).parent.parent / "seeds" / "leverage-machine-lying-leg-curl.md"
DPI = 50

_SVG_BRAND = {
    "name": "Iron Temple Gym",
    "logo": str(FIXTURES / "brand" / "logo.svg"),
    "accent": "#0b6e4f",
    "footer": "Ironstreet 4 \u00b7 open 6\u201323",
}
_PNG_BRAND = {
    "name": "Studio Violet",
    "logo": str(FIXTURES / "brand" / "logo.png"),
    "accent": "#7c1fa2",
}

CASES: dict[str, tuple[Settings, str | None]] = {
    "plain-a4": (Settings(), None),
    "brand-a4": (Settings(brand=BrandSettings(**_SVG_BRAND)), "12"),
    "brand-letter-png": (Settings(page_size="letter", brand=BrandSettings(**_PNG_BRAND)), "B4"),
    "brand-2up-bleed": (
        Settings(layout="2up", bleed_mm=3, brand=BrandSettings(**_SVG_BRAND)),
        "12",
    ),
}
"""Each kept rendering: its settings, and the station the shipped seed is given."""


def case_card(name: str) -> bytes:
    """The PDF of the card ``name`` of :data:`CASES`."""
    settings, station = CASES[name]
    result = parse_seed(SHIPPED)
    assert result.exercise is not None
    exercise: Exercise = result.exercise.model_copy(update={"station": station})
    return render_card(exercise, settings).pdf


def first_page_png(pdf: bytes) -> Image.Image:
    """The first page of ``pdf`` as poppler renders it at :data:`DPI`, in RGB."""
    with tempfile.TemporaryDirectory() as work:
        source = Path(work) / "card.pdf"
        source.write_bytes(pdf)
        subprocess.run(
            ["pdftoppm", "-png", "-r", str(DPI), "-f", "1", "-l", "1", str(source), f"{work}/p"],
            check=True,
        )
        (page,) = Path(work).glob("p*.png")
        with Image.open(io.BytesIO(page.read_bytes())) as image:
            return image.convert("RGB")


def write_goldens() -> None:
    """Render every case and keep it as its reviewed PNG."""
    CARD_PNG.mkdir(exist_ok=True)
    for name in CASES:
        first_page_png(case_card(name)).save(CARD_PNG / f"{name}.png", optimize=True)
        print(f"wrote {CARD_PNG / name}.png")
