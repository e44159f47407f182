"""The ``html`` exporter: a standalone page per exercise that shows what its JSON-LD says."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
import urllib.parse
import urllib.request
from collections.abc import Iterator
from html import escape, unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.config import Settings
from pipeline.diagnostics import Level, PipelineError
from pipeline.engine import export
from pipeline.pages.finder import FINDER_SCRIPT
from pipeline.pages.layout import _relative_link, relative_link
from pipeline.pages.render import LINKS_SCRIPT, PLAYER_SCRIPT
from pipeline.registry import get_exporter
from pipeline.validation import read_page, validate_html
from tests.complexity import tangled
from tests.conftest import SHIPPED_SEED, exercise_of, served
from tests.golden import GOLDEN, golden_outputs

FIXTURES = Path(__file__).parent / "fixtures" / "jsonld"
HOSTILE_SEED = FIXTURES / "hostile-curl.md"
SETTINGS = Settings(base_url="https://gym.example.com/exercises/")
SHIPPED = "leverage-machine-lying-leg-curl"


@pytest.fixture
def out(seeds_dir: Path) -> Path:
    """The shipped and the hostile seed exported as pages and as JSON-LD."""
    shutil.copy(HOSTILE_SEED, seeds_dir / HOSTILE_SEED.name)
    target = seeds_dir.parent / "out"
    report = export([seeds_dir], target, SETTINGS, ["html", "jsonld"])
    # The hostile seed's muscle is no muscle the vocabulary knows: that is its one warning.
    warnings = [d.message for d in report.diagnostics if d.level is Level.WARNING]
    assert report.errors == 0 and len(warnings) == 1, report.diagnostics
    assert warnings[0].startswith("unknown muscle 'hamstrings </script> & <!--'")
    return target


def _page(out: Path, slug: str) -> Path:
    return out / "html" / slug / "index.html"


def test_a_page_and_an_index_per_export(out: Path) -> None:
    assert sorted(p.relative_to(out).as_posix() for p in out.glob("html/**/*.html")) == [
        "html/hostile-curl/index.html",
        "html/index.html",
        f"html/{SHIPPED}/index.html",
    ]


def test_the_page_shows_everything_the_seed_says(out: Path, seeds_dir: Path) -> None:
    exercise = exercise_of(seeds_dir / f"{SHIPPED}.md")
    html = _page(out, SHIPPED).read_text("utf-8")
    page = read_page(html)
    assert f"<title>{exercise.title}</title>" in html
    assert f"<h1>{exercise.title}</h1>" in html
    visible = page.visible_text
    assert exercise.description in visible
    for item in exercise.setup + exercise.execution + exercise.tips + exercise.mistakes:
        assert item.text in visible
        assert item.label is None or item.label in visible
    for step in exercise.howto:
        assert step.name in visible and step.text in visible
    assert exercise.outro_text in visible
    for heading in ("Setup", "Execution", "Tips", "Common Mistakes", "How to do it"):
        assert f">{heading}<" in html
    # The player is a button naming the embed it becomes when pressed, not yet an iframe.
    assert 'data-embed="https://www.youtube.com/embed/vl5nUdE9mWM"' in html
    assert "<iframe" not in html
    assert {"step-1", "step-2", "step-3", "step-4", "tip-1", "mistake-3"} <= page.anchors
    assert re.search(r'<li id="step-1"><h3>Adjust and Position Yourself</h3>', html)
    assert f'<link rel="canonical" href="https://gym.example.com/exercises/{SHIPPED}/">' in html


def test_the_page_carries_exactly_the_jsonld_document(out: Path) -> None:
    for slug in (SHIPPED, "hostile-curl"):
        html = _page(out, slug).read_text("utf-8")
        page = read_page(html)
        assert len(page.scripts) == 1
        expected = json.loads((out / "jsonld" / f"{slug}.jsonld").read_text("utf-8"))
        assert json.loads(page.scripts[0]) == expected
        snippet = (out / "jsonld" / f"{slug}.snippet.html").read_text("utf-8").strip()
        assert snippet in html


def test_every_generated_page_validates(out: Path) -> None:
    for path in sorted(out.glob("html/**/*.html")):
        assert validate_html(path.read_text("utf-8")) == [], path


def test_hostile_text_is_escaped_everywhere(out: Path) -> None:
    exercise = exercise_of(HOSTILE_SEED)
    html = _page(out, "hostile-curl").read_text("utf-8")
    # The only script elements are the JSON-LD and the template's own (the player, the file
    # links): no seed text opens or closes another.
    for own in (PLAYER_SCRIPT, LINKS_SCRIPT):
        assert html.count(f"<script>{own}</script>") == 1
        html = html.replace(f"<script>{own}</script>", "")
    assert html.count("<script") == 1 and html.count("</script") == 1
    assert "<!--" not in html
    assert f"<h1>{escape(exercise.title)}</h1>" in html
    assert f'content="{escape(exercise.description)}"' in html
    visible = read_page(html).visible_text
    for text in (exercise.title, exercise.equipment[0], exercise.aliases[0], exercise.outro_text):
        assert text in visible
    assert exercise.howto[0].text.split("\n\n")[1] in visible
    index = (out / "html" / "index.html").read_text("utf-8")
    # The JSON-LD, and the finder's and the file links' own scripts.
    for own in (FINDER_SCRIPT, LINKS_SCRIPT):
        assert index.count(f"<script>{own}</script>") == 1
        index = index.replace(f"<script>{own}</script>", "")
    assert index.count("<script") == 1 and escape(exercise.title) in index


def test_the_page_loads_nothing_but_the_video_and_its_own_pictures(out: Path) -> None:
    html = _page(out, SHIPPED).read_text("utf-8")
    # Nothing is asked of YouTube before the reader presses play.
    sources = re.findall(r'\ssrc="([^"]*)"', html)
    assert sources == ["lying-leg-curl-start.jpg", "lying-leg-curl-end.jpg"]
    assert all((_page(out, SHIPPED).parent / s).is_file() for s in sources)
    assert not re.search(r"<link[^>]+stylesheet|@import|url\(|@font-face|<script src", html)
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', html)
    assert policy is not None
    # No script may run but the page's own, named by their hashes: not even another inline one.
    rules = dict(rule.strip().split(" ", 1) for rule in unescape(policy.group(1)).split(";"))
    assert rules["default-src"] == "'none'"
    digests = [
        base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        for script in (LINKS_SCRIPT, PLAYER_SCRIPT)
    ]
    assert rules["script-src"] == " ".join(f"'sha256-{digest}'" for digest in digests)
    assert rules["frame-src"] == "https://www.youtube.com"


def test_the_index_links_every_exercise(out: Path) -> None:
    html = (out / "html" / "index.html").read_text("utf-8")
    links = re.findall(r'<a href="([^"]+)"', html)
    assert links == ["hostile-curl/", f"{SHIPPED}/"]
    assert all((out / "html" / link / "index.html").is_file() for link in links)
    document = json.loads(read_page(html).scripts[0])
    items = document["@graph"][1]["itemListElement"]
    assert [i["url"] for i in items] == [
        "https://gym.example.com/exercises/hostile-curl/",
        f"https://gym.example.com/exercises/{SHIPPED}/",
    ]


def test_each_page_links_back_to_the_index(out: Path) -> None:
    html = _page(out, SHIPPED).read_text("utf-8")
    assert '<a href="../">Exercises</a>' in html


def test_the_html_exporter_needs_a_base_url() -> None:
    with pytest.raises(PipelineError, match="base_url"):
        get_exporter("html")(Settings()).check_settings()


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href is not None:
            self.hrefs.append(href)


def _links(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    parser.close()
    return parser.hrefs


def _urls_in(node: object, key: str = "") -> Iterator[tuple[str, str]]:
    """Every (property, value) of the JSON-LD whose value is a URL a reader can follow."""
    if isinstance(node, dict):
        if node.get("@type") in ("HowToStep", "HowToTip"):
            yield "@id", node["@id"]
        for name, value in node.items():
            yield from _urls_in(value, name)
    elif isinstance(node, list):
        for value in node:
            yield from _urls_in(value, key)
    elif isinstance(node, str) and key in ("url", "item", "contentUrl"):
        yield key, node


BASE = "https://gym.example.com/exercises/"
LAYOUTS = {
    "{base_url}{slug}/": "html/{slug}/index.html",
    "{base_url}{slug}.html": "html/{slug}.html",
    "{base_url}how-to/{slug}/": "html/how-to/{slug}/index.html",
}


@pytest.mark.parametrize(("pattern", "layout"), LAYOUTS.items())
def test_every_link_and_url_resolves_to_a_page_written_where_its_url_says(
    pattern: str, layout: str, seeds_dir: Path
) -> None:
    shutil.copy(HOSTILE_SEED, seeds_dir / HOSTILE_SEED.name)
    out = seeds_dir.parent / "out"
    settings = Settings(base_url=BASE, url_pattern=pattern)
    report = export([seeds_dir], out, settings, ["html"])
    assert report.errors == 0, report.diagnostics
    pages = {}
    for path in sorted((out / "html").rglob("*.html")):
        canonical = read_page(path.read_text("utf-8")).canonical
        assert canonical is not None and canonical not in pages, path
        pages[canonical] = path
    assert pages[BASE] == out / "html" / "index.html"
    for slug in (SHIPPED, "hostile-curl"):
        assert pages[pattern.format(base_url=BASE, slug=slug)] == out / layout.format(slug=slug)
    assert len(pages) == 3
    for url, path in pages.items():
        html = path.read_text("utf-8")
        page = read_page(html)
        followed = 0
        for href in _links(html):
            target = urllib.parse.urljoin(url, href)
            if not target.startswith(BASE):
                continue  # another site's page: the video, a picture's licence or source
            # Relative, so the same folder works on any host and on a staging copy.
            assert not urllib.parse.urlsplit(href).netloc and not href.startswith("/"), href
            assert target in pages, (path, href, target)
            followed += 1
        assert followed >= 1, path
        for key, value in _urls_in(json.loads(page.scripts[0])):
            if not value.startswith(BASE):
                continue  # the video's own page
            address, fragment = urllib.parse.urldefrag(value)
            if key == "contentUrl":  # a picture, published beside its page
                assert (out / "html" / address.removeprefix(BASE)).is_file(), value
                continue
            assert address in pages, (path, key, value)
            if fragment and key != "item":
                assert fragment in read_page(pages[address].read_text("utf-8")).anchors, value


def test_the_html_folder_deployed_at_base_url_serves_each_page_at_its_canonical_url(
    seeds_dir: Path, tmp_path: Path
) -> None:
    shutil.copy(HOSTILE_SEED, seeds_dir / HOSTILE_SEED.name)
    site = tmp_path / "site"
    # The output folder is the web root, so html/ is deployed at /html/.
    with served(site) as root:
        base = root + "html/"
        report = export([seeds_dir], site, Settings(base_url=base), ["html"])
        assert report.errors == 0, report.diagnostics
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        seen: dict[str, str] = {}
        queue = [base]
        while queue:
            url = queue.pop()
            if url in seen:
                continue
            with opener.open(url, timeout=10) as response:
                assert response.status == 200 and response.geturl() == url
                html = response.read().decode("utf-8")
            assert read_page(html).canonical == url
            seen[url] = html
            for href in _links(html):
                target = urllib.parse.urldefrag(urllib.parse.urljoin(url, href))[0]
                if target.startswith(base):
                    queue.append(target)
    listed = json.loads(read_page(seen[base]).scripts[0])["@graph"][1]["itemListElement"]
    assert sorted(seen) == sorted([base, *(item["url"] for item in listed)])
    assert len(seen) == 3


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        (
            Settings(base_url="https://gym.example.com/exercises"),
            "base_url setting 'https://gym.example.com/exercises' must end with '/'",
        ),
        (
            Settings(base_url=BASE, url_pattern="https://cdn.example.com/{slug}/"),
            "gives 'https://cdn.example.com/<slug>/', which is not under base_url",
        ),
        (
            Settings(base_url=BASE, url_pattern="{base_url}how-to/{slug}"),
            "which no static file can serve: end it with '/'",
        ),
        (
            Settings(base_url=BASE, url_pattern="{base_url}{slug}/?lang=en"),
            "which no static file can serve",
        ),
        (Settings(base_url=BASE, url_pattern="{base_url}all/"), "use {slug} in it"),
    ],
)
def test_a_url_layout_no_folder_can_serve_is_a_settings_error(
    settings: Settings, expected: str
) -> None:
    with pytest.raises(PipelineError, match=re.escape(expected)):
        get_exporter("html")(settings).check_settings()


def test_a_new_url_pattern_moves_the_pages_and_leaves_nothing_stale(seeds_dir: Path) -> None:
    out = seeds_dir.parent / "out"
    flat = Settings(base_url=BASE, url_pattern="{base_url}{slug}.html")
    export([seeds_dir], out, flat, ["html"])
    assert (out / "html" / f"{SHIPPED}.html").is_file()
    report = export([seeds_dir], out, SETTINGS, ["html"])
    pictures = ("lying-leg-curl-end.jpg", "lying-leg-curl-start.jpg")
    # In a folder the pages share, a picture's name starts with its page's.
    beside = [f"html/{SHIPPED}-{name}" for name in pictures]
    assert sorted(report.removed) == [*beside, f"html/{SHIPPED}.html"]
    assert _page(out, SHIPPED).is_file()
    report = export([seeds_dir], out, flat, ["html"])
    inside = [f"html/{SHIPPED}/{name}" for name in pictures]
    assert sorted(report.removed) == [f"html/{SHIPPED}/index.html", *inside]
    # The page's folder went with it.
    assert sorted(p.name for p in (out / "html").iterdir()) == [
        "index.html",
        "index.json",
        *(b.removeprefix("html/") for b in beside),
        f"{SHIPPED}.html",
        "robots.txt",
        "sitemap.xml",
    ]


def test_a_seed_whose_page_would_be_the_index_is_an_error(write_seed: Any, tmp_path: Path) -> None:
    seed = write_seed("index.md", SHIPPED_SEED.read_text("utf-8"))
    flat = Settings(base_url=BASE, url_pattern="{base_url}{slug}.html")
    report = export([seed.parent], tmp_path / "out", flat, ["html"])
    assert report.failed == [str(seed)]
    assert any("the index page" in d.message for d in report.diagnostics)


def test_the_pages_are_byte_for_byte_the_golden_ones(tmp_path: Path) -> None:
    # Any change to the markup, the style sheet or the escaping shows here as a diff.
    for name, data in golden_outputs(tmp_path).items():
        if name.endswith(".html"):
            assert data.decode() == (GOLDEN / name).read_text("utf-8"), name


def test_no_part_of_the_page_builder_is_too_tangled_to_read_at_once() -> None:
    assert tangled("pages", "exporters/html.py") == []


def test_every_name_of_the_pages_package_is_the_one_its_module_defines() -> None:
    # The markup's names are imported on first use; the index entry keeps its old home too.
    import pipeline.pages
    import pipeline.pages.entry
    import pipeline.pages.layout
    import pipeline.pages.render

    modules = (pipeline.pages.entry, pipeline.pages.layout, pipeline.pages.render)
    for name in pipeline.pages.__all__:
        homes = [module for module in modules if name in vars(module)]
        assert homes and all(getattr(pipeline.pages, name) is vars(m)[name] for m in homes), name
    assert pipeline.pages.render.IndexEntry is pipeline.pages.IndexEntry
    with pytest.raises(AttributeError):
        _ = pipeline.pages.no_such_name


_URL_PART = st.sampled_from(["a", "b", "push-up", ".", "..", "", "c:d", "x?y", "z#w", "%2E", "ü"])
_URL_BASE = st.sampled_from(
    [
        "https://gym.example.com/",
        "https://gym.example.com/exercises/",
        "https://gym.example.com/a/../",
        "https://gym.example.com//x/",
        "https://gym.example.com/index.html",
        "https://gym.example.com/x/?q=1",
        "HTTPS://gym.example.com/x/",
        "https://other.example.org/x/",
    ]
)


@settings(max_examples=500)
@given(
    _URL_BASE,
    st.lists(_URL_PART, max_size=3),
    _URL_BASE,
    st.lists(_URL_PART, max_size=3),
    st.booleans(),
)
def test_a_link_between_pages_is_the_one_worked_out_in_general(
    page_base: str, page_parts: list[str], base: str, parts: list[str], slash: bool
) -> None:
    """The quick way to a link from the URLs gives the link the general way gives."""
    page = page_base + "/".join(page_parts)
    target = base + "/".join(parts) + ("/" if slash and parts else "")
    assert relative_link(page, target) == _relative_link(page, target)
    for folder in (page, page + "/"):
        assert relative_link(folder, folder + "/".join(parts)) == _relative_link(
            folder, folder + "/".join(parts)
        )
