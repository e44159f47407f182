"""What a seed's author reads: every problem of a seed in one run, in line order, each naming
the field or line and what to write, and no YAML surprise that changes the data unsaid."""

from __future__ import annotations

import re

import pytest

from pipeline.diagnostics import Level
from pipeline.frontmatter_keys import KNOWN_KEYS
from pipeline.parser import ParseResult, parse_seed_bytes

BODY = "## Execution\n1. Curl.\n<!-- howto -->\n### Curl\nCurl the legs.\n"


def parse(text: str) -> ParseResult:
    return parse_seed_bytes(text.encode("utf-8"), "seeds/s.md", stem="s")


def seed(frontmatter: str, body: str = BODY) -> ParseResult:
    return parse(f"---\n{frontmatter}\n---\n{body}")


def messages(result: ParseResult) -> list[str]:
    return [str(d) for d in result.diagnostics]


# --- a mis-indented list, and YAML's own errors ------------------------------------------------


def test_a_list_item_that_runs_on_to_a_dash_line_is_a_warning_at_that_line() -> None:
    result = seed("description: d\nmuscles:\n  - triceps\n   - chest")
    assert result.exercise is not None
    assert result.exercise.muscles == ("triceps - chest",)
    assert messages(result) == [
        "seeds/s.md:5: warning: muscles: the list item 'triceps' runs on to '- chest' and is "
        "read as 'triceps - chest'; indent every '- ' the same to make it its own item"
    ]


def test_a_value_that_runs_on_to_a_dash_line_is_a_warning_at_that_line() -> None:
    result = seed("description: d\nequipment: bench\n  - barbell")
    assert messages(result) == [
        "seeds/s.md:4: warning: equipment: 'bench' runs on to '- barbell' and is read as "
        "'bench - barbell'; to make a list, start it on the line after 'equipment:' with every "
        "'- ' indented the same, or put the text in quotes if it is meant as one"
    ]


@pytest.mark.parametrize(
    "frontmatter",
    [
        "description: d\nmuscles:\n  - triceps\n  - chest",
        "description: d\nmuscles:\n- triceps\n- chest",
        "description: Curl the legs\n  slowly - and with control.",
        'description: "Curl the legs\n  - slowly"',
        "description: |\n  Curl the legs\n  - slowly",
    ],
    ids=["list", "list-at-margin", "dash-inside-a-line", "quoted", "block"],
)
def test_no_warning_when_the_text_is_what_was_meant(frontmatter: str) -> None:
    result = seed(frontmatter)
    assert result.ok
    assert result.diagnostics == []


@pytest.mark.parametrize(
    ("frontmatter", "line", "message"),
    [
        (
            "description: d\nmuscles:\n\t- triceps",
            4,
            "YAML does not allow tabs for indentation: use spaces",
        ),
        ("description: d\n\ttitle: x", 3, "YAML does not allow tabs for indentation: use spaces"),
        ("muscles:\n  -\tchest\ndescription: d", 3, "YAML does not allow a tab here: use spaces"),
        (
            "description: Note: keep",
            2,
            "put a value containing ': ' in quotes: description: \"Note: keep\"",
        ),
        (
            'description: d\ntitle: Curl: the "easy" way',
            3,
            "put a value containing ': ' in quotes: title: 'Curl: the \"easy\" way'",
        ),
        (
            "description: d\nmuscles:\n  - calves: soleus",
            4,
            None,  # a mapping in a list is valid YAML: refused by the field instead
        ),
        (
            "description: d\nmuscles:\n  - upper: calves: soleus",
            4,
            "put a value containing ': ' in quotes: - \"upper: calves: soleus\"",
        ),
        (
            "description: Curl the legs.\n  Note: keep the hips down.",
            3,
            "'Note: keep the hips down.' is indented, so YAML reads it as more of "
            "'description:', where ': ' is not allowed; start each key at the beginning of its "
            "line, or put the whole value in quotes",
        ),
        (
            "description: d\nmuscles:\n  - triceps\n - chest",
            5,
            "'- chest' is not lined up with a list: indent every '- ' of a list the same, "
            "under its key",
        ),
        (
            'description: "Curl" the legs',
            2,
            "text goes on after the closing quote: put the whole value in quotes: "
            "description: '\"Curl\" the legs'",
        ),
        (
            "description: d\ntitle Curl\nlevel: expert",
            3,
            "'title Curl' has no ':'; write each key as key: value",
        ),
        (
            "description: 'Curl\ntitle: x",
            2,
            "a quoted value is not closed: end it with the same quote",
        ),
        (
            "description: d\nmuscles: - hamstrings\n  - calves",
            3,
            "a '- ' list cannot start on the line of its key: put each '- ' item on a line "
            "of its own under 'muscles:', or write the list as [a, b]",
        ),
        (
            "description: `curl`",
            2,
            "a YAML value cannot start with '`': put the value in quotes",
        ),
    ],
)
def test_yaml_errors_name_the_real_cause(frontmatter: str, line: int, message: str | None) -> None:
    result = seed(frontmatter)
    errors = [(d.line, d.message) for d in result.diagnostics if d.level is Level.ERROR]
    if message is None:
        assert errors and errors[0][0] == line and errors[0][1].startswith("muscles: item 1 is a")
    else:
        assert errors == [(line, message)]


