"""One exercise in four languages (tests/fixtures/squat), exported with every format and
compared output by output with tests/fixtures/squat-golden; and what a reader of each
language would notice: no English fixed word on a translation's card or page, the versions
linking one another, JSON-LD that validates, a catalogue that finds each version in its
language.

When a change means to alter an output, ``python -m tests.golden`` rewrites the tree."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.i18n.labels import LabelValue, labels_for, shipped
from tests.golden import SQUAT, SQUAT_GOLDEN, pdf_text, squat_outputs

SITE = "https://gym.example.com/exercises/"
GOLDEN_FILES = sorted(
    p.relative_to(SQUAT_GOLDEN).as_posix() for p in SQUAT_GOLDEN.rglob("*") if p.is_file()
)

# Each version: its language, the folder its outputs are in, its slug.
VERSIONS = {
    "en": ("", "squat"),
    "de": ("de/", "kniebeuge"),
    "pt-BR": ("pt-br/", "squat"),
    "ru": ("ru/", "prisedanie"),
}
URLS = {lang: f"{SITE}{folder}{slug}/" for lang, (folder, slug) in VERSIONS.items()}
TRANSLATIONS = ("de", "pt-BR", "ru")


class Export:
    """A fresh export of the fixture: its folder, and the files as the golden tree holds them."""

    def __init__(self, work: Path) -> None:
        self.files = squat_outputs(work)
        self.out = work / "out"
        self.db = self.out / "catalogue.sqlite"

    def text(self, name: str) -> str:
        """An output file's text, a PDF's as :func:`pdf_text` reads it."""
        if name.endswith(".pdf"):
            return pdf_text((self.out / name).read_bytes())
        return (self.out / name).read_text("utf-8")


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Export:
    return Export(tmp_path_factory.mktemp("squat"))


# --- output by output ------------------------------------------------------------------------


def test_the_export_writes_the_files_of_the_golden_tree_and_no_others(exported: Export) -> None:
    assert sorted(exported.files) == GOLDEN_FILES
    # Every format, for every version; the site's sitemap and robots.txt, and each index's
    # finder data.
    assert len(GOLDEN_FILES) == 35
    assert {"html/sitemap.xml", "html/robots.txt", "html/ru/index.json"} <= set(GOLDEN_FILES)


@pytest.mark.parametrize("name", GOLDEN_FILES)
def test_each_output_is_the_golden_one(exported: Export, name: str) -> None:
    expected = (SQUAT_GOLDEN / name).read_bytes()
    written = exported.files.get(name)
    assert written is not None, f"the export no longer writes {name}"
    # As text, so a failure shows the lines that moved.
    assert written.decode("utf-8") == expected.decode("utf-8")


# --- no English fixed word on a translation --------------------------------------------------


def _fragments(value: LabelValue) -> set[str]:
    """The words of a label as they show: each plural form, less its placeholders, in the
    runs of text between them that hold a letter."""
    forms = value.values() if isinstance(value, dict) else [value]
    return {
        run.strip()
        for form in forms
        for run in re.split(r"\{[a-z_]+\}", form)
        if any(c.isalpha() for c in run)
    }


def english_words(lang: str) -> dict[str, set[str]]:
    """Per label whose text in ``lang`` is not the English one (other than by case: German
    "Video" is English "video"), the English text's words."""
    english = shipped("en")
    resolved = labels_for(lang)
    found: dict[str, set[str]] = {}
    for name, value in english.items():
        ours = resolved[name]
        theirs = value["other"] if isinstance(value, dict) else value
        if ours.casefold() != theirs.casefold():
            found[name] = _fragments(value)
    return found


class _Shown(HTMLParser):
    """What a page shows or says to its readers and their tools: the text outside scripts and
    styles, the attributes read aloud or shown (aria-label, title, alt, the meta
    description), and the JSON-LD's texts."""

    # data-title becomes the player's title when the reader presses play.
    _SAID = ("aria-label", "title", "alt", "data-title")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.texts += [v for k, v in attrs if k in self._SAID and v]
        if tag == "meta" and values.get("name") == "description":
            self.texts.append(values.get("content") or "")
        if tag == "script" and values.get("type") == "application/ld+json":
            self._in = "jsonld"
        elif tag in ("script", "style"):
            # The player's script and the style sheet are code, not words a reader meets.
            self._in = tag

    def handle_endtag(self, tag: str) -> None:
        if tag == self._in or (tag == "script" and self._in == "jsonld"):
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "jsonld":
            self.texts += _jsonld_texts(json.loads(data))
        elif self._in is None:
            self.texts.append(data)


