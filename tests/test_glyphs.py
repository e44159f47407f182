"""Glyphs on the cards: a character the card font cannot draw is a warning at its seed line,
in ``export`` and ``check``; an emoji is left off the card, a letter of a script the font
lacks prints as a box; the scripts the cards promise print as written."""

# ruff: noqa: RUF001 (the seeds here are Greek and Cyrillic text, look-alike letters and all)

from __future__ import annotations

import io
import json
import re
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path

import pdfplumber
import pytest
from pypdf import PdfReader
from reportlab.pdfbase import pdfmetrics
from typer.testing import CliRunner

import pipeline.cards
from pipeline.cards import glyph_warnings, render_card
from pipeline.cards.fonts import FAMILY
from pipeline.cards.glyphs import (
    SCRIPTS,
    Kind,
    covered,
    kind,
    printed,
    printed_texts,
    printed_upper,
)
from pipeline.cli import app
from pipeline.config import Settings
from pipeline.diagnostics import Level
from pipeline.engine import export
from pipeline.exporters.cards import CardsExporter
from tests.conftest import ROOT, exercise_of, line_of
from tests.test_cli import _modules_loaded_by

WriteSeed = Callable[[str, str | bytes], Path]
HOWTO = "\n<!-- howto -->\n\n### Do It\nDo the exercise with control.\n"
FACES = (FAMILY.regular, FAMILY.bold, FAMILY.italic, FAMILY.bold_italic)

TROUBLE = (
    "---\n"
    'title: "Squat 深蹲"\n'
    'description: "A squat for everyone."\n'
    "equipment:\n"
    "  - barbell\n"
    "  - barbell\n"
    "  - रैक\n"
    "---\n\n"
    "## Setup\n"
    "1. **Stand tall**: Feet shoulder-width apart 💪 and brace.\n"
    "2. Grip the bar.\n\n"
    "## Execution\n"
    "1. Lower until your thighs are parallel.\n" + HOWTO
)


def _warnings(seed: Path) -> list[tuple[int, str]]:
    return [(s.line, m) for s, m in CardsExporter(Settings()).check_exercise(exercise_of(seed))]


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


BOX = "\x00"
"""What a box reads as in a card's text: reportlab draws a character its face lacks with code
0, the font's empty box (.notdef)."""


def test_cjk_devanagari_and_an_emoji_are_named_at_their_lines(write_seed: WriteSeed) -> None:
    seed = write_seed("squat.md", TROUBLE)
    assert _warnings(seed) == [
        (
            2,
            "the card font cannot draw '深' (U+6DF1 CJK UNIFIED IDEOGRAPH-6DF1) and '蹲' "
            "(U+8E72 CJK UNIFIED IDEOGRAPH-8E72); they print as empty boxes on the card: the "
            f"cards print {SCRIPTS} letters, so write them with those or leave them out",
        ),
        (
            # The item the model keeps second is the third in the file: the repeat is left out.
            7,
            "the card font cannot draw 'र' (U+0930 DEVANAGARI LETTER RA), '◌ै' (U+0948 "
            "DEVANAGARI VOWEL SIGN AI) and 'क' (U+0915 DEVANAGARI LETTER KA); they print as "
            f"empty boxes on the card: the cards print {SCRIPTS} letters, so write them with "
            "those or leave them out",
        ),
        (
            line_of(TROUBLE, "1. **Stand"),
            "the card font cannot draw '💪' (U+1F4AA FLEXED BICEPS); it is left off the card "
            "(an empty box there would look like a misprint): say in words what it means, if "
            "it matters",
        ),
    ]


