"""What only the whole set of seeds shows about languages: which seeds are one exercise in
several languages, and which cannot be.

Seeds are versions of one *work*: a seed's work is its ``translation_of``, else its own slug,
so ``squat.md`` and ``squat.de.md`` are one work, and so are ``bench-press.md`` and
``bankdruecken.de.md`` with ``translation_of: bench-press``. A work has at most one version
per language, and a slug at most one seed per language (the two would share every output
path). Nothing here reads a file: the engine and :func:`pipeline.discover.read_seeds` give
what the seeds said.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

Problems = dict[str, list[tuple[int, str]]]
"""Per seed path, its problems: (line, message)."""

Addresses = tuple[Callable[[str, str], str | None], Callable[[str], str]]
"""The site's URLs, when it has them: a version's page from its slug and language (``None``
when it has none), and a language's index page."""


@dataclass(frozen=True, slots=True)
class Version:
    """A seed as the whole-set checks see it."""

    path: str
    slug: str
    lang: str
    translation_of: str | None = None
    line: int = 1
    """The line of ``translation_of`` in the seed."""

    @property
    def work(self) -> str:
        """The slug of the exercise this seed is a version of."""
        return self.translation_of or self.slug


@dataclass(frozen=True, slots=True)
class Sibling:
    """Another version of a seed's work."""

    lang: str
    slug: str
    original: bool


def set_problems(
    versions: Iterable[Version], default_lang: str, addresses: Addresses | None = None
) -> Problems:
    """Per seed, what the set refuses: a slug another seed has in the same language, a
    ``translation_of`` that names no seed or names a translation, two versions of one work in
    one language, and (given the site's ``addresses``) a page at a language's index page.
    Each seed named is refused: keeping either of two would make the output depend on file
    order."""
    versions = sorted(versions, key=lambda v: v.path)
    problems: Problems = defaultdict(list)
    _shared_slugs(versions, default_lang, problems)
    _targets(versions, problems)
    _shared_languages(versions, problems)
    if addresses is not None:
        _index_pages(versions, addresses, problems)
    return dict(problems)


def _index_pages(versions: list[Version], addresses: Addresses, problems: Problems) -> None:
    """A page whose address is a language's index page (the English seed ``de.md`` at
    ``{base_url}de/``, where the German exercises are listed): the two would be one file."""
    from pipeline.i18n import language_name

    page_url, index_url = addresses
    indexes = {index_url(lang): lang for lang in sorted({v.lang for v in versions})}
    for version in versions:
        url = page_url(version.slug, version.lang)
        lang = indexes.get(url) if url is not None else None
        if lang is not None:
            problems[version.path].append(
                (
                    1,
                    f"slug '{version.slug}' puts its page at {url}, the index page of the "
                    f"exercises in {language_name(lang, 'en')} ({lang}); give the seed another "
                    "slug (slug: ...)",
                )
            )


def _shared_slugs(versions: list[Version], default_lang: str, problems: Problems) -> None:
    holders: dict[tuple[str, str], list[str]] = defaultdict(list)
    for version in versions:
        holders[version.slug, version.lang].append(version.path)
    for (slug, lang), paths in holders.items():
        where = "" if lang == default_lang else f" in the same language ({lang})"
        for path in paths if len(paths) > 1 else ():
            others = ", ".join(p for p in paths if p != path)
            problems[path].append((1, f"slug '{slug}' is also used by {others}{where}"))


def _targets(versions: list[Version], problems: Problems) -> None:
    by_slug: dict[str, list[Version]] = defaultdict(list)
    for version in versions:
        by_slug[version.slug].append(version)
    for version in versions:
        target = version.translation_of
        if target is not None and target != version.slug:
            problem = _target_problem(target, by_slug)
            if problem:
                problems[version.path].append((version.line, problem))


def _target_problem(target: str, by_slug: Mapping[str, list[Version]]) -> str | None:
    """What is wrong with ``translation_of: target``: no seed has that slug, or each that
    has it is itself a translation."""
    if target not in by_slug:
        close = difflib.get_close_matches(target, list(by_slug), n=1, cutoff=0.75)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        return f"translation_of: '{target}' is not the slug of any seed{hint}"
    works = sorted({v.work for v in by_slug[target]})
    if target in works:
        return None
    return (
        f"translation_of: '{target}' is itself a translation (of '{works[0]}'); "
        f"name the original: translation_of: {works[0]}"
    )


def _shared_languages(versions: list[Version], problems: Problems) -> None:
    holders: dict[tuple[str, str], list[Version]] = defaultdict(list)
    for version in versions:
        holders[version.work, version.lang].append(version)
    for (work, lang), same in holders.items():
        if len({v.slug for v in same}) < 2:
            continue  # one slug twice: said by _shared_slugs
        for version in same:
            others = ", ".join(v.path for v in same if v is not version)
            line = version.line if version.translation_of else 1
            problems[version.path].append(
                (
                    line,
                    f"'{work}' would have two versions in {lang}: this one and {others}; "
                    "each translation needs a language of its own",
                )
            )


def siblings(versions: Iterable[Version], default_lang: str) -> dict[str, tuple[Sibling, ...]]:
    """Per seed that has other versions, those versions in language order. The original,
    the version the others translate, is the one whose slug is the work's, in
    ``default_lang`` if there is one, else the first by language."""
    works: dict[str, list[Version]] = defaultdict(list)
    for version in versions:
        works[version.work].append(version)
    found: dict[str, tuple[Sibling, ...]] = {}
    for work, members in works.items():
        if len(members) < 2:
            continue
        original = _original(work, members, default_lang)
        members.sort(key=lambda v: (v.lang, v.path))
        for version in members:
            found[version.path] = tuple(
                Sibling(v.lang, v.slug, v is original) for v in members if v is not version
            )
    return found


def _original(work: str, members: list[Version], default_lang: str) -> Version | None:
    named = sorted((v for v in members if v.slug == work), key=lambda v: (v.lang, v.path))
    preferred = [v for v in named if v.lang == default_lang]
    chosen = preferred or named
    return chosen[0] if chosen else None


def key_of(found: Mapping[str, tuple[Sibling, ...]], path: str) -> str:
    """A short text that changes when a seed's other versions do: what its outputs that link
    them were made with (empty when it has none)."""
    return ",".join(f"{s.lang}:{s.slug}{'*' if s.original else ''}" for s in found.get(path, ()))
