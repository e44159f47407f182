"""Credit: the licence a seed's text is under, its author and its source, on the card's foot,
the page, in the JSON-LD and the catalogue."""

from __future__ import annotations

import io
import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pdfplumber
import pytest
from typer.testing import CliRunner

from pipeline.cards import render_card
from pipeline.cards.fonts import card_fonts
from pipeline.cards.render import footer_text
from pipeline.cli import app
from pipeline.config import Settings
from pipeline.credit import parse_license
from pipeline.engine import export
from pipeline.i18n.labels import labels_for
from pipeline.parser import parse_seed
from tests.conftest import exercise_of

SETTINGS = Settings(base_url="https://example.org/")
WGER = Path(__file__).parent / "fixtures" / "wger" / "translations.json"
CREDITED = (
    "license: CC BY-SA 4.0\nauthor: Jane Doe\nauthor_url: https://example.org/jane\n"
    "source_url: https://wger.de/en/exercise/117/view/leg-curls-lying"
)


@pytest.mark.parametrize(
    ("written", "spdx", "name", "url"),
    [
        ("CC-BY-SA-4.0", "CC-BY-SA-4.0", "CC BY-SA 4.0", "https://creativecommons.org/licenses/by-sa/4.0/"),
        ("cc by-sa 4.0", "CC-BY-SA-4.0", "CC BY-SA 4.0", "https://creativecommons.org/licenses/by-sa/4.0/"),
        ("CC-BY-3.0-DE", "CC-BY-3.0-DE", "CC BY 3.0 DE", "https://creativecommons.org/licenses/by/3.0/de/"),
        ("CC0-1.0", "CC0-1.0", "CC0 1.0", "https://creativecommons.org/publicdomain/zero/1.0/"),
        ("mit", "MIT", "MIT", "https://spdx.org/licenses/MIT.html"),
        ("Unlicense", "Unlicense", "Unlicense", "https://spdx.org/licenses/Unlicense.html"),
        ("https://creativecommons.org/licenses/by-nc-sa/3.0/deed.de", "CC-BY-NC-SA-3.0",
         "CC BY-NC-SA 3.0", "https://creativecommons.org/licenses/by-nc-sa/3.0/"),
        ("https://creativecommons.org/publicdomain/zero/1.0/legalcode", "CC0-1.0", "CC0 1.0",
         "https://creativecommons.org/publicdomain/zero/1.0/"),
        ("https://spdx.org/licenses/Apache-2.0.html", "Apache-2.0", "Apache-2.0",
         "https://spdx.org/licenses/Apache-2.0.html"),
        ("https://example.org/terms/", None, "example.org/terms", "https://example.org/terms/"),
    ],
)  # fmt: skip
def test_a_licence_is_read_as_people_write_it_and_shown_as_readers_know_it(
    written: str, spdx: str | None, name: str, url: str
) -> None:
    terms = parse_license(written)
    assert (terms.spdx, terms.name, terms.url) == (spdx, name, url)


def test_every_licence_wger_gives_its_exercises_is_read_as_its_spdx_id() -> None:
    records = json.loads(WGER.read_text("utf-8"))
    seen = {record["license"] for record in records}
    # The sample holds both of wger's share-alike versions.
    assert {"CC-BY-SA 3", "CC-BY-SA 4"} <= seen
    read = {name: parse_license(name).spdx for name in seen | {"CC0"}}
    assert read["CC-BY-SA 3"] == "CC-BY-SA-3.0"
    assert read["CC-BY-SA 4"] == "CC-BY-SA-4.0"
    assert read["CC0"] == "CC0-1.0"


@pytest.mark.parametrize(
    ("extra", "line", "message"),
    [
        ("license: CC-BY-SA", 3, "'CC-BY-SA' is not an SPDX licence id or an http(s) address; "
         "did you mean 'CC-BY-SA-4.0'"),
        ("license: public domain", 3, "for a public-domain text write CC0-1.0 or Unlicense"),
        ("author: Jane\nauthor_url: example.org/jane", 4, "is not an absolute http(s) URL"),
        ("source_url: 'https://wger.de/a b'", 3, "percent-encode it"),
        ("author: '  '", 3, "author: is empty"),
    ],
)  # fmt: skip
def test_a_wrong_credit_is_an_error_at_its_line(
    leg_curl: Callable[..., Path], extra: str, line: int, message: str
) -> None:
    result = parse_seed(leg_curl(extra))
    assert result.exercise is None
    errors = [d for d in result.diagnostics if d.level.value == "error"]
    assert errors and errors[0].line == line and message in errors[0].message, errors


def test_a_source_without_a_licence_is_a_warning_at_its_line(leg_curl: Callable[..., Path]) -> None:
    result = parse_seed(leg_curl("author: Jane Doe\nsource_url: https://wger.de/en/exercise/117"))
    assert result.exercise is not None
    (warning,) = [d for d in result.diagnostics if d.level.value == "warning"]
    assert warning.line == 4 and "source_url without a license" in warning.message


