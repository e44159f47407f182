"""Seeds written to break the pipeline (``tests/fixtures/hostile/``): each ends as an error at
its own line, or is read as the text it is written with, and the others are exported."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from pipeline.config import Settings
from pipeline.diagnostics import Level
from pipeline.engine import export

HOSTILE = Path(__file__).parent / "fixtures" / "hostile"
SITE = Settings(base_url="https://gym.example.com/exercises/")

REFUSED = {
    # YAML standard tags with values that are not of their type: the field says what is wrong.
    "tag-timestamp.md": (2, "updated: 'soon' is not a date"),
    "tag-int-empty.md": (2, "title: is empty"),
    "tag-float-empty.md": (2, "title: is empty"),
    # A line break after the video id, percent-encoded in a URL.
    "video-newline.md": (2, "is not a YouTube video"),
    # Dates written as numbers that are not ISO 8601 dates.
    "date-year.md": (2, "updated: '2024' is not a date"),
    "date-epoch.md": (3, "video_uploaded: '86400' is not a date"),
    # An image URL that would carry a line break, markup or a space into every output.
    "image-markup.md": (2, "holds a line break, which a URL cannot: percent-encode it"),
    "image-space.md": (2, "holds a space, which a URL cannot"),
}


@pytest.fixture(scope="module", params=[1, 2], ids=["jobs-1", "jobs-2"])
def exported(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp(f"hostile-{request.param}") / "out"
    report = export([HOSTILE], out, SITE, jobs=request.param)
    errors = {Path(d.path).name: d for d in report.diagnostics if d.level is Level.ERROR}
    assert errors.keys() == REFUSED.keys()
    for name, (line, text) in REFUSED.items():
        assert errors[name].line == line, name
        assert text in errors[name].message, name
    assert sorted(Path(p).name for p in report.failed) == sorted(REFUSED)
    return out


def test_every_other_seed_is_exported(exported: Path) -> None:
    published = {p.stem for p in (exported / "json").glob("*.json")}
    seeds = {p.stem for p in HOSTILE.glob("*.md") if p.name != "README.md"}
    assert published == seeds - {Path(n).stem for n in REFUSED}
    with sqlite3.connect(exported / "catalogue.sqlite") as db:
        slugs = {slug for (slug,) in db.execute("SELECT slug FROM exercises")}
    assert slugs == published


def test_tagged_scalars_are_read_as_the_text_they_are_written_with(exported: Path) -> None:
    model = json.loads((exported / "json" / "tag-bool.json").read_text())
    assert model["title"] == "maybe"
    assert json.loads((exported / "json" / "tag-int-dash.json").read_text())["title"] == "-"
    assert json.loads((exported / "json" / "tag-int-alias.json").read_text())["aliases"] == ["_"]


def test_a_video_id_is_exactly_eleven_characters_and_a_basic_iso_date_is_a_date(
    exported: Path,
) -> None:
    # Quoted with its line break, the id is read without it (the value is stripped); an
    # ISO 8601 date in its basic form, 20240501, is that date, not a number of seconds.
    model = json.loads((exported / "json" / "video-id-newline.json").read_text())
    assert model["video_id"] == "vl5nUdE9mWM"
    dated = json.loads((exported / "json" / "date-basic.json").read_text())
    assert dated["video_uploaded"] == "2024-05-01"
    for path in exported.rglob("*"):
        if path.is_file() and path.suffix in (".json", ".jsonld", ".html"):
            assert "vl5nUdE9mWM\\n" not in path.read_text("utf-8"), path


def test_a_seed_slugged_index_has_its_own_page_and_the_index_stays_the_index(
    exported: Path,
) -> None:
    assert (exported / "html" / "index" / "index.html").is_file()
    index = (exported / "html" / "index.html").read_text("utf-8")
    assert 'href="index/"' in index
    assert "ItemList" in index


def _tree_with(tmp_path: Path) -> Path:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "curl.md").write_bytes((HOSTILE / "tag-bool.md").read_bytes())
    return seeds


@pytest.mark.parametrize("jobs", [1, 2])
def test_links_back_up_the_tree_and_link_loops_read_each_real_file_once(
    tmp_path: Path, jobs: int
) -> None:
    seeds = _tree_with(tmp_path)
    (seeds / "again").symlink_to(".")  # the folder itself
    (seeds / "loop.md").symlink_to("loop.md")
    (seeds / "a.md").symlink_to("b.md")
    (seeds / "b.md").symlink_to("a.md")
    (seeds / "alias.md").symlink_to("curl.md")
    report = export([seeds], tmp_path / "out", SITE, jobs=jobs)
    assert report.seeds == [(seeds / "curl.md").as_posix()]
    assert report.errors == 0
    said = {(Path(d.path).name, d.level): d.message for d in report.diagnostics}
    loops = "a symbolic link that loops or leads nowhere: not followed"
    for name in ("loop.md", "a.md", "b.md"):
        assert said[(name, Level.WARNING)] == loops
    assert "which is read already: read once" in said[("alias.md", Level.NOTE)]
    assert [p.name for p in (tmp_path / "out" / "json").iterdir()] == ["curl.json"]


def test_a_seed_fifteen_hundred_folders_deep_is_found(tmp_path: Path) -> None:
    seeds = _tree_with(tmp_path)
    deep = seeds
    for _ in range(1500):  # one by one: pathlib's own mkdir(parents=True) recurses
        deep = deep / "d"
        deep.mkdir()
    (deep / "deep.md").write_bytes((HOSTILE / "tag-int-dash.md").read_bytes())
    try:
        report = export([seeds], tmp_path / "out", SITE, ["json"], jobs=1)
        assert report.errors == 0 and len(report.seeds) == 2
    finally:  # from the bottom up: shutil.rmtree, which cleans up tmp_path, recurses
        (deep / "deep.md").unlink()
        while deep != seeds:
            deep.rmdir()
            deep = deep.parent


def test_a_folder_that_cannot_be_read_is_one_warning_and_the_rest_is_exported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seeds = _tree_with(tmp_path)
    (seeds / "locked").mkdir()
    (seeds / "locked" / "hidden.md").write_bytes((HOSTILE / "tag-bool.md").read_bytes())
    real = os.scandir

    def scandir(path: str) -> Any:
        if path.endswith("locked"):  # as mode 000 is for anyone but root
            raise PermissionError(13, "Permission denied", path)
        return real(path)

    monkeypatch.setattr("pipeline.discover.os.scandir", scandir)
    report = export([seeds], tmp_path / "out", SITE, ["json"], jobs=1)
    assert report.seeds == [(seeds / "curl.md").as_posix()]
    (warning,) = [d for d in report.diagnostics if d.level is Level.WARNING]
    assert (warning.path, warning.message) == (
        (seeds / "locked").as_posix(),
        "cannot read this folder (Permission denied): its seeds are left out",
    )


def test_a_fifo_put_where_a_seed_was_is_an_error_not_a_hang(tmp_path: Path) -> None:
    fifo = tmp_path / "swapped.md"
    os.mkfifo(fifo)
    # In a child process with a time limit: were the read to block, the test would not hang.
    code = (
        "import sys; from pathlib import Path; from pipeline.parser import parse_seed; "
        "r = parse_seed(Path(sys.argv[1])); print([str(d) for d in r.diagnostics])"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(fifo)], capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(
        [f"{fifo.as_posix()}:1: error: cannot read the file: not a regular file"]
    )


def test_a_hot_journal_left_beside_the_old_catalogue_is_not_rolled_into_the_new(
    tmp_path: Path,
) -> None:
    seeds = _tree_with(tmp_path)
    out = tmp_path / "out"
    export([seeds], out, SITE, ["sqlite"], jobs=1)
    catalogue = out / "catalogue.sqlite"
    # A tool that dies in the middle of a write transaction on the old file.
    crash = (
        "import os, sqlite3, sys; db = sqlite3.connect(sys.argv[1], isolation_level=None); "
        "db.execute('PRAGMA journal_mode=DELETE'); db.execute('BEGIN'); "
        "db.execute('DELETE FROM exercises_fts'); db.execute('UPDATE exercises SET title = 1'); "
        "os._exit(9)"
    )
    subprocess.run([sys.executable, "-c", crash, str(catalogue)], check=False)
    assert catalogue.with_name("catalogue.sqlite-journal").exists()
    (seeds / "curl.md").write_text((seeds / "curl.md").read_text() + "\\n", "utf-8")
    export([seeds], out, SITE, ["sqlite"], jobs=1)
    assert not catalogue.with_name("catalogue.sqlite-journal").exists()
    with sqlite3.connect(catalogue) as db:  # read-write, as search and Datasette open it
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert db.execute("SELECT slug, title FROM exercises").fetchall() == [("curl", "maybe")]


def test_search_arguments_out_of_range_or_not_text_are_usage_errors(tmp_path: Path) -> None:
    seeds = _tree_with(tmp_path)
    out = tmp_path / "out"
    export([seeds], out, SITE, ["sqlite"], jobs=1)
    db = str(out / "catalogue.sqlite")
    command = [sys.executable, "-m", "pipeline", "search", "--db", db]
    huge = subprocess.run([*command, "--limit", str(2**63), "curl"], capture_output=True)
    assert huge.returncode == 2
    assert b"9223372036854775808 is more than 9223372036854775807" in huge.stderr
    assert b"Traceback" not in huge.stderr
    # Bytes the terminal's encoding cannot decode reach the program as surrogates.
    raw = subprocess.run([*command, os.fsdecode(b"\xff\xfe")], capture_output=True)
    assert raw.returncode == 2
    assert raw.stderr == b"error: the search words are not UTF-8 text: b'\\xff\\xfe'\n"


def test_a_seed_whose_name_is_not_utf8_is_named_escaped_and_the_rest_exported(
    tmp_path: Path,
) -> None:
    seeds = _tree_with(tmp_path)
    name = os.fsdecode(b"caf\xe9.md")
    (seeds / name).write_bytes((HOSTILE / "tag-int-dash.md").read_bytes())
    out = tmp_path / "out"
    report = export([seeds], out, SITE, jobs=2)
    (error,) = [d for d in report.diagnostics if d.level is Level.ERROR]
    assert error.path == f"{seeds.as_posix()}/caf\\xe9.md"
    assert error.message == "the seed's name is not UTF-8 text: it is not read; rename it"
    assert report.seeds == [(seeds / "curl.md").as_posix()]
    assert (out / "catalogue.sqlite").is_file() and (out / "cards.pdf").is_file()


def test_a_stale_output_that_could_not_be_removed_is_removed_by_a_later_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seeds = _tree_with(tmp_path)
    (seeds / "gone.md").write_bytes((HOSTILE / "tag-int-dash.md").read_bytes())
    out = tmp_path / "out"
    export([seeds], out, SITE, ["json"], jobs=1)
    (seeds / "gone.md").unlink()
    stuck = out / "json" / "gone.json"
    real = Path.unlink

    def unlink(self: Path, missing_ok: bool = False) -> None:
        if self == stuck:  # a read-only folder, for anyone but root
            raise PermissionError(13, "Permission denied", str(self))
        real(self, missing_ok)

    with monkeypatch.context() as patch:
        patch.setattr(Path, "unlink", unlink)
        first = export([seeds], out, SITE, ["json"], jobs=1)
    assert stuck.exists()
    assert any("cannot remove a stale output" in d.message for d in first.diagnostics)
    later = export([seeds], out, SITE, ["json"], jobs=1)  # nothing else changed
    assert later.removed == ["json/gone.json"]
    assert not stuck.exists()


def test_validate_refuses_what_it_cannot_answer_in_bounded_time(tmp_path: Path) -> None:
    from pipeline.validation import UnreadableFileError, check_file

    step = {"@type": "HowToStep", "name": "s", "text": "t"}
    huge = {
        "@context": "https://schema.org",
        "@type": "HowTo",
        "name": "x",
        "step": [step] * 20_000,
    }
    (tmp_path / "huge.jsonld").write_text(json.dumps(huge))
    scoped = {
        "@context": "https://schema.org",
        "@type": "HowTo",
        "name": "x",
        "step": [{"@context": {"@vocab": "https://schema.org/"}, **step}] * 100,
    }
    (tmp_path / "scoped.jsonld").write_text(json.dumps(scoped))
    started = time.perf_counter()
    (problem,) = check_file(tmp_path / "huge.jsonld").problems
    assert problem.message == "holds 20,001 JSON objects, over the 4,000 validated"
    (problem,) = check_file(tmp_path / "scoped.jsonld").problems
    assert problem.message == "holds 101 @context keys, over the 16 validated"
    assert time.perf_counter() - started < 10
    os.mkfifo(tmp_path / "fifo.jsonld")
    with pytest.raises(UnreadableFileError, match="not a regular file"):
        check_file(tmp_path / "fifo.jsonld")
    (tmp_path / "big.jsonld").write_bytes(b" " * (3 * 1024 * 1024))
    with pytest.raises(UnreadableFileError, match="over the 2 MiB validate reads"):
        check_file(tmp_path / "big.jsonld")


@pytest.mark.parametrize("shape", ["300 equipment items", "two 1,500-word badges"])
def test_badges_that_do_not_fit_a_page_go_on_to_the_next_and_nothing_falls_off(
    shape: str, tmp_path: Path
) -> None:
    import pdfplumber

    base = (HOSTILE / "tag-bool.md").read_text("utf-8")
    if shape == "300 equipment items":
        words = [f"machine part {n}" for n in range(300)]
        facts = "equipment: [" + ", ".join(words) + "]"
    else:
        words = [f"w{n}" for n in range(3000)]
        facts = f"equipment:\n  - {' '.join(words[:1500])}\n  - {' '.join(words[1500:])}"
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "many.md").write_text(base.replace("title: !!bool maybe", f"title: Many\n{facts}"))
    export([seeds], tmp_path / "out", SITE, ["pdf"], jobs=1)
    with pdfplumber.open(tmp_path / "out" / "cards" / "many.pdf") as pdf:
        assert len(pdf.pages) >= 2
        text = " ".join((page.extract_text() or "").replace("\n", " ") for page in pdf.pages)
        for page in pdf.pages:  # every character inside its page
            assert all(c["top"] >= 0 and c["bottom"] <= page.height for c in page.chars)
    found = set(text.split(" "))
    if shape == "300 equipment items":
        assert all(f"machine part {n} " in f"{text} " for n in range(300))
    else:
        assert set(words) <= found
