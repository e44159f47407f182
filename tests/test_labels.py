"""Labels: every fixed word of a card, a page, the index and the JSON-LD is in the seed's
language, from a complete catalogue per shipped language, with CLDR's plural forms, the
labels setting's words first, and a note (a failure under --strict) when a language has none.
"""

from __future__ import annotations

import html
import io
import json
import re
import shutil
import urllib.parse
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from pipeline.cards import render_card
from pipeline.cards.fonts import card_fonts
from pipeline.cards.story import heading_text
from pipeline.cli import app
from pipeline.config import Settings, SettingsError, load_settings
from pipeline.diagnostics import Level
from pipeline.engine import export
from pipeline.i18n import SHIPPED
from pipeline.i18n.labels import (
    counted_names,
    fill,
    label_names,
    labels_for,
    missing_labels,
    placeholders,
    plural_categories,
    shipped,
)
from pipeline.model import SectionKind
from pipeline.pages.render import index_page
from pipeline.parser import parse_seed
from tests.conftest import exercise_of

FIXTURES = Path(__file__).parent / "fixtures" / "labels"
GERMAN = FIXTURES / "kniebeuge.md"
RUSSIAN = FIXTURES / "prisedanie.md"
CARDS = Path(__file__).parent / "fixtures" / "cards"
BASE_URL = "https://gym.example.com/exercises/"
TRANSLATED = [tag for tag in SHIPPED if tag != "en"]


def _forms(value: str | dict[str, str]) -> list[str]:
    return list(value.values()) if isinstance(value, dict) else [value]


# The catalogues


@pytest.mark.parametrize("tag", TRANSLATED)
def test_every_catalogue_has_exactly_the_english_labels(tag: str) -> None:
    catalogue, english = shipped(tag), shipped("en")
    assert list(catalogue) == list(english)  # the same labels, in the same order
    for name in english:
        assert isinstance(catalogue[name], dict) == (name in counted_names()), name


# The labels a language writes as English does: the same word, not one left untranslated;
# the units s and min and the word tempo are international, and so are some muscles' names
# (biceps, triceps, quadriceps; hamstrings in Dutch, obliques in French).
SAME_AS_ENGLISH = {
    "de": {"rest_minutes", "rest_seconds", "station", "tempo", "video_title"},
    "fr": {
        "expert",
        "level_expert",
        "log_date",
        "muscle_biceps",
        "muscle_obliques",
        "muscle_quadriceps",
        "muscle_triceps",
        "muscles",
        "rest_minutes",
        "rest_seconds",
        "tempo",
    },
    "it": {"rest_minutes", "rest_seconds", "tempo", "video", "video_title"},
    "nl": {
        "beginner",
        "expert",
        "level_beginner",
        "level_expert",
        "log_set",
        "muscle_biceps",
        "muscle_hamstrings",
        "muscle_quadriceps",
        "muscle_triceps",
        "rest_minutes",
        "rest_seconds",
        "sets",
        "station",
        "tempo",
        "tips",
        "video",
        "video_title",
    },
    "sv": {
        "log_set",
        "muscle_biceps",
        "muscle_triceps",
        "rest_minutes",
        "rest_seconds",
        "station",
        "tempo",
        "tips",
        "video",
        "video_title",
    },
    "da": {
        "muscle_biceps",
        "muscle_triceps",
        "rest_minutes",
        "rest_seconds",
        "station",
        "tempo",
        "tips",
        "video",
        "video_title",
    },
    "nb": {
        "muscle_biceps",
        "muscle_triceps",
        "rest_minutes",
        "rest_seconds",
        "tempo",
        "tips",
        "video",
        "video_title",
    },
    "fi": {"rest_minutes", "rest_seconds", "tempo", "video", "video_title"},
    "cs": {
        "credit_license",
        "muscle_biceps",
        "muscle_triceps",
        "rest_minutes",
        "rest_seconds",
        "tempo",
        "video",
        "video_title",
    },
    "tr": {"log_set", "tempo", "video", "video_title"},
    "es": {"rest_minutes", "rest_seconds", "tempo"},
    "pl": {"muscle_biceps", "muscle_triceps", "rest_minutes", "rest_seconds", "tempo"},
    "pt": {"rest_minutes", "rest_seconds"},
}


