"""Offline validation of a sitemap (``sitemap.xml``, its parts and its index), as search
engines read one (sitemaps.org's protocol, Google's hreflang rules), and against the site
folder it sits in: every URL it lists must be a page there.

Problems are returned, never raised, each at its line (see :class:`pipeline.validation.Problem`).
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.files import read_regular

NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"
MAX_URLS = 50_000
MAX_BYTES = 50 * 1024 * 1024
MAX_URL_LENGTH = 2048
_W3C_DATE = re.compile(
    r"\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01])"
    r"(T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d+)?)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d))?)?)?"
)
SITEMAP_NAME = re.compile(r"sitemap(-[\w-]+)?\.xml", re.IGNORECASE)
"""The file names ``pipeline validate`` reads as sitemaps in a folder."""


@dataclass
class _Listed:
    line: int
    alternates: dict[str, str]


@dataclass
class _Sitemap:
    """What the files of one sitemap list, read so far."""

    folder: Path
    problems: list[tuple[int, str]] = field(default_factory=list)
    urls: dict[str, _Listed] = field(default_factory=dict)


def _parse(path: Path, sitemap: _Sitemap) -> Any:
    from lxml import etree

    try:
        data = read_regular(path, MAX_BYTES + 1)
    except OSError as error:
        sitemap.problems.append((0, f"cannot read {path.name}: {error.strerror or error}"))
        return None
    if len(data) > MAX_BYTES:
        sitemap.problems.append((0, f"{path.name} is over 50 MB, the most a sitemap may be"))
        return None
    # Entities are not expanded and nothing is fetched: a sitemap is data.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        sitemap.problems.append((error.lineno or 0, f"not well-formed XML: {error.msg}"))
        return None


def _absolute(url: str) -> bool:
    parts = urllib.parse.urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _read_urlset(root: Any, sitemap: _Sitemap) -> None:
    urls = root.findall(f"{NS}url")
    if len(urls) > MAX_URLS:
        sitemap.problems.append(
            (root.sourceline, f"{len(urls)} URLs, over the 50,000 a file may hold")
        )
    for url in urls:
        _read_url(url, sitemap)


def _read_url(url: Any, sitemap: _Sitemap) -> None:
    line = url.sourceline or 0
    locs = [(loc.text or "").strip() for loc in url.findall(f"{NS}loc")]
    if len(locs) != 1:
        sitemap.problems.append((line, f"a <url> needs one <loc>, this one has {len(locs)}"))
        return
    loc = locs[0]
    if not _absolute(loc) or len(loc) > MAX_URL_LENGTH:
        why = "is not an absolute http(s) URL of at most 2,048 characters"
        sitemap.problems.append((line, f"<loc> {loc!r} {why}"))
        return
    if loc in sitemap.urls:
        first = sitemap.urls[loc].line
        sitemap.problems.append((line, f"{loc} is listed twice (first at line {first})"))
        return
    _check_lastmods(url, line, sitemap)
    sitemap.urls[loc] = _Listed(line, _alternates(url, line, sitemap))


def _check_lastmods(url: Any, line: int, sitemap: _Sitemap) -> None:
    for lastmod in url.findall(f"{NS}lastmod"):
        if not _W3C_DATE.fullmatch((lastmod.text or "").strip()):
            why = "is not a W3C date (2024-05-01, or with a time and zone)"
            sitemap.problems.append(
                (lastmod.sourceline or line, f"<lastmod> {lastmod.text!r} {why}")
            )


def _alternates(url: Any, line: int, sitemap: _Sitemap) -> dict[str, str]:
    """The url's hreflang versions, by tag."""
    alternates = {}
    for link in url.findall(f"{XHTML}link"):
        lang, href = link.get("hreflang", ""), link.get("href", "")
        if link.get("rel") != "alternate" or not lang or not _absolute(href):
            why = 'an xhtml:link needs rel="alternate", an hreflang and an absolute href'
            sitemap.problems.append((link.sourceline or line, why))
            continue
        alternates[lang] = href
    return alternates


