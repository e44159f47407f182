"""The html exporter's entry: what the index page shows of one exercise.

Apart from the markup, which loads the model and the style sheet, because the exporter names
this type on every run, and only a run that rebuilds a page or the index needs the rest.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, NamedTuple

from pipeline.urls import page_url

if TYPE_CHECKING:
    from pipeline.config import Settings
    from pipeline.i18n.labels import Labels
    from pipeline.model import Exercise


class IndexEntry(NamedTuple):
    """What the site's aggregate files (the index page, its search data, the sitemap) need
    of one exercise (the html exporter's entry)."""

    slug: str
    title: str
    description: str
    url: str
    steps: int
    video: bool
    level: str | None
    lang: str
    category: str | None = None
    muscles: tuple[str, ...] = ()
    equipment: tuple[str, ...] = ()
    updated: str | None = None
    """The seed's ``updated`` date (ISO), for the sitemap's ``lastmod``."""
    source: str = ""
    """The seed file, whose last commit date is the ``lastmod`` without ``updated``."""
    alternates: tuple[tuple[str, str], ...] = ()
    """The page's hreflang alternates (tag, URL), for the sitemap."""
    aliases: tuple[str, ...] = ()
    """The exercise's other names, which the index's search finds it by."""

    @classmethod
    def of(cls, exercise: Exercise, settings: Settings) -> IndexEntry:
        """The index entry of one exercise."""
        from pipeline.pages.layout import alternate_versions

        return cls(
            exercise.slug,
            exercise.title,
            exercise.description,
            page_url(exercise, settings),
            len(exercise.howto),
            exercise.video_id is not None,
            exercise.level.value if exercise.level else None,
            exercise.lang,
            exercise.category,
            exercise.muscles,
            exercise.equipment,
            exercise.updated.isoformat() if exercise.updated else None,
            exercise.source.path,
            tuple(alternate_versions(exercise, settings)),
            exercise.aliases,
        )

    def summary(self, labels: Labels) -> str:
        """Steps, video and level, as the index shows them under the description, in the
        words of ``labels`` (the index's language)."""
        parts = [labels.count("steps", self.steps)] if self.steps else []
        if self.video:
            parts.append(labels["video"])
        if self.level:
            parts.append(labels[self.level])
        return escape(" \u00b7 ".join(parts))
