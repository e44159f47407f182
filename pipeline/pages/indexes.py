"""The site's index pages, one per language: which exercises each lists, where it goes, and
the links between them. The ``html`` exporter writes them; the benchmark's floor makes them
the same way."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from pipeline.pages.layout import index_alternate_links, index_path
from pipeline.urls import index_url

if TYPE_CHECKING:
    from pipeline.config import Settings
    from pipeline.pages.entry import IndexEntry


def index_pages(entries: Iterable[IndexEntry], settings: Settings) -> Iterator[tuple[str, str]]:
    """Each language's index page, as its path below the output folder and its HTML:
    ``html/index.html`` for ``default_lang``, ``html/<lang>/index.html`` for another, listing
    the ``entries`` in its language in the order given, in its words, linking to the other
    languages' indexes that list something; and beside each that lists something, its
    finder's data (``index.json``)."""
    from pipeline.jsonld import catalogue_document, script_element
    from pipeline.pages.finder import DATA_FILE, facets, finder_data
    from pipeline.pages.render import index_page

    # The page at base_url is always there, even when no exercise is in default_lang.
    by_lang: dict[str, list[IndexEntry]] = {settings.default_lang: []}
    for entry in entries:
        by_lang.setdefault(entry.lang, []).append(entry)
    # An index links only to the indexes with something on them.
    shown = sorted(lang for lang, listed in by_lang.items() if listed)
    alternates = index_alternate_links(shown, settings)
    for lang, listed in sorted(by_lang.items()):
        url = index_url(lang, settings)
        pages = [(entry.title, entry.url) for entry in listed]
        script = script_element(catalogue_document(pages, settings, url=url, lang=lang))
        others = [(other, index_url(other, settings)) for other in shown if other != lang]
        head = (alternates if listed else "") + script
        found = facets(listed)
        page = index_page(
            listed,
            url,
            head,
            found=found,
            lang=lang,
            languages=others,
            overrides=settings.labels,
            brand=settings.brand,
        )
        path = index_path(lang, settings)
        yield path, page
        if listed:
            yield f"{path.rsplit('/', 1)[0]}/{DATA_FILE}", finder_data(listed, found)
