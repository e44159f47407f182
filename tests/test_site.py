"""The site around the pages: ``sitemap.xml`` (every page, its last change, its language
versions, in parts for a large site), ``robots.txt``, and the Open Graph and Twitter card tags
that make a shared link a card."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, NamedTuple
from xml.etree import ElementTree

import pytest

from pipeline.brand import BrandSettings
from pipeline.config import Settings
from pipeline.engine import export
from pipeline.gitdates import last_commit_dates
from pipeline.pages.render import og_locale
from pipeline.pages.sitemap import SiteUrl, sitemap_files
from pipeline.path_templates import path_matcher
from pipeline.registry import get_exporter
from pipeline.validation import read_page
from tests.conftest import fetch, served

TRANSLATIONS = Path(__file__).parent / "fixtures" / "translations"
SHIPPED = "leverage-machine-lying-leg-curl"
BASE = "https://gym.example.com/exercises/"
SETTINGS = Settings(base_url=BASE)
NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9", "xhtml": "http://www.w3.org/1999/xhtml"}
COMMITTED = "2024-05-06T12:00:00+00:00"
VIDEO = "vl5nUdE9mWM"

SeedWriter = Callable[..., Path]


# --- helpers ---------------------------------------------------------------------------------


class Listed(NamedTuple):
    """One ``<url>`` of a sitemap."""

    lastmod: str | None
    alternates: dict[str, str]


def listed_urls(text: str) -> dict[str, Listed]:
    """The ``<url>`` elements of a sitemap, by ``<loc>``; fails on a loc listed twice."""
    root = ElementTree.fromstring(text)
    assert root.tag == f"{{{NS['sm']}}}urlset", root.tag
    urls: dict[str, Listed] = {}
    for url in root.findall("sm:url", NS):
        loc = url.findtext("sm:loc", namespaces=NS)
        assert loc is not None and loc not in urls, loc
        links = url.findall("xhtml:link", NS)
        assert all(link.get("rel") == "alternate" for link in links)
        alternates = {str(link.get("hreflang")): str(link.get("href")) for link in links}
        assert len(alternates) == len(links), loc
        urls[loc] = Listed(url.findtext("sm:lastmod", namespaces=NS), alternates)
    return urls


def sitemap(out: Path) -> dict[str, Listed]:
    """The URLs of the one-file sitemap exported into ``out``."""
    return listed_urls((out / "html" / "sitemap.xml").read_text("utf-8"))


def page_alternates(html: str) -> dict[str, str]:
    """The page's own ``<link rel="alternate" hreflang>`` elements, tag to URL."""
    return dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', html))


class _Meta(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        key = found.get("property") or found.get("name")
        if tag == "meta" and key and found.get("content") is not None:
            assert key not in self.values, key
            self.values[key] = str(found["content"])


def meta(html: str) -> dict[str, str]:
    """The page's ``<meta property|name content>`` values (unescaped), by property or name."""
    parser = _Meta()
    parser.feed(html)
    parser.close()
    return parser.values


def page_of(out: Path, slug: str, lang: str = "") -> str:
    folder = out / "html" / lang / slug if lang else out / "html" / slug
    return (folder / "index.html").read_text("utf-8")


def exported(paths: list[Path], out: Path, settings: Settings = SETTINGS) -> None:
    report = export(paths, out, settings, ["html"], jobs=1)
    assert report.errors == 0, report.diagnostics


def git(repo: Path, *args: str, date: str = COMMITTED) -> None:
    """Run git in ``repo`` as a fixed author at ``date``, whatever the machine's git config."""
    environment = {
        **os.environ,
        "GIT_AUTHOR_DATE": date,
        "GIT_COMMITTER_DATE": date,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
    }
    command = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run(
        [*command, "-c", "commit.gpgsign=false", *args],
        check=True,
        capture_output=True,
        env=environment,
    )


def committed_seeds(root: Path, names: tuple[str, ...] = ("committed.md",)) -> Path:
    """A git repository at ``root`` whose ``seeds`` folder holds short seeds, committed at
    :data:`COMMITTED`."""
    seeds = root / "seeds"
    seeds.mkdir(parents=True)
    for name in names:
        (seeds / name).write_text(small_seed(), "utf-8")
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "seeds")
    return seeds


