"""Shared fixtures: the shipped seed, a scratch seeds folder, and a pinned-width CLI runner."""

from __future__ import annotations

import contextlib
import functools
import http.server
import shutil
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from pipeline.model import Exercise
from pipeline.parser import parse_seed

ROOT = Path(__file__).resolve().parent.parent
SHIPPED_SEED = ROOT / "seeds" / "leverage-machine-lying-leg-curl.md"
SHIPPED_PICTURES = ROOT / "seeds" / "images"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextlib.contextmanager
def served(folder: Path) -> Iterator[str]:
    """``folder`` served over HTTP on a free port while the block runs: its URL."""
    folder.mkdir(parents=True, exist_ok=True)
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def fetch(url: str) -> tuple[int, bytes]:
    """The status and body of a GET of ``url``, bypassing any proxy (404 and the like are
    answers, not errors)."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=10) as response:
            return int(response.status), bytes(response.read())
    except urllib.error.HTTPError as error:
        return error.code, b""


def copy_pictures(folder: Path) -> None:
    """Put the shipped seed's pictures in ``folder/images``, where its text names them."""
    shutil.copytree(SHIPPED_PICTURES, folder / "images", dirs_exist_ok=True)


def line_of(text: str, start: str) -> int:
    """The 1-based number of the first line of ``text`` that starts with ``start``."""
    return next(n for n, line in enumerate(text.splitlines(), 1) if line.startswith(start))


def exercise_of(path: Path) -> Exercise:
    """The exercise a seed file parses to; fails the test, with its diagnostics, if it has none."""
    result = parse_seed(path)
    assert result.exercise is not None, [str(d) for d in result.diagnostics]
    return result.exercise


@pytest.fixture
def shipped_text() -> str:
    """The text of the seed the repository ships."""
    return SHIPPED_SEED.read_text("utf-8")


@pytest.fixture
def seeds_dir(tmp_path: Path) -> Path:
    """A seeds folder holding a copy of the shipped seed."""
    folder = tmp_path / "seeds"
    folder.mkdir()
    shutil.copy(SHIPPED_SEED, folder / SHIPPED_SEED.name)
    copy_pictures(folder)
    return folder


# The shipped video's upload date and moments are not known to the project, so the shipped
# seed does not give them; these are the tests' own, in the form an author writes them.
TEST_VIDEO_FACTS = "video_uploaded: 2024-03-01\nduration: 2:05\n"
TEST_STEP_TIMES = {
    "### Adjust and Position Yourself": "0:08",
    "### Grip the Handles": "0:31",
    "### Curl Your Legs Up": "0:42",
    "### Lower to the Start": "1:10",
}


def time_the_shipped_video(path: Path) -> Path:
    """Give the shipped seed at ``path`` an upload date, a duration and a time per step."""
    text = path.read_text("utf-8").replace("---\n", "---\n" + TEST_VIDEO_FACTS, 1)
    for heading, time in TEST_STEP_TIMES.items():
        assert heading + "\n" in text, heading
        text = text.replace(heading + "\n", f"{heading} @ {time}\n", 1)
    path.write_text(text, "utf-8")
    return path


@pytest.fixture
def write_seed(tmp_path: Path) -> Callable[[str, str | bytes], Path]:
    """Write a seed file into ``tmp_path/seeds`` (beside the shipped seed's pictures, which a
    seed made from its text names) and return its path."""

    def write(name: str, content: str | bytes) -> Path:
        path = tmp_path / "seeds" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        copy_pictures(tmp_path / "seeds")
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, "utf-8", newline="")
        return path

    return write


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A CLI runner with a fixed terminal width, so rich output is stable."""
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.delenv("PIPELINE_BASE_URL", raising=False)
    return CliRunner()


LEG_CURL = """---
description: "Curl your legs against a padded lever."
{extra}
---

## Execution
1. **Curl**: Bend your knees.

<!-- howto -->

### Curl
Bend your knees.
"""
"""A short seed whose frontmatter a test completes (``{extra}``)."""


@pytest.fixture
def leg_curl(tmp_path: Path) -> Callable[..., Path]:
    """Write :data:`LEG_CURL` with ``extra`` frontmatter lines as ``tmp_path/seeds/<name>``."""

    def write(extra: str, name: str = "leg-curl.md") -> Path:
        folder = tmp_path / "seeds"
        folder.mkdir(exist_ok=True)
        path = folder / name
        path.write_text(LEG_CURL.format(extra=extra), "utf-8")
        return path

    return write
