"""Checks shared by the property and injection tests: run ``pipeline check`` and every
exporter on a seeds folder, and read each output back against what the seed said."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import pypdf
from typer.testing import CliRunner

from fuzz.seeds import SeedSpec
from pipeline.catalogue import CATALOGUE_FILE, Catalogue
from pipeline.cli import app
from pipeline.config import Settings
from pipeline.engine import ExportReport, export
from pipeline.validation import validate_html, validate_jsonld

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "seeds" / "leverage-machine-lying-leg-curl.md"
SHIPPED_SLUG = "leverage-machine-lying-leg-curl"
SETTINGS = Settings(base_url="https://exercises.example.org/")
DIAGNOSTIC = re.compile(r"^[^\n]+?(?::[1-9][0-9]*)?: (?:error|warning|note): [^\n]+$")
SUMMARY = re.compile(r"^\d+ seeds? checked: \d+ errors?, \d+ warnings?$")
PER_SEED = ("json/{}.json", "jsonld/{}.jsonld", "jsonld/{}.snippet.html", "html/{}/index.html")
SITE_FILES = ("html/sitemap.xml", "html/robots.txt")
"""The site's files, whatever it holds."""
AGGREGATES = ("html/index.html", "html/index.json", *SITE_FILES, CATALOGUE_FILE, "cards.pdf")


SHIPPED_PICTURES = ("lying-leg-curl-start.jpg", "lying-leg-curl-end.jpg")
"""The names the shipped seed's pictures are published under, beside its page."""


def outputs_of(slug: str, lang: str = "en", pictures: Iterable[str] = ()) -> set[str]:
    """The files every exporter writes for one seed (in ``lang``: below its folder when it
    is not English, the default language), with its ``pictures`` beside its page."""
    folder = lang_folder(lang)
    copies = {f"html/{folder}{slug}/{name}" for name in pictures}
    return {p.format(folder + slug) for p in PER_SEED} | {f"cards/{folder}{slug}.pdf"} | copies


def lang_folder(lang: str) -> str:
    """The folder of a language's outputs, as the default settings place them."""
    return "" if lang == "en" else f"{lang.lower()}/"


def aggregates_of(lang: str = "en") -> set[str]:
    """The collection's files when it holds one seed, in ``lang``."""
    suffix = "" if lang == "en" else f".{lang.lower()}"
    folder = lang_folder(lang)
    indexes = {"html/index.html", f"html/{folder}index.html", f"html/{folder}index.json"}
    return indexes | set(SITE_FILES) | {CATALOGUE_FILE, f"cards{suffix}.pdf"}


def files_under(folder: Path) -> set[str]:
    """Every file below ``folder``, relative, pipeline state excluded."""
    return {
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and not p.relative_to(folder).as_posix().startswith(".pipeline")
    }


def run_check(folder: Path) -> tuple[int, list[str]]:
    """``pipeline check folder`` through the CLI: exit code and output lines, after asserting
    that nothing but a clean exit happened."""
    result = CliRunner().invoke(app, ["check", str(folder)], env={"COLUMNS": "200"})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert result.exit_code in (0, 1), result.output
    lines = result.output.split("\n")
    assert lines[-1] == ""
    for line in lines[:-2]:
        assert DIAGNOSTIC.match(line), line
    assert SUMMARY.match(lines[-2]), lines[-2]
    return result.exit_code, lines[:-2]


def run_export(folder: Path, out: Path) -> ExportReport:
    """Every exporter, in this process, over ``folder``; every diagnostic is one line."""
    report = export([folder], out, SETTINGS, jobs=1)
    for diagnostic in report.diagnostics:
        assert DIAGNOSTIC.match(str(diagnostic)), str(diagnostic)
        assert "Traceback" not in diagnostic.message
        # Quoted seed text may say anything ('## INTERNAL ERROR'); what is the pipeline's
        # own is the message outside the quotes.
        own = re.sub(r"'[^']*'", "''", diagnostic.message).lower()
        assert "internal error" not in own and "exception" not in own, str(diagnostic)
    return report


def pdf_text(path: Path) -> str:
    """The text of a PDF, whitespace folded."""
    reader = pypdf.PdfReader(path)
    return " ".join(" ".join(page.extract_text() or "" for page in reader.pages).split())