def small_seed(extra: str = "", description: str = "A short one.") -> str:
    return (
        f'---\ndescription: "{description}"\n{extra}---\n\n'
        "## Execution\n1. **Go**: Go.\n\n<!-- howto -->\n\n### Go\nGo.\n"
    )


# --- the sitemap lists every page, and only pages --------------------------------------------


def test_every_url_the_sitemap_names_is_served_and_every_page_is_in_it(
    seeds_dir: Path, leg_curl: SeedWriter, tmp_path: Path
) -> None:
    shutil.copy(TRANSLATIONS / f"{SHIPPED}.de.md", seeds_dir)
    leg_curl("level: beginner")
    site = tmp_path / "site"
    site.mkdir()
    with served(site) as root:
        base = root + "html/"
        exported([seeds_dir], site, Settings(base_url=base))
        status, body = fetch(base + "sitemap.xml")
        assert status == 200
        urls = listed_urls(body.decode("utf-8"))
        linked = {href for url in urls.values() for href in url.alternates.values()}
        for address in sorted(set(urls) | linked):
            status, body = fetch(address)
            assert status == 200, address
            assert read_page(body.decode("utf-8")).canonical == address
        status, robots = fetch(base + "robots.txt")
        assert status == 200
        assert f"Sitemap: {base}sitemap.xml" in robots.decode("utf-8").splitlines()
        # The pages the site's indexes list, and the indexes themselves (one per language,
        # found from the page at base_url).
        status, front = fetch(base)
        indexes = {base, *page_alternates(front.decode("utf-8")).values()}
        pages = set(indexes)
        for index in indexes:
            status, body = fetch(index)
            document = json.loads(read_page(body.decode("utf-8")).scripts[0])
            pages |= {item["url"] for item in document["@graph"][1]["itemListElement"]}
    assert indexes == {base, base + "de/"}
    assert set(urls) == pages
    assert len(urls) == 5  # two indexes, the exercise in English and German, the leg curl
    # And every page written is in it.
    written = {read_page(p.read_text("utf-8")).canonical for p in (site / "html").rglob("*.html")}
    assert written == set(urls)


def test_robots_txt_lets_every_page_be_crawled_and_names_the_sitemap(seeds_dir: Path) -> None:
    out = seeds_dir.parent / "out"
    exported([seeds_dir], out)
    robots = (out / "html" / "robots.txt").read_text("utf-8")
    assert robots == f"User-agent: *\nDisallow:\n\nSitemap: {BASE}sitemap.xml\n"


# --- lastmod ---------------------------------------------------------------------------------


def test_lastmod_is_updated_else_the_last_commit_day_else_left_out(
    leg_curl: SeedWriter, tmp_path: Path
) -> None:
    dated = leg_curl("updated: 2025-01-31", name="dated.md")
    leg_curl("", name="undated.md")
    repo = committed_seeds(tmp_path / "repo")
    out = tmp_path / "out"
    exported([dated.parent, repo], out)
    urls = sitemap(out)
    assert urls[f"{BASE}dated/"].lastmod == "2025-01-31"
    assert urls[f"{BASE}committed/"].lastmod == "2024-05-06"
    assert urls[f"{BASE}undated/"].lastmod is None  # no <lastmod> element at all
    # An index changes when an exercise goes too, which no date says: it is left undated.
    assert urls[BASE].lastmod is None


def test_the_same_seeds_build_the_same_sitemap_bytes(
    leg_curl: SeedWriter, seeds_dir: Path, tmp_path: Path
) -> None:
    leg_curl("updated: 2025-01-31", name="dated.md")
    shutil.copy(TRANSLATIONS / f"{SHIPPED}.de.md", seeds_dir)
    repo = committed_seeds(tmp_path / "repo")
    built = []
    for name in ("one", "two"):
        exported([seeds_dir, repo], tmp_path / name)
        built.append((tmp_path / name / "html" / "sitemap.xml").read_bytes())
    report = export([seeds_dir, repo], tmp_path / "one", SETTINGS, ["html"], force=True)
    assert report.errors == 0
    assert built[0] == built[1] == (tmp_path / "one" / "html" / "sitemap.xml").read_bytes()


