"""Captions a careful viewer signs (issue 32), checked on rendered pixels.

One small Cycles run (128×96, 4 samples) of hand-built pairs with the library's mannequin:
- a figure that starts pointing, seen face on and side on: the caption's side of the picture
  ("to the left"; none for an arm along the line of sight) is where the rendered arm reaches
  past the body;
- a figure turned 100°, once in the open and once with a cube hiding its legs: the rendered
  share of the figure the cube hides agrees with the prediction the caption reads, and only the
  open one's caption names a direction;
- a figure facing the camera from the left of a wide view, pointing (review std48d pair 22):
  perspective carries the rendered hand past the shoulder to the picture's left, and so does
  the caption;
- a crouching figure seen side on: its heels are under its hips (nothing but air under the
  hips read as sitting on an invisible stool);
- a white metal cube under a blue sky beside a white rubber one: the metal face shows the blue
  it reflects, so no description calls it white, while the rubber one keeps its name
  (review_std96s 6800/14: a grey car in an evening street rendered dark olive).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from diffforge.captioner.api import stored_colours
from diffforge.captioner.compose import change_groups, render_group
from diffforge.captioner.phrasings import templates
from diffforge.captioner.referring import Resolver, make_view
from diffforge.captioner.seen import FACING_SHARE, colour_seen
from diffforge.config import GenerateConfig
from diffforge.dataset import read_pairs
from diffforge.dataset.files import load_image
from diffforge.distributions import rng_for
from diffforge.scenes.assets.characters import POSES
from diffforge.scenes.changes.gating import mean_lab
from diffforge.scenes.colour_names import name_fits
from diffforge.scenes.lighting import SceneLight
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
from diffforge.vocabulary import POSE_MOVED_PHRASES

pytestmark = [pytest.mark.blender, pytest.mark.slow]

RES = (128, 96)
CAMERA = Camera(location=(0.0, -5.0, 1.6), look_at=(0.0, 0.0, 1.0), lens=35.0)
POINTING_YAWS = (0.0, 90.0, -90.0)  # face on, and turned to either side
TURN = 100.0
WIDE_PAIR, CROUCH_PAIR, METAL_PAIR = 5, 6, 7
CROUCH_SPOT = (0.0, -1.0, 0.0)  # a metre nearer: the hips and heels a few pixels apart
# The most air under a crouching figure's hips, as a share of its height in the picture (the
# pose before issue 32 left its seat 0.27 m over the floor with nothing below: about a quarter).
AIR_UNDER_HIPS = 0.12
BLUE_SKY = (0.05, 0.12, 0.9)  # what the metal cube reflects


# Review std48d pair 22's camera and figure (the figure's scale left out).
WIDE = Camera(location=(-0.332, -1.949, 1.523), look_at=(-0.383, 1.651, 0.807), lens=19.389)
WIDE_SPOT, WIDE_YAW = (-1.402, 1.309, 0.0), 11.868


def _person(pose: str, yaw_deg: float = 0.0, at=(0.0, 0.0, 0.0)) -> ObjectInstance:
    return ObjectInstance(
        id="person_1", asset="mannequin", category="person", noun="person",
        attributes=Attributes(clothing={"top": "red", "bottom": "blue"}),
        transform=Transform(location=at, rotation=(0.0, 0.0, math.radians(yaw_deg))),
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


def _white_cube(obj_id: str, material: str, x: float) -> ObjectInstance:
    """A 0.6 m white cube on the floor, left of the figure."""
    return ObjectInstance(
        id=obj_id, asset="clevr_cube", category="cube", noun="cube",
        attributes=Attributes(color="white", rgb=(0.92, 0.92, 0.92), material=material),
        transform=Transform(location=(x, -0.5, 0.0), scale=6.0),
        dimensions=(0.6, 0.6, 0.6), tags=["clevr"],
    )  # fmt: skip


def _scene(objects: list[ObjectInstance], camera: Camera = CAMERA, sky=(0.3, 0.3, 0.32)) -> Scene:
    return Scene(
        environment=Environment(layout="tabletop", extent=(8.0, 8.0, 3.0), floor_color="gray"),
        objects=objects,
        lights=[
            Light(id="key", type="area", location=(2.5, -3.0, 4.5), energy=900.0, size=2.0),
            Light(id="fill", type="point", location=(-3.0, -2.0, 3.0), energy=300.0),
        ],
        camera=camera,
        world=World(background=sky),
    )


def _pair(
    index: int, before: list, after: list, change: Change, camera: Camera = CAMERA, sky=None
) -> PairSpec:
    world = {} if sky is None else {"sky": sky}
    return PairSpec(
        id=f"{index:06d}", index=index, seed=int(rng_for(0, index, "cycles").integers(2**31)),
        before=_scene(before, camera, **world), after=_scene(after, camera, **world),
        changes=[change],
    )  # fmt: skip


def _pose_change(before: str, after: str) -> Change:
    return Change(type="pose", targets=["person_1"], before={"pose": before}, after={"pose": after})


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
    wide = [_person(p, WIDE_YAW, WIDE_SPOT) for p in ("standing", "pointing")]
    specs.append(_pair(WIDE_PAIR, *[[w] for w in wide], _pose_change("standing", "pointing"), WIDE))
    crouch = [_person(p, 90.0, CROUCH_SPOT) for p in ("standing", "crouching")]
    specs.append(_pair(CROUCH_PAIR, *[[c] for c in crouch], _pose_change("standing", "crouching")))
    cubes = [
        _white_cube("cube_metal", "metal_polished", -1.6),
        _white_cube("cube_rubber", "rubber", -0.7),
    ]
    posed = [[_person(p, 90.0, (1.0, 0.0, 0.0)), *cubes] for p in ("standing", "pointing")]
    specs.append(_pair(METAL_PAIR, *posed, _pose_change("standing", "pointing"), sky=BLUE_SKY))
    return specs


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> Path:
    from diffforge.render import generate

    out = tmp_path_factory.mktemp("caption-truth") / "out"
    render = {"preset": "draft", "resolution": list(RES), "samples": 4, "denoise": False}
    # pair 4's figure is hidden on purpose, under the turn gate's 3x threshold: these pairs
    # test caption words, so every target counts as large enough
    # hand-made pairs that measure captions, not the gates (a plain figure's small turn)
    visibility = {"min_target_pixels": 0, "min_target_fraction": 0.0, "turn_plain_px": 0}
    cfg = GenerateConfig.model_validate({"seed": 0, "render": render, "visibility": visibility})
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
        else:  # along the line of sight: the arm hardly widens the figure, and reads as
            # standing in both images: worded by the limb that moved (no pose name, no side)
            assert after == POSE_MOVED_PHRASES["one_arm"], after
            assert left <= 2 and right <= 2, (after, left, right)
    assert said == {
        POSE_MOVED_PHRASES["one_arm"],
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


def test_an_arm_pointing_off_centre_is_captioned_where_perspective_puts_it(rendered) -> None:
    spec, scene, masks = _pair_data(rendered, WIDE_PAIR)
    person = scene["instances"]["person_1"]
    x0b, x1b = _columns(masks["before"] == person)
    x0a, x1a = _columns(masks["after"] == person)
    # the pointing hand widens the figure to the left of its standing self, not to the right
    assert x0b - x0a >= 3 and x1a - x1b <= 1, (x0b - x0a, x1a - x1b)
    assert _group(spec, scene).values["after"] == "is pointing to the left"


def test_a_crouching_figure_has_its_heels_under_its_hips(rendered) -> None:
    """Side on (facing the picture's right), the figure reaches down to the floor right under
    its hips: the seat rests on the heels, so nothing reads as a seat of air (std48d pair 01)."""
    from diffforge.scenes.assets.characters import forward_kinematics
    from diffforge.scenes.geometry import project, yaw_matrix

    spec, scene, masks = _pair_data(rendered, CROUCH_PAIR)
    figure = masks["after"] == scene["instances"]["person_1"]
    rows = np.nonzero(figure.any(axis=1))[0]
    height = int(rows.max() - rows.min() + 1)
    person = spec.after.objects[0]
    hip = forward_kinematics(person.pose.bones)["hips"][0]
    world = hip @ yaw_matrix(person.transform.rotation[2]).T + np.asarray(CROUCH_SPOT)
    uv, _ = project(spec.after.camera, world[None], RES)
    u = round(float(uv[0, 0]))
    air = min(int(rows.max() - np.nonzero(figure[:, c])[0].max()) for c in range(u - 1, u + 2))
    assert air <= AIR_UNDER_HIPS * height, (air, height)
    assert _group(spec, scene).values["after"] == "is crouching"


def test_a_colour_word_is_said_only_where_the_pixels_carry_it(rendered) -> None:
    spec, scene, masks = _pair_data(rendered, METAL_PAIR)
    facts = scene["facts"]["before"]
    # the facts' colour is the colour gate's measure of the object's pixels, and a dataset
    # stored without it gets the same from its images when re-captioned
    rec = next(r for r in read_pairs(rendered) if r.index == METAL_PAIR)
    image = load_image(rendered / rec.before)
    own = masks["before"] == scene["instances"]["cube_metal"]
    assert np.allclose(facts["cube_metal"]["lab"], mean_lab(image, own), atol=0.05)
    bare = {side: {i: {"pixels": f["pixels"], "box": f["box"]} for i, f in per.items()}
            for side, per in scene["facts"].items()}  # fmt: skip
    assert stored_colours(rendered, rec, scene, bare) == scene["facts"]
    metal, rubber = (spec.before.object(i) for i in ("cube_metal", "cube_rubber"))
    # the light model alone would name both white; the pixels name only the rubber one so
    assert colour_seen(metal, SceneLight(spec.before)) and colour_seen(
        rubber, SceneLight(spec.before)
    )
    assert not name_fits(np.array(facts["cube_metal"]["lab"]), "white"), facts["cube_metal"]
    assert name_fits(np.array(facts["cube_rubber"]["lab"]), "white"), facts["cube_rubber"]
    resolver = Resolver(make_view(spec.before, RES, facts))
    assert not resolver.colour_seen(metal) and resolver.colour_seen(rubber)
    assert "white" not in resolver.describe(metal).text
