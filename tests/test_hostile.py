"""Seeds written to break the pipeline (``tests/fixtures/hostile/``): each ends as an error at
its own line, or is read as the text it is written with, and the others are exported."""

from __future__ import annotations

import json
import os
import sqlite3
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
    report = export([seeds], tmp_path / "out", SITE, ["json"], jobs=1)
    assert report.errors == 0 and len(report.seeds) == 2


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
