"""Ctrl-C and SIGTERM as one exception, so an interrupted run unwinds like any other failure:
temp files removed, workers stopped, the lock released, the terminal left as it was."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from types import FrameType
from typing import Any

SIGNALS = frozenset({signal.SIGINT, signal.SIGTERM})
"""The signals that stop a run cleanly."""


class Interrupted(BaseException):
    """SIGINT (Ctrl-C) or SIGTERM arrived.

    A BaseException, as KeyboardInterrupt is, so the ``except Exception`` that keeps one
    failing exporter from costing the other seeds lets it through.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum

    @property
    def exit_status(self) -> int:
        """What a shell reports for a command this signal stopped: 130 for SIGINT, 143 for
        SIGTERM."""
        return 128 + self.signum


class ExportInterrupted(Interrupted):
    """An export stopped by a signal. ``exported`` of the run's ``total`` seeds were known
    to have every output of their own written (up to date, or written by this run); the
    build state is not changed, so the next export into the folder finishes the rest."""

    def __init__(self, signum: int, *, exported: int, total: int) -> None:
        super().__init__(signum)
        self.exported = exported
        self.total = total


_Handler = Callable[[int, FrameType | None], Any] | int | None


class _Catcher:
    """The one handler of both signals while a run is interruptible."""

    def __init__(self) -> None:
        self.depth = 0
        self.previous: dict[int, _Handler] = {}
        self.raised = False
        self.deferring = 0
        self.pending: int | None = None
        self.hook: Callable[[Any], object] = sys.__unraisablehook__

    def handle(self, signum: int, frame: FrameType | None) -> None:
        if self.raised:
            # Already stopping: a second Ctrl-C must not cut the clean-up short.
            return
        if self.deferring:
            if self.pending is None:
                self.pending = signum
            return
        self.raised = True
        raise Interrupted(signum)

    def swallowed(self, unraisable: Any) -> None:
        """``sys.unraisablehook`` while a run is interruptible. A signal whose handler ran
        inside a finaliser or a weak reference's callback raised where Python cannot let an
        exception out: it prints it and carries on. The signal is then delivered again, to
        stop the run where it can be stopped, and nothing is printed."""
        error = unraisable.exc_value
        if not isinstance(error, Interrupted):
            self.hook(unraisable)
            return
        self.raised = False
        # Sent again from another thread a moment later, once this hook has returned: raised
        # from here, it would be swallowed again.
        again = threading.Timer(0.05, os.kill, (os.getpid(), error.signum))
        again.daemon = True
        again.start()

    def raise_pending(self) -> None:
        signum, self.pending = self.pending, None
        if signum is not None and not self.raised:
            self.raised = True
            raise Interrupted(signum)


_catcher = _Catcher()


def _in_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextlib.contextmanager
def interruptible() -> Iterator[None]:
    """For the block, SIGINT and SIGTERM raise :class:`Interrupted` in the main thread, once:
    signals that follow are ignored while it unwinds. The handlers before are put back after.

    Only a signal whose handler is Python's default is taken over: one the caller handles
    itself, or ignores (a background job ignores Ctrl-C), is left alone. Blocks nest; outside
    the main thread this does nothing, as signals are only handled there.
    """
    if not _in_main_thread():
        yield
        return
    if _catcher.depth == 0:
        for signum in SIGNALS:
            if signal.getsignal(signum) in (signal.SIG_DFL, signal.default_int_handler):
                _catcher.previous[signum] = signal.signal(signum, _catcher.handle)
        _catcher.hook, sys.unraisablehook = sys.unraisablehook, _catcher.swallowed
    _catcher.depth += 1
    try:
        yield
    finally:
        _catcher.depth -= 1
        if _catcher.depth == 0:
            for taken, handler in _catcher.previous.items():
                signal.signal(taken, handler)
            _catcher.previous.clear()
            sys.unraisablehook = _catcher.hook
            _catcher.raised = False
            _catcher.pending = None


def ignore_signals() -> None:
    """The work is over: SIGINT and SIGTERM are ignored until the interruptible block ends,
    so the last lines are written whole."""
    if _in_main_thread() and _catcher.depth:
        _catcher.raised = True


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """A step that must not be cut in two (forking the workers, stopping them, a progress
    display): a signal arriving during the block is raised when it ends.

    The signals are also blocked in this thread for the block, so a process forked inside it
    starts with them blocked, and takes them once it has its own handlers (see
    :func:`unblock`).
    """
    if not _in_main_thread() or _catcher.depth == 0:
        yield
        return
    _catcher.deferring += 1
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        _catcher.deferring -= 1
        if not _catcher.deferring:
            _catcher.raise_pending()


def unblock() -> None:
    """Take SIGINT and SIGTERM again: for a process forked inside :func:`deferred`, once it
    has set its own handlers."""
    signal.pthread_sigmask(signal.SIG_UNBLOCK, SIGNALS)


def exit_if_swallowed(unraisable: Any) -> None:
    """``sys.unraisablehook`` for a worker process, whose SIGTERM raises
    :class:`Interrupted`: one raised inside a finaliser or a weak reference's callback, where
    Python would print it and carry on, ends the worker as the one caught does."""
    if isinstance(unraisable.exc_value, Interrupted):
        os._exit(1)
    sys.__unraisablehook__(unraisable)
