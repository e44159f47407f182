"""The golden outputs in ``tests/fixtures/golden``: how they are made, and how to remake them
(``python -m tests.golden``) when a change means to alter the html or sqlite bytes."""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
import tempfile
from pathlib import Path

from pipeline.config import Settings
from pipeline.engine import export

FIXTURES = Path(__file__).parent / "fixtures"
GOLDEN = FIXTURES / "golden"
SEED = FIXTURES / "jsonld" / "hostile-curl.md"
SETTINGS = Settings(base_url="https://gym.example.com/exercises/")


def catalogue_dump(path: Path) -> str:
    """The catalogue at ``path`` as SQL, leaving out the search index's internal tables,
    whose bytes belong to SQLite's FTS5 rather than to the exporter."""
    db = sqlite3.connect(path)
    try:
        lines = [line for line in db.iterdump() if "exercises_fts_" not in line]
    finally:
        db.close()
    return "\n".join(lines) + "\n"


def golden_outputs(work: Path) -> dict[str, bytes]:
    """The golden files' names, each with what a fresh export of the seed writes for it."""
    (work / "seeds").mkdir()
    shutil.copy(SEED, work / "seeds" / SEED.name)
    out = work / "out"
    # From inside ``work``, so the catalogue's source_path is the same wherever it runs.
    with contextlib.chdir(work):
        report = export([Path("seeds")], Path("out"), SETTINGS, ["html", "sqlite"])
    assert report.errors == 0, report.diagnostics
    return {
        "hostile-curl.html": (out / "html" / "hostile-curl" / "index.html").read_bytes(),
        "index.html": (out / "html" / "index.html").read_bytes(),
        "catalogue.sql": catalogue_dump(out / "catalogue.sqlite").encode(),
    }


def main() -> None:
    """Rewrite the golden files from the current exporters."""
    with tempfile.TemporaryDirectory() as work:
        for name, data in golden_outputs(Path(work)).items():
            (GOLDEN / name).write_bytes(data)
            print(f"wrote {GOLDEN / name}")


if __name__ == "__main__":
    main()
