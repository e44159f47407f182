"""The build engine: parallel fan-out, rebuild only what changed, never a half-written output."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from bench.corpus import build_corpus
from pipeline.config import load_settings
from pipeline.engine import export
from pipeline.entries import EntryCodec
from pipeline.exporters.base import ExportContext
from pipeline.exporters.cards import CardsExporter
from pipeline.model import Exercise
from pipeline.workers import AsideProcess
from tests.complexity import tangled
from tests.conftest import copy_pictures
from tests.golden import CORPUS, corpus_hashes

ROOT = Path(__file__).resolve().parent.parent

SETTINGS = load_settings(ROOT)


def snapshot(out: Path) -> dict[str, bytes]:
    """Every output file's bytes (the build state is kept outside the folder)."""
    return {
        p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()
    }


def mtimes(out: Path) -> dict[str, int]:
    return {
        p.relative_to(out).as_posix(): p.stat().st_mtime_ns
        for p in out.rglob("*")
        if p.is_file() and p.name != "lock"
    }


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("corpus")
    build_corpus(14, folder, random_seed=7)
    (folder / "leverage-machine-lying-leg-curl.md").write_bytes(
        (ROOT / "seeds" / "leverage-machine-lying-leg-curl.md").read_bytes()
    )
    copy_pictures(folder)
    return folder


def test_jobs_never_change_a_byte(corpus: Path, tmp_path: Path) -> None:
    one = export([corpus], tmp_path / "one", SETTINGS, jobs=1)
    two = export([corpus], tmp_path / "two", SETTINGS, jobs=2)
    assert one.errors == two.errors == 0
    first, second = snapshot(tmp_path / "one"), snapshot(tmp_path / "two")
    assert len(first) > 4 * 15
    assert first == second
    assert [str(d) for d in one.diagnostics] == [str(d) for d in two.diagnostics]


