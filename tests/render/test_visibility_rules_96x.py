"""The render gate for review_std96x's barely seen swap (3500/21): a striped teal laundry
basket swapped for a cyan nightstand box of its size in its place, which kept the outline and
the colour. Masks and images are made by hand around the fixture pair (``make_pair``); the
real renders' measures are in benchmarks/calibration.md (review_std96x section)."""

from __future__ import annotations

import numpy as np
import pytest
from gate_fixtures import VIS, gate_check
from render_fixtures import make_pair

from diffforge.scenes.changes import GateCheck, operator_for
from diffforge.scenes.changes.salience import swap_look_reasons, swap_measures
from diffforge.scenes.model import Change

IDS = {"cube_1": 1, "ball_1": 2, "sign_1": 3}
SIZE = (192, 256)  # rows, columns: the standard frame, where the thresholds are stated
WALL = 120


def _swap(new_colour: tuple[int, int, int], shift: int = 0, vis=VIS) -> GateCheck:
    """The cube (teal, 40 x 40 px, with darker stripes) on a grey wall swapped for the ball
    (``new_colour``, the same size) ``shift`` px to the right of where the cube stood."""
    spec = make_pair(0, "remove")
    spec.changes[0] = Change(type="replace", targets=["cube_1", "ball_1"])
    before_mask, after_mask = np.zeros(SIZE, np.int32), np.zeros(SIZE, np.int32)
    before_mask[80:120, 100:140] = IDS["cube_1"]
    after_mask[80:120, 100 + shift : 140 + shift] = IDS["ball_1"]
    before = np.full((*SIZE, 3), WALL, np.uint8)
    before[before_mask == 1] = (40, 170, 170)
    before[80:120:6, 100:140] = (25, 130, 130)  # the basket's stripes
    after = np.full((*SIZE, 3), WALL, np.uint8)
    after[after_mask == 2] = new_colour
    diff = np.abs(after.astype(int) - before.astype(int)).max(axis=-1) > 24
    return gate_check(
        spec, spec.changes[0], (before_mask, after_mask), IDS, images=(before, after),
        diff=diff, vis=vis,
    )  # fmt: skip


def test_a_swap_that_keeps_the_place_and_the_colour_is_refused() -> None:
    """Same place (overlap 1), a plain cyan box for the striped teal basket (ΔE*ab under
    ``min_swap_look_delta_e`` 15): refused by the replace gate, kept with the rule off (0);
    the same box in another colour kept, and the teal one where it moves the outline
    (overlap under ``swap_same_place_overlap`` 0.5)."""
    gate = operator_for("replace").gate
    kept_look = _swap((45, 175, 180))
    overlap, delta_e = swap_measures(kept_look)
    assert overlap == pytest.approx(1.0) and delta_e < 15.0
    assert gate(kept_look) == ["replace: the new thing keeps the old one's place and colour"]
    off = VIS.model_copy(update={"min_swap_look_delta_e": 0.0})
    assert gate(_swap((45, 175, 180), vis=off)) == []
    recoloured = _swap((200, 140, 40))
    assert swap_measures(recoloured)[1] > 15.0 and gate(recoloured) == []
    moved = _swap((45, 175, 180), shift=30)
    assert swap_measures(moved)[0] < 0.5
    assert swap_look_reasons(moved) == [] and gate(moved) == []
