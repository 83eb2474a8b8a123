"""Change records checked against the truth: the scene graphs they were sampled with.

Captions read ``change.before`` / ``change.after`` / ``change.params`` (colour names, counts,
sizes, directions, ...), never the scenes; ``test_operator_changes_exactly_what_it_declares``
only checks *which* fields differ. Here every value a record carries is recomputed from the
before/after scene graphs, for every operator, over several configs so each type is seen many
times, alone and stacked with other changes.
"""

from __future__ import annotations

import math
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

from diffforge.config import load_config
from diffforge.scenes.assets.characters import POSES
from diffforge.scenes.changes import BUILTIN_CHANGE_TYPES
from diffforge.scenes.changes.scene_wide import shadows_seen
from diffforge.scenes.environments import FACING_YAW
from diffforge.scenes.environments.staging import is_road_vehicle
from diffforge.scenes.model import Change, ObjectInstance, PairSpec, Scene
from diffforge.vocabulary import COLORS, MATERIALS, SIZE_WORDS

# samples about 600 specs across the change types: `make test-slow`, run in CI
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = ROOT / "configs" / "default.yaml"
CLEVR = ROOT / "configs" / "examples" / "clevr_like.yaml"
SINGLE = ["changes.per_pair={1: 1.0}"]
MIN_SEEN = 20  # every change type is checked at least this many times


def _configs() -> list[tuple[str, object, int]]:
    out: list[tuple[str, object, int]] = [
        ("default", load_config(DEFAULT), 150),
        ("default-seed5-three", load_config(DEFAULT, ["seed=5", "changes.per_pair={3: 1.0}"]), 200),
        ("clevr_like", load_config(CLEVR), 40),
    ]
    # text changes need a sign tall enough to read: at the draft frame most are left out, so
    # text (alone and stacked) is also sampled at the standard frame
    out.append(
        (
            "text-standard",
            load_config(
                DEFAULT,
                [
                    "changes.weights={text: 3.0, color: 1.0, move: 1.0}",
                    "changes.per_pair={1: 0.5, 2: 0.5}",
                    "render.preset=standard",
                    # records, not legibility, are checked here: small letters are fine
                    "visibility.min_changed_share=0",
                    "visibility.min_letter_height_ocr=0",
                ],
            ),
            20,
        )
    )
    # people's clothes (a top or trousers changing colour) are rare among colour changes: a
    # sample where every scene has people checks both parts (a top first at pair 26 since colour
    # draws follow the light at the target: about 1 in 30 of these pairs changes a garment)
    people = ["changes.weights={color: 1.0}", "scene.people={probability: 1.0, max: 2}", *SINGLE]
    out.append(("color-people", load_config(DEFAULT, people), 28))
    # the sun swings only on streets by day without an HDRI: there, so that kind is checked
    sun = ["changes.weights={illumination: 1.0}", "scene.layouts={street: 1.0}", "scene.hdri=0",
           "scene.night=0", "changes.params={illumination: {kind: sun_angle}}", *SINGLE]  # fmt: skip
    out.append(("sun-angle", load_config(DEFAULT, sun), 6))
    # a lamp is switched only where a viewer sees its fixture (rare in the default mix): asked
    # for in rooms, so both kinds are checked
    for kind in ("light_off", "light_on"):
        lamp = ["changes.weights={illumination: 1.0}", "scene.layouts={room: 1.0}",
                f"changes.params={{illumination: {{kind: {kind}}}}}", *SINGLE]  # fmt: skip
        out.append((f"lamp-{kind}", load_config(DEFAULT, lamp), 3))
    for t in BUILTIN_CHANGE_TYPES:
        # each type alone, with the default distractors
        out.append(
            (f"only-{t}", load_config(DEFAULT, [f"changes.weights={{{t}: 1.0}}", *SINGLE]), 16)
        )
    return out


@pytest.fixture(scope="module")
def specs(spec_cache) -> list[tuple[str, PairSpec]]:
    return [(name, spec) for name, cfg, n in _configs() for spec in spec_cache.specs(cfg, n)]


@pytest.fixture(scope="module")
def by_type(specs) -> dict[str, list[tuple[str, PairSpec, Change]]]:
    out: dict[str, list] = defaultdict(list)
    for name, spec in specs:
        for change in spec.changes:
            out[change.type].append((name, spec, change))
    return out


# ------------------------------------------------------------------------------ helpers


def close(a, b, tol: float = 1e-6) -> bool:
    return bool(np.allclose(np.asarray(a, float), np.asarray(b, float), rtol=0, atol=tol))


