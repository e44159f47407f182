"""wger (wger.de, its texts under Creative Commons licences): its REST API's exercise
records, or its fixture files, read into one seed per exercise translation, the translations
of one exercise linked.

Two shapes are read:

- the API's ``exerciseinfo`` (or ``exercisebaseinfo``) records, a list or a page with
  ``results``: an exercise with its category, muscles, equipment and licence, and its
  ``translations`` (``exercises`` in older versions); wger 2.1's ``exerciseinfo``, one
  translation a record with its exercise's facts and ``exercise_base_id``, is grouped back;
- a folder of wger's fixtures: ``exercises.json`` (the translations), ``exercise-base-data.json``
  (the exercises), ``muscles.json``, ``equipment.json`` and ``categories.json``, with
  ``languages.json`` and ``licenses.json`` beside them or in ``../../core/fixtures``.

A seed says what its translation says: the description's first sentences, its steps (the
description's list items, else its sentences), the exercise's muscles (by their English
names), equipment and category, the translation's other names, licence and author.
"""

from __future__ import annotations

import html.parser
import json
import re
import urllib.parse
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.diagnostics import Diagnostic, Level
from pipeline.i18n.headings import canonical
from pipeline.importers import Draft, ImportReport, item_lines, read_json
from pipeline.importers.free_exercise_db import step_name
from pipeline.model import SectionKind
from pipeline.slugs import slugify

COLLECTION = "wger"
SITE = "https://wger.de"
# wger's own ids (wger/core/fixtures/languages.json and licenses.json), for data that
# names them by number without the fixtures beside it.
LANGUAGES = {
    1: "de", 2: "en", 3: "bg", 4: "es", 5: "ru", 6: "nl", 7: "pt", 8: "el",
    9: "cs", 10: "sv", 11: "no", 12: "fr", 13: "it", 14: "pl", 15: "uk", 16: "tr",
}  # fmt: skip
LICENSES = {1: "CC-BY-SA 3", 2: "CC-BY-SA 4", 3: "CC0", 4: "CC-BY 4", 5: "ODbL"}
_SPDX = {
    "CC-BY-SA 3": "CC-BY-SA-3.0",
    "CC-BY-SA 4": "CC-BY-SA-4.0",
    "CC0": "CC0-1.0",
    "CC-BY 4": "CC-BY-4.0",
    "ODbL": "ODbL-1.0",
}
# wger's equipment for "no equipment".
_NO_TOOL = re.compile(r"^none\b", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=\S)")
_DESCRIPTION_CHARS = 240


@dataclass
class Translation:
    """One translation of an exercise, as the seed needs it."""

    ident: str
    lang: str
    name: str
    description: str
    """HTML, as wger keeps it."""
    aliases: list[str] = field(default_factory=list)
    license: str = ""
    author: str = ""


@dataclass
class Exercise:
    """One wger exercise with its translations, and where its record is."""

    ident: str
    path: str
    line: int
    category: str = ""
    muscles: list[str] = field(default_factory=list)
    secondary: list[str] = field(default_factory=list)
    equipment: list[str] = field(default_factory=list)
    translations: list[Translation] = field(default_factory=list)


# -- reading ----------------------------------------------------------------------------------


def _name(value: object) -> str:
    """A related object's name: a string, or a record with ``name`` (a muscle's English name,
    ``name_en``, first)."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, dict):
        for key in ("name_en", "name", "short_name", "alias"):
            if isinstance(value.get(key), str) and value[key].strip():
                return str(value[key]).strip()
    return ""


def _names(values: object) -> list[str]:
    return [name for name in map(_name, values if isinstance(values, list) else []) if name]


def _language(value: object, languages: dict[int, str]) -> str:
    if isinstance(value, int):
        return languages.get(value, "")
    if isinstance(value, dict):
        return str(value.get("short_name") or "")
    return value if isinstance(value, str) else ""


def _license(value: object, licenses: dict[int, str]) -> str:
    if isinstance(value, int):
        return licenses.get(value, "")
    return _name(value)


def _translation(record: dict[str, Any], base: dict[str, Any], ids: _Ids) -> Translation:
    return Translation(
        ident=str(record.get("id", record.get("pk", "?"))),
        lang=_language(record.get("language"), ids.languages),
        name=_name(record.get("name")),
        description=str(record.get("description") or ""),
        aliases=_names(record.get("aliases")),
        license=_license(record.get("license", base.get("license")), ids.licenses),
        author=_name(record.get("license_author") or base.get("license_author") or ""),
    )


@dataclass
class _Ids:
    """wger's numbered things, by id, for records that name them by number."""

    languages: dict[int, str] = field(default_factory=lambda: dict(LANGUAGES))
    licenses: dict[int, str] = field(default_factory=lambda: dict(LICENSES))
    muscles: dict[int, str] = field(default_factory=dict)
    equipment: dict[int, str] = field(default_factory=dict)
    categories: dict[int, str] = field(default_factory=dict)

    def category(self, value: object) -> str:
        """A category, by its id or as a record."""
        return self.categories.get(value, "") if isinstance(value, int) else _name(value)

    def named(self, table: dict[int, str], values: object) -> list[str]:
        if not isinstance(values, list):
            return []
        return [table[v] if isinstance(v, int) and v in table else _name(v) for v in values]


