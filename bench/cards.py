"""Benchmark the PDF wall cards against WeasyPrint rendering an equivalent HTML card.

    python -m bench.cards [--count 1000] [--booklet-count 10000] [--weasyprint 40]
        [--languages en,de,ru]

On the same generated seeds, in one run:

- our separate-file card (``render_card``: layout, fit search, drawing, font subsetting, the
  finished PDF bytes and the booklet's artefact of the card, which is the exporter's entry),
  median milliseconds per card;
- a card's entry as the engine keeps it (JSON), median and largest size;
- the booklet assembled from entries (``assemble_booklet``, what ``cards.pdf`` costs the
  parent process once the workers have rendered the cards), for ``--count`` cards and for
  ``--booklet-count`` cards (a larger corpus, rendered once to get its entries);
- peak memory (``ru_maxrss``) of a fresh process that exports ``--count`` cards and their
  booklet with ``pipeline export -f pdf``, and of its largest worker process;
- WeasyPrint turning an HTML card with the same content, fonts and QR code into a PDF, median
  milliseconds per card (on the first ``--weasyprint`` seeds: it is much slower).

With ``--languages`` the seeds are in those languages (``bench.corpus``: the count is of
seeds, all languages together), and the booklet figures are of a booklet per language, as the
exporter writes them (the sum of their assemblies).

- a card with two pictures of its own and the muscle map (``--pictured`` generated seeds
  with pictures), ours and WeasyPrint's on an HTML card with the same files and the page's
  SVG map, median milliseconds each.

Targets: at least 20x faster per card than WeasyPrint; under 12 ms per card (median); under
15 ms for a card with two pictures, still at least 20x faster; the booklet of 10,000 cards
assembled in under 1.5 s; under 150 MB peak for 1,000 cards.
"""

from __future__ import annotations

import argparse
import html
import itertools
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import segno

from bench.corpus import build_corpus
from pipeline.blobs import BlobStore
from pipeline.cards import PlainArtefact, assemble_booklet, render_card
from pipeline.cards.fonts import FONT_DIR
from pipeline.config import Settings
from pipeline.engine import export, read_seeds
from pipeline.entries import codec_for
from pipeline.exporters.cards import CardsExporter
from pipeline.model import Exercise, SectionKind

TARGET_SPEEDUP = 20.0
TARGET_CARD_MS = 12.0
TARGET_BOOKLET_10K_S = 1.5
TARGET_PEAK_MB = 150.0
TARGET_PICTURED_MS = 15.0

CSS = f"""
@font-face {{ font-family: Card; src: url("{(FONT_DIR / "DejaVuSans.ttf").as_uri()}"); }}
@font-face {{ font-family: Card; font-weight: bold;
  src: url("{(FONT_DIR / "DejaVuSans-Bold.ttf").as_uri()}"); }}
@font-face {{ font-family: Card; font-style: italic;
  src: url("{(FONT_DIR / "DejaVuSans-Oblique.ttf").as_uri()}"); }}
@page {{ size: A4; margin: 12mm 12mm 19mm; }}
body {{ font: 14pt/1.24 Card; color: #1b1f24; margin: 0; }}
header {{ display: flex; gap: 14pt; }} header div {{ flex: 1; }}
h1 {{ font-size: 29pt; line-height: 1.08; margin: 0; }}
.desc {{ color: #4a5561; margin: 7pt 0 0; }}
.badge {{ display: inline-block; font: bold 9pt Card; padding: 2pt 6pt; margin: 6pt 4pt 0 0;
  border-radius: 9pt; background: #e6eef8; color: #1d5fa6; }}
figure {{ margin: 0; width: 32mm; text-align: center; font-size: 8.4pt; }}
figure svg {{ width: 32mm; height: 32mm; }}
h2 {{ font-size: 12.9pt; letter-spacing: 0.08em; text-transform: uppercase; color: #1d5fa6;
  margin: 11pt 0 4pt; }}
ol, ul {{ margin: 0; padding-left: 26pt; }} li {{ margin-bottom: 4pt; }}
section.tips {{ background: #ecf5ed; border-radius: 7pt; padding: 8pt; }}
section.mistakes {{ background: #fbeeec; border-radius: 7pt; padding: 8pt; margin-top: 11pt; }}
section.tips ul, section.mistakes ul {{ list-style: none; padding-left: 4pt; }}
section.tips li::before {{ content: "✔  "; color: #2b7a34; }}
section.mistakes li::before {{ content: "✘  "; color: #c0392b; }}
.outro {{ color: #4a5561; font-style: italic; font-size: 12pt; }}
.slug {{ font-size: 7.5pt; color: #4a5561; border-top: 0.6pt solid #c3ccd6; }}
.row {{ display: flex; gap: 10pt; align-items: center; margin-top: 9pt; }}
.row img {{ height: 33mm; width: auto; }} .row figure {{ width: 30mm; margin: 0; }}
.row svg {{ width: 30mm; height: auto; }} .muscle-map .body {{ fill: #d5d8dd; }}
.muscle-map .primary {{ fill: #1d5fa6; }} .muscle-map .secondary {{ fill: #8fb3da; }}
"""


