"""The training prescription a seed may give: sets, reps, rest, tempo and the machine's
settings, read from how people write them (``8-12``, ``90s``, ``1:30``, ``3-1-1-0``) and
shown back in the words of a language.

Reading is strict: a value that is not one of these forms is an error at its line, never a
guess, since a card pinned beside a machine is read and followed as printed.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipeline.i18n.labels import Labels
    from pipeline.model import Prescription

MAX_SETS = 20
MAX_REPS = 100
MAX_REST_SECONDS = 3600
MAX_TIME_SECONDS = 4 * 3600
MAX_SETTINGS = 6
MAX_SETTING_NAME = 24
MAX_SETTING_VALUE = 40

_REPS = re.compile(r"^\s*(\d{1,3})\s*(?:[-\u2013\u2014]|to)\s*(\d{1,3})\s*$")
_NUMBER = re.compile(r"^\s*(\d{1,4})\s*$")
_CLOCK = re.compile(r"^\s*(\d{1,2}):([0-5]\d)\s*$")
_DURATION = re.compile(
    r"^\s*(?:(?P<minutes>\d{1,2})\s*(?:min|mins|minutes?|m)\b\s*)?"
    r"(?:(?P<seconds>\d{1,4})\s*(?:s|sec|secs|seconds?)\b)?\s*$",
    re.IGNORECASE,
)
_TEMPO_DASHED = re.compile(r"^\s*([0-9xX])-([0-9xX])-([0-9xX])-([0-9xX])\s*$")
_TEMPO_PACKED = re.compile(r"^\s*([0-9xX])([0-9xX])([0-9xX])([0-9xX])\s*$")


def parse_sets(value: str) -> int:
    """The number of sets, 1 to :data:`MAX_SETS`."""
    match = _NUMBER.match(value)
    if not match or not 1 <= int(match[1]) <= MAX_SETS:
        raise ValueError(f"'{value}' is not a number of sets from 1 to {MAX_SETS}")
    return int(match[1])


def parse_reps(value: str) -> tuple[int, int]:
    """Repetitions as ``(fewest, most)``: ``10`` is ``(10, 10)``, ``8-12`` is ``(8, 12)``."""
    single = _NUMBER.match(value)
    low, high = (single[1], single[1]) if single else _range(value)
    first, last = int(low), int(high)
    if not 1 <= first <= last <= MAX_REPS:
        if first > last:
            raise ValueError(f"'{value}' goes down (the fewer first: {last}-{first})")
        raise ValueError(f"'{value}' is not a number of repetitions from 1 to {MAX_REPS}")
    return first, last


def _range(value: str) -> tuple[str, str]:
    match = _REPS.match(value)
    if not match:
        raise ValueError(f"'{value}' is not a number of repetitions or a range")
    return match[1], match[2]


def parse_rest(value: str) -> int:
    """The rest between sets, in seconds: ``90``, ``90s``, ``90 s``, ``2 min``, ``1:30``,
    ``1 min 30 s``."""
    seconds = _rest_seconds(value)
    if seconds is None:
        raise ValueError(f"'{value}' is not a rest time")
    if not 1 <= seconds <= MAX_REST_SECONDS:
        raise ValueError(f"'{value}' is not a rest from 1 second to {MAX_REST_SECONDS // 60} min")
    return seconds


def _rest_seconds(value: str) -> int | None:
    if match := _NUMBER.match(value):
        return int(match[1])
    if match := _CLOCK.match(value):
        return int(match[1]) * 60 + int(match[2])
    match = _DURATION.match(value)
    if not match or not (match["minutes"] or match["seconds"]):
        return None
    return int(match["minutes"] or 0) * 60 + int(match["seconds"] or 0)


def parse_total_time(value: str) -> int:
    """The time the whole exercise takes as prescribed, every set and rest, in seconds: as a
    rest is written (``12 min``, ``90s``, ``1:30``), ``h:mm:ss`` or ISO 8601 (``PT12M``)."""
    from pipeline.video_times import parse_duration

    seconds = _rest_seconds(value)
    if seconds is None:
        try:
            seconds = parse_duration(value)
        except ValueError:
            raise ValueError(f"'{value}' is not a time") from None
    if not 1 <= seconds <= MAX_TIME_SECONDS:
        raise ValueError(
            f"'{value}' is not a time from 1 second to {MAX_TIME_SECONDS // 3600} hours"
        )
    return seconds


def parse_tempo(value: str) -> str:
    """A lifting tempo as its four phases (lowering, pause, lifting, pause), each a number of
    seconds or ``X`` (as fast as possible): ``3-1-1-0`` or ``31X0``, kept as ``3-1-X-0``."""
    match = _TEMPO_DASHED.match(value) or _TEMPO_PACKED.match(value)
    if not match:
        raise ValueError(f"'{value}' is not a tempo")
    return "-".join(phase.upper() for phase in match.groups())


def check_setting(name: str, value: str) -> None:
    """Refuse a machine setting too long to print on the card's one line of them."""
    if not name.strip():
        raise ValueError("a setting has no name")
    if len(name) > MAX_SETTING_NAME:
        raise ValueError(f"the setting name '{name}' is over {MAX_SETTING_NAME} characters")
    if not value.strip():
        raise ValueError(f"the setting '{name}' has no value")
    if len(value) > MAX_SETTING_VALUE:
        raise ValueError(f"the setting '{name}' is over {MAX_SETTING_VALUE} characters")


def rest_parts(seconds: int) -> tuple[int, int]:
    """``seconds`` as whole minutes and the seconds left over."""
    return divmod(seconds, 60)


def rest_text(seconds: int, labels: Labels) -> str:
    """The rest as a reader takes it in: seconds under two minutes (``90 s``), else minutes
    and any seconds (``2 min``, ``2 min 30 s``), in the units of ``labels``' language."""
    minutes, left = rest_parts(seconds)
    if seconds < 120:
        return labels.text("rest_seconds", n=str(seconds))
    shown = labels.text("rest_minutes", n=str(minutes))
    return f"{shown} {labels.text('rest_seconds', n=str(left))}" if left else shown


def reps_text(low: int, high: int, labels: Labels) -> str:
    """``10 reps`` or ``8-12 reps`` (an en dash), the plural form chosen by the larger."""
    counted = labels.count("reps", high)
    return counted if low == high else counted.replace(str(high), f"{low}\u2013{high}", 1)


def facts(prescription: Prescription, labels: Labels) -> list[str]:
    """The prescription's numbers as a reader takes them in: ``3 sets``, ``10-12 reps``,
    ``Rest 90 s``, ``Tempo 3-1-X-0``, ``Total time 12 min`` (those the seed gives), in
    ``labels``' language."""
    shown = []
    if prescription.sets is not None:
        shown.append(labels.count("sets", prescription.sets))
    if prescription.reps_min is not None and prescription.reps_max is not None:
        shown.append(reps_text(prescription.reps_min, prescription.reps_max, labels))
    if prescription.rest_seconds is not None:
        shown.append(labels.text("rest", time=rest_text(prescription.rest_seconds, labels)))
    if prescription.tempo is not None:
        shown.append(labels.text("tempo", tempo=prescription.tempo))
    if prescription.time_seconds is not None:
        time = rest_text(prescription.time_seconds, labels)
        shown.append(labels.text("total_time", time=time))
    return shown


def setting_names(prescription: Prescription) -> list[tuple[str, str]]:
    """Each machine setting as ``(name, value)``, the name capitalised as a label."""
    return [(s.name[:1].upper() + s.name[1:], s.value) for s in prescription.settings]
