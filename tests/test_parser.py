"""The seed parser: exact on good input, precise (file and line) on bad input."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from pipeline.diagnostics import Level
from pipeline.model import Exercise, SectionKind, build
from pipeline.parser import Limits, ParseResult, parse_seed, parse_seed_bytes
from tests.complexity import tangled
from tests.conftest import SHIPPED_SEED, exercise_of, line_of

STEM = "leverage-machine-lying-leg-curl"


def parse(text: str | bytes, stem: str = STEM, **options: Any) -> ParseResult:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return parse_seed_bytes(data, f"seeds/{stem}.md", stem=stem, **options)


def parsed(text: str | bytes, stem: str = STEM) -> Exercise:
    result = parse(text, stem)
    assert result.exercise is not None, [str(d) for d in result.diagnostics]
    return result.exercise


def without_facts(text: str) -> str:
    """``text`` without the optional facts the shipped seed gives (level, muscles, ...)."""
    facts = ("level:", "category:", "muscles:", "equipment:", "aliases:")
    return "".join(line for line in text.splitlines(True) if not line.startswith(facts))


def messages(result: ParseResult) -> list[str]:
    return [str(d) for d in result.diagnostics]


def test_shipped_seed_parses_to_exactly_its_content(shipped_text: str) -> None:
    result = parse(shipped_text)
    assert result.diagnostics == []
    exercise = result.exercise
    assert exercise is not None
    assert exercise.slug == "leverage-machine-lying-leg-curl"
    assert exercise.title == "Leverage Machine Lying Leg Curl"
    assert exercise.video_id == "vl5nUdE9mWM"
    assert exercise.description.startswith("Isolate your hamstrings with the Leverage Machine")
    assert exercise.lang == "en"
    assert [(i.label, i.text) for i in exercise.setup] == [
        (
            "Adjust the Machine",
            "Set the pad to rest just above your heels. "
            "Adjust the backrest so that your body is flat against it.",
        ),
        (
            "Position Yourself",
            "Lie face down on the machine, ensuring your knees align with the pivot point.",
        ),
    ]
    assert [(i.label, i.text) for i in exercise.execution] == [
        ("Grip the Handles", "Hold onto the side handles for stability."),
        (
            "Starting Position",
            "Keep your legs straight and your ankles positioned under the padded lever.",
        ),
        (
            "Curl the Legs",
            "Bend your knees to lift the weighted lever towards your glutes. "
            "Keep your hips pressed against the pad.",
        ),
        ("Pause", "At the top of the curl, squeeze your hamstrings for a moment."),
        (
            "Lower the Weight",
            "Slowly extend your legs back to the starting position "
            "without letting the weight stack touch down.",
        ),
    ]
    assert [(i.label, i.text) for i in exercise.tips] == [
        ("Maintain Control", "Avoid using momentum; focus on muscle contraction."),
        ("Avoid Overextension", "Do not hyperextend your lower back."),
        ("Breathing", "Exhale when curling up and inhale while lowering the weight."),
    ]
    assert [(i.label, i.text) for i in exercise.mistakes] == [
        (None, "Lifting hips off the pad."),
        (None, "Using too much weight, leading to poor form."),
        (None, "Not completing the full range of motion."),
    ]
    assert exercise.outro_text == (
        "By following these steps, you'll maximize the effectiveness of the Lying Leg Curl "
        "while minimizing the risk of injury."
    )
    assert [(s.name, s.text) for s in exercise.howto] == [
        (
            "Adjust and Position Yourself",
            "Set the ankle pad to rest just above your heels. Lie face down on the machine with "
            "your knees aligned with the pivot point and ankles under the padded lever.",
        ),
        (
            "Grip the Handles",
            "Hold onto the side handles for stability, keeping your hips pressed against the pad.",
        ),
        (
            "Curl Your Legs Up",
            "Bend your knees to lift the weighted lever toward your glutes. "
            "Squeeze your hamstrings at the top and hold briefly.",
        ),
        (
            "Lower to the Start",
            "Slowly extend your legs back to the starting position "
            "without letting the weight stack touch down.",
        ),
    ]


def test_every_part_knows_its_file_and_line(shipped_text: str) -> None:
    exercise = parsed(shipped_text)
    lines = shipped_text.splitlines()
    headings = ("## Setup", "## Execution", "## Tips", "## Common Mistakes")
    expected = [line_of(shipped_text, heading) for heading in headings]
    assert [s.source.line for s in exercise.sections] == expected
    for section in exercise.sections:
        assert lines[section.source.line - 1].startswith("## ")
        for item in section.items:
            assert item.source.path == "seeds/leverage-machine-lying-leg-curl.md"
            assert item.text[:20] in lines[item.source.line - 1]
    for step in exercise.howto:
        assert lines[step.source.line - 1] == f"### {step.name}"
    assert exercise.outro[0].source.line == line_of(shipped_text, "By following these steps")


def test_model_is_valid_and_immutable(shipped_text: str) -> None:
    exercise = parsed(shipped_text)
    assert Exercise.model_validate(exercise.model_dump()) == exercise
    with pytest.raises(ValueError, match="frozen"):
        exercise.title = "Another"  # type: ignore[misc]


def test_emphasis_is_kept_as_spans_beside_clean_text() -> None:
    text = (
        "---\ndescription: A *quick* `test`.\n---\n## Execution\n"
        "1. **Hold**: keep *very* still and see [the guide](https://x.org) ![a bar](b.png)\n"
        "<!-- howto -->\n### Do it\nText.\n"
    )
    exercise = parsed(text)
    assert exercise.description == "A quick test."
    item = exercise.execution[0]
    assert item.label == "Hold"
    assert item.text == "keep very still and see the guide a bar"
    assert [(s.text, s.emphasis) for s in item.spans if s.emphasis] == [("very", True)]
    assert "".join(s.text for s in item.spans) == item.text


@pytest.mark.parametrize(
    "line",
    [
        "1. **Grip**: Hold the bar.",
        "1. **Grip:** Hold the bar.",
        "1. **Grip** \u2014 Hold the bar.",
        "1. **Grip** \u2013 Hold the bar.",
        "1. **Grip** - Hold the bar.",
    ],
)
def test_label_forms(line: str) -> None:
    exercise = parsed(f"---\ndescription: d\n---\n## Execution\n{line}\n<!-- howto -->\n### S\nT\n")
    assert (exercise.execution[0].label, exercise.execution[0].text) == ("Grip", "Hold the bar.")


def test_leading_bold_without_separator_is_not_a_label() -> None:
    exercise = parsed(
        "---\ndescription: d\n---\n## Execution\n1. **Do not** lock your knees.\n"
        "2. **Half**-reps are fine\n<!-- howto -->\n### S\nT\n"
    )
    assert [(i.label, i.text) for i in exercise.execution] == [
        (None, "Do not lock your knees."),
        (None, "Half-reps are fine"),
    ]


def test_nested_list_folds_into_its_item() -> None:
    exercise = parsed(
        "---\ndescription: d\n---\n## Execution\n1. **Grip**: Choose a grip:\n"
        "   - overhand\n   - underhand\n2. Pull.\n<!-- howto -->\n### S\nT\n"
    )
    assert [(i.label, i.text) for i in exercise.execution] == [
        ("Grip", "Choose a grip: overhand; underhand"),
        (None, "Pull."),
    ]


def _tolerant_variant(text: str) -> str:
    text = text.replace("## Common Mistakes", "## common mistakes:")
    text = text.replace("## Tips", "## TIPS")
    text = re.sub(r"^- ", "* ", text, count=2, flags=re.M)
    text = re.sub(r"^- ", "+ ", text, flags=re.M)
    text = re.sub(r"^(\d)\. ", r"\1) ", text, flags=re.M)
    text = text.replace("<!-- howto -->", "<!--HowTo-->")
    text = "\n".join(line + "  " for line in text.split("\n"))
    return "\ufeff" + text.replace("\n", "\r\n")


def _comparable(exercise: Exercise) -> dict[str, Any]:
    dump = exercise.model_dump(exclude={"source_sha256"})
    for section in dump["sections"]:
        section.pop("heading")
    return dump


def test_tolerated_variants_parse_to_the_same_model(shipped_text: str) -> None:
    variant = _tolerant_variant(shipped_text)
    assert "\r\n" in variant and "1) **Adjust" in variant and "* **Maintain" in variant
    assert "+ Lifting" in variant and "## common mistakes:" in variant
    result = parse(variant)
    assert result.diagnostics == []
    assert result.exercise is not None
    assert _comparable(result.exercise) == _comparable(parsed(shipped_text))


@pytest.mark.parametrize("marker", ["<!--howto-->", "<!-- HowTo -->", "<!--   HOWTO   -->"])
def test_marker_spellings(shipped_text: str, marker: str) -> None:
    exercise = parsed(shipped_text.replace("<!-- howto -->", marker))
    assert len(exercise.howto) == 4


def test_unknown_section_is_kept_in_order_with_a_warning(shipped_text: str) -> None:
    text = shipped_text.replace("## Tips", "## Variations\n- Single leg.\n\n## Tips")
    result = parse(text)
    assert messages(result) == [
        f"seeds/{STEM}.md:{line_of(text, '## Variations')}: warning: unknown section "
        "'## Variations' is kept as it is; "
        "the known sections are Setup, Execution, Tips and Common Mistakes"
    ]
    assert result.exercise is not None
    kinds = [s.kind for s in result.exercise.sections]
    assert kinds == [
        SectionKind.SETUP,
        SectionKind.EXECUTION,
        SectionKind.OTHER,
        SectionKind.TIPS,
        SectionKind.MISTAKES,
    ]
    assert result.exercise.sections[2].items[0].text == "Single leg."


def test_title_and_slug_come_from_the_file_name_unless_set() -> None:
    body = "## Execution\n1. Press.\n<!-- howto -->\n### Press\nPress it.\n"
    exercise = parsed(f"---\ndescription: d\n---\n{body}", stem="bankdrücken-kh")
    assert (exercise.title, exercise.slug) == ("Bankdrücken Kh", "bankdrucken-kh")
    exercise = parsed(f"---\ndescription: d\ntitle: Bench *Press*\nslug: bench\n---\n{body}")
    assert (exercise.title, exercise.slug) == ("Bench Press", "bench")


@pytest.mark.parametrize(
    ("value", "video_id"),
    [
        ("vl5nUdE9mWM", "vl5nUdE9mWM"),
        ("https://www.youtube.com/watch?v=vl5nUdE9mWM", "vl5nUdE9mWM"),
        ("https://www.youtube.com/watch?v=vl5nUdE9mWM&t=42s", "vl5nUdE9mWM"),
        ("youtube.com/watch?v=vl5nUdE9mWM", "vl5nUdE9mWM"),
        ("https://youtu.be/vl5nUdE9mWM", "vl5nUdE9mWM"),
        ("https://www.youtube.com/embed/vl5nUdE9mWM", "vl5nUdE9mWM"),
        ("https://youtube.com/shorts/vl5nUdE9mWM", "vl5nUdE9mWM"),
        ("http://m.youtube.com/watch?v=a_b-c_d-e_f", "a_b-c_d-e_f"),
    ],
)
def test_video_forms_normalise_to_the_id(shipped_text: str, value: str, video_id: str) -> None:
    exercise = parsed(shipped_text.replace('"vl5nUdE9mWM"', f'"{value}"'))
    assert exercise.video_id == video_id


def test_facts_are_validated_and_kept(shipped_text: str) -> None:
    facts = (
        "equipment: [leg curl machine]\nmuscles: [hamstrings, calves]\nlevel: beginner\n"
        "category: strength\nvideo_uploaded: 2024-03-05\nimage: https://example.org/a.jpg\n"
        "lang: en-GB\naliases: Prone Leg Curl\nupdated: 2025-01-31\n"
    )
    exercise = parsed(without_facts(shipped_text).replace("---\n\n", facts + "---\n\n", 1))
    assert exercise.equipment == ("leg curl machine",)
    assert exercise.muscles == ("hamstrings", "calves")
    assert exercise.level == "beginner"
    assert exercise.category == "strength"
    assert str(exercise.video_uploaded) == "2024-03-05"
    # `image` comes first, then the shipped seed's two `images`.
    assert exercise.images[0].src == "https://example.org/a.jpg"
    assert exercise.images[0].file is None  # on the web: linked, never fetched
    assert len(exercise.images) == 3
    assert exercise.lang == "en-GB"
    assert exercise.aliases == ("Prone Leg Curl",)
    assert str(exercise.updated) == "2025-01-31"


def test_unknown_key_warns_with_did_you_mean_and_fails_under_strict(shipped_text: str) -> None:
    text = shipped_text.replace('video: "vl5nUdE9mWM"', 'vidoe: "vl5nUdE9mWM"')
    result = parse(text)
    assert result.ok
    assert messages(result) == [
        f"seeds/{STEM}.md:2: warning: unknown frontmatter key 'vidoe'; did you mean 'video'?"
    ]
    strict = parse(text, strict=True)
    assert not strict.ok
    assert strict.diagnostics[0].level is Level.ERROR


def test_the_known_keys_are_the_frontmatter_models_fields_in_order() -> None:
    # Kept apart from the model so a run need not load it; the parse key joins them in order.
    from pipeline.frontmatter import SeedFrontmatter
    from pipeline.frontmatter_keys import KNOWN_KEYS

    assert tuple(SeedFrontmatter.model_fields) == KNOWN_KEYS


def test_repeated_list_item_is_dropped_with_a_warning(shipped_text: str) -> None:
    text = without_facts(shipped_text).replace(
        "---\n\n", "muscles:\n  - hamstrings\n  - Hamstrings\n---\n\n", 1
    )
    result = parse(text)
    assert result.exercise is not None and result.exercise.muscles == ("hamstrings",)
    assert messages(result) == [
        f"seeds/{STEM}.md:{line_of(text, '  - Hamstrings')}: warning: muscles: 'Hamstrings' "
        "is listed twice; the repeat is left out"
    ]


ERROR_CASES: list[tuple[str, str | bytes, int, str]] = [
    ("not utf-8", b"---\ndescription: d\n---\n\xff\xfe\n", 4, "not UTF-8 text"),
    ("empty", b"  \n\n", 1, "the file is empty"),
    ("no frontmatter", "## Execution\n1. x\n", 1, "no frontmatter"),
    ("unclosed frontmatter", "---\ndescription: d\n", 1, "frontmatter is not closed"),
    ("frontmatter a list", "---\n- a\n- b\n---\n", 2, "frontmatter must be a mapping"),
    ("yaml syntax", "---\ndescription: d\nvideo: [a\n---\n", 4, "YAML syntax error"),
    ("yaml tab", "---\nmuscles:\n\t- a\n---\n", 3, "YAML does not allow tabs for indentation"),
    (
        "yaml colon",
        "---\ndescription: Note: keep\n---\n",
        2,
        'in quotes: description: "Note: keep"',
    ),
    ("object tag", "---\ndescription: !!python/object:os.system x\n---\n", 2, "YAML tag"),
    ("custom tag", "---\ndescription: d\nlevel: !lvl beginner\n---\n", 3, "YAML tag '!lvl'"),
    ("alias", "---\ndescription: &d x\ntitle: *d\n---\n", 3, "anchors and aliases"),
    (
        "duplicate key",
        "---\ndescription: d\ndescription: e\n---\n",
        3,
        "description: given twice, first on line 2",
    ),
    ("description missing", "---\ntitle: T\n---\n", 1, "description: missing from the frontmatter"),
    (
        "description empty",
        "---\ndescription: '  '\n---\n",
        2,
        "description: is empty; write one or two",
    ),
    ("bad video", "---\ndescription: d\nvideo: https://vimeo.com/1\n---\n", 3, "not a YouTube"),
    (
        "short video id",
        "---\ndescription: d\nvideo: abc\n---\n",
        3,
        "video: 'abc' is not a YouTube video; give the",
    ),
    (
        "bad slug",
        "---\ndescription: d\nslug: Bad_Slug\n---\n",
        3,
        "slug: 'Bad_Slug' is not a slug; use only a-z",
    ),
    (
        "bad level",
        "---\ndescription: d\nlevel: pro\n---\n",
        3,
        "level: 'pro' is not a level; write beginner,",
    ),
    ("bad lang", "---\ndescription: d\nlang: english!\n---\n", 3, "not a BCP 47"),
    ("bad image", "---\ndescription: d\nimage: /a.png\n---\n", 3, "is an absolute path"),
    (
        "bad image url",
        "---\ndescription: d\nimage: ftp://a/b.png\n---\n",
        3,
        "not an absolute http(s) URL",
    ),
    (
        "bad date",
        "---\ndescription: d\nupdated: soon\n---\n",
        3,
        "updated: 'soon' is not a date; write the date as YYYY-MM-DD",
    ),
    (
        "empty list item",
        "---\ndescription: d\nmuscles: [a, '']\n---\n",
        3,
        "muscles: item 2 is empty",
    ),
    ("impossible date", "---\ndescription: d\nupdated: 2024-13-45\n---\n", 3, "month must be"),
    (
        "datetime updated",
        "---\ndescription: d\nupdated: 2024-01-02 10:00:00\n---\n",
        3,
        "not a date",
    ),
    ("number as date", "---\ndescription: d\nvideo_uploaded: 5\n---\n", 3, "'5' is not a date"),
    ("control character", "---\ndescription: d\ntitle: \x00\n---\n", 3, "U+0000"),
    ("keys not words", "---\n1: x\ndescription: d\n---\n", 2, "keys must be plain words"),
]
BODY_ERRORS: list[tuple[str, str, int, str]] = [
    ("no execution", "## Setup\n1. x\n<!-- howto -->\n### S\nT\n", 4, "no '## Execution'"),
    ("empty execution", "## Execution\n\n<!-- howto -->\n### S\nT\n", 5, "has no steps"),
    ("no marker", "## Execution\n1. x\n\n### S\nT\n", 9, "no <!-- howto --> marker"),
    ("no step", "## Execution\n1. x\n\n<!-- howto -->\n", 8, "no '### Step name' heading"),
    ("step without text", "## Execution\n1. x\n<!-- howto -->\n### S\n", 8, "step 'S' has no text"),
    ("text before step", "## Execution\n1. x\n<!-- howto -->\nT\n", 8, "must be under a '###"),
    ("h2 after marker", "## Execution\n1. x\n<!-- howto -->\n## More\n", 8, "'## heading' after"),
    (
        "second marker",
        "## Execution\n1. x\n<!-- howto -->\n### S\nT\n\n<!-- howto -->\n",
        11,
        "second",
    ),
    (
        "section twice",
        "## Execution\n1. x\n## Execution\n1. y\n<!-- howto -->\n### S\nT\n",
        7,
        "twice",
    ),
]


@pytest.mark.parametrize(
    ("name", "text", "line", "message"),
    ERROR_CASES
    + [
        (name, f"---\ndescription: d\n---\n\n{body}", line, message)
        for name, body, line, message in BODY_ERRORS
    ],
)
def test_error_cases_give_their_message_at_the_right_line(
    name: str, text: str | bytes, line: int, message: str
) -> None:
    result = parse(text)
    assert not result.ok, name
    errors = [d for d in result.diagnostics if d.level is Level.ERROR]
    assert any(d.line == line and message in d.message for d in errors), messages(result)
    assert all(str(d).startswith(f"seeds/{STEM}.md:") for d in result.diagnostics)


def test_file_over_the_size_limit_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "big.md"
    path.write_text("---\ndescription: d\n---\n" + "x" * 2000, "utf-8")
    result = parse_seed(path, limits=Limits(max_bytes=1000))
    assert messages(result) == [
        f"{path.as_posix()}:1: error: file is 2023 bytes, over the limit of 1000 "
        "(setting max_seed_bytes)"
    ]


def test_left_out_text_is_never_silent(shipped_text: str) -> None:
    text = shipped_text.replace("## Setup\n", "Intro text.\n\n## Setup\nSome words.\n\n")
    result = parse(text)
    assert result.ok
    assert [d.line for d in result.diagnostics] == [
        line_of(text, "Intro text."),
        line_of(text, "Some words."),
    ]
    assert all(d.level is Level.WARNING and "left out" in d.message for d in result.diagnostics)


def test_a_line_over_the_limit_is_an_error_before_any_parsing() -> None:
    text = "---\ndescription: d\n---\n## Execution\n1. " + "*a" * 6000 + "\n"
    result = parse(text)
    assert messages(result) == [
        f"seeds/{STEM}.md:5: error: line is 12003 characters long, over the limit of 10000 "
        "(setting max_line_chars)"
    ]


def test_too_many_items_in_a_section_or_steps_is_an_error() -> None:
    items = "".join(f"{n}. Step {n}.\n" for n in range(1, 6))
    steps = "".join(f"### S{n}\nT.\n" for n in range(1, 6))
    text = f"---\ndescription: d\n---\n## Execution\n{items}<!-- howto -->\n{steps}"
    result = parse_seed_bytes(text.encode(), "s.md", stem="s", limits=Limits(max_items=4))
    assert [str(d) for d in result.diagnostics] == [
        "s.md:4: error: '## Execution' has 5 items, over the limit of 4 "
        "(setting max_section_items)",
        "s.md:10: error: 5 '###' steps follow the <!-- howto --> marker, over the limit of 4 "
        "(setting max_section_items)",
    ]
    assert parse_seed_bytes(text.encode(), "s.md", stem="s", limits=Limits(max_items=5)).ok


def test_billion_laughs_is_refused_at_once_without_expanding() -> None:
    levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for n in range(1, 12):
        prior = chr(ord("a") + n - 1)
        name = chr(ord("a") + n)
        levels.append(f"{name}: &{name} [{', '.join(['*' + prior] * 9)}]")
    text = "---\ndescription: d\n" + "\n".join(levels) + "\n---\n"
    started = time.perf_counter()
    result = parse(text)
    assert time.perf_counter() - started < 1.0
    frontmatter_errors = [d for d in result.diagnostics if d.level is Level.ERROR and d.line < 16]
    assert [str(d) for d in frontmatter_errors] == [
        f"seeds/{STEM}.md:4: error: YAML anchors and aliases are not supported in a seed"
    ]


def test_text_nested_deeper_than_markdown_reads_is_named_when_left_out() -> None:
    deep = "".join("  " * depth + "- level\n" for depth in range(30))
    text = (
        f"---\ndescription: d\n---\n## Execution\n1. x\n\n## Tips\n{deep}<!-- howto -->\n### S\nT\n"
    )
    result = parse(text)
    assert result.ok
    assert [d.message for d in result.diagnostics] == [
        "text nested more than 20 levels deep is left out"
    ]


def test_models_built_without_validation_equal_pydantic_ones() -> None:
    """``build`` makes instances the way ``model_construct`` does, faster; a pydantic upgrade
    that changes what an instance holds must fail here, not in an exporter."""
    stack: list[BaseModel] = [exercise_of(SHIPPED_SEED)]
    seen = 0
    while stack:
        model = stack.pop()
        seen += 1
        values = {name: getattr(model, name) for name in type(model).model_fields}
        built = build(type(model), **values)
        constructed = type(model).model_construct(_fields_set=set(values), **values)
        assert built == constructed == type(model).model_validate(values)
        assert built.__dict__ == constructed.__dict__
        assert built.model_fields_set == constructed.model_fields_set
        assert built.__pydantic_extra__ == constructed.__pydantic_extra__
        assert built.__pydantic_private__ == constructed.__pydantic_private__
        assert built.model_dump_json() == constructed.model_dump_json()
        for value in values.values():
            items = value if isinstance(value, tuple) else (value,)
            stack.extend(item for item in items if isinstance(item, BaseModel))
    assert seen > 20


def test_no_part_of_the_parser_is_too_tangled_to_read_at_once() -> None:
    assert tangled("parser.py", "inline.py", "frontmatter.py") == []


@pytest.mark.parametrize("written", ["Expert", "EXPERT", " expert "])
def test_a_level_is_read_in_any_case(written: str) -> None:
    text = SHIPPED_SEED.read_text("utf-8").replace("level: beginner", f"level: '{written}'")
    result = parse(text)
    assert result.exercise is not None, result.diagnostics
    assert result.exercise.level is not None
    assert result.exercise.level.value == "expert"