def described(obj: ObjectInstance) -> dict:
    """What a record must say about an object, read straight off the scene graph."""
    out = {
        "id": obj.id,
        "asset": obj.asset,
        "category": obj.category,
        "noun": obj.noun,
        "color": obj.attributes.color,
        "material": obj.attributes.material,
        "size": obj.attributes.size,
        "support": obj.support,
    }
    if obj.attributes.clothing:
        out["clothing"] = dict(obj.attributes.clothing)
    if obj.pose:
        out["pose"] = obj.pose.name
    if obj.text:
        out["text"] = obj.text.string
    return out


def assert_describes(record: dict, obj: ObjectInstance, where: str) -> None:
    truth = described(obj)
    got = {k: record.get(k) for k in truth}
    assert got == truth, f"{where}: record {got} but the scene has {truth}"
    assert close(record["location"], obj.transform.location), where
    extra = set(record) - set(truth) - {"location"}
    assert not extra, f"{where}: record carries {extra} that the object does not have"


def ids(scene: Scene) -> set[str]:
    return {o.id for o in scene.objects}


def size_word_of(scale: float) -> str:
    (word,) = [w for w, (lo, hi) in SIZE_WORDS.items() if lo <= scale < hi] or ["large"]
    return word


def yaw_vector(yaw: float) -> np.ndarray:
    return np.array([math.cos(yaw), math.sin(yaw)])


# ------------------------------------------------------------------------------ per type


def check_color(spec: PairSpec, c: Change, where: str) -> None:
    (target,) = c.targets
    b, a = spec.before.object(target), spec.after.object(target)
    old, new = c.before["color"], c.after["color"]
    assert old != new and old in COLORS and new in COLORS, where
    part = c.params.get("part")
    if part is not None:  # a person's clothing: only that part changed
        assert part in ("top", "bottom"), where
        assert b.attributes.clothing[part] == old and a.attributes.clothing[part] == new, where
        other = "bottom" if part == "top" else "top"
        assert b.attributes.clothing[other] == a.attributes.clothing[other], where
        return
    assert (b.attributes.color, a.attributes.color) == (old, new), where
    # the name and the shader colour are one thing: through the vocabulary, both ways
    assert close(b.attributes.rgb, COLORS[old]) and close(a.attributes.rgb, COLORS[new]), where


def check_material(spec: PairSpec, c: Change, where: str) -> None:
    (target,) = c.targets
    b, a = spec.before.object(target), spec.after.object(target)
    old, new = c.before["material"], c.after["material"]
    assert old != new and new in MATERIALS, where
    assert (b.attributes.material, a.attributes.material) == (old, new), where


def check_size(spec: PairSpec, c: Change, where: str) -> None:
    (target,) = c.targets
    b, a = spec.before.object(target), spec.after.object(target)
    s0, s1 = b.transform.scale, a.transform.scale
    assert close(c.before["scale"], s0) and close(c.after["scale"], s1), where
    assert c.before["size"] == b.attributes.size == size_word_of(s0), where
    assert c.after["size"] == a.attributes.size == size_word_of(s1), where
    ratio = s1 / s0
    assert ratio == pytest.approx(c.params["factor"], rel=1e-3), where
    # the real extent follows the scale, on every axis
    # dimensions are stored to 6 decimals: a 4.5 mm rug's height carries 1e-4 of rounding
    assert np.allclose(a.dimensions, np.multiply(b.dimensions, ratio), rtol=1e-4, atol=2e-6), where
    assert c.params["direction"] == ("larger" if ratio > 1 else "smaller"), where
    assert abs(ratio - 1) > 0.2, f"{where}: a {ratio:.2f}x change is not worth a caption"


def check_orientation(spec: PairSpec, c: Change, where: str) -> None:
    (target,) = c.targets
    y0 = spec.before.object(target).transform.rotation[2]
    y1 = spec.after.object(target).transform.rotation[2]
    assert c.before["yaw_deg"] == pytest.approx(math.degrees(y0), abs=1e-3), where
    assert c.after["yaw_deg"] == pytest.approx(math.degrees(y1), abs=1e-3), where
    assert c.params["degrees"] == pytest.approx(math.degrees(y1 - y0), abs=2e-3), where
    # seen from above (+Z towards the viewer), the facing vector turns counterclockwise when
    # the 2D cross product is positive
    turn = math.degrees(y1 - y0)
    assert 30 <= abs(turn) <= 180, where
    if abs(turn) < 179:
        cross = float(np.cross(yaw_vector(y0), yaw_vector(y1)))
        truth = "counterclockwise" if cross > 0 else "clockwise"
        assert c.params["direction"] == truth, where


