"""One export at a time per output folder."""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from pipeline.state import LOCK_FILE, state_folder
from pipeline.writer import OutputError


class LockTimeoutError(OutputError):
    """Another export holds the output folder for longer than we are willing to wait."""


class OutputLock:
    """An exclusive lock on an output folder, held for the whole export.

    A second export into the same folder waits (telling the user once) and fails with a clear
    message after ``timeout`` seconds. The lock is released by the OS if the holder dies, so a
    killed run never leaves the folder locked.
    """

    def __init__(
        self,
        out: Path,
        *,
        timeout: float = 600.0,
        on_wait: Callable[[str], None] | None = None,
        state: Path | None = None,
    ) -> None:
        self.out = out
        self.path = (state or state_folder(out)) / LOCK_FILE
        self.timeout = timeout
        self.on_wait = on_wait
        self._fd: int | None = None

    def __enter__(self) -> OutputLock:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise OutputError(f"cannot lock {self.path}: {exc.strerror or exc}") from None
        try:
            self._wait(fd)
        except BaseException:  # the wait timed out, or was interrupted
            os.close(fd)
            raise
        self._fd = fd
        return self

    def _wait(self, fd: int) -> None:
        deadline = time.monotonic() + self.timeout
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if not told and self.on_wait:
                    self.on_wait(f"waiting for another export into {self.out} to finish")
                    told = True
                if time.monotonic() > deadline:
                    raise LockTimeoutError(
                        f"another export into {self.out} is still running after "
                        f"{self.timeout:.0f} s (lock {self.path}); try again when it has finished"
                    ) from None
                time.sleep(0.05)

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
