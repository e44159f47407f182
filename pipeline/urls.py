"""The site's URLs: ``base_url`` checked, and each exercise page's URL from ``url_pattern``.

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
        sample = settings.url_pattern.format(base_url=base_url, slug="sample")
    except (KeyError, IndexError, ValueError) as exc:
        raise PipelineError(
            f"the url_pattern setting '{settings.url_pattern}' cannot be filled in: {exc!r}; "
            "use the placeholders {base_url} and {slug}"
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
    """The absolute URL of the exercise's page, from ``url_pattern``."""
    return settings.url_pattern.format(base_url=check_base_url(settings), slug=exercise.slug)
