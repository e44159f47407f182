"""`pipeline serve`, end to end: it exports and serves the site, a changed seed is on the page
within two seconds and the open page reloads itself, a broken seed's errors take the pages'
place, a deleted seed's page goes, a port in use is a clear error, and Ctrl-C stops it."""

from __future__ import annotations

import contextlib
import html
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pipeline.diagnostics import Diagnostic, Level
from pipeline.serve import RELOAD_SCRIPT, Build, _script_hash, served_page
from tests.conftest import SHIPPED_SEED, copy_pictures, fetch
from tests.test_browser import _chromium

SLUG = SHIPPED_SEED.stem


def _fetch(url: str) -> tuple[int, str]:
    status, body = fetch(url)
    return status, body.decode("utf-8")


def _until(check: Any, seconds: float) -> float:
    """Seconds until ``check()`` is true, failing the test after ``seconds``."""
    started = time.monotonic()
    while not check():
        assert time.monotonic() - started < seconds, "not in time"
        time.sleep(0.05)
    return time.monotonic() - started


@pytest.fixture
def serving(tmp_path: Path) -> Iterator[tuple[str, Path, subprocess.Popen[str]]]:
    """``pipeline serve`` on a copy of the shipped seed, on a free port: its URL, the seeds
    folder and the process."""
    with _serving(tmp_path) as served:
        yield served


@pytest.fixture
def serving_branded(tmp_path: Path) -> Iterator[tuple[str, Path, subprocess.Popen[str]]]:
    """``serving``, run in a folder whose ``pipeline.toml`` names the gym and its logo."""
    (tmp_path / "logo.svg").write_text(_logo("#b42318"), "utf-8")
    (tmp_path / "pipeline.toml").write_text(
        '[brand]\nname = "Northside Gym"\nlogo = "logo.svg"\n', "utf-8"
    )
    with _serving(tmp_path) as served:
        yield served


def _logo(colour: str) -> str:
    return (
        "<svg xmlns='http://www.w3.org/2000/svg' width='90' height='20'>"
        f"<rect width='90' height='20' fill='{colour}'/></svg>"
    )


@contextlib.contextmanager
def _serving(tmp_path: Path) -> Iterator[tuple[str, Path, subprocess.Popen[str]]]:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / SHIPPED_SEED.name).write_bytes(SHIPPED_SEED.read_bytes())
    copy_pictures(seeds)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pipeline",
            "serve",
            str(seeds),
            "--port",
            "0",
            "-o",
            str(tmp_path / "out"),
        ],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert first.startswith("serving http://127.0.0.1:"), first
        yield first.split()[1], seeds, process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


def test_a_change_is_on_the_page_within_two_seconds_and_ctrl_c_stops_it(
    serving: tuple[str, Path, subprocess.Popen[str]],
) -> None:
    url, seeds, process = serving
    page = f"{url}{SLUG}/"
    _until(lambda: _fetch(page)[0] == 200, 30)
    assert "<h1>Leverage Machine Lying Leg Curl</h1>" in _fetch(page)[1]
    seed = seeds / SHIPPED_SEED.name
    seed.write_text(
        seed.read_text("utf-8").replace("Isolate your hamstrings", "Train your hamstrings"), "utf-8"
    )
    assert _until(lambda: "Train your hamstrings" in _fetch(page)[1], 2.0) < 2.0
    # A broken seed: its errors, at their lines, in place of every page.
    (seeds / "broken.md").write_text("---\ndescription: [\n---\n", "utf-8")
    _until(lambda: "The seeds have errors" in _fetch(page)[1], 5)
    assert f"{seeds / 'broken.md'}:3: error: YAML syntax error" in _fetch(page)[1]
    (seeds / "broken.md").unlink()
    _until(lambda: "<h1>Leverage Machine Lying Leg Curl</h1>" in _fetch(page)[1], 5)
    # A deleted seed's page goes.
    seed.unlink()
    _until(lambda: _fetch(page)[0] == 404, 5)
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=10) == 0
    assert process.stdout is not None
    assert process.stdout.read().splitlines()[-1] == "stopped"


