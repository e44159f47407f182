"""The muscle map: a vocabulary that knows the muscles as people, free-exercise-db and wger
name them, a did-you-mean for one it does not know, and the front and back of the body drawn
on the card and the page with the primary muscles dark and the secondary ones lighter."""

from __future__ import annotations

import io
import json
import re
import sqlite3
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pdfplumber
import pytest

from pipeline.cards import render_card
from pipeline.cards.palette import ACCENT, ACCENT_LIGHT, BODY
from pipeline.config import Settings
from pipeline.diagnostics import Level
from pipeline.engine import export
from pipeline.frontmatter import SeedFrontmatter
from pipeline.i18n.labels import labels_for
from pipeline.model import Exercise
from pipeline.muscles import body, lookup, muscle_map, vocabulary
from pipeline.pages.muscle_map import muscle_figure
from pipeline.parser import parse_seed
from tests.conftest import SHIPPED_SEED, copy_pictures, exercise_of, line_of

ROOT = Path(__file__).parent.parent
FREE_EXERCISE_DB = ROOT / "bench" / "data" / "free-exercise-db" / "exercises.json"
WGER = Path(__file__).parent / "fixtures" / "wger" / "muscles.json"
SQUAT = Path(__file__).parent / "fixtures" / "squat"

FREE_EXERCISE_DB_MUSCLES = {
    "abdominals": "abdominals",
    "abductors": "abductors",
    "adductors": "adductors",
    "biceps": "biceps",
    "calves": "calves",
    "chest": "chest",
    "forearms": "forearms",
    "glutes": "glutes",
    "hamstrings": "hamstrings",
    "lats": "lats",
    "lower back": "lower_back",
    "middle back": "middle_back",
    "neck": "neck",
    "quadriceps": "quadriceps",
    "shoulders": "shoulders",
    "traps": "traps",
    "triceps": "triceps",
}

WGER_MUSCLES = {
    "Anterior deltoid": "front_delts",
    "Biceps brachii": "biceps",
    "Biceps femoris": "hamstrings",
    "Brachialis": "brachialis",
    "Erector spinae": "lower_back",
    "Gastrocnemius": "calves",
    "Gluteus maximus": "glutes",
    "Latissimus dorsi": "lats",
    "Obliquus externus abdominis": "obliques",
    "Pectoralis major": "chest",
    "Quadriceps femoris": "quadriceps",
    "Rectus abdominis": "abdominals",
    "Serratus anterior": "serratus",
    "Soleus": "soleus",
    "Trapezius": "traps",
    "Triceps brachii": "triceps",
    # wger's English names
    "Shoulders": "shoulders",
    "Biceps": "biceps",
    "Hamstrings": "hamstrings",
    "Lower back": "lower_back",
    "Calves": "calves",
    "Glutes": "glutes",
    "Lats": "lats",
    "Chest": "chest",
    "Quads": "quadriceps",
    "Abs": "abdominals",
    "Triceps": "triceps",
}


@pytest.fixture
def shipped() -> Exercise:
    return exercise_of(SHIPPED_SEED)


# The vocabulary


def test_every_muscle_free_exercise_db_names_maps() -> None:
    data = json.loads(FREE_EXERCISE_DB.read_text("utf-8"))
    named = {m for e in data for m in (*e["primaryMuscles"], *e["secondaryMuscles"])}
    assert named == set(FREE_EXERCISE_DB_MUSCLES)
    for name, expected in FREE_EXERCISE_DB_MUSCLES.items():
        muscle = lookup(name)
        assert muscle is not None and muscle.id == expected, name


