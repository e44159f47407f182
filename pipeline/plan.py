"""The decisions of an export, apart from doing them: from what the last run recorded and what
the seed files are now, which seeds to parse, which exporters to run for each, which aggregates
to rebuild, and which files are stale. Nothing here reads or writes a file, so each decision is
tested on its own, without processes.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.diagnostics import Diagnostic, Level
from pipeline.discover import SeedFile
from pipeline.i18n import matches_language
from pipeline.inputs import InputFile
from pipeline.state import AggregateRecord, CachedEntry, SeedRecord, State
from pipeline.translations import Addresses, Sibling, Version, key_of, set_problems


@dataclass(slots=True)
class SeedState:
    """A seed after the whole-set checks: usable or not, its slug, what was said about it,
    and whether it is a draft."""

    ok: bool
    slug: str | None
    diagnostics: list[Diagnostic]
    draft: bool = False
    lang: str = ""
    translation_of: str | None = None
    translation_line: int = 1
    inputs: tuple[InputFile, ...] = ()
    """The files besides the seed that its parse read (see :class:`SeedRecord`)."""

    def checked(self) -> SeedState:
        """A copy for the whole-set checks to add to: its own list of diagnostics. (Written
        out: :func:`dataclasses.replace` takes ten times as long, for every seed of a run.)"""
        return SeedState(
            self.ok,
            self.slug,
            list(self.diagnostics),
            self.draft,
            self.lang,
            self.translation_of,
            self.translation_line,
            self.inputs,
        )


@dataclass(slots=True)
class SeedEntry:
    """One seed of a run, from the file found to the record kept of it."""

    index: int
    path: Path
    display: str
    file: SeedFile
    held: SeedRecord | None = None
    """What the output folder holds of this seed (the last run's record), even under --force."""
    reusable: SeedRecord | None = None
    """The last run's record when it still describes this file: the same bytes, read the
    same way (and not --force). ``None``: the seed must be parsed."""
    parse: bool = False
    own: SeedState | None = None
    """The seed on its own: as this run parsed it, or as the record reused says."""
    state: SeedState | None = None
    """The seed after the whole-set checks (a slug another seed has makes it fail)."""
    sha256: str | None = None
    """The hash of the bytes this run checked (from the parse, or the record reused)."""
    exporters: tuple[str, ...] = ()
    """The exporters whose per-seed hook runs for this seed in this run."""
    record: SeedRecord | None = None
    """What this run records of the seed."""
    siblings: tuple[Sibling, ...] = ()
    """The seed's other language versions (see :mod:`pipeline.translations`)."""
    siblings_key: str | None = None
    """What the outputs that link those versions must have been made with; ``None``: as the
    last run made them (the set is not checked yet)."""
    outside: bool = False
    """In a language this run did not pick (``export --lang``): read and checked with the
    whole set, so its versions link it, but not exported; what the folder holds of it stays."""


@dataclass(frozen=True, slots=True)
class Facts:
    """What, besides the seeds, the decisions depend on."""

    fingerprints: Mapping[str, str]
    existing: frozenset[str] | set[str]
    """Every file the output folder held when the run started."""
    aggregators: tuple[str, ...] = ()
    include_drafts: bool = False
    force: bool = False
    reparse_all: bool = False
    linking: frozenset[str] = frozenset()
    """The exporters whose per-seed outputs link a seed's other language versions."""
    external: Mapping[str, str] = field(default_factory=dict)
    """Per aggregate, a key of what it reads besides its entries (see
    :meth:`pipeline.exporters.base.Exporter.external_key`); none for most."""

    def aggregate_key(self, name: str, key: str) -> str:
        """``key`` (of the seeds, or of the entries, aggregate ``name`` is built from) with
        what it reads besides them, so either changing rebuilds it."""
        external = self.external.get(name, "")
        return f"{key}+{external}" if external else key

    def fingerprint(self, name: str, seed: SeedEntry | None = None) -> str:
        """What exporter ``name``'s outputs of ``seed`` are recorded with: its fingerprint,
        and for an exporter that links translations, the seed's other versions."""
        fingerprint = self.fingerprints[name]
        key = seed.siblings_key if seed is not None else None
        return f"{fingerprint}+{key}" if key and name in self.linking else fingerprint


def unlinked(
    kept: Mapping[str, SeedRecord], found: Mapping[str, tuple[Sibling, ...]], facts: Facts
) -> list[str]:
    """The seeds kept from earlier exports (outside this run's scope) whose outputs that link
    their other language versions were made with other versions than the set has now: a
    translation of theirs came, went or moved in this run, and their links wait for the next
    export that takes them in."""
    stale = []
    for display, record in kept.items():
        key = key_of(found, display)
        made = [
            output.fingerprint.partition("+")[2]
            for name, output in record.outputs.items()
            if name in facts.linking and output.fingerprint  # "": failed, retried anyway
        ]
        if any(was != key for was in made):
            stale.append(display)
    return stale


def publishes(facts: Facts, draft: bool) -> bool:
    """True when a seed that parsed cleanly is exported: it is not a draft, or drafts are."""
    return facts.include_drafts or not draft


def reusable_record(held: SeedRecord | None, file: SeedFile, facts: Facts) -> SeedRecord | None:
    """The last run's record, when the seed need not be parsed again to know it."""
    if facts.force or facts.reparse_all or held is None or file.sha256 is None:
        return None
    return held if held.sha256 == file.sha256 else None


def outputs_current(
    record: SeedRecord, name: str, facts: Facts, seed: SeedEntry | None = None
) -> bool:
    """True when exporter ``name``'s outputs of the seed are on disk as this run would write
    them (the same fingerprint and other language versions, every file there). Before the
    set is checked (``seed.siblings_key`` is None), the versions are taken as recorded."""
    output = record.outputs.get(name)
    if output is None or not facts.existing.issuperset(output.files):
        return False
    if seed is not None and seed.siblings_key is None:
        return output.fingerprint.partition("+")[0] == facts.fingerprints[name]
    return output.fingerprint == facts.fingerprint(name, seed)


def entry_current(cached: CachedEntry | None, sha256: str, name: str, facts: Facts) -> bool:
    """True when a stored entry was made from these bytes by this version of the exporter."""
    return (
        cached is not None
        and cached.sha256 == sha256
        and cached.fingerprint == facts.fingerprints[name]
    )


def inputs_key(seeds: Iterable[tuple[str, SeedRecord | None]], facts: Facts) -> str:
    """A hash of every seed the aggregates are built from, in path order (``None``: a seed
    whose bytes are not known yet)."""
    held_back = not facts.include_drafts
    parts = [
        f"{d}:{r.sha256}{':draft' if held_back and r.draft else ''}" if r else f"{d}:?"
        for d, r in sorted(seeds, key=lambda seed: seed[0])
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def aggregates_to_rebuild(
    old: State, seeds: Iterable[SeedEntry], kept: Mapping[str, SeedRecord], facts: Facts
) -> set[str]:
    """The aggregates this run builds again: all of them when a seed changed, came or went,
    else those whose files are missing or were built another way."""
    seeds = list(seeds)
    changed = any(s.reusable is None for s in seeds) or old.seeds.keys() != (
        {s.display for s in seeds} | kept.keys()
    )
    if facts.force or changed:
        return set(facts.aggregators)
    key = inputs_key([*((s.display, s.reusable) for s in seeds), *kept.items()], facts)
    return {
        name
        for name in facts.aggregators
        if not aggregate_current(old.aggregates.get(name), name, key, facts)
    }


def aggregate_current(record: AggregateRecord | None, name: str, key: str, facts: Facts) -> bool:
    """True when an aggregate's files are on disk as this run would build them: by this
    version of its exporter, from the seeds whose hash is ``key``."""
    return (
        record is not None
        and record.fingerprint == facts.fingerprints[name]
        and facts.existing.issuperset(record.files)
        and record.inputs == facts.aggregate_key(name, key)
    )


def hooks_to_run(
    seed: SeedEntry,
    names: Iterable[str],
    rebuild: Collection[str],
    cached: Mapping[str, Mapping[str, CachedEntry]],
    facts: Facts,
) -> tuple[str, ...]:
    """The exporters whose per-seed hook must run for a seed: those whose outputs of it are
    not current, and those whose aggregate is rebuilt without a stored entry of it."""
    record = seed.reusable
    if record is None:
        return tuple(names)
    return tuple(
        name
        for name in names
        if not outputs_current(record, name, facts, seed)
        or (
            name in rebuild
            and not entry_current(cached[name].get(seed.display), record.sha256, name, facts)
        )
    )


def needs_parse(
    seed: SeedEntry,
    names: Iterable[str],
    rebuild: Collection[str],
    cached: Mapping[str, Mapping[str, CachedEntry]],
    facts: Facts,
) -> bool:
    """True when the seed is parsed: it changed, or it is published and some hook must run."""
    record = seed.reusable
    if record is None:
        return True
    if seed.outside or not record.ok or not publishes(facts, record.draft):
        return False
    return bool(hooks_to_run(seed, names, rebuild, cached, facts))


def _version(display: str, state: SeedState | SeedRecord) -> Version | None:
    if not state.ok or state.slug is None:
        return None
    return Version(display, state.slug, state.lang, state.translation_of, state.translation_line)


def versions(seeds: Iterable[SeedEntry], kept: Mapping[str, SeedRecord]) -> list[Version]:
    """Every usable seed of this run and every seed kept from earlier, as the whole-set checks
    see them."""
    found = [_version(s.display, s.state) for s in seeds if s.state is not None]
    found += [_version(d, r) for d, r in kept.items()]
    return [v for v in found if v is not None]


def set_problems_of(
    seeds: Iterable[SeedEntry],
    kept: Mapping[str, SeedRecord],
    out: Path,
    default_lang: str,
    addresses: Addresses | None = None,
) -> dict[str, list[Diagnostic]]:
    """Per seed of this run that the whole set refuses (a slug another seed has in its
    language, a ``translation_of`` that names nothing...; see
    :func:`pipeline.translations.set_problems`), the errors saying so. A seed kept from an
    earlier export into ``out`` takes part, and is named as such."""
    every = versions(seeds, kept)
    return {
        path: [
            Diagnostic(path, line, Level.ERROR, message + _earlier(path, message, every, kept, out))
            for line, message in problems
        ]
        for path, problems in set_problems(every, default_lang, addresses).items()
        if path not in kept
    }


def _earlier(
    path: str, message: str, every: list[Version], kept: Mapping[str, SeedRecord], out: Path
) -> str:
    """What to add when a slug clashes with a seed kept from an earlier export into ``out``."""
    mine = next(v for v in every if v.path == path)
    earlier = [
        v.path for v in every if v.path in kept and (v.slug, v.lang) == (mine.slug, mine.lang)
    ]
    if not earlier or not message.startswith("slug "):
        return ""
    if all(Path(p).exists() for p in earlier):
        return f" (exported earlier into {out})"
    return f" (exported earlier into {out}; that file is gone: export its folder to remove it)"


def stale_files(
    previous: State, held: Iterable[SeedRecord], aggregates: Iterable[Collection[str]]
) -> list[str]:
    """The files the last run recorded that nothing this run records any more, and those an
    earlier run could not remove, sorted."""
    # A record this run keeps as it was (the same object) has the files it had, and no one
    # else had them (one owner a file): neither set needs them.
    held = list(held)
    kept = {id(r) for r in held} & {id(r) for r in previous.seeds.values()}
    produced = _files_of(r for r in held if id(r) not in kept)
    for files in aggregates:
        produced.update(files)
    earlier = _files_of(r for r in previous.seeds.values() if id(r) not in kept)
    for record in previous.aggregates.values():
        earlier.update(record.files)
    earlier.update(previous.unremoved)
    return sorted(earlier - produced)


def _files_of(records: Iterable[SeedRecord]) -> set[str]:
    return {f for r in records for o in r.outputs.values() for f in o.files}


@dataclass(frozen=True)
class Scope:
    """What a run was given: folders, searched whole, and files, and the languages picked
    (none: every language). A seed the output folder holds from an earlier export is this
    run's business only if it lies inside one of them, in a language picked: then it is
    exported again, or, when it is gone, its outputs are removed."""

    folders: tuple[Path, ...] = ()
    files: tuple[Path, ...] = ()
    languages: tuple[str, ...] = ()
    """Language ranges (``de`` takes ``de-AT``; RFC 4647 basic filtering), canonical tags."""

    @classmethod
    def of(cls, paths: Iterable[Path], languages: Iterable[str] = ()) -> Scope:
        """The scope of a run given ``paths``, and ``languages`` (canonical tags)."""
        paths = list(paths)
        return cls(
            tuple(p for p in paths if p.is_dir()),
            tuple(p for p in paths if not p.is_dir()),
            tuple(dict.fromkeys(languages)),
        )

    def picks(self, lang: str) -> bool:
        """True when a seed in ``lang`` is this run's: every language is, when none was
        picked, and so is a seed whose language is not known (``""``: it failed before its
        frontmatter was read), so that its error is said."""
        return (
            not self.languages
            or not lang
            or any(matches_language(lang, asked) for asked in self.languages)
        )

    @functools.cached_property
    def _prefixes(self) -> tuple[str, ...]:
        return tuple(
            f"{f.as_posix().rstrip('/')}/" for f in self.folders if f.as_posix() not in (".", "/")
        )

    @functools.cached_property
    def _resolved(self) -> tuple[tuple[Path, ...], frozenset[Path]]:
        return tuple(f.resolve() for f in self.folders), frozenset(f.resolve() for f in self.files)

    def covers(self, display: str) -> bool:
        """True when the seed path ``display`` (as an earlier run showed it) lies in this
        scope. Only called for seeds this run did not find."""
        # The usual case, a folder given the same way as last time, needs no file system call.
        if ".." not in display and display.startswith(self._prefixes):
            return True
        if not self.folders and display.rpartition("/")[2] not in {f.name for f in self.files}:
            return False
        folders, files = self._resolved
        try:
            where = Path(display).resolve()
        except (OSError, RuntimeError):
            return False
        return where in files or any(where.is_relative_to(f) for f in folders)


def kept_records(previous: State, found: Collection[str], scope: Scope) -> dict[str, SeedRecord]:
    """The seeds the folder holds from earlier exports, not found now, that lie outside this
    run's scope (elsewhere, or in a language not picked): their records, outputs and entries
    stay as they are."""
    return {
        display: record
        for display, record in previous.seeds.items()
        if display not in found and not (scope.picks(record.lang) and scope.covers(display))
    }


def set_aside(seed: SeedEntry, scope: Scope) -> bool:
    """True when a seed found is in a language this run did not pick, as its parse now says
    or, before it is parsed, its record: it is checked with the set, not exported."""
    known = seed.own or seed.reusable
    return known is not None and not scope.picks(known.lang)


def split_by_language(
    seeds: Iterable[SeedEntry], scope: Scope
) -> tuple[list[SeedEntry], list[SeedEntry]]:
    """The seeds this run exports, and those it sets aside (see :func:`set_aside`), each
    marked so."""
    picked: list[SeedEntry] = []
    other: list[SeedEntry] = []
    for seed in seeds:
        seed.outside = set_aside(seed, scope)
        (other if seed.outside else picked).append(seed)
    return picked, other


def set_aside_records(seeds: Iterable[SeedEntry]) -> dict[str, SeedRecord]:
    """What the folder holds of the seeds set aside (see :func:`set_aside`): kept as it is,
    like a seed outside the run's folders (a seed never exported has nothing to keep)."""
    return {s.display: s.held for s in seeds if s.outside and s.held is not None}


def out_of_date(seed: SeedEntry) -> bool:
    """True when a seed set aside is not in the folder as its file now is: never exported,
    or changed since (an export that picks its language brings it up to date)."""
    return seed.held is None or seed.held.sha256 != seed.sha256


def aggregate_members(
    seeds: Iterable[SeedEntry], kept: Mapping[str, SeedRecord], facts: Facts
) -> list[tuple[str, SeedEntry | None]]:
    """The seeds an aggregate is built from, in slug order (then path): each with its entry
    of this run, or ``None`` for a seed kept from an earlier export."""
    members: list[tuple[str, str, SeedEntry | None]] = [
        (s.state.slug or "", s.display, s)
        for s in seeds
        if s.state is not None and s.state.ok and publishes(facts, s.state.draft)
    ]
    members += [(r.slug or "", d, None) for d, r in kept.items() if r.ok]
    members.sort(key=lambda m: (m[0], m[1]))
    return [(display, seed) for _, display, seed in members]
