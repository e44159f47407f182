"""Hypothesis strategies for seeds: valid ones with random Unicode in every field (and the
clean text the parser must make of each field), and broken ones. Used by tests/test_fuzz.py
and tests/test_injection.py."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from hypothesis import strategies as st

from pipeline.frontmatter import SLUG_PATTERN
from pipeline.slugs import slugify

# Characters a seed may hold anywhere: no control characters (YAML refuses them in the
# frontmatter, Markdown folds them), no lone surrogates (not UTF-8), no private use or
# unassigned code points (no font has them, and nothing can be said about their text).
_CHARACTERS = st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Cn", "Co"))
_ASCII_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
_YAML_ESCAPES = {'"': '\\"', "\\": "\\\\", "\u2028": "\\L", "\u2029": "\\P", "\ufeff": "\\uFEFF"}
LANGS = ("en", "de", "de-CH", "pt-BR", "zh-Hant-TW", "sr-Latn", "x-private", "fr-FR")


def fold(text: str) -> str:
    """Whitespace folded as the parser folds it: runs to one space, none at the ends."""
    return " ".join(text.split())


def markdown_literal(text: str) -> str:
    """``text`` written so CommonMark reads it back character for character: every ASCII
    punctuation character backslash-escaped."""
    return _ASCII_PUNCTUATION.sub(r"\\\1", text)


def yaml_quoted(text: str) -> str:
    """``text`` as a YAML double-quoted scalar that loads back unchanged."""
    out = []
    for char in text:
        if char in _YAML_ESCAPES:
            out.append(_YAML_ESCAPES[char])
        elif not char.isprintable() and not char.isspace():
            out.append(f"\\u{ord(char):04X}" if ord(char) <= 0xFFFF else f"\\U{ord(char):08X}")
        elif char in "\t\n\r\x85":
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def words(max_size: int = 40) -> st.SearchStrategy[str]:
    """Non-empty random Unicode text, whitespace already folded as the parser folds it."""
    return st.text(_CHARACTERS, min_size=1, max_size=max_size).map(fold).filter(bool)


def raw_words(max_size: int = 30) -> st.SearchStrategy[str]:
    """Random Unicode text, unfolded, with something besides whitespace."""
    return st.text(_CHARACTERS, min_size=1, max_size=max_size).filter(lambda s: s.strip())


@dataclass
class SeedItem:
    """One list item: its label (if any), its text, and how it is written."""

    label: str | None
    text: str
    style: int = 0

    def markdown(self, marker: str) -> str:
        """The item as a Markdown list line."""
        text = markdown_literal(self.text)
        if self.style == 1:
            text = f"*{text}*"
        if self.label is None:
            return f"{marker} {text}"
        label = markdown_literal(self.label)
        separator = ("**{}**: {}", "**{}:** {}", "**{}** \u2014 {}")[self.style % 3]
        return f"{marker} " + separator.format(label, text)


@dataclass
class SeedSpec:
    """Everything a generated valid seed says, as the parser must read it back."""

    stem: str
    description: str
    title: str | None = None
    slug: str | None = None
    facts: dict[str, object] = field(default_factory=dict)
    lists: dict[str, list[str]] = field(default_factory=dict)
    category: str | None = None
    sections: dict[str, list[SeedItem]] = field(default_factory=dict)
    outro: list[str] = field(default_factory=list)
    howto: list[tuple[str, list[str]]] = field(default_factory=list)

    @property
    def expected_slug(self) -> str:
        """The slug the exercise must get."""
        return self.slug or slugify(self.stem)

    def text(self) -> str:
        """The seed file."""
        lines = ["---", f"description: {yaml_quoted(markdown_literal(self.description))}"]
        if self.title is not None:
            lines.append(f"title: {yaml_quoted(markdown_literal(self.title))}")
        if self.slug is not None:
            lines.append(f"slug: {yaml_quoted(self.slug)}")
        for key, value in self.facts.items():
            lines.append(f"{key}: {value}")
        if self.category is not None:
            lines.append(f"category: {yaml_quoted(self.category)}")
        for key, values in self.lists.items():
            lines.append(f"{key}:")
            lines.extend(f"  - {yaml_quoted(v)}" for v in values)
        lines += ["---", ""]
        for heading, items in self.sections.items():
            numbered = heading in ("Setup", "Execution")
            lines.append(f"## {heading}")
            for n, item in enumerate(items, 1):
                lines.append(item.markdown(f"{n}." if numbered else "-"))
            lines.append("")
        for paragraph in self.outro:
            lines += [markdown_literal(paragraph), ""]
        lines += ["<!-- howto -->", ""]
        for name, paragraphs in self.howto:
            lines.append(f"### {markdown_literal(name)}")
            for paragraph in paragraphs:
                lines += [markdown_literal(paragraph), ""]
        return "\n".join(lines)


_label = words(30).filter(lambda s: not s.endswith(":") and not s.startswith(("-", "\u2014")))


@st.composite
def seed_items(draw: st.DrawFn, min_size: int = 1) -> list[SeedItem]:
    """A section's items, some labelled, some emphasised."""
    count = draw(st.integers(min_size, 4))
    return [
        SeedItem(draw(st.none() | _label), draw(words(60)), draw(st.integers(0, 2)))
        for _ in range(count)
    ]


_VIDEO = st.from_regex(r"\A[A-Za-z0-9_-]{11}\Z")
_DATES = st.dates(dt.date(1990, 1, 1), dt.date(2099, 12, 31))
_stem = st.text(st.characters(categories=("Ll", "Lu", "Nd")), min_size=1, max_size=20).filter(
    lambda s: slugify(s) and len(s.encode()) < 100
)


