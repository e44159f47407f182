"""Diagnostics: what the pipeline has to say about a seed, with its file and line."""

from __future__ import annotations

import enum
from dataclasses import dataclass


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
        # One diagnostic, one line: editors and CI annotations read them line by line.
        if "\n" in self.message or "\r" in self.message:
            self.message = " ".join(self.message.split())

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.level}: {self.message}"

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