def test_the_card_the_page_the_json_ld_and_the_catalogue_give_the_credit(
    leg_curl: Callable[..., Path], tmp_path: Path
) -> None:
    path = leg_curl(CREDITED)
    out = tmp_path / "out"
    assert export([path.parent], out, SETTINGS, jobs=1).errors == 0
    with pdfplumber.open(out / "cards" / "leg-curl.pdf") as pdf:
        card = " ".join((pdf.pages[0].extract_text() or "").split())
    assert (
        "leg-curl \u00b7 By Jane Doe \u00b7 Licence: CC BY-SA 4.0 \u00b7 "
        "Based on wger.de/en/exercise/117/view/leg-curls-lying" in card
    )
    page = (out / "html" / "leg-curl" / "index.html").read_text("utf-8")
    assert '<a href="https://example.org/jane">Jane Doe</a>' in page
    assert (
        '<a rel="license" href="https://creativecommons.org/licenses/by-sa/4.0/">CC BY-SA 4.0</a>'
        in page
    )
    graph = json.loads((out / "jsonld" / "leg-curl.jsonld").read_text("utf-8"))["@graph"]
    howto = next(node for node in graph if node["@type"] == "HowTo")
    assert howto["author"] == {
        "@type": "Person",
        "name": "Jane Doe",
        "url": "https://example.org/jane",
    }
    assert howto["license"] == "https://creativecommons.org/licenses/by-sa/4.0/"
    assert howto["isBasedOn"] == "https://wger.de/en/exercise/117/view/leg-curls-lying"
    db = sqlite3.connect(out / "catalogue.sqlite")
    assert db.execute(
        "SELECT license, license_url, author, author_url, source_url FROM exercises"
    ).fetchall() == [
        (
            "CC-BY-SA-4.0",
            "https://creativecommons.org/licenses/by-sa/4.0/",
            "Jane Doe",
            "https://example.org/jane",
            "https://wger.de/en/exercise/117/view/leg-curls-lying",
        )
    ]
    db.close()
    validated = CliRunner().invoke(app, ["validate", str(out)])
    assert validated.exit_code == 0, validated.output


def test_german_and_russian_credits_say_it_in_their_words(leg_curl: Callable[..., Path]) -> None:
    german = exercise_of(leg_curl(CREDITED + "\nlang: de", name="beinbeuger.md"))
    text = footer_text(german, labels_for("de"), card_fonts().regular, 7.5, 1000)
    assert "Von Jane Doe \u00b7 Lizenz: CC BY-SA 4.0 \u00b7 Quelle: wger.de/" in text
    russian = exercise_of(leg_curl(CREDITED + "\nlang: ru", name="sgibanie.md"))
    text = footer_text(russian, labels_for("ru"), card_fonts().regular, 7.5, 1000)
    assert "Автор: Jane Doe \u00b7 Лицензия: CC BY-SA 4.0 \u00b7 Источник: wger.de/" in text


def test_a_credit_too_long_for_the_foot_shortens_its_source_then_its_end(
    leg_curl: Callable[..., Path],
) -> None:
    exercise = exercise_of(leg_curl(CREDITED))
    font, labels = card_fonts().regular, labels_for("en")
    whole = footer_text(exercise, labels, font, 7.5, 1000)
    assert whole.endswith("wger.de/en/exercise/117/view/leg-curls-lying")
    from reportlab.pdfbase.pdfmetrics import stringWidth

    width = stringWidth(whole, font, 7.5) - 20
    host = footer_text(exercise, labels, font, 7.5, width)
    assert host.endswith("Based on wger.de") and stringWidth(host, font, 7.5) <= width
    cut = footer_text(exercise, labels, font, 7.5, 120)
    assert cut.endswith("\u2026") and stringWidth(cut, font, 7.5) <= 120


def test_the_card_prints_the_credit_on_every_page(leg_curl: Callable[..., Path]) -> None:
    exercise = exercise_of(leg_curl(CREDITED))
    card = render_card(exercise, Settings(page_size="a5", log_cells=24))
    assert card.pages >= 2
    with pdfplumber.open(io.BytesIO(card.pdf)) as pdf:
        for page in pdf.pages:
            assert "By Jane Doe" in " ".join((page.extract_text() or "").split())


def test_show_lists_the_credit(leg_curl: Callable[..., Path], tmp_path: Path) -> None:
    path = leg_curl(CREDITED)
    out = tmp_path / "out"
    export([path.parent], out, SETTINGS, jobs=1)
    result = CliRunner().invoke(app, ["show", "leg-curl", "--db", str(out / "catalogue.sqlite")])
    assert result.exit_code == 0, result.output
    assert "Author: Jane Doe" in result.output and "Licence: CC-BY-SA-4.0" in result.output
