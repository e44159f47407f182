"""Importers: seeds made from the open exercise collections people already have.

Each importer reads one collection's published format into :class:`Draft` seeds (a file name
and its text); :func:`write_drafts` then checks each draft as ``pipeline check`` would and
writes the valid ones. An import is deterministic (the same records give the same bytes) and
idempotent: every imported seed's frontmatter starts with a comment naming its record and the
digest of the rest of its text, so a later import tells a seed it wrote and nobody touched
(rewritten when the record changed) from one an author edited (kept, unless ``overwrite``).
"""

from __future__ import annotations

import enum
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.diagnostics import Diagnostic, Level


@dataclass(frozen=True, slots=True)
class Draft:
    """One seed an importer made: its file name in the output folder, its text (without the
    provenance line), and where its record is (for messages)."""

    name: str
    text: str
    record: str
    """The record as the collection names it, e.g. ``free-exercise-db 3_4_Sit-Up``."""
    path: str
    line: int
    assets: tuple[tuple[Path, str], ...] = ()
    """Files the seed names (its pictures), each as the file to copy and where it goes in the
    output folder."""


class Outcome(enum.Enum):
    """What an import did with one seed file."""

    WRITTEN = "written"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    KEPT = "kept"
    """Edited by hand since it was imported, or not an imported seed: left alone."""


@dataclass
class ImportReport:
    """What an import did: each seed file's outcome, and a message per record it skipped."""

    outcomes: dict[str, Outcome] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def count(self, outcome: Outcome) -> int:
        """How many seed files had ``outcome``."""
        return sum(1 for value in self.outcomes.values() if value is outcome)

    @property
    def skipped(self) -> int:
        """How many records made no seed."""
        return sum(1 for d in self.diagnostics if d.level is Level.ERROR)

    def skip(self, path: str, line: int, record: str, why: str) -> None:
        """Report a record that makes no seed."""
        self.diagnostics.append(Diagnostic(path, line, Level.ERROR, f"{record}: {why}; skipped"))


def read_json(path: Path, report: ImportReport) -> tuple[Any, str] | None:
    """The JSON in ``path`` and its text; None, with the problem reported at its line, when
    it cannot be read or is not JSON."""
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else error
        report.diagnostics.append(
            Diagnostic(str(path), 0, Level.ERROR, f"cannot be read: {reason}")
        )
        return None
    try:
        return json.loads(text), text
    except json.JSONDecodeError as error:
        message = f"is not JSON: {error.msg}"
        report.diagnostics.append(Diagnostic(str(path), error.lineno, Level.ERROR, message))
        return None


def item_lines(text: str, items: list[Any]) -> list[int]:
    """The line each of ``items`` starts on, ``items`` being the JSON text's top-level list
    or the list under its ``results`` (an API's page); line 1 for each when it cannot be
    told."""
    decoder = json.JSONDecoder()
    top = text.lstrip()
    found = re.search(r'"results"\s*:\s*\[', text) if top.startswith("{") else None
    start = found.end() - 1 if found else text.find("[")
    if start < 0:
        return [1] * len(items)
    try:
        if decoder.raw_decode(text, start)[0] != items:
            return [1] * len(items)
    except json.JSONDecodeError:
        return [1] * len(items)
    lines: list[int] = []
    at = start + 1
    line = text.count("\n", 0, at) + 1
    while True:
        begin = at
        while text[at] in " \t\r\n,":
            at += 1
        line += text.count("\n", begin, at)
        if text[at] == "]":
            return lines
        lines.append(line)
        _, end = decoder.raw_decode(text, at)
        line += text.count("\n", at, end)
        at = end


_MARK = "# Imported from "
_PROVENANCE = re.compile(r"# Imported from (?P<record>.+) by pipeline import; digest (?P<d>\w+)")


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def with_provenance(draft: Draft) -> str:
    """The seed file's text: the draft's, its frontmatter opened by the provenance comment."""
    body = draft.text.removeprefix("---\n")
    line = f"{_MARK}{draft.record} by pipeline import; digest {_digest(body)}"
    return f"---\n{line}\n{body}"


def untouched(text: str) -> bool:
    """Whether ``text`` is an imported seed's, as the import wrote it."""
    first, _, rest = text.removeprefix("---\n").partition("\n")
    found = _PROVENANCE.fullmatch(first)
    return found is not None and found["d"] == _digest(rest)


def check_draft(draft: Draft, out: Path, default_lang: str = "en") -> list[Diagnostic]:
    """The errors ``pipeline check`` would find in the draft, written in ``out`` of a
    collection whose ``default_lang`` is given."""
    from pipeline.parser import parse_seed_bytes

    result = parse_seed_bytes(
        draft.text.encode("utf-8"),
        str(out / draft.name),
        stem=draft.name[:-3],
        folder=out,
        default_lang=default_lang,
    )
    return [d for d in result.diagnostics if d.level is Level.ERROR]


def write_drafts(
    drafts: Iterable[Draft],
    out: Path,
    report: ImportReport,
    *,
    overwrite: bool = False,
    default_lang: str = "en",
) -> None:
    """Check each draft and write the valid ones into ``out``, each atomically (a temporary
    file renamed), none over a seed edited by hand unless ``overwrite``. A draft that names
    the file of one before it is skipped, as is one ``pipeline check`` would refuse."""
    out.mkdir(parents=True, exist_ok=True)
    first: dict[str, str] = {}
    for draft in drafts:
        if draft.name in first:
            report.skip(
                draft.path,
                draft.line,
                draft.record,
                f"its name makes the file {draft.name}, which {first[draft.name]} makes already",
            )
            continue
        first[draft.name] = draft.record
        copied = _copy_assets(draft, out)
        errors = check_draft(draft, out, default_lang)
        if errors:
            for path in copied:
                path.unlink(missing_ok=True)
            why = f"the seed would not pass check: {errors[0].message}"
            report.skip(draft.path, draft.line, draft.record, why)
            continue
        report.outcomes[draft.name] = _write(out / draft.name, with_provenance(draft), overwrite)


def _copy_assets(draft: Draft, out: Path) -> list[Path]:
    """Copy the draft's pictures into ``out`` where they are not already; the files copied."""
    copied = []
    for source, relative in draft.assets:
        target = out / relative
        data = source.read_bytes()
        if target.is_file() and target.read_bytes() == data:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        _replace(target, data)
        copied.append(target)
    return copied


def _write(target: Path, text: str, overwrite: bool) -> Outcome:
    try:
        old = target.read_text("utf-8")
    except FileNotFoundError:
        old = None
    except (OSError, UnicodeDecodeError):
        old = ""
    if old == text:
        return Outcome.UNCHANGED
    if old is not None and not overwrite and not untouched(old):
        return Outcome.KEPT
    _replace(target, text.encode("utf-8"))
    return Outcome.WRITTEN if old is None else Outcome.UPDATED


def _replace(target: Path, data: bytes) -> None:
    """Write ``target`` whole or not at all: into a temporary file beside it, then renamed."""
    handle, temporary = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
    )
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        Path(temporary).replace(target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