def test_the_warnings_are_in_export_and_check_and_repeated_by_a_run_with_nothing_to_do(
    write_seed: WriteSeed, tmp_path: Path, runner: CliRunner
) -> None:
    seed = write_seed("squat.md", TROUBLE)
    expected = [
        f"{seed.as_posix()}:2: warning: the card font cannot draw '深'",
        f"{seed.as_posix()}:7: warning: the card font cannot draw 'र'",
        f"{seed.as_posix()}:11: warning: the card font cannot draw '💪'",
    ]

    def said(output: str) -> list[str]:
        return [line.split(" (U+")[0] for line in output.splitlines() if "card font" in line]

    checked = runner.invoke(app, ["check", str(seed.parent)])
    assert checked.exit_code == 0, checked.output
    assert said(checked.output) == expected
    assert "1 seed checked: 0 errors, 4 warnings" in checked.output  # and the repeat
    assert runner.invoke(app, ["check", "--strict", str(seed.parent)]).exit_code == 1

    out = tmp_path / "out"
    for run in ("first", "nothing to do"):
        exported = runner.invoke(app, ["export", str(seed.parent), "-o", str(out), "-f", "pdf"])
        assert exported.exit_code == 0, (run, exported.output)
        assert said(exported.output) == expected, run
    assert "0 files written" in exported.output


def test_an_export_reports_each_warning_once_with_its_line(
    write_seed: WriteSeed, tmp_path: Path
) -> None:
    seed = write_seed("squat.md", TROUBLE)
    for _ in range(2):
        report = export([seed], tmp_path / "out", Settings(), ["pdf"])
        glyphs = [(d.line, d.level) for d in report.diagnostics if "card font" in d.message]
        assert glyphs == [(2, Level.WARNING), (7, Level.WARNING), (11, Level.WARNING)]


def test_many_characters_on_one_line_are_one_warning_naming_a_few(
    write_seed: WriteSeed,
) -> None:
    text = TROUBLE.replace("2. Grip the bar.", "2. Grip 漢字漢字語文化 the bar 漢.\n3. Then 漢.")
    warnings = _warnings(write_seed("many.md", text))
    line = line_of(text, "2. Grip")
    assert [n for n, _ in warnings] == [2, 7, line - 1, line, line + 1]
    many = warnings[3][1]
    assert many.startswith(
        "the card font cannot draw '漢' (U+6F22 CJK UNIFIED IDEOGRAPH-6F22), '字' (U+5B57 "
        "CJK UNIFIED IDEOGRAPH-5B57), '語' (U+8A9E CJK UNIFIED IDEOGRAPH-8A9E) and 2 more; "
        "they print as empty boxes"
    )
    assert "'漢' (U+6F22" in warnings[4][1]  # the same character on another line: said there


def test_a_line_with_a_box_and_a_symbol_is_one_warning_saying_what_happens_to_each(
    write_seed: WriteSeed,
) -> None:
    text = TROUBLE.replace("2. Grip the bar.", "2. Grip 漢 the bar ✅ 🏋️‍♀️: שלום.")
    line = line_of(text, "2. Grip")
    on_line = [m for n, m in _warnings(write_seed("both.md", text)) if n == line]
    assert on_line == [
        "the card font cannot draw '漢' (U+6F22 CJK UNIFIED IDEOGRAPH-6F22), which prints as "
        f"an empty box (the cards print {SCRIPTS} letters: write it with those or leave it "
        "out), nor '✅' (U+2705 WHITE HEAVY CHECK MARK) and '🏋' (U+1F3CB WEIGHT LIFTER), "
        "which are left off the card (say in words what they mean, if it matters); and the "
        "Hebrew text on this line is written right to left, but a card sets every line left "
        f"to right: it prints backwards; the cards print {SCRIPTS}"
    ]


SAMPLES = {
    "German": "Kniebeuge für Anfänger: Füße schulterbreit, Rücken gerade, Gesäß nach hinten",
    "Czech": "Příliš žluťoučký kůň úpěl ďábelské ódy, dřep s činkou na zádech",
    "Polish": "Zażółć gęślą jaźń, przysiad ze sztangą, stopy na szerokość bioder",
    "Turkish": "Pijamalı hasta yağız şoföre çabucak güvendi, İleri çömelme ve ağırlık",
    "Greek": "Ξεσκεπάζω την ψυχοφθόρα βδελυγμία, καθίσματα με μπάρα στους ώμους",
    "Russian": "Съешь же ещё этих мягких французских булок, да выпей чаю: присед",
    "Ukrainian": "Чуєш їх, доцю, га? Кумедна ж ти, прощайся без ґольфів! Присідання",
    "Armenian": "Կքանիստ ծանրաձողով, ոտքերը ուսերի լայնությամբ, մեջքը ուղիղ և ամուր",
    "Georgian": "ჩაჯდომა შტანგით, ფეხები მხრების სიგანეზე, ზურგი სწორი",
    "Vietnamese": "Tiếng Việt: ngồi xổm với tạ đòn, lưng thẳng, đầu gối hướng ra ngoài",
}


