"""The HTML site: where each page goes (:mod:`.layout`), what the index shows of each exercise
(:mod:`.entry`) and what the pages say (:mod:`.render`, styled by ``page.css``). The ``html``
exporter writes what these build.

The markup is imported on first use of :func:`exercise_page` or :func:`index_page`: it loads
the model and the style sheet, which a run that rebuilds no page never needs.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from pipeline.pages.entry import IndexEntry
from pipeline.pages.layout import (
    INDEX_FILE,
    INDEX_PATH,
    check_layout,
    page_path,
    page_templates,
    relative_link,
    site_path,
)

if TYPE_CHECKING:
    from pipeline.pages.render import exercise_page, index_page

_RENDERED = ("exercise_page", "index_page")

__all__ = [
    "INDEX_FILE",
    "INDEX_PATH",
    "IndexEntry",
    "check_layout",
    "exercise_page",
    "index_page",
    "page_path",
    "page_templates",
    "relative_link",
    "site_path",
]


def __getattr__(name: str) -> object:
    """The markup's functions, imported when first asked for."""
    if name in _RENDERED:
        return getattr(importlib.import_module("pipeline.pages.render"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
