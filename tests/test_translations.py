"""One exercise in several languages: how a seed's language is chosen, which seeds are
translations of one another, what the set refuses, and how the outputs link the versions."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.config import Settings
from pipeline.diagnostics import Level
from pipeline.engine import export
from pipeline.parser import ParseResult, parse_seed_bytes, split_language_suffix
from pipeline.translations import Sibling, Version, set_problems, siblings
from pipeline.validation import validate_html, validate_jsonld

FIXTURE = Path(__file__).parent / "fixtures" / "translations"
SLUG = "leverage-machine-lying-leg-curl"
RU_SLUG = "sgibanie-nog-lyozha"
SITE = "https://gym.example.com/exercises/"
SETTINGS = Settings(base_url=SITE)
# The formats whose per-seed files link the versions, and the ones that do not.
FORMATS = ("json", "jsonld", "html", "pdf")

BODY = "## Execution\n1. Go.\n\n<!-- howto -->\n\n### Go\nGo.\n"


def parsed(frontmatter: str, stem: str = "squat", default_lang: str = "en") -> ParseResult:
    return parse_seed_bytes(
        f"---\ndescription: d\n{frontmatter}---\n{BODY}".encode(),
        f"seeds/{stem}.md",
        stem=stem,
        default_lang=default_lang,
    )


# --- a seed's language -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stem", "expected"),
    [
        ("squat.de", ("squat", "de")),
        ("squat.pt-br", ("squat", "pt-BR")),
        ("squat.sr-Latn", ("squat", "sr-Latn")),
        ("squat", ("squat", None)),
        ("press.v2", ("press.v2", None)),  # not a language
        ("press.alt", ("press.alt", None)),  # three letters are part of the name
        ("squat.xx", ("squat.xx", None)),  # no such language
        ("de", ("de", None)),
    ],
)
def test_a_language_suffix_is_a_two_letter_language(
    stem: str, expected: tuple[str, str | None]
) -> None:
    assert split_language_suffix(stem) == expected


def test_lang_then_suffix_then_the_default_setting() -> None:
    def lang(result: ParseResult) -> str:
        assert result.exercise is not None, result.diagnostics
        return result.exercise.lang

    assert lang(parsed("lang: ru\n")) == "ru"
    german = parsed("", stem="squat.de").exercise
    assert german is not None and (german.lang, german.slug) == ("de", "squat")
    assert lang(parsed("", default_lang="cs")) == "cs"
    assert lang(parsed("lang: pt-br\n")) == "pt-BR"


def test_a_suffix_and_lang_that_disagree_is_an_error_at_the_lang_line() -> None:
    result = parsed("level: beginner\nlang: fr\n", stem="squat.de")
    errors = [d for d in result.diagnostics if d.level is Level.ERROR]
    assert [(d.line, d.message) for d in errors] == [
        (
            4,
            "lang: 'fr' but the file name says 'de' (squat.de.md); "
            "make them agree, or drop one of them",
        )
    ]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("ger", "lang: 'ger' is not how BCP 47 writes the language; did you mean 'de'?"),
        ("German", "lang: 'German' is not a known language; did you mean 'de'?"),
        ("Deutsch", "lang: 'Deutsch' is not a known language; did you mean 'de'?"),
        ("de-XX", "lang: 'de-XX': 'XX' is not a known region, e.g. DE, AT or BR"),
    ],
)
def test_an_unknown_language_is_an_error_with_a_did_you_mean(value: str, message: str) -> None:
    result = parsed(f"lang: {value}\n")
    assert result.exercise is None
    assert result.diagnostics[0].message.startswith(message)


def test_a_translation_of_in_the_wrong_case_says_so() -> None:
    result = parsed("translation_of: Bench-Press\n")
    (error,) = result.diagnostics
    assert error.line == 3
    assert "differs from the slug 'bench-press' only by case" in error.message


# --- the set ---------------------------------------------------------------------------------


def test_the_set_refuses_what_cannot_be_one_exercise_in_several_languages() -> None:
    problems = set_problems(
        [
            Version("squat.md", "squat", "en"),
            Version("squat.de.md", "squat", "de"),
            Version("again/squat.de.md", "squat", "de"),
            Version("kniebeuge.de.md", "kniebeuge", "de", "squat", 4),
            Version("bench.fr.md", "developpe", "fr", "bench-pres", 5),
            Version("bench-press.md", "bench-press", "en"),
            Version("sub.ru.md", "prised", "ru", "kniebeuge", 3),
        ],
        "en",
    )
    said = {path: [m for _, m in found] for path, found in problems.items()}
    assert (
        said["squat.de.md"][0]
        == "slug 'squat' is also used by again/squat.de.md in the same language (de)"
    )
    assert said["kniebeuge.de.md"] == [
        "'squat' would have two versions in de: this one and again/squat.de.md, squat.de.md; "
        "each translation needs a language of its own"
    ]
    assert problems["kniebeuge.de.md"][0][0] == 4  # at its translation_of line
    assert said["bench.fr.md"] == [
        "translation_of: 'bench-pres' is not the slug of any seed; did you mean 'bench-press'?"
    ]
    assert said["sub.ru.md"] == [
        "translation_of: 'kniebeuge' is itself a translation (of 'squat'); "
        "name the original: translation_of: squat"
    ]
    assert "squat.md" not in problems and "bench-press.md" not in problems


def test_the_original_is_the_default_language_version_with_the_works_slug() -> None:
    found = siblings(
        [
            Version("squat.de.md", "squat", "de"),
            Version("squat.md", "squat", "en"),
            Version("prised.ru.md", "prised", "ru", "squat"),
            Version("alone.md", "alone", "en"),
        ],
        "en",
    )
    assert found["squat.md"] == (Sibling("de", "squat", False), Sibling("ru", "prised", False))
    assert found["prised.ru.md"] == (Sibling("de", "squat", False), Sibling("en", "squat", True))
    assert "alone.md" not in found
    # Without a version in the default language, the first by language is the original.
    found = siblings([Version("a.de.md", "a", "de"), Version("a.fr.md", "a", "fr")], "en")
    assert found["a.fr.md"] == (Sibling("de", "a", True),)


# --- the outputs -----------------------------------------------------------------------------


def _alternates(page: str) -> dict[str, str]:
    return dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', page))


def _howto(path: Path) -> dict[str, object]:
    graph = json.loads(path.read_text("utf-8"))["@graph"]
    return next(node for node in graph if node["@type"] == "HowTo")


def test_four_languages_land_in_their_places_and_link_each_other(tmp_path: Path) -> None:
    out = tmp_path / "out"
    report = export([FIXTURE], out, SETTINGS, FORMATS, jobs=1)
    assert report.errors == 0, report.diagnostics
    urls = {
        "en": f"{SITE}{SLUG}/",
        "de": f"{SITE}de/{SLUG}/",
        "pt-BR": f"{SITE}pt-br/{SLUG}/",
        "ru": f"{SITE}ru/{RU_SLUG}/",
    }
    pages = {
        "en": f"html/{SLUG}/index.html",
        "de": f"html/de/{SLUG}/index.html",
        "pt-BR": f"html/pt-br/{SLUG}/index.html",
        "ru": f"html/ru/{RU_SLUG}/index.html",
    }
    for lang, page in pages.items():
        text = (out / page).read_text("utf-8")
        assert f'<html lang="{lang}">' in text
        assert f'<link rel="canonical" href="{urls[lang]}">' in text
        # Every version, itself included, and x-default: the English original.
        assert _alternates(text) == {**urls, "x-default": urls["en"]}
        assert validate_html(text) == []
    for lang in ("de", "pt-br"):
        assert (out / f"cards/{lang}/{SLUG}.pdf").exists()
        assert (out / f"cards.{lang}.pdf").exists()
        assert (out / f"html/{lang}/index.html").exists()
        assert json.loads((out / f"json/{lang}/{SLUG}.json").read_text("utf-8"))["slug"] == SLUG
    assert (out / f"cards/ru/{RU_SLUG}.pdf").exists() and (out / "cards.ru.pdf").exists()

    original = _howto(out / f"jsonld/{SLUG}.jsonld")
    assert original["inLanguage"] == "en"
    assert original["workTranslation"] == [
        {"@id": f"{urls[lang]}#howto"} for lang in ("de", "pt-BR", "ru")
    ]
    for path, lang in (
        (f"jsonld/de/{SLUG}.jsonld", "de"),
        (f"jsonld/pt-br/{SLUG}.jsonld", "pt-BR"),
        (f"jsonld/ru/{RU_SLUG}.jsonld", "ru"),
    ):
        howto = _howto(out / path)
        assert howto["inLanguage"] == lang
        assert howto["translationOfWork"] == {"@id": f"{urls['en']}#howto"}
        assert "workTranslation" not in howto
        assert validate_jsonld((out / path).read_text("utf-8")) == []


def test_one_language_alone_has_no_alternates(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    shutil.copy(FIXTURE / f"{SLUG}.de.md", seeds)
    export([seeds], tmp_path / "out", SETTINGS, FORMATS, jobs=1)
    page = (tmp_path / "out" / f"html/de/{SLUG}/index.html").read_text("utf-8")
    assert _alternates(page) == {}
    assert "translationOfWork" not in _howto(tmp_path / "out" / f"jsonld/de/{SLUG}.jsonld")


def _files(out: Path) -> dict[str, bytes]:
    return {
        p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()
    }


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_translation_added_or_removed_relinks_the_others_as_a_clean_build_would(
    tmp_path: Path, jobs: int
) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for name in (f"{SLUG}.md", f"{SLUG}.de.md"):
        shutil.copy(FIXTURE / name, seeds)
    out = tmp_path / "out"
    export([seeds], out, SETTINGS, FORMATS, jobs=jobs)
    shutil.copy(FIXTURE / f"{RU_SLUG}.ru.md", seeds)
    report = export([seeds], out, SETTINGS, FORMATS, jobs=jobs)
    # Only the new seed is parsed; the two it joins are read again to be relinked.
    assert report.parsed == 1
    english = (out / f"html/{SLUG}/index.html").read_text("utf-8")
    assert f"{SITE}ru/{RU_SLUG}/" in _alternates(english).values()
    # The English card does not link the versions: it is not written again.
    assert f"cards/{SLUG}.pdf" not in report.written
    clean = tmp_path / "clean"
    export([seeds], clean, SETTINGS, FORMATS, jobs=jobs)
    assert _files(out) == _files(clean)

    (seeds / f"{SLUG}.de.md").unlink()
    export([seeds], out, SETTINGS, FORMATS, jobs=jobs)
    english = (out / f"html/{SLUG}/index.html").read_text("utf-8")
    assert set(_alternates(english)) == {"en", "ru", "x-default"}
    assert not (out / f"html/de/{SLUG}/index.html").exists()
    again = export([seeds], out, SETTINGS, FORMATS, jobs=jobs)
    assert again.written == []


def test_a_translation_of_nothing_costs_only_itself(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    shutil.copy(FIXTURE / f"{SLUG}.md", seeds)
    text = (FIXTURE / f"{RU_SLUG}.ru.md").read_text("utf-8")
    (seeds / f"{RU_SLUG}.ru.md").write_text(text.replace(SLUG, "lying-leg-curl"), "utf-8")
    report = export([seeds], tmp_path / "out", SETTINGS, FORMATS, jobs=1)
    (error,) = [d for d in report.diagnostics if d.level is Level.ERROR]
    assert (error.path, error.line) == ((seeds / f"{RU_SLUG}.ru.md").as_posix(), 3)
    assert error.message.startswith("translation_of: 'lying-leg-curl' is not the slug of any seed")
    assert (tmp_path / "out" / f"html/{SLUG}/index.html").exists()
    assert not (tmp_path / "out" / f"html/ru/{RU_SLUG}/index.html").exists()


def test_a_page_at_a_language_index_page_is_an_error_at_its_seed(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    english = (FIXTURE / "leverage-machine-lying-leg-curl.md").read_text("utf-8")
    (seeds / "de.md").write_text(english, "utf-8")
    shutil.copy(FIXTURE / "leverage-machine-lying-leg-curl.de.md", seeds)
    settings = Settings(base_url="https://gym.example.com/")
    report = export([seeds], tmp_path / "out", settings)
    said = [str(d) for d in report.diagnostics if d.level is Level.ERROR]
    assert said == [
        f"{(seeds / 'de.md').as_posix()}:1: error: slug 'de' puts its page at "
        "https://gym.example.com/de/, the index page of the exercises in German (de); give "
        "the seed another slug (slug: ...)"
    ]
    # The German index is the German index; the other seed is exported.
    index = (tmp_path / "out" / "html" / "de" / "index.html").read_text("utf-8")
    assert '<html lang="de"' in index
    assert (tmp_path / "out" / "html" / "de" / "leverage-machine-lying-leg-curl").is_dir()
    # With pages one file each, the two do not meet.
    flat = Settings(base_url="https://gym.example.com/", url_pattern="{base_url}{slug}.html")
    report = export([seeds], tmp_path / "flat", flat)
    assert not [d for d in report.diagnostics if d.level is Level.ERROR]


def test_a_translation_exported_on_its_own_says_which_versions_do_not_link_it_yet(
    tmp_path: Path,
) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for name in ("leverage-machine-lying-leg-curl.md", "leverage-machine-lying-leg-curl.pt-BR.md"):
        shutil.copy(FIXTURE / name, seeds)
    settings = Settings(base_url="https://gym.example.com/")
    out = tmp_path / "out"
    export([seeds], out, settings)
    german = shutil.copy(FIXTURE / "leverage-machine-lying-leg-curl.de.md", seeds)
    report = export([Path(german)], out, settings)
    waiting = sorted(d.path for d in report.diagnostics if "link them both ways" in d.message)
    assert waiting == [
        (seeds / "leverage-machine-lying-leg-curl.md").as_posix(),
        (seeds / "leverage-machine-lying-leg-curl.pt-BR.md").as_posix(),
    ]
    english = out / "html" / "leverage-machine-lying-leg-curl" / "index.html"
    assert 'hreflang="de"' not in english.read_text("utf-8")  # kept as it was, as said
    report = export([seeds], out, settings)
    assert not [d for d in report.diagnostics if "link them both ways" in d.message]
    assert 'hreflang="de"' in english.read_text("utf-8")


# --- export --lang ---------------------------------------------------------------------------

GERMAN = f"{SLUG}.de.md"
AGGREGATES = {"catalogue.sqlite", "html/index.html"}
EVERY = (*FORMATS, "sqlite")


def own(slug: str, folder: str = "") -> set[str]:
    """What the per-seed exporters write for one seed (``folder``: its language's)."""
    at = f"{folder}/" if folder else ""
    return {
        f"json/{at}{slug}.json",
        f"jsonld/{at}{slug}.jsonld",
        f"jsonld/{at}{slug}.snippet.html",
        f"html/{at}{slug}/index.html",
        f"cards/{at}{slug}.pdf",
    }


def _fixture_copy(tmp_path: Path) -> Path:
    seeds = tmp_path / "seeds"
    shutil.copytree(FIXTURE, seeds, ignore=shutil.ignore_patterns("README.md"))
    return seeds


def _mtimes(out: Path, files: set[str]) -> dict[str, int]:
    return {f: (out / f).stat().st_mtime_ns for f in files}


def test_export_lang_writes_one_language_then_a_full_export_the_rest(tmp_path: Path) -> None:
    seeds = _fixture_copy(tmp_path)
    written = {}
    for jobs in (1, 2):
        out = tmp_path / f"out{jobs}"
        report = export([seeds], out, SETTINGS, EVERY, jobs=jobs, languages=["de"])
        assert report.errors == 0, report.diagnostics
        assert report.seeds == [(seeds / GERMAN).as_posix()]
        others = sorted(p.as_posix() for p in seeds.glob("*.md") if p.name != GERMAN)
        assert sorted(report.other_languages) == others
        assert sorted(report.out_of_date) == others  # never exported
        assert set(_files(out)) == own(SLUG, "de") | AGGREGATES | {
            "cards.de.pdf",
            "html/de/index.html",
            "html/de/index.json",
            "html/sitemap.xml",
            "html/robots.txt",
        }
        # The German page still names the versions the set has, English among them.
        page = (out / f"html/de/{SLUG}/index.html").read_text("utf-8")
        assert _alternates(page)["en"] == f"{SITE}{SLUG}/"
        assert _alternates(page)["x-default"] == f"{SITE}{SLUG}/"
        assert _howto(out / f"jsonld/de/{SLUG}.jsonld")["translationOfWork"] == {
            "@id": f"{SITE}{SLUG}/#howto"
        }
        assert _catalogue(out) == [(SLUG, "de")]
        written[jobs] = _files(out)
    assert written[1] == written[2]

    clean = tmp_path / "clean"
    export([seeds], clean, SETTINGS, EVERY, jobs=1)
    for jobs in (1, 2):
        out = tmp_path / f"out{jobs}"
        german = _mtimes(out, own(SLUG, "de"))
        report = export([seeds], out, SETTINGS, EVERY, jobs=jobs)
        assert report.other_languages == [] and report.parsed == 3
        assert _files(out) == _files(clean)
        assert _mtimes(out, own(SLUG, "de")) == german  # already as a full export writes them
        again = export([seeds], out, SETTINGS, EVERY, jobs=jobs, languages=["de"])
        assert again.written == [] and again.removed == [] and again.out_of_date == []


@pytest.mark.parametrize("jobs", [1, 2])
def test_export_lang_leaves_the_other_languages_as_they_were(tmp_path: Path, jobs: int) -> None:
    seeds = _fixture_copy(tmp_path)
    shutil.copy(seeds / f"{SLUG}.md", seeds / "seated-leg-curl.md")
    shutil.copy(seeds / GERMAN, seeds / "beinbeuger-sitzend.de.md")
    out = tmp_path / "out"
    assert export([seeds], out, SETTINGS, EVERY, jobs=jobs).errors == 0
    before = _files(out)
    others = own(SLUG) | own("seated-leg-curl") | own(SLUG, "pt-br") | own(RU_SLUG, "ru")
    others |= {"cards.pdf", "cards.pt-br.pdf", "cards.ru.pdf"}
    mtimes = _mtimes(out, others)
    english = seeds / f"{SLUG}.md"
    english.write_text(english.read_text("utf-8").replace("Slowly", "Slowly, slowly"), "utf-8")
    german = seeds / GERMAN
    german.write_text(german.read_text("utf-8").replace("Halten Sie", "Fassen Sie"), "utf-8")
    (seeds / "seated-leg-curl.md").unlink()
    (seeds / "beinbeuger-sitzend.de.md").unlink()

    report = export([seeds], out, SETTINGS, EVERY, jobs=jobs, languages=["de"])

    assert report.errors == 0, report.diagnostics
    after = _files(out)
    # Every other language's file is there, the same bytes, not written again.
    assert {f: after[f] for f in others} == {f: before[f] for f in others}
    assert _mtimes(out, others) == mtimes
    # The German seed changed is written, the German seed gone is removed; the English seed
    # gone is kept, in its outputs and the catalogue.
    assert sorted(report.removed) == sorted(own("beinbeuger-sitzend", "de"))
    assert own(SLUG, "de") <= set(report.written)
    assert all(after[f] != before[f] for f in own(SLUG, "de"))
    assert "seated-leg-curl" in {slug for slug, _ in _catalogue(out)}
    assert report.out_of_date == [english.as_posix()]

    # The next full export brings the rest up to date, as a clean build of the seeds would.
    report = export([seeds], out, SETTINGS, EVERY, jobs=jobs)
    assert sorted(report.removed) == sorted(own("seated-leg-curl"))
    clean = tmp_path / "clean"
    export([seeds], clean, SETTINGS, EVERY, jobs=jobs)
    assert _files(out) == _files(clean)


def _catalogue(out: Path) -> list[tuple[str, str]]:
    import sqlite3

    with sqlite3.connect(f"file:{out / 'catalogue.sqlite'}?mode=ro", uri=True) as db:
        return [(str(r[0]), str(r[1])) for r in db.execute("SELECT slug, lang FROM exercises")]


def test_a_version_gone_leaves_the_other_languages_out_of_date(tmp_path: Path) -> None:
    seeds = _fixture_copy(tmp_path)
    out = tmp_path / "out"
    export([seeds], out, SETTINGS, EVERY, jobs=1)
    (seeds / f"{SLUG}.pt-BR.md").unlink()
    # pt takes pt-BR: the Brazilian version's outputs go, and the pages that link it, in
    # languages not picked, are left as they were and said to be out of date.
    report = export([seeds], out, SETTINGS, EVERY, jobs=1, languages=["pt"])
    pt_br = own(SLUG, "pt-br") | {
        "cards.pt-br.pdf",
        "html/pt-br/index.html",
        "html/pt-br/index.json",
    }
    assert sorted(report.removed) == sorted(pt_br)
    # The indexes are aggregates: they no longer link the Brazilian one.
    assert "html/index.html" in report.written
    assert report.seeds == []
    (warning,) = [d for d in report.diagnostics if d.level is Level.WARNING]
    assert warning.message == "--lang pt: no seed is in that language (the seeds are in de, en, ru)"
    assert sorted(report.out_of_date) == sorted(p.as_posix() for p in seeds.glob("*.md"))
    assert f"{SITE}pt-br/{SLUG}/" in (out / f"html/{SLUG}/index.html").read_text("utf-8")
    export([seeds], out, SETTINGS, EVERY, jobs=1)
    assert f"{SITE}pt-br/" not in (out / f"html/{SLUG}/index.html").read_text("utf-8")


def test_export_lang_on_the_command_line(
    tmp_path: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    seeds = _fixture_copy(tmp_path)
    monkeypatch.chdir(tmp_path)
    args = ["export", str(seeds), "--out", "out", "--base-url", SITE, "--quiet", "-j", "1"]
    result = runner.invoke(app, [*args, "--lang", "de", "--lang", "pt-br"])
    assert result.exit_code == 0, result.output
    assert "2 seeds into out: 2 ok, 0 warned, 0 failed, 2 seeds in other languages left as " in (
        result.output
    )
    assert "left as they were (2 of them out of date); " in result.output
    assert (tmp_path / f"out/html/pt-br/{SLUG}/index.html").exists()
    assert not (tmp_path / f"out/html/ru/{RU_SLUG}/index.html").exists()
    result = runner.invoke(app, [*args, "--lang", "ger"])
    assert result.exit_code == 2
    assert "'ger' is not" in result.output and "did you mean 'de'?" in result.output
    assert "Traceback" not in result.output
    result = runner.invoke(app, [*args, "--lang", "fr"])
    assert result.exit_code == 1
    assert "warning: --lang fr: no seed is in that language (the seeds are in " in result.output


def test_export_lang_says_the_errors_of_its_languages_and_of_seeds_of_no_known_one(
    tmp_path: Path,
) -> None:
    seeds = _fixture_copy(tmp_path)
    broken_body = BODY.replace("## Execution\n1. Go.\n", "## Execution\n")
    (seeds / "squat.md").write_text(f"---\ndescription: d\n---\n{broken_body}", "utf-8")
    (seeds / "press.ru.md").write_text("---\ndescription: [\n---\n", "utf-8")
    (seeds / "lunge.md").write_text("---\ndescription: [\n---\n", "utf-8")
    report = export([seeds], tmp_path / "out", SETTINGS, EVERY, jobs=1, languages=["de"])
    # English and Russian are not picked; a seed whose language cannot be told is.
    assert report.failed == [(seeds / "lunge.md").as_posix()]
    assert {d.path for d in report.diagnostics if d.level is Level.ERROR} == set(report.failed)
    assert (seeds / "squat.md").as_posix() in report.other_languages
    assert (seeds / "press.ru.md").as_posix() in report.other_languages
