"""``pipeline validate`` and :mod:`pipeline.validation`: offline checks of anyone's JSON-LD."""

from __future__ import annotations

import copy
import json
import re
import shutil
from html import escape
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.config import Settings
from pipeline.engine import export
from pipeline.validation import (
    HOWTO_NOTE,
    Mode,
    UnreadableFileError,
    check_file,
    validate_document,
    validate_file,
    validate_html,
    vocabulary,
)
from tests.complexity import tangled

HOSTILE_SEED = Path(__file__).parent / "fixtures" / "jsonld" / "hostile-curl.md"
PAGE = "https://example.org/squat/"


def _howto(**extra: Any) -> dict[str, Any]:
    return {
        "@type": "HowTo",
        "@id": f"{PAGE}#howto",
        "name": "Squat",
        "step": [
            {
                "@type": "HowToStep",
                "name": "Stand",
                "text": "Stand tall.",
                "url": f"{PAGE}#step-1",
                "itemListElement": [{"@type": "HowToTip", "text": "Breathe in."}],
            }
        ],
        **extra,
    }


def _document(*nodes: dict[str, Any]) -> dict[str, Any]:
    return {"@context": "https://schema.org", "@graph": list(nodes or [_howto()])}


def _messages(document: object) -> list[str]:
    return [str(p) for p in validate_document(document)]


def test_a_minimal_howto_is_valid() -> None:
    assert _messages(_document()) == []


@pytest.fixture
def outputs(seeds_dir: Path) -> Path:
    """What `pipeline export` writes for the shipped and the hostile seed."""
    shutil.copy(HOSTILE_SEED, seeds_dir / HOSTILE_SEED.name)
    out = seeds_dir.parent / "outputs"
    export([seeds_dir], out, Settings(base_url="https://gym.example.com/"), ["jsonld", "html"])
    return out


def test_validate_accepts_every_generated_file(runner: CliRunner, outputs: Path) -> None:
    result = runner.invoke(app, ["validate", str(outputs)])
    assert result.exit_code == 0, result.output
    verdicts = [re.match(r"(.*): ok \(([^:]+):", line) for line in result.output.splitlines()]
    modes = {Path(m[1]).relative_to(outputs).as_posix(): m[2] for m in verdicts if m}
    # The folder is searched; its .pipeline/ state and the json/ models are not JSON-LD.
    assert modes == {
        "html/hostile-curl/index.html": "page",
        "html/index.html": "page",
        "html/leverage-machine-lying-leg-curl/index.html": "page",
        "jsonld/hostile-curl.jsonld": "JSON-LD document",
        "jsonld/hostile-curl.snippet.html": "snippet",
        "jsonld/leverage-machine-lying-leg-curl.jsonld": "JSON-LD document",
        "jsonld/leverage-machine-lying-leg-curl.snippet.html": "snippet",
        "html/sitemap.xml": "sitemap",
    }
    # The note that HowTo earns no Google rich result is said once, not once a file.
    assert result.output.endswith(f"\nnote: {HOWTO_NOTE}\n8 files validated: 0 problems\n")
    assert result.output.count(HOWTO_NOTE) == 1


SHIPPED = "leverage-machine-lying-leg-curl"
SHIPPED_PAGE = f"https://gym.example.com/{SHIPPED}/"


