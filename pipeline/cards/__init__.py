"""Printable wall cards: one PDF card per exercise, and a booklet of them all."""

from __future__ import annotations

from pipeline.cards.booklet import CardArtefact, PlainArtefact, SubsetRef, assemble_booklet
from pipeline.cards.fonts import prepare_fonts
from pipeline.cards.render import CardResult, booklet_order, render_booklet, render_card

__all__ = [
    "CardArtefact",
    "CardResult",
    "PlainArtefact",
    "SubsetRef",
    "assemble_booklet",
    "booklet_order",
    "prepare_fonts",
    "render_booklet",
    "render_card",
]
