"""QR codes drawn as one filled vector path: a few hundred run rectangles in one ``f``
operator, instead of a shape per module."""

from __future__ import annotations

import functools

import segno
from reportlab.pdfgen.canvas import Canvas

QUIET_ZONE = 4
"""Modules of white margin a scanner needs around the code (ISO/IEC 18004)."""


@functools.lru_cache(maxsize=256)
def qr_runs(data: str) -> tuple[int, tuple[tuple[int, int, int], ...]]:
    """The symbol's size in modules and its dark runs as ``(row, first column, length)``,
    row 0 at the top. Byte mode with error level M: sturdy enough for a printed card that
    gets scuffed, small enough to stay a low version."""
    code = segno.make_qr(data, error="m", boost_error=False)
    matrix = code.matrix
    runs: list[tuple[int, int, int]] = []
    for row, line in enumerate(matrix):
        start = -1
        for col, dark in enumerate((*line, 0)):
            if dark and start < 0:
                start = col
            elif not dark and start >= 0:
                runs.append((row, start, col - start))
                start = -1
    return len(matrix), tuple(runs)


@functools.lru_cache(maxsize=256)
def _qr_path(data: str) -> str:
    """PDF path operators for the dark runs in module units (y up), filled once."""
    modules, runs = qr_runs(data)
    rects = " ".join(f"{col} {modules - row - 1} {length} 1 re" for row, col, length in runs)
    return f"{rects} f"


def draw_qr(canvas: Canvas, data: str, x: float, y: float, size: float) -> None:
    """Draw the QR code for ``data`` with its lower-left corner at ``(x, y)``, ``size`` points
    wide, not counting the quiet zone the caller leaves white around it.

    The runs are written in whole module units under one scaling transform: one path, one
    fill, and small integers instead of hundreds of formatted coordinates."""
    modules, _ = qr_runs(data)
    canvas.saveState()
    canvas.translate(x, y)
    canvas.scale(size / modules, size / modules)
    canvas.addLiteral(_qr_path(data))
    canvas.restoreState()
