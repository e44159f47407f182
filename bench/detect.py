"""Language detection: how many seeds in the wrong language ``pipeline check`` catches, and
whether it ever warns about one that is right.

    python -m bench.detect [--count 900]

Every translation in wger's exercise fixtures (bench/data/wger, CC BY-SA) is written as a
seed: its name the title, its first sentence the description, the rest the steps. Then:

- **recall**: each non-English one with no language named (so ``en``, the default): how
  many are warned about, of those long enough to judge and of all;
- **declared right**: each non-English one with its own ``lang:``: none may warn;
- **English**: ``--count`` seeds of the free-exercise-db corpus (``bench.corpus``) and
  wger's English translations, as ``en``: none may warn;
- **threshold**: the same counts for other lengths a text must have to be judged;
- **cost**: ms per seed (reading its prose and judging it, the parse left out), and, in a
  fresh interpreter, the time to build the detector, to load its models (its first text),
  and the memory it takes, in low-accuracy mode (the pipeline's) and high-accuracy mode.

wger's own language is not always the text's: a few translations are filed under another
language (English text under Swedish, French under English). :data:`CORRECTIONS` gives
their real language, read by hand; the bench counts by it.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.corpus import build_corpus
from pipeline.config import Settings
from pipeline.discover import read_seeds
from pipeline.i18n import detect
from pipeline.model import Exercise
from pipeline.parser import parse_seed
from pipeline.slugs import slugify

WGER = Path(__file__).parent / "data" / "wger" / "exercises.json"

CORRECTIONS = {
    186: "cs",  # "Triceps Bench Press One Barbell", filed as en: "Činka v jedné ruce ..."
    353: "en",  # "Asai Squad", filed as pt: "single leg sit and stand"
    377: "en",  # "Seated Hip Adduction", filed as pt
    414: "fr",  # "Extenseurs - Face", filed as en: "En face, tirer, relacher doucement"
    619: "it",  # "Curl su Panca a 45°", filed as en
    758: "en",  # "Barbell Wrist Curl", filed as sv
    759: "en",  # "Barbell Reverse Wrist Curl", filed as sv
}
"""wger translations whose text is in another language than the one wger files them under."""

THRESHOLDS = (25, 50, 60, 75, 100, 150, 200)

Entry = dict[str, Any]


def wger_entries(path: Path = WGER) -> list[Entry]:
    """wger's exercise translations: pk, uuid, language, name, description (HTML), licence."""
    entries: list[Entry] = json.loads(path.read_text("utf-8"))
    return entries


def true_language(entry: Entry) -> str:
    """The language the entry's text is in: wger's, unless :data:`CORRECTIONS` knows better."""
    return CORRECTIONS.get(entry["pk"]) or str(entry["language"])


def plain_text(markup: str) -> str:
    """wger's HTML description as text: tags dropped, entities read, whitespace folded."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def sentences(text: str) -> list[str]:
    """``text`` cut into sentences, each ending in a full stop."""
    parts = [p.strip(" -") for p in re.split(r"(?<=[.!?])\s+", text)]
    return [p if p.endswith((".", "!", "?")) else p + "." for p in parts if len(p) > 1]


def seed_text(entry: Entry, lang: str | None) -> str:
    """The entry as a seed: its name the title, its first sentence the description, the
    others the steps, its last sentence the how-to step; ``lang:`` when ``lang`` is given."""
    name = " ".join(entry["name"].split())
    said = sentences(plain_text(entry["description"])) or [name + "."]
    steps = said[1:] or said
    front = [f"title: {json.dumps(name, ensure_ascii=False)}"]
    front.append(f"description: {json.dumps(said[0], ensure_ascii=False)}")
    if lang:
        front.append(f"lang: {lang}")
    return "\n".join(
        [
            "---",
            *front,
            "---",
            "",
            "## Execution",
            *(f"{n}. {step}" for n, step in enumerate(steps, start=1)),
            "",
            "<!-- howto -->",
            "",
            f"### {name}",
            said[-1],
            "",
        ]
    )


def write_seeds(
    entries: Sequence[Entry], folder: Path, lang: Callable[[Entry], str | None]
) -> list[Path]:
    """Each entry as a seed in ``folder`` (``lang`` says what its ``lang:`` is, if any)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for entry in entries:
        path = folder / f"{slugify(entry['name']) or 'exercise'}-{entry['pk']}.md"
        path.write_text(seed_text(entry, lang(entry)), "utf-8")
        paths.append(path)
    return paths


@dataclass
class Judged:
    """What the detector said of a set of seeds."""

    seeds: int = 0
    failed: list[str] = field(default_factory=list)
    exercises: list[Exercise] = field(default_factory=list)
    warned: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def judged(self) -> int:
        """How many were long enough, in a language the detector knows, to be judged."""
        return sum(
            detect.read_language(detect.prose(e), e.lang) is not None for e in self.exercises
        )


