"""``pipeline check`` against a seed whose text is in another language than it says: the
warning, where it is and what it advises; what is not judged; the setting that turns it off;
and wger's translations, each warned about when declared wrong and never when declared
right."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from bench.detect import seed_text, true_language
from pipeline.cli import app
from pipeline.i18n import detect
from tests.conftest import ROOT, SHIPPED_SEED, exercise_of

WGER = json.loads((ROOT / "tests" / "fixtures" / "wger" / "translations.json").read_text("utf-8"))
FOREIGN = [e for e in WGER if true_language(e) != "en"]
ENGLISH = [e for e in WGER if true_language(e) == "en"]

GERMAN = """---
title: "Bankdrücken"
description: "Bankdrücken mit der Langhantel trainiert Brust, Schultern und Trizeps."
---

## Setup
1. **Hinlegen**: Lege dich flach auf die Bank, die Füße fest auf dem Boden.

## Execution
1. **Absenken**: Senke die Stange langsam bis knapp über die Brust.
2. **Drücken**: Drücke die Stange kraftvoll nach oben, ohne die Ellenbogen ganz zu strecken.

<!-- howto -->

### Absenken und drücken
Senke die Stange zur Brust und drücke sie wieder nach oben.
"""

ENGLISH_SEED = """---
title: "Bench Press"
description: "The barbell bench press trains the chest, the shoulders and the triceps."
{lang}---

## Setup
1. **Lie Down**: Lie flat on the bench with your feet firmly on the floor.

## Execution
1. **Lower**: Lower the bar slowly until it is just above your chest.
2. **Press**: Press the bar up powerfully without locking your elbows.

<!-- howto -->

### Lower and Press
Lower the bar to your chest and press it back up.
"""


@pytest.fixture
def check(
    tmp_path: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> Callable[..., tuple[int, list[str]]]:
    """``pipeline check PATH...`` in a folder with no settings file: its exit code and the
    lines it printed."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PIPELINE_DETECT_LANGUAGE", raising=False)

    def run(*args: str | Path) -> tuple[int, list[str]]:
        result = runner.invoke(app, ["check", *map(str, args)])
        return result.exit_code, result.output.splitlines()

    return run


def _language_lines(lines: list[str]) -> list[str]:
    return [line for line in lines if "the text reads as" in line]


def test_german_text_in_a_seed_that_says_nothing_is_warned_about_at_line_1(
    write_seed: Callable[[str, str], Path], check: Callable[..., tuple[int, list[str]]]
) -> None:
    path = write_seed("bankdrucken.md", GERMAN)
    code, lines = check(path)
    assert _language_lines(lines) == [
        f"{path}:1: warning: the text reads as German (de), but the seed's language is en; "
        "add 'lang: de' or rename it bankdrucken.de.md"
    ]
    assert lines[-1] == "1 seed checked: 0 errors, 1 warning"
    assert code == 0
    code, _ = check("--strict", path)
    assert code == 1  # a warning like any other: --strict fails on it


def test_the_warning_goes_once_the_seed_says_its_language(
    write_seed: Callable[[str, str], Path], check: Callable[..., tuple[int, list[str]]]
) -> None:
    by_key = write_seed("bankdrucken.md", GERMAN.replace("---\n\n", "lang: de\n---\n\n", 1))
    by_name = write_seed("bankdruecken.de.md", GERMAN)
    code, lines = check(by_key, by_name)
    assert (code, _language_lines(lines)) == (0, [])
    assert lines[-1] == "2 seeds checked: 0 errors, 0 warnings"


def test_english_text_declared_german_is_warned_about_at_its_lang(
    write_seed: Callable[[str, str], Path], check: Callable[..., tuple[int, list[str]]]
) -> None:
    by_key = write_seed("bench-press.md", ENGLISH_SEED.format(lang="lang: de\n"))
    by_name = write_seed("bankdruecken.de.md", ENGLISH_SEED.format(lang=""))
    _, lines = check(by_key, by_name)
    said = "the text reads as English (en), but the seed's language is de"
    assert _language_lines(lines) == [
        f"{by_name}:1: warning: {said}; rename it bankdruecken.en.md",
        f"{by_key}:4: warning: {said}; change it to 'lang: en'",
    ]


def test_a_suffix_and_a_lang_both_wrong_are_both_named(
    write_seed: Callable[[str, str], Path], check: Callable[..., tuple[int, list[str]]]
) -> None:
    path = write_seed("bankdruecken.de.md", ENGLISH_SEED.format(lang="lang: de\n"))
    _, lines = check(path)
    assert _language_lines(lines) == [
        f"{path}:4: warning: the text reads as English (en), but the seed's language is de; "
        "change it to 'lang: en' and rename it bankdruecken.en.md"
    ]


def test_the_shipped_seed_and_the_fixtures_in_their_languages_are_not_warned_about(
    check: Callable[..., tuple[int, list[str]]],
) -> None:
    fixtures = ROOT / "tests" / "fixtures"
    folders = ["languages", "translations", "cards", "labels", "jsonld"]
    for folder in [SHIPPED_SEED, *(fixtures / name for name in folders)]:
        _, lines = check(folder)
        assert _language_lines(lines) == [], folder


def test_portuguese_text_in_a_brazilian_seed_is_its_language(
    write_seed: Callable[[str, str], Path], check: Callable[..., tuple[int, list[str]]]
) -> None:
    entry = next(e for e in FOREIGN if true_language(e) == "pt")
    brazilian = write_seed("fundos.pt-BR.md", seed_text(entry, None))
    also = write_seed("fundos-para-triceps.md", seed_text(entry, "pt-BR"))
    code, lines = check(brazilian, also)
    assert (code, _language_lines(lines)) == (0, [])
    assert detect.mismatch(detect.prose(exercise_of(brazilian)), "en") == "pt"