def _exercise(record: dict[str, Any], path: str, line: int, ids: _Ids) -> Exercise:
    exercise = Exercise(
        ident=str(record.get("id", record.get("pk", "?"))),
        path=path,
        line=line,
        category=ids.category(record.get("category")),
        muscles=[m for m in ids.named(ids.muscles, record.get("muscles")) if m],
        secondary=[m for m in ids.named(ids.muscles, record.get("muscles_secondary")) if m],
        equipment=[e for e in ids.named(ids.equipment, record.get("equipment")) if e],
    )
    translations = record.get("translations", record.get("exercises"))
    listed = translations if isinstance(translations, list) else []
    exercise.translations = [_translation(t, record, ids) for t in listed if isinstance(t, dict)]
    return exercise


def _api_exercises(path: Path, report: ImportReport) -> Iterator[Exercise]:
    """The exercises of an API answer: a list of records, or a page with ``results``."""
    loaded = read_json(path, report)
    if loaded is None:
        return
    data, text = loaded
    if isinstance(data, dict) and isinstance(data.get("results"), list):
        data = data["results"]
    if not isinstance(data, list):
        report.diagnostics.append(
            Diagnostic(str(path), 0, Level.ERROR, "expected a list of wger exercise records")
        )
        return
    ids = _Ids()
    grouped: dict[str, Exercise] = {}
    for line, record in zip(item_lines(text, data), data, strict=True):
        if not isinstance(record, dict):
            report.skip(str(path), line, f"{COLLECTION} record", "is not a JSON object")
            continue
        base = record.get("exercise_base_id", record.get("exercise_base"))
        if base is None:
            yield _exercise(record, str(path), line, ids)
            continue
        # wger 2.1: one translation a record, its exercise's facts beside it.
        key = str(base)
        if key not in grouped:
            grouped[key] = _exercise(
                {**record, "id": base, "translations": []}, str(path), line, ids
            )
        grouped[key].translations.append(_translation(record, record, ids))
    yield from grouped.values()


def _fixture(folder: Path, name: str, report: ImportReport) -> list[dict[str, Any]]:
    """The records of one fixture file (``[]`` when it is not there)."""
    for candidate in (folder / name, folder.parent.parent / "core" / "fixtures" / name):
        if candidate.is_file():
            loaded = read_json(candidate, report)
            if loaded is not None and isinstance(loaded[0], list):
                return [r for r in loaded[0] if isinstance(r, dict)]
    return []


def _fixture_exercises(folder: Path, report: ImportReport) -> Iterator[Exercise]:
    """The exercises of a folder of wger's fixtures."""
    ids = _fixture_ids(folder, report)
    bases = {
        r["pk"]: r["fields"]
        for r in _fixture(folder, "exercise-base-data.json", report)
        if r.get("model") == "exercises.exercisebase"
    }
    path = folder / "exercises.json"
    loaded = read_json(path, report)
    if loaded is None:
        return
    data, text = loaded
    records = data if isinstance(data, list) else []
    grouped: dict[Any, Exercise] = {}
    for line, record in zip(item_lines(text, records), records, strict=True):
        if not isinstance(record, dict) or record.get("model") != "exercises.exercise":
            continue
        translation = {"id": record.get("pk"), **record.get("fields", {})}
        base = translation.get("exercise_base")
        if base not in bases:
            why = f"names the exercise {base}, which exercise-base-data.json does not hold"
            report.skip(str(path), line, f"{COLLECTION} translation {record.get('pk')}", why)
            continue
        if base not in grouped:
            grouped[base] = _exercise({"id": base, **bases[base]}, str(path), line, ids)
        grouped[base].translations.append(_translation(translation, bases[base], ids))
    yield from grouped.values()


def _fixture_ids(folder: Path, report: ImportReport) -> _Ids:
    """wger's numbered things, from the fixtures beside the exercises where they are."""
    ids = _Ids()
    fields = {
        "languages.json": (ids.languages, "short_name"),
        "licenses.json": (ids.licenses, "short_name"),
        "equipment.json": (ids.equipment, "name"),
        "categories.json": (ids.categories, "name"),
    }
    for name, (table, key) in fields.items():
        for record in _fixture(folder, name, report):
            table[int(record["pk"])] = str(record.get("fields", {}).get(key) or "")
    for record in _fixture(folder, "muscles.json", report):
        ids.muscles[int(record["pk"])] = _name(record.get("fields", {}))
    return ids


