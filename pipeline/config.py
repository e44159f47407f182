"""Settings: ``[tool.pipeline]`` in ``pyproject.toml`` or a ``pipeline.toml``, then the
environment, then command-line options, each overriding the one before."""

from __future__ import annotations

import math
import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails

from pipeline.brand import BrandSettings
from pipeline.diagnostics import PipelineError, did_you_mean
from pipeline.limits import DEFAULT_MAX_IMAGE_BYTES, Limits

ENV_PREFIX = "PIPELINE_"
MAX_BLEED_MM = 10.0
MAX_LOG_CELLS = 24
"""The most log rows a card takes: a card's foot, not a notebook."""

_MILLIMETRES = re.compile(r"^\s*([+-]?\d+(?:\.\d+)?|[+-]?\.\d+)\s*(?:mm)?\s*$", re.IGNORECASE)


def parse_bleed_mm(value: object) -> float:
    """A bleed in millimetres from a number or a text such as ``3``, ``3mm`` or ``3.5 mm``.

    The option, the environment variable and the settings file all go through this, so each
    says the same thing about a bad value."""
    millimetres = math.nan
    if isinstance(value, int | float) and not isinstance(value, bool):
        millimetres = float(value)
    elif isinstance(value, str) and (match := _MILLIMETRES.match(value)):
        millimetres = float(match.group(1))
    if not math.isfinite(millimetres):
        raise ValueError(f"{value!r} is not a length; give millimetres, e.g. 3mm")
    if millimetres < 0:
        raise ValueError("the bleed cannot be negative")
    if millimetres > MAX_BLEED_MM:
        raise ValueError(f"the bleed is at most {MAX_BLEED_MM:g}mm, not {millimetres:g}mm")
    return millimetres


class SettingsConflict(ValueError):
    """Two settings that are each fine but cannot be used together."""

    def __init__(self, fields: tuple[str, ...], message: str) -> None:
        super().__init__(message)
        self.fields = fields


class SettingsError(PipelineError):
    """Settings that cannot be used; each problem names where its value came from."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class Settings(BaseModel):
    """Everything the pipeline can be told, with the defaults it uses when it is not."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_seed_bytes: int = Field(
        default=1024 * 1024, gt=0, description="A seed file larger than this is an error."
    )
    max_line_chars: int = Field(
        default=10_000, gt=0, description="A seed line longer than this is an error."
    )
    max_image_bytes: int = Field(
        default=DEFAULT_MAX_IMAGE_BYTES,
        gt=0,
        description="A local picture larger than this is an error at the line naming it.",
    )
    max_section_items: int = Field(
        default=200,
        gt=0,
        description="A section (or the howto steps) with more items than this is an error.",
    )
    base_url: str | None = Field(
        default=None,
        description="Absolute URL of the site the exercise pages live on, e.g. "
        "https://example.org/exercises/. Required by the jsonld exporter.",
    )
    url_pattern: str = Field(
        default="{base_url}{slug}/",
        description="How an exercise's page URL is made from base_url and its slug.",
    )
    page_size: Literal["a4", "letter", "a5"] = Field(default="a4", description="Card page size.")
    layout: Literal["1up", "2up"] = Field(
        default="1up", description="1up: one card a page; 2up: two A5 cards on an A4 sheet."
    )
    bleed_mm: float = Field(
        default=0.0,
        description=f"Bleed around each card, in mm (0 to {MAX_BLEED_MM:g}), for print shops.",
    )
    log_cells: int = Field(
        default=0,
        ge=0,
        le=MAX_LOG_CELLS,
        description="Blank rows at the foot of every card for members to log their sessions "
        f"(a date and a cell a set, for weight and reps): 0 to {MAX_LOG_CELLS}, 0 for none.",
    )
    default_lang: str = Field(
        default="en",
        description="The language of a seed that says none (no lang key, no language in its "
        "file name), as a BCP 47 tag: en, de, pt-BR.",
    )
    labels: dict[str, dict[str, str | dict[str, str]]] = Field(
        default_factory=dict,
        description="Words of your own for the fixed words of the outputs, per language: "
        '[tool.pipeline.labels.de] tips = "Trainer-Tipps". They win over the shipped ones '
        "along the language's fallback chain (de-AT, de, en); docs/labels.md lists them.",
    )
    exercise_plan: bool = Field(
        default=False,
        description="Type each HowTo also as a schema.org ExercisePlan, with the seed's reps, "
        "rest and category, when it gives a prescription (docs/jsonld.md says what reads it).",
    )
    detect_language: bool = Field(
        default=True,
        description="pipeline check warns when a seed's text reads as another language than "
        "its own (docs/languages-detect.md); false turns that off.",
    )
    brand: BrandSettings = Field(
        default_factory=BrandSettings,
        description="The gym's own brand on cards and pages ([tool.pipeline.brand]: name, "
        "logo, accent, footer); docs/cards.md says how each is shown.",
    )
    strict: bool = Field(default=False, description="Treat warnings as errors.")
    state_dir: str | None = Field(
        default=None,
        description="Where an export keeps its build state (what the next export need not "
        "rebuild, and the lock): default .pipeline-state/<output folder's name>, beside the "
        "output folder.",
    )

    def limits(self) -> Limits:
        """The bounds the parser applies to each seed."""
        return Limits(
            max_bytes=self.max_seed_bytes,
            max_line_chars=self.max_line_chars,
            max_items=self.max_section_items,
            max_image_bytes=self.max_image_bytes,
        )

    @field_validator("default_lang")
    @classmethod
    def _language(cls, value: str) -> str:
        from pipeline.i18n import TagError, canonical_tag

        try:
            return canonical_tag(value)
        except TagError as error:
            raise ValueError(str(error)) from None

    @field_validator("labels", mode="before")
    @classmethod
    def _labels(cls, value: object) -> dict[str, Any]:
        if not value:  # no labels: nothing to check, and no catalogue to read
            return {}
        from pipeline.i18n.labels import check_overrides

        return check_overrides(value)

    @field_validator("bleed_mm", mode="before")
    @classmethod
    def _millimetres(cls, value: object) -> float:
        return parse_bleed_mm(value)

    @model_validator(mode="after")
    def _printable_layout(self) -> Settings:
        if self.layout == "2up" and self.page_size == "a5":
            # Half of A5 is too small to read from a wall.
            raise SettingsConflict(
                ("layout", "page_size"),
                "layout 2up needs page size a4 or letter, not a5 "
                "(two half-size cards on one sheet)",
            )
        return self


