"""Labels: the fixed words every output prints around a seed's own text (section headings,
"Scan for the video", "3 steps", the breadcrumb's "Exercises"), in the seed's language.

Each shipped language has a catalogue, ``labels/<lang>.toml`` beside this module; the
``labels`` setting (``[tool.pipeline.labels.de]``) overrides any of them. A word is looked
up along the language's fallback chain (``de-AT`` -> ``de`` -> ``en``), an override before the
shipped word at each step, so English, which has every label, is the last resort.

Why TOML tables and not gettext ``.po`` files: the catalogues are read with the standard
library's ``tomllib``, with no compile step (``.mo``) and no second tool chain; they have the
same shape as the overrides users write in ``pyproject.toml`` or ``pipeline.toml``, so a
shipped catalogue is also the example of an override; and a counted label is a small table of
CLDR plural forms (``one``, ``few``, ``many``, ``other``) rather than gettext's ``Plural-Forms``
C expression. The plural rules themselves are CLDR's, read through Babel, as the language
tags are (:mod:`pipeline.i18n`).

A catalogue is read once per process, and a language's words are resolved once per set of
overrides: looking a label up is one dictionary access.
"""

from __future__ import annotations

import functools
import json
import re
import tomllib
from collections.abc import Callable, Mapping
from importlib import resources
from typing import Any

from pipeline.i18n import FALLBACK, SHIPPED, TagError, base_language, canonical_tag, fallback_chain

LabelValue = str | dict[str, str]
"""A label as a catalogue or the ``labels`` setting gives it: a text, or for a counted label
(``steps``) a text for each CLDR plural category."""
Overrides = Mapping[str, Mapping[str, LabelValue]]
"""The ``labels`` setting: language tag -> label name -> its text (or plural forms)."""

CATEGORIES = ("zero", "one", "two", "few", "many", "other")
"""CLDR's plural categories, in CLDR's order."""

SECTIONS = frozenset({"setup", "execution", "tips", "mistakes"})
"""The labels that are a known section's heading, named as :class:`pipeline.model.SectionKind`
names the sections."""

_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def fill(template: str, **values: str) -> str:
    """``template`` with each ``{name}`` it holds replaced by ``values[name]``; braces around
    anything else are left as they are."""
    if "{" not in template:
        return template
    return _PLACEHOLDER.sub(lambda match: values.get(match[1], match[0]), template)


def placeholders(text: str) -> frozenset[str]:
    """The ``{name}`` placeholders ``text`` holds."""
    return frozenset(_PLACEHOLDER.findall(text))


@functools.cache
def shipped(tag: str) -> Mapping[str, LabelValue]:
    """The catalogue shipped for ``tag`` (empty when there is none), read once."""
    if tag not in SHIPPED:
        return {}
    text = resources.files("pipeline.i18n").joinpath(f"labels/{tag}.toml").read_text("utf-8")
    catalogue: dict[str, LabelValue] = tomllib.loads(text)
    return catalogue


@functools.cache
def label_names() -> tuple[str, ...]:
    """Every label, in the English catalogue's order."""
    return tuple(shipped(FALLBACK))


@functools.cache
def counted_names() -> frozenset[str]:
    """The labels that hold a number and so have plural forms (``steps``)."""
    return frozenset(name for name, value in shipped(FALLBACK).items() if isinstance(value, dict))


@functools.cache
def plural_rule(tag: str) -> Callable[[int], str]:
    """CLDR's plural rule of ``tag`` (or of the nearest tag in its chain that CLDR knows):
    a count -> its category (``one``, ``few``, ...)."""
    from babel import Locale, UnknownLocaleError

    for candidate in fallback_chain(tag):
        try:
            rule: Callable[[int], str] = Locale.parse(candidate, sep="-").plural_form
        except (UnknownLocaleError, ValueError):
            continue
        return rule
    raise AssertionError("English has plural rules")  # pragma: no cover


@functools.lru_cache(maxsize=4096)
def _category(tag: str, count: int) -> str:
    # Babel evaluates a rule through decimal operands: tens of microseconds, and an index
    # of ten thousand exercises asks for a few dozen distinct counts.
    return plural_rule(tag)(count)


def plural_categories(tag: str) -> frozenset[str]:
    """The plural categories ``tag``'s language needs a form for: ``one`` and ``other`` in
    English, ``one``, ``few``, ``many`` and ``other`` in Russian."""
    rule: Any = plural_rule(tag)
    return frozenset(rule.tags) | {"other"}


