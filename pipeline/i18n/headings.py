"""The ``##`` headings a seed's sections may have, in each shipped language: ``## Ausführung``
in a German seed is its Execution, ``## Частые ошибки`` in a Russian one its Common Mistakes.

The names are package data (``headings.toml`` beside this module), read once. A heading is
looked up under the seed's language and its fallbacks (``pt-BR`` -> ``pt`` -> ``en``), so
English headings are understood in every language, and a name in the seed's own language
wins over the same letters in English.
"""

from __future__ import annotations

import difflib
import functools
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources

from pipeline.i18n import SHIPPED, fallback_chain
from pipeline.model import SectionKind

KINDS = (SectionKind.SETUP, SectionKind.EXECUTION, SectionKind.TIPS, SectionKind.MISTAKES)
"""The sections a heading can name, in the order a seed gives them."""

# Spellings a writer uses interchangeably: the Russian yo written without its dots (U+0451 as
# U+0435), Turkish dotted and dotless i (whose cases casefold() does not pair up: U+0130 folds
# to i and a combining dot U+0307, I to i, and U+0131 stays as it is), the typographic
# apostrophe.
_SPELLINGS = str.maketrans({"\u0451": "\u0435", "\u0131": "i", "\u0307": None, "\u2019": "'"})


def fold(heading: str) -> str:
    """The form headings are compared in: case, runs of white space, Unicode composition
    and the spellings above do not count; accents do (``Ausfuhrung`` is not ``Ausführung``)."""
    folded = unicodedata.normalize("NFC", heading).casefold().translate(_SPELLINGS)
    return " ".join(folded.split())


@dataclass(frozen=True)
class Vocabulary:
    """One language's headings: each kind's names, the one messages use first."""

    lang: str
    names: Mapping[SectionKind, tuple[str, ...]]
    kinds: Mapping[str, SectionKind]  # folded name -> kind

    def canonical(self, kind: SectionKind) -> str:
        """The heading messages use for ``kind`` in this language."""
        return self.names[kind][0]


@functools.cache
def vocabularies() -> dict[str, Vocabulary]:
    """Every shipped language's headings, by language tag, in the order of ``SHIPPED``."""
    import tomllib

    text = resources.files("pipeline.i18n").joinpath("headings.toml").read_text("utf-8")
    tables = tomllib.loads(text)
    if sorted(tables) != sorted(SHIPPED):
        raise ValueError(f"headings.toml: languages {sorted(tables)} are not {sorted(SHIPPED)}")
    return {lang: _vocabulary(lang, tables[lang]) for lang in SHIPPED}


def _vocabulary(lang: str, table: dict[str, object]) -> Vocabulary:
    """One language's table, checked: a list of names for each kind, no name twice."""
    expected = sorted(kind.value for kind in KINDS)
    if sorted(table) != expected:
        raise ValueError(f"headings.toml [{lang}]: sections {sorted(table)} are not {expected}")
    names: dict[SectionKind, tuple[str, ...]] = {}
    kinds: dict[str, SectionKind] = {}
    for kind in KINDS:
        listed = table[kind.value]
        if not isinstance(listed, list) or not listed:
            raise ValueError(f"headings.toml [{lang}] {kind.value}: not a list of headings")
        for name in listed:
            if not isinstance(name, str) or not fold(name) or fold(name) in kinds:
                raise ValueError(f"headings.toml [{lang}] {kind.value}: {name!r} is empty or twice")
            kinds[fold(name)] = kind
        names[kind] = tuple(listed)
    return Vocabulary(lang, names, kinds)


@functools.cache
def chain(lang: str) -> tuple[Vocabulary, ...]:
    """The vocabularies a seed in ``lang`` is read with, its own language first, English last."""
    known = vocabularies()
    return tuple(known[tag] for tag in fallback_chain(lang) if tag in known)


def _match(heading: str, lang: str) -> tuple[SectionKind, Vocabulary] | None:
    key = fold(heading)
    for vocabulary in chain(lang):
        kind = vocabulary.kinds.get(key)
        if kind is not None:
            return kind, vocabulary
    return None


def section_kind(heading: str, lang: str) -> SectionKind | None:
    """Which section ``heading`` (without its ``##`` or trailing colon) opens in a seed in
    ``lang``; ``None`` for a heading that names none."""
    found = _match(heading, lang)
    return found[0] if found else None


def canonical(kind: SectionKind, lang: str) -> str:
    """The heading messages name ``kind`` by in a seed in ``lang``: ``Ausführung`` for ``de``
    and ``de-AT``, ``Execution`` for a language with no headings of its own."""
    return chain(lang)[0].canonical(kind)


def canonical_names(lang: str) -> tuple[str, ...]:
    """The canonical heading of each section in ``lang``, in the order of :data:`KINDS`."""
    return tuple(canonical(kind, lang) for kind in KINDS)


def written_as(heading: str, lang: str) -> str:
    """How a message names a known section: its canonical heading when that is what was
    written (whatever the case: ``## EXECUTION`` -> ``Execution``), else the heading as
    written (``Durchführung`` stays ``Durchführung``)."""
    found = _match(heading, lang)
    if found is None:
        return heading
    kind, vocabulary = found
    name = vocabulary.canonical(kind)
    return name if fold(name) == fold(heading) else heading


def suggest(heading: str, lang: str) -> tuple[str, SectionKind] | None:
    """The known heading closest to a misspelt one and the section it names, looked for in
    the seed's own language before English (``Ausfuhrung`` -> ``Ausführung``)."""
    key = fold(heading)
    for vocabulary in chain(lang):
        spelled = {fold(name): name for kind in KINDS for name in vocabulary.names[kind]}
        close = difflib.get_close_matches(key, list(spelled), n=1, cutoff=0.6)
        if close:
            return spelled[close[0]], vocabulary.kinds[close[0]]
    return None


def languages_knowing(heading: str, lang: str) -> tuple[str, ...]:
    """The shipped languages, other than those ``lang`` is read with, that have ``heading``:
    a German heading in a seed that says nothing of its language gives ``("de",)``."""
    key = fold(heading)
    read_with = {vocabulary.lang for vocabulary in chain(lang)}
    return tuple(
        tag
        for tag, vocabulary in vocabularies().items()
        if tag not in read_with and key in vocabulary.kinds
    )