# -- the seeds ----------------------------------------------------------------------------------


class _Text(html.parser.HTMLParser):
    """A description's paragraphs and list items, in order, as plain text; scripts and
    styles left out."""

    _BLOCKS = frozenset({"p", "li", "div", "br", "h1", "h2", "h3", "h4", "ul", "ol"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[bool, str]] = []
        """Each block, as whether it is a list item, and its text."""
        self.dropped: set[str] = set()
        self._skip = 0
        self._in_item = False
        self._buffer: list[str] = []

    def _flush(self) -> None:
        text = " ".join("".join(self._buffer).split())
        self._buffer = []
        if text:
            self.blocks.append((self._in_item, text))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
            self.dropped.add(tag)
        elif tag in self._BLOCKS:
            self._flush()
            self._in_item = tag == "li" or (self._in_item and tag == "br")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
        elif tag in self._BLOCKS:
            self._flush()
            if tag == "li":
                self._in_item = False

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self._buffer.append(data)

    def close(self) -> None:
        super().close()
        self._flush()


def read_description(markup: str) -> tuple[list[tuple[bool, str]], set[str]]:
    """A wger description's blocks in order (whether each is a list item, and its plain
    text), and the elements left out (``script``, ``style``)."""
    parser = _Text()
    parser.feed(markup)
    parser.close()
    return parser.blocks, parser.dropped


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if any(c.isalnum() for c in s)]


def _summary(sentences: Sequence[str]) -> str:
    """The seed's description: the first paragraph's first sentences, as many as fit, but
    not one that only leads into what follows ("Get ready:")."""
    chosen = [sentences[0]]
    for sentence in sentences[1:]:
        if sentence.endswith(":") or len(" ".join([*chosen, sentence])) > _DESCRIPTION_CHARS:
            break
        chosen.append(sentence)
    return " ".join(chosen)


