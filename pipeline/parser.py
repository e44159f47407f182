"""The seed parser: bytes of one seed file in, an :class:`Exercise` and diagnostics out.

The format is written down in ``docs/seed-format.md``; this module follows it
word for word. Problems are never raised past :func:`parse_seed`: they come
back as diagnostics with the file and line of the offending text.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from markdown_it.token import Token
from pydantic import ValidationError

from pipeline import frontmatter
from pipeline.diagnostics import Diagnostic, Level
from pipeline.inline import clean_text, join_spans, markdown, plain, spans_from_tokens, strip_spans
from pipeline.model import (
    Exercise,
    HowToStep,
    Item,
    Paragraph,
    Section,
    SectionKind,
    Source,
    Span,
    build,
)
from pipeline.slugs import slugify, title_from_stem

DEFAULT_MAX_SEED_BYTES = 1024 * 1024

_MARKER = re.compile(r"^<!--\s*howto\s*-->$", re.IGNORECASE)
_COMMENT = re.compile(r"^<!--.*-->$", re.DOTALL)
_LABEL_SEPARATOR = re.compile(r"^\s*(?::|[\u2014\u2013-](?=\s|$))\s*")
_SECTION_KINDS = {
    "setup": SectionKind.SETUP,
    "execution": SectionKind.EXECUTION,
    "tips": SectionKind.TIPS,
    "common mistakes": SectionKind.MISTAKES,
}
_SECTION_ORDER = (SectionKind.SETUP, SectionKind.EXECUTION, SectionKind.TIPS, SectionKind.MISTAKES)
_NUMBERED = (SectionKind.SETUP, SectionKind.EXECUTION)
_HEADINGS = {
    SectionKind.SETUP: "Setup",
    SectionKind.EXECUTION: "Execution",
    SectionKind.TIPS: "Tips",
    SectionKind.MISTAKES: "Common Mistakes",
}


@dataclass
class ParseResult:
    """What parsing one seed gave: the exercise (``None`` on any error) and every diagnostic."""

    path: str
    exercise: Exercise | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    sha256: str | None = None

    @property
    def ok(self) -> bool:
        """True when the seed parsed with no error."""
        return self.exercise is not None


class _Fatal(Exception):
    """Stops parsing one seed; its diagnostic is already recorded."""


@dataclass
class _Report:
    path: str
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def error(self, line: int, message: str) -> None:
        self.diagnostics.append(Diagnostic(self.path, line, Level.ERROR, message))

    def warning(self, line: int, message: str) -> None:
        self.diagnostics.append(Diagnostic(self.path, line, Level.WARNING, message))

    def fatal(self, line: int, message: str) -> _Fatal:
        self.error(line, message)
        return _Fatal()

    @property
    def failed(self) -> bool:
        return any(d.level is Level.ERROR for d in self.diagnostics)


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds on one seed, so no input can make the parser take unbounded time or memory.
    Each is a setting of the same name with ``max_`` (see ``docs/robustness.md``)."""

    max_bytes: int = DEFAULT_MAX_SEED_BYTES
    max_line_chars: int = 10_000
    max_items: int = 200


def _too_large(size: int, limits: Limits) -> str:
    return f"file is {size} bytes, over the limit of {limits.max_bytes} (setting max_seed_bytes)"


