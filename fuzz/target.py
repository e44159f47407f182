"""Coverage-guided fuzzing of the seed parser, and of the JSON-LD, HTML and catalogue views of
whatever it accepts, with atheris (libFuzzer for Python).

    python -m fuzz.target --seconds 300        # what `make fuzz` runs

Each input is the bytes of one seed. The target fails (and libFuzzer saves the input under
``fuzz/work/crashes/``) when an exception escapes the parser, when a diagnostic is not one line
at a line of the file, when a seed that parsed is not a valid model, or when its page or
JSON-LD could be broken out of. The corpus starts from ``fuzz/corpus/`` (the shipped seed, the
test fixtures and hand-made variants) and grows in ``fuzz/work/corpus/``.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

import atheris

with atheris.instrument_imports(include=["pipeline", "markdown_it", "frontmatter"]):
    from fuzz.invariants import check_seed

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = HERE / "work"


def TestOneInput(data: bytes) -> None:
    """One fuzz input: a seed's bytes."""
    check_seed(data)


def _corpus() -> Path:
    corpus = WORK / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    sources = [
        *sorted((HERE / "corpus").glob("*.md")),
        *sorted((ROOT / "seeds").glob("*.md")),
        *sorted((ROOT / "tests" / "fixtures").rglob("*.md")),
    ]
    for source in sources:
        shutil.copy(source, corpus / source.name)
    return corpus


def main() -> None:
    """Run libFuzzer for ``--seconds`` on the parser target; extra arguments go to libFuzzer."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=300, help="How long to fuzz.")
    parser.add_argument("--runs", type=int, default=-1, help="Stop after this many inputs.")
    args, extra = parser.parse_known_args()
    crashes = WORK / "crashes"
    crashes.mkdir(parents=True, exist_ok=True)
    argv = [
        sys.argv[0],
        str(_corpus()),
        f"-max_total_time={args.seconds}",
        f"-runs={args.runs}",
        "-max_len=16384",
        "-timeout=10",
        f"-artifact_prefix={crashes}/",
        "-print_final_stats=1",
        *extra,
    ]
    atheris.Setup(argv, TestOneInput)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
