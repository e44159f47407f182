"""The build engine's benchmark: a whole export in every format, as users run it.

    python -m bench.engine [--counts 1000 10000]

For each corpus size it measures, each in a fresh ``pipeline export`` process:

- a full export with ``--jobs 1`` and with ``--jobs 2`` (and the speed-up), with the seconds
  each exporter spent (summed over the workers);
- a re-run with nothing changed, and a re-run after one seed changed;
- peak memory: the largest single process, and the parent plus every worker together;
- the floor: the same library calls in one bare process with no pipeline around them
  (markdown-it and YAML parsing of every seed; the same card, page, JSON-LD and JSON
  rendering; the same catalogue inserts; the same booklet and index), on models parsed
  beforehand, and the pipeline's ``--jobs 1`` time against it.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.corpus import build_corpus

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {
    "full export of 10,000 seeds, all formats (--jobs 2)": "< 60 s",
    "pipeline --jobs 1 against the floor": "<= 1.25x",
    "--jobs 2 speed-up over --jobs 1": ">= 1.7x",
    "no-op re-run of 10,000 seeds": "< 1 s",
    "one changed seed of 10,000": "< 3 s",
    "peak memory": "< 500 MB",
}


def _tree_rss_kb(pid: int) -> int:
    """Resident memory of a process and all its descendants, from /proc (Linux)."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += int(status.split("VmRSS:")[1].split()[0]) if "VmRSS:" in status else 0
            for task in Path(f"/proc/{current}/task").iterdir():
                stack.extend(int(c) for c in (task / "children").read_text().split())
        except (OSError, ValueError, IndexError):
            continue
    return total


def run_export(seeds: Path, out: Path, jobs: int) -> dict[str, Any]:
    """One ``pipeline export`` in a fresh process: wall seconds, its report, and peak memory
    (the largest single process, and the whole process tree sampled every 20 ms)."""
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
        process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=stderr)
        peak_tree = 0
        while process.poll() is None:
            peak_tree = max(peak_tree, _tree_rss_kb(process.pid))
            time.sleep(0.02)
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        tail = log.read_text(errors="replace")[-2000:]
        raise SystemExit(f"export failed ({process.returncode}): {tail}")
    largest = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {
        "seconds": seconds,
        "report": json.loads(report.read_text()),
        "largest_process_mb": largest / 1024,
        "tree_mb": peak_tree / 1024,
    }


def floor(seeds: Path, work: Path) -> dict[str, float]:
    """The same library calls in one bare process, phase by phase, in seconds."""
    import markdown_it
    import yaml

    from pipeline.cards import assemble_booklet, render_card
    from pipeline.catalogue import CATALOGUE_FILE
    from pipeline.config import load_settings
    from pipeline.exporters.html import IndexEntry, exercise_page, index_page
    from pipeline.exporters.sqlite import build_catalogue, catalogue_entry
    from pipeline.jsonld import (
        catalogue_document,
        dumps_script_safe,
        exercise_document,
        page_url,
        script_element,
    )
    from pipeline.parser import parse_seed

    settings = load_settings(ROOT)
    paths = sorted(seeds.glob("*.md"))
    exercises = [e for e in (parse_seed(p).exercise for p in paths) if e is not None]
    md = markdown_it.MarkdownIt("commonmark", {"html": False})
    out = work / f"floor-{len(paths)}"
    out.mkdir(parents=True)
    phases: dict[str, float] = {}

    started = time.perf_counter()
    for path in paths:
        text = path.read_text("utf-8")
        _, front, body = text.split("---", 2)
        yaml.load(front, Loader=yaml.CSafeLoader)
        md.parse(body)
    phases["parse (markdown-it, YAML)"] = time.perf_counter() - started

    started = time.perf_counter()
    for exercise in exercises:
        (out / f"{exercise.slug}.json").write_text(exercise.model_dump_json(indent=2))
    phases["json"] = time.perf_counter() - started

    started = time.perf_counter()
    for exercise in exercises:
        document = exercise_document(exercise, settings)
        (out / f"{exercise.slug}.jsonld").write_text(dumps_script_safe(document))
        (out / f"{exercise.slug}.snippet.html").write_text(script_element(document))
    phases["jsonld"] = time.perf_counter() - started

    started = time.perf_counter()
    for exercise in exercises:
        script = script_element(exercise_document(exercise, settings))
        page = exercise_page(exercise, page_url(exercise, settings), script)
        (out / f"{exercise.slug}.html").write_text(page)
    entries = [IndexEntry.of(e, settings) for e in exercises]
    index_script = script_element(catalogue_document([(e.title, e.url) for e in entries], settings))
    (out / "index.html").write_text(index_page(entries, settings.base_url or "", index_script))
    phases["html"] = time.perf_counter() - started

    started = time.perf_counter()
    build_catalogue(out / CATALOGUE_FILE, [catalogue_entry(e) for e in exercises])
    phases["sqlite"] = time.perf_counter() - started

    started = time.perf_counter()
    artefacts = []
    for exercise in exercises:
        card = render_card(exercise, settings)
        (out / f"{exercise.slug}.pdf").write_bytes(card.pdf)
        artefacts.append(card.artefact)
    (out / "cards.pdf").write_bytes(assemble_booklet(artefacts, settings))
    phases["pdf"] = time.perf_counter() - started
    return phases