def parse_seed(
    path: Path,
    *,
    display_path: str | None = None,
    limits: Limits = Limits(),
    strict: bool = False,
) -> ParseResult:
    """Read and parse one seed file. Never raises for bad content or an unreadable file."""
    shown = display_path if display_path is not None else path.as_posix()
    report = _Report(shown)
    try:
        with path.open("rb") as file:
            # Read one byte past the limit: a file that grows while it is read is still caught.
            data = file.read(limits.max_bytes + 1)
    except OSError as exc:
        report.error(1, f"cannot read the file: {exc.strerror or exc}")
        return ParseResult(shown, None, report.diagnostics)
    if len(data) > limits.max_bytes:
        size = max(len(data), _size(path))
        report.error(1, _too_large(size, limits))
        return ParseResult(shown, None, report.diagnostics)
    return parse_seed_bytes(data, shown, stem=path.stem, limits=limits, strict=strict)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def parse_seed_bytes(
    data: bytes,
    path: str,
    *,
    stem: str,
    limits: Limits = Limits(),
    strict: bool = False,
) -> ParseResult:
    """Parse a seed from its bytes; ``path`` is only used in diagnostics and ``source``,
    ``stem`` (the file name without ``.md``) gives the default title and slug."""
    report = _Report(path)
    sha256 = hashlib.sha256(data).hexdigest()
    try:
        exercise = _parse(data, sha256, stem, report, limits=limits, strict=strict)
    except _Fatal:
        exercise = None
    if report.failed:
        exercise = None
    # In line order, so one read of the list fixes the seed top to bottom.
    report.diagnostics.sort(key=lambda diagnostic: diagnostic.line)
    return ParseResult(path, exercise, report.diagnostics, sha256)


def _decode(data: bytes, report: _Report) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise report.fatal(
            line,
            f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset "
            f"{exc.start}); save the file as UTF-8",
        ) from None
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise report.fatal(1, "the file is empty")
    return text


_NESTING_MARKS = re.compile(r"(?m)^(?:\s*(?:[-*+>]|\d+[.)]))+")
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _replace_controls(body: str, first_line: int, report: _Report) -> str:
    # Word processors leave vertical tabs and form feeds behind; no output can show them and a
    # terminal would act on them, so each becomes a space, said once with its line.
    match = _CONTROLS.search(body)
    if match is None:
        return body
    line = first_line + body.count("\n", 0, match.start())
    count = len(_CONTROLS.findall(body))
    report.warning(
        line,
        f"control character U+{ord(match.group()):04X} replaced by a space"
        + (f" ({count} in the text)" if count > 1 else ""),
    )
    return _CONTROLS.sub(" ", body)


def _check_line_lengths(text: str, limits: Limits, report: _Report) -> None:
    # Checked before any parsing: a single huge line is where Markdown's inline rules and
    # YAML's scanner spend super-linear time.
    if len(text) <= limits.max_line_chars:
        return
    for number, line in enumerate(text.split("\n"), start=1):
        if len(line) > limits.max_line_chars:
            raise report.fatal(
                number,
                f"line is {len(line)} characters long, over the limit of "
                f"{limits.max_line_chars} (setting max_line_chars)",
            )


def _parse(
    data: bytes, sha256: str, stem: str, report: _Report, *, limits: Limits, strict: bool
) -> Exercise:
    if len(data) > limits.max_bytes:
        raise report.fatal(1, _too_large(len(data), limits))
    if stem.startswith(".") or any(bad in stem for bad in ("..", "/", "\\", "\0")):
        shown = stem.replace("\0", "\\0")
        raise report.fatal(
            1,
            f"the file name '{shown}.md' is not allowed: it must not start with '.' or "
            "contain '..', '/', '\\' or NUL",
        )
    text = _decode(data, report)
    _check_line_lengths(text, limits, report)
    try:
        parts = frontmatter.split(text)
    except frontmatter.FrontmatterError as exc:
        raise report.fatal(exc.line, exc.message) from None
    # Frontmatter that cannot be read still leaves the body to check: every mistake a run
    # can find is reported at once.
    meta: frontmatter.SeedFrontmatter | None = None
    try:
        raw = frontmatter.load(parts.yaml_text, parts.yaml_line)
    except frontmatter.FrontmatterError as exc:
        report.error(exc.line, exc.message)
    else:
        meta = _validate_frontmatter(raw, report, strict=strict)
    body_text = _replace_controls(parts.body, parts.body_line, report)
    body = _BodyParser(body_text, parts.body_line, report, limits).run()
    if meta is None or body is None or report.failed:
        raise _Fatal()

    source = build(Source, path=report.path, line=1)
    slug = meta.slug or slugify(stem)
    if not slug:
        raise report.fatal(1, f"cannot make a slug from the file name '{stem}': set 'slug:'")
    return build(
        Exercise,
        source=source,
        source_sha256=sha256,
        slug=slug,
        title=clean_text(meta.title) if meta.title else title_from_stem(stem),
        description=clean_text(meta.description),
        video_id=meta.video,
        video_uploaded=meta.video_uploaded,
        equipment=tuple(meta.equipment),
        muscles=tuple(meta.muscles),
        level=meta.level,
        category=meta.category,
        image=meta.image,
        lang=meta.lang,
        aliases=tuple(meta.aliases),
        updated=meta.updated,
        draft=meta.draft,
        sections=body.sections,
        outro=body.outro,
        howto=body.howto,
    )


