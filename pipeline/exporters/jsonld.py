"""The ``jsonld`` exporter: ``jsonld/<slug>.jsonld`` and ``jsonld/<slug>.snippet.html``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pipeline.exporters.base import ExportContext, Exporter
from pipeline.registry import register
from pipeline.urls import check_base_url, lang_folder

# The documents are imported by the hook that writes them: a run with no seed to export only
# checks the settings.
if TYPE_CHECKING:
    from pipeline.model import Exercise


@register
class JsonLdExporter(Exporter):
    """Writes each exercise's schema.org JSON-LD, and the script element to paste into a CMS."""

    name = "jsonld"
    help = (
        "jsonld/<slug>.jsonld and jsonld/<slug>.snippet.html: schema.org HowTo JSON-LD "
        "(under jsonld/<lang>/ in a language other than default_lang)"
    )
    version = "7"  # supply, totalTime, ExercisePlan; the video's key moments (Clip)
    settings_used = ("base_url", "url_pattern", "labels", "default_lang", "exercise_plan")
    outputs = (
        "jsonld/{slug}.jsonld",
        "jsonld/{slug}.snippet.html",
        "jsonld/{lang}/{slug}.jsonld",
        "jsonld/{lang}/{slug}.snippet.html",
    )
    links_translations = True

    def check_settings(self) -> None:
        """Refuse to start without an absolute ``base_url``: every ``@id`` is built on it."""
        check_base_url(self.settings)

    def export_exercise(self, exercise: Exercise, context: ExportContext) -> None:
        """Write the document and its snippet; note when the VideoObject had to be left out."""
        from pipeline.jsonld import dumps_script_safe, exercise_document, wrap_script

        text = dumps_script_safe(exercise_document(exercise, context.settings))
        stem = f"jsonld/{lang_folder(exercise.lang, context.settings)}{exercise.slug}"
        context.writer.write_text(f"{stem}.jsonld", text + "\n")
        context.writer.write_text(f"{stem}.snippet.html", wrap_script(text) + "\n")
        note_missing_upload_date(exercise, context)


def note_missing_upload_date(exercise: Exercise, context: ExportContext) -> None:
    """Say why a seed's video has no VideoObject: Google requires its upload date."""
    if exercise.video_id and exercise.video_uploaded is None:
        context.note(
            exercise.source,
            "no VideoObject in the JSON-LD: Google requires the video's upload date; "
            "add 'video_uploaded: YYYY-MM-DD' to the frontmatter",
        )
