"""Allows ``python -m pipeline``; also the ``pipeline`` command, so that a Ctrl-C even while
the modules load is a clean stop."""

from __future__ import annotations

import os
import sys

from pipeline.interrupt import Interrupted, interruptible


def main() -> None:
    """Load the command line and run it."""
    with interruptible():
        try:
            from pipeline.cli import main as run  # a sixth of a second: long enough for a Ctrl-C

            run()
        except Interrupted as stop:  # run() reports its own; this is one while loading
            sys.stderr.write("interrupted\n")
            sys.stderr.flush()
            os._exit(stop.exit_status)


if __name__ == "__main__":
    main()
