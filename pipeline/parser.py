"""The seed parser: bytes of one seed file in, an :class:`Exercise` and diagnostics out.

The format is written down in ``docs/seed-format.md``; this module follows it
word for word. Problems are never raised past :func:`parse_seed`: they come
back as diagnostics with the file and line of the offending text.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from markdown_it.token import Token
from pydantic import ValidationError

from pipeline import frontmatter
from pipeline.credit import parse_license
from pipeline.diagnostics import Diagnostic, Level
from pipeline.files import read_regular
from pipeline.i18n import headings
from pipeline.inline import clean_text, join_spans, markdown, plain, spans_from_tokens, strip_spans
from pipeline.inputs import InputFile, input_key
from pipeline.limits import DEFAULT_MAX_SEED_BYTES as DEFAULT_MAX_SEED_BYTES
from pipeline.limits import Limits as Limits
from pipeline.model import (
    Credit,
    Exercise,
    HowToStep,
    Item,
    MachineSetting,
    Paragraph,
    Picture,
    Prescription,
    Section,
    SectionKind,
    Source,
    Span,
    ValueLines,
    build,
)
from pipeline.slugs import slugify, title_from_stem
from pipeline.video_times import clock, parse_clock, split_step_time

if TYPE_CHECKING:
    from pipeline.i18n.labels import Overrides

_MARKER = re.compile(r"^<!--\s*howto\s*-->$", re.IGNORECASE)
_COMMENT = re.compile(r"^<!--.*-->$", re.DOTALL)
_LABEL_SEPARATOR = re.compile(r"^\s*(?::|[\u2014\u2013-](?=\s|$))\s*")
_SECTION_ORDER = (SectionKind.SETUP, SectionKind.EXECUTION, SectionKind.TIPS, SectionKind.MISTAKES)
_NUMBERED = (SectionKind.SETUP, SectionKind.EXECUTION)


@dataclass
class ParseResult:
    """What parsing one seed gave: the exercise (``None`` on any error) and every diagnostic."""

    path: str
    exercise: Exercise | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    sha256: str | None = None
    translation_line: int = 1
    """The line of ``translation_of``, for what only the whole set can say about it."""
    lang: str = ""
    """The seed's language as far as the parse got, even when it failed: its ``lang``, else
    its file name's suffix, else the default; ``""`` when the frontmatter could not be read
    and the file name names none (``export --lang`` then counts the seed in)."""
    inputs: tuple[InputFile, ...] = ()
    """The files besides the seed that the parse looked at (its local pictures), found or
    not: the seed is read again when one of them changes."""

    @property
    def key(self) -> str | None:
        """The hash of everything the seed's outputs are made from (see
        :func:`pipeline.pictures.input_key`)."""
        return None if self.sha256 is None else input_key(self.sha256, self.inputs)

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
    folder: Path = Path()
    translation_line: int = 1
    lang: str = ""
    inputs: list[InputFile] = field(default_factory=list)

    def error(self, line: int, message: str) -> None:
        self.diagnostics.append(Diagnostic(self.path, line, Level.ERROR, message))

    def warning(self, line: int, message: str) -> None:
        self.diagnostics.append(Diagnostic(self.path, line, Level.WARNING, message))

    def note(self, line: int, message: str) -> None:
        self.diagnostics.append(Diagnostic(self.path, line, Level.NOTE, message))

    def fatal(self, line: int, message: str) -> _Fatal:
        self.error(line, message)
        return _Fatal()

    @property
    def failed(self) -> bool:
        return any(d.level is Level.ERROR for d in self.diagnostics)


def _too_large(size: int, limits: Limits) -> str:
    return f"file is {size} bytes, over the limit of {limits.max_bytes} (setting max_seed_bytes)"


def parse_seed(
    path: Path,
    *,
    display_path: str | None = None,
    limits: Limits = Limits(),
    strict: bool = False,
    default_lang: str = "en",
    labels: Overrides | None = None,
) -> ParseResult:
    """Read and parse one seed file. Never raises for bad content or an unreadable file.

    ``default_lang`` is the language of a seed that names none (no ``lang``, no language in
    its file name); ``labels`` is the labels setting, which may give the words its language
    lacks."""
    shown = display_path if display_path is not None else path.as_posix()
    report = _Report(shown)
    try:
        data = read_regular(path, limits.max_bytes + 1)
    except OSError as exc:
        report.error(1, f"cannot read the file: {exc.strerror or exc}")
        return ParseResult(shown, None, report.diagnostics)
    if len(data) > limits.max_bytes:
        size = max(len(data), _size(path))
        report.error(1, _too_large(size, limits))
        return ParseResult(shown, None, report.diagnostics)
    return parse_seed_bytes(
        data,
        shown,
        stem=path.stem,
        folder=path.parent,
        limits=limits,
        strict=strict,
        default_lang=default_lang,
        labels=labels,
    )


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
    folder: Path | None = None,
    limits: Limits = Limits(),
    strict: bool = False,
    default_lang: str = "en",
    labels: Overrides | None = None,
) -> ParseResult:
    """Parse a seed from its bytes; ``path`` is only used in diagnostics and ``source``,
    ``stem`` (the file name without ``.md``) gives the default title and slug, and its
    language suffix, if any (``squat.de``), the seed's language. ``folder`` is the seed's
    folder on disk, where its local pictures are: by default the folder of ``path``."""
    report = _Report(path, folder=Path(path).parent if folder is None else folder)
    sha256 = hashlib.sha256(data).hexdigest()
    try:
        exercise = _parse(
            data,
            sha256,
            stem,
            report,
            limits=limits,
            strict=strict,
            default_lang=default_lang,
            labels=labels,
        )
    except _Fatal:
        exercise = None
    if report.failed:
        exercise = None
    # In line order, so one read of the list fixes the seed top to bottom.
    report.diagnostics.sort(key=lambda diagnostic: diagnostic.line)
    return ParseResult(
        path,
        exercise,
        report.diagnostics,
        sha256,
        report.translation_line,
        report.lang,
        tuple(report.inputs),
    )


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
    data: bytes,
    sha256: str,
    stem: str,
    report: _Report,
    *,
    limits: Limits,
    strict: bool,
    default_lang: str,
    labels: Overrides | None,
) -> Exercise:
    if len(data) > limits.max_bytes:
        raise report.fatal(1, _too_large(len(data), limits))
    _check_stem(stem, report)
    name, suffix = split_language_suffix(stem)
    text = _decode(data, report)
    _check_line_lengths(text, limits, report)
    try:
        parts = frontmatter.split(text)
    except frontmatter.FrontmatterError as exc:
        raise report.fatal(exc.line, exc.message) from None
    meta, lines = _read_frontmatter(parts, report, strict=strict)
    lang_line = _line(lines, "lang")
    lang = _language(meta, suffix, default_lang, stem, report, lang_line)
    # Unreadable frontmatter may have named another language; only the file name is sure.
    report.lang = lang if meta is not None else suffix or ""
    _check_labels(lang, labels, report, lang_line, strict=strict)
    report.translation_line = _line(lines, "translation_of")
    body_text = _replace_controls(parts.body, parts.body_line, report)
    body = _BodyParser(body_text, parts.body_line, report, limits, lang).run()
    if meta is None or body is None or report.failed:
        raise _Fatal()
    images = _pictures(meta, lines, report, limits)
    body.howto = _timed_steps(meta, body.howto, lines, report)
    if report.failed:
        raise _Fatal()
    return _exercise(meta, body, name, lang, sha256, report, lines, images)


def _timed_steps(
    meta: frontmatter.SeedFrontmatter,
    steps: tuple[HowToStep, ...],
    lines: dict[str, ValueLines],
    report: _Report,
) -> tuple[HowToStep, ...]:
    """The steps with their times in the video: from their headings, or from video_times,
    one a step. Times must increase, lie within the video's duration, and need a video; an
    error at the line that gives the time otherwise."""
    where = [step.source.line for step in steps]
    if meta.video_times:
        line = _line(lines, "video_times")
        headed = next((s for s in steps if s.video_time is not None), None)
        if headed is not None:
            report.error(
                headed.source.line,
                "this step's time is given twice: after its heading and in video_times "
                f"(line {line}); keep one",
            )
            return steps
        if len(meta.video_times) != len(steps):
            report.error(
                line,
                f"video_times gives {len(meta.video_times)} times for {len(steps)} howto "
                "steps: give one a step, in order",
            )
            return steps
        items = lines["video_times"].items
        where = list(items) if len(items) == len(steps) else [line] * len(steps)
        steps = tuple(
            s.model_copy(update={"video_time": t})
            for s, t in zip(steps, meta.video_times, strict=True)
        )
    _check_times(meta, steps, where, report)
    return steps


def _check_times(
    meta: frontmatter.SeedFrontmatter,
    steps: tuple[HowToStep, ...],
    where: list[int],
    report: _Report,
) -> None:
    """Report each step time out of order, past the video's end, or with no video."""
    timed = [(s, line) for s, line in zip(steps, where, strict=True) if s.video_time is not None]
    if timed and meta.video is None:
        report.error(
            timed[0][1], "step times point into a video, but the seed has none: add video:"
        )
        return
    for (before, _), (step, line) in zip([(None, 0), *timed], timed, strict=False):
        problem = _time_problem(step, before, meta.duration)
        if problem:
            report.error(line, problem)


