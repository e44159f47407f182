"""The `pipeline-check` pre-commit hook, run as pre-commit runs it for a collection that uses
it: installed from this repository, it stops a commit of a broken seed with its path:line,
lets a good one through, and checks only seeds."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from tests.conftest import ROOT, SHIPPED_SEED, copy_pictures


def _git(folder: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(folder), *args], check=True, capture_output=True)


def test_the_hook_stops_a_broken_seed_and_lets_a_good_one_through(tmp_path: Path) -> None:
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text("utf-8"))
    assert hook["id"] == "pipeline-check" and hook["entry"] == "pipeline check"
    collection = tmp_path / "collection"
    seeds = collection / "seeds"
    seeds.mkdir(parents=True)
    shutil.copy(SHIPPED_SEED, seeds / SHIPPED_SEED.name)
    copy_pictures(seeds)
    (seeds / "broken.md").write_text("---\ndescription: [\n---\n", "utf-8")
    (collection / "notes.md").write_text("Not a seed: no frontmatter at all.\n", "utf-8")
    environment = {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit"),
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
        "GIT_CONFIG_GLOBAL": os.devnull,
    }
    _git(collection, "init", "-q")
    _git(collection, "add", ".")

    def try_repo(*files: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "pre_commit",
                "try-repo",
                str(ROOT),
                "pipeline-check",
                "--files",
                *files,
            ],
            cwd=collection,
            env=environment,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )

    broken = try_repo("seeds/broken.md", f"seeds/{SHIPPED_SEED.name}")
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert "seeds/broken.md:3: error: YAML syntax error" in broken.stdout
    assert "2 seeds checked: 3 errors, 0 warnings" in broken.stdout
    good = try_repo(f"seeds/{SHIPPED_SEED.name}", "notes.md")
    assert good.returncode == 0, good.stdout + good.stderr
    assert "check exercise seeds" in good.stdout and "Passed" in good.stdout
    # Only the seed was checked: notes.md, which `pipeline check` refuses, is outside seeds/.
    notes = subprocess.run(
        [sys.executable, "-m", "pipeline", "check", "notes.md"], cwd=collection, check=False
    )
    assert notes.returncode == 1
