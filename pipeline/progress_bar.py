"""The rich progress bar :class:`pipeline.progress.BarReporter` draws for a phase.

A module of its own so that rich's progress display is loaded only when a bar is drawn: a run
on a terminal has bars, one in CI or with ``--quiet`` only lines.
"""

from __future__ import annotations

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text


class _RateColumn(ProgressColumn):
    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:>7,.0f}/s" if speed else " " * 9)


def phase_bar(console: Console) -> Progress:
    """A display for one phase's bar, with count, rate and time remaining (not started)."""
    columns = (
        TextColumn("{task.description:<10}"),
        BarColumn(),
        MofNCompleteColumn(),
        _RateColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    return Progress(*columns, console=console, transient=False)
