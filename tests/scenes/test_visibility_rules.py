"""The barely-seen classes of review_std96h, each refused before a render from the projected
geometry: a pole kind whose head is out of the frame (9700/09), a framed kind's rails or bars
(9700/18, 9100/00), a colour, material or turn of a target mostly hidden (9100/43, 9100/37),
a front-facing walker's stride (9100/08) and a cube turn that keeps showing the camera the
same outline (9700/16, 9700/44). The render gates of the same rules:
tests/render/test_visibility_rules_render.py."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from diffforge.config import VisibilityConfig, load_config
from diffforge.scenes.changes.appearance import limb_shift, view_angle
from diffforge.scenes.changes.gating import seen_share, too_thin
from diffforge.scenes.geometry import predicted_footprints
from diffforge.scenes.model import Camera, Environment, ObjectInstance, Pose, Scene, Transform
from diffforge.scenes.sampler import PairSampler, Unplaced

DEFAULT = Path(__file__).resolve().parents[2] / "configs" / "default.yaml"
FRAME = (256, 192)
VIS = VisibilityConfig()
CLEAR_GAP = 1.6  # the armchairs apart enough for a turn: the sofa 1.0 in sight


def _obj(oid: str, asset: str, loc, dims, yaw: float = 0.0) -> ObjectInstance:
    return ObjectInstance(
        id=oid, asset=asset, category=asset, noun=asset, transform=Transform(location=loc,
        rotation=(0.0, 0.0, yaw)), dimensions=dims, support="floor",
    )  # fmt: skip


def _scene(*objects: ObjectInstance, eye: float = 1.6, look: float = 1.2) -> Scene:
    return Scene(
        environment=Environment(layout="street", extent=(20.0, 20.0, 6.0)),
        objects=list(objects),
        camera=Camera(location=(0.0, -6.0, eye), look_at=(0.0, 0.0, look), lens=35.0),
    )


def test_a_traffic_light_whose_head_is_out_of_the_frame_is_too_thin() -> None:
    """A 3.2 m traffic light 4 m from the camera: looked at from below its head, only its
    pole (predicted 8 px, as review_std96h 9700/09's) is in the frame; its box spans 27 px and
    passed the box rule. Further back, its head in view, it is a target."""
    near = _obj("t", "traffic_light", (0.0, -2.0, 0.0), (0.4, 0.35, 3.2))
    scene = _scene(near, eye=1.0, look=0.8)
    foot = predicted_footprints(scene, FRAME, VIS.predict_fill)["t"]
    assert min(foot.box[2] - foot.box[0], foot.box[3] - foot.box[1]) >= VIS.min_target_width_px
    assert not too_thin(foot.box, VIS, FRAME), "the box rule alone keeps it"
    assert too_thin(foot.box, VIS, FRAME, scene.camera, near), foot
    far = _scene(near.model_copy(update={"transform": Transform(location=(0.0, 0.0, 0.0))}))
    foot = predicted_footprints(far, FRAME, VIS.predict_fill)["t"]
    assert not too_thin(foot.box, VIS, FRAME, far.camera, far.objects[0]), foot


def test_a_framed_kind_is_as_wide_as_its_widest_part() -> None:
    """An A-frame barrier's boards (0.15 m) and a towel radiator's rails (3 cm) are a few pixels
    across at 6 m whatever their box (rendered 4 and 2.8 px: 9700/18, 9100/00); a jersey
    block, a solid style, is as wide as its box."""
    for shape, dims in (
        ("barrier~aframe-0", (2.0, 0.5, 1.0)),
        ("radiator~towel-0", (0.8, 0.1, 0.6)),
    ):
        kind = shape.split("~")[0]
        thing = _obj("b", kind, (0.0, 0.0, 0.0), dims).model_copy(update={"shape": shape})
        scene = _scene(thing)
        foot = predicted_footprints(scene, FRAME, VIS.predict_fill)["b"]
        assert min(foot.box[2] - foot.box[0], foot.box[3] - foot.box[1]) >= 12, foot
        assert too_thin(foot.box, VIS, FRAME, scene.camera, thing), shape
    block = _obj("b", "barrier", (0.0, 0.0, 0.0), (2.0, 0.5, 1.0))
    block = block.model_copy(update={"shape": "barrier~jersey-0"})
    scene = _scene(block)
    foot = predicted_footprints(scene, FRAME, VIS.predict_fill)["b"]
    assert not too_thin(foot.box, VIS, FRAME, scene.camera, block)


def test_the_sampler_refuses_a_pole_with_its_head_out_of_the_frame() -> None:
    """The sampler's check after a draw asks the pole's width: the traffic light above is no
    target for a disappear."""
    from diffforge.scenes.model import Change

    cfg = load_config(DEFAULT, ["render.preset=standard"])
    sampler = PairSampler(cfg)
    light = _obj("t", "traffic_light", (0.0, -2.0, 0.0), (0.4, 0.35, 3.2))
    before = _scene(light, eye=1.0, look=0.8)
    after = _scene(eye=1.0, look=0.8)
    with pytest.raises(Unplaced, match="too thin"):
        sampler._check_in_view(before, after, [Change(type="disappear", targets=["t"])])


def test_a_colour_material_or_turn_of_a_target_mostly_hidden_is_refused() -> None:
    """A coffee table between two armchairs, 0.40 of it in sight, showed thin strips (9100/43),
    a chair turned behind a big chair hardly showed (9100/37): a colour, material or turn of a
    sofa 0.37 in sight behind two armchairs is refused though its pixels pass; with the
    armchairs apart, 0.82 in sight, it is kept; a disappear does not ask."""
    from diffforge.scenes.model import Change

    cfg = load_config(DEFAULT, ["render.preset=standard"])
    sampler = PairSampler(cfg)

    def room(gap: float) -> Scene:
        sofa = _obj("sofa", "sofa", (0.0, -0.5, 0.0), (2.4, 1.0, 0.75))
        chairs = [_obj(f"a{k}", "armchair", (x, -2.0, 0.0), (1.0, 0.9, 1.0))
                  for k, x in enumerate((-gap, gap))]  # fmt: skip
        return _scene(sofa, *chairs, eye=1.1, look=0.4)

    hidden, apart, clear = room(0.6), room(1.3), room(CLEAR_GAP)
    assert seen_share(hidden, "sofa", FRAME, VIS.predict_fill) < VIS.min_seen_share  # 0.37
    assert seen_share(apart, "sofa", FRAME, VIS.predict_fill) > VIS.min_seen_share  # 0.82
    # a turn asks more (min_turn_seen_share, review_std96j 8800/33): 0.82 is refused
    assert seen_share(apart, "sofa", FRAME, VIS.predict_fill) < VIS.min_turn_seen_share
    assert seen_share(clear, "sofa", FRAME, VIS.predict_fill) >= VIS.min_turn_seen_share
    for kind in ("color", "material", "orientation"):
        change = [Change(type=kind, targets=["sofa"])]
        with pytest.raises(Unplaced, match="mostly hidden"):
            sampler._check_in_view(hidden, hidden.clone(), change)
        if kind == "orientation":
            with pytest.raises(Unplaced, match="mostly hidden"):
                sampler._check_in_view(apart, apart.clone(), change)
            sampler._check_in_view(clear, clear.clone(), change)
        else:
            sampler._check_in_view(apart, apart.clone(), change)
    gone = hidden.clone()
    gone.objects = [o for o in gone.objects if o.id != "sofa"]
    sampler._check_in_view(hidden, gone, [Change(type="disappear", targets=["sofa"])])


def _figure(yaw: float) -> ObjectInstance:
    from diffforge.scenes.assets.characters import POSES

    person = _obj("p", "person", (0.0, 0.0, 0.0), (0.6, 0.4, 1.75), yaw=yaw)
    person.pose = Pose(name="walking", bones=dict(POSES["walking"]))
    return person


def test_a_stride_towards_the_camera_hardly_moves_the_limbs() -> None:
    """Walking to standing moves the legs along the figure's facing: facing the camera the
    stride runs along the view and moves under min_limb_shift_px across the picture (9100/08:
    9.2 px, barely seen); side-on it moves more (9100/36: 12.4 px, read). An arm raised moves
    far whichever way the figure faces."""
    from diffforge.scenes.assets.characters import POSES

    scene = _scene(eye=1.5, look=1.0)
    need = VIS.limb_px(FRAME)
    front = limb_shift(_figure(0.0), scene.camera, FRAME, POSES["standing"])
    side = limb_shift(_figure(math.pi / 2), scene.camera, FRAME, POSES["standing"])
    arms = limb_shift(_figure(0.0), scene.camera, FRAME, POSES["arms_raised"])
    assert front < need <= side, (front, side)
    assert arms > 2 * need


def test_the_pose_operator_draws_no_stride_towards_the_camera() -> None:
    """PoseChange's options (what the sampler draws) leave out a pose whose limbs hardly move
    across the picture: a front-facing walker may raise its arms, not stop."""
    from diffforge.distributions import rng_for
    from diffforge.scenes.changes.appearance import PoseChange
    from diffforge.scenes.changes.base import ChangeContext

    cfg = load_config(DEFAULT, ["render.preset=standard"])
    scene = _scene(_figure(0.0), eye=1.5, look=1.0)
    ctx = ChangeContext(rng=rng_for(0, 0, "pose"), params={}, cfg=cfg, library=None,
                        large=set())  # fmt: skip
    options = PoseChange._options(ctx, scene, scene.find("p"), True)
    assert "standing" not in options and "arms_raised" in options, options
    sideways = _scene(_figure(math.pi / 2), eye=1.5, look=1.0)
    assert "standing" in PoseChange._options(ctx, sideways, sideways.find("p"), True)


def test_a_cube_turn_past_the_review_s_barely_seen_view_changes() -> None:
    """The view angles of review_std96h's barely seen cube turns (12.8 -> 34.4 and 40.7 ->
    7.7) change by less than min_view_turn_deg; a face-on cube turned to corner-on does not."""
    from diffforge.scenes.changes.appearance import view_turn_seen

    camera = _scene().camera
    cube = _obj("c", "clevr_cube", (0.0, 0.0, 0.0), (0.6, 0.6, 0.6))
    ray = math.degrees(math.atan2(6.0, 0.0))
    for before, after, seen in ((12.8, 34.4, False), (40.7, 7.7, False), (2.0, 43.0, True)):
        turned = cube.model_copy(update={"transform": Transform(rotation=(0, 0, math.radians(
            ray + before)))})  # fmt: skip
        assert view_angle(turned.transform.rotation[2], (0, 0), camera.location, 4) == (
            pytest.approx(before)
        )
        assert view_turn_seen(turned, math.radians(ray + after), camera, camera, 4, VIS) == seen


class _Forgetful(dict):
    """A cache that never answers: every question asked afresh."""

    def get(self, key, default=None):
        return default


def test_the_pose_predictions_kept_answers_are_the_fresh_ones(monkeypatch) -> None:
    """The pose change's outline and limb predictions are kept by figure, camera, resolution
    and new pose (the sampler asks them again on every retried draw): pose specs sampled
    with a warm cache equal those asked afresh."""
    from diffforge.scenes.changes import appearance

    cfg = load_config(DEFAULT, ["changes.weights={pose: 1.0, color: 1.0}"])
    kept = [PairSampler(cfg).sample(i).to_json() for i in range(12)]
    assert len(appearance._POSE_SEEN) > 0
    monkeypatch.setattr(appearance, "_POSE_SEEN", _Forgetful())
    assert [PairSampler(cfg).sample(i).to_json() for i in range(12)] == kept
    changed = [c["type"] for spec in kept for c in json.loads(spec)["changes"]]
    assert changed.count("pose") >= 3
    # one figure asked under cameras of other heights, aims and lenses, at other frames and
    # yaws, for other poses: what the kept answers give is what each computes afresh
    from diffforge.scenes.assets.characters import POSES

    cases = [
        (1.5, 1.0, 35.0, FRAME, "arms_raised", 0.0), (2.5, 1.0, 35.0, FRAME, "arms_raised", 0.0),
        (1.5, 0.4, 35.0, FRAME, "arms_raised", 0.0), (1.5, 1.0, 50.0, FRAME, "arms_raised", 0.0),
        (1.5, 1.0, 35.0, (128, 96), "arms_raised", 0.0), (1.5, 1.0, 35.0, FRAME, "standing", 0.0),
        (1.5, 1.0, 35.0, FRAME, "standing", 1.2),
    ]  # fmt: skip
    monkeypatch.setattr(appearance, "_POSE_SEEN", {})
    asks = {appearance.limb_shift: appearance._limb_shift,
            appearance.predicted_outline_change: appearance._outline_change}  # fmt: skip
    for kept_ask, fresh_ask in asks.items():
        for eye, look, lens, frame, pose, yaw in cases:
            camera = _scene(eye=eye, look=look).camera.model_copy(update={"lens": lens})
            args = (_figure(yaw), camera, frame, POSES[pose])
            assert kept_ask(*args) == fresh_ask(*args)
    assert len(
        {
            round(
                appearance._outline_change(
                    _figure(y),
                    _scene(eye=e, look=k).camera.model_copy(update={"lens": n}),
                    f,
                    POSES[p],
                ),
                6,
            )
            for e, k, n, f, p, y in cases
        }
    ) == len(cases)
