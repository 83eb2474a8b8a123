"""People's bodies vary (issue 25): each person draws a body variant (height, build, hair,
sleeves, trousers/shorts/skirt, skin and hair tones) as its ``shape``; the variant's height is
the instance's scale, and no variant moves the skeleton, the feet or the seat contact, so
poses, seating and staging hold for every body."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from diffforge.config import load_config
from diffforge.scenes.assets import AssetLibrary
from diffforge.scenes.assets import characters as ch
from diffforge.scenes.assets.shapes import SEP, variants
from diffforge.scenes.environments import seating
from diffforge.scenes.environments.staging import plausible_scale
from diffforge.scenes.instances import instantiate

REPO = Path(__file__).resolve().parents[2]
LIB = AssetLibrary.load()
PERSON = LIB.get("mannequin")
BODIES = {shape: ch.Body.of(params) for shape, params in variants(PERSON).items()}
# every lower garment the builder makes, drawn or not, on the broadest build
BUILT = [ch.Body(build=ch.BUILDS[1], bottom=b, top="jacket", hair="long") for b in ch.BOTTOMS]
N_SPECS = 120  # default specs sampled (the 500 give 16 shapes; 120 already give >= 8)


@pytest.fixture(scope="module")
def people(spec_cache):
    specs = spec_cache.specs(load_config(REPO / "configs/default.yaml"), N_SPECS)
    return [(p.before, o) for p in specs for o in p.before.objects if o.asset == "mannequin"]


def test_default_specs_show_at_least_8_person_shapes(people):
    shapes = Counter(o.shape for _, o in people)
    assert len(people) >= 20 and all(s and s.startswith("mannequin" + SEP) for s in shapes)
    assert len(shapes) >= 8, shapes
    bodies = [BODIES[s] for s in shapes]
    assert len({b.top for b in bodies}) == 3 and len({b.hair for b in bodies}) >= 3
    # captions call the "bottom" colour trousers: only trousers are drawn (see DRAWN_BOTTOMS)
    assert {b.bottom for b in BODIES.values()} == set(ch.DRAWN_BOTTOMS) == {"trousers"}


def test_variants_differ_beyond_colour():
    """Sixteen variants, and they differ in garments and hair, not only in proportions."""
    assert len(BODIES) == 16
    looks = {(b.hair, b.top, b.bottom) for b in BODIES.values()}
    assert len(looks) >= 8
    assert all(b.hair_color != b.skin for b in BODIES.values())  # hair shows against the skin
    heights = [b.height for b in BODIES.values()]
    assert max(heights) - min(heights) > 0.08  # over 14 cm between the shortest and tallest


def _slots(body: ch.Body) -> dict[str, Counter]:
    out: dict[str, Counter] = {}
    for bone, slot, _ in ch.part_meshes(body):
        out.setdefault(bone.rsplit("_", 1)[0] if bone[-2:] in ("_L", "_R") else bone, Counter())
        out[bone.rsplit("_", 1)[0] if bone[-2:] in ("_L", "_R") else bone][slot] += 1
    return out


def test_garments_and_hair_are_parts_of_their_own():
    nominal = _slots(ch.NOMINAL)
    assert nominal["lower_leg"] == {"bottom": 2} and nominal["lower_arm"] == {"top": 2}
    assert "hair" not in nominal["head"]
    shorts = _slots(ch.Body(bottom="shorts", top="short_sleeves", hair="bun"))
    assert shorts["lower_leg"] == {"skin": 2} and shorts["lower_arm"] == {"skin": 2}
    assert shorts["head"]["hair"] == 2  # cap and bun
    skirt = _slots(ch.Body(bottom="skirt", top="jacket", hair="long"))
    assert skirt["upper_leg"] == {"skin": 2, "bottom": 2} and skirt["hips"]["top"] == 1
    scene = ch.mannequin(**variants(PERSON)[next(iter(BODIES))])
    assert set(scene.geometry) <= set(PERSON.material_slots) | set(PERSON.part_materials)


def _width(body: ch.Body, bone: str) -> float:
    verts = np.vstack([m.vertices for b, _, m in ch.part_meshes(body) if b == bone])
    return float(np.ptp(verts[:, 0]))


def test_build_widens_the_torso_and_keeps_the_skeleton():
    slim, broad = ch.Body(build=ch.BUILDS[0]), ch.Body(build=ch.BUILDS[1])
    assert _width(broad, "chest") / _width(slim, "chest") == pytest.approx(
        ch.BUILDS[1] / ch.BUILDS[0]
    )
    assert _width(broad, "upper_arm_L") > _width(slim, "upper_arm_L")
    shoes = [
        [m.vertices for b, s, m in ch.part_meshes(body) if s == "shoes"] for body in BODIES.values()
    ]
    assert all(np.array_equal(np.vstack(s), np.vstack(shoes[0])) for s in shoes)  # same feet


@pytest.mark.parametrize("pose", sorted(ch.POSES))
def test_every_variant_stands_on_the_floor_in_every_pose(pose):
    """The renderer grounds every body as the nominal one: no variant's part goes below the
    floor, and each one's feet stay on it."""
    bones = ch.POSES[pose]
    nominal = min(v[:, 2].min() for _, v in ch.posed_parts(bones))
    assert nominal == pytest.approx(0.0, abs=1e-9)
    for body in [*BODIES.values(), *BUILT]:
        low = min(v[:, 2].min() for _, v in ch.posed_parts(bones, body))
        assert low == pytest.approx(0.0, abs=1e-6), (pose, body)


@pytest.mark.parametrize("seat_height", [0.4, 0.45, 0.6, 0.74])
def test_every_variant_rests_on_the_seat_the_pose_was_fitted_to(seat_height):
    """Skirt, jacket hem, build: the hips and thighs touch the seat top where the nominal body
    does (seating fits the pose to the seat with the nominal body); a skirt's flare may press
    a few millimetres into the cushion, never float above it."""
    bones = ch.sitting_pose(seat_height)
    nominal = ch.seat_contact(bones)
    assert nominal == pytest.approx(seat_height, abs=0.01)
    for body in [*BODIES.values(), *BUILT]:
        assert nominal - 0.003 <= ch.seat_contact(bones, body) <= nominal + 1e-9, body


def test_a_variants_height_is_its_instances_scale():
    """The record's scale and dimensions carry the body's height (what staging, seating and
    framing measure), within staging's plausible range for people."""
    cfg = load_config(REPO / "configs/default.yaml")
    lo, hi = plausible_scale(PERSON)
    for seed in range(60):
        obj = instantiate(np.random.default_rng(seed), PERSON, "person_1", cfg.text)
        height = BODIES[obj.shape].height
        assert obj.transform.scale == pytest.approx(height, rel=0.02)
        assert lo <= obj.transform.scale <= hi
        assert obj.dimensions[2] == pytest.approx(PERSON.size[2] * obj.transform.scale)
        top = ch.posed_bounds(ch.POSES["standing"], obj.transform.scale)[1, 2]
        assert top == pytest.approx(obj.dimensions[2])  # standing, as tall as recorded


def test_sitters_of_different_heights_sit_on_their_seats(people):
    """Seated people of different heights across the sample: each rests on its seat with its
    feet on the floor (seating's own check names none)."""
    sitters = [(scene, o) for scene, o in people if seating.is_sitting(o)]
    assert len(sitters) >= 5
    scales = [o.transform.scale for _, o in sitters]
    assert max(scales) - min(scales) > 0.06
    for scene, o in sitters:
        assert seating.sitter_problems(scene, near=o) == [], (o.id, o.shape)