def test_norwegian_is_written_as_bokmal() -> None:
    assert detect.written_as("no") == {"no", "nb"}
    assert detect.written_as("nb-NO") == {"nb"}
    assert detect.written_as("pt-BR") == {"pt"}
    assert detect.written_as("en-GB") == {"en"}
    assert detect.judged("no") and not detect.judged("el") and not detect.judged("nn")


def test_a_seed_too_short_to_tell_is_not_judged(
    write_seed: Callable[[str, str], Path], check: Callable[..., tuple[int, list[str]]]
) -> None:
    short = """---
title: "Kniebeuge"
description: "Tiefe Kniebeuge mit der Langhantel."
---

## Execution
1. Gehe tief in die Knie.

<!-- howto -->

### Kniebeuge
Gehe tief in die Knie.
"""
    path = write_seed("kniebeuge.md", short)
    code, lines = check(path)
    assert (code, _language_lines(lines)) == (0, [])
    text = detect.prose(exercise_of(path))
    assert detect.letters(text) < detect.MIN_LETTERS
    assert detect.read_language(text, "en") is None
    # The same words, once there are enough of them, are told.
    assert detect.mismatch(text * 4, "en") == "de"


def test_what_is_read_is_the_prose(write_seed: Callable[[str, str], Path]) -> None:
    seed = GERMAN.replace(
        "---\n\n",
        "muscles: [chest, triceps]\nequipment: [barbell]\naliases: [bench press]\n---\n\n",
        1,
    ).replace("Senke die Stange zur Brust", "Senke (https://example.org/bench-press) die Stange")
    text = detect.prose(exercise_of(write_seed("bench-press-with-a-long-name.md", seed)))
    assert text.startswith("Bankdrücken\nBankdrücken mit der Langhantel")
    assert "Hinlegen\nLege dich flach" in text
    for absent in ("chest", "barbell", "bench press", "Setup", "Execution"):
        assert absent not in text
    address = "https://example.org/bench-press"
    assert address in text  # kept in the prose, but its letters are not the language's:
    assert detect.letters(text) == detect.letters(text.replace(address, ""))
    assert detect.letters("see https://example.org/a-very-long-address-indeed") == 3
    # A title the seed does not give (made from the file name) is not its text.
    untitled = GERMAN.replace('title: "Bankdrücken"\n', "")
    text = detect.prose(exercise_of(write_seed("bench-press.md", untitled)))
    assert "Bench Press" not in text


def test_the_setting_turns_it_off(
    write_seed: Callable[[str, str], Path],
    check: Callable[..., tuple[int, list[str]]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = write_seed("bankdrucken.md", GERMAN)
    (tmp_path / "pipeline.toml").write_text("detect_language = false\n", "utf-8")
    code, lines = check("--strict", path)
    assert (code, lines) == (0, ["1 seed checked: 0 errors, 0 warnings"])
    (tmp_path / "pipeline.toml").unlink()
    monkeypatch.setenv("PIPELINE_DETECT_LANGUAGE", "false")
    assert check(path) == (0, ["1 seed checked: 0 errors, 0 warnings"])
    monkeypatch.setenv("PIPELINE_DETECT_LANGUAGE", "maybe")
    code, _ = check(path)
    assert code == 2


def test_export_does_not_read_the_language(
    write_seed: Callable[[str, str], Path],
    tmp_path: Path,
    runner: CliRunner,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    path = write_seed("bankdrucken.md", GERMAN)
    result = runner.invoke(app, ["export", "-f", "json", "-o", str(tmp_path / "out"), str(path)])
    assert result.exit_code == 0, result.output
    assert "reads as" not in result.output


def _wger_seeds(
    write_seed: Callable[[str, str], Path], entries: list[dict[str, Any]], declared: bool
) -> list[Path]:
    return [
        write_seed(f"wger-{e['pk']}.md", seed_text(e, true_language(e) if declared else None))
        for e in entries
    ]


def test_every_wger_sample_not_in_english_is_warned_about_when_it_says_nothing(
    write_seed: Callable[[str, str], Path], check: Callable[..., tuple[int, list[str]]]
) -> None:
    paths = _wger_seeds(write_seed, FOREIGN, declared=False)
    _, lines = check(*paths)
    warned = {line.split(":", 1)[0]: line for line in _language_lines(lines)}
    assert len(FOREIGN) == 26
    for entry, path in zip(FOREIGN, paths, strict=True):
        language = true_language(entry)
        assert f"({language}), but the seed's language is en" in warned[str(path)], entry["pk"]
        assert warned[str(path)].endswith(f"rename it wger-{entry['pk']}.{language}.md")


def test_no_wger_sample_is_warned_about_in_its_own_language(
    write_seed: Callable[[str, str], Path], check: Callable[..., tuple[int, list[str]]]
) -> None:
    right = _wger_seeds(write_seed, FOREIGN, declared=True)
    english = _wger_seeds(write_seed, ENGLISH, declared=False)
    code, lines = check(*right, *english)
    assert _language_lines(lines) == []
    assert lines[-1] == f"{len(WGER)} seeds checked: 0 errors, 0 warnings"
    assert code == 0
    # wger files two of the English ones as Portuguese and Swedish: as wger has them, they
    # are warned about, rightly.
    filed_wrong = [e for e in ENGLISH if e["language"] != "en"]
    assert {e["language"] for e in filed_wrong} == {"pt", "sv"}
    for entry in filed_wrong:
        text = detect.prose(exercise_of(write_seed("wrong.md", seed_text(entry, None))))
        assert detect.mismatch(text, entry["language"]) == "en"
