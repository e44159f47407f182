"""The seed's YAML frontmatter: splitting it off, loading it safely, and its schema.

YAML is composed into nodes first, so every key and list item keeps its line,
tags that would construct objects are refused before anything is built, and
anchors/aliases are refused before they can be expanded.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Annotated, Any

import yaml
from frontmatter.default_handlers import YAMLHandler
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    HttpUrl,
    TypeAdapter,
    ValidationError,
    field_validator,
)

from pipeline.model import YOUTUBE_ID, Difficulty

_HANDLER = YAMLHandler()
_YOUTUBE_ID = re.compile(YOUTUBE_ID)
_SAFE_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}"
    for name in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")
)
_MAX_DEPTH = 32

# RFC 5646 "langtag" production (well-formedness, not registry membership): a
# dozen lines of grammar did not justify a dependency with a language database.
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
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


def normalise_video(value: object) -> str:
    """A YouTube id from an id or a watch/short/embed/shorts URL; ``ValueError`` otherwise."""
    if not isinstance(value, str):
        raise ValueError("must be a YouTube video id or URL")
    text = value.strip()
    if _YOUTUBE_ID.match(text):
        return text
    url = urllib.parse.urlsplit(text if "://" in text else f"https://{text}")
    host = (url.hostname or "").removeprefix("www.").removeprefix("m.")
    parts = [p for p in url.path.split("/") if p]
    candidate: str | None = None
    if url.scheme in ("http", "https"):
        if host == "youtu.be" and len(parts) == 1:
            candidate = parts[0]
        elif host == "youtube.com":
            if parts == ["watch"]:
                ids = urllib.parse.parse_qs(url.query).get("v", [])
                candidate = ids[0] if len(ids) == 1 else None
            elif len(parts) == 2 and parts[0] in ("embed", "shorts"):
                candidate = parts[1]
    if candidate is None or not _YOUTUBE_ID.match(candidate):
        raise ValueError(
            f"'{text}' is not a YouTube video: give the 11-character id or a "
            "youtube.com/watch?v=, youtu.be/, youtube.com/embed/ or youtube.com/shorts/ URL"
        )
    return candidate


def _string_list(value: object) -> object:
    # People write `equipment: machine` as often as `equipment: [machine]`.
    return [value] if isinstance(value, str) else value


def _check_items(values: list[str]) -> list[str]:
    cleaned = [v.strip() for v in values]
    if any(not v for v in cleaned):
        raise ValueError("items must not be empty")
    first: dict[str, str] = {}
    for value in cleaned:
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


StringList = Annotated[list[str], BeforeValidator(_string_list)]
_HTTP_URL = TypeAdapter(HttpUrl)


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
    muscles: StringList = Field(default_factory=list, description="Muscles trained.")
    level: Difficulty | None = Field(default=None, description="beginner, intermediate or expert.")
    category: str | None = Field(default=None, min_length=1, description="Category, e.g. strength.")
    video_uploaded: dt.datetime | dt.date | None = Field(
        default=None, description="ISO 8601 date (or date-time) the video was uploaded."
    )
    image: str | None = Field(default=None, description="Absolute http(s) URL of an image.")
    lang: str = Field(default="en", description="BCP 47 language tag of the text, e.g. en, de-CH.")
    aliases: StringList = Field(default_factory=list, description="Other names for the exercise.")
    updated: dt.date | None = Field(default=None, description="ISO 8601 date of the last revision.")

    @field_validator("description", "title", "category", mode="after")
    @classmethod
    def _not_blank(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("must not be empty")
        return value.strip() if value is not None else None

    @field_validator("video", mode="before")
    @classmethod
    def _video(cls, value: object) -> object:
        return None if value is None else normalise_video(value)

    @field_validator("equipment", "muscles", "aliases", mode="after")
    @classmethod
    def _items(cls, values: list[str]) -> list[str]:
        return _check_items(values)

    @field_validator("image", mode="after")
    @classmethod
    def _image(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            _HTTP_URL.validate_python(value.strip())
        except ValidationError:
            raise ValueError(f"'{value}' is not an absolute http(s) URL") from None
        return value.strip()

    @field_validator("lang", mode="after")
    @classmethod
    def _lang(cls, value: str) -> str:
        if not _BCP47.match(value.strip()):
            raise ValueError(f"'{value}' is not a BCP 47 language tag (e.g. en, de-CH, pt-BR)")
        return value.strip()

    @field_validator("updated", mode="before")
    @classmethod
    def _date_only(cls, value: object) -> object:
        if isinstance(value, dt.datetime):
            raise ValueError("must be a date (YYYY-MM-DD), not a date-time")
        return value


KNOWN_KEYS: tuple[str, ...] = tuple(SeedFrontmatter.model_fields)


def did_you_mean(key: str, known: Iterable[str] = KNOWN_KEYS) -> str | None:
    """The known key closest to a misspelt one (``vidoe`` -> ``video``), if any is close;
    ``known`` defaults to the frontmatter's keys."""
    matches = difflib.get_close_matches(key.lower(), list(known), n=1, cutoff=0.6)
    return matches[0] if matches else None


