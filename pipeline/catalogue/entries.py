"""The ``sqlite`` exporter's entry: what the catalogue keeps of one exercise, as plain values.

Apart from the build, which loads the model, because the exporter names this type on every
run, and only a run that rebuilds the catalogue needs the rest.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.catalogue.schema import ExerciseFacts

ItemRow = tuple[str, int, str | None, str]
"""(section or kind, position, label, text) of a step, tip or mistake."""
OtherItemRow = tuple[int, str, int, str | None, str]
"""(section's place among the seed's ``##`` sections, heading, position, label, text)."""
HowToRow = tuple[int, str, str]
"""(position, name, text) of a how-to step."""
SettingRow = tuple[int, str, str]
"""(position, name, value) of a machine setting."""
ImageRow = tuple[
    int,
    str | None,
    str | None,
    int | None,
    int | None,
    str | None,
    str | None,
    str | None,
    str | None,
    str | None,
    str | None,
    str | None,
]
"""(position, url, file, width, height, alt, caption, license, license_url, author,
author_url, source_url) of a picture."""
SearchRow = tuple[str, str, str, str]
"""(title, description, aliases, body) as the search index reads them."""


@dataclass(frozen=True, slots=True)
class CatalogueEntry(ExerciseFacts):
    """What the catalogue keeps of one exercise: plain values, small and picklable, so it can
    be made where the seed is parsed and cached between runs."""

    outro: str
    source_path: str
    source_sha256: str
    body: str
    steps: tuple[ItemRow, ...]
    notes: tuple[ItemRow, ...]
    other_sections: tuple[OtherItemRow, ...]
    howto: tuple[HowToRow, ...]
    settings: tuple[SettingRow, ...] = ()
    """The machine's settings, each (position, name, value)."""
    images: tuple[ImageRow, ...] = ()
    """The pictures, each an :data:`ImageRow`."""
    search: SearchRow | None = None
    """The texts the search index reads, folded for the exercise's language
    (:func:`pipeline.catalogue.folding.indexed`), when that changes any of them; ``None``
    when the index reads them as written. Folded here, where the seed is parsed, so a build
    of the catalogue does no folding of its own."""
