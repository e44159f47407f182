"""The typed model every exporter reads: one immutable :class:`Exercise` per seed.

Every part carries a :class:`Source` (file and line), so any later stage can
still point at the line a problem came from.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field


class _Frozen(BaseModel):
    # Validators and serialisers are built on first use, not on import: a run with nothing
    # to rebuild never needs them, and forked workers build them side by side.
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class Difficulty(enum.StrEnum):
    """How hard an exercise is, from the seed's ``level``."""

    BEGINNER = "beginner"
    INTERMEDIATE = "intermediate"
    EXPERT = "expert"


class SectionKind(enum.StrEnum):
    """What a ``##`` section of a seed is."""

    SETUP = "setup"
    EXECUTION = "execution"
    TIPS = "tips"
    MISTAKES = "mistakes"
    OTHER = "other"


class Source(_Frozen):
    """Where a part of the model came from."""

    path: str = Field(description="The seed file, as it was given to the pipeline.")
    line: int = Field(ge=1, description="1-based line in that file.")


class Span(_Frozen):
    """A run of text with its inline emphasis, for exporters that can show it (the PDF)."""

    text: str = Field(description="Clean text of the run, Markdown removed.")
    strong: bool = Field(default=False, description="Was **strong** in the seed.")
    emphasis: bool = Field(default=False, description="Was *emphasised* in the seed.")
    code: bool = Field(default=False, description="Was `code` in the seed.")


class Paragraph(_Frozen):
    """A block of text: clean text for most formats, spans for those that show emphasis."""

    text: str = Field(description="Clean text, Markdown removed, whitespace folded.")
    spans: tuple[Span, ...] = Field(
        description="The same text as styled runs; joined they equal `text`."
    )
    source: Source = Field(description="Where the block starts.")


class Item(Paragraph):
    """A list item of a section, optionally labelled (``**Label**: text``)."""

    label: str | None = Field(default=None, description="The bold label before the text, if any.")


class Section(_Frozen):
    """A ``##`` section of the seed body, in document order."""

    kind: SectionKind = Field(description="Which known section this is, or `other`.")
    heading: str = Field(description="The heading as written, without a trailing colon.")
    items: tuple[Item, ...] = Field(description="Its list items (or paragraphs, for `other`).")
    source: Source = Field(description="Where the heading is.")


class HowToStep(_Frozen):
    """One concise step after the ``<!-- howto -->`` marker: a ``###`` heading and its text."""

    name: str = Field(description="The step's heading, clean text.")
    text: str = Field(
        description="The text under the heading, clean text; paragraphs joined by a blank line."
    )
    source: Source = Field(description="Where the heading is.")
    video_time: int | None = Field(
        default=None,
        ge=0,
        description="Where the step starts in the video, in seconds (`@ 0:42` after the "
        "heading, or the seed's `video_times`).",
    )


class ValueLines(_Frozen):
    """Where one frontmatter value is in its seed."""

    line: int = Field(ge=1, description="The line of its key.")
    items: tuple[int, ...] = Field(
        default=(),
        description="For a list, the line of each item the model keeps (a repeat is left out), "
        "in order.",
    )


class Translation(_Frozen):
    """Another language's version of the same exercise, as the whole set of seeds shows it."""

    lang: str = Field(description="Its BCP 47 language tag.")
    slug: str = Field(description="Its slug.")
    original: bool = Field(
        default=False, description="True for the version the others are translations of."
    )


class MachineSetting(_Frozen):
    """One setting of the machine, as the seed names it: ``seat: 4``."""

    name: str = Field(description="What is set, e.g. `seat`.")
    value: str = Field(description="To what, e.g. `4` or `above the heels`.")


class Credit(_Frozen):
    """Whose text it is and under which terms it is reused: the licence, the author and the
    work it is based on, each optional."""

    license: str | None = Field(
        default=None,
        description="SPDX licence id, e.g. `CC-BY-SA-4.0`; null for a licence "
        "given only by the address of its terms.",
    )
    license_name: str | None = Field(
        default=None, description="The licence as readers know it, e.g. `CC BY-SA 4.0`."
    )
    license_url: str | None = Field(default=None, description="Address of the licence's terms.")
    author: str | None = Field(default=None, description="Who wrote the text.")
    author_url: str | None = Field(default=None, description="Address of the author's page.")
    source_url: str | None = Field(
        default=None, description="Address of the work the text is based on."
    )