def test_a_snippet_is_validated_as_a_snippet_and_says_what_its_page_must_show(
    runner: CliRunner, outputs: Path
) -> None:
    snippet = outputs / "jsonld" / f"{SHIPPED}.snippet.html"
    result = runner.invoke(app, ["validate", str(snippet)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"{snippet}: ok (snippet: JSON-LD rules only; there is no page to compare it with)",
        f"{snippet}: note: the page it goes into must be {SHIPPED_PAGE} (its canonical URL), "
        "show as visible text the 20 names and texts it marks up (of the HowTo, 4 steps, "
        "6 tips and 1 tool) and carry the ids step-1, step-2, step-3, step-4; "
        "validate that page to check it",
        f"note: {HOWTO_NOTE}",
        "1 file validated: 0 problems",
    ]


def test_a_fragment_of_only_jsonld_scripts_is_a_snippet_whatever_its_name(tmp_path: Path) -> None:
    script = f'<script type="application/ld+json">{json.dumps(_document())}</script>'
    fragment = tmp_path / "paste-me.html"
    fragment.write_text(f"<!-- for the CMS -->\n{script}\n", "utf-8")
    report = check_file(fragment)
    assert report.mode is Mode.SNIPPET and report.problems == []
    assert report.contract is not None
    assert report.contract.texts == ("Squat", "Stand", "Stand tall.", "Breathe in.")
    assert report.contract.anchors == ("step-1",) and report.contract.pages == (PAGE,)
    # Anything a reader would see makes it a page, checked against what it shows.
    fragment.write_text(f"<p>Squat</p>{script}", "utf-8")
    report = check_file(fragment)
    assert report.mode is Mode.PAGE
    assert "name 'Stand' is not visible on the page" in str(report.problems[0])


def test_a_snippet_still_gets_every_jsonld_rule(runner: CliRunner, tmp_path: Path) -> None:
    snippet = tmp_path / "bad.snippet.html"
    document = _document(_howto(foo="x"))
    snippet.write_text(f'<script type="application/ld+json">{json.dumps(document)}</script>')
    result = runner.invoke(app, ["validate", str(snippet)])
    assert result.exit_code == 1
    assert result.output.splitlines()[:2] == [
        f"{snippet}: error: HowTo {PAGE}#howto: 'foo' is not a schema.org property",
        f"{snippet}: 1 problem (snippet: JSON-LD rules only; there is no page to compare it with)",
    ]


def test_a_host_page_that_meets_the_contract_validates_and_one_that_falls_short_does_not(
    outputs: Path,
) -> None:
    snippet = outputs / "jsonld" / f"{SHIPPED}.snippet.html"
    contract = check_file(snippet).contract
    assert contract is not None and contract.pages == (SHIPPED_PAGE,)

    def host(texts: tuple[str, ...], anchors: tuple[str, ...]) -> str:
        shown = "".join(f"<p>{escape(text)}</p>" for text in texts)
        ids = "".join(f'<span id="{anchor}"></span>' for anchor in anchors)
        return (
            f'<!DOCTYPE html><html><head><link rel="canonical" href="{contract.pages[0]}">'
            f"{snippet.read_text('utf-8')}</head><body>{shown}{ids}</body></html>"
        )

    assert validate_html(host(contract.texts, contract.anchors)) == []
    for n, text in enumerate(contract.texts):
        others = contract.texts[:n] + contract.texts[n + 1 :]
        if any(text.casefold() in other.casefold() for other in others):
            continue  # still shown, inside another text (the tool "machine" in the title)
        problems = validate_html(
            host(contract.texts[:n] + contract.texts[n + 1 :], contract.anchors)
        )
        assert problems and all("is not visible on the page" in str(p) for p in problems), text
    problems = validate_html(host(contract.texts, contract.anchors[1:]))
    assert [p.message for p in problems] == [
        f"url '{SHIPPED_PAGE}#step-1': the page has no #step-1 anchor"
    ]


def test_a_folder_with_nothing_to_validate_is_an_error(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("x")
    result = runner.invoke(app, ["validate", str(tmp_path)])
    assert result.exit_code == 1
    assert result.output == (
        f"{tmp_path}: error: no .jsonld or HTML file in this folder\n0 files validated: 1 problem\n"
    )


def test_validate_reports_path_error_per_problem_and_exits_1(
    runner: CliRunner, tmp_path: Path
) -> None:
    document = _document(_howto(foo="x", step=[]))
    path = tmp_path / "bad.jsonld"
    path.write_text(json.dumps(document), "utf-8")
    good = tmp_path / "good.jsonld"
    good.write_text(json.dumps(_document()), "utf-8")
    result = runner.invoke(app, ["validate", str(good), str(path)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines == [
        f"{good}: ok (JSON-LD document: JSON-LD rules)",
        f"{path}: error: HowTo {PAGE}#howto: 'foo' is not a schema.org property",
        f"{path}: error: HowTo {PAGE}#howto: Google requires at least one step",
        f"{path}: 2 problems (JSON-LD document: JSON-LD rules)",
        f"note: {HOWTO_NOTE}",
        "2 files validated: 2 problems",
    ]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"{", "not valid JSON"),
        (b"[1, 2]", "not a JSON-LD document"),
        (b'{"@type": "HowTo", "name": "x"}', 'no "@context"'),
        (b'{"@context": "https://example.org/ctx", "@type": "HowTo"}', "cannot be loaded offline"),
        (b'{"@context": "https://schema.org", "name": NaN}', "NaN is not JSON"),
    ],
)
def test_bad_files_are_problems_not_tracebacks(
    runner: CliRunner, tmp_path: Path, content: bytes, expected: str
) -> None:
    path = tmp_path / "x.jsonld"
    path.write_bytes(content)
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 1
    assert result.output.startswith(f"{path}: error: ") and expected in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_an_unreadable_file_is_a_typed_error(runner: CliRunner, tmp_path: Path) -> None:
    binary = tmp_path / "x.html"
    binary.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(UnreadableFileError):
        validate_file(binary)
    with pytest.raises(UnreadableFileError):
        validate_file(tmp_path / "missing.jsonld")
    result = runner.invoke(app, ["validate", str(tmp_path / "missing.jsonld"), str(binary)])
    assert result.exit_code == 1
    assert f"{tmp_path / 'missing.jsonld'}: error: cannot read" in result.output
    assert f"{binary}: error: cannot read" in result.output


def test_unknown_types_and_properties_are_reported() -> None:
    document = _document(_howto(**{"@type": "HowToo"}), {"@type": "Thing", "colour": "red"})
    messages = _messages(document)
    assert any("'HowToo' is not a schema.org type" in m for m in messages)
    assert any("'colour' is not a schema.org property" in m for m in messages)


def test_a_property_outside_its_domain_is_reported() -> None:
    messages = _messages(_document(_howto(uploadDate="2024-01-01")))
    assert messages == [
        f"HowTo {PAGE}#howto: 'uploadDate' is not a property of this type (only of MediaObject)"
    ]


def test_a_domain_is_admitted_through_superclasses() -> None:
    # HowToTip is a ListItem (position) and a CreativeWork (author, inLanguage): both inherit.
    tip = {"@type": "HowToTip", "text": "Go slow.", "position": 1, "inLanguage": "en"}
    howto = _howto()
    howto["step"][0]["itemListElement"] = [tip]
    assert _messages(_document(howto)) == []
    assert "HowTo" in vocabulary().ancestors["Recipe"]


def test_superseded_terms_are_reported() -> None:
    messages = _messages(_document(_howto(steps="Stand tall.")))
    assert messages == [f"HowTo {PAGE}#howto: 'steps' is superseded by 'step'"]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"@id": "howto"}, "'howto' is not an absolute URL"),
        ({"image": "images/squat.jpg"}, "image: 'images/squat.jpg' is not an absolute URL"),
    ],
)
def test_ids_and_urls_must_be_absolute(change: dict[str, str], expected: str) -> None:
    assert any(expected in m for m in _messages(_document(_howto(**change))))


