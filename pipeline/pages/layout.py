"""Where the pages of the site go under ``html/``, and how they link to each other.

The ``html/`` folder is the site at ``base_url``: each page is written where its URL (from
``url_pattern``) says, ``html/<slug>/index.html`` by default, and every link between pages is
relative, so the folder deployed at ``base_url`` serves each page at its canonical URL.
"""

from __future__ import annotations

import functools
import posixpath
import re
import urllib.parse
from collections.abc import Sequence
from html import escape
from typing import TYPE_CHECKING

from pipeline.config import Settings
from pipeline.diagnostics import PipelineError
from pipeline.path_templates import literal
from pipeline.urls import (
    PICTURE_EXTENSIONS,
    check_base_url,
    index_url,
    lang_folder,
    page_url,
    picture_names,
    url_lang,
    version_url,
)
from pipeline.writer import OutputError

if TYPE_CHECKING:
    from pipeline.model import Exercise

INDEX_FILE = "index.html"
"""The file a static host serves for a URL that ends in ``/``."""
INDEX_PATH = f"html/{INDEX_FILE}"
"""The output path of the index page, the page at ``base_url``."""
# Stands for the slug while a URL pattern is made a path template: a NUL is in no URL pattern,
# and it passes through site_path as a slug does.
_SLUG_MARK = "\0"
_PAGE_SUFFIXES = (".html", ".htm")


def _is_plain_part(part: str) -> bool:
    """Whether one segment of a path can name a file or folder as it stands."""
    return part not in ("", ".", "..") and "/" not in part and "\\" not in part


def site_path(url: str, base_url: str) -> str | None:
    """The file under ``html/`` that serves ``url`` once ``html/`` is deployed at ``base_url``
    (``<base_url>push-up/`` -> ``push-up/index.html``, ``<base_url>push-up.html`` -> itself),
    or None when no static file can: ``url`` is not under ``base_url``, has a query, or names
    neither a folder nor an ``.html`` file."""
    rest = url.removeprefix(base_url)
    if not url.startswith(base_url) or "?" in rest or "#" in rest:
        return None
    *folders, name = (urllib.parse.unquote(part) for part in rest.split("/"))
    parts = [*folders, name or INDEX_FILE]
    if not all(map(_is_plain_part, parts)) or not parts[-1].lower().endswith(_PAGE_SUFFIXES):
        return None
    return "/".join(parts)


def check_layout(settings: Settings) -> None:
    """Raise :class:`PipelineError` naming the setting when ``html/`` cannot be the site at
    ``base_url``: ``base_url`` must be a folder, and ``url_pattern`` must put each page in its
    own file below it."""
    base_url = check_base_url(settings)
    if not base_url.endswith("/") or urllib.parse.urlsplit(base_url).query:
        raise PipelineError(
            f"the base_url setting '{base_url}' must end with '/' for the html exporter: "
            "html/index.html is the page at base_url, and the exercise pages sit below it "
            f"(e.g. {base_url.split('?')[0].rstrip('/')}/)"
        )
    pattern = settings.url_pattern
    lang = url_lang(settings.default_lang)  # for a pattern that places {lang} itself
    first, second = (pattern.format(base_url=base_url, slug=s, lang=lang) for s in ("a", "b"))
    path = site_path(first, base_url)
    shown = pattern.format(base_url=base_url, slug="<slug>", lang=lang)
    if not first.startswith(base_url):
        raise PipelineError(
            f"the url_pattern setting '{pattern}' gives '{shown}', which is not under base_url "
            f"'{base_url}': the html exporter writes the site at base_url; start url_pattern "
            "with {base_url}, or export only the JSON-LD (-f jsonld)"
        )
    if path is None:
        raise PipelineError(
            f"the url_pattern setting '{pattern}' gives '{shown}', which no static file can "
            "serve: end it with '/' (a page is then html/<slug>/index.html) or with '.html' "
            "(html/<slug>.html)"
        )
    if path == site_path(second, base_url) or path == INDEX_FILE:
        raise PipelineError(
            f"the url_pattern setting '{pattern}' does not give each page a URL of its own: "
            "use {slug} in it, e.g. {base_url}{slug}/"
        )