def test_a_changed_settings_file_is_read_again_and_bad_settings_take_the_pages_place(
    serving_branded: tuple[str, Path, subprocess.Popen[str]], tmp_path: Path
) -> None:
    url, _, process = serving_branded
    page = f"{url}{SLUG}/"
    _until(lambda: _fetch(page)[0] == 200, 30)
    assert '<meta property="og:site_name" content="Northside Gym">' in _fetch(page)[1]
    card = url.replace("/html/", f"/cards/{SLUG}.pdf")
    first = fetch(card)[1]
    # A new logo under the same name, beside the settings and not among the seeds.
    (tmp_path / "logo.svg").write_text(_logo("#1d5fa6"), "utf-8")
    _until(lambda: fetch(card)[1] != first, 5)
    settings = tmp_path / "pipeline.toml"
    settings.write_text('[brand]\nname = "Riverside Gym"\nlogo = "logo.svg"\n', "utf-8")
    _until(lambda: 'content="Riverside Gym"' in _fetch(page)[1], 5)
    # Settings that cannot be used: their errors, naming the key, on every page.
    settings.write_text('[brand]\nname = "Riverside Gym"\naccent = "blue"\n', "utf-8")
    _until(lambda: "The seeds have errors" in _fetch(page)[1], 5)
    assert "pipeline.toml: error: brand.accent: &#x27;blue&#x27; is not a colour" in _fetch(page)[1]
    settings.write_text('[brand]\nname = "Riverside Gym"\naccent = "#1d5fa6"\n', "utf-8")
    _until(lambda: 'content="Riverside Gym"' in _fetch(page)[1], 5)
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=10) == 0
    assert process.stdout is not None
    said = process.stdout.read()
    assert "pipeline.toml: error: brand.accent: 'blue' is not a colour" in said
    assert said.splitlines()[-1] == "stopped"


def test_the_open_page_reloads_itself_under_its_own_policy(
    serving: tuple[str, Path, subprocess.Popen[str]],
) -> None:
    from playwright.sync_api import sync_playwright

    url, seeds, _ = serving
    page_url = f"{url}{SLUG}/"
    _until(lambda: _fetch(page_url)[0] == 200, 30)
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=_chromium(), args=["--no-sandbox"])
        try:
            page = browser.new_page()
            problems: list[str] = []
            page.on(
                "console",
                lambda m: problems.append(m.text) if m.type in ("error", "warning") else None,
            )
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.goto(page_url)
            seed = seeds / SHIPPED_SEED.name
            seed.write_text(
                seed.read_text("utf-8").replace("Isolate your hamstrings", "Reloaded hamstrings"),
                "utf-8",
            )
            # Playwright's own world waits: the page's policy lets no other script run.
            page.locator(".lede", has_text="Reloaded hamstrings").wait_for(timeout=5000)
            assert problems == []
        finally:
            browser.close()


def test_a_port_in_use_is_a_clear_error(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "pipeline", "serve", "--port", str(port)],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert done.returncode == 1
    assert f"error: port {port} on 127.0.0.1 is in use" in done.stderr + done.stdout


def test_a_served_page_lets_the_reload_script_run_and_errors_are_escaped() -> None:
    page = (
        '<html lang="en">\n<head>\n<meta http-equiv="Content-Security-Policy" '
        'content="default-src &#x27;none&#x27;; script-src &#x27;sha256-x&#x27;">\n</head>'
        "\n<body>\n<p>Hi</p>\n</body>\n</html>\n"
    )
    build = Build(number=3)
    served = served_page(page, build)
    policy = html.unescape(served.split('content="', 1)[1].split('"', 1)[0])
    assert f"script-src {_script_hash(RELOAD_SCRIPT)} 'sha256-x';" in policy
    assert policy.endswith("connect-src 'self'")
    assert '<html data-build="3" lang="en">' in served
    assert served.count(RELOAD_SCRIPT) == 1 and "<p>Hi</p>" in served
    build.errors = [Diagnostic("seeds/a.md", 2, Level.ERROR, "bad <b>thing</b>")]
    failing = served_page(page, build)
    assert "<p>Hi</p>" not in failing
    assert "seeds/a.md:2: error: bad &lt;b&gt;thing&lt;/b&gt;" in failing
