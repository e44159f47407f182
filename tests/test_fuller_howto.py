"""A fuller HowTo: what the exercise uses up (``supplies``) and the time it takes (``time``),
on the page, the card, the catalogue and in the markup, and the optional ExercisePlan type
for consumers of schema.org's health-lifesci terms."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from pipeline.config import Settings
from pipeline.engine import export
from pipeline.parser import parse_seed
from pipeline.prescription import parse_total_time
from pipeline.validation import validate_document, validate_file

SETTINGS = Settings(base_url="https://example.org/")
PLAN = Settings(base_url="https://example.org/", exercise_plan=True)


@pytest.mark.parametrize(
    ("written", "seconds"),
    [
        ("12 min", 720),
        ("90s", 90),
        ("1:30", 90),
        ("PT12M", 720),
        ("PT1H5M", 3900),
        ("1:05:00", 3900),
        ("1 min 30 s", 90),
    ],
)
def test_the_time_is_read_as_people_write_it(written: str, seconds: int) -> None:
    assert parse_total_time(written) == seconds


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("time: soon", "'soon' is not a time"),
        ("time: 5:00:00", "not a time from 1 second to 4 hours"),
        ("time: PT5H", "not a time from 1 second to 4 hours"),
        ("time: PT0S", "'PT0S' is not a time"),
    ],
)
def test_a_time_that_cannot_be_right_is_an_error_at_its_line(
    leg_curl: Callable[..., Path], extra: str, message: str
) -> None:
    result = parse_seed(leg_curl(extra))
    assert result.exercise is None
    [error] = [d for d in result.diagnostics if d.level.value == "error"]
    assert error.line == 3 and message in error.message, error
    assert "e.g. time: 12 min" in error.message


def _howto(path: Path, settings: Settings) -> dict[str, Any]:
    from pipeline.jsonld import exercise_document

    exercise = parse_seed(path).exercise
    assert exercise is not None
    document = exercise_document(exercise, settings)
    assert validate_document(document) == []
    return next(n for n in document["@graph"] if "HowTo" in n["@type"])


def test_supplies_and_the_time_are_in_the_howto(leg_curl: Callable[..., Path]) -> None:
    path = leg_curl("equipment: [leg curl machine]\nsupplies: [towel, chalk]\ntime: 8 min")
    howto = _howto(path, SETTINGS)
    assert howto["tool"] == [{"@type": "HowToTool", "name": "leg curl machine"}]
    assert howto["supply"] == [
        {"@type": "HowToSupply", "name": "towel"},
        {"@type": "HowToSupply", "name": "chalk"},
    ]
    assert howto["totalTime"] == "PT8M"
    # Not typed as a plan unless asked: the setting is off by default.
    assert howto["@type"] == "HowTo"


def test_without_them_the_howto_has_neither(leg_curl: Callable[..., Path]) -> None:
    howto = _howto(leg_curl("sets: 3"), PLAN)
    assert "supply" not in howto and "totalTime" not in howto


def test_the_exercise_plan_carries_the_prescription(leg_curl: Callable[..., Path]) -> None:
    path = leg_curl("category: strength\nsets: 3\nreps: 10-12\nrest: 90s\ntempo: 31X0\ntime: 8 min")
    howto = _howto(path, PLAN)
    assert howto["@type"] == ["HowTo", "ExercisePlan"]
    assert howto["exerciseType"] == "strength"
    assert howto["repetitions"] == {"@type": "QuantitativeValue", "minValue": 10, "maxValue": 12}
    assert howto["restPeriods"] == {"@type": "QuantitativeValue", "value": 90, "unitCode": "SEC"}
    assert howto["activityDuration"] == "PT8M"
    assert howto["additionalVariable"] == ["3 sets", "Tempo 3-1-X-0"]
    # One number of reps is a number.
    assert _howto(leg_curl("reps: 10"), PLAN)["repetitions"] == 10


def test_no_prescription_no_plan(leg_curl: Callable[..., Path]) -> None:
    # Settings or a time alone are no sets, reps or rest: nothing to plan.
    howto = _howto(leg_curl("settings: {seat: 4}\ntime: 8 min"), PLAN)
    assert howto["@type"] == "HowTo" and "repetitions" not in howto


def test_the_plan_is_in_the_seeds_language(leg_curl: Callable[..., Path]) -> None:
    howto = _howto(leg_curl("sets: 4\nreps: 6-8", name="beinbeuger.de.md"), PLAN)
    assert howto["additionalVariable"] == ["4 Sätze"]


def test_the_page_the_card_and_the_catalogue_show_them(
    leg_curl: Callable[..., Path], tmp_path: Path
) -> None:
    leg_curl("supplies: [towel]\nsets: 3\ntime: 8 min")
    leg_curl("supplies: [Handtuch]\nsets: 3\ntime: 1:05:00", name="beinbeuger.de.md")
    out = tmp_path / "out"
    assert export([tmp_path / "seeds"], out, PLAN, jobs=1).errors == 0
    page = out / "html" / "leg-curl" / "index.html"
    text = page.read_text("utf-8")
    assert "<dt>Supplies</dt><dd>towel</dd>" in text
    assert "<li>Total time 8 min</li>" in text
    # The page shows every supply it marks up: the validator's parity check passes.
    assert validate_file(page) == []
    german = (out / "html" / "de" / "beinbeuger" / "index.html").read_text("utf-8")
    assert "<dt>Verbrauchsmaterial</dt><dd>Handtuch</dd>" in german
    assert "<li>Gesamtzeit 65 min</li>" in german
    card = " ".join(p.extract_text() for p in PdfReader(out / "cards" / "leg-curl.pdf").pages)
    assert "3 sets \u00b7 Total time 8 min" in " ".join(card.replace("\u00a0", " ").split())
    db = sqlite3.connect(out / "catalogue.sqlite")
    rows = db.execute("SELECT slug, supplies, time_seconds FROM exercises ORDER BY slug")
    assert [(s, json.loads(q), t) for s, q, t in rows] == [
        ("beinbeuger", ["Handtuch"], 3900),
        ("leg-curl", ["towel"], 480),
    ]


def test_validate_finds_a_nameless_supply_and_a_time_that_is_not_a_duration(
    leg_curl: Callable[..., Path],
) -> None:
    from pipeline.jsonld import exercise_document

    exercise = parse_seed(leg_curl("supplies: [towel]\ntime: 8 min")).exercise
    assert exercise is not None
    document = exercise_document(exercise, SETTINGS)
    howto = next(n for n in document["@graph"] if n["@type"] == "HowTo")
    howto["supply"] = [{"@type": "HowToSupply"}]
    howto["totalTime"] = "8 minutes"
    problems = [str(p) for p in validate_document(document)]
    assert any("HowToSupply" in p and "Google requires a name" in p for p in problems), problems
    assert any("totalTime '8 minutes' is not an ISO 8601 duration" in p for p in problems)
