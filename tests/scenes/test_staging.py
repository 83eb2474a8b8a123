"""Staging a viewer accepts (environments.staging), held over sampled default specs, before and
after their changes: each rule's check names no offender on any of them, and each check does
name a constructed offender (so a check that went blind would not pass silently)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from diffforge.config import load_config
from diffforge.scenes.assets.characters import POSES
from diffforge.scenes.environments import seating, staging
from diffforge.scenes.environments.camera import MIN_LENS, edge_stretch
from diffforge.scenes.model import Pose
from diffforge.scenes.sampler import PairSampler, load_library

# samples hundreds of room and street specs: `make test-slow`, run in CI
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
N_SPECS = 300  # fixed seed: the default config's


@pytest.fixture(scope="module")
def specs(spec_cache):
    return spec_cache.specs(load_config(ROOT / "configs" / "default.yaml", []), N_SPECS)


def _scenes(specs):
    for spec in specs:
        yield spec, "before", spec.before
        yield spec, "after", spec.after


def _offenders(specs, rule) -> list:
    return [
        (spec.index, side, [c.type for c in spec.changes], problems[:2])
        for spec, side, scene in _scenes(specs)
        if (problems := rule(scene))
    ]


def test_the_sample_has_people_streets_vehicles_and_size_changes(specs):
    """The rules below are held on scenes that have what they are about."""
    people = sum(any(staging.is_person(o) for o in s.after.objects) for s in specs)
    streets = [s for s in specs if s.before.environment.layout == "street"]
    vehicles = sum(any(staging.is_road_vehicle(o) for o in s.before.objects) for s in streets)
    kinds = {c.type for s in specs for c in s.changes}
    assert people >= 40 and len(streets) >= 20 and vehicles >= 15, (people, len(streets), vehicles)
    assert {"pose", "size", "add", "move", "replace", "count", "viewpoint"} <= kinds


def test_people_sit_only_on_seats_and_never_crouch_by_one(specs):
    assert not _offenders(specs, staging.pose_problems)


# Default specs (of N_SPECS) whose composed scene shows someone sitting on a seat: 34 of 300
# measured (seed 0; 49 without the seat-in-view rule, SEAT_SEEN_SHARE), 26 once people drew
# body variants (the rng's draws moved); nobody sat before sitters were seated
# (``staging.add_sitters``). The floor sits two binomial standard errors under a 10 % rate.
MIN_SEATED_SPECS = 20


def test_people_sit_on_seats_at_a_stated_rate(specs):
    """At least MIN_SEATED_SPECS of the default specs show a sitter; each sits on a seat of
    the scene (a chair, a sofa, a bench, a stool), hips on its top, facing its front, feet on
    the floor, piercing nothing, before and after the pair's changes."""
    sitters = [
        (spec.before, o) for spec in specs for o in spec.before.objects if seating.is_sitting(o)
    ]
    assert len({id(scene) for scene, _ in sitters}) >= MIN_SEATED_SPECS
    for scene, person in sitters:
        seat = scene.object(person.support)
        assert seating.is_seat(seat), (person.id, seat.category)
    assert {scene.object(p.support).category for scene, p in sitters} >= {"chair", "bench"}
    assert not _offenders(specs, seating.sitter_problems)


def test_a_seat_someone_sits_on_is_not_free_to_change(specs):
    """Its sitter depends on it: move, remove, replace, size and turn leave it be."""
    from diffforge.scenes.environments import placer_for
    from diffforge.scenes.sampler import load_library

    library = load_library(load_config(ROOT / "configs" / "default.yaml", []))
    scene, person = _first(specs, "room", seating.is_sitting)
    assert placer_for(scene, library).dependents(person.support) == [person.id]


