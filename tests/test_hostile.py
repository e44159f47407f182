"""Seeds written to break the pipeline (``tests/fixtures/hostile/``): each ends as an error at
its own line, or is read as the text it is written with, and the others are exported."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

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
