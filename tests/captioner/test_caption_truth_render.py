"""Captions a careful viewer signs (issue 32), checked on rendered pixels.

One small Cycles run (128×96, 4 samples) of hand-built pairs with the library's mannequin:
- a figure that starts pointing, seen face on and side on: the caption's side of the picture
  ("to the left", "towards the camera") is where the rendered arm reaches past the body;
- a figure turned 100°, once in the open and once with a cube hiding its legs: the rendered
  share of the figure the cube hides agrees with the prediction the caption reads, and only the
  open one's caption names a direction.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from diffforge.captioner.compose import change_groups, render_group
from diffforge.captioner.phrasings import templates
from diffforge.captioner.seen import FACING_SHARE
from diffforge.config import GenerateConfig
from diffforge.dataset import read_pairs
from diffforge.dataset.files import load_image
from diffforge.distributions import rng_for
from diffforge.scenes.assets.characters import POSES
from diffforge.scenes.model import (
    Attributes,
    Camera,
    Change,
    Environment,
    Light,
    ObjectInstance,
    PairSpec,
    Pose,
    Scene,
    Transform,
    World,
)

pytestmark = [pytest.mark.blender, pytest.mark.slow]

RES = (128, 96)
CAMERA = Camera(location=(0.0, -5.0, 1.6), look_at=(0.0, 0.0, 1.0), lens=35.0)
POINTING_YAWS = (0.0, 90.0, -90.0)  # face on, and turned to either side
TURN = 100.0


def _person(pose: str, yaw_deg: float = 0.0) -> ObjectInstance:
    return ObjectInstance(
        id="person_1", asset="mannequin", category="person", noun="person",
        attributes=Attributes(clothing={"top": "red", "bottom": "blue"}),
        transform=Transform(rotation=(0.0, 0.0, math.radians(yaw_deg))),
        dimensions=(0.58, 0.32, 1.75), pose=Pose(name=pose, bones=POSES[pose]),
    )  # fmt: skip


def _cube() -> ObjectInstance:
    """A 1.1 m grey cube a metre in front of the figure: it hides the figure's lower half."""
    return ObjectInstance(
        id="cube_1", asset="clevr_cube", category="cube", noun="cube",
        attributes=Attributes(color="gray", rgb=(0.45, 0.45, 0.45), material="rubber"),
        transform=Transform(location=(0.0, -1.0, 0.0), scale=11.0),
        dimensions=(1.1, 1.1, 1.1), tags=["clevr"],
    )  # fmt: skip


def _scene(objects: list[ObjectInstance]) -> Scene:
    return Scene(
        environment=Environment(layout="tabletop", extent=(8.0, 8.0, 3.0), floor_color="gray"),
        objects=objects,
        lights=[
            Light(id="key", type="area", location=(2.5, -3.0, 4.5), energy=900.0, size=2.0),
            Light(id="fill", type="point", location=(-3.0, -2.0, 3.0), energy=300.0),
        ],
        camera=CAMERA,
        world=World(background=(0.3, 0.3, 0.32)),
    )


def _pair(index: int, before: list, after: list, change: Change) -> PairSpec:
    return PairSpec(
        id=f"{index:06d}", index=index, seed=int(rng_for(0, index, "cycles").integers(2**31)),
        before=_scene(before), after=_scene(after), changes=[change],
    )  # fmt: skip


def _specs() -> list[PairSpec]:
    specs = []
    for i, yaw in enumerate(POINTING_YAWS):
        change = Change(
            type="pose", targets=["person_1"], before={"pose": "standing"},
            after={"pose": "pointing"},
        )  # fmt: skip
        specs.append(_pair(i, [_person("standing", yaw)], [_person("pointing", yaw)], change))
    for i, hidden in ((3, False), (4, True)):
        extra = [_cube()] if hidden else []
        change = Change(
            type="orientation", targets=["person_1"], before={"yaw_deg": 0.0},
            after={"yaw_deg": TURN}, params={"degrees": TURN, "direction": "counterclockwise"},
        )  # fmt: skip
        specs.append(
            _pair(i, [_person("standing"), *extra], [_person("standing", TURN), *extra], change)
        )
    return specs


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> Path:
    from diffforge.render import generate

    out = tmp_path_factory.mktemp("caption-truth") / "out"
    render = {"preset": "draft", "resolution": list(RES), "samples": 4, "denoise": False}
    cfg = GenerateConfig.model_validate({"seed": 0, "render": render})
    summary = generate(cfg, out, None, specs=_specs(), progress=False, captions=False, workers=1)
    assert summary["failed"] == 0, summary["failures"]
    return out


def _pair_data(root: Path, index: int) -> tuple[PairSpec, dict, dict[str, np.ndarray]]:
    rec = next(r for r in read_pairs(root) if r.index == index)
    scene = json.loads((root / rec.scene).read_text())
    spec = PairSpec.model_validate(scene["spec"])
    masks = {side: load_image(root / getattr(rec.masks, side)) for side in ("before", "after")}
    return spec, scene, masks


def _group(spec: PairSpec, scene: dict):
    (group,) = change_groups(spec, RES, scene.get("facts"))
    return group


def _renderings(group) -> list[str]:
    return [render_group(group, v) for v in range(len(templates().get(group.key)))]


def _columns(mask: np.ndarray) -> tuple[int, int]:
    xs = np.nonzero(mask.any(axis=0))[0]
    return int(xs.min()), int(xs.max())


def test_a_pointing_arm_is_captioned_where_the_render_shows_it(rendered) -> None:
    said = set()
    for index in range(len(POINTING_YAWS)):
        spec, scene, masks = _pair_data(rendered, index)
        person = scene["instances"]["person_1"]
        x0b, x1b = _columns(masks["before"] == person)
        x0a, x1a = _columns(masks["after"] == person)
        left, right = x0b - x0a, x1a - x1b  # how far the figure reaches past its standing self
        after = _group(spec, scene).values["after"]
        said.add(after)
        if after == "is pointing to the left":
            assert left >= 4 and right <= 1, (after, left, right)
        elif after == "is pointing to the right":
            assert right >= 4 and left <= 1, (after, left, right)
        else:  # along the line of sight: the arm hardly widens the figure
            assert after in ("is pointing towards the camera", "is pointing away from the camera")
            assert left <= 2 and right <= 2, (after, left, right)
    assert said == {
        "is pointing towards the camera",
        "is pointing to the left",
        "is pointing to the right",
    }, said


def test_a_turn_is_given_a_direction_only_where_the_render_shows_the_figure(rendered) -> None:
    spec_open, scene_open, masks_open = _pair_data(rendered, 3)
    spec_hid, scene_hid, masks_hid = _pair_data(rendered, 4)
    person = scene_open["instances"]["person_1"]
    for side in ("before", "after"):
        share = (masks_hid[side] == person).sum() / (masks_open[side] == person).sum()
        assert share < FACING_SHARE, share  # the cube hides the figure's legs
    open_group, hidden_group = _group(spec_open, scene_open), _group(spec_hid, scene_hid)
    assert open_group.key == "orientation"
    assert all("counterclockwise" in t for t in _renderings(open_group))
    assert hidden_group.key == "orientation_turned"
    assert not any("clockwise" in t for t in _renderings(hidden_group))
