"""Times in a seed's video: how long it is (``duration``) and where each step starts in it
(``### Curl Your Legs Up @ 0:42``, or a ``video_times`` list), which the JSON-LD gives as
the video's key moments (``Clip``) and the page as links that start the player there.

A time is written as a clock, ``m:ss`` or ``h:mm:ss``; a duration may also be ISO 8601
(``PT1M30S``), which pydantic reads. YAML reads a clock that does not start with ``0``
(``1:30``) as a number of seconds in base 60 (90), so a number is taken as seconds.
"""

from __future__ import annotations

import datetime as dt
import re

from pydantic import TypeAdapter, ValidationError

_CLOCK = re.compile(r"(?:(\d{1,2}):([0-5]\d)|(\d{1,3})):([0-5]\d)")
_STEP_TIME = re.compile(r"^(?P<name>.*?)\s+@\s*(?P<time>\d\S*)$")
_ISO = TypeAdapter(dt.timedelta)
MAX_SECONDS = 24 * 3600
"""The longest video a time may point into: a day."""
CLOCK_ADVICE = "write m:ss or h:mm:ss, e.g. 0:42 or 1:02:30"


def parse_clock(text: str) -> int:
    """The seconds a clock time gives: ``0:42`` is 42, ``1:02:30`` is 3,750."""
    match = _CLOCK.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"'{text}' is not a time: {CLOCK_ADVICE}")
    hours, minutes, only_minutes, seconds = match.groups()
    if hours is not None:
        return int(hours) * 3600 + int(minutes) * 60 + int(seconds)
    return int(only_minutes) * 60 + int(seconds)


def parse_time(value: object) -> int:
    """A time into the video as the seed gives it: a clock, or a number of seconds (what
    YAML makes of ``1:30``)."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(f"{value!r} is not a time: {CLOCK_ADVICE}")
    seconds = value if isinstance(value, int) else parse_clock(value)
    if not 0 <= seconds <= MAX_SECONDS:
        raise ValueError(f"'{value}' is not a time within a day")
    return seconds


def parse_duration(value: object) -> int:
    """A video's length in seconds: ISO 8601 (``PT1M30S``), a clock (``1:30``) or a number
    of seconds; more than none, at most a day."""
    if isinstance(value, str) and value.strip()[:1] in ("P", "p"):
        try:
            length = _ISO.validate_python(value.strip().upper())
        except ValidationError:
            raise ValueError(
                f"'{value}' is not an ISO 8601 duration: write e.g. PT1M30S, or 1:30"
            ) from None
        seconds = length.total_seconds()
        if seconds != int(seconds):
            raise ValueError(f"'{value}' is not a whole number of seconds")
        value = int(seconds)
    seconds = parse_time(value)
    if seconds == 0:
        raise ValueError("is no time at all: give the video's length, e.g. 1:30")
    return seconds


def split_step_time(heading: str) -> tuple[str, str | None]:
    """A step heading's name and the time written after ``@`` at its end, if any
    (``Curl Your Legs Up @ 0:42``). Only an ``@`` followed by a digit starts a time, so a
    name such as ``Hold @ the top`` is left whole."""
    match = _STEP_TIME.match(heading)
    if match is None:
        return heading, None
    return match["name"].rstrip(), match["time"]


def clock(seconds: int) -> str:
    """``seconds`` as a reader reads a time in a video: ``0:42``, ``12:05``, ``1:02:30``."""
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


def iso_duration(seconds: int) -> str:
    """``seconds`` as an ISO 8601 duration: ``PT42S``, ``PT1M30S``, ``PT1H2M30S``."""
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = [f"{hours}H" if hours else "", f"{minutes}M" if minutes else ""]
    parts.append(f"{seconds}S" if seconds or not (hours or minutes) else "")
    return "PT" + "".join(parts)
