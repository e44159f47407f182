"""The seed's YAML frontmatter: splitting it off, loading it safely, and its schema.

YAML is composed into nodes first, so every key and list item keeps its line,
tags that would construct objects are refused before anything is built, and
anchors/aliases are refused before they can be expanded. A scalar reaches its field as
the text it is written with: what it means (a number, a date, a word) is the field's to say,
so ``description: 2`` and ``description: 1.5`` are both text, and no number is ever built.
"""

from __future__ import annotations

import datetime as dt
import re
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Annotated, Any

import yaml
from frontmatter.default_handlers import YAMLHandler
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    HttpUrl,
    TypeAdapter,
    ValidationError,
    field_validator,
)
from pydantic_core import ErrorDetails

from pipeline import diagnostics
from pipeline.frontmatter_keys import KNOWN_KEYS as KNOWN_KEYS
from pipeline.model import YOUTUBE_ID, Difficulty
from pipeline.prescription import (
    MAX_SETTINGS,
    check_setting,
    parse_reps,
    parse_rest,
    parse_sets,
    parse_tempo,
    parse_total_time,
)
from pipeline.video_times import parse_duration, parse_time

_HANDLER = YAMLHandler()
_YOUTUBE_ID = re.compile(YOUTUBE_ID)
_SAFE_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}"
    for name in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")
)
_MAX_DEPTH = 32

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
_SLUG = re.compile(SLUG_PATTERN)


def _shown(text: str, limit: int = 60) -> str:
    """``text`` quoted for a message, cut short when it is long."""
    text = " ".join(text.split())
    return f"'{text[:limit]}...'" if len(text) > limit else f"'{text}'"


def normalise_video(value: object) -> str:
    """A YouTube id from an id or a watch/short/embed/shorts URL; ``ValueError`` otherwise."""
    if not isinstance(value, str):
        raise ValueError("must be a YouTube video id or URL")
    text = value.strip()
    # fullmatch: a pattern's "$" also matches before a final line break.
    if _YOUTUBE_ID.fullmatch(text):
        return text
    candidate = _id_in_url(text)
    if candidate is None or not _YOUTUBE_ID.fullmatch(candidate):
        raise ValueError(f"{_shown(text)} is not a YouTube video")
    return candidate


def _id_in_url(text: str) -> str | None:
    """The video id a youtu.be or youtube.com URL names, if it names one (unchecked)."""
    url = urllib.parse.urlsplit(text if "://" in text else f"https://{text}")
    host = (url.hostname or "").removeprefix("www.").removeprefix("m.")
    parts = [p for p in url.path.split("/") if p]
    if url.scheme not in ("http", "https"):
        return None
    if host == "youtu.be":
        return parts[0] if len(parts) == 1 else None
    if host == "youtube.com":
        return _id_on_youtube_com(parts, url.query)
    return None


def _id_on_youtube_com(parts: list[str], query: str) -> str | None:
    """The video id of a youtube.com ``/watch?v=``, ``/embed/`` or ``/shorts/`` path."""
    if parts == ["watch"]:
        ids = urllib.parse.parse_qs(query).get("v", [])
        return ids[0] if len(ids) == 1 else None
    if len(parts) == 2 and parts[0] in ("embed", "shorts"):
        return parts[1]
    return None


def _string_list(value: object) -> object:
    # People write `equipment: machine` as often as `equipment: [machine]`, and leave
    # `equipment:` with nothing after it to mean none.
    if value is None:
        return []
    return [value] if isinstance(value, str) else value


def _item_text(value: str) -> str:
    if not value.strip():
        raise ValueError("is empty")
    return value.strip()


def _first_of_each(values: list[str]) -> list[str]:
    first: dict[str, str] = {}
    for value in values:
        first.setdefault(value.casefold(), value)
    return list(first.values())


def repeated_items(values: object) -> list[int]:
    """Indexes of list items that repeat an earlier one (ignoring case); they are dropped."""
    if not isinstance(values, list):
        return []
    seen: set[str] = set()
    repeats = []
    for index, value in enumerate(values):
        key = value.strip().casefold() if isinstance(value, str) else None
        if key in seen:
            repeats.append(index)
        elif key is not None:
            seen.add(key)
    return repeats


StringList = Annotated[
    list[Annotated[str, AfterValidator(_item_text)]], BeforeValidator(_string_list)
]
_HTTP_URL = TypeAdapter(HttpUrl)
_URL_UNSAFE = re.compile(r"[\x00-\x20\x7f]")
"""What a URL can never hold as it is: controls (a line break) and spaces. Markup characters
are escaped wherever the URL is written (a script element, an attribute)."""


def _named(character: str) -> str:
    """A character as a message names it."""
    names = {"\n": "a line break", "\r": "a line break", "\t": "a tab", " ": "a space"}
    if character in names:
        return names[character]
    return f"the control character U+{ord(character):04X}"


_TIMESTAMP = yaml.constructor.SafeConstructor.timestamp_regexp
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"


