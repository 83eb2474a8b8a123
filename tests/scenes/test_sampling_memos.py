"""The sampler's shortcuts give what the long way gives: kept predictions and picture boxes
are never stale after an object moves, and the pose rules asked the short way agree with
``allowed_poses`` (the 240 golden specs hold the whole; these name the part that broke)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from diffforge.config import load_config
from diffforge.scenes import geometry
from diffforge.scenes.assets.characters import POSES
from diffforge.scenes.environments import seating, staging
from diffforge.scenes.sampler import PairSampler

CONFIG = Path(__file__).resolve().parents[2] / "configs" / "default.yaml"


@pytest.fixture(scope="module")
def scenes():
    sampler = PairSampler(load_config(CONFIG))
    return [sampler.sample(i).before for i in range(24)]


def test_kept_footprint_follows_a_moved_target(scenes) -> None:
    res, fill = (256, 192), 0.45
    checked = 0
    for scene in scenes:
        for i, obj in enumerate(scene.objects):
            first = geometry.predicted_footprint(scene, obj.id, res, fill)
            if first is None or first.pixels <= 0:
                continue
            assert geometry.predicted_footprint(scene, obj.id, res, fill) == first
            x, y, z = obj.transform.location
            obj.transform.location = (x + 0.3, y, z)
            moved = geometry.predicted_footprint(scene, obj.id, res, fill)
            assert moved == geometry._predict_one(scene, i, res, fill)
            assert moved != first
            obj.transform.location = (x, y, z)
            checked += 1
            break
    assert checked >= 10


def test_kept_picture_box_follows_a_moved_thing(scenes) -> None:
    checked = 0
    for scene in scenes:
        for obj in scene.objects:
            box = staging.picture_box(scene.camera, obj)
            if box is None:
                continue
            assert box == staging._picture_box(scene.camera, obj)
            x, y, z = obj.transform.location
            obj.transform.location = (x, y + 0.5, z)
            moved = staging.picture_box(scene.camera, obj)
            assert moved == staging._picture_box(scene.camera, obj) and moved != box
            obj.transform.location = (x, y, z)
            checked += 1
    assert checked >= 100


def test_pose_rules_the_short_way_agree(scenes) -> None:
    people = [(s, o) for s in scenes for o in s.objects if staging.is_person(o)]
    assert len(people) >= 10
    for scene, person in people:
        allowed = staging.allowed_poses(scene, person)
        for name in sorted(POSES):
            assert staging._allows(scene, person, name) == (name in allowed), (person.id, name)
        clear = staging.pressed_against(scene, person) is None and any(
            not staging._reaches_wall(scene, person, POSES[p]) for p in allowed
        )
        assert staging._clear(scene, person) == clear


def test_seat_tops_at_once_match_one_by_one() -> None:
    rng = np.random.default_rng(5)
    lo = rng.uniform(-0.5, 0.3, size=(12, 3))
    boxes = np.stack([lo, lo + rng.uniform(0.05, 0.6, size=(12, 3))], axis=1)
    boxes[0, 1, 2] = 0.0  # a top at 0 counts as none, as ``top_under(...) or nan`` did
    ys = np.linspace(-0.6, 0.9, 150)
    for x in (-0.2, 0.0, 0.25):
        one = np.array([seating.top_under(boxes, x, y) or np.nan for y in ys])
        np.testing.assert_array_equal(seating._tops_under(boxes, x, ys), one)