def test_a_rerun_with_nothing_changed_writes_nothing(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    export([corpus], out, SETTINGS, jobs=2)
    before = mtimes(out)
    time.sleep(0.01)
    report = export([corpus], out, SETTINGS, jobs=2)
    assert report.written == [] and report.removed == [] and report.parsed == 0
    assert mtimes(out) == before


def test_change_remove_and_rename_touch_only_the_right_outputs(
    corpus: Path, tmp_path: Path
) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for seed in sorted(corpus.glob("*.md"))[:5]:
        (seeds / seed.name).write_bytes(seed.read_bytes())
    out = tmp_path / "out"
    export([seeds], out, SETTINGS, jobs=2)
    names = sorted(p.stem for p in seeds.glob("*.md"))
    changed, removed, renamed = names[0], names[1], names[2]
    before = snapshot(out)

    path = seeds / f"{changed}.md"
    path.write_text(path.read_text().replace("## Execution\n", "## Execution\n1. Breathe in.\n"))
    (seeds / f"{removed}.md").unlink()
    (seeds / f"{renamed}.md").rename(seeds / "renamed-seed.md")
    report = export([seeds], out, SETTINGS, jobs=2)
    after = snapshot(out)

    assert report.errors == 0
    changed_files = {f for f in before.keys() & after.keys() if before[f] != after[f]}
    aggregates = {
        "catalogue.sqlite",
        "cards.pdf",
        "html/index.html",
        "html/index.json",
        "html/sitemap.xml",
    }
    own = {
        f"json/{changed}.json",
        f"jsonld/{changed}.jsonld",
        f"jsonld/{changed}.snippet.html",
        f"html/{changed}/index.html",
        f"cards/{changed}.pdf",
    }
    # The JSON-LD marks up the howto steps, which this change leaves alone.
    assert changed_files - aggregates == {
        f"json/{changed}.json",
        f"html/{changed}/index.html",
        f"cards/{changed}.pdf",
    }
    assert own <= after.keys()
    assert "Breathe in." in after[f"json/{changed}.json"].decode()
    gone = {f for f in before if removed in f} | {f for f in before if renamed in f}
    assert gone and not gone & after.keys()
    assert {"json/renamed-seed.json", "html/renamed-seed/index.html"} <= after.keys()
    assert set(report.removed) == gone


TRANSLATIONS = ROOT / "tests" / "fixtures" / "translations"


@pytest.mark.parametrize(
    ("seed", "old", "new"),
    [
        # Every aggregate changes: the catalogue, the booklet, the index (one step more).
        (None, "## Execution\n", "## Execution\n1. Breathe in.\n"),
        # A tip of a German seed: the index entry stays as it was.
        ("leverage-machine-lying-leg-curl.de.md", "Atmung", "Atmen"),
        # The English original of a set of translations: its versions' pages link it.
        ("leverage-machine-lying-leg-curl.md", "## Tips\n", "## Tips\n- Slowly.\n"),
    ],
)
def test_a_one_seed_change_gives_every_output_a_fresh_export_gives(
    corpus: Path, tmp_path: Path, seed: str | None, old: str, new: str
) -> None:
    """Whatever an export into the same folder rebuilds or leaves, the folder then holds the
    bytes a fresh export of the same seeds writes, the catalogue and the booklets too."""
    seeds, out = _exported_mix(corpus, tmp_path)
    path = seeds / seed if seed else sorted(seeds.glob("*.md"))[0]
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")
    report = export([seeds], out, SETTINGS, jobs=2)
    assert report.errors == 0 and report.parsed == 1
    clean = _as_fresh(seeds, out, tmp_path)
    assert {"catalogue.sqlite", "cards.pdf", "cards.de.pdf", "html/de/index.html"} <= clean.keys()


def _exported_mix(corpus: Path, tmp_path: Path) -> tuple[Path, Path]:
    """Six seeds of the corpus and a set of translations, exported: their folders."""
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for source in [*sorted(corpus.glob("*.md"))[:6], *sorted(TRANSLATIONS.glob("*.md"))]:
        (seeds / source.name).write_bytes(source.read_bytes())
    out = tmp_path / "out"
    assert export([seeds], out, SETTINGS, jobs=2).errors == 0
    return seeds, out


def _as_fresh(seeds: Path, out: Path, tmp_path: Path) -> dict[str, bytes]:
    """What a fresh export of ``seeds`` writes, checked to be what ``out`` holds."""
    fresh = tmp_path / "fresh"
    export([seeds], fresh, SETTINGS, jobs=1)
    incremental, clean = snapshot(out), snapshot(fresh)
    assert incremental.keys() == clean.keys()
    assert [name for name in clean if incremental[name] != clean[name]] == []
    return clean


def test_an_edit_to_a_step_updates_the_catalogue_and_booklet_from_its_entries_alone(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A seed whose step is said twice (the same letters, so the same font subsets): the
    catalogue and the booklet are updated from the changed entries, the others never read
    back, and the folder still holds what a fresh export writes."""
    seeds, out = _exported_mix(corpus, tmp_path)
    path = next(p for p in sorted(seeds.glob("*.md")) if "## Execution\n1. " in p.read_text())
    head, rest = path.read_text("utf-8").split("## Execution\n", 1)
    step, after = rest.split("\n", 1)
    path.write_text(f"{head}## Execution\n{step} {step.split(' ', 1)[1]}\n{after}", "utf-8")
    read_whole: list[int] = []
    original = EntryCodec.decode_all

    def counted(codec: EntryCodec, blobs: Sequence[bytes]) -> list[Any]:
        read_whole.append(len(blobs))
        return original(codec, blobs)

    monkeypatch.setattr(EntryCodec, "decode_all", counted)
    # The catalogue's update starts beside the run before the card is drawn (by a worker
    # process, perhaps: each writes what it does to one file).
    events = tmp_path / "events"
    enter, draw = AsideProcess.__enter__, CardsExporter.export_exercise

    def noted(event: str) -> None:
        with events.open("a") as file:
            file.write(f"{event}\n")

    def started(aside: AsideProcess) -> AsideProcess:
        noted("catalogue")
        return enter(aside)

    def drawn(cards: CardsExporter, exercise: Exercise, context: ExportContext) -> Any:
        noted("card")
        return draw(cards, exercise, context)

    monkeypatch.setattr(AsideProcess, "__enter__", started)
    monkeypatch.setattr(CardsExporter, "export_exercise", drawn)
    report = export([seeds], out, SETTINGS, jobs=2)
    assert report.errors == 0 and report.parsed == 1
    assert {"catalogue.sqlite", "cards.pdf"} <= set(report.written)
    assert read_whole == []
    assert events.read_text().split() == ["catalogue", "card"]
    monkeypatch.undo()
    _as_fresh(seeds, out, tmp_path)


def test_failed_seed_keeps_its_outputs_and_the_others_are_untouched(
    corpus: Path, tmp_path: Path
) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for seed in sorted(corpus.glob("*.md"))[:3]:
        (seeds / seed.name).write_bytes(seed.read_bytes())
    out = tmp_path / "out"
    export([seeds], out, SETTINGS, jobs=1)
    before = snapshot(out)
    broken = sorted(seeds.glob("*.md"))[0]
    broken.write_text("---\ndescription: [\n---\n")
    report = export([seeds], out, SETTINGS, jobs=1)
    assert report.failed == [broken.as_posix()]
    # The YAML error, and the body checked all the same: no Execution, no marker.
    assert report.errors == 3
    after = snapshot(out)
    aggregates = ("catalogue", "cards.pdf", "html/index", "html/sitemap")
    per_seed = {f for f in before if not f.startswith(aggregates)}
    assert {f: after[f] for f in per_seed} == {f: before[f] for f in per_seed}


def test_force_rebuilds_everything(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    export([corpus], out, SETTINGS, jobs=1, formats=["json"])
    (out / "json" / "leverage-machine-lying-leg-curl.json").write_text("damaged")
    report = export([corpus], out, SETTINGS, jobs=1, formats=["json"])
    assert report.written == []  # the manifest says it is current; --force is the way out
    report = export([corpus], out, SETTINGS, jobs=1, formats=["json"], force=True)
    assert report.written == ["json/leverage-machine-lying-leg-curl.json"]


def test_a_deleted_output_is_rebuilt(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    export([corpus], out, SETTINGS, jobs=1, formats=["json", "html"])
    (out / "html" / "index.html").unlink()
    (out / "json" / "leverage-machine-lying-leg-curl.json").unlink()
    report = export([corpus], out, SETTINGS, jobs=1, formats=["json", "html"])
    assert sorted(report.written) == [
        "html/index.html",
        "json/leverage-machine-lying-leg-curl.json",
    ]


def test_files_the_pipeline_did_not_write_are_left_alone(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "json").mkdir(parents=True)
    (out / "json" / "mine.json").write_text("{}")
    (out / "notes.txt").write_text("keep me")
    export([corpus], out, SETTINGS, jobs=1, formats=["json"])
    export([corpus / "leverage-machine-lying-leg-curl.md"], out, SETTINGS, jobs=1, formats=["json"])
    assert (out / "json" / "mine.json").read_text() == "{}"
    assert (out / "notes.txt").read_text() == "keep me"
    # Exporting one seed leaves the other seeds' outputs where they are.
    assert sorted(p.name for p in (out / "json").iterdir()) == sorted(
        [f"{p.stem}.json" for p in corpus.glob("*.md")] + ["mine.json"]
    )


def _cli(*args: str, cwd: Path = ROOT) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "pipeline", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _assert_outputs_valid(out: Path) -> None:
    for path in out.rglob("*"):
        if path.suffix in (".json", ".jsonld"):
            json.loads(path.read_bytes())
        elif path.suffix == ".pdf":
            assert len(PdfReader(path).pages) >= 1
        elif path.suffix == ".sqlite":
            with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
                assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
                assert db.execute("SELECT count(*) FROM exercises").fetchone()[0] >= 1
        elif path.name.endswith(".snippet.html"):
            assert path.read_bytes().rstrip().endswith(b"</script>")
        elif path.suffix == ".html":
            assert path.read_bytes().rstrip().endswith(b"</html>")


def test_sigkill_at_random_points_leaves_valid_outputs_and_a_next_run_completes(
    tmp_path: Path,
) -> None:
    seeds = tmp_path / "seeds"
    build_corpus(40, seeds, random_seed=3)
    out = tmp_path / "out"
    rng = random.Random(11)
    for attempt in range(5):
        if attempt == 2:  # a second generation: outputs exist and get replaced
            for seed in sorted(seeds.glob("*.md"))[::3]:
                seed.write_text(
                    seed.read_text().replace("## Execution\n", "## Execution\n1. Brace.\n")
                )
        process = _cli("export", str(seeds), "--out", str(out), "--quiet", "--jobs", "2")
        time.sleep(rng.uniform(0.3, 2.5))
        process.send_signal(signal.SIGKILL)
        process.wait()
        _assert_outputs_valid(out)
    done = _cli("export", str(seeds), "--out", str(out), "--quiet")
    _, stderr = done.communicate(timeout=300)
    assert done.returncode == 0, stderr.decode()
    _assert_outputs_valid(out)
    assert not list(out.rglob("*.pipeline-tmp"))
    clean = tmp_path / "clean"
    fresh = _cli("export", str(seeds), "--out", str(clean), "--quiet")
    assert fresh.wait(timeout=300) == 0
    assert snapshot(out) == snapshot(clean)


def test_two_concurrent_exports_do_not_corrupt_each_other(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = _cli("export", str(corpus), "--out", str(out), "--quiet", "--jobs", "1")
    second = _cli("export", str(corpus), "--out", str(out), "--quiet", "--jobs", "1")
    results = [p.communicate(timeout=300) for p in (first, second)]
    codes = [first.returncode, second.returncode]
    assert codes == [0, 0], [r[1].decode() for r in results]
    assert any(b"waiting for another export" in err for _, err in results)
    _assert_outputs_valid(out)
    clean = tmp_path / "clean"
    export([corpus], clean, SETTINGS, jobs=1)
    assert snapshot(out) == snapshot(clean)


def test_exporter_from_a_plugin_package_is_discovered(tmp_path: Path, corpus: Path) -> None:
    site = tmp_path / "site"
    (site / "csv_exporter_plugin-1.0.dist-info").mkdir(parents=True)
    (site / "csv_exporter_plugin-1.0.dist-info" / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: csv-exporter-plugin\nVersion: 1.0\n"
    )
    (site / "csv_exporter_plugin-1.0.dist-info" / "entry_points.txt").write_text(
        "[pipeline.exporters]\ncsv = csv_exporter_plugin:CsvExporter\n"
    )
    (site / "csv_exporter_plugin.py").write_text(
        textwrap.dedent('''
        import csv, io
        from pipeline.exporters import Exporter

        class CsvExporter(Exporter):
            """One row per exercise."""
            name = "csv"
            help = "exercises.csv"

            entry_type = tuple[str, str, int]

            def export_exercise(self, exercise, context):
                return (exercise.slug, exercise.title, len(exercise.execution))

            def export_all(self, entries, context):
                buffer = io.StringIO()
                writer = csv.writer(buffer, lineterminator="\\n")
                writer.writerow(["slug", "title", "steps"])
                writer.writerows(entries)
                context.writer.write_text("exercises.csv", buffer.getvalue())
    ''')
    )
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(site)}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pipeline",
            "export",
            str(corpus),
            "--out",
            str(out),
            "-f",
            "csv",
            "--quiet",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    rows = (out / "exercises.csv").read_text().splitlines()
    assert rows[0] == "slug,title,steps"
    assert len(rows) == 16
    assert "leverage-machine-lying-leg-curl,Leverage Machine Lying Leg Curl,5" in rows


def test_no_function_in_the_package_is_too_tangled_to_read_at_once() -> None:
    # `radon cc -n C pipeline` prints nothing: the build layer included, every function and
    # method is at rank B (complexity 10) or below.
    assert tangled(".") == []


def test_an_exporters_default_entry_is_the_exercise_model() -> None:
    # None, so that naming it does not load the model; the codec loads it when first used.
    from pipeline.entries import codec_for
    from pipeline.exporters.base import Exporter
    from pipeline.model import Exercise
    from tests.conftest import SHIPPED_SEED, exercise_of

    assert Exporter.entry_type is None
    codec = codec_for(Exporter.entry_type)
    assert codec is codec_for(Exercise)
    exercise = exercise_of(SHIPPED_SEED)
    assert codec.decode(codec.encode(exercise)) == exercise


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_thousand_seeds_give_the_golden_bytes_whatever_the_workers(
    jobs: int, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # Every file of a full export of 1,000 generated seeds, hashed per format: the bytes the
    # build layer gave before its restructure (`python -m tests.golden` rewrites the hashes
    # when a change means to alter an output).
    work = tmp_path_factory.getbasetemp() / "golden-corpus"
    work.mkdir(exist_ok=True)
    assert corpus_hashes(work, jobs) == json.loads(CORPUS.read_text())


def _edited_run(corpus: Path, tmp_path: Path, old: str, new: str) -> tuple[Path, list[str]]:
    """Export six seeds, edit the first one, export again: the folder and what was written."""
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for source in sorted(corpus.glob("*.md"))[:6]:
        (seeds / source.name).write_bytes(source.read_bytes())
    out = tmp_path / "out"
    assert export([seeds], out, SETTINGS, jobs=1).errors == 0
    path = sorted(seeds.glob("*.md"))[0]
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")
    report = export([seeds], out, SETTINGS, jobs=1)
    assert report.errors == 0 and report.parsed == 1
    return out, report.written


def test_an_aggregate_whose_entries_did_not_change_is_not_built_again(
    corpus: Path, tmp_path: Path
) -> None:
    # A step more changes the card and the catalogue, not what the index shows of the seed.
    out, written = _edited_run(corpus, tmp_path, "## Execution\n", "## Execution\n1. Breathe.\n")
    before = (out / "html" / "index.html").stat().st_mtime_ns
    assert "html/index.html" not in written
    assert {"catalogue.sqlite", "cards.pdf"} <= set(written)
    # ... and the next edit that does change the index still rebuilds it.
    seed = sorted((tmp_path / "seeds").glob("*.md"))[0]
    text = seed.read_text("utf-8")
    seed.write_text(text.replace("description: ", "description: Now ", 1), "utf-8")
    report = export([tmp_path / "seeds"], out, SETTINGS, jobs=1)
    assert "html/index.html" in report.written
    assert (out / "html" / "index.html").stat().st_mtime_ns != before
    fresh = tmp_path / "fresh"
    export([tmp_path / "seeds"], fresh, SETTINGS, jobs=1)
    assert snapshot(out) == snapshot(fresh)


def test_an_unchanged_aggregate_whose_file_is_gone_is_built_again(
    corpus: Path, tmp_path: Path
) -> None:
    out, _ = _edited_run(corpus, tmp_path, "## Execution\n", "## Execution\n1. Breathe.\n")
    (out / "html" / "index.html").unlink()
    seed = sorted((tmp_path / "seeds").glob("*.md"))[0]
    seed.write_text(seed.read_text("utf-8").replace("1. Breathe.\n", "1. Breathe out.\n"))
    report = export([tmp_path / "seeds"], out, SETTINGS, jobs=1)
    assert "html/index.html" in report.written
    fresh = tmp_path / "fresh"
    export([tmp_path / "seeds"], fresh, SETTINGS, jobs=1)
    assert snapshot(out) == snapshot(fresh)