def html_card(exercise: Exercise) -> str:
    """The card as one HTML page with the same content, fonts and QR code as ours."""
    e = html.escape
    badges = [exercise.level.value] if exercise.level else []
    badges += [*exercise.equipment, *exercise.muscles]
    qr = ""
    if exercise.video_short_url:
        svg = segno.make_qr(exercise.video_short_url, error="m").svg_inline(scale=4)
        qr = f"<figure>{svg}<b>Scan for the video</b><br>{e(exercise.video_short_url)}</figure>"
    parts = [
        f"<!doctype html><html lang='{e(exercise.lang)}'><meta charset='utf-8'>",
        f"<style>{CSS}</style>",
        f"<header><div><h1>{e(exercise.title)}</h1>",
        "".join(f"<span class='badge'>{e(b)}</span>" for b in badges),
        f"<p class='desc'>{e(exercise.description)}</p></div>{qr}</header>",
        _html_pictures(exercise),
    ]
    for section in exercise.sections:
        tag = "ol" if section.kind in (SectionKind.SETUP, SectionKind.EXECUTION) else "ul"
        items = "".join(
            f"<li>{f'<b>{e(i.label)}:</b> ' if i.label else ''}{e(i.text)}</li>"
            for i in section.items
        )
        parts.append(
            f"<section class='{section.kind.value}'><h2>{e(section.heading)}</h2>"
            f"<{tag}>{items}</{tag}></section>"
        )
    parts += [f"<p class='outro'>{e(p.text)}</p>" for p in exercise.outro]
    parts.append(f"<p class='slug'>{e(exercise.slug)}</p>")
    return "".join(parts)


def _html_pictures(exercise: Exercise) -> str:
    """The card's row of pictures and muscle map, as HTML: the same files, and the page's
    own inline SVG of the map."""
    if not exercise.images:
        return ""
    from pipeline.i18n.labels import labels_for
    from pipeline.pages.muscle_map import muscle_figure

    images = "".join(
        f"<img src='{Path(p.file).resolve().as_uri()}' alt=''>" for p in exercise.images if p.file
    )
    figure = muscle_figure(exercise, labels_for(exercise.lang))
    return f"<div class='row'>{images}{figure}</div>"


def median_ms(times: list[float]) -> float:
    """The median of ``times`` (seconds) in milliseconds."""
    return statistics.median(times) * 1000


def best_times(
    exercises: list[Exercise], render: Callable[[Exercise], object], repeat: int
) -> list[float]:
    """Seconds taken by ``render(exercise)`` for each exercise, the best of ``repeat`` runs:
    the machine's other work only ever adds time, so the minimum is the truest figure."""
    times = []
    for exercise in exercises:
        runs = []
        for _ in range(repeat):
            started = time.perf_counter()
            render(exercise)
            runs.append(time.perf_counter() - started)
        times.append(min(runs))
    return times


def peak_memory_mb(seeds: Path, out: Path) -> tuple[float, float, int]:
    """Peak resident memory of a fresh process exporting every card and the booklet, and of
    its largest worker process."""
    child = subprocess.run(
        [sys.executable, "-m", "bench.cards", "--child-export", str(seeds), str(out)],
        check=True,
        capture_output=True,
        text=True,
    )
    result = json.loads(child.stdout)
    return result["peak_mb"], result["worker_peak_mb"], result["files"]


