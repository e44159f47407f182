"""`pipeline import wger`: wger's fixtures and its API's answers make one seed a translation,
the translations of an exercise linked so that their pages name each other; scripts in a
description are left out and said so; a translation that makes no seed is named."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.config import Settings
from pipeline.diagnostics import Level
from pipeline.discover import read_seeds
from pipeline.engine import export
from pipeline.importers import Outcome
from pipeline.importers.wger import import_wger, read_description
from tests.conftest import ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "import" / "wger"
SEEDS = {"squats.md", "kniebeuge.de.md", "prisedaniya.ru.md"}
BASE = "https://gym.example.com/"


def _alternates(page: str) -> dict[str, str]:
    return dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', page))


def test_one_exercise_in_three_languages_makes_three_linked_seeds(tmp_path: Path) -> None:
    out = tmp_path / "seeds"
    report = import_wger(FIXTURES / "fixtures", out)
    assert report.outcomes == dict.fromkeys(SEEDS, Outcome.WRITTEN)
    assert report.diagnostics == []
    german = (out / "kniebeuge.de.md").read_text("utf-8")
    assert "translation_of: squats\n" in german and "\n## Ausführung\n" in german
    # The first paragraph's first sentence; not its "Bereite dich vor:", which leads into a list.
    summary = "Stelle die Halterung der Langhantel auf so eine Höhe ein, dass du sie bequem raus- "
    assert f'description: "{summary}und wieder reinbringen kannst."\n' in german
    assert 'muscles: ["Quads"]' in german and 'equipment: ["Barbell"]' in german
    assert 'license: "CC-BY-SA-3.0"' in german and 'author: "wger.de"' in german
    assert "source_url: https://wger.de/de/exercise/615/view-base" in german
    # The list items and the sentences around them, in the description's order.
    assert "2. die Stange ist etwas tiefer als Schulterhöhe\n" in german
    assert "Bereite dich vor:\n" not in german.split("<!-- howto -->")[0].split("---")[2]
    assert "Gehe nun langsam runter, bis der Oberschenkel einen rechten Winkel bildet" in german
    seeds = read_seeds([out], Settings())
    assert [d for d in seeds.diagnostics if d.level is Level.ERROR] == []
    site = tmp_path / "site"
    assert export([out], site, Settings(base_url=BASE), ["html"]).errors == 0
    versions = {
        "en": f"{BASE}squats/",
        "de": f"{BASE}de/kniebeuge/",
        "ru": f"{BASE}ru/prisedaniya/",
    }
    for path in ("squats", "de/kniebeuge", "ru/prisedaniya"):
        page = (site / "html" / path / "index.html").read_text("utf-8")
        assert _alternates(page) == {**versions, "x-default": versions["en"]}


def test_the_apis_answer_makes_the_same_seeds_as_the_fixtures(tmp_path: Path) -> None:
    import_wger(FIXTURES / "fixtures", tmp_path / "fixtures")
    import_wger(FIXTURES / "exerciseinfo.json", tmp_path / "api")
    for name in SEEDS:
        fixture = (tmp_path / "fixtures" / name).read_bytes()
        assert (tmp_path / "api" / name).read_bytes() == fixture, name


def test_wger_2_1s_exerciseinfo_one_translation_a_record_is_grouped_back(tmp_path: Path) -> None:
    page = json.loads((FIXTURES / "exerciseinfo.json").read_text("utf-8"))
    exercise = page["results"][0]
    facts = {k: v for k, v in exercise.items() if k != "translations"}
    records = [{**facts, **t, "exercise_base_id": 615} for t in exercise["translations"]]
    data = tmp_path / "exerciseinfo.json"
    data.write_text(json.dumps(records, ensure_ascii=False, indent=1), "utf-8")
    report = import_wger(data, tmp_path / "seeds")
    assert set(report.outcomes) == SEEDS
    assert "translation_of: squats" in (tmp_path / "seeds" / "kniebeuge.de.md").read_text("utf-8")


def test_lang_limits_the_languages_and_links_them_to_each_other(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "import",
            "wger",
            str(FIXTURES / "fixtures"),
            "--lang",
            "de",
            "--lang",
            "ru",
            "-o",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == (
        "2 translations: seeds 2 written, 0 updated, 0 unchanged, 0 kept; 0 skipped"
    )
    assert sorted(p.name for p in tmp_path.glob("*.md")) == ["kniebeuge.de.md", "prisedaniya.ru.md"]
    # No English seed: the German one is the version the Russian one translates.
    assert "translation_of: kniebeuge" in (tmp_path / "prisedaniya.ru.md").read_text("utf-8")
    assert [
        d for d in read_seeds([tmp_path], Settings()).diagnostics if d.level is Level.ERROR
    ] == []


def test_a_script_is_left_out_and_a_translation_without_text_is_named(tmp_path: Path) -> None:
    page = json.loads((FIXTURES / "exerciseinfo.json").read_text("utf-8"))
    translations = page["results"][0]["translations"]
    translations[1]["description"] += '<script>alert("x")</script><style>p{}</style>'
    translations.append({"id": 999, "name": "Sentadilla", "language": 4, "description": "<p> </p>"})
    data = tmp_path / "exerciseinfo.json"
    data.write_text(json.dumps(page, ensure_ascii=False, indent=1), "utf-8")
    report = import_wger(data, tmp_path / "seeds")
    assert set(report.outcomes) == SEEDS
    messages = [(d.level, d.line, d.message) for d in report.diagnostics]
    skipped = "has no description to make its steps from; skipped"
    assert messages == [
        (Level.WARNING, 6, "wger exercise 615 (en translation 111): its description's "
         "<script>, <style> left out"),
        (Level.ERROR, 6, f"wger exercise 615 (es translation 999): {skipped}"),
    ]  # fmt: skip
    text = (tmp_path / "seeds" / "squats.md").read_text("utf-8")
    assert "alert" not in text and "<script" not in text


def test_bad_input_is_named_and_writes_nothing(tmp_path: Path) -> None:
    data = tmp_path / "exerciseinfo.json"
    data.write_text('{"results": [\n  {"id": 1,}\n]}', "utf-8")
    report = import_wger(data, tmp_path / "seeds")
    ((problem),) = report.diagnostics
    assert (problem.line, problem.message.split(":")[0]) == (2, "is not JSON")
    data.write_text('{"count": 0}', "utf-8")
    (shape,) = import_wger(data, tmp_path / "seeds").diagnostics
    assert shape.message == "expected a list of wger exercise records"
    assert not (tmp_path / "seeds").exists() or not list((tmp_path / "seeds").iterdir())
    folder = tmp_path / "fixtures"
    shutil.copytree(FIXTURES / "fixtures", folder)
    (folder / "exercise-base-data.json").write_text("[]", "utf-8")
    orphans = import_wger(folder, tmp_path / "orphans")
    assert orphans.outcomes == {}
    assert orphans.diagnostics[0].message == (
        "wger translation 7: names the exercise 615, which exercise-base-data.json does not "
        "hold; skipped"
    )


def test_a_description_reads_as_its_blocks_in_order() -> None:
    blocks, dropped = read_description(
        "<p>Stand tall.</p><ul><li>Feet apart</li><li>Chest up<br>and out</li></ul>"
        "<script>x()</script><p>Go down &amp; up.</p>"
    )
    assert blocks == [
        (False, "Stand tall."),
        (True, "Feet apart"),
        (True, "Chest up"),
        (True, "and out"),
        (False, "Go down & up."),
    ]
    assert dropped == {"script"}
