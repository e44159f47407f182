"""The SQLite catalogue: what it holds, how it is rebuilt, and how people query it."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import pipeline.catalogue.build as catalogue_build
from pipeline.catalogue import (
    APPLICATION_ID,
    SCHEMA_VERSION,
    Catalogue,
    CatalogueError,
    ExerciseFacts,
    ExerciseNotFoundError,
    fts_query,
    same_name,
)
from pipeline.catalogue.schema import TABLES
from pipeline.cli import app
from pipeline.config import Settings
from pipeline.engine import ExportReport, export, read_seeds
from pipeline.exporters.base import ExportContext, export_in_process
from pipeline.exporters.sqlite import SqliteExporter
from pipeline.parser import parse_seed
from pipeline.writer import OutputError, OutputWriter
from tests.complexity import tangled
from tests.conftest import exercise_of
from tests.golden import GOLDEN, golden_outputs

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "seeds" / "leverage-machine-lying-leg-curl.md"
SLUG = "leverage-machine-lying-leg-curl"

WriteSeed = Callable[[str, str | bytes], Path]


def seed(
    *,
    description: str = "A test exercise.",
    front: str = "",
    setup: str = "1. **Stand**: Stand tall.",
    execution: str = "1. Move the weight.",
    tips: str = "- **Breathe**: Exhale on the effort.",
    mistakes: str = "- Rushing.",
    outro: str = "",
    howto: str = "### Move\nMove the weight.",
) -> str:
    """The text of a small valid seed."""
    return (
        f"---\ndescription: {json.dumps(description)}\n{front}---\n\n"
        f"## Setup\n{setup}\n\n## Execution\n{execution}\n\n## Tips\n{tips}\n\n"
        f"## Common Mistakes\n{mistakes}\n\n{outro}\n\n<!-- howto -->\n\n{howto}\n"
    )


def build(seeds: Path, out: Path) -> ExportReport:
    """Export only the catalogue of ``seeds`` into ``out``."""
    report = export([seeds], out, Settings(), ["sqlite"])
    assert report.errors == 0, report.diagnostics
    return report


@pytest.fixture
def shipped_db(seeds_dir: Path, tmp_path: Path) -> Path:
    """The catalogue of the shipped seed."""
    build(seeds_dir, tmp_path / "out")
    return tmp_path / "out" / "catalogue.sqlite"


def leftovers(out: Path) -> list[str]:
    """Files of the catalogue's build left in ``out`` besides the catalogue itself."""
    return sorted(
        p.name for p in out.iterdir() if "catalogue" in p.name and p.name != "catalogue.sqlite"
    )


def rows(db: Path, sql: str, *parameters: object) -> list[tuple[Any, ...]]:
    """Every row ``sql`` returns from ``db``."""
    with sqlite3.connect(db) as connection:
        return connection.execute(sql, parameters).fetchall()


def test_shipped_seed_gives_one_exercise_with_its_parts_in_order(shipped_db: Path) -> None:
    exercise = parse_seed(SHIPPED).exercise
    assert exercise is not None
    assert rows(
        shipped_db, "SELECT slug, title, description, video_id, video_url FROM exercises"
    ) == [(SLUG, exercise.title, exercise.description, "vl5nUdE9mWM", exercise.video_url)]
    steps = rows(
        shipped_db,
        "SELECT section, position, label, text FROM steps ORDER BY section = 'execution', position",
    )
    assert steps == [("setup", n, i.label, i.text) for n, i in enumerate(exercise.setup, 1)] + [
        ("execution", n, i.label, i.text) for n, i in enumerate(exercise.execution, 1)
    ]
    assert [s[2] for s in steps] == [
        "Adjust the Machine",
        "Position Yourself",
        "Grip the Handles",
        "Starting Position",
        "Curl the Legs",
        "Pause",
        "Lower the Weight",
    ]
    assert rows(shipped_db, "SELECT position, name, text FROM howto_steps ORDER BY position") == [
        (n, h.name, h.text) for n, h in enumerate(exercise.howto, 1)
    ]
    notes = rows(
        shipped_db,
        "SELECT kind, position, label, text FROM notes ORDER BY kind = 'mistake', position",
    )
    assert notes == [("tip", n, i.label, i.text) for n, i in enumerate(exercise.tips, 1)] + [
        ("mistake", n, i.label, i.text) for n, i in enumerate(exercise.mistakes, 1)
    ]
    assert [n[3] for n in notes if n[0] == "mistake"] == [
        "Lifting hips off the pad.",
        "Using too much weight, leading to poor form.",
        "Not completing the full range of motion.",
    ]
    (outro, source_path, sha), *_ = rows(
        shipped_db, "SELECT outro, source_path, source_sha256 FROM exercises"
    )
    assert outro == exercise.outro_text
    assert source_path.endswith("leverage-machine-lying-leg-curl.md")
    assert sha == exercise.source_sha256


