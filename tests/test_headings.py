"""Section headings in the seed's language: ``## Ausführung`` is a German seed's Execution,
``## Частые ошибки`` a Russian seed's Common Mistakes; English is understood everywhere, and
what the parser says names the headings of the seed's language.

``python -m tests.test_headings`` rewrites the table in docs/seed-format.md from
pipeline/i18n/headings.toml."""

from __future__ import annotations

import fnmatch
import json
import re
import sqlite3
import tomllib
from pathlib import Path
from types import SimpleNamespace

import pytest

from pipeline import engine
from pipeline.config import load_settings
from pipeline.diagnostics import Level
from pipeline.i18n import SHIPPED, language_name
from pipeline.i18n import headings as vocabulary
from pipeline.model import SectionKind
from pipeline.parser import ParseResult, parse_seed_bytes

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "seed-format.md"
CARDS = ROOT / "tests" / "fixtures" / "cards"
KNOWN = [SectionKind.SETUP, SectionKind.EXECUTION, SectionKind.TIPS, SectionKind.MISTAKES]
STEPS = "<!-- howto -->\n### Step\nDo the step.\n"


def parse(text: str, stem: str = "s") -> ParseResult:
    return parse_seed_bytes(text.encode("utf-8"), f"seeds/{stem}.md", stem=stem)


def seed(lang: str | None, body: str, stem: str = "s") -> ParseResult:
    language = f"lang: {lang}\n" if lang else ""
    return parse(f"---\ndescription: d\n{language}---\n{body}", stem)


def four(setup: str, execution: str, tips: str, mistakes: str) -> str:
    """A body with the four known sections under the given headings."""
    return (
        f"## {setup}\n1. Sit down.\n\n## {execution}\n1. Press.\n\n"
        f"## {tips}\n- Breathe.\n\n## {mistakes}\n- Bouncing.\n\n{STEPS}"
    )


def messages(result: ParseResult) -> list[str]:
    return [str(d) for d in result.diagnostics]


def kinds(result: ParseResult) -> list[SectionKind]:
    assert result.exercise is not None, messages(result)
    return [section.kind for section in result.exercise.sections]


# --- every language --------------------------------------------------------------------------

# Written out here, not read from the TOML: each is what a fitness writer in that language
# puts over the section, and losing one from the vocabulary must fail a test.
NATIVE = [
    ("en", "Setup", "Execution", "Tips", "Common Mistakes"),
    ("de", "Ausgangsstellung", "Durchführung", "Hinweise", "Typische Fehler"),
    ("fr", "Position de départ", "Exécution", "Conseils", "Erreurs à éviter"),
    ("es", "Posición inicial", "Ejecución", "Consejos", "Errores comunes"),
    ("it", "Posizione di partenza", "Esecuzione", "Consigli", "Errori da evitare"),
    ("nl", "Startpositie", "Uitvoering", "Aandachtspunten", "Veelgemaakte fouten"),
    ("pt", "Posição inicial", "Execução", "Dicas", "Erros comuns"),
    ("sv", "Utgångsläge", "Utförande", "Tips", "Vanliga misstag"),
    ("da", "Udgangsstilling", "Udførelse", "Gode råd", "Almindelige fejl"),
    ("nb", "Utgangsstilling", "Utførelse", "Tips", "Vanlige feil"),
    ("fi", "Alkuasento", "Suoritus", "Vinkit", "Yleiset virheet"),
    ("pl", "Pozycja wyjściowa", "Wykonanie", "Wskazówki", "Najczęstsze błędy"),
    ("cs", "Výchozí poloha", "Provedení", "Tipy", "Časté chyby"),
    ("ru", "Исходное положение", "Техника выполнения", "Советы", "Типичные ошибки"),
    ("uk", "Вихідне положення", "Техніка виконання", "Поради", "Типові помилки"),
    ("tr", "Başlangıç pozisyonu", "Hareketin yapılışı", "İpuçları", "Sık yapılan hatalar"),
]

# The Execution heading each language's messages name.
EXECUTION = {
    "en": "Execution",
    "de": "Ausführung",
    "fr": "Exécution",
    "es": "Ejecución",
    "it": "Esecuzione",
    "nl": "Uitvoering",
    "pt": "Execução",
    "sv": "Utförande",
    "da": "Udførelse",
    "nb": "Utførelse",
    "fi": "Suoritus",
    "pl": "Wykonanie",
    "cs": "Provedení",
    "ru": "Выполнение",
    "uk": "Виконання",
    "tr": "Yapılışı",
}