def _time_problem(step: HowToStep, before: HowToStep | None, duration: int | None) -> str:
    """What is wrong with a step's time after the timed step ``before``; empty if nothing."""
    start = step.video_time or 0
    if before is not None and start <= (before.video_time or 0):
        return (
            f"step '{step.name}' starts at {clock(start)}, not after the step before it "
            f"('{before.name}' at {clock(before.video_time or 0)}): times must increase"
        )
    if duration is not None and start >= duration:
        return (
            f"step '{step.name}' starts at {clock(start)}, past the end of the video "
            f"({clock(duration)}, its duration)"
        )
    return ""


def _check_labels(
    lang: str, labels: Overrides | None, report: _Report, line: int, *, strict: bool
) -> None:
    """Say when the seed's outputs must show some fixed words in English, its language having
    none of its own for them: a note, a warning (which fails the run) when strict."""
    if lang == "en":  # the common case, and English has every label
        return
    from pipeline.i18n.labels import missing_labels, missing_labels_message

    missing = missing_labels(lang, labels)
    if missing:
        say = report.warning if strict else report.note
        say(line, missing_labels_message(lang, missing))


def split_language_suffix(stem: str) -> tuple[str, str | None]:
    """A file name without ``.md`` and its language suffix, Hugo's convention:
    ``squat.de`` -> ``("squat", "de")``, ``squat.pt-BR`` -> ``("squat", "pt-BR")``. A suffix
    is a two-letter language code, optionally with a script or region; anything else after
    a dot is part of the name (``v1.2``, ``press.alt``)."""
    name, dot, suffix = stem.rpartition(".")
    if not dot or not name or not _SUFFIX.match(suffix):
        return stem, None
    from pipeline.i18n import TagError, canonical_tag

    try:
        return name, canonical_tag(suffix)
    except TagError:
        return stem, None