# --- every problem at once, in line order -----------------------------------------------------


def test_three_mistakes_are_reported_in_one_run_in_line_order() -> None:
    result = parse(
        "---\ndescription: Curl the legs.\nlevel: pro\n---\n"
        "## Setup\n1. Lie down.\n\n## Excecution\n1. Curl.\n\n<!-- howto -->\n### Curl\n"
    )
    assert not result.ok
    assert messages(result) == [
        "seeds/s.md:3: error: level: 'pro' is not a level; "
        "write beginner, intermediate or expert, e.g. level: beginner",
        "seeds/s.md:8: error: unknown section '## Excecution' (did you mean '## Execution'?): "
        "without it the seed has no '## Execution' section",
        "seeds/s.md:12: error: step 'Curl' has no text under its heading",
    ]


def test_a_yaml_error_still_lets_the_body_be_checked() -> None:
    result = parse("---\ndescription: Note: keep\n---\n## Setup\n1. Lie down.\n")
    assert [(d.line, d.message[:24]) for d in result.diagnostics] == [
        (2, "put a value containing '"),
        (3, "no '## Execution' sectio"),
        (5, "no <!-- howto --> marker"),
    ]


def test_every_field_error_is_reported_at_once_in_line_order() -> None:
    result = seed(
        "title: [a, b]\nslug: Leg_Curl\ndescription: d\nlevel: pro\nvideo: abc\n"
        "muscles: [hamstrings, '']\nlang: english!\nupdated: soon\ndescription: again"
    )
    assert [(d.line, d.message.split(":")[0]) for d in result.diagnostics] == [
        (2, "title"),
        (3, "slug"),
        (5, "level"),
        (6, "video"),
        (7, "muscles"),
        (8, "lang"),
        (9, "updated"),
        (10, "description"),
    ]


def test_a_refused_tag_or_key_leaves_the_other_keys_checked() -> None:
    result = seed("description: !!python/object:os.system x\nlevel: pro\n1: x")
    assert [(d.line, d.message) for d in result.diagnostics] == [
        (
            2,
            "YAML tag 'tag:yaml.org,2002:python/object:os.system' is not allowed: "
            "a seed holds plain values only",
        ),
        (
            3,
            "level: 'pro' is not a level; write beginner, intermediate or expert, "
            "e.g. level: beginner",
        ),
        (4, "frontmatter keys must be plain words, e.g. description:"),
    ]


def test_an_unknown_heading_gets_a_did_you_mean() -> None:
    result = seed("description: d", BODY.replace("<!--", "## Tip\n- Breathe.\n\n<!--"))
    assert result.ok
    assert messages(result) == [
        "seeds/s.md:6: warning: unknown section '## Tip' is kept as it is (did you mean '## Tips'?)"
    ]


# --- messages in the author's terms -----------------------------------------------------------


@pytest.mark.parametrize(
    "value", ["1.5", "2", "true", "1.50", "2024-01-01", "0x1F", "~x", "null x"]
)
def test_text_fields_take_a_scalar_as_it_is_written(value: str) -> None:
    result = seed(f"description: {value}\ntitle: {value}\ncategory: {value}\naliases: {value}")
    assert result.exercise is not None, messages(result)
    exercise = result.exercise
    assert (exercise.description, exercise.title, exercise.category) == (value, value, value)
    assert exercise.aliases == (value,)


def test_numbers_that_are_valid_text_are_kept() -> None:
    digits = "9" * 5000
    result = seed(f"description: {digits}\nslug: 0\nvideo: 12345678901\nmuscles: 5")
    assert result.exercise is not None, messages(result)
    assert result.exercise.description == digits
    assert result.exercise.slug == "0"
    assert result.exercise.video_id == "12345678901"
    assert result.exercise.muscles == ("5",)


