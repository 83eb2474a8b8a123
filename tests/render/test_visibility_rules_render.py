"""The render gates of review_std96h's barely-seen classes (the sampler predicts them first:
tests/scenes/test_visibility_rules.py): a target whose visible pixels are thin whatever its box
(a barrier's rails, a radiator's bars between legs, a board seen edge-on in a real Cycles
render) and a pose whose limbs hardly move across the picture."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from render_fixtures import make_pair, obj

from diffforge.config import VisibilityConfig
from diffforge.dataset import read_pairs
from diffforge.render.facts import instance_ids, object_facts
from diffforge.render.gates import check_pair
from diffforge.scenes.changes.gating import mask_width
from diffforge.scenes.model import Change, Pose

VIS = VisibilityConfig()
FRAME = (192, 256)


def _gone(shape: np.ndarray):
    """check_pair on a disappear of ``cube_1`` drawn as ``shape`` (a boolean mask of the
    frame), white on a dark floor, gone in the after image."""
    spec = make_pair(0, "color")
    spec.changes = [Change(type="disappear", targets=["cube_1"])]
    spec.after.objects = [o for o in spec.after.objects if o.id != "cube_1"]
    ids = instance_ids(spec)
    before, after = np.zeros(FRAME, np.uint16), np.zeros(FRAME, np.uint16)
    before[shape] = ids["cube_1"]
    images = [np.full((*FRAME, 3), 40, np.uint8) for _ in range(2)]
    images[0][shape] = 230
    facts = {
        "before": object_facts(before, ids, {"cube_1"}),
        "after": object_facts(after, ids, set()),
    }
    return check_pair(spec, ids, facts, tuple(images), (before, after), 8, VIS)


def _rails(width: int) -> np.ndarray:
    """A barrier's frame as review_std96h 9700/18 rendered it: a 38x19 px box of rails
    ``width`` px thick (top, bottom, ends and a middle one)."""
    shape = np.zeros(FRAME, bool)
    y0, y1, x0, x1 = 87, 106, 176, 214
    shape[y0 : y0 + width, x0:x1] = shape[y1 - width : y1, x0:x1] = True
    mid = (y0 + y1) // 2
    shape[mid - width // 2 : mid - width // 2 + width, x0:x1] = True
    shape[y0:y1, x0 : x0 + width] = shape[y0:y1, x1 - width : x1] = True
    return shape


def test_mask_width_is_the_thickest_part_not_the_box() -> None:
    square = np.zeros(FRAME, bool)
    square[50:70, 50:70] = True
    assert mask_width(square) == pytest.approx(20.0, abs=1.0)
    assert mask_width(_rails(4)) < 6  # a 38x19 px box; 5.7 where two rails meet
    assert mask_width(np.zeros(FRAME, bool)) == 0.0


def test_a_target_thin_in_its_own_pixels_is_refused() -> None:
    """The barrier's 4 px rails (237 px, 38x19 px box: its area and box passed) are refused;
    the same frame of 12 px rails, and a solid 20x20 block, are kept."""
    thin = _rails(4)
    assert thin.sum() >= VIS.target_pixels((256, 192))
    assert "disappear: target too thin to see (before)" in _gone(thin)
    assert not [r for r in _gone(_rails(12)) if "thin" in r]
    block = np.zeros(FRAME, bool)
    block[80:100, 100:120] = True
    assert not _gone(block), _gone(block)


def test_a_pose_whose_limbs_hardly_move_across_the_picture_is_refused() -> None:
    """The gate's backstop of the pose operator's limb rule: a walker facing the camera
    stopping (9100/08) is refused on the recorded geometry whatever its outline did (a camera
    jitter moves every edge); side-on it is kept."""
    from diffforge.scenes.assets.characters import POSES

    def reasons(yaw: float) -> list[str]:
        spec = make_pair(0, "color")
        spec.changes = [Change(type="pose", targets=["cube_1"], before={"pose": "walking"},
                               after={"pose": "standing"})]  # fmt: skip
        for scene, name in ((spec.before, "walking"), (spec.after, "standing")):
            person = scene.object("cube_1")
            person.dimensions = (0.6, 0.4, 1.75)
            person.transform.location = (0.0, 0.0, 0.0)
            person.transform.rotation = (0.0, 0.0, yaw)
            person.pose = Pose(name=name, bones=dict(POSES[name]))
        ids = instance_ids(spec)
        masks = [np.zeros(FRAME, np.uint16) for _ in range(2)]
        masks[0][40:150, 100:130] = ids["cube_1"]  # a large change of outline
        masks[1][40:150, 96:134] = ids["cube_1"]
        images = [np.where((m > 0)[..., None], 200, 40).repeat(3, -1).astype(np.uint8)
                  for m in masks]  # fmt: skip
        facts = {s: object_facts(m, ids, {"cube_1"}) for s, m in
                 zip(("before", "after"), masks, strict=True)}  # fmt: skip
        return check_pair(spec, ids, facts, tuple(images), tuple(masks), 8, VIS)

    facing = make_pair(0, "color").before.camera  # the camera looks along +y
    assert facing.location[1] < 0
    assert "pose: limbs hardly move in the picture" in reasons(0.0)
    assert not reasons(math.pi / 2), reasons(math.pi / 2)


def _sign_gone(index: int, yaw: float):
    """A large sign (2x the fixture's) that disappears, turned ``yaw`` to the camera."""
    spec = make_pair(index, "color", seed=7)
    sign = obj("sign_1", "sign", (0.0, 1.0, 0.0), "white", scale=2.0, yaw=yaw, text="OPEN")
    spec.before.objects = [sign if o.id == "sign_1" else o for o in spec.before.objects]
    spec.after.objects = [o for o in spec.before.objects if o.id != "sign_1"]
    spec.after.objects = [o.model_copy(deep=True) for o in spec.after.objects]
    spec.changes = [Change(type="disappear", targets=["sign_1"])]
    return spec


@pytest.mark.blender
def test_a_board_seen_edge_on_is_refused_in_a_real_render(run, tmp_path) -> None:
    """Rendered with Cycles (96x72, 4 samples): a board seen edge-on is a sliver of a few
    pixels across (its area passes) and is refused as too thin; face-on it is kept."""
    specs = [_sign_gone(0, math.pi / 2), _sign_gone(1, 0.0)]
    summary = run(tmp_path, n=None, specs=specs, workers=1)
    kept = {r.id for r in read_pairs(tmp_path)}
    assert kept == {specs[1].id}, summary["failures"]
    assert "too thin to see" in json.dumps(summary["failures"]), summary["failures"]