@pytest.mark.parametrize("tag", TRANSLATED)
def test_no_label_is_left_in_english(tag: str) -> None:
    english = shipped("en")
    same = {name for name, value in shipped(tag).items() if value == english[name]}
    assert same == SAME_AS_ENGLISH.get(tag, set())


@pytest.mark.parametrize("tag", SHIPPED)
def test_every_label_has_the_placeholders_of_the_english_one_and_no_blank(tag: str) -> None:
    for name, value in shipped(tag).items():
        english = placeholders(_forms(shipped("en")[name])[0])
        for text in _forms(value):
            assert text.strip() == text and text, (tag, name)
            assert placeholders(text) == english, (tag, name, text)


@pytest.mark.parametrize("tag", SHIPPED)
def test_a_counted_label_has_a_form_for_each_plural_category_the_language_has(tag: str) -> None:
    needed = plural_categories(tag)
    assert "other" in needed
    for name in counted_names():
        value = shipped(tag)[name]
        assert isinstance(value, dict)
        assert set(value) == needed, (tag, name)


@pytest.mark.parametrize("tag", SHIPPED)
def test_a_section_heading_as_printed_is_one_the_parser_reads_in_that_language(tag: str) -> None:
    from pipeline.i18n.headings import section_kind

    labels = labels_for(tag)
    for kind in (SectionKind.SETUP, SectionKind.EXECUTION, SectionKind.TIPS, SectionKind.MISTAKES):
        assert section_kind(labels[kind.value], tag) is kind, (tag, kind)


def test_plural_categories_are_cldrs() -> None:
    assert plural_categories("en") == {"one", "other"}
    assert plural_categories("ru") == {"one", "few", "many", "other"}
    assert plural_categories("de-AT") == {"one", "other"}


@pytest.mark.parametrize(
    ("tag", "counts"),
    [
        ("en", {1: "1 step", 2: "2 steps", 0: "0 steps"}),
        ("de", {1: "1 Schritt", 3: "3 Schritte"}),
        (
            "ru",
            {1: "1 шаг", 3: "3 шага", 5: "5 шагов", 11: "11 шагов", 21: "21 шаг", 22: "22 шага"},
        ),
        ("uk", {1: "1 крок", 4: "4 кроки", 12: "12 кроків", 31: "31 крок"}),
        ("pl", {1: "1 krok", 2: "2 kroki", 5: "5 kroków", 22: "22 kroki", 25: "25 kroków"}),
        ("cs", {1: "1 krok", 3: "3 kroky", 5: "5 kroků"}),
        ("fi", {1: "1 vaihe", 2: "2 vaihetta"}),
        ("tr", {1: "1 adım", 7: "7 adım"}),  # noqa: RUF001
        ("fr", {0: "0 étape", 1: "1 étape", 2: "2 étapes"}),
    ],
)
def test_step_counts_take_the_languages_plural_form(tag: str, counts: dict[int, str]) -> None:
    labels = labels_for(tag)
    assert {n: labels.count("steps", n) for n in counts} == counts


def test_a_language_is_looked_up_along_its_fallback_chain() -> None:
    austrian = labels_for("de-AT")
    assert (austrian["tips"], austrian.count("steps", 2)) == ("Tipps", "2 Schritte")
    override = {"de": {"tips": "Trainer-Tipps"}, "de-AT": {"mistakes": "Typische Fehler"}}
    austrian = labels_for("de-AT", override)
    assert (austrian["tips"], austrian["mistakes"]) == ("Trainer-Tipps", "Typische Fehler")
    assert austrian["setup"] == "Vorbereitung"
    assert labels_for("de", override)["mistakes"] == "Häufige Fehler"  # de-AT's is its own
    assert missing_labels("de-AT") == ()


def test_a_language_without_labels_falls_back_to_english_with_englishs_plurals() -> None:
    irish = labels_for("ga")  # Irish has five plural categories; English has two
    assert (irish["tips"], irish.count("steps", 2), irish.count("steps", 1)) == (
        "Tips",
        "2 steps",
        "1 step",
    )
    assert missing_labels("ga") == label_names()
    assert missing_labels("ga", {"ga": {"tips": "Leideanna"}}) == tuple(
        name for name in label_names() if name != "tips"
    )
    assert labels_for("ga", {"ga": {"tips": "Leideanna"}})["tips"] == "Leideanna"
    assert all(missing_labels(tag) == () for tag in SHIPPED)