def test_the_sitter_check_names_a_turned_lifted_shifted_or_pierced_sitter(specs):
    scene, person = _first(specs, "room", seating.is_sitting)
    assert not seating.sitter_problems(scene)
    x, y, z = person.transform.location
    yaw = person.transform.rotation[2]
    person.transform.rotation = (0.0, 0.0, yaw + 0.5)
    assert "face" in seating.sitter_problems(scene)[0]
    person.transform.rotation = (0.0, 0.0, yaw)
    person.transform.location = (x, y, z + 0.05)
    assert "feet" in seating.sitter_problems(scene)[0]
    # half a metre forward, off the seat's front edge
    person.transform.location = (x + 0.5 * math.sin(yaw), y - 0.5 * math.cos(yaw), z)
    assert "hips" in seating.sitter_problems(scene)[0]
    person.transform.location = (x, y, z)
    box = person.model_copy(deep=True)  # a block standing where the sitter's shins are
    box.id, box.asset, box.shape, box.pose, box.support = "block", "block", None, None, "floor"
    box.category, box.dimensions = "box", (0.3, 0.3, 0.3)
    feet = seating.body_points(person)
    low = feet[feet[:, 2] < 0.1]
    box.transform.location = (*low.mean(axis=0)[:2], z)
    scene.objects.append(box)
    assert "touches block" in seating.sitter_problems(scene)[0]


def test_every_sitters_seat_shows(specs):
    """A sitter's seat is predicted SEAT_KEPT_SHARE in view, before and after the changes (a
    chair hidden behind a table and its sitter left the figure sitting on air). With the rule
    off in add_sitters (SEAT_SEEN_SHARE 0), 21 of the 300 specs' scenes broke it (checked
    once)."""
    assert not _offenders(specs, staging.seat_problems)


def test_every_crouching_figure_shows_its_legs(specs):
    """A crouch is predicted LEGS_SEEN_SHARE in view (its posed box, not its standing one);
    with the rule off, 8 of the 300 specs' scenes broke it (checked once)."""
    crouching = [
        (scene, o)
        for _, _, scene in _scenes(specs)
        for o in scene.objects
        if o.pose is not None and o.pose.name == "crouching"
    ]
    assert crouching
    assert all(staging.crouch_seen(scene, o) for scene, o in crouching)


def _screen(scene, target, height: float):
    """A shelf ``height`` tall standing between the camera and ``target``, a third of the way
    from it."""
    screen = target.model_copy(deep=True)
    screen.id, screen.asset, screen.shape, screen.pose, screen.support = (
        "screen", "shelf", None, None, "floor",
    )  # fmt: skip
    screen.category, screen.dimensions = "shelf", (1.2, 0.3, height)
    (cx, cy, _), (x, y, _) = scene.camera.location, target.transform.location
    yaw = math.atan2(cy - y, cx - x) - math.pi / 2
    screen.transform.location = (x + (cx - x) / 3, y + (cy - y) / 3, 0.0)
    screen.transform.rotation = (0.0, 0.0, yaw)
    scene.objects.append(screen)


def test_the_seat_check_names_a_sitter_whose_seat_a_shelf_hides(specs):
    scene, person = _first(specs, "room", seating.is_sitting)
    assert not staging.seat_problems(scene)
    _screen(scene, scene.object(person.support), 1.0)
    assert staging.seat_seen(scene, person) < staging.SEAT_KEPT_SHARE
    assert "hidden" in staging.seat_problems(scene)[0]


def test_the_pose_check_names_a_crouch_whose_legs_a_shelf_hides(specs):
    scene, person = _first(
        specs, "room", lambda o: o.pose is not None and o.pose.name == "crouching"
    )
    assert not staging.pose_problems(scene)
    _screen(scene, person, 0.75)  # to a crouch's knees
    assert not staging.crouch_seen(scene, person)
    assert "crouching" not in staging.allowed_poses(scene, person)
    assert staging.pose_problems(scene)