def test_a_commit_after_the_export_dates_the_page_on_the_next_export(tmp_path: Path) -> None:
    """The sitemap after an incremental export is the one a clean export builds, also when
    the only thing that changed is the seed's history (it was committed since)."""
    seeds = tmp_path / "repo" / "seeds"
    seeds.mkdir(parents=True)
    (seeds / "fresh.md").write_text(small_seed(), "utf-8")
    git(tmp_path / "repo", "init", "-q")
    out = tmp_path / "out"
    exported([seeds], out)
    assert sitemap(out)[f"{BASE}fresh/"].lastmod is None  # not committed yet
    git(tmp_path / "repo", "add", ".")
    git(tmp_path / "repo", "commit", "-q", "-m", "fresh")
    exported([seeds], out)
    exported([seeds], tmp_path / "clean")
    assert sitemap(tmp_path / "clean")[f"{BASE}fresh/"].lastmod == "2024-05-06"
    assert sitemap(out)[f"{BASE}fresh/"].lastmod == "2024-05-06"


def test_last_commit_dates_gives_each_file_its_last_commit_day_in_utc(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "seeds" / "deep").mkdir(parents=True)
    early, late = repo / "seeds" / "early.md", repo / "seeds" / "deep" / "late.md"
    early.write_text("one", "utf-8")
    late.write_text("one", "utf-8")
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "first", date="2024-01-02T10:00:00+00:00")
    late.write_text("two", "utf-8")
    git(repo, "commit", "-q", "-am", "second", date="2024-03-04T23:30:00-05:00")
    untracked = repo / "seeds" / "untracked.md"
    untracked.write_text("new", "utf-8")
    outside = tmp_path / "outside.md"
    outside.write_text("loose", "utf-8")
    paths = [str(early), str(late), str(untracked), str(outside), str(tmp_path / "gone.md")]
    assert last_commit_dates(paths) == {
        str(early): "2024-01-02",
        str(late): "2024-03-05",  # 23:30 at UTC-5 is the next day in UTC
    }


def test_a_shallow_clone_dates_no_seed_rather_than_date_them_all_by_its_one_commit(
    tmp_path: Path,
) -> None:
    repo = tmp_path / "repo"
    committed_seeds(repo, ("old.md", "new.md"))
    (repo / "seeds" / "new.md").write_text(small_seed(description="Changed."), "utf-8")
    git(repo, "commit", "-q", "-am", "later", date="2025-02-03T12:00:00+00:00")
    full = [str(repo / "seeds" / name) for name in ("old.md", "new.md")]
    assert last_commit_dates(full) == {full[0]: "2024-05-06", full[1]: "2025-02-03"}
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{repo}", str(shallow))
    # Its one commit would date old.md 2025-02-03, which is wrong.
    assert last_commit_dates([str(shallow / "seeds" / "old.md")]) == {}


def test_last_commit_dates_takes_paths_as_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    committed_seeds(tmp_path / "repo")
    monkeypatch.chdir(tmp_path / "repo")
    assert last_commit_dates(["seeds/committed.md"]) == {"seeds/committed.md": "2024-05-06"}


# --- hreflang --------------------------------------------------------------------------------