def test_every_muscle_of_wger_maps_by_its_latin_and_its_english_name() -> None:
    records = json.loads(WGER.read_text("utf-8"))
    assert len(records) == 16
    names = {r["name"] for r in records} | {r["name_en"] for r in records if r["name_en"]}
    assert names == set(WGER_MUSCLES)
    for name, expected in WGER_MUSCLES.items():
        muscle = lookup(name)
        assert muscle is not None and muscle.id == expected, name


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("Hamstring", "hamstrings"),
        ("HAMSTRINGS", "hamstrings"),
        ("  hamstrings ", "hamstrings"),
        ("biceps femoris", "hamstrings"),
        ("Quads", "quadriceps"),
        ("quad", "quadriceps"),
        ("lats", "lats"),
        ("Lat", "lats"),
        ("latissimus  dorsi", "lats"),
        ("Lower-Back", "lower_back"),
        ("lower_back", "lower_back"),
        ("glute", "glutes"),
        ("calf", "calves"),
        ("pecs", "chest"),
        ("Beinbeuger", "hamstrings"),  # the German label
        ("задняя поверхность бедра", "hamstrings"),  # the Russian label
        ("грудні м\u2019язи", "chest"),  # the Ukrainian label, a typographic apostrophe
        ("грудні м'язи", "chest"),  # and a straight one
    ],
)
def test_a_name_is_matched_in_any_case_spacing_and_number(written: str, expected: str) -> None:
    muscle = lookup(written)
    assert muscle is not None and muscle.id == expected


def test_every_muscle_shades_a_region_of_the_artwork_and_has_a_name_everywhere() -> None:
    art = body()
    regions = {
        "front": {r.name for r in art.front},
        "back": {r.name for r in art.back},
    }
    for muscle in vocabulary().values():
        assert muscle.front or muscle.back, muscle.id
        assert set(muscle.front) <= regions["front"], muscle.id
        assert set(muscle.back) <= regions["back"], muscle.id
    for tag in ("en", "de", "ru", "tr"):
        labels = labels_for(tag)
        assert all(labels[m.label] for m in vocabulary().values())


def test_the_artwork_carries_its_licence_and_source() -> None:
    folder = ROOT / "pipeline" / "muscles"
    assert "MIT License" in (folder / "LICENSE.body").read_text("utf-8")
    readme = (folder / "README.md").read_text("utf-8")
    assert "react-body-highlighter" in readme and "2.0.5" in readme


# The frontmatter


def test_secondary_muscles_is_a_field_of_the_schema() -> None:
    schema = SeedFrontmatter.model_json_schema()
    assert "secondary_muscles" in schema["properties"]


def test_an_unknown_muscle_is_a_warning_at_its_line_with_a_did_you_mean(
    shipped_text: str, tmp_path: Path
) -> None:
    text = shipped_text.replace(
        "secondary_muscles: [calves, glutes]",
        "secondary_muscles:\n  - calves\n  - hamstirngs\n  - glutes",
    )
    seed = tmp_path / "x.md"
    seed.write_text(text, "utf-8")
    copy_pictures(tmp_path)
    result = parse_seed(seed, display_path="seeds/x.md")
    assert result.exercise is not None  # the seed still exports
    warnings = [str(d) for d in result.diagnostics if d.level is Level.WARNING]
    line = line_of(text, "  - hamstirngs")
    assert warnings == [
        f"seeds/x.md:{line}: warning: unknown muscle 'hamstirngs' (did you mean "
        "'hamstrings'?); it is left off the muscle map"
    ]
    exercise = result.exercise
    assert exercise.secondary_muscles == ("calves", "hamstirngs", "glutes")
    page = muscle_figure(exercise, labels_for("en"))
    assert "hamstirngs" not in page
    assert _titles(page) == ["hamstrings", "calves", "glutes"]


def test_a_name_far_from_every_muscle_is_a_warning_without_a_guess(tmp_path: Path) -> None:
    text = SHIPPED_SEED.read_text("utf-8").replace("muscles: [hamstrings]", "muscles: [xyzzy]")
    seed = tmp_path / "x.md"
    seed.write_text(text, "utf-8")
    copy_pictures(tmp_path)
    result = parse_seed(seed, display_path="x.md")
    messages = [d.message for d in result.diagnostics]
    assert messages == ["unknown muscle 'xyzzy'; it is left off the muscle map"]
    assert result.exercise is not None
    # Only the secondary muscles are left to draw.
    shown = muscle_map(result.exercise.muscles, result.exercise.secondary_muscles)
    assert shown is not None and not shown.primary
    assert [m.id for m in shown.secondary] == ["calves", "glutes"]


# The card


def _curves(pdf: bytes) -> list[dict[str, Any]]:
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return [
            {**curve, "rgb": tuple(round(c, 3) for c in curve["non_stroking_color"])}
            for curve in document.pages[0].curves
            if curve.get("fill") and curve.get("non_stroking_color")
        ]