def test_every_shipped_language_has_headings() -> None:
    assert [row[0] for row in NATIVE] == list(SHIPPED) == list(EXECUTION)
    assert list(vocabulary.vocabularies()) == list(SHIPPED)


@pytest.mark.parametrize(("lang", "setup", "execution", "tips", "mistakes"), NATIVE)
def test_a_seed_with_native_headings_has_the_four_sections(
    lang: str, setup: str, execution: str, tips: str, mistakes: str
) -> None:
    result = seed(lang, four(setup, execution, tips, mistakes))
    assert messages(result) == []
    assert kinds(result) == KNOWN
    assert result.exercise is not None
    assert [s.heading for s in result.exercise.sections] == [setup, execution, tips, mistakes]
    assert [s.items[0].text for s in result.exercise.sections] == [
        "Sit down.",
        "Press.",
        "Breathe.",
        "Bouncing.",
    ]


@pytest.mark.parametrize(("lang", "heading"), EXECUTION.items())
def test_no_execution_names_it_in_the_seeds_language(lang: str, heading: str) -> None:
    result = seed(lang, f"## Intro\nHello.\n\n{STEPS}")
    errors = [str(d) for d in result.diagnostics if d.level is Level.ERROR]
    assert errors == [
        f"seeds/s.md:4: error: no '## {heading}' section: it lists the steps of the exercise "
        "as a numbered list"
    ]


@pytest.mark.parametrize("lang", SHIPPED)
def test_every_listed_heading_opens_its_section(lang: str) -> None:
    names = vocabulary.vocabularies()[lang].names
    for kind in KNOWN:
        for name in names[kind]:
            body = f"## {name}\n1. x\n\n{STEPS}" if kind is SectionKind.EXECUTION else ""
            result = seed(lang, body or f"## Execution\n1. x\n\n## {name}\n- y\n\n{STEPS}")
            assert kind in kinds(result), (lang, name)
            assert SectionKind.OTHER not in kinds(result), (lang, name, messages(result))


def test_no_language_names_one_heading_for_two_sections() -> None:
    for lang, words in vocabulary.vocabularies().items():
        seen = [vocabulary.fold(name) for kind in KNOWN for name in words.names[kind]]
        assert len(seen) == len(set(seen)), lang


# --- variants, spelling, fallback ------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "heading", "kind"),
    [
        ("de", "Vorbereitung", SectionKind.SETUP),
        ("de", "Ausgangsposition", SectionKind.SETUP),
        ("de", "Ausgangsstellung", SectionKind.SETUP),
        ("de", "Ausführung", SectionKind.EXECUTION),
        ("de", "Durchführung", SectionKind.EXECUTION),
        ("de", "Tipps", SectionKind.TIPS),
        ("de", "Tipp", SectionKind.TIPS),
        ("de", "Hinweise", SectionKind.TIPS),
        ("de", "Fehler", SectionKind.MISTAKES),
        ("de", "Häufige Fehler", SectionKind.MISTAKES),
        ("de", "Typische Fehler", SectionKind.MISTAKES),
        ("de", "Die häufigsten Fehler", SectionKind.MISTAKES),
        ("ru", "Подготовка", SectionKind.SETUP),
        ("ru", "Исходное положение", SectionKind.SETUP),
        ("ru", "Выполнение", SectionKind.EXECUTION),
        ("ru", "Техника выполнения", SectionKind.EXECUTION),
        ("ru", "Советы", SectionKind.TIPS),
        ("ru", "Совет", SectionKind.TIPS),
        ("ru", "Частые ошибки", SectionKind.MISTAKES),
        ("ru", "Типичные ошибки", SectionKind.MISTAKES),
        ("ru", "Ошибки", SectionKind.MISTAKES),
        ("fr", "Erreur fréquente", None),  # a single mistake is not a heading anyone writes
        ("fr", "Erreurs fréquentes", SectionKind.MISTAKES),
        ("fr", "Astuce", SectionKind.TIPS),
        ("es", "Errores frecuentes", SectionKind.MISTAKES),
        ("pl", "Porady", SectionKind.TIPS),
        ("cs", "Jak na to", SectionKind.EXECUTION),
    ],
)
def test_variants(lang: str, heading: str, kind: SectionKind | None) -> None:
    assert vocabulary.section_kind(heading, lang) is kind


