"""Hostile seed text: markup, SQL, path tricks and YAML object tags. Seed text is data in every
format: it never becomes an element, a reportlab tag, SQL, a path or a Python object."""

from __future__ import annotations

import html.parser
import json
import re
import sqlite3
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fuzz.checks import (
    SHIPPED,
    SHIPPED_SLUG,
    assert_catalogue,
    files_under,
    outputs_of,
    pdf_text,
    run_check,
    run_export,
)
from fuzz.seeds import SeedItem, SeedSpec, yaml_quoted
from pipeline.catalogue import (
    CATALOGUE_FILE,
    REQUIRED_TABLES,
    Catalogue,
    ExerciseNotFoundError,
)
from pipeline.diagnostics import Level
from pipeline.pages.finder import FINDER_SCRIPT
from pipeline.pages.render import LINKS_SCRIPT, PLAYER_SCRIPT
from pipeline.parser import parse_seed_bytes
from tests.conftest import copy_pictures

HTML_PAYLOADS = {
    "script": "<script>alert(1)</script>",
    "script-close": "</script><script>alert(2)</script>",
    "comment": "<!-- <script>",
    "attribute": "\"'><img src=x onerror=alert(3)>",
    "ampersand": "Tom & Jerry &amp; &lt;b&gt; &#60;",
    "line-separator": "one\u2028two\u2029three",
}
REPORTLAB_PAYLOADS = {
    "bold": "<b>bold</b>",
    "font": '<font size=90 color="red">big</font>',
    "para": "</para><para>",
    "entity": "&amp; &lt; &#169;",
    "break": "a<br/>b",
    "image": '<img src="/etc/passwd"/>',
}
SQL_PAYLOAD = "Robert'); DROP TABLE exercises;-- \"quoted\" 100% a_b '' ; --"


def hostile_seed(payload: str) -> SeedSpec:
    """A seed with ``payload`` in every text field, each copy tagged with the field's number
    (``F1 <payload>``) so a test can tell which field an output shows."""
    counter = iter(range(1, 1000))

    def text() -> str:
        return f"F{next(counter)} {payload} end"

    def items() -> list[SeedItem]:
        return [SeedItem(text(), text(), 0), SeedItem(None, text(), 0)]

    return SeedSpec(
        stem="hostile",
        description=text(),
        title=text(),
        category=text(),
        lists={"equipment": [text()], "muscles": [text()], "aliases": [text()]},
        sections={
            "Setup": items(),
            "Execution": items(),
            "Tips": items(),
            "Common Mistakes": items(),
        },
        outro=[text()],
        howto=[(text(), [text()]), (text(), [text(), text()])],
    )


def export_seed(tmp_path: Path, spec: SeedSpec) -> Path:
    """Check and export ``spec`` beside the shipped seed; the output folder."""
    seeds = tmp_path / "seeds"
    seeds.mkdir(parents=True)
    (seeds / f"{spec.stem}.md").write_text(spec.text(), "utf-8")
    (seeds / SHIPPED.name).write_bytes(SHIPPED.read_bytes())
    copy_pictures(seeds)
    code, lines = run_check(seeds)
    assert code == 0, lines
    out = tmp_path / "out"
    report = run_export(seeds, out)
    assert report.errors == 0, report.diagnostics
    return out


class _Structure(html.parser.HTMLParser):
    """Every element and attribute name of a page, in order, and the text of its scripts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.shape: list[tuple[str, tuple[str, ...]]] = []
        self.scripts: list[str] = []
        """The JSON-LD scripts."""
        self.programs: list[str] = []
        """The other scripts: the template's own (the player, the finder)."""
        self.comments: list[str] = []
        self._in: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.shape.append((tag, tuple(name for name, _ in attrs)))
        self._in = None
        if tag == "script":
            jsonld = ("type", "application/ld+json") in attrs
            self._in = self.scripts if jsonld else self.programs
            self._in.append("")

    def handle_endtag(self, tag: str) -> None:
        self.shape.append((f"/{tag}", ()))
        self._in = None

    def handle_data(self, data: str) -> None:
        if self._in is not None:
            self._in[-1] += data

    def handle_comment(self, data: str) -> None:
        self.comments.append(data)


def structure(page: str) -> _Structure:
    """The parsed structure of ``page``."""
    parser = _Structure()
    parser.feed(page)
    parser.close()
    return parser


def _html_files(out: Path, slug: str) -> dict[str, str]:
    names = [f"html/{slug}/index.html", "html/index.html", f"jsonld/{slug}.snippet.html"]
    return {name: (out / name).read_text("utf-8") for name in names}


