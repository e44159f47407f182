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
    """What the index page shows of one exercise (the html exporter's entry)."""

    slug: str
    title: str
    description: str
    url: str
    steps: int
    video: bool
    level: str | None
    lang: str

    @classmethod
    def of(cls, exercise: Exercise, settings: Settings) -> IndexEntry:
        """The index entry of one exercise."""
        return cls(
            exercise.slug,
            exercise.title,
            exercise.description,
            page_url(exercise, settings),
            len(exercise.howto),
            exercise.video_id is not None,
            exercise.level.value if exercise.level else None,
            exercise.lang,
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