def test_labels_are_resolved_once_and_looked_up_cheaply() -> None:
    overrides = {"de": {"tips": "Trainer-Tipps"}}
    assert labels_for("de", overrides) is labels_for("de", {"de": {"tips": "Trainer-Tipps"}})
    assert labels_for("de") is labels_for("de")
    assert fill("Video: {title} {unknown}", title="Kniebeuge") == "Video: Kniebeuge {unknown}"


def test_card_headings_are_capitals_the_language_writes() -> None:
    from pipeline.model import Section, Source

    source = Source(path="x.md", line=1)
    tips = Section(kind=SectionKind.TIPS, heading="Tips", items=(), source=source)
    notes = Section(kind=SectionKind.OTHER, heading="Notlar için", items=(), source=source)
    georgian = Section(kind=SectionKind.OTHER, heading="შენიშვნები", items=(), source=source)
    turkish = labels_for("tr")
    bold = card_fonts().bold
    assert heading_text(tips, turkish, bold) == "İPUÇLARI"
    assert heading_text(notes, turkish, bold) == "NOTLAR İÇİN"  # a dotted capital İ
    assert heading_text(tips, labels_for("de"), bold) == "TIPPS"
    # Georgian's capitals (Mtavruli) are not in the card font: its everyday letters stay.
    assert heading_text(georgian, labels_for("ka"), bold) == "შენიშვნები"


# The outputs


class _Visible(HTMLParser):
    """The text a reader of a page sees or hears: its text outside scripts and styles, and
    the attributes read out or shown (alt, title, aria-label, a meta description)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.hidden += 1
        values = dict(attrs)
        self.parts += [values[a] or "" for a in ("alt", "title", "aria-label") if a in values]
        if tag == "meta" and values.get("name") == "description":
            self.parts.append(values.get("content") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def _page_text(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def _strings(node: object) -> Iterator[str]:
    """Every text value of a JSON-LD document a reader could be shown: not its keywords
    (@type, @id) nor its URLs."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key not in ("@context", "@type", "@id"):
                yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)
    elif isinstance(node, str) and not node.startswith("https://"):
        yield node


def _pdf_text(path: Path) -> str:
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    pages = " ".join(page.extract_text() or "" for page in reader.pages)
    metadata: dict[str, object] = dict(reader.metadata or {})
    keywords, subject = metadata.get("/Keywords", ""), metadata.get("/Subject", "")
    return " ".join(f"{pages} {keywords} {subject}".split())


def _english_words(tag: str) -> list[str]:
    """The words of the English labels that the language's own labels do not use: none of
    them may show in an output in that language."""
    english = shipped("en")
    own = " ".join(
        text
        for name, value in shipped(tag).items()
        if value != english[name] or name in SAME_AS_ENGLISH.get(tag, ())
        for text in _forms(value)
    ).casefold()
    words = set()
    for value in shipped("en").values():
        for text in _forms(value):
            for fragment in re.split(r"\{[a-z_]+\}", text):
                fragment = fragment.strip(" .:,")
                if re.search("[A-Za-z]{2}", fragment) and fragment.casefold() not in own:
                    words.add(fragment)
    return sorted(words)


def _seed_in(tag: str, folder: Path, *, translated_to: str | None = None) -> Path:
    """The German fixture for German, else the Russian one written as in ``tag``; with
    ``translated_to``, beside a version of it in that language (same slug)."""
    source = GERMAN if tag == "de" else RUSSIAN
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / source.name
    text = source.read_text("utf-8")
    target.write_text(re.sub(r"(?m)^lang: .*$", f"lang: {tag}", text), "utf-8")
    if translated_to:
        version = folder / f"{source.stem}.{translated_to}.md"
        version.write_text(re.sub(r"(?m)^lang: .*$", f"lang: {translated_to}", text), "utf-8")
    return target


def _outputs(out: Path, slug: str) -> dict[str, str]:
    """What a reader of each output of one seed sees, by output."""
    document = json.loads((out / "jsonld" / f"{slug}.jsonld").read_text("utf-8"))
    snippet = (out / "jsonld" / f"{slug}.snippet.html").read_text("utf-8")
    script = snippet.removeprefix('<script type="application/ld+json">').rsplit("</script>")[0]
    return {
        "card": _pdf_text(out / "cards" / f"{slug}.pdf"),
        "booklet": _pdf_text(out / "cards.pdf"),
        "page": _page_text((out / "html" / slug / "index.html").read_text("utf-8")),
        "index": _page_text((out / "html" / "index.html").read_text("utf-8")),
        "jsonld": " ".join(_strings(document)),
        "snippet": " ".join(_strings(json.loads(script))),
    }


