"""The muscle map on a page: the body from the front and from the back, inline SVG, each
shaded muscle a group named by its ``<title>`` in the page's language, the whole map one
image described in words (``aria-label``) for screen readers. Drawn from the same artwork
as the card's map (:mod:`pipeline.muscles`); its colours are the page's style sheet's."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from pipeline.i18n.labels import Labels
from pipeline.model import Exercise
from pipeline.muscles import GAP, MuscleMap, Region, body, muscle_map


def _points(region: Region, left: float) -> Sequence[str]:
    return [" ".join(f"{x + left:g},{y:g}" for x, y in polygon) for polygon in region.polygons]


def _polygons(regions: Sequence[tuple[Region, float]]) -> str:
    return "".join(
        f'<polygon points="{points}"/>'
        for region, left in regions
        for points in _points(region, left)
    )


def _svg(muscles: MuscleMap, labels: Labels) -> str:
    art = body()
    offset = art.width * (1 + GAP)
    outline: list[tuple[Region, float]] = []
    groups: dict[str, list[tuple[Region, float]]] = {}
    for index, (view, regions) in enumerate(art.views):
        shaded = {region.name: muscle.id for _, muscle, region in muscles.shaded(view)}
        for region in regions:
            placed = (region, index * offset)
            if region.name in shaded:
                groups.setdefault(shaded[region.name], []).append(placed)
            else:
                outline.append(placed)
    roles = [("primary", m) for m in muscles.primary] + [
        ("secondary", m) for m in muscles.secondary
    ]
    shown = "".join(
        f'<g class="{role}"><title>{escape(labels[muscle.label])}</title>'
        f"{_polygons(groups[muscle.id])}</g>"
        for role, muscle in roles
        if muscle.id in groups
    )
    width = art.width * (2 + GAP)
    return (
        f'<svg class="muscle-map" viewBox="0 0 {width:g} {art.height:g}" role="img" '
        f'aria-label="{escape(muscles.description(labels))}" '
        f'xmlns="http://www.w3.org/2000/svg">'
        f'<g class="body">{_polygons(outline)}</g>{shown}</svg>'
    )


def muscle_figure(exercise: Exercise, labels: Labels) -> str:
    """The page's muscle map, in a ``<figure>``; empty when the exercise names no muscle the
    vocabulary knows."""
    muscles = muscle_map(exercise.muscles, exercise.secondary_muscles)
    if muscles is None:
        return ""
    return f'<figure class="muscle-figure">{_svg(muscles, labels)}</figure>\n'
