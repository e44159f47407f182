"""``pipeline serve``: the site and the cards on localhost, rebuilt as the seeds change, each
open page reloading itself when its build is done.

One export into the output folder (incremental, as ``pipeline export``), then a watcher
(watchfiles) that exports again when a seed or a picture changes, debounced, and another that
reads the settings again and exports when the settings file or the brand's logo changes. The
server serves the output folder as it is, with two changes to the pages it sends: a small
script that asks ``/__build`` which build is current and reloads the page when a newer one is
done (allowed by its hash, with ``connect-src 'self'``, in the page's own policy), and, while
the last build has errors, the errors (``path:line: error: message``) in place of the page;
settings that cannot be used are such errors too, until they are fixed.
"""

from __future__ import annotations

import base64
import errno
import functools
import hashlib
import html
import http.server
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.config import Settings, SettingsError
from pipeline.diagnostics import Diagnostic, Level, PipelineError

BUILD_PATH = "/__build"
RELOAD_SCRIPT = """(function () {
  "use strict";
  var build = document.documentElement.dataset.build;
  function ask() {
    fetch("/__build", { cache: "no-store" })
      .then(function (answer) { return answer.text(); })
      .then(function (current) {
        if (current !== build) location.reload();
        else setTimeout(ask, 400);
      }, function () { setTimeout(ask, 1000); });
  }
  setTimeout(ask, 400);
})();
"""
"""The script every served page gets: it reloads the page once a newer build is done."""
_NONE = "'none'"
_POLICY = re.compile(r'(<meta http-equiv="Content-Security-Policy" content=")([^"]*)(")')


def _script_hash(script: str) -> str:
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


class ServeError(PipelineError):
    """The server cannot start (the port is taken, say)."""


@dataclass
class Build:
    """The current build: its number, and the errors of the export that made it."""

    number: int = 0
    errors: list[Diagnostic] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def served_page(page: str, build: Build) -> str:
    """A page as the server sends it: with the reload script (its hash and
    ``connect-src 'self'`` added to the page's policy), or, while the build has errors, the
    errors in place of its content."""
    with build.lock:
        number, errors = build.number, list(build.errors)
    if errors:
        page = _error_page(errors)
    page = _POLICY.sub(lambda found: found[1] + _allowing(found[2]) + found[3], page, count=1)
    page = page.replace("<html", f'<html data-build="{number}"', 1)
    return page.replace("</body>", f"<script>{RELOAD_SCRIPT}</script>\n</body>", 1)


def _allowing(content: str) -> str:
    """A page's Content-Security-Policy (as its attribute holds it) that lets the reload
    script run and ask for ``/__build`` as well."""
    directives = {}
    for directive in html.unescape(content).split(";"):
        name, _, sources = directive.strip().partition(" ")
        if name:
            directives[name] = [s for s in sources.split() if s != "'none'"]
    directives.setdefault("script-src", []).insert(0, _script_hash(RELOAD_SCRIPT))
    connect = directives.setdefault("connect-src", [])
    if "'self'" not in connect:
        connect.append("'self'")
    policy = "; ".join(
        f"{name} {' '.join(sources) or chr(39) + 'none' + chr(39)}"
        for name, sources in directives.items()
    )
    return html.escape(policy)


def _error_page(errors: Sequence[Diagnostic]) -> str:
    shown = "\n".join(html.escape(str(error)) for error in errors)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'\">\n"
        "<title>The seeds have errors</title>\n<style>body { font: 1rem/1.5 system-ui, "
        "sans-serif; margin: 2rem; } pre { background: #fff4f2; border-left: 6px solid "
        "#b42318; padding: 1rem; white-space: pre-wrap; }</style>\n</head>\n<body>\n"
        "<h1>The seeds have errors</h1>\n<p>Fix them and save: this page reloads when the "
        f"export is done.</p>\n<pre>{shown}</pre>\n</body>\n</html>\n"
    )


