"""The environments' architecture is in the scene graph, and visibility prediction sees it."""

from __future__ import annotations

import json

import numpy as np
import pytest

from diffforge.config import GenerateConfig
from diffforge.scenes.architecture import occluders
from diffforge.scenes.environments import architecture, attach
from diffforge.scenes.geometry import predicted_footprints
from diffforge.scenes.model import (
    Camera,
    Environment,
    ObjectInstance,
    Opening,
    PairSpec,
    Scene,
    Transform,
)
from diffforge.scenes.sampler import PairSampler

RES = (320, 240)


def _room(openings: list[Opening] | None = None, camera: Camera | None = None) -> Scene:
    env = Environment(layout="room", extent=(5.0, 4.0, 2.6), ceiling=True, openings=openings or [])
    cam = camera or Camera(location=(0.0, -1.8, 1.5), look_at=(0.0, 2.0, 1.2), lens=24.0)
    return Scene(environment=env, camera=cam)


def _cube(obj_id: str, x: float, y: float, z: float = 0.0, side: float = 0.5) -> ObjectInstance:
    return ObjectInstance(
        id=obj_id, asset="clevr_cube", category="cube", noun="cube",
        dimensions=(side, side, side), transform=Transform(location=(x, y, z)),
    )  # fmt: skip


def _covers(elements, name: str, point) -> bool:
    p = np.asarray(point)
    for e in elements:
        if e.name == name and e.shape == "box":
            lo = np.asarray(e.location) - np.asarray(e.size) / 2
            if np.all(lo <= p) and np.all(p <= lo + np.asarray(e.size)):
                return True
    return False


def test_a_closed_room_has_solid_walls_with_its_openings_left_open():
    window = Opening(kind="window", wall="back", center=0.5, bottom=0.9, width=1.2, height=1.1)
    door = Opening(kind="door", wall="left", center=-0.5, bottom=0.0, width=0.9, height=2.05)
    els = architecture(_room([window, door]))
    names = {e.name for e in els}
    assert {"floor", "ceiling", "wall_back", "wall_left", "window_frame", "door"} <= names
    back_y = 2.0 + 0.075  # inside the back wall's thickness
    assert _covers(els, "wall_back", (-1.5, back_y, 1.4))  # beside the window
    assert not _covers(els, "wall_back", (0.2, back_y, 1.4))  # through the window
    assert _covers(els, "wall_back", (0.2, back_y, 0.5))  # under the sill
    left_x = -2.5 - 0.075
    assert not _covers(els, "wall_left", (left_x, -0.5, 1.0))  # the doorway
    assert _covers(els, "door", (-2.575, -0.5, 1.0))  # ...holds a closed door
    # baseboards stop at the door
    assert not _covers(els, "baseboard", (-2.5 - 0.009, -0.5, 0.05))


def test_fixtures_glow_with_their_own_light():
    from diffforge.scenes.model import Light

    scene = _room()
    scene.lights = [Light(id="ceiling_1", location=(0.5, 0.5, 2.5), name="ceiling lamp")]
    glowing = [e for e in architecture(scene) if e.glow]
    assert [e.glow for e in glowing] == ["ceiling_1"]
    assert glowing[0].location[2] == pytest.approx(2.6 - 0.0225)


def test_a_street_emits_road_kerbs_sidewalks_and_buildings():
    env = Environment(layout="street", extent=(14.0, 12.0, 6.0), road_width=7.0, sidewalk_width=3.0)
    scene = Scene(environment=env, camera=Camera(location=(0, -6, 1.7), look_at=(0, 5, 1)))
    els = architecture(scene)
    kerbs = [e for e in els if e.name == "kerb"]
    assert len(kerbs) == 2
    assert max(e.location[2] + e.size[2] / 2 for e in kerbs) == pytest.approx(0.14)
    assert any(e.name == "building" for e in els)
    # buildings behind the camera cast no shadow on the street (they would darken it)
    behind = [e for e in els if e.name == "building" and e.location[1] < 0]
    assert behind and not any(e.casts_shadow for e in behind)


def test_an_open_room_hides_the_walls_the_camera_stands_behind():
    env = Environment(layout="room", extent=(5.0, 4.0, 2.6))
    outside = Camera(location=(0.0, -3.0, 1.5), look_at=(0.0, 0.0, 0.8))  # past the front wall
    els = {e.name: e for e in architecture(Scene(environment=env, camera=outside))}
    assert not els["wall_front"].camera_visible
    assert els["wall_back"].camera_visible
    assert "wall_front" not in {e.name for e in occluders(list(els.values()))}


def test_prediction_sees_an_object_through_a_window_and_not_through_the_wall():
    window = Opening(kind="window", wall="back", center=0.0, bottom=0.6, width=1.6, height=1.4)
    scene = _room([window])
    scene.objects = [
        _cube("behind_window", 0.0, 3.0, 0.9),  # outside, seen through the window
        _cube("behind_wall", -2.0, 3.0, 0.9),  # outside, behind solid wall
        _cube("inside", 1.5, 1.0),
    ]
    bare = predicted_footprints(scene, RES)  # no elements: nothing blocks the view
    assert bare["behind_wall"].pixels > 100
    seen = predicted_footprints(attach(scene), RES)
    assert seen["behind_wall"].pixels == 0
    assert seen["behind_window"].pixels > 0.5 * bare["behind_window"].pixels
    assert seen["inside"].pixels == pytest.approx(bare["inside"].pixels)


def test_sampled_specs_carry_their_architecture_and_round_trip():
    cfg = GenerateConfig.model_validate({"seed": 5, "render": {"preset": "draft"}})
    sampler = PairSampler(cfg)
    layouts = set()
    for index in range(40):
        if {"room", "street", "tabletop"} <= layouts:
            break
        spec = sampler.sample(index)
        env = spec.before.environment
        layouts.add(env.layout)
        for scene in (spec.before, spec.after):
            assert list(scene.elements) == architecture(scene)  # fresh: camera and lamps as drawn
            if env.layout == "room" and env.ceiling:
                assert {"floor", "ceiling", "wall_back"} <= {e.name for e in scene.elements}
        again = PairSpec.model_validate(json.loads(spec.to_json()))
        assert again.to_json() == spec.to_json()
    assert {"room", "street", "tabletop"} <= layouts


def test_unemitted_elements_survive_json_as_unemitted():
    """The renderer emits a scene's architecture only when nobody did: a hand-built spec sent
    through JSON to a worker must not arrive as a scene with no walls and no floor."""
    scene = _room()
    again = Scene.model_validate_json(scene.model_dump_json())
    assert scene.elements is None and again.elements is None
    emitted = Scene.model_validate_json(attach(scene).model_dump_json())
    assert emitted.elements == scene.elements and len(emitted.elements) > 10
    user = Scene(environment=Environment(layout="environment"), camera=scene.camera)
    assert Scene.model_validate_json(attach(user).model_dump_json()).elements == ()
