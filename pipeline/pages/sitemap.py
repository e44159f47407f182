"""The site's ``sitemap.xml`` and ``robots.txt``: every page, each with the date it last
changed and its other language versions, for search engines to find them by.

``lastmod`` is the seed's ``updated`` date, else the day of the seed's last commit, else
left out: never the build's clock, so the same seeds build the same bytes. A sitemap holds
at most 50,000 URLs and 50 MB (sitemaps.org); a larger site gets ``sitemap-1.xml``,
``sitemap-2.xml``... and ``sitemap.xml`` becomes their index.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, NamedTuple

from pipeline.pages.layout import INDEX_PATH, index_alternate_versions
from pipeline.urls import check_base_url, index_url

if TYPE_CHECKING:
    from pipeline.config import Settings
    from pipeline.pages.entry import IndexEntry

SITE_FOLDER = posixpath.dirname(INDEX_PATH)
"""``html``: the site at ``base_url``, where these files go."""
SITEMAP_FILE = "sitemap.xml"
"""The sitemap (or the index of the sitemaps) at ``base_url``, in ``html/``."""
PART_FILE = "sitemap-{part}.xml"
"""One part of a sitemap too large for one file."""
ROBOTS_FILE = "robots.txt"
MAX_URLS = 50_000
MAX_BYTES = 50 * 1024 * 1024

_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
    'xmlns:xhtml="http://www.w3.org/1999/xhtml">\n'
)
_TAIL = "</urlset>\n"


class SiteUrl(NamedTuple):
    """One page as the sitemap lists it."""

    loc: str
    lastmod: str | None
    alternates: tuple[tuple[str, str], ...]


def site_urls(
    entries: Iterable[IndexEntry], settings: Settings, dates: Mapping[str, str]
) -> list[SiteUrl]:
    """Every page of the site: each language's index page (undated), then each exercise's
    page in URL order. ``dates`` are the seeds' last commit days, by
    source path, for the entries without ``updated``."""
    by_lang: dict[str, list[SiteUrl]] = {settings.default_lang: []}
    for entry in entries:
        page = SiteUrl(entry.url, entry.updated or dates.get(entry.source), entry.alternates)
        by_lang.setdefault(entry.lang, []).append(page)
    shown = sorted(lang for lang, listed in by_lang.items() if listed)
    alternates = tuple(index_alternate_versions(shown, settings))
    # An index changes when an exercise goes, which no seed's date says: Google asks for no
    # lastmod rather than a guess on a page that gathers others.
    indexes = [
        SiteUrl(index_url(lang, settings), None, alternates if listed else ())
        for lang, listed in sorted(by_lang.items())
    ]
    return [*indexes, *sorted(page for listed in by_lang.values() for page in listed)]


def _url_element(url: SiteUrl) -> str:
    # Here, not at the top: the exporter names this module's files on every run, and
    # xml.sax.saxutils loads urllib.request.
    from xml.sax.saxutils import escape, quoteattr

    lastmod = f"<lastmod>{url.lastmod}</lastmod>" if url.lastmod else ""
    links = "".join(
        f'\n<xhtml:link rel="alternate" hreflang={quoteattr(lang)} href={quoteattr(href)}/>'
        for lang, href in url.alternates
    )
    return f"<url><loc>{escape(url.loc)}</loc>{lastmod}{links}</url>\n"


def _parts(urls: Sequence[SiteUrl]) -> Iterator[tuple[list[str], str | None]]:
    """The ``<url>`` elements, in files of at most :data:`MAX_URLS` and :data:`MAX_BYTES`,
    each with its newest ``lastmod``."""
    room = MAX_BYTES - len(_HEAD) - len(_TAIL)
    elements: list[str] = []
    size = 0
    newest: str | None = None
    for url in urls:
        element = _url_element(url)
        length = len(element.encode("utf-8"))
        if elements and (len(elements) == MAX_URLS or size + length > room):
            yield elements, newest
            elements, size, newest = [], 0, None
        elements.append(element)
        size += length
        if url.lastmod and (newest is None or url.lastmod > newest):
            newest = url.lastmod
    yield elements, newest


def sitemap_files(urls: Sequence[SiteUrl], settings: Settings) -> list[tuple[str, str]]:
    """The sitemap's files, as names in ``html/`` and their text: ``sitemap.xml`` alone, or
    for a site past one file's limits, ``sitemap-1.xml``... and ``sitemap.xml`` indexing
    them."""
    from xml.sax.saxutils import escape

    parts = list(_parts(urls))
    if len(parts) == 1:
        return [(SITEMAP_FILE, _HEAD + "".join(parts[0][0]) + _TAIL)]
    base_url = check_base_url(settings)
    files = []
    listed = []
    for number, (elements, newest) in enumerate(parts, start=1):
        name = PART_FILE.format(part=number)
        files.append((name, _HEAD + "".join(elements) + _TAIL))
        lastmod = f"<lastmod>{newest}</lastmod>" if newest else ""
        listed.append(f"<sitemap><loc>{escape(base_url + name)}</loc>{lastmod}</sitemap>\n")
    index = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        + "".join(listed)
        + "</sitemapindex>\n"
    )
    return [(SITEMAP_FILE, index), *files]


def robots_txt(settings: Settings) -> str:
    """``robots.txt``: every page may be crawled, and the sitemap is at ``base_url``. Crawlers
    read it only at the root of a host, so it matters when ``base_url`` is one."""
    return f"User-agent: *\nDisallow:\n\nSitemap: {check_base_url(settings)}{SITEMAP_FILE}\n"


def site_files(entries: Sequence[IndexEntry], settings: Settings) -> list[tuple[str, str]]:
    """The sitemap's files and ``robots.txt``, as output paths (``html/...``) and text, for
    the pages of ``entries``. Asks git, once per repository, for the dates of the seeds
    without ``updated``."""
    from pipeline.gitdates import last_commit_dates

    undated = sorted({entry.source for entry in entries if not entry.updated and entry.source})
    dates = last_commit_dates(undated) if undated else {}
    files = sitemap_files(site_urls(entries, settings, dates), settings)
    files.append((ROBOTS_FILE, robots_txt(settings)))
    return [(f"{SITE_FOLDER}/{name}", text) for name, text in files]
