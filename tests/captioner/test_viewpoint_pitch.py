"""A viewpoint caption says "higher up" or "lower down" from what the view does: the change of
the cameras' look-down angle, in the recorded elevation's sign and past ``VERTICAL_MIN_DEG``
(review_std96p 1800/13: "higher up" read against the look of the images). Spec-based: a
sampled viewpoint pair with its after camera set by hand."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from diffforge.captioner.change_groups import (
    DISTANCE_MIN_SCALE,
    VERTICAL_MIN_DEG,
    apparent_scale,
    view_pitch_deg,
)
from diffforge.captioner.compose import AmbiguousReference, change_groups, render_group
from diffforge.captioner.phrasings import templates
from diffforge.config import load_config
from diffforge.scenes.model import PairSpec
from diffforge.scenes.sampler import PairSampler

ROOT = Path(__file__).resolve().parents[2]
RES = (128, 96)


def _viewpoint_pair() -> PairSpec:
    """The first default viewpoint-only pair the captioner words."""
    only = ["changes.weights={viewpoint: 1.0}", "changes.per_pair={1: 1.0}"]
    sampler = PairSampler(load_config(ROOT / "configs" / "default.yaml", only))
    for i in range(10):
        spec = sampler.sample(i)
        try:
            change_groups(spec, RES)
        except AmbiguousReference:
            continue
        return spec
    raise AssertionError("no viewpoint pair captioned")


def _aimed(spec: PairSpec, rise_deg: float, aim_deg: float, elevation: float) -> PairSpec:
    """The pair with its after camera the before one raised about its target by
    ``rise_deg`` and then aimed ``aim_deg`` higher (its target moved along the view, so the
    look-down angle changes by ``rise_deg - aim_deg``), recorded as ``elevation`` degrees."""
    out = spec.model_copy(deep=True)
    cam = out.before.camera
    target, offset = np.asarray(cam.look_at), np.subtract(cam.location, cam.look_at)
    dist = float(np.linalg.norm(offset))
    az = math.atan2(offset[1], offset[0])
    el = math.asin(offset[2] / dist) + math.radians(rise_deg)
    loc = target + dist * np.array(
        [math.cos(el) * math.cos(az), math.cos(el) * math.sin(az), math.sin(el)]
    )
    pitch = el - math.radians(aim_deg)  # the new look-down angle
    ahead = np.array([-math.cos(az), -math.sin(az), 0.0]) * math.cos(pitch)
    look = loc + dist * (ahead + np.array([0.0, 0.0, -math.sin(pitch)]))
    out.after.camera = cam.model_copy(
        update={"location": tuple(map(float, loc)), "look_at": tuple(map(float, look))}
    )
    (change,) = out.changes
    change.params["elevation_deg"] = elevation
    change.params["zoom"] = 1.0
    return out


def _extra(spec: PairSpec) -> str:
    (group,) = change_groups(spec, RES)
    return group.values["extra"]


def test_higher_up_follows_the_look_down_angle_not_the_record() -> None:
    """Raised 7.9 degrees and aimed as before: "higher up" (and never "lower down" in any
    phrasing); raised 7.9 but aimed 14 degrees higher (the view looks down 6.1 less): no
    vertical word although the record says +7.9; a pitch change of 3 or 4.9 degrees (review_std96t
    2200/18: not seen to rise): none; lowered 6 degrees: "lower down"."""
    spec = _viewpoint_pair()
    raised = _aimed(spec, 7.9, 0.0, 7.9)
    pitch = view_pitch_deg(raised.after.camera) - view_pitch_deg(raised.before.camera)
    assert math.isclose(pitch, 7.9, abs_tol=0.05)
    assert _extra(raised) == "higher up"
    (group,) = change_groups(raised, RES)
    for v in range(len(templates().get(group.key, group.where))):
        text = render_group(group, v)
        assert "higher up" in text and "lower" not in text, text
    flatter = _aimed(spec, 7.9, 14.0, 7.9)
    pitch = view_pitch_deg(flatter.after.camera) - view_pitch_deg(flatter.before.camera)
    assert pitch < -VERTICAL_MIN_DEG  # the view looks down less although the camera rose
    assert _extra(flatter) == ""
    assert _extra(_aimed(spec, 3.0, 0.0, 3.0)) == ""
    assert _extra(_aimed(spec, 4.9, 0.0, 4.9)) == ""
    assert _extra(_aimed(spec, -6.0, 0.0, -6.0)) == "lower down"


def _dollied(spec: PairSpec, factor: float, recorded: float) -> PairSpec:
    """The pair with its after camera the before one moved along its view to ``factor`` of
    its distance from the target, recorded as zoom ``recorded``."""
    out = spec.model_copy(deep=True)
    cam = out.before.camera
    target = np.asarray(cam.look_at)
    loc = target + factor * np.subtract(cam.location, target)
    out.after.camera = cam.model_copy(update={"location": tuple(map(float, loc))})
    (change,) = out.changes
    change.params.update(elevation_deg=0.0, zoom=recorded)
    return out


def test_closer_and_further_follow_what_the_objects_do_not_the_record() -> None:
    """ "closer to the scene" / "further from the scene" only where the things seen in both
    images grow or shrink by ``DISTANCE_MIN_SCALE`` (review_std96q 2600/21: an orbit recorded
    7 % nearer whose objects kept their size within a pixel was captioned "closer")."""
    spec = _viewpoint_pair()
    assert _extra(_dollied(spec, 0.8, 0.8)) == "closer to the scene"
    assert _extra(_dollied(spec, 1.25, 1.25)) == "further from the scene"
    assert _extra(_dollied(spec, 1.0, 0.85)) == ""  # recorded nearer, the view unchanged
    assert _extra(_dollied(spec, 0.98, 0.93)) == ""  # nearer by 2 %: nothing visibly grows
    grown = apparent_scale_of(_dollied(spec, 0.8, 0.8))
    assert grown is not None and grown >= DISTANCE_MIN_SCALE


def apparent_scale_of(spec: PairSpec) -> float | None:
    from diffforge.captioner.compose import _groups_and_ctx

    ctx = _groups_and_ctx(spec, RES, None, 1, "concise", None)[1]
    return apparent_scale(ctx)
