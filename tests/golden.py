"""The golden outputs in ``tests/fixtures/golden`` and ``tests/fixtures/squat-golden``: how
they are made, and how to remake them (``python -m tests.golden``) when a change means to alter
what the exporters write."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import shutil
import sqlite3
import tempfile
from pathlib import Path

from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from bench.corpus import build_corpus
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


SQUAT = FIXTURES / "squat"
SQUAT_GOLDEN = FIXTURES / "squat-golden"
"""One exercise in four languages (``squat``), and everything an export of it writes, output by
output: the text files as they are, each PDF as the text it shows (``.pdf.txt``), the catalogue
as an SQL dump (``catalogue.sql``)."""

_PDF_METADATA = ("/Title", "/Subject", "/Keywords")


def pdf_text(data: bytes) -> str:
    """A PDF as its reader meets it: the title, subject and keywords a viewer shows, the
    document's language, then each page's text as pypdf extracts it (trailing spaces dropped,
    since they are where pypdf puts its guesses at gaps, not what the page says)."""
    reader = PdfReader(io.BytesIO(data))
    metadata: dict[str, object] = dict(reader.metadata or {})
    lines = [f"{key[1:]}: {metadata.get(key, '')}" for key in _PDF_METADATA]
    catalog = reader.trailer["/Root"].get_object()
    assert isinstance(catalog, DictionaryObject)
    lines.append(f"Lang: {catalog.get('/Lang', '')}")
    for number, page in enumerate(reader.pages, 1):
        lines.append(f"--- page {number} of {len(reader.pages)} ---")
        lines += [line.rstrip() for line in page.extract_text().splitlines()]
    return "\n".join(lines) + "\n"


def squat_outputs(work: Path) -> dict[str, bytes]:
    """The golden tree's files (their paths under it) and what a fresh export of every format
    writes for each: the squat fixture's four seeds, copied to ``work/seeds``."""
    seeds = work / "seeds"
    seeds.mkdir()
    for seed in sorted(SQUAT.glob("*.md")):
        if seed.name != "README.md":
            shutil.copy(seed, seeds / seed.name)
    # From inside ``work``, so the sources' paths are the same wherever it runs.
    with contextlib.chdir(work):
        report = export([Path("seeds")], Path("out"), SETTINGS, jobs=1)
    assert report.errors == 0 and not report.diagnostics, report.diagnostics
    out = work / "out"
    files: dict[str, bytes] = {}
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        name = path.relative_to(out).as_posix()
        if name == "catalogue.sqlite":
            files["catalogue.sql"] = catalogue_dump(path).encode()
        elif path.suffix == ".pdf":
            files[f"{name}.txt"] = pdf_text(path.read_bytes()).encode()
        else:
            files[name] = path.read_bytes()
    return files


CORPUS = GOLDEN / "corpus-1000.json"
"""A hash of each format's files in a full export of a 1,000-seed corpus (``bench.corpus``,
random seed 0): the whole tree's bytes, pinned in a few lines."""


def corpus_hashes(work: Path, jobs: int) -> dict[str, str]:
    """Per top-level output (a folder, or a file), a hash of the names and bytes of every file
    in it, after a full export of the 1,000-seed corpus with ``jobs`` workers."""
    if not (work / "seeds").exists():
        build_corpus(1000, work / "seeds")
    out = Path(f"out-{jobs}")
    with contextlib.chdir(work):
        report = export([Path("seeds")], out, SETTINGS, jobs=jobs)
        assert report.errors == 0, report.diagnostics[:3]
        hashes: dict[str, hashlib._Hash] = {}
        for path in sorted(p for p in out.rglob("*") if p.is_file()):
            name = path.relative_to(out).as_posix()
            digest = hashes.setdefault(name.split("/")[0], hashlib.sha256())
            digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return {name: digest.hexdigest() for name, digest in sorted(hashes.items())}


def main() -> None:
    """Rewrite the golden files from the current exporters."""
    from tests.card_pixels import write_goldens

    write_goldens()
    with tempfile.TemporaryDirectory() as work:
        for name, data in golden_outputs(Path(work)).items():
            (GOLDEN / name).write_bytes(data)
            print(f"wrote {GOLDEN / name}")
    with tempfile.TemporaryDirectory() as work:
        # Written anew, so a file the exporters no longer write goes from the tree too.
        shutil.rmtree(SQUAT_GOLDEN, ignore_errors=True)
        for name, data in squat_outputs(Path(work)).items():
            (SQUAT_GOLDEN / name).parent.mkdir(parents=True, exist_ok=True)
            (SQUAT_GOLDEN / name).write_bytes(data)
        print(f"wrote {SQUAT_GOLDEN}")
    with tempfile.TemporaryDirectory() as work:
        CORPUS.write_text(json.dumps(corpus_hashes(Path(work), 2), indent=2) + "\n")
        print(f"wrote {CORPUS}")


if __name__ == "__main__":
    main()