def parse_date(value: object) -> object:
    """A date or date-time from its ISO 8601 (or YAML timestamp) text; ``ValueError`` if it is
    not one. Anything but text is left for the field's type check to refuse."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    try:
        if _TIMESTAMP.match(text):
            node = yaml.ScalarNode(_TIMESTAMP_TAG, text)
            parsed: object = yaml.constructor.SafeConstructor().construct_yaml_timestamp(node)
            return parsed
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            return dt.datetime.fromisoformat(text)
    except ValueError as exc:
        reason = str(exc)
        if reason.startswith("Invalid isoformat"):
            raise ValueError(f"{_shown(text)} is not a date") from None
        # datetime's own reasons ("month must be in 1..12") are in the author's terms.
        raise ValueError(f"{_shown(text)} is not a real date ({reason})") from None


def check_url(value: str) -> str:
    """An absolute http(s) URL, stripped; ``ValueError`` saying what is wrong otherwise."""
    url = value.strip()
    if unsafe := _URL_UNSAFE.search(url):
        # Shipped as written into pages, JSON-LD and the catalogue: a line break or markup
        # there is never what the author meant.
        raise ValueError(
            f"{_shown(value)} holds {_named(unsafe.group())}, which a URL cannot: "
            "percent-encode it (a space is %20)"
        )
    try:
        _HTTP_URL.validate_python(url)
    except ValidationError:
        raise ValueError(f"{_shown(value)} is not an absolute http(s) URL") from None
    return url


def picture_ref(value: str) -> str:
    """A picture as the seed names it: an absolute http(s) URL, or a path in the seed's
    folder, normalised; ``ValueError`` otherwise."""
    from pipeline.pictures import is_url, local_ref

    return check_url(value) if is_url(value.strip()) else local_ref(value)


def _optional_license(value: str | None) -> str | None:
    return None if value is None else canonical_license(value)


def _optional_url(value: str | None) -> str | None:
    return None if value is None else check_url(value)


OptionalLicense = Annotated[str | None, AfterValidator(_optional_license)]
"""A licence, kept as its SPDX id or the address of its terms (the text's and a picture's)."""
OptionalUrl = Annotated[str | None, AfterValidator(_optional_url)]
"""An absolute http(s) URL (an author's page, a source)."""


class ImageEntry(BaseModel):
    """One item of ``images`` written as a mapping."""

    model_config = ConfigDict(extra="forbid")

    path: str = Field(
        description="A path from the seed's folder (images/squat-start.jpg) or an absolute "
        "http(s) URL."
    )
    alt: str | None = Field(
        default=None,
        min_length=1,
        description="What the picture shows, for a reader who cannot see it.",
    )
    caption: str | None = Field(default=None, min_length=1, description="A caption under it.")
    license: OptionalLicense = Field(
        default=None, description="The picture's licence: an SPDX id or the address of its terms."
    )
    author: str | None = Field(default=None, min_length=1, description="Who made the picture.")
    author_url: OptionalUrl = Field(default=None, description="Address of the author's page.")
    source_url: OptionalUrl = Field(default=None, description="Address the picture comes from.")

    @field_validator("path", mode="after")
    @classmethod
    def _path(cls, value: str) -> str:
        return picture_ref(value)

    @field_validator("alt", "caption", "author", mode="after")
    @classmethod
    def _text(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("is empty")
        return value.strip() if value is not None else None


def canonical_license(value: str) -> str | None:
    """A licence as its SPDX id, or the address of its terms; ``ValueError`` otherwise."""
    from pipeline.credit import parse_license

    known = parse_license(value)
    # Kept as its canonical id (or address): the parser reads the name and terms from it.
    return known.spdx or known.url


class SeedFrontmatter(BaseModel):
    """The frontmatter of a seed. Unknown keys are warned about, not stored."""

    model_config = ConfigDict(
        extra="forbid",
        strict=False,
        title="Exercise seed frontmatter",
        json_schema_extra={"additionalProperties": False},
        # Built on first use, not on import: a run with nothing to parse never needs it.
        defer_build=True,
    )

    description: str = Field(
        min_length=1, description="Required. One or two sentences that say what the exercise is."
    )
    video: str | None = Field(
        default=None,
        description="YouTube video id (11 characters) or a youtube.com/watch?v=, youtu.be/, "
        "youtube.com/embed/ or youtube.com/shorts/ URL.",
    )
    title: str | None = Field(
        default=None, min_length=1, description="Display title; otherwise from the file name."
    )
    slug: str | None = Field(
        default=None,
        pattern=SLUG_PATTERN,
        description="URL identifier, only a-z, 0-9 and '-'; otherwise from the file name.",
    )
    equipment: StringList = Field(
        default_factory=list, description="Equipment needed (a repeated item is dropped)."
    )
    supplies: StringList = Field(
        default_factory=list,
        description="What the exercise uses up or needs besides the equipment (chalk, a "
        "towel; a repeated item is dropped).",
    )
    muscles: StringList = Field(
        default_factory=list,
        description="Muscles mainly trained (hamstrings, quads, biceps femoris, ...).",
    )
    secondary_muscles: StringList = Field(
        default_factory=list, description="Muscles that help (the muscle map shades them lighter)."
    )
    level: Difficulty | None = Field(default=None, description="beginner, intermediate or expert.")
    category: str | None = Field(default=None, min_length=1, description="Category, e.g. strength.")
    video_uploaded: dt.datetime | dt.date | None = Field(
        default=None, description="ISO 8601 date (or date-time) the video was uploaded."
    )
    duration: int | None = Field(
        default=None,
        description="How long the video is: ISO 8601 (PT1M30S) or m:ss (1:30).",
    )
    video_times: list[int] = Field(
        default_factory=list,
        description="Where each howto step starts in the video, in order, as m:ss or "
        "h:mm:ss (instead of '@ 0:42' after each step's heading).",
    )
    image: str | None = Field(
        default=None,
        description="A picture: a path from the seed's folder (images/squat.jpg) or an "
        "absolute http(s) URL; it comes first, before images.",
    )
    images: list[ImageEntry] = Field(
        default_factory=list,
        description="Pictures, start and end position first: each a path from the seed's "
        "folder or an http(s) URL, or a mapping {path, alt, caption, license, author, "
        "author_url, source_url}.",
    )
    lang: str | None = Field(
        default=None,
        description="BCP 47 language tag of the text, e.g. en, de-CH; otherwise from the file "
        "name (squat.de.md), else the default_lang setting.",
    )
    translation_of: str | None = Field(
        default=None,
        pattern=SLUG_PATTERN,
        description="The slug of the exercise this seed translates, when its own slug differs "
        "(bankdruecken.de.md translating bench-press).",
    )
    aliases: StringList = Field(default_factory=list, description="Other names for the exercise.")
    sets: int | None = Field(default=None, description="Number of sets, 1 to 20.")
    reps: tuple[int, int] | None = Field(
        default=None,
        description="Repetitions a set: a number (10) or a range (8-12).",
        json_schema_extra={"type": ["string", "integer"], "examples": ["8-12", 10]},
    )
    rest: int | None = Field(
        default=None,
        description="Rest between sets: seconds (90, 90s) or minutes (2 min, 1:30).",
        json_schema_extra={"type": ["string", "integer"], "examples": ["90s", "2 min"]},
    )
    tempo: str | None = Field(
        default=None,
        description="Seconds of each phase: lowering, pause, lifting, pause (3-1-1-0 or 31X0).",
    )
    settings: dict[str, str] = Field(
        default_factory=dict,
        description="The machine's settings, short names and values (seat: 4).",
    )
    time: int | None = Field(
        default=None,
        description="The time the whole exercise takes, sets and rests: 12 min, 1:30, PT12M.",
        json_schema_extra={"type": ["string", "integer"], "examples": ["12 min", "PT12M"]},
    )
    license: OptionalLicense = Field(
        default=None,
        description="The licence the text is under: an SPDX id (CC-BY-SA-4.0, CC0-1.0, MIT) "
        "or the absolute http(s) address of its terms.",
    )
    author: str | None = Field(
        default=None, min_length=1, description="Who wrote the text, as the credit names them."
    )
    author_url: OptionalUrl = Field(
        default=None, description="Absolute http(s) URL of the author's page."
    )
    source_url: OptionalUrl = Field(
        default=None,
        description="Absolute http(s) URL of the work the text is based on (wger, a book's page).",
    )
    station: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,4})$",
        description="The gym's station of the machine, a number or a short code (12, B4), "
        "printed large in the card's corner.",
    )
    updated: dt.date | None = Field(default=None, description="ISO 8601 date of the last revision.")
    draft: bool = Field(
        default=False,
        description="write true or false; a draft (true) is checked but not exported, "
        "unless `export --drafts`.",
    )

    @field_validator("description", "title", "category", "author", mode="after")
    @classmethod
    def _not_blank(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("is empty")
        return value.strip() if value is not None else None

    @field_validator("level", mode="before")
    @classmethod
    def _level_in_any_case(cls, value: object) -> object:
        # Authors write "Beginner" as often as "beginner"; the level is the word, not its case.
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("translation_of", mode="before")
    @classmethod
    def _lower_case_slug(cls, value: object) -> object:
        if isinstance(value, str) and value != value.lower() and _SLUG.match(value.lower()):
            raise ValueError(
                f"'{value}' differs from the slug '{value.lower()}' only by case: slugs are "
                "lower case, and a translation names its original exactly"
            )
        return value

    @field_validator("video", mode="before")
    @classmethod
    def _video(cls, value: object) -> object:
        return normalise_video(value) if isinstance(value, str) else value

    @field_validator(
        "equipment", "supplies", "muscles", "secondary_muscles", "aliases", mode="after"
    )
    @classmethod
    def _items(cls, values: list[str]) -> list[str]:
        return _first_of_each(values)

    @field_validator("image", mode="after")
    @classmethod
    def _image(cls, value: str | None) -> str | None:
        return None if value is None else picture_ref(value)

    @field_validator("images", mode="before")
    @classmethod
    def _images_list(cls, value: object) -> object:
        items = _string_list(value)
        if not isinstance(items, list):
            return items
        return [{"path": item} if isinstance(item, str) else item for item in items]

    @field_validator("lang", mode="before")
    @classmethod
    def _lang_default(cls, value: object) -> object:
        # `lang:` with nothing after it means the default, as for every other optional key.
        return cls.model_fields["lang"].default if value is None else value

    @field_validator("lang", mode="after")
    @classmethod
    def _lang(cls, value: str | None) -> str | None:
        if value is None:
            return None
        from pipeline.i18n import TagError, canonical_tag

        try:
            return canonical_tag(value)
        except TagError as error:
            raise ValueError(str(error)) from None

    @field_validator("sets", mode="before")
    @classmethod
    def _sets(cls, value: object) -> object:
        return parse_sets(value) if isinstance(value, str) else value

    @field_validator("reps", mode="before")
    @classmethod
    def _reps(cls, value: object) -> object:
        return parse_reps(value) if isinstance(value, str) else value

    @field_validator("rest", mode="before")
    @classmethod
    def _rest(cls, value: object) -> object:
        return parse_rest(value) if isinstance(value, str) else value

    @field_validator("time", mode="before")
    @classmethod
    def _time(cls, value: object) -> object:
        return parse_total_time(value) if isinstance(value, str) else value

    @field_validator("tempo", mode="before")
    @classmethod
    def _tempo(cls, value: object) -> object:
        return parse_tempo(value) if isinstance(value, str) else value

    @field_validator("settings", mode="before")
    @classmethod
    def _settings(cls, value: object) -> object:
        if value is None:
            return {}
        if not isinstance(value, dict):
            return value
        if len(value) > MAX_SETTINGS:
            raise ValueError(f"has {len(value)} settings; a card prints {MAX_SETTINGS} at most")
        for name, setting in value.items():
            if isinstance(name, str) and isinstance(setting, str):
                check_setting(name.strip(), setting.strip())
        return value

    @field_validator("settings", mode="after")
    @classmethod
    def _settings_stripped(cls, value: dict[str, str]) -> dict[str, str]:
        return {name.strip(): setting.strip() for name, setting in value.items()}

    @field_validator("duration", mode="before")
    @classmethod
    def _duration(cls, value: object) -> object:
        return None if value is None else parse_duration(value)

    @field_validator("video_times", mode="before")
    @classmethod
    def _video_times(cls, value: object) -> object:
        if isinstance(value, str | int) and not isinstance(value, bool):
            value = [value]
        if not isinstance(value, list):
            return value
        times = []
        for number, item in enumerate(value, 1):
            try:
                times.append(parse_time(item))
            except ValueError as error:
                raise ValueError(f"item {number}: {error}") from None
        return times

    @field_validator("video_uploaded", mode="before")
    @classmethod
    def _date_or_time(cls, value: object) -> object:
        return parse_date(value)

    @field_validator("updated", mode="before")
    @classmethod
    def _date_only(cls, value: object) -> object:
        value = parse_date(value)
        if isinstance(value, dt.datetime):
            raise ValueError("is a date and time, not a date")
        return value


# What to write, said after what is wrong: "level: 'pro' is not a level; write beginner, ...".
WHAT_TO_WRITE: dict[str, str] = {
    "description": "write one or two sentences that say what the exercise is, e.g. "
    'description: "Curl your legs against a padded lever."',
    "video": "give the 11-character YouTube id or a youtube.com/watch?v=, youtu.be/, "
    "youtube.com/embed/ or youtube.com/shorts/ URL, e.g. video: vl5nUdE9mWM",
    "title": 'write the title as text, e.g. title: "Lying Leg Curl"',
    "slug": "use only a-z, 0-9 and single '-' between words, e.g. slug: lying-leg-curl",
    "translation_of": "write the slug of the exercise this seed translates, "
    "e.g. translation_of: bench-press",
    "equipment": "write a name or a list of names, e.g. equipment: [leg curl machine]",
    "muscles": "write a name or a list of names, e.g. muscles: [hamstrings, calves]",
    "secondary_muscles": "write a name or a list of names, e.g. secondary_muscles: [calves]",
    "level": "write beginner, intermediate or expert, e.g. level: beginner",
    "category": "write a word or two, e.g. category: strength",
    "video_uploaded": "write the date as YYYY-MM-DD, e.g. video_uploaded: 2024-05-01",
    "duration": "write the video's length as m:ss or ISO 8601, e.g. duration: 1:30 or "
    "duration: PT1M30S",
    "video_times": "write each step's start in the video, in order, e.g. "
    'video_times: ["0:00", "0:42", "1:10"]',
    "image": "write a path from the seed's folder or a full address, e.g. "
    "image: images/leg-curl-start.jpg",
    "images": "write a list of paths or of {path, alt} mappings, e.g. "
    "images: [images/leg-curl-start.jpg, images/leg-curl-end.jpg]",
    "lang": "write the language of the text, e.g. lang: en, de-CH or pt-BR",
    "aliases": 'write a name or a list of names, e.g. aliases: ["Prone Leg Curl"]',
    "updated": "write the date as YYYY-MM-DD, e.g. updated: 2025-01-31",
    "sets": "write a number, e.g. sets: 3",
    "reps": "write a number or a range, e.g. reps: 10 or reps: 8-12",
    "rest": "write seconds or minutes, e.g. rest: 90s or rest: 2 min",
    "tempo": "write four phases in seconds, e.g. tempo: 3-1-1-0",
    "time": "write how long the whole exercise takes, e.g. time: 12 min or time: PT12M",
    "supplies": "write a name or a list of names, e.g. supplies: [chalk, towel]",
    "settings": "write short names and values, e.g. settings: {seat: 4, pad: above the heels}",
    "license": "write an SPDX licence id or the address of the terms, e.g. license: CC-BY-SA-4.0",
    "author": 'write the name the credit gives, e.g. author: "Jane Doe"',
    "author_url": "write the page's full address, e.g. author_url: https://example.org/jane",
    "source_url": "write the source's full address, e.g. source_url: https://wger.de/en/exercise/91",
    "station": "write a number or a code of up to five letters, digits and '-', e.g. station: 12",
}


def _with_advice(key: str, wrong: str) -> str:
    """What is wrong, then what to write, unless a did-you-mean has said it already."""
    return wrong if wrong.endswith("?") else f"{wrong}; {what_to_write(key)}"


def what_to_write(key: str) -> str:
    """How to write a valid ``key``: its hint, else its schema description."""
    if key in WHAT_TO_WRITE:
        return WHAT_TO_WRITE[key]
    described = SeedFrontmatter.model_fields[key].description if key in KNOWN_KEYS else None
    return (described or f"see the '{key}' row of docs/seed-format.md").rstrip(".")


def did_you_mean(word: str, known: Iterable[str] = KNOWN_KEYS) -> str | None:
    """The known name closest to a misspelt one, ignoring case (``vidoe`` -> ``video``,
    ``Excecution`` -> ``Execution``), if any is close; ``known`` defaults to the
    frontmatter's keys (see :func:`pipeline.diagnostics.did_you_mean`)."""
    return diagnostics.did_you_mean(word, known)


class FrontmatterError(Exception):
    """The frontmatter cannot be read; ``line`` is 1-based within the file."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass
class RawFrontmatter:
    """Loaded frontmatter: each value as plain text, lists and mappings, with the file line
    of each key and list item, and the problems found on the way.

    A scalar is kept as the text it is written with (``1.50`` stays ``1.50``), null as
    ``None``: whether it is a number, a date or a word is for its field to say. A key in
    ``refused`` was reported in ``errors`` and has no value.
    """

    values: dict[str, Any]
    key_lines: dict[str, int] = field(default_factory=dict)
    item_lines: dict[str, list[int]] = field(default_factory=dict)
    start_line: int = 1
    errors: list[tuple[int, str]] = field(default_factory=list)
    warnings: list[tuple[int, str]] = field(default_factory=list)
    refused: set[str] = field(default_factory=set)
    run_on: set[str] = field(default_factory=set)
    """The values warned about as running on to a '- ' line (each is warned about once)."""

    def line_of(self, loc: tuple[int | str, ...]) -> int:
        """The file line of a pydantic error location (a key, or a key and a list index)."""
        if not loc or not isinstance(loc[0], str) or loc[0] not in self.key_lines:
            return self.start_line
        key = loc[0]
        if len(loc) > 1 and isinstance(loc[1], int) and loc[1] < len(self.item_lines.get(key, [])):
            return self.item_lines[key][loc[1]]
        return self.key_lines[key]


@dataclass(frozen=True)
class SplitSeed:
    """A seed split into its frontmatter text and its body, with where each starts."""

    yaml_text: str
    yaml_line: int
    body: str
    body_line: int


def split(text: str) -> SplitSeed:
    """Split frontmatter from body; ``FrontmatterError`` when there is no frontmatter block."""
    if not _HANDLER.detect(text):
        raise FrontmatterError(1, "no frontmatter: a seed starts with a '---' line")
    boundary = _HANDLER.FM_BOUNDARY
    assert boundary is not None
    matches = list(boundary.finditer(text))
    if len(matches) < 2:
        raise FrontmatterError(1, "frontmatter is not closed: add a '---' line after it")
    opening, closing = matches[0], matches[1]
    return SplitSeed(
        yaml_text=text[opening.end() : closing.start()],
        yaml_line=text.count("\n", 0, opening.end()) + 1,
        body=text[closing.end() :],
        body_line=text.count("\n", 0, closing.end()) + 1,
    )


_STR_TAG = "tag:yaml.org,2002:str"
_NULL_TAG = "tag:yaml.org,2002:null"


def load(yaml_text: str, first_line: int) -> RawFrontmatter:
    """Load frontmatter YAML safely; ``first_line`` is the file line the YAML text starts on.

    ``FrontmatterError`` when the YAML cannot be read at all; a problem with one key is in
    the result's ``errors`` and the other keys are still read.
    """
    node = _compose(yaml_text, first_line)
    if node is None:
        raise FrontmatterError(first_line, "frontmatter is empty: it needs at least 'description'")
    if not isinstance(node, yaml.MappingNode):
        raise FrontmatterError(
            first_line + node.start_mark.line,
            "frontmatter must be a mapping of keys to values (key: value)",
        )
    raw = RawFrontmatter(values={}, start_line=first_line)
    checker = _NodeChecker(yaml_text, first_line)
    lines = yaml_text.split("\n")
    for key_node, value_node in node.value:
        _read_pair(key_node, value_node, raw, checker, lines)
    return raw


def _compose(yaml_text: str, first_line: int) -> yaml.Node | None:
    """The YAML composed into nodes (``None`` when it holds none); ``FrontmatterError`` when
    it cannot be read."""
    loader = yaml.CSafeLoader(yaml_text)
    try:
        node: yaml.Node | None = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        raise explain_yaml_error(exc, yaml_text, first_line) from None
    except yaml.reader.ReaderError as exc:
        line = first_line + yaml_text.count("\n", 0, exc.position)
        character = exc.character if isinstance(exc.character, int) else ord(exc.character)
        raise FrontmatterError(
            line, f"YAML does not allow the control character U+{character:04X}"
        ) from None
    except yaml.YAMLError as exc:
        raise FrontmatterError(first_line, f"YAML error: {exc}") from None
    except RecursionError:
        raise FrontmatterError(first_line, "YAML is nested too deeply") from None
    finally:
        loader.dispose()
    return node


def _read_pair(
    key_node: yaml.Node,
    value_node: yaml.Node,
    raw: RawFrontmatter,
    checker: _NodeChecker,
    lines: list[str],
) -> None:
    """Read one ``key: value`` pair into ``raw``, or record why it is refused."""
    line = raw.start_line + key_node.start_mark.line
    key_clean, key_problems = checker.check(key_node)
    value_clean, value_problems = checker.check(value_node)
    raw.errors.extend(key_problems + value_problems)
    if not (key_clean and value_clean):
        if isinstance(key_node, yaml.ScalarNode):
            raw.refused.add(key_node.value)
            raw.key_lines.setdefault(key_node.value, line)
        return
    problem = _key_problem(key_node, raw)
    if problem is not None:
        raw.errors.append((line, problem))
        return
    key = key_node.value
    raw.key_lines[key] = line
    raw.values[key] = _plain(value_node, key, lines, raw)
    if isinstance(value_node, yaml.SequenceNode):
        raw.item_lines[key] = [raw.start_line + n.start_mark.line for n in value_node.value]


def _key_problem(key_node: yaml.Node, raw: RawFrontmatter) -> str | None:
    """Why a clean key cannot be read: it is not a plain word, or it was given before."""
    if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != _STR_TAG:
        return "frontmatter keys must be plain words, e.g. description:"
    key = key_node.value
    if key in raw.key_lines:
        return f"{key}: given twice, first on line {raw.key_lines[key]}; keep one"
    return None


def _plain(node: yaml.Node, key: str, lines: list[str], raw: RawFrontmatter) -> object:
    """The node as text, lists and dicts; a plain scalar that runs on to a '- ' line is
    warned about, since YAML quietly reads that line as more of its text."""
    if isinstance(node, yaml.ScalarNode):
        if node.tag == _NULL_TAG:
            return None
        # The C loader marks a plain scalar with style '', the Python one with None.
        if not node.style and node.end_mark.line > node.start_mark.line:
            _check_run_on(node, key, lines, raw)
        return node.value
    if isinstance(node, yaml.SequenceNode):
        return [_plain(item, key, lines, raw) for item in node.value]
    mapping: dict[str, object] = {}
    for index, (name, value) in enumerate(node.value):
        label = name.value if isinstance(name, yaml.ScalarNode) else f"#{index}"
        mapping[label] = _plain(value, key, lines, raw)
    return mapping


def _check_run_on(node: yaml.ScalarNode, key: str, lines: list[str], raw: RawFrontmatter) -> None:
    start, end = node.start_mark, node.end_mark
    for number in range(start.line + 1, end.line + 1):
        text = lines[number].strip()
        if text != "-" and not text.startswith("- "):
            continue
        first = lines[start.line][start.column :].strip()
        line_start = lines[start.line][: start.column].strip()
        reading = f"{_shown(first)} runs on to {_shown(text)} and is read as {_shown(node.value)}"
        if line_start.endswith("-"):
            fix = "indent every '- ' the same to make it its own item"
            message = f"{key}: the list item {reading}; {fix}"
        else:
            fix = (
                f"to make a list, start it on the line after '{key}:' with every '- ' "
                "indented the same, or put the text in quotes if it is meant as one"
            )
            message = f"{key}: {reading}; {fix}"
        raw.warnings.append((raw.start_line + number, message))
        raw.run_on.add(node.value)
        return


def field_problems(exc: ValidationError, raw: RawFrontmatter) -> list[tuple[int, str]]:
    """Each pydantic error as ``(line, "field: what is wrong; what to write")``, one per
    field or list item, leaving out keys already refused while loading."""
    problems: list[tuple[int, str]] = []
    seen: set[tuple[int | str, ...]] = set()
    for error in exc.errors(include_url=False):
        loc = tuple(error["loc"])
        key = str(loc[0]) if loc else "frontmatter"
        index = loc[1] if len(loc) > 1 and isinstance(loc[1], int) else None
        # One message per field or list item: a date field's union would give one per type.
        where = loc[:1] if index is None else loc[:2]
        if key in raw.refused or where in seen:
            continue
        seen.add(where)
        item = "" if index is None else f"item {index + 1} "
        problems.append((_error_line(error, raw), f"{key}: {item}{_problem(key, loc, error, raw)}"))
    return problems


def _error_line(error: ErrorDetails, raw: RawFrontmatter) -> int:
    """The line an error is reported at: its value's, or the first for a key missing."""
    loc = tuple(error["loc"])
    return 1 if error["type"] == "missing" and len(loc) == 1 else raw.line_of(loc)


def _problem(key: str, loc: tuple[int | str, ...], error: ErrorDetails, raw: RawFrontmatter) -> str:
    """What is wrong, said for a value, a list item or a field of a mapping in a list."""
    wrong = _what_is_wrong(key, error)
    if len(loc) > 2 and isinstance(loc[1], int):
        # A field of an item: named, unless the item was written as a bare path.
        written = raw.values.get(key)
        if isinstance(written, list) and isinstance(written[loc[1]], dict):
            wrong = _entry_problem(str(loc[2]), error, wrong)
    return _with_advice(key, wrong)


def _entry_problem(name: str, error: ErrorDetails, wrong: str) -> str:
    """What is wrong with one field of a mapping in a list (an ``images`` item)."""
    if error["type"] == "extra_forbidden":
        fields = ", ".join(ImageEntry.model_fields)
        return f"has the unknown key '{name}' (a picture takes {fields})"
    if error["type"] == "missing":
        return f"has no '{name}'"
    if error["type"] == "string_type" and not isinstance(error.get("input"), (list, dict)):
        return f"{name}: is not text"
    return f"{name}: {wrong}"


def _what_is_wrong(key: str, error: ErrorDetails) -> str:
    kind, value = error["type"], error.get("input")
    if kind == "missing":
        return "missing from the frontmatter"
    if kind == "value_error" and "ctx" in error:
        return str(error["ctx"]["error"])
    if value is None or kind == "string_too_short":
        return "is empty"
    if isinstance(value, list):
        return "is a list, not text" if kind == "string_type" else "is a list"
    if isinstance(value, dict):
        return "is a set of 'key: value' pairs (put text that holds ': ' in quotes)"
    # An enum's or a pattern's refusal: "level: 'pro' is not a level".
    return f"{_shown(str(value))} is not a {key}"


# --- YAML's own errors, in the author's terms -------------------------------------------------

_KEY_VALUE = re.compile(r"^(?P<key>[^\s:#][^:]*?):\s+(?P<value>.*\S)\s*$")


def explain_yaml_error(
    exc: yaml.MarkedYAMLError, yaml_text: str, first_line: int
) -> FrontmatterError:
    """A YAML syntax error at its file line, naming the usual real cause (a tab, an unquoted
    ': ', a misaligned '- ', a quote not closed) where it is one of those."""
    problem = _SyntaxProblem.of(exc, yaml_text, first_line)
    for matches, explain in _YAML_RULES:
        if matches(problem):
            return explain(problem)
    return _explain_as_yaml_says(problem)


@dataclass(frozen=True)
class _SyntaxProblem:
    """A YAML syntax error with what the rules that explain it look at. Lines count from 0 in
    the YAML text: ``line`` is where YAML stopped, ``started`` where what it was reading began.
    """

    exc: yaml.MarkedYAMLError
    lines: list[str]
    first_line: int
    line: int
    problem: str
    source: str
    indent: str
    at_mark: str
    started: int

    @classmethod
    def of(cls, exc: yaml.MarkedYAMLError, yaml_text: str, first_line: int) -> _SyntaxProblem:
        """Where ``exc`` stands in ``yaml_text``, which starts on file line ``first_line``."""
        lines = yaml_text.split("\n")
        mark = exc.problem_mark or exc.context_mark
        line = mark.line if mark else 0
        source = lines[line] if line < len(lines) else ""
        return cls(
            exc=exc,
            lines=lines,
            first_line=first_line,
            line=line,
            problem=exc.problem or exc.context or "invalid YAML",
            source=source,
            indent=source[: len(source) - len(source.lstrip(" \t"))],
            at_mark=source[mark.column] if mark and mark.column < len(source) else "",
            started=exc.context_mark.line if exc.context_mark else line,
        )

    def error(self, at: int, message: str) -> FrontmatterError:
        """``message`` at line ``at`` of the YAML text."""
        return FrontmatterError(self.first_line + at, message)


def _is_tab_in_indent(p: _SyntaxProblem) -> bool:
    """The line is indented with a tab."""
    return "\t" in p.indent


def _explain_tab_in_indent(p: _SyntaxProblem) -> FrontmatterError:
    """Indent with spaces."""
    return p.error(p.line, "YAML does not allow tabs for indentation: use spaces")


def _is_tab_at_mark(p: _SyntaxProblem) -> bool:
    """YAML stopped at a tab inside the line."""
    return p.at_mark == "\t"


def _explain_tab_at_mark(p: _SyntaxProblem) -> FrontmatterError:
    """Use spaces, not a tab."""
    return p.error(p.line, "YAML does not allow a tab here: use spaces")


def _is_colon_in_value(p: _SyntaxProblem) -> bool:
    """A value holds an unquoted ': '."""
    return p.problem.startswith("mapping values are not allowed")


def _explain_colon_in_value(p: _SyntaxProblem) -> FrontmatterError:
    """Quote the value, or start an indented key at the beginning of its line."""
    return p.error(p.line, _unquoted_colon(p.lines, p.line))


def _is_item_out_of_line(p: _SyntaxProblem) -> bool:
    """A '- ' item is indented differently from the others of its list."""
    return p.problem == "did not find expected key" and p.source.lstrip().startswith("-")


def _explain_item_out_of_line(p: _SyntaxProblem) -> FrontmatterError:
    """Indent every '- ' of a list the same."""
    return p.error(
        p.line,
        f"{_shown(p.source.strip())} is not lined up with a list: indent every '- ' of a "
        "list the same, under its key",
    )


def _is_text_after_quote(p: _SyntaxProblem) -> bool:
    """A quoted value has more text after its closing quote."""
    return p.problem == "did not find expected key" and bool(
        re.match(r"^[^\s:#][^:]*:\s+[\"']", p.source)
    )


def _explain_text_after_quote(p: _SyntaxProblem) -> FrontmatterError:
    """Put the whole value in quotes."""
    return p.error(
        p.line,
        "text goes on after the closing quote: put the whole value in quotes: "
        f"{_requoted(p.source)}",
    )


def _is_item_on_key_line(p: _SyntaxProblem) -> bool:
    """A '- ' list starts on the line of its key."""
    return p.problem.startswith("block sequence entries are not allowed")


def _explain_item_on_key_line(p: _SyntaxProblem) -> FrontmatterError:
    """Put each '- ' item on a line of its own, or write the list as [a, b]."""
    match = _KEY_VALUE.match(p.source)
    under = f" under '{match['key'].strip()}:'" if match else ""
    return p.error(
        p.line,
        f"a '- ' list cannot start on the line of its key: put each '- ' item on a line "
        f"of its own{under}, or write the list as [a, b]",
    )


def _is_bad_first_character(p: _SyntaxProblem) -> bool:
    """A plain value starts with a character YAML reserves, such as '@' or '`'."""
    return p.problem == "found character that cannot start any token" and bool(p.at_mark)


def _explain_bad_first_character(p: _SyntaxProblem) -> FrontmatterError:
    """Put the value in quotes."""
    return p.error(p.line, f"a YAML value cannot start with '{p.at_mark}': put the value in quotes")


def _is_key_without_colon(p: _SyntaxProblem) -> bool:
    """A line that should be a key has no ':'."""
    return p.problem == "could not find expected ':'" and p.started < len(p.lines)


def _explain_key_without_colon(p: _SyntaxProblem) -> FrontmatterError:
    """Write each key as key: value."""
    shown = _shown(p.lines[p.started].strip())
    return p.error(p.started, f"{shown} has no ':'; write each key as key: value")


def _is_quote_not_closed(p: _SyntaxProblem) -> bool:
    """A quoted value has no closing quote."""
    return p.exc.context == "while scanning a quoted scalar"


def _explain_quote_not_closed(p: _SyntaxProblem) -> FrontmatterError:
    """End the value with the quote it starts with."""
    return p.error(p.started, "a quoted value is not closed: end it with the same quote")


def _explain_as_yaml_says(p: _SyntaxProblem) -> FrontmatterError:
    """YAML's own words, for an error none of the rules knows."""
    exc = p.exc
    message = f"YAML syntax error: {p.problem}"
    if exc.context and exc.context_mark and exc.problem:
        message += f" ({exc.context} started on line {p.first_line + p.started})"
    return p.error(p.line, message)


# In order: the first rule whose first half matches explains the error.
_YAML_RULES: tuple[
    tuple[Callable[[_SyntaxProblem], bool], Callable[[_SyntaxProblem], FrontmatterError]], ...
] = (
    (_is_tab_in_indent, _explain_tab_in_indent),
    (_is_tab_at_mark, _explain_tab_at_mark),
    (_is_colon_in_value, _explain_colon_in_value),
    (_is_item_out_of_line, _explain_item_out_of_line),
    (_is_text_after_quote, _explain_text_after_quote),
    (_is_item_on_key_line, _explain_item_on_key_line),
    (_is_bad_first_character, _explain_bad_first_character),
    (_is_key_without_colon, _explain_key_without_colon),
    (_is_quote_not_closed, _explain_quote_not_closed),
)


def _unquoted_colon(lines: list[str], line: int) -> str:
    source = lines[line] if line < len(lines) else ""
    if source[:1].isspace() and not source.lstrip().startswith("-"):
        owner = next(
            (text.split(":", 1)[0] for text in reversed(lines[:line]) if text[:1].strip()), ""
        )
        return (
            f"{_shown(source.strip())} is indented, so YAML reads it as more of "
            f"'{owner}:', where ': ' is not allowed; start each key at the beginning of its "
            "line, or put the whole value in quotes"
        )
    return f"put a value containing ': ' in quotes: {_requoted(source)}"


def _requoted(source: str) -> str:
    """A ``key: value`` or ``- item`` line with its value in quotes, as it should be written."""
    item = re.match(r"^\s*-\s+(?P<value>.*\S)", source)
    if item:
        return f"- {_quoted(item['value'])}"
    match = _KEY_VALUE.match(source)
    if match is None:
        return _quoted(source.strip())
    return f"{match['key'].strip()}: {_quoted(match['value'])}"


def _quoted(value: str) -> str:
    # Double quotes read best; single ones when the text holds what double quotes escape.
    if '"' in value or "\\" in value:
        return "'" + value.replace("'", "''") + "'"
    return f'"{value}"'


class _NodeChecker:
    """Refuses what a seed may not hold, node by node: tags that construct objects, anchors
    and aliases, and nesting deeper than ``_MAX_DEPTH``."""

    def __init__(self, yaml_text: str, first_line: int) -> None:
        self.yaml_text = yaml_text
        self.first_line = first_line
        self.seen: set[int] = set()
        self.alias_line: int | None = None

    def check(self, root: yaml.Node) -> tuple[bool, list[tuple[int, str]]]:
        """Whether ``root`` and the nodes under it hold only what a seed may, and what they
        may not hold, each with its file line."""
        clean = True
        found: list[tuple[int, str]] = []
        stack: list[tuple[yaml.Node, int]] = [(root, 0)]
        while stack:
            node, depth = stack.pop()
            if self._refused(node, depth, found):
                clean = False
                continue
            # Children are pushed last-first so they are visited in document order.
            if isinstance(node, yaml.MappingNode):
                stack.extend(
                    (n, depth + 1) for pair in reversed(node.value) for n in reversed(pair)
                )
            elif isinstance(node, yaml.SequenceNode):
                stack.extend((n, depth + 1) for n in reversed(node.value))
        return clean, found

    def _refused(self, node: yaml.Node, depth: int, found: list[tuple[int, str]]) -> bool:
        """Whether a seed may not hold ``node``; why is added to ``found``, for an alias once."""
        line = self.first_line + node.start_mark.line
        if id(node) in self.seen:
            # A composed alias is its anchor's node: it is refused without walking it
            # again, so a "billion laughs" is never expanded. It is said once, at the
            # first alias, however many keys use one; their keys are refused all the same.
            if self.alias_line is None:
                found.append((self._first_alias_line(), _ALIAS_MESSAGE))
            return True
        self.seen.add(id(node))
        if node.tag not in _SAFE_TAGS:
            found.append(
                (line, f"YAML tag '{node.tag}' is not allowed: a seed holds plain values only")
            )
            return True
        if depth > _MAX_DEPTH:
            found.append((line, f"YAML is nested more than {_MAX_DEPTH} levels deep"))
            return True
        return False

    def _first_alias_line(self) -> int:
        # Only the event stream knows where an alias stands.
        if self.alias_line is None:
            self.alias_line = self.first_line
            for event in yaml.parse(self.yaml_text, Loader=yaml.CSafeLoader):
                if isinstance(event, yaml.AliasEvent) and event.start_mark is not None:
                    self.alias_line = self.first_line + event.start_mark.line
                    break
        return self.alias_line


_ALIAS_MESSAGE = "YAML anchors and aliases are not supported in a seed"
