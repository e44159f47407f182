"""No input, text or bytes, escapes the parser as anything but a clean diagnostic."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.diagnostics import Level
from pipeline.parser import parse_seed_bytes

SHIPPED = (
    b'---\nvideo: "vl5nUdE9mWM"\ndescription: "d"\n---\n## Setup\n1. **A**: b\n'
    b"## Execution\n1. x\n## Tips\n- t\n<!-- howto -->\n### S\nT\n"
)
FRAGMENTS = [
    "---\n",
    "description: d\n",
    "video: ",
    "## Setup\n",
    "## Execution\n",
    "## Tips\n",
    "## Common Mistakes\n",
    "1. ",
    "- ",
    "**L**: ",
    "<!-- howto -->\n",
    "### ",
    "\n",
    "&a ",
    "*a",
    "!!python/object ",
    "[",
    "{",
    ": ",
    "`",
    "<b>",
    "\r\n",
    "\ufeff",
    "   - ",
    "> ",
]


def _check(data: bytes) -> None:
    result = parse_seed_bytes(data, "seeds/fuzz.md", stem="fuzz")
    line_count = data.count(b"\n") + 1
    for diagnostic in result.diagnostics:
        assert diagnostic.path == "seeds/fuzz.md"
        assert 1 <= diagnostic.line <= line_count + 1, diagnostic
        assert diagnostic.message
    assert (result.exercise is None) == any(d.level is Level.ERROR for d in result.diagnostics)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_random_bytes(data: bytes) -> None:
    _check(data)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=20), max_size=40))
def test_markdown_shaped_text(parts: list[str]) -> None:
    _check("".join(parts).encode("utf-8", "surrogatepass"))


@settings(max_examples=300, deadline=None)
@given(st.integers(0, len(SHIPPED)), st.binary(max_size=8))
def test_cut_and_mangled_seed(cut: int, junk: bytes) -> None:
    _check(SHIPPED[:cut] + junk + SHIPPED[cut:])
