"""What generate decides before and after its workers: preflight checks, captions=False, a run
in which every pair failed, and the eevee decision."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from diffforge.config import load_config
from diffforge.dataset import read_meta, read_pairs
from diffforge.errors import ConfigError, DiffforgeError
from diffforge.render import generate
from diffforge.render.preflight import (
    check_device,
    check_output,
    cycles_devices,
    ensure_environment_scanned,
)

# Blender runs in subprocesses only: find bpy without importing it into the test process
if importlib.util.find_spec("bpy") is None:
    pytest.skip("bpy is not installed", allow_module_level=True)
pytestmark = pytest.mark.blender

DIFFFORGE = Path(sys.executable).with_name("diffforge")
CONFIG = Path(__file__).resolve().parents[2] / "configs" / "default.yaml"

TABLE_BLEND = r"""
import sys, bpy
bpy.ops.wm.read_homefile(use_empty=True)
bpy.ops.mesh.primitive_plane_add(size=8.0)
if sys.argv[2] == "tagged":
    bpy.context.object["diffforge_surface"] = "floor"
bpy.ops.object.camera_add(location=(0.0, -6.0, 3.0), rotation=(1.15, 0.0, 0.0))
bpy.context.object["diffforge_camera"] = 6.0
bpy.ops.wm.save_as_mainfile(filepath=sys.argv[1])
"""


def make_blend(path: Path, tagged: bool) -> Path:
    args = [sys.executable, "-c", TABLE_BLEND, str(path), "tagged" if tagged else "plain"]
    subprocess.run(args, check=True, capture_output=True)
    return path


def test_a_device_cycles_cannot_see_is_one_line_listing_what_it_sees():
    seen = cycles_devices()  # a real bpy subprocess; this machine has no GPU
    assert set(seen) >= {"CUDA", "OPTIX", "HIP"} and not seen["CUDA"]
    with pytest.raises(
        DiffforgeError, match=r"--device cuda: Cycles sees no CUDA device \(CPU only\)"
    ):
        check_device("cuda", seen)
    check_device("cpu")
    check_device("auto")
    check_device("cuda", {"CUDA": ["NVIDIA H100"]})  # what a GPU node reports


def test_an_output_that_cannot_be_made_is_refused_before_anything_runs(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("keep me")
    with pytest.raises(DiffforgeError, match="cannot create"):
        check_output(blocker / "sub")
    with pytest.raises(DiffforgeError, match="not a directory"):
        check_output(blocker)
    assert blocker.read_text() == "keep me"


@pytest.mark.slow  # two Blender scans of a .blend: ~12 s
def test_an_environment_is_scanned_when_its_sidecar_is_missing_or_stale(tmp_path):
    blend = make_blend(tmp_path / "room.blend", tagged=True)
    cfg = load_config(None, [f"assets.environment={blend}", "scene.layouts={environment: 1}"])
    sidecar = Path(f"{blend}.json")
    assert not sidecar.exists()
    ensure_environment_scanned(cfg)
    assert json.loads(sidecar.read_text())["surfaces"][0]["kind"] == "floor"
    stale = sidecar.stat().st_mtime - 100
    os.utime(sidecar, (stale, stale))
    ensure_environment_scanned(cfg)  # the .blend is newer: scanned again
    assert sidecar.stat().st_mtime > stale
    info = json.loads(sidecar.read_text())
    info["objects"] = [
        {"name": o["name"], "min": o["min"], "max": o["max"]} for o in info["objects"]
    ]
    sidecar.write_text(json.dumps(info))  # what a scan wrote before it judged the objects
    ensure_environment_scanned(cfg)
    assert all("changeable" in o for o in json.loads(sidecar.read_text())["objects"])


def test_an_environment_with_nothing_to_stand_on_fails_once_before_any_worker(tmp_path):
    blend = tmp_path / "empty.blend"
    code = "import bpy, sys; bpy.ops.wm.read_homefile(use_empty=True); " \
        "bpy.ops.wm.save_as_mainfile(filepath=sys.argv[-1])"  # fmt: skip
    subprocess.run([sys.executable, "-c", code, str(blend)], check=True, capture_output=True)
    cfg = load_config(None, [f"assets.environment={blend}", "scene.layouts={environment: 1}"])
    with pytest.raises(DiffforgeError, match="no mesh geometry in the file"):
        generate(cfg, tmp_path / "out", 2, progress=False)
    assert not (tmp_path / "out" / "pairs.jsonl").exists()  # no worker ever started


def test_captions_false_writes_pairs_without_captions(tmp_path, cache_dir):
    cfg = load_config(None, ["seed=1", "render.preset=draft"])
    summary = generate(
        cfg, tmp_path, 1, workers=1, cache_dir=cache_dir, progress=False, captions=False
    )
    assert summary["pairs"] == 1, summary["failures"]
    (rec,) = read_pairs(tmp_path)
    assert rec.captions == [] and rec.changes
    assert "caption" not in read_meta(tmp_path).runs[0]["mean_timings"]


def test_a_run_where_every_pair_fails_exits_1_with_the_first_reason(tmp_path):
    out = tmp_path / "out"
    proc = subprocess.run(
        [
            *(str(DIFFFORGE), "generate", str(CONFIG), "--out", str(out), "--n", "1"),
            *("--set", "render.preset=draft", "--set", "render.min_visible_pixels=100000"),
            *("--set", "changes.max_attempts=2", "--set", "changes.weights={color: 1.0}"),
            *("--set", "changes.per_pair={1: 1.0}"),
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1, proc.stderr
    last = proc.stderr.strip().splitlines()
    assert len(last) == 1 and "Traceback" not in proc.stderr
    assert "all 1 pairs failed; pair 0:" in last[0]
    assert "not visible" in last[0] or "out of view" in last[0]
    assert read_meta(out).counts["failed"] == 1


def test_eevee_is_refused_by_config_validation():
    with pytest.raises(ConfigError, match=r"render\.engine: eevee is not supported"):
        load_config(None, ["render.engine=eevee"])
