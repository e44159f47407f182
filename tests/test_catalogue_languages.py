"""The catalogue in many languages: one slug in several languages, translations linked, and
search that finds each language's words as its readers type them."""

from __future__ import annotations

import asyncio
import json
import shutil
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from pipeline.catalogue import (
    CATALOGUE_FILE,
    AmbiguousExerciseError,
    Catalogue,
    ExerciseNotFoundError,
    TranslationRecord,
    lookup_language,
    matches_language,
)
from pipeline.catalogue.build import CatalogueBuildError
from pipeline.catalogue.folding import indexed, letters, variants
from pipeline.cli import app
from pipeline.config import Settings
from pipeline.exporters.base import ExportContext, export_in_process
from pipeline.exporters.sqlite import SqliteExporter
from pipeline.writer import OutputWriter
from tests.conftest import exercise_of

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ROOT / "tests" / "fixtures" / "languages"
SEEDS = sorted(p for p in LANGUAGES.glob("*.md") if p.name != "README.md")


def build(paths: Iterable[Path], out: Path) -> Path:
    """The catalogue of the seeds at ``paths``, built by the exporter alone (the engine takes
    one slug in several languages apart; this builds what it then hands the exporter)."""
    exercises = sorted((exercise_of(p) for p in paths), key=lambda e: (e.slug, e.lang))
    context = ExportContext(writer=OutputWriter(out), settings=Settings())
    export_in_process(SqliteExporter(Settings()), exercises, context)
    return out / CATALOGUE_FILE


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The catalogue of every seed in tests/fixtures/languages."""
    return build(SEEDS, tmp_path_factory.mktemp("languages"))


def rows(db: Path, sql: str, *parameters: object) -> list[tuple[Any, ...]]:
    """Every row ``sql`` returns from ``db``."""
    connection = sqlite3.connect(db)
    try:
        return connection.execute(sql, parameters).fetchall()
    finally:
        connection.close()


def found(db: Path, query: str, lang: str | None = None) -> set[tuple[str, str]]:
    """The (slug, language) of every exercise ``query`` finds."""
    with Catalogue(db) as catalogue:
        return {(h.slug, h.lang) for h in catalogue.search(query, lang=lang)}


# ---------------------------------------------------------------------------------------
# One slug in several languages, and translations


def test_one_slug_in_three_languages_is_three_exercises_of_one_work(db: Path) -> None:
    assert rows(
        db,
        "SELECT id, slug, lang, translation_of, work, title FROM exercises "
        "WHERE work IN ('squat', 'bench-press') ORDER BY id",
    ) == [
        (2, "bankdruecken", "de", "bench-press", "bench-press", "Bankdrücken"),
        (3, "bench-press", "en", None, "bench-press", "Bench Press"),
        (8, "squat", "de", None, "squat", "Kniebeuge"),
        (9, "squat", "en", None, "squat", "Squats"),
        (10, "squat", "ru", None, "squat", "Приседания"),
    ]
    assert rows(db, "SELECT count(*) FROM exercises") == [(len(SEEDS),)]


def test_each_version_keeps_its_own_steps_tips_and_links(db: Path) -> None:
    def first_step(lang: str) -> str:
        (text,) = rows(
            db,
            "SELECT s.text FROM steps AS s JOIN exercises AS e ON e.id = s.exercise_id "
            "WHERE e.slug = 'squat' AND e.lang = ? AND s.section = 'execution' "
            "AND s.position = 1",
            lang,
        )[0]
        return str(text)

    assert first_step("en").startswith("Go slowly down")
    assert first_step("de").startswith("Gehe nun langsam runter")
    assert first_step("ru").startswith("Спина должна")
    assert rows(
        db,
        "SELECT m.name FROM exercise_muscles AS em JOIN muscles AS m ON m.id = em.muscle_id "
        "JOIN exercises AS e ON e.id = em.exercise_id WHERE e.slug = 'squat' AND e.lang = 'ru' "
        "ORDER BY em.position",
    ) == [("квадрицепсы",), ("ягодицы",)]
    assert rows(db, "PRAGMA foreign_key_check") == []
    assert rows(db, "PRAGMA integrity_check") == [("ok",)]


def test_the_translations_view_lists_every_other_language_version(db: Path) -> None:
    def translations(slug: str, lang: str) -> list[tuple[Any, ...]]:
        return rows(
            db,
            "SELECT work, lang, slug, title FROM translations "
            "WHERE exercise_slug = ? AND exercise_lang = ? ORDER BY lang",
            slug,
            lang,
        )

    assert translations("squat", "en") == [
        ("squat", "de", "squat", "Kniebeuge"),
        ("squat", "ru", "squat", "Приседания"),
    ]
    assert translations("squat", "ru") == [
        ("squat", "de", "squat", "Kniebeuge"),
        ("squat", "en", "squat", "Squats"),
    ]
    # A translation with a slug of its own is linked through translation_of, both ways.
    assert translations("bench-press", "en") == [
        ("bench-press", "de", "bankdruecken", "Bankdrücken")
    ]
    assert translations("bankdruecken", "de") == [
        ("bench-press", "en", "bench-press", "Bench Press")
    ]
    assert translations("sinav", "tr") == []
    # Its ids lead back to exercises, and it is answered from the index on work.
    (pair,) = rows(
        db,
        "SELECT t.exercise_id, t.translation_id FROM translations AS t "
        "WHERE t.exercise_slug = 'bankdruecken'",
    )
    assert rows(db, "SELECT slug FROM exercises WHERE id IN (?, ?) ORDER BY id", *pair) == [
        ("bankdruecken",),
        ("bench-press",),
    ]
    plan = " ".join(
        str(row[-1])
        for row in rows(db, "EXPLAIN QUERY PLAN SELECT * FROM translations WHERE exercise_id = 8")
    )
    assert "exercises_work" in plan


def test_one_slug_twice_in_one_language_is_refused_naming_both_seeds(tmp_path: Path) -> None:
    copy = tmp_path / "seeds" / "squat.en.md"
    copy.parent.mkdir()
    shutil.copy(LANGUAGES / "squat.md", copy)
    with pytest.raises(CatalogueBuildError) as caught:
        build([LANGUAGES / "squat.md", copy], tmp_path / "out")
    message = str(caught.value)
    assert "squat.md" in message and "squat.en.md" in message
    assert "'squat' in 'en'" in message
    assert not (tmp_path / "out" / CATALOGUE_FILE).exists()


def test_the_same_seeds_in_any_order_give_the_same_file(tmp_path: Path) -> None:
    exercises = [exercise_of(p) for p in SEEDS]
    files = []
    for name, order in (("a", exercises), ("b", exercises[::-1])):
        out = tmp_path / name
        context = ExportContext(writer=OutputWriter(out), settings=Settings())
        export_in_process(SqliteExporter(Settings()), order, context)
        files.append((out / CATALOGUE_FILE).read_bytes())
    assert files[0] == files[1]


# ---------------------------------------------------------------------------------------
# Search beyond English: a case per script, and what each language's readers type

SEARCHES = [
    # English: still stemmed.
    ("squat", {("squat", "en")}),
    ("thigh", {("squat", "en")}),
    # German: umlauts without their dots or as ae/oe/ue, ß as ss, any case.
    ("Bankdrücken", {("bankdruecken", "de")}),
    ("Bankdrucken", {("bankdruecken", "de")}),
    ("Bankdruecken", {("bankdruecken", "de")}),
    ("BANKDRÜCKEN", {("bankdruecken", "de")}),
    ("hochdruecken", {("bankdruecken", "de"), ("squat", "de")}),
    ("Gesaess", {("squat", "de")}),
    ("gesass", {("squat", "de")}),
    ("aeussere", {("bankdruecken", "de")}),
    # Czech.
    ("drep", {("drep-do-sedu-na-box", "cs")}),
    ("vybusne", {("drep-do-sedu-na-box", "cs")}),
    ("VZPŘIMOVAČE", {("rumunsky-mrtvy-tah", "cs")}),
    # Polish: ł, which does not decompose, as l.
    ("wioslowanie", {("wioslowanie-sztanga", "pl")}),
    ("ŁOPATKI", {("wioslowanie-sztanga", "pl")}),
    ("lopatki", {("wioslowanie-sztanga", "pl")}),
    ("zaokraglanie", {("wioslowanie-sztanga", "pl")}),
    # Turkish: dotless ı and dotted İ, whichever case and keyboard.
    ("sinav", {("sinav", "tr")}),
    ("ŞINAV", {("sinav", "tr")}),
    ("KASLARINI", {("sinav", "tr")}),
    ("kaslarini", {("sinav", "tr")}),
    ("inis", {("sinav", "tr")}),
    ("İNİŞ", {("sinav", "tr")}),
    ("kalkis", {("sinav", "tr")}),
    # Russian: any case, ё as е.
    ("ПРИСЕДАНИЯ", {("squat", "ru")}),
    ("приседания", {("squat", "ru")}),
    ("вперед", {("squat", "ru")}),
    ("РАЗВЕРНУТЫ", {("squat", "ru")}),
    ("развёрнуты", {("squat", "ru")}),
    # Ukrainian: any case; й and ї stay letters of their own.
    ("ВІДЖИМАННЯ", {("vidzhymannia", "uk")}),
    ("ПІДЙОМ", {("vidzhymannia", "uk")}),
    ("підлоги", {("vidzhymannia", "uk")}),
    # Greek: any case, with or without accents, final sigma as sigma.
    ("καθισματα", {("kathismata", "el")}),
    ("ΚΑΘΙΣΜΑΤΑ", {("kathismata", "el")}),
    ("Καθίσματα", {("kathismata", "el")}),
    ("φτερνες", {("kathismata", "el")}),
    ("ΦΤΕΡΝΕΣ", {("kathismata", "el")}),
    ("ΠΙΕΣΗ", {("kathismata", "el")}),
    # Danish: ø and æ, or oe and ae.
    ("armbøjninger", {("armbojninger", "da")}),
    ("armboejninger", {("armbojninger", "da")}),
    ("ARMBOJNINGER", {("armbojninger", "da")}),
    ("traener", {("armbojninger", "da")}),
    ("TRÆNER", {("armbojninger", "da")}),
]


@pytest.mark.parametrize(("query", "expected"), SEARCHES, ids=[q for q, _ in SEARCHES])
def test_each_language_is_found_as_its_readers_type_it(
    db: Path, query: str, expected: set[tuple[str, str]]
) -> None:
    assert found(db, query) == expected
    # The same in the exercise's own language; nothing in another.
    (lang,) = {tag for _, tag in expected}
    assert found(db, query, lang) == expected
    other = "en" if lang != "en" else "de"
    assert found(db, query, other) == set()


@pytest.mark.parametrize(
    ("query", "lang", "marked"),
    [
        ("Bankdruecken", "de", "**Bankdrücken**"),
        ("aeussere", "de", "**äußere**"),
        ("вперед", "ru", "**вперёд**"),
        ("ΦΤΕΡΝΕΣ", "el", "**φτέρνες**"),
        ("kaslarini", "tr", "**kaslarını**"),
        ("lopatki", "pl", "**łopatki**"),
    ],
)
def test_a_snippet_marks_the_word_as_written_not_as_folded(
    db: Path, query: str, lang: str, marked: str
) -> None:
    with Catalogue(db) as catalogue:
        (hit,) = catalogue.search(query, lang=lang)
    assert marked in hit.snippet
    assert hit.lang == lang


def test_a_fold_of_one_language_never_finds_another_languages_words(db: Path) -> None:
    # German folds "toe" to "to", which English text is full of: only German text is asked.
    assert found(db, "to") != set()
    assert found(db, "toe") == set()
    # Danish folds "oo" to "o" and "aa" to "a"; English and German text are not asked.
    assert found(db, "bar", "en") == {("squat", "en"), ("bench-press", "en")}
    assert found(db, "baar") == set()


def test_a_language_takes_its_regional_variants_not_the_reverse(tmp_path: Path) -> None:
    austrian = tmp_path / "seeds" / "kniebeuge-at.md"
    austrian.parent.mkdir()
    text = (LANGUAGES / "squat.de.md").read_text("utf-8")
    austrian.write_text(text.replace("---\ntitle:", "---\nlang: de-AT\ntitle:", 1), "utf-8")
    db = build([*SEEDS, austrian], tmp_path / "out")
    assert found(db, "Kniebeuge", "de") == {("squat", "de"), ("kniebeuge-at", "de-AT")}
    assert found(db, "Kniebeuge", "de-AT") == {("kniebeuge-at", "de-AT")}
    assert found(db, "Kniebeuge", "de-CH") == set()
    with Catalogue(db) as catalogue:
        assert catalogue.languages("de") == ("de", "de-AT")
        assert [e.slug for e in catalogue.list_exercises(lang="de-AT")] == ["kniebeuge-at"]


@pytest.mark.parametrize(
    ("text", "same_as", "lang"),
    [
        ("Bankdrücken", "BANKDRUECKEN", "de"),
        ("Straße", "strasse", "de"),
        ("Übung", "Uebung", "de"),
        ("blåbærsyltetøj", "blaabaersyltetoej", "da"),
        ("blåbærsyltetøj", "BLABARSYLTETOJ", "nb"),
        ("räksmörgås", "raeksmoergaas", "sv"),
        ("Łódź", "LODZ", "pl"),
        ("kırmızı", "KIRMIZI", "tr"),
        ("İstanbul", "istanbul", "tr"),
        ("ёлка", "ЕЛКА", "ru"),
        ("ґанок", "ганок", "uk"),
        ("Ἀθῆναι", "ΑΘΗΝΑΙ", "el"),
        ("διϋλιστήριο", "ΔΙΥΛΙΣΤΗΡΙΟ", "el"),
        ("encyclopædia", "encyclopaedia", "en"),
    ],
)
def test_what_readers_type_for_a_word_finds_it(text: str, same_as: str, lang: str) -> None:
    assert finds(same_as, text, lang)
    assert finds(text, text, lang)


@pytest.mark.parametrize(
    ("text", "other", "lang"),
    [
        ("Feuer", "Fur", "de"),  # ue after a vowel is not ü
        ("Quelle", "Qulle", "de"),  # nor after q
        ("мой", "мои", "ru"),  # й is a letter of its own
        ("їжак", "іжак", "uk"),  # so is ї
        ("toe", "to", "en"),  # only German folds oe
        ("saa", "sa", "fi"),  # Finnish aa is a long vowel, not å
    ],
)
def test_letters_of_their_own_stay_apart(text: str, other: str, lang: str) -> None:
    assert not finds(other, text, lang)
    assert not finds(text, other, lang)


def finds(typed: str, text: str, lang: str) -> bool:
    """Whether a search for the word ``typed`` in ``lang`` finds the word ``text``."""
    held = words(indexed(text, lang))
    return any(
        words(spelling) == held[: len(words(spelling))] for spelling in variants(typed, lang)
    )


def words(text: str) -> list[str]:
    """The words the search index makes of ``text``: its tokenizer's, in order."""
    connection = sqlite3.connect(":memory:")
    try:
        connection.execute(
            "CREATE VIRTUAL TABLE t USING fts5 (x, "
            "tokenize = 'porter unicode61 remove_diacritics 2')"
        )
        connection.execute("CREATE VIRTUAL TABLE v USING fts5vocab (t, 'instance')")
        connection.execute("INSERT INTO t (x) VALUES (?)", (text,))
        return [str(term) for (term,) in connection.execute("SELECT term FROM v ORDER BY offset")]
    finally:
        connection.close()