def check_move(spec: PairSpec, c: Change, where: str) -> None:
    (target,) = c.targets
    b, a = spec.before.object(target), spec.after.object(target)
    assert close(c.before["location"], b.transform.location), where
    assert close(c.after["location"], a.transform.location), where
    assert b.support == a.support == c.params["support"], where
    moved = np.linalg.norm(np.subtract(a.transform.location, b.transform.location))
    assert moved > 0.2, f"{where}: moved only {moved:.3f} m"


def check_add(spec: PairSpec, c: Change, where: str) -> None:
    (target,) = c.targets
    assert target not in ids(spec.before) and target in ids(spec.after), where
    assert c.before == {}, where
    assert_describes(c.after, spec.after.object(target), where)


def check_disappear(spec: PairSpec, c: Change, where: str) -> None:
    (target,) = c.targets
    assert target in ids(spec.before) and target not in ids(spec.after), where
    assert c.after == {}, where
    assert_describes(c.before, spec.before.object(target), where)


def check_remove(spec: PairSpec, c: Change, where: str) -> None:
    check_disappear(spec, c, where)
    obj = spec.before.object(c.targets[0])
    holder_id = c.params["from"]
    assert obj.support == holder_id, f"{where}: it stood on {obj.support}, not {holder_id}"
    for scene in (spec.before, spec.after):  # the holder stays
        assert scene.object(holder_id).noun == c.params["from_noun"], where


def check_replace(spec: PairSpec, c: Change, where: str) -> None:
    old_id, new_id = c.targets
    assert old_id in ids(spec.before) and old_id not in ids(spec.after), where
    assert new_id in ids(spec.after) and new_id not in ids(spec.before), where
    old, new = spec.before.object(old_id), spec.after.object(new_id)
    assert_describes(c.before, old, where)
    assert_describes(c.after, new, where)
    assert old.category != new.category, f"{where}: replaced by the same kind of thing"
    assert old.support == new.support, where
    assert close(old.transform.location[:1], new.transform.location[:1]), where
    # the new asset faces the way a fresh one of its kind could (environments.default_yaw): a shelf
    # never keeps a turned stool's yaw and shows the camera its back (review pair 45)
    yaw = new.transform.rotation[2]
    if new.support == "wall":
        assert yaw == 0.0, where
    elif is_road_vehicle(new) and spec.after.environment.layout == "street":
        # along the lane, as the vehicle it replaced stood (environments.staging)
        assert yaw == old.transform.rotation[2] and abs(math.cos(yaw)) < 1e-6, where
    elif new.support in ("floor", "ground") and "clevr" not in new.tags:
        assert abs(yaw) <= FACING_YAW + 1e-9, (
            f"{where}: {new.noun} turned {math.degrees(yaw):.0f} deg"
        )


def check_count(spec: PairSpec, c: Change, where: str) -> None:
    category = c.params["category"]

    def members(scene: Scene) -> list[ObjectInstance]:
        return [o for o in scene.objects if o.category == category]

    n0, n1 = len(members(spec.before)), len(members(spec.after))
    assert (c.before["count"], c.after["count"]) == (n0, n1), f"{where}: {n0} -> {n1}"
    assert n0 != n1 and n0 >= 1 and n1 >= 1, where
    assert {o.noun for o in members(spec.before) + members(spec.after)} == {c.params["noun"]}
    before_ids, after_ids = (
        {o.id for o in members(spec.before)},
        {o.id for o in members(spec.after)},
    )
    # the targets are exactly the instances that came or went
    assert set(c.targets) == before_ids ^ after_ids, where
    assert len(c.targets) == abs(n1 - n0), where


def check_pose(spec: PairSpec, c: Change, where: str) -> None:
    (target,) = c.targets
    b, a = spec.before.object(target).pose, spec.after.object(target).pose
    assert (b.name, a.name) == (c.before["pose"], c.after["pose"]), where
    assert b.name != a.name, where
    for pose in (b, a):  # the bones are the named pose's
        assert {k: tuple(v) for k, v in pose.bones.items()} == {
            k: tuple(v) for k, v in POSES[pose.name].items()
        }, where


def check_text(spec: PairSpec, c: Change, where: str) -> None:
    (target,) = c.targets
    b, a = spec.before.object(target).text, spec.after.object(target).text
    kind = c.params["kind"]
    b_str, a_str = (b.string if b else None), (a.string if a else None)
    assert (c.before["text"], c.after["text"]) == (b_str, a_str), where
    if kind == "change":
        assert b_str and a_str and b_str != a_str, where
    elif kind == "appear":
        assert b_str is None and a_str, where
    else:
        assert kind == "disappear" and b_str and a_str is None, where


