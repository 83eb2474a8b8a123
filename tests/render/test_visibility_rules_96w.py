"""The rule for review_std96w's caveat: a thing gone in a pair whose camera moves stays where
the new view shows its spot (2400/01: a chair gone at the frame's edge as the camera turned
away, spot seen 0.45; 2400/47: a car gone behind another after the move, 0.28; both rated
faithful "with a caveat"); kept where the spot stays in view, and with the rule off."""

from __future__ import annotations

import numpy as np
import pytest
from gate_fixtures import VIS, gate_check
from render_fixtures import make_pair

from diffforge.scenes.model import Change

IDS = {"cube_1": 1, "ball_1": 2, "sign_1": 3}
SIZE = (192, 256)


def _gone_as_the_camera_turns(pan_m: float, viewpoint: bool = True, vis=VIS):
    """The cube (1 m left of the look-at point) removed while the camera turns to look
    ``pan_m`` metres to the right."""
    spec = make_pair(0, "remove")
    x, y, z = spec.after.camera.look_at
    spec.after.camera = spec.after.camera.model_copy(update={"look_at": (x + pan_m, y, z)})
    if viewpoint:
        spec.changes.append(Change(type="viewpoint", targets=["camera"]))
    before = np.zeros(SIZE, np.int32)
    before[80:120, 60:100] = IDS["cube_1"]
    return gate_check(spec, spec.changes[0], (before, np.zeros(SIZE, np.int32)), IDS, vis=vis)


def test_a_thing_gone_out_of_the_moved_cameras_view_is_refused() -> None:
    away = _gone_as_the_camera_turns(4.0)
    assert away.gone_spot_seen() < VIS.min_gone_spot_seen_share
    assert away.hidden_reasons() == [
        "remove: where the target was is out of the moved camera's view"
    ]
    near = _gone_as_the_camera_turns(0.2)
    assert near.gone_spot_seen() == pytest.approx(1.0, abs=0.2)
    assert near.hidden_reasons() == []
    # camera jitter without a viewpoint change is not judged; the rule turned off keeps it
    assert _gone_as_the_camera_turns(4.0, viewpoint=False).gone_spot_seen() == 1.0
    off = VIS.model_copy(update={"min_gone_spot_seen_share": 0.0})
    assert _gone_as_the_camera_turns(4.0, vis=off).hidden_reasons() == []
