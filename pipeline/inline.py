"""Inline Markdown to clean text and styled spans.

Raw HTML is off in the Markdown parser, so ``<b>`` or ``<font size=90>`` in a
seed stays literal text: seed text is data, never markup, in every format.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token

from pipeline.model import Span, build

_WHITESPACE = re.compile(r"\s+")


@lru_cache(maxsize=1)
def markdown() -> MarkdownIt:
    """The one Markdown parser the pipeline uses: CommonMark, raw HTML kept as text."""
    return MarkdownIt("commonmark", {"html": False})


# How each style's open and close token moves its depth: (strong, emphasis).
_STYLE_STEPS = {
    "strong_open": (1, 0),
    "strong_close": (-1, 0),
    "em_open": (0, 1),
    "em_close": (0, -1),
}
# The tokens that carry text of their own, and whether it is code.
_TEXT_IS_CODE = {"text": False, "text_special": False, "html_inline": False, "code_inline": True}
_BREAKS = frozenset({"softbreak", "hardbreak"})


def spans_from_tokens(children: Sequence[Token]) -> list[Span]:
    """Styled, whitespace-folded runs from an inline token's children."""
    runs: list[tuple[str, bool, bool, bool]] = []
    strong = emphasis = 0
    for token in children:
        kind = token.type
        code = _TEXT_IS_CODE.get(kind)
        if code is not None:
            runs.append((token.content, strong > 0, emphasis > 0, code))
        elif kind in _STYLE_STEPS:
            strong_step, emphasis_step = _STYLE_STEPS[kind]
            strong += strong_step
            emphasis += emphasis_step
        elif kind in _BREAKS:
            runs.append((" ", strong > 0, emphasis > 0, False))
        elif kind == "image":
            runs.extend(_alt_text_runs(token, strong > 0, emphasis > 0))
        # link_open/link_close carry no text of their own: the link text is kept.
    return _fold(runs)


def _alt_text_runs(
    image: Token, strong: bool, emphasis: bool
) -> list[tuple[str, bool, bool, bool]]:
    """An image's alt text as runs: it is what a reader of the text version should see."""
    return [
        (span.text, strong or span.strong, emphasis, span.code)
        for span in spans_from_tokens(image.children or [])
    ]


def _fold(runs: list[tuple[str, bool, bool, bool]]) -> list[Span]:
    spans: list[Span] = []
    for text, strong, emphasis, code in runs:
        text = _WHITESPACE.sub(" ", text)
        if not spans or spans[-1].text.endswith(" "):
            text = text.lstrip(" ")
        if not text:
            continue
        last = spans[-1] if spans else None
        if last and (last.strong, last.emphasis, last.code) == (strong, emphasis, code):
            spans[-1] = build(
                Span, text=last.text + text, strong=strong, emphasis=emphasis, code=code
            )
        else:
            spans.append(build(Span, text=text, strong=strong, emphasis=emphasis, code=code))
    return strip_spans(spans)


def strip_spans(spans: list[Span]) -> list[Span]:
    """Trim whitespace at both ends of a span list, dropping runs left empty."""
    spans = list(spans)
    while spans and not spans[0].text.strip():
        spans.pop(0)
    while spans and not spans[-1].text.strip():
        spans.pop()
    if spans:
        spans[0] = _with_text(spans[0], spans[0].text.lstrip())
        spans[-1] = _with_text(spans[-1], spans[-1].text.rstrip())
    return spans


def _with_text(span: Span, text: str) -> Span:
    # build, not model_copy: this runs for every list item of every seed.
    if text == span.text:
        return span
    return build(Span, text=text, strong=span.strong, emphasis=span.emphasis, code=span.code)


def join_spans(parts: Sequence[Sequence[Span]], separator: str) -> list[Span]:
    """Join several span lists into one, with a plain separator between non-empty parts."""
    joined: list[Span] = []
    for part in parts:
        if not part:
            continue
        if joined:
            joined.append(build(Span, text=separator, strong=False, emphasis=False, code=False))
        joined.extend(part)
    return joined


def plain(spans: Sequence[Span]) -> str:
    """The clean text of a span list."""
    return "".join(span.text for span in spans)


def clean_text(markdown_text: str) -> str:
    """Inline Markdown in a string (a title, a description) to clean text."""
    tokens = markdown().parseInline(markdown_text)
    return plain(spans_from_tokens(tokens[0].children or [])) if tokens else ""
