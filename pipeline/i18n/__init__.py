"""Languages: which tags a seed may be written in, how a tag is written, and what to fall
back to when a language lacks something (``de-AT`` -> ``de`` -> ``en``).

Tags are BCP 47 (RFC 5646). Whether a subtag exists is CLDR's word, read through Babel,
which the labels use for plural rules and language names anyway: one language database
for the whole pipeline, not a second one for the tags.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

SHIPPED = (
    "en",
    "de",
    "fr",
    "es",
    "it",
    "nl",
    "pt",
    "sv",
    "da",
    "nb",
    "fi",
    "pl",
    "cs",
    "ru",
    "uk",
    "tr",
)
"""The languages the pipeline ships headings and labels for; every other valid tag falls
back, label by label, to English."""

FALLBACK = "en"

# RFC 5646 "langtag" production: well-formedness only; whether each subtag exists is asked
# of CLDR below.
_BCP47 = re.compile(
    r"""^(?:
        (?:[a-z]{2,3}(?:-[a-z]{3}){0,3}|[a-z]{4,8})   # language (+ extlang)
        (?:-[a-z]{4})?                                # script
        (?:-(?:[a-z]{2}|[0-9]{3}))?                   # region
        (?:-(?:[a-z0-9]{5,8}|[0-9][a-z0-9]{3}))*      # variants
        (?:-[0-9a-wy-z](?:-[a-z0-9]{2,8})+)*          # extensions
        (?:-x(?:-[a-z0-9]{1,8})+)?                    # private use
      |x(?:-[a-z0-9]{1,8})+
    )$""",
    re.VERBOSE | re.IGNORECASE,
)


_WRITTEN_AS = {"no": "nb"}
"""A macrolanguage and the written standard its readers get: Norwegian (``no``) is written as
Bokmål (``nb``) unless a seed says Nynorsk (``nn``)."""


class TagError(ValueError):
    """A language tag that is not one; the message says what to write instead."""


def well_formed(value: str) -> bool:
    """True when ``value`` follows BCP 47's grammar (whatever its subtags mean)."""
    return _BCP47.match(value) is not None


def matches_language(tag: str, asked: str) -> bool:
    """Whether the language range ``asked`` takes ``tag`` (RFC 4647 basic filtering): the
    same tag, or a more specific one (``de`` takes ``de-AT``; ``de-AT`` does not take
    ``de``). Case does not matter."""
    tag, asked = tag.lower(), asked.lower()
    return tag == asked or tag.startswith(asked + "-")


def canonical_tag(value: str) -> str:
    """The tag as BCP 47 writes it (``pt-br`` -> ``pt-BR``, ``sr-latn`` -> ``sr-Latn``), after
    checking that it is one; raises :class:`TagError` with a did-you-mean otherwise."""
    text = value.strip()
    if not well_formed(text):
        raise TagError(f"'{text}' is not a BCP 47 language tag{_suggestion(text)}")
    parts = text.split("-")
    language = parts[0].lower()
    if language == "x":  # private use only: its meaning is the writer's
        return text.lower()
    known = _known()
    if language in known.aliases:  # deprecated or ISO 639-2: BCP 47 wants the short code
        raise TagError(f"'{text}' is not how BCP 47 writes the language{_suggestion(text)}")
    if language not in known.languages:
        raise TagError(f"'{text}' is not a known language{_suggestion(text)}")
    canonical = [language]
    for position, part in enumerate(parts[1:], start=1):
        if len(part) == 1:  # an extension or private use: the rest is kept as written
            canonical.extend(p.lower() for p in parts[position:])
            break
        canonical.append(_subtag(text, part, first=position == 1))
    return "-".join(canonical)


def _subtag(text: str, part: str, *, first: bool) -> str:
    """A script (``Latn``), region (``AT``, ``419``) or variant subtag, written as BCP 47
    writes it once it is known to exist."""
    known = _known()
    if len(part) == 4 and part.isalpha() and first:
        if part.title() not in known.scripts:
            raise TagError(f"'{text}': '{part}' is not a known script, e.g. Latn or Cyrl")
        return part.title()
    if len(part) == 2 or (len(part) == 3 and part.isdigit()):
        if part.upper() not in known.regions:
            raise TagError(f"'{text}': '{part}' is not a known region, e.g. DE, AT or BR")
        return part.upper()
    return part.lower()