def _yaml(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def _original(exercise: Exercise) -> Translation:
    """The version the others translate: the English one, else the first."""
    named = [t for t in exercise.translations if t.name]
    return next((t for t in named if t.lang == "en"), named[0])


def _steps(translation: Translation) -> tuple[list[str], list[str]]:
    """The translation's steps, in its description's order: each list item, and each
    sentence of its paragraphs but one that only introduces a list ("Get ready:"); and the
    first paragraph's sentences, which the seed's description is made of."""
    blocks, _ = read_description(translation.description)
    steps: list[str] = []
    sentences: list[str] = []
    for number, (item, text) in enumerate(blocks):
        if item:
            steps += [text] if any(c.isalnum() for c in text) else []
            continue
        found = _sentences(text)
        sentences += found if not sentences else []
        introduces = number + 1 < len(blocks) and blocks[number + 1][0]
        if introduces and found and found[-1].endswith(":"):
            found = found[:-1]
        steps += found
    return steps, sentences


def _why_not(translation: Translation) -> str:
    """Why the translation makes no seed, or ``""`` when it makes one."""
    if not translation.name:
        return "has no name"
    if not translation.lang:
        return "names no language wger has"
    if not slugify(translation.name):
        return f"its name '{translation.name}' makes no file name"
    if not _steps(translation)[0]:
        return "has no description to make its steps from"
    return ""


def _file_name(translation: Translation, default_lang: str) -> str:
    own = translation.lang.lower() == default_lang.lower()
    return f"{slugify(translation.name)}{'' if own else '.' + translation.lang}.md"


def _draft(
    exercise: Exercise, translation: Translation, original: Translation, default_lang: str
) -> Draft:
    """The seed of one translation that makes one (see :func:`_why_not`), linked to the
    version it translates."""
    steps, _ = _steps(translation)
    front = _frontmatter(exercise, translation, original)
    english = translation.lang.split("-")[0] == "en"
    names = [step_name(text) if english else _plain_step_name(text) for text in steps]
    heading = canonical(SectionKind.EXECUTION, translation.lang)
    body = [f"## {heading}", "", *(f"{n}. {text}" for n, text in enumerate(steps, 1)), ""]
    howto = [
        part
        for name, text in zip(names, steps, strict=True)
        for part in (f"### {name}", "", text, "")
    ]
    text = "\n".join(["---", *front, "---", "", *body, "<!-- howto -->", "", *howto])
    return Draft(
        _file_name(translation, default_lang),
        text.rstrip("\n") + "\n",
        _label(exercise, translation),
        exercise.path,
        exercise.line,
    )


def _credit(translation: Translation) -> list[tuple[str, str]]:
    """The seed's licence and author fields (an empty value leaves its field out)."""
    author = translation.author
    # wger names a text taken from elsewhere by that page's address.
    address = author if re.match(r"https?://", author) else ""
    return [
        ("license", _SPDX.get(translation.license, translation.license)),
        ("author", urllib.parse.urlsplit(address).netloc if address else author),
        ("author_url", address),
    ]


def _frontmatter(exercise: Exercise, translation: Translation, original: Translation) -> list[str]:
    """The seed's frontmatter lines: what the translation and its exercise say."""
    steps, sentences = _steps(translation)
    summary = _summary(sentences or steps)
    front = [f"title: {_yaml(translation.name)}", f"description: {_yaml(summary)}"]
    if translation is not original and slugify(original.name) != slugify(translation.name):
        front.append(f"translation_of: {slugify(original.name)}")
    optional = [
        ("muscles", exercise.muscles),
        ("secondary_muscles", [m for m in exercise.secondary if m not in exercise.muscles]),
        ("equipment", [e for e in exercise.equipment if not _NO_TOOL.match(e)]),
        ("category", exercise.category),
        ("aliases", translation.aliases),
    ]
    front += [
        f"{key}: {_yaml(value)}" for key, value in [*optional, *_credit(translation)] if value
    ]
    front.append(f"source_url: {SITE}/{translation.lang}/exercise/{exercise.ident}/view-base")
    return front


def _label(exercise: Exercise, translation: Translation) -> str:
    """The translation as messages name it: ``wger exercise 615 (de translation 7)``."""
    lang = translation.lang or "?"
    return f"{COLLECTION} exercise {exercise.ident} ({lang} translation {translation.ident})"


def _plain_step_name(text: str) -> str:
    """A step's name in a language the English rules do not fit: its first clause, at most
    seven words."""
    text = text.lstrip(" -\u2013\u2014\u2022*.,;:!?")
    clause = re.split(r"[,;:.!?]", text, maxsplit=1)[0]
    words = (clause.split() or text.split())[:7]
    name = " ".join(words)
    return name[:1].upper() + name[1:]


def drafts(
    exercises: Iterator[Exercise],
    report: ImportReport,
    *,
    languages: Sequence[str] = (),
    default_lang: str = "en",
) -> Iterator[Draft]:
    """The seeds of every translation (in ``languages``, when given) that makes one; the
    others reported, and each description's left-out scripts noted. The translations of an
    exercise name the version they translate (the English one, else the first) once it is
    known to make a seed, so none names a seed that is not there."""
    wanted = {lang.lower() for lang in languages}
    taken: dict[str, str] = {}
    for exercise in exercises:
        chosen = _in_languages(exercise.translations, wanted)
        usable = [t for t in chosen if _usable(exercise, t, report, taken, default_lang)]
        if usable:
            original = next((t for t in usable if t.lang == "en"), usable[0])
            yield from (_draft(exercise, t, original, default_lang) for t in usable)


def _in_languages(translations: list[Translation], wanted: set[str]) -> list[Translation]:
    """The translations in ``wanted`` (every one, when it is empty), by language and id."""
    chosen = [t for t in translations if not wanted or t.lang.lower() in wanted]
    return sorted(chosen, key=lambda t: (t.lang, t.ident))


def _usable(
    exercise: Exercise,
    translation: Translation,
    report: ImportReport,
    taken: dict[str, str],
    default_lang: str,
) -> bool:
    """Whether the translation makes a seed whose file no other makes; why not reported."""
    label = _label(exercise, translation)
    dropped = read_description(translation.description)[1]
    if dropped:
        elements = ", ".join(f"<{tag}>" for tag in sorted(dropped))
        message = f"{label}: its description's {elements} left out"
        report.diagnostics.append(Diagnostic(exercise.path, exercise.line, Level.WARNING, message))
    why = _why_not(translation)
    name = _file_name(translation, default_lang) if not why else ""
    if not why and name in taken:
        why = f"its name makes the file {name}, which {taken[name]} makes already"
    if why:
        report.skip(exercise.path, exercise.line, label, why)
        return False
    taken[name] = label
    return True


def import_wger(
    source: Path,
    out: Path,
    *,
    languages: Sequence[str] = (),
    overwrite: bool = False,
    default_lang: str = "en",
) -> ImportReport:
    """Write a seed into ``out`` for every translation in ``source`` (an API answer, or a
    folder of wger's fixtures) that makes one, and report what was done with each."""
    from pipeline.importers import write_drafts

    report = ImportReport()
    if not source.exists():
        report.diagnostics.append(Diagnostic(str(source), 0, Level.ERROR, "no such file or folder"))
        return report
    exercises = (
        _fixture_exercises(source, report) if source.is_dir() else _api_exercises(source, report)
    )
    made = drafts(exercises, report, languages=languages, default_lang=default_lang)
    write_drafts(made, out, report, overwrite=overwrite, default_lang=default_lang)
    return report


__all__ = ["import_wger", "read_description"]
