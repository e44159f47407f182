"""What the last export built, kept in ``<out>/.pipeline/`` so the next one rebuilds only what
changed.

- ``manifest.json``: per seed, the content hash it was read from, its slug and diagnostics,
  whether it is a draft, and per exporter the files it produced and the exporter fingerprint
  they were built with; per aggregate exporter, the files it produced and a hash of the seeds
  they were built from. It is the record of every output the folder holds: an export of some
  seeds keeps the records of the others.
- ``digests/<exporter>.pickle``: per exporter, what its aggregate needs of each seed, so an
  aggregate can be rebuilt without parsing the seeds that did not change. Only the pipeline
  writes this folder; it is a cache, deleted safely at any time.

The manifest is written last: after a crash it still describes files that exist, and the next
run repairs the rest.
"""

from __future__ import annotations

import contextlib
import json
import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.diagnostics import Diagnostic, Level

STATE_DIR = ".pipeline"
MANIFEST_FILE = f"{STATE_DIR}/manifest.json"
MANIFEST_VERSION = 1

DiagnosticRow = tuple[str, int, str, str]


def diagnostic_rows(diagnostics: list[Diagnostic]) -> list[DiagnosticRow]:
    """Diagnostics as plain rows for the manifest."""
    return [(d.path, d.line, str(d.level), d.message) for d in diagnostics]


_LEVELS = {level.value: level for level in Level}


def diagnostics_from_rows(rows: list[DiagnosticRow]) -> list[Diagnostic]:
    """Diagnostics back from manifest rows."""
    return [Diagnostic(path, line, _LEVELS[level], message) for path, line, level, message in rows]


@dataclass(slots=True)
class OutputRecord:
    """What one exporter produced for one seed."""

    fingerprint: str
    files: list[str]
    diagnostics: list[DiagnosticRow] = field(default_factory=list)


@dataclass(slots=True)
class SeedRecord:
    """One seed as the last run read it."""

    sha256: str
    slug: str | None
    ok: bool
    size: int = -1
    mtime_ns: int = -1
    diagnostics: list[DiagnosticRow] = field(default_factory=list)
    outputs: dict[str, OutputRecord] = field(default_factory=dict)
    draft: bool = False


@dataclass(slots=True)
class AggregateRecord:
    """What one exporter built from all the seeds."""

    fingerprint: str
    inputs: str
    files: list[str]
    diagnostics: list[DiagnosticRow] = field(default_factory=list)


def _rows(value: Any) -> list[DiagnosticRow]:
    if type(value) is not list:
        raise TypeError("not diagnostic rows")
    return value


@dataclass(slots=True)
class Manifest:
    """The state of an output folder after an export."""

    parse_key: str = ""
    seeds: dict[str, SeedRecord] = field(default_factory=dict)
    aggregates: dict[str, AggregateRecord] = field(default_factory=dict)

    @classmethod
    def load(cls, out: Path) -> Manifest:
        """The folder's manifest; an empty one when there is none or it cannot be used
        (from another version, or damaged): then everything is rebuilt."""
        try:
            data = json.loads((out / MANIFEST_FILE).read_bytes())
            if data.get("version") != MANIFEST_VERSION:
                return cls()
            # Plain JSON and slotted records: this is read on every run, no-op runs included.
            seeds = {
                path: SeedRecord(
                    sha256=str(seed["sha256"]),
                    slug=seed["slug"],
                    ok=bool(seed["ok"]),
                    size=int(seed["size"]),
                    mtime_ns=int(seed["mtime_ns"]),
                    diagnostics=_rows(seed["diagnostics"]),
                    outputs={
                        name: OutputRecord(
                            str(o["fingerprint"]), list(o["files"]), _rows(o["diagnostics"])
                        )
                        for name, o in seed["outputs"].items()
                    },
                    draft=bool(seed.get("draft", False)),
                )
                for path, seed in data["seeds"].items()
            }
            aggregates = {
                name: AggregateRecord(
                    str(a["fingerprint"]),
                    str(a["inputs"]),
                    list(a["files"]),
                    _rows(a["diagnostics"]),
                )
                for name, a in data["aggregates"].items()
            }
            return cls(str(data["parse_key"]), seeds, aggregates)
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return cls()

    def to_bytes(self) -> bytes:
        """The manifest as deterministic JSON."""

        def output(record: OutputRecord) -> dict[str, Any]:
            return {
                "fingerprint": record.fingerprint,
                "files": record.files,
                "diagnostics": record.diagnostics,
            }

        document = {
            "version": MANIFEST_VERSION,
            "parse_key": self.parse_key,
            "seeds": {
                path: {
                    "sha256": r.sha256,
                    "slug": r.slug,
                    "ok": r.ok,
                    "size": r.size,
                    "mtime_ns": r.mtime_ns,
                    "diagnostics": r.diagnostics,
                    "outputs": {name: output(o) for name, o in sorted(r.outputs.items())},
                    "draft": r.draft,
                }
                for path, r in sorted(self.seeds.items())
            },
            "aggregates": {
                name: {
                    "inputs": a.inputs,
                    **output(OutputRecord(a.fingerprint, a.files, a.diagnostics)),
                }
                for name, a in sorted(self.aggregates.items())
            },
        }
        # No indent: the C encoder is ten times faster, and this is written on every run.
        text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
        return text.encode("utf-8") + b"\n"


def digest_file(name: str) -> str:
    """Where the digest cache of exporter ``name`` lives, relative to the output folder."""
    return f"{STATE_DIR}/digests/{name}.pickle"


DigestCache = dict[str, tuple[str, str, Any]]
"""Seed path -> (seed sha256, exporter fingerprint, digest)."""


def load_digests(out: Path, name: str) -> DigestCache:
    """The cached digests of one exporter; empty when missing or unreadable."""
    path = out / digest_file(name)
    with contextlib.suppress(
        OSError,
        pickle.UnpicklingError,
        EOFError,
        AttributeError,
        ImportError,
        TypeError,
        ValueError,
    ):
        # The cache is written only by the pipeline into its own state folder.
        cache = pickle.loads(path.read_bytes())
        if isinstance(cache, dict):
            return cache
    return {}


def dump_digests(cache: DigestCache) -> bytes:
    """The digest cache as bytes, entries in path order."""
    return pickle.dumps(dict(sorted(cache.items())), protocol=pickle.HIGHEST_PROTOCOL)