@pytest.mark.parametrize("payload", HTML_PAYLOADS.values(), ids=HTML_PAYLOADS.keys())
def test_html_in_every_field_leaves_pages_and_snippets_inert(payload: str, tmp_path: Path) -> None:
    control = export_seed(tmp_path / "control", hostile_seed("plain words"))
    out = export_seed(tmp_path / "hostile", hostile_seed(payload))
    slug = "hostile"
    pages, control_pages = _html_files(out, slug), _html_files(control, slug)
    for name, page in pages.items():
        if any(c in payload for c in '<>&"'):
            assert payload not in page, name
        parsed, expected = structure(page), structure(control_pages[name])
        # Same elements, same attributes, in the same order: nothing came from the seed.
        assert parsed.shape == expected.shape, name
        assert parsed.comments == expected.comments == [], name
        own = (FINDER_SCRIPT, LINKS_SCRIPT, PLAYER_SCRIPT)
        assert all(program in own for program in parsed.programs)
        for script in parsed.scripts:
            lowered = script.lower()
            assert "</script" not in lowered and "<script" not in lowered, name
            assert "<!--" not in script and "\u2028" not in script and "\u2029" not in script
            document = json.loads(script)
            assert payload.split()[0] in json.dumps(document, ensure_ascii=False), name
    page = pages[f"html/{slug}/index.html"]
    shown = html.unescape(page)
    for field in range(1, 25):
        assert f"F{field} {payload}" in shown or "\u2028" in payload, field
    jsonld = json.loads((out / f"jsonld/{slug}.jsonld").read_text("utf-8"))
    assert jsonld["@graph"][0]["name"].startswith("F2 ")


_PRINTED = ("description", "title", "equipment", "muscles", "labels", "items", "outro")


@pytest.mark.parametrize("payload", REPORTLAB_PAYLOADS.values(), ids=REPORTLAB_PAYLOADS.keys())
def test_reportlab_markup_in_every_field_is_printed_literally(payload: str, tmp_path: Path) -> None:
    spec = hostile_seed(payload)
    out = export_seed(tmp_path, spec)
    card = pdf_text(out / "cards/hostile.pdf")
    booklet = pdf_text(out / "cards.pdf")
    printed = [spec.description, spec.title or ""]
    printed += spec.lists["equipment"] + spec.lists["muscles"] + spec.outro
    for items in spec.sections.values():
        printed += [i.label for i in items if i.label] + [i.text for i in items]
    assert len(printed) == 17
    for text in printed:
        assert text in card, text
        assert text in booklet, text


def test_sql_metacharacters_in_every_field_round_trip_through_the_catalogue(
    tmp_path: Path,
) -> None:
    spec = hostile_seed(SQL_PAYLOAD)
    out = export_seed(tmp_path, spec)
    assert_catalogue(out / CATALOGUE_FILE, spec)
    with Catalogue(out / CATALOGUE_FILE) as catalogue:
        assert catalogue.count() == 2
        assert catalogue.show(SHIPPED_SLUG).title == "Leverage Machine Lying Leg Curl"
        assert [h.slug for h in catalogue.search("DROP TABLE exercises;--")] == ["hostile"]
        assert [h.slug for h in catalogue.search("100% a_b")] == ["hostile"]
        assert [e.slug for e in catalogue.list_exercises(category=spec.category)] == ["hostile"]
        muscle = spec.lists["muscles"][0]
        assert [e.slug for e in catalogue.list_exercises(muscle=muscle)] == ["hostile"]
    db = sqlite3.connect(out / CATALOGUE_FILE)
    try:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_schema")}
        assert tables >= REQUIRED_TABLES
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        db.close()


def _tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "/out/" not in f"/{p.relative_to(root).as_posix()}"
    }