def test_catalogue_is_a_checked_rollback_journal_file_with_our_version(shipped_db: Path) -> None:
    with sqlite3.connect(shipped_db) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert connection.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
    assert leftovers(shipped_db.parent) == []


def test_pipeline_search_hamstring_finds_the_shipped_seed(
    shipped_db: Path, runner: CliRunner
) -> None:
    result = runner.invoke(app, ["search", "hamstring", "--db", str(shipped_db)])
    assert result.exit_code == 0, result.output
    assert "Leverage Machine Lying Leg Curl" in result.output
    assert SLUG in result.output
    assert "hamstrings" in result.output

    result = runner.invoke(app, ["search", "hamstring", "--json", "--db", str(shipped_db)])
    assert result.exit_code == 0, result.output
    (hit,) = json.loads(result.output)
    assert hit["slug"] == SLUG
    assert hit["title"] == "Leverage Machine Lying Leg Curl"
    assert "**hamstrings**" in hit["snippet"]


def test_export_then_search_with_the_default_catalogue(
    seeds_dir: Path, tmp_path: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["export", "-f", "sqlite"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "outputs" / "catalogue.sqlite").is_file()
    result = runner.invoke(app, ["search", "hamstring"])
    assert result.exit_code == 0, result.output
    assert "Leverage Machine Lying Leg Curl" in result.output
    assert SLUG in result.output


def test_search_reads_steps_tips_and_mistakes_not_only_titles(shipped_db: Path) -> None:
    with Catalogue(shipped_db) as catalogue:
        assert [h.slug for h in catalogue.search("pivot point")] == [SLUG]  # a setup step
        assert [h.slug for h in catalogue.search("exhale")] == [SLUG]  # a tip
        assert [h.slug for h in catalogue.search("momentum")] == [SLUG]  # a tip's text
        assert [h.slug for h in catalogue.search("poor form")] == [SLUG]  # a mistake
        assert catalogue.search("squat") == []
        assert catalogue.search("   ") == []


def test_search_ranks_a_title_match_above_a_passing_mention(
    write_seed: WriteSeed, tmp_path: Path
) -> None:
    write_seed("romanian-deadlift.md", seed(description="A hip hinge for the hamstrings."))
    write_seed("calf-raise.md", seed(description="Raise your heels; keep the hamstrings loose."))
    write_seed("hamstring-curl.md", seed(description="Curl the weight."))
    build(tmp_path / "seeds", tmp_path / "out")
    with Catalogue(tmp_path / "out" / "catalogue.sqlite") as catalogue:
        hits = catalogue.search("hamstring")
    assert hits[0].slug == "hamstring-curl"
    assert {h.slug for h in hits} == {"hamstring-curl", "romanian-deadlift", "calf-raise"}


def test_removed_seed_disappears_and_changed_seed_is_updated(
    write_seed: WriteSeed, tmp_path: Path
) -> None:
    kept = write_seed("good-morning.md", seed(description="Old description."))
    gone = write_seed("jefferson-curl.md", seed(front="muscles: [spine]\n"))
    out = tmp_path / "out"
    build(tmp_path / "seeds", out)
    db = out / "catalogue.sqlite"
    assert rows(db, "SELECT slug FROM exercises ORDER BY slug") == [
        ("good-morning",),
        ("jefferson-curl",),
    ]

    gone.unlink()
    write_seed(kept.name, seed(description="New description.", execution="1. Bow slowly."))
    build(tmp_path / "seeds", out)
    assert rows(db, "SELECT slug, description FROM exercises") == [
        ("good-morning", "New description.")
    ]
    assert rows(db, "SELECT text FROM steps WHERE section = 'execution'") == [("Bow slowly.",)]
    assert rows(db, "SELECT name FROM muscles") == []
    assert rows(
        db, "SELECT count(*) FROM steps WHERE exercise_id NOT IN (SELECT id FROM exercises)"
    )[0] == (0,)
    with Catalogue(db) as catalogue:
        assert catalogue.search("jefferson") == []
        assert [h.slug for h in catalogue.search("bow")] == ["good-morning"]


class PowerCut(BaseException):
    """Stands in for the process being killed part-way through a build (like Ctrl-C, it is
    not an ``Exception``, so nothing on the way up turns it into a diagnostic)."""


def export_catalogue(seeds: Path, out: Path) -> None:
    """Run the exporter alone on ``seeds``, as the engine's last step does."""
    exercises = read_seeds([seeds], Settings()).exercises
    context = ExportContext(writer=OutputWriter(out), settings=Settings())
    export_in_process(SqliteExporter(Settings()), exercises, context)


def test_a_build_killed_before_the_swap_leaves_the_previous_catalogue(
    seeds_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    build(seeds_dir, out)
    db = out / "catalogue.sqlite"
    before = db.read_bytes()

    def crash(connection: sqlite3.Connection) -> None:
        # Every row is inserted and committed into the temp file by now.
        assert connection.execute("SELECT count(*) FROM exercises").fetchone() == (2,)
        raise PowerCut

    (seeds_dir / "new-exercise.md").write_text(seed(), "utf-8")
    monkeypatch.setattr(catalogue_build, "_verify", crash)
    with pytest.raises(PowerCut):
        export_catalogue(seeds_dir, out)

    assert db.read_bytes() == before
    assert leftovers(out) == []
    with Catalogue(db) as catalogue:
        assert [e.slug for e in catalogue.list_exercises()] == [SLUG]
        assert [h.slug for h in catalogue.search("hamstring")] == [SLUG]


def test_a_build_that_fails_a_check_is_reported_and_not_swapped_in(
    seeds_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    build(seeds_dir, out)
    before = (out / "catalogue.sqlite").read_bytes()
    fill = catalogue_build._fill

    def fill_with_an_orphan(connection: sqlite3.Connection, rows: Any) -> None:
        fill(connection, rows)
        connection.execute(
            "INSERT INTO steps (exercise_id, section, position, text) VALUES (99, 'setup', 1, 'x')"
        )

    monkeypatch.setattr(catalogue_build, "_fill", fill_with_an_orphan)
    with pytest.raises(OutputError, match=r"catalogue\.sqlite has 1 broken references"):
        export_catalogue(seeds_dir, out)
    assert (out / "catalogue.sqlite").read_bytes() == before
    assert leftovers(out) == []

    # Through the whole export it is an error on the command line, not a traceback.
    (seeds_dir / "new-exercise.md").write_text(seed(), "utf-8")
    report = export([seeds_dir], out, Settings(), ["sqlite"])
    assert [d.message for d in report.diagnostics if "catalogue.sqlite" in d.message]
    assert report.errors >= 1
    # The last good catalogue is kept, not removed as a stale output, and is retried next run.
    assert (out / "catalogue.sqlite").read_bytes() == before
    monkeypatch.setattr(catalogue_build, "_fill", fill)
    assert export([seeds_dir], out, Settings(), ["sqlite"]).errors == 0
    with Catalogue(out / "catalogue.sqlite") as catalogue:
        assert len(catalogue.list_exercises()) == 2


def test_two_builds_give_identical_sql_dumps_and_files(
    write_seed: WriteSeed, seeds_dir: Path, tmp_path: Path
) -> None:
    write_seed(
        "cable-row.md",
        seed(front="muscles: [lats, Biceps]\nequipment: cable\ncategory: strength\n"),
    )
    write_seed(
        "cable-curl.md", seed(front="muscles: [biceps]\nequipment: [cable]\ncategory: Strength\n")
    )
    build(seeds_dir, tmp_path / "a")
    build(seeds_dir, tmp_path / "b")
    dumps = []
    for name in ("a", "b"):
        with sqlite3.connect(tmp_path / name / "catalogue.sqlite") as connection:
            dumps.append(list(connection.iterdump()))
    assert dumps[0] == dumps[1]
    assert any("exercises_fts" in line for line in dumps[0])
    assert (tmp_path / "a" / "catalogue.sqlite").read_bytes() == (
        tmp_path / "b" / "catalogue.sqlite"
    ).read_bytes()


HOSTILE_TITLE = "Cable [b]Pull[/b] 'quoted' \"double\" 100% snake_case"
HOSTILE_DESCRIPTION = "Hinge; DROP TABLE exercises; -- at 50% with under_score and 'O''Neil'."


def test_quotes_percent_underscore_and_sql_keywords_round_trip(
    write_seed: WriteSeed, tmp_path: Path, runner: CliRunner
) -> None:
    write_seed(
        "cable-pull-through.md",
        seed(
            description=HOSTILE_DESCRIPTION,
            front=(
                f"title: {json.dumps(HOSTILE_TITLE)}\n"
                'category: "strength_50%"\n'
                "aliases: [\"O'Brien's \\\"pull\\\"\", 'SELECT * FROM aliases']\n"
            ),
            setup="1. **Face Away; --**: SELECT * FROM steps WHERE 1=1 OR '%'='_'.",
            tips="- Keep a 'neutral' \"spine\" at 100%.",
        ),
    )
    write_seed("other.md", seed(front="category: strengthX50%\n"))
    build(tmp_path / "seeds", tmp_path / "out")
    db = tmp_path / "out" / "catalogue.sqlite"
    with Catalogue(db) as catalogue:
        record = catalogue.show("cable-pull-through")
        assert record.title == HOSTILE_TITLE
        assert record.description == HOSTILE_DESCRIPTION
        assert record.category == "strength_50%"
        assert record.aliases == ("O'Brien's \"pull\"", "SELECT * FROM aliases")
        assert record.setup[0].label == "Face Away; --"
        assert record.setup[0].text == "SELECT * FROM steps WHERE 1=1 OR '%'='_'."
        assert record.tips[0].text == "Keep a 'neutral' \"spine\" at 100%."
        # `_` and `%` are not wildcards: only the exact category matches.
        assert [e.slug for e in catalogue.list_exercises(category="strength_50%")] == [
            "cable-pull-through"
        ]
        assert [h.slug for h in catalogue.search("DROP TABLE")] == ["cable-pull-through"]
        assert [h.slug for h in catalogue.search("O'Brien's")] == ["cable-pull-through"]
    assert rows(db, "SELECT count(*) FROM exercises") == [(2,)]

    result = runner.invoke(app, ["show", "cable-pull-through", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert HOSTILE_TITLE in result.output  # `[b]` is printed, not taken as markup
    assert HOSTILE_DESCRIPTION in result.output
    result = runner.invoke(app, ["search", "pull", "--db", str(db)])
    assert "[b]Pull[/b]" in result.output


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.text(max_size=40))
def test_no_user_query_can_break_the_search(shipped_db: Path, query: str) -> None:
    with Catalogue(shipped_db) as catalogue:
        catalogue.search(query)


@pytest.mark.parametrize(
    "query",
    [
        '"',
        'hamstring"',
        "NEAR(hamstring",
        "hamstring AND",
        "OR",
        "-hamstring",
        "title:x",
        "*",
        "^a",
    ],
)
def test_fts_syntax_in_a_query_is_searched_for_not_parsed(shipped_db: Path, query: str) -> None:
    with Catalogue(shipped_db) as catalogue:
        hits = catalogue.search(query)
    assert all(h.slug == SLUG for h in hits)
    assert fts_query("ham*") == '"ham"*'
    assert fts_query('say "hi"') == '"say" """hi"""'


def test_prefix_search(shipped_db: Path) -> None:
    with Catalogue(shipped_db) as catalogue:
        assert [h.slug for h in catalogue.search("hamst*")] == [SLUG]


def test_list_filters_by_muscle_equipment_level_and_category(
    write_seed: WriteSeed, tmp_path: Path, runner: CliRunner
) -> None:
    write_seed(
        "cable-pull-through.md",
        seed(front="muscles: [Hamstrings, glutes]\nequipment: cable\nlevel: beginner\n"),
    )
    write_seed(
        "cable-row.md",
        seed(front="muscles: [lats]\nequipment: cable\nlevel: intermediate\ncategory: strength\n"),
    )
    write_seed("nordic-curl.md", seed(front="muscles: [hamstrings]\nlevel: expert\n"))
    build(tmp_path / "seeds", tmp_path / "out")
    db = tmp_path / "out" / "catalogue.sqlite"
    with Catalogue(db) as catalogue:

        def slugs(**filters: str) -> list[str]:
            return [e.slug for e in catalogue.list_exercises(**filters)]

        assert slugs() == ["cable-pull-through", "cable-row", "nordic-curl"]
        assert slugs(muscle="hamstrings") == ["cable-pull-through", "nordic-curl"]
        assert slugs(muscle="hamstrings", equipment="CABLE") == ["cable-pull-through"]
        assert slugs(level="expert") == ["nordic-curl"]
        assert slugs(category="Strength") == ["cable-row"]
        # As the search would have it: a plural `s` or `es`, and case, do not matter.
        assert slugs(muscle="hamstring") == ["cable-pull-through", "nordic-curl"]
        assert slugs(muscle="Glute", equipment="cables") == ["cable-pull-through"]
        assert slugs(category="strengths") == ["cable-row"]
        assert slugs(muscle="ham") == []
        with pytest.raises(CatalogueError, match="unknown level"):
            catalogue.list_exercises(level="hard")
        (summary,) = catalogue.list_exercises(equipment="cable", level="beginner")
        # One spelling per name across seeds (the first met), for facets and filters.
        assert summary.muscles == ("Hamstrings", "glutes")
    assert rows(db, "SELECT name FROM muscles ORDER BY id") == [
        ("glutes",),
        ("Hamstrings",),
        ("lats",),
    ]
    assert rows(db, "SELECT muscles FROM exercises WHERE slug = 'nordic-curl'") == [
        ('["Hamstrings"]',)
    ]

    result = runner.invoke(
        app, ["list", "--muscle", "hamstrings", "--equipment", "cable", "--db", str(db)]
    )
    assert result.exit_code == 0, result.output
    assert "cable-pull-through" in result.output
    assert "nordic-curl" not in result.output
    assert "1 exercise" in result.output
    result = runner.invoke(app, ["list", "--level", "expert", "--json", "--db", str(db)])
    assert [e["slug"] for e in json.loads(result.output)] == ["nordic-curl"]


def test_show_prints_the_whole_exercise(shipped_db: Path, runner: CliRunner) -> None:
    result = runner.invoke(app, ["show", SLUG, "--db", str(shipped_db)])
    assert result.exit_code == 0, result.output
    text = result.output
    for expected in (
        "Leverage Machine Lying Leg Curl",
        "Setup",
        "1. Adjust the Machine: Set the pad",
        "5. Lower the Weight: Slowly extend",
        "Common Mistakes",
        "- Not completing the full range of motion.",
        "By following these steps",
        "4. Lower to the Start: Slowly extend",
        "https://www.youtube.com/watch?v=vl5nUdE9mWM",
    ):
        assert expected in text
    assert text.index("Setup") < text.index("Execution") < text.index("Tips")

    result = runner.invoke(app, ["show", SLUG, "--json", "--db", str(shipped_db)])
    document = json.loads(result.output)
    assert [s["label"] for s in document["setup"]] == ["Adjust the Machine", "Position Yourself"]
    assert len(document["howto"]) == 4

    result = runner.invoke(app, ["show", "no-such-exercise", "--db", str(shipped_db)])
    assert result.exit_code == 1
    assert "no exercise 'no-such-exercise'" in result.output
    with Catalogue(shipped_db) as catalogue, pytest.raises(ExerciseNotFoundError):
        catalogue.show("no-such-exercise")


def test_a_missing_or_foreign_file_is_a_clear_error(tmp_path: Path, runner: CliRunner) -> None:
    missing = tmp_path / "nothing.sqlite"
    text = tmp_path / "notes.txt"
    text.write_text("hello\n" * 200, "utf-8")
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE exercises (slug TEXT)")
    connection.close()
    cases = {missing: "no catalogue there", text: "not a SQLite database", other: "not an"}
    for path, message in cases.items():
        with pytest.raises(CatalogueError, match=message):
            Catalogue(path)
        for command in (["search", "x"], ["list"], ["show", "x"]):
            result = runner.invoke(app, [*command, "--db", str(path)])
            assert result.exit_code == 2
            assert message in result.output
            assert "Traceback" not in result.output


def test_a_catalogue_of_another_schema_version_is_refused(shipped_db: Path) -> None:
    with sqlite3.connect(shipped_db) as connection:
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    connection.close()
    with pytest.raises(CatalogueError, match="schema version"):
        Catalogue(shipped_db)


def test_datasette_detects_the_search_index_and_serves_results(squat_db: Path) -> None:
    from datasette.app import Datasette

    metadata = yaml.safe_load((ROOT / "datasette.yaml").read_text("utf-8"))

    async def browse() -> None:
        datasette = Datasette([str(squat_db)], metadata=metadata)
        database = datasette.get_database("catalogue")
        assert await database.fts_table("exercises") == "exercises_fts"

        response = await datasette.client.get(
            "/catalogue/exercises.json?_search=hamstring&_shape=array"
        )
        assert response.status_code == 200
        assert [row["slug"] for row in response.json()] == [SLUG]

        response = await datasette.client.get("/catalogue/search.json?q=hamstring&_shape=array")
        assert response.status_code == 200
        (hit,) = response.json()
        assert hit["slug"] == SLUG
        assert "**hamstrings**" in hit["snippet"]

        response = await datasette.client.get("/catalogue/search.json?q=high+bar&_shape=array")
        assert [(h["slug"], h["snippet"]) for h in response.json()] == [
            ("back-squat", "back squat, **high**-**bar** squat")
        ]
        response = await datasette.client.get(
            "/catalogue/exercises.json?slug=back-squat&_shape=array"
        )
        (row,) = response.json()
        assert (row["image"], row["video_uploaded"], row["updated"]) == (
            "https://example.com/squat.jpg",
            "2024-03-01T09:30:00+00:00",
            "2025-01-15",
        )
        response = await datasette.client.get("/catalogue/machine_hamstrings.json?_shape=array")
        assert response.status_code == 200
        assert [row["slug"] for row in response.json()] == [SLUG]

        response = await datasette.client.get("/catalogue/search.json?q=&_shape=array")
        assert response.status_code == 200
        assert response.json() == []

        response = await datasette.client.get("/catalogue/exercises.json?_size=0")
        facets = response.json()["facet_results"]
        assert {"level", "category", "muscles", "equipment"} <= set(facets)

        response = await datasette.client.get("/catalogue")
        assert response.status_code == 200
        assert "Exercise catalogue" in response.text

    asyncio.run(browse())


SQUAT_FRONT = (
    "title: Barbell Back Squat\n"
    "muscles: [quadriceps, glutes, hamstrings]\n"
    "equipment: [barbell, squat rack]\n"
    "level: intermediate\n"
    "category: strength\n"
    "aliases: [back squat, high-bar squat]\n"
    "image: https://example.com/squat.jpg\n"
    "video: https://youtu.be/vl5nUdE9mWM\n"
    "video_uploaded: 2024-03-01T09:30:00Z\n"
    "updated: 2025-01-15\n"
    "sets: 5\n"
    "reps: 5\n"
    "rest: 3 min\n"
    "tempo: 2-0-1-0\n"
    "time: 15 min\n"
    "supplies: [chalk]\n"
    "settings: {safety bars: hip height}\n"
    "license: CC-BY-SA-4.0\n"
    "author: Jane Doe\n"
    "author_url: https://example.org/jane\n"
    "source_url: https://wger.de/en/exercise/615\n"
    "station: 7\n"
)


@pytest.fixture
def squat_db(seeds_dir: Path, tmp_path: Path) -> Path:
    """The catalogue of the shipped seed and a back squat that has every frontmatter field."""
    (seeds_dir / "back-squat.md").write_text(
        seed(
            description="A compound lift for the legs.",
            front=SQUAT_FRONT,
            setup="1. **Rack**: Set the bar at chest height.",
            execution="1. Squat down and stand up.",
            tips="- Brace.",
        ),
        "utf-8",
    )
    build(seeds_dir, tmp_path / "out")
    return tmp_path / "out" / "catalogue.sqlite"


def test_search_highlights_matched_words_with_a_style_not_escapes(
    shipped_db: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    from rich.console import Console

    import pipeline.cli

    screen = io.StringIO()
    terminal = Console(file=screen, force_terminal=True, color_system="standard", width=120)
    monkeypatch.setattr(pipeline.cli, "out", terminal)
    result = runner.invoke(app, ["search", "hamstring", "--db", str(shipped_db)])
    assert result.exit_code == 0, result.output
    printed = screen.getvalue()
    assert "\x1b[1;33mhamstrings\x1b[0m" in printed  # bold yellow
    assert "\\x02" not in printed and "\\x03" not in printed
    assert "\x02" not in printed and "\x03" not in printed


def test_search_of_several_unquoted_words_finds_what_has_them_all(
    shipped_db: Path, runner: CliRunner
) -> None:
    result = runner.invoke(app, ["search", "hamstrings", "curl", "--db", str(shipped_db)])
    assert result.exit_code == 0, result.output
    assert SLUG in result.output
    result = runner.invoke(app, ["search", "hamstrings", "squat", "--db", str(shipped_db)])
    assert result.exit_code == 1
    assert "no exercise matches 'hamstrings squat'" in result.output


def test_a_snippet_across_steps_reads_as_one_line_of_words(
    squat_db: Path, runner: CliRunner
) -> None:
    result = runner.invoke(app, ["search", "brace", "--db", str(squat_db)])
    assert result.exit_code == 0, result.output
    assert "\\x0a" not in result.output
    assert "stand up. Brace." in " ".join(result.output.replace("│", " ").split())


def test_an_alias_hit_shows_the_other_names_as_text_not_json(
    squat_db: Path, runner: CliRunner
) -> None:
    with Catalogue(squat_db) as catalogue:
        (hit,) = catalogue.search("high bar")
    assert hit.slug == "back-squat"
    assert hit.snippet == "back squat, **high**-**bar** squat"
    result = runner.invoke(app, ["search", "high-bar", "--db", str(squat_db)])
    assert result.exit_code == 0, result.output
    assert "back squat, high-bar squat" in result.output
    assert '["' not in result.output and "\\x02" not in result.output
    # The aliases keep their JSON array for scripts and facets; the index reads plain text.
    assert rows(
        squat_db, "SELECT aliases, aliases_text FROM exercises WHERE slug = ?", "back-squat"
    ) == [('["back squat","high-bar squat"]', "back squat, high-bar squat")]


@pytest.mark.parametrize(
    "words", [['"'], ["AND("], ["-"], ["NEAR(", "hamstring"], ['hamstring"'], ["*"], ["OR"]]
)
def test_search_syntax_typed_on_the_command_line_is_searched_for(
    shipped_db: Path, runner: CliRunner, words: list[str]
) -> None:
    result = runner.invoke(app, ["search", "--db", str(shipped_db), *words])
    assert result.exit_code in (0, 1), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    if result.exit_code == 1:
        assert "no exercise matches" in result.output


def test_a_word_that_looks_like_an_option_is_a_usage_error_or_searched_after_dashes(
    shipped_db: Path, runner: CliRunner
) -> None:
    result = runner.invoke(app, ["search", "-hamstring", "--db", str(shipped_db)])
    assert result.exit_code == 2
    assert "No such option" in result.output
    assert isinstance(result.exception, SystemExit)
    result = runner.invoke(app, ["search", "--db", str(shipped_db), "--", "-hamstring"])
    assert result.exit_code == 0, result.output
    assert SLUG in result.output


def test_the_catalogue_keeps_image_video_upload_date_and_update(
    squat_db: Path, runner: CliRunner
) -> None:
    assert rows(
        squat_db,
        "SELECT image, video_id, video_url, video_uploaded, updated, lang FROM exercises "
        "WHERE slug = 'back-squat'",
    ) == [
        (
            "https://example.com/squat.jpg",
            "vl5nUdE9mWM",
            "https://www.youtube.com/watch?v=vl5nUdE9mWM",
            "2024-03-01T09:30:00+00:00",
            "2025-01-15",
            "en",
        )
    ]
    # A seed with every field fills every column: nothing the model has is left out (but
    # translation_of, which an original has no use for; test_catalogue_languages has it).
    with sqlite3.connect(squat_db) as connection:
        cursor = connection.execute("SELECT * FROM exercises WHERE slug = 'back-squat'")
        (row,) = cursor.fetchall()
        empty = [d[0] for d, value in zip(cursor.description, row, strict=True) if value is None]
    connection.close()
    assert empty == ["translation_of"]
    assert rows(
        squat_db, "SELECT image, video_uploaded, updated FROM exercises WHERE slug = ?", SLUG
    ) == [(None, None, None)]

    result = runner.invoke(app, ["show", "back-squat", "--json", "--db", str(squat_db)])
    document = json.loads(result.output)
    assert document["image"] == "https://example.com/squat.jpg"
    assert document["video_uploaded"] == "2024-03-01T09:30:00+00:00"
    assert document["updated"] == "2025-01-15"
    assert document["lang"] == "en"
    result = runner.invoke(app, ["show", "back-squat", "--db", str(squat_db)])
    for line in (
        "Image: https://example.com/squat.jpg",
        "Video: https://www.youtube.com/watch?v=vl5nUdE9mWM",
        "Video uploaded: 2024-03-01T09:30:00+00:00",
        "Updated: 2025-01-15",
    ):
        assert line in result.output


def test_list_muscle_in_the_singular_finds_what_search_finds(
    squat_db: Path, runner: CliRunner
) -> None:
    result = runner.invoke(app, ["list", "--muscle", "hamstring", "--db", str(squat_db)])
    assert result.exit_code == 0, result.output
    # The shipped seed trains the hamstrings too.
    assert "back-squat" in result.output and SLUG in result.output
    assert "2 exercises" in result.output
    filters = ["--muscle", "Glute", "--equipment", "squat racks", "--category", "Strengths"]
    result = runner.invoke(app, ["list", *filters, "--json", "--db", str(squat_db)])
    assert [e["slug"] for e in json.loads(result.output)] == ["back-squat"]


@pytest.mark.parametrize(
    ("stored", "asked", "same"),
    [
        ("hamstrings", "hamstring", True),
        ("Hamstring", "HAMSTRINGS", True),
        ("bench", "benches", True),
        ("squat rack", "Squat  Racks", True),
        ("glutes", "glute", True),
        ("hamstrings", "ham", False),
        ("strength_50%", "strengthX50%", False),
        ("bench", "benchess", False),
        (None, "strength", False),
    ],
)
def test_names_match_ignoring_case_spacing_and_a_plural(
    stored: str | None, asked: str, same: bool
) -> None:
    assert same_name(stored, asked) is same


LIST_COLUMNS = ["Title", "Slug", "Level", "Category", "Muscles", "Equipment"]
# Which columns `list` keeps as the terminal narrows, most useful first.
KEPT_FIRST = ["Title", "Slug", "Level", "Muscles", "Category", "Equipment"]
TITLES = {SLUG: "Leverage Machine Lying Leg Curl", "back-squat": "Barbell Back Squat"}


def first_column(output: str) -> str:
    """The text of a table's first column (its rows' first cells, joined), or for the stacked
    layout every line that is not indented: where the titles are."""
    if "┃" in output:
        cells = [line.split("│")[1] for line in output.splitlines() if line.startswith("│")]
    else:
        cells = [line for line in output.splitlines() if line and not line.startswith(" ")]
    return " ".join(" ".join(cells).split())


@pytest.mark.parametrize("width", [40, 60, 80, 100, 120])
def test_list_drops_low_value_columns_first_and_never_the_title_or_slug(
    squat_db: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch, width: int
) -> None:
    monkeypatch.setenv("COLUMNS", str(width))
    result = runner.invoke(app, ["list", "--db", str(squat_db)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert max(len(line) for line in lines) <= width, result.output
    titles = first_column(result.output)
    for slug, title in TITLES.items():
        # The slug whole, as one word, on one line: what `pipeline show` takes.
        assert any(slug in line.replace("│", " ").split() for line in lines), result.output
        assert title in titles, result.output
    header = next((line for line in lines if line.startswith("┃") and "Title" in line), None)
    if header is None:
        # Too narrow for a table: one exercise under another, with everything it has.
        assert width < 60
        assert all(line == line.rstrip() for line in lines)
        flat = " ".join(result.output.split())
        assert (
            "intermediate · strength · quadriceps, glutes, hamstrings · barbell, squat rack" in flat
        )
        return
    shown = [cell.strip() for cell in header.strip("┃").split("┃")]
    # Whole headers only (nothing squeezed), and those left out are the least useful ones.
    assert set(shown) == set(KEPT_FIRST[: len(shown)]), result.output
    assert shown == [c for c in LIST_COLUMNS if c in shown]
    assert {"Title", "Slug"} <= set(shown)
    if width >= 120:
        assert len(shown) == len(LIST_COLUMNS)


@pytest.mark.parametrize("width", [40, 60, 80, 120])
def test_search_fits_a_narrow_terminal_without_cutting_title_or_slug(
    shipped_db: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch, width: int
) -> None:
    monkeypatch.setenv("COLUMNS", str(width))
    result = runner.invoke(app, ["search", "hamstring", "--db", str(shipped_db)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert max(len(line) for line in lines) <= width, result.output
    assert any(SLUG in line.split() for line in lines)
    assert TITLES[SLUG] in first_column(result.output)
    flat = " ".join(result.output.replace("│", " ").split())
    assert "Isolate your hamstrings" in flat or "Isolate your hamstrings" in result.output


def test_an_unknown_section_is_kept_shown_and_searched(
    write_seed: WriteSeed, tmp_path: Path, runner: CliRunner
) -> None:
    write_seed(
        "nordic-curl.md",
        seed(
            mistakes="- Rushing.\n\n## Variations\n- **Banded**: Loop a band around the chest.\n"
            "- Eccentric only.",
        ),
    )
    build(tmp_path / "seeds", tmp_path / "out")
    db = tmp_path / "out" / "catalogue.sqlite"
    assert rows(
        db,
        "SELECT section, heading, position, label, text FROM other_sections "
        "ORDER BY section, position",
    ) == [
        (5, "Variations", 1, "Banded", "Loop a band around the chest."),
        (5, "Variations", 2, None, "Eccentric only."),
    ]
    with Catalogue(db) as catalogue:
        assert [h.slug for h in catalogue.search("eccentric")] == ["nordic-curl"]
        (variations,) = catalogue.show("nordic-curl").other_sections
    assert variations.heading == "Variations"
    assert [i.text for i in variations.items] == [
        "Loop a band around the chest.",
        "Eccentric only.",
    ]
    result = runner.invoke(app, ["show", "nordic-curl", "--db", str(db)])
    assert "Variations\n- Banded: Loop a band around the chest.\n- Eccentric only." in result.output
    result = runner.invoke(app, ["show", "nordic-curl", "--json", "--db", str(db)])
    (section,) = json.loads(result.output)["other_sections"]
    assert section["heading"] == "Variations" and len(section["items"]) == 2


def test_the_catalogue_is_row_for_row_the_golden_one(tmp_path: Path) -> None:
    # The schema's text and every row, as an SQL dump: a moved column or value shows here.
    dump = golden_outputs(tmp_path)["catalogue.sql"].decode()
    assert dump == (GOLDEN / "catalogue.sql").read_text("utf-8")


def test_every_table_is_declared_and_filled_from_its_one_column_list(shipped_db: Path) -> None:
    db = sqlite3.connect(shipped_db)
    for table in TABLES:
        declared = tuple(row[1] for row in db.execute(f"PRAGMA table_info({table.name})"))
        filled = table.insert().split("(", 1)[1].split(")", 1)[0].split(", ")
        assert declared == table.column_names == tuple(filled)
    db.close()


def test_show_reads_back_every_column_the_entry_holds(shipped_db: Path, seeds_dir: Path) -> None:
    entry = catalogue_build.catalogue_entry(exercise_of(seeds_dir / f"{SLUG}.md"))
    with Catalogue(shipped_db) as catalogue:
        record = catalogue.show(SLUG)
    shared = [f.name for f in dataclasses.fields(ExerciseFacts)]
    for name in [*shared, "outro", "source_path", "source_sha256"]:
        assert getattr(record, name) == getattr(entry, name), name
    assert record.video_id and record.muscles and record.category


def test_no_part_of_the_catalogue_is_too_tangled_to_read_at_once() -> None:
    assert tangled("catalogue", "exporters/sqlite.py") == []


def test_every_name_of_the_catalogue_package_is_the_one_its_module_defines() -> None:
    # The reader's names are imported on first use; each is the reader's own object.
    import pipeline.catalogue
    import pipeline.catalogue.reader
    import pipeline.catalogue.schema

    for name in pipeline.catalogue.__all__:
        home = pipeline.catalogue.reader if name in pipeline.catalogue._READER else None
        value = getattr(pipeline.catalogue, name)
        assert value is getattr(home or pipeline.catalogue.schema, name), name
    with pytest.raises(AttributeError):
        _ = pipeline.catalogue.no_such_name