class PictureFormat(enum.StrEnum):
    """The kind of file a local picture is."""

    PNG = "png"
    JPEG = "jpeg"
    SVG = "svg"


class Picture(_Frozen):
    """One picture of the exercise: a file in the seed's folder, or an address on the web
    (linked, never fetched)."""

    src: str = Field(
        description="As the seed gives it, normalised: a path relative to the seed's folder "
        "(`images/squat-start.jpg`) or an absolute http(s) URL."
    )
    file: str | None = Field(
        default=None,
        description="The local file, as the seed's path is shown (`seeds/images/squat-start."
        "jpg`); null for a picture on the web.",
    )
    format: PictureFormat | None = Field(
        default=None, description="`png`, `jpeg` or `svg`; null for a picture on the web."
    )
    width: int | None = Field(
        default=None, description="Width in pixels (an SVG's in CSS pixels); null on the web."
    )
    height: int | None = Field(default=None, description="Height, as `width`.")
    sha256: str | None = Field(
        default=None, description="SHA-256 of the local file's bytes; null on the web."
    )
    alt: str | None = Field(
        default=None, description="What the picture shows, for a reader who cannot see it."
    )
    caption: str | None = Field(default=None, description="A caption to print under it.")
    credit: Credit | None = Field(
        default=None, description="The picture's licence, author and source, when given."
    )
    source: Source = Field(description="Where the seed names it.")

    @property
    def local(self) -> bool:
        """True for a file in the seed's folder."""
        return self.file is not None


class Prescription(_Frozen):
    """What to do: sets, repetitions, rest, tempo and the machine's settings, each optional."""

    sets: int | None = Field(default=None, description="Number of sets.")
    reps_min: int | None = Field(default=None, description="Fewest repetitions a set.")
    reps_max: int | None = Field(
        default=None, description="Most repetitions a set (equal to `reps_min` for one number)."
    )
    rest_seconds: int | None = Field(default=None, description="Rest between sets, in seconds.")
    tempo: str | None = Field(
        default=None,
        description="Seconds of each phase (lowering, pause, lifting, pause), `X` for as fast "
        "as possible, e.g. `3-1-X-0`.",
    )
    settings: tuple[MachineSetting, ...] = Field(
        default=(), description="The machine's settings, in seed order."
    )
    time_seconds: int | None = Field(
        default=None,
        description="The time the whole exercise takes as prescribed, sets and rests, in seconds.",
    )


YOUTUBE_ID = r"^[A-Za-z0-9_-]{11}$"


