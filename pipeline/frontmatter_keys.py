"""The keys a seed's frontmatter may have, in the order of its model's fields.

Here rather than beside the model (:class:`pipeline.frontmatter.SeedFrontmatter`, which a test
holds them equal to) because every run names them in its parse key, and a run with nothing to
parse should not load YAML and the model to say so.
"""

from __future__ import annotations

KNOWN_KEYS: tuple[str, ...] = (
    "description",
    "video",
    "title",
    "slug",
    "equipment",
    "supplies",
    "muscles",
    "secondary_muscles",
    "level",
    "category",
    "video_uploaded",
    "duration",
    "video_times",
    "image",
    "images",
    "lang",
    "translation_of",
    "aliases",
    "sets",
    "reps",
    "rest",
    "tempo",
    "settings",
    "time",
    "license",
    "author",
    "author_url",
    "source_url",
    "station",
    "updated",
    "draft",
)
