"""What an exporter is: a name, a help line, and hooks that write one format."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from pipeline import __version__
from pipeline.blobs import BlobStore
from pipeline.config import Settings
from pipeline.diagnostics import Diagnostic, Level
from pipeline.writer import OutputWriter

if TYPE_CHECKING:
    from pipeline.model import Exercise, Source


@dataclass
class ExportContext:
    """What an exporter writes through and reports to."""

    writer: OutputWriter
    settings: Settings
    diagnostics: list[Diagnostic] = field(default_factory=list)
    updatable: bool = False
    """For :meth:`Exporter.export_all`: True when the aggregate's files in the folder are the
    ones its last build wrote, whole, by this version of the exporter with these settings,
    from what the seeds whose bytes have not changed still give. It may then update them for
    the seeds that changed instead of building them again, if the bytes are the same."""

    changes: Sequence[tuple[Any, Any]] | None = None
    """For :meth:`Exporter.export_all` of an exporter that ``updates_aggregate``, when
    ``updatable``: each entry that differs from the
    one the aggregate's files were last built from, as ``(last, now)``; every other entry is
    the one they were built from, and no seed came or went. An exporter that updates its files
    for these alone need not read the others (the entries it is given are read when used).
    None when that is not known: the files must then be built from all the entries."""

    last_files: tuple[str, ...] = ()
    """For :meth:`Exporter.export_all`, when ``changes`` is given: the files the aggregate's
    last build wrote. An update keeps those it does not rewrite with
    :meth:`OutputWriter.keep`; a file neither written nor kept is removed as stale."""

    blobs: BlobStore | None = None
    """This exporter's store of blobs beside the build state (see :mod:`pipeline.blobs`):
    bytes an entry names by their key instead of carrying them (a card's picture), put by the
    per-seed hook and read by :meth:`Exporter.export_all`, which also prunes what no entry
    names any more. None in a run with no state (:func:`export_in_process`): the aggregate
    then makes such bytes again from what the entry names."""

    def warn(self, source: Source, message: str) -> None:
        """Report something a seed's author should fix; the output is still written."""
        self.diagnostics.append(Diagnostic(source.path, source.line, Level.WARNING, message))

    def note(self, source: Source, message: str) -> None:
        """Report a decision the exporter made that the author may want to know about."""
        self.diagnostics.append(Diagnostic(source.path, source.line, Level.NOTE, message))


class Exporter:
    """Base of every exporter. Subclasses set ``name`` and ``help`` and override the hooks they
    need; the engine calls them only with seeds that parsed without error.

    - :meth:`export_exercise`, the per-seed hook, writes the outputs of one exercise (a page,
      a card) and returns its *entry*: what :meth:`export_all` needs of it, of the type
      ``entry_type`` (an index line, a catalogue row, the card's drawing). It may run in a
      worker process, so it must depend only on the exercise and the settings. The engine
      keeps each entry between runs, as JSON of ``entry_type``, so an aggregate is rebuilt
      without parsing the seeds that did not change. The default writes nothing and returns
      the exercise itself; an exporter whose aggregate needs less returns less.
    - :meth:`export_all` writes outputs built from every entry (an index, a database).

    Outputs are rebuilt when their seed changes or when :meth:`fingerprint` does: it covers the
    pipeline version, ``version`` and the settings named in ``settings_used``.

    ``outputs`` declares every path the exporter writes, per seed and aggregate, as templates
    (``json/{slug}.json``; see :mod:`pipeline.path_templates`): the registry refuses two
    exporters that could write one file, and the writer refuses a path not declared. An
    exporter that declares nothing may write anything, and is only checked as it writes.
    """

    name: ClassVar[str] = ""
    help: ClassVar[str] = ""
    version: ClassVar[str] = "1"
    settings_used: ClassVar[tuple[str, ...]] = ()
    entry_type: ClassVar[Any] = None
    """The type of what :meth:`export_exercise` returns for :meth:`export_all`: a pydantic
    model, or a (named) tuple or dataclass of plain values (text, numbers, bytes). ``None``,
    the default, is the :class:`~pipeline.model.Exercise` model, which the default hook
    returns (imported only when an entry is made or read)."""
    outputs: ClassVar[tuple[str, ...]] = ()
    updates_aggregate: ClassVar[bool] = False
    """True when :meth:`export_all` updates its files from :attr:`ExportContext.changes`, the
    entries that changed, without reading the others (the catalogue, the booklet). The engine
    then works those changes out for it, and may build it in a process of its own while
    another aggregate is built (it reads so little that this costs little memory)."""
    links_translations: ClassVar[bool] = False
    """True when a seed's outputs name its other language versions (``hreflang`` links,
    ``workTranslation``): they are then rebuilt when those versions come, go or move."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @classmethod
    def has_aggregate(cls) -> bool:
        """True when the exporter builds outputs from all the seeds together."""
        return cls.export_all is not Exporter.export_all

    def external_key(self, seeds: Sequence[str]) -> str:
        """What the aggregate is made from besides its entries, as a key that changes when
        that does (the html exporter's sitemap dates pages by their seeds' commits, so its
        key is the commit each seed's repository is at); empty for nothing. Asked on every
        run, a no-op one too, so it must be quick: ``seeds`` are this run's seed files."""
        return ""

    def output_templates(self) -> tuple[str, ...]:
        """The templates of every path this exporter writes: ``outputs``, unless where they go
        depends on the settings."""
        return self.outputs

    def fingerprint(self) -> str:
        """A hash of everything besides the seed that decides this exporter's output bytes."""
        used = {name: getattr(self.settings, name) for name in self.settings_used}
        key = json.dumps([__version__, self.name, self.version, used], sort_keys=True, default=str)
        return hashlib.sha256(key.encode()).hexdigest()[:16]

    def check_settings(self) -> None:
        """Raise :class:`pipeline.diagnostics.PipelineError` when a setting this exporter needs
        is missing or wrong; called once before anything is written."""

    def prepare(self) -> None:
        """Load, once per process, what every call needs (fonts, templates). The engine calls
        it before it starts the workers, when this exporter has work, so forked workers share
        what it loaded instead of each loading it again."""

    def settings_warnings(self) -> list[tuple[str, str]]:
        """What this exporter would warn about its settings (a label of your own that the
        cards cannot print), once a run, as ``(setting, message)``: ``pipeline check`` and
        ``pipeline export`` report it at the place the setting is given. The default finds
        nothing."""
        return []

    def check_exercise(self, exercise: Exercise) -> list[tuple[Source, str]]:
        """What this exporter would warn a seed's author about, found without writing
        anything, as ``(where, message)``: ``pipeline check`` reports it, and
        :meth:`export_exercise` reports the same itself (the cards' glyph check). It must be
        cheap, and depend only on the exercise and the settings. The default finds nothing."""
        return []

    def export_exercise(self, exercise: Exercise, context: ExportContext) -> Any:
        """Write this exporter's outputs for one exercise; return its entry for
        :meth:`export_all` (ignored when the exporter has no aggregate)."""
        return exercise

    def export_all(self, entries: Sequence[Any], context: ExportContext) -> None:
        """Write outputs built from the entries of every valid seed, given in slug order."""


def export_in_process(
    exporter: Exporter, exercises: Sequence[Exercise], context: ExportContext
) -> None:
    """Run ``exporter`` over ``exercises`` (in slug order) in this process, as the engine does:
    each per-seed hook, its entry through JSON and back, then the aggregate. For scripts,
    tests and benchmarks that want one format without a build folder's state."""
    from pipeline.entries import codec_for

    codec = codec_for(exporter.entry_type)
    entries = [codec.encode(exporter.export_exercise(e, context)) for e in exercises]
    if exporter.has_aggregate():
        exporter.export_all(codec.decode_all(entries), context)