@pytest.mark.parametrize("height", [0.36, 0.42, 0.46, 0.55, 0.65, 0.74])
def test_the_sitting_pose_rests_the_hips_on_a_seat_of_its_height(height):
    from diffforge.scenes.assets.characters import posed_bounds, seat_contact, sitting_pose

    bones = sitting_pose(height)
    assert seat_contact(bones) == pytest.approx(height, abs=0.01)
    assert posed_bounds(bones)[0, 2] == pytest.approx(0.0, abs=1e-9)  # feet on the floor
    assert sitting_pose(0.25) is None and sitting_pose(0.9) is None


def test_standing_people_are_not_pressed_against_what_their_outline_overlaps(specs):
    """A figure right behind a bar stool read as one shape with it (review_std48e, pair 17):
    a standing person keeps PERSON_GAP from anything on the floor it overlaps in the picture
    (181 offending scenes of 600 with the rule's enforcement off)."""
    assert not _offenders(specs, staging.crowding_problems)


def test_people_wall_kinds_and_towels_keep_to_the_walls(specs):
    """No figure reaches into a wall (pair 12: a walking figure's foot against it), wall kinds
    stand with their back to a wall (pair 28: a replacement radiator mid-floor), towels hang
    only in bathrooms at a rail's height (pairs 11, 45: a towel hung as a picture)."""
    assert not _offenders(specs, staging.wall_problems)


def test_the_wall_checks_name_a_leaning_figure_a_free_radiator_and_a_towel_as_a_picture(specs):
    scene, person = _first(
        specs, "room", lambda o: staging.is_person(o) and o.pose.name != "sitting"
    )
    w, d, _ = scene.environment.extent
    _with_pose(person, "walking")
    person.transform.rotation = (0.0, 0.0, 0.0)
    person.transform.location = (w / 2 - 0.3, 0.0, 0.0)  # its front foot 5 cm off the wall
    assert "reaches into a wall" in staging.wall_problems(scene)[0]
    scene.objects.remove(person)
    radiator = person.model_copy(deep=True)
    radiator.id, radiator.category, radiator.pose = "radiator_x", "radiator", None
    radiator.dimensions = (0.8, 0.1, 0.6)
    radiator.transform.location = (0.0, d / 2 - 0.12, 0.0)  # against the back wall
    scene.objects.append(radiator)
    assert not staging.wall_problems(scene)
    radiator.transform.location = (0.0, 0.0, 0.0)  # in the middle of the floor
    assert "away from the walls" in staging.wall_problems(scene)[0]
    scene.objects.remove(radiator)
    towel = radiator.model_copy(deep=True)
    towel.id, towel.category, towel.support = "towel_x", "towel", "wall"
    towel.dimensions, towel.transform.location = (0.62, 0.06, 0.7), (0.0, d / 2 - 0.03, 1.0)
    scene.objects.append(towel)
    kind = scene.environment.room_type
    assert ("hangs in a" in staging.wall_problems(scene)[0]) == (kind != "bathroom")
    scene.environment = scene.environment.model_copy(update={"room_type": "bathroom"})
    assert not staging.wall_problems(scene)
    towel.transform.location = (0.0, d / 2 - 0.03, 1.6)  # at a poster's height
    assert "above a rail" in staging.wall_problems(scene)[0]


def test_the_crowding_check_names_a_person_right_behind_a_stool(specs):
    scene, person = _first(
        specs, "room", lambda o: staging.is_person(o) and o.pose.name != "sitting"
    )
    stool = person.model_copy(deep=True)
    stool.id, stool.category, stool.pose, stool.tags = "stool_x", "stool", None, ["furniture"]
    stool.dimensions = (0.34, 0.34, 0.65)
    cam = scene.camera.location
    x, y, z = person.transform.location
    k = 0.45 / math.hypot(x - cam[0], y - cam[1])  # 45 cm nearer the camera, on its line
    stool.transform.location = (x - k * (x - cam[0]), y - k * (y - cam[1]), z)
    scene.objects.append(stool)
    assert staging.pressed_against(scene, person) == "stool_x"
    assert staging.crowding_problems(scene)


def test_people_keep_clear_of_each_other_and_of_upright_things_in_the_picture(specs):
    """In any pose: the check uses the box of every pose, raised arms included."""
    assert not _offenders(specs, staging.silhouette_problems)