def page_path(exercise: Exercise, settings: Settings) -> str:
    """The output path of the exercise's page, ``html/`` + where its URL is below ``base_url``
    (``html/<slug>/index.html`` with the default ``url_pattern``)."""
    path = site_path(page_url(exercise, settings), check_base_url(settings))
    if path is None or path == INDEX_FILE:
        raise OutputError(
            f"the page of '{exercise.slug}' would be at {page_url(exercise, settings)}, "
            "where the html exporter cannot write a page of its own (it is the index page, or "
            "not a file below base_url); rename the seed or change url_pattern"
        )
    return f"html/{path}"


def page_templates(settings: Settings) -> tuple[str, ...]:
    """The templates (see :mod:`pipeline.path_templates`) of every page's output path:
    :func:`page_path` with ``{slug}`` for the slug and ``{lang}`` for the language,
    ``html/{slug}/index.html`` and ``html/{lang}/{slug}/index.html`` by default; and of each
    language's index page and its finder's data."""
    check_layout(settings)
    base_url = check_base_url(settings)
    # Any tag other than default_lang stands for "another language": the URL is made for it,
    # and its folder is then made a placeholder.
    other = "x-other"
    urls = [version_url(_SLUG_MARK, other, settings)]
    if "{lang}" not in settings.url_pattern:
        urls.append(version_url(_SLUG_MARK, settings.default_lang, settings))
    templates = []
    for url in urls:
        path = site_path(url, base_url)
        if path is None:  # the mark is read as a slug is: check_layout has refused this
            raise PipelineError(f"the url_pattern setting '{settings.url_pattern}' is not a path")
        template = literal(path).replace(_SLUG_MARK, "{slug}").replace(other, "{lang}")
        templates.append("html/" + template)
    pictures = [
        f"{posixpath.dirname(page)}/{{picture}}.{extension}"
        for page in templates
        for extension in PICTURE_EXTENSIONS
    ]
    indexes = (literal(INDEX_PATH), "html/{lang}/" + INDEX_FILE)
    data = ("html/index.json", "html/{lang}/index.json")
    return (*templates, *pictures, *indexes, *data)


def picture_paths(exercise: Exercise, settings: Settings) -> list[str | None]:
    """The output path of each local picture, in the page's folder (``None`` for a picture
    on the web): ``html/<slug>/<slug>-start.jpg`` by default."""
    folder = posixpath.dirname(page_path(exercise, settings))
    names = picture_names(exercise, page_url(exercise, settings))
    return [f"{folder}/{name}" if name else None for name in names]


def index_path(lang: str, settings: Settings) -> str:
    """The output path of the index page of the exercises in ``lang``: ``html/index.html``
    for ``default_lang``, ``html/de/index.html`` for German."""
    return f"html/{lang_folder(lang, settings)}{INDEX_FILE}"


def translation_urls(exercise: Exercise, settings: Settings) -> list[tuple[str, str]]:
    """The exercise's other language versions, each as its tag and the absolute URL of its
    page, in tag order; empty for an exercise in one language."""
    return sorted((t.lang, version_url(t.slug, t.lang, settings)) for t in exercise.translations)


def alternate_versions(exercise: Exercise, settings: Settings) -> list[tuple[str, str]]:
    """The hreflang alternates of a page that has other language versions, each a tag and
    an absolute URL: one per version, itself included, in tag order, then ``x-default``, the
    version in ``default_lang`` or else the original, for readers of any other language.
    Empty for an exercise in one language. The page's head and the sitemap both say these."""
    if not exercise.translations:
        return []
    own = page_url(exercise, settings)
    versions = sorted([(exercise.lang, own), *translation_urls(exercise, settings)])
    by_lang = dict(versions)
    original = next((t for t in exercise.translations if t.original), None)
    fallback = version_url(original.slug, original.lang, settings) if original else own
    return [*versions, ("x-default", by_lang.get(settings.default_lang, fallback))]