@pytest.mark.parametrize(
    ("lang", "written"),
    [
        ("de", "häufige   FEHLER :"),  # case, runs of spaces, a colon after a space
        ("de", "HÄUFIGE FEHLER:"),
        ("de", "Ha\u0308ufige Fehler"),  # the umlaut as a + combining diaeresis (macOS)
        ("ru", "ЧАСТЫЕ ОШИБКИ"),
        ("ru", "Распространенные ошибки"),  # е for ё, as most Russian text writes it
        ("ru", "Распространённые ошибки"),
        ("tr", "SIK YAPILAN HATALAR"),  # I is the capital of ı
        ("fr", "Erreurs à éviter :"),  # French puts a space before the colon
    ],
)
def test_case_spaces_colon_and_spelling_do_not_count(lang: str, written: str) -> None:
    result = seed(lang, f"## Execution\n1. x\n\n## {written}\n- y\n\n{STEPS}")
    assert messages(result) == []
    assert kinds(result) == [SectionKind.EXECUTION, SectionKind.MISTAKES]


@pytest.mark.parametrize("written", ["İpuçları", "İPUÇLARI", "ipuçları", "IPUÇLARI"])
def test_turkish_dotted_and_dotless_i_match_in_either_case(written: str) -> None:
    assert vocabulary.section_kind(written, "tr") is SectionKind.TIPS


def test_accents_count() -> None:
    assert vocabulary.section_kind("Ausfuhrung", "de") is None
    assert vocabulary.section_kind("Ausführung", "de") is SectionKind.EXECUTION


def test_a_regional_language_uses_its_languages_headings() -> None:
    result = seed("pt-BR", four("Posição inicial", "Execução", "Dicas", "Erros comuns"))
    assert messages(result) == []
    assert kinds(result) == KNOWN
    assert vocabulary.canonical(SectionKind.EXECUTION, "pt-BR") == "Execução"
    austrian = seed("de-AT", four("Vorbereitung", "Ausführung", "Tipps", "Häufige Fehler"))
    assert kinds(austrian) == KNOWN


def test_the_file_names_language_says_which_headings_a_seed_has() -> None:
    body = four("Vorbereitung", "Ausführung", "Tipps", "Häufige Fehler")
    result = seed(None, body, stem="kniebeuge.de")
    assert messages(result) == []
    assert kinds(result) == KNOWN


def test_a_language_without_headings_of_its_own_reads_english() -> None:
    result = seed("ja", four("Setup", "Execution", "Tips", "Common Mistakes"))
    # Only the note that its outputs' fixed words are English too (see test_labels.py).
    assert [d.level for d in result.diagnostics] == [Level.NOTE]
    assert "no labels ship for Japanese" in messages(result)[0]
    assert kinds(result) == KNOWN
    assert vocabulary.section_kind("Ausführung", "ja") is None


def test_english_headings_are_understood_in_a_german_seed() -> None:
    result = seed("de", four("Setup", "Ausführung", "Tips", "Common Mistakes"))
    assert messages(result) == []
    assert kinds(result) == KNOWN


def test_the_seeds_own_language_comes_before_english(monkeypatch: pytest.MonkeyPatch) -> None:
    # No shipped word means one section in English and another in a language, so the rule
    # is shown with a made-up language in which "Tips" are mistakes.
    made_up = vocabulary.Vocabulary(
        "xx",
        {kind: (f"xx-{kind.value}",) for kind in KNOWN} | {SectionKind.MISTAKES: ("Tips",)},
        {"tips": SectionKind.MISTAKES},
    )
    english = vocabulary.vocabularies()["en"]
    monkeypatch.setattr(vocabulary, "chain", lambda lang: (made_up, english))
    assert vocabulary.section_kind("TIPS", "xx") is SectionKind.MISTAKES


def test_a_german_word_in_german_is_suggested_before_an_english_one() -> None:
    assert vocabulary.suggest("Tip", "en") == ("Tips", SectionKind.TIPS)
    assert vocabulary.suggest("Tip", "de") == ("Tipp", SectionKind.TIPS)
    assert vocabulary.suggest("Excecution", "de") == ("Execution", SectionKind.EXECUTION)


# --- what the parser says --------------------------------------------------------------------


def test_a_misspelt_german_execution_is_one_error_naming_the_german_heading() -> None:
    result = seed("de", four("Vorbereitung", "Ausfuhrung", "Tipps", "Häufige Fehler"))
    assert not result.ok
    assert messages(result) == [
        "seeds/s.md:8: error: unknown section '## Ausfuhrung' (did you mean '## Ausführung'?): "
        "without it the seed has no '## Ausführung' section"
    ]


def test_a_misspelt_russian_heading_is_warned_about_with_the_russian_word() -> None:
    result = seed("ru", four("Подготовка", "Выполнение", "Советы", "Частые ошбки"))
    assert result.ok
    assert messages(result) == [
        "seeds/s.md:14: warning: unknown section '## Частые ошбки' is kept as it is "
        "(did you mean '## Частые ошибки'?)"
    ]
    mixed = seed("ru", four("Подготовка", "Выпoлнение", "Советы", "Ошибки"))  # Latin o
    assert messages(mixed) == [
        "seeds/s.md:8: error: unknown section '## Выпoлнение' (did you mean '## Выполнение'?): "
        "without it the seed has no '## Выполнение' section"
    ]