@st.composite
def valid_seeds(draw: st.DrawFn) -> SeedSpec:
    """A seed the pipeline must accept, with random Unicode in every text field, optional
    sections and facts present or absent, labelled and unlabelled items."""
    spec = SeedSpec(stem=draw(_stem), description=draw(words(120)))
    if draw(st.booleans()):
        spec.title = draw(words(60))
    if draw(st.booleans()):
        spec.slug = draw(st.from_regex(SLUG_PATTERN, fullmatch=True).filter(lambda s: len(s) < 60))
    if draw(st.booleans()):
        video = draw(_VIDEO)
        form = draw(st.sampled_from(["{}", "https://youtu.be/{}", "youtube.com/watch?v={}"]))
        spec.facts["video"] = f'"{form.format(video)}"'
        if draw(st.booleans()):
            spec.facts["video_uploaded"] = draw(_DATES).isoformat()
    if draw(st.booleans()):
        spec.facts["level"] = draw(st.sampled_from(["beginner", "intermediate", "expert"]))
    if draw(st.booleans()):
        spec.facts["image"] = f'"https://img.example.org/{draw(_stem)}.jpg"'
    if draw(st.booleans()):
        spec.facts["lang"] = draw(st.sampled_from(LANGS))
    if draw(st.booleans()):
        spec.facts["updated"] = draw(_DATES).isoformat()
    if draw(st.booleans()):
        spec.category = draw(raw_words())
    for key in ("equipment", "supplies", "muscles", "aliases"):
        if draw(st.booleans()):
            spec.lists[key] = draw(
                st.lists(
                    raw_words(), min_size=1, max_size=3, unique_by=lambda s: s.strip().casefold()
                )
            )
    if draw(st.booleans()):
        spec.sections["Setup"] = draw(seed_items())
    spec.sections["Execution"] = draw(seed_items())
    if draw(st.booleans()):
        spec.sections["Tips"] = draw(seed_items())
    if draw(st.booleans()):
        spec.sections["Common Mistakes"] = draw(seed_items())
    spec.outro = draw(st.lists(words(80), max_size=2))
    steps = draw(st.integers(1, 4))
    spec.howto = [
        (draw(words(40)), draw(st.lists(words(80), min_size=1, max_size=2))) for _ in range(steps)
    ]
    return spec


YAML_FRAGMENTS = (
    "&a ",
    "*a",
    "!!python/object/apply:os.system ['true']",
    "!!binary ",
    "!custom ",
    # Standard tags with values that are not of their type, and dates written as numbers.
    "!!timestamp ",
    "!!bool ",
    "!!int ",
    '!!int ""',
    '!!float "-"',
    "!!str ",
    "!!null ",
    "!!seq ",
    "!!map ",
    "20240501",
    "86400",
    "%0A",
    "? ",
    "- ",
    ": ",
    "{",
    "}",
    "[",
    "]",
    "'",
    '"',
    "|",
    ">",
    "\t",
    "%YAML 1.2\n",
    "---\n",
    "...\n",
    "\n  ",
    "#",
    "<<: ",
    "2024-13-45",
    "\\x",
    "\x00",
    "\x1b",
    "\ufeff",
    "\u2028",
)
MARKDOWN_FRAGMENTS = (
    "## Execution\n",
    "## Tips\n",
    "## Setup\n",
    "### ",
    "# ",
    "<!-- howto -->\n",
    "<!--",
    "-->",
    "1. ",
    "- ",
    "**",
    "*",
    "_",
    "`",
    "```\n",
    "    ",
    "> ",
    "| a | b |\n|---|---|\n",
    "[x](",
    "![",
    "<script>",
    "&amp;",
    "&#0;",
    "\\",
    "\n",
    "\n\n",
    "\r",
    "---\n",
    "***\n",
    "\u0000",
    "\u2028",
    "\x1b[2J",
    "\x0b",
    "\x0c",
    "\x7f",
    "\x85",
    "\ufffe",
)


@st.composite
def broken_seeds(draw: st.DrawFn) -> bytes:
    """Seed bytes that are probably wrong: a valid seed cut short or mangled in its YAML or
    its Markdown, or random bytes."""
    kind = draw(st.sampled_from(["cut", "yaml", "markdown", "lines", "bytes", "encoding"]))
    if kind == "bytes":
        return draw(st.binary(max_size=600))
    text = draw(valid_seeds()).text()
    data = text.encode("utf-8")
    if kind == "cut":
        return data[: draw(st.integers(0, len(data)))]
    if kind == "encoding":
        at = draw(st.integers(0, len(data)))
        return data[:at] + draw(st.binary(min_size=1, max_size=4)) + data[at:]
    if kind == "lines":
        lines = text.split("\n")
        for _ in range(draw(st.integers(1, 4))):
            at = draw(st.integers(0, len(lines) - 1))
            action = draw(st.sampled_from(["drop", "repeat", "swap", "indent"]))
            if action == "drop":
                del lines[at]
            elif action == "repeat":
                lines.insert(at, lines[at])
            elif action == "swap":
                other = draw(st.integers(0, len(lines) - 1))
                lines[at], lines[other] = lines[other], lines[at]
            else:
                lines[at] = "    " + lines[at]
            if not lines:
                break
        return "\n".join(lines).encode("utf-8")
    closing = text.index("\n---\n", 3) + 1
    low, high = (4, closing) if kind == "yaml" else (closing + 4, len(text))
    fragments = YAML_FRAGMENTS if kind == "yaml" else MARKDOWN_FRAGMENTS
    for _ in range(draw(st.integers(1, 5))):
        at = draw(st.integers(low, max(low, min(high, len(text)))))
        text = text[:at] + draw(st.sampled_from(fragments)) + text[at:]
    return text.encode("utf-8", "surrogatepass")