def child_export(seeds: Path, out: Path) -> None:
    """The measured process: export the PDF cards, then print its peak memory as JSON."""
    report = export([seeds], out, Settings(), ["pdf"])
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    worker_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(
        json.dumps(
            {
                "peak_mb": peak_kb / 1024,
                "worker_peak_mb": worker_kb / 1024,
                "files": len(report.written),
            }
        )
    )


def assemble_seconds(entries: list[PlainArtefact], settings: Settings, repeat: int) -> float:
    """The best of ``repeat`` assemblies of the booklets from ``entries`` (one per language,
    as the exporter writes them), in seconds."""
    by_lang: dict[str, list[PlainArtefact]] = {}
    for entry in entries:
        by_lang.setdefault(entry[2], []).append(entry)
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        for cards in by_lang.values():
            assemble_booklet(cards, settings)
        runs.append(time.perf_counter() - started)
    return min(runs)


def large_booklet_seconds(
    count: int, work: Path, settings: Settings, repeat: int, languages: Sequence[str]
) -> float:
    """Render ``count`` generated seeds once for their entries, then time the assembly."""
    seeds = work / f"seeds-{count}"
    build_corpus(count, seeds, languages=languages)
    exercises = read_seeds([seeds], settings).exercises
    entries = [render_card(e, settings).artefact.plain() for e in exercises]
    del exercises
    return assemble_seconds(entries, settings, repeat)


def pictured_figures(work: Path, count: int, repeat: int, settings: Settings) -> dict[str, float]:
    """Our card and WeasyPrint's for ``count`` seeds that each show two pictures of their
    own and the muscle map. Each of our runs starts with no picture prepared, as a worker
    meets each seed's pictures once."""
    import weasyprint

    from pipeline.cards.pictures import prepared

    seeds = work / "pictured"
    build_corpus(count, seeds, random_seed=1, pictures=1.0)
    exercises = [e for e in read_seeds([seeds], settings).exercises if e.images]

    made = itertools.count()

    def ours(exercise: Exercise) -> object:
        prepared.cache_clear()
        card = render_card(exercise, settings)
        # As the exporter keeps them for the booklet, each time in a new store.
        blobs = BlobStore(work / "blobs" / str(next(made)))
        for image in card.images:
            blobs.put(image.body())
        return card

    ours_times = best_times(exercises, ours, repeat)
    weasy_times = best_times(
        exercises, lambda e: weasyprint.HTML(string=html_card(e)).write_pdf(), repeat
    )
    codec = codec_for(CardsExporter.entry_type)
    sizes = [len(codec.encode(render_card(e, settings).artefact.plain())) for e in exercises]
    ours_ms, weasy_ms = median_ms(ours_times), median_ms(weasy_times)
    return {
        "ours_ms": ours_ms,
        "weasy_ms": weasy_ms,
        "speedup": weasy_ms / ours_ms,
        "entry_kib": statistics.median(sizes) / 1024,
    }