class Labels:
    """The words of one language, each resolved along its fallback chain."""

    __slots__ = ("_counted", "_words", "lang")

    def __init__(
        self, lang: str, words: dict[str, str], counted: dict[str, tuple[Mapping[str, str], str]]
    ) -> None:
        self.lang = lang
        self._words = words
        self._counted = counted

    def __getitem__(self, name: str) -> str:
        """The label as its catalogue writes it, placeholders and all."""
        return self._words[name]

    def heading(self, kind: str, written: str) -> str:
        """The heading a ``##`` section of ``kind`` is shown under: a known section's
        (``setup``, ``execution``, ``tips``, ``mistakes``) label, any other section's heading
        as the seed writes it."""
        return self._words[kind] if kind in SECTIONS else written

    def text(self, name: str, **values: str) -> str:
        """The label with its placeholders filled in: ``text("video_title", title=...)``."""
        return fill(self._words[name], **values)

    def count(self, name: str, count: int) -> str:
        """A counted label for ``count``, in the plural form the language uses for it:
        ``1 Schritt``, ``3 шага``, ``5 шагов``."""
        forms, tag = self._counted[name]
        form = forms.get(_category(tag, count)) or forms["other"]
        return form.replace("{count}", str(count))

    def forms(self, name: str) -> dict[str, str]:
        """A counted label's forms by plural category (``{count}`` unfilled), for a script
        that counts in the reader's browser to choose from, by ``Intl.PluralRules``."""
        forms, _ = self._counted[name]
        return dict(sorted(forms.items()))


def _found(name: str, chain: tuple[str, ...], overrides: Overrides) -> tuple[LabelValue, str]:
    """The first text of ``name`` along ``chain``, an override before the shipped word at
    each step, with the tag it was found under."""
    for tag in chain:
        value = overrides.get(tag, {}).get(name)
        if value is None:
            value = shipped(tag).get(name)
        if value is not None:
            return value, tag
    raise KeyError(name)  # pragma: no cover - English has every label


@functools.lru_cache(maxsize=256)
def _resolved(lang: str, key: str) -> Labels:
    overrides = _decoded(key)
    chain = fallback_chain(lang)
    words: dict[str, str] = {}
    counted: dict[str, tuple[Mapping[str, str], str]] = {}
    for name in label_names():
        value, tag = _found(name, chain, overrides)
        if isinstance(value, dict):
            counted[name] = (value, tag)
            words[name] = value["other"]
        else:
            words[name] = value
    return Labels(lang, words, counted)


def labels_for(lang: str, overrides: Overrides | None = None) -> Labels:
    """The labels of ``lang`` (a canonical tag), the ``labels`` setting's ``overrides`` before
    the shipped catalogues."""
    return _resolved(lang, _key(overrides))


_last_key: tuple[Overrides, str] | None = None


def _key(overrides: Overrides | None) -> str:
    """The overrides as a cache key. A run passes the one settings object's labels for every
    seed, so the last one's key is kept (with the object, so its id cannot be reused)."""
    global _last_key
    if not overrides:
        return ""
    if _last_key is not None and _last_key[0] is overrides:
        return _last_key[1]
    key = json.dumps(overrides, sort_keys=True, ensure_ascii=False)
    _last_key = (overrides, key)
    return key


def _decoded(key: str) -> Overrides:
    decoded: Overrides = json.loads(key) if key else {}
    return decoded


def missing_labels(lang: str, overrides: Overrides | None = None) -> tuple[str, ...]:
    """The labels ``lang`` has no word of its own for, neither shipped nor in ``overrides``,
    at any step of its chain before English: the outputs show those in English. Nothing is
    missing for English itself (``en``, ``en-GB``)."""
    return _missing(lang, _key(overrides))


@functools.lru_cache(maxsize=256)
def _missing(lang: str, key: str) -> tuple[str, ...]:
    if base_language(lang) == FALLBACK:
        return ()
    overrides = _decoded(key)
    chain = [tag for tag in fallback_chain(lang) if tag != FALLBACK]
    known: set[str] = set()
    for tag in chain:
        known.update(shipped(tag))
        known.update(overrides.get(tag, {}))
    return tuple(name for name in label_names() if name not in known)