@pytest.mark.parametrize("tag", TRANSLATED)
def test_no_english_fixed_word_is_left_in_any_output_of_a_seed_in_another_language(
    tag: str, tmp_path: Path
) -> None:
    # With an English version beside it, so the pages' language switchers are there too.
    seed = _seed_in(tag, tmp_path / "seeds", translated_to="en")
    settings = Settings(base_url=BASE_URL, default_lang=tag)
    report = export([seed.parent], tmp_path / "out", settings, ["jsonld", "html", "pdf"])
    assert report.errors == 0 and report.warnings == 0, report.diagnostics
    slug = seed.stem
    outputs = _outputs(tmp_path / "out", slug)
    english = _english_words(tag)
    assert len(english) > 20
    for name, text in outputs.items():
        for words in english:
            assert not re.search(rf"(?i)(?<!\w){re.escape(words)}(?!\w)", text), (name, words)
    labels = labels_for(tag)
    for name in ("tips", "mistakes", "setup", "execution"):  # the headings are there
        assert labels[name].upper() in outputs["card"].upper()
        assert labels[name] in outputs["page"]
    assert labels.count("steps", 5) in outputs["page"]
    assert labels["mistakes"] in outputs["jsonld"]  # the unlabelled mistake's name
    assert labels["exercises"] in outputs["jsonld"]  # the breadcrumb
    assert labels["brand"] in outputs["index"]
    assert labels["also_in"] in outputs["page"]
    assert labels["other_languages"] in outputs["index"]
    page = (tmp_path / "out" / "html" / "index.html").read_text("utf-8")
    assert f'<html lang="{tag}">' in page
    assert '<a href="en/" hreflang="en" lang="en">English</a>' in page


def test_a_russian_card_and_page_say_it_in_russian(tmp_path: Path) -> None:
    seed = _seed_in("ru", tmp_path / "seeds")
    settings = Settings(base_url=BASE_URL, default_lang="ru")
    export([seed.parent], tmp_path / "out", settings, ["html", "pdf"])
    outputs = _outputs_without_jsonld(tmp_path / "out", seed.stem)
    for words in ("ПОДГОТОВКА", "ВЫПОЛНЕНИЕ", "СОВЕТЫ", "ЧАСТЫЕ ОШИБКИ", "Начальный"):
        assert words in outputs["card"]
    assert "Отсканируйте, чтобы посмотреть видео" in outputs["card"].replace("\n", " ")
    for words in ("Как выполнять", "5 шагов", "Другие названия: Присед", "Смотреть на YouTube"):
        assert words in outputs["page"]
    # Cyrillic only, but for the seed's own Latin (its slug, a URL) and the name YouTube.
    text = re.sub(r"youtu\.be/\S+", "", outputs["card"] + " " + outputs["page"])
    assert set(re.findall(r"[A-Za-z]{2,}", text)) == {"prisedanie", "YouTube"}


@pytest.mark.parametrize(
    ("name", "head", "foot"),
    [
        ("long-de", "(Fortsetzung)", "· Fortsetzung folgt"),
        ("long-ru", "(продолжение)", "· продолжение на следующей странице"),
    ],
)
def test_a_card_that_flows_on_says_so_in_its_language(name: str, head: str, foot: str) -> None:
    card = render_card(exercise_of(CARDS / f"{name}.md"), Settings())
    assert card.pages == 2
    text = " ".join(_pdf_text_of(card.pdf).split())
    assert head in text and f"1 / 2 {foot}" in text and "continued" not in text


def _pdf_text_of(pdf: bytes) -> str:
    return " ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)


def _outputs_without_jsonld(out: Path, slug: str) -> dict[str, str]:
    return {
        "card": _pdf_text(out / "cards" / f"{slug}.pdf"),
        "page": _page_text((out / "html" / slug / "index.html").read_text("utf-8")),
    }


def test_the_index_is_in_the_language_it_is_given() -> None:
    page = index_page([], BASE_URL, "", lang="de")
    assert '<html lang="de">' in page
    assert "<title>Übungen</title>" in page and "0 Schritt-für-Schritt-Anleitungen." in page
    overridden = index_page([], BASE_URL, "", lang="de", overrides={"de": {"exercises": "Kurse"}})
    assert "<h1>Kurse</h1>" in overridden


