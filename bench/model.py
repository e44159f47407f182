"""The model's benchmark: the pydantic model against frozen, slotted dataclasses of the same shape.

    python -m bench.model [--count 1000] [--repeat 5]

It generates ``--count`` seeds with ``bench.corpus``, parses them with the pipeline, and
takes every parsed model apart into the values the parser gives (its *parts*). Then, for the
model in ``pipeline/model.py`` (instances made by ``pipeline.model.build``) and for the
prototype below (the same classes, fields, order, defaults and properties, as
``@dataclass(frozen=True, slots=True, kw_only=True)``), it measures:

- **build**: the constructor calls that make every exercise from its parts, its sections, items,
  spans and sources, nested instances first, each with its values ready;
- **memory**: what the made instances hold, by ``tracemalloc`` (the strings are the parts'
  own, shared by both, so this is the model's structure); and, for scale, what one parse
  keeps per seed, strings included;
- **JSON**: the text the ``json`` exporter writes (``model_dump_json(indent=2)``), against the
  prototype through a pydantic ``TypeAdapter`` and through the standard library's ``json``;
  each must give the same bytes for every exercise (and for a date, a naive, a UTC and an
  offset datetime), or the benchmark stops;
- **import**: importing the model's module in a fresh interpreter that has already imported
  pydantic (the frontmatter and the settings need it anyway), and the first serialisation,
  which builds the serialisers the models defer;
- **equality and hash** of a whole exercise (the pipeline itself compares none; tests do).

Each timed figure is the best of ``--repeat`` runs; the spread (slowest against best) is
printed beside it, since the machine is shared. The prototype lives here only: it is the
point of comparison, not a second model.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import enum
import json
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import as_users_run

ROOT = Path(__file__).resolve().parent.parent


# The prototype: pipeline/model.py as frozen, slotted dataclasses (markdown-it-py's Token
# style). Only the standard library, so importing this module times the prototype's import.


class Difficulty(enum.StrEnum):
    """How hard an exercise is, from the seed's ``level``."""

    BEGINNER = "beginner"
    INTERMEDIATE = "intermediate"
    EXPERT = "expert"


class SectionKind(enum.StrEnum):
    """What a ``##`` section of a seed is."""

    SETUP = "setup"
    EXECUTION = "execution"
    TIPS = "tips"
    MISTAKES = "mistakes"
    OTHER = "other"


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Source:
    """Where a part of the model came from."""

    path: str
    line: int


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Span:
    """A run of text with its inline emphasis."""

    text: str
    strong: bool = False
    emphasis: bool = False
    code: bool = False


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Paragraph:
    """A block of text: clean text, and the same text as styled runs."""

    text: str
    spans: tuple[Span, ...]
    source: Source


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Item(Paragraph):
    """A list item of a section, optionally labelled."""

    label: str | None = None


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Section:
    """A ``##`` section of the seed body."""

    kind: SectionKind
    heading: str
    items: tuple[Item, ...]
    source: Source


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class HowToStep:
    """One concise step after the ``<!-- howto -->`` marker."""

    name: str
    text: str
    source: Source


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Exercise:
    """One exercise, parsed from one seed."""

    source: Source
    source_sha256: str
    slug: str
    title: str
    description: str
    video_id: str | None = None
    video_uploaded: dt.date | dt.datetime | None = None
    equipment: tuple[str, ...] = ()
    muscles: tuple[str, ...] = ()
    level: Difficulty | None = None
    category: str | None = None
    image: str | None = None
    lang: str = "en"
    aliases: tuple[str, ...] = ()
    updated: dt.date | None = None
    sections: tuple[Section, ...]
    outro: tuple[Paragraph, ...] = ()
    howto: tuple[HowToStep, ...]

    def _items(self, kind: SectionKind) -> tuple[Item, ...]:
        return next((s.items for s in self.sections if s.kind is kind), ())

    @property
    def setup(self) -> tuple[Item, ...]:
        """Items of the ``## Setup`` section."""
        return self._items(SectionKind.SETUP)

    @property
    def execution(self) -> tuple[Item, ...]:
        """Items of the ``## Execution`` section."""
        return self._items(SectionKind.EXECUTION)

    @property
    def video_url(self) -> str | None:
        """The video's canonical watch URL."""
        return f"https://www.youtube.com/watch?v={self.video_id}" if self.video_id else None


PROTOTYPE: dict[str, type] = {
    c.__name__: c for c in (Source, Span, Paragraph, Item, Section, HowToStep, Exercise)
}
_FIELDS = {c: tuple(f.name for f in dataclasses.fields(c)) for c in PROTOTYPE.values()}