_SUFFIX = re.compile(r"^[A-Za-z]{2}(?:-[A-Za-z]{4})?(?:-(?:[A-Za-z]{2}|[0-9]{3}))?$")


def _language(
    meta: frontmatter.SeedFrontmatter | None,
    suffix: str | None,
    default_lang: str,
    stem: str,
    report: _Report,
    line: int,
) -> str:
    """The seed's language: its ``lang``, else its file name's suffix, else the default; a
    ``lang`` the file name contradicts is an error at its line."""
    declared = meta.lang if meta is not None else None
    if declared is not None and suffix is not None and declared != suffix:
        report.error(
            line,
            f"lang: '{declared}' but the file name says '{suffix}' ({stem}.md); "
            f"make them agree, or drop one of them",
        )
    return declared or suffix or default_lang


def _check_stem(stem: str, report: _Report) -> None:
    """Refuse a file name that starts with '.' or holds '..', a slash or NUL."""
    if stem.startswith(".") or any(bad in stem for bad in ("..", "/", "\\", "\0")):
        shown = stem.replace("\0", "\\0")
        raise report.fatal(
            1,
            f"the file name '{shown}.md' is not allowed: it must not start with '.' or "
            "contain '..', '/', '\\' or NUL",
        )


def _read_frontmatter(
    parts: frontmatter.SplitSeed, report: _Report, *, strict: bool
) -> tuple[frontmatter.SeedFrontmatter | None, dict[str, ValueLines]]:
    """The seed's frontmatter, or ``None`` when it cannot be read or is not valid, and the
    lines of each value (see :func:`_value_lines`)."""
    # Frontmatter that cannot be read still leaves the body to check: every mistake a run
    # can find is reported at once.
    try:
        raw = frontmatter.load(parts.yaml_text, parts.yaml_line)
    except frontmatter.FrontmatterError as exc:
        report.error(exc.line, exc.message)
        return None, {}
    return _validate_frontmatter(raw, report, strict=strict), _value_lines(raw)


