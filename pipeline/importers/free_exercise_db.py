"""free-exercise-db (github.com/yuhonas/free-exercise-db, public domain): its ``exercises.json``
(a list of records) or its ``exercises/`` folder (a JSON file per record, with the pictures in
a folder per record beside them), read into seeds.

A seed says what its record says and nothing more: the description is made from the record's
level, category, muscles and equipment; ``## Execution`` is the record's instructions; the
howto's steps are the same instructions, each named by its first clause (derived, and said so
in docs/importing.md). The record's pictures are copied beside the seeds when their files are
found with the data.
"""

from __future__ import annotations

import dataclasses
import json
import re
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pipeline.diagnostics import Diagnostic, Level
from pipeline.importers import Draft, ImportReport, item_lines, read_json
from pipeline.slugs import slugify

COLLECTION = "free-exercise-db"
SOURCE = "https://github.com/yuhonas/free-exercise-db"
LICENSE = "Unlicense"
_LEVELS = ("beginner", "intermediate", "expert")
# How the description says the record's equipment ("other" and none say nothing).
_EQUIPMENT = {
    "body only": "with your body weight alone",
    "machine": "on a machine",
    "cable": "on a cable machine",
    "barbell": "with a barbell",
    "dumbbell": "with dumbbells",
    "kettlebells": "with kettlebells",
    "bands": "with resistance bands",
    "medicine ball": "with a medicine ball",
    "exercise ball": "with an exercise ball",
    "foam roll": "with a foam roller",
    "e-z curl bar": "with an EZ curl bar",
}
# No equipment to name among the HowTo's tools.
_NO_TOOL = ("body only", "other")
_CLAUSE_END = re.compile(r"[,;:.!?]|\s(?:and|then|while|until|so that|as you)\s", re.IGNORECASE)
_STEP_WORDS = 7
_DANGLING = frozenset(
    [
        "a",
        "an",
        "the",
        "your",
        "to",
        "of",
        "or",
        "and",
        "on",
        "at",
        "in",
        "into",
        "onto",
        "with",
        "behind",
        "toward",
        "towards",
        "from",
        "by",
        "for",
        "as",
        "is",
        "are",
        "should",
        "be",
        "over",
        "under",
        "that",
        "which",
        "so",
        "while",
        "it",
    ]
)


def read_records(path: Path, report: ImportReport) -> Iterator[tuple[str, int, Any]]:
    """Each record in ``path`` (``exercises.json``, or a folder of one JSON file a record),
    with the file and line it starts on. A file that is not JSON of that shape is reported."""
    if path.is_dir():
        for file in sorted(path.glob("*.json")):
            loaded = read_json(file, report)
            if loaded is not None:
                yield str(file), 1, loaded[0]
        return
    loaded = read_json(path, report)
    if loaded is None:
        return
    data, text = loaded
    if not isinstance(data, list):
        message = "expected a list of exercise records"
        report.diagnostics.append(Diagnostic(str(path), 0, Level.ERROR, message))
        return
    for line, record in zip(item_lines(text, data), data, strict=True):
        yield str(path), line, record


def _strings(value: object) -> list[str]:
    if not isinstance(value, list):
        return []
    return [item.strip() for item in value if isinstance(item, str) and item.strip()]


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def step_name(instruction: str) -> str:
    """A howto step's name from its instruction: its first clause, at most seven words, not
    ending on a word such as "the" (``Lie down on the floor and secure your feet.`` -> ``Lie
    down on the floor``; ``Place your hands behind or to the side of your head.`` -> ``Place
    your hands``)."""
    clauses = [clause for clause in _CLAUSE_END.split(instruction) if clause.strip()]
    # "To begin, stand up straight": the first clause that says something.
    clause = next((c for c in clauses if len(c.split()) >= 3), clauses[0] if clauses else "")
    words = (clause.split() or instruction.split())[:_STEP_WORDS]
    # A name cut short ends on a word that says what it is, not on "the" or "to".
    while len(words) > 1 and words[-1].lower().rstrip(",;:.!?") in _DANGLING:
        words.pop()
    name = " ".join(words).rstrip(",;:.!?")
    return name[:1].upper() + name[1:]


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _facts(record: dict[str, Any]) -> tuple[str, str, list[str], list[str], str]:
    """The record's level (when it is one of the seed's), category, primary and secondary
    muscles (none twice) and equipment, as the seed uses them."""
    level = _text(record.get("level")).lower()
    muscles = _strings(record.get("primaryMuscles"))
    helping = [m for m in _strings(record.get("secondaryMuscles")) if m not in muscles]
    equipment = _text(record.get("equipment"))
    category = _text(record.get("category"))
    return level if level in _LEVELS else "", category, muscles, helping, equipment


def describe(record: dict[str, Any]) -> str:
    """What the record says the exercise is, in one sentence: ``A beginner strength exercise
    for the abdominals, with your body weight alone.``"""
    level, category, muscles, helping, equipment = _facts(record)
    noun = " ".join(part for part in (level, category.lower(), "exercise") if part)
    sentence = f"{'An' if noun[0] in 'aeiou' else 'A'} {noun}"
    if muscles:
        sentence += f" for the {_and(muscles)}"
    if helping:
        sentence += f", also working the {_and(helping)}"
    how = _EQUIPMENT.get(equipment.lower())
    return f"{sentence}, {how}." if how else f"{sentence}."


