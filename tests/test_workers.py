"""Worker processes: shares even in bytes, idle workers taking seeds from busy ones, and a seed
whose file changed mid-run never exported from bytes that were not checked."""

from __future__ import annotations

import dataclasses
import multiprocessing
import time
from pathlib import Path

import pytest

from bench.corpus import build_corpus
from pipeline.config import load_settings
from pipeline.diagnostics import PipelineError
from pipeline.engine import export
from pipeline.exporters.base import Exporter
from pipeline.workers import (
    AsideProcess,
    ExportJob,
    Helper,
    SeedTask,
    SeedWorker,
    WorkerPool,
    balanced_shares,
)
from pipeline.writer import OutputWriter
from tests.conftest import copy_pictures
from tests.test_engine import snapshot

ROOT = Path(__file__).resolve().parent.parent

SETTINGS = load_settings(ROOT)


def task(index: int, size: int) -> SeedTask:
    return SeedTask(index, Path(f"{index}.md"), f"{index}.md", size)


def test_shares_are_even_in_bytes_and_in_seed_order() -> None:
    sizes = [9000, 100, 200, 300, 4000, 4500, 50, 8800, 120, 130]
    shares = balanced_shares([task(i, s) for i, s in enumerate(sizes)], 2)
    loads = [sum(t.size for t in share) for share in shares]
    assert abs(loads[0] - loads[1]) <= 200
    assert sorted(t.index for share in shares for t in share) == list(range(len(sizes)))
    for share in shares:
        assert [t.index for t in share] == sorted(t.index for t in share)
    again = balanced_shares([task(i, s) for i, s in enumerate(sizes)], 2)
    assert [[t.index for t in s] for s in again] == [[t.index for t in s] for s in shares]


def test_a_seed_exported_by_a_worker_that_did_not_parse_it(tmp_path: Path) -> None:
    seed = tmp_path / "squat.md"
    seed.write_bytes((ROOT / "seeds" / "leverage-machine-lying-leg-curl.md").read_bytes())
    copy_pictures(tmp_path)
    seed_task = SeedTask(0, seed, seed.as_posix(), seed.stat().st_size)
    owner = SeedWorker(SETTINGS, ["json"], tmp_path / "owner")
    (summary,) = owner.parse([seed_task])
    job = ExportJob(0, ("json",))
    (own,) = owner.export([job])

    thief = SeedWorker(SETTINGS, ["json"], tmp_path / "thief")
    stolen = ExportJob(0, ("json",), seed_task, summary.sha256)
    (taken,) = thief.export([stolen])
    assert not taken.declined
    assert taken.outputs["json"].files == own.outputs["json"].files
    name = own.outputs["json"].files[0]
    assert (tmp_path / "thief" / name).read_bytes() == (tmp_path / "owner" / name).read_bytes()
    assert thief.exercises == {}  # another worker's seed is not kept

    # A picture changed after it was checked: the job goes back, undone, to its owner.
    picture = tmp_path / "images" / "lying-leg-curl-end.jpg"
    picture.write_bytes((tmp_path / "images" / "lying-leg-curl-start.jpg").read_bytes())
    (declined,) = SeedWorker(SETTINGS, ["json"], tmp_path / "late").export([stolen])
    assert declined.declined and declined.outputs == {}
    # So does the seed's own file.
    copy_pictures(tmp_path)
    seed.write_text(seed.read_text().replace("Leg Curl", "Leg Press"))
    (declined,) = SeedWorker(SETTINGS, ["json"], tmp_path / "late").export([stolen])
    assert declined.declined and declined.outputs == {}
    assert not (tmp_path / "late").exists()


def test_an_idle_worker_takes_seeds_from_a_busy_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seeds = tmp_path / "seeds"
    build_corpus(24, seeds, random_seed=3)
    expected = export([seeds], tmp_path / "one", SETTINGS, jobs=1)

    taken = tmp_path / "taken"
    taken.mkdir()
    adopt = SeedWorker._adopt

    def spy(self: SeedWorker, job: ExportJob) -> object:
        (taken / str(job.index)).touch()
        return adopt(self, job)

    monkeypatch.setattr(SeedWorker, "_adopt", spy)
    slow = SeedWorker._export_one

    def slower(self: SeedWorker, exporter: Exporter, exercise: object) -> object:
        if multiprocessing.current_process().name == "pipeline-worker-0":
            time.sleep(0.05)
        return slow(self, exporter, exercise)  # type: ignore[arg-type]

    monkeypatch.setattr(SeedWorker, "_export_one", slower)
    report = export([seeds], tmp_path / "two", SETTINGS, jobs=2)

    assert len(list(taken.iterdir())) >= 4  # the fast worker took a good part of the slow one's
    assert report.errors == expected.errors == 0
    assert snapshot(tmp_path / "two") == snapshot(tmp_path / "one")
    assert sorted(report.written) == sorted(expected.written)


