"""submit.sh run, with a stub ``sbatch`` on PATH that records its arguments: the merge job is
queued after the render array, depending on that array's id (``afterok:<id>``), also where
sbatch answers ``<id>;<cluster>``; a refused array submits nothing more."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from diffforge.render.slurm import SlurmJob, write_slurm_scripts

ROOT = Path(__file__).resolve().parents[2]
STUB = """#!/bin/bash
# records each call, answers the next id from the ids file (or fails on "fail")
echo "$*" >> "{log}"
id=$(head -n 1 "{ids}"); sed -i 1d "{ids}"
[ "$id" = fail ] && {{ echo "sbatch: error: refused" >&2; exit 1; }}
echo "$id"
"""


def _submit(tmp_path: Path, ids: list[str]) -> tuple[subprocess.CompletedProcess, list[str], dict]:
    job = SlurmJob(config=ROOT / "configs/default.yaml", out=tmp_path / "d", n=12, tasks=3)
    paths = write_slurm_scripts(job)
    stub_dir, log, id_file = tmp_path / "bin", tmp_path / "sbatch.log", tmp_path / "ids"
    stub_dir.mkdir()
    id_file.write_text("\n".join(ids) + "\n")
    (stub_dir / "sbatch").write_text(STUB.format(log=log, ids=id_file))
    (stub_dir / "sbatch").chmod(0o755)
    env = {**os.environ, "PATH": f"{stub_dir}{os.pathsep}{os.environ['PATH']}"}
    run = subprocess.run(["bash", str(paths["submit.sh"])], env=env, cwd=tmp_path,
                         capture_output=True, text=True, timeout=60)  # fmt: skip
    calls = log.read_text().splitlines() if log.exists() else []
    return run, calls, paths


@pytest.mark.parametrize("answer", ["4242", "4242;cluster-a"])
def test_merge_waits_for_the_array_it_was_queued_after(tmp_path: Path, answer: str) -> None:
    run, calls, paths = _submit(tmp_path, [answer, "4243"])
    assert run.returncode == 0, run.stderr
    assert calls == [
        f"--parsable {paths['render.sbatch']}",
        f"--parsable --dependency=afterok:4242 {paths['merge.sbatch']}",
    ]
    assert "render array 4242 (3 tasks), merge 4243" in run.stdout
    assert (tmp_path / "d" / "slurm" / "logs").is_dir()


def test_a_refused_array_queues_no_merge(tmp_path: Path) -> None:
    run, calls, paths = _submit(tmp_path, ["fail", "4243"])
    assert run.returncode != 0 and "refused" in run.stderr
    assert calls == [f"--parsable {paths['render.sbatch']}"]
