"""The bounds the parser applies to each seed, apart from the parser so the settings (and a
run with nothing to parse) can name them without loading it."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_MAX_SEED_BYTES = 1024 * 1024
DEFAULT_MAX_IMAGE_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds on one seed, so no input can make the parser take unbounded time or memory.
    Each is a setting of the same name with ``max_`` (see ``docs/robustness.md``)."""

    max_bytes: int = DEFAULT_MAX_SEED_BYTES
    max_line_chars: int = 10_000
    max_items: int = 200
    max_image_bytes: int = DEFAULT_MAX_IMAGE_BYTES
