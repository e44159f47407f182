"""The export's decisions, on their own: no files, no processes."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from pipeline.diagnostics import Level
from pipeline.discover import SeedFile
from pipeline.plan import (
    Facts,
    Scope,
    SeedEntry,
    SeedState,
    aggregate_members,
    aggregates_to_rebuild,
    hooks_to_run,
    inputs_key,
    kept_records,
    needs_parse,
    out_of_date,
    reusable_record,
    set_aside,
    set_aside_records,
    set_problems_of,
    split_by_language,
    stale_files,
)
from pipeline.state import AggregateRecord, CachedEntry, OutputRecord, SeedRecord, State

FINGERPRINTS = {"json": "j1", "html": "h1", "sqlite": "s1"}
AGGREGATORS = ("html", "sqlite")


def record(slug: str, sha: str = "aa", *, ok: bool = True, draft: bool = False) -> SeedRecord:
    return SeedRecord(
        sha256=sha,
        slug=slug,
        ok=ok,
        size=10,
        mtime_ns=1,
        outputs={
            "json": OutputRecord("j1", [f"json/{slug}.json"]),
            "html": OutputRecord("h1", [f"html/{slug}/index.html"]),
            "sqlite": OutputRecord("s1", []),
        }
        if ok
        else {},
        draft=draft,
    )


def files_of(*records: SeedRecord) -> set[str]:
    return {f for r in records for o in r.outputs.values() for f in o.files} | {
        "html/index.html",
        "catalogue.sqlite",
    }


def facts(existing: set[str], **changes: object) -> Facts:
    base = Facts(FINGERPRINTS, existing, AGGREGATORS)
    return replace(base, **changes)  # type: ignore[arg-type]


def seed(display: str, held: SeedRecord | None, sha: str | None, plan: Facts) -> SeedEntry:
    entry = SeedEntry(0, Path(display), display, SeedFile(sha, 10, 1), held)
    entry.reusable = reusable_record(held, entry.file, plan)
    return entry


def cached(*displays: str, sha: str = "aa") -> dict[str, dict[str, CachedEntry]]:
    return {
        name: {d: CachedEntry(sha, FINGERPRINTS[name], b"[]") for d in displays}
        for name in AGGREGATORS
    }


def previous(**seeds: SeedRecord) -> State:
    aggregates = {
        "html": AggregateRecord("h1", "", ["html/index.html"]),
        "sqlite": AggregateRecord("s1", "", ["catalogue.sqlite"]),
    }
    return State("key", dict(seeds), aggregates)


def test_an_unchanged_seed_whose_outputs_are_there_is_not_parsed() -> None:
    held = record("squat")
    plan = facts(files_of(held))
    entry = seed("squat.md", held, "aa", plan)
    assert entry.reusable is held
    assert not needs_parse(entry, FINGERPRINTS, set(), cached(), plan)
    assert not needs_parse(entry, FINGERPRINTS, {"html"}, cached("squat.md"), plan)


def test_a_changed_forced_or_differently_read_seed_is_parsed() -> None:
    held = record("squat")
    for plan, sha in [
        (facts(files_of(held)), "bb"),
        (facts(files_of(held), force=True), "aa"),
        (facts(files_of(held), reparse_all=True), "aa"),
        (facts(files_of(held)), None),  # a file the stat could not read
    ]:
        entry = seed("squat.md", held, sha, plan)
        assert entry.reusable is None
        assert needs_parse(entry, FINGERPRINTS, set(), cached(), plan)


def test_only_the_hooks_whose_work_is_missing_run() -> None:
    held = record("squat")
    plan = facts(files_of(held) - {"json/squat.json"})
    entry = seed("squat.md", held, "aa", plan)
    assert hooks_to_run(entry, FINGERPRINTS, set(), cached(), plan) == ("json",)
    # An aggregate rebuilt without a stored entry of the seed runs that hook too.
    assert hooks_to_run(entry, FINGERPRINTS, {"sqlite"}, cached(), plan) == ("json", "sqlite")
    # A stored entry for other bytes, or by another version of the exporter, is not used.
    stale = cached("squat.md", sha="bb")
    assert hooks_to_run(entry, FINGERPRINTS, {"sqlite"}, stale, plan) == ("json", "sqlite")
    other = facts(files_of(held), fingerprints={**FINGERPRINTS, "sqlite": "s2"})
    changed = hooks_to_run(entry, FINGERPRINTS, {"sqlite"}, cached("squat.md"), other)
    assert changed == ("sqlite",)


def test_a_seed_with_an_error_or_an_unpublished_draft_is_not_parsed_again() -> None:
    for held in (record("bad", ok=False), record("draft", draft=True)):
        plan = facts(set())
        entry = seed("x.md", held, "aa", plan)
        assert not needs_parse(entry, FINGERPRINTS, set(AGGREGATORS), cached(), plan)
    draft = record("draft", draft=True)
    plan = facts(set(), include_drafts=True)
    assert needs_parse(seed("x.md", draft, "aa", plan), FINGERPRINTS, set(), cached(), plan)


def test_aggregates_are_rebuilt_when_a_seed_changes_comes_or_goes() -> None:
    a, b = record("a"), record("b")
    old = previous(**{"a.md": a, "b.md": b})
    plan = facts(files_of(a, b))
    both = [seed("a.md", a, "aa", plan), seed("b.md", b, "aa", plan)]
    # Nothing changed, but the recorded inputs are not these seeds': rebuilt.
    assert aggregates_to_rebuild(old, both, {}, plan) == {"html", "sqlite"}
    key = inputs_key([("a.md", a), ("b.md", b)], plan)
    for aggregate in old.aggregates.values():
        aggregate.inputs = key
    assert aggregates_to_rebuild(old, both, {}, plan) == set()
    assert aggregates_to_rebuild(old, both[:1], {}, plan) == {"html", "sqlite"}
    changed = [both[0], seed("b.md", b, "cc", plan)]
    assert aggregates_to_rebuild(old, changed, {}, plan) == {"html", "sqlite"}
    # One aggregate's file deleted by hand: only that one.
    missing = facts(files_of(a, b) - {"catalogue.sqlite"})
    again = [seed("a.md", a, "aa", missing), seed("b.md", b, "aa", missing)]
    assert aggregates_to_rebuild(old, again, {}, missing) == {"sqlite"}
    # A seed outside the run's scope still counts as one of the aggregates' seeds.
    assert aggregates_to_rebuild(old, both[:1], {"b.md": b}, plan) == set()


def test_an_aggregate_is_rebuilt_when_what_it_reads_besides_the_seeds_changes() -> None:
    # The html exporter's sitemap dates pages by their seeds' commits: a commit, with every
    # seed as it was, rebuilds it and nothing else.
    a = record("a")
    old = previous(**{"a.md": a})
    committed = facts(files_of(a), external={"html": "head-1"})
    seeds = [seed("a.md", a, "aa", committed)]
    key = inputs_key([("a.md", a)], committed)
    for name, aggregate in old.aggregates.items():
        aggregate.inputs = committed.aggregate_key(name, key)
    assert aggregates_to_rebuild(old, seeds, {}, committed) == set()
    again = replace(committed, external={"html": "head-2"})
    assert aggregates_to_rebuild(old, seeds, {}, again) == {"html"}
    assert again.aggregate_key("sqlite", key) == key


def test_seeds_outside_the_scope_are_kept_and_those_inside_it_are_not() -> None:
    old = previous(**{"seeds/a.md": record("a"), "other/b.md": record("b")})
    kept = kept_records(old, {"seeds/c.md"}, Scope(folders=(Path("seeds"),)))
    assert list(kept) == ["other/b.md"]
    assert list(kept_records(old, set(), Scope(files=(Path("seeds/c.md"),)))) == [
        "seeds/a.md",
        "other/b.md",
    ]


def test_a_language_picks_itself_and_its_regions_and_an_unknown_language() -> None:
    scope = Scope(languages=("de", "pt-BR"))
    assert [scope.picks(t) for t in ("de", "de-AT", "DE-ch", "pt-BR", "")] == [True] * 5
    assert [scope.picks(t) for t in ("en", "pt", "pt-PT", "den", "ru")] == [False] * 5
    assert Scope().picks("ru")
    assert Scope.of([], ["de", "de"]).languages == ("de",)


def test_a_gone_seed_of_a_language_not_picked_is_kept() -> None:
    german, english = replace(record("a"), lang="de"), replace(record("b"), lang="en")
    old = previous(**{"seeds/a.de.md": german, "seeds/b.md": english})
    scope = Scope(folders=(Path("seeds"),), languages=("de",))
    assert list(kept_records(old, set(), scope)) == ["seeds/b.md"]


def test_a_seed_in_another_language_is_set_aside_and_not_parsed_again() -> None:
    held = replace(record("squat"), lang="en")
    plan = facts(files_of(held))
    scope = Scope(languages=("de",))
    unchanged, changed, new = (
        seed("squat.md", held, "aa", plan),
        seed("press.md", held, "bb", plan),
        seed("new.md", None, "cc", plan),
    )
    for entry in (unchanged, changed, new):
        entry.outside = set_aside(entry, scope)
    # Known from its record: set aside before anything is parsed, and so not parsed.
    assert unchanged.outside and not needs_parse(unchanged, FINGERPRINTS, set(), cached(), plan)
    # Known only once parsed (changed or new), then set aside.
    assert not changed.outside and needs_parse(changed, FINGERPRINTS, set(), cached(), plan)
    for entry in (changed, new):
        entry.own = SeedState(True, entry.display[:-3], [], lang="en")
        entry.sha256 = entry.file.sha256
    unchanged.sha256 = "aa"
    picked, other = split_by_language([unchanged, changed, new], scope)
    assert picked == [] and other == [unchanged, changed, new]
    # What the folder holds of them stays; one never exported has nothing to keep.
    assert set_aside_records(other) == {"squat.md": held, "press.md": held}
    assert [out_of_date(s) for s in other] == [False, True, True]
    assert not set_aside(new, Scope(languages=("en",)))


def test_slug_clashes_name_the_other_seed_and_a_kept_one_wins() -> None:
    plan = facts(set())
    one, two = seed("a.md", None, None, plan), seed("b.md", None, None, plan)
    one.state = SeedState(True, "squat", [], lang="en")
    two.state = SeedState(True, "squat", [], lang="en")
    clashes = set_problems_of([one, two], {}, Path("out"), "en")
    assert {p: [d.message for d in ds] for p, ds in clashes.items()} == {
        "a.md": ["slug 'squat' is also used by b.md"],
        "b.md": ["slug 'squat' is also used by a.md"],
    }
    assert all(d.level is Level.ERROR and d.line == 1 for ds in clashes.values() for d in ds)
    kept = {"gone/c.md": replace(record("squat"), lang="en")}
    clashes = set_problems_of([one], kept, Path("out"), "en")
    assert list(clashes) == ["a.md"]
    assert clashes["a.md"][0].message == (
        "slug 'squat' is also used by gone/c.md (exported earlier into out; that file is gone: "
        "export its folder to remove it)"
    )


def test_members_are_in_slug_order_with_the_kept_seeds_among_them() -> None:
    plan = facts(set())
    run = []
    for display, slug, ok, draft in [
        ("z.md", "a", True, False),
        ("y.md", "c", True, False),
        ("x.md", "b", False, False),
        ("w.md", "d", True, True),
    ]:
        entry = seed(display, None, None, plan)
        entry.state = SeedState(ok, slug, [], draft)
        run.append(entry)
    members = aggregate_members(run, {"k.md": record("b")}, plan)
    assert [display for display, _ in members] == ["z.md", "k.md", "y.md"]
    assert [entry is None for _, entry in members] == [False, True, False]


def test_stale_files_are_what_nothing_records_any_more() -> None:
    a, b = record("a"), record("b")
    old = previous(**{"a.md": a, "b.md": b})
    assert stale_files(old, [a], [["html/index.html"]]) == [
        "catalogue.sqlite",
        "html/b/index.html",
        "json/b.json",
    ]
    assert stale_files(old, [a, b], [["html/index.html", "catalogue.sqlite"]]) == []


def test_a_checked_copy_is_the_state_with_a_list_of_its_own() -> None:
    from dataclasses import fields

    from pipeline.diagnostics import Diagnostic
    from pipeline.inputs import InputFile

    note = Diagnostic("a.md", 3, Level.WARNING, "a note")
    own = SeedState(
        True,
        "a",
        [note],
        True,
        "de",
        "b.md",
        4,
        (InputFile("a.png", 7, 9, "f" * 64),),
    )
    copy = own.checked()
    assert copy == replace(own, diagnostics=list(own.diagnostics))
    assert [f.name for f in fields(SeedState)] == [
        "ok",
        "slug",
        "diagnostics",
        "draft",
        "lang",
        "translation_of",
        "translation_line",
        "inputs",
    ]
    copy.diagnostics.append(note)
    assert own.diagnostics == [note]