def measure(count: int, work: Path) -> dict[str, Any]:
    """Every figure for a corpus of ``count`` seeds."""
    seeds = work / f"seeds-{count}"
    build_corpus(count, seeds)
    result: dict[str, Any] = {"count": count}
    # The machine is shared: a busy moment of a neighbour weighs seconds. Each full export
    # runs three times and the fastest counts, as in the other benchmarks.
    repeats = 3
    ones = [run_export(seeds, work / f"one-{count}-{n}", jobs=1) for n in range(repeats)]
    twos = [run_export(seeds, work / f"two-{count}-{n}", jobs=2) for n in range(repeats)]
    one = min(ones, key=lambda r: float(r["seconds"]))
    two = min(twos, key=lambda r: float(r["seconds"]))
    last = work / f"two-{count}-{repeats - 1}"
    result["jobs1"] = one["seconds"]
    result["jobs2"] = two["seconds"]
    result["speedup"] = one["seconds"] / two["seconds"]
    result["exporters_jobs1"] = one["report"]["seconds"]["exporters"]
    result["phases_jobs2"] = two["report"]["seconds"]["phases"]
    noop = run_export(seeds, last, jobs=2)
    result["noop"] = noop["seconds"]
    result["noop_written"] = noop["report"]["files"]["written"]
    changed = sorted(seeds.glob("*.md"))[count // 2]
    changed.write_text(
        changed.read_text("utf-8").replace("## Execution\n", "## Execution\n1. Brace first.\n")
    )
    change = run_export(seeds, last, jobs=2)
    result["one_change"] = change["seconds"]
    result["one_change_parsed"] = change["report"]["seeds"]["parsed"]
    result["largest_process_mb"] = max(r["largest_process_mb"] for r in (one, two, noop, change))
    result["all_processes_mb"] = max(r["tree_mb"] for r in (one, two, noop, change))
    changed.write_text(changed.read_text("utf-8").replace("1. Brace first.\n", ""))
    floors = [floor(seeds, work / f"floor-{n}") for n in range(2)]
    result["floor"] = min(floors, key=lambda phases: sum(phases.values()))
    result["floor_total"] = sum(result["floor"].values())
    result["vs_floor"] = one["seconds"] / result["floor_total"]
    return result


def report(results: list[dict[str, Any]]) -> str:
    """The figures as a Markdown table, each beside its target."""
    lines = [
        "| figure | " + " | ".join(f"{r['count']:,} seeds" for r in results) + " |",
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
    row("largest process", "largest_process_mb", "{:.0f} MB")
    row("all processes together (peak of the sum)", "all_processes_mb", "{:.0f} MB")
    lines.append("")
    lines.append("Seconds per exporter (--jobs 1, summed over seeds):")
    for r in results:
        parts = ", ".join(f"{k} {v:.1f} s" for k, v in r["exporters_jobs1"].items())
        floor_parts = ", ".join(f"{k} {v:.1f} s" for k, v in r["floor"].items())
        lines.append(f"- {r['count']:,}: {parts}; floor: {floor_parts}")
    return "\n".join(lines)


def main() -> None:
    """Command line: run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[1000, 10000])
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-engine-") as folder:
        # A first run compiles the bytecode and warms the file cache; it is not counted.
        build_corpus(50, Path(folder) / "warm-up-seeds")
        run_export(Path(folder) / "warm-up-seeds", Path(folder) / "warm-up", jobs=2)
        for count in args.counts:
            results.append(measure(count, Path(folder)))
            print(f"{count} seeds done", file=sys.stderr)
    print(report(results))
    print("\nTargets: " + "; ".join(f"{k} {v}" for k, v in TARGETS.items()))
    results_dir = ROOT / "bench" / "results"
    results_dir.mkdir(exist_ok=True)
    (results_dir / "engine.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