_KEYWORDS = frozenset({"@context", "@type", "@id"})


def _jsonld_texts(node: object) -> list[str]:
    """The texts JSON-LD holds: its values, less its context, types, ids and URLs."""
    if isinstance(node, dict):
        return [t for k, v in node.items() if k not in _KEYWORDS for t in _jsonld_texts(v)]
    if isinstance(node, list):
        return [t for item in node for t in _jsonld_texts(item)]
    if isinstance(node, str) and not node.startswith("http"):
        return [node]
    return []


def shown(name: str, text: str) -> str:
    """What a reader meets in the output ``name``."""
    if name.endswith(".jsonld"):
        return "\n".join(_jsonld_texts(json.loads(text)))
    if name.endswith(".html"):
        parser = _Shown()
        parser.feed(text)
        return "\n".join(parser.texts)
    return text


def _outputs_of(lang: str) -> list[str]:
    """The outputs in ``lang`` a reader meets: card, booklet, page, index, JSON-LD, snippet."""
    folder, slug = VERSIONS[lang]
    booklet = f"cards.{folder}pdf".replace("/", ".")
    return [
        f"cards/{folder}{slug}.pdf",
        booklet,
        f"html/{folder}{slug}/index.html",
        f"html/{folder}index.html",
        f"jsonld/{folder}{slug}.jsonld",
        f"jsonld/{folder}{slug}.snippet.html",
    ]


def english_left(words: dict[str, set[str]], text: str) -> dict[str, str]:
    """The labels of ``words`` whose English text ``text`` shows (as whole words, any case),
    each with the words it shows."""
    return {
        label: word
        for label, fragments in words.items()
        for word in sorted(fragments)
        if re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text, re.IGNORECASE)
    }


@pytest.mark.parametrize("lang", TRANSLATIONS)
def test_a_translation_shows_no_english_fixed_word(exported: Export, lang: str) -> None:
    words = english_words(lang)
    # Most labels differ from English, so the check has something to find.
    assert len(words) > 30
    # A word the author wrote is the seed's own, not a fixed word left in English: the
    # Portuguese prose says "ao mesmo tempo", and "Tempo" is also an English label.
    prose = (SQUAT / f"{VERSIONS[lang][1]}.{lang}.md").read_text("utf-8")
    words = {label: w for label, w in words.items() if not english_left({label: w}, prose)}
    for name in _outputs_of(lang):
        assert english_left(words, shown(name, exported.text(name))) == {}, name


def test_the_english_outputs_show_the_english_words_the_check_looks_for(
    exported: Export,
) -> None:
    words = english_words("de")
    for name in _outputs_of("en"):
        assert english_left(words, shown(name, exported.text(name))), name
    page = english_left(words, shown("page.html", exported.text("html/squat/index.html")))
    assert {"setup", "execution", "tips", "mistakes", "watch_on_youtube", "breadcrumb"} <= set(page)
    card = english_left(words, exported.text("cards/squat.pdf"))
    assert {"setup", "scan_for_video", "level_intermediate"} <= set(card)


@pytest.mark.parametrize("lang", TRANSLATIONS)
def test_a_translation_shows_its_own_fixed_words(exported: Export, lang: str) -> None:
    folder, slug = VERSIONS[lang]
    labels = labels_for(lang)
    card = exported.text(f"cards/{folder}{slug}.pdf")
    page = shown("page.html", exported.text(f"html/{folder}{slug}/index.html"))
    for section in ("setup", "execution", "tips", "mistakes"):
        assert labels[section].upper() in card  # cards set the headings in capitals
        assert labels[section] in page
    assert labels["scan_for_video"].split()[0] in card
    assert labels.text("watch_on_youtube") in page
    assert labels.count("steps", 4) in page
    assert labels.text("level_intermediate") in page


# --- the versions link one another -----------------------------------------------------------


def _alternates(page: str) -> dict[str, str]:
    return dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', page))


def _switcher(page: str, url: str) -> dict[str, str]:
    """The language switcher's links: language -> the URL each leads to."""
    (nav,) = re.findall(r'<nav class="languages".*?</nav>', page)
    return {
        lang: urljoin(url, href)
        for href, lang in re.findall(r'href="([^"]+)" hreflang="([^"]+)"', nav)
    }


