"""Exporting some seeds (a file, a sub-folder) into a folder that holds others keeps the others:
their outputs stay and the aggregates still list them."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from bench.corpus import build_corpus
from pipeline.cli import app
from pipeline.config import load_settings
from pipeline.engine import export

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = load_settings(ROOT)
AGGREGATES = {"catalogue.sqlite", "cards.pdf", "html/index.html"}


def snapshot(out: Path) -> dict[str, bytes]:
    """Every output file's bytes (the build state is kept outside the folder)."""
    return {
        p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()
    }


def own_outputs(slug: str) -> set[str]:
    """What the per-seed exporters write for one seed."""
    return {
        f"json/{slug}.json",
        f"jsonld/{slug}.jsonld",
        f"jsonld/{slug}.snippet.html",
        f"html/{slug}/index.html",
        f"cards/{slug}.pdf",
    }


def catalogue_slugs(out: Path) -> list[str]:
    with sqlite3.connect(f"file:{out / 'catalogue.sqlite'}?mode=ro", uri=True) as db:
        return [row[0] for row in db.execute("SELECT slug FROM exercises ORDER BY slug")]


def booklet_pages(out: Path) -> int:
    return len(PdfReader(out / "cards.pdf").pages)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("corpus")
    build_corpus(6, folder, random_seed=7)
    return folder


@pytest.fixture
def seeds(corpus: Path, tmp_path: Path) -> Path:
    """Six seeds: four in ``seeds/``, two in ``seeds/legs/``."""
    folder = tmp_path / "seeds"
    shutil.copytree(corpus, folder)
    (folder / "legs").mkdir()
    for seed in sorted(folder.glob("*.md"))[:2]:
        seed.rename(folder / "legs" / seed.name)
    return folder


def slugs_of(folder: Path) -> list[str]:
    return sorted(p.stem for p in folder.rglob("*.md"))


def test_exporting_one_seed_keeps_the_others_and_gives_a_full_exports_bytes(
    seeds: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    export([seeds], out, SETTINGS, jobs=1)
    before = snapshot(out)
    everyone = slugs_of(seeds)
    pages = booklet_pages(out)
    one = sorted(seeds.glob("*.md"))[0]
    one.write_text(one.read_text().replace("## Execution\n", "## Execution\n1. Breathe in.\n"))

    report = export([one], out, SETTINGS, jobs=1)

    assert report.errors == 0 and report.removed == []
    after = snapshot(out)
    assert after.keys() == before.keys()
    assert catalogue_slugs(out) == everyone
    assert booklet_pages(out) == pages
    changed = {f for f in before if before[f] != after[f]}
    assert changed - AGGREGATES == own_outputs(one.stem) - {
        f"jsonld/{one.stem}.jsonld",  # the JSON-LD marks up the howto steps, left alone here
        f"jsonld/{one.stem}.snippet.html",
    }
    fresh = tmp_path / "fresh"
    export([seeds], fresh, SETTINGS, jobs=1)
    assert snapshot(fresh) == after
    # And the next full export has nothing left to do.
    again = export([seeds], out, SETTINGS, jobs=1)
    assert again.written == [] and again.removed == [] and again.parsed == 0


def test_exporting_a_sub_folder_keeps_the_others_and_removes_only_its_own_gone_seeds(
    seeds: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    export([seeds], out, SETTINGS, jobs=1)
    legs = seeds / "legs"
    gone_leg, kept_leg = sorted(legs.glob("*.md"))
    gone_top = sorted(seeds.glob("*.md"))[0]

    report = export([legs], out, SETTINGS, jobs=1)
    assert report.written == [] and report.removed == []
    assert catalogue_slugs(out) == slugs_of(seeds)

    gone_leg.unlink()
    gone_top.unlink()  # outside the folder exported next: not this run's to remove
    report = export([legs], out, SETTINGS, jobs=1)
    assert sorted(report.removed) == sorted(own_outputs(gone_leg.stem))
    after = snapshot(out)
    assert own_outputs(gone_top.stem) | own_outputs(kept_leg.stem) <= after.keys()
    assert catalogue_slugs(out) == sorted([*slugs_of(seeds), gone_top.stem])

    report = export([seeds], out, SETTINGS, jobs=1)
    assert sorted(report.removed) == sorted(own_outputs(gone_top.stem))
    assert catalogue_slugs(out) == slugs_of(seeds)
    fresh = tmp_path / "fresh"
    export([seeds], fresh, SETTINGS, jobs=1)
    assert snapshot(fresh) == snapshot(out)


def test_force_on_one_seed_keeps_the_others(seeds: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    export([seeds], out, SETTINGS, jobs=1)
    before = snapshot(out)
    one = sorted(seeds.glob("*.md"))[0]
    report = export([one], out, SETTINGS, jobs=1, force=True)
    assert report.removed == [] and report.parsed == 1
    assert snapshot(out) == before


def test_the_same_folder_given_another_way_replaces_its_seeds(
    seeds: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "out"
    export([Path("seeds")], out, SETTINGS, jobs=1)
    report = export([seeds.resolve()], out, SETTINGS, jobs=1)
    assert report.errors == 0
    assert catalogue_slugs(out) == slugs_of(seeds)
    with sqlite3.connect(out / "catalogue.sqlite") as db:
        paths = [row[0] for row in db.execute("SELECT source_path FROM exercises")]
    assert all(Path(p).is_absolute() for p in paths)


def test_a_seed_taking_the_slug_of_one_exported_earlier_is_refused(
    seeds: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    export([seeds], out, SETTINGS, jobs=1)
    before = snapshot(out)
    taken = sorted(seeds.glob("*.md"))[0]
    twin = tmp_path / "elsewhere" / "twin.md"
    twin.parent.mkdir()
    twin.write_text(taken.read_text().replace("---\n", f"---\nslug: {taken.stem}\n", 1))

    report = export([twin], out, SETTINGS, jobs=1)

    assert report.failed == [twin.as_posix()]
    assert [str(d) for d in report.diagnostics if d.level == "error"] == [
        f"{twin.as_posix()}:1: error: slug '{taken.stem}' is also used by "
        f"{taken.as_posix()} (exported earlier into {out})"
    ]
    assert snapshot(out) == before
    assert catalogue_slugs(out) == slugs_of(seeds)


def test_seeds_whose_digest_was_never_cached_are_named(seeds: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    export([seeds], out, SETTINGS, jobs=1, formats=["json"])
    one = sorted(seeds.glob("*.md"))[0]
    report = export([one], out, SETTINGS, jobs=1, formats=["sqlite"])
    warnings = [d.message for d in report.diagnostics if d.level == "warning"]
    assert len(warnings) == 1
    assert warnings[0].startswith("sqlite: 5 seeds exported earlier are left out")
    assert catalogue_slugs(out) == [one.stem]
    # Exporting them puts them back.
    export([seeds], out, SETTINGS, jobs=1, formats=["sqlite"])
    assert catalogue_slugs(out) == slugs_of(seeds)


def test_the_summary_names_what_was_removed(runner: CliRunner, seeds: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ["export", str(seeds), "--out", str(out), "--quiet", "--jobs", "1"]
    assert runner.invoke(app, args).exit_code == 0
    one = sorted(seeds.glob("*.md"))[0]
    one.unlink()
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    removed = ", ".join(sorted(own_outputs(one.stem)))
    assert f"unchanged, removed 5: {removed}" in result.output

    for seed in sorted(seeds.glob("*.md"))[:2]:
        seed.unlink()
    result = runner.invoke(app, args)
    assert "unchanged, removed 10: cards/" in result.output
    assert " and 5 more (--verbose lists all)" in result.output