def test_step_urls_must_be_absolute() -> None:
    howto = _howto()
    howto["step"][0]["url"] = "#step-1"
    assert any("url: '#step-1' is not an absolute URL" in m for m in _messages(_document(howto)))


def _without(path: list[Any]) -> dict[str, Any]:
    howto = _howto()
    node: Any = howto
    for key in path[:-1]:
        node = node[key]
    del node[path[-1]]
    return _document(howto)


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        (_without(["name"]), "Google requires a name"),
        (_document(_howto(step=[])), "Google requires at least one step"),
        (_without(["step", 0, "text"]), "HowToStep: Google requires text"),
        (_without(["step", 0, "itemListElement", 0, "text"]), "HowToTip: Google requires text"),
        (
            _document(_howto(step=[{"@type": "HowToSection", "itemListElement": []}])),
            "HowToSection: Google requires a name",
        ),
        (
            _document(_howto(step=[{"@type": "HowToTip", "text": "Loose."}])),
            "a HowTo step must be a HowToStep or HowToSection",
        ),
        (
            _document(_howto(), _howto(**{"@id": f"{PAGE}#other"})),
            "2 HowTo nodes: Google allows exactly one HowTo per page",
        ),
        (
            _document({"@type": "VideoObject", "name": "v", "uploadDate": "2024-01-01"}),
            "VideoObject: Google requires thumbnailUrl",
        ),
        (
            _document(
                {
                    "@type": "VideoObject",
                    "name": "v",
                    "thumbnailUrl": "https://i.ytimg.com/vi/x/hqdefault.jpg",
                    "uploadDate": "last week",
                }
            ),
            "uploadDate 'last week' is not an ISO 8601 date",
        ),
        (_document({"@type": "VideoObject", "name": "v"}), "Google requires uploadDate"),
    ],
)
def test_googles_howto_and_video_profile(document: dict[str, Any], expected: str) -> None:
    messages = _messages(document)
    assert any(expected in m for m in messages), messages


def _page(document: object, body: str) -> str:
    return (
        "<!DOCTYPE html><html><head><title>Squat</title>"
        f'<script type="application/ld+json">{json.dumps(document)}</script></head>'
        f"<body>{body}</body></html>"
    )


