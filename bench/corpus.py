"""Build a corpus of realistic seeds from the public-domain free-exercise-db data.

    python -m bench.corpus --count 1000 --out /tmp/corpus

Seeds vary as people write them: optional sections present or absent, labelled and
unlabelled items, videos on some, facts on some. The same ``--count`` and ``--random-seed``
always give the same files.

With ``--languages en,de,ru`` the corpus is one of a multilingual collection: each work (one
free-exercise-db record) as ``slug.md`` in English, exactly as the English-only corpus has it,
and its translations ``slug.de.md`` and ``slug.ru.md``, or, for about a tenth of them, a file
named after the translated title with ``translation_of: slug`` (:mod:`bench.languages`). The
``--count`` is of seeds, all languages together: the works are ``ceil(count / languages)``,
each written in every language in the order given until ``count`` seeds are written, so the
last work may lack its last translations (10,000 seeds in three languages: 3,334 works, the
last in English only). The English seeds are the first of the English-only corpus with the
same ``--random-seed``; the translations draw from generators of their own.

With ``--pictures 0.1`` a tenth of the English seeds show a start and an end picture, in
``images/``: each its own JPEG (850 x 567, about 80 KiB, as free-exercise-db's photos are),
cut from the shipped seed's two photos at a place of its own, so no two files are alike and
no cache sees one twice.
"""

from __future__ import annotations

import argparse
import json
import random
import string
from collections.abc import Sequence
from pathlib import Path

from bench.languages import LANGUAGES, Translator
from pipeline.slugs import slugify

DATA = Path(__file__).parent / "data" / "free-exercise-db" / "exercises.json"
PHOTOS = Path(__file__).parent.parent / "seeds" / "images"
PHOTO_SIZE = (850, 567)

TIPS = [
    ("Control the Tempo", "Take two seconds on the way up and three on the way down."),
    ("Breathe", "Exhale on the effort and inhale as you return."),
    ("Brace Your Core", "Keep your abdominals tight throughout the movement."),
    ("Warm Up", "Do a light set first to prepare the joints."),
    ("Full Range", "Move through the whole range of motion you can control."),
    ("Stay Neutral", "Keep your neck in line with your spine."),
]
MISTAKES = [
    "Using momentum instead of muscle to move the weight.",
    "Letting the lower back arch off the support.",
    "Rushing the lowering phase.",
    "Locking the joints hard at the end of each repetition.",
    "Holding the breath for the whole set.",
    "Choosing a load too heavy to keep good form.",
]
OUTROS = [
    "Practise with a light load until the movement feels natural.",
    "Stop if you feel sharp pain and ask a trainer to check your form.",
]


def _item(text: str, rng: random.Random, *, numbered: bool, index: int) -> str:
    bullet = f"{index}." if numbered else "-"
    if rng.random() < 0.6:
        label = " ".join(text.split()[:3]).rstrip(".,;:")
        return f"{bullet} **{label}**: {text}"
    return f"{bullet} {text}"


def make_seed(exercise: dict[str, object], rng: random.Random, variant: int) -> tuple[str, str]:
    """One seed (file name, text) from one free-exercise-db record."""
    name = str(exercise["name"])
    if variant:
        name = f"{name} Variation {variant}"
    instructions = [str(i).strip() for i in exercise["instructions"] if str(i).strip()]  # type: ignore[attr-defined]
    instructions = instructions or [f"Perform the {name} with control."]
    setup_count = min(len(instructions) - 1, rng.choice([0, 1, 2]))
    setup, execution = instructions[:setup_count], instructions[setup_count:]
    muscles = list(dict.fromkeys([*exercise["primaryMuscles"], *exercise["secondaryMuscles"]]))  # type: ignore[misc]
    front = [
        f'description: "Learn the {name}, a {exercise["category"]} exercise for the '
        f'{", ".join(muscles[:2]) or "whole body"}."'
    ]
    if rng.random() < 0.5:
        front.append(
            "video: "
            + "".join(rng.choice(string.ascii_letters + string.digits + "_-") for _ in range(11))
        )
        if rng.random() < 0.5:
            front.append(f"video_uploaded: 2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}")
    if rng.random() < 0.7:
        front.append(f"title: {json.dumps(name)}")
    if muscles and rng.random() < 0.8:
        front.append(f"muscles: {json.dumps(muscles)}")
    if exercise.get("equipment") and rng.random() < 0.8:
        front.append(f"equipment: [{json.dumps(exercise['equipment'])}]")
    if rng.random() < 0.8:
        front.append(f"level: {exercise['level']}")
        front.append(f"category: {exercise['category']}")
    lines = ["---", *front, "---", ""]
    if setup:
        lines += [
            "## Setup",
            *(_item(t, rng, numbered=True, index=i + 1) for i, t in enumerate(setup)),
            "",
        ]
    lines += [
        "## Execution",
        *(_item(t, rng, numbered=True, index=i + 1) for i, t in enumerate(execution)),
        "",
    ]
    if rng.random() < 0.7:
        tips = rng.sample(TIPS, rng.randint(1, 3))
        lines += ["## Tips", *(f"- **{label}**: {text}" for label, text in tips), ""]
    if rng.random() < 0.6:
        lines += [
            "## Common Mistakes",
            *(f"- {m}" for m in rng.sample(MISTAKES, rng.randint(1, 3))),
            "",
        ]
    if rng.random() < 0.5:
        lines += [rng.choice(OUTROS), ""]
    lines += ["<!-- howto -->", ""]
    for text in instructions[: rng.randint(1, min(4, len(instructions)))]:
        step = " ".join(text.split()[:4]).rstrip(".,;:")
        lines += [f"### {step}", text, ""]
    return f"{slugify(name)}.md", "\n".join(lines)


