"""The site's URLs: ``base_url`` checked, each exercise page's URL from ``url_pattern``, and
where each language's outputs go.

A seed in ``default_lang`` has its page where ``url_pattern`` says (``{base_url}{slug}/``) and
its files where they always were (``jsonld/<slug>.jsonld``); a seed in another language has
them under that language's folder: ``{base_url}de/{slug}/``, ``jsonld/de/<slug>.jsonld``. A
``url_pattern`` with ``{lang}`` in it says itself where every language goes. Folders and URLs
spell the tag in lower case (``pt-br``), as URLs usually are; ``hreflang`` and ``inLanguage``
keep BCP 47's spelling.

Apart from the JSON-LD built on them, so every run can check the settings before it starts
without loading the model and the documents.
"""

from __future__ import annotations

import urllib.parse
from typing import TYPE_CHECKING

from pipeline.diagnostics import PipelineError

if TYPE_CHECKING:
    from pipeline.config import Settings
    from pipeline.model import Exercise
    from pipeline.translations import Addresses


def check_base_url(settings: Settings) -> str:
    """The configured ``base_url``; raises :class:`PipelineError` naming the setting when it is
    missing, not an absolute http(s) URL, or when ``url_pattern`` cannot be filled in."""
    base_url = settings.base_url
    if not base_url:
        raise PipelineError(
            "the base_url setting is missing: set base_url in [tool.pipeline] of pyproject.toml "
            "or in pipeline.toml, the PIPELINE_BASE_URL environment variable, or --base-url"
        )
    if not _is_absolute_http(base_url):
        raise PipelineError(
            f"the base_url setting '{base_url}' is not an absolute http(s) URL "
            "(e.g. https://example.org/exercises/)"
        )
    try:
        sample = settings.url_pattern.format(base_url=base_url, slug="sample", lang="de")
    except (KeyError, IndexError, ValueError) as exc:
        raise PipelineError(
            f"the url_pattern setting '{settings.url_pattern}' cannot be filled in: {exc!r}; "
            "use the placeholders {base_url}, {slug} and {lang}"
        ) from None
    if not _is_absolute_http(sample) or "#" in sample:
        raise PipelineError(
            f"the url_pattern setting '{settings.url_pattern}' does not give an absolute "
            f"http(s) URL without a #fragment (it gives '{sample}')"
        )
    return base_url


def _is_absolute_http(url: str) -> bool:
    parts = urllib.parse.urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def page_url(exercise: Exercise, settings: Settings) -> str:
    """The absolute URL of the exercise's page, from ``url_pattern`` and its language."""
    return version_url(exercise.slug, exercise.lang, settings)


def version_url(slug: str, lang: str, settings: Settings) -> str:
    """The absolute URL of the page of the exercise ``slug`` in ``lang``: ``url_pattern``
    filled in, under ``{base_url}<lang>/`` for a language other than ``default_lang`` unless
    the pattern places ``{lang}`` itself."""
    base_url = check_base_url(settings)
    pattern = settings.url_pattern
    folder = lang_folder(lang, settings)
    if "{lang}" in pattern or not folder:
        return pattern.format(base_url=base_url, slug=slug, lang=url_lang(lang))
    if not pattern.startswith("{base_url}"):
        raise PipelineError(
            f"the url_pattern setting '{pattern}' cannot place pages in {lang}: put {{lang}} "
            "in it (e.g. {base_url}{lang}/{slug}/), or start it with {base_url}"
        )
    return base_url + folder + pattern.removeprefix("{base_url}").format(slug=slug)


def index_url(lang: str, settings: Settings) -> str:
    """The URL of the index page of the exercises in ``lang``: ``base_url`` for
    ``default_lang``, ``{base_url}<lang>/`` for another language."""
    return check_base_url(settings) + lang_folder(lang, settings)


def url_lang(lang: str) -> str:
    """The tag as URLs and folders spell it: lower case (``pt-BR`` -> ``pt-br``)."""
    return lang.lower()


def lang_folder(lang: str, settings: Settings) -> str:
    """The folder, ending in ``/``, of a language's outputs: none for ``default_lang``
    (``jsonld/squat.jsonld``), ``de/`` for German (``jsonld/de/squat.jsonld``)."""
    return "" if lang == settings.default_lang else f"{url_lang(lang)}/"


def lang_suffix(lang: str, settings: Settings) -> str:
    """What a whole-collection file's name carries for a language: none for
    ``default_lang`` (``cards.pdf``), ``.de`` for German (``cards.de.pdf``)."""
    return "" if lang == settings.default_lang else f".{url_lang(lang)}"


def addresses(settings: Settings) -> Addresses | None:
    """The site's URLs as the whole-set checks ask for them (see
    :data:`pipeline.translations.Addresses`), or ``None`` without a usable ``base_url``:
    then there are no pages to clash."""
    try:
        check_base_url(settings)
    except PipelineError:
        return None

    def page(slug: str, lang: str) -> str | None:
        try:
            return version_url(slug, lang, settings)
        except PipelineError:  # said by the html exporter's own check of the settings
            return None

    return page, lambda lang: index_url(lang, settings)


_EXTENSIONS = {"png": "png", "jpeg": "jpg", "svg": "svg"}
PICTURE_EXTENSIONS = tuple(_EXTENSIONS.values())


def picture_names(exercise: Exercise, page: str) -> list[str | None]:
    """The file name each local picture is published under, beside the page at URL ``page``
    (``None`` for a picture on the web): the file's own name as a slug, which says what it
    shows to a search engine and to whoever saves it; after the exercise's slug when the
    page shares its folder with others' (``.../leg-curl.html``), so it is never another
    seed's."""
    from pipeline.slugs import slugify

    own_folder = page.endswith("/")
    names: list[str | None] = []
    taken: set[str] = set()
    for picture in exercise.images:
        if picture.format is None:
            names.append(None)
            continue
        stem = slugify(picture.src.rsplit("/", 1)[-1].rsplit(".", 1)[0]) or "picture"
        prefixed = own_folder or stem.startswith(exercise.slug)
        base = stem if prefixed else f"{exercise.slug}-{stem}"
        name, number = base, 1
        while name in taken:
            number += 1
            name = f"{base}-{number}"
        taken.add(name)
        names.append(f"{name}.{_EXTENSIONS[picture.format.value]}")
    return names


def picture_urls(exercise: Exercise, settings: Settings) -> list[str]:
    """The address of each picture: a local one's where the html exporter publishes it,
    beside the page; one on the web's own."""
    page = page_url(exercise, settings)
    return [
        urllib.parse.urljoin(page, urllib.parse.quote(name)) if name else picture.src
        for picture, name in zip(exercise.images, picture_names(exercise, page), strict=True)
    ]
