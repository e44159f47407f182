"""Slugs and titles derived from seed file names."""

from __future__ import annotations

import re
import unicodedata

from anyascii import anyascii

_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_WORD_BREAK = re.compile(r"[-_\s]+")


def slugify(name: str) -> str:
    """A URL slug from any text: transliterated to ASCII, lower case, runs of other
    characters folded to one ``-`` (``bankdrücken-kh`` -> ``bankdrucken-kh``).
    May be empty when nothing in ``name`` transliterates to a letter or digit."""
    ascii_name = anyascii(unicodedata.normalize("NFC", name)).lower()
    return _NOT_SLUG.sub("-", ascii_name).strip("-")


def title_from_stem(stem: str) -> str:
    """A display title from a file stem: ``leverage-machine-lying-leg-curl`` ->
    ``Leverage Machine Lying Leg Curl``. Only the first letter of each word is changed."""
    words = [w for w in _WORD_BREAK.split(unicodedata.normalize("NFC", stem)) if w]
    return " ".join(w[:1].upper() + w[1:] for w in words)