class FrontmatterError(Exception):
    """The frontmatter cannot be read; ``line`` is 1-based within the file."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass
class RawFrontmatter:
    """Loaded frontmatter: plain values, with the file line of each key and list item."""

    values: dict[str, Any]
    key_lines: dict[str, int] = field(default_factory=dict)
    item_lines: dict[str, list[int]] = field(default_factory=dict)
    start_line: int = 1

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


def load(yaml_text: str, first_line: int) -> RawFrontmatter:
    """Load frontmatter YAML safely; ``first_line`` is the file line the YAML text starts on."""
    loader = yaml.CSafeLoader(yaml_text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = first_line + mark.line if mark else first_line
            problem = exc.problem or exc.context or "invalid YAML"
            if exc.context and exc.context_mark and exc.problem:
                problem += f" ({exc.context} started on line {first_line + exc.context_mark.line})"
            raise FrontmatterError(line, f"YAML syntax error: {problem}") from None
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
        if node is None:
            raise FrontmatterError(
                first_line, "frontmatter is empty: it needs at least 'description'"
            )
        if not isinstance(node, yaml.MappingNode):
            raise FrontmatterError(
                first_line + node.start_mark.line,
                "frontmatter must be a mapping of keys to values (key: value)",
            )
        _check_nodes(node, yaml_text, first_line)
        raw = RawFrontmatter(values={}, start_line=first_line)
        for key_node, value_node in node.value:
            line = first_line + key_node.start_mark.line
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != "tag:yaml.org,2002:str":
                raise FrontmatterError(line, "frontmatter keys must be plain words")
            key = key_node.value
            if key in raw.values:
                raise FrontmatterError(line, f"'{key}' is given twice")
            try:
                raw.values[key] = loader.construct_object(value_node, deep=True)
            except (yaml.YAMLError, ValueError, OverflowError) as exc:
                # Timestamps are built by the constructor: 2024-13-45 fails here.
                raise FrontmatterError(line, f"'{key}': not a valid value: {exc}") from None
            raw.key_lines[key] = line
            if isinstance(value_node, yaml.SequenceNode):
                raw.item_lines[key] = [first_line + n.start_mark.line for n in value_node.value]
        return raw
    finally:
        loader.dispose()


def _first_alias_line(yaml_text: str, first_line: int) -> int:
    # A composed alias is its anchor's node, so only the event stream knows where it stands.
    for event in yaml.parse(yaml_text, Loader=yaml.CSafeLoader):
        if isinstance(event, yaml.AliasEvent) and event.start_mark is not None:
            return first_line + event.start_mark.line
    return first_line


def _check_nodes(root: yaml.Node, yaml_text: str, first_line: int) -> None:
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, int]] = [(root, 0)]
    while stack:
        node, depth = stack.pop()
        line = first_line + node.start_mark.line
        if id(node) in seen:
            raise FrontmatterError(
                _first_alias_line(yaml_text, first_line),
                "YAML anchors and aliases are not supported in a seed",
            )
        seen.add(id(node))
        if node.tag not in _SAFE_TAGS:
            raise FrontmatterError(
                line, f"YAML tag '{node.tag}' is not allowed: a seed holds plain values only"
            )
        if depth > _MAX_DEPTH:
            raise FrontmatterError(line, f"YAML is nested more than {_MAX_DEPTH} levels deep")
        # Children are pushed last-first so they are visited in document order, and an alias
        # is reported where it is used, not where its anchor stands.
        if isinstance(node, yaml.MappingNode):
            stack.extend((n, depth + 1) for pair in reversed(node.value) for n in reversed(pair))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((n, depth + 1) for n in reversed(node.value))
