"""The index page's finder: instant search over the exercises' titles and descriptions, and
filters by muscle, equipment, level and category.

The index is a plain list of every exercise, which is what a reader without scripts and a
search engine get. ``finder.js`` (beside this module, allowed by its hash) fetches
``index.json`` beside the page, what the list does not show of each of its exercises (facets,
other names), in its order; shows the search form; and from then on shows only the exercises
that match, a page at a time. A search finds an exercise by its title, other names,
description, muscles, equipment and category; the list's own items are what it shows.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from html import escape
from importlib import resources
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from pipeline.i18n.labels import Labels
    from pipeline.pages.entry import IndexEntry

DATA_FILE = "index.json"
"""The finder's data, beside each index page."""
DATA_VERSION = 1

FINDER_SCRIPT = resources.files("pipeline.pages").joinpath("finder.js").read_text("utf-8")
"""The index page's one script."""

FACETS = ("muscle", "equipment", "level", "category")
"""What the index can be filtered by, as the form and the data name it."""
_FACET_LABELS = {
    "muscle": "muscles",
    "equipment": "equipment",
    "level": "level",
    "category": "category",
}


class Facet(NamedTuple):
    """One filter: its name, and each value with the number of exercises that have it, in
    the order the data numbers them (alphabetical; levels from beginner up)."""

    name: str
    values: tuple[tuple[str, int], ...]


def _values(entry: IndexEntry, facet: str) -> tuple[str, ...]:
    if facet == "muscle":
        return entry.muscles
    if facet == "equipment":
        return entry.equipment
    value = entry.level if facet == "level" else entry.category
    return (value,) if value else ()


_LEVELS = ("beginner", "intermediate", "expert")


def facets(entries: Sequence[IndexEntry]) -> list[Facet]:
    """Each filter's values among ``entries``, with their counts."""
    found = []
    for name in FACETS:
        counts = Counter(value for entry in entries for value in set(_values(entry, name)))
        if name == "level":
            order = sorted(counts, key=lambda v: (_LEVELS.index(v) if v in _LEVELS else 9, v))
        else:
            order = sorted(counts, key=lambda v: (v.casefold(), v))
        found.append(Facet(name, tuple((value, counts[value]) for value in order)))
    return found


def finder_data(entries: Sequence[IndexEntry], found: Sequence[Facet]) -> str:
    """The text of ``index.json``: the facets' values, and for each of ``entries``, in the
    list's order, what its card on the page does not show: its level and category (an index
    into the facet's values, or -1), its muscles and equipment (lists of indexes), and its
    other names. The titles and descriptions the script reads from the list itself, so the
    data stays a tenth of the page's size. Compact, UTF-8 as it stands."""
    numbers = {facet.name: {v: n for n, (v, _) in enumerate(facet.values)} for facet in found}

    def one(entry: IndexEntry, facet: str) -> int:
        values = _values(entry, facet)
        return numbers[facet][values[0]] if values else -1

    items = [
        [
            one(entry, "level"),
            one(entry, "category"),
            sorted({numbers["muscle"][m] for m in entry.muscles}),
            sorted({numbers["equipment"][e] for e in entry.equipment}),
            " ".join(entry.aliases),
        ]
        for entry in entries
    ]
    data = {
        "version": DATA_VERSION,
        "facets": {facet.name: [value for value, _ in facet.values] for facet in found},
        "items": items,
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"


def _shown(facet: str, value: str, labels: Labels) -> str:
    """A filter's value as the reader sees it: a level in the page's language."""
    return labels[f"level_{value}"] if facet == "level" else value


def finder_form(found: Sequence[Facet], labels: Labels, data_link: str) -> str:
    """The search form, hidden until the script has its data (``data_link``, relative to
    the page): a search box, and a list box for each filter with two or more values to
    choose from."""
    forms = json.dumps(labels.forms("matches"), ensure_ascii=False, separators=(",", ":"))
    selects = []
    for facet in found:
        if len(facet.values) < 2:
            continue
        options = "".join(
            f'<option value="{n}">{escape(_shown(facet.name, value, labels))} ({count})</option>'
            for n, (value, count) in enumerate(facet.values)
        )
        field = f"finder-{facet.name}"
        selects.append(
            f'<div class="finder-field"><label for="{field}">'
            f"{escape(labels[_FACET_LABELS[facet.name]])}</label>"
            f'<select id="{field}" name="{facet.name}">'
            f'<option value="">{escape(labels["filter_all"])}</option>{options}</select></div>'
        )
    return (
        f'<form class="finder" role="search" hidden data-index="{escape(data_link)}" '
        f'data-lang="{escape(labels.lang)}" data-forms="{escape(forms)}">'
        '<div class="finder-field finder-query"><label for="finder-q">'
        f"{escape(labels['search'])}</label>"
        f'<input id="finder-q" type="search" name="q" autocomplete="off" '
        f'placeholder="{escape(labels["search_hint"])}"></div>'
        f"{''.join(selects)}"
        f'<button type="reset">{escape(labels["clear"])}</button>'
        '<p class="finder-status" role="status" aria-live="polite"></p>'
        "</form>\n"
    )


def finder_extras(labels: Labels) -> str:
    """What follows the list: the words for no match, and the button that shows more."""
    return (
        f'<p class="finder-empty" hidden>{escape(labels["no_matches"])}</p>'
        f'<button class="finder-more" type="button" hidden>{escape(labels["show_more"])}</button>'
        f"\n<script>{FINDER_SCRIPT}</script>"
    )