def test_each_language_version_lists_the_same_alternates_as_its_page(
    seeds_dir: Path, leg_curl: SeedWriter
) -> None:
    shutil.copy(TRANSLATIONS / f"{SHIPPED}.de.md", seeds_dir)
    leg_curl("")
    out = seeds_dir.parent / "out"
    exported([seeds_dir], out)
    urls = sitemap(out)
    english, german = f"{BASE}{SHIPPED}/", f"{BASE}de/{SHIPPED}/"
    versions = {"en": english, "de": german, "x-default": english}
    assert urls[english].alternates == versions
    assert urls[german].alternates == versions
    assert page_alternates(page_of(out, SHIPPED)) == versions
    assert page_alternates(page_of(out, SHIPPED, "de")) == versions
    # The indexes link each other as their pages do; a page in one language links nothing.
    indexes = {"de": f"{BASE}de/", "en": BASE, "x-default": BASE}
    assert urls[BASE].alternates == urls[f"{BASE}de/"].alternates == indexes
    front = (out / "html" / "index.html").read_text("utf-8")
    assert page_alternates(front) == indexes
    assert urls[f"{BASE}leg-curl/"].alternates == {}
    assert page_alternates(page_of(out, "leg-curl")) == {}


# --- a sitemap in parts ----------------------------------------------------------------------


def _made_up(count: int) -> list[SiteUrl]:
    days = ["2024-03-01", None, "2024-01-09", "2024-02-28", "2023-12-31", "2024-06-30"]
    return [
        SiteUrl(f"{BASE}page-{n}/", days[n % len(days)], (("en", f"{BASE}page-{n}/"),))
        for n in range(count)
    ]


def _index_of(text: str) -> list[tuple[str | None, str | None]]:
    root = ElementTree.fromstring(text)
    assert root.tag == f"{{{NS['sm']}}}sitemapindex", root.tag
    return [
        (part.findtext("sm:loc", namespaces=NS), part.findtext("sm:lastmod", namespaces=NS))
        for part in root.findall("sm:sitemap", NS)
    ]


def test_past_max_urls_the_sitemap_is_an_index_of_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("pipeline.pages.sitemap.MAX_URLS", 2)
    urls = _made_up(5)
    files = dict(sitemap_files(urls, SETTINGS))
    assert list(files) == ["sitemap.xml", "sitemap-1.xml", "sitemap-2.xml", "sitemap-3.xml"]
    index = _index_of(files["sitemap.xml"])
    parts = [listed_urls(files[f"sitemap-{n}.xml"]) for n in (1, 2, 3)]
    assert [loc for loc, _ in index] == [f"{BASE}sitemap-{n}.xml" for n in (1, 2, 3)]
    for (_, lastmod), part in zip(index, parts, strict=True):
        assert len(part) <= 2
        days = [url.lastmod for url in part.values() if url.lastmod]
        assert lastmod == max(days, default=None)
    assert [loc for part in parts for loc in part] == [url.loc for url in urls]
    listed = {loc: listed for part in parts for loc, listed in part.items()}
    for url in urls:
        assert listed[url.loc] == Listed(url.lastmod, dict(url.alternates))


def test_past_max_bytes_each_part_stays_under_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    urls = _made_up(7)
    ((_, whole),) = sitemap_files(urls, SETTINGS)
    limit = len(whole.encode()) // 3
    monkeypatch.setattr("pipeline.pages.sitemap.MAX_BYTES", limit)
    files = dict(sitemap_files(urls, SETTINGS))
    assert len(files) >= 4
    parts = [text for name, text in files.items() if name != "sitemap.xml"]
    assert all(len(text.encode()) <= limit for text in parts)
    assert [loc for text in parts for loc in listed_urls(text)] == [url.loc for url in urls]


def test_under_the_limits_the_sitemap_is_one_file() -> None:
    urls = _made_up(6)
    ((name, text),) = sitemap_files(urls, SETTINGS)
    assert name == "sitemap.xml"
    assert list(listed_urls(text)) == [url.loc for url in urls]


def test_the_html_exporter_declares_the_sitemap_its_parts_and_robots_txt() -> None:
    templates = tuple(get_exporter("html")(SETTINGS).output_templates())
    matches = path_matcher(templates)
    for path in (
        "html/sitemap.xml",
        "html/sitemap-1.xml",
        "html/sitemap-12.xml",
        "html/robots.txt",
    ):
        assert matches(path), path


