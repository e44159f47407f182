"""The muscle vocabulary and the body artwork the muscle map is drawn from.

A seed names its muscles as people write them (``Hamstring``, ``quads``, ``biceps femoris``,
``Beinbeuger``); :func:`lookup` finds the canonical muscle for any of them, ignoring case,
spaces, hyphens and a plural ``s``. Each muscle shades one or more regions of the front and
back outlines of ``body.json`` (:func:`body`), which the card and the page both draw, so the
two can never disagree. A muscle's name in each language is a label (``muscle_<id>``), so the
``labels`` setting can change it as it changes any other word.
"""

from __future__ import annotations

import enum
import functools
import json
import re
import tomllib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from importlib import resources

from pipeline.i18n import SHIPPED
from pipeline.i18n.labels import Labels, shipped


@dataclass(frozen=True)
class Muscle:
    """One muscle of the vocabulary."""

    id: str
    """The canonical id, e.g. ``hamstrings``; its name is the label ``muscle_<id>``."""
    latin: tuple[str, ...]
    """Its anatomical names, e.g. ``biceps femoris``."""
    synonyms: tuple[str, ...]
    """Other names people write for it in English."""
    names: tuple[str, ...]
    """Names people write for it in other languages, beside its labels."""
    front: tuple[str, ...]
    """The regions of the front outline it shades."""
    back: tuple[str, ...]
    """The regions of the back outline it shades."""

    @property
    def label(self) -> str:
        """The label that names it."""
        return f"muscle_{self.id}"


class Role(enum.StrEnum):
    """How much an exercise works a muscle."""

    PRIMARY = "primary"
    SECONDARY = "secondary"


@dataclass(frozen=True)
class Region:
    """One region of an outline: its name in ``body.json`` and its polygons."""

    name: str
    polygons: tuple[tuple[tuple[float, float], ...], ...]


@dataclass(frozen=True)
class Body:
    """The front and back outlines, in one box of ``width`` x ``height`` (y down)."""

    width: float
    height: float
    front: tuple[Region, ...]
    back: tuple[Region, ...]

    @property
    def views(self) -> tuple[tuple[str, tuple[Region, ...]], ...]:
        """The two views, front first."""
        return (("front", self.front), ("back", self.back))


GAP = 0.12
"""The room between the front and the back figure of a map, as a share of one's width."""


@functools.cache
def vocabulary() -> dict[str, Muscle]:
    """Every muscle, by id, in the vocabulary's order."""
    text = resources.files("pipeline.muscles").joinpath("vocabulary.toml").read_text("utf-8")
    return {
        key: Muscle(
            id=key,
            latin=tuple(entry.get("latin", ())),
            synonyms=tuple(entry.get("synonyms", ())),
            names=tuple(entry.get("names", ())),
            front=tuple(entry.get("front", ())),
            back=tuple(entry.get("back", ())),
        )
        for key, entry in tomllib.loads(text).items()
    }


@functools.cache
def body() -> Body:
    """The body artwork (``body.json``, from the MIT-licensed ``react-body-highlighter``)."""
    text = resources.files("pipeline.muscles").joinpath("body.json").read_text("utf-8")
    data = json.loads(text)

    def regions(view: str) -> tuple[Region, ...]:
        return tuple(
            Region(
                region["region"],
                tuple(tuple((float(x), float(y)) for x, y in poly) for poly in region["polygons"]),
            )
            for region in data[view]
        )

    _, _, width, height = data["viewBox"]
    return Body(float(width), float(height), regions("front"), regions("back"))


_SEPARATORS = re.compile(r"[\s_\-.]+")


def normalise(name: str) -> str:
    """A name as it is matched: in lower case, runs of spaces, hyphens, underscores and dots
    one space (``Lower-Back`` is ``lower back``), a typographic apostrophe a straight one."""
    return _SEPARATORS.sub(" ", name.casefold().replace("\u2019", "'")).strip()


