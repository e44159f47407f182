"""The benchmark corpus in three languages (``bench.corpus --languages en,de,ru``): clean
seeds, native headings, the English seeds unchanged, and a floor that does the same work."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bench.corpus import build_corpus
from pipeline.cli import app
from pipeline.config import load_settings
from pipeline.discover import read_seeds
from pipeline.engine import export
from pipeline.model import SectionKind

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = load_settings(ROOT)
LANGUAGES = ("en", "de", "ru")
COUNT = 150


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("three-languages")
    build_corpus(COUNT, folder, random_seed=4, languages=LANGUAGES)
    return folder


def files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_every_seed_checks_with_no_error_and_no_warning(runner: CliRunner, corpus: Path) -> None:
    result = runner.invoke(app, ["check", str(corpus)])
    assert result.exit_code == 0, result.output
    assert result.output == f"{COUNT} seeds checked: 0 errors, 0 warnings\n"


def test_each_work_is_in_three_languages_some_under_a_name_of_their_own(corpus: Path) -> None:
    exercises = read_seeds([corpus], SETTINGS).exercises
    assert Counter(e.lang for e in exercises) == {"en": 50, "de": 50, "ru": 50}
    renamed = [e for e in exercises if e.translation_of]
    assert 2 <= len(renamed) <= 30  # about a tenth
    english = {e.slug for e in exercises if e.lang == "en"}
    assert all(e.translation_of in english and e.slug not in english for e in renamed)
    works = Counter(e.translation_of or e.slug for e in exercises)
    assert set(works.values()) == {3}


def test_translations_are_written_in_their_language(corpus: Path) -> None:
    exercises = read_seeds([corpus], SETTINGS).exercises
    headings = {
        (e.lang, s.kind): s.heading for e in exercises for s in e.sections if e.lang != "en"
    }
    assert headings[("de", SectionKind.EXECUTION)] == "Ausführung"
    assert headings[("de", SectionKind.MISTAKES)] == "Häufige Fehler"
    assert headings[("ru", SectionKind.EXECUTION)] == "Выполнение"
    assert headings[("ru", SectionKind.TIPS)] == "Советы"
    russian = [e for e in exercises if e.lang == "ru"]
    assert all(any("а" <= c <= "я" for c in e.description) for e in russian)
    german = next(e for e in exercises if e.lang == "de" and not e.title.startswith("Übung"))
    work = german.translation_of or german.slug
    english = next(e for e in exercises if e.slug == work and e.lang == "en")
    assert german.title != english.title
    assert german.video_id == english.video_id


def test_the_english_seeds_are_the_english_corpus(corpus: Path, tmp_path: Path) -> None:
    build_corpus(COUNT // 3, tmp_path, random_seed=4)
    english = {name: data for name, data in files(corpus).items() if name.count(".") == 1}
    assert english == files(tmp_path)


def test_the_count_is_of_seeds_and_the_last_work_may_lack_translations(tmp_path: Path) -> None:
    paths = build_corpus(10, tmp_path / "a", languages=LANGUAGES)
    assert len(paths) == len(list((tmp_path / "a").iterdir())) == 10
    assert Counter(p.name.count(".") for p in paths) == {1: 4, 2: 6}
    assert paths[-1].name.count(".") == 1  # the fourth work, in English only
    build_corpus(10, tmp_path / "b", languages=LANGUAGES)
    assert files(tmp_path / "a") == files(tmp_path / "b")


def test_languages_must_start_with_english_and_have_pools(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="start with en"):
        build_corpus(3, tmp_path, languages=("de", "en"))
    with pytest.raises(ValueError, match="no sentence pools for fr"):
        build_corpus(3, tmp_path, languages=("en", "fr"))
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.corpus",
            "--count",
            "3",
            "--out",
            str(tmp_path),
            "--languages",
            "en,xx",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "error: no sentence pools for xx" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_floor_writes_what_the_pipeline_writes(tmp_path: Path) -> None:
    """The engine benchmark's floor does the export's work: the same files, the same bytes,
    in every language's places."""
    seeds = tmp_path / "seeds"
    build_corpus(24, seeds, random_seed=2, languages=LANGUAGES)
    report = export([seeds], tmp_path / "pipeline", SETTINGS)
    assert report.errors == 0
    subprocess.run(
        [sys.executable, "-m", "bench.floor", str(seeds), str(tmp_path / "floor")],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    pipeline, floor = files(tmp_path / "pipeline"), files(tmp_path / "floor")
    assert {"cards.de.pdf", "cards.ru.pdf", "html/ru/index.html"} <= set(floor)
    assert any(name.startswith("jsonld/de/") for name in floor)
    assert sorted(floor) == sorted(pipeline)
    assert floor == pipeline
