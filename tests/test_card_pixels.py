"""Cards with and without a brand, compared as pictures with the reviewed renderings in
``tests/fixtures/card-png``: a layout that moves, a logo that is lost or a colour that changes
is seen, not guessed from the PDF's operators."""

from __future__ import annotations

import os
import shutil

import pytest
from PIL import Image, ImageChops

from tests.card_pixels import CARD_PNG, CASES, case_card, first_page_png

MOVED = 48
"""A pixel whose grey differs by more than this (of 255) has moved, not just been smoothed
differently by another poppler."""
MOST_MOVED = 0.004
"""At most this share of a card's pixels may have moved."""


@pytest.fixture(autouse=True)
def _poppler() -> None:
    if shutil.which("pdftoppm") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("pdftoppm must be installed in CI (.ci/run installs it)")
        pytest.skip("pdftoppm is not installed")


def _moved(fresh: Image.Image, golden: Image.Image) -> float:
    difference = ImageChops.difference(fresh.convert("L"), golden.convert("L"))
    histogram = difference.histogram()
    return sum(histogram[MOVED + 1 :]) / (fresh.width * fresh.height)


@pytest.mark.parametrize("name", list(CASES))
def test_the_card_looks_as_reviewed(name: str) -> None:
    fresh = first_page_png(case_card(name))
    with Image.open(CARD_PNG / f"{name}.png") as golden:
        assert fresh.size == golden.size
        assert _moved(fresh, golden) <= MOST_MOVED, f"{name}: compare with {CARD_PNG}/{name}.png"


def test_the_comparison_sees_a_brand_s_colour_and_logo() -> None:
    # What the test holds would be no test if the branded and plain cards passed for each
    # other: they differ in far more pixels than the tolerance.
    with (
        Image.open(CARD_PNG / "plain-a4.png") as plain,
        Image.open(CARD_PNG / "brand-a4.png") as branded,
    ):
        assert _moved(branded, plain) > 10 * MOST_MOVED


def test_the_brand_s_accent_is_on_the_card() -> None:
    branded = first_page_png(case_card("brand-a4"))
    colours = branded.getcolors(maxcolors=1 << 20) or []
    # The station's tab and the step numbers are the accent, #0b6e4f.
    accent = sum(int(count) for count, rgb in colours if _near(rgb, (0x0B, 0x6E, 0x4F)))
    assert accent > 200
    plain = first_page_png(case_card("plain-a4"))
    default = plain.getcolors(maxcolors=1 << 20) or []
    assert sum(int(count) for count, rgb in default if _near(rgb, (0x0B, 0x6E, 0x4F))) == 0


def _near(rgb: object, target: tuple[int, int, int]) -> bool:
    assert isinstance(rgb, tuple)
    return all(abs(int(a) - b) <= 6 for a, b in zip(rgb, target, strict=True))