def judge(paths: Sequence[Path]) -> Judged:
    """Parse each seed, then time what ``pipeline check`` adds: its language warning."""
    found = Judged(seeds=len(paths))
    for path in paths:
        result = parse_seed(path)
        if result.exercise is None:
            found.failed.append(path.name)
        else:
            found.exercises.append(result.exercise)
    for _ in range(2):  # the first loads the models the seeds' languages need
        started = time.perf_counter()
        warned = []
        for exercise in found.exercises:
            warning = detect.language_warning(exercise)
            if warning is not None:
                warned.append((exercise.source.path, warning.message))
        found.seconds = time.perf_counter() - started
        found.warned = warned
    return found


def sweep(wrong: Sequence[Exercise], right: Sequence[Exercise]) -> list[tuple[int, int, int, int]]:
    """For each length in :data:`THRESHOLDS`: that length, how many of ``wrong`` are caught,
    how many of them are judged at all, and how many of ``right`` are warned about."""
    rows = []
    for least in THRESHOLDS:
        caught = sum(
            detect.mismatch(detect.prose(e), e.lang, min_letters=least) is not None for e in wrong
        )
        judged = sum(
            detect.read_language(detect.prose(e), e.lang, min_letters=least) is not None
            for e in wrong
        )
        false = sum(
            detect.mismatch(detect.prose(e), e.lang, min_letters=least) is not None for e in right
        )
        rows.append((least, caught, judged, false))
    return rows


_COST = """
import json, sys, time
from lingua import IsoCode639_1, LanguageDetectorBuilder
from pipeline.i18n import SHIPPED
texts = json.load(sys.stdin)
def rss():
    with open("/proc/self/status") as status:
        return next(int(l.split()[1]) for l in status if l.startswith("VmRSS")) / 1024
before = rss()
started = time.perf_counter()
builder = LanguageDetectorBuilder.from_iso_codes_639_1(
    *(getattr(IsoCode639_1, tag.upper()) for tag in SHIPPED))
if sys.argv[1] == "low":
    builder = builder.with_low_accuracy_mode()
detector = builder.build()
built = time.perf_counter()
for text in texts:
    detector.compute_language_confidence_values(text)
loaded = time.perf_counter()
best = float("inf")
for _ in range(5):
    begun = time.perf_counter()
    for text in texts:
        detector.compute_language_confidence_values(text)
    best = min(best, time.perf_counter() - begun)
print(json.dumps({"build": built - started, "load": loaded - built,
                  "ms": best * 1000 / len(texts), "mb": rss() - before}))
"""


def cost(mode: str, texts: Sequence[str]) -> dict[str, float]:
    """In a fresh interpreter: seconds to build the detector in ``mode`` (low or high
    accuracy), seconds to read ``texts`` once (which loads the models they need), then ms a
    text (best of 5 rounds) and the MB the process grew by."""
    run = subprocess.run(
        [sys.executable, "-c", _COST, mode],
        input=json.dumps(list(texts)),
        capture_output=True,
        text=True,
        check=True,
    )
    figures: dict[str, float] = json.loads(run.stdout)
    return figures


def check_seconds(folder: Path) -> tuple[float, float]:
    """Seconds ``pipeline check`` takes to read the seeds in ``folder`` without the language
    check and with it (best of 3, the detector built beforehand)."""
    from pipeline.review import seed_reviews

    times = {}
    for setting in (False, True):
        review = seed_reviews(Settings(detect_language=setting))
        best = float("inf")
        for _ in range(3):
            started = time.perf_counter()
            read_seeds([folder], Settings(), review)
            best = min(best, time.perf_counter() - started)
        times[setting] = best
    return times[False], times[True]


def _share(part: int, whole: int) -> str:
    return f"{part}/{whole} ({100 * part / whole:.1f}%)" if whole else "0/0"


