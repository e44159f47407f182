"""The ``sqlite`` exporter: ``catalogue.sqlite``, every exercise in one queryable file.

Each run that changes it writes a new file into a temp file beside the old one, built in
memory from every entry, or, when the engine vouches for the old file and only a few seeds
changed, the old one updated for those (the same bytes either way); it is checked
(``quick_check``, ``foreign_key_check``) and only then renamed over the old one: a reader
never sees half a catalogue, and a removed seed is simply not in the new one. Its schema,
rows and build are :mod:`pipeline.catalogue`'s.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from pipeline.catalogue.entries import CatalogueEntry
from pipeline.catalogue.schema import CATALOGUE_FILE, SCHEMA_VERSION
from pipeline.exporters.base import ExportContext, Exporter
from pipeline.path_templates import literal
from pipeline.registry import register

# The build is imported by the hooks that use it: a run with nothing to rebuild only names
# the file and its entry's type.
if TYPE_CHECKING:
    from pipeline.model import Exercise


@register
class SqliteExporter(Exporter):
    """Writes ``catalogue.sqlite``: exercises, their steps, tips and mistakes, lookup tables
    of muscles, equipment and categories, and a full-text index, for scripts and Datasette."""

    name = "sqlite"
    help = f"{CATALOGUE_FILE}: every exercise in one searchable SQLite database"
    # Bumped whenever an entry or the file's bytes would change: stored entries are then
    # made again and every catalogue rebuilt.
    version = f"{SCHEMA_VERSION}.0"
    # The pictures' addresses are where the html exporter publishes them.
    settings_used = ("base_url", "url_pattern", "default_lang")
    entry_type = CatalogueEntry
    updates_aggregate = True
    outputs = (literal(CATALOGUE_FILE),)

    def export_exercise(self, exercise: Exercise, context: ExportContext) -> CatalogueEntry:
        """The catalogue's view of one exercise (see :class:`CatalogueEntry`); no file."""
        from pipeline.catalogue.build import catalogue_entry

        return catalogue_entry(exercise, context.settings)

    def export_all(self, entries: Sequence[CatalogueEntry], context: ExportContext) -> None:
        """Build ``catalogue.sqlite`` from every exercise's entry, in slug order, and swap it
        in once it is checked."""
        from pipeline.catalogue.build import build_catalogue, remove_journals

        target = context.writer.target(CATALOGUE_FILE)
        previous = target if context.updatable and target.is_file() else None
        with context.writer.atomic_path(CATALOGUE_FILE) as temp:
            build_catalogue(temp, entries, previous, context.changes)
            # Before the swap: a journal a crashed writer left beside the old file would be
            # rolled into the new one the first time it is opened for writing.
            remove_journals(context.writer.target(CATALOGUE_FILE))
