"""Closed, furnished rooms and built streets: what the layouts promise before any render."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from diffforge.config import load_config
from diffforge.distributions import rng_for
from diffforge.scenes.changes.scene_wide import orbit
from diffforge.scenes.environments import compose
from diffforge.scenes.environments.seating import is_seat
from diffforge.scenes.environments.staging import crossing_span
from diffforge.scenes.sampler import load_library

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = ROOT / "configs" / "default.yaml"
SEEDS = range(24)


@pytest.fixture(scope="module")
def cfg():
    return load_config(DEFAULT, [])


@pytest.fixture(scope="module")
def library(cfg):
    return load_library(cfg)


def scenes(cfg, library, layout: str):
    return [compose(rng_for(cfg.seed, i, f"test-{layout}"), layout, cfg, library) for i in SEEDS]


def inside(p, w, d, h, margin=0.05) -> bool:
    return abs(p[0]) < w / 2 - margin and abs(p[1]) < d / 2 - margin and 0 < p[2] < h - margin


def test_rooms_are_closed_and_the_camera_stays_inside_under_any_viewpoint_change(cfg, library):
    for scene in scenes(cfg, library, "room"):
        env = scene.environment
        w, d, h = env.extent
        assert env.ceiling and env.room_type
        assert any(o.kind == "door" for o in env.openings)
        assert any(o.kind == "window" for o in env.openings)
        for o in env.openings:  # openings lie inside their wall
            length = w if o.wall in ("back", "front") else d
            assert abs(o.center) + o.width / 2 <= length / 2 + 1e-6
            assert o.bottom >= 0 and o.bottom + o.height < h
        cam = scene.camera
        assert inside(cam.location, w, d, h), (cam, env.extent)
        # the largest orbit, elevation and zoom the default viewpoint change can draw
        for az in (-35.0, 35.0):
            for el in (-6.0, 10.0):
                moved = orbit(cam, math.radians(az), math.radians(el), 1.1)
                assert inside(moved.location, w, d, h, margin=0.0), (moved, env.extent)


def test_rooms_have_lamps_that_keep_light_when_one_goes_off(cfg, library):
    for scene in scenes(cfg, library, "room"):
        lamps = [x for x in scene.lights if x.type != "sun" and x.on]
        assert any(x.name == "ceiling lamp" for x in lamps)
        assert len(lamps) >= 2 or any(x.type == "sun" for x in scene.lights)
        assert any(x.type == "sun" for x in scene.lights)  # daylight through the windows
        assert scene.world.sky == "physical"


def test_rooms_and_streets_are_dense(cfg, library):
    rooms = [len(s.objects) for s in scenes(cfg, library, "room")]
    streets = [len(s.objects) for s in scenes(cfg, library, "street")]
    assert np.median(rooms) >= 20, rooms
    assert np.median(streets) >= 16, streets
    kinds = {s.environment.room_type for s in scenes(cfg, library, "room")}
    assert len(kinds) >= 4, kinds


def test_people_stand_and_signs_hang_where_they_are_supported(cfg, library):
    for layout in ("room", "street"):
        for scene in scenes(cfg, library, layout):
            env = scene.environment
            w, d, h = env.extent
            walk = (env.road_width / 2, env.road_width / 2 + env.sidewalk_width)
            for obj in scene.objects:
                x, y, z = obj.transform.location
                if obj.category == "person" and obj.support not in ("floor", "ground"):
                    seat = scene.object(obj.support)  # a sitter: feet where its seat stands
                    assert is_seat(seat) and obj.pose.name == "sitting"
                    assert z == seat.transform.location[2]
                elif obj.category == "person":
                    if layout == "room":
                        assert z == 0.0 and inside((x, y, 1.0), w, d, h)
                    elif abs(y) < walk[0]:  # crossing the road on the zebra crossing
                        x0, x1 = crossing_span(env)
                        assert z == 0.0 and x0 < x < x1
                    else:  # on a sidewalk, at its height
                        assert z == pytest.approx(0.12) and walk[0] < abs(y) < walk[1]
                if obj.category in ("sign", "poster") and "text" in obj.tags:
                    spec = library.get(obj.asset)
                    if spec.placement == "wall":  # flush with the back wall or the facades
                        assert obj.support == "wall"
                        plane = d / 2 if layout == "room" else walk[1]
                        assert y + obj.dimensions[1] / 2 == pytest.approx(plane, abs=1e-6)
                    else:  # free-standing signs only on posts outdoors, never on room floors
                        assert layout == "street" and obj.asset == "sign_post"


def test_streets_have_roads_sidewalks_sun_and_night(cfg, library):
    times = set()
    for scene in scenes(cfg, library, "street"):
        env = scene.environment
        times.add(env.time_of_day)
        assert env.road_width > 0 and env.sidewalk_width > 0
        assert scene.world.sky == "physical"
        suns = [x for x in scene.lights if x.type == "sun"]
        lamps = [x for x in scene.lights if x.name == "street lamp"]
        if env.time_of_day == "night":
            assert not suns and sum(x.on for x in scene.lights) >= 2
        else:
            assert len(suns) == 1
            assert all(x.on == (env.time_of_day == "evening") for x in lamps)
        cars = [o for o in scene.objects if o.category == "car"]
        for car in cars:  # parked on the road, lengthwise
            assert abs(car.transform.location[1]) < env.road_width / 2
    assert {"morning", "noon", "evening"} <= times
