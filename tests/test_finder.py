"""The index page's finder, used as a reader uses it, in headless Chromium: typing filters the
list, a filter narrows it, Clear brings it all back, a link keeps what was chosen, and without
scripts the page is the plain list. The page logs no console error throughout."""

from __future__ import annotations

import contextlib
import json
import re
import unicodedata
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from typing import Any

import pytest

from bench.corpus import build_corpus
from pipeline.config import Settings
from pipeline.engine import export
from pipeline.i18n.labels import labels_for
from pipeline.pages.finder import FINDER_SCRIPT, facets, finder_data
from pipeline.pages.render import LINKS_SCRIPT, _script_hash
from tests.conftest import served
from tests.test_browser import _chromium

playwright_api = pytest.importorskip("playwright.sync_api")

PAGE = 60  # finder.js shows this many matches, then a button for more


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A corpus from free-exercise-db in English, German and Russian, exported and served;
    the base URL and the html folder."""
    work = tmp_path_factory.mktemp("finder")
    build_corpus(360, work / "seeds", random_seed=3, languages=("en", "de", "ru"))
    with served(work / "out" / "html") as base:
        report = export([work / "seeds"], work / "out", Settings(base_url=base), ["html"])
        assert report.errors == 0, report.diagnostics
        yield base, work / "out" / "html"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    chromium = _chromium()
    with playwright_api.sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        yield launched
        launched.close()


@contextlib.contextmanager
def opened(browser: Any, url: str, *, scripts: bool = True) -> Iterator[Any]:
    """The page at ``url``, its finder ready (with scripts); on leaving, no console message
    of error or warning and no uncaught exception may have been logged."""
    context = browser.new_context(java_script_enabled=scripts)
    page = context.new_page()
    problems: list[str] = []
    page.on(
        "console",
        lambda message: (
            problems.append(message.text) if message.type in ("error", "warning") else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    try:
        page.goto(url)
        if scripts:
            page.wait_for_selector("form.finder:not([hidden])")
        yield page
        assert problems == []
    finally:
        context.close()


_CARD = re.compile(r'<li><h2><a href="[^"]*">([^<]*)</a></h2><p>([^<]*)</p>')


def data_of(html: Path) -> dict[str, Any]:
    """The finder's data in ``html``, each item with what the list shows of it in front:
    ``[title, description, level, category, muscles, equipment, other names]``."""
    data: dict[str, Any] = json.loads((html / "index.json").read_text("utf-8"))
    cards = _CARD.findall((html / "index.html").read_text("utf-8"))
    assert len(cards) == len(data["items"])
    data["items"] = [
        [unescape(title), unescape(description), *item]
        for (title, description), item in zip(cards, data["items"], strict=True)
    ]
    return data


def fold(text: str) -> str:
    return "".join(
        c for c in unicodedata.normalize("NFD", text) if not 0x300 <= ord(c) <= 0x36F
    ).lower()


def expected(data: dict[str, Any], query: str = "", **chosen: int) -> list[int]:
    """What the finder must show, as positions in the list: those whose names (title, other
    names) have every word first, then those with them in the description, muscles,
    equipment or category."""
    words = fold(query).split()
    facet = data["facets"]
    first, then = [], []
    for number, item in enumerate(data["items"]):
        title, description, level, category, muscles, equipment, aliases = item
        facts = {"level": [level], "category": [category], "muscle": muscles}
        facts["equipment"] = equipment
        if any(value not in facts[name] for name, value in chosen.items()):
            continue
        names = fold(f"{title} {aliases}")
        about = [description, *(facet["muscle"][m] for m in muscles)]
        about += [facet["equipment"][e] for e in equipment]
        about += [facet["category"][category]] if category >= 0 else []
        if all(w in names for w in words):
            first.append(number)
        elif all(w in f"{names} {fold(' '.join(about))}" for w in words):
            then.append(number)
    return first + then


def shown(page: Any) -> list[str]:
    """The titles the list shows, in order."""
    titles: list[str] = page.locator("#exercises > li h2").all_text_contents()
    return titles


def finds(page: Any, titles: list[str], want: list[int], lang: str = "en") -> None:
    """Wait until the finder says it found ``want`` (positions in the list), then check that
    the list shows the first page of them, in that order."""
    settle(page, labels_for(lang).count("matches", len(want)))
    assert shown(page) == [titles[n] for n in want[:PAGE]]


def settle(page: Any, text: str) -> None:
    """Wait until the finder's status says ``text``."""
    page.wait_for_function(
        "t => document.querySelector('.finder-status').textContent === t", arg=text
    )