def _read_index(root: Any, path: Path, sitemap: _Sitemap) -> None:
    for part in root.findall(f"{NS}sitemap"):
        loc = (part.findtext(f"{NS}loc") or "").strip()
        name = urllib.parse.unquote(urllib.parse.urlsplit(loc).path.rsplit("/", 1)[-1])
        target = path.parent / name
        if not _absolute(loc) or not name:
            sitemap.problems.append(
                (part.sourceline, f"<loc> {loc!r} of a sitemap is not an absolute URL")
            )
        elif not target.is_file():
            sitemap.problems.append(
                (part.sourceline, f"the part {loc} is not beside the index ({name})")
            )
        else:
            child = _parse(target, sitemap)
            if child is not None and child.tag == f"{NS}urlset":
                _read_urlset(child, sitemap)
            elif child is not None:
                sitemap.problems.append((part.sourceline, f"the part {name} is not a <urlset>"))


def _base_url(path: Path, urls: dict[str, _Listed]) -> str | None:
    """The URL the sitemap's folder is deployed at: as robots.txt beside it names the
    sitemap, else the folder all its URLs share."""
    robots = path.parent / "robots.txt"
    if robots.is_file():
        for line in robots.read_text("utf-8", errors="replace").splitlines():
            key, _, value = line.partition(":")
            if key.strip().lower() == "sitemap" and value.strip().endswith("/" + path.name):
                return value.strip()[: -len(path.name)]
    if not urls:
        return None
    shared = min(urls)
    for url in urls:
        while not url.startswith(shared):
            shared = shared[:-1]
    return shared[: shared.rfind("/") + 1] if "/" in shared[8:] else None


def _check_pages(path: Path, sitemap: _Sitemap) -> None:
    """Each URL is a page in the sitemap's folder, deployed at its base URL."""
    from pipeline.pages.layout import site_path

    base = _base_url(path, sitemap.urls)
    if base is None:
        return
    for url, listed in sitemap.urls.items():
        where = site_path(url, base)
        if where is None or not (sitemap.folder / where).is_file():
            shown = where or url.removeprefix(base)
            sitemap.problems.append(
                (listed.line, f"{url} is not a page in this folder (no {shown})")
            )


def _check_alternates(sitemap: _Sitemap) -> None:
    """Google's hreflang rules: each version lists itself, and every version it lists
    lists it back."""
    for url, listed in sitemap.urls.items():
        if not listed.alternates:
            continue
        _check_tags(listed, sitemap)
        if url not in listed.alternates.values():
            sitemap.problems.append((listed.line, f"{url} lists other versions but not itself"))
        for lang, href in listed.alternates.items():
            other = sitemap.urls.get(href)
            if lang == "x-default" or other is None or href == url:
                continue
            if url not in other.alternates.values():
                sitemap.problems.append((listed.line, f"{href} ({lang}) does not list {url} back"))


def _check_tags(listed: _Listed, sitemap: _Sitemap) -> None:
    from pipeline.i18n import TagError, canonical_tag

    for lang in listed.alternates:
        if lang == "x-default":
            continue
        try:
            canonical_tag(lang)
        except TagError:
            sitemap.problems.append((listed.line, f"hreflang {lang!r} is not a language tag"))


def check_sitemap(path: Path) -> list[tuple[int, str]]:
    """Every problem with the sitemap at ``path`` (and its parts, for an index), each with
    its line (0 for the whole file)."""
    sitemap = _Sitemap(path.parent)
    root = _parse(path, sitemap)
    if root is None:
        return sitemap.problems
    if root.tag == f"{NS}urlset":
        _read_urlset(root, sitemap)
    elif root.tag == f"{NS}sitemapindex":
        _read_index(root, path, sitemap)
    else:
        sitemap.problems.append(
            (
                root.sourceline,
                f"<{root.tag}> is neither a <urlset> nor a <sitemapindex> of sitemaps.org's "
                "namespace",
            )
        )
        return sitemap.problems
    _check_pages(path, sitemap)
    _check_alternates(sitemap)
    return sitemap.problems
