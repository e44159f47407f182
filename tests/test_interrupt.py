"""Ctrl-C and SIGTERM stop an export cleanly: one line, the shell's status (130, 143), no
worker left, no temp file, the lock released, and the next run gives the bytes a clean build
gives."""

from __future__ import annotations

import contextlib
import json
import os
import pty
import queue
import re
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.corpus import build_corpus
from pipeline.config import load_settings
from pipeline.engine import export
from pipeline.interrupt import ExportInterrupted, Interrupted
from pipeline.lock import OutputLock
from pipeline.progress import Advance
from pipeline.state import StateStore, state_folder
from pipeline.writer import TEMP_SUFFIX

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = load_settings(ROOT)
LINE = re.compile(r"interrupted: (\d+) of (\d+) seeds? exported; the next run finishes the rest")


def tree(out: Path) -> dict[str, object]:
    """Every file in the folder, and every row of its build state."""
    files: dict[str, object] = {
        p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()
    }
    with StateStore(state_folder(out)) as store:
        files.update((f"state:{table}", rows) for table, rows in store.rows().items())
    # The folders' mtimes in the listing of what the folder holds are the clock's, not the run's.
    files["state:meta"] = [
        (key, _names(value) if key == "produced" else value)
        for key, value in files["state:meta"]  # type: ignore[attr-defined]
    ]
    return files


def _names(listing: str) -> dict[str, list[str]]:
    return {folder: names for folder, (_, names) in json.loads(listing).items()}


def temp_files(out: Path) -> list[str]:
    return [p.name for p in out.rglob("*") if TEMP_SUFFIX in p.name]