def _validate_frontmatter(
    raw: frontmatter.RawFrontmatter, report: _Report, *, strict: bool
) -> frontmatter.SeedFrontmatter | None:
    for line, message in raw.errors:
        report.error(line, message)
    for line, message in raw.warnings:
        report.warning(line, message)
    known: dict[str, object] = {}
    for key, value in raw.values.items():
        if key in frontmatter.KNOWN_KEYS:
            known[key] = value
            continue
        suggestion = frontmatter.did_you_mean(key)
        hint = f"; did you mean '{suggestion}'?" if suggestion else ""
        message = f"unknown frontmatter key '{key}'{hint}"
        (report.error if strict else report.warning)(raw.key_lines[key], message)
    try:
        meta = frontmatter.SeedFrontmatter.model_validate(known)
    except ValidationError as exc:
        for line, message in frontmatter.field_problems(exc, raw):
            report.error(line, message)
        return None
    for key in ("equipment", "muscles", "aliases"):
        for index in frontmatter.repeated_items(known.get(key)):
            report.warning(
                raw.line_of((key, index)),
                f"{key}: '{known[key][index]}' is listed twice; "  # type: ignore[index]
                "the repeat is left out",
            )
    return None if raw.errors else meta


# --- body -------------------------------------------------------------------------------------


@dataclass
class _Body:
    sections: tuple[Section, ...]
    outro: tuple[Paragraph, ...]
    howto: tuple[HowToStep, ...]


@dataclass
class _Block:
    """A top-level block: its opening token and the token range it spans."""

    token: Token
    start: int
    end: int


def _blocks(tokens: list[Token], start: int, end: int) -> Iterator[_Block]:
    """The blocks directly inside ``tokens[start:end]``."""
    i = start
    while i < end:
        token = tokens[i]
        if token.nesting == 1:
            depth, j = 1, i + 1
            while depth:
                depth += tokens[j].nesting
                j += 1
            yield _Block(token, i, j)
            i = j
        else:
            yield _Block(token, i, i + 1)
            i += 1


