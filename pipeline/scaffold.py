"""``pipeline new``: the skeleton of a seed, every section under its heading in the seed's
language, for an author to fill in.

The skeleton is a seed with its blanks left blank: ``pipeline check`` names each one still to
fill, at its line (the description, the steps, a step's name), and accepts it once they are
filled. Nothing in it is made up.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from pipeline.i18n.headings import canonical
from pipeline.model import SectionKind
from pipeline.slugs import slugify

_LISTS = (
    (SectionKind.SETUP, "1."),
    (SectionKind.EXECUTION, "1."),
    (SectionKind.TIPS, "-"),
    (SectionKind.MISTAKES, "-"),
)


def skeleton(title: str, lang: str) -> str:
    """The text of a new seed titled ``title``, its headings in ``lang``."""
    front = [
        f"title: {json.dumps(title, ensure_ascii=False)}",
        "# One or two sentences that say what the exercise is.",
        'description: ""',
        "# The rest is optional: fill in what applies, delete the others",
        "# (docs/seed-format.md names every field).",
        "level:  # beginner, intermediate or expert",
        "category:",
        "equipment: []",
        "muscles: []",
        "secondary_muscles: []",
        "video:  # a YouTube address",
    ]
    sections = [
        part
        for kind, bullet in _LISTS
        for part in (f"## {canonical(kind, lang)}", "", f"{bullet} ", "")
    ]
    howto = ["<!-- howto -->", "", "### ", "", ""]
    return "\n".join(["---", *front, "---", "", *sections, *howto]).rstrip("\n") + "\n"


def seed_name(title: str, lang: str, default_lang: str) -> str:
    """The file name of a new seed: its slug, and a language suffix when it is not in
    ``default_lang`` (``kniebeuge.de.md``). Raises :class:`ValueError` for a title that makes
    no slug."""
    slug = slugify(title)
    if not slug:
        raise ValueError(f"the title '{title}' has no letter or digit to make a file name from")
    suffix = "" if lang.lower() == default_lang.lower() else f".{lang}"
    return f"{slug}{suffix}.md"


def new_seed(title: str, folder: Path, *, lang: str, default_lang: str) -> Path:
    """Write the skeleton of a new seed into ``folder`` and return its path. Raises
    :class:`FileExistsError` when the file is there already (it is never overwritten)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / seed_name(title, lang, default_lang)
    # O_EXCL: created here or not at all, even if another process makes it meanwhile.
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as file:
        file.write(skeleton(title, lang))
    return path