def check_illumination(spec: PairSpec, c: Change, where: str) -> None:
    kind = c.params["kind"]
    after = {x.id: x for x in spec.after.lights}
    # a lamp removed by another change took its light along (test_a_lamp_takes_its_light...)
    left = {o.id for o in spec.before.objects} - {o.id for o in spec.after.objects}
    before = {x.id: x for x in spec.before.lights if x.id.split("lamp_", 1)[-1] not in left}
    assert before.keys() == after.keys(), where
    if kind in ("brighter", "darker"):
        factor = c.params["factor"]
        assert (factor > 1) == (kind == "brighter") and factor != 1, where
        assert c.targets == [*before, "world"], where
        for lid in before:
            ratio = after[lid].energy / before[lid].energy
            assert ratio == pytest.approx(factor, rel=1e-3), f"{where}: {lid} x{ratio}"
        ratio = spec.after.world.strength / spec.before.world.strength
        assert ratio == pytest.approx(factor, rel=1e-3), where
    elif kind in ("warmer", "cooler"):
        lit = [lid for lid, x in before.items() if x.on]
        assert c.targets == lit and lit, where
        for lid in lit:
            b, a = before[lid], after[lid]
            assert a.temperature == pytest.approx(c.params["kelvin"], abs=0.05), where
            warmer = a.temperature < b.temperature
            assert warmer == (kind == "warmer"), f"{where}: {lid} {b.temperature}->{a.temperature}"
            # and the colour the renderer uses moved the same way (red over blue)
            redness = (a.rgb[0] / max(a.rgb[2], 1e-6)) - (b.rgb[0] / max(b.rgb[2], 1e-6))
            assert (redness > 0) == warmer, f"{where}: {lid} rgb {b.rgb} -> {a.rgb}"
    elif kind == "sun_angle":
        (sun,) = c.targets
        assert before[sun].type == "sun", where
        turn = after[sun].rotation[2] - before[sun].rotation[2]
        assert math.degrees(turn) == pytest.approx(c.params["degrees"], abs=1e-3), where
        assert abs(c.params["degrees"]) >= 10, where
        # ... with the shadows clear of the line of sight before and after, where a viewer
        # compares them (``scene_wide.sun_turns``)
        yaws = [x[sun].rotation[2] for x in (before, after)]
        assert all(shadows_seen(spec.before.camera, yaw) for yaw in yaws), where
    else:
        (lid,) = c.targets
        b, a = before[lid], after[lid]
        assert b.type != "sun" and c.params["light"] == b.name == a.name, where
        assert (b.on, a.on) == (c.before["on"], c.after["on"]), where
        assert (b.on, a.on) == ((True, False) if kind == "light_off" else (False, True)), where
        if kind == "light_off":  # the scene is not left in the dark
            assert any(x.on for x in after.values()), where


def check_viewpoint(spec: PairSpec, c: Change, where: str) -> None:
    assert c.targets == ["camera"], where
    cb, ca = spec.before.camera, spec.after.camera
    assert close(c.before["location"], cb.location) and close(c.after["location"], ca.location)
    assert close(cb.look_at, ca.look_at), f"{where}: the camera orbits its target"
    ob = np.subtract(cb.location, cb.look_at)
    oa = np.subtract(ca.location, ca.look_at)
    zoom = np.linalg.norm(oa) / np.linalg.norm(ob)
    assert zoom == pytest.approx(c.params["zoom"], rel=1e-3), where
    turn = math.degrees(math.atan2(oa[1], oa[0]) - math.atan2(ob[1], ob[0]))
    turn = (turn + 180) % 360 - 180
    assert turn == pytest.approx(c.params["azimuth_deg"], abs=1e-2), where
    el = [math.degrees(math.asin(o[2] / np.linalg.norm(o))) for o in (ob, oa)]
    rise = el[1] - el[0]
    wanted = c.params["elevation_deg"]
    if 3.0 < el[0] + wanted < 75.0:  # inside the elevation clamp: the recorded rise is exact
        assert rise == pytest.approx(wanted, abs=1e-2), where
    if abs(wanted) > 4:  # what the caption says ("higher up" / "lower down") holds
        assert np.sign(rise) == np.sign(wanted), f"{where}: rise {rise:.2f} for {wanted}"
    # left/right in the before camera's frame: its right is forward x up
    forward = np.subtract(cb.look_at, cb.location)
    right = np.cross(forward, [0.0, 0.0, 1.0])
    shift = np.subtract(ca.location, cb.location) @ right
    assert c.params["direction"] == ("right" if shift > 0 else "left"), where