def _plain(value: Any) -> Any:
    """A prototype instance as the JSON values pydantic gives for the model."""
    kind = type(value)
    names = _FIELDS.get(kind)
    if names is not None:
        return {name: _plain(getattr(value, name)) for name in names}
    if kind is tuple:
        return [_plain(v) for v in value]
    if kind is dt.datetime:
        # pydantic writes UTC as "Z"; isoformat as "+00:00".
        text = value.isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text
    if kind is dt.date:
        return value.isoformat()
    return value


def prototype_json(exercise: Exercise) -> str:
    """The ``json`` exporter's text for a prototype exercise, by the standard library."""
    return json.dumps(_plain(exercise), indent=2, ensure_ascii=False)


# The benchmark.


class Parts:
    """The values one model instance was made from: its class's name and its fields, the
    nested instances as parts of their own."""

    __slots__ = ("kind", "values")

    def __init__(self, kind: str, values: dict[str, Any]) -> None:
        self.kind = kind
        self.values = values


def parts_of(model: Any, enums: dict[str, type[enum.Enum]] | None = None) -> Parts:
    """Take a pydantic model instance apart, every field given, as the parser gives them;
    with ``enums``, its enum members are swapped for the members of those enums."""
    values: dict[str, Any] = {}
    for name in type(model).model_fields:
        value = getattr(model, name)
        if hasattr(type(value), "model_fields"):
            value = parts_of(value, enums)
        elif isinstance(value, tuple) and value and hasattr(type(value[0]), "model_fields"):
            value = tuple(parts_of(v, enums) for v in value)
        elif enums is not None and isinstance(value, enum.Enum):
            value = enums[type(value).__name__](value.value)
        values[name] = value
    return Parts(type(model).__name__, values)


Maker = Callable[[type, dict[str, Any]], Any]


def make(parts: Parts, classes: dict[str, type], maker: Maker) -> Any:
    """An instance from its parts, the nested ones first, each made by ``maker``."""
    values = {}
    for name, value in parts.values.items():
        if type(value) is Parts:
            value = make(value, classes, maker)
        elif type(value) is tuple and value and type(value[0]) is Parts:
            value = tuple(make(v, classes, maker) for v in value)
        values[name] = value
    return maker(classes[parts.kind], values)


def count_instances(parts: Parts) -> int:
    """How many model instances one exercise is made of."""
    total = 1
    for value in parts.values.values():
        if type(value) is Parts:
            total += count_instances(value)
        elif type(value) is tuple and value and type(value[0]) is Parts:
            total += sum(count_instances(v) for v in value)
    return total


def best_of(repeat: int, run: Callable[[], object]) -> tuple[float, float]:
    """The fastest of ``repeat`` runs, in seconds, and the slowest over the fastest; with the
    collector set as an export sets it."""
    from pipeline.engine import few_collections

    times = []
    with few_collections():
        for _ in range(repeat):
            started = time.perf_counter()
            kept = run()
            times.append(time.perf_counter() - started)
            del kept
    return min(times), max(times) / min(times)


def retained_bytes(run: Callable[[], object]) -> int:
    """Bytes still allocated, by ``tracemalloc``, while ``run``'s result is kept."""
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    kept = run()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del kept
    return after - before


_PRELOAD = (
    "import argparse, collections.abc, dataclasses, datetime, enum, json, pathlib, subprocess,"
    " sys, tempfile, tracemalloc, typing"
)
_IMPORT = {
    "pydantic": (
        "from pydantic import BaseModel, ConfigDict, Field\n"
        "started = time.perf_counter()\nimport pipeline.model\n"
    ),
    "pydantic_cold": "started = time.perf_counter()\nimport pipeline.model\n",
    "dataclass": "started = time.perf_counter()\nimport bench.model\n",
}
_FIRST_DUMP = {
    "pydantic": (
        "from pipeline.model import Exercise, Source, build\n"
        "e = build(Exercise, source=build(Source, path='a.md', line=1), source_sha256='0',"
        " slug='a', title='A', description='A.', video_id=None, video_uploaded=None,"
        " equipment=(), muscles=(), level=None, category=None, image=None, lang='en',"
        " aliases=(), updated=None, sections=(), outro=(), howto=())\n"
        "started = time.perf_counter()\ne.model_dump_json(indent=2)\n"
    ),
    "dataclass": (
        "import pydantic\nfrom pydantic import BaseModel, TypeAdapter\n"
        "from bench.model import Exercise, Source\n"
        "e = Exercise(source=Source(path='a.md', line=1), source_sha256='0', slug='a',"
        " title='A', description='A.', sections=(), howto=())\n"
        "started = time.perf_counter()\n"
        "pydantic.TypeAdapter(Exercise).dump_json(e, indent=2)\n"
    ),
}