def test_a_site_split_in_parts_is_served_and_its_parts_go_when_it_shrinks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("pipeline.pages.sitemap.MAX_URLS", 2)
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for name in ("a", "b", "c"):
        (seeds / f"{name}.md").write_text(small_seed(), "utf-8")
    site = tmp_path / "site"
    with served(site) as root:
        base = root + "html/"
        settings = Settings(base_url=base)
        exported([seeds], site, settings)
        status, body = fetch(base + "sitemap.xml")
        assert status == 200
        locs: list[str] = []
        for loc, _ in _index_of(body.decode("utf-8")):
            assert loc is not None
            status, part = fetch(loc)
            assert status == 200, loc
            locs += listed_urls(part.decode("utf-8"))
        assert sorted(locs) == sorted([base, *(f"{base}{name}/" for name in "abc")])
        (seeds / "b.md").unlink()
        (seeds / "c.md").unlink()
        exported([seeds], site, settings)
        assert set(listed_urls((site / "html" / "sitemap.xml").read_text("utf-8"))) == {
            base,
            f"{base}a/",
        }
        assert fetch(base + "sitemap-1.xml")[0] == 404
        assert fetch(base + "sitemap-2.xml")[0] == 404


# --- a removed seed --------------------------------------------------------------------------


def test_a_removed_seeds_page_leaves_the_sitemap(
    seeds_dir: Path, leg_curl: SeedWriter, tmp_path: Path
) -> None:
    gone = leg_curl("updated: 2025-01-31")
    out = tmp_path / "out"
    exported([seeds_dir], out)
    assert f"{BASE}leg-curl/" in sitemap(out)
    gone.unlink()
    exported([seeds_dir], out)
    assert set(sitemap(out)) == {BASE, f"{BASE}{SHIPPED}/"}
    exported([seeds_dir], tmp_path / "clean")
    sitemap_path = Path("html") / "sitemap.xml"
    assert (out / sitemap_path).read_bytes() == (tmp_path / "clean" / sitemap_path).read_bytes()


# --- Open Graph and the Twitter card ---------------------------------------------------------


def _howto(html: str) -> dict[str, Any]:
    graph = json.loads(read_page(html).scripts[0])["@graph"]
    return next(node for node in graph if node["@type"] == "HowTo")


@pytest.mark.parametrize(
    ("pattern", "page"),
    [
        ("{base_url}{slug}/", f"html/{SHIPPED}/index.html"),
        ("{base_url}{slug}.html", f"html/{SHIPPED}.html"),
        ("{base_url}how-to/{slug}/", f"html/how-to/{SHIPPED}/index.html"),
    ],
)
def test_a_shared_page_shows_its_first_picture_at_its_canonical_url(
    seeds_dir: Path, pattern: str, page: str
) -> None:
    out = seeds_dir.parent / "out"
    exported([seeds_dir], out, Settings(base_url=BASE, url_pattern=pattern))
    html = (out / page).read_text("utf-8")
    tags = meta(html)
    canonical = read_page(html).canonical
    assert canonical == pattern.format(base_url=BASE, slug=SHIPPED)
    assert tags["og:url"] == canonical
    assert tags["og:type"] == "article"
    assert tags["og:title"] == "Leverage Machine Lying Leg Curl"
    assert tags["og:description"].startswith("Isolate your hamstrings")
    assert tags["og:locale"] == "en_US"
    picture = _howto(html)["image"][0]
    assert tags["og:image"] == picture["contentUrl"]
    assert tags["og:image"].startswith(BASE)
    assert (out / "html" / tags["og:image"].removeprefix(BASE)).is_file()
    assert tags["og:image:alt"].startswith("Lying face down on the leg curl machine")
    assert tags["twitter:card"] == "summary_large_image"
    assert "og:site_name" not in tags


def test_a_page_without_pictures_or_video_is_a_small_card(
    leg_curl: SeedWriter, tmp_path: Path
) -> None:
    seed = leg_curl("")
    out = tmp_path / "out"
    exported([seed.parent], out)
    tags = meta(page_of(out, "leg-curl"))
    assert "og:image" not in tags and "og:image:alt" not in tags
    assert tags["twitter:card"] == "summary"
    assert tags["og:url"] == f"{BASE}leg-curl/"