SETTINGS_FILES = ("pipeline.toml", "pyproject.toml")
"""The files a run's settings are read from, in its folder: the first that is there (and, for
``pyproject.toml``, has a ``[tool.pipeline]`` table)."""


def settings_files(root: Path | None = None) -> list[Path]:
    """The files the settings of a run in ``root`` (default: the current folder) may come
    from, there or not: what a preview watches."""
    folder = root or Path.cwd()
    return [folder / name for name in SETTINGS_FILES]


def _read_file_settings(root: Path | None) -> tuple[dict[str, Any], str | None]:
    """The settings file's values, and how to name one of its keys in a message ("{key}" in
    the returned pattern); no file, or no ``[tool.pipeline]`` table, gives nothing."""
    folder = root or Path.cwd()

    def shown(name: str) -> str:
        return name if root is None else str(folder / name)

    pipeline_toml, pyproject = (folder / name for name in SETTINGS_FILES)
    try:
        if pipeline_toml.is_file():
            values = tomllib.loads(pipeline_toml.read_text("utf-8"))
            return values, shown("pipeline.toml") + ": {key}"
        if pyproject.is_file():
            tool = tomllib.loads(pyproject.read_text("utf-8")).get("tool", {})
            table = tool.get("pipeline", {}) if isinstance(tool, dict) else {}
            if not isinstance(table, dict):
                raise PipelineError(f"{shown('pyproject.toml')}: tool.pipeline is not a table")
            if table:
                return table, shown("pyproject.toml") + " [tool.pipeline] {key}"
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise PipelineError(f"cannot read the settings: {exc}") from None
    return {}, None


_Given = dict[str, tuple[Any, str]]
"""Settings from one source: each value, with where it came from as a message names it."""