TRICKY = "ßẞłŁøØæÆœŒđĐðÐþÞħĦıİёЁґҐйїΐάέϊΆΈϋΰἀῆὠᾧςaeoqu AEOUäöü'’-., 0"


@given(
    text=st.text(alphabet=st.sampled_from(TRICKY + "abcnrstАБВабвΑΒΓαβγ"), max_size=60),
    lang=st.sampled_from(["en", "de", "da", "sv", "pl", "tr", "ru", "uk", "el"]),
)
def test_folding_never_moves_a_word_so_highlights_stay_on_the_words_as_written(
    text: str, lang: str
) -> None:
    written = words(text)
    held = words(indexed(text, lang))
    # The folded text first, word for word; then only words as written.
    assert held[: len(written)] == words(letters(text, lang))
    assert len(words(letters(text, lang))) == len(written)
    assert set(held[len(written) :]) <= set(written)


# ---------------------------------------------------------------------------------------
# The library's list and show in several languages


def test_list_is_in_slug_then_language_order_and_filters_by_language(db: Path) -> None:
    with Catalogue(db) as catalogue:
        listed = [(e.slug, e.lang) for e in catalogue.list_exercises()]
        assert [pair for pair in listed if pair[0] == "squat"] == [
            ("squat", "de"),
            ("squat", "en"),
            ("squat", "ru"),
        ]
        assert listed == sorted(listed)
        assert [(e.slug, e.title) for e in catalogue.list_exercises(lang="de")] == [
            ("bankdruecken", "Bankdrücken"),
            ("squat", "Kniebeuge"),
        ]
        assert [e.slug for e in catalogue.list_exercises(lang="cs", muscle="hamstringy")] == [
            "rumunsky-mrtvy-tah"
        ]
        assert catalogue.list_exercises(lang="fr") == []
        assert catalogue.languages() == (
            "cs",
            "da",
            "de",
            "el",
            "en",
            "pl",
            "ru",
            "tr",
            "uk",
        )


