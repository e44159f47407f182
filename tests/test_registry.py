"""The exporter registry refuses what would make names ambiguous, and exporters that could
write one file."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.config import Settings
from pipeline.diagnostics import Level
from pipeline.engine import export
from pipeline.exporters.base import ExportContext, Exporter
from pipeline.model import Exercise
from pipeline.pages import page_path
from pipeline.path_templates import TemplateError, overlap, parse_template, path_matcher
from pipeline.registry import (
    _EXPORTERS,
    RegistryError,
    create_exporters,
    declared_outputs,
    get_exporter,
    load_exporters,
    register,
)
from pipeline.writer import OutputWriter
from tests.conftest import SHIPPED_SEED, exercise_of


def test_builtin_exporters_are_registered() -> None:
    assert "json" in load_exporters()
    assert get_exporter("json").name == "json"


def test_unknown_name_lists_the_known_ones() -> None:
    with pytest.raises(RegistryError, match="no exporter named 'nope' \\(known: json"):
        get_exporter("nope")


def test_duplicate_and_nameless_exporters_are_refused() -> None:
    class Again(Exporter):
        name = "json"

    class Nameless(Exporter):
        pass

    with pytest.raises(RegistryError, match="'json' is taken"):
        register(Again)
    with pytest.raises(RegistryError, match="has no valid name"):
        register(Nameless)
    assert get_exporter("json") is not Again


# -- one owner per output path ---------------------------------------------------------------

SITE = Settings(base_url="https://gym.example.com/exercises/")
LAYOUTS = ("{base_url}{slug}/", "{base_url}{slug}.html", "{base_url}how-to/{slug}/")


@pytest.fixture
def plugin() -> Iterator[Callable[..., type[Exporter]]]:
    """Registers exporters as plug-ins would be, for one test; the registry is as it was after."""
    added: list[str] = []

    def add(name: str, *outputs: str) -> type[Exporter]:
        cls = type(name.title(), (Exporter,), {"name": name, "outputs": outputs})
        register(cls)
        added.append(name)
        return cls

    yield add
    for name in added:
        del _EXPORTERS[name]


def test_a_plugin_that_would_overwrite_the_json_files_is_refused(
    plugin: Callable[..., type[Exporter]],
) -> None:
    plugin("mirror", "mirror.txt", "json/{slug}.json")
    message = (
        "exporters 'json' and 'mirror' would both write json/{slug}.json: 'json' declares "
        "json/{slug}.json and 'mirror' declares json/{slug}.json; a file has one owner"
    )
    with pytest.raises(RegistryError, match=re.escape(message)):
        create_exporters(["json", "mirror"], SITE)
    with pytest.raises(RegistryError, match="'json' and 'mirror'"):
        create_exporters([], SITE)
    # Alone, it has no one to collide with.
    assert [e.name for e in create_exporters(["mirror"], SITE)] == ["mirror"]


def test_a_collision_is_named_by_an_example_path_when_the_templates_differ(
    plugin: Callable[..., type[Exporter]],
) -> None:
    plugin("flat", "{slug}/{slug}.pdf")
    with pytest.raises(RegistryError) as refused:
        create_exporters(["pdf", "flat"], SITE)
    assert str(refused.value).startswith(
        "exporters 'pdf' and 'flat' would both write cards/a.pdf: 'pdf' declares "
        "cards/{slug}.pdf and 'flat' declares {slug}/{slug}.pdf"
    )


def test_a_plugin_with_outputs_of_its_own_runs_with_every_exporter(
    plugin: Callable[..., type[Exporter]],
) -> None:
    plugin("csv", "exercises.csv", "csv/{slug}.csv", "json/{slug}.csv", "cards/{slug}/x/y.pdf")
    plugin("silent")  # declares nothing: only the writer can check it
    exporters = create_exporters([], SITE)
    assert {"csv", "silent", "json", "html"} <= {e.name for e in exporters}
    assert declared_outputs(exporters)["silent"] == ()
    assert "mirror" not in load_exporters()  # the other tests' plug-ins are gone


@pytest.mark.parametrize(
    ("template", "reason"),
    [
        ("../{slug}.json", "an empty, '.' or '..' part"),
        ("json/../../{slug}", "an empty, '.' or '..' part"),
        ("/etc/{slug}", "starts with '/'"),
        ("json//{slug}.json", "an empty, '.' or '..' part"),
        ("json/{slug", "a lone '{'"),
        ("json\\{slug}.json", "a backslash"),
        (".pipeline/manifest.json", "could be in .pipeline/"),
        (".{slug}/x.json", "could be in .pipeline/"),
    ],
)
def test_an_output_outside_the_folder_or_in_its_state_is_refused(
    plugin: Callable[..., type[Exporter]], template: str, reason: str
) -> None:
    plugin("bad", template)
    with pytest.raises(RegistryError, match=rf"exporter 'bad' declares .*{re.escape(reason)}"):
        create_exporters(["bad"], SITE)


@pytest.mark.parametrize("pattern", LAYOUTS)
def test_the_builtin_exporters_write_only_what_they_declare(pattern: str, tmp_path: Path) -> None:
    settings = Settings(base_url=SITE.base_url, url_pattern=pattern)
    exporters = create_exporters([], settings)
    root = OutputWriter(tmp_path, declared=declared_outputs(exporters))
    exercise = exercise_of(SHIPPED_SEED)
    written = []
    for exporter in exporters:
        context = ExportContext(writer=root.sibling(exporter.name), settings=settings)
        entry = exporter.export_exercise(exercise, context)
        if exporter.has_aggregate():
            exporter.export_all([entry], context)
        assert context.writer.written, exporter.name
        written += context.writer.written
    # Five exporters' files, the shipped seed's two pictures, and the site's sitemap,
    # robots.txt and the index's finder data.
    assert len(written) == 13
    assert page_path(exercise, settings) in written


def test_a_flat_layout_lets_a_page_meet_the_index_which_the_page_refuses() -> None:
    # Within one exporter the templates may meet: the html exporter refuses the seed itself.
    flat = Settings(base_url=SITE.base_url, url_pattern="{base_url}{slug}.html")
    (html,) = create_exporters(["html"], flat)
    other, page, *pictures, index, other_index, data, other_data = html.output_templates()[:-3]
    assert html.output_templates()[-3:] == (
        "html/sitemap.xml",
        "html/sitemap-{part}.xml",
        "html/robots.txt",
    )
    assert (data, other_data) == ("html/index.json", "html/{lang}/index.json")
    assert (other, page, index) == (
        "html/{lang}/{slug}.html",
        "html/{slug}.html",
        "html/index.html",
    )
    assert pictures == [
        f"html/{folder}{{picture}}.{extension}"
        for folder in ("{lang}/", "")
        for extension in ("png", "jpg", "svg")
    ]
    assert other_index == "html/{lang}/index.html"
    assert overlap(page, index) == "html/index.html"


@pytest.mark.parametrize(
    ("first", "second", "example"),
    [
        ("json/{slug}.json", "json/{slug}.json", "json/a.json"),
        ("html/{slug}/index.html", "html/index.html", None),
        ("cards/{slug}.pdf", "cards.pdf", None),
        ("{slug}.json", "a.json", "a.json"),
        ("{slug}.json", "A.json", None),  # a slug is lower case
        ("{slug}.json", ".json", None),  # and never empty
        ("{slug}-x.txt", "a{slug}.txt", "a-x.txt"),
        ("x{slug}", "{slug}y", "xy"),
        ("jsonld/{slug}.jsonld", "jsonld/{slug}.snippet.html", None),
        ("{slug}.snippet.html", "{slug}.html", None),  # a slug has no '.'
        ("{slug}/index.html", "{slug}.html", None),  # nor '/'
        ("a/{slug}", "{slug}/b", "a/b"),
        ("{{slug}}.txt", "{slug}.txt", None),  # braces doubled are literal
        ("{{slug}}.txt", "{{slug}}.txt", "{slug}.txt"),
    ],
)
def test_two_templates_collide_when_one_path_matches_both(
    first: str, second: str, example: str | None
) -> None:
    assert overlap(first, second) == example
    assert (overlap(second, first) is None) == (example is None)


# Templates of parts made of a few tokens, over an alphabet with slug characters and one other.
_TOKENS = ("a", "b", "-", ".", "{slug}")
_part = st.lists(st.sampled_from(_TOKENS), min_size=1, max_size=3).map("".join)
_template = st.lists(_part, min_size=1, max_size=3).map("/".join).filter(lambda t: _valid(t))
_filler = st.sampled_from(["a", "b", "-", "ab", "a-b", "-a"])


def _valid(template: str) -> bool:
    try:
        parse_template(template)
    except TemplateError:
        return False
    return True


def _matches(template: str, path: str) -> bool:
    return path_matcher((template,))(path) is not None


@settings(max_examples=300, derandomize=True, database=None, deadline=None)
@given(_template, _template)
def test_an_overlap_is_a_path_both_templates_match_and_only_then_none(
    first: str, second: str
) -> None:
    example = overlap(first, second)
    assert (overlap(second, first) is None) == (example is None)
    if example is not None:
        assert _matches(first, example) and _matches(second, example)
    assert overlap(first, first) is not None


@settings(max_examples=300, derandomize=True, database=None, deadline=None)
@given(_template, _template, st.lists(_filler, min_size=9, max_size=9))
def test_any_path_both_templates_match_is_found_to_collide(
    first: str, second: str, fillers: list[str]
) -> None:
    pieces = first.split("{slug}")
    path = "".join(p + f for p, f in zip(pieces, [*fillers[: len(pieces) - 1], ""], strict=True))
    assert _matches(first, path)
    if _matches(second, path):
        assert overlap(first, second) is not None, path


def test_one_part_templates_collide_exactly_when_a_short_path_matches_both() -> None:
    # Each character of a common match uses up a literal or a placeholder's first character
    # on one side at least, so two templates of two tokens meet on a path of 4 characters or
    # fewer if at all; every such path over these characters is tried.
    tokens = ("a", "-", ".", "{slug}")
    templates = [t for n in (1, 2) for t in map("".join, itertools.product(tokens, repeat=n))]
    templates = [t for t in templates if _valid(t)]
    paths = ["".join(p) for n in range(1, 5) for p in itertools.product("a-.", repeat=n)]
    for first, second in itertools.product(templates, repeat=2):
        common = any(_matches(first, p) and _matches(second, p) for p in paths)
        assert (overlap(first, second) is not None) == common, (first, second)


def test_an_export_with_a_colliding_plugin_writes_nothing(
    plugin: Callable[..., type[Exporter]], tmp_path: Path
) -> None:
    plugin("mirror", "json/{slug}.json")
    out = tmp_path / "out"
    with pytest.raises(RegistryError, match="'json' and 'mirror' would both write"):
        export([SHIPPED_SEED], out, SITE, jobs=2)
    assert not out.exists()


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_plugin_that_declares_nothing_cannot_take_a_file_of_another_exporter_or_seed(
    plugin: Callable[..., type[Exporter]], corpus_of_four: Path, tmp_path: Path, jobs: int
) -> None:
    cls = plugin("silent")

    def export_exercise(self: Exporter, exercise: Exercise, context: ExportContext) -> None:
        context.writer.write_text(f"json/{exercise.slug}.json", "{}\n")

    cls.export_exercise = export_exercise  # type: ignore[method-assign]
    report = export([corpus_of_four], tmp_path / "out", SITE, ["json", "silent"], jobs=jobs)
    errors = [d for d in report.diagnostics if d.level is Level.ERROR]
    assert len(errors) == 4 and len(report.failed) == 4
    # Whichever ran second in its worker, 'silent' or 'json', is refused: in one process by
    # the writer, across processes by the parent, both in the same words.
    assert all(
        re.search(r"is written by '(json|silent)' and by '(json|silent)'", e.message)
        for e in errors
    )
    assert len(report.written) == len(set(report.written))

    # One path for every seed: the first seed's, in seed order, whichever worker wrote it.
    def one_for_all(self: Exporter, exercise: Exercise, context: ExportContext) -> None:
        context.writer.write_text("shared.txt", exercise.slug)

    cls.export_exercise = one_for_all  # type: ignore[method-assign]
    report = export([corpus_of_four], tmp_path / "shared", SITE, ["silent"], jobs=jobs)
    errors = [d for d in report.diagnostics if d.level is Level.ERROR]
    assert [e.message for e in errors] == ["'shared.txt' would be written twice in one run"] * 3
    assert report.failed == sorted(str(p) for p in corpus_of_four.glob("*.md"))[1:]


@pytest.fixture
def corpus_of_four(tmp_path: Path) -> Path:
    from bench.corpus import build_corpus

    folder = tmp_path / "seeds"
    build_corpus(4, folder, random_seed=2)
    return folder


def test_an_exporter_with_the_old_digest_hook_is_told_what_to_do_instead() -> None:
    class Old(Exporter):
        name = "old"

        def digest(self, exercise: Exercise) -> str:
            return exercise.slug

    with pytest.raises(RegistryError, match=r"defines digest\(\), which is no longer called"):
        register(Old)
    assert "old" not in load_exporters()
