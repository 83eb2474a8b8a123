"""A user rig with its own bone conventions (tests/render/user_rig_script.py: other bone names,
axes and rolls, an A-pose, a Y-up glTF in centimetres facing +X, under a scaled root node, with
an animation clip) posed like the mannequin.

Each pair shows the rig and the mannequin side by side in the same pose. In every pose the
rig's mask is as tall as the mannequin's posed body would project at its place (within 15 %;
for standing poses without raised arms that is the standing height), its lowest pixel is where
that body meets the floor and its width is the body's (within 20 %); a second rig without hands
and feet still raises its arms, sits and crouches on the floor. Captions of such rigs are
checked without Blender (tests/scenes/test_rig_appearance.py).
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from render_fixtures import base_scene

from diffforge.config import GenerateConfig, TextConfig
from diffforge.dataset import read_pairs
from diffforge.dataset.files import load_image
from diffforge.distributions import rng_for
from diffforge.scenes.assets.characters import POSES, mannequin
from diffforge.scenes.assets.library import AssetLibrary
from diffforge.scenes.geometry import project, yaw_matrix
from diffforge.scenes.instances import instantiate
from diffforge.scenes.model import (
    Attributes,
    Camera,
    Change,
    ObjectInstance,
    PairSpec,
    Pose,
    Transform,
)

pytestmark = [pytest.mark.blender, pytest.mark.slow]

SCRIPT = Path(__file__).with_name("user_rig_script.py")
RESOLUTION = (192, 144)
HEIGHT = 1.75  # the rig's standing height in metres (its manifest size)
STANDING = ("standing", "waving", "arms_raised", "pointing", "walking", "arms_crossed",
            "head_turned")  # fmt: skip
BONE_MAP = {
    "Pelvis": "hips", "Torso1": "spine", "Torso2": "chest", "NeckB": "neck", "Skull": "head",
    **{f"{own}{s}": f"{canon}_{c}" for s, c in (("Lf", "L"), ("Rt", "R"))
       for own, canon in (("Arm", "upper_arm"), ("Fore", "lower_arm"), ("Paw", "hand"),
                          ("Thigh", "upper_leg"), ("Shin", "lower_leg"), ("Toe", "foot"))},
}  # fmt: skip
NO_HANDS_FEET = ("PawLf", "PawRt", "ToeLf", "ToeRt")
# (rig, before pose, after pose): every standing pose of the library, then sitting/crouching
PAIRS = [
    ("odd_rig", "standing", "waving"),
    ("odd_rig", "arms_raised", "pointing"),
    ("odd_rig", "walking", "arms_crossed"),
    ("odd_rig", "head_turned", "crouching"),
    ("handless_rig", "standing", "arms_raised"),
    ("handless_rig", "sitting", "crouching"),
]
RIG_AT, MANNEQUIN_AT = (-0.55, 0.0, 0.0), (0.55, 0.0, 0.0)


def _manifest(tmp: Path) -> Path:
    assets = []
    for rig_id, drop in (("odd_rig", ()), ("handless_rig", NO_HANDS_FEET)):
        glb = tmp / f"{rig_id}.glb"
        args = [sys.executable, str(SCRIPT), str(glb), *([",".join(drop)] if drop else [])]
        subprocess.run(args, check=True, capture_output=True)
        assets.append({
            "id": rig_id, "type": "rig", "file": glb.name,
            "sha256": hashlib.sha256(glb.read_bytes()).hexdigest(),
            "bone_map": {k: v for k, v in BONE_MAP.items() if k not in drop},
            "license": "CC0-1.0", "source": "test", "category": "person", "noun": "person",
            "placement": "floor", "size": [0.5, 0.3, HEIGHT], "tags": ["person", "indoor"],
        })  # fmt: skip
    path = tmp / "rigs.json"
    path.write_text(json.dumps({"name": "rigs", "version": "1", "license": "CC0-1.0",
                                "assets": assets}))  # fmt: skip
    return path


def _figure(library: AssetLibrary, asset: str, obj_id: str, at, pose: str) -> ObjectInstance:
    """The asset as the sampler instantiates it, at ``at`` in ``pose``, scale 1."""
    spec = library.get(asset)
    obj = instantiate(rng_for(0, 0, obj_id), spec, obj_id, TextConfig(), at, scale=1.0)
    obj.pose = Pose(name=pose, bones={k: tuple(v) for k, v in POSES[pose].items()})
    return obj


def _pair(index: int, library: AssetLibrary, rig: str, poses: tuple[str, str]) -> PairSpec:
    scenes = []
    for pose in poses:
        scene = base_scene()
        scene.objects = [
            _figure(library, rig, "rig_1", RIG_AT, pose),
            ObjectInstance(
                id="person_1", asset="mannequin", category="person", noun="person",
                attributes=Attributes(clothing={"top": "red", "bottom": "blue"}),
                transform=Transform(location=MANNEQUIN_AT), dimensions=(0.58, 0.32, HEIGHT),
                pose=Pose(name=pose, bones=POSES[pose]), tags=["person"],
            ),
        ]  # fmt: skip
        scene.camera.location, scene.camera.look_at = (0.0, -5.5, 1.4), (0.0, 0.0, 0.9)
        scenes.append(scene)
    change = Change(type="pose", targets=["rig_1", "person_1"])
    return PairSpec(id=f"rig-{index:03d}", index=index, seed=0, before=scenes[0],
                    after=scenes[1], changes=[change])  # fmt: skip


@pytest.fixture(scope="module")
def rig_run(cache_dir, tmp_path_factory):
    from diffforge.render import generate
    from diffforge.render.assets import LibraryResolver

    tmp = tmp_path_factory.mktemp("user-rig")
    manifest = _manifest(tmp)
    render = {"preset": "draft", "resolution": list(RESOLUTION), "samples": 4, "denoise": False}
    # the pairs measure rigs, not visibility: a standing-to-standing pair has no outline change
    cfg = GenerateConfig.model_validate(
        {"seed": 0, "render": render, "assets": {"manifests": [str(manifest)]},
         "visibility": {"pose_outline_share": 0.0}}
    )  # fmt: skip
    library = AssetLibrary.load(cfg.assets)
    specs = [_pair(i, library, rig, poses) for i, (rig, *poses) in enumerate(PAIRS)]
    out = tmp / "out"
    summary = generate(cfg, out, None, specs=specs, resolver=LibraryResolver(cfg.assets),
                       cache_dir=cache_dir, progress=False, captions=False, workers=1)  # fmt: skip
    assert summary["failed"] == 0, summary["failures"]
    return out, specs


def _measure(root: Path, index: int, side: str, obj_id: str) -> dict[str, float]:
    """The object's mask box (top, bottom, left, right; pixels) and what the mannequin's posed
    body at its place and size would cover (want_*; floor: where its feet meet the floor)."""
    rec = next(r for r in read_pairs(root) if r.index == index)
    facts = json.loads((root / rec.scene).read_text())
    scene = facts["spec"][side]
    obj = next(o for o in scene["objects"] if o["id"] == obj_id)
    mask = load_image(root / getattr(rec.masks, side)) == facts["instances"][obj_id]
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    assert rows.size, f"{obj_id} not visible in pair {index} {side}"
    body = mannequin(obj["pose"]["name"])
    verts = np.vstack([g.vertices for g in body.geometry.values()]) * obj["dimensions"][2] / HEIGHT
    t = obj["transform"]
    uv, _ = project(Camera(**scene["camera"]), verts @ yaw_matrix(t["rotation"][2]).T
                    + t["location"], RESOLUTION)  # fmt: skip
    return {
        "top": float(rows[0]), "bottom": float(rows[-1] + 1),
        "left": float(cols[0]), "right": float(cols[-1] + 1),
        "want_top": float(uv[:, 1].min()), "floor": float(uv[verts[:, 2] < 0.01, 1].max()),
        "want_left": float(uv[:, 0].min()), "want_right": float(uv[:, 0].max()),
    }  # fmt: skip


CASES = [(i, side, pose) for i, (_rig, *poses) in enumerate(PAIRS)
         for side, pose in zip(("before", "after"), poses, strict=True)]  # fmt: skip


@pytest.mark.parametrize(("index", "side", "pose"), CASES,
                         ids=[f"{PAIRS[i][0]}-{p}" for i, _s, p in CASES])  # fmt: skip
def test_rig_stands_as_tall_as_the_pose_with_feet_on_the_floor(rig_run, index, side, pose):
    """Height within 15 % of the posed body's projection (the standing height for standing
    poses without raised arms), lowest pixel on its floor contact, width within 20 %."""
    root, _ = rig_run
    for obj_id in ("person_1", "rig_1"):  # the mannequin first: the measure itself is sound
        m = _measure(root, index, side, obj_id)
        height, want = m["bottom"] - m["top"], m["floor"] - m["want_top"]
        width, want_w = m["right"] - m["left"], m["want_right"] - m["want_left"]
        print(f"{obj_id} {pose}: {height:.0f} px tall (want {want:.1f}), foot at "
              f"{m['bottom']:.0f} (floor {m['floor']:.1f}), {width:.0f} wide (want {want_w:.1f})")  # fmt: skip
        assert abs(height - want) <= 0.15 * want, (obj_id, pose, height, want)
        assert abs(m["bottom"] - m["floor"]) <= max(2.5, 0.05 * want), (obj_id, pose, m)
        assert abs(width - want_w) <= max(3.0, 0.2 * want_w), (obj_id, pose, width, want_w)


def test_standing_poses_are_all_covered():
    seen = {p for _r, *poses in PAIRS for p in poses}
    assert set(STANDING) <= seen and {"sitting", "crouching"} <= seen
    assert set(POSES) == set(STANDING) | {"sitting", "crouching"}


def test_handless_rig_still_raises_its_arms(rig_run):
    root, _ = rig_run
    index = PAIRS.index(("handless_rig", "standing", "arms_raised"))
    before, after = (_measure(root, index, side, "rig_1") for side in ("before", "after"))
    assert after["top"] < before["top"] - 0.1 * (before["bottom"] - before["top"])  # arms up
    assert after["bottom"] == before["bottom"]


def test_undeclared_rig_keeps_its_own_look(rig_run):
    """No clothing drawn for it, and its textured skin is not painted over."""
    root, specs = rig_run
    rig = specs[0].before.object("rig_1")
    assert rig.attributes.clothing is None and rig.attributes.color is None
    rec = next(r for r in read_pairs(root) if r.index == 0)
    facts = json.loads((root / rec.scene).read_text())
    mask = load_image(root / rec.masks.before) == facts["instances"]["rig_1"]
    px = load_image(root / rec.before)[mask].astype(int)
    skin = (px[:, 0] > px[:, 1]) & (px[:, 1] > px[:, 2])
    assert skin.mean() > 0.8, skin.mean()


def _moved_side(root: Path, index: int, obj_id: str) -> float:
    """Where the pixels the pose change added lie across the picture, relative to the feet, in
    body heights (+: the picture's right). Measured against the figure's own before image, so
    the perspective of a figure off the frame's centre cancels out."""
    rec = next(r for r in read_pairs(root) if r.index == index)
    facts = json.loads((root / rec.scene).read_text())
    before, after = (load_image(root / getattr(rec.masks, s)) == facts["instances"][obj_id]
                     for s in ("before", "after"))  # fmt: skip
    rows, cols = np.nonzero(before)
    top, bottom = rows.min(), rows.max() + 1
    feet = cols[rows >= bottom - 0.15 * (bottom - top)].mean()
    added = np.nonzero(after & ~before)[1]
    assert added.size > 20, f"{obj_id}: the pose change must show"
    return float((added.mean() - feet) / (bottom - top))


@pytest.mark.parametrize("pose", ["waving", "pointing"])
def test_rig_moves_the_same_arm_as_the_mannequin(rig_run, pose):
    """Height and width boxes pass a mirrored figure; the side its arms moved to does not: it
    is the mannequin's (both face the camera, side by side). Waving raises the right arm (the
    picture's left); pointing from arms raised lowers the left arm to hang at its side."""
    root, _ = rig_run
    index = next(
        i for i, (rig, *poses) in enumerate(PAIRS) if rig == "odd_rig" and pose == poses[1]
    )
    person, rig = (_moved_side(root, index, o) for o in ("person_1", "rig_1"))
    print(f"{pose}: the mannequin's new pixels at {person:+.3f}, the rig's at {rig:+.3f}")
    assert abs(person) > 0.08, "the pose change must lie to one side for this to tell"
    assert np.sign(rig) == np.sign(person) and abs(rig) > 0.02
