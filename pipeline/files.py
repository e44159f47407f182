"""Reading a file the pipeline is given: a regular file only, and at most so many bytes."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path


def read_regular(path: Path, most: int) -> bytes:
    """Up to ``most`` bytes of the regular file ``path``. Opened without blocking and checked
    once open, so a FIFO or a device put where a file was is refused (``OSError``, "not a
    regular file") and never holds a run up."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        os.set_blocking(fd, True)
        with os.fdopen(fd, "rb", closefd=False) as file:
            return file.read(most)
    finally:
        os.close(fd)
