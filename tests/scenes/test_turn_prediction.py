"""A turn's gates predicted from the target's box (``scenes.changes.turn_prediction``): a
box-like shape with a front turned by a quarter or a half turn keeps its outline (the outline
gate refused centimetres' crates at every angle, issue 27), a long one turned across the view
does not; a plain box turned a half-turn shows the same faces in the same places."""

from __future__ import annotations

import math

import pytest

from diffforge.scenes.changes.turn_prediction import (
    MIN_TURN_PREDICTED_SHARE,
    box_outline_match,
    turn_changed_share,
    turn_prediction_reasons,
)
from diffforge.scenes.model import Camera, ObjectInstance, Transform

RES = (256, 192)
CAMERA = Camera(location=(0.0, -4.0, 1.6), look_at=(0.0, 0.0, 0.3))
OUTLINE = "orientation: the turned outline predicted to match the old one"
SHARE = "orientation: the turn predicted to change too little of the target"


def _box(dims, yaw_deg: float) -> ObjectInstance:
    return ObjectInstance(
        id="t", asset="file:Crate", category="crate", noun="crate", dimensions=dims,
        transform=Transform(location=(0.0, 0.0, 0.0), rotation=(0.0, 0.0, math.radians(yaw_deg))),
    )  # fmt: skip


def _sides(dims, old: float, new: float):
    return (_box(dims, old), CAMERA), (_box(dims, new), CAMERA)


@pytest.mark.parametrize("turn", [90.0, 180.0])
def test_a_near_cube_crate_turned_keeps_its_box_outline(turn):
    sides = _sides((0.5, 0.45, 0.4), 10.0, 10.0 + turn)
    assert box_outline_match(*sides, RES) > 0.9
    assert OUTLINE in turn_prediction_reasons(*sides, RES, symmetry=1, max_outline_match=0.8)


def test_a_long_bench_turned_across_the_view_changes_its_outline():
    sides = _sides((1.6, 0.4, 0.45), 0.0, 80.0)
    assert box_outline_match(*sides, RES) < 0.6
    assert turn_prediction_reasons(*sides, RES, symmetry=1, max_outline_match=0.8) == []


def test_the_outline_rule_is_for_shapes_with_a_front_only():
    """A folded shape (a cube, 4-fold) has its own gates: only the changed share applies."""
    sides = _sides((0.5, 0.45, 0.4), 10.0, 100.0)
    assert OUTLINE not in turn_prediction_reasons(*sides, RES, symmetry=4, max_outline_match=0.8)


def test_a_plain_box_turned_a_half_turn_is_predicted_to_change_nothing():
    sides = _sides((1.2, 0.5, 0.6), 20.0, 200.0)
    assert turn_changed_share(*sides, RES) < 0.05
    assert SHARE in turn_prediction_reasons(*sides, RES, symmetry=1, max_outline_match=1.0)
    across = _sides((1.2, 0.5, 0.6), 20.0, 70.0)
    assert turn_changed_share(*across, RES) > MIN_TURN_PREDICTED_SHARE
