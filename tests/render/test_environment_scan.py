"""User environments without tagging: the scan finds supports, scale and cameras from the file.

Four untagged scenes of the kinds users bring (tests/render/user_scenes_script.py): a curved
studio backdrop rising to 23 m with three lamps and a camera; 2 m primitives on a slab with no
camera; a closed interior (walls, ceiling, furniture, a ceiling lamp) with no camera; the same
interior modelled in centimetres. Each is scanned, then rendered at 256×192 with 2 samples
(masks are exact whatever the noise): pairs must show the inserted objects.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from diffforge.config import load_config
from diffforge.dataset import read_meta, read_pairs
from diffforge.dataset.files import load_image
from diffforge.render import generate
from diffforge.render.environment_scan import scan_environment

pytestmark = [pytest.mark.blender, pytest.mark.slow]
SCRIPT = Path(__file__).with_name("user_scenes_script.py")
KINDS = ("backdrop", "slab", "interior", "interior_cm")


@pytest.fixture(scope="module")
def scenes(tmp_path_factory) -> dict[str, tuple[Path, dict]]:
    tmp = tmp_path_factory.mktemp("user-scenes")
    out = {}
    for kind in KINDS:
        blend = tmp / f"{kind}.blend"
        subprocess.run([sys.executable, str(SCRIPT), kind, str(blend)], check=True,
                       capture_output=True)  # fmt: skip
        out[kind] = (blend, json.loads(scan_environment(blend).read_text()))
    return out


def _by_name(info: dict) -> dict[str, dict]:
    return {s["name"]: s for s in info["surfaces"]}


def test_a_curved_backdrop_floor_is_its_flat_part_not_its_box_top(scenes):
    _, info = scenes["backdrop"]
    floor = next(s for s in info["surfaces"] if s["kind"] == "floor")
    assert info["extent"][2] == pytest.approx(23.0)  # the backdrop rises to 23 m...
    assert floor["height"] == pytest.approx(0.0, abs=0.02)  # ...the floor is still at 0
    assert _by_name(info)["Pedestal"]["height"] == pytest.approx(0.5, abs=1e-3)
    assert [c["name"] for c in info["cameras"]] == ["Camera"]  # the file's own camera
    assert len(info["lights"]) == 3 and info["scale"] == 1.0


def test_primitives_on_a_slab_are_brought_to_tabletop_scale(scenes):
    _, info = scenes["slab"]
    assert info["scale"] == pytest.approx(0.2)  # 2 m primitives on an 8 m slab
    floor = next(s for s in info["surfaces"] if s["kind"] == "floor")
    assert floor["height"] == pytest.approx(0.3 * 0.2, abs=1e-3)  # the slab's top, in metres
    assert len(info["cameras"]) == 3  # synthesised: the file has none
    for cam in info["cameras"]:
        assert cam["location"][2] > floor["height"] and cam["look_at"][2] >= floor["height"]


@pytest.mark.parametrize("kind", ["interior", "interior_cm"])
def test_an_interior_has_its_furniture_tops_not_walls_or_ceiling(scenes, kind):
    _, info = scenes[kind]
    assert info["scale"] == pytest.approx(1.0 if kind == "interior" else 0.01)
    heights = {round(s["height"], 2) for s in info["surfaces"]}
    assert 0.75 in heights and 0.45 in heights  # the table and the sofa seat, in metres
    assert max(heights) < 2.2  # no ceiling, no wall tops
    table = _by_name(info)["Table"]
    assert table["half"] == pytest.approx([0.7, 0.4], abs=0.03)
    floor = next(s for s in info["surfaces"] if s["kind"] == "floor")
    for s in info["surfaces"]:  # supports lie inside the room
        assert abs(s["center"][0]) + s["half"][0] <= 3.01 and abs(s["center"][1]) <= 2.5
    for cam in info["cameras"]:  # synthesised inside the room, at eye height
        x, y, z = cam["location"]
        assert abs(x) < 3.0 and abs(y) < 2.5 and z == pytest.approx(floor["height"] + 1.6)
    assert info["lights"][0]["energy"] == pytest.approx(300.0, rel=1e-3)  # cm lamp rescaled


def test_nothing_to_stand_on_is_one_line(tmp_path):
    script = "import bpy, sys; bpy.ops.wm.read_homefile(use_empty=True); " \
        "bpy.ops.wm.save_as_mainfile(filepath=sys.argv[-1])"  # fmt: skip
    blend = tmp_path / "empty.blend"
    subprocess.run([sys.executable, "-c", script, str(blend)], check=True, capture_output=True)
    with pytest.raises(Exception, match="no mesh geometry in the file"):
        scan_environment(blend)
    assert not Path(f"{blend}.json").exists()


@pytest.mark.parametrize("kind", KINDS)
def test_pairs_in_an_untagged_scene_show_the_objects(scenes, kind, tmp_path, cache_dir):
    blend, _ = scenes[kind]
    cfg = load_config(None, [
        f"assets.environment={blend}", "scene.layouts={environment: 1.0}", "seed=1",
        "render.preset=draft", "render.resolution=[256, 192]", "render.samples=2",
        "render.denoise=false",
    ])  # fmt: skip
    summary = generate(cfg, tmp_path, 4, workers=1, cache_dir=cache_dir, progress=False)
    assert summary["failed"] == 0, summary["failures"]
    recs = read_pairs(tmp_path)
    shown = 0
    for rec in recs:
        mask = load_image(tmp_path / rec.masks.before)
        _, counts = np.unique(mask[mask > 0], return_counts=True)
        shown += int((counts >= 12).sum() >= 2)
    assert shown >= 0.9 * len(recs)  # ≥ 2 objects of ≥ 12 px in the before image
    resampled = sum(read_meta(tmp_path).counts["resampled"].values())
    assert resampled <= len(recs)  # at most one resampled attempt per pair on average


def test_the_files_own_lamps_are_the_lights_changes_act_on(scenes, tmp_path, cache_dir):
    """The backdrop's three lamps are scene lights ("file:<name>"); dimming them in the after
    scene dims the rendered after image: the renderer changes the file's lamps in place."""
    from diffforge.scenes.model import Change
    from diffforge.scenes.sampler import PairSampler

    blend, info = scenes["backdrop"]
    cfg = load_config(None, [
        f"assets.environment={blend}", "scene.layouts={environment: 1.0}", "seed=1",
        "render.preset=draft", "render.resolution=[96, 72]", "render.samples=4",
        "render.denoise=false",
    ])  # fmt: skip
    spec = PairSampler(cfg).sample(0)
    lamps = [f"file:{lamp['name']}" for lamp in info["lights"]]
    assert sorted(light.id for light in spec.before.lights) == sorted(lamps)
    spec.after = spec.before.model_copy(deep=True)
    for light in spec.after.lights:
        light.energy *= 0.2
    spec.changes = [Change(type="illumination", targets=lamps)]
    summary = generate(cfg, tmp_path, None, specs=[spec], cache_dir=cache_dir, progress=False,
                       gates=False, captions=False)  # fmt: skip
    assert summary["pairs"] == 1, summary["failures"]
    (rec,) = read_pairs(tmp_path)
    before = load_image(tmp_path / rec.before).astype(float).mean()
    after = load_image(tmp_path / rec.after).astype(float).mean()
    assert after < 0.97 * before, (before, after)  # same seed: any change is the lamps
