"""Every script in benchmarks/ answers --help and runs at tiny scale (README cites them as the
way to reproduce its numbers, so a moved module must break a test, not a reader)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cli_entry import CONFIG, REPO, diffforge, ok

SCRIPTS = sorted((REPO / "benchmarks").rglob("*.py"))


def script(path: Path, *args, timeout: float = 600) -> subprocess.CompletedProcess:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, str(path), *map(str, args)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.mark.parametrize("path", SCRIPTS, ids=[p.name for p in SCRIPTS])
def test_help(path: Path) -> None:
    proc = script(path, "--help")
    assert proc.returncode == 0 and "usage:" in proc.stdout, proc.stderr


WITH_DEFAULTS = {"run_experiment.py", "turn_check.py"}  # every argument has a default
NEED_ARGUMENTS = [p for p in SCRIPTS if p.name not in WITH_DEFAULTS]


@pytest.mark.parametrize("path", NEED_ARGUMENTS, ids=[p.name for p in NEED_ARGUMENTS])
def test_no_arguments_is_a_usage_line(path: Path) -> None:
    proc = script(path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "usage:" in proc.stderr and "required" in proc.stderr


@pytest.mark.blender
@pytest.mark.slow
def test_review_scripts_on_a_rendered_dataset(rendered: Path, tmp_path: Path) -> None:
    lit = tmp_path / "lit"  # one pair whose change is an illumination change, for the first
    only = ["--set", "changes.weights={illumination: 1.0}", "--set", "changes.per_pair={1: 1.0}"]
    ok(diffforge("generate", CONFIG, "--out", lit, "--n", 1, "--preset", "draft", *only))
    proc = script(REPO / "benchmarks/illumination_review.py", lit)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("00000000 "), proc.stdout

    proc = script(REPO / "benchmarks/review_contact_sheet.py", rendered, tmp_path / "sheets/s")
    assert proc.returncode == 0, proc.stderr
    assert [p.name for p in (tmp_path / "sheets").iterdir()] == ["s_1.png"]
    # --first: the pairs below an index only (a dataset still growing), one per sheet here
    proc = script(REPO / "benchmarks/review_contact_sheet.py", rendered, tmp_path / "first/s",
                  "--first", 2, "--per-sheet", 1)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in (tmp_path / "first").iterdir()) == ["s_1.png", "s_2.png"]

    proc = script(REPO / "benchmarks/review/user_rig_sheet.py", tmp_path / "rig", "--poses", 1)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "rig" / "sheet.png").is_file()


@pytest.mark.blender
@pytest.mark.slow
@pytest.mark.train
def test_run_experiment_smoke(tmp_path: Path) -> None:
    """The headline experiment's script at tiny scale, one row, end to end (render, train,
    caption val and test with greedy and beam decoding, score, write the report). 14 pairs
    are the fewest of configs/experiment/data.yaml's seed that hold a val pair (index 13)
    besides the test pairs (4, 10, 11)."""
    report = tmp_path / "report.md"
    args = ["--pairs", 14, "--steps", 4, "--rows", "mdp", "--num-beams", 2, "--max-new-tokens", 16]
    proc = script(REPO / "benchmarks/run_experiment.py", *args, "--out", tmp_path / "exp",
                  "--report", report, timeout=1200)  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "CIDEr" in report.read_text()
    assert "| CIDEr | G-recall | G-precision | G-exact | G-TNR | invented |" in report.read_text()
    splits = json.loads((tmp_path / "exp" / "results.json").read_text())["splits"]
    assert splits.get("val") and splits.get("test"), splits


def test_turn_check_counts_directed_turns_near_a_half_turn() -> None:
    """benchmarks/turn_check.py (issue 32's 500-spec line) at tiny scale: turns are found and
    none whose caption states a direction lies within 30° of a half-turn."""
    proc = script(REPO / "benchmarks/turn_check.py", "--n", 60)
    assert proc.returncode == 0, proc.stderr
    assert "directed captions within 30° of a half-turn: 0 []" in proc.stdout, proc.stdout
    assert not proc.stdout.startswith("60 specs, 0 turns"), proc.stdout