def _rgb(color: object) -> tuple[float, ...]:
    return tuple(round(c, 3) for c in color.rgb())  # type: ignore[attr-defined]


def _map(pdf: bytes) -> dict[tuple[float, ...], int]:
    """The filled shapes inside the muscle map (the box of its outline's light neutral), by
    colour."""
    curves = _curves(pdf)
    outline = [c for c in curves if c["rgb"] == _rgb(BODY)]
    if not outline:
        return {}
    box = [min(c[k] for c in outline) for k in ("x0", "top")]
    box += [max(c[k] for c in outline) for k in ("x1", "bottom")]
    inside = [
        c
        for c in curves
        if box[0] <= c["x0"] and c["x1"] <= box[2] and box[1] <= c["top"] and c["bottom"] <= box[3]
    ]
    found: dict[tuple[float, ...], int] = {}
    for curve in inside:
        rgb = curve["rgb"]
        found[rgb] = found.get(rgb, 0) + 1
    return found


@pytest.mark.parametrize("page_size", ["a4", "letter"])
def test_the_card_draws_the_map_and_still_fits_one_page(shipped: Exercise, page_size: str) -> None:
    card = render_card(shipped, Settings(page_size=page_size))
    assert card.pages == 1 and card.warnings == []
    shapes = _map(card.pdf)
    # The outline, the primary muscle (hamstrings) in the accent colour and the secondary
    # ones (calves, glutes) in its lighter tint; nothing else.
    assert set(shapes) == {_rgb(BODY), _rgb(ACCENT), _rgb(ACCENT_LIGHT)}
    without = render_card(
        shipped.model_copy(update={"muscles": (), "secondary_muscles": ()}),
        Settings(page_size=page_size),
    )
    assert _map(without.pdf) == {}


def test_a_card_without_a_video_draws_the_map_in_the_qr_codes_column(shipped: Exercise) -> None:
    # Without pictures: with them, the map is in their row (tests/test_pictures.py).
    exercise = shipped.model_copy(update={"video_id": None, "images": ()})
    card = render_card(exercise, Settings())
    outline = [c for c in _curves(card.pdf) if c["rgb"] == _rgb(BODY)]
    with pdfplumber.open(io.BytesIO(card.pdf)) as document:
        page = document.pages[0]
        title = next(w for w in page.extract_words() if w["text"] == "Leverage")
        width = page.width
    assert card.pages == 1 and outline
    assert min(c["x0"] for c in outline) > width * 0.7
    assert min(c["top"] for c in outline) < title["bottom"]


def test_the_card_is_the_same_bytes_every_time(shipped: Exercise) -> None:
    for settings in (Settings(), Settings(page_size="a5"), Settings(layout="2up")):
        assert render_card(shipped, settings).pdf == render_card(shipped, settings).pdf


def test_a_card_the_map_would_push_onto_a_second_page_leaves_the_map_off() -> None:
    german = exercise_of(SQUAT / "kniebeuge.de.md")
    card = render_card(german, Settings())
    assert card.pages == 1 and card.warnings == []
    assert _map(card.pdf) == {}
    # The page has room for it.
    assert "<svg" in muscle_figure(german, labels_for("de"))

    # The page has room for it.
    assert "<svg" in muscle_figure(german, labels_for("de"))


# The page