def main() -> None:
    """Command line: build the corpus, measure everything, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000, help="Cards in the corpus.")
    parser.add_argument("--weasyprint", type=int, default=40, help="Cards WeasyPrint renders.")
    parser.add_argument(
        "--booklet-count", type=int, default=10000, help="Cards in the large booklet."
    )
    parser.add_argument("--repeat", type=int, default=3, help="Runs per card; the best counts.")
    parser.add_argument(
        "--pictured", type=int, default=100, help="Cards with two pictures (and WeasyPrint's)."
    )
    parser.add_argument(
        "--languages", default="en", help="the seeds' languages, English first (en,de,ru)"
    )
    parser.add_argument("--child-export", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    languages = [lang.strip() for lang in args.languages.split(",") if lang.strip()]
    if args.child_export:
        child_export(*args.child_export)
        return
    import weasyprint

    settings = Settings()
    with tempfile.TemporaryDirectory(prefix="bench-cards-") as tmp:
        work = Path(tmp)
        seeds = work / "seeds"
        build_corpus(args.count, seeds, languages=languages)
        exercises = read_seeds([seeds], settings).exercises
        if len(exercises) != args.count:
            raise SystemExit(f"only {len(exercises)} of {args.count} generated seeds parsed")
        # First, while this process is still small: a child's ru_maxrss starts from its
        # parent's size at the fork.
        peak_mb, worker_mb, files = peak_memory_mb(seeds, work / "out")
        render_card(exercises[0], settings)  # fonts are loaded once per process, not per card

        card_times = best_times(exercises, lambda e: render_card(e, settings), args.repeat)
        entries = [render_card(e, settings).artefact.plain() for e in exercises]
        codec = codec_for(CardsExporter.entry_type)
        sizes = [len(codec.encode(d)) for d in entries]
        booklet = assemble_booklet(entries, settings)
        booklet_s = assemble_seconds(entries, settings, args.repeat)
        large_s = large_booklet_seconds(args.booklet_count, work, settings, args.repeat, languages)

        pictured = pictured_figures(work, args.pictured, args.repeat, settings)

        sample = exercises[: args.weasyprint]
        weasyprint.HTML(string=html_card(sample[0])).write_pdf()  # warm its caches too
        weasy_times = best_times(
            sample, lambda e: weasyprint.HTML(string=html_card(e)).write_pdf(), args.repeat
        )
        ours_on_sample = median_ms(card_times[: len(sample)])

    card_ms = median_ms(card_times)
    weasy_ms = median_ms(weasy_times)
    speedup = weasy_ms / ours_on_sample
    rows = [
        ("card (render + entry), median", f"{card_ms:.2f} ms", f"< {TARGET_CARD_MS:g} ms",
         card_ms < TARGET_CARD_MS),
        ("entry as JSON, median / largest",
         f"{statistics.median(sizes) / 1024:.1f} / {max(sizes) / 1024:.1f} KiB", "", None),
        (f"booklet of {args.count} assembled from entries", f"{booklet_s * 1000:.0f} ms", "",
         None),
        ("  the same, per card", f"{booklet_s * 1e6 / args.count:.0f} us", "", None),
        (f"booklet of {args.booklet_count} assembled from entries", f"{large_s:.2f} s",
         f"< {TARGET_BOOKLET_10K_S:g} s", large_s < TARGET_BOOKLET_10K_S),
        (f"WeasyPrint card, median ({len(sample)} cards)", f"{weasy_ms:.1f} ms", "", None),
        (f"our card, median (same {len(sample)} cards)", f"{ours_on_sample:.2f} ms", "", None),
        ("speed-up over WeasyPrint, same cards", f"{speedup:.0f}x", f">= {TARGET_SPEEDUP:g}x",
         speedup >= TARGET_SPEEDUP),
        (f"card with two pictures and the map, median ({args.pictured})",
         f"{pictured['ours_ms']:.2f} ms", f"< {TARGET_PICTURED_MS:g} ms",
         pictured["ours_ms"] < TARGET_PICTURED_MS),
        ("  WeasyPrint on the same, median", f"{pictured['weasy_ms']:.1f} ms", "", None),
        ("  speed-up over WeasyPrint", f"{pictured['speedup']:.0f}x",
         f">= {TARGET_SPEEDUP:g}x", pictured["speedup"] >= TARGET_SPEEDUP),
        ("  entry as JSON, median", f"{pictured['entry_kib']:.0f} KiB", "", None),
        (f"peak memory, export of {args.count} cards", f"{peak_mb:.0f} MB",
         f"< {TARGET_PEAK_MB:g} MB", peak_mb < TARGET_PEAK_MB),
        ("  largest worker process of that export", f"{worker_mb:.0f} MB",
         f"< {TARGET_PEAK_MB:g} MB", worker_mb < TARGET_PEAK_MB),
    ]  # fmt: skip
    print(
        f"wall cards: {args.count} generated seeds in {', '.join(languages)}, A4 1up; booklet "
        f"{len(booklet) >> 10} KiB; the peak-memory run wrote {files} files; load average "
        + ", ".join(f"{load:.2f}" for load in os.getloadavg())
        + "\n"
    )
    print(f"| {'measure':<44} | {'measured':>15} | {'target':>9} |    |")
    print(f"|{'-' * 46}|{'-' * 17}|{'-' * 11}|----|")
    for name, value, target, ok in rows:
        verdict = "" if ok is None else "ok" if ok else "NO"
        print(f"| {name:<44} | {value:>15} | {target:>9} | {verdict:<2} |")


if __name__ == "__main__":
    main()