def test_vehicles_stand_on_the_road_along_the_lane_off_the_crossing(specs):
    """And everything else on a street's ground stands on a sidewalk's surface, after add,
    replace, move, count and size changes too."""
    assert not _offenders(specs, staging.street_problems)


def test_sizes_stay_within_their_kinds_plausible_range(specs):
    assert not _offenders(specs, staging.size_problems)
    grown = [
        s.after.object(c.targets[0])
        for s in specs
        for c in s.changes
        if c.type == "size" and s.after.object(c.targets[0]).category == "chair"
    ]
    assert all(o.dimensions[2] * 0.5 < 0.75 for o in grown)  # a seat under a table's top


def test_layout_cameras_keep_edge_stretching_mild(specs):
    for spec in specs:
        if spec.before.environment.layout in ("room", "street"):
            assert spec.before.camera.lens >= MIN_LENS
    assert round(edge_stretch(MIN_LENS), 2) <= 1.37 < 1.5 < edge_stretch(18.0)


# -- each check names a constructed offender --------------------------------------------


def _with_pose(obj, name: str):
    obj.pose = Pose(name=name, bones={k: tuple(v) for k, v in POSES[name].items()})
    return obj


def _first(specs, layout: str, test):
    for spec in specs:
        scene = spec.before.clone()
        if scene.environment.layout == layout and any(test(o) for o in scene.objects):
            return scene, next(o for o in scene.objects if test(o))
    pytest.skip(f"no {layout} with such an object in the sample")


def test_the_pose_check_names_a_sitter_off_a_seat_and_a_crouch_by_a_seat(specs):
    # a person standing on the floor (the first in a room may already sit on a seat)
    scene, person = _first(specs, "room", lambda o: staging.is_person(o) and o.support == "floor")
    _with_pose(person, "sitting")
    assert staging.pose_problems(scene)
    _with_pose(person, "crouching")
    seat = next(o for o in scene.objects if staging.is_seat(o))
    x, y, _ = seat.transform.location
    person.transform.location = (x + seat.dimensions[0] / 2 + 0.3, y, 0.0)
    assert staging.pose_problems(scene)


def test_the_silhouette_check_names_two_people_one_in_front_of_the_other(specs):
    scene, person = _first(specs, "room", staging.is_person)
    twin = person.model_copy(deep=True)
    twin.id = "twin"
    cam = scene.camera.location
    x, y, z = person.transform.location
    # a step further from the camera, on the same line of sight
    twin.transform.location = (x + 0.3 * (x - cam[0]), y + 0.3 * (y - cam[1]), z)
    scene.objects.append(twin)
    assert staging.silhouette_problems(scene)


def test_the_street_check_names_a_car_across_the_lane_on_the_crossing_and_on_the_pavement(specs):
    scene, car = _first(specs, "street", staging.is_road_vehicle)
    assert staging.misplaced(scene, car) is None
    x, y, z = car.transform.location
    car.transform.rotation = (0.0, 0.0, 0.0)
    assert "across the lane" in staging.misplaced(scene, car)
    car.transform.rotation = (0.0, 0.0, math.pi / 2)
    car.transform.location = (sum(staging.crossing_span(scene.environment)) / 2, y, z)
    assert "crossing" in staging.misplaced(scene, car)
    car.transform.location = (x, scene.environment.road_width / 2 + 1.5, 0.12)
    assert "off the road" in staging.misplaced(scene, car)


def test_the_size_check_names_a_chair_at_table_height(specs):
    scene, chair = _first(specs, "room", lambda o: o.category == "chair")
    chair.transform.scale = 1.6
    assert staging.size_problems(scene)