@pytest.mark.parametrize("language", SAMPLES)
def test_the_scripts_the_cards_promise_print_as_written_in_every_face(
    language: str, write_seed: WriteSeed
) -> None:
    sample = SAMPLES[language]
    words = sample.split()
    seed = write_seed(
        "sample.md",
        "---\n"
        f'title: "{sample}"\n'
        f'description: "{sample}"\n'
        f"muscles: [{words[0].strip(',:')}]\n"
        "---\n\n"
        "## Execution\n"
        f"1. **{words[1]}**: {sample}, *{words[2]}* **{words[3]}**.\n\n"
        f"## {words[0].strip(',:')} {words[-1]}\n- {sample}\n\n"
        f"**{words[4]}** {sample}\n" + HOWTO,
    )
    exercise = exercise_of(seed)
    assert glyph_warnings(exercise) == []
    card = render_card(exercise, Settings())
    assert card.warnings == []
    text = _text(card.pdf)
    assert sample in text
    assert BOX not in text


def test_the_scripts_named_are_whole_in_every_face() -> None:
    assert SCRIPTS == "Latin, Greek, Cyrillic, Armenian and Georgian"
    alphabets = {
        "Latin": [
            *range(0x41, 0x5B),
            *range(0x61, 0x7B),
            *range(0xC0, 0x250),
            *range(0x1E00, 0x1EFA),
        ],
        "Greek": [*range(0x386, 0x3CF), *range(0x1F00, 0x2000)],
        "Cyrillic": [*range(0x400, 0x500)],
        "Armenian": [*range(0x531, 0x557), *range(0x561, 0x588)],
        "Georgian": [*range(0x10D0, 0x10FB)],
    }
    for script, codes in alphabets.items():
        letters = {chr(c) for c in codes if unicodedata.category(chr(c)).startswith("L")}
        assert len(letters) > 30, script
        for face in FACES:
            assert letters <= covered(face), (script, face, sorted(letters - covered(face)))
    # What lets an ASCII seed be checked without reading a font.
    ascii_printable = {chr(c) for c in range(0x20, 0x7F)}
    assert all(ascii_printable <= covered(face) for face in FACES)


def test_each_text_is_checked_in_the_face_it_is_set_in(write_seed: WriteSeed) -> None:
    # DejaVu Sans has Arabic letters upright, not oblique: in the description they print,
    # but backwards; in the closing note, in italics, they are boxes.
    arabic = "تمرين القرفصاء"
    text = TROUBLE.replace("A squat for everyone.", arabic).replace(
        "parallel.\n", f"parallel.\n\nKeep going, {arabic}.\n"
    )
    warnings = _warnings(write_seed("arabic.md", text))
    assert warnings[1] == (
        3,
        "the Arabic text on this line is written right to left, but a card sets every line "
        f"left to right: it prints backwards, its letters unjoined; the cards print {SCRIPTS}",
    )
    line, message = warnings[-1]
    assert line == line_of(text, "Keep going")
    assert message.startswith("the card font cannot draw 'ت' (U+062A ARABIC LETTER TEH), 'م'")
    assert "they print as empty boxes" in message
    assert kind("ت", FAMILY.regular) is Kind.BACKWARDS
    assert kind("ت", FAMILY.italic) is Kind.BOX