def children_of(pid: int) -> list[int]:
    """Processes whose parent is ``pid``, zombies included (a child not reaped is a leak)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                found.append(int(stat.parent.name))
    return found


def assert_lock_free(out: Path) -> None:
    with OutputLock(out, timeout=0):
        pass


# -- the library: an interrupt at a chosen moment ---------------------------------------------


class SignalAt:
    """A reporter that sends this process a signal at a step of a phase (0: as it starts)."""

    def __init__(self, phase: str, step: int, signum: int = signal.SIGINT) -> None:
        self.target = phase
        self.step = step
        self.signum = signum
        self.sent = False

    def _send(self) -> None:
        self.sent = True
        os.kill(os.getpid(), self.signum)

    @contextlib.contextmanager
    def phase(self, name: str, total: int) -> Iterator[Advance]:
        done = 0
        if name == self.target and self.step == 0:
            self._send()

        def advance(steps: int) -> None:
            nonlocal done
            done += steps
            if name == self.target and done - steps < self.step <= done:
                self._send()

        yield advance

    def message(self, text: str) -> None:
        pass


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("small")
    build_corpus(24, folder, random_seed=5)
    return folder


@pytest.fixture(scope="module")
def small_clean(small_corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    out = tmp_path_factory.mktemp("small-clean")
    assert export([small_corpus], out, SETTINGS, jobs=1).errors == 0
    return tree(out)


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize(
    ("phase", "step", "least", "most"),
    [
        ("read", 0, 0, 0),  # before anything is parsed
        ("parse", 3, 0, 0),  # while the workers parse
        ("export", 9, 9, 23),  # with some seeds' outputs written
        ("sqlite", 0, 24, 24),  # every seed's own outputs written, an aggregate not
    ],
)
def test_an_interrupted_export_stops_cleanly_and_the_next_run_completes_it(
    small_corpus: Path,
    small_clean: dict[str, object],
    tmp_path: Path,
    jobs: int,
    phase: str,
    step: int,
    least: int,
    most: int,
) -> None:
    out = tmp_path / "out"
    reporter = SignalAt(phase, step)
    with pytest.raises(ExportInterrupted) as raised:
        export([small_corpus], out, SETTINGS, jobs=jobs, reporter=reporter)
    assert reporter.sent
    stop = raised.value
    assert (stop.signum, stop.exit_status, stop.total) == (signal.SIGINT, 130, 24)
    assert least <= stop.exported <= most
    assert children_of(os.getpid()) == []
    assert temp_files(out) == []
    assert_lock_free(out)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
    report = export([small_corpus], out, SETTINGS, jobs=jobs)
    assert report.errors == 0
    assert tree(out) == small_clean


def test_sigterm_is_an_interrupt_too_with_its_own_status(
    small_corpus: Path, tmp_path: Path
) -> None:
    with pytest.raises(ExportInterrupted) as raised:
        export(
            [small_corpus],
            tmp_path,
            SETTINGS,
            jobs=2,
            reporter=SignalAt("export", 4, signal.SIGTERM),
        )
    assert (raised.value.signum, raised.value.exit_status) == (signal.SIGTERM, 143)
    assert children_of(os.getpid()) == []


def test_a_signal_the_caller_handles_or_ignores_is_left_to_it(
    small_corpus: Path, tmp_path: Path
) -> None:
    received: list[int] = []
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda signum, frame: received.append(signum))
    try:
        report = export(
            [small_corpus],
            tmp_path,
            SETTINGS,
            formats=["json"],
            jobs=2,
            reporter=SignalAt("export", 2, signal.SIGTERM),
        )
        os.kill(os.getpid(), signal.SIGINT)  # ignored, as before the export
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, previous)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
    assert received == [signal.SIGTERM]
    assert report.errors == 0 and len(report.written) == 24


def test_a_second_ctrl_c_does_not_cut_the_clean_up_short(
    small_corpus: Path, tmp_path: Path
) -> None:
    class Twice(SignalAt):
        def _send(self) -> None:
            try:
                super()._send()
            finally:  # while the first one unwinds
                os.kill(os.getpid(), signal.SIGINT)

    with pytest.raises(ExportInterrupted):
        export([small_corpus], tmp_path, SETTINGS, jobs=2, reporter=Twice("export", 6))
    assert children_of(os.getpid()) == []
    assert temp_files(tmp_path) == []
    assert_lock_free(tmp_path)


# -- the command: signals sent to the process group, as a terminal does ----------------------


class Export:
    """``pipeline export`` in a session of its own, its stderr read as it comes."""

    def __init__(self, seeds: Path, out: Path, jobs: int) -> None:
        env = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}
        self.process = subprocess.Popen(
            # -X importtime: a line per module loaded, so a test can tell it is loading
            [
                *(sys.executable, "-X", "importtime", "-m", "pipeline", "export", str(seeds)),
                *("--out", str(out), "--quiet", "--jobs", str(jobs)),
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.stderr: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.stderr.append(line)
            self.lines.put(line)
        self.lines.put(None)

    def wait_for(self, pattern: str) -> bool:
        """Until a line that starts with ``pattern`` (a regular expression) is printed; False
        if the run ended first."""
        while (line := self.lines.get(timeout=120)) is not None:
            if re.match(pattern, line):
                return True
        return False

    def wait_for_files(self, folder: Path, count: int) -> None:
        """Until ``folder`` holds ``count`` files, or the run has ended."""
        while len(list(folder.glob("*"))) < count and self.process.poll() is None:
            time.sleep(0.01)

    def signal(self, signum: int) -> None:
        """Sent to the whole process group, as the terminal sends Ctrl-C."""
        os.killpg(self.process.pid, signum)

    def finish(self) -> int:
        code = self.process.wait(timeout=120)
        self.reader.join(timeout=10)
        return code


def assert_stopped_cleanly(run: Export, out: Path, signum: int) -> int | None:
    """The run's checks after a signal; how many seeds it says it exported (None for an
    interrupt before the export began). A run that finished before the signal came
    (possible on a loaded machine) is not an interrupted run, and passes."""
    code = run.finish()
    stderr = "".join(run.stderr)
    assert "Traceback" not in stderr, stderr
    with pytest.raises(ProcessLookupError):  # nothing of the run is left, not even a zombie
        os.killpg(run.process.pid, 0)
    if out.exists():
        assert temp_files(out) == []
        assert_lock_free(out)
    if code == 0:
        return None
    assert code == 128 + signum, stderr
    last = run.stderr[-1].rstrip("\n")
    assert sum(line.startswith("interrupted") for line in run.stderr) == 1, stderr
    if last == "interrupted":
        return None
    match = LINE.fullmatch(last)
    assert match, stderr
    assert int(match[1]) <= int(match[2]) == SEEDS
    return int(match[1])


SEEDS = 80


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("corpus")
    build_corpus(SEEDS, folder, random_seed=9)
    return folder


@pytest.fixture(scope="module")
def clean(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    out = tmp_path_factory.mktemp("clean")
    assert export([corpus], out, SETTINGS, jobs=2).errors == 0
    return tree(out)


def _complete(corpus: Path, out: Path, clean: dict[str, object]) -> None:
    run = Export(corpus, out, jobs=2)
    assert run.finish() == 0, "".join(run.stderr)
    assert not any("waiting for another export" in line for line in run.stderr)
    assert tree(out) == clean


# When each signal is sent, as (line the run prints first, share of the seeds' JSON written
# first, signal); the last moment of each run is after every seed's own outputs.
MOMENTS: dict[int, list[tuple[str, int, int]]] = {
    2: [
        (r"import time:.*\| +typer$", 0, signal.SIGINT),  # while the command line loads
        ("read:", 0, signal.SIGINT),  # while the workers parse
        ("parse:", 3, signal.SIGTERM),  # with a third of the pages written
        ("export:", 0, signal.SIGINT),
    ],
    1: [
        ("read:", 0, signal.SIGINT),  # while it parses
        ("parse:", 2, signal.SIGINT),  # with half of the pages written
        ("export:", 0, signal.SIGTERM),
    ],
}


@pytest.mark.parametrize("jobs", sorted(MOMENTS, reverse=True))
def test_ctrl_c_and_sigterm_stop_the_command_cleanly(
    corpus: Path, clean: dict[str, object], tmp_path: Path, jobs: int
) -> None:
    out = tmp_path / "out"
    *during, (last_line, _, last_signal) = MOMENTS[jobs]
    for line, share, signum in during:
        run = Export(corpus, out, jobs=jobs)
        run.wait_for(line)
        if share:
            run.wait_for_files(out / "json", SEEDS // share)
        run.signal(signum)
        assert_stopped_cleanly(run, out, signum)
    run = Export(corpus, out, jobs=jobs)
    if run.wait_for(last_line):
        run.signal(last_signal)
    assert assert_stopped_cleanly(run, out, last_signal) in (SEEDS, None)
    _complete(corpus, out, clean)


def test_ctrl_c_at_a_terminal_stops_the_bars_and_gives_the_cursor_back(
    corpus: Path, tmp_path: Path
) -> None:
    """Ctrl-C typed at a real terminal, halfway through the export bar."""
    out = tmp_path / "out"
    argv = [sys.executable, "-m", "pipeline", "export", str(corpus), "--out", str(out)]
    env = {**os.environ, "COLUMNS": "120", "TERM": "xterm"}
    env.pop("GITHUB_ACTIONS", None)
    pid, terminal = pty.fork()
    if pid == 0:  # the child: the terminal is its controlling terminal
        try:
            os.chdir(ROOT)
            os.execve(sys.executable, argv, env)
        finally:
            os._exit(127)
    screen = b""
    typed = False
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if not typed and len(list((out / "json").glob("*"))) >= SEEDS // 4:
            os.write(terminal, b"\x03")  # the terminal turns it into SIGINT for the group
            typed = True
        if select.select([terminal], [], [], 0.05)[0]:
            try:
                data = os.read(terminal, 65536)
            except OSError:  # the other end closed: the run is over
                break
            if not data:
                break
            screen += data
    _, status = os.waitpid(pid, 0)
    os.close(terminal)
    text = screen.decode("utf-8", "replace")
    assert typed, text
    assert "Traceback" not in text, text
    assert text.count("\x1b[?25l") == text.count("\x1b[?25h") >= 1  # the cursor is back
    if os.waitstatus_to_exitcode(status) == 0:
        return  # it finished before the key was read
    assert os.waitstatus_to_exitcode(status) == 130, text
    assert LINE.search(text.rstrip().splitlines()[-1]), text
    assert temp_files(out) == []


def test_a_signal_handled_inside_a_finaliser_still_stops_the_run_and_prints_nothing(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # A signal can come while Python runs a weak reference's callback (the collector frees
    # something); the exception its handler raises there cannot get out, and Python would
    # print it and carry on. It must still stop the run, here where it can.
    import gc
    import weakref

    from pipeline.interrupt import interruptible

    class Thing:
        pass

    def callback(_: object) -> None:
        os.kill(os.getpid(), signal.SIGTERM)
        for _ in range(1000):  # the handler runs here, inside the callback
            pass

    with pytest.raises(Interrupted), interruptible():
        thing = Thing()
        ref = weakref.ref(thing, callback)
        del thing
        gc.collect()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:  # then here, once delivered again
            pass
        del ref
    assert "Traceback" not in capsys.readouterr().err


def test_a_worker_ends_when_its_sigterm_is_swallowed() -> None:
    script = (
        "import os, signal, sys, weakref\n"
        "from pipeline.interrupt import exit_if_swallowed, Interrupted\n"
        "sys.unraisablehook = exit_if_swallowed\n"
        "def stop(signum, frame): raise Interrupted(signum)\n"
        "signal.signal(signal.SIGTERM, stop)\n"
        "class T: pass\n"
        "t = T()\n"
        "r = weakref.ref(t, lambda _: [os.kill(os.getpid(), signal.SIGTERM), sum(range(9999))])\n"
        "del t\n"
        "print('carried on')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 1
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
