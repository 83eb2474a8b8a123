"""A user .blend environment: scanned with real Blender, then sampled by the pure-Python sampler."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from diffforge.config import load_config
from diffforge.errors import ConfigError
from diffforge.render.environment_scan import scan_environment
from diffforge.scenes.sampler import PairSampler

# Blender runs in subprocesses only: find bpy without importing it into the test process
if importlib.util.find_spec("bpy") is None:
    pytest.skip("bpy is not installed", allow_module_level=True)
pytestmark = pytest.mark.blender

MAKE_BLEND = r"""
import sys, bpy
bpy.ops.wm.read_homefile(use_empty=True)
bpy.ops.mesh.primitive_plane_add(size=8.0, location=(0, 0, 0))
bpy.context.object.name = "Floor"
if sys.argv[2] == "tagged":
    bpy.context.object["diffforge_surface"] = "floor"
bpy.ops.mesh.primitive_cube_add(size=1.0, location=(0.5, 1.0, 0.4))
bench = bpy.context.object
bench.name = "Workbench"
bench.scale = (1.6, 0.8, 0.8)
bench["diffforge_surface"] = "surface"
bpy.ops.object.camera_add(location=(0.0, -6.0, 3.0), rotation=(1.15, 0.0, 0.0))
bpy.context.object["diffforge_camera"] = 6.0
bpy.ops.wm.save_as_mainfile(filepath=sys.argv[1])
"""


def make_blend(path: Path, tagged: bool = True) -> Path:
    subprocess.run(
        [sys.executable, "-c", MAKE_BLEND, str(path), "tagged" if tagged else "plain"],
        check=True,
        capture_output=True,
    )
    return path


def test_scan_and_sample_a_user_environment(tmp_path: Path) -> None:
    blend = make_blend(tmp_path / "workshop.blend")
    sidecar = scan_environment(blend)
    info = json.loads(sidecar.read_text())
    kinds = {s["name"]: s for s in info["surfaces"]}
    assert kinds["Floor"]["kind"] == "floor" and kinds["Workbench"]["kind"] == "surface"
    assert kinds["Workbench"]["height"] == pytest.approx(0.8)
    assert kinds["Workbench"]["half"] == pytest.approx([0.8, 0.4])
    assert len(info["cameras"]) == 1

    cfg = load_config(
        None,
        [
            f"assets.environment={blend}",
            "scene.layouts={environment: 1.0}",
            "scene.objects={min: 3, max: 5}",
            "changes.weights={color: 1, move: 1, add: 1}",
        ],
    )
    sampler = PairSampler(cfg)
    spec = sampler.sample(0)
    assert spec.before.environment.blend_file == str(blend)
    assert spec.before.camera.location == pytest.approx(info["cameras"][0]["location"])
    # what the layouts put on the bench stands at its height (over a few pairs: not every
    # pair puts something there)
    on_bench = [o for i in range(8) for o in sampler.sample(i).before.objects
                if o.support == "surface:Workbench"]  # fmt: skip
    assert on_bench and all(o.transform.location[2] == pytest.approx(0.8) for o in on_bench)


def test_an_untagged_blend_is_scanned_from_its_geometry(tmp_path: Path) -> None:
    plain = make_blend(tmp_path / "plain.blend", tagged=False)
    cfg = load_config(None, [f"assets.environment={plain}", "scene.layouts={environment: 1.0}"])
    with pytest.raises(
        ConfigError, match=r"^assets.environment: .*plain.blend.json: scan the .blend first"
    ):
        PairSampler(cfg).sample(0)  # the sampler reads the sidecar; generate scans first
    info = json.loads(scan_environment(plain).read_text())
    kinds = {s["name"]: s for s in info["surfaces"]}
    assert kinds["Floor"]["kind"] == "floor" and kinds["Floor"]["height"] == pytest.approx(0)
    assert kinds["Workbench"]["height"] == pytest.approx(0.8)
    env = PairSampler(cfg).sample(0).before.environment
    assert env.blend_file == str(plain)
    # facts about the file come from the file or are left out, never invented: the floor's
    # colour is the scanned floor object's (user_file.floor_colour, for the lighting model's
    # bounce); this plane has no material, so Cycles' default 0.8 grey surface, named white
    assert kinds["Floor"]["object"] == "Floor"
    assert (env.floor_color, env.floor_material, env.wall_color) == ("white", None, None)
