"""Property tests: generated seeds, valid and broken, through ``pipeline check`` and every
exporter. The only failures allowed are clean diagnostics; a valid seed gives every output,
and every output reads back to the seed's text.

The number of examples is fixed (profile ``fuzz-ci``, derandomised, so CI is reproducible);
``FUZZ_PROFILE=fuzz-long`` runs many more, with fresh randomness, on a workstation.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from pathlib import Path

import pypdf
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from fuzz.checks import (
    AGGREGATES,
    ROOT,
    SHIPPED,
    SHIPPED_PICTURES,
    SHIPPED_SLUG,
    aggregates_of,
    assert_outputs,
    files_under,
    lang_folder,
    outputs_of,
    run_check,
    run_export,
)
from fuzz.invariants import check_seed
from fuzz.seeds import SeedSpec, broken_seeds, valid_seeds
from pipeline.catalogue import CATALOGUE_FILE, Catalogue
from pipeline.diagnostics import Level
from pipeline.parser import parse_seed_bytes
from pipeline.urls import picture_names

settings.register_profile(
    "fuzz-ci",
    max_examples=40,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "fuzz-long",
    max_examples=2000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
PROFILE = settings.get_profile(os.environ.get("FUZZ_PROFILE", "fuzz-ci"))


@settings(PROFILE)
@given(valid_seeds())
def test_a_valid_seed_checks_clean_and_gives_every_output(spec: SeedSpec) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        seeds = Path(scratch) / "seeds"
        seeds.mkdir()
        (seeds / f"{spec.stem}.md").write_text(spec.text(), "utf-8")
        code, lines = run_check(seeds)
        assert code == 0, lines
        assert not any(": error: " in line for line in lines)
        out = Path(scratch) / "out"
        report = run_export(seeds, out)
        assert report.failed == [] and report.errors == 0, report.diagnostics
        assert_outputs(out, spec)


@settings(PROFILE)
@given(broken_seeds())
def test_a_broken_seed_is_a_clean_diagnostic_and_costs_the_others_nothing(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        seeds = Path(scratch) / "seeds"
        seeds.mkdir()
        shutil.copy(SHIPPED, seeds / SHIPPED.name)
        shutil.copytree(SHIPPED.parent / "images", seeds / "images")
        (seeds / "broken.md").write_bytes(data)
        parsed = parse_seed_bytes(data, "broken.md", stem="broken", folder=seeds)
        # Two seeds with one slug are both refused, by design: not this test's concern.
        assume(parsed.exercise is None or parsed.exercise.slug != SHIPPED_SLUG)
        code, lines = run_check(seeds)
        assert code == (0 if parsed.ok else 1), lines
        out = Path(scratch) / "out"
        report = run_export(seeds, out)
        written = files_under(out)
        shipped = outputs_of(SHIPPED_SLUG, pictures=SHIPPED_PICTURES)
        assert written >= shipped | set(AGGREGATES)
        if parsed.exercise is None:
            assert report.failed == [str(seeds / "broken.md")]
            assert written == shipped | set(AGGREGATES)
        else:
            slug, lang = parsed.exercise.slug, parsed.exercise.lang
            assert report.failed == []
            names = picture_names(parsed.exercise, "/")
            expected = shipped | outputs_of(slug, lang, [n for n in names if n])
            assert written == expected | set(AGGREGATES) | aggregates_of(lang)
            folder = lang_folder(lang)
            json.loads((out / f"json/{folder}{slug}.json").read_text("utf-8"))
            assert pypdf.PdfReader(out / f"cards/{folder}{slug}.pdf").pages
        with Catalogue(out / CATALOGUE_FILE) as catalogue:
            assert catalogue.count() == (2 if parsed.ok else 1)
            assert len(catalogue.show(SHIPPED_SLUG).howto) == 4
        assert any(d.level is Level.ERROR for d in report.diagnostics) == bool(report.failed)


def test_the_fuzz_corpus_passes_the_coverage_guided_targets_checks() -> None:
    """The checks `make fuzz` runs hold for its starting corpus (so they do not rot)."""
    corpus = sorted((ROOT / "fuzz" / "corpus").glob("*.md"))
    assert len(corpus) >= 6
    for path in [*corpus, SHIPPED]:
        check_seed(path.read_bytes())


_NAMES = ("a.md", "b.md", "sub", "up", "loop.md", "x")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["file", "folder", "link"]),
            st.sampled_from(["", "sub", "sub/x"]),
            st.sampled_from(_NAMES),
            st.sampled_from([".", "..", "a.md", "b.md", "sub", "loop.md", "missing", "sub/a.md"]),
        ),
        max_size=12,
    )
)
def test_any_tree_of_folders_and_links_is_searched_cleanly_each_real_file_once(
    shape: list[tuple[str, str, str, str]],
) -> None:
    # Folders, seed files and symbolic links (back up the tree, to themselves, to nothing)
    # laid out at random: the search never raises, finds every real seed once, and warns
    # only about links.
    from pipeline.discover import discover_seeds

    with tempfile.TemporaryDirectory() as work:
        root = Path(work) / "seeds"
        root.mkdir()
        for kind, where, name, target in shape:
            place = root / where / name
            with contextlib.suppress(OSError):
                place.parent.mkdir(parents=True, exist_ok=True)
                if kind == "file":
                    place.write_text("---\ndescription: d\n---\n", "utf-8")
                elif kind == "folder":
                    place.mkdir()
                else:
                    place.symlink_to(target)
        seeds, warnings = discover_seeds([root])
        real = [os.path.realpath(s) for s in seeds]
        assert len(real) == len(set(real))
        expected = {
            os.path.realpath(p)
            for p in root.rglob("*.md")
            if p.is_file() and not p.is_symlink() and not any(q.is_symlink() for q in p.parents)
        }
        assert expected <= set(real)
        assert all(Path(s).resolve().is_relative_to(root.resolve()) for s in seeds)
        assert all("symbolic link" in w.message for w in warnings)