GOOD_BODY = '<h1>Squat</h1><ol><li id="step-1"><h3>Stand</h3><p>Stand tall.</p></li></ol>'
GOOD_BODY += "<p><strong>Tip</strong>: Breathe in.</p>"


def test_a_page_that_shows_its_markup_is_valid() -> None:
    assert validate_html(_page(_document(), GOOD_BODY)) == []


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (GOOD_BODY.replace("Stand tall.", "Stand up."), "text 'Stand tall.' is not visible"),
        (
            GOOD_BODY.replace("<p>Stand tall.</p>", "<p hidden>Stand tall.</p>"),
            "text 'Stand tall.' is not visible",
        ),
        (
            GOOD_BODY.replace("<p>Stand tall.</p>", "<template>Stand tall.</template>"),
            "text 'Stand tall.' is not visible",
        ),
        (
            GOOD_BODY.replace("<p>Stand tall.</p>", '<p style="display: none">Stand tall.</p>'),
            "text 'Stand tall.' is not visible",
        ),
        (GOOD_BODY.replace("Stand tall.", "Stand\n   <em>tall</em>."), None),
        (GOOD_BODY.replace('id="step-1"', 'id="first"'), "the page has no #step-1 anchor"),
        (GOOD_BODY.replace("Squat</h1>", "The Squat</h1>"), None),
    ],
)
def test_visible_content_parity(body: str, expected: str | None) -> None:
    messages = [str(p) for p in validate_html(_page(_document(), body))]
    if expected is None:
        assert messages == []
    else:
        assert any(expected in m for m in messages), messages


def test_text_only_in_the_title_or_a_script_is_not_visible() -> None:
    body = GOOD_BODY.replace("<h1>Squat</h1>", "")
    messages = [str(p) for p in validate_html(_page(_document(), body))]
    assert messages == [f"HowTo {PAGE}#howto: name 'Squat' is not visible on the page"]


def test_a_script_element_that_can_be_broken_out_of_is_reported() -> None:
    document = copy.deepcopy(_document())
    document["@graph"][0]["description"] = "<!-- x"
    page = _page(document, GOOD_BODY)
    messages = [str(p) for p in validate_html(page)]
    assert any("'<!--' inside the script element" in m for m in messages)
    broken = page.replace("<!-- x", "</script><p>x")
    assert any("not valid JSON" in str(p) for p in validate_html(broken))


def test_a_page_without_jsonld_is_reported() -> None:
    assert [str(p) for p in validate_html("<p>Squat</p>")] == [
        'no <script type="application/ld+json"> element'
    ]


def test_the_vocabulary_ships_with_its_licence() -> None:
    folder = resources.files("pipeline").joinpath("data", "schemaorg")
    notice = folder.joinpath("NOTICE.md").read_text("utf-8")
    assert "Creative Commons Attribution-ShareAlike" in notice
    assert vocabulary() is vocabulary()
    assert len(vocabulary().ancestors) > 800 and "HowToTip" in vocabulary().ancestors


def test_a_page_that_leaves_out_the_optional_head_end_tag_is_read() -> None:
    page = _page(_document(), GOOD_BODY).replace("</head>", "").replace("<body>", "<body >")
    assert "</head>" not in page
    assert validate_html(page) == []


def test_googles_rules_report_the_howto_first_then_each_node_once_per_rule() -> None:
    # One checker per @type: a node of two types that share a rule hears it once, and the
    # report reads in a fixed order whatever order the nodes are written in.
    page = "https://gym.example.com/push-up/"
    graph = [
        {"@type": ["HowToTip", "HowToDirection"], "@id": page + "#both"},
        {
            "@type": "VideoObject",
            "@id": page + "#video",
            "name": "v",
            "thumbnailUrl": page + "t.jpg",
            "uploadDate": "soon",
        },
        {"@type": "HowTo", "@id": page + "#howto", "step": [{"@id": page + "#both"}]},
    ]
    expected = [
        f"HowTo {page}#howto: Google requires a name",
        f"HowToTip/HowToDirection {page}#both: a HowTo step must be a HowToStep or HowToSection "
        "(a tip or direction belongs in a step's itemListElement)",
        f"HowToTip/HowToDirection {page}#both: Google requires text",
        f"VideoObject {page}#video: uploadDate 'soon' is not an ISO 8601 date",
    ]
    for nodes in (graph, graph[::-1]):
        document = {"@context": "https://schema.org", "@graph": nodes}
        assert [str(p) for p in validate_document(document)] == expected


def test_no_check_is_too_tangled_to_read_at_once() -> None:
    assert tangled("validation.py") == []