@pytest.mark.parametrize("lang", VERSIONS)
def test_every_page_links_every_other_version_both_ways(exported: Export, lang: str) -> None:
    folder, slug = VERSIONS[lang]
    page = exported.text(f"html/{folder}{slug}/index.html")
    assert f'<html lang="{lang}">' in page
    assert f'<link rel="canonical" href="{URLS[lang]}">' in page
    # Each version, itself included, and x-default: the English original.
    assert _alternates(page) == {**URLS, "x-default": URLS["en"]}
    # The switcher a reader clicks leads to the three others, each in its own language.
    assert _switcher(page, URLS[lang]) == {k: v for k, v in URLS.items() if k != lang}


@pytest.mark.parametrize("lang", VERSIONS)
def test_every_index_links_the_other_languages_indexes(exported: Export, lang: str) -> None:
    indexes = {tag: f"{SITE}{folder}" for tag, (folder, _) in VERSIONS.items()}
    page = exported.text(f"html/{VERSIONS[lang][0]}index.html")
    assert _alternates(page) == {**indexes, "x-default": SITE}
    assert _switcher(page, indexes[lang]) == {k: v for k, v in indexes.items() if k != lang}


def _howto(text: str) -> dict[str, object]:
    graph = json.loads(text)["@graph"]
    return next(node for node in graph if node["@type"] == "HowTo")


def test_the_jsonld_links_the_original_and_its_translations(exported: Export) -> None:
    original = _howto(exported.text("jsonld/squat.jsonld"))
    assert original["inLanguage"] == "en"
    assert original["workTranslation"] == [{"@id": f"{URLS[t]}#howto"} for t in TRANSLATIONS]
    assert "translationOfWork" not in original
    for lang in TRANSLATIONS:
        folder, slug = VERSIONS[lang]
        howto = _howto(exported.text(f"jsonld/{folder}{slug}.jsonld"))
        assert (howto["@id"], howto["inLanguage"]) == (f"{URLS[lang]}#howto", lang)
        assert howto["translationOfWork"] == {"@id": f"{URLS['en']}#howto"}
        assert "workTranslation" not in howto


def test_pipeline_validate_passes_on_the_whole_export(exported: Export, runner: CliRunner) -> None:
    result = runner.invoke(app, ["validate", str(exported.out)])
    assert result.exit_code == 0, result.output
    # 8 pages (4 exercises, 4 indexes), 4 .jsonld, 4 snippets, and the sitemap.
    assert result.output.endswith("\n17 files validated: 0 problems\n")


# --- the catalogue ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("words", "lang", "found"),
    [
        ("Kniebeuge", "de", ("kniebeuge", "de")),
        ("kniebeuge langhantel", "de", ("kniebeuge", "de")),
        ("приседания", "ru", ("prisedanie", "ru")),
        ("ПРИСЕДАНИЯ штангой", "ru", ("prisedanie", "ru")),
        ("agachamento", "pt-BR", ("squat", "pt-BR")),
        ("squat", "en", ("squat", "en")),
    ],
)
def test_search_in_a_language_finds_its_version(
    exported: Export, runner: CliRunner, words: str, lang: str, found: tuple[str, str]
) -> None:
    args = ["search", *words.split(), "--lang", lang, "--db", str(exported.db), "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert [(hit["slug"], hit["lang"]) for hit in json.loads(result.output)] == [found]


@pytest.mark.parametrize("lang", VERSIONS)
def test_show_the_squat_in_a_language_shows_that_version(
    exported: Export, runner: CliRunner, lang: str
) -> None:
    args = ["show", "squat", "--lang", lang, "--db", str(exported.db), "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    assert (record["lang"], record["slug"], record["work"]) == (lang, VERSIONS[lang][1], "squat")
    # The others are named as its other languages.
    assert sorted(t["lang"] for t in record["translations"]) == sorted(set(VERSIONS) - {lang})


def test_show_in_text_names_the_german_version(exported: Export, runner: CliRunner) -> None:
    result = runner.invoke(app, ["show", "squat", "--lang", "de", "--db", str(exported.db)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Kniebeuge mit der Langhantel\n")
    assert "Slug: kniebeuge" in result.output
    assert "1. Ablage einstellen: Legen Sie die Stange" in result.output