def fresh_seconds(snippet: str, repeat: int) -> tuple[float, float]:
    """Seconds from ``started`` to the end of ``snippet``, in fresh interpreters: the best,
    and the slowest over the best."""
    code = f"import time\n{_PRELOAD}\n{snippet}print(time.perf_counter() - started)\n"
    env = as_users_run()  # with the bytecode written by a first, uncounted run
    times = []
    for _ in range(repeat + 1):
        done = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
        )
        if done.returncode != 0:
            raise SystemExit(done.stderr)
        times.append(float(done.stdout))
    return min(times[1:]), max(times[1:]) / min(times[1:])


def check_dates(serialisers: dict[str, Callable[[Any], str]]) -> None:
    """The prototype's JSON equals the model's for every kind of ``video_uploaded``: the
    corpus only has dates."""
    import pipeline.model as model

    uploads = [
        dt.date(2024, 1, 2),
        dt.datetime(2024, 1, 2, 3, 4, 5),
        dt.datetime(2024, 1, 2, 3, 4, 5, 120000, tzinfo=dt.UTC),
        dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
    ]
    for uploaded in uploads:
        values: dict[str, Any] = {
            "source_sha256": "0",
            "slug": "a",
            "title": "Bankdrücken",
            "description": "A.",
            "video_uploaded": uploaded,
            "sections": (),
            "howto": (),
        }
        ours = model.Exercise.model_validate({"source": {"path": "a.md", "line": 1}, **values})
        theirs = Exercise(source=Source(path="a.md", line=1), **values)
        for name, serialise in serialisers.items():
            if serialise(theirs) != ours.model_dump_json(indent=2):
                raise SystemExit(f"{name} JSON differs from the model's for {uploaded!r}")


def measure(count: int, repeat: int) -> dict[str, Any]:
    """Every figure, for a corpus of ``count`` seeds."""
    import pydantic

    import pipeline.model as model
    from bench.corpus import build_corpus
    from pipeline.parser import parse_seed_bytes

    ours: dict[str, type] = {
        name: getattr(model, name)
        for name in ("Source", "Span", "Paragraph", "Item", "Section", "HowToStep", "Exercise")
    }
    with tempfile.TemporaryDirectory(prefix="bench-model-") as folder:
        seeds = [(p.stem, p.read_bytes()) for p in build_corpus(count, Path(folder))]

    def parse_all() -> list[Any]:
        return [parse_seed_bytes(data, f"{stem}.md", stem=stem).exercise for stem, data in seeds]

    exercises = parse_all()
    if any(e is None for e in exercises):
        raise SystemExit("a corpus seed did not parse")
    parts = [parts_of(e) for e in exercises]
    prototype_parts = [
        parts_of(e, {"Difficulty": Difficulty, "SectionKind": SectionKind}) for e in exercises
    ]
    result: dict[str, Any] = {"count": count, "repeat": repeat}
    result["instances"] = sum(count_instances(p) for p in parts) / count
    result["parse"] = best_of(repeat, parse_all)
    result["parse_kept_bytes"] = retained_bytes(parse_all) / count

    makers: dict[str, tuple[list[Parts], dict[str, type], Maker]] = {
        "pydantic": (parts, ours, lambda cls, values: model.build(cls, **values)),
        "dataclass": (prototype_parts, PROTOTYPE, lambda cls, values: cls(**values)),
    }
    built: dict[str, list[Any]] = {}
    for name, (recipes, classes, maker) in makers.items():
        # Every constructor call the parser makes, in its order (the nested instances first),
        # each with its values ready: the loop around the calls costs the same for both.
        calls: list[tuple[type, dict[str, Any]]] = []

        def record(
            cls: type,
            values: dict[str, Any],
            maker: Maker = maker,
            calls: list[tuple[type, dict[str, Any]]] = calls,
        ) -> Any:
            calls.append((cls, dict(values)))
            return maker(cls, values)

        built[name] = [make(p, classes, record) for p in recipes]

        def build_all(
            calls: list[tuple[type, dict[str, Any]]] = calls, maker: Maker = maker
        ) -> list[Any]:
            return [maker(cls, values) for cls, values in calls]

        def build_trees(
            recipes: list[Parts] = recipes, classes: dict[str, type] = classes, maker: Maker = maker
        ) -> list[Any]:
            return [make(p, classes, maker) for p in recipes]

        result[f"build_{name}"] = best_of(repeat, build_all)
        result[f"memory_{name}"] = retained_bytes(build_trees) / count
    for made, parsed in zip(built["pydantic"], exercises, strict=True):
        if made != parsed:
            raise SystemExit(f"{parsed.source.path}: made again, the model differs")

    adapter = pydantic.TypeAdapter(Exercise)
    serialisers: dict[str, Callable[[Any], str]] = {
        "pydantic": lambda e: e.model_dump_json(indent=2),
        "dataclass_adapter": lambda e: adapter.dump_json(e, indent=2).decode(),
        "dataclass_json": prototype_json,
    }
    check_dates({k: v for k, v in serialisers.items() if k != "pydantic"})
    expected = [e.model_dump_json(indent=2) for e in exercises]
    for name, serialise in serialisers.items():
        instances = built["pydantic" if name == "pydantic" else "dataclass"]
        for text, wanted, parsed in zip(
            map(serialise, instances), expected, exercises, strict=True
        ):
            if text != wanted:
                raise SystemExit(f"{parsed.source.path}: {name} JSON differs from the model's")

        def dump_all(
            serialise: Callable[[Any], str] = serialise, instances: list[Any] = instances
        ) -> list[str]:
            return [serialise(e) for e in instances]

        result[f"json_{name}"] = best_of(repeat, dump_all)

    for name in ("pydantic", "dataclass"):
        recipes, classes, maker = makers[name]
        first, second = built[name], [make(p, classes, maker) for p in recipes]
        pairs = list(zip(first, second, strict=True))

        def compare(pairs: list[tuple[Any, Any]] = pairs) -> bool:
            return all(a == b for a, b in pairs)

        def hash_all(first: list[Any] = first) -> list[int]:
            return [hash(e) for e in first]

        result[f"eq_{name}"] = best_of(repeat, compare)
        result[f"hash_{name}"] = best_of(repeat, hash_all)
        result[f"import_{name}"] = fresh_seconds(_IMPORT[name], repeat)
    result["import_pydantic_cold"] = fresh_seconds(_IMPORT["pydantic_cold"], repeat)
    for name in ("pydantic", "dataclass"):
        result[f"first_dump_{name}"] = fresh_seconds(_FIRST_DUMP[name], repeat)
    return result