class _BodyParser:
    def __init__(self, body: str, first_line: int, report: _Report, limits: Limits) -> None:
        # The marker is found by line, not by Markdown block: written right under a list
        # item it would otherwise be read as part of that item's text.
        lines = self.lines = body.split("\n")
        markers = [i for i, text in enumerate(lines) if _MARKER.match(text.strip())]
        self.marker_line = first_line + markers[0] if markers else None
        self.extra_markers = [first_line + i for i in markers[1:]]
        cut = markers[0] if markers else len(lines)
        before = markdown().parse("\n".join(lines[:cut]))
        after = markdown().parse("\n".join(lines[cut + 1 :])) if markers else []
        for token in after:
            if token.map:
                token.map = [token.map[0] + cut + 1, token.map[1] + cut + 1]
        self.tokens = before + after
        self.split = len(before)
        self.first_line = first_line
        self.report = report
        self.limits = limits
        self.last_line = first_line + body.rstrip("\n").count("\n")
        self.sections: list[Section] = []
        self.outro: list[Paragraph] = []
        self.howto: list[tuple[str, int, list[list[Span]]]] = []
        self.near_misses: list[tuple[int, str, str]] = []  # line, heading, known heading

    def line(self, token: Token) -> int:
        return self.first_line + (token.map[0] if token.map else 0)

    def source(self, token: Token) -> Source:
        return build(Source, path=self.report.path, line=self.line(token))

    def inline(self, block: _Block) -> list[Span]:
        children = self.tokens[block.start + 1].children or []
        return spans_from_tokens(children)

    def run(self) -> _Body | None:
        section: tuple[SectionKind, str, Token, list[Item]] | None = None
        pending: list[Paragraph] = []  # paragraphs after a section's list: the closing note?
        seen_list = False

        def close_section() -> None:
            nonlocal section, pending
            if section is None:
                return
            kind, heading, token, items = section
            # Empty items were warned about where they stand; they are left out here.
            kept = tuple(i for i in items if i.text or i.label)
            if len(kept) > self.limits.max_items:
                self.report.error(
                    self.line(token),
                    f"'## {heading}' has {len(kept)} items, over the limit of "
                    f"{self.limits.max_items} (setting max_section_items)",
                )
            self.sections.append(
                build(Section, kind=kind, heading=heading, items=kept, source=self.source(token))
            )
            section = None

        for block in _blocks(self.tokens, 0, self.split):
            token = block.token
            kind = token.type
            if kind == "paragraph_open":
                raw = (self.tokens[block.start + 1].content or "").strip()
                if _COMMENT.match(raw):
                    continue
                spans = self.inline(block)
                paragraph = build(
                    Paragraph, text=plain(spans), spans=tuple(spans), source=self.source(token)
                )
                if section is None:
                    self.report.warning(
                        self.line(token),
                        "text before the first '##' section is "
                        "not part of the format and is left out",
                    )
                elif section[0] is SectionKind.OTHER and not seen_list:
                    section[3].append(
                        build(
                            Item,
                            text=paragraph.text,
                            spans=paragraph.spans,
                            source=paragraph.source,
                            label=None,
                        )
                    )
                elif not seen_list:
                    self.report.warning(
                        self.line(token),
                        f"text under '## {section[1]}' before its "
                        "list is left out: make it a list item",
                    )
                else:
                    pending.append(paragraph)
            elif kind == "heading_open" and token.tag == "h2":
                for paragraph in pending:
                    self.report.warning(
                        paragraph.source.line,
                        "text between sections is left out: "
                        "the closing note goes after the last section",
                    )
                pending = []
                close_section()
                heading = plain(self.inline(block)).rstrip(":").strip()
                section_kind = _SECTION_KINDS.get(
                    " ".join(heading.casefold().split()), SectionKind.OTHER
                )
                self.check_heading(section_kind, heading, token)
                section = (section_kind, heading, token, [])
                seen_list = False
            elif kind in ("bullet_list_open", "ordered_list_open"):
                if section is None:
                    self.report.warning(
                        self.line(token),
                        "a list before the first '##' section is "
                        "not part of the format and is left out",
                    )
                    continue
                if pending:
                    for paragraph in pending:
                        self.report.warning(
                            paragraph.source.line,
                            f"text inside '## {section[1]}' "
                            "between lists is left out: make it a list item",
                        )
                    pending = []
                self.check_list_kind(section[0], section[1], token)
                section[3].extend(self.list_items(block))
                seen_list = True
            elif kind == "hr":
                continue
            else:
                what = f"'{token.markup} heading'" if kind == "heading_open" else _describe(kind)
                self.report.warning(
                    self.line(token), f"{what} is not part of the seed format and is left out"
                )
        close_section()
        self.outro = pending
        for line in self.extra_markers:
            self.report.error(
                line, f"a second <!-- howto --> marker (the first is on line {self.marker_line})"
            )
        for block in _blocks(self.tokens, self.split, len(self.tokens)):
            self.howto_block(block)
        return self.finish()

    def check_heading(self, kind: SectionKind, heading: str, token: Token) -> None:
        line = self.line(token)
        if kind is SectionKind.OTHER:
            suggestion = frontmatter.did_you_mean(heading, tuple(_HEADINGS.values()))
            if suggestion is not None:
                # Said in finish(): a misspelt Execution is the reason there is none.
                self.near_misses.append((line, heading, suggestion))
                return
            self.report.warning(
                line,
                f"unknown section '## {heading}' is kept as it is; the known "
                "sections are Setup, Execution, Tips and Common Mistakes",
            )
            return
        if any(s.kind is kind for s in self.sections):
            self.report.error(line, f"'## {heading}' appears twice")
            return
        later = [
            s
            for s in self.sections
            if s.kind in _SECTION_ORDER
            and _SECTION_ORDER.index(s.kind) > _SECTION_ORDER.index(kind)
        ]
        if later:
            self.report.warning(line, f"'## {heading}' should come before '## {later[0].heading}'")

    def check_list_kind(self, kind: SectionKind, heading: str, token: Token) -> None:
        numbered = token.type == "ordered_list_open"
        if kind in _NUMBERED and not numbered:
            self.report.warning(
                self.line(token),
                f"'## {heading}' is a numbered list (1. or 1)): its items are read in order",
            )
        elif kind in (SectionKind.TIPS, SectionKind.MISTAKES) and numbered:
            self.report.warning(
                self.line(token),
                f"'## {heading}' is a bullet list (- item): its items are read in order",
            )

    def list_items(self, block: _Block) -> list[Item]:
        items: list[Item] = []
        for item_block in _blocks(self.tokens, block.start + 1, block.end - 1):
            items.append(self.list_item(item_block))
        return items

    def list_item(self, block: _Block) -> Item:
        label: str | None = None
        parts: list[list[Span]] = []
        nested: list[list[Span]] = []
        for child in _blocks(self.tokens, block.start + 1, block.end - 1):
            if child.token.type == "paragraph_open":
                children = self.tokens[child.start + 1].children or []
                if not parts and label is None:
                    label, children = _split_label(children)
                parts.append(spans_from_tokens(children))
            elif child.token.type in ("bullet_list_open", "ordered_list_open"):
                nested.append(join_spans([list(i.spans) for i in self.list_items(child)], "; "))
            else:
                parts.append(self.block_text(child))
        spans = strip_spans(join_spans([*parts, join_spans(nested, "; ")], " "))
        if label is not None and not spans:
            self.report.warning(self.line(block.token), f"item '{label}' has a label but no text")
        if label is None and not spans:
            self.report.warning(self.line(block.token), self._why_empty(block.token))
        return build(
            Item,
            text=plain(spans),
            spans=tuple(spans),
            source=self.source(block.token),
            label=label,
        )

    def _why_empty(self, token: Token) -> str:
        # Markdown stops reading lists and quotes nested deeper than its limit: such an item
        # looks empty although its lines hold text.
        first, last = token.map if token.map else (0, 0)
        text = "".join(self.lines[first:last])
        if _NESTING_MARKS.sub("", text).strip():
            return f"text nested more than {markdown().options.maxNesting} levels deep is left out"
        return "empty list item is left out"

    def block_text(self, block: _Block) -> list[Span]:
        """Spans of any block's text: paragraphs and list items inside it, code as code."""
        parts: list[list[Span]] = []
        for i in range(block.start, block.end):
            token = self.tokens[i]
            if token.type == "inline":
                parts.append(spans_from_tokens(token.children or []))
            elif token.type in ("fence", "code_block"):
                text = " ".join(token.content.split())
                parts.append([build(Span, text=text, strong=False, emphasis=False, code=True)])
        return join_spans(parts, " ")

    def howto_block(self, block: _Block) -> None:
        token = block.token
        if token.type == "heading_open" and token.tag == "h3":
            name = plain(self.inline(block))
            if not name:
                self.report.error(self.line(token), "a '###' step heading has no name")
            self.howto.append((name, self.line(token), []))
        elif token.type == "heading_open":
            self.report.error(
                self.line(token),
                f"'{token.markup} heading' after the <!-- howto --> "
                "marker: only '### Step name' headings may follow it",
            )
        elif (
            token.type == "paragraph_open"
            and _COMMENT.match((self.tokens[block.start + 1].content or "").strip())
        ) or token.type == "hr":
            return
        elif not self.howto:
            self.report.error(
                self.line(token),
                "text after the <!-- howto --> marker must be under a '### Step name' heading",
            )
        else:
            self.howto[-1][2].append(self.block_text(block))

    def finish(self) -> _Body | None:
        execution = next((s for s in self.sections if s.kind is SectionKind.EXECUTION), None)
        missing = _HEADINGS[SectionKind.EXECUTION] if execution is None else None
        for line, heading, suggestion in self.near_misses:
            if suggestion == missing:
                self.report.error(
                    line,
                    f"unknown section '## {heading}' (did you mean '## {suggestion}'?): "
                    f"without it the seed has no '## {suggestion}' section",
                )
                missing = None
            else:
                self.report.warning(
                    line,
                    f"unknown section '## {heading}' is kept as it is "
                    f"(did you mean '## {suggestion}'?)",
                )
        if execution is None:
            if missing is not None:
                self.report.error(
                    self.first_line,
                    "no '## Execution' section: it lists the steps of the exercise as a "
                    "numbered list",
                )
        elif not execution.items:
            self.report.error(
                execution.source.line, "'## Execution' has no steps: add a numbered list under it"
            )
        if self.marker_line is None:
            self.report.error(
                self.last_line,
                "no <!-- howto --> marker: end the seed with "
                "<!-- howto --> and '### Step name' headings, each with its text",
            )
            return None
        if not self.howto:
            self.report.error(
                self.marker_line, "no '### Step name' heading after the <!-- howto --> marker"
            )
        elif len(self.howto) > self.limits.max_items:
            self.report.error(
                self.marker_line,
                f"{len(self.howto)} '###' steps follow the <!-- howto --> marker, over the "
                f"limit of {self.limits.max_items} (setting max_section_items)",
            )
        steps: list[HowToStep] = []
        for name, line, parts in self.howto:
            text = "\n\n".join(plain(p) for p in parts if p)
            if name and not text:
                self.report.error(line, f"step '{name}' has no text under its heading")
            steps.append(
                build(
                    HowToStep,
                    name=name,
                    text=text,
                    source=build(Source, path=self.report.path, line=line),
                )
            )
        return _Body(tuple(self.sections), tuple(self.outro), tuple(steps))