def test_typing_a_word_shows_the_exercises_that_have_it_titles_first(
    site: tuple[str, Path], browser: Any
) -> None:
    base, html = site
    data = data_of(html)
    titles = [item[0] for item in data["items"]]
    want = expected(data, "hamstring")
    assert 1 <= len(want) < len(titles)
    # Some match by their description only, and come after those that match by title.
    assert any("hamstring" not in fold(titles[n]) for n in want)
    with opened(browser, base) as page:
        assert len(shown(page)) == len(titles)
        page.fill("#finder-q", "Hamstring")
        finds(page, titles, want)
        assert page.url == f"{base}?q=Hamstring"


def test_a_filter_narrows_the_list_and_another_narrows_it_more(
    site: tuple[str, Path], browser: Any
) -> None:
    base, html = site
    data = data_of(html)
    titles = [item[0] for item in data["items"]]
    muscle = data["facets"]["muscle"].index("abdominals")
    level = data["facets"]["level"].index("beginner")
    by_muscle = expected(data, muscle=muscle)
    both = expected(data, muscle=muscle, level=level)
    assert len(titles) > len(by_muscle) > len(both) > 0
    with opened(browser, base) as page:
        page.select_option("#finder-muscle", str(muscle))
        finds(page, titles, by_muscle)
        page.select_option("#finder-level", str(level))
        finds(page, titles, both)
        assert page.url == f"{base}?muscle={muscle}&level={level}"


def test_clear_brings_back_the_whole_list_in_its_order(
    site: tuple[str, Path], browser: Any
) -> None:
    base, html = site
    titles = [item[0] for item in data_of(html)["items"]]
    with opened(browser, base) as page:
        page.fill("#finder-q", "curl")
        page.wait_for_function("document.querySelector('.finder-status').textContent !== ''")
        assert len(shown(page)) < len(titles)
        page.click("form.finder button[type=reset]")
        settle(page, "")
        # The whole list again, a page at a time now, in its order.
        assert len(titles) > PAGE
        assert shown(page) == titles[:PAGE]
        page.click(".finder-more")
        page.wait_for_function(f"document.querySelectorAll('#exercises > li').length > {PAGE}")
        assert shown(page) == titles[: 2 * PAGE]
        assert page.input_value("#finder-q") == ""
        assert page.url == base


def test_past_a_page_of_matches_a_button_shows_more_and_none_says_so(
    site: tuple[str, Path], browser: Any
) -> None:
    base, html = site
    data = data_of(html)
    titles = [item[0] for item in data["items"]]
    category = data["facets"]["category"].index("strength")
    many = expected(data, category=category)
    assert len(many) > PAGE
    with opened(browser, base) as page:
        page.select_option("#finder-category", str(category))
        settle(page, labels_for("en").count("matches", len(many)))
        assert len(shown(page)) == PAGE
        page.click(".finder-more")
        page.wait_for_function(f"document.querySelectorAll('#exercises > li').length > {PAGE}")
        assert shown(page) == [titles[n] for n in many[: 2 * PAGE]]
        assert page.is_visible(".finder-more") == (len(many) > 2 * PAGE)
        assert not page.is_visible(".finder-empty")
        page.fill("#finder-q", "zzzz no such exercise")
        settle(page, labels_for("en").count("matches", 0))
        assert shown(page) == []
        assert page.is_visible(".finder-empty")
        assert not page.is_visible(".finder-more")