def _value_lines(raw: frontmatter.RawFrontmatter) -> dict[str, ValueLines]:
    """The line of each key and, for a list, the lines of the items the model keeps (a
    repeat is left out)."""
    lines = {}
    for key, line in raw.key_lines.items():
        # Pictures are told apart by path, and each keeps its own line (see _pictures).
        given = raw.values.get(key) if key != "images" else None
        repeats = set(frontmatter.repeated_items(given))
        items = raw.item_lines.get(key, ())
        kept = tuple(at for index, at in enumerate(items) if index not in repeats)
        lines[key] = build(ValueLines, line=line, items=kept)
    return lines


def _line(lines: dict[str, ValueLines], key: str) -> int:
    """The line of a frontmatter key; 1, the file's first, for a key the seed does not give."""
    value = lines.get(key)
    return value.line if value else 1


def _exercise(
    meta: frontmatter.SeedFrontmatter,
    body: _Body,
    stem: str,
    lang: str,
    sha256: str,
    report: _Report,
    lines: dict[str, ValueLines],
    images: tuple[Picture, ...],
) -> Exercise:
    """The exercise of a seed whose frontmatter and body are both valid."""
    source = build(Source, path=report.path, line=1)
    slug = meta.slug or slugify(stem)
    if not slug:
        raise report.fatal(1, f"cannot make a slug from the file name '{stem}': set 'slug:'")
    if meta.source_url is not None and meta.license is None:
        report.warning(
            _line(lines, "source_url"),
            "source_url without a license: say which licence the source lets its text be "
            "reused under (license: CC-BY-SA-4.0), so the credit can name it",
        )
    return build(
        Exercise,
        source=source,
        source_sha256=sha256,
        slug=slug,
        title=clean_text(meta.title) if meta.title else title_from_stem(stem),
        description=clean_text(meta.description),
        video_id=meta.video,
        video_uploaded=meta.video_uploaded,
        video_duration=meta.duration,
        equipment=tuple(meta.equipment),
        supplies=tuple(meta.supplies),
        muscles=tuple(meta.muscles),
        secondary_muscles=tuple(meta.secondary_muscles),
        level=meta.level,
        category=meta.category,
        images=images,
        prescription=_prescription(meta),
        credit=_credit(meta),
        station=meta.station,
        lang=lang,
        translation_of=meta.translation_of,
        translations=(),
        aliases=tuple(meta.aliases),
        updated=meta.updated,
        draft=meta.draft,
        sections=body.sections,
        outro=body.outro,
        howto=body.howto,
        frontmatter_lines=lines,
    )


def _pictures(
    meta: frontmatter.SeedFrontmatter,
    lines: dict[str, ValueLines],
    report: _Report,
    limits: Limits,
) -> tuple[Picture, ...]:
    """The seed's pictures, ``image`` first; each local one read and checked, an error at
    its line when it cannot be used (a repeat is a warning, and left out)."""
    given = [(frontmatter.ImageEntry(path=meta.image), _line(lines, "image"))] if meta.image else []
    at = lines["images"].items if "images" in lines else ()
    for index, entry in enumerate(meta.images):
        given.append((entry, at[index] if index < len(at) else _line(lines, "images")))
    pictures: list[Picture] = []
    seen: dict[str, int] = {}
    for entry, line in given:
        if entry.path in seen:
            report.warning(
                line,
                f"the picture '{entry.path}' is given twice (first on line "
                f"{seen[entry.path]}); the repeat is left out",
            )
            continue
        seen[entry.path] = line
        picture = _picture(entry, line, report, limits)
        if picture is not None:
            pictures.append(picture)
    return tuple(pictures)


def _picture(
    entry: frontmatter.ImageEntry, line: int, report: _Report, limits: Limits
) -> Picture | None:
    """One picture; a local one read and checked (``None`` and an error when it fails)."""
    from pipeline.pictures import PictureError, check_local, is_url, shown_path, stat_input

    facts: dict[str, object] = {"file": None, "format": None, "width": None, "height": None}
    facts["sha256"] = None
    if not is_url(entry.path):
        shown = shown_path(report.path, entry.path)
        found = stat_input(report.folder / entry.path, shown)
        try:
            read, checked = check_local(report.folder, entry.path, found, limits.max_image_bytes)
        except PictureError as error:
            report.inputs.append(found)
            report.error(line, f"the picture '{entry.path}' {error}")
            return None
        report.inputs.append(read)
        facts.update(file=shown, format=checked.format, width=checked.width)
        facts.update(height=checked.height, sha256=read.sha256)
    return build(
        Picture,
        src=entry.path,
        **facts,
        alt=clean_text(entry.alt) if entry.alt else None,
        caption=clean_text(entry.caption) if entry.caption else None,
        credit=_credit(entry),
        source=build(Source, path=report.path, line=line),
    )