@pytest.mark.parametrize(
    "slug",
    ["../escaped", "a/b", "a\\\\b", "nul\\0byte", ".hidden", "..", "/etc/passwd"],
    ids=["dotdot", "slash", "backslash", "nul", "leading-dot", "parent", "absolute"],
)
def test_a_slug_that_is_a_path_is_an_error_and_writes_nothing_outside(
    slug: str, tmp_path: Path
) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / SHIPPED.name).write_bytes(SHIPPED.read_bytes())
    copy_pictures(seeds)
    text = SHIPPED.read_text("utf-8").replace("---\n", f'---\nslug: "{slug}"\n', 1)
    (seeds / "sneaky.md").write_text(text, "utf-8")
    before = _tree(tmp_path)
    code, lines = run_check(seeds)
    assert code == 1
    errors = [line for line in lines if ": error: " in line]
    assert len(errors) == 1
    assert errors[0].startswith(f"{seeds / 'sneaky.md'}:2: error: slug: '")
    assert errors[0].endswith(
        "' is not a slug; use only a-z, 0-9 and single '-' between words, e.g. slug: lying-leg-curl"
    )
    report = run_export(seeds, tmp_path / "out")
    assert report.failed == [str(seeds / "sneaky.md")]
    assert _tree(tmp_path) == before
    assert {f for f in files_under(tmp_path / "out") if f.startswith(("json/", "html/"))} == {
        f"json/{SHIPPED_SLUG}.json",
        f"html/{SHIPPED_SLUG}/index.html",
        "html/index.json",
        "html/sitemap.xml",
        "html/robots.txt",
        f"html/{SHIPPED_SLUG}/lying-leg-curl-start.jpg",
        f"html/{SHIPPED_SLUG}/lying-leg-curl-end.jpg",
        "html/index.html",
    }


def _shipped_beside(tmp_path: Path, name: str) -> Path:
    """A seeds folder holding the shipped seed and a copy of it, under another slug, named
    ``name``."""
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / SHIPPED.name).write_bytes(SHIPPED.read_bytes())
    copy_pictures(seeds)
    (seeds / name).write_bytes(SHIPPED.read_bytes().replace(b"---\n", b"---\nslug: other\n", 1))
    return seeds


@pytest.mark.parametrize("name", ["a..b.md", "back\\slash.md"])
def test_a_file_name_that_is_a_path_is_an_error_and_writes_nothing_outside(
    name: str, tmp_path: Path
) -> None:
    seeds = _shipped_beside(tmp_path, name)
    before = _tree(tmp_path)
    code, lines = run_check(seeds)
    assert code == 1
    errors = [line for line in lines if ": error: " in line]
    assert len(errors) == 1 and errors[0].startswith(f"{seeds / name}:1: error: "), errors
    report = run_export(seeds, tmp_path / "out")
    assert report.failed == [str(seeds / name)]
    assert _tree(tmp_path) == before
    assert files_under(tmp_path / "out") >= outputs_of(SHIPPED_SLUG)
    assert not any("other" in f for f in files_under(tmp_path / "out"))


@pytest.mark.parametrize("name", ["..\\escaped.md", ".hidden.md", "...md"])
def test_a_dot_name_is_passed_over_in_a_folder_and_an_error_when_named(
    name: str, tmp_path: Path
) -> None:
    seeds = _shipped_beside(tmp_path, name)
    before = _tree(tmp_path)
    code, lines = run_check(seeds)
    assert code == 0, lines  # a name starting with '.' is not a seed in a folder search
    code, lines = run_check(seeds / name)
    assert code == 1
    errors = [line for line in lines if ": error: " in line]
    assert len(errors) == 1 and errors[0].startswith(f"{seeds / name}:1: error: "), errors
    report = run_export(seeds / name, tmp_path / "out")
    assert report.failed == [str(seeds / name)]
    assert _tree(tmp_path) == before
    assert not any("other" in f for f in files_under(tmp_path / "out"))


@pytest.mark.parametrize(
    "tag",
    [
        "!!python/object/apply:os.system ['touch {marker}']",
        "!!python/object/new:os.system ['touch {marker}']",
        "!!python/name:os.system",
        "!!python/module:os",
        "!custom '{marker}'",
        "!<tag:example.org,2024:thing> x",
        "!!binary aGVsbG8=",
    ],
    ids=["apply", "new", "name", "module", "custom", "verbatim", "binary"],
)
def test_a_yaml_tag_that_constructs_an_object_is_rejected_at_its_line(
    tag: str, tmp_path: Path
) -> None:
    marker = tmp_path / "pwned"
    frontmatter = (
        f'---\ndescription: "d"\nequipment:\n  - machine\n  - {tag.format(marker=marker)}\n---\n'
    )
    body = SHIPPED.read_text("utf-8").split("---\n", 2)[2]
    data = (frontmatter + body).encode()
    result = parse_seed_bytes(data, "seeds/tagged.md", stem="tagged")
    errors = [d for d in result.diagnostics if d.level is Level.ERROR]
    assert result.exercise is None
    assert len(errors) == 1 and errors[0].line == 5, errors
    assert "is not allowed" in errors[0].message
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "tagged.md").write_bytes(data)
    code, lines = run_check(seeds)
    assert code == 1 and lines[0].startswith(f"{seeds / 'tagged.md'}:5: error: YAML tag")
    assert not marker.exists()