def add_pictures(paths: Sequence[Path], fraction: float, random_seed: int = 0) -> int:
    """Give ``fraction`` of the seeds at ``paths`` (chosen by ``random_seed``) a start and
    an end picture of their own in ``images/`` beside them; how many seeds have them."""
    from PIL import Image

    rng = random.Random(f"{random_seed}:pictures")
    chosen = [p for p in paths if rng.random() < fraction]
    photos = []
    for name in ("lying-leg-curl-start.jpg", "lying-leg-curl-end.jpg"):
        with Image.open(PHOTOS / name) as original:
            photos.append(original.convert("RGB").resize((1000, 667)))
    for path in chosen:
        folder = path.parent / "images"
        folder.mkdir(exist_ok=True)
        names = []
        for which, source in zip(("start", "end"), photos, strict=True):
            left, top = rng.randrange(150), rng.randrange(100)
            cut = source.crop((left, top, left + PHOTO_SIZE[0], top + PHOTO_SIZE[1]))
            name = f"{path.stem}-{which}.jpg"
            cut.save(folder / name, "JPEG", quality=85)
            names.append(f"images/{name}")
        text = path.read_text("utf-8")
        path.write_text(text.replace("---\n", f"---\nimages: [{', '.join(names)}]\n", 1), "utf-8")
    return len(chosen)


def build_corpus(
    count: int,
    out: Path,
    random_seed: int = 0,
    languages: Sequence[str] = ("en",),
    pictures: float = 0.0,
) -> list[Path]:
    """Write ``count`` seeds into ``out`` and return their paths. ``languages`` other than
    English only (the first must be ``en``) share the ``count`` between them: each work in
    every language, in that order, until ``count`` seeds are written. ``pictures`` of the
    English seeds get two pictures each (see :func:`add_pictures`)."""
    if not languages or languages[0] != "en" or len(set(languages)) != len(languages):
        raise ValueError(f"languages must start with en and name each once: {languages}")
    unknown = [lang for lang in languages[1:] if lang not in LANGUAGES]
    if unknown:
        raise ValueError(f"no sentence pools for {', '.join(unknown)}; have {', '.join(LANGUAGES)}")
    exercises = json.loads(DATA.read_text("utf-8"))
    rng = random.Random(random_seed)
    out.mkdir(parents=True, exist_ok=True)
    works = []
    for index in range(-(-count // len(languages))):
        variant, position = divmod(index, len(exercises))
        works.append((exercises[position], variant, *make_seed(exercises[position], rng, variant)))
    english_slugs = {file_name.removesuffix(".md") for _, _, file_name, _ in works}
    translators = [
        Translator(LANGUAGES[lang], english_slugs, random.Random(f"{random_seed}:{lang}"))
        for lang in languages[1:]
    ]
    paths: list[Path] = []
    for exercise, variant, file_name, text in works:
        seeds = [(file_name, text)]
        for translator in translators[: max(0, count - len(paths) - 1)]:
            version = translator.translate(exercise, variant, file_name.removesuffix(".md"), text)
            seeds.append((version.file_name, version.text))
        for name, seed_text in seeds:
            path = out / name
            path.write_text(seed_text, "utf-8")
            paths.append(path)
    if pictures:
        english = [out / file_name for _, _, file_name, _ in works]
        add_pictures(english, pictures, random_seed)
    return paths


def main() -> None:
    """Command line: ``python -m bench.corpus --count N --out DIR``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--random-seed", type=int, default=0)
    parser.add_argument(
        "--languages",
        default="en",
        help="comma-separated, English first: en,de,ru writes each work in the three "
        "(--count counts the seeds of all of them)",
    )
    parser.add_argument(
        "--pictures", type=float, default=0.0, help="the share of seeds with two pictures"
    )
    args = parser.parse_args()
    languages = [lang.strip() for lang in args.languages.split(",") if lang.strip()]
    try:
        paths = build_corpus(args.count, args.out, args.random_seed, languages, args.pictures)
    except ValueError as error:
        parser.error(str(error))
    print(f"wrote {len(paths)} seeds into {args.out}")


if __name__ == "__main__":
    main()
