"""Printable wall cards: one PDF card per exercise, and a booklet of them all.

Each name is imported from its module on first use: ``pipeline check`` runs the glyph check
(:mod:`pipeline.cards.glyphs`), which needs reportlab's font files but not its page layout,
a fifth of a second to load.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipeline.cards.booklet import (
        CardArtefact,
        PlainArtefact,
        SubsetRef,
        assemble_booklet,
        write_booklet,
    )
    from pipeline.cards.fonts import prepare_fonts
    from pipeline.cards.glyphs import glyph_warnings
    from pipeline.cards.render import CardResult, booklet_order, render_booklet, render_card

_MODULES = {  # where each name of __all__ is defined (a test holds the two equal)
    "CardArtefact": "booklet",
    "CardResult": "render",
    "PlainArtefact": "booklet",
    "SubsetRef": "booklet",
    "assemble_booklet": "booklet",
    "booklet_order": "render",
    "glyph_warnings": "glyphs",
    "prepare_fonts": "fonts",
    "render_booklet": "render",
    "render_card": "render",
    "write_booklet": "booklet",
}

__all__ = [
    "CardArtefact",
    "CardResult",
    "PlainArtefact",
    "SubsetRef",
    "assemble_booklet",
    "booklet_order",
    "glyph_warnings",
    "prepare_fonts",
    "render_booklet",
    "render_card",
    "write_booklet",
]


def __getattr__(name: str) -> object:
    """The package's names, each imported from its module when first asked for."""
    if name in _MODULES:
        return getattr(importlib.import_module(f"pipeline.cards.{_MODULES[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