def _describe(kind: str) -> str:
    names = {
        "blockquote_open": "a block quote",
        "fence": "a code block",
        "code_block": "a code block",
        "table_open": "a table",
        "html_block": "an HTML block",
    }
    return names.get(kind, f"a '{kind}' block")


def _split_label(children: list[Token]) -> tuple[str | None, list[Token]]:
    """Split ``**Label**: text`` (or ``**Label:** text``, ``**Label** — text``) into the label
    and the tokens of the text. An item that merely starts in bold is not labelled."""
    leading = 0
    while (
        leading < len(children)
        and children[leading].type == "text"
        and not children[leading].content
    ):
        leading += 1
    children = children[leading:]
    if not children or children[0].type != "strong_open":
        return None, children
    depth, close = 0, -1
    for index, token in enumerate(children):
        depth += {"strong_open": 1, "strong_close": -1}.get(token.type, 0)
        if depth == 0:
            close = index
            break
    if close < 0:
        return None, children
    label = plain(spans_from_tokens(children[1:close])).strip()
    rest = list(children[close + 1 :])
    if label.endswith(":"):
        label = label[:-1].rstrip()
    else:
        first = rest[0] if rest else None
        match = _LABEL_SEPARATOR.match(first.content) if first and first.type == "text" else None
        if match is None:
            return None, children
        remaining = first.content[match.end() :] if first else ""
        stripped = Token("text", "", 0, content=remaining)
        rest = [stripped, *rest[1:]]
    if not label:
        return None, children
    return label, rest