def _yaml(value: object) -> str:
    # JSON's strings and lists are YAML's too, and keep every character as it is.
    return json.dumps(value, ensure_ascii=False)


def _pictures(record: dict[str, Any], folders: list[Path], slug: str) -> list[tuple[Path, str]]:
    """The record's pictures whose files are found in ``folders``, each with the place it is
    copied to beside the seeds (``images/<slug>/0.jpg``)."""
    found = []
    for given in _strings(record.get("images")):
        parts = Path(given).parts
        if not parts or any(part in ("..", "") for part in parts) or Path(given).is_absolute():
            continue
        source = next((folder / given for folder in folders if (folder / given).is_file()), None)
        if source is not None:
            found.append((source, f"images/{slug}/{source.name}"))
    return found


def _frontmatter(record: dict[str, Any], name: str, ident: str, pictures: list[str]) -> list[str]:
    """The seed's frontmatter lines: what the record gives, its pictures, licence and source."""
    level, category, muscles, helping, equipment = _facts(record)
    front = [f"title: {_yaml(name)}", f"description: {_yaml(describe(record))}"]
    optional = [
        ("muscles", muscles),
        ("secondary_muscles", helping),
        ("equipment", [equipment] if equipment.lower() not in ("", *_NO_TOOL) else []),
        ("level", level),
        ("category", category),
    ]
    front += [f"{key}: {_yaml(value)}" for key, value in optional if value]
    if pictures:
        front.append("images:")
        front += [f"  - {{path: {_yaml(target)}, license: {LICENSE}}}" for target in pictures]
    source = f"{SOURCE}/blob/main/exercises/{urllib.parse.quote(ident)}.json"
    return [*front, f"license: {LICENSE}", f"source_url: {source}"]


def _why_not(record: dict[str, Any]) -> str:
    """Why the record makes no seed, or ``""`` when it makes one."""
    name = _text(record.get("name"))
    if not name:
        return "has no name"
    if not slugify(name):
        return f"its name '{name}' makes no file name"
    if not _strings(record.get("instructions")):
        return "has no instructions to make its steps from"
    return ""


def draft_of(
    record: object, path: str, line: int, folders: list[Path]
) -> tuple[Draft | None, str, str]:
    """The seed of one record, or None with why not; and the record's name in messages."""
    if not isinstance(record, dict):
        return None, f"{COLLECTION} record", "is not a JSON object"
    ident = _text(record.get("id")) or _text(record.get("name")) or "(no id)"
    label = f"{COLLECTION} record {ident}"
    why = _why_not(record)
    if why:
        return None, label, why
    name = _text(record.get("name"))
    slug = slugify(name)
    steps = _strings(record.get("instructions"))
    pictures = _pictures(record, folders, slug)
    front = _frontmatter(record, name, ident, [target for _, target in pictures])
    body = ["## Execution", "", *(f"{n}. {text}" for n, text in enumerate(steps, 1)), ""]
    howto = [part for text in steps for part in (f"### {step_name(text)}", "", text, "")]
    text = "\n".join(["---", *front, "---", "", *body, "<!-- howto -->", "", *howto])
    draft = Draft(f"{slug}.md", text.rstrip("\n") + "\n", label, path, line, tuple(pictures))
    return draft, label, ""


def _in_english(draft: Draft) -> Draft:
    """The draft with ``lang: en``, for a collection in another language."""
    return dataclasses.replace(draft, text=draft.text.replace("---\n", "---\nlang: en\n", 1))


def drafts(path: Path, report: ImportReport) -> Iterator[Draft]:
    """The seeds of every record in ``path`` that makes one; the others reported."""
    # Upstream keeps the pictures in a folder per record beside the records' files, and
    # dist/exercises.json one folder up from them.
    if path.is_dir():
        folders = [path]
    else:
        folders = [path.parent, path.parent / "exercises", path.parent.parent / "exercises"]
    for file, line, record in read_records(path, report):
        draft, label, why = draft_of(record, file, line, folders)
        if draft is None:
            report.skip(file, line, label, why)
        else:
            yield draft


def import_free_exercise_db(
    source: Path, out: Path, *, overwrite: bool = False, default_lang: str = "en"
) -> ImportReport:
    """Write a seed into ``out`` for every record of ``source`` (``exercises.json`` or a
    folder of record files) that makes one, and report what was done with each. The records
    are in English: in a collection whose ``default_lang`` is another, the seeds say so."""
    from pipeline.importers import write_drafts

    report = ImportReport()
    if not source.exists():
        report.diagnostics.append(Diagnostic(str(source), 0, Level.ERROR, "no such file or folder"))
        return report
    english = default_lang.split("-")[0].lower() == "en"
    made = drafts(source, report) if english else map(_in_english, drafts(source, report))
    write_drafts(made, out, report, overwrite=overwrite, default_lang=default_lang)
    return report
