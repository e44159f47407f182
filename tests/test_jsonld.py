"""The ``jsonld`` exporter: the schema.org HowTo graph of each seed, and its safe serialisation."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.config import Settings
from pipeline.diagnostics import Level, PipelineError
from pipeline.engine import export
from pipeline.jsonld import dumps_script_safe, exercise_document, indented_json, script_element
from pipeline.model import Exercise
from pipeline.registry import get_exporter
from pipeline.validation import validate_document, validate_jsonld
from tests.complexity import tangled
from tests.conftest import exercise_of

HOSTILE_SEED = Path(__file__).parent / "fixtures" / "jsonld" / "hostile-curl.md"
BASE = "https://gym.example.com/exercises/"
SETTINGS = Settings(base_url=BASE)
SHIPPED_PAGE = f"{BASE}leverage-machine-lying-leg-curl/"


@pytest.fixture
def shipped(seeds_dir: Path) -> Exercise:
    """The shipped seed, parsed."""
    return exercise_of(next(seeds_dir.glob("*.md")))


@pytest.fixture
def hostile() -> Exercise:
    """A seed with every field set, each full of </script>, <!--, & and <script>."""
    return exercise_of(HOSTILE_SEED)


def _nodes(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {node["@type"]: node for node in document["@graph"]}


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def test_the_shipped_seed_gives_page_breadcrumb_and_howto(shipped: Exercise) -> None:
    document = exercise_document(shipped, SETTINGS)
    assert document["@context"] == "https://schema.org"
    nodes = _nodes(document)
    assert list(nodes) == ["WebPage", "BreadcrumbList", "HowTo"]
    page, crumbs, howto = nodes["WebPage"], nodes["BreadcrumbList"], nodes["HowTo"]
    assert page["url"] == SHIPPED_PAGE
    assert page["mainEntity"] == {"@id": f"{SHIPPED_PAGE}#howto"}
    assert [(c["position"], c["item"]) for c in crumbs["itemListElement"]] == [
        (1, BASE),
        (2, SHIPPED_PAGE),
    ]
    assert howto["name"] == "Leverage Machine Lying Leg Curl"
    assert howto["description"] == shipped.description
    assert howto["inLanguage"] == "en"
    steps = howto["step"]
    assert [(s["position"], s["name"], s["text"]) for s in steps] == [
        (n, step.name, step.text) for n, step in enumerate(shipped.howto, 1)
    ]
    assert [s["url"] for s in steps] == [f"{SHIPPED_PAGE}#step-{n}" for n in range(1, 5)]
    assert [s["@id"] for s in steps] == [s["url"] for s in steps]


def test_ids_are_a_pure_function_of_the_page_url(shipped: Exercise) -> None:
    settings = Settings(base_url="https://other.example/", url_pattern="{base_url}how-to/{slug}")
    document = exercise_document(shipped, settings)
    page = "https://other.example/how-to/leverage-machine-lying-leg-curl"
    ids = sorted(node["@id"] for node in document["@graph"])
    assert ids == [f"{page}#breadcrumb", f"{page}#howto", f"{page}#webpage"]
    assert exercise_document(shipped, settings) == document


def test_tips_and_mistakes_are_howto_tips_inside_the_last_step(shipped: Exercise) -> None:
    howto = _nodes(exercise_document(shipped, SETTINGS))["HowTo"]
    assert all(step["@type"] == "HowToStep" for step in howto["step"])
    *others, last = howto["step"]
    assert all("itemListElement" not in step for step in others)
    tips = last["itemListElement"]
    assert {tip["@type"] for tip in tips} == {"HowToTip"}
    assert [tip["text"] for tip in tips] == [i.text for i in shipped.tips + shipped.mistakes]
    assert tips[0]["name"] == "Maintain Control"
    # An unlabelled mistake is named by its section so it does not read as advice.
    assert tips[-1] == {
        "@type": "HowToTip",
        "@id": f"{SHIPPED_PAGE}#mistake-3",
        "name": "Common Mistakes",
        "text": "Not completing the full range of motion.",
    }


def test_no_text_is_markdown_or_starts_with_step(shipped: Exercise, hostile: Exercise) -> None:
    for exercise in (shipped, hostile):
        for text in _strings(exercise_document(exercise, SETTINGS)):
            assert not text.lower().startswith("step 1"), text
            assert "**" not in text
            assert "<!-- howto" not in text


def test_a_video_with_its_upload_date_is_a_video_object(hostile: Exercise) -> None:
    nodes = _nodes(exercise_document(hostile, SETTINGS))
    page = f"{BASE}hostile-curl/"
    video = nodes["VideoObject"]
    assert video["@id"] == f"{page}#video"
    assert video["embedUrl"] == "https://www.youtube.com/embed/vl5nUdE9mWM"
    assert video["thumbnailUrl"] == "https://i.ytimg.com/vi/vl5nUdE9mWM/hqdefault.jpg"
    assert video["uploadDate"] == "2024-03-01"
    assert video["name"] == hostile.title
    howto = nodes["HowTo"]
    assert howto["video"] == {"@id": f"{page}#video"}
    assert [t["name"] for t in howto["tool"]] == list(hostile.equipment)
    assert [m["name"] for m in howto["about"]] == list(hostile.muscles)
    assert howto["dateModified"] == "2024-04-02"
    assert [image["contentUrl"] for image in howto["image"]] == [p.src for p in hostile.images]


def test_without_an_upload_date_the_video_is_left_out_with_a_note(seeds_dir: Path) -> None:
    out = seeds_dir.parent / "out"
    report = export([seeds_dir], out, SETTINGS, ["jsonld"])
    assert report.errors == 0 and report.warnings == 0
    notes = [d for d in report.diagnostics if d.level is Level.NOTE]
    assert len(notes) == 1 and "upload date" in notes[0].message
    document = json.loads((out / "jsonld/leverage-machine-lying-leg-curl.jsonld").read_text())
    assert "VideoObject" not in _nodes(document)
    assert "video" not in _nodes(document)["HowTo"]


HOSTILE = "</script><script>alert(1)</script> & <!-- \u2028 \u2029 > <"


def test_script_safe_serialisation_escapes_and_round_trips() -> None:
    document = {"name": HOSTILE, "nested": [HOSTILE, {"x": "\\<"}]}
    text = dumps_script_safe(document)
    assert not any(c in text for c in "<>&\u2028\u2029")
    assert "\\u003c/script\\u003e" in text and "\\u0026" in text and "\\u2028" in text
    assert json.loads(text) == document
    element = script_element(document)
    assert element.count("<script") == 1 and element.count("</script") == 1


@given(st.text())
def test_any_text_survives_the_script_safe_serialisation(value: str) -> None:
    text = dumps_script_safe({"text": value})
    assert not any(c in text for c in "<>&\u2028\u2029")
    assert json.loads(text) == {"text": value}


def test_a_missing_base_url_names_the_setting() -> None:
    with pytest.raises(PipelineError) as caught:
        get_exporter("jsonld")(Settings()).check_settings()
    message = str(caught.value)
    for where in (
        "base_url",
        "[tool.pipeline]",
        "pipeline.toml",
        "PIPELINE_BASE_URL",
        "--base-url",
    ):
        assert where in message


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        (Settings(base_url="exercises/"), "base_url"),
        (Settings(base_url="ftp://example.org/"), "base_url"),
        (Settings(base_url=BASE, url_pattern="{base_url}{name}/"), "url_pattern"),
        (Settings(base_url=BASE, url_pattern="/{slug}/"), "url_pattern"),
    ],
)
def test_a_bad_base_url_or_pattern_is_refused(settings: Settings, named: str) -> None:
    with pytest.raises(PipelineError, match=named):
        get_exporter("jsonld")(settings).check_settings()


def test_export_without_base_url_fails_cleanly(
    runner: CliRunner, seeds_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(seeds_dir.parent)  # no pyproject.toml here
    result = runner.invoke(app, ["export", str(seeds_dir), "-f", "jsonld"])
    assert result.exit_code == 2
    assert "base_url" in result.output and "Traceback" not in result.output
    assert not (seeds_dir.parent / "outputs").exists()


def test_base_url_from_environment_and_option(
    runner: CliRunner, seeds_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(seeds_dir.parent)
    monkeypatch.setenv("PIPELINE_BASE_URL", "https://env.example/")
    result = runner.invoke(app, ["export", str(seeds_dir), "-f", "jsonld", "-o", "a"])
    assert result.exit_code == 0, result.output
    assert "https://env.example/leverage" in (seeds_dir.parent / "a/jsonld").joinpath(
        "leverage-machine-lying-leg-curl.jsonld"
    ).read_text("utf-8")
    result = runner.invoke(
        app, ["export", str(seeds_dir), "-f", "jsonld", "-o", "b", "--base-url", "https://cli.ex/"]
    )
    assert result.exit_code == 0, result.output
    text = (seeds_dir.parent / "b/jsonld/leverage-machine-lying-leg-curl.jsonld").read_text()
    assert "https://cli.ex/leverage" in text and "env.example" not in text


@pytest.fixture
def exported(seeds_dir: Path) -> Path:
    """The shipped and the hostile seed exported by the jsonld exporter."""
    shutil.copy(HOSTILE_SEED, seeds_dir / HOSTILE_SEED.name)
    out = seeds_dir.parent / "out"
    report = export([seeds_dir], out, SETTINGS, ["jsonld"])
    # The hostile seed's muscle is no muscle the vocabulary knows: that is its one warning.
    warnings = [d.message for d in report.diagnostics if d.level is Level.WARNING]
    assert report.errors == 0 and len(warnings) == 1, report.diagnostics
    assert warnings[0].startswith("unknown muscle 'hamstrings </script> & <!--'")
    return out / "jsonld"


def test_every_generated_document_is_valid_and_matches_its_snippet(exported: Path) -> None:
    documents = sorted(exported.glob("*.jsonld"))
    assert [p.name for p in documents] == [
        "hostile-curl.jsonld",
        "leverage-machine-lying-leg-curl.jsonld",
    ]
    for path in documents:
        text = path.read_text("utf-8")
        assert validate_jsonld(text) == [], path
        assert validate_document(json.loads(text)) == []
        snippet = path.with_name(path.name.replace(".jsonld", ".snippet.html")).read_text()
        assert snippet == f'<script type="application/ld+json">\n{text}</script>\n'
        assert not any(c in text for c in "<>&")


def test_the_hostile_seed_round_trips(exported: Path, hostile: Exercise) -> None:
    document = json.loads((exported / "hostile-curl.jsonld").read_text("utf-8"))
    assert document == exercise_document(hostile, SETTINGS)
    howto = _nodes(document)["HowTo"]
    assert howto["name"] == "Curl </script><script>alert(1)</script> & <!-- x"
    assert howto["step"][0]["text"] == hostile.howto[0].text


def test_two_exports_are_byte_identical(seeds_dir: Path) -> None:
    shutil.copy(HOSTILE_SEED, seeds_dir / HOSTILE_SEED.name)
    first, second = seeds_dir.parent / "one", seeds_dir.parent / "two"
    export([seeds_dir], first, SETTINGS, ["jsonld", "html"])
    export([seeds_dir], second, SETTINGS, ["jsonld", "html"])
    files = sorted(
        p.relative_to(first)
        for folder in ("html", "jsonld")
        for p in (first / folder).rglob("*")
        if p.is_file()
    )
    assert len(files) == 12  # the site's sitemap, robots.txt and finder data; two pictures
    for relative in files:
        assert (first / relative).read_bytes() == (second / relative).read_bytes(), relative


def test_no_part_of_the_json_ld_builder_is_too_tangled_to_read_at_once() -> None:
    assert tangled("jsonld.py") == []


def test_a_translations_breadcrumb_starts_at_its_languages_index(tmp_path: Path) -> None:
    # The page's breadcrumb links ../, the German index page; the JSON-LD must say the same,
    # not the English one at base_url.
    seed = tmp_path / "kniebeuge.de.md"
    seed.write_text(
        "---\ndescription: d\n---\n## Ausführung\n1. Los.\n\n<!-- howto -->\n\n### Los\nLos.\n",
        "utf-8",
    )
    nodes = _nodes(exercise_document(exercise_of(seed), SETTINGS))
    first, last = nodes["BreadcrumbList"]["itemListElement"]
    assert (first["name"], first["item"]) == ("Übungen", f"{BASE}de/")
    assert last["item"] == f"{BASE}de/kniebeuge/"


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(max_size=5), inner, max_size=4)
    ),
    max_leaves=20,
)


@given(_JSON)
def test_the_quick_indented_json_is_the_standard_encoders(document: object) -> None:
    """JSON-LD is written by a quicker encoder than the standard one: the same text."""
    assert indented_json(document) == json.dumps(document, indent=2, ensure_ascii=False)


def test_what_the_quick_encoder_does_not_know_goes_to_the_standard_one() -> None:
    """An enum, a dict with numbers for keys: the standard encoder's text still."""
    document = {"level": Level.WARNING, 1: [Level.NOTE], "x": {2.5: None}}
    assert indented_json(document) == json.dumps(document, indent=2, ensure_ascii=False)
