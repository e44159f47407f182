"""Progress: a rich bar per phase on a terminal, one line per phase elsewhere (CI, --quiet)."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Protocol

from pipeline.interrupt import deferred

if TYPE_CHECKING:
    from rich.console import Console

Advance = Callable[[int], None]


class Reporter(Protocol):
    """Told about each phase of an export as it runs."""

    def phase(self, name: str, total: int) -> contextlib.AbstractContextManager[Advance]:
        """A phase of ``total`` steps; the context gives a function to call with steps done."""
        ...

    def message(self, text: str) -> None:
        """Something the user should see now (waiting for a lock, ...)."""
        ...


class SilentReporter:
    """Says nothing: for library use and tests."""

    @contextlib.contextmanager
    def phase(self, name: str, total: int) -> Iterator[Advance]:
        """A phase that reports nothing."""
        yield lambda steps: None

    def message(self, text: str) -> None:
        """Ignore the message."""


class LineReporter:
    """One line per phase when it ends: name, count, time and rate."""

    def __init__(self, console: Console) -> None:
        self.console = console

    @contextlib.contextmanager
    def phase(self, name: str, total: int) -> Iterator[Advance]:
        """Count the steps and print one line at the end."""
        done = 0
        started = time.perf_counter()

        def advance(steps: int) -> None:
            nonlocal done
            done += steps

        yield advance
        seconds = time.perf_counter() - started
        rate = f", {done / seconds:,.0f}/s" if seconds > 0 and done > 1 else ""
        self.console.print(f"{name}: {done} of {total} in {seconds:.2f} s{rate}", markup=False)

    def message(self, text: str) -> None:
        """Print the message on its own line."""
        self.console.print(text, markup=False)


class BarReporter:
    """A rich progress bar per phase, with count, rate and time remaining."""

    def __init__(self, console: Console) -> None:
        self.console = console

    @contextlib.contextmanager
    def phase(self, name: str, total: int) -> Iterator[Advance]:
        """Show a bar for the phase while it runs."""
        from pipeline.progress_bar import phase_bar

        progress = phase_bar(self.console)
        # Started and stopped in one piece even on Ctrl-C: a display stopped half-way leaves
        # the terminal without its cursor.
        try:
            with deferred():
                progress.start()
            task = progress.add_task(name, total=total)
            yield lambda steps: progress.advance(task, steps)
        finally:
            with deferred():
                progress.stop()

    def message(self, text: str) -> None:
        """Print the message above the bars."""
        self.console.print(text, markup=False)
