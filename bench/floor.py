"""The floor of the engine benchmark: the library calls an export makes, in one bare process.

    python -m bench.floor SEEDS OUT

Markdown-it and YAML on every seed; then, on models parsed beforehand (not timed), the same
JSON, JSON-LD, page, card and booklet rendering and catalogue inserts, each output written to
``OUT``. Prints the seconds of each phase and of the preparation as JSON. ``bench.engine``
times this process from launch to exit, as it times an export: the interpreter's start and
the libraries' imports count in both.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def floor(seeds: Path, out: Path) -> tuple[dict[str, float], float]:
    """The same library calls in this bare process, phase by phase, in seconds; and the
    seconds spent preparing (parsing the models the rendering phases start from)."""
    import markdown_it
    import yaml

    from pipeline.cards import assemble_booklet, render_card
    from pipeline.catalogue import CATALOGUE_FILE
    from pipeline.catalogue.build import build_catalogue, catalogue_entry
    from pipeline.config import load_settings
    from pipeline.jsonld import (
        catalogue_document,
        dumps_script_safe,
        exercise_document,
        page_url,
        script_element,
    )
    from pipeline.pages import IndexEntry, exercise_page, index_page
    from pipeline.parser import parse_seed

    started = time.perf_counter()
    settings = load_settings(ROOT)
    paths = sorted(seeds.glob("*.md"))
    exercises = [e for e in (parse_seed(p).exercise for p in paths) if e is not None]
    preparation = time.perf_counter() - started
    md = markdown_it.MarkdownIt("commonmark", {"html": False})
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
        canonical = page_url(exercise, settings)
        page = exercise_page(exercise, canonical, script, catalogue_url=settings.base_url or "")
        # Where the pipeline puts it: a folder a page, so its URL is its path.
        (out / exercise.slug).mkdir()
        (out / exercise.slug / "index.html").write_text(page)
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
    return phases, preparation


def main() -> None:
    """Command line: run the floor and print its figures."""
    phases, preparation = floor(Path(sys.argv[1]), Path(sys.argv[2]))
    print(json.dumps({"phases": phases, "preparation": preparation}))


if __name__ == "__main__":
    main()
