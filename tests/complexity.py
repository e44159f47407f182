"""How tangled a module's functions are: radon's cyclomatic complexity, as
``radon cc -n C`` reports it."""

from __future__ import annotations

from pathlib import Path

from radon.complexity import cc_visit

PACKAGE = Path(__file__).resolve().parent.parent / "pipeline"
MOST = 10
"""The highest complexity radon still ranks B: ``radon cc -n C`` lists every block above it."""


def tangled(*paths: str) -> list[str]:
    """Every function and method in the modules at ``paths`` (below ``pipeline/``, a folder for
    each of its modules) whose complexity is above :data:`MOST`, as ``path:line name (n)``."""
    files = sorted(
        file
        for path in paths
        for file in ([PACKAGE / path] if path.endswith(".py") else (PACKAGE / path).rglob("*.py"))
    )
    found = []
    for file in files:
        # Functions, classes and, each on its own, the classes' methods.
        for block in cc_visit(file.read_text("utf-8")):
            if block.complexity > MOST:
                found.append(f"{file.name}:{block.lineno} {block.name} ({block.complexity})")
    return found
