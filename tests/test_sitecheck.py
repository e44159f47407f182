"""`pipeline validate` reads a sitemap as search engines do (sitemaps.org's protocol, Google's
hreflang rules) and against the folder it is in: the pipeline's own passes, and each way a
sitemap goes wrong is named at its line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.config import Settings
from pipeline.engine import export
from pipeline.sitecheck import check_sitemap
from tests.golden import SQUAT

BASE = "https://gym.example.com/exercises/"
HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
    'xmlns:xhtml="http://www.w3.org/1999/xhtml">\n'
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The squat in four languages, exported: its html folder."""
    work = tmp_path_factory.mktemp("sitecheck")
    seeds = work / "seeds"
    shutil.copytree(SQUAT, seeds, ignore=shutil.ignore_patterns("README.md"))
    report = export([seeds], work / "out", Settings(base_url=BASE), ["html"])
    assert report.errors == 0
    return work / "out" / "html"


def test_the_pipelines_sitemap_is_valid_and_validate_reads_it_in_a_folder(site: Path) -> None:
    assert check_sitemap(site / "sitemap.xml") == []
    result = CliRunner().invoke(app, ["validate", str(site)])
    assert result.exit_code == 0, result.output
    assert f"{site / 'sitemap.xml'}: ok (sitemap: " in result.output


def _written(site: Path, tmp_path: Path, body: str) -> Path:
    folder = tmp_path / "html"
    shutil.copytree(site, folder)
    (folder / "sitemap.xml").write_text(HEAD + body + "</urlset>\n", "utf-8")
    return folder / "sitemap.xml"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("<url><loc>squat/</loc></url>\n", (3, "<loc> 'squat/' is not an absolute http(s) URL")),
        (
            f"<url><loc>{BASE}squat/</loc></url>\n<url><loc>{BASE}squat/</loc></url>\n",
            (4, f"{BASE}squat/ is listed twice (first at line 3)"),
        ),
        (
            f"<url><loc>{BASE}squat/</loc><lastmod>01/05/2024</lastmod></url>\n",
            (3, "<lastmod> '01/05/2024' is not a W3C date"),
        ),
        (
            f"<url><loc>{BASE}bench-press/</loc></url>\n",
            (3, f"{BASE}bench-press/ is not a page in this folder (no bench-press/index.html)"),
        ),
        (
            f'<url><loc>{BASE}squat/</loc>\n<xhtml:link rel="alternate" hreflang="en" '
            f'href="{BASE}squat/"/><xhtml:link rel="alternate" hreflang="de" '
            f'href="{BASE}de/kniebeuge/"/></url>\n<url><loc>{BASE}de/kniebeuge/</loc>\n'
            f'<xhtml:link rel="alternate" hreflang="de" href="{BASE}de/kniebeuge/"/></url>\n',
            (3, f"{BASE}de/kniebeuge/ (de) does not list {BASE}squat/ back"),
        ),
        (
            f'<url><loc>{BASE}squat/</loc>\n<xhtml:link rel="alternate" hreflang="english" '
            f'href="{BASE}squat/"/></url>\n',
            (3, "hreflang 'english' is not a language tag"),
        ),
    ],
    ids=["relative", "twice", "lastmod", "no-page", "no-return-link", "tag"],
)
def test_each_way_a_sitemap_goes_wrong_is_named_at_its_line(
    site: Path, tmp_path: Path, body: str, expected: tuple[int, str]
) -> None:
    problems = check_sitemap(_written(site, tmp_path, body))
    line, start = expected
    assert any(found == line and message.startswith(start) for found, message in problems), problems


def test_a_broken_file_or_another_kind_of_xml_is_named(site: Path, tmp_path: Path) -> None:
    folder = tmp_path / "html"
    shutil.copytree(site, folder)
    path = folder / "sitemap.xml"
    path.write_text("<urlset><url>\n<loc>x</url>", "utf-8")
    ((line, message),) = check_sitemap(path)
    assert line == 2 and message.startswith("not well-formed XML")
    path.write_text("<rss><channel/></rss>", "utf-8")
    assert check_sitemap(path) == [
        (1, "<rss> is neither a <urlset> nor a <sitemapindex> of sitemaps.org's namespace")
    ]
    # An entity is data, never expanded.
    path.write_text('<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]><x>&a;&a;&a;</x>', "utf-8")
    assert check_sitemap(path)[0][1].startswith("<x> is neither")


def test_an_index_is_read_with_its_parts_and_a_missing_part_is_named(
    site: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "html"
    shutil.copytree(site, folder)
    (folder / "sitemap.xml").rename(folder / "sitemap-1.xml")
    index = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"<sitemap><loc>{BASE}sitemap-1.xml</loc></sitemap>\n"
        f"<sitemap><loc>{BASE}sitemap-2.xml</loc></sitemap>\n"
        "</sitemapindex>\n"
    )
    (folder / "sitemap.xml").write_text(index, "utf-8")
    assert check_sitemap(folder / "sitemap.xml") == [
        (4, f"the part {BASE}sitemap-2.xml is not beside the index (sitemap-2.xml)")
    ]
