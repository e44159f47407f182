"""What the README and the docs promise, the shipped seeds show: every ``pipeline`` command in
their shell examples runs on a fresh export of ``seeds/``, exits 0 and prints a result, and
every canned Datasette query returns rows."""

from __future__ import annotations

import asyncio
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
SHELL_BLOCK = re.compile(r"^```(?:sh|shell|bash|console)\n(.*?)^```", re.M | re.S)
# A synopsis line names what to type (`pipeline show SLUG`, `[--muscle M]`, `FILE...`).
PLACEHOLDER = re.compile(r"\[|\.\.\.|(?<![-\w])[A-Z][A-Z_]+(?![\w])")
# Example values a user would see in a result: a filter matches no exercise, a search no hit.
NO_RESULT = ("0 exercises", "no exercise matches")


def _commands() -> list[tuple[str, str]]:
    commands = []
    for document in DOCUMENTS:
        for block in SHELL_BLOCK.findall(document.read_text("utf-8")):
            for line in block.splitlines():
                command = line.split(" #", 1)[0].strip()
                for prefix in (".venv/bin/", "python -m "):
                    command = command.removeprefix(prefix)
                if command.startswith("pipeline "):
                    commands.append((document.relative_to(ROOT).as_posix(), command))
    return commands


COMMANDS = _commands()


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the project's seeds and settings, exported once as `make export` does."""
    folder = tmp_path_factory.mktemp("project")
    shutil.copytree(ROOT / "seeds", folder / "seeds")
    shutil.copy(ROOT / "pyproject.toml", folder / "pyproject.toml")
    done = _run(["export", "--quiet"], folder)
    assert done.returncode == 0, done.stderr
    return folder


def _run(arguments: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "COLUMNS": "120"}
    environment.pop("GITHUB_ACTIONS", None)
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *arguments],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _expand(arguments: list[str], cwd: Path) -> list[str]:
    expanded = []
    for argument in arguments:
        if any(c in argument for c in "*?"):
            matches = sorted(p.relative_to(cwd).as_posix() for p in cwd.glob(argument))
            assert matches, f"{argument} matches no file after an export"
            expanded.extend(matches)
        else:
            expanded.append(argument)
    return expanded


def test_the_documents_have_examples_to_run() -> None:
    documents = {document for document, _ in COMMANDS}
    assert "README.md" in documents
    assert any(not PLACEHOLDER.search(command) for _, command in COMMANDS)


@pytest.mark.parametrize(("document", "command"), COMMANDS, ids=[c for _, c in COMMANDS])
def test_every_documented_command_runs_and_prints_a_result(
    project: Path, document: str, command: str
) -> None:
    arguments = shlex.split(command)[1:]
    if PLACEHOLDER.search(command):
        # A synopsis: the command it names exists and explains itself.
        subcommand = [a for a in arguments[:1] if not a.startswith("-") and "[" not in a]
        arguments = [*subcommand, "--help"] if subcommand else arguments
    done = _run(_expand(arguments, project), project)
    said = done.stdout + done.stderr
    assert done.returncode == 0, f"{document}: `{command}` exited {done.returncode}:\n{said}"
    assert done.stdout.strip(), f"{document}: `{command}` printed nothing"
    assert "Traceback" not in said
    assert not any(empty in done.stdout for empty in NO_RESULT), f"{document}: `{command}`: {said}"


def test_every_canned_datasette_query_returns_rows(project: Path) -> None:
    from datasette.app import Datasette

    metadata = yaml.safe_load((ROOT / "datasette.yaml").read_text("utf-8"))
    queries = metadata["databases"]["catalogue"]["queries"]
    assert queries
    # The value a user types into a query's form, for the parameters the queries take.
    example = {"q": "hamstring", "lang": "en"}

    async def run_all() -> dict[str, int]:
        datasette = Datasette([str(project / "outputs" / "catalogue.sqlite")], metadata=metadata)
        found = {}
        for name, query in queries.items():
            parameters = sorted(set(re.findall(r":(\w+)", query["sql"])))
            assert set(parameters) <= set(example), f"{name}: no example for {parameters}"
            arguments = "".join(f"&{p}={example[p]}" for p in parameters)
            response = await datasette.client.get(f"/catalogue/{name}.json?_shape=array{arguments}")
            assert response.status_code == 200, f"{name}: {response.text}"
            found[name] = len(response.json())
        return found

    found = asyncio.run(run_all())
    assert all(found.values()), f"canned queries with no rows on the shipped seeds: {found}"