def _names(muscle: Muscle) -> Iterable[str]:
    """Every name of ``muscle``: its id, its Latin names, its synonyms, its other names and
    its name in every shipped language."""
    yield muscle.id
    yield from muscle.latin
    yield from muscle.synonyms
    yield from muscle.names
    for tag in SHIPPED:
        word = shipped(tag).get(muscle.label)
        if isinstance(word, str):
            yield word


@functools.cache
def _index() -> dict[str, str]:
    """Normalised name -> muscle id; the first muscle to claim a name keeps it."""
    index: dict[str, str] = {}
    for muscle in vocabulary().values():
        for name in _names(muscle):
            index.setdefault(normalise(name), muscle.id)
    return index


def _forms(key: str) -> Iterator[str]:
    """``key`` and the singular or plural forms people write for it."""
    yield key
    yield key + "s"
    if key.endswith("s"):
        yield key[:-1]
    if key.endswith("es"):
        yield key[:-2]


def lookup(name: str) -> Muscle | None:
    """The muscle ``name`` names, in any case and spacing, singular or plural; ``None`` when
    the vocabulary does not know it."""
    index = _index()
    for form in _forms(normalise(name)):
        if form in index:
            return vocabulary()[index[form]]
    return None


def suggestion(name: str) -> str | None:
    """The known name closest to a misspelt one (``hamstirngs`` -> ``hamstrings``), if any
    is close."""
    from pipeline.diagnostics import did_you_mean

    return did_you_mean(normalise(name), _index())


def unknown_message(name: str) -> str:
    """What a seed is told about a muscle the vocabulary does not know."""
    guess = suggestion(name)
    hint = f" (did you mean '{guess}'?)" if guess else ""
    return f"unknown muscle '{name}'{hint}; it is left off the muscle map"


@dataclass(frozen=True)
class MuscleMap:
    """The muscles an exercise works, as the map shades them: each known muscle once, the
    primary ones first, a muscle named in both lists taken as primary."""

    primary: tuple[Muscle, ...]
    secondary: tuple[Muscle, ...]

    def role(self, view: str, region: str) -> Role | None:
        """How the map shades ``region`` of ``view`` (``front`` or ``back``): primary before
        secondary; ``None`` for a region no muscle of the map covers."""
        for role, muscles in ((Role.PRIMARY, self.primary), (Role.SECONDARY, self.secondary)):
            if any(region in getattr(muscle, view) for muscle in muscles):
                return role
        return None

    def shaded(self, view: str) -> list[tuple[Role, Muscle, Region]]:
        """The regions of ``view`` the map shades, each with its role and the first muscle
        (primary before secondary) that covers it, in the artwork's order."""
        regions = body().front if view == "front" else body().back
        found = []
        for region in regions:
            for role, muscles in ((Role.PRIMARY, self.primary), (Role.SECONDARY, self.secondary)):
                muscle = next((m for m in muscles if region.name in getattr(m, view)), None)
                if muscle:
                    found.append((role, muscle, region))
                    break
        return found

    def description(self, labels: Labels) -> str:
        """The map in words, for screen readers: ``Muscles worked: hamstrings (primary);
        calves, glutes (secondary)``."""
        parts = []
        for role, muscles in ((Role.PRIMARY, self.primary), (Role.SECONDARY, self.secondary)):
            if muscles:
                names = ", ".join(labels[m.label] for m in muscles)
                parts.append(labels.text(f"muscles_{role.value}", names=names))
        return labels.text("muscle_map", muscles="; ".join(parts))


def _known(names: Sequence[str]) -> list[Muscle]:
    found: list[Muscle] = []
    for name in names:
        muscle = lookup(name)
        if muscle and muscle not in found:
            found.append(muscle)
    return found


def muscle_map(primary: Sequence[str], secondary: Sequence[str]) -> MuscleMap | None:
    """The map of an exercise's ``muscles`` and ``secondary_muscles`` as the seed names them,
    unknown names left off; ``None`` when no name is known (no map is drawn)."""
    first = _known(primary)
    second = [muscle for muscle in _known(secondary) if muscle not in first]
    if not first and not second:
        return None
    return MuscleMap(tuple(first), tuple(second))