def test_tall_things_grow_no_taller_than_their_kind_stands():
    """A size change keeps a street bin under HEIGHT_CAP (one grown by 2.1 stood as tall as a
    van), while a cup may still double."""
    cap = staging.HEIGHT_CAP["other"]
    library = load_library(load_config(ROOT / "configs" / "default.yaml", []))
    bin_, cup = library.get("trash_bin"), library.get("cup")
    assert bin_.size[2] * staging.plausible_scale(bin_)[1] <= cap + 1e-6
    assert staging.plausible_scale(cup)[1] == staging.PLAUSIBLE_SCALE["other"][1]


def test_the_size_check_names_a_bin_grown_to_a_vans_height(specs):
    scene, bin_ = _first(specs, "street", lambda o: o.asset == "trash_bin")
    bin_.transform.scale = 1.9
    bin_.dimensions = tuple(d * 1.9 for d in bin_.dimensions)
    assert any(bin_.id in p for p in staging.size_problems(scene))


def test_street_views_are_not_mostly_empty_road():
    """Over 200 composed streets, the road with nothing on it covers under a third of the
    frame on average (0.354 before the framing rules, 76 % of views over 0.3), and under half
    of the frame's lower 40 % (0.73 before cameras looked along the street from a drawn spot
    and the lower frame was filled, 88 % of views over 0.6; measured 0.49 and 19 %:
    benchmarks/street_framing.py; review_std96h saw road alone there in half the streets).
    Streets composed for a text change, whose camera looks across the road at the signs, too:
    their lower 40 % was 0.59 empty road (48 % of views over 0.6) before cars in the near lanes
    and people on the crossing filled it clear of the signs; measured 0.49 and 20 %; 0.55
    and 50 % once the camera aimed at its sign with a longer lens, 0.39 and 10 % looking
    nearly level at the shop fronts (``camera.TEXT_VIEW_RAISE``)."""
    import numpy as np

    from diffforge.distributions import rng_for
    from diffforge.scenes.environments import compose
    from diffforge.scenes.sampler import load_library

    cfg = load_config(ROOT / "configs" / "default.yaml", [])
    library = load_library(cfg)
    scenes = [
        compose(rng_for(cfg.seed, i, "street-framing"), "street", cfg, library) for i in range(200)
    ]
    shares = np.array([staging.empty_road_share(s) for s in scenes])
    assert shares.mean() <= 0.32 and (shares > 0.3).mean() <= 0.6, (
        shares.mean(),
        (shares > 0.3).mean(),
    )
    lower = np.array([staging.empty_road_share(s, lower=0.4) for s in scenes])
    assert lower.mean() <= 0.52 and (lower > 0.6).mean() <= 0.25, (
        lower.mean(),
        (lower > 0.6).mean(),
    )
    text = np.array(
        [
            staging.empty_road_share(
                compose(rng_for(cfg.seed, i, "street-text"), "street", cfg, library,
                        frozenset({"text"})),
                lower=0.4,
            )
            for i in range(40)
        ]
    )  # fmt: skip
    assert text.mean() <= 0.52 and (text > 0.6).mean() <= 0.3, (text.mean(), (text > 0.6).mean())


def test_a_street_composed_for_text_looks_across_at_its_signs_and_nothing_looms():
    """A street for a text change keeps the camera that looks across the road at the signs
    (they face the road; a view turned along the street lost two-text pairs their second
    sign), with a longer lens, aimed at the sign placed to be read: at standard 31 of 40 read
    a sign (7 before the aim and the lens, 6 before the framing; here at least 24).
    The others look along the street from one side back across its middle, where no orbit of
    a viewpoint change enters the buildings behind the camera (one did: a grey frame). In
    neither does a thing cover more than ``street.LOOMING`` of the frame."""
    from diffforge.distributions import rng_for
    from diffforge.scenes.environments import compose, street

    cfg = load_config(ROOT / "configs" / "default.yaml", ["render.preset=standard"])
    sampler = PairSampler(cfg)
    legible = 0
    for i in range(40):
        scene = compose(
            rng_for(cfg.seed, i, "street-text"), "street", cfg, sampler.library, frozenset({"text"})
        )
        legible += bool(sampler._fit_text(scene))
        assert not street._looming(scene), (i, [o.id for o in street._looming(scene)])
        scene = compose(rng_for(cfg.seed, i, "street-along"), "street", cfg, sampler.library)
        (x, _, _), (tx, _, _) = scene.camera.location, scene.camera.look_at
        assert abs(x) >= 1.0 and (tx - x) * x < 0, (i, scene.camera)
        assert street._orbits_clear(scene.camera, scene.environment), (i, scene.camera)
        assert not street._looming(scene), (i, [o.id for o in street._looming(scene)])
    assert legible >= 24, legible