def test_show_takes_the_language_asked_for_or_its_nearest(db: Path) -> None:
    with Catalogue(db) as catalogue:
        assert catalogue.languages_of("squat") == ("de", "en", "ru")
        with pytest.raises(AmbiguousExerciseError) as caught:
            catalogue.show("squat")
        assert caught.value.languages == ("de", "en", "ru")
        assert "in 3 languages: de, en, ru" in str(caught.value)
        german = catalogue.show("squat", "de")
        assert (german.title, german.lang, german.work) == ("Kniebeuge", "de", "squat")
        assert german.execution[0].text.startswith("Gehe nun langsam runter")
        assert german.translations == (
            TranslationRecord("en", "squat", "Squats"),
            TranslationRecord("ru", "squat", "Приседания"),
        )
        assert catalogue.show("squat", "de-AT").title == "Kniebeuge"
        with pytest.raises(ExerciseNotFoundError, match=r"'squat' in 'fr'.*it is in de, en, ru"):
            catalogue.show("squat", "fr")
        # A slug in one language needs none.
        bench = catalogue.show("bankdruecken")
        assert (bench.translation_of, bench.work) == ("bench-press", "bench-press")
        assert bench.translations == (TranslationRecord("en", "bench-press", "Bench Press"),)


def test_show_in_a_language_finds_a_translation_with_a_slug_of_its_own(
    db: Path, runner: CliRunner
) -> None:
    with Catalogue(db) as catalogue:
        german = catalogue.show("bench-press", "de")
        assert (german.slug, german.lang, german.title) == ("bankdruecken", "de", "Bankdrücken")
        assert catalogue.show("bench-press", "de-AT").slug == "bankdruecken"
        english = catalogue.show("bankdruecken", "en")
        assert (english.slug, english.title) == ("bench-press", "Bench Press")
        # The slug's own version comes first: squat is in German under its own slug.
        assert catalogue.show("squat", "de").title == "Kniebeuge"
        with pytest.raises(ExerciseNotFoundError) as caught:
            catalogue.show("bench-press", "fr")
        assert str(caught.value).endswith("(it is in de (bankdruecken), en)")
    result = runner.invoke(app, ["show", "bench-press", "--lang", "de", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Bankdrücken\n")
    assert "Slug: bankdruecken" in result.output


@pytest.mark.parametrize(
    ("tag", "asked", "matches"),
    [("de", "de", True), ("de-AT", "de", True), ("de", "de-AT", False), ("den", "de", False)],
)
def test_a_language_range_matches_as_rfc_4647_filters(tag: str, asked: str, matches: bool) -> None:
    assert matches_language(tag, asked) is matches


def test_a_language_is_looked_up_as_rfc_4647_says() -> None:
    assert lookup_language("de-AT", ["en", "de"]) == "de"
    assert lookup_language("de-AT", ["de-AT", "de"]) == "de-AT"
    assert lookup_language("zh-Hant-TW", ["zh-Hant", "zh"]) == "zh-Hant"
    assert lookup_language("de", ["de-AT", "en"]) is None
    assert lookup_language("DE-at", ["de-AT"]) == "de-AT"


# ---------------------------------------------------------------------------------------
# The command line


def test_list_search_and_show_take_a_language(db: Path, runner: CliRunner) -> None:
    result = runner.invoke(app, ["list", "--lang", "de", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "Kniebeuge" in result.output and "Bankdrücken" in result.output
    assert "Squats" not in result.output
    assert "2 exercises" in result.output

    result = runner.invoke(app, ["list", "--lang", "DE", "--json", "--db", str(db)])
    assert [(e["slug"], e["lang"]) for e in json.loads(result.output)] == [
        ("bankdruecken", "de"),
        ("squat", "de"),
    ]

    result = runner.invoke(app, ["search", "Bankdruecken", "--json", "--db", str(db)])
    assert result.exit_code == 0, result.output
    (hit,) = json.loads(result.output)
    assert (hit["slug"], hit["lang"], hit["title"]) == ("bankdruecken", "de", "Bankdrücken")
    assert "**Bankdrücken**" in hit["snippet"]
    result = runner.invoke(app, ["search", "Bankdruecken", "--lang", "en", "--db", str(db)])
    assert result.exit_code == 1
    assert "no exercise matches 'Bankdruecken'" in result.output

    result = runner.invoke(app, ["show", "squat", "--lang", "ru", "--json", "--db", str(db)])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert (document["title"], document["lang"], document["work"]) == (
        "Приседания",
        "ru",
        "squat",
    )
    assert [t["lang"] for t in document["translations"]] == ["de", "en"]


def headers(output: str) -> list[str]:
    """The column headers of the table in ``output``."""
    line = next(line for line in output.splitlines() if line.startswith("┃"))
    return [cell.strip() for cell in line.strip("┃").split("┃")]


def test_a_table_of_several_languages_has_a_language_column(db: Path, runner: CliRunner) -> None:
    result = runner.invoke(app, ["list", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert headers(result.output)[:3] == ["Title", "Slug", "Lang"]
    squats = [line.split("│")[2:4] for line in result.output.splitlines() if " squat " in line]
    assert [(slug.strip(), lang.strip()) for slug, lang in squats] == [
        ("squat", "de"),
        ("squat", "en"),
        ("squat", "ru"),
    ]
    # One language: nothing to tell apart, no column.
    result = runner.invoke(app, ["list", "--lang", "de", "--db", str(db)])
    assert "Lang" not in headers(result.output)
    result = runner.invoke(app, ["search", "squat*", "--db", str(db)])
    assert headers(result.output) == ["Title", "Slug", "Snippet"]
    result = runner.invoke(app, ["search", "bar*", "--db", str(db)])
    assert headers(result.output) == ["Title", "Slug", "Lang", "Snippet"]


def test_show_without_a_language_shows_the_default_languages_version(
    db: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)  # no pipeline.toml but the test's
    monkeypatch.delenv("PIPELINE_DEFAULT_LANG", raising=False)
    result = runner.invoke(app, ["show", "squat", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Squats\n")
    assert "Also in: de: Kniebeuge · ru: Приседания" in result.output

    monkeypatch.setenv("PIPELINE_DEFAULT_LANG", "de")
    result = runner.invoke(app, ["show", "squat", "--db", str(db)])
    assert result.output.startswith("Kniebeuge\n"), result.output
    assert "Also in: en: Squats · ru: Приседания" in result.output
    # No French version: French falls back to English.
    monkeypatch.setenv("PIPELINE_DEFAULT_LANG", "fr")
    result = runner.invoke(app, ["show", "squat", "--db", str(db)])
    assert result.output.startswith("Squats\n"), result.output
    # A translation with a slug of its own is named by it.
    result = runner.invoke(app, ["show", "bench-press", "--db", str(db)])
    assert "Also in: de: Bankdrücken (bankdruecken)" in result.output


def test_show_says_which_languages_there_are_when_none_is_the_default(
    tmp_path: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = build([LANGUAGES / "squat.de.md", LANGUAGES / "squat.ru.md"], tmp_path / "out")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PIPELINE_DEFAULT_LANG", raising=False)
    result = runner.invoke(app, ["show", "squat", "--db", str(db)])
    assert result.exit_code == 2
    assert "error: 'squat' is in 2 languages: de, ru; choose one with --lang" in result.output
    result = runner.invoke(app, ["show", "squat", "--lang", "pt-br", "--db", str(db)])
    assert result.exit_code == 1
    assert "no exercise 'squat' in 'pt-BR'" in result.output
    assert "(it is in de, ru)" in result.output


@pytest.mark.parametrize("command", [["list"], ["search", "squat"], ["show", "squat"]])
def test_a_bad_language_tag_is_a_usage_error_with_a_suggestion(
    db: Path, runner: CliRunner, command: list[str]
) -> None:
    result = runner.invoke(app, [*command, "--lang", "ger", "--db", str(db)])
    assert result.exit_code == 2
    assert "did you mean 'de'?" in result.output
    assert "Traceback" not in result.output
    result = runner.invoke(app, [*command, "--lang", "no_such-tag!", "--db", str(db)])
    assert result.exit_code == 2
    assert "not a BCP 47 language tag" in result.output


# ---------------------------------------------------------------------------------------
# Datasette


def test_datasette_shows_translations_and_searches_every_language(db: Path) -> None:
    from datasette.app import Datasette

    metadata = yaml.safe_load((ROOT / "datasette.yaml").read_text("utf-8"))

    async def browse() -> None:
        datasette = Datasette([str(db)], metadata=metadata)

        async def get(path: str) -> Any:
            response = await datasette.client.get(path)
            assert response.status_code == 200, response.text
            return response.json()

        translations = await get(
            "/catalogue/translations.json?exercise_slug=squat&exercise_lang=en&_shape=array"
        )
        assert sorted((t["lang"], t["title"]) for t in translations) == [
            ("de", "Kniebeuge"),
            ("ru", "Приседания"),
        ]
        # The table's own search box: the tokenizer folds case and Latin accents.
        for query in ("Bankdrücken", "Bankdrucken", "ПРИСЕДАНИЯ"):
            hits = await get(f"/catalogue/exercises.json?_search={query}&_shape=array")
            assert len(hits) == 1, query
        hits = await get("/catalogue/search.json?q=squats&lang=&_shape=array")
        assert [(h["slug"], h["lang"]) for h in hits] == [("squat", "en")]
        hits = await get("/catalogue/search.json?q=Kniebeuge&lang=de&_shape=array")
        assert [(h["slug"], h["lang"]) for h in hits] == [("squat", "de")]
        assert await get("/catalogue/search.json?q=Kniebeuge&lang=en&_shape=array") == []
        facets = (await get("/catalogue/exercises.json?_size=0"))["facet_results"]
        assert "lang" in facets

    asyncio.run(browse())


@given(st.text(st.characters(max_codepoint=127)), st.sampled_from(["en", "de", "sv", "el", None]))
def test_ascii_text_is_indexed_as_written_since_no_fold_changes_it(
    text: str, lang: str | None
) -> None:
    # What lets the index take most texts as they are without folding them.
    assert letters(text, lang) == text
    assert indexed(text, lang) == text