def test_armenian_georgian_and_devanagari_characters_the_font_lacks_are_warned_at_their_lines(
    write_seed: WriteSeed,
) -> None:
    # The Armenian and Georgian alphabets are in the font (the samples above print); what is
    # not is warned about: Georgian capitals (Mtavruli), the Armenian dram sign, and
    # Devanagari, which the font has none of.
    text = (
        "---\n"
        'title: "Կքանիստ ծանրաձողով"\n'
        'description: "Ծանրաձողը 5000 ֏ արժե."\n'
        "---\n\n"
        "## Execution\n"
        "1. ᲩᲐᲯᲓᲝᲛᲐ: ჩაჯდომა შტანგით.\n"
        "2. स्क्वाट करें, ფეხები მხრების სიგანეზე.\n"
        "3. Կքանիստ, ზურგი სწორი.\n" + HOWTO
    )
    seed = write_seed("scripts.md", text)
    exercise = exercise_of(seed)
    assert [(s.line, m) for s, m in glyph_warnings(exercise)] == [
        (
            3,
            "the card font cannot draw '֏' (U+058F ARMENIAN DRAM SIGN); it prints as an empty "
            f"box on the card: the cards print {SCRIPTS} letters, so write it with those or "
            "leave it out",
        ),
        (
            line_of(text, "1. "),
            "the card font cannot draw 'Ჩ' (U+1CA9 GEORGIAN MTAVRULI CAPITAL LETTER CHIN), 'Ა' "
            "(U+1C90 GEORGIAN MTAVRULI CAPITAL LETTER AN), 'Ჯ' (U+1CAF GEORGIAN MTAVRULI "
            "CAPITAL LETTER JHAN) and 3 more; they print as empty boxes on the card: the cards "
            f"print {SCRIPTS} letters, so write them with those or leave them out",
        ),
        (
            line_of(text, "2. "),
            "the card font cannot draw 'स' (U+0938 DEVANAGARI LETTER SA), '◌्' (U+094D "
            "DEVANAGARI SIGN VIRAMA), 'क' (U+0915 DEVANAGARI LETTER KA) and 6 more; they print "
            f"as empty boxes on the card: the cards print {SCRIPTS} letters, so write them with "
            "those or leave them out",
        ),
    ]
    printed_text = _text(render_card(exercise, Settings()).pdf)
    for written in ("Կքանիստ ծանրաձողով", "ჩაჯდომა შტანგით", "Կքանիստ, ზურგი სწორი."):
        assert written in printed_text
    assert printed_text.count(BOX) == 1 + 7 + 11


def test_hebrew_is_warned_about_as_printing_backwards(write_seed: WriteSeed) -> None:
    text = TROUBLE.replace("2. Grip the bar.", "2. Grip the bar: שלום.")
    warnings = _warnings(write_seed("hebrew.md", text))
    assert (
        line_of(text, "2. Grip"),
        "the Hebrew text on this line is written right to left, "
        "but a card sets every line left to right: it prints backwards; the cards print "
        f"{SCRIPTS}",
    ) in warnings


def test_an_emoji_is_left_off_the_card_and_a_letter_the_font_lacks_prints_as_a_box(
    write_seed: WriteSeed,
) -> None:
    text = (
        TROUBLE.replace("Squat 深蹲", "Squat 💪 深蹲")
        .replace("2. Grip the bar.", "2. ✅ Grip the bar 🏋️‍♀️ with 1️⃣ hand 👍🏽.")
        .replace("- रैक", "- rack 🇩🇪")
    )
    card = render_card(exercise_of(write_seed("emoji.md", text)), Settings())
    printed_text = _text(card.pdf)
    assert "Stand tall: Feet shoulder-width apart and brace." in printed_text
    assert "Grip the bar with 1 hand." in printed_text
    assert "rack" in printed_text
    for gone in "💪✅🏋♀👍🏽🇩🇪\u20e3":
        assert gone not in printed_text
    # The letters stay, each as the font's box; nothing else is a box.
    assert f"Squat {BOX}{BOX} barbell" in printed_text
    assert printed_text.count(BOX) == 2