def test_a_yaml_tag_on_a_key_or_the_whole_mapping_is_rejected(tmp_path: Path) -> None:
    for yaml_text, line in [
        ("--- !!python/object:os.Popen\ndescription: d\n---\n", 1),
        ('---\n!!python/name:os.system description: "d"\n---\n', 2),
        ("---\ndescription: !!python/object/apply:os.getcwd []\n---\n", 2),
    ]:
        body = SHIPPED.read_text("utf-8").split("---\n", 2)[2]
        result = parse_seed_bytes((yaml_text + body).encode(), "t.md", stem="t")
        errors = [d for d in result.diagnostics if d.level is Level.ERROR]
        assert result.exercise is None and errors, yaml_text
        assert errors[0].line == line, (yaml_text, errors)


def test_no_yaml_quoting_trick_reaches_a_path(tmp_path: Path) -> None:
    """Escapes that decode to path characters are still refused as a slug."""
    for escaped in ("\\x2e\\x2e\\x2fescaped", "\\u002e\\u002e/x", "a\\tb", "\\N"):
        text = SHIPPED.read_text("utf-8").replace("---\n", f'---\nslug: "{escaped}"\n', 1)
        result = parse_seed_bytes(text.encode(), "s.md", stem="s")
        assert result.exercise is None
        assert [d.line for d in result.diagnostics if d.level is Level.ERROR] == [2]


@pytest.mark.parametrize(
    "url",
    [
        "https://img.example.org/a.jpg?x=\"><script>alert(1)</script>&y='<!--",
        "https://img.example.org/<svg/onload=alert(1)>",  # a URL holds no space: refused
    ],
    ids=["query", "path"],
)
def test_an_image_url_with_markup_stays_one_attribute_value(url: str, tmp_path: Path) -> None:
    plain = hostile_seed("plain")
    plain.facts["image"] = yaml_quoted("https://img.example.org/plain.jpg")
    hostile = hostile_seed("plain")
    hostile.facts["image"] = yaml_quoted(url)
    control = export_seed(tmp_path / "control", plain)
    out = export_seed(tmp_path / "hostile", hostile)
    for name, page in _html_files(out, "hostile").items():
        assert url not in page, name
        parsed = structure(page)
        assert parsed.shape == structure(_html_files(control, "hostile")[name]).shape, name
        assert parsed.comments == []
        for script in parsed.scripts:
            assert "<" not in script.replace('<script type="application/ld+json">', "")
    page = (out / "html/hostile/index.html").read_text("utf-8")
    (script,) = structure(page).scripts
    webpage, _, howto = json.loads(script)["@graph"][:3]
    assert webpage["primaryImageOfPage"] == {"@id": howto["image"][0]["@id"]}
    assert howto["image"][0]["contentUrl"] == url
    sources = re.findall(r'<img src="([^"]*)"', page)
    assert [html.unescape(s) for s in sources] == [url]


def test_a_script_url_is_not_an_image(tmp_path: Path) -> None:
    for url, said in (
        ("javascript:alert(1)", "is not an absolute http(s) URL"),
        ("data:text/html,<script>alert(1)</script>", "is not an absolute http(s) URL"),
        ("//evil", "is an absolute path"),
    ):
        text = SHIPPED.read_text("utf-8").replace("---\n", f"---\nimage: {yaml_quoted(url)}\n", 1)
        result = parse_seed_bytes(text.encode(), "s.md", stem="s")
        errors = [d for d in result.diagnostics if d.level is Level.ERROR]
        assert result.exercise is None and [d.line for d in errors] == [2], errors
        assert said in errors[0].message


@pytest.fixture(scope="module")
def hostile_catalogue(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A catalogue holding the shipped seed and one with SQL metacharacters everywhere."""
    out = export_seed(tmp_path_factory.mktemp("catalogue"), hostile_seed(SQL_PAYLOAD))
    return out / CATALOGUE_FILE


@settings(max_examples=200, derandomize=True, database=None, deadline=None)
@given(st.text(), st.text(), st.none() | st.sampled_from(["beginner", "EXPERT"]))
def test_any_search_or_filter_text_is_searched_for_not_run(
    hostile_catalogue: Path, query: str, other: str, level: str | None
) -> None:
    with Catalogue(hostile_catalogue) as catalogue:
        hits = catalogue.search(query, highlight=(other, query))
        assert {h.slug for h in hits} <= {"hostile", SHIPPED_SLUG}
        found = catalogue.list_exercises(muscle=other, equipment=query, level=level)
        assert found == []
        with pytest.raises(ExerciseNotFoundError):
            catalogue.show(query + "\0")
        assert catalogue.count() == 2