def missing_labels_message(lang: str, missing: tuple[str, ...]) -> str:
    """What to tell the author of a seed in ``lang`` whose outputs fall back to English for
    the ``missing`` labels. The same words for every seed in that language, so a run says
    it once for all of them."""
    from pipeline.i18n import language_name

    name = language_name(lang, FALLBACK)
    where = f"the labels setting ([tool.pipeline.labels.{lang}] in pyproject.toml)"
    if len(missing) == len(label_names()):
        return (
            f"no labels ship for {name} ('{lang}'): its card, page and JSON-LD show their "
            f"headings and other fixed words in English; give them in {where}"
        )
    return (
        f"no {name} ('{lang}') label for {', '.join(missing)}: shown in English; give "
        f"{'it' if len(missing) == 1 else 'them'} in {where}"
    )


def check_overrides(value: object) -> dict[str, dict[str, LabelValue]]:
    """The ``labels`` setting, its tags written as BCP 47 writes them; raises
    :class:`ValueError` saying what is wrong (an unknown label, with the closest one; a
    counted label without the plural forms its language needs; a placeholder the label does
    not have)."""
    if not isinstance(value, Mapping):
        raise ValueError(
            "must be a table of languages, each a table of labels, e.g. "
            '[tool.pipeline.labels.de] with tips = "Trainer-Tipps"'
        )
    checked: dict[str, dict[str, LabelValue]] = {}
    for given, table in value.items():
        tag = _tag(str(given))
        if tag in checked:
            raise ValueError(f"'{given}' is the language '{tag}' again; give it once")
        if not isinstance(table, Mapping):
            raise ValueError(f'{given}: must be a table of labels, e.g. tips = "..."')
        checked[tag] = {str(name): _label(tag, str(name), text) for name, text in table.items()}
    return checked


def _tag(given: str) -> str:
    if given in SHIPPED:  # the common case, without loading CLDR
        return given
    try:
        return canonical_tag(given)
    except TagError as error:
        raise ValueError(str(error)) from None


def _label(tag: str, name: str, value: object) -> LabelValue:
    from pipeline.diagnostics import did_you_mean

    if name not in label_names():
        guess = did_you_mean(name, label_names())
        hint = f"did you mean '{guess}'?" if guess else f"the labels: {', '.join(label_names())}"
        raise ValueError(f"{tag}.{name} is not a label; {hint}")
    if name in counted_names():
        return _forms(tag, name, value)
    return _check_text(tag, name, value)


def _forms(tag: str, name: str, value: object) -> dict[str, str]:
    """A counted label's forms, one for each plural category the language needs."""
    from pipeline.i18n import language_name

    needed = [c for c in CATEGORIES if c in plural_categories(tag)]
    language = language_name(tag, FALLBACK)
    if not isinstance(value, Mapping):
        raise ValueError(
            f"{tag}.{name} holds a number, so it needs a form for each plural category "
            f"{language} has ({', '.join(needed)}): "
            f'{name} = {{ other = "{{count}} ...", ... }}'
        )
    forms = {str(category): text for category, text in value.items()}
    _check_categories(f"{tag}.{name}", language, list(forms), needed)
    return {c: _check_text(tag, f"{name}.{c}", forms[c], label=name) for c in needed}


def _check_categories(where: str, language: str, given: list[str], needed: list[str]) -> None:
    """Refuse forms for a plural category the language does not have, or none for one it
    has."""
    shown = ", ".join(needed)
    for category in given:
        if category not in CATEGORIES:
            raise ValueError(
                f"{where}.{category}: not a CLDR plural category ({', '.join(CATEGORIES)})"
            )
        if category not in needed:
            raise ValueError(f"{where}.{category}: {language} has no such form (it has {shown})")
    lacking = [c for c in needed if c not in given]
    if lacking:
        verb = "is" if len(lacking) == 1 else "are"
        raise ValueError(
            f"{where}: {language} needs the plural forms {shown}; {', '.join(lacking)} {verb} "
            "missing"
        )


def _check_text(tag: str, where: str, text: object, *, label: str | None = None) -> str:
    """``text``, once it is known to be text whose placeholders are the label's."""
    if not isinstance(text, str):
        raise ValueError(f"{tag}.{where}: {text!r} is not text")
    english = shipped(FALLBACK)[label or where]
    allowed = placeholders(english if isinstance(english, str) else english["other"])
    unknown = sorted(placeholders(text) - allowed)
    if unknown:
        has = ", ".join(f"{{{p}}}" for p in sorted(allowed)) or "none"
        raise ValueError(
            f"{tag}.{where}: {{{unknown[0]}}} is not a placeholder of this label (it has {has})"
        )
    return text