def _credit(meta: frontmatter.SeedFrontmatter | frontmatter.ImageEntry) -> Credit | None:
    """The licence, author and source of the seed's text or of a picture; None when it
    gives none of them."""
    given = (meta.license, meta.author, meta.author_url, meta.source_url)
    if all(value is None for value in given):
        return None
    terms = parse_license(meta.license) if meta.license is not None else None
    return build(
        Credit,
        license=terms.spdx if terms else None,
        license_name=terms.name if terms else None,
        license_url=terms.url if terms else None,
        author=clean_text(meta.author) if meta.author else None,
        author_url=meta.author_url,
        source_url=meta.source_url,
    )


def _prescription(meta: frontmatter.SeedFrontmatter) -> Prescription | None:
    """The seed's sets, reps, rest, tempo, settings and total time; None when it gives none
    of them."""
    given = (meta.sets, meta.reps, meta.rest, meta.tempo, meta.time)
    if all(value is None for value in given) and not meta.settings:
        return None
    low, high = meta.reps or (None, None)
    return build(
        Prescription,
        sets=meta.sets,
        reps_min=low,
        reps_max=high,
        rest_seconds=meta.rest,
        tempo=meta.tempo,
        time_seconds=meta.time,
        settings=tuple(
            build(MachineSetting, name=clean_text(name), value=clean_text(value))
            for name, value in meta.settings.items()
        ),
    )


def _validate_frontmatter(
    raw: frontmatter.RawFrontmatter, report: _Report, *, strict: bool
) -> frontmatter.SeedFrontmatter | None:
    for line, message in raw.errors:
        report.error(line, message)
    for line, message in raw.warnings:
        report.warning(line, message)
    known = _known_values(raw, report, strict=strict)
    try:
        meta = frontmatter.SeedFrontmatter.model_validate(known)
    except ValidationError as exc:
        for line, message in frontmatter.field_problems(exc, raw):
            report.error(line, message)
        return None
    _warn_repeats(known, raw, report)
    _warn_unknown_muscles(known, raw, report)
    return None if raw.errors else meta


def _known_values(
    raw: frontmatter.RawFrontmatter, report: _Report, *, strict: bool
) -> dict[str, object]:
    """The values of the known keys; each unknown key is a warning (an error when strict)."""
    known: dict[str, object] = {}
    for key, value in raw.values.items():
        if key in frontmatter.KNOWN_KEYS:
            known[key] = value
            continue
        suggestion = frontmatter.did_you_mean(key)
        hint = f"; did you mean '{suggestion}'?" if suggestion else ""
        message = f"unknown frontmatter key '{key}'{hint}"
        (report.error if strict else report.warning)(raw.key_lines[key], message)
    return known


def _warn_repeats(
    known: dict[str, object], raw: frontmatter.RawFrontmatter, report: _Report
) -> None:
    """Warn about each list item that repeats an earlier one, which is left out."""
    for key in ("equipment", "supplies", "muscles", "secondary_muscles", "aliases"):
        for index in frontmatter.repeated_items(known.get(key)):
            report.warning(
                raw.line_of((key, index)),
                f"{key}: '{known[key][index]}' is listed twice; "  # type: ignore[index]
                "the repeat is left out",
            )


def _warn_unknown_muscles(
    known: dict[str, object], raw: frontmatter.RawFrontmatter, report: _Report
) -> None:
    """Warn, at its line, about each muscle the vocabulary does not know: it is kept in the
    lists but left off the muscle map."""
    for key in ("muscles", "secondary_muscles"):
        values = known.get(key)
        names = [values] if isinstance(values, str) else values
        if not isinstance(names, list):
            continue
        from pipeline.muscles import lookup, unknown_message

        repeats = set(frontmatter.repeated_items(names))
        for index, name in enumerate(names):
            if not isinstance(name, str) or not name.strip() or index in repeats:
                continue  # not a name, or a repeat (warned about as one)
            if name in raw.run_on:
                continue  # warned about as running on
            if lookup(name) is None:
                report.warning(raw.line_of((key, index)), unknown_message(name.strip()))


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