def test_a_page_with_only_a_video_shows_its_thumbnail(leg_curl: SeedWriter, tmp_path: Path) -> None:
    seed = leg_curl(f'video: "{VIDEO}"')
    out = tmp_path / "out"
    exported([seed.parent], out)
    tags = meta(page_of(out, "leg-curl"))
    assert tags["og:image"] == f"https://i.ytimg.com/vi/{VIDEO}/hqdefault.jpg"
    assert tags["og:image:alt"] == "Leg Curl"
    assert tags["twitter:card"] == "summary_large_image"


def test_the_index_pages_are_website_cards_in_their_language(
    seeds_dir: Path, tmp_path: Path
) -> None:
    shutil.copy(TRANSLATIONS / f"{SHIPPED}.de.md", seeds_dir)
    out = tmp_path / "out"
    exported([seeds_dir], out)
    english = meta((out / "html" / "index.html").read_text("utf-8"))
    german = meta((out / "html" / "de" / "index.html").read_text("utf-8"))
    assert (english["og:type"], english["og:url"], english["og:locale"]) == (
        "website",
        BASE,
        "en_US",
    )
    assert (german["og:type"], german["og:url"], german["og:locale"]) == (
        "website",
        f"{BASE}de/",
        "de_DE",
    )
    assert english["twitter:card"] == german["twitter:card"] == "summary"
    assert meta(page_of(out, SHIPPED, "de"))["og:locale"] == "de_DE"


def test_the_site_name_is_the_brands_name_and_only_with_one(
    seeds_dir: Path, tmp_path: Path
) -> None:
    branded = Settings(base_url=BASE, brand=BrandSettings(name='Iron & "Temple" Gym'))
    exported([seeds_dir], tmp_path / "branded", branded)
    for html in (
        page_of(tmp_path / "branded", SHIPPED),
        (tmp_path / "branded" / "html" / "index.html").read_text("utf-8"),
    ):
        assert meta(html)["og:site_name"] == 'Iron & "Temple" Gym'
        assert 'content="Iron &amp; &quot;Temple&quot; Gym"' in html
    unnamed = Settings(base_url=BASE, brand=BrandSettings(accent="#0b6e4f"))
    exported([seeds_dir], tmp_path / "unnamed", unnamed)
    assert "og:site_name" not in meta(page_of(tmp_path / "unnamed", SHIPPED))
    assert "og:site_name" not in (tmp_path / "unnamed" / "html" / "index.html").read_text("utf-8")


def test_the_card_text_is_escaped(leg_curl: SeedWriter, tmp_path: Path) -> None:
    title = 'Curl & "Press" <now>'
    description = "Hams & calves, <b>not</b> 'quads'."
    seed = leg_curl(f"title: '{title.replace(chr(39), chr(39) * 2)}'")
    seed.write_text(
        seed.read_text("utf-8").replace(
            '"Curl your legs against a padded lever."', json.dumps(description)
        ),
        "utf-8",
    )
    out = tmp_path / "out"
    exported([seed.parent], out)
    html = page_of(out, "leg-curl")
    tags = meta(html)
    assert tags["og:title"] == title
    assert tags["og:description"] == description
    assert '<meta property="og:title" content="Curl &amp; &quot;Press&quot; &lt;now&gt;">' in html
    assert (
        '<meta property="og:description" '
        'content="Hams &amp; calves, &lt;b&gt;not&lt;/b&gt; &#x27;quads&#x27;.">'
    ) in html


@pytest.mark.parametrize(
    ("lang", "locale"),
    [
        ("en", "en_US"),
        ("de", "de_DE"),
        ("ru", "ru_RU"),
        ("pt-BR", "pt_BR"),
        ("en-GB", "en_GB"),
        ("zh-Hans", "zh_CN"),
        # Traditional Chinese is written in Taiwan (CLDR: zh-Hant -> zh-Hant-TW), not China.
        ("zh-Hant", "zh_TW"),
    ],
)
def test_og_locale_is_the_language_and_its_likeliest_territory(lang: str, locale: str) -> None:
    assert og_locale(lang) == locale
