"""Diagnostics: what the pipeline has to say about a seed, with its file and line."""

from __future__ import annotations

import difflib
import enum
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# Characters that act on a terminal or a line-based reader instead of showing: C0 and C1
# controls, DEL, the Unicode line and paragraph separators, and the bidirectional overrides
# that can make text read differently from what it says.
_INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_INVISIBLE_BUT_NEWLINE = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` safe to print to a terminal: every control character escaped (``\\x1b``), so
    seed text can neither send escape sequences nor break one message into several lines."""
    pattern = _INVISIBLE_BUT_NEWLINE if keep_newlines else _INVISIBLE
    return pattern.sub(_escape, text)


class Level(enum.StrEnum):
    """How serious a diagnostic is."""

    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


@dataclass(slots=True)
class Diagnostic:
    """One message about one place in a seed, printed as ``path:line: level: message``
    (``path: level: message`` when it is about a whole file, ``line`` 0)."""

    path: str
    line: int
    level: Level
    message: str

    def __post_init__(self) -> None:
        # One diagnostic, one line: editors and CI annotations read them line by line, and
        # messages quote seed text, which must not drive the terminal.
        if not self.message.isprintable():
            self.message = visible(re.sub("[\r\n]+", " ", self.message))
        if not self.path.isprintable():
            self.path = visible(self.path)

    @property
    def where(self) -> str:
        """``path:line``, or ``path`` for a diagnostic about a whole file."""
        return f"{self.path}:{self.line}" if self.line else self.path

    def __str__(self) -> str:
        return f"{self.where}: {self.level}: {self.message}"

    def as_dict(self) -> dict[str, str | int]:
        """The diagnostic as a JSON-ready mapping."""
        return {
            "path": self.path,
            "line": self.line,
            "level": str(self.level),
            "message": self.message,
        }


class PipelineError(Exception):
    """A failure that is not about one seed (configuration, output folder, ...)."""


def did_you_mean(word: str, known: Iterable[str]) -> str | None:
    """The name in ``known`` closest to a misspelt one, ignoring case (``vidoe`` -> ``video``,
    ``Excecution`` -> ``Execution``), if any is close."""
    folded = {name.casefold(): name for name in known}
    matches = difflib.get_close_matches(word.casefold(), list(folded), n=1, cutoff=0.6)
    return folded[matches[0]] if matches else None


def run_failed(diagnostics: Sequence[Diagnostic], *, strict: bool, seeds: int) -> bool:
    """The one rule for how a run over ``seeds`` seed files ends: it failed on any error, on
    any warning when ``strict``, and when there was no seed at all (a wrong folder, most
    likely). ``pipeline check`` and ``pipeline export`` both exit 1 exactly when this holds."""
    if seeds == 0:
        return True
    failing = (Level.ERROR, Level.WARNING) if strict else (Level.ERROR,)
    return any(d.level in failing for d in diagnostics)


def summarise(diagnostics: Sequence[Diagnostic], *, examples: int = 3) -> list[str]:
    """The diagnostics as lines for people: every error and warning on a line of its own, and
    a note that several seeds share (the same message) once, where it first occurs, with how
    many seeds and a few of them::

        note: 1144 seeds: no VideoObject in the JSON-LD: ... (e.g. a.md, b.md, c.md; ...)

    Machine-read reports are not made from this: they list every diagnostic."""
    seeds_of: dict[str, dict[str, None]] = {}
    for diagnostic in diagnostics:
        if diagnostic.level is Level.NOTE:
            seeds_of.setdefault(diagnostic.message, {})[diagnostic.path] = None
    lines: list[str] = []
    said: set[str] = set()
    for diagnostic in diagnostics:
        seeds = seeds_of[diagnostic.message] if diagnostic.level is Level.NOTE else {}
        if len(seeds) < 2:
            lines.append(str(diagnostic))
        elif diagnostic.message not in said:
            said.add(diagnostic.message)
            shown = ", ".join(list(seeds)[:examples])
            listed = f"e.g. {shown}; --verbose lists all" if len(seeds) > examples else shown
            lines.append(f"{Level.NOTE}: {len(seeds)} seeds: {diagnostic.message} ({listed})")
    return lines
