"""The render gates of review_std96i's barely-seen classes, each on a real Cycles render (96x72,
4 samples): a turn that keeps the target looking the same (a cube onto a like view, a board
turned ~180 degrees), a dark colour step that CIEDE2000 passes (dark green to black), and a
small change beside another in the same pair. Each case passes every older gate, so the new
rule alone refuses it; a clear case of the same kind is kept."""

from __future__ import annotations

import math

import pytest
from render_fixtures import make_pair, obj

from diffforge.config import VisibilityConfig
from diffforge.dataset import read_pairs
from diffforge.scenes.model import Change
from diffforge.vocabulary import COLORS

VIS = VisibilityConfig()
pytestmark = pytest.mark.blender


def _turned(index: int, oid: str, asset: str, yaws: tuple[float, float]):
    """``oid`` (a fixture ``asset``) in front of the others, turned from yaws[0] to yaws[1]."""
    spec = make_pair(index, "color", seed=11)
    y0, y1 = yaws
    new = obj(oid, asset, (-0.3, -0.5, 0.0), "red", yaw=math.radians(y0))
    spec.before.objects = [o for o in spec.before.objects if o.id not in ("cube_1", oid)] + [new]
    spec.after = spec.before.model_copy(deep=True)
    spec.after.object(oid).transform.rotation = (0.0, 0.0, math.radians(y1))
    spec.changes = [Change(type="orientation", targets=[oid],
                           params={"degrees": y1 - y0, "symmetry": 1})]  # fmt: skip
    return spec


def _dark_green(index: int, shade: float):
    """The cube from ``shade`` times the vocabulary's green to black."""
    spec = make_pair(index, "color", seed=11)
    green = tuple(x * shade for x in COLORS["green"])
    for scene, name, rgb in ((spec.before, "green", green), (spec.after, "black", COLORS["black"])):
        cube = scene.object("cube_1")
        cube.attributes.color, cube.attributes.rgb = name, rgb
    spec.changes = [Change(type="color", targets=["cube_1"], before={"color": "green"},
                           after={"color": "black"})]  # fmt: skip
    return spec


def _ball_gone(index: int, scale: float, beside_colour: bool):
    """The ball (at ``scale``) disappears, alone or beside the cube's red-to-green change."""
    spec = make_pair(index, "color", seed=11)
    ball = obj("ball_1", "ball", (1.1, -0.2, 0.0), "blue", scale=scale)
    spec.before.objects = [ball if o.id == "ball_1" else o for o in spec.before.objects]
    spec.after.objects = [o for o in spec.after.objects if o.id != "ball_1"]
    changes = [Change(type="disappear", targets=["ball_1"])]
    if beside_colour:
        changes.append(spec.changes[0])
    else:  # the cube keeps its colour
        cube = spec.before.object("cube_1").model_copy(deep=True)
        spec.after.objects = [cube if o.id == "cube_1" else o for o in spec.after.objects]
    spec.changes = changes
    return spec


def _kept_and_reasons(run, tmp_path, specs, **kw) -> tuple[set[str], dict[str, str]]:
    summary = run(tmp_path, n=None, specs=specs, workers=1, **kw)
    reasons = {specs[f["index"]].id: f["reason"] for f in summary["failures"]}
    return {r.id for r in read_pairs(tmp_path)}, reasons


def test_turns_that_keep_the_target_looking_the_same_are_refused(run, tmp_path) -> None:
    """A cube turned 10 -> 80 degrees (its outline changes 0.19, past the silhouette gate)
    and a board turned 172 degrees (the yellow mailbox of 96i 1200/22) change 0.39 and 0.09
    of their pixels; a cube face-on to corner-on and a board turned 70 degrees change 0.63
    and 0.83 and are kept."""
    bad = [_turned(0, "cube_9", "cube", (10.0, 80.0)), _turned(1, "sign_9", "sign", (0.0, 172.0))]
    good = [_turned(2, "cube_9", "cube", (0.0, 45.0)), _turned(3, "sign_9", "sign", (0.0, 70.0))]
    kept, reasons = _kept_and_reasons(run, tmp_path, bad + good)
    assert kept == {s.id for s in good}, reasons
    for spec in bad:
        assert reasons[spec.id] == "orientation: the turn changes too little of the target"


def test_a_dark_colour_step_is_refused_though_ciede2000_passes(run, tmp_path) -> None:
    """Dark green (0.3 x the vocabulary's) to black moves CIEDE2000 16 (past min_delta_e) but
    its pixels 21 levels: refused (96i 1200/19); from half the green, 49 levels, kept."""
    bad, good = _dark_green(0, 0.3), _dark_green(1, 0.5)
    kept, reasons = _kept_and_reasons(run, tmp_path, [bad, good])
    assert kept == {good.id}, reasons
    assert reasons[bad.id] == "color: colour step too small in the picture"


def test_a_small_change_beside_another_is_refused(run, cfg, tmp_path) -> None:
    """With ``min_shared_changed_px`` at the 96i calibration (420; by default on for generated
    scenes only, ``generated_shared_changed_px``), a small
    ball (37 px of 96x72, past the target gate) gone beside the cube's colour change is
    refused (96i 1200/17: a small picture gone beside a table's new material); alone it is
    kept, and so is the fixture's ball (about 100 px) beside the colour."""
    vis = VIS.model_copy(update={"min_shared_changed_px": 420})
    shared = cfg.model_copy(update={"visibility": vis})
    small_beside, small_alone = _ball_gone(0, 0.6, True), _ball_gone(1, 0.6, False)
    large_beside = _ball_gone(2, 1.0, True)
    specs = [small_beside, small_alone, large_beside]
    summary = run(tmp_path / "on", n=None, specs=specs, workers=1, cfg=shared)
    reasons = {specs[f["index"]].id: f["reason"] for f in summary["failures"]}
    assert {r.id for r in read_pairs(tmp_path / "on")} == {small_alone.id, large_beside.id}, reasons
    assert reasons[small_beside.id] == "disappear: change too small beside the pair's others"
    assert vis.shared_changed_px((96, 72)) > vis.target_pixels((96, 72))
    off = VIS.model_copy(update={"generated_shared_changed_px": 0})  # as in a user's .blend
    kept, _ = _kept_and_reasons(
        run, tmp_path / "off", specs, cfg=cfg.model_copy(update={"visibility": off})
    )
    assert small_beside.id in kept