def test_a_link_with_a_search_opens_the_index_filtered(
    site: tuple[str, Path], browser: Any
) -> None:
    base, html = site
    data = data_of(html)
    titles = [item[0] for item in data["items"]]
    level = next(data["items"][n][2] for n in expected(data, "curl") if data["items"][n][2] >= 0)
    want = expected(data, "curl", level=level)
    assert 0 < len(want) < len(expected(data, "curl"))
    with opened(browser, f"{base}?q=curl&level={level}") as page:
        finds(page, titles, want)
        assert page.input_value("#finder-q") == "curl"
        assert page.input_value("#finder-level") == str(level)


def test_in_russian_the_search_ignores_case_and_counts_as_russian_does(
    site: tuple[str, Path], browser: Any
) -> None:
    base, html = site
    data = data_of(html / "ru")
    titles = [item[0] for item in data["items"]]
    word = next(w for t in titles for w in t.split() if len(w) > 4 and w[0].isupper())
    want = expected(data, word.lower())
    assert want
    with opened(browser, f"{base}ru/") as page:
        page.fill("#finder-q", word.upper())
        finds(page, titles, want, "ru")
        assert page.text_content("label[for=finder-q]") == labels_for("ru")["search"]


def test_without_scripts_the_index_is_the_whole_plain_list(
    site: tuple[str, Path], browser: Any
) -> None:
    base, html = site
    titles = [item[0] for item in data_of(html)["items"]]
    with opened(browser, base, scripts=False) as page:
        assert shown(page) == titles
        assert not page.is_visible("form.finder")
        assert all(page.locator("#exercises > li h2 a").evaluate_all("l => l.map(a => a.href)"))


def test_from_files_the_index_is_the_plain_list_and_every_link_opens_its_page(
    site: tuple[str, Path], browser: Any
) -> None:
    _, html = site
    titles = [item[0] for item in data_of(html)["items"]]
    context = browser.new_context()
    problems: list[str] = []
    try:
        page = context.new_page()
        page.on("console", lambda message: problems.append(message.text))
        page.goto((html / "index.html").as_uri())
        page.wait_for_load_state("networkidle")
        assert shown(page) == titles
        assert not page.is_visible("form.finder")
        # A link to a folder opens its index.html, which a file browser would not.
        page.click(f"#exercises > li h2 a >> text={titles[0]}")
        page.wait_for_load_state()
        assert page.url.endswith("/index.html") and page.url != (html / "index.html").as_uri()
        assert page.text_content("h1") == titles[0]
        page.click("nav.crumbs a")
        page.wait_for_load_state()
        assert page.url == (html / "index.html").as_uri()
        page.click("nav.languages a[hreflang=de]")
        page.wait_for_load_state()
        assert page.url == (html / "de" / "index.html").as_uri()
        assert problems == []
    finally:
        context.close()


def test_served_the_links_stay_the_canonical_urls(site: tuple[str, Path], browser: Any) -> None:
    base, _ = site
    with opened(browser, base) as page:
        first = page.locator("#exercises > li h2 a").first
        assert first.get_attribute("href", timeout=1000).endswith("/")
        first.click()
        page.wait_for_load_state()
        assert page.url == page.get_attribute("link[rel=canonical]", "href")


