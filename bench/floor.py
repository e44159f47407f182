"""The floor of the engine benchmark: the library calls an export makes, in one bare process.

    python -m bench.floor SEEDS OUT

Markdown-it and YAML on every seed; then, on models parsed beforehand (not timed), the same
JSON, JSON-LD, page, card and booklet rendering and catalogue inserts, each output written to
``OUT`` where the pipeline writes it (per language, with a booklet and an index page each).
Prints the seconds of each phase and of the preparation as JSON. ``bench.engine``
times this process from launch to exit, as it times an export: the interpreter's start and
the libraries' imports count in both.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pipeline.model import Exercise

ROOT = Path(__file__).resolve().parent.parent


def floor(seeds: Path, out: Path) -> tuple[dict[str, float], float]:
    """The same library calls in this bare process, phase by phase, in seconds; and the
    seconds spent preparing (parsing the models the rendering phases start from, and linking
    each to its other language versions, as the engine does before the export).

    Every output goes where the pipeline puts it: a language other than ``default_lang`` in
    its folder (``json/de/``, ``html/de/<slug>/``) and its own booklet and index page, in its
    own words, with the same ``hreflang`` links and version lists."""
    import markdown_it
    import yaml

    from pipeline.blobs import BlobStore
    from pipeline.cards import render_card, write_booklet
    from pipeline.catalogue import CATALOGUE_FILE
    from pipeline.catalogue.build import build_catalogue, catalogue_entry
    from pipeline.config import load_settings
    from pipeline.jsonld import (
        dumps_script_safe,
        exercise_document,
        script_element,
        wrap_script,
    )
    from pipeline.pages import IndexEntry, exercise_page
    from pipeline.pages.indexes import index_pages
    from pipeline.pages.layout import (
        alternate_links,
        page_path,
        translation_urls,
    )
    from pipeline.pages.sitemap import site_files
    from pipeline.parser import parse_seed
    from pipeline.urls import index_url, lang_folder, lang_suffix, page_url

    started = time.perf_counter()
    settings = load_settings(ROOT)
    paths = sorted(seeds.glob("*.md"))
    exercises = _linked(
        [e for e in (parse_seed(p).exercise for p in paths) if e is not None],
        settings.default_lang,
    )
    preparation = time.perf_counter() - started
    md = markdown_it.MarkdownIt("commonmark", {"html": False})
    out.mkdir(parents=True)
    langs = sorted({e.lang for e in exercises} | {settings.default_lang})
    for kind in ("json", "jsonld", "cards"):
        for lang in langs:
            (out / kind / lang_folder(lang, settings)).mkdir(parents=True, exist_ok=True)
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
        folder = lang_folder(exercise.lang, settings)
        (out / f"json/{folder}{exercise.slug}.json").write_text(
            exercise.model_dump_json(indent=2) + "\n"
        )
    phases["json"] = time.perf_counter() - started

    started = time.perf_counter()
    for exercise in exercises:
        text = dumps_script_safe(exercise_document(exercise, settings))
        stem = out / f"jsonld/{lang_folder(exercise.lang, settings)}{exercise.slug}"
        Path(f"{stem}.jsonld").write_text(text + "\n")
        Path(f"{stem}.snippet.html").write_text(wrap_script(text) + "\n")
    phases["jsonld"] = time.perf_counter() - started

    started = time.perf_counter()
    for exercise in exercises:
        script = script_element(exercise_document(exercise, settings))
        page = exercise_page(
            exercise,
            page_url(exercise, settings),
            alternate_links(exercise, settings) + script,
            catalogue_url=index_url(exercise.lang, settings),
            versions=translation_urls(exercise, settings),
            overrides=settings.labels,
        )
        # Where the pipeline puts it: a folder a page, so its URL is its path.
        target = out / page_path(exercise, settings)
        target.parent.mkdir(parents=True)
        target.write_text(page)
    listed = [IndexEntry.of(e, settings) for e in sorted(exercises, key=lambda e: e.slug)]
    for where, index in index_pages(listed, settings):
        (out / where).write_text(index)
    for where, text in site_files(listed, settings):
        (out / where).write_text(text)
    phases["html"] = time.perf_counter() - started

    started = time.perf_counter()
    build_catalogue(out / CATALOGUE_FILE, [catalogue_entry(e) for e in exercises])
    phases["sqlite"] = time.perf_counter() - started

    started = time.perf_counter()
    artefacts: dict[str, list[Any]] = {}
    blobs = BlobStore(out.with_name(out.name + "-blobs"))  # the pictures, kept once
    for exercise in exercises:
        card = render_card(exercise, settings)
        folder = lang_folder(exercise.lang, settings)
        (out / f"cards/{folder}{exercise.slug}.pdf").write_bytes(card.pdf)
        for image in card.images:
            blobs.put(image.body())
        artefacts.setdefault(exercise.lang, []).append(card.artefact)
    for lang, cards in sorted(artefacts.items()):
        with (out / f"cards{lang_suffix(lang, settings)}.pdf").open("wb") as sink:
            write_booklet(cards, settings, sink, blobs)
    phases["pdf"] = time.perf_counter() - started
    return phases, preparation


def _linked(exercises: list[Exercise], default_lang: str) -> list[Exercise]:
    """Each exercise with its other language versions, as the engine gives them to the
    exporters (the versions found by :func:`pipeline.translations.siblings`)."""
    from pipeline.model import Translation
    from pipeline.translations import Version, siblings

    found = siblings(
        (Version(e.source.path, e.slug, e.lang, e.translation_of) for e in exercises),
        default_lang,
    )
    linked = []
    for exercise in exercises:
        versions = found.get(exercise.source.path, ())
        if versions:
            translations = tuple(
                Translation(lang=v.lang, slug=v.slug, original=v.original) for v in versions
            )
            exercise = exercise.model_copy(update={"translations": translations})
        linked.append(exercise)
    return linked


def main() -> None:
    """Command line: run the floor and print its figures."""
    phases, preparation = floor(Path(sys.argv[1]), Path(sys.argv[2]))
    print(json.dumps({"phases": phases, "preparation": preparation}))


if __name__ == "__main__":
    main()
