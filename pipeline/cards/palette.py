"""The card's colours: dark ink on white for reading at a distance, one blue accent for the
steps, green for tips and red for mistakes, each with a light tint that any printer lays down
evenly."""

from __future__ import annotations

from reportlab.lib.colors import HexColor

from pipeline.model import Difficulty

INK = HexColor("#1b1f24")
MUTED = HexColor("#4a5561")
ACCENT = HexColor("#1d5fa6")
ACCENT_TINT = HexColor("#e6eef8")
RULE = HexColor("#c3ccd6")
TIP = HexColor("#2b7a34")
TIP_TINT = HexColor("#ecf5ed")
MISTAKE = HexColor("#c0392b")
MISTAKE_TINT = HexColor("#fbeeec")
NEUTRAL_TINT = HexColor("#eceff2")
PAPER = HexColor("#ffffff")
LEVEL_COLORS = {
    Difficulty.BEGINNER: HexColor("#2b7a34"),
    Difficulty.INTERMEDIATE: HexColor("#a35c00"),
    Difficulty.EXPERT: HexColor("#b3261e"),
}
BODY = HexColor("#d5dbe1")
"""The muscle map's body outline: a light neutral, so the shaded muscles stand out."""
ACCENT_LIGHT = HexColor("#8eafd2")
"""The muscle map's secondary muscles: the accent half-way to white."""
