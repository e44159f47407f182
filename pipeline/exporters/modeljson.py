"""The ``json`` exporter: the normalised model of each exercise, ``json/<slug>.json``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pipeline.exporters.base import ExportContext, Exporter
from pipeline.registry import register
from pipeline.urls import lang_folder

if TYPE_CHECKING:
    from pipeline.model import Exercise


@register
class ModelJsonExporter(Exporter):
    """Writes each exercise's parsed model as indented JSON, for scripts and debugging."""

    name = "json"
    help = (
        "json/<slug>.json: the parsed model of each seed "
        "(json/<lang>/<slug>.json in a language other than default_lang)"
    )
    version = "9"  # supplies, the total time; the video's duration and the steps' times
    settings_used = ("default_lang",)
    outputs = ("json/{slug}.json", "json/{lang}/{slug}.json")

    def export_exercise(self, exercise: Exercise, context: ExportContext) -> None:
        """Write ``json/<slug>.json`` (``json/<lang>/<slug>.json`` in another language)."""
        folder = lang_folder(exercise.lang, context.settings)
        context.writer.write_text(
            f"json/{folder}{exercise.slug}.json", exercise.model_dump_json(indent=2) + "\n"
        )
