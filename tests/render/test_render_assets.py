"""Library assets in real renders: the posed mannequin, a user glTF asset, a user .blend world."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from mask_checks import assert_mask_holds_the_change, pair_arrays
from render_fixtures import make_pair, obj

from diffforge.config import GenerateConfig
from diffforge.dataset import read_pairs
from diffforge.dataset.files import load_image
from diffforge.render.facts import pixel_difference
from diffforge.render.gates import DIFF_THRESHOLD
from diffforge.scenes.assets.characters import POSES
from diffforge.scenes.model import (
    Attributes,
    Camera,
    Change,
    Environment,
    ObjectInstance,
    Pose,
    Transform,
)

pytestmark = [pytest.mark.blender, pytest.mark.slow]

BLEND_SCRIPT = """
import bpy, sys
bpy.ops.wm.read_homefile(use_empty=True)
sc = bpy.context.scene
bpy.ops.mesh.primitive_plane_add(size=8.0)
floor = bpy.context.active_object; floor.name = "floor"; floor["diffforge_surface"] = "floor"
bpy.ops.mesh.primitive_cube_add(size=1.0, location=(0.0, 0.5, 0.4))
table = bpy.context.active_object; table.name = "table"; table.scale = (1.6, 0.8, 0.8)
table["diffforge_surface"] = "table"
cam = bpy.data.objects.new("cam", bpy.data.cameras.new("cam")); sc.collection.objects.link(cam)
cam.location = (0.0, -4.0, 2.6); cam.rotation_euler = (1.02, 0.0, 0.0); cam["diffforge_camera"] = 4.97
bpy.ops.wm.save_as_mainfile(filepath=sys.argv[-1])
"""


RIG_SCRIPT = """
import bpy, sys
bpy.ops.wm.read_homefile(use_empty=True)
sc = bpy.context.scene
arm = bpy.data.objects.new("UserRig", bpy.data.armatures.new("UserRig"))
sc.collection.objects.link(arm)
bpy.context.view_layer.objects.active = arm
bpy.ops.object.mode_set(mode="EDIT")
hips = arm.data.edit_bones.new("Hips"); hips.head, hips.tail = (0, 0, 0.9), (0, 0, 1.1)
limb = arm.data.edit_bones.new("Arm_R"); limb.head, limb.tail = (-0.19, 0, 1.42), (-0.75, 0, 1.42)
limb.parent = hips
bpy.ops.object.mode_set(mode="OBJECT")
def part(name, size, loc, bone):
    bpy.ops.mesh.primitive_cube_add(size=1.0, location=loc)
    ob = bpy.context.active_object; ob.name = name; ob.scale = size
    bpy.ops.object.transform_apply(location=False, rotation=False, scale=True)
    mat = bpy.data.materials.new("top"); ob.data.materials.append(mat)
    ob.vertex_groups.new(name=bone).add(range(len(ob.data.vertices)), 1.0, "REPLACE")
    ob.modifiers.new("rig", "ARMATURE").object = arm
    ob.parent = arm