def _made_beside() -> tuple[int, str]:
    import os

    return os.getpid(), "built"


def _fails_beside() -> None:
    raise ValueError("a bug in the aggregate")


def test_a_call_made_beside_the_run_gives_its_result_from_another_process(
    tmp_path: Path,
) -> None:
    import os

    with AsideProcess(_made_beside, tmp_path) as beside:
        pid, said = beside.result()
    assert said == "built" and pid != os.getpid()
    with AsideProcess(_fails_beside, tmp_path) as beside, pytest.raises(PipelineError) as failed:
        beside.result()
    assert "ValueError: a bug in the aggregate" in str(failed.value)


def _writes_slowly(folder: Path) -> None:
    with OutputWriter(folder).atomic_path("catalogue.sqlite") as temp:
        temp.write_bytes(b"half a catalogue")
        time.sleep(60)


def test_a_run_that_stops_stops_the_call_beside_it_and_removes_what_it_was_writing(
    tmp_path: Path,
) -> None:
    started = time.perf_counter()
    with (
        pytest.raises(KeyboardInterrupt),
        AsideProcess(lambda: _writes_slowly(tmp_path), tmp_path),
    ):
        deadline = time.monotonic() + 10
        while not list(tmp_path.glob(".catalogue.sqlite.*")) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert list(tmp_path.glob(".catalogue.sqlite.*"))
        raise KeyboardInterrupt
    # Stopped, not waited for: and what it was writing is gone.
    assert time.perf_counter() - started < 10
    assert list(tmp_path.iterdir()) == []


def _one_seed(tmp_path: Path, name: str = "curl.md") -> SeedTask:
    seed = tmp_path / "seeds" / name
    seed.parent.mkdir(exist_ok=True)
    seed.write_bytes((ROOT / "seeds" / "leverage-machine-lying-leg-curl.md").read_bytes())
    copy_pictures(seed.parent)
    return SeedTask(0, seed, seed.as_posix(), seed.stat().st_size)


def _not_here() -> None:
    raise AssertionError("the run's own process loads nothing when the helper parses")


def test_a_helper_parses_and_exports_the_one_seed_the_first_hooks_first(
    tmp_path: Path,
) -> None:
    """The helper, started before the run knows its seed, is the pool's one worker: the run's
    own process prepares nothing, and is told what the first hooks made before the others
    run."""
    one = _one_seed(tmp_path)
    out = tmp_path / "out"
    names = ["json", "sqlite"]
    early: list[list[str]] = []
    with (
        Helper(SETTINGS, names, out, None) as helper,
        WorkerPool(2, SETTINGS, names, out, helper=helper) as pool,
    ):
        pool.start([one], prepare=_not_here)
        assert [p.name for p in multiprocessing.active_children()] == ["pipeline-helper"]
        (summary,) = pool.parse(lambda _: None)
        assert summary.ok and summary.slug
        jobs = [ExportJob(0, tuple(names))]
        results = pool.export(
            jobs, lambda _: None, ["sqlite"], lambda made: early.append(list(made[0].outputs))
        )
    assert early == [["sqlite"]]
    (result,) = results
    assert list(result.outputs) == names
    assert result.outputs["sqlite"].entry is not None
    (written,) = result.outputs["json"].written
    assert (out / written).is_file()
    assert multiprocessing.active_children() == []


def test_a_helper_not_needed_is_stopped_and_the_workers_share_what_the_run_loaded(
    tmp_path: Path,
) -> None:
    seeds = [_one_seed(tmp_path, "a.md"), dataclasses.replace(_one_seed(tmp_path, "b.md"), index=1)]
    prepared: list[bool] = []
    with (
        Helper(SETTINGS, ["json"], tmp_path / "out", None) as helper,
        WorkerPool(2, SETTINGS, ["json"], tmp_path / "out", helper=helper) as pool,
    ):
        pool.start(seeds, prepare=lambda: prepared.append(True))
        assert helper.process is None  # stopped
        assert prepared == [True]
        names = sorted(p.name for p in multiprocessing.active_children())
        assert names == ["pipeline-worker-0", "pipeline-worker-1"]
        assert len(pool.parse(lambda _: None)) == 2
        pool.export([ExportJob(0, ("json",)), ExportJob(1, ("json",))], lambda _: None)
