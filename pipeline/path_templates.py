"""Output path templates: the paths an exporter declares it writes, matched cheaply against
each path it writes, and compared with another exporter's to find a file both would write.

A template is a relative path whose parts mix literal text with placeholders such as
``{slug}``: ``jsonld/{slug}.snippet.html``, ``cards.pdf``. Every placeholder stands for one or
more slug characters (``a-z``, ``0-9``, ``-``), never for ``/``; ``{{`` and ``}}`` are literal
braces. That is every slug and a few strings no slug is (``-``, ``a--b``), so two templates
are said to collide a little more often than two exporters could really meet, never less.
"""

from __future__ import annotations

import enum
import functools
import re
from collections import deque
from collections.abc import Callable, Iterator, Sequence

SLUG_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")
_SLUG_REGEX = "[a-z0-9-]+"
# What a character both sides take from the slug characters is shown as, in an example path.
_SLUG_EXAMPLE = "a"
_TOKEN = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}|[{}]|[^{}]+")


class TemplateError(ValueError):
    """A template is not a plain relative path with well-formed placeholders."""


class _Slug(enum.Enum):
    """A placeholder, as two items of a glob: one slug character, then any number more."""

    ONE = "one"
    MORE = "more"


_Item = str | _Slug
"""One literal character, or a part of a placeholder."""


@functools.cache
def parse_template(template: str) -> tuple[tuple[_Item, ...], ...]:
    """The template's parts (split at ``/``), each as the items its matches are made of.
    Raises :class:`TemplateError` naming what makes it something other than a plain path
    inside the output folder."""
    if template.startswith("/"):
        raise TemplateError(f"'{template}' starts with '/'")
    return tuple(_parse_part(template, part) for part in template.split("/"))


def _parse_part(template: str, part: str) -> tuple[_Item, ...]:
    items: list[_Item] = []
    for match in _TOKEN.finditer(part):
        text = match.group()
        if match.group(1) is not None:
            items += (_Slug.ONE, _Slug.MORE)
        elif text in ("{", "}"):
            raise TemplateError(f"'{template}' has a lone '{text}' (write '{text * 2}')")
        else:
            items += text[0] if text in ("{{", "}}") else text
    if items in ([], ["."], [".", "."]):
        raise TemplateError(f"'{template}' has an empty, '.' or '..' part")
    if "\\" in items or "\0" in items:
        raise TemplateError(f"'{template}' holds a backslash or a NUL character")
    return tuple(items)


def literal(text: str) -> str:
    """The template that matches ``text`` only (its braces doubled)."""
    return text.replace("{", "{{").replace("}", "}}")


def template_regex(template: str) -> str:
    """A regular expression that matches exactly the paths ``template`` does."""
    return "/".join("".join(map(_item_regex, part)) for part in parse_template(template))


def _item_regex(item: _Item) -> str:
    if item is _Slug.ONE:
        return _SLUG_REGEX
    return "" if item is _Slug.MORE else re.escape(item)


@functools.cache
def path_matcher(templates: tuple[str, ...]) -> Callable[[str], re.Match[str] | None]:
    """One compiled test (``fullmatch``) of whether a path matches any of ``templates``,
    made once per set of templates: a writer asks it about every file."""
    return re.compile("|".join(f"(?:{template_regex(t)})" for t in templates)).fullmatch


def overlap(first: str, second: str) -> str | None:
    """An example path that both templates match, or None when no path does.

    A placeholder never matches ``/``, so two templates meet only when they have as many
    parts and each pair of parts, taken in order, has a common match; the example is those
    matches joined. Exact (for placeholders read as runs of slug characters, see the module):
    each pair of parts is compared by :func:`_part_overlap`."""
    ones, others = parse_template(first), parse_template(second)
    if len(ones) != len(others):
        return None
    parts = []
    for one, other in zip(ones, others, strict=True):
        common = _part_overlap(one, other)
        if common is None:
            return None
        parts.append(common)
    return "/".join(parts)


def may_be_inside(template: str, folder: str) -> bool:
    """Whether a path ``template`` matches is the folder ``folder`` (a plain path), lies in
    it, or is a file where one of its folders would be."""
    parts = parse_template(template)
    folder_parts = parse_template(literal(folder))
    return all(_part_overlap(a, b) is not None for a, b in zip(parts, folder_parts, strict=False))


_State = tuple[int, int]


def _part_overlap(one: Sequence[_Item], other: Sequence[_Item]) -> str | None:
    """The shortest text both parts match, or None: a breadth-first search through the
    product of the two globs.

    A state ``(i, j)`` means some text matched the first ``i`` items of ``one`` and the first
    ``j`` of ``other``; the text is common to both when ``(len(one), len(other))`` is reached.
    There are at most ``(len(one) + 1) * (len(other) + 1)`` states, so the search ends."""
    goal = (len(one), len(other))
    came: dict[_State, tuple[_State, str]] = {(0, 0): ((0, 0), "")}
    queue = deque([(0, 0)])
    while queue:
        state = queue.popleft()
        if state == goal:
            return _text_to(state, came)
        for following, char in _moves(one, other, state):
            if following not in came:
                came[following] = (state, char)
                queue.append(following)
    return None


def _moves(
    one: Sequence[_Item], other: Sequence[_Item], state: _State
) -> Iterator[tuple[_State, str]]:
    """The states one step from ``state``: a ``MORE`` item that matches nothing is passed
    over, or one character both sides accept is read (an item other than ``MORE`` is then
    used up; ``MORE`` stays, for it can take more)."""
    i, j = state
    if i < len(one) and one[i] is _Slug.MORE:
        yield (i + 1, j), ""
    if j < len(other) and other[j] is _Slug.MORE:
        yield (i, j + 1), ""
    if i < len(one) and j < len(other):
        char = _common_character(one[i], other[j])
        following = (i + (one[i] is not _Slug.MORE), j + (other[j] is not _Slug.MORE))
        # Two MOREs reading a character together stay where they are: nothing is learnt.
        if char is not None and following != state:
            yield following, char


def _common_character(one: _Item, other: _Item) -> str | None:
    """A character both items accept, or None."""
    if isinstance(one, _Slug):
        one, other = other, one
    if isinstance(one, _Slug):
        return _SLUG_EXAMPLE
    if isinstance(other, _Slug):
        return one if one in SLUG_CHARACTERS else None
    return one if one == other else None


def _text_to(state: _State, came: dict[_State, tuple[_State, str]]) -> str:
    chars = []
    while state != (0, 0):
        state, char = came[state]
        chars.append(char)
    return "".join(reversed(chars))
