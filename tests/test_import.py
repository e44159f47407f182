"""`pipeline import free-exercise-db`: every record of the real data that can make a seed makes
one that `pipeline check` accepts and exports; the others are named with why. An import is
deterministic and idempotent, leaves hand-edited seeds alone, and writes nothing half-way."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.config import Settings
from pipeline.diagnostics import Level
from pipeline.discover import read_seeds
from pipeline.engine import export
from pipeline.importers import Outcome, untouched
from pipeline.importers.free_exercise_db import describe, import_free_exercise_db, step_name

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data" / "free-exercise-db" / "exercises.json"
FIXTURES = ROOT / "tests" / "fixtures" / "import" / "free-exercise-db"
# The records of the public data with no instructions, which no seed can be made from.
WITHOUT_STEPS = [
    "Iron_Cross",
    "One-Arm_Kettlebell_Swings",
    "Push_Press",
    "Side_Bridge",
    "Side_Jackknife",
]


def _files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_the_whole_collection_makes_seeds_that_check_and_export(tmp_path: Path) -> None:
    out = tmp_path / "imported"
    report = import_free_exercise_db(DATA, out)
    records = json.loads(DATA.read_text("utf-8"))
    assert len(records) == 873
    assert report.count(Outcome.WRITTEN) == 868
    skipped = [d.message.split(": ")[0] for d in report.diagnostics]
    assert skipped == [f"free-exercise-db record {name}" for name in WITHOUT_STEPS]
    assert all(
        d.message.endswith("has no instructions to make its steps from; skipped")
        for d in report.diagnostics
    )
    # Each message is at the record's own line.
    lines = DATA.read_text("utf-8").splitlines()
    for diagnostic in report.diagnostics:
        assert lines[diagnostic.line - 1].strip() == "{"
        assert lines[diagnostic.line].strip().startswith('"name"')
    seeds = read_seeds([out], Settings())
    assert len(seeds.exercises) == 868
    assert [d for d in seeds.diagnostics if d.level is Level.ERROR] == []
    result = export(
        [out],
        tmp_path / "out",
        Settings(base_url="https://gym.example.com/"),
        ["jsonld", "html", "sqlite"],
    )
    assert result.errors == 0


def test_a_seed_says_what_its_record_says(tmp_path: Path) -> None:
    import_free_exercise_db(FIXTURES / "exercises.json", tmp_path)
    text = (tmp_path / "3-4-sit-up.md").read_text("utf-8")
    assert text.startswith(
        "---\n# Imported from free-exercise-db record 3_4_Sit-Up by pipeline import; digest "
    )
    assert 'title: "3/4 Sit-Up"' in text
    description = "A beginner strength exercise for the abdominals, with your body weight alone."
    assert f'description: "{description}"' in text
    assert "license: Unlicense\n" in text
    assert (
        "source_url: https://github.com/yuhonas/free-exercise-db/blob/main/exercises/3_4_Sit-Up.json"
        in text
    )
    assert "equipment" not in text  # body only: no tool to name
    assert (
        "1. Lie down on the floor and secure your feet. Your legs should be bent at the knees."
        in text
    )
    assert "### Lie down on the floor\n\nLie down on the floor and secure your feet." in text
    curl = (tmp_path / "alternate-hammer-curl.md").read_text("utf-8")
    assert 'equipment: ["dumbbell"]' in curl and 'muscles: ["biceps"]' in curl
    assert 'secondary_muscles: ["forearms"]' in curl
    assert "for the biceps, also working the forearms, with dumbbells." in curl


def test_upstreams_folder_layout_brings_the_pictures_beside_the_seeds(tmp_path: Path) -> None:
    out = tmp_path / "seeds"
    report = import_free_exercise_db(FIXTURES / "exercises", out)
    assert report.outcomes == {"barbell-squat.md": Outcome.WRITTEN}
    text = (out / "barbell-squat.md").read_text("utf-8")
    assert '  - {path: "images/barbell-squat/0.jpg", license: Unlicense}' in text
    for n in (0, 1):
        source = FIXTURES / "exercises" / "Barbell_Squat" / f"{n}.jpg"
        assert (out / "images" / "barbell-squat" / f"{n}.jpg").read_bytes() == source.read_bytes()
    site = tmp_path / "site"
    assert export([out], site, Settings(base_url="https://gym.example.com/"), ["html"]).errors == 0
    page = (site / "html" / "barbell-squat" / "index.html").read_text("utf-8")
    assert '<img src="0.jpg"' in page and '<img src="1.jpg"' in page
    assert (site / "html" / "barbell-squat" / "0.jpg").is_file()


def test_the_same_records_give_the_same_bytes(tmp_path: Path) -> None:
    import_free_exercise_db(FIXTURES / "exercises.json", tmp_path / "one")
    import_free_exercise_db(FIXTURES / "exercises.json", tmp_path / "two")
    assert _files(tmp_path / "one") == _files(tmp_path / "two")


def test_a_new_import_updates_its_seeds_and_leaves_edited_ones_alone(tmp_path: Path) -> None:
    data = tmp_path / "exercises.json"
    records = json.loads((FIXTURES / "exercises.json").read_text("utf-8"))
    data.write_text(json.dumps(records), "utf-8")
    out = tmp_path / "seeds"
    import_free_exercise_db(data, out)
    again = import_free_exercise_db(data, out)
    assert set(again.outcomes.values()) == {Outcome.UNCHANGED}
    # Upstream fixes a record, and an author edits another seed.
    records[0]["level"] = "intermediate"
    data.write_text(json.dumps(records), "utf-8")
    edited = out / "barbell-squat.md"
    edited.write_text(
        edited.read_text("utf-8").replace("## Execution", "## Execution\n\n0. Warm up."), "utf-8"
    )
    assert not untouched(edited.read_text("utf-8"))
    later = import_free_exercise_db(data, out)
    assert later.outcomes == {
        "3-4-sit-up.md": Outcome.UPDATED,
        "barbell-squat.md": Outcome.KEPT,
        "alternate-hammer-curl.md": Outcome.UNCHANGED,
    }
    assert 'level: "intermediate"' in (out / "3-4-sit-up.md").read_text("utf-8")
    assert "0. Warm up." in edited.read_text("utf-8")
    forced = import_free_exercise_db(data, out, overwrite=True)
    assert forced.outcomes["barbell-squat.md"] is Outcome.UPDATED
    assert untouched(edited.read_text("utf-8"))
    # A seed of the same name that no import wrote is never replaced without --overwrite.
    (out / "3-4-sit-up.md").write_text("---\ndescription: mine\n---\n", "utf-8")
    assert import_free_exercise_db(data, out).outcomes["3-4-sit-up.md"] is Outcome.KEPT


@pytest.mark.parametrize(
    ("content", "line", "message"),
    [
        (
            '[{"name": "Squat",\n "instructions": ["Sit."]}',
            2,
            "is not JSON: Expecting ',' delimiter",
        ),
        ('{"name": "Squat"}', 0, "expected a list of exercise records"),
        (
            '[\n  {"id": "No_Name", "instructions": ["Sit."]},\n  "text"\n]',
            2,
            "free-exercise-db record No_Name: has no name; skipped",
        ),
    ],
    ids=["not-json", "not-a-list", "no-name"],
)
def test_bad_input_is_named_at_its_line_and_writes_nothing_of_it(
    content: str, line: int, message: str, tmp_path: Path
) -> None:
    data = tmp_path / "exercises.json"
    data.write_text(content, "utf-8")
    report = import_free_exercise_db(data, tmp_path / "seeds")
    first = report.diagnostics[0]
    assert (first.path, first.line, first.level, first.message) == (
        str(data),
        line,
        Level.ERROR,
        message,
    )
    assert report.outcomes == {}
    assert not (tmp_path / "seeds").exists() or not list((tmp_path / "seeds").iterdir())


def test_names_that_make_one_file_keep_the_first_and_name_the_second(tmp_path: Path) -> None:
    records = [
        {"id": "Curl_A", "name": "Biceps Curl", "instructions": ["Curl the bar up."]},
        {"id": "Curl_B", "name": "Biceps-Curl!", "instructions": ["Curl it."]},
    ]
    data = tmp_path / "exercises.json"
    data.write_text(json.dumps(records, indent=1), "utf-8")
    report = import_free_exercise_db(data, tmp_path / "seeds")
    assert report.outcomes == {"biceps-curl.md": Outcome.WRITTEN}
    (problem,) = report.diagnostics
    assert problem.line == 9  # where Curl_B's record starts
    assert problem.message == (
        "free-exercise-db record Curl_B: its name makes the file biceps-curl.md, which "
        "free-exercise-db record Curl_A makes already; skipped"
    )
    assert "Curl the bar up." in (tmp_path / "seeds" / "biceps-curl.md").read_text("utf-8")


def test_the_command_says_what_it_did_and_fails_when_a_record_made_no_seed(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "seeds"
    result = runner.invoke(
        app, ["import", "free-exercise-db", str(FIXTURES / "exercises.json"), "--out", str(out)]
    )
    assert result.exit_code == 1
    assert (
        "free-exercise-db record Iron_Cross: has no instructions to make its steps from; skipped"
        in result.output
    )
    assert (
        result.output.splitlines()[-1]
        == "4 records: seeds 3 written, 0 updated, 0 unchanged, 0 kept; 1 skipped"
    )
    folder = runner.invoke(
        app,
        ["import", "free-exercise-db", str(FIXTURES / "exercises"), "--out", str(tmp_path / "two")],
    )
    assert folder.exit_code == 0, folder.output
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp") or p.name.startswith(".")]
    missing = runner.invoke(app, ["import", "free-exercise-db", str(tmp_path / "nothing.json")])
    assert (
        missing.exit_code == 1 and "nothing.json: error: no such file or folder" in missing.output
    )


def test_a_steps_name_is_its_first_clause_that_says_something() -> None:
    assert step_name("Lie down on the floor and secure your feet.") == "Lie down on the floor"
    assert step_name("Place your hands behind or to the side of your head.") == "Place your hands"
    assert (
        step_name("To begin, stand straight up grabbing a wrist roller.")
        == "Stand straight up grabbing a wrist roller"
    )
    assert step_name("Repeat.") == "Repeat"


def test_the_description_says_only_what_the_record_does() -> None:
    assert describe({"level": "expert", "category": "strength"}) == "An expert strength exercise."
    assert (
        describe({"primaryMuscles": ["quadriceps"], "equipment": "other"})
        == "An exercise for the quadriceps."
    )
    assert (
        describe(
            {
                "level": "beginner",
                "category": "stretching",
                "primaryMuscles": ["hamstrings", "calves"],
                "equipment": "foam roll",
            }
        )
        == "A beginner stretching exercise for the hamstrings and calves, with a foam roller."
    )


def test_in_a_collection_in_another_language_the_seeds_say_they_are_english(
    tmp_path: Path,
) -> None:
    out = tmp_path / "seeds"
    report = import_free_exercise_db(FIXTURES / "exercises.json", out, default_lang="de")
    assert report.count(Outcome.WRITTEN) == 3
    text = (out / "3-4-sit-up.md").read_text("utf-8")
    assert "\nlang: en\n" in text and untouched(text)
    seeds = read_seeds([out], Settings(default_lang="de"))
    assert {exercise.lang for exercise in seeds.exercises} == {"en"}
    assert [d for d in seeds.diagnostics if d.level is Level.ERROR] == []