def test_the_data_is_the_lists_exercises_in_its_order_and_the_form_its_facets(
    site: tuple[str, Path],
) -> None:
    _, html = site
    for folder in (html, html / "de", html / "ru"):
        text = (folder / "index.html").read_text("utf-8")
        data = data_of(folder)  # as many items as the list has exercises
        for name, values in data["facets"].items():
            options = re.findall(rf'<select id="finder-{name}"[^>]*>(.*?)</select>', text)
            if len(values) < 2:
                assert not options
                continue
            counts = re.findall(r'<option value="(\d+)">[^<]* \((\d+)\)</option>', options[0])
            assert [int(n) for n, _ in counts] == list(range(len(values)))
            for number, count in counts:
                have = [item for item in data["items"] if _has(item, name, int(number))]
                assert len(have) == int(count)
        # The page's scripts run under its own policy, by their hashes.
        policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', text)
        assert policy is not None
        hashes = f"script-src {_script_hash(LINKS_SCRIPT)} {_script_hash(FINDER_SCRIPT)};"
        assert hashes in unescape(policy.group(1))
        assert "connect-src 'self';" in unescape(policy.group(1))


def _has(item: list[Any], facet: str, number: int) -> bool:
    level, category, muscles, equipment = item[2:6]
    has: dict[str, bool] = {
        "level": level == number,
        "category": category == number,
        "muscle": number in muscles,
        "equipment": number in equipment,
    }
    return has[facet]


def test_the_data_file_is_compact_and_holds_what_the_list_does_not_show() -> None:
    from pipeline.pages.entry import IndexEntry

    entries = [
        IndexEntry(
            "a",
            "Ä & <b>",
            "Tëxt",
            "u",
            1,
            False,
            "expert",
            "de",
            "strength",
            ("Beine", "Po"),
            ("Hantel",),
            aliases=("Beinbeuger", "Leg Curl"),
        ),
        IndexEntry("b", "B", "Text", "u", 1, False, "beginner", "de", None, ("Po",), ()),
    ]
    found = facets(entries)
    assert [(f.name, f.values) for f in found] == [
        ("muscle", (("Beine", 1), ("Po", 2))),
        ("equipment", (("Hantel", 1),)),
        ("level", (("beginner", 1), ("expert", 1))),
        ("category", (("strength", 1),)),
    ]
    # The titles and descriptions are on the page already: the script reads them there.
    assert finder_data(entries, found) == (
        '{"version":1,"facets":{"muscle":["Beine","Po"],"equipment":["Hantel"],'
        '"level":["beginner","expert"],"category":["strength"]},'
        '"items":[[1,0,[0,1],[0],"Beinbeuger Leg Curl"],[0,-1,[1],[],""]]}\n'
    )


def test_an_exercise_is_found_by_its_other_names_and_its_muscles(
    tmp_path: Path, browser: Any
) -> None:
    from tests.conftest import SHIPPED_SEED, copy_pictures

    seeds = tmp_path / "seeds"
    seeds.mkdir()
    text = SHIPPED_SEED.read_text("utf-8")
    (seeds / SHIPPED_SEED.name).write_text(text, "utf-8")
    other = text.replace("Leverage Machine Lying Leg Curl", "Seated Calf Raise")
    other = other.replace("muscles: [hamstrings]", "muscles: [calves]")
    other = re.sub(r"^aliases:.*\n", "", other.replace("hamstrings", "legs"), flags=re.MULTILINE)
    (seeds / "seated-calf-raise.md").write_text(other, "utf-8")
    copy_pictures(seeds)
    out = tmp_path / "out"
    with served(out / "html") as base:
        assert export([seeds], out, Settings(base_url=base), ["html"]).errors == 0
        title, description, *_, aliases = data_of(out / "html")["items"][0]
        # Only its "also known as" says prone; only its muscles, calves, for the other.
        assert "prone" in aliases and "prone" not in f"{title} {description}".lower()
        assert "calves" not in data_of(out / "html")["items"][1][1].lower()
        with opened(browser, base) as page:
            page.fill("#finder-q", "Prone")
            settle(page, labels_for("en").count("matches", 1))
            assert shown(page) == ["Leverage Machine Lying Leg Curl"]
            page.fill("#finder-q", "calves")
            settle(page, labels_for("en").count("matches", 1))
            assert shown(page) == ["Seated Calf Raise"]