def test_what_a_card_prints_in_place_of_what_its_face_cannot_draw() -> None:
    regular = FAMILY.regular
    assert printed("Squat 💪 now", regular) == "Squat now"
    assert printed("💪 Keep going", regular) == " Keep going"
    assert printed("Stand ✅:", regular) == "Stand:"
    assert printed("Push 💪hard", regular) == "Push hard"
    assert printed("One 1️⃣ hand", regular) == "One 1 hand"
    assert printed("Love ❤️ it", regular) == "Love ❤ it"  # DejaVu Sans has the heart
    assert printed("Smile 😀", regular) == "Smile 😀"  # DejaVu Sans draws this one
    assert printed("a\u3000b", regular) == "a b"  # a space the font lacks: an ordinary one
    assert printed("a\u2066b\u2069", regular) == "ab"  # invisible, and left out silently
    assert printed("漢字", regular) == "漢字"  # kept: a box shows where text is missing
    assert kind("\u2066", regular) is Kind.INVISIBLE


def test_headings_are_capitals_only_where_the_face_has_them() -> None:
    bold = FAMILY.bold
    assert printed_upper("Common Mistakes", bold) == "COMMON MISTAKES"
    assert printed_upper("Straße", bold) == "STRASSE"
    assert printed_upper("Ошибки", bold) == "ОШИБКИ"
    # Georgian capitals (Mtavruli, U+1C90...) are not in DejaVu Sans: the letters stay.
    assert "ვარჯიში".upper() != "ვარჯიში"
    assert printed_upper("ვარჯიში", bold) == "ვარჯიში"
    assert printed_upper("Tips ვარჯიში", bold) == "TIPS ვარჯიში"


def test_every_character_the_card_draws_is_checked_in_the_face_it_is_drawn_in(
    write_seed: WriteSeed,
) -> None:
    # One character beyond ASCII in each place, so a check in the wrong face would show.
    seed = write_seed(
        "places.md",
        "---\n"
        'title: "Title ā"\n'
        'description: "Description ē"\n'
        "equipment: [equipment ī]\n"
        "muscles: [muscle ō]\n"
        "---\n\n"
        "## Execution\n"
        "1. **Label ū**: text ǎ *emphasis ě* **strong ǐ** ***both ǒ***.\n"
        "2. plain ǔ\n\n"
        "## Other ŷ\n- other ŵ\n\n"
        "Outro ŝ **outro strong ĝ**.\n" + HOWTO,
    )
    exercise = exercise_of(seed)
    card = render_card(exercise, Settings())
    with pdfplumber.open(io.BytesIO(card.pdf)) as pdf:
        drawn = {
            (c["text"], re.sub("^[A-Z]+[+]", "", c["fontname"]))
            for c in pdf.pages[0].chars
            if not c["text"].isascii()
        }
    base = {name: pdfmetrics.getFont(name).face.name.decode() for name in FACES}
    checked = set()
    for t in printed_texts(exercise):
        font = FAMILY.face(bold=t.bold, italic=t.italic)
        text = printed_upper(t.text, font) if t.upper else t.text
        checked |= {(c, base[font]) for c in text if not c.isascii()}
    assert len(drawn) >= 14
    assert drawn <= checked


def test_frontmatter_values_know_their_lines(write_seed: WriteSeed) -> None:
    exercise = exercise_of(
        write_seed("lines.md", TROUBLE.replace("---\n\n", "muscles: [a, b]\n---\n\n", 1))
    )
    assert exercise.source_of("title").line == 2
    assert exercise.source_of("description").line == 3
    assert [exercise.source_of("equipment", i).line for i in range(2)] == [5, 7]
    assert exercise.source_of("equipment").line == 4
    assert [exercise.source_of("muscles", i).line for i in range(2)] == [8, 8]
    assert exercise.source_of("image").line == 1  # not given
    # In the model's JSON (json/<slug>.json, and an entry kept between runs), as `source` is.
    dumped = json.loads(exercise.model_dump_json())["frontmatter_lines"]
    assert dumped["equipment"] == {"line": 4, "items": [5, 7]}


def test_a_check_of_seeds_in_ascii_reads_no_font(seeds_dir: Path, tmp_path: Path) -> None:
    modules = _modules_loaded_by(["check", str(seeds_dir)], tmp_path / "ascii.json")
    assert "pipeline.cards.glyphs" in modules
    assert not [m for m in modules if m.startswith("reportlab")]
    russian = seeds_dir / "plank.ru.md"
    russian.write_text(
        '---\ntitle: "Планка"\ndescription: "Держите прямую линию."\n---\n\n'
        "## Execution\n1. Держите.\n" + HOWTO,
        "utf-8",
    )
    modules = _modules_loaded_by(["check", str(seeds_dir)], tmp_path / "russian.json")
    # The font files, not the page layout.
    assert "reportlab.pdfbase.ttfonts" in modules
    assert "reportlab.platypus" not in modules and "pipeline.cards.render" not in modules


