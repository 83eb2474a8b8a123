"""The rules for review_std96v's cases, each refusing what the older rules passed, keeping a
clear one of its kind and passing it with its rule off: a material change read under another
change's object (3100/30: a glass table turned wood under a removed speaker), a small turn
beside a relighting (8100/01), and a sun turn whose shadows a viewer cannot compare (3100/14,
96t 2200/28). Masks and images are made by hand around the fixture pair (``make_pair``); the
real renders' measures are in benchmarks/calibration.md."""

from __future__ import annotations

import math

import numpy as np
import pytest
from gate_fixtures import VIS, gate_check
from render_fixtures import make_pair

from diffforge.scenes.changes import operator_for
from diffforge.scenes.changes.appearance import relit_turn_reasons
from diffforge.scenes.changes.scene_wide import shadow_bearing, sun_turns
from diffforge.scenes.model import Camera, Change, Environment, Light, Scene

IDS = {"cube_1": 1, "ball_1": 2, "sign_1": 3}
SIZE = (192, 256)  # rows, columns: the standard frame, where the thresholds are stated


def _painted(mask: np.ndarray, grey: int) -> np.ndarray:
    """An image whose cube pixels show the grey level ``grey`` (black elsewhere)."""
    image = np.zeros((*SIZE, 3), np.uint8)
    image[mask == IDS["cube_1"]] = grey
    return image


def _covered_look(covered: float, grey: int, vis=VIS):
    """The cube's material changes (grey 100 to ``grey``: 150 moves its CIELAB mean by 19.7,
    175 by 29.1) while the ball, nearer the camera, is removed from in front of ``covered``
    of the cube's pixels."""
    spec = make_pair(0, "material")
    spec.after.objects = [o for o in spec.after.objects if o.id != "ball_1"]
    spec.changes.append(Change(type="remove", targets=["ball_1"]))
    before, after = np.zeros(SIZE, np.int32), np.zeros(SIZE, np.int32)
    before[80:120, 100:140] = after[80:120, 100:140] = IDS["cube_1"]  # 1,600 px
    before[80 : 80 + round(40 * covered), 100:140] = IDS["ball_1"]
    images = (_painted(before, 100), _painted(after, grey))
    return gate_check(spec, spec.changes[0], (before, after), IDS, images=images, vis=vis)


def test_a_new_look_under_another_changes_object_shows_clearly() -> None:
    """3100/30: 0.22 covered, ΔE 20.0 refused; the C cases over 0.2 covered moved 27.5 and
    30.6 (kept at 29.1); 0.1 covered is the hidden-share rule's business alone; rule off."""
    low = _covered_look(0.25, 150)
    assert low.hidden_share() == pytest.approx(0.25)
    assert low.seen_both_delta_e() == pytest.approx(19.7, abs=0.1)
    assert low.covered_look_reasons() == [
        "material: the new look shows little beside another change"
    ]
    assert _covered_look(0.25, 175).covered_look_reasons() == []
    assert _covered_look(0.1, 150).covered_look_reasons() == []
    off = VIS.model_copy(update={"min_covered_look_delta_e": 0.0})
    assert _covered_look(0.25, 150, off).covered_look_reasons() == []
    # the material gate asks it (its other measures pass on these images)
    assert operator_for("material").gate(_covered_look(0.25, 175)) == []
    assert "beside another change" in operator_for("material").gate(low)[0]


def _turn(pixels: tuple[int, int], relit: bool, vis=VIS):
    """The fixture's turn (of its sign), with ``pixels`` visible before and after (blocks 40
    rows high)."""
    spec = make_pair(0, "orientation")
    (target,) = spec.changes[0].targets
    masks = []
    for n in pixels:
        mask = np.zeros(SIZE, np.int32)
        mask[80:120, 100 : 100 + n // 40] = IDS[target]
        masks.append(mask)
    return gate_check(spec, spec.changes[0], tuple(masks), IDS, relit=relit, vis=vis)


def test_a_small_turn_beside_a_relighting_is_refused() -> None:
    """8100/01: a chair of 1164/1111 px turned as the room brightened, refused; 96u 4600/21's
    1370/1439 px kept (its larger side is what counts: 96t 5900/16's monitor, 1858/880, was
    seen); the same small turn without the relighting, or with the rule off, kept."""
    share = operator_for("orientation").target_share
    assert relit_turn_reasons(_turn((1160, 1120), relit=True), share) == [
        "orientation: target too small to see turned beside a relighting"
    ]
    assert relit_turn_reasons(_turn((1360, 1440), relit=True), share) == []
    assert relit_turn_reasons(_turn((1880, 880), relit=True), share) == []
    assert relit_turn_reasons(_turn((1160, 1120), relit=False), share) == []
    off = VIS.model_copy(update={"relit_turn_target_factor": 1.0})
    assert relit_turn_reasons(_turn((1160, 1120), relit=True, vis=off), share) == []


def _street(elevation: float, bearing: float) -> Scene:
    """A camera looking along +Y and a sun ``elevation`` degrees high whose shadows fall
    ``bearing`` degrees off the line of sight."""
    yaw = math.radians(bearing)  # shadows fall along (-sin yaw, cos yaw)
    sun = Light(id="sun", type="sun", rotation=(math.radians(90 - elevation), 0.0, yaw))
    camera = Camera(location=(0.0, -8.0, 1.6), look_at=(0.0, 0.0, 1.2), lens=30.0)
    return Scene(environment=Environment(layout="street"), lights=[sun], camera=camera)


def test_the_camera_reads_the_shadows_bearing() -> None:
    for bearing in (-150.0, -44.0, 0.0, 60.0, 120.0):
        scene = _street(24.0, bearing)
        assert shadow_bearing(scene.camera, scene.lights[0].rotation[2]) == pytest.approx(
            bearing, abs=1e-6
        )


def test_a_sun_turns_only_where_its_shadows_fall_clear_of_the_line_of_sight() -> None:
    """A low sun whose shadows fall 44 degrees off the line of sight turns 100 degrees either
    way (56 and -144: both clear), 60 degrees only the way that keeps them clear (16 is not);
    shadows that fall straight away from the camera before (3100/14's bin) or after, and
    noon's high sun (96t 2200/28), give no turn a viewer sees."""
    street = _street(24.0, -44.0)
    yaw = street.lights[0].rotation[2]
    ends = sorted(shadow_bearing(street.camera, yaw + t) for t in sun_turns(street, 100.0))
    assert ends == [pytest.approx(-144.0), pytest.approx(56.0)]
    assert sun_turns(street, 60.0) == [pytest.approx(math.radians(-60.0))]
    assert sun_turns(_street(24.0, 5.0), 100.0) == []
    assert sun_turns(_street(24.0, -100.0), 100.0) == []  # ends at 0 or 160
    assert sun_turns(_street(62.0, -44.0), 100.0) == []
