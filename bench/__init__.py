"""The benchmarks behind ``make bench`` (figures in ``docs/benchmarks.md``)."""

from __future__ import annotations

import os


def as_users_run() -> dict[str, str]:
    """The environment for a timed run in a fresh interpreter, as users run one: Python
    writes the bytecode of the modules it compiles and reads it back the next time, so only
    a first, uncounted run compiles them. (An environment that sets ``PYTHONDONTWRITEBYTECODE``
    would make every run compile the pipeline's modules again: a tenth of a second more.)"""
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