@pytest.mark.parametrize(
    ("frontmatter", "line", "message"),
    [
        (
            "description: [a, b]",
            2,
            "description: is a list, not text; write one or two sentences that say what the "
            'exercise is, e.g. description: "Curl your legs against a padded lever."',
        ),
        (
            "description:\n  a: b",
            2,
            "description: is a set of 'key: value' pairs (put text that holds ': ' in quotes); "
            "write one or two sentences",
        ),
        ("description:", 2, "description: is empty; write one or two sentences"),
        ("title: T", 1, "description: missing from the frontmatter; write one or two sentences"),
        ("description: d\ntitle: [2024]", 3, "title: is a list, not text; write the title"),
        (
            "description: d\nlevel: 3",
            3,
            "level: '3' is not a level; write beginner, intermediate or expert, "
            "e.g. level: beginner",
        ),
        (
            "description: d\nlevel: " + "9" * 5000,
            3,
            "level: '" + "9" * 60 + "...' is not a level; write beginner, intermediate or expert",
        ),
        (
            "description: d\nslug: Leg_Curl",
            3,
            "slug: 'Leg_Curl' is not a slug; use only a-z, 0-9 and single '-' between words, "
            "e.g. slug: lying-leg-curl",
        ),
        (
            "description: d\nlang: 1",
            3,
            "lang: '1' is not a BCP 47 language tag; write the language of the text, "
            "e.g. lang: en, de-CH or pt-BR",
        ),
        (
            "description: d\nupdated: 2024-13-01",
            3,
            "updated: '2024-13-01' is not a real date (month must be in 1..12); "
            "write the date as YYYY-MM-DD, e.g. updated: 2025-01-31",
        ),
        (
            "description: d\nupdated: 2024-01-02 10:30:00",
            3,
            "updated: is a date and time, not a date; write the date as YYYY-MM-DD",
        ),
        (
            "description: d\nvideo_uploaded: yes",
            3,
            "video_uploaded: 'yes' is not a date; write the date as YYYY-MM-DD, "
            "e.g. video_uploaded: 2024-05-01",
        ),
        ("description: d\nvideo_uploaded: 1714521600", 3, "video_uploaded: '1714521600' is not"),
        ("description: d\nvideo_uploaded: [2024-05-01]", 3, "video_uploaded: is a list; write"),
        (
            "description: d\nvideo: 1234",
            3,
            "video: '1234' is not a YouTube video; give the 11-character YouTube id or a "
            "youtube.com/watch?v=",
        ),
        (
            "description: d\nimage: 5",
            3,
            "image: '5' is not a .png, .jpg, .jpeg or .svg file; write",
        ),
        (
            "description: d\nmuscles:\n  - hamstrings\n  - [calves]",
            5,
            "muscles: item 2 is a list, not text; write a name or a list of names, "
            "e.g. muscles: [hamstrings, calves]",
        ),
        ("description: d\nmuscles:\n  - hamstrings\n  -", 5, "muscles: item 2 is empty; write"),
        ("description: d\nequipment: {bench: flat}", 3, "equipment: is a set of 'key: value'"),
        (
            "description: d\ndescription: e",
            3,
            "description: given twice, first on line 2; keep one",
        ),
    ],
)
def test_a_bad_value_names_the_field_and_what_to_write(
    frontmatter: str, line: int, message: str
) -> None:
    result = seed(frontmatter)
    errors = [d for d in result.diagnostics if d.level is Level.ERROR]
    assert [d.line for d in errors] == [line], messages(result)
    assert errors[0].message.startswith(message)


_FIELD_MESSAGE = re.compile(r"^[a-z_]+: [^;]+; (write|give|use|keep) .+")
_INTERPRETER_WORDS = ("Input should", "Value error", "sys.", "pydantic", "int_max", "Exceeds")


@pytest.mark.parametrize(
    "value",
    ["", "~", "[a]", "{a: b}", "[[a]]", "[~]", "'  '", "9" * 5000, "-1", "2024-13-45", "x y"],
)
@pytest.mark.parametrize("key", [k for k in KNOWN_KEYS if k != "draft"])  # draft: a flag
def test_every_field_message_names_the_field_and_what_to_write(key: str, value: str) -> None:
    head = "" if key == "description" else "description: d\n"
    result = seed(f"{head}{key}: {value}")
    for diagnostic in result.diagnostics:
        assert not any(word in diagnostic.message for word in _INTERPRETER_WORDS), diagnostic
        if diagnostic.level is Level.ERROR:
            assert diagnostic.message.startswith(f"{key}: "), diagnostic
            assert _FIELD_MESSAGE.match(diagnostic.message), diagnostic
