"""The ``html`` exporter: a standalone page per exercise carrying the JSON-LD of what it shows,
and ``html/index.html`` listing them all.

The pages themselves, where they go and what they say, are built by :mod:`pipeline.pages`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from pipeline.exporters.base import ExportContext, Exporter
from pipeline.pages.entry import IndexEntry
from pipeline.pages.layout import INDEX_PATH, check_layout, page_path, page_template
from pipeline.path_templates import literal
from pipeline.registry import register
from pipeline.urls import check_base_url, page_url

# The JSON-LD and the markup are imported by the hooks that write them: a run with no page to
# rebuild only checks the settings and names the outputs.
if TYPE_CHECKING:
    from pipeline.model import Exercise


@register
class HtmlExporter(Exporter):
    """Writes a styled page per exercise with its JSON-LD, and an index of every exercise."""

    name = "html"
    help = "html/<slug>/index.html and html/index.html: standalone pages with their JSON-LD"
    version = "3"
    # default_lang: the language of the index page, an aggregate of every language's pages.
    settings_used = ("base_url", "url_pattern", "labels", "default_lang")
    entry_type = IndexEntry

    def check_settings(self) -> None:
        """Refuse to start without an absolute ``base_url`` (the pages' JSON-LD needs it), or
        when the page URLs cannot be files in ``html/`` deployed at ``base_url``."""
        check_layout(self.settings)

    def output_templates(self) -> tuple[str, ...]:
        """Where the pages go (from ``url_pattern``), and the index."""
        return (page_template(self.settings), literal(INDEX_PATH))

    def export_exercise(self, exercise: Exercise, context: ExportContext) -> IndexEntry:
        """Write the page where its URL says (``html/<slug>/index.html`` by default), and
        return what the index shows of the exercise."""
        from pipeline.jsonld import exercise_document, script_element
        from pipeline.pages.render import exercise_page

        settings = context.settings
        script = script_element(exercise_document(exercise, settings))
        canonical = page_url(exercise, settings)
        page = exercise_page(
            exercise,
            canonical,
            script,
            catalogue_url=check_base_url(settings),
            overrides=settings.labels,
        )
        context.writer.write_text(page_path(exercise, settings), page)
        return IndexEntry.of(exercise, settings)

    def export_all(self, entries: Sequence[IndexEntry], context: ExportContext) -> None:
        """Write ``html/index.html``, listing the exercises in slug order, in the words of
        the default_lang setting."""
        from pipeline.jsonld import catalogue_document, script_element
        from pipeline.pages.render import index_page

        settings = context.settings
        lang = settings.default_lang
        base_url = check_base_url(settings)
        pages = [(entry.title, entry.url) for entry in entries]
        script = script_element(catalogue_document(pages, settings, lang=lang))
        page = index_page(entries, base_url, script, lang=lang, overrides=settings.labels)
        context.writer.write_text(INDEX_PATH, page)
