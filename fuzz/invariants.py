"""What the fuzz targets assert about one seed's bytes: the parser's promises, and those of
the JSON-LD, HTML and catalogue views of what it accepts."""

from __future__ import annotations

import html.parser
import re

from pipeline.catalogue.build import catalogue_entry
from pipeline.config import Settings
from pipeline.diagnostics import Level
from pipeline.frontmatter import SLUG_PATTERN
from pipeline.jsonld import exercise_document, page_url, script_element
from pipeline.model import Exercise
from pipeline.pages import exercise_page
from pipeline.pages.render import LINKS_SCRIPT, PLAYER_SCRIPT
from pipeline.parser import parse_seed_bytes

SETTINGS = Settings(base_url="https://exercises.example.org/")
_SLUG = re.compile(SLUG_PATTERN)
_TAGS = frozenset(
    [
        "html",
        "head",
        "meta",
        "title",
        "link",
        "style",
        "body",
        "header",
        "div",
        "nav",
        "ol",
        "ul",
        "li",
        "a",
        "p",
        "h1",
        "h2",
        "h3",
        "span",
        "dl",
        "dt",
        "dd",
        "figure",
        "figcaption",
        "img",
        "main",
        "section",
        "em",
        "strong",
        "code",
        "time",
        "footer",
        "script",
        # The index's finder (pipeline/pages/finder.py).
        "form",
        "label",
        "input",
        "select",
        "option",
        "button",
        # The muscle map (pipeline/pages/muscle_map.py).
        "svg",
        "g",
        "polygon",
    ]
)
_ATTRIBUTES = frozenset(
    [
        "lang",
        "charset",
        "name",
        "content",
        "http-equiv",
        "rel",
        "href",
        "class",
        "aria-label",
        "aria-labelledby",
        "aria-current",
        "aria-hidden",
        # The click-to-load player and the steps' times (pipeline/pages/render.py).
        "data-embed",
        "data-title",
        "data-seek",
        # Open Graph's meta tags.
        "property",
        # The index's finder (pipeline/pages/finder.py).
        "data-index",
        "data-lang",
        "data-forms",
        "hidden",
        "for",
        "placeholder",
        "autocomplete",
        "value",
        "aria-live",
        "id",
        "src",
        "title",
        "loading",
        "decoding",
        "width",
        "height",
        "referrerpolicy",
        "allow",
        "allowfullscreen",
        "alt",
        "datetime",
        "type",
        "viewbox",
        "role",
        "xmlns",
        "points",
    ]
)
_BREAKERS = re.compile(r"<script|</script|<!--", re.IGNORECASE)


def check_seed(data: bytes) -> None:
    """Parse ``data`` as a seed and assert everything the pipeline promises about the result."""
    result = parse_seed_bytes(data, "seeds/fuzz.md", stem="fuzz")
    # A lone CR ends a line too, as in the parser (and in editors).
    lines = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n").count(b"\n") + 1
    for diagnostic in result.diagnostics:
        text = str(diagnostic)
        assert "\n" not in text and "\r" not in text, text
        assert 0 <= diagnostic.line <= lines + 1, text
        assert diagnostic.message.strip(), text
    errors = any(d.level is Level.ERROR for d in result.diagnostics)
    assert (result.exercise is None) == errors, result.diagnostics
    exercise = result.exercise
    if exercise is None:
        return
    assert _SLUG.match(exercise.slug), exercise.slug
    # The parser builds the model without validation, for speed: it must still be valid.
    again = Exercise.model_validate_json(exercise.model_dump_json())
    assert again == exercise
    assert exercise.execution and exercise.howto
    for item in (i for s in exercise.sections for i in s.items):
        assert "".join(s.text for s in item.spans) == item.text, item
    script = script_element(exercise_document(exercise, SETTINGS))
    assert len(_BREAKERS.findall(script)) == 2, script  # its own <script and </script
    page = exercise_page(
        exercise, page_url(exercise, SETTINGS), script, catalogue_url=SETTINGS.base_url or ""
    )
    # The player's and the file links' scripts are the template's own, the ones the page's
    # policy names by their hashes.
    player, links = f"<script>{PLAYER_SCRIPT}</script>", f"<script>{LINKS_SCRIPT}</script>"
    assert page.count(player) == (1 if exercise.video_id else 0)
    assert page.count(links) == 1
    assert len(_BREAKERS.findall(page.replace(player, "").replace(links, ""))) == 2
    reader = _Markup()
    reader.feed(page)
    reader.close()
    catalogue_entry(exercise)


class _Markup(html.parser.HTMLParser):
    """Fails on any element or attribute the page template does not write: one that did
    would have come from seed text."""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        assert tag in _TAGS, tag
        for name, _ in attrs:
            assert name in _ATTRIBUTES, (tag, name)

    def handle_comment(self, data: str) -> None:
        raise AssertionError(f"a comment on the page: {data!r}")