def test_an_unknown_heading_warns_and_lists_the_seeds_headings() -> None:
    result = seed("de", f"## Ausführung\n1. x\n\n## Aufwärmen\n- y\n\n{STEPS}")
    assert result.ok
    assert kinds(result) == [SectionKind.EXECUTION, SectionKind.OTHER]
    assert messages(result) == [
        "seeds/s.md:8: warning: unknown section '## Aufwärmen' is kept as it is; the known "
        "sections are Vorbereitung, Ausführung, Tipps and Häufige Fehler "
        "(or in English Setup, Execution, Tips and Common Mistakes)"
    ]


def test_an_english_seed_says_what_it_said() -> None:
    result = seed(None, f"## Execution\n1. x\n\n## Variations\n- y\n\n{STEPS}")
    assert messages(result) == [
        "seeds/s.md:7: warning: unknown section '## Variations' is kept as it is; the known "
        "sections are Setup, Execution, Tips and Common Mistakes"
    ]


def test_german_headings_in_a_seed_without_a_language_say_it_may_be_german() -> None:
    result = seed(None, four("Vorbereitung", "Ausführung", "Hinweise", "Startposition"))
    assert not result.ok
    assert messages(result) == [
        "seeds/s.md:3: error: no '## Execution' section: it lists the steps of the exercise "
        "as a numbered list",
        "seeds/s.md:4: warning: unknown section '## Vorbereitung' is kept as it is; the known "
        "sections are Setup, Execution, Tips and Common Mistakes; 'Vorbereitung' is German: "
        "if the seed is, write lang: de",
        "seeds/s.md:7: warning: unknown section '## Ausführung' is kept as it is; the known "
        "sections are Setup, Execution, Tips and Common Mistakes; 'Ausführung' is German: "
        "if the seed is, write lang: de",
        "seeds/s.md:10: warning: unknown section '## Hinweise' is kept as it is; the known "
        "sections are Setup, Execution, Tips and Common Mistakes; 'Hinweise' is German: "
        "if the seed is, write lang: de",
        "seeds/s.md:13: warning: unknown section '## Startposition' is kept as it is; the known "
        "sections are Setup, Execution, Tips and Common Mistakes; 'Startposition' is German, "
        "Swedish or Danish: if the seed is, write lang: de, sv or da",
    ]


def test_an_empty_execution_is_named_as_written_or_in_its_canonical_case() -> None:
    empty = f"\n\n{STEPS}"
    for heading, named in [
        ("ausführung:", "Ausführung"),
        ("Durchführung", "Durchführung"),
        ("EXECUTION", "Execution"),
    ]:
        result = seed("de", f"## {heading}{empty}")
        assert messages(result) == [
            f"seeds/s.md:5: error: '## {named}' has no steps: add a numbered list under it"
        ]


def test_one_section_under_two_spellings_is_an_error_naming_both() -> None:
    body = f"## Ausführung\n1. x\n\n## Execution\n1. y\n\n{STEPS}"
    assert messages(seed("de", body)) == [
        "seeds/s.md:8: error: '## Execution' appears twice: '## Ausführung' on line 5 is the "
        "same section"
    ]
    same = f"## Ausführung\n1. x\n\n## Tipps\n- y\n\n## tipps\n- z\n\n{STEPS}"
    assert [d.message for d in seed("de", same).diagnostics] == [
        "'## tipps' appears twice",
    ]


def test_order_and_list_kind_are_checked_for_native_headings() -> None:
    body = f"## Ausführung\n- x\n\n## Vorbereitung\n1. y\n\n{STEPS}"
    assert [d.message for d in seed("de", body).diagnostics] == [
        "'## Ausführung' is a numbered list (1. or 1)): its items are read in order",
        "'## Vorbereitung' should come before '## Ausführung'",
    ]


# --- the card fixtures, the export -----------------------------------------------------------

NATIVE_CARD_HEADINGS = {
    "de": ("Ausgangsposition", "Ausführung", "Tipps", "Häufige Fehler"),
    "ru": ("Исходное положение", "Выполнение", "Советы", "Частые ошибки"),
}


def in_native_headings(text: str, lang: str) -> str:
    english = ("Setup", "Execution", "Tips", "Common Mistakes")
    for old, new in zip(english, NATIVE_CARD_HEADINGS[lang], strict=True):
        text, count = re.subn(rf"(?m)^## {old}$", f"## {new}", text)
        assert count == 1
    return text