def test_the_check_costs_a_card_little(write_seed: WriteSeed) -> None:
    exercise = exercise_of(
        write_seed("ru.md", (ROOT / "tests/fixtures/cards/long-ru.md").read_text("utf-8"))
    )
    glyph_warnings(exercise)  # the faces are read once per process
    started = time.perf_counter()
    for _ in range(100):
        assert glyph_warnings(exercise) == []
    assert (time.perf_counter() - started) / 100 < 0.002  # about 0.1 ms a long Russian card


def test_the_package_names_each_come_from_their_module() -> None:
    assert sorted(pipeline.cards._MODULES) == sorted(pipeline.cards.__all__)
    for name in pipeline.cards.__all__:
        value = getattr(pipeline.cards, name)
        assert value.__module__ == f"pipeline.cards.{pipeline.cards._MODULES[name]}" or name in (
            "PlainArtefact",
        )


GERMAN = (
    "---\n"
    "lang: de\n"
    'description: "Eine Kniebeuge für alle."\n'
    "---\n\n"
    "## Ausführung\n"
    "1. Beuge die Knie, bis die Oberschenkel waagerecht sind.\n\n"
    "## Tipps\n"
    "- Halte den Rücken gerade.\n" + HOWTO
)


def test_every_shipped_label_a_card_draws_prints_as_written() -> None:
    from pipeline.cards.glyphs import label_warnings
    from pipeline.i18n import SHIPPED
    from pipeline.i18n.labels import shipped

    assert label_warnings({tag: shipped(tag) for tag in SHIPPED}) == []


def test_a_label_of_your_own_the_cards_cannot_print_is_a_warning_at_the_setting(
    write_seed: WriteSeed, runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed = write_seed("kniebeuge.md", GERMAN)
    (tmp_path / "pipeline.toml").write_text(
        '[labels.de]\ntips = "Trainer-Tipp 💪"\nsetup = "Vorbereitung 准备"\n'
        '[labels.en]\ntips = "Coach’s tips"\nexercises = "Übungen 💪"\n',
        "utf-8",
    )
    monkeypatch.chdir(tmp_path)
    checked = runner.invoke(app, ["check", str(seed.parent)])
    assert checked.exit_code == 0, checked.output
    said = [line for line in checked.output.splitlines() if ": warning:" in line]
    # Once a run, at the file that gives them; only labels a card draws (not the pages').
    assert said == [
        "pipeline.toml: warning: pdf: labels: de.setup 'Vorbereitung 准备': the card font "
        "cannot draw '准' (U+51C6 CJK UNIFIED IDEOGRAPH-51C6) and '备' (U+5907 CJK UNIFIED "
        "IDEOGRAPH-5907); they print as empty boxes on the card: the cards print "
        f"{SCRIPTS} letters, so write them with those or leave them out",
        "pipeline.toml: warning: pdf: labels: de.tips 'Trainer-Tipp 💪': the card font cannot "
        "draw '💪' (U+1F4AA FLEXED BICEPS); it is left off the card (an empty box there would "
        "look like a misprint): say in words what it means, if it matters",
    ]
    assert runner.invoke(app, ["check", "--strict", str(seed.parent)]).exit_code == 1

    out = ["-o", str(tmp_path / "out"), "--base-url", "https://gym.example.com/"]
    exported = runner.invoke(app, ["export", str(seed.parent), *out])
    assert exported.output.count("warning: pdf: labels:") == 2, exported.output
    pages_only = runner.invoke(app, ["export", str(seed.parent), *out, "-f", "html"])
    assert "labels:" not in pages_only.output

    card = render_card(exercise_of(seed), Settings(labels={"de": {"tips": "Trainer-Tipp 💪"}}))
    assert "TRAINER-TIPP Halte" in _text(card.pdf)
