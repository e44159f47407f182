"""Settings: ``[tool.pipeline]`` in ``pyproject.toml`` or a ``pipeline.toml``, then the
environment, then command-line options, each overriding the one before."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from pipeline.diagnostics import PipelineError
from pipeline.parser import Limits

ENV_PREFIX = "PIPELINE_"


class Settings(BaseModel):
    """Everything the pipeline can be told, with the defaults it uses when it is not."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_seed_bytes: int = Field(
        default=1024 * 1024, gt=0, description="A seed file larger than this is an error."
    )
    max_line_chars: int = Field(
        default=10_000, gt=0, description="A seed line longer than this is an error."
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
        default=0.0, ge=0, le=10, description="Bleed around each card, in mm, for print shops."
    )
    strict: bool = Field(default=False, description="Treat warnings as errors.")

    def limits(self) -> Limits:
        """The bounds the parser applies to each seed."""
        return Limits(
            max_bytes=self.max_seed_bytes,
            max_line_chars=self.max_line_chars,
            max_items=self.max_section_items,
        )

    @model_validator(mode="after")
    def _printable_layout(self) -> Settings:
        if self.layout == "2up" and self.page_size == "a5":
            # Half of A5 is too small to read from a wall.
            raise ValueError(
                "layout 2up needs page size a4 or letter (two half-size cards on one sheet)"
            )
        return self


def _read_file_settings(root: Path) -> tuple[dict[str, Any], str | None]:
    pipeline_toml = root / "pipeline.toml"
    pyproject = root / "pyproject.toml"
    try:
        if pipeline_toml.is_file():
            return tomllib.loads(pipeline_toml.read_text("utf-8")), "pipeline.toml"
        if pyproject.is_file():
            table = tomllib.loads(pyproject.read_text("utf-8")).get("tool", {}).get("pipeline", {})
            return (table, "pyproject.toml [tool.pipeline]") if table else ({}, None)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise PipelineError(f"cannot read the settings: {exc}") from None
    return {}, None


def load_settings(root: Path | None = None, **overrides: Any) -> Settings:
    """Settings for a run in ``root`` (default: the current folder). ``overrides`` are
    command-line values; ``None`` means "not given"."""
    values, origin = _read_file_settings(root or Path.cwd())
    for name in Settings.model_fields:
        env = os.environ.get(ENV_PREFIX + name.upper())
        if env:
            values[name] = env
    values.update({k: v for k, v in overrides.items() if v is not None})
    try:
        return Settings.model_validate(values)
    except ValidationError as exc:
        where = f" in {origin}" if origin else ""
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'settings'}: {e['msg']}" for e in exc.errors()
        )
        raise PipelineError(f"bad setting{where}: {problems}") from None
