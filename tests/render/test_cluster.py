"""Cluster operations: array-task shards from the environment, the Slurm scripts run task by
task, and Ray actors that honour the GPUs Ray assigns them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from dataset_compare import assert_clean, assert_same_dataset

from diffforge.errors import ConfigError
from diffforge.render.scheduler import shard_from_env

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
CLI = [sys.executable, "-m", "diffforge"]
# tiny renders of the default config's scenes: the scripts' generate line is the real CLI
# 48x36 px: no sign's letters read at this frame, so text changes (refused up front) are left
# out of the mix
TINY = ["render.resolution=[48,36]", "render.samples=2", "render.denoise=false", "scene.hdri=0",
        "changes.weights={color: 1, material: 1, size: 1, move: 1, add: 1, disappear: 1, "
        "remove: 1, replace: 1, count: 1, orientation: 1, pose: 1, illumination: 1}"]  # fmt: skip


@pytest.mark.parametrize(
    ("env", "want"),
    [
        ({"SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_COUNT": "4"}, (2, 4)),
        # --array=1-8: ids start at SLURM_ARRAY_TASK_MIN
        (
            {
                "SLURM_ARRAY_TASK_ID": "1",
                "SLURM_ARRAY_TASK_COUNT": "8",
                "SLURM_ARRAY_TASK_MIN": "1",
            },
            (0, 8),
        ),
        # --array=0-9:3 (0, 3, 6, 9) without a COUNT
        (
            {
                "SLURM_ARRAY_TASK_ID": "6",
                "SLURM_ARRAY_TASK_MIN": "0",
                "SLURM_ARRAY_TASK_MAX": "9",
                "SLURM_ARRAY_TASK_STEP": "3",
            },
            (2, 4),
        ),
        ({"SGE_TASK_ID": "3", "SGE_TASK_FIRST": "1", "SGE_TASK_LAST": "5"}, (2, 5)),
        ({"LSB_JOBINDEX": "4", "LSB_JOBINDEX_END": "4"}, (3, 4)),
        ({"PBS_ARRAY_INDEX": "1", "DIFFFORGE_SHARD_COUNT": "3"}, (1, 3)),
        ({"DIFFFORGE_SHARD_INDEX": "0", "DIFFFORGE_SHARD_COUNT": "2"}, (0, 2)),
    ],
)
def test_shard_auto_reads_the_array_task(env, want):
    assert shard_from_env(env)[:2] == want


@pytest.mark.parametrize(
    ("env", "words"),
    [
        ({}, "not in an array job"),
        ({"PBS_ARRAY_INDEX": "1"}, "DIFFFORGE_SHARD_COUNT"),
        ({"SLURM_ARRAY_TASK_ID": "x", "SLURM_ARRAY_TASK_COUNT": "2"}, "not an integer"),
    ],
)
def test_shard_auto_without_a_usable_array_task_is_one_line(env, words):
    with pytest.raises(ConfigError, match=words) as exc:
        shard_from_env(env)
    assert "\n" not in str(exc.value)


def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLURM_", "SGE_", "LSB_"))}
    env.pop("PBS_ARRAY_INDEX", None)
    env.pop("DIFFFORGE_SHARD_INDEX", None)
    return {**env, "HF_HUB_OFFLINE": "1", **extra}


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*CLI, *args], capture_output=True, text=True, cwd=ROOT, env=env or _clean_env()
    )


def test_bad_cluster_input_is_one_line_exit_2(tmp_path):
    cfg = str(ROOT / "configs" / "default.yaml")
    for args, words in [
        (["slurm", cfg, "--out", str(tmp_path), "--n", "2", "--tasks", "3"], "--tasks 3"),
        (
            [
                "slurm",
                str(tmp_path / "nope.yaml"),
                "--out",
                str(tmp_path),
                "--n",
                "2",
                "--tasks",
                "1",
            ],
            "nope.yaml",
        ),
        (
            ["generate", cfg, "--out", str(tmp_path / "d"), "--n", "2", "--shard", "auto"],
            "--shard auto",
        ),
        (["status", str(tmp_path / "missing")], "missing"),
    ]:
        r = _cli(*args)
        assert r.returncode == 2, (args, r.stderr)
        assert words in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr


def test_slurm_dry_run_prints_array_merge_and_submit(tmp_path):
    r = _cli("slurm", "configs/default.yaml", "--out", str(tmp_path / "d"), "--n", "100",
             "--tasks", "8", "--gpus-per-task", "2", "--partition", "gpu", "--dry-run")  # fmt: skip
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert "#SBATCH --array=0-7" in out and "#SBATCH --gres=gpu:2" in out
    assert "#SBATCH --partition=gpu" in out
    assert "--shard auto --workers 2 --device auto" in out
    assert "sbatch --parsable" in out and "--dependency=afterok:${array_id}" in out
    assert " merge " in out and not (tmp_path / "d").exists()


@pytest.mark.blender
@pytest.mark.slow
def test_slurm_scripts_run_task_by_task_equal_one_generate(tmp_path):
    sets = [a for s in TINY for a in ("--set", s)]
    cfg = "configs/experiment/data.yaml"
    sharded, single = tmp_path / "sharded", tmp_path / "single"
    r = _cli("slurm", cfg, "--out", str(sharded), "--n", "4", "--tasks", "2", *sets)
    assert r.returncode == 0, r.stderr
    scripts = sharded / "slurm"
    for task in (1, 2):  # --array ids as a site with 1-based arrays would give them
        env = _clean_env(
            SLURM_ARRAY_TASK_ID=str(task), SLURM_ARRAY_TASK_MIN="1", SLURM_ARRAY_TASK_COUNT="2"
        )
        run = subprocess.run(["bash", str(scripts / "render.sbatch")], env=env, cwd=tmp_path,
                             capture_output=True, text=True)  # fmt: skip
        assert run.returncode == 0, run.stderr[-2000:]
    status = json.loads(_cli("status", str(sharded), "--json").stdout)
    assert [(s["name"], s["state"], s["done"] + s["failed"]) for s in status["shards"]] == [
        ("0/2", "complete", 2),
        ("1/2", "complete", 2),
    ]
    merged = subprocess.run(["bash", str(scripts / "merge.sbatch")], env=_clean_env(),
                            cwd=tmp_path, capture_output=True, text=True)  # fmt: skip
    assert merged.returncode == 0, merged.stderr[-2000:]
    one = _cli("generate", cfg, "--out", str(single), "--n", "4", *sets)
    assert one.returncode == 0, one.stderr[-2000:]
    assert_clean(sharded)
    assert_same_dataset(single, sharded)
    meta = json.loads((sharded / "dataset.json").read_text())
    assert meta["counts"]["pairs"] == 4  # deterministic: the same 4 pairs every time
    assert meta["counts"] == json.loads((single / "dataset.json").read_text())["counts"]


@pytest.mark.blender
@pytest.mark.slow
def test_ray_actors_render_on_the_gpus_ray_assigns(run, reference, tmp_path):
    ray = pytest.importorskip("ray")
    paths = [p for p in sys.path if os.sep + "bpy" + os.sep not in p]
    env = {"env_vars": {"PYTHONPATH": os.pathsep.join([str(HERE), *paths])}}
    # a local cluster that declares two GPUs; Cycles still renders on the CPU
    ray.init(num_gpus=2, num_cpus=2, include_dashboard=False, log_to_driver=False, runtime_env=env)
    try:
        summary = run(tmp_path, n=2, workers=2, executor="ray", gpus_per_worker=1.0)
    finally:
        ray.shutdown()
    assert summary["pairs"] == 2, summary
    meta = json.loads((tmp_path / "dataset.json").read_text())
    # each actor saw its own assigned id in CUDA_VISIBLE_DEVICES before it imported bpy
    assert meta["runs"][-1]["gpu_ids"] == ["0", "1"]
    assert_same_dataset(reference, tmp_path, indices={0, 1})