def test_a_street_composed_for_two_text_changes_hangs_both_signs_where_the_camera_looks():
    """A pair's second text change on a street: the signs are hung side by side within the
    part of the facade the camera sees (``sampler.seen_span``), not across the whole facade,
    which put the second out of the frame (0 of 30 streets carried two legible signs)."""
    from diffforge.distributions import rng_for
    from diffforge.scenes.environments import compose

    cfg = load_config(ROOT / "configs" / "default.yaml", ["render.preset=standard"])
    sampler = PairSampler(cfg)
    both = 0
    for i in range(24):
        scene = compose(
            rng_for(cfg.seed, i, "street-text-2"), "street", cfg, sampler.library,
            frozenset({"text"}),
        )  # fmt: skip
        both += len(sampler._fit_text(scene, 2, rng_for(cfg.seed, i, "signs"))) >= 2
    assert both >= 8, both


def test_the_road_share_counts_road_and_not_what_stands_on_it(specs):
    streets = [s.before.clone() for s in specs if s.before.environment.layout == "street"]
    with_cars = sum(staging.empty_road_share(s) for s in streets)
    for scene in streets:
        scene.objects = [o for o in scene.objects if not staging.is_road_vehicle(o)]
    assert sum(staging.empty_road_share(s) for s in streets) > with_cars > 0.05 * len(streets)


def test_vehicles_keep_clear_and_people_stand_on_no_other_footprint(specs):
    """review_std96j: an added car flush beside a parked one read as one two-tone car (5600/43),
    a counted copy's rear met a parked car's nose (8800/02), a mannequin stood in a scooter
    (8800/08). A vehicle keeps VEHICLE_CLEARANCE from vehicles and THING_CLEARANCE from things
    (oriented footprints), a person's footprint overlaps none, after add, move, count, replace
    and size changes (``staged``), for the objects each placed, moved or grew."""
    moved = ("add", "move", "count", "replace", "size")
    bad = [
        (spec.index, c.type, t, other)
        for spec in specs
        for c in spec.changes
        if c.type in moved
        for t in c.targets
        if (o := spec.after.find(t)) is not None
        and (other := staging.too_close(spec.after, o)) is not None
    ]
    assert not bad


def _street_car(specs):
    scene, car = _first(specs, "street", lambda o: o.category == "car")
    scene.objects = [o for o in scene.objects if o.id == car.id or "facade" in o.tags]
    return scene, car


def test_the_clearance_check_names_cars_flush_side_by_side_or_nose_to_tail(specs):
    scene, car = _street_car(specs)
    other = car.model_copy(deep=True)
    other.id = "car_x"
    scene.objects.append(other)
    x, y, z = car.transform.location
    width, length = car.dimensions[0], car.dimensions[1]  # turned along the lane (yaw ±90°)
    for dx, dy, bad in (
        (0.0, width + 0.05, True),  # 5 cm beside it
        (length + 0.2, 0.0, True),  # 0.2 m behind its nose
        (0.0, width + staging.VEHICLE_CLEARANCE + 0.05, False),
        (length + staging.VEHICLE_CLEARANCE + 0.05, 0.0, False),
    ):
        other.transform.location = (x + dx, y - math.copysign(dy, y), z)
        assert (staging.too_close(scene, other) == car.id) == bad, (dx, dy)
        assert bool(staging.clearance_problems(scene)) == bad