class Exercise(_Frozen):
    """One exercise, parsed from one seed: everything an exporter may use."""

    source: Source = Field(description="The seed file (line 1).")
    source_sha256: str = Field(description="SHA-256 of the seed file's bytes.")
    slug: str = Field(description="URL-safe identifier: `a-z`, `0-9` and `-`.")
    title: str = Field(description="Display title.")
    description: str = Field(description="One or two sentences that say what the exercise is.")
    video_id: Annotated[str, Field(pattern=YOUTUBE_ID)] | None = Field(
        default=None, description="YouTube video id, normalised from the seed's `video`."
    )
    video_uploaded: dt.date | dt.datetime | None = Field(
        default=None, description="When the video was uploaded."
    )
    video_duration: int | None = Field(
        default=None, gt=0, description="How long the video is, in seconds (`duration`)."
    )
    equipment: tuple[str, ...] = Field(default=(), description="Equipment needed, in seed order.")
    supplies: tuple[str, ...] = Field(
        default=(),
        description="What the exercise uses up or needs besides the equipment "
        "(chalk, a towel), in seed order.",
    )
    muscles: tuple[str, ...] = Field(
        default=(), description="Muscles mainly trained, as the seed names them, in seed order."
    )
    secondary_muscles: tuple[str, ...] = Field(
        default=(), description="Muscles that help, as the seed names them, in seed order."
    )
    level: Difficulty | None = Field(default=None, description="Difficulty.")
    category: str | None = Field(default=None, description="Category, e.g. `strength`.")
    images: tuple[Picture, ...] = Field(
        default=(),
        description="Pictures of the exercise (start and end position first), in seed order: "
        "`image`, then `images`.",
    )
    prescription: Prescription | None = Field(
        default=None, description="Sets, repetitions, rest, tempo and machine settings."
    )
    credit: Credit | None = Field(
        default=None, description="The text's licence, author and source, when the seed says."
    )
    station: str | None = Field(
        default=None, description="The gym's station of the machine, e.g. `12` or `B4`."
    )
    lang: str = Field(
        default="en",
        description="BCP 47 language tag of the text: the seed's `lang`, else its file "
        "name's suffix (`squat.de.md`), else the `default_lang` setting.",
    )
    translation_of: str | None = Field(
        default=None,
        description="The slug of the exercise this one translates, when it has a slug of its "
        "own; translations sharing a slug need none.",
    )
    translations: tuple[Translation, ...] = Field(
        default=(),
        exclude=True,
        description="The exercise's other language versions, in language order. Filled in "
        "by the engine once every seed is read (a seed alone cannot know them).",
    )
    aliases: tuple[str, ...] = Field(default=(), description="Other names for the exercise.")
    updated: dt.date | None = Field(default=None, description="When the text was last revised.")
    # Left out of the JSON model: it decides whether a seed is exported, not what it exports to.
    draft: bool = Field(
        default=False, exclude=True, description="Checked but not exported (unless --drafts)."
    )
    sections: tuple[Section, ...] = Field(description="The `##` sections, in document order.")
    outro: tuple[Paragraph, ...] = Field(
        default=(), description="The closing note: paragraphs after the sections."
    )
    howto: tuple[HowToStep, ...] = Field(description="The concise steps after `<!-- howto -->`.")
    frontmatter_lines: dict[str, ValueLines] = Field(
        default_factory=dict,
        description="Where each frontmatter value the seed gives is, by key, for messages at "
        "its line (the body's parts carry their `source`).",
    )

    def _items(self, kind: SectionKind) -> tuple[Item, ...]:
        return next((s.items for s in self.sections if s.kind is kind), ())

    @property
    def setup(self) -> tuple[Item, ...]:
        """Items of the ``## Setup`` section (empty when it has none)."""
        return self._items(SectionKind.SETUP)

    @property
    def execution(self) -> tuple[Item, ...]:
        """Items of the ``## Execution`` section."""
        return self._items(SectionKind.EXECUTION)

    @property
    def tips(self) -> tuple[Item, ...]:
        """Items of the ``## Tips`` section."""
        return self._items(SectionKind.TIPS)

    @property
    def mistakes(self) -> tuple[Item, ...]:
        """Items of the ``## Common Mistakes`` section."""
        return self._items(SectionKind.MISTAKES)

    def source_of(self, key: str, index: int | None = None) -> Source:
        """Where a frontmatter value is in the seed: the line of ``key`` or, with ``index``, of
        that item of its list; line 1 for a value the seed does not give (a title made from
        the file name)."""
        lines = self.frontmatter_lines.get(key)
        if lines is None:
            return self.source
        line = lines.line
        if index is not None and index < len(lines.items):
            line = lines.items[index]
        return build(Source, path=self.source.path, line=line)

    @property
    def video_url(self) -> str | None:
        """The video's canonical watch URL."""
        return f"https://www.youtube.com/watch?v={self.video_id}" if self.video_id else None

    @property
    def video_short_url(self) -> str | None:
        """The video's short URL, for print (QR codes, captions)."""
        return f"https://youtu.be/{self.video_id}" if self.video_id else None

    @property
    def outro_text(self) -> str:
        """The closing note as one clean string, paragraphs joined by a blank line."""
        return "\n\n".join(p.text for p in self.outro)


M = TypeVar("M", bound=BaseModel)
_FIELDS_SET: dict[type[BaseModel], set[str]] = {}
_set = object.__setattr__


def build(model: type[M], **values: Any) -> M:
    """An instance from values the parser has already checked, without validating again.

    Every instance of a class shares one fields-set: the parser always gives every field, the
    models are frozen so it is never changed, and a set per instance would be a third of the
    memory ten thousand parsed seeds take. With every field given, the instance is made as
    :meth:`~pydantic.BaseModel.model_construct` makes it, without its search for aliases and
    defaults (half a million instances in a large export); a test holds the two equal.
    """
    fields = _FIELDS_SET.get(model)
    if fields is None:
        fields = _FIELDS_SET[model] = set(model.model_fields)
    if values.keys() != fields or model.__pydantic_post_init__ or model.__pydantic_root_model__:
        return model.model_construct(_fields_set=fields, **values)
    instance = model.__new__(model)
    _set(instance, "__dict__", values)
    _set(instance, "__pydantic_fields_set__", fields)
    _set(instance, "__pydantic_extra__", None)
    _set(instance, "__pydantic_private__", None)
    return instance