def load_settings(
    root: Path | None = None, *, option_names: Mapping[str, str] | None = None, **overrides: Any
) -> Settings:
    """Settings for a run in ``root`` (default: the current folder). ``overrides`` are
    command-line values; ``None`` means "not given". A setting's option is named
    ``--page-size`` for ``page_size`` in messages, unless ``option_names`` says otherwise.

    Raises :class:`SettingsError` naming, for each bad value, the file key, environment
    variable or option it came from. A relative ``brand.logo`` is taken from the settings
    file's folder."""
    settings = _validated(
        {
            **_file_settings(root),
            **_environment_settings(),
            **_option_settings(overrides, option_names or {}),
        }
    )
    logo = settings.brand.logo
    if logo is not None and not Path(logo).is_absolute():
        # Kept as written when relative to the current folder, so messages name it so.
        folder = root or Path()
        brand = settings.brand.model_copy(update={"logo": (folder / logo).as_posix()})
        settings = settings.model_copy(update={"brand": brand})
    return settings


def setting_origin(name: str, root: Path | None = None) -> str:
    """Where the value of the setting ``name`` of a run in ``root`` comes from, as a message
    names the place: its ``PIPELINE_<NAME>`` variable, the settings file that sets it, or
    "settings" for values given some other way (in code)."""
    variable = ENV_PREFIX + name.upper()
    if os.environ.get(variable):
        return variable
    try:
        values, key_pattern = _read_file_settings(root)
    except PipelineError:
        return "settings"
    if key_pattern is not None and name in values:
        return key_pattern.removesuffix(": {key}").removesuffix(" [tool.pipeline] {key}")
    return "settings"


def _file_settings(root: Path | None) -> _Given:
    """The settings file's values, each with its key in the file."""
    values, key_pattern = _read_file_settings(root)
    if key_pattern is None:
        return {}
    return {key: (value, key_pattern.format(key=key)) for key, value in values.items()}


def _environment_settings() -> _Given:
    """The settings ``PIPELINE_<NAME>`` variables give (an empty one gives none), each with
    its variable."""
    given: _Given = {}
    for name in Settings.model_fields:
        variable = ENV_PREFIX + name.upper()
        if value := os.environ.get(variable):
            given[name] = value, variable
    return given


def _option_settings(overrides: Mapping[str, Any], option_names: Mapping[str, str]) -> _Given:
    """The settings given as command-line options (``None``: not given), each with its
    option."""
    return {
        name: (value, option_names.get(name) or "--" + name.replace("_", "-"))
        for name, value in overrides.items()
        if value is not None
    }


def _validated(given: _Given) -> Settings:
    """The settings ``given``, or a :class:`SettingsError` naming where each bad value came
    from."""
    try:
        return Settings.model_validate({name: value for name, (value, _) in given.items()})
    except ValidationError as exc:
        origins = {name: origin for name, (_, origin) in given.items()}
        raise SettingsError([_problem(error, origins) for error in exc.errors()]) from None


def _problem(error: ErrorDetails, origins: Mapping[str, str]) -> str:
    loc = error["loc"]
    name = str(loc[0]) if loc else ""
    where = origins.get(name, name) + "".join(f".{part}" for part in loc[1:])
    value = error.get("input")
    cause = error.get("ctx", {}).get("error")
    if isinstance(cause, SettingsConflict):
        sources = " and ".join(origins.get(field, f"the default {field}") for field in cause.fields)
        return f"{sources}: {cause}"
    if error["type"] == "extra_forbidden":
        return _not_a_setting(loc, where)
    if error["type"] == "literal_error":
        allowed = ", ".join(get_args(Settings.model_fields[name].annotation))
        return f"{where}: {value!r} is not one of {allowed}"
    if isinstance(cause, ValueError):
        return f"{where}: {cause}"
    if error["type"] == "greater_than":
        return f"{where}: must be more than {error.get('ctx', {}).get('gt')}, not {value!r}"
    if error["type"] in _PLAIN_ERRORS:
        return f"{where}: {value!r} {_PLAIN_ERRORS[error['type']]}"
    return f"{where}: {value!r}: {error['msg'][:1].lower()}{error['msg'][1:]}"


def _not_a_setting(loc: tuple[int | str, ...], where: str) -> str:
    # A key of the brand table is checked against the table's keys.
    fields = BrandSettings.model_fields if len(loc) > 1 else Settings.model_fields
    suggestion = did_you_mean(str(loc[-1]), fields)
    hint = f"; did you mean '{suggestion}'?" if suggestion else ""
    return f"{where}: not a setting{hint} (the settings: {', '.join(fields)})"


_PLAIN_ERRORS = {
    "int_parsing": "is not a whole number",
    "int_type": "is not a whole number",
    "int_from_float": "is not a whole number",
    "bool_parsing": "is not true or false",
    "bool_type": "is not true or false",
    "string_type": "is not text",
}