def fallback_chain(tag: str) -> tuple[str, ...]:
    """The tags to look a word up under, most specific first, ending in English:
    ``de-AT`` -> ``de-AT, de, en`` (RFC 4647 lookup: drop subtags from the right)."""
    parts = tag.split("-")
    chain = ["-".join(parts[:n]) for n in range(len(parts), 0, -1)]
    chain = [c for c in chain if len(c.rsplit("-", 1)[-1]) > 1]  # never end on a singleton
    if chain and chain[-1] in _WRITTEN_AS:
        chain.append(_WRITTEN_AS[chain[-1]])
    if FALLBACK not in chain:
        chain.append(FALLBACK)
    return tuple(chain)


def base_language(tag: str) -> str:
    """The language subtag alone: ``pt-BR`` -> ``pt``."""
    return tag.split("-", 1)[0].lower()


def language_name(tag: str, in_language: str | None = None) -> str:
    """The language's name, in ``in_language`` (default: in itself), as a reader would see it
    in a language switcher: ``de`` -> ``Deutsch``, ``pt-BR`` -> ``português (Brasil)``."""
    from babel import Locale, UnknownLocaleError

    try:
        locale = Locale.parse(tag, sep="-")
        display = Locale.parse(in_language, sep="-") if in_language else locale
        name = locale.get_display_name(display)
    except (UnknownLocaleError, ValueError):
        name = None
    if not name:
        return tag
    # CLDR writes most names lower case ("español"); a switcher shows them as titles.
    return name[0].upper() + name[1:]


def _codes(codes: Iterable[object]) -> frozenset[str]:
    return frozenset(str(code) for code in codes)


class _Known:
    def __init__(self) -> None:
        from babel import Locale
        from babel.core import get_global

        english = Locale("en")
        self.names = {str(code): str(name) for code, name in english.languages.items()}
        every = _codes(self.names) | _codes(get_global("likely_subtags"))
        self.languages = frozenset(filter(_plain_language, every))
        self.scripts = _codes(english.scripts)
        self.regions = _codes(english.territories)
        aliases = {str(k): str(v) for k, v in get_global("language_aliases").items()}
        self.aliases = {k: v for k, v in aliases.items() if k.isalpha() and v.isalpha()}


def _plain_language(code: str) -> bool:
    return code.isalpha() and code.islower()


@functools.cache
def _known() -> _Known:
    return _Known()


def _suggestion(text: str) -> str:
    """``; did you mean 'de'?`` for ``ger``, ``deu``, ``German`` or ``Deutsch``, else ``""``."""
    guess = suggest_tag(text)
    return f"; did you mean '{guess}'?" if guess else ""


def suggest_tag(text: str) -> str | None:
    """The tag a writer most likely meant: an ISO 639-2 code or an old alias (``ger``,
    ``deu``, ``iw``), a language's name in English or in itself, or a near spelling of a
    shipped tag."""
    known = _known()
    folded = text.strip().casefold().replace("_", "-")
    language = folded.split("-", 1)[0]
    rest = text.strip().replace("_", "-")[len(language) :]
    by_name = _names_to_tags()
    if language in known.aliases:
        return _with_rest(known.aliases[language], rest)
    if folded in by_name:
        return by_name[folded]
    if language in by_name:
        return _with_rest(by_name[language], rest)
    if well_formed(text.strip()) and language in known.languages:
        return None  # a real language; the problem is elsewhere in the tag
    import difflib

    close = difflib.get_close_matches(language, SHIPPED, n=1, cutoff=0.5)
    return close[0] if close else None


def _with_rest(language: str, rest: str) -> str:
    try:
        return canonical_tag(language + rest)
    except TagError:
        return language


@functools.cache
def _names_to_tags() -> dict[str, str]:
    """Every shipped language's name in English and in itself, folded, to its tag; and
    every other language's English name."""
    from babel import Locale

    names = {name.casefold(): code for code, name in _known().names.items() if "_" not in code}
    for code in SHIPPED:
        own = Locale.parse(code).get_display_name(code)
        if own:
            names[own.casefold()] = code
    return names
