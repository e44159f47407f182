"""The build engine's benchmark: a whole export in every format, as users run it.

    python -m bench.engine [--counts 1000 10000] [--languages en,de,ru]

For each corpus size it measures, each in a fresh ``pipeline export`` process:

- a full export with ``--jobs 1`` and with ``--jobs 2`` (and the speed-up), with the seconds
  each exporter spent (summed over the workers);
- a re-run with nothing changed, and a re-run after one seed changed;
- peak memory: the largest single process, and the parent plus every worker together;
- the floor (``bench.floor``): the same library calls in one bare process with no pipeline
  around them (markdown-it and YAML parsing of every seed; the same card, page, JSON-LD and
  JSON rendering; the same catalogue inserts; the same booklet and index), on models parsed
  beforehand, timed like an export from launch to exit, and the pipeline's ``--jobs 1``
  time against it.

A tenth of the seeds show two pictures of their own (``--pictures``, see ``bench.corpus``).
The full exports and the floor take turns, several times, and the fastest of each counts.
With ``--languages``, the corpora are in those languages (``bench.corpus``: the count is of
seeds, all languages together), and the one-seed changes fall on seeds of every language.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench import as_users_run
from bench.corpus import build_corpus

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {
    "full export of 10,000 seeds, all formats (--jobs 2)": "< 60 s",
    "pipeline --jobs 1 against the floor": "<= 1.25x",
    "--jobs 2 speed-up over --jobs 1": ">= 1.7x",
    "no-op re-run of 10,000 seeds": "< 0.4 s",
    "one changed seed of 10,000": "< 1.5 s",
    "peak memory": "< 500 MB",
}


def _field_kb(path: Path, name: str) -> int:
    for line in path.read_text().splitlines():
        if line.startswith(name):
            return int(line.split()[1])
    return 0


def _tree_memory_kb(pid: int) -> tuple[int, int]:
    """Memory of a process and all its descendants, from /proc (Linux): the sum of their
    resident sizes, which counts a page the fork shares once per process, and the sum of their
    proportional sizes, which shares it out between them (the memory the tree really takes)."""
    rss = pss = 0
    stack = [pid]
    while stack:
        current = stack.pop()
        try:
            rss += _field_kb(Path(f"/proc/{current}/status"), "VmRSS:")
            pss += _field_kb(Path(f"/proc/{current}/smaps_rollup"), "Pss:")
            for task in Path(f"/proc/{current}/task").iterdir():
                stack.extend(int(c) for c in (task / "children").read_text().split())
        except (OSError, ValueError, IndexError):
            continue
    return rss, pss


def run_export(seeds: Path, out: Path, jobs: int, *, sample_memory: bool = False) -> dict[str, Any]:
    """One ``pipeline export`` in a fresh process: wall seconds, its report, and the peak
    memory of its largest single process. With ``sample_memory``, also the peak of the whole
    process tree, sampled every 20 ms (the sampling takes CPU, so timed runs go without)."""
    report = out.parent / f"{out.name}-report.json"
    command = [
        sys.executable,
        "-m",
        "pipeline",
        "export",
        str(seeds),
        "--out",
        str(out),
        "--jobs",
        str(jobs),
        "--quiet",
        "--report-json",
        str(report),
    ]
    log = out.parent / f"{out.name}-stderr.txt"
    started = time.perf_counter()
    # stderr to a file, not a pipe: ten thousand notes would fill a pipe nobody reads yet.
    with log.open("wb") as stderr:
        process = subprocess.Popen(
            command, cwd=ROOT, env=as_users_run(), stdout=subprocess.DEVNULL, stderr=stderr
        )
        peak_rss = peak_pss = 0
        while sample_memory:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            rss, pss = _tree_memory_kb(process.pid)
            peak_rss, peak_pss = max(peak_rss, rss), max(peak_pss, pss)
            time.sleep(0.02)
        else:
            _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        tail = log.read_text(errors="replace")[-2000:]
        raise SystemExit(f"export failed ({process.returncode}): {tail}")
    return {
        "seconds": seconds,
        "report": json.loads(report.read_text()),
        # For a reaped child, the largest of it and the workers it reaped (Linux: kilobytes).
        "largest_process_mb": usage.ru_maxrss / 1024,
        "tree_mb": peak_rss / 1024,
        "tree_pss_mb": peak_pss / 1024,
    }


def settle() -> None:
    """Let the disk catch up with the last run before the next is timed: otherwise one run's
    thousands of files are flushed during the next, and slow it down."""
    os.sync()
    time.sleep(1.0)


def run_floor(seeds: Path, out: Path) -> dict[str, Any]:
    """The floor in a fresh process, timed as an export is: wall seconds from launch to exit,
    less the untimed preparation (the models it renders from are parsed beforehand)."""
    command = [sys.executable, "-m", "bench.floor", str(seeds), str(out)]
    started = time.perf_counter()
    done = subprocess.run(
        command, cwd=ROOT, env=as_users_run(), capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"floor failed ({done.returncode}): {done.stderr[-2000:]}")
    measured = json.loads(done.stdout)
    phases: dict[str, float] = measured["phases"]
    total = seconds - measured["preparation"]
    phases["start-up (interpreter, imports)"] = total - sum(phases.values())
    return {"seconds": total, "phases": phases}


# The edit of a one-seed change: a first step, in the seed's language.
EXTRA_STEP = {
    "## Execution\n": "1. Brace first.\n",
    "## Ausführung\n": "1. Zuerst den Rumpf anspannen.\n",
    "## Выполнение\n": "1. Сначала напрягите корпус.\n",
}


def add_step(text: str) -> str:
    """The seed with one more step at the top of its Execution section."""
    for heading, step in EXTRA_STEP.items():
        if heading in text:
            return text.replace(heading, heading + step, 1)
    raise SystemExit("a seed with no Execution heading the benchmark knows")


def measure(
    count: int,
    work: Path,
    repeats: int,
    languages: Sequence[str] = ("en",),
    pictures: float = 0.0,
) -> dict[str, Any]:
    """Every figure for a corpus of ``count`` seeds in ``languages``, ``pictures`` of them
    with two pictures each."""
    seeds = work / f"seeds-{count}-{'-'.join(languages)}"
    build_corpus(count, seeds, languages=languages, pictures=pictures)
    result: dict[str, Any] = {
        "count": count,
        "repeats": repeats,
        "languages": list(languages),
        "pictures": pictures,
    }
    # The machine is shared: a busy moment of a neighbour weighs seconds. The three runs
    # that are compared take turns, so a slow spell falls on all of them, and the fastest
    # of each counts, as in the other benchmarks.
    ones, twos, floors = [], [], []
    for n in range(repeats):
        settle()
        ones.append(run_export(seeds, work / f"one-{count}-{n}", jobs=1))
        settle()
        twos.append(run_export(seeds, work / f"two-{count}-{n}", jobs=2))
        settle()
        floors.append(run_floor(seeds, work / f"floor-{count}-{n}"))
    one = min(ones, key=lambda r: float(r["seconds"]))
    two = min(twos, key=lambda r: float(r["seconds"]))
    best_floor = min(floors, key=lambda r: float(r["seconds"]))
    result["runs"] = {
        "jobs1": [round(r["seconds"], 3) for r in ones],
        "jobs2": [round(r["seconds"], 3) for r in twos],
        "floor": [round(r["seconds"], 3) for r in floors],
    }
    last = work / f"two-{count}-{repeats - 1}"
    result["jobs1"] = one["seconds"]
    result["jobs2"] = two["seconds"]
    result["speedup"] = one["seconds"] / two["seconds"]
    result["exporters_jobs1"] = one["report"]["seconds"]["exporters"]
    result["phases_jobs2"] = two["report"]["seconds"]["phases"]
    # Memory is sampled in a run of its own: reading /proc every 20 ms takes CPU.
    settle()
    memory = run_export(seeds, work / f"memory-{count}", jobs=2, sample_memory=True)
    noops = []
    for _ in range(repeats):
        settle()
        noops.append(run_export(seeds, last, jobs=2))
    noop = min(noops, key=lambda r: float(r["seconds"]))
    result["noop"] = noop["seconds"]
    result["noop_written"] = max(r["report"]["files"]["written"] for r in noops)
    changes, edited = [], []
    for n in range(repeats):
        changed = sorted(seeds.glob("*.md"))[count // 2 + n]
        original = changed.read_text("utf-8")
        changed.write_text(add_step(original), "utf-8")
        edited.append((changed, original))
        settle()
        changes.append(run_export(seeds, last, jobs=2))
        if changes[-1]["report"]["seeds"]["parsed"] != 1:
            raise SystemExit(f"{changed}: the edit did not change the seed")
    # A one-seed change may update an aggregate in a process beside the run: its memory is
    # sampled, over the whole tree, in one more change of its own.
    changed = sorted(seeds.glob("*.md"))[count // 2 + repeats]
    original = changed.read_text("utf-8")
    changed.write_text(add_step(original), "utf-8")
    edited.append((changed, original))
    settle()
    change_memory = run_export(seeds, last, jobs=2, sample_memory=True)
    for changed, original in edited:
        changed.write_text(original, "utf-8")
    change = min(changes, key=lambda r: float(r["seconds"]))
    result["one_change"] = change["seconds"]
    result["runs"]["no-op"] = [round(r["seconds"], 3) for r in noops]
    result["runs"]["one change"] = [round(r["seconds"], 3) for r in changes]
    runs = [*ones, *twos, memory, *noops, *changes, change_memory]
    result["largest_process_mb"] = max(r["largest_process_mb"] for r in runs)
    # A run with --jobs 1, or a no-op, is one process: its largest.
    single = [*ones, *noops]
    sampled = (memory, change_memory)
    result["all_processes_mb"] = max(
        *(r["tree_mb"] for r in sampled), *(r["largest_process_mb"] for r in single)
    )
    result["all_processes_pss_mb"] = max(
        *(r["tree_pss_mb"] for r in sampled), *(r["largest_process_mb"] for r in single)
    )
    result["one_change_tree_mb"] = change_memory["tree_mb"]
    result["one_change_tree_pss_mb"] = change_memory["tree_pss_mb"]
    result["floor"] = best_floor["phases"]
    result["floor_total"] = best_floor["seconds"]
    result["vs_floor"] = one["seconds"] / result["floor_total"]
    medians = {k: statistics.median(v) for k, v in result["runs"].items()}
    result["speedup_median"] = medians["jobs1"] / medians["jobs2"]
    result["vs_floor_median"] = medians["jobs1"] / medians["floor"]
    return result


def report(results: list[dict[str, Any]]) -> str:
    """The figures as a Markdown table, each beside its target."""
    lines = [
        "| figure | " + " | ".join(_name(r) for r in results) + " |",
        "|---|" + "---|" * len(results),
    ]

    def row(name: str, key: str, fmt: str) -> None:
        lines.append(f"| {name} | " + " | ".join(fmt.format(r[key]) for r in results) + " |")

    row("full export, --jobs 1", "jobs1", "{:.1f} s")
    row("full export, --jobs 2", "jobs2", "{:.1f} s")
    row("speed-up", "speedup", "{:.2f}x")
    row("no-op re-run", "noop", "{:.2f} s")
    row("one changed seed", "one_change", "{:.2f} s")
    row("floor (same library calls, one bare process)", "floor_total", "{:.1f} s")
    row("pipeline --jobs 1 / floor", "vs_floor", "{:.2f}x")
    row("speed-up, medians of the runs", "speedup_median", "{:.2f}x")
    row("pipeline --jobs 1 / floor, medians of the runs", "vs_floor_median", "{:.2f}x")
    row("largest process", "largest_process_mb", "{:.0f} MB")
    row("one changed seed, all processes, resident (peak)", "one_change_tree_mb", "{:.0f} MB")
    row("one changed seed, all processes, proportional", "one_change_tree_pss_mb", "{:.0f} MB")
    row("all processes together, resident (peak)", "all_processes_mb", "{:.0f} MB")
    row("all processes together, proportional (peak)", "all_processes_pss_mb", "{:.0f} MB")
    lines.append("")
    lines.append("Seconds per exporter (--jobs 1, summed over seeds):")
    for r in results:
        parts = ", ".join(f"{k} {v:.1f} s" for k, v in r["exporters_jobs1"].items())
        floor_parts = ", ".join(f"{k} {v:.1f} s" for k, v in r["floor"].items())
        lines.append(f"- {_name(r)}: {parts}; floor: {floor_parts}")
    lines.append("")
    lines.append("Every run, in seconds (the full exports and the floor took turns):")
    for r in results:
        runs = "; ".join(f"{k} {', '.join(f'{v:.2f}' for v in vs)}" for k, vs in r["runs"].items())
        lines.append(f"- {_name(r)}: {runs}")
        lines.append(f"  (load average {r['load']})")
    return "\n".join(lines)


def _name(result: dict[str, Any]) -> str:
    languages = result.get("languages", ["en"])
    suffix = f" ({', '.join(languages)})" if languages != ["en"] else ""
    return f"{result['count']:,} seeds{suffix}"


def load_average() -> str:
    """The machine's load average over 1, 5 and 15 minutes (it is shared: figures move with
    it)."""
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f}, {five:.2f}, {fifteen:.2f}"


def main() -> None:
    """Command line: run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument(
        "--repeats",
        type=int,
        nargs="+",
        default=[5, 3],
        help="runs of each full export and of the floor, per count (the last repeats)",
    )
    parser.add_argument(
        "--languages",
        default="en",
        help="the corpora's languages, English first (en,de,ru); the count is of seeds",
    )
    parser.add_argument(
        "--pictures",
        type=float,
        default=0.1,
        help="the share of seeds with two pictures of their own (a tenth by default)",
    )
    args = parser.parse_args()
    languages = [lang.strip() for lang in args.languages.split(",") if lang.strip()]
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-engine-") as folder:
        # A first run compiles the bytecode and warms the file cache; it is not counted.
        build_corpus(50, Path(folder) / "warm-up-seeds")
        run_export(Path(folder) / "warm-up-seeds", Path(folder) / "warm-up", jobs=2)
        for number, count in enumerate(args.counts):
            repeats = args.repeats[min(number, len(args.repeats) - 1)]
            load_before = load_average()
            result = measure(count, Path(folder), repeats, languages, args.pictures)
            result["load"] = f"{load_before} before, {load_average()} after"
            results.append(result)
            print(f"{count} seeds done (load {result['load']})", file=sys.stderr)
    print(report(results))
    print("\nTargets: " + "; ".join(f"{k} {v}" for k, v in TARGETS.items()))
    results_dir = ROOT / "bench" / "results"
    results_dir.mkdir(exist_ok=True)
    name = "engine" if languages == ["en"] else "engine-" + "-".join(languages)
    (results_dir / f"{name}.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
