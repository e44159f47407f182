"""The index page's finder at scale: 10,000 exercises, searched and filtered in headless
Chromium as a reader types.

    python -m bench.finder [--count 10000] [--languages en,de,ru]

It exports the corpus's pages (``-f html``), serves the folder, opens the index, and for each
keystroke of a few searches (and each filter chosen, and Clear) measures the time from the
input event to the end of the next frame the browser paints: what the reader waits for. It
reports the median and the slowest keystroke, and the size of ``index.json`` as written and
compressed with gzip as a web server sends it. Targets: under 100 ms a keystroke, the data
under 2 MB. With ``--languages``, each language's index is measured (``--count`` counts the
seeds of all of them, as ``bench.corpus`` does: 30,000 in three languages is 10,000 each).
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from bench.corpus import build_corpus

TARGETS = {"a keystroke, to the next frame": "< 100 ms", "index.json": "< 2 MB"}
SEARCHES = {
    "en": ("hamstring", "dumbbell press", "curl", "stretch", "zzz"),
    "de": ("beinbeuger", "kurzhantel drücken", "curl", "dehnung", "zzz"),
    "ru": ("бицепс", "жим гантелей", "сгибание", "растяжка", "zzz"),
}

# Types one character (or chooses one value) and resolves with the milliseconds from the input
# event to the frame after the one that shows its result, and those the script took.
_STEP = """async ([selector, value]) => {
  const field = document.querySelector(selector);
  const started = performance.now();
  field.value = value;
  field.dispatchEvent(new Event("input", { bubbles: true }));
  const handled = performance.now() - started;
  await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
  return [performance.now() - started, handled];
}"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def _measure(url: str, chromium: str, lang: str) -> dict[str, list[list[float]]]:
    from playwright.sync_api import sync_playwright

    times: dict[str, list[list[float]]] = {"type": [], "filter": [], "clear": []}
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        started = time.perf_counter()
        page.goto(url)
        page.wait_for_selector("form.finder:not([hidden])")
        print(f"  index ready in {time.perf_counter() - started:.2f} s (load, fetch, parse)")
        for search in SEARCHES.get(lang, SEARCHES["en"]):
            for end in range(1, len(search) + 1):
                times["type"].append(page.evaluate(_STEP, ["#finder-q", search[:end]]))
            times["clear"].append(page.evaluate(_STEP, ["#finder-q", ""]))
        for name in ("muscle", "equipment", "level", "category"):
            options = page.locator(f"#finder-{name} option").count()
            for value in range(min(options - 1, 6)):
                times["filter"].append(page.evaluate(_STEP, [f"#finder-{name}", str(value)]))
            times["clear"].append(page.evaluate(_STEP, [f"#finder-{name}", ""]))
        browser.close()
    return times


def _report(folder: Path, url: str, chromium: str, lang: str) -> None:
    """Measure the index page in ``folder``, served at ``url``, and print the figures."""
    data = (folder / "index.json").read_bytes()
    page = (folder / "index.html").read_bytes()
    print(f"finder, {page.count(b'<li><h2>'):,} exercises on the index at {url}")
    print(
        f"  index.json {len(data) / 1e6:.2f} MB ({len(gzip.compress(data)) / 1e6:.2f} MB "
        f"gzipped); index.html {len(page) / 1e6:.2f} MB "
        f"({len(gzip.compress(page)) / 1e6:.2f} MB gzipped)"
    )
    for kind, steps in _measure(url, chromium, lang).items():
        frames, scripts = [step[0] for step in steps], [step[1] for step in steps]
        print(
            f"  {kind:7} {len(steps):3} steps: to the next frame median "
            f"{statistics.median(frames):5.1f} ms, slowest {max(frames):5.1f} ms; the script "
            f"median {statistics.median(scripts):5.1f} ms, slowest {max(scripts):5.1f} ms"
        )


def main() -> None:
    """Command line: ``python -m bench.finder [--count N]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--languages", default="en")
    args = parser.parse_args()
    chromium = shutil.which("chromium")
    if chromium is None:
        sys.exit("bench.finder needs Chromium (Debian: chromium)")
    with tempfile.TemporaryDirectory() as work:
        seeds, out = Path(work) / "seeds", Path(work) / "out"
        build_corpus(args.count, seeds, languages=args.languages.split(","))
        subprocess.run(
            [sys.executable, "-m", "pipeline", "export", str(seeds), "-o", str(out), "-f", "html"],
            check=True,
            capture_output=True,
        )
        html = out / "html"
        handler = functools.partial(_Quiet, directory=str(html))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            for lang in args.languages.split(","):
                folder = "" if lang == "en" else f"{lang}/"
                url = f"http://127.0.0.1:{server.server_address[1]}/{folder}"
                _report(html / folder, url, chromium, lang)
        finally:
            server.shutdown()
            server.server_close()
            thread.join()
    for name, target in TARGETS.items():
        print(f"  target: {name} {target}")


if __name__ == "__main__":
    main()