def report(work: Path, count: int) -> bool:
    """Print every figure; True when no seed that is right was warned about."""
    entries = wger_entries()
    foreign = [e for e in entries if true_language(e) != "en"]
    english = [e for e in entries if true_language(e) == "en"]
    wrong = judge(write_seeds(foreign, work / "wger-as-en", lambda e: None))
    right = judge(write_seeds(foreign, work / "wger-declared", true_language))
    wger_en = judge(write_seeds(english, work / "wger-en", lambda e: None))
    corpus = judge(build_corpus(count, work / "corpus"))
    by_language: dict[str, list[int]] = {}
    said = dict(wrong.warned)
    for exercise in wrong.exercises:
        language = true_language(_entry_of(exercise, entries))
        counts = by_language.setdefault(language, [0, 0, 0, 0])
        counts[0] += 1
        counts[1] += detect.read_language(detect.prose(exercise), "en") is not None
        message = said.get(exercise.source.path, "")
        counts[2] += bool(message)
        counts[3] += f"({language})" in message
    print(f"wger translations: {len(entries)}, {len(foreign)} not English, {len(english)} English")
    for name, found in (
        ("as en", wrong),
        ("declared", right),
        ("wger en", wger_en),
        ("corpus", corpus),
    ):
        if found.failed:
            print(
                f"  {name}: {len(found.failed)} seeds did not parse: {', '.join(found.failed[:5])}"
            )
    print("\nNot English, declared en (the default):")
    print(
        f"  warned {_share(len(wrong.warned), wrong.judged)} of those judged, "
        f"{_share(len(wrong.warned), len(wrong.exercises))} of all"
    )
    for language, (total, judged, warned, named) in sorted(by_language.items()):
        print(
            f"  {language}: {total} seeds, {judged} judged, {warned} warned, "
            f"{named} of them naming {language}"
        )
    print("\nFalse warnings (must all be 0):")
    for name, found in (
        ("not English, declared right", right),
        ("wger English as en", wger_en),
        ("free-exercise-db corpus", corpus),
    ):
        print(
            f"  {name + ':':<29} {len(found.warned)} of {len(found.exercises)}"
            f" ({found.judged} judged)"
        )
    for path, message in [*right.warned, *wger_en.warned, *corpus.warned][:10]:
        print(f"    {path}: {message}")
    print(f"\nThreshold (letters a text needs to be judged; now {detect.MIN_LETTERS}):")
    print("  letters  caught  judged  false warnings")
    everything_right = [*right.exercises, *wger_en.exercises, *corpus.exercises]
    for least, caught, judged, false in sweep(wrong.exercises, everything_right):
        print(f"  {least:>7}  {caught:>6}  {judged:>6}  {false:>14}")
    print("\nClosest calls, of the seeds judged:")
    print(f"  lowest confidence a warning had: {_lowest(wrong.exercises):.4f}")
    top, seed = _highest_other(everything_right)
    print(f"  most confidence another language got in a seed that is right: {top:.4f} ({seed})")
    seeds = len(wrong.exercises) + len(corpus.exercises)
    per_seed = (wrong.seconds + corpus.seconds) * 1000 / seeds
    print(f"\nPer seed (prose and judgement, detector built): {per_seed:.2f} ms over {seeds} seeds")
    off, on = check_seconds(work / "corpus")
    print(
        f"  pipeline check of the {count} corpus seeds, one process: {off:.2f} s without, "
        f"{on:.2f} s with (+{(on - off) * 1000 / count:.2f} ms a seed)"
    )
    texts = [detect.prose(e) for e in [*wrong.exercises, *corpus.exercises[:200]]]
    print(f"  in a fresh interpreter, over {len(texts)} seeds' prose (every language above):")
    for mode in ("low", "high"):
        figures = cost(mode, texts)
        print(
            f"  {mode} accuracy: build {figures['build'] * 1000:.0f} ms, first reading of "
            f"them all (models loaded) {figures['load']:.2f} s, then {figures['ms']:.2f} ms a "
            f"seed, {figures['mb']:.0f} MB"
        )
    return not (right.warned or wger_en.warned or corpus.warned)


def _readings(exercises: Sequence[Exercise]) -> list[tuple[Exercise, detect.Reading]]:
    found = []
    for exercise in exercises:
        reading = detect.read_language(detect.prose(exercise), exercise.lang)
        if reading is not None:
            found.append((exercise, reading))
    return found


def _lowest(wrong: Sequence[Exercise]) -> float:
    """The lowest confidence of a reading that contradicts its seed's language."""
    return min(
        (r.confidence for _, r in _readings(wrong) if r.language != "en"), default=float("nan")
    )


def _highest_other(right: Sequence[Exercise]) -> tuple[float, str]:
    """The most confidence a language other than the seed's own got, and in which seed."""
    best, where = 0.0, "none"
    for exercise, reading in _readings(right):
        if reading.language not in detect.written_as(exercise.lang) and reading.confidence > best:
            best, where = reading.confidence, Path(exercise.source.path).name
    return best, where


def _entry_of(exercise: Exercise, entries: Sequence[Entry]) -> Entry:
    pk = int(Path(exercise.source.path).stem.rsplit("-", 1)[1])
    return next(e for e in entries if e["pk"] == pk)


def main() -> None:
    """Command line: ``python -m bench.detect [--count N]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=900, help="free-exercise-db seeds")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        if not report(Path(work), args.count):
            sys.exit("bench.detect: a seed in its own language was warned about")


if __name__ == "__main__":
    main()
