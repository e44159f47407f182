"""A real browser reads each generated page: headless Chromium parses the JSON-LD script with
``JSON.parse`` in the page and must get exactly the ``.jsonld`` document, and no text from a
seed may run as a script."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from pipeline.config import Settings
from pipeline.engine import export
from pipeline.pages.finder import FINDER_SCRIPT
from pipeline.pages.render import LINKS_SCRIPT, PLAYER_SCRIPT
from tests.conftest import SHIPPED_SEED, time_the_shipped_video

HOSTILE_SEED = Path(__file__).parent / "fixtures" / "jsonld" / "hostile-curl.md"

# Runs first in the page: any alert() an injected script makes is recorded, not shown.
SENTINEL = "<script>window.__alerts = []; window.alert = (m) => window.__alerts.push(String(m));"
SENTINEL += "</script>"
# Runs last: what the browser made of the page, written into the DOM for --dump-dom.
CHECKER = """<script>
(() => {
  const found = document.querySelectorAll('script[type="application/ld+json"]');
  const result = {
    jsonld: found.length, scripts: document.scripts.length, alerts: window.__alerts,
    title: document.title, h1: document.querySelector("h1").textContent, parsed: null,
  };
  try { result.parsed = JSON.parse(found[0].textContent); }
  catch (error) { result.error = String(error); }
  const out = document.createElement("pre");
  out.id = "browser-check";
  out.textContent = JSON.stringify(result);
  document.body.append(out);
})();
</script>"""


def _chromium() -> str:
    found = shutil.which("chromium")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is not installed; CI must install Debian's chromium package")
        pytest.skip("no chromium binary installed (install Debian's chromium package)")
    return found


def _read_in_browser(chromium: str, page: Path, profile: Path) -> dict[str, Any]:
    text = page.read_text("utf-8")
    # The page's Content-Security-Policy forbids every script, the checker's too; without it,
    # escaping alone must keep injected text from running, which is what this test proves.
    text, removed = re.subn(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", text)
    assert removed == 1
    text = text.replace("<head>", "<head>" + SENTINEL, 1).replace("</body>", CHECKER + "</body>")
    probe = page.with_name(f"probe-{page.name}")
    probe.write_text(text, "utf-8")
    return _check_in_browser(chromium, probe, profile)


def _check_in_browser(chromium: str, probe: Path, profile: Path) -> dict[str, Any]:
    """Open ``probe`` in headless Chromium, with no network, and read back what its checker
    script wrote into the page."""
    completed = subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            f"--user-data-dir={profile}",
            "--dump-dom",
            probe.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    match = re.search(r'<pre id="browser-check">(.*?)</pre>', completed.stdout, re.DOTALL)
    assert match, f"chromium exited {completed.returncode}: {completed.stderr[-2000:]}"
    result: dict[str, Any] = json.loads(html.unescape(match.group(1)))
    return result


def test_browser_parses_exactly_the_jsonld_and_runs_no_seed_text(seeds_dir: Path) -> None:
    chromium = _chromium()
    shutil.copy(HOSTILE_SEED, seeds_dir / HOSTILE_SEED.name)
    out = seeds_dir.parent / "out"
    report = export(
        [seeds_dir], out, Settings(base_url="https://gym.example.com/"), ["jsonld", "html"]
    )
    assert report.errors == 0
    pages = sorted((out / "html").rglob("*.html"))
    names = [p.relative_to(out / "html").as_posix() for p in pages]
    assert names == [
        "hostile-curl/index.html",
        "index.html",
        "leverage-machine-lying-leg-curl/index.html",
    ]
    for page in pages:
        result = _read_in_browser(chromium, page, seeds_dir.parent / "profile")
        assert result.get("error") is None, page
        assert result["jsonld"] == 1
        # The sentinel, the JSON-LD, the checker and, on a page with a video, the player's
        # own script (on the index, the finder's), and the file links' on every page: nothing
        # in the page became a script.
        text = page.read_text("utf-8")
        own = (PLAYER_SCRIPT in text) + (FINDER_SCRIPT in text) + (LINKS_SCRIPT in text)
        assert LINKS_SCRIPT in text
        assert result["scripts"] == 3 + own, page
        assert result["alerts"] == []
        if page.parent == out / "html":
            continue
        expected = json.loads((out / "jsonld" / f"{page.parent.name}.jsonld").read_text("utf-8"))
        assert result["parsed"] == expected
        howto = next(n for n in expected["@graph"] if n["@type"] == "HowTo")
        assert result["title"] == result["h1"] == howto["name"]
    hostile = _read_in_browser(
        chromium, out / "html/hostile-curl/index.html", seeds_dir.parent / "p2"
    )
    assert hostile["h1"] == "Curl </script><script>alert(1)</script> & <!-- x"


# Runs first in a page that keeps its policy: records script errors and policy violations.
WATCHER = (
    "window.__errors = [];"
    'addEventListener("error", (e) => window.__errors.push(String(e.message)));'
    'document.addEventListener("securitypolicyviolation", (e) =>'
    ' window.__errors.push("blocked by " + e.violatedDirective + ": " + e.blockedURI));'
)
# Runs last: presses what the reader presses and writes what became of the player.
PRESSER = """(() => {
  const press = (el) => el.dispatchEvent(
    new MouseEvent("click", { bubbles: true, cancelable: true, button: 0 }));
  const frame = () => document.querySelector(".player iframe");
  const loaded = () => performance.getEntriesByType("resource").map((e) => e.name);
  const result = { before: loaded(), frameBefore: frame() !== null, pressed: [] };
  for (const selector of PRESS) {
    press(document.querySelector(selector));
    const now = frame();
    result.pressed.push({
      src: now && now.src, title: now && now.title,
      frames: document.querySelectorAll("iframe").length,
    });
  }
  result.errors = window.__errors;
  const out = document.createElement("pre");
  out.id = "browser-check";
  out.textContent = JSON.stringify(result);
  document.body.append(out);
})();"""


def _sha256(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"


def _press_in_browser(chromium: str, page: Path, profile: Path, press: list[str]) -> dict[str, Any]:
    """Load ``page`` under its own policy (which lets the two probe scripts run by their
    hashes too, and nothing else), press each selector in turn, and report the player."""
    presser = PRESSER.replace("PRESS", json.dumps(press))
    text = page.read_text("utf-8")
    policy = re.search(r'(<meta http-equiv="Content-Security-Policy" content=")([^"]*)(">)', text)
    assert policy is not None
    allowed = policy[2].replace("script-src ", f"script-src {_sha256(WATCHER)} {_sha256(presser)} ")
    allowed = html.escape(html.unescape(allowed))
    meta = f"{policy[1]}{allowed}{policy[3]}<script>{WATCHER}</script>"
    text = text.replace(policy[0], meta, 1).replace("</body>", f"<script>{presser}</script></body>")
    probe = page.with_name(f"probe-{page.name}")
    probe.write_text(text, "utf-8")
    return _check_in_browser(chromium, probe, profile)


def test_pressing_play_or_a_steps_time_makes_the_player_there(seeds_dir: Path) -> None:
    chromium = _chromium()
    time_the_shipped_video(seeds_dir / SHIPPED_SEED.name)
    out = seeds_dir.parent / "out"
    settings = Settings(base_url="https://gym.example.com/")
    assert export([seeds_dir], out, settings, ["html"]).errors == 0
    page = out / "html" / "leverage-machine-lying-leg-curl" / "index.html"
    embed = "https://www.youtube.com/embed/vl5nUdE9mWM"

    played = _press_in_browser(chromium, page, seeds_dir.parent / "p1", ["a.play"])
    # Nothing came from the web before the reader pressed play: the pictures are the page's.
    assert not [url for url in played["before"] if not url.startswith("file:")]
    assert played["frameBefore"] is False
    assert played["pressed"] == [
        {
            "src": f"{embed}?autoplay=1",
            "title": "Video: Leverage Machine Lying Leg Curl",
            "frames": 1,
        }
    ]
    assert played["errors"] == []

    # A step's time starts the player at it; another time replaces it with one started there.
    sought = _press_in_browser(
        chromium, page, seeds_dir.parent / "p2", ["#step-3 a.seek", "#step-4 a.seek"]
    )
    assert [(p["src"], p["frames"]) for p in sought["pressed"]] == [
        (f"{embed}?autoplay=1&start=42", 1),
        (f"{embed}?autoplay=1&start=70", 1),
    ]
    assert sought["errors"] == []