class _Handler(http.server.SimpleHTTPRequestHandler):
    build: Build

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        """The build number, the site's pages with the reload script, or any other file."""
        path = self.path.split("?", 1)[0]
        if path == BUILD_PATH:
            with self.build.lock:
                self._send(str(self.build.number).encode(), "text/plain; charset=utf-8")
            return
        if path == "/":
            self.send_response(302)
            self.send_header("Location", "/html/")
            self.end_headers()
            return
        target = Path(self.translate_path(path))
        with self.build.lock:
            failing = bool(self.build.errors)
        if failing and (path.endswith(("/", ".html"))):
            # Every page says what is wrong, the ones the build could not make too.
            self._send(served_page("", self.build).encode("utf-8"), "text/html; charset=utf-8")
            return
        if target.is_dir():
            if not path.endswith("/"):
                super().do_GET()  # the redirect to the folder's URL
                return
            target = target / "index.html"
        if target.suffix == ".html" and target.is_file():
            page = served_page(target.read_text("utf-8"), self.build)
            self._send(page.encode("utf-8"), "text/html; charset=utf-8")
            return
        super().do_GET()

    def _send(self, body: bytes, kind: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def settings_problems(error: PipelineError) -> list[Diagnostic]:
    """Settings that cannot be used, as errors: each names the file key, variable or option
    its value came from, as ``pipeline export`` prints them."""
    problems = error.problems if isinstance(error, SettingsError) else [str(error)]
    errors = []
    for problem in problems:
        where, _, message = problem.partition(": ")
        errors.append(
            Diagnostic(where if message else "settings", 0, Level.ERROR, message or where)
        )
    return errors


class Preview:
    """The exported folder served on ``host:port``, exported again as ``paths`` change; with
    ``load_settings``, the settings are read again with it when one of ``settings_files`` or
    the brand's logo changes."""

    def __init__(
        self,
        paths: Sequence[Path],
        out: Path,
        settings: Settings,
        *,
        host: str = "127.0.0.1",
        port: int = 8000,
        on_build: Callable[[Build, Any], None] | None = None,
        load_settings: Callable[[], Settings] | None = None,
        settings_files: Sequence[Path] = (),
    ) -> None:
        self.paths = list(paths)
        self.out = out
        self.build = Build()
        self.on_build = on_build
        self._load_settings = load_settings
        self._settings_files = [path.resolve() for path in settings_files]
        self._settings_errors: list[Diagnostic] = []
        self._exporting = threading.Lock()
        self._stop = threading.Event()
        handler = type("Handler", (_Handler,), {"build": self.build})
        factory = functools.partial(handler, directory=str(out))
        out.mkdir(parents=True, exist_ok=True)
        try:
            self.server = http.server.ThreadingHTTPServer((host, port), factory)
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise ServeError(
                    f"port {port} on {host} is in use: stop what serves there, or pick "
                    "another with --port"
                ) from None
            raise ServeError(f"cannot serve on {host}:{port}: {error.strerror}") from None
        self.settings = self._previewed(settings)

    def _previewed(self, settings: Settings) -> Settings:
        if settings.base_url is None:
            # A preview needs no site of its own: its pages are where it serves them.
            return settings.model_copy(update={"base_url": self.url})
        return settings

    @property
    def url(self) -> str:
        """Where the site is served."""
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}/html/"

    def export(self) -> None:
        """Export the seeds into the folder, and make it the current build (while the
        settings cannot be used, a build of their errors alone)."""
        with self._exporting:
            self._export()

    def reload_settings(self) -> None:
        """Read the settings again, and export with them; while they cannot be used, their
        errors are the build's."""
        if self._load_settings is None:
            return
        with self._exporting:
            try:
                settings = self._load_settings()
            except PipelineError as error:
                self._settings_errors = settings_problems(error)
            else:
                self._settings_errors = []
                self.settings = self._previewed(settings)
            self._export()

    def _export(self) -> None:
        from pipeline.engine import export

        try:
            if self._settings_errors:
                report, errors = None, list(self._settings_errors)
            else:
                report = export(self.paths, self.out, self.settings, jobs=1)
                errors = [d for d in report.diagnostics if d.level is Level.ERROR]
        except PipelineError as error:
            report, errors = None, [Diagnostic(str(self.out), 0, Level.ERROR, str(error))]
        except Exception as error:  # a preview outlives a failed export, and says why
            message = f"the export failed: {type(error).__name__}: {error}"
            report, errors = None, [Diagnostic(str(self.out), 0, Level.ERROR, message)]
        with self.build.lock:
            self.build.number += 1
            self.build.errors = errors
        if self.on_build is not None:
            self.on_build(self.build, report)

    def _watch(self) -> None:
        from watchfiles import watch

        watched = [str(path) for path in self.paths]
        for changes in watch(*watched, stop_event=self._stop, debounce=200, step=50):
            # A settings file or logo among the seeds is read again too.
            if self._settings_changed({path for _, path in changes}):
                self.reload_settings()
            else:
                self.export()

    def _settings_inputs(self) -> list[Path]:
        """The settings files and the brand's logo, whole paths."""
        logo = self.settings.brand.logo
        return [*self._settings_files, *([Path(logo).resolve()] if logo else [])]

    def _outside_files(self) -> list[Path]:
        """The settings files and the logo where the seeds' watcher does not look."""
        seeds = [path.resolve() for path in self.paths]
        return [
            file
            for file in self._settings_inputs()
            if not any(file == seed or file.is_relative_to(seed) for seed in seeds)
        ]

    def _settings_changed(self, paths: set[str]) -> bool:
        if self._load_settings is None:
            return False
        return not {Path(path).resolve() for path in paths}.isdisjoint(self._settings_inputs())

    def _watch_settings(self) -> None:
        """Watch the folders of the settings files and the logo, not what is below them (an
        output folder, say): each time the files watched change (a new logo), anew."""
        while not self._stop.is_set():
            files = self._outside_files()
            folders = sorted({file.parent for file in files if file.parent.is_dir()})
            if not folders:
                self._stop.wait(1.0)
                continue
            self._watch_files(folders, set(files))

    def _watch_files(self, folders: list[Path], files: set[Path]) -> None:
        """Read the settings again each time one of ``files`` changes, until the files to
        watch are others or the preview stops."""
        from watchfiles import watch

        for _ in watch(
            *folders,
            watch_filter=lambda _change, path: Path(path).resolve() in files,
            recursive=False,
            stop_event=self._stop,
            debounce=200,
            step=50,
        ):
            self.reload_settings()
            if set(self._outside_files()) != files:
                return

    def run(self) -> None:
        """Watch, export, then serve until :meth:`stop` (or Ctrl-C). The watchers start
        first: a seed saved while the first export runs is exported again."""
        watchers = [threading.Thread(target=self._watch, daemon=True)]
        if self._load_settings is not None:
            watchers.append(threading.Thread(target=self._watch_settings, daemon=True))
        for watcher in watchers:
            watcher.start()
        self.export()
        try:
            self.server.serve_forever(poll_interval=0.2)
        finally:
            self._stop.set()
            self.server.server_close()
            for watcher in watchers:
                watcher.join(timeout=2)

    def stop(self) -> None:
        """Stop serving and watching."""
        self._stop.set()
        self.server.shutdown()
