"""The HTML site: where each page goes (:mod:`.layout`) and what it says (:mod:`.render`,
styled by ``page.css``). The ``html`` exporter writes what these build."""

from pipeline.pages.layout import (
    INDEX_FILE,
    INDEX_PATH,
    check_layout,
    page_path,
    page_template,
    relative_link,
    site_path,
)
from pipeline.pages.render import IndexEntry, exercise_page, index_page

__all__ = [
    "INDEX_FILE",
    "INDEX_PATH",
    "IndexEntry",
    "check_layout",
    "exercise_page",
    "index_page",
    "page_path",
    "page_template",
    "relative_link",
    "site_path",
]
