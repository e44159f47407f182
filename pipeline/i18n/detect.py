"""Whether a seed's text is in the language it says it is in.

A seed that names no language is taken to be in ``default_lang``; one written in German and
never told so is published as English: English labels, ``inLanguage: en``, the English search
stemmer. ``pipeline check`` reads the seed's prose with lingua, among the shipped languages
only, and warns when the text clearly reads as another one (docs/languages-detect.md).

The detector is built once per process, on the first seed long enough to judge, in lingua's
low-accuracy mode: trigrams only, about 57 MB and 1.2 s to load for seeds in every shipped
language, against about 450 MB and 9 s for the high-accuracy models (bench/detect.py).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePath
from typing import TYPE_CHECKING

from pipeline.diagnostics import Diagnostic, Level
from pipeline.i18n import FALLBACK, SHIPPED, base_language, fallback_chain, language_name

if TYPE_CHECKING:
    from lingua import LanguageDetector

    from pipeline.model import Exercise

MIN_LETTERS = 100
"""Texts with fewer letters than this are not judged: a title and a one-line description
say too little to be sure of. On wger's translations every misreading had under 60 letters
(``Upper External Oblique. Exercise for upper external oblique muscles.`` reads as French);
none of 100 or more was misread (docs/languages-detect.md)."""

MIN_CONFIDENCE = 0.9
"""How sure the detector must be of the language it reads (its confidence, which sums to 1
over the shipped languages) before the seed is warned about."""

MAX_DECLARED = 0.05
"""How much confidence the seed's own language may keep, at most, for the seed to be warned
about: a text that could still be in its language is left alone."""

_URL = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)
_LETTER = re.compile(r"[^\W\d_]")


@dataclass(frozen=True, slots=True)
class Reading:
    """What the detector makes of a text: the language it reads as most likely (a shipped
    tag), how sure it is, and how much it leaves to the language the seed says."""

    language: str
    confidence: float
    declared: float

    def contradicts(self) -> bool:
        """True when the text clearly reads as :attr:`language`, not the seed's own."""
        return self.confidence >= MIN_CONFIDENCE and self.declared <= MAX_DECLARED


MAX_CHARS = 500
"""How much of a seed's prose is read, from its start: five times the shortest text judged,
which settles its language, and lingua's time grows with the text (1,000 characters cost
``check`` twice as much, for no seed told otherwise)."""


def prose(exercise: Exercise) -> str:
    """The seed's prose, as the detector reads it: its title (when the seed gives one, not
    the one made from the file name), description, every section's items (labels too), the
    closing note and the how-to steps, each text once (a how-to step repeating a label adds
    nothing), up to :data:`MAX_CHARS`; no slug, frontmatter key or value list, heading or
    URL."""
    once = {part.strip(" .,:;!?").casefold(): part for part in _prose_parts(exercise)}
    return "\n".join(once.values())[:MAX_CHARS]


def _prose_parts(exercise: Exercise) -> Iterator[str]:
    if "title" in exercise.frontmatter_lines:
        yield exercise.title
    yield exercise.description
    for section in exercise.sections:
        for item in section.items:
            if item.label:
                yield item.label
            yield item.text
    for paragraph in exercise.outro:
        yield paragraph.text
    for step in exercise.howto:
        yield step.name
        yield step.text


def written_as(tag: str) -> frozenset[str]:
    """The base languages text in ``tag`` is written in: ``pt-BR`` -> ``pt``, ``no`` ->
    ``no`` and ``nb`` (Bokmål, as Norwegian is written); never the English fallback of a
    language that is not English."""
    chain = fallback_chain(tag)
    if base_language(tag) != FALLBACK:
        chain = chain[:-1]
    return frozenset(base_language(t) for t in chain)


def judged(tag: str) -> bool:
    """True when the detector knows the language ``tag`` is written in (a shipped one):
    only then can it tell that a text is not in it."""
    return not written_as(tag).isdisjoint(SHIPPED)


def letters(text: str) -> int:
    """How many letters ``text`` has once its URLs are left out: what the length a text
    must have to be judged counts."""
    return len(_LETTER.findall(_URL.sub(" ", text)))


def read_language(text: str, declared: str, *, min_letters: int = MIN_LETTERS) -> Reading | None:
    """What ``text``, said to be in ``declared``, reads as; None when it is not judged: fewer
    than ``min_letters`` letters, or in a language the detector does not know."""
    text = _URL.sub(" ", text)
    if len(_LETTER.findall(text)) < min_letters or not judged(declared):
        return None
    values = _detector().compute_language_confidence_values(text)
    confidence = {v.language.iso_code_639_1.name.lower(): v.value for v in values}
    if not confidence:
        return None
    best = max(confidence, key=lambda tag: (confidence[tag], tag))
    own = written_as(declared)
    return Reading(best, confidence[best], sum(v for t, v in confidence.items() if t in own))


def mismatch(text: str, declared: str, *, min_letters: int = MIN_LETTERS) -> str | None:
    """The shipped language ``text`` clearly reads as when that is not ``declared``'s (the
    same base language: ``pt`` for ``pt-BR``), else None."""
    reading = read_language(text, declared, min_letters=min_letters)
    if reading is None or reading.language in written_as(declared):
        return None
    return reading.language if reading.contradicts() else None


def language_warning(exercise: Exercise) -> Diagnostic | None:
    """The warning for a seed whose text reads as another language than its own, at its
    ``lang`` (or its first line), saying what to write or how to rename the file; None when
    the text is in its language, or cannot be told."""
    found = mismatch(prose(exercise), exercise.lang)
    if found is None:
        return None
    from pipeline.parser import split_language_suffix

    path = exercise.source.path
    name, suffix = split_language_suffix(PurePath(path).name.removesuffix(".md"))
    lang_line = exercise.frontmatter_lines.get("lang")
    said = (
        f"the text reads as {language_name(found, 'en')} ({found}), "
        f"but the seed's language is {exercise.lang}"
    )
    renamed = f"{name}.{found}.md"
    if lang_line is not None:
        rename = f" and rename it {renamed}" if suffix else ""
        line, advice = lang_line.line, f"change it to 'lang: {found}'{rename}"
    elif suffix:
        line, advice = 1, f"rename it {renamed}"
    else:
        line, advice = 1, f"add 'lang: {found}' or rename it {renamed}"
    return Diagnostic(path, line, Level.WARNING, f"{said}; {advice}")


@functools.cache
def _detector() -> LanguageDetector:
    """The shipped languages' detector, built on first use (lingua loads its models then)."""
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    codes = [getattr(IsoCode639_1, tag.upper()) for tag in SHIPPED]
    return LanguageDetectorBuilder.from_iso_codes_639_1(*codes).with_low_accuracy_mode().build()
