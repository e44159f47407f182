"""The ``html`` exporter: a standalone page per exercise that shows what its JSON-LD says."""

from __future__ import annotations

import json
import re
import shutil
from html import escape, unescape
from pathlib import Path

import pytest

from pipeline.config import Settings
from pipeline.diagnostics import PipelineError
from pipeline.engine import export
from pipeline.registry import get_exporter
from pipeline.validation import read_page, validate_html
from tests.conftest import exercise_of

FIXTURES = Path(__file__).parent / "fixtures" / "jsonld"
HOSTILE_SEED = FIXTURES / "hostile-curl.md"
SETTINGS = Settings(base_url="https://gym.example.com/exercises/")
SHIPPED = "leverage-machine-lying-leg-curl"


@pytest.fixture
def out(seeds_dir: Path) -> Path:
    """The shipped and the hostile seed exported as pages and as JSON-LD."""
    shutil.copy(HOSTILE_SEED, seeds_dir / HOSTILE_SEED.name)
    target = seeds_dir.parent / "out"
    report = export([seeds_dir], target, SETTINGS, ["html", "jsonld"])
    assert report.errors == 0 and report.warnings == 0, report.diagnostics
    return target


def test_a_page_and_an_index_per_export(out: Path) -> None:
    assert sorted(p.name for p in (out / "html").iterdir()) == [
        "hostile-curl.html",
        "index.html",
        f"{SHIPPED}.html",
    ]


def test_the_page_shows_everything_the_seed_says(out: Path, seeds_dir: Path) -> None:
    exercise = exercise_of(seeds_dir / f"{SHIPPED}.md")
    html = (out / "html" / f"{SHIPPED}.html").read_text("utf-8")
    page = read_page(html)
    assert f"<title>{exercise.title}</title>" in html
    assert f"<h1>{exercise.title}</h1>" in html
    visible = page.visible_text
    assert exercise.description in visible
    for item in exercise.setup + exercise.execution + exercise.tips + exercise.mistakes:
        assert item.text in visible
        assert item.label is None or item.label in visible
    for step in exercise.howto:
        assert step.name in visible and step.text in visible
    assert exercise.outro_text in visible
    for heading in ("Setup", "Execution", "Tips", "Common Mistakes", "How to do it"):
        assert f">{heading}<" in html
    assert '<iframe src="https://www.youtube.com/embed/vl5nUdE9mWM"' in html
    assert {"step-1", "step-2", "step-3", "step-4", "tip-1", "mistake-3"} <= page.anchors
    assert re.search(r'<li id="step-1"><h3>Adjust and Position Yourself</h3>', html)
    assert f'<link rel="canonical" href="https://gym.example.com/exercises/{SHIPPED}/">' in html


def test_the_page_carries_exactly_the_jsonld_document(out: Path) -> None:
    for slug in (SHIPPED, "hostile-curl"):
        html = (out / "html" / f"{slug}.html").read_text("utf-8")
        page = read_page(html)
        assert len(page.scripts) == 1
        expected = json.loads((out / "jsonld" / f"{slug}.jsonld").read_text("utf-8"))
        assert json.loads(page.scripts[0]) == expected
        snippet = (out / "jsonld" / f"{slug}.snippet.html").read_text("utf-8").strip()
        assert snippet in html


def test_every_generated_page_validates(out: Path) -> None:
    for path in sorted((out / "html").glob("*.html")):
        assert validate_html(path.read_text("utf-8")) == [], path


def test_hostile_text_is_escaped_everywhere(out: Path) -> None:
    exercise = exercise_of(HOSTILE_SEED)
    html = (out / "html" / "hostile-curl.html").read_text("utf-8")
    # The only script element is the JSON-LD one: no seed text opens or closes another.
    assert html.count("<script") == 1 and html.count("</script") == 1
    assert "<!--" not in html
    assert f"<h1>{escape(exercise.title)}</h1>" in html
    assert f'content="{escape(exercise.description)}"' in html
    visible = read_page(html).visible_text
    for text in (exercise.title, exercise.equipment[0], exercise.aliases[0], exercise.outro_text):
        assert text in visible
    assert exercise.howto[0].text.split("\n\n")[1] in visible
    index = (out / "html" / "index.html").read_text("utf-8")
    assert index.count("<script") == 1 and escape(exercise.title) in index


def test_the_page_loads_nothing_but_the_video(out: Path) -> None:
    html = (out / "html" / f"{SHIPPED}.html").read_text("utf-8")
    sources = re.findall(r'\ssrc="([^"]*)"', html)
    assert sources == ["https://www.youtube.com/embed/vl5nUdE9mWM"]
    assert not re.search(r"<link[^>]+stylesheet|@import|url\(|@font-face|<script src", html)
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', html)
    assert policy is not None
    # No script may run: none is allowed, so default-src 'none' applies to scripts.
    assert unescape(policy.group(1)).startswith("default-src 'none';")
    assert "script-src" not in policy.group(1)


def test_the_index_links_every_exercise(out: Path) -> None:
    html = (out / "html" / "index.html").read_text("utf-8")
    links = re.findall(r'<a href="([^"]+)"', html)
    assert links == ["hostile-curl.html", f"{SHIPPED}.html"]
    assert all((out / "html" / link).is_file() for link in links)
    document = json.loads(read_page(html).scripts[0])
    items = document["@graph"][1]["itemListElement"]
    assert [i["url"] for i in items] == [
        "https://gym.example.com/exercises/hostile-curl/",
        f"https://gym.example.com/exercises/{SHIPPED}/",
    ]


def test_each_page_links_back_to_the_index(out: Path) -> None:
    html = (out / "html" / f"{SHIPPED}.html").read_text("utf-8")
    assert '<a href="index.html">Exercises</a>' in html


def test_the_html_exporter_needs_a_base_url() -> None:
    with pytest.raises(PipelineError, match="base_url"):
        get_exporter("html")(Settings()).check_settings()