def ascii_words(text: str) -> Iterator[str]:
    """Runs of ASCII letters and digits in ``text``: what any card font can print."""
    yield from re.findall(r"[A-Za-z0-9]+", text)


def assert_model(document: dict[str, object], spec: SeedSpec) -> None:
    """The normalised model (``json/<slug>.json``) says exactly what the seed said."""
    assert document["slug"] == spec.expected_slug
    assert document["description"] == spec.description
    if spec.title is not None:
        assert document["title"] == spec.title
    assert document["category"] == (spec.category.strip() if spec.category else None)
    for key in ("equipment", "supplies", "muscles", "aliases"):
        assert document[key] == [v.strip() for v in spec.lists.get(key, [])]
    sections = document["sections"]
    assert isinstance(sections, list)
    assert [s["heading"] for s in sections] == list(spec.sections)
    for section, items in zip(sections, spec.sections.values(), strict=True):
        assert [(i["label"], i["text"]) for i in section["items"]] == [
            (i.label, i.text) for i in items
        ]
    assert [p["text"] for p in document["outro"]] == spec.outro  # type: ignore[attr-defined]
    assert [(s["name"], s["text"]) for s in document["howto"]] == [  # type: ignore[attr-defined]
        (name, "\n\n".join(paragraphs)) for name, paragraphs in spec.howto
    ]


def assert_catalogue(path: Path, spec: SeedSpec) -> None:
    """The catalogue gives back every text of the seed exactly."""
    with Catalogue(path) as catalogue:
        record = catalogue.show(spec.expected_slug)
    assert record.description == spec.description
    assert record.category == (spec.category.strip() if spec.category else None)
    assert list(record.aliases) == [v.strip() for v in spec.lists.get("aliases", [])]
    assert list(record.muscles) == [v.strip() for v in spec.lists.get("muscles", [])]
    assert list(record.equipment) == [v.strip() for v in spec.lists.get("equipment", [])]
    assert list(record.supplies) == [v.strip() for v in spec.lists.get("supplies", [])]
    got = {
        "Setup": record.setup,
        "Execution": record.execution,
        "Tips": record.tips,
        "Common Mistakes": record.mistakes,
    }
    for heading, records in got.items():
        expected = spec.sections.get(heading, [])
        assert [(r.position, r.label, r.text) for r in records] == [
            (n, i.label, i.text) for n, i in enumerate(expected, 1)
        ]
    assert [(h.name, h.text) for h in record.howto] == [
        (name, "\n\n".join(paragraphs)) for name, paragraphs in spec.howto
    ]
    assert record.outro == "\n\n".join(spec.outro)


def assert_outputs(out: Path, spec: SeedSpec) -> None:
    """Every output of a valid seed exists and reads back to the seed's text."""
    slug = spec.expected_slug
    lang = str(spec.facts.get("lang", "en"))
    folder = lang_folder(lang)
    assert files_under(out) >= outputs_of(slug, lang) | aggregates_of(lang)
    model = json.loads((out / f"json/{folder}{slug}.json").read_text("utf-8"))
    assert_model(model, spec)
    jsonld = (out / f"jsonld/{folder}{slug}.jsonld").read_text("utf-8")
    assert validate_jsonld(jsonld) == []
    snippet = (out / f"jsonld/{folder}{slug}.snippet.html").read_text("utf-8")
    assert snippet.startswith('<script type="application/ld+json">\n')
    assert json.loads(snippet.split("\n", 1)[1].rsplit("</script>", 1)[0]) == json.loads(jsonld)
    page = (out / f"html/{folder}{slug}/index.html").read_text("utf-8")
    assert validate_html(page) == []
    index = (out / f"html/{folder}index.html").read_text("utf-8")
    assert f'href="{slug}/"' in index
    card = pdf_text(out / f"cards/{folder}{slug}.pdf")
    printed = [spec.title or "", spec.description, *spec.outro]
    printed += [f"{i.label or ''} {i.text}" for items in spec.sections.values() for i in items]
    for word in {w for text in printed for w in ascii_words(text)}:
        assert word in card, word
    suffix = "" if lang == "en" else f".{lang.lower()}"
    assert pypdf.PdfReader(out / f"cards{suffix}.pdf").pages
    assert_catalogue(out / CATALOGUE_FILE, spec)