# The language switchers


TRANSLATIONS = Path(__file__).parent / "fixtures" / "translations"
CURL = "leverage-machine-lying-leg-curl"
# The fixture's versions: each one's page, its language's index page, and its name in itself.
VERSIONS = {
    "en": (f"{BASE_URL}{CURL}/", BASE_URL, "English"),
    "de": (f"{BASE_URL}de/{CURL}/", f"{BASE_URL}de/", "Deutsch"),
    "pt-BR": (f"{BASE_URL}pt-br/{CURL}/", f"{BASE_URL}pt-br/", "Português (Brasil)"),
    "ru": (f"{BASE_URL}ru/sgibanie-nog-lyozha/", f"{BASE_URL}ru/", "Русский"),
}
_SWITCHER = re.compile(
    r'<nav class="languages" aria-labelledby="languages"><span id="languages">([^<]*)</span>'
    r"<ul>(.*?)</ul></nav>"
)
_LINK = re.compile(r'<li><a href="([^"]*)" hreflang="([^"]*)" lang="([^"]*)">([^<]*)</a></li>')


def _switcher(page: str, url: str) -> tuple[str, dict[str, tuple[str, str]]] | None:
    """A page's language switcher, if it has one: its label, and each link's language with
    the URL the link reaches from the page at ``url`` and the name it shows."""
    found = _SWITCHER.findall(page)
    if not found:
        return None
    ((label, links),) = found
    reached = {}
    for href, hreflang, lang, name in _LINK.findall(links):
        assert hreflang == lang and not href.startswith("https:"), href  # relative
        reached[lang] = (urllib.parse.urljoin(url, href), html.unescape(name))
    return html.unescape(label), reached


def _out_path(out: Path, url: str) -> Path:
    return out / "html" / url.removeprefix(BASE_URL) / "index.html"


def test_each_page_lists_its_other_versions_in_its_readers_words(tmp_path: Path) -> None:
    out = tmp_path / "out"
    report = export([TRANSLATIONS], out, Settings(base_url=BASE_URL), ["html"])
    assert report.errors == 0, report.diagnostics
    for lang, (url, _, _) in VERSIONS.items():
        switcher = _switcher(_out_path(out, url).read_text("utf-8"), url)
        others = {o: (page, name) for o, (page, _, name) in VERSIONS.items() if o != lang}
        assert switcher == (labels_for(lang)["also_in"], others), lang
    german = _page_text(_out_path(out, VERSIONS["de"][0]).read_text("utf-8"))
    assert "Auch auf English Português (Brasil) Русский" in german
    russian = _page_text(_out_path(out, VERSIONS["ru"][0]).read_text("utf-8"))
    assert "На других языках Deutsch English Português (Brasil)" in russian  # noqa: RUF001


def test_each_index_links_the_other_languages_indexes_in_its_language(tmp_path: Path) -> None:
    out = tmp_path / "out"
    export([TRANSLATIONS], out, Settings(base_url=BASE_URL), ["html"])
    for lang, (_, index, _) in VERSIONS.items():
        page = _out_path(out, index).read_text("utf-8")
        assert f'<html lang="{lang}">' in page
        labels = labels_for(lang)
        assert f"<title>{labels['exercises']}</title>" in page
        assert f"{labels.count('guides', 1)}." in page
        others = {o: (url, name) for o, (_, url, name) in VERSIONS.items() if o != lang}
        assert _switcher(page, index) == (labels["other_languages"], others), lang
        # The indexes name one another as alternates, each itself included, as pages do.
        alternates = dict(
            re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', page)
        )
        assert alternates == {
            **{o: url for o, (_, url, _) in VERSIONS.items()},
            "x-default": BASE_URL,
        }