def alternate_links(exercise: Exercise, settings: Settings) -> str:
    """The ``<link rel="alternate" hreflang>`` elements of :func:`alternate_versions`
    (absolute URLs, as search engines want them); empty for an exercise in one language."""
    return _link_elements(alternate_versions(exercise, settings))


def index_alternate_versions(langs: Sequence[str], settings: Settings) -> list[tuple[str, str]]:
    """The hreflang alternates of the index pages when there are several languages'
    (``langs``): one per index, and ``x-default``, the page at ``base_url``; empty for one
    language."""
    if len(langs) < 2:
        return []
    versions = [(lang, index_url(lang, settings)) for lang in sorted(langs)]
    return [*versions, ("x-default", check_base_url(settings))]


def index_alternate_links(langs: Sequence[str], settings: Settings) -> str:
    """The ``<link rel="alternate" hreflang>`` elements of :func:`index_alternate_versions`;
    empty for one language."""
    return _link_elements(index_alternate_versions(langs, settings))


def _link_elements(versions: Sequence[tuple[str, str]]) -> str:
    return "".join(
        f'<link rel="alternate" hreflang="{escape(lang)}" href="{escape(url)}">\n'
        for lang, url in versions
    )


def relative_link(page: str, target: str) -> str:
    """The link, relative to the page at URL ``page``, that a browser resolves to ``target``
    (``../`` from ``<base_url>push-up/`` to ``<base_url>``): the same on the deployed site as
    on a copy of it anywhere else."""
    # The usual case, a page below the one linking, is read off the URLs: an index links
    # ten thousand pages, and the general way takes a twentieth of a millisecond each.
    folder = _plain_folder(page)
    if folder is not None and target.startswith(folder):
        rest = target[len(folder) :]
        if not rest:
            return "./"
        if _PLAIN_REST.fullmatch(rest):
            return rest
    return _relative_link(page, target)


_PLAIN_REST = re.compile(r"(?!\.\.?(?:/|$))[^/?#:]+(?:/(?!\.\.?(?:/|$))[^/?#]+)*/?")
"""A relative path whose segments are all plain names (none empty, ``.`` or ``..``), without
query, fragment, or a colon in its first segment: one that resolves to itself."""


@functools.lru_cache(maxsize=64)
def _plain_folder(page: str) -> str | None:
    """The URL of the folder of ``page`` when its path is plain (no ``.``, ``..`` or empty
    segments) and it has no query or fragment: below it, a target's link is the rest of its
    URL. ``None`` otherwise."""
    parts = urllib.parse.urlsplit(page)
    path = parts.path
    if parts.query or parts.fragment or not parts.netloc or not path.startswith("/"):
        return None
    folder = path[: path.rfind("/") + 1]
    if "//" in folder or (folder != "/" and posixpath.normpath(folder) + "/" != folder):
        return None
    if urllib.parse.urlunsplit(parts) != page:
        return None
    return page[: page.rfind("/") + 1]


def _relative_link(page: str, target: str) -> str:
    """:func:`relative_link`, worked out in general."""
    source_path = urllib.parse.urlsplit(page).path
    target_path = urllib.parse.urlsplit(target).path
    link = posixpath.relpath(target_path, source_path[: source_path.rfind("/") + 1] or "/")
    if target_path.endswith("/"):
        link = "./" if link == "." else link + "/"
    if ":" in link.split("/", 1)[0]:
        # "a:b" would read as a URL scheme.
        link = "./" + link
    # An unusual base_url (one with "." or "//" in its path) keeps absolute links.
    return link if urllib.parse.urljoin(page, link) == target else target