@pytest.mark.parametrize("lang", ["de", "ru"])
def test_a_card_fixture_reads_the_same_with_native_headings(lang: str) -> None:
    english = (CARDS / f"long-{lang}.md").read_text("utf-8")
    before = parse(english, f"long-{lang}")
    after = parse(in_native_headings(english, lang), f"long-{lang}")
    assert messages(after) == messages(before)
    assert before.exercise is not None and after.exercise is not None
    assert kinds(after) == kinds(before) == KNOWN
    assert [s.heading for s in after.exercise.sections] == list(NATIVE_CARD_HEADINGS[lang])
    assert [s.items for s in after.exercise.sections] == [s.items for s in before.exercise.sections]


def test_a_german_seed_with_german_headings_exports_its_sections(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    text = in_native_headings((CARDS / "long-de.md").read_text("utf-8"), "de")
    (seeds / "brustpresse.de.md").write_text(text, "utf-8")
    out = tmp_path / "out"
    report = engine.export([seeds], out, load_settings(ROOT), ("json", "sqlite"), jobs=1)
    assert report.errors == 0
    assert not [d for d in report.diagnostics if "section" in d.message]
    exported = json.loads((out / "json" / "de" / "brustpresse.json").read_text("utf-8"))
    assert [(s["kind"], s["heading"], len(s["items"])) for s in exported["sections"]] == [
        ("setup", "Ausgangsposition", 3),
        ("execution", "Ausführung", 11),
        ("tips", "Tipps", 4),
        ("mistakes", "Häufige Fehler", 4),
    ]
    with sqlite3.connect(out / "catalogue.sqlite") as catalogue:
        steps = catalogue.execute("SELECT section, count(*) FROM steps GROUP BY section")
        assert sorted(steps.fetchall()) == [("execution", 11), ("setup", 3)]
        assert catalogue.execute("SELECT count(*) FROM other_sections").fetchone() == (0,)
        notes = catalogue.execute("SELECT kind, count(*) FROM notes GROUP BY kind").fetchall()
        assert sorted(notes) == [("mistake", 4), ("tip", 4)]


def test_a_changed_vocabulary_reparses_every_seed(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = load_settings(ROOT)
    shipped = engine.parse_key(settings)
    assert engine.parse_key(settings) == shipped
    changed = b'[de]\ntips = ["Tipps", "Ratschl\xc3\xa4ge"]\n'
    resource = SimpleNamespace(read_bytes=lambda: changed)
    files = SimpleNamespace(joinpath=lambda name: resource)
    monkeypatch.setattr(engine, "resources", SimpleNamespace(files=lambda package: files))
    assert engine.parse_key(settings) != shipped


# --- the doc and the package -----------------------------------------------------------------

_BLOCK = re.compile(
    r"(<!-- headings: made from pipeline/i18n/headings.toml by tests/test_headings.py -->\n)"
    r"(.*?)(<!-- end of headings -->)",
    re.S,
)


def headings_table() -> str:
    """The Markdown table docs/seed-format.md lists every accepted heading in."""
    columns = vocabulary.canonical_names("en")
    lines = [
        "| language | " + " | ".join(columns) + " |",
        "|---" * (len(columns) + 1) + "|",
    ]
    for lang, words in vocabulary.vocabularies().items():
        cells = " | ".join(", ".join(words.names[kind]) for kind in KNOWN)
        lines.append(f"| `{lang}` {language_name(lang, 'en')} | {cells} |")
    return "\n".join(lines) + "\n"


def test_the_seed_format_lists_exactly_the_headings_there_are() -> None:
    match = _BLOCK.search(DOC.read_text("utf-8"))
    assert match is not None, "docs/seed-format.md lost its headings table markers"
    assert match.group(2) == headings_table(), "run: python -m tests.test_headings"


def test_the_vocabulary_ships_in_the_package() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["pipeline"]
    package = ROOT / "pipeline"
    data = [p for p in (package / "i18n").iterdir() if p.is_file() and p.suffix != ".py"]
    assert package / "i18n" / "headings.toml" in data
    for path in data:
        name = path.relative_to(package).as_posix()
        assert any(fnmatch.fnmatch(name, pattern) for pattern in patterns), name


def _rewrite_doc() -> None:
    text = DOC.read_text("utf-8")
    DOC.write_text(_BLOCK.sub(lambda m: m.group(1) + headings_table() + m.group(3), text), "utf-8")


if __name__ == "__main__":
    _rewrite_doc()
