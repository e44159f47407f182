"""Words as the search index holds them and as a query asks for them: each language's text
folded the way its readers type it when a keyboard lacks a letter, on top of what the
index's tokenizer already does.

The tokenizer (FTS5's ``unicode61 remove_diacritics 2``, under ``porter``) folds case in every
script and strips the marks of Latin letters that decompose (``ü`` -> ``u``, ``č`` -> ``c``,
``ş`` -> ``s``). Two more kinds of folding are done here:

- Letters, in the index's text and in the query alike (:func:`indexed`, :func:`variants`):
  the Latin letters that do not decompose (``ß`` -> ``ss``, ``ł`` -> ``l``, ``ø`` -> ``o``,
  ``æ`` -> ``ae``, Turkish dotless ``ı`` -> ``i``, so that ``KIRMIZI``, which the tokenizer
  lowers to ``kirmizi``, finds "kırmızı"), the accents of Greek (``ά`` -> ``α``: Greeks
  search without them), Russian ``ё`` -> ``е`` and Ukrainian ``ґ`` -> ``г``, which most text
  and keyboards write that way. Cyrillic ``й``, ``ї`` and ``є`` are letters of their own and
  stay. Danish, Norwegian and Swedish fold ``æ`` to ``a``, as ``ä``.
- Spellings, in the query only (:func:`variants`): a word is also asked for as German readers
  type an umlaut, ``ae``, ``oe``, ``ue`` (snowball's German2 rule, as Lucene's
  ``GermanNormalizationFilter`` has it: ``ue`` only where the ``u`` follows no vowel and no
  ``q``, so "Feuer" is kept), so ``Bankdruecken`` finds "Bankdrücken"; and as Danes,
  Norwegians and Swedes type ``å``, ``æ``, ``ø`` (``aa``, ``ae``, ``oe``: Lucene's
  ``ScandinavianFoldingFilter``). Done in the query, these leave the index's words as written
  ("aktuell" stays "aktuell"), so a search that does not fold them, Datasette's, finds them.

A letter fold maps a letter to letters, so the folded text keeps its words in their places:
the index, built from folded text, highlights the matches in the text as written, which the
content table holds. The words a fold changed are also indexed as written, after the text
(:func:`indexed`), so a search that does not fold, Datasette's, finds "Straße" as well as
"Strasse"; they lie past the end of the text as written and are never highlighted.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable

_LETTERS = {
    "ß": "ss",
    "ẞ": "ss",
    "ł": "l",
    "Ł": "l",
    "ø": "o",
    "Ø": "o",
    "æ": "ae",
    "Æ": "ae",
    "œ": "oe",
    "Œ": "oe",
    "đ": "d",
    "Đ": "d",
    "ð": "d",
    "Ð": "d",
    "þ": "th",
    "Þ": "th",
    "ħ": "h",
    "Ħ": "h",
    "ı": "i",
    "ё": "е",
    "Ё": "е",
    "ґ": "г",
    "Ґ": "г",
}
"""Letters the tokenizer keeps as they are, and what readers type for them."""

_GREEK_BLOCKS = (range(0x0370, 0x0400), range(0x1F00, 0x2000))


def _greek_bases() -> dict[str, str]:
    """Every accented Greek letter (monotonic and polytonic), to its letter without marks."""
    bases = {}
    for block in _GREEK_BLOCKS:
        for code in block:
            letter = chr(code)
            decomposed = unicodedata.normalize("NFD", letter)
            base = decomposed[0]
            if len(decomposed) > 1 and unicodedata.category(base).startswith("L"):
                bases[letter] = base
    return bases


_EVERYWHERE = {**_LETTERS, **_greek_bases()}
_SCANDINAVIAN_LETTERS = {**_EVERYWHERE, "æ": "a", "Æ": "a"}


def _replacer(table: dict[str, str]) -> Callable[[str], str]:
    """A function that replaces every letter of ``table`` in a text: one scan for the few
    letters it holds, none at all for ASCII text."""
    pattern = re.compile("[" + "".join(sorted(table)) + "]")

    def replace(text: str) -> str:
        return text if text.isascii() else pattern.sub(lambda m: table[m.group()], text)

    return replace


_SCANDINAVIAN = frozenset({"da", "nb", "nn", "no", "sv"})
_LETTER_FOLDS = {
    "everywhere": _replacer(_EVERYWHERE),
    "scandinavian": _replacer(_SCANDINAVIAN_LETTERS),
}


def _language(lang: str | None) -> str:
    """The language subtag of a tag, lower case; ``""`` for none."""
    return "" if lang is None else lang.split("-", 1)[0].lower()


def letters(text: str, lang: str | None) -> str:
    """``text`` with the letters its language's readers type otherwise folded (see the
    module), word for word in its places."""
    kind = "scandinavian" if _language(lang) in _SCANDINAVIAN else "everywhere"
    return _LETTER_FOLDS[kind](text)


def indexed(text: str, lang: str | None) -> str:
    """``text`` in ``lang`` as the search index holds it: its letters folded, then, after a
    line break, each word the fold changed as written, once."""
    if text.isascii():  # nothing to fold: most texts, and every one in English
        return text
    folded = letters(text, lang)
    if folded == text:
        return text
    changed = dict.fromkeys(
        word for word, fold in zip(text.split(), folded.split(), strict=True) if word != fold
    )
    return folded + "\n" + " ".join(changed)


# German2: the `e` of `ae` and `oe`, and of `ue` after anything but a vowel or `q`, goes.
_GERMAN_DIGRAPH = re.compile(r"([ao]|(?<![aeiouyäöüq])u)e", re.IGNORECASE)
_GERMAN_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})
_SCANDINAVIAN_DIGRAPH = re.compile(r"(a)[aeo]|(o)[eo]", re.IGNORECASE)
_SCANDINAVIAN_LETTER_PAIRS = str.maketrans(
    {"å": "aa", "æ": "ae", "ø": "oe", "Å": "Aa", "Æ": "Ae", "Ø": "Oe"}
)


def _german(word: str) -> tuple[str, ...]:
    folded = letters(word, "de")
    return (
        folded,
        _GERMAN_DIGRAPH.sub(r"\1", folded),
        letters(word.translate(_GERMAN_UMLAUTS), "de"),
    )


def _scandinavian(word: str) -> tuple[str, ...]:
    folded = letters(word, "da")
    return (
        folded,
        letters(_SCANDINAVIAN_DIGRAPH.sub(lambda m: m.group(1) or m.group(2), word), "da"),
        letters(word.translate(_SCANDINAVIAN_LETTER_PAIRS), "da"),
    )


@functools.lru_cache(maxsize=4096)
def variants(word: str, lang: str | None) -> tuple[str, ...]:
    """The spellings to ask the index for when a reader of ``lang`` types ``word``: its
    letters folded, and for German and the Scandinavian languages also the spelling with
    their letters typed as pairs of letters, and the other way round (see the module). The
    first is the word as typed, folded; none repeats another."""
    language = _language(lang)
    if language == "de":
        spellings = _german(word)
    elif language in _SCANDINAVIAN:
        spellings = _scandinavian(word)
    else:
        spellings = (letters(word, lang),)
    return tuple(dict.fromkeys(spellings))
