"""The video as search engines and readers get it: a complete VideoObject with its key
moments (one ``Clip`` a timed howto step), a page whose player loads only when asked and
starts at a step's time, and an error at its line for every time that cannot be right."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter

from pipeline.config import Settings
from pipeline.engine import export
from pipeline.jsonld import exercise_document
from pipeline.pages.render import LINKS_SCRIPT, PLAYER_SCRIPT
from pipeline.parser import parse_seed
from pipeline.validation import validate_document
from pipeline.video_times import clock, iso_duration, parse_clock, parse_duration
from tests.conftest import line_of

SETTINGS = Settings(base_url="https://example.org/")
VIDEO = "vl5nUdE9mWM"
TIMED = """---
description: "Curl your legs against a padded lever."
video: {video}
video_uploaded: 2024-05-01
{extra}
---

## Execution
1. **Curl**: Bend your knees.

<!-- howto -->

### Lie Down{first}
Lie face down, the pad above your heels.

### Curl Your Legs Up{second}
Bend your knees and bring the pad towards your glutes.

### Lower to the Start{third}
Straighten your legs slowly.
"""


@pytest.fixture
def timed(tmp_path: Path) -> Callable[..., Path]:
    """A three-step seed with a video; ``first`` to ``third`` follow the step headings."""

    def write(
        extra: str = "duration: 1:30",
        first: str = " @ 0:05",
        second: str = " @ 0:42",
        third: str = " @ 1:10",
        video: str = VIDEO,
    ) -> Path:
        path = tmp_path / "seeds" / "leg-curl.md"
        path.parent.mkdir(exist_ok=True)
        text = TIMED.format(extra=extra, first=first, second=second, third=third, video=video)
        path.write_text(text, "utf-8")
        return path

    return write


def _video_node(path: Path) -> dict[str, object]:
    exercise = parse_seed(path).exercise
    assert exercise is not None
    document = exercise_document(exercise, SETTINGS)
    assert validate_document(document) == []
    return next(n for n in document["@graph"] if n["@type"] == "VideoObject")


def test_step_times_become_the_videos_key_moments(timed: Callable[..., Path]) -> None:
    video = _video_node(timed())
    page = "https://example.org/leg-curl/"
    assert video["duration"] == "PT1M30S"
    assert video["embedUrl"] == f"https://www.youtube.com/embed/{VIDEO}"
    # YouTube publishes no media file: its watch page is the url, never the contentUrl.
    assert video["url"] == f"https://www.youtube.com/watch?v={VIDEO}"
    assert "contentUrl" not in video
    assert video["thumbnailUrl"] == f"https://i.ytimg.com/vi/{VIDEO}/hqdefault.jpg"
    assert video["hasPart"] == [
        {
            "@type": "Clip",
            "@id": f"{page}#clip-1",
            "name": "Lie Down",
            "startOffset": 5,
            "endOffset": 42,
            "url": f"https://www.youtube.com/watch?v={VIDEO}&t=5s",
        },
        {
            "@type": "Clip",
            "@id": f"{page}#clip-2",
            "name": "Curl Your Legs Up",
            "startOffset": 42,
            "endOffset": 70,
            "url": f"https://www.youtube.com/watch?v={VIDEO}&t=42s",
        },
        {
            "@type": "Clip",
            "@id": f"{page}#clip-3",
            "name": "Lower to the Start",
            "startOffset": 70,
            "endOffset": 90,  # the video's end
            "url": f"https://www.youtube.com/watch?v={VIDEO}&t=70s",
        },
    ]


def test_each_timed_step_names_its_clip_and_an_untimed_one_none(
    timed: Callable[..., Path],
) -> None:
    exercise = parse_seed(timed(extra="", second="")).exercise
    assert exercise is not None
    document = exercise_document(exercise, SETTINGS)
    howto = next(n for n in document["@graph"] if n["@type"] == "HowTo")
    assert [step.get("video") for step in howto["step"]] == [
        {"@id": "https://example.org/leg-curl/#clip-1"},
        None,
        {"@id": "https://example.org/leg-curl/#clip-3"},
    ]
    video = next(n for n in document["@graph"] if n["@type"] == "VideoObject")
    # Without a duration the last moment has no end; each other ends where the next starts.
    assert [(c["startOffset"], c.get("endOffset")) for c in video["hasPart"]] == [
        (5, 70),
        (70, None),
    ]
    assert "duration" not in video


def test_video_times_give_the_same_moments_as_times_in_the_headings(
    timed: Callable[..., Path],
) -> None:
    in_headings = _video_node(timed())
    listed = _video_node(
        timed(
            extra='duration: PT1M30S\nvideo_times: ["0:05", "0:42", 1:10]',
            first="",
            second="",
            third="",
        )
    )
    assert listed == in_headings


def test_a_step_name_with_an_at_sign_is_not_a_time(timed: Callable[..., Path]) -> None:
    exercise = parse_seed(timed(first=" @ the top", second="", third="")).exercise
    assert exercise is not None
    assert exercise.howto[0].name == "Lie Down @ the top"
    assert exercise.howto[0].video_time is None


@pytest.mark.parametrize(
    ("change", "line_starts", "message"),
    [
        ({"second": " @ 0:4x"}, "### Curl", "step time '0:4x' is not a time: write m:ss"),
        ({"second": " @ 0:04"}, "### Curl", "starts at 0:04, not after the step before it"),
        ({"third": " @ 1:30"}, "### Lower", "past the end of the video (1:30, its duration)"),
        ({"extra": "duration: 1h30"}, "duration:", "'1h30' is not a time"),
        ({"extra": "duration: PT1M30"}, "duration:", "'PT1M30' is not an ISO 8601 duration"),
        ({"extra": "duration: 0:00"}, "duration:", "is no time at all"),
        (
            {"extra": 'video_times: ["0:01", "0:02", "0:03"]'},
            "### Lie Down",
            "this step's time is given twice",
        ),
        (
            {"extra": 'video_times: ["0:01", "0:02"]', "first": "", "second": "", "third": ""},
            "video_times:",
            "video_times gives 2 times for 3 howto steps",
        ),
        (
            {"extra": 'video_times:\n  - "0:01"\n  - "0:03"\n  - "0:02"', "first": "",
             "second": "", "third": ""},
            '  - "0:02"',
            "'Lower to the Start' starts at 0:02, not after",
        ),
    ],
)  # fmt: skip
def test_a_time_that_cannot_be_right_is_an_error_at_its_line(
    timed: Callable[..., Path], change: dict[str, str], line_starts: str, message: str
) -> None:
    path = timed(**{"extra": "duration: 1:30", **change})
    result = parse_seed(path)
    assert result.exercise is None
    text = path.read_text("utf-8")
    errors = [(d.line, d.message) for d in result.diagnostics if d.level.value == "error"]
    assert errors, result.diagnostics
    line, said = errors[0]
    assert message in said
    assert line == line_of(text, line_starts)


def test_step_times_without_a_video_are_an_error(tmp_path: Path) -> None:
    path = tmp_path / "curl.md"
    text = TIMED.format(extra="", first=" @ 0:05", second="", third="", video=VIDEO)
    path.write_text(text.replace(f"video: {VIDEO}\n", ""), "utf-8")
    [error] = [d for d in parse_seed(path).diagnostics if d.level.value == "error"]
    assert error.line == line_of(path.read_text("utf-8"), "### Lie Down")
    assert "the seed has none: add video:" in error.message


def test_the_page_loads_the_player_only_when_asked(
    timed: Callable[..., Path], tmp_path: Path
) -> None:
    path = timed()
    out = tmp_path / "out"
    assert export([path.parent], out, SETTINGS, formats=["html", "jsonld"], jobs=1).errors == 0
    page = (out / "html" / "leg-curl" / "index.html").read_text("utf-8")
    markup = json.loads((out / "jsonld" / "leg-curl.jsonld").read_text("utf-8"))
    video = next(n for n in markup["@graph"] if n["@type"] == "VideoObject")
    # The player the button makes is the one the markup names; nothing is loaded before.
    assert "<iframe" not in page
    assert re.findall(r'data-embed="([^"]+)"', page) == [video["embedUrl"]]
    assert 'src="http' not in page  # not even the thumbnail: nothing from YouTube
    # Each step's time seeks the player (or, without scripts, opens the video there).
    seeks = re.findall(r'<a class="seek" href="([^"]+)" data-seek="(\d+)"', page)
    assert seeks == [(clip["url"].replace("&", "&amp;"), str(clip["startOffset"]))
                     for clip in video["hasPart"]]  # fmt: skip
    assert 'aria-label="Watch from 0:42">0:42</a>' in page
    # The page's scripts, the player's and the file links', run because the policy names
    # their hashes; no other script may.
    scripts = re.findall(r"<script>(.*?)</script>", page, re.DOTALL)
    assert scripts == [PLAYER_SCRIPT, LINKS_SCRIPT]
    digests = [
        base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode()
        for script in (LINKS_SCRIPT, PLAYER_SCRIPT)
    ]
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)
    assert policy is not None
    hashes = " ".join(f"&#x27;sha256-{digest}&#x27;" for digest in digests)
    assert f"script-src {hashes};" in policy[1]
    assert "unsafe-inline" not in policy[1].split("script-src")[1].split(";")[0]


def test_a_page_without_a_video_has_no_player_script(
    leg_curl: Callable[..., Path], tmp_path: Path
) -> None:
    path = leg_curl("level: beginner")
    out = tmp_path / "out"
    assert export([path.parent], out, SETTINGS, formats=["html"], jobs=1).errors == 0
    page = (out / "html" / "leg-curl" / "index.html").read_text("utf-8")
    assert PLAYER_SCRIPT not in page and "data-seek" not in page
    # Only the file links' script, which does nothing on a served page.
    assert re.findall(r"<script>(.*?)</script>", page, re.DOTALL) == [LINKS_SCRIPT]


@given(st.integers(min_value=1, max_value=24 * 3600))
def test_a_duration_is_read_back_as_the_seconds_it_was_written_from(seconds: int) -> None:
    iso = iso_duration(seconds)
    assert TypeAdapter(dt.timedelta).validate_python(iso).total_seconds() == seconds
    assert parse_duration(iso) == seconds
    assert parse_duration(clock(seconds)) == seconds
    assert parse_clock(clock(seconds)) == seconds


def test_clock_times_as_authors_write_them() -> None:
    assert parse_clock("0:42") == 42
    assert parse_clock("12:05") == 725
    assert parse_clock("1:02:30") == 3750
    assert parse_duration(90) == 90  # what YAML makes of 1:30
    for wrong in ("0:4", "1:60", "1:2:3", "42", "a:bc", "1:02:30:00"):
        with pytest.raises(ValueError, match="is not a time"):
            parse_clock(wrong)


def test_validate_finds_a_page_whose_player_is_not_the_marked_up_video(
    timed: Callable[..., Path], tmp_path: Path
) -> None:
    from pipeline.validation import validate_file

    path = timed()
    out = tmp_path / "out"
    assert export([path.parent], out, SETTINGS, formats=["html"], jobs=1).errors == 0
    page = out / "html" / "leg-curl" / "index.html"
    assert validate_file(page) == []
    other = page.read_text("utf-8").replace(
        f'data-embed="https://www.youtube.com/embed/{VIDEO}"',
        'data-embed="https://www.youtube.com/embed/aaaaaaaaaaa"',
    )
    page.write_text(other, "utf-8")
    [problem] = validate_file(page)
    assert f"embedUrl 'https://www.youtube.com/embed/{VIDEO}' is not a player on the page" in str(
        problem
    )


def test_validate_refuses_a_watch_page_as_the_videos_file(timed: Callable[..., Path]) -> None:
    exercise = parse_seed(timed()).exercise
    assert exercise is not None
    document = exercise_document(exercise, SETTINGS)
    video = next(n for n in document["@graph"] if n["@type"] == "VideoObject")
    video["contentUrl"] = f"https://www.youtube.com/watch?v={VIDEO}"
    [problem] = validate_document(document)
    assert "is a page on www.youtube.com, not the video file" in str(problem)
    video["contentUrl"] = "https://media.example.org/leg-curl.mp4"
    assert validate_document(document) == []