@dataclass
class _OpenSection:
    """The '##' section being read: its heading, its items so far, and whether a list has
    been seen under it (text after a list may be the closing note, text before it is not)."""

    kind: SectionKind
    heading: str
    token: Token
    items: list[Item] = field(default_factory=list)
    seen_list: bool = False


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
    def __init__(
        self, body: str, first_line: int, report: _Report, limits: Limits, lang: str
    ) -> None:
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
        self.lang = lang  # the seed's language: which headings name its sections
        self.last_line = first_line + body.rstrip("\n").count("\n")
        self.sections: list[Section] = []
        self.outro: list[Paragraph] = []
        self.howto: list[tuple[str, int, list[list[Span]]]] = []
        # line, heading, the known heading it is close to, and that heading's section
        self.near_misses: list[tuple[int, str, str, SectionKind]] = []
        self.section: _OpenSection | None = None
        self.pending: list[Paragraph] = []  # paragraphs after a section's list: the closing note?

    def line(self, token: Token) -> int:
        return self.first_line + (token.map[0] if token.map else 0)

    def source(self, token: Token) -> Source:
        return build(Source, path=self.report.path, line=self.line(token))

    def inline(self, block: _Block) -> list[Span]:
        children = self.tokens[block.start + 1].children or []
        return spans_from_tokens(children)

    def is_comment(self, block: _Block) -> bool:
        """Whether ``block`` is a paragraph that is only an HTML comment."""
        return block.token.type == "paragraph_open" and bool(
            _COMMENT.match((self.tokens[block.start + 1].content or "").strip())
        )

    def run(self) -> _Body | None:
        """Read the body: its sections, closing note and the steps after the marker."""
        for block in _blocks(self.tokens, 0, self.split):
            read = self._SECTION_BLOCKS.get(block.token.type, _BodyParser.unexpected_block)
            read(self, block)
        self.close_section()
        self.outro = self.pending
        for line in self.extra_markers:
            self.report.error(
                line, f"a second <!-- howto --> marker (the first is on line {self.marker_line})"
            )
        for block in _blocks(self.tokens, self.split, len(self.tokens)):
            self.howto_block(block)
        return self.finish()

    def paragraph_block(self, block: _Block) -> None:
        """A paragraph before the marker: an item of an unknown section, held back as maybe
        the closing note after a section's list, else warned about and left out."""
        if self.is_comment(block):
            return
        token = block.token
        spans = self.inline(block)
        paragraph = build(
            Paragraph, text=plain(spans), spans=tuple(spans), source=self.source(token)
        )
        section = self.section
        if section is None:
            self.report.warning(
                self.line(token),
                "text before the first '##' section is not part of the format and is left out",
            )
        elif section.kind is SectionKind.OTHER and not section.seen_list:
            section.items.append(
                build(
                    Item,
                    text=paragraph.text,
                    spans=paragraph.spans,
                    source=paragraph.source,
                    label=None,
                )
            )
        elif not section.seen_list:
            self.report.warning(
                self.line(token),
                f"text under '## {section.heading}' before its "
                "list is left out: make it a list item",
            )
        else:
            self.pending.append(paragraph)

    def heading_block(self, block: _Block) -> None:
        """A '##' heading opens a section; any other heading is not part of the format."""
        token = block.token
        if token.tag != "h2":
            self.unexpected_block(block)
            return
        for paragraph in self.pending:
            self.report.warning(
                paragraph.source.line,
                "text between sections is left out: the closing note goes after the last section",
            )
        self.pending = []
        self.close_section()
        heading = plain(self.inline(block)).rstrip(":").strip()
        kind = headings.section_kind(heading, self.lang) or SectionKind.OTHER
        self.check_heading(kind, heading, token)
        self.section = _OpenSection(kind, heading, token)

    def list_block(self, block: _Block) -> None:
        """A bullet or numbered list: the items of the section it is under."""
        token = block.token
        section = self.section
        if section is None:
            self.report.warning(
                self.line(token),
                "a list before the first '##' section is not part of the format and is left out",
            )
            return
        for paragraph in self.pending:
            self.report.warning(
                paragraph.source.line,
                f"text inside '## {section.heading}' "
                "between lists is left out: make it a list item",
            )
        self.pending = []
        self.check_list_kind(section.kind, section.heading, token)
        section.items.extend(self.list_items(block))
        section.seen_list = True

    def rule_block(self, block: _Block) -> None:
        """A thematic break ('---', '***') is only a separator: nothing to read."""

    def unexpected_block(self, block: _Block) -> None:
        """Any other block is warned about and left out."""
        token = block.token
        kind = token.type
        what = f"'{token.markup} heading'" if kind == "heading_open" else _describe(kind)
        self.report.warning(
            self.line(token), f"{what} is not part of the seed format and is left out"
        )

    # How each block before the <!-- howto --> marker is read; any other is unexpected_block.
    _SECTION_BLOCKS: ClassVar[dict[str, Callable[[_BodyParser, _Block], None]]] = {
        "paragraph_open": paragraph_block,
        "heading_open": heading_block,
        "bullet_list_open": list_block,
        "ordered_list_open": list_block,
        "hr": rule_block,
    }

    def close_section(self) -> None:
        """Add the open section, if there is one, with its non-empty items."""
        section = self.section
        if section is None:
            return
        # Empty items were warned about where they stand; they are left out here.
        kept = tuple(i for i in section.items if i.text or i.label)
        if len(kept) > self.limits.max_items:
            self.report.error(
                self.line(section.token),
                f"'## {section.heading}' has {len(kept)} items, over the limit of "
                f"{self.limits.max_items} (setting max_section_items)",
            )
        self.sections.append(
            build(
                Section,
                kind=section.kind,
                heading=section.heading,
                items=kept,
                source=self.source(section.token),
            )
        )
        self.section = None

    def check_heading(self, kind: SectionKind, heading: str, token: Token) -> None:
        line = self.line(token)
        if kind is SectionKind.OTHER:
            self.unknown_heading(line, heading)
            return
        first = next((s for s in self.sections if s.kind is kind), None)
        if first is not None:
            self.report.error(line, _twice(heading, first))
            return
        later = [
            s
            for s in self.sections
            if s.kind in _SECTION_ORDER
            and _SECTION_ORDER.index(s.kind) > _SECTION_ORDER.index(kind)
        ]
        if later:
            self.report.warning(line, f"'## {heading}' should come before '## {later[0].heading}'")

    def unknown_heading(self, line: int, heading: str) -> None:
        """Warn about a heading that names no known section, unless it is close to one."""
        suggestion = headings.suggest(heading, self.lang)
        if suggestion is not None:
            # Said in finish(): a misspelt Execution is the reason there is none.
            self.near_misses.append((line, heading, *suggestion))
            return
        self.report.warning(
            line,
            f"unknown section '## {heading}' is kept as it is; the known "
            f"sections are {_known_sections(self.lang)}{_other_language(heading, self.lang)}",
        )

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
        if not spans:
            self.report.warning(self.line(block.token), self._why_empty(block.token, label))
        return build(
            Item,
            text=plain(spans),
            spans=tuple(spans),
            source=self.source(block.token),
            label=label,
        )

    def _why_empty(self, token: Token, label: str | None) -> str:
        """Why an item with no text is left out, as its warning says."""
        if label is not None:
            return f"item '{label}' has a label but no text"
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
        elif token.type == "hr" or self.is_comment(block):
            return
        elif not self.howto:
            self.report.error(
                self.line(token),
                "text after the <!-- howto --> marker must be under a '### Step name' heading",
            )
        else:
            self.howto[-1][2].append(self.block_text(block))

    def finish(self) -> _Body | None:
        self.check_execution()
        if self.marker_line is None:
            self.report.error(
                self.last_line,
                "no <!-- howto --> marker: end the seed with "
                "<!-- howto --> and '### Step name' headings, each with its text",
            )
            return None
        self.check_step_count(self.marker_line)
        return _Body(tuple(self.sections), tuple(self.outro), self.steps())

    def check_execution(self) -> None:
        """Report a missing or empty Execution section, and each misspelt known heading."""
        execution = next((s for s in self.sections if s.kind is SectionKind.EXECUTION), None)
        missing = SectionKind.EXECUTION if execution is None else None
        missing = self.report_near_misses(missing)
        if execution is None:
            if missing is not None:
                self.report.error(
                    self.first_line,
                    f"no '## {headings.canonical(missing, self.lang)}' section: it lists the "
                    "steps of the exercise as a numbered list",
                )
        elif not execution.items:
            self.report.error(
                execution.source.line,
                f"'## {headings.written_as(execution.heading, self.lang)}' has no steps: "
                "add a numbered list under it",
            )

    def report_near_misses(self, missing: SectionKind | None) -> SectionKind | None:
        """Say each heading close to a known one; the one that explains why the ``missing``
        section is missing is an error, and the section is then no longer said missing."""
        for line, heading, suggestion, kind in self.near_misses:
            if kind is missing:
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
        return missing

    def check_step_count(self, marker_line: int) -> None:
        """Report no '###' step after the marker, or more than the limit."""
        if not self.howto:
            self.report.error(
                marker_line, "no '### Step name' heading after the <!-- howto --> marker"
            )
        elif len(self.howto) > self.limits.max_items:
            self.report.error(
                marker_line,
                f"{len(self.howto)} '###' steps follow the <!-- howto --> marker, over the "
                f"limit of {self.limits.max_items} (setting max_section_items)",
            )

    def steps(self) -> tuple[HowToStep, ...]:
        """The '###' steps after the marker; a named step with no text is an error."""
        steps: list[HowToStep] = []
        for heading, line, parts in self.howto:
            name, time = split_step_time(heading)
            text = "\n\n".join(plain(p) for p in parts if p)
            if name and not text:
                self.report.error(line, f"step '{name}' has no text under its heading")
            steps.append(
                build(
                    HowToStep,
                    name=name,
                    text=text,
                    source=build(Source, path=self.report.path, line=line),
                    video_time=self.step_time(time, line),
                )
            )
        return tuple(steps)

    def step_time(self, time: str | None, line: int) -> int | None:
        """The seconds of a step's ``@ 0:42``; None, with an error, when it is no time."""
        if time is None:
            return None
        try:
            return parse_clock(time)
        except ValueError as error:
            self.report.error(line, f"step time {error}")
            return None