def test_the_clearance_check_names_a_person_in_a_scooters_footprint(specs):
    scene, car = _street_car(specs)
    scooter = car.model_copy(deep=True)
    scooter.id, scooter.category, scooter.dimensions = "scooter_x", "scooter", (0.62, 1.75, 1.12)
    person = car.model_copy(deep=True)
    person.id, person.category, person.tags = "person_x", "person", ["person"]
    person.dimensions = (0.57, 0.32, 1.74)
    scene.objects = [o for o in scene.objects if o.id != car.id] + [scooter, person]
    scooter.transform.location = person.transform.location = (0.0, 5.0, 0.12)
    scooter.transform.rotation = person.transform.rotation = (0.0, 0.0, 0.0)
    assert staging.too_close(scene, person) == "scooter_x"
    person.transform.location = (1.2, 5.0, 0.12)  # beside it, clear
    assert staging.too_close(scene, person) is None


def test_the_crowding_check_keeps_a_person_well_before_a_vehicle(specs):
    """8800/08: a mannequin 0.5 m before a scooter, overlapping it in the picture, read as
    standing inside it: a person keeps PERSON_VEHICLE_GAP from a vehicle it overlaps."""
    scene, person = _first(
        specs, "street", lambda o: staging.is_person(o) and o.pose.name != "sitting"
    )
    scooter = person.model_copy(deep=True)
    scooter.id, scooter.category, scooter.pose, scooter.tags = "scooter_x", "scooter", None, []
    scooter.dimensions = (1.75, 0.62, 1.12)
    cam = scene.camera.location
    x, y, z = person.transform.location
    dist = math.hypot(x - cam[0], y - cam[1])
    k = (0.5 + 0.5 * person.dimensions[1] + 0.35) / dist  # 0.5 m behind it on the camera's line
    scooter.transform.location = (x + k * (x - cam[0]), y + k * (y - cam[1]), z)
    scooter.transform.rotation = (0.0, 0.0, math.atan2(y - cam[1], x - cam[0]) + math.pi / 2)
    scene.objects.append(scooter)
    assert staging.pressed_against(scene, person) == "scooter_x"


def test_size_changes_keep_real_heights_of_the_kind():
    """8800/47: a laundry basket grown by 1.67 stood waist-high; 8800/10 a bin as tall as a
    van's body; 5600/08 a hydrant by 1.75. Each category of REAL_HEIGHTS stays between its
    least and greatest height (composed scales apart)."""
    library = load_library(load_config(ROOT / "configs" / "default.yaml", []))
    for asset, most in (("laundry_basket", 0.7), ("trash_bin", 1.2), ("fire_hydrant", 1.0)):
        spec = library.get(asset)
        _lo, hi = staging.plausible_scale(spec)
        assert spec.size[2] * hi <= max(most, spec.size[2] * staging.COMPOSED_TOP) + 1e-6, asset
        assert spec.size[2] * hi < spec.size[2] * 1.6  # no longer grows by 1.6


def test_a_composed_street_fills_its_lane_with_no_car_touching_another():
    """The lower frame's fill puts a car in the lane nearest its spot, or the other lane where
    a car parked there would touch it (review_std96j: a car waiting in its lane 5 cm beside a
    parked one read as one two-tone car; 16 of 60 composed streets and 47 of 60 text streets
    had such a pair before)."""
    from diffforge.distributions import rng_for
    from diffforge.scenes.environments import compose

    cfg = load_config(ROOT / "configs" / "default.yaml", [])
    library = load_library(cfg)
    cars = ("car", "suv", "van", "pickup_truck")
    touching = []
    for stage, needs in (("street-framing", frozenset()), ("street-text", frozenset({"text"}))):
        for i in range(30):
            scene = compose(rng_for(cfg.seed, i, stage), "street", cfg, library, needs)
            for obj in scene.objects:
                other = staging.too_close(scene, obj) if obj.category in cars else None
                if other is not None and scene.object(other).category in cars:
                    touching.append((stage, i, obj.id, other))
    assert not touching, touching