part("torso", (0.36, 0.2, 1.5), (0, 0, 0.75), "Hips")
part("arm", (0.56, 0.12, 0.12), (-0.47, 0, 1.42), "Arm_R")
bpy.ops.export_scene.gltf(filepath=sys.argv[-1], export_format="GLB")
"""


def _person(pose: str) -> ObjectInstance:
    return ObjectInstance(
        id="person_1",
        asset="mannequin",
        category="person",
        noun="person",
        attributes=Attributes(clothing={"top": "red", "bottom": "blue"}),
        transform=Transform(location=(0.0, -0.6, 0.0)),
        dimensions=(0.58, 0.32, 1.75),
        pose=Pose(name=pose, bones=POSES[pose]),
    )


def _user_manifest(tmp: Path, glb: Path, rig: Path) -> Path:
    digest = hashlib.sha256(glb.read_bytes()).hexdigest()
    rig_digest = hashlib.sha256(rig.read_bytes()).hexdigest()
    manifest = {
        "name": "test-user-assets",
        "version": "1",
        "license": "CC0-1.0",
        "assets": [
            {
                "id": "user_crate", "type": "mesh", "file": str(glb), "sha256": digest,
                "license": "CC0-1.0", "source": "test", "category": "crate", "noun": "crate",
                "placement": "floor", "size": [1.0, 1.0, 1.0], "material_slots": ["body"],
                "default_color": "orange", "default_material": "wood", "tags": ["indoor"],
            },
            {
                "id": "user_rig", "type": "rig", "file": str(rig), "sha256": rig_digest,
                "bone_map": {"Hips": "hips", "Arm_R": "upper_arm_R"},
                "license": "CC0-1.0", "source": "test", "category": "robot", "noun": "robot",
                "placement": "floor", "size": [0.94, 0.2, 1.5], "material_slots": ["top"],
                "default_color": "green", "tags": ["indoor", "person"],
            },
        ],
    }  # fmt: skip
    path = tmp / "user_manifest.json"
    path.write_text(json.dumps(manifest))
    return path


@pytest.fixture(scope="module")
def asset_pairs(assets, cache_dir, tmp_path_factory):
    from diffforge.render import generate
    from diffforge.render.assets import ChainResolver, LibraryResolver
    from diffforge.render.environment_scan import scan_environment as scan_env

    tmp = tmp_path_factory.mktemp("asset-pairs")
    blend = tmp / "studio.blend"
    subprocess.run(
        [sys.executable, "-c", BLEND_SCRIPT, str(blend)], check=True, capture_output=True
    )
    info = json.loads(scan_env(blend).read_text())
    rig = tmp / "user_rig.glb"
    subprocess.run([sys.executable, "-c", RIG_SCRIPT, str(rig)], check=True, capture_output=True)
    manifest = _user_manifest(tmp, Path(assets.assets["cube"].path), rig)
    # hand-made pairs that check assets, not visibility (the pose outline gate is held by
    # tests/render/test_seen_rules.py)
    cfg = GenerateConfig.model_validate(
        {"seed": 5, "assets": {"manifests": [str(manifest)]},
         "visibility": {"pose_outline_share": 0.0}}
    )  # fmt: skip
    specs = []
    pose = make_pair(0, "none")  # mannequin: standing -> waving
    pose.before.objects = [o for o in pose.before.objects if o.id != "sign_1"] + [
        _person("standing")
    ]
    pose.after.objects = [o for o in pose.after.objects if o.id != "sign_1"] + [_person("waving")]
    pose.changes = [Change(type="pose", targets=["person_1"])]
    specs.append(pose)
    user = make_pair(1, "none")  # a user glTF asset from a user manifest, recoloured
    crate = obj("crate_1", "cube", (-0.2, -1.2, 0.0), "orange", "wood", scale=0.6)
    crate.asset = "user_crate"
    user.before.objects.append(crate)
    crate2 = crate.model_copy(deep=True)
    crate2.attributes.color, crate2.attributes.rgb = "purple", (0.45, 0.15, 0.7)
    user.after.objects.append(crate2)
    user.changes = [Change(type="color", targets=["crate_1"])]
    specs.append(user)
    env = make_pair(2, "none")  # a user .blend environment with its own camera
    cam = info["cameras"][0]
    table = next(s for s in info["surfaces"] if s["name"] == "table")
    for scene in (env.before, env.after):
        scene.environment = Environment(
            layout="environment", extent=tuple(info["extent"]), blend_file=str(blend)
        )
        scene.camera = Camera(
            location=tuple(cam["location"]), look_at=tuple(cam["look_at"]), lens=cam["lens"]
        )
        scene.objects = [
            obj("ball_1", "ball", (*table["center"], table["height"]), "blue", scale=0.5)
        ]
    env.after.objects[0].attributes.color, env.after.objects[0].attributes.rgb = (
        "yellow",
        (0.95, 0.85, 0.1),
    )
    env.changes = [Change(type="color", targets=["ball_1"])]
    specs.append(env)
    robot = make_pair(3, "none")  # a user rig posed through its bone_map: arm down -> up
    for scene, pose in ((robot.before, "standing"), (robot.after, "arms_raised")):
        person = _person(pose)
        person.id, person.asset, person.dimensions = "robot_1", "user_rig", (0.94, 0.2, 1.5)
        person.attributes = Attributes(color="green", rgb=(0.1, 0.6, 0.15))
        scene.objects = [o for o in scene.objects if o.id != "sign_1"] + [person]
    robot.changes = [Change(type="pose", targets=["robot_1"])]
    specs.append(robot)
    out = tmp / "out"
    resolver = ChainResolver([assets, LibraryResolver(cfg.assets)])
    summary = generate(
        cfg,
        out,
        None,
        specs=specs,
        resolver=resolver,
        cache_dir=cache_dir,
        progress=False,
        captions=False,
    )
    assert summary["failed"] == 0, summary["failures"]
    return out, info


def _arrays(root: Path, index: int) -> dict[str, np.ndarray]:
    return pair_arrays(root, next(r for r in read_pairs(root) if r.index == index))


def test_scan_env_finds_surfaces_and_camera(asset_pairs):
    _, info = asset_pairs
    by_name = {s["name"]: s for s in info["surfaces"]}
    assert info["surfaces"][0]["name"] == "floor" and info["surfaces"][0]["kind"] == "floor"
    assert {"floor", "table"} <= set(by_name)  # + the floor's other free rectangles
    assert by_name["table"]["height"] == pytest.approx(0.8, abs=1e-4)
    assert info["extent"][0] == pytest.approx(8.0, abs=1e-4)
    assert len(info["cameras"]) == 1  # its tag: 4.97 m to the target, on the floor
    assert info["cameras"][0]["look_at"][2] == pytest.approx(0, abs=0.02)


@pytest.mark.parametrize(
    "index", [0, 1, 2, 3], ids=["mannequin-pose", "user-gltf", "user-blend-env", "user-rig-pose"]
)
def test_change_is_visible_and_inside_its_mask(asset_pairs, index):
    root, _ = asset_pairs
    arrays = _arrays(root, index)
    diff = pixel_difference(arrays["before"], arrays["after"]) > DIFF_THRESHOLD
    assert diff.sum() > 10
    assert_mask_holds_the_change(arrays, f"pair {index}")
    assert (diff & arrays["change"]).sum() >= 5


def test_mannequin_clothing_colours(asset_pairs):
    root, _ = asset_pairs
    rec = next(r for r in read_pairs(root) if r.index == 0)
    scene = json.loads((root / rec.scene).read_text())
    mask = load_image(root / rec.masks.before) == scene["instances"]["person_1"]
    img = load_image(root / rec.before).astype(int)
    px = img[mask]
    assert mask.sum() > 30
    assert ((px[:, 0] - px[:, 1]) > 40).sum() > 5  # red top
    assert ((px[:, 2] - px[:, 0]) > 20).sum() > 5  # blue trousers


def test_environment_objects_are_background(asset_pairs):
    root, _ = asset_pairs
    rec = next(r for r in read_pairs(root) if r.index == 2)
    mask = load_image(root / rec.masks.before)
    assert set(np.unique(mask)) <= {0, 1}
    assert (mask == 1).sum() > 10
