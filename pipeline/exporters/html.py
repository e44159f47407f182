"""The ``html`` exporter: a standalone page per exercise carrying the JSON-LD of what it shows,
and ``html/index.html`` listing them all.

The pages themselves, where they go and what they say, are built by :mod:`pipeline.pages`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from pipeline.exporters.base import ExportContext, Exporter
from pipeline.pages.entry import IndexEntry
from pipeline.pages.layout import (
    alternate_links,
    check_layout,
    page_path,
    page_templates,
    picture_paths,
    translation_urls,
)
from pipeline.registry import register
from pipeline.urls import index_url, page_url

# The JSON-LD and the markup are imported by the hooks that write them: a run with no page to
# rebuild only checks the settings and names the outputs.
if TYPE_CHECKING:
    from pipeline.model import Exercise


@register
class HtmlExporter(Exporter):
    """Writes a styled page per exercise with its JSON-LD, and an index of every exercise."""

    name = "html"
    help = (
        "html/<slug>/index.html and html/index.html: standalone pages with their JSON-LD, "
        "and the seed's pictures beside its page (html/<lang>/... in a language other than "
        "default_lang)"
    )
    version = "13"  # the sitemap and robots.txt; Open Graph and Twitter card tags
    settings_used = (
        "base_url",
        "url_pattern",
        "labels",
        "default_lang",
        "brand",
        "exercise_plan",
    )
    entry_type = IndexEntry
    links_translations = True

    def check_settings(self) -> None:
        """Refuse to start without an absolute ``base_url`` (the pages' JSON-LD needs it), or
        when the page URLs cannot be files in ``html/`` deployed at ``base_url``."""
        check_layout(self.settings)

    def output_templates(self) -> tuple[str, ...]:
        """Where the pages go (from ``url_pattern``), each language's index, the sitemap
        (in parts past 50,000 pages) and ``robots.txt``."""
        from pipeline.pages.sitemap import PART_FILE, ROBOTS_FILE, SITE_FOLDER, SITEMAP_FILE

        site = (SITEMAP_FILE, PART_FILE, ROBOTS_FILE)
        return (*page_templates(self.settings), *(f"{SITE_FOLDER}/{name}" for name in site))

    def external_key(self, seeds: Sequence[str]) -> str:
        """The commit each seed's repository is at: a commit, not an edit, can change a
        page's date in the sitemap."""
        from pipeline.gitdates import repository_heads

        return repository_heads(seeds)

    def export_exercise(self, exercise: Exercise, context: ExportContext) -> IndexEntry:
        """Write the page where its URL says (``html/<slug>/index.html`` by default), with
        the seed's local pictures beside it, and return what the index shows of the
        exercise."""
        from pipeline.jsonld import exercise_document, script_element
        from pipeline.pages.render import exercise_page
        from pipeline.pictures import picture_bytes

        settings = context.settings
        # Every picture is read before anything is written: one that changed since the
        # parse fails the seed's page without leaving half of it.
        copies = [
            (path, picture_bytes(picture))
            for picture, path in zip(
                exercise.images, picture_paths(exercise, settings), strict=True
            )
            if path is not None
        ]
        script = script_element(exercise_document(exercise, settings))
        head = alternate_links(exercise, settings) + script
        canonical = page_url(exercise, settings)
        catalogue_url = index_url(exercise.lang, settings)
        page = exercise_page(
            exercise,
            canonical,
            head,
            catalogue_url=catalogue_url,
            versions=translation_urls(exercise, settings),
            overrides=settings.labels,
            brand=settings.brand,
        )
        for path, data in copies:
            context.writer.write_bytes(path, data)
        context.writer.write_text(page_path(exercise, settings), page)
        return IndexEntry.of(exercise, settings)

    def export_all(self, entries: Sequence[IndexEntry], context: ExportContext) -> None:
        """Write an index per language, ``html/index.html`` for ``default_lang`` and
        ``html/<lang>/index.html`` for another, listing its exercises in slug order, in its
        language's words and linking to the other languages' indexes; then the sitemap of
        every page and ``robots.txt``."""
        from pipeline.pages.indexes import index_pages
        from pipeline.pages.sitemap import site_files

        for path, page in index_pages(entries, context.settings):
            context.writer.write_text(path, page)
        for path, text in site_files(entries, context.settings):
            context.writer.write_text(path, text)