def check_none(spec: PairSpec, c: Change, where: str) -> None:
    assert c.targets == [] and c.before == {} and c.after == {}, where
    assert len(spec.changes) == 1, where
    kinds = {d.type for d in spec.distractors}
    after = spec.after.model_copy(
        update={
            "camera": spec.before.camera if "camera_jitter" in kinds else spec.after.camera,
            "lights": spec.before.lights if "light_jitter" in kinds else spec.after.lights,
        }
    )
    assert after.model_dump() == spec.before.model_dump(), where


CHECKS = {
    "color": check_color,
    "material": check_material,
    "size": check_size,
    "orientation": check_orientation,
    "move": check_move,
    "add": check_add,
    "disappear": check_disappear,
    "remove": check_remove,
    "replace": check_replace,
    "count": check_count,
    "pose": check_pose,
    "text": check_text,
    "illumination": check_illumination,
    "viewpoint": check_viewpoint,
    "none": check_none,
}


def test_every_operator_has_a_truth_check() -> None:
    assert set(CHECKS) == set(BUILTIN_CHANGE_TYPES)


@pytest.mark.parametrize("change_type", sorted(BUILTIN_CHANGE_TYPES))
def test_record_values_match_the_scene_graphs(by_type, change_type: str) -> None:
    seen = by_type[change_type]
    assert len(seen) >= MIN_SEEN, f"only {len(seen)} {change_type} changes sampled"
    stacked = sum(len(spec.changes) > 1 for _, spec, _ in seen)
    if change_type != "none":
        assert stacked >= 3, f"{change_type}: too few multi-change pairs to check stacking"
    for name, spec, change in seen:
        CHECKS[change_type](spec, change, f"{name} pair {spec.index} ({change_type})")


def test_illumination_and_text_kinds_are_all_checked(by_type) -> None:
    """The per-kind branches above all run (a kind that is never drawn is never checked)."""
    illum = {c.params["kind"] for _, _, c in by_type["illumination"]}
    assert {"brighter", "darker", "warmer", "cooler", "sun_angle"} <= illum
    assert {c.params["kind"] for _, _, c in by_type["text"]} == {"change", "appear", "disappear"}
    # a top's branch runs; a bottom's (the same code, the other clothing slot) is drawn about
    # once in 60 colour changes with people everywhere and was not in this sample after the
    # staging rules (issue 25) moved the draws: reported to the lead, not checked here
    assert {None, "top"} <= {c.params.get("part") for _, _, c in by_type["color"]}


def test_lamp_switch_kinds_are_checked(by_type) -> None:
    """Both lamp kinds run their branches above (asked for in rooms by _configs)."""
    illum = {c.params["kind"] for _, _, c in by_type["illumination"]}
    assert {"light_off", "light_on"} <= illum


def test_scene_colour_names_size_words_and_dimensions_agree(specs) -> None:
    """The attributes captions name are the ones the renderer draws, in every scene."""
    for name, spec in specs:
        for scene in (spec.before, spec.after):
            for obj in scene.objects:
                where = f"{name} pair {spec.index}: {obj.id}"
                a = obj.attributes
                if a.color is not None and a.rgb is not None:
                    assert a.color in COLORS and close(a.rgb, COLORS[a.color]), where
                if a.clothing:
                    assert set(a.clothing.values()) <= set(COLORS), where
                if a.material is not None:
                    assert a.material in MATERIALS, where
                if a.size is not None:
                    assert a.size == size_word_of(obj.transform.scale), where
                if obj.text is not None:
                    assert obj.text.color in COLORS and close(obj.text.rgb, COLORS[obj.text.color])


def test_a_lamp_takes_its_light_with_it(specs) -> None:
    """A lamp removed, disappeared, replaced or counted away leaves no light behind (a
    removed table lamp's light lit an empty table), and lamps left in place keep theirs."""
    from diffforge.scenes.lighting import LAMP_LIGHT_PREFIXES

    gone = 0
    for name, spec in specs:
        for scene in (spec.before, spec.after):
            ids = {o.id for o in scene.objects}
            for light in scene.lights:
                for prefix in LAMP_LIGHT_PREFIXES:
                    if light.id.startswith(prefix):
                        assert light.id[len(prefix) :] in ids, f"{name} {spec.id}: {light.id}"
        lamps = {o.id for o in spec.before.objects if o.category in ("lamp", "floor lamp")}
        gone += len(lamps - {o.id for o in spec.after.objects})
    assert gone > 0  # some lamps went, and their lights with them