def test_an_index_with_nothing_on_it_is_not_linked_but_links_to_the_others(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    export([GERMAN], out, Settings(base_url=BASE_URL), ["html"])
    german = (out / "html" / "de" / "index.html").read_text("utf-8")
    assert _switcher(german, f"{BASE_URL}de/") is None
    assert 'rel="alternate"' not in german
    # The page at base_url, in English and empty, points the way to the German one.
    empty = (out / "html" / "index.html").read_text("utf-8")
    assert _switcher(empty, BASE_URL) == (
        "Other languages",
        {"de": (f"{BASE_URL}de/", "Deutsch")},
    )
    page = (out / "html" / "de" / GERMAN.stem / "index.html").read_text("utf-8")
    assert _switcher(page, f"{BASE_URL}de/{GERMAN.stem}/") is None


def test_a_switcher_takes_the_labels_setting_and_the_url_pattern(tmp_path: Path) -> None:
    out = tmp_path / "out"
    settings = Settings(
        base_url=BASE_URL,
        url_pattern="{base_url}{lang}/{slug}.html",
        labels={"de": {"also_in": "Diese Übung gibt es auch auf"}},
    )
    export([TRANSLATIONS], out, settings, ["html"])
    page = (out / "html" / "de" / f"{CURL}.html").read_text("utf-8")
    switcher = _switcher(page, f"{BASE_URL}de/{CURL}.html")
    assert switcher is not None
    label, links = switcher
    assert label == "Diese Übung gibt es auch auf"
    assert links["en"] == (f"{BASE_URL}en/{CURL}.html", "English")
    assert links["ru"] == (f"{BASE_URL}ru/sgibanie-nog-lyozha.html", "Русский")


# The labels setting


OVERRIDE = """
[tool.pipeline]
base_url = "https://gym.example.com/exercises/"
default_lang = "de"

[tool.pipeline.labels.de]
tips = "Trainer-Tipp"
mistakes = "Das lieber nicht"
steps = { one = "{count} Übungsschritt", other = "{count} Übungsschritte" }
"""


def test_an_override_in_pyproject_reaches_the_card_the_page_and_the_json_ld(
    tmp_path: Path,
) -> None:
    (tmp_path / "pyproject.toml").write_text(OVERRIDE, "utf-8")
    shutil.copy(GERMAN, tmp_path / GERMAN.name)
    settings = load_settings(tmp_path)
    assert settings.labels["de"]["tips"] == "Trainer-Tipp"
    out = tmp_path / "out"
    export([tmp_path / GERMAN.name], out, settings, ["jsonld", "html", "pdf"])
    outputs = _outputs(out, GERMAN.stem)
    assert "TRAINER-TIPP" in outputs["card"] and "DAS LIEBER NICHT" in outputs["card"]
    assert "Trainer-Tipp" in outputs["page"] and "5 Übungsschritte" in outputs["page"]
    assert "Tipps" not in outputs["card"] + outputs["page"]
    document = json.loads((out / "jsonld" / f"{GERMAN.stem}.jsonld").read_text("utf-8"))
    names = [node.get("name") for node in _nodes(document) if node.get("@type") == "HowToTip"]
    assert "Das lieber nicht" in names  # the unlabelled mistake
    assert "Das lieber nicht" in outputs["snippet"]
    assert "Vorbereitung" in outputs["page"]  # what the override leaves alone stays German


def _nodes(node: object) -> Iterator[dict[str, object]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _nodes(value)
    elif isinstance(node, list):
        for value in node:
            yield from _nodes(value)


def test_changing_a_label_rebuilds_the_outputs_that_show_it(tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = Settings(
        base_url=BASE_URL,
        default_lang="de",
        labels={"de": {"tips": "Trainer-Tipp", "mistakes": "Nein"}},
    )
    export([GERMAN], out, first)
    again = export([GERMAN], out, first)
    assert again.written == []
    changed = Settings(
        base_url=BASE_URL,
        default_lang="de",
        labels={"de": {"tips": "Profi-Tipp", "mistakes": "Nee"}},
    )
    report = export([GERMAN], out, changed)
    slug = GERMAN.stem
    for path in (f"cards/{slug}.pdf", f"html/{slug}/index.html", f"jsonld/{slug}.jsonld"):
        assert path in report.written
    assert "PROFI-TIPP" in _pdf_text(out / "cards" / f"{slug}.pdf")


def test_the_setting_takes_tags_as_bcp_47_writes_them() -> None:
    settings = Settings(labels={"DE-at": {"tips": "Tipps!"}, "pt-br": {"tips": "Dicas!"}})
    assert set(settings.labels) == {"de-AT", "pt-BR"}
    assert labels_for("de-AT", settings.labels)["tips"] == "Tipps!"


@pytest.mark.parametrize(
    ("labels", "message"),
    [
        (
            '[labels.de]\ntipps = "Trainer-Tipp"',
            "pipeline.toml: labels: de.tipps is not a label; did you mean 'tips'?",
        ),
        (
            '[labels.de]\nzzz = "x"',
            "pipeline.toml: labels: de.zzz is not a label; the labels: setup, execution, tips,",
        ),
        (
            '[labels.ger]\ntips = "Tipps"',
            "pipeline.toml: labels: 'ger' is not how BCP 47 writes the language; "
            "did you mean 'de'?",
        ),
        (
            '[labels.ru]\nsteps = { one = "{count} шаг", other = "{count} шага" }',
            "pipeline.toml: labels: ru.steps: Russian needs the plural forms one, few, many, "
            "other; few, many are missing",
        ),
        (
            '[labels.de]\nsteps = "{count} Schritte"',
            "pipeline.toml: labels: de.steps holds a number, so it needs a form for each "
            "plural category German has (one, other)",
        ),
        (
            '[labels.de]\nsteps = { one = "1", few = "2", other = "3" }',
            "pipeline.toml: labels: de.steps.few: German has no such form (it has one, other)",
        ),
        (
            '[labels.de]\nupdated = "Stand: {datum}"',
            "pipeline.toml: labels: de.updated: {datum} is not a placeholder of this label "
            "(it has {date})",
        ),
        ("[labels.de]\ntips = 3", "pipeline.toml: labels: de.tips: 3 is not text"),
        ('labels = "de"', "pipeline.toml: labels: must be a table of languages"),
    ],
)
def test_a_bad_label_setting_is_named_with_what_to_write(
    tmp_path: Path, labels: str, message: str
) -> None:
    (tmp_path / "pipeline.toml").write_text(labels + "\n", "utf-8")
    with pytest.raises(SettingsError) as raised:
        load_settings(tmp_path)
    assert str(raised.value).startswith(
        message.replace("pipeline.toml", str(tmp_path / "pipeline.toml"))
    )


# Seeds whose language has no labels


IRISH = GERMAN.read_text("utf-8").replace("lang: de", "lang: ga")


def test_a_seed_in_a_language_without_labels_is_a_note_and_a_failure_under_strict(
    tmp_path: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "cliabh.md").write_text(IRISH, "utf-8")
    line = IRISH.splitlines().index("lang: ga") + 1
    said = (
        f"seeds/cliabh.md:{line}: note: no labels ship for Irish ('ga'): its card, page and "
        "JSON-LD show their headings and other fixed words in English; give them in the "
        "labels setting ([tool.pipeline.labels.ga] in pyproject.toml)"
    )
    relaxed = runner.invoke(app, ["check", "seeds"])
    assert relaxed.exit_code == 0 and said in relaxed.output
    strict = runner.invoke(app, ["check", "seeds", "--strict"])
    assert strict.exit_code == 1
    assert said.replace(": note:", ": warning:") in strict.output
    (tmp_path / "pipeline.toml").write_text('[labels.ga]\ntips = "Leideanna"\n', "utf-8")
    partly = runner.invoke(app, ["check", "seeds", "--strict"])
    assert partly.exit_code == 1
    assert "no Irish ('ga') label for setup, execution, mistakes, howto," in partly.output


def test_a_seed_whose_language_falls_back_to_a_shipped_one_is_not_reported(
    tmp_path: Path,
) -> None:
    seed = tmp_path / "kniebeuge.md"
    seed.write_text(GERMAN.read_text("utf-8").replace("lang: de", "lang: de-AT"), "utf-8")
    result = parse_seed(seed, strict=True)
    assert result.exercise is not None and result.diagnostics == []


def test_the_note_is_said_once_for_every_seed_in_that_language(tmp_path: Path) -> None:
    for name in ("a", "b", "c"):
        (tmp_path / f"{name}.md").write_text(IRISH.replace("title:", f"slug: {name}\ntitle:"))
    report = export([tmp_path], tmp_path / "out", Settings(base_url=BASE_URL), ["json"])
    notes = [d for d in report.diagnostics if "no labels ship for Irish" in d.message]
    assert [d.level for d in notes] == [Level.NOTE] * 3
    assert len({d.message for d in notes}) == 1
    irish = {
        name: value if isinstance(value, str) else dict.fromkeys(plural_categories("ga"), "{count}")
        for name, value in shipped("en").items()
    }
    with_labels = Settings(base_url=BASE_URL, labels={"ga": irish})
    report = export([tmp_path], tmp_path / "out", with_labels, ["json"])
    assert not [d for d in report.diagnostics if "Irish" in d.message]