class _Svg(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.groups: list[tuple[str, str]] = []
        self.stack: list[str] = []
        self.svg: dict[str, str | None] = {}
        self._title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "svg":
            self.svg = dict(attrs)
        if tag == "g":
            self.stack.append(dict(attrs).get("class") or "")
        self._title = tag == "title"

    def handle_endtag(self, tag: str) -> None:
        if tag == "g":
            self.stack.pop()
        self._title = False

    def handle_data(self, data: str) -> None:
        if self._title and self.stack:  # a muscle's, not the page's <title>
            self.groups.append((self.stack[-1], data))


def _parsed(page: str) -> _Svg:
    svg = _Svg()
    svg.feed(page)
    return svg


def _titles(page: str) -> list[str]:
    return [title for _, title in _parsed(page).groups]


@pytest.mark.parametrize(
    ("lang", "groups", "label"),
    [
        (
            "en",
            [("primary", "hamstrings"), ("secondary", "calves"), ("secondary", "glutes")],
            "Muscles worked: hamstrings (primary); calves, glutes (secondary)",
        ),
        (
            "de",
            [("primary", "Beinbeuger"), ("secondary", "Waden"), ("secondary", "Gesäß")],
            "Trainierte Muskeln: Beinbeuger (hauptsächlich); Waden, Gesäß (unterstützend)",
        ),
        (
            "ru",
            [
                ("primary", "задняя поверхность бедра"),
                ("secondary", "икры"),
                ("secondary", "ягодицы"),
            ],
            "Работающие мышцы: задняя поверхность бедра (основные); икры, ягодицы "
            "(вспомогательные)",
        ),
    ],
)
def test_the_pages_map_names_each_shaded_muscle_in_the_pages_language(
    shipped: Exercise, lang: str, groups: list[tuple[str, str]], label: str
) -> None:
    exercise = shipped.model_copy(update={"lang": lang})
    svg = _parsed(muscle_figure(exercise, labels_for(lang)))
    assert svg.groups == groups
    assert svg.svg["role"] == "img"
    assert svg.svg["aria-label"] == label


def test_the_page_shows_the_map_and_its_colours_come_from_the_style_sheet(
    seeds_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    report = export([seeds_dir], out, Settings(base_url="https://gym.example.com/"), ["html"])
    assert report.errors == 0 and report.warnings == 0
    page = next((out / "html").rglob("leverage-machine-lying-leg-curl/index.html"))
    text = page.read_text("utf-8")
    assert text.count("<svg") == 1 and "fill=" not in text
    assert re.search(r"\.muscle-map \.primary \{ fill: var\(--accent\); \}", text)
    assert _titles(text) == ["hamstrings", "calves", "glutes"]


def test_a_page_without_known_muscles_has_no_map(shipped: Exercise) -> None:
    bare = shipped.model_copy(update={"muscles": ("xyzzy",), "secondary_muscles": ()})
    assert muscle_figure(bare, labels_for("en")) == ""


def test_a_label_override_renames_a_muscle_on_the_map(shipped: Exercise) -> None:
    labels = labels_for("en", {"en": {"muscle_hamstrings": "back of the thighs"}})
    svg = _parsed(muscle_figure(shipped, labels))
    assert svg.groups[0] == ("primary", "back of the thighs")
    assert "back of the thighs (primary)" in str(svg.svg["aria-label"])


# The catalogue


def test_the_catalogue_holds_the_secondary_muscles_and_the_vocabularys_names(
    seeds_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    report = export([seeds_dir], out, Settings(), ["sqlite"])
    assert report.errors == 0
    db = sqlite3.connect(out / "catalogue.sqlite")
    muscles, secondary = db.execute("SELECT muscles, secondary_muscles FROM exercises").fetchone()
    assert json.loads(muscles) == ["hamstrings"]
    assert json.loads(secondary) == ["calves", "glutes"]
    links = db.execute(
        "SELECT m.name, m.muscle, m.latin, em.role, em.position FROM exercise_muscles AS em "
        "JOIN muscles AS m ON m.id = em.muscle_id ORDER BY em.role, em.position"
    ).fetchall()
    assert links == [
        ("hamstrings", "hamstrings", "biceps femoris", "primary", 1),
        ("calves", "calves", "gastrocnemius", "secondary", 1),
        ("glutes", "glutes", "gluteus maximus", "secondary", 2),
    ]


def test_a_muscle_in_both_lists_is_linked_once_as_primary(
    shipped_text: str, tmp_path: Path
) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    copy_pictures(seeds)
    text = shipped_text.replace("[calves, glutes]", "[Hamstrings, calves, spine]")
    (seeds / "curl.md").write_text(text, "utf-8")
    out = tmp_path / "out"
    report = export([seeds], out, Settings(), ["sqlite"])
    assert report.errors == 0 and report.warnings == 1  # spine: not a muscle
    db = sqlite3.connect(out / "catalogue.sqlite")
    rows = db.execute(
        "SELECT m.name, m.muscle, em.role FROM exercise_muscles AS em "
        "JOIN muscles AS m ON m.id = em.muscle_id ORDER BY em.role, em.position"
    ).fetchall()
    assert rows == [
        ("hamstrings", "hamstrings", "primary"),
        ("calves", "calves", "secondary"),
        ("spine", None, "secondary"),
    ]