def _twice(heading: str, first: Section) -> str:
    """The error for a second section of one kind, naming the first when it is spelt
    otherwise (``## Execution`` after ``## Ausführung``)."""
    if headings.fold(heading) == headings.fold(first.heading):
        return f"'## {heading}' appears twice"
    return (
        f"'## {heading}' appears twice: '## {first.heading}' on line {first.source.line} "
        "is the same section"
    )


def _listing(names: tuple[str, ...], last: str = "and") -> str:
    """``a, b and c``; ``a`` alone."""
    return f"{', '.join(names[:-1])} {last} {names[-1]}" if len(names) > 1 else names[0]


def _known_sections(lang: str) -> str:
    """The known sections as a message lists them: ``Setup, Execution, Tips and Common
    Mistakes``, in the seed's language first when it has headings of its own."""
    own = headings.canonical_names(lang)
    english = headings.canonical_names("en")
    if own == english:
        return _listing(own)
    return f"{_listing(own)} (or in English {_listing(english)})"


def _other_language(heading: str, lang: str) -> str:
    """``; 'Ausführung' is German: if the seed is, write lang: de`` for a heading known in a
    language other than the seed's, else ``""``."""
    tags = headings.languages_knowing(heading, lang)
    if not tags:
        return ""
    from pipeline.i18n import language_name

    names = _listing(tuple(language_name(tag, "en") for tag in tags), "or")
    return f"; '{heading}' is {names}: if the seed is, write lang: {_listing(tags, 'or')}"


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
    children = _without_leading_blanks(children)
    if not children or children[0].type != "strong_open":
        return None, children
    close = _closing_strong(children)
    if close < 0:
        return None, children
    label = plain(spans_from_tokens(children[1:close])).strip()
    rest = list(children[close + 1 :])
    text = rest if label.endswith(":") else _after_separator(rest)
    label = label.removesuffix(":").rstrip()
    if text is None or not label:
        return None, children
    return label, text


def _without_leading_blanks(children: list[Token]) -> list[Token]:
    """The tokens after the empty text tokens at the start."""
    leading = 0
    while (
        leading < len(children)
        and children[leading].type == "text"
        and not children[leading].content
    ):
        leading += 1
    return children[leading:]


_STRONG_DEPTH = {"strong_open": 1, "strong_close": -1}


def _closing_strong(children: list[Token]) -> int:
    """The index of the token that closes the bold text ``children`` start with; -1 if none."""
    depth = 0
    for index, token in enumerate(children):
        depth += _STRONG_DEPTH.get(token.type, 0)
        if depth == 0:
            return index
    return -1


def _after_separator(rest: list[Token]) -> list[Token] | None:
    """The tokens after a label: ``rest`` without the ':' or dash that starts it;
    ``None`` when no separator starts it."""
    first = rest[0] if rest else None
    if first is None or first.type != "text":
        return None
    match = _LABEL_SEPARATOR.match(first.content)
    if match is None:
        return None
    return [Token("text", "", 0, content=first.content[match.end() :]), *rest[1:]]