def report(r: dict[str, Any]) -> str:
    """The figures as a Markdown table, pydantic beside the prototype."""
    count = r["count"]

    def per(key: str) -> str:
        best, spread = r[key]
        return f"{best / count * 1e6:.1f} µs (spread {spread:.2f}x)"

    def whole(key: str) -> str:
        best, spread = r[key]
        return f"{best * 1e3:.1f} ms (spread {spread:.2f}x)"

    rows = [
        (
            "build one exercise from its parts",
            per("build_pydantic"),
            per("build_dataclass"),
        ),
        (
            "memory of one exercise's instances",
            f"{r['memory_pydantic']:,.0f} B",
            f"{r['memory_dataclass']:,.0f} B",
        ),
        (
            "model JSON of one exercise (pydantic / TypeAdapter)",
            per("json_pydantic"),
            per("json_dataclass_adapter"),
        ),
        ("model JSON of one exercise (standard json)", "-", per("json_dataclass_json")),
        (
            "import of the model module (pydantic already imported)",
            whole("import_pydantic"),
            whole("import_dataclass"),
        ),
        ("import of the model module, pydantic included", whole("import_pydantic_cold"), "-"),
        (
            "first JSON (deferred serialisers / TypeAdapter built)",
            whole("first_dump_pydantic"),
            whole("first_dump_dataclass"),
        ),
        ("equality of two equal exercises", per("eq_pydantic"), per("eq_dataclass")),
        ("hash of one exercise", per("hash_pydantic"), per("hash_dataclass")),
    ]
    lines = [
        f"{count:,} seeds, {r['instances']:.0f} model instances an exercise; best of "
        f"{r['repeat']}, spread = slowest over best.",
        "",
        "| per exercise | pydantic (`build`) | frozen slotted dataclass |",
        "|---|---|---|",
        *(f"| {a} | {b} | {c} |" for a, b, c in rows),
        "",
        f"For scale: parsing one seed takes {per('parse')}, and a parse keeps "
        f"{r['parse_kept_bytes']:,.0f} B a seed (strings included);"
        " the build is the model's constructor calls alone, nested instances first.",
    ]
    return "\n".join(lines)


def main() -> None:
    """Command line: run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    result = measure(args.count, args.repeat)
    print(report(result))
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / "model.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
