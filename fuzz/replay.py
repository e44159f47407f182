"""Replay a fuzz corpus through the target's checks, without atheris, and report the line
coverage of the pipeline's modules it reaches.

    python -m fuzz.replay                      # fuzz/work/corpus (after `make fuzz`)
    python -m fuzz.replay fuzz/corpus crash-…  # folders or single inputs

Any input that fails a check is printed with its error, and the exit code is 1.
"""

from __future__ import annotations

import argparse
import inspect
import sys
import traceback
import types
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fuzz.invariants import check_seed

if TYPE_CHECKING:
    from _typeshed import TraceFunction

HERE = Path(__file__).resolve().parent
PACKAGE = HERE.parent / "pipeline"
MODULES = (
    "parser.py",
    "frontmatter.py",
    "inline.py",
    "slugs.py",
    "jsonld.py",
    "pages/layout.py",
    "pages/render.py",
)


def _executable_lines(path: Path) -> set[int]:
    def walk(code: types.CodeType) -> Iterator[int]:
        # Only function bodies: module and class bodies run once, on import, not per input.
        if code.co_flags & inspect.CO_OPTIMIZED:
            yield from (line for _, _, line in code.co_lines() if line is not None)
        for constant in code.co_consts:
            if isinstance(constant, types.CodeType):
                yield from walk(constant)

    return set(walk(compile(path.read_text("utf-8"), str(path), "exec")))


def _inputs(paths: list[Path]) -> Iterator[Path]:
    for path in paths:
        yield from sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]


def main() -> None:
    """Replay the inputs, print failures and per-module line coverage."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", type=Path, default=[HERE / "work" / "corpus"])
    args = parser.parse_args()
    watched = {str(PACKAGE / m): m for m in MODULES}
    hit: dict[str, set[int]] = {m: set() for m in MODULES}

    def tracer(frame: types.FrameType, event: str, arg: Any) -> TraceFunction | None:
        module = watched.get(frame.f_code.co_filename)
        if module is None:
            return None
        hit[module].add(frame.f_code.co_firstlineno)

        def lines(frame: types.FrameType, event: str, arg: Any) -> TraceFunction:
            if event == "line":
                hit[module].add(frame.f_lineno)
            return lines

        return lines

    failures = count = 0
    for path in _inputs(args.paths):
        count += 1
        sys.settrace(tracer)
        try:
            check_seed(path.read_bytes())
        except Exception:
            failures += 1
            print(f"{path}: FAILED\n{traceback.format_exc()}", file=sys.stderr)
        finally:
            sys.settrace(None)
    total = reached = 0
    print(f"{count} inputs, {failures} failed")
    for module in MODULES:
        lines = _executable_lines(PACKAGE / module)
        covered = len(hit[module] & lines)
        total, reached = total + len(lines), reached + covered
        print(f"{module:22} {covered:4}/{len(lines):4} lines  {100 * covered / len(lines):5.1f}%")
    print(f"{'all':22} {reached:4}/{total:4} lines  {100 * reached / total:5.1f}%")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
