"""Built streets: a road between raised sidewalks, façades along the far side, street furniture,
trees, parked cars and people; the sun by time of day and the street lamps at dusk and night."""

from __future__ import annotations

import math

import numpy as np

from diffforge.config import GenerateConfig
from diffforge.scenes.architecture import (
    KERB_HEIGHT,
    SIDEWALK_HEIGHT,
    STREET_LENGTH,
    box,
    colour,
    plane,
)
from diffforge.scenes.environments.camera import camera_view, street_camera
from diffforge.scenes.environments.composition import (
    Composition,
    dense_budget,
    fill,
    optional_spec,
    place_legible_sign,
    put_at,
    start_composition,
    text_pool,
)
from diffforge.scenes.environments.staging import (
    CROSSING_CLEARANCE,
    REFERENCE_SIZE,
    add_sitters,
    boxes_close,
    crossing_span,
    empty_ground,
    ground_rays,
    ground_seen,
    is_person,
    is_road_vehicle,
    merged_with,
    object_entry,
    picture_box,
    stage_people,
    stands_clear,
    too_close,
)
from diffforge.scenes.geometry import box_corners, predicted_footprint, project
from diffforge.scenes.instances import choose, instantiate
from diffforge.scenes.lighting import drop_lamp_light
from diffforge.scenes.model import Element, Environment, Light, ObjectInstance, Scene
from diffforge.scenes.placement import Surface

STREET_TIMES = ("morning", "noon", "evening")
# sun elevation (deg), strength (W/m²), colour temperature, exposure (EV) per time of day
SUN_BY_TIME = {
    "morning": (24.0, 3.2, 4800.0, 0.3),
    "noon": (62.0, 4.0, 6000.0, 0.0),
    "afternoon": (40.0, 3.5, 5600.0, 0.1),
    "evening": (9.0, 2.2, 3300.0, 0.7),
}
NIGHT_EXPOSURE = 1.0
STREET_SKY = 2.0
# P(people crossing on the zebra crossing): the near lane is what fills a street view's lower
# part (staging.empty_road_share), and people crossing are what a viewer sees there.
STREET_CROSSING_PEOPLE = 0.5  # world strength: the sky's share of the light in the street's shadows


def compose_street(
    rng, cfg: GenerateConfig, library, wants: frozenset[str] = frozenset()
) -> Composition:
    """A street: a two-lane road with markings and a crossing, raised sidewalks with kerbs on
    both sides, shop facades along the far sidewalk with signs on them, parked cars, trees,
    lamps and street furniture on the sidewalks, people on the sidewalks."""
    night = rng.random() < cfg.scene.night
    road = float(choose(rng, [6.5, 7.0, 8.0]))
    walk = float(rng.uniform(3.0, 4.0))
    w = float(rng.uniform(20.0, 24.0))
    d = road + 2 * walk + 1.0
    env = Environment(
        layout="street",
        extent=(round(w, 4), round(d, 4), 12.0),
        floor_color="gray",
        floor_material="asphalt",
        time_of_day="night" if night else choose(rng, list(STREET_TIMES)),
        road_width=road,
        sidewalk_width=round(walk, 4),
        wall_color=choose(rng, ["gray", "beige", "white"]),
    )
    comp = start_composition(rng, cfg, library, env)
    # a pair without a text change looks along the street from a spot drawn here, so the
    # near sidewalk's row and parked cars stand ahead of it (STREET_FRAMINGS)
    along = None if "text" in wants else _camera_spot(rng)
    keep = (-5.0, 5.0) if along is None else _kept_clear(along)
    budget = dense_budget(rng, cfg, "street")
    get = lambda aid: optional_spec(library, aid)  # noqa: E731
    kerb = SIDEWALK_HEIGHT
    far, near = road / 2, -road / 2  # the road's edges (far: facade side)
    face = far + walk  # facade fronts
    # 1. facades along the far sidewalk, touching each other
    facades = library.select(tags_any=("facade",))
    x = -w / 2 - 2.0
    while facades and x < w / 2 + 2.0:
        spec = choose(rng, facades)
        obj = instantiate(rng, spec, comp.new_id(spec.category), cfg.text)
        obj.transform.location = (
            round(x + obj.dimensions[0] / 2, 6),
            round(face + obj.dimensions[1] / 2, 6),
            0.0,
        )
        obj.support = "ground"
        comp.scene.objects.append(obj)
        x += obj.dimensions[0] + 0.02

    def on_walk(spec, x: float, side: int, offset: float, yaw: float) -> ObjectInstance | None:
        """On the far (side=1) or near (side=-1) sidewalk, ``offset`` metres from the kerb."""
        y = far + offset if side > 0 else near - offset
        return put_at(comp, rng, spec, x, y, yaw, support="ground", z=kerb)

    # 2. lamps and trees in a row along each kerb, furniture between them
    for side in (1, -1):
        x = -w / 2 + float(rng.uniform(0.5, 2.5))
        while x < w / 2 - 0.5:
            kind = choose(
                rng,
                [
                    "street_lamp",
                    "tree",
                    "tree",
                    "bench",
                    "trash_bin",
                    "bollard",
                    "bicycle",
                    "fire_hydrant",
                    "sign_post",
                    "traffic_light",
                    "parking_meter",
                    "mailbox",
                    "planter",
                    "newspaper_box",
                    "bike_rack",
                    "motorcycle",
                    "scooter",
                ],
            )
            spec = get(kind)
            if spec is None:
                x += 1.0
                continue
            if side < 0 and keep[0] < x < keep[1]:  # keep the near sidewalk by the camera clear
                x = keep[1]
                continue
            yaw = 0.0 if side > 0 else math.pi  # lamps reach over the road, benches face it
            if kind == "bicycle":
                yaw = math.pi / 2
            offset = 0.45 + spec.size[1] / 2 if kind != "tree" else 1.0
            obj = on_walk(spec, x, side, offset, yaw)
            x += (obj.dimensions[0] if obj is not None else 0.6) + float(rng.uniform(0.8, 2.2))
    # ... and a row along the far facades: benches, bikes, planters, bins, café boxes
    x = -w / 2 + float(rng.uniform(0.3, 1.5))
    while x < w / 2 - 0.5:
        spec = get(choose(rng, ["bench", "bicycle", "bush", "trash_bin", "box", "traffic_cone", "bus_stop",
                                "planter", "vending_machine", "picnic_table", "backless_bench", "shop_crate",
                                "barrier", "mailbox", "newspaper_box", "shopping_cart", "floor_text"]))  # fmt: skip
        if spec is None:
            x += 1.0
            continue
        yaw = math.pi / 2 if spec.id == "bicycle" else 0.0
        dy = spec.size[0] if spec.id == "bicycle" else spec.size[1]
        obj = on_walk(spec, x + spec.size[0] / 2, 1, walk - 0.35 - dy / 2, yaw)
        x += (obj.dimensions[0] if obj is not None else 0.5) + float(rng.uniform(0.6, 2.5))
    # 3. vehicles parked along both kerbs, lengthwise (cars most often)
    vehicles = [
        v for v in map(get, ("car", "car", "car", "suv", "van", "pickup_truck", "truck")) if v
    ]
    zebra = crossing_span(env)
    for side in (1, -1):
        x = -w / 2 + float(rng.uniform(1.0, 4.0))
        while vehicles and x < w / 2 - 2.5:
            car = choose(rng, vehicles)
            half = car.size[1] / 2 * 1.1  # the largest scale a vehicle is drawn at
            if x + 2 * half > zebra[0] - CROSSING_CLEARANCE and x < zebra[1] + CROSSING_CLEARANCE:
                x = zebra[1] + CROSSING_CLEARANCE + 0.05  # never on the zebra crossing
                continue
            if rng.random() < (0.9 if side > 0 else 0.55) and (
                side > 0 or _parks_near(x + half, along)
            ):
                y = far - 1.15 if side > 0 else near + 1.15
                y += (car.size[0] - 1.81) / 2 * (-1 if side > 0 else 1)  # wider ones keep the kerb
                obj = put_at(
                    comp,
                    rng,
                    car,
                    x + half,
                    y,
                    math.pi / 2 if side > 0 else -math.pi / 2,
                    support="ground",
                )
                x += 2 * half + 0.9 if obj is not None else 1.0
            else:
                x += float(rng.uniform(3.0, 7.0))
    # 4. signs on the facades, people on the sidewalks, small things on the sidewalks
    walls = comp.placer.candidates({"wall"})
    sign = None  # the sign a text change's camera frames
    if rng.random() < cfg.scene.text_objects or "text" in wants:
        texts = [s for s in text_pool(library, ("outdoor",)) if s.placement == "wall"]
        if "text" in wants:
            sign = place_legible_sign(rng, comp, texts, walls)
        fill(rng, comp, texts, walls, int(rng.integers(1, 4)), 12)
    people = library.select(tags_any=("person",))
    if people and (rng.random() < cfg.scene.people.probability or "person" in wants):
        placed, tries = 0, 0
        n = int(rng.integers(1, cfg.scene.people.max + 1))
        # a drawn pose change needs someone there: a few more spots until one fits
        while placed < n and tries < (n + 6 if "person" in wants else n):
            tries += 1
            side = 1 if rng.random() < 0.6 else -1
            placed += (
                on_walk(
                    choose(rng, people),
                    float(rng.uniform(-w / 3, w / 3)),
                    side,
                    float(rng.uniform(0.8, walk - 0.8)),
                    float(rng.uniform(-0.4, 0.4)),
                )
                is not None
            )
    lo, hi = crossing_span(env)  # now and then someone crossing on the zebra crossing
    if people and rng.random() < STREET_CROSSING_PEOPLE:
        for _ in range(int(rng.integers(1, 3))):
            put_at(
                comp, rng, choose(rng, people), float(rng.uniform(lo + 0.5, hi - 0.5)),
                float(rng.uniform(near + 0.6, far - 0.6)), choose(rng, [0.0, math.pi]),
                support="ground",
            )  # fmt: skip
    small = [
        get(a)
        for a in ("traffic_cone", "bollard", "trash_bin", "bush", "box", "shop_crate", "planter")
    ]
    small = [s for s in small if s is not None]
    tries = 0
    while len(comp.scene.objects) < budget and tries < 40 and small:
        tries += 1
        side = 1 if rng.random() < 0.7 else -1
        x = float(rng.uniform(-w / 2 + 1, w / 2 - 1))
        if side < 0 and keep[0] < x < keep[1]:  # the near sidewalk by the camera stays clear
            continue
        on_walk(
            choose(rng, small),
            x,
            side,
            float(rng.uniform(0.5, walk - 0.6)),
            float(rng.uniform(-math.pi, math.pi)),
        )
    _street_lights(rng, comp)
    focus = None if sign is None else sign.transform.location[0]
    comp.scene.camera = _framed_street_camera(rng, comp, along, focus)
    comp.framed = True
    _leave_out(comp, _looming(comp.scene))
    _fill_lower_frame(rng, comp, along is None)
    carried = _carry_in_view(rng, comp, wants)
    ground = comp.placer.surfaces["ground"]
    stage_people(
        rng, comp.scene, comp.placer, lambda p: street_lots(comp.scene, ground, p), keep=carried
    )
    add_sitters(rng, comp)
    # staging moves people: one crossing 6 m before a text street's long lens loomed (a
    # figure carried for a pose change stands near on purpose, large enough to read)
    _leave_out(comp, [o for o in _looming(comp.scene) if o.id not in carried])
    return comp


# Street cameras drawn per street, the one whose frame's lower part shows the least empty
# road kept: a sidewalk view's lower 40 % was road alone in half the reviewed streets
# (review_std96h), where parked cars, kerbs and sidewalk life could stand.
STREET_CAMERA_CANDIDATES, STREET_FRAME_LOWER = 8, 0.4


# Where a camera looking along the street stands (x, m, either side of the middle: it looks
# back across the middle), and how far along the near sidewalk it stands clear of the kerb's
# row; a car parks along the near kerb only this far from it along the street (a car 5 m
# before the lens filled the frame).
STREET_CAMERA_X, STREET_CAMERA_CLEAR, STREET_CAMERA_BEHIND, STREET_NEAR_CAR = (
    (1.5, 5.5),
    6.0,
    3.0,
    6.0,
)


def _camera_spot(rng) -> float:
    """The x a camera looking along the street stands at (``STREET_CAMERA_X``)."""
    return float(rng.uniform(*STREET_CAMERA_X)) * (1 if rng.random() < 0.5 else -1)


def _kept_clear(along: float) -> tuple[float, float]:
    """The stretch of the near sidewalk (x) kept clear before a camera standing at ``along``
    and looking back across the middle: ``STREET_CAMERA_CLEAR`` ahead of it (a tree 3 m
    before the lens filled most of the frame), a little behind it."""
    ahead = -math.copysign(STREET_CAMERA_CLEAR, along)
    return tuple(sorted((along + ahead, along - math.copysign(STREET_CAMERA_BEHIND, ahead))))


def _parks_near(x: float, along: float | None) -> bool:
    """Whether a car centred at ``x`` may park along the near kerb: away from the middle for a
    camera looking across, away from the camera for one looking along (``STREET_NEAR_CAR``)."""
    return abs(x) > 8.0 if along is None else abs(x - along) > STREET_NEAR_CAR


def _framed_street_camera(rng, comp: Composition, along: float | None, focus: float | None = None):
    """For a text change (``along`` None): one camera looking across at the signs, aimed at
    x ``focus`` (the sign placed to be read) where given. Otherwise the one of
    ``STREET_CAMERA_CANDIDATES`` at ``along`` turned along the street whose lower frame shows
    the least empty road (its view, eye or raised, drawn once by the config's weights)."""
    if along is None:
        return street_camera(rng, comp, focus=focus)
    view = camera_view(rng, comp.cfg.scene.camera)
    best, best_score = None, math.inf
    for _ in range(STREET_CAMERA_CANDIDATES):
        comp.scene.camera = street_camera(rng, comp, view, along)
        if not _orbits_clear(comp.scene.camera, comp.scene.environment):
            continue
        road, walk, _ = empty_ground(comp.scene, FILL_GRID, STREET_FRAME_LOWER)
        score = road.mean() + STREET_WALK_WEIGHT * walk.mean() + bool(_looming(comp.scene))
        if score < best_score:
            best, best_score = comp.scene.camera, score
    return best if best is not None else street_camera(rng, comp, view)


# Buildings behind the near sidewalk stand this far back from it (m): a camera looking along
# the street and orbited by a viewpoint change went 4.2 m back, into them (a grey frame).
NEAR_BUILDINGS_GAP = 4.0
# The widest viewpoint change (changes.scene_wide.Viewpoint's default extremes): azimuth (deg,
# sampled), elevation (deg), zoom.
ORBIT_EXTREMES = ((-35.0, -23.0, -12.0, 0.0, 12.0, 23.0, 35.0), (-6.0, 10.0), (0.9, 1.1))


def _orbits_clear(camera, env, margin: float = 0.3) -> bool:
    """Whether every orbit of the widest viewpoint change keeps ``camera`` ``margin`` in front
    of the buildings behind the near sidewalk and of the facades."""
    from diffforge.scenes.changes.scene_wide import orbit

    face = env.road_width / 2 + env.sidewalk_width
    azimuths, elevations, zooms = ORBIT_EXTREMES
    for az in azimuths:
        for el in elevations:
            for zoom in zooms:
                y = orbit(camera, math.radians(az), math.radians(el), zoom).location[1]
                if not -face - NEAR_BUILDINGS_GAP + margin < y < face - margin:
                    return False
    return True


# An empty sidewalk in the frame's lower part counts this much against a candidate camera
# (an empty road 1): a view down the bare near sidewalk is no better than the road.
STREET_WALK_WEIGHT = 0.5
# A thing whose picture box, cut to the frame, covers more than this share of it looms before
# the lens (a tree 3 m ahead hid the street; review_std96h's mannequin before the camera).
LOOMING = 0.3


def _looming(scene: Scene) -> list[ObjectInstance]:
    """The things (no facade) that loom before the lens (``LOOMING``)."""
    return [
        o for o in scene.objects if "facade" not in o.tags and _picture_share(scene, o) > LOOMING
    ]


def _picture_share(scene: Scene, obj: ObjectInstance) -> float:
    """The share of the frame ``obj``'s picture box covers, cut to the frame; where part of it
    is behind the camera, the box of the part before it (none: left out as unseen)."""
    w, h = REFERENCE_SIZE
    box = picture_box(scene.camera, obj)
    if box is None:
        uv, depth = project(scene.camera, box_corners(obj), REFERENCE_SIZE)
        ahead = uv[depth > 0.05]
        if not len(ahead):
            return 0.0
        box = (*ahead.min(axis=0), *ahead.max(axis=0))
    x0, y0, x1, y1 = max(box[0], 0), max(box[1], 0), min(box[2], w), min(box[3], h)
    return max(x1 - x0, 0) * max(y1 - y0, 0) / (w * h)


def _leave_out(comp: Composition, objects: list[ObjectInstance]) -> None:
    """``objects`` left out of the composition, with what stands on them and a lamp's light."""
    gone = {o.id for o in objects}
    gone |= {o.id for o in comp.scene.objects if o.support in gone}
    for obj in [o for o in comp.scene.objects if o.id in gone]:
        comp.scene.objects.remove(obj)
        comp.placer.remove(obj.id)
        drop_lamp_light(comp.scene, obj.id)


# The frame's lower part filled where it shows empty road or pavement (review_std96h: road
# alone there in half the streets): what stands there in a street, a car parked along the
# kerb, the kerb's row of trees, lamps and furniture, a thing by the pavement's edge. Placed
# after framing, at least FILL_DISTANCE m away along the ray, never larger in the picture
# than FILL_PICTURE of the frame (a car right before the lens hid the street); tried
# FILL_TRIES times until the lower 40 % shows at most FILL_EMPTY empty ground.
FILL_DISTANCE, FILL_PICTURE, FILL_TRIES, FILL_EMPTY, FILL_GAIN = 4.5, 0.25, 45, 0.3, 0.01
FILL_KERB = ("tree", "street_lamp", "bench", "trash_bin", "bollard", "bicycle", "planter",
             "bike_rack", "mailbox", "newspaper_box", "fire_hydrant", "motorcycle", "scooter")  # fmt: skip
FILL_TRAFFIC_LANE = 1.05  # m from the centre line: a car waiting in its lane, clear of the line
FILL_VEHICLES = ("car", "car", "car", "suv", "van", "pickup_truck")


def _fill_lower_frame(rng, comp: Composition, text: bool = False) -> None:
    """Things where the frame's lower 40 % shows empty ground (``FILL_*``), each kept only
    where it covers some of it. For a text change (``text``) each keeps clear of the signs'
    pictures instead of the frame's centre: the camera looks across the road at them, and
    what fills its near lane stands below them."""
    scene = comp.scene
    signs = _sign_boxes(scene) if text else None
    # the camera stays and one thing comes at a time: each ray's first object is kept
    origin, dirs = ground_rays(scene, FILL_GRID, STREET_FRAME_LOWER)
    t_obj = object_entry(origin, dirs, scene.objects)
    for _ in range(FILL_TEXT_TRIES if text else FILL_TRIES):
        road, walk, ground = ground_seen(scene, origin, dirs, t_obj)
        empty = road | walk
        if empty.mean() <= FILL_EMPTY:
            return
        far = np.hypot(*(ground - np.asarray(scene.camera.location[:2])).T) >= FILL_DISTANCE
        inside = np.abs(ground[:, 0]) < scene.environment.extent[0] / 2 - 1.0
        spots = np.flatnonzero(empty & far & inside)
        if not len(spots):
            return
        x, y = ground[spots[int(rng.integers(len(spots)))]]
        obj = _fill_at(rng, comp, float(x), float(y), text)
        if obj is None:
            continue
        t_with = np.minimum(t_obj, object_entry(origin, dirs, [obj]))
        after = ground_seen(scene, origin, dirs, t_with)
        if (
            not _fits_picture(scene, obj, signs)
            or (after[0] | after[1]).mean() > empty.mean() - FILL_GAIN
        ):
            scene.objects.remove(obj)
            comp.placer.remove(obj.id)
        else:
            t_obj = t_with


FILL_GRID = (32, 24)


def _fits_picture(
    scene: Scene, obj: ObjectInstance, signs: list[tuple[float, ...]] | None = None
) -> bool:
    """Whether ``obj``'s picture covers at most ``FILL_PICTURE`` of the frame and leaves its
    centre free (a car right before the lens hid the street); with ``signs`` (their picture
    boxes), whether it leaves them free instead."""
    box = picture_box(scene.camera, obj)
    w, h = REFERENCE_SIZE
    most = FILL_PICTURE if signs is None else FILL_TEXT_PICTURE
    if box is None or _picture_share(scene, obj) > most:
        return False
    if signs is None:
        return not (box[0] < w / 2 < box[2] and box[1] < h / 2 < box[3])
    low = box[1] >= FILL_TEXT_TOP * h or is_person(obj)
    return low and not any(boxes_close(box, sign, 0.0) for sign in signs)


# For a text change, a fill may cover up to this share of the frame (short of looming) where
# its picture stays below this much of the frame's height from the top (a person crossing may
# reach higher) and off the signs: a car in the near lane is the lower frame's, and the signs
# read above it.
FILL_TEXT_PICTURE, FILL_TEXT_TOP = LOOMING, 0.4
FILL_TEXT_TRIES = 90  # the signs' pictures rule out more spots


# A sign's picture box counts this many times its height below it (the sampler grows a sign
# for legibility, up to sampler.MAX_SIGN_SCALE, on its wall).
FILL_SIGN_BELOW = 1.5


def _sign_boxes(scene: Scene) -> list[tuple[float, ...]]:
    """The picture boxes of the signs on the walls, stretched ``FILL_SIGN_BELOW`` down."""
    out = []
    for obj in scene.objects:
        if obj.text is None or obj.support in ("ground", "floor"):
            continue
        box = picture_box(scene.camera, obj)
        if box is not None:
            out.append((box[0], box[1], box[2], box[3] + FILL_SIGN_BELOW * (box[3] - box[1])))
    return out


def _fill_at(
    rng, comp: Composition, x: float, y: float, text: bool = False
) -> ObjectInstance | None:
    """Where (x, y) is road (off the zebra crossing), a car along the lane nearest to it:
    parked by its kerb or waiting in the traffic lane; on a sidewalk, a thing of the kerb's
    row at its kerb edge. For a text change (``text``), on the zebra crossing someone crossing
    (a text street's camera looks across from near the middle, the crossing often before it)."""
    env = comp.scene.environment
    r = env.road_width / 2
    side = 1 if y > 0 else -1
    lo, hi = crossing_span(env)
    if text and abs(y) < r - 0.6 and lo + 0.5 < x < hi - 0.5:
        people = comp.library.select(tags_any=("person",))
        if not people:
            return None
        yaw = choose(rng, [0.0, math.pi])
        return put_at(comp, rng, choose(rng, people), x, y, yaw, support="ground")
    if abs(y) < r:
        pool = [s for a in FILL_VEHICLES if (s := optional_spec(comp.library, a))]
        if not pool:
            return None
        car = choose(rng, pool)
        half = car.size[1] / 2 * 1.1
        if x + half > lo - CROSSING_CLEARANCE and x - half < hi + CROSSING_CLEARANCE:
            return None
        kerb = r - 1.15 - (car.size[0] - 1.81) / 2
        # the lane nearest to (x, y) first, the other where a car parked beside it (or a
        # scooter at the kerb) would touch it (review_std96j: two cars read as one)
        for lane in sorted((kerb, FILL_TRAFFIC_LANE), key=lambda c: abs(abs(y) - c)):
            obj = put_at(comp, rng, car, x, side * lane, side * math.pi / 2, support="ground")
            if obj is None or too_close(comp.scene, obj) is None:
                return obj
            comp.scene.objects.remove(obj)
            comp.placer.remove(obj.id)
        return None
    pool = [s for a in FILL_KERB if (s := optional_spec(comp.library, a))]
    if not pool:
        return None
    spec = choose(rng, pool)
    offset = 1.0 if spec.id == "tree" else 0.45 + spec.size[1] / 2
    yaw = math.pi / 2 if spec.id == "bicycle" else (0.0 if side > 0 else math.pi)
    return put_at(comp, rng, spec, x, side * (r + offset), yaw, support="ground", z=SIDEWALK_HEIGHT)


# What a drawn change wants shown near the camera on a street (``environments.FEATURES``):
# the street's own are too far or too small for it (a sidewalk figure of 34 px lost its pose
# change: 1 in 20 street scenes showed a person large enough; 0 of 30 a turnable thing at the
# turn's threshold besides parked cars, which cannot turn across their lane). Each: the
# assets to pick from (none: people), how many, and the share of the target threshold each
# must show, over the prediction's margin (the turn's and the count's ``target_share``).
STREET_CARRIES: dict[str, tuple[tuple[str, ...], int, float]] = {
    "person": ((), 1, 1.1),
    "turnable": (("bench", "picnic_table", "vending_machine", "motorcycle", "backless_bench",
                  "bicycle"), 1, 3.1),
    "group": (("barrier", "bicycle", "motorcycle", "scooter", "shopping_cart", "mailbox"), 2,
              2.6),
}  # fmt: skip
# Where ahead of the camera such a thing may stand: metres away, radians either side of the
# line of sight; spots drawn (cheap) and predicted (dearer) at most.
IN_VIEW_DISTANCE, IN_VIEW_ASIDE, IN_VIEW_SPOTS, IN_VIEW_PREDICTIONS = (4.0, 12.0), 0.4, 80, 12
# A person for a pose change stands where its feet show (``_person_range``): at least this
# near, and within this far past the ground the lower frame edge meets, times the margin.
PERSON_IN_VIEW, PERSON_EDGE_MARGIN = (2.5, 6.0), 0.7
# Spots drawn for a person (most miss the sidewalks and the crossing, or merge with an
# upright thing in the picture: cheap checks asked before the prediction).
PERSON_SPOTS = 400


def _carry_in_view(rng, comp: Composition, wants: frozenset[str]) -> frozenset[str]:
    """For a pair's drawn changes: a person, a thing that can turn, or two of a countable kind
    (``STREET_CARRIES``) standing where the framed camera sees them large enough: on a
    sidewalk or, for a person, the zebra crossing. Placed after framing, so the frame is the
    one the changes are judged in; each spot is checked by the sampler's prediction. A person
    is placed last, only where it stands clear of every upright thing but other people
    (``stands_clear``, asked before the dearer prediction); returns its id, which staging
    keeps where it stands (it moved the carried figure away from one behind it, and 32 of 40
    streets drawn for a pose change lost theirs)."""
    kept: set[str] = set()
    placed_here: set[str] = set()
    for feature in sorted(wants & set(STREET_CARRIES), key=lambda f: (f == "person", f)):
        names, n, share = STREET_CARRIES[feature]
        if feature == "person":
            pool = comp.library.select(tags_any=("person",))
        else:
            present = {o.asset for o in comp.scene.objects}
            pool = [s for a in names if a not in present and (s := optional_spec(comp.library, a))]
        if not pool:
            continue
        spec = choose(rng, pool)
        placed = predicted = 0
        for _ in range(PERSON_SPOTS if feature == "person" else IN_VIEW_SPOTS):
            if placed >= n or predicted >= IN_VIEW_PREDICTIONS:
                break
            spot = _spot_in_view(rng, comp.scene, spec)
            if spot is None:
                continue
            x, y, yaw, z = spot
            obj = put_at(comp, rng, spec, x, y, yaw, support="ground", z=z)
            if obj is None:
                continue
            if feature == "person" and not _cleared_for(comp, obj, placed_here):
                comp.scene.objects.remove(obj)
                comp.placer.remove(obj.id)
                continue
            predicted += 1
            if _seen_at(comp, obj, share):
                placed += 1
                placed_here.add(obj.id)
                kept |= {obj.id} if feature == "person" else set()
            else:
                comp.scene.objects.remove(obj)
                comp.placer.remove(obj.id)
    return frozenset(kept)


# Street furniture a carried person may take the place of where their outlines would merge in
# the picture (at most ``MAKE_WAY_MOST`` of them): no sign, light or text, not placed for a
# change. 1086 of 1201 candidate spots merged with a bin, mailbox or newspaper box.
MAKE_WAY = frozenset(
    {
        "trash_bin",
        "mailbox",
        "newspaper_box",
        "parking_meter",
        "traffic_cone",
        "bollard",
        "planter",
        "bush",
        "box",
        "shop_crate",
        "bicycle",
        "scooter",
    }
)
MAKE_WAY_MOST = 2


def _cleared_for(comp: Composition, person, carried: set[str]) -> bool:
    """Whether ``person`` stands clear (``stands_clear``) once at most ``MAKE_WAY_MOST``
    pieces of ``MAKE_WAY`` furniture whose outline merges with its own leave the street;
    they stay where it does not."""
    gone = []
    while not stands_clear(comp.scene, person):
        other = merged_with(comp.scene, person, people=False)
        obj = comp.scene.object(other) if other is not None else None
        if obj is None or len(gone) >= MAKE_WAY_MOST or not _makes_way(comp.scene, obj, carried):
            for back in gone:
                comp.scene.objects.append(back)
                comp.placer.add(back)
            return False
        comp.scene.objects.remove(obj)
        comp.placer.remove(obj.id)
        gone.append(obj)
    return True


def _makes_way(scene: Scene, obj, carried: set[str]) -> bool:
    return (
        obj.asset in MAKE_WAY
        and obj.text is None
        and obj.id not in carried
        and not any(o.support == obj.id for o in scene.objects)
    )


def _spot_in_view(rng, scene: Scene, spec) -> tuple[float, float, float, float] | None:
    """(x, y, yaw, z) on a sidewalk (or, for a person, the zebra crossing) along a line of
    sight within ``IN_VIEW_ASIDE`` of the camera's and ``IN_VIEW_DISTANCE`` of it (a person:
    ``_person_range``); None where the drawn line meets neither."""
    env, cam = scene.environment, scene.camera
    road, walk = env.road_width / 2, env.sidewalk_width
    ahead = math.atan2(cam.look_at[1] - cam.location[1], cam.look_at[0] - cam.location[0])
    a = ahead + float(rng.uniform(-IN_VIEW_ASIDE, IN_VIEW_ASIDE))
    bands = [(-road - walk + 0.4, -road - 0.4), (road + 0.4, road + walk - 0.4)]
    if is_person(spec):
        bands.append((-road + 0.6, road - 0.6))
        t = float(rng.uniform(*_person_range(cam)))
        x, y = cam.location[0] + t * math.cos(a), cam.location[1] + t * math.sin(a)
        if not any(lo_y <= y <= hi_y for lo_y, hi_y in bands):
            return None
    else:
        lo_y, hi_y = bands[int(rng.integers(len(bands)))]
        y = float(rng.uniform(lo_y, hi_y))
        if abs(math.sin(a)) < 1e-3:
            return None
        t = (y - cam.location[1]) / math.sin(a)
        x = cam.location[0] + t * math.cos(a)
        if not IN_VIEW_DISTANCE[0] <= t <= IN_VIEW_DISTANCE[1]:
            return None
    on_road = abs(y) < road
    lo, hi = crossing_span(env)
    if on_road and not lo + 0.5 < x < hi - 0.5:
        return None
    yaw = math.pi / 2 if spec.id == "bicycle" else float(rng.uniform(-0.4, 0.4))
    return x, y, yaw, 0.0 if on_road else SIDEWALK_HEIGHT


def _person_range(cam) -> tuple[float, float]:
    """Ground distances ahead of ``cam`` at which most of a standing person shows in the
    frame: from ``PERSON_EDGE_MARGIN`` of the ground distance the lower frame edge meets
    (street cameras stand up to 8 m high and look down, so 2.5-4 m ahead was below the
    picture for most of them: 257 of 288 candidate spots there cut the feet off) to
    ``PERSON_IN_VIEW[1]`` past that."""
    dx, dy = cam.look_at[0] - cam.location[0], cam.look_at[1] - cam.location[1]
    pitch = math.atan2(cam.location[2] - cam.look_at[2], math.hypot(dx, dy))
    half = math.atan(cam.sensor_width / REFERENCE_SIZE[0] * REFERENCE_SIZE[1] / 2 / cam.lens)
    low = pitch + half  # below the horizon, the lower frame edge
    drop = cam.location[2] - SIDEWALK_HEIGHT
    edge = drop / math.tan(low) if low > 0.05 else 0.0
    near = max(PERSON_IN_VIEW[0], PERSON_EDGE_MARGIN * edge)
    return near, near + PERSON_IN_VIEW[1]


def _seen_at(comp: Composition, obj, share: float) -> bool:
    """Whether ``obj`` is predicted at ``share`` times the visibility threshold (with the
    prediction's margin) and ``visibility.min_in_frame`` of it in the frame."""
    cfg, vis = comp.cfg, comp.cfg.visibility
    resolution = cfg.render.resolved().resolution
    need = max(vis.target_pixels(resolution), cfg.render.min_visible_pixels)
    foot = predicted_footprint(comp.scene, obj.id, resolution, vis.predict_fill)
    return (
        foot is not None
        and foot.pixels >= share * vis.predict_margin * need
        and foot.in_frame >= vis.min_in_frame
    )


def street_lots(scene: Scene, ground: Surface, spec) -> list[Surface]:
    """Where ``spec`` (an asset spec or object) may stand on a street's ground: a road vehicle
    on the road either side of the zebra crossing, anything else on the sidewalks at their
    height (the near one clear of the camera). Each lot shares the ground's occupancy, so
    what is placed on it keeps clear of everything on the ground and counts there."""
    env = scene.environment
    r, s, half = env.road_width / 2, env.sidewalk_width, ground.half[0]

    def lot(x0: float, x1: float, y0: float, y1: float, z: float) -> list[Surface]:
        if x1 - x0 < 0.2 or y1 - y0 < 0.2:
            return []
        centre, extent = ((x0 + x1) / 2, (y0 + y1) / 2), ((x1 - x0) / 2, (y1 - y0) / 2)
        return [Surface(ground.id, ground.kind, centre, extent, z, ground.boxes)]

    if is_road_vehicle(spec):
        lo, hi = crossing_span(env)
        m = CROSSING_CLEARANCE + 0.05
        return lot(-half, lo - m, -r + 0.15, r - 0.15, 0.0) + lot(
            hi + m, half, -r + 0.15, r - 0.15, 0.0
        )
    cam = scene.camera.location[0]
    near = (-r - s + 0.05, -r - 0.2)
    lo, hi = crossing_span(env)
    crossing = lot(lo + 0.05, hi - 0.05, -r + 0.3, r - 0.3, 0.0) if is_person(spec) else []
    return (
        crossing
        + lot(-half, half, r + 0.2, r + s - 0.05, SIDEWALK_HEIGHT)
        + lot(-half, cam - 3.0, *near, SIDEWALK_HEIGHT)
        + lot(cam + 3.0, half, *near, SIDEWALK_HEIGHT)
    )


def _street_lights(rng, comp: Composition) -> None:
    """The sun by time of day (none at night), and a light in every street lamp's head, on at
    evening and night. The exposure follows the time of day."""
    env = comp.scene.environment
    tod = env.time_of_day
    lights: list[Light] = []
    if tod != "night":
        elevation, strength, kelvin, ev = SUN_BY_TIME[tod]
        az = math.radians(float(rng.uniform(-70, 70)))
        lights.append(Light(
            id="sun", type="sun", rotation=(round(math.radians(90 - elevation), 6), 0.0, round(az, 6)),
            energy=strength, temperature=kelvin, name="sun",
        ))  # fmt: skip
    else:
        ev = NIGHT_EXPOSURE
    lit = tod in ("evening", "night")
    for _i, lamp in enumerate(
        o for o in comp.scene.objects if o.category == "lamp" and "outdoor" in o.tags
    ):
        x, y, z = lamp.transform.location
        reach = 0.8 * lamp.transform.scale * (1 if abs(lamp.transform.rotation[2]) > 1.0 else -1)
        lights.append(Light(
            id=f"streetlamp_{lamp.id}", type="point", location=(x, round(y + reach, 6), round(z + lamp.dimensions[2] * 0.93, 6)),
            energy=300.0 if tod == "night" else 150.0, temperature=3200.0, size=0.15, on=lit, name="street lamp",
        ))  # fmt: skip
    if tod == "night":  # lit shop windows light the sidewalk, so no frame goes black
        for k, sx in enumerate((-0.25, 0.25)):
            lights.append(Light(
                id=f"shop_light_{k + 1}", type="area", location=(round(sx * env.extent[0], 4), env.road_width / 2 + 1.0, 3.0),
                rotation=(math.radians(60), 0.0, math.pi), energy=300.0, size=3.0, temperature=3500.0, name="shop light",
            ))  # fmt: skip
    comp.scene.lights = lights
    comp.scene.world.exposure = ev
    if comp.scene.world.hdri is None:
        comp.scene.world.strength = STREET_SKY


def street_elements(scene: Scene) -> list[Element]:
    """Road with lane markings and a zebra crossing, raised sidewalks with kerbs, a ground
    plane beyond, and plain buildings closing the view past the street's own façades."""
    env = scene.environment
    w = env.extent[0]
    r, s = env.road_width / 2, env.sidewalk_width
    long = STREET_LENGTH
    asphalt = (0.33, 0.33, 0.34)
    out = [box("road", (-long, -r, -0.06), (long, r, 0.0), asphalt, "asphalt")]
    white = (0.92, 0.92, 0.9)
    x = -long
    while x < long:  # the centre line: 3 m dashes, 3 m gaps
        out.append(box("marking", (x, -0.06, 0.0), (x + 3.0, 0.06, 0.004), white, "paint"))
        x += 6.0
    for y in (-r + 0.35, r - 0.35):  # edge lines
        out.append(box("marking", (-long, y - 0.05, 0.0), (long, y + 0.05, 0.004), white, "paint"))
    x0, x1 = crossing_span(env)  # a zebra crossing a little right of the centre
    y = -r + 0.5
    while y < r - 0.5:
        out.append(box("crossing", (x0, y, 0.0), (x1, y + 0.5, 0.004), white, "paint"))
        y += 1.0
    paving = colour(env.wall_color, 0.7)
    stone = (0.62, 0.62, 0.6)
    for sign in (1.0, -1.0):
        a, b = sorted((sign * r, sign * (r + s)))
        out.append(box("sidewalk", (-long, a, -0.06), (long, b, SIDEWALK_HEIGHT), paving, "tiles"))
        k = sign * r
        lo, hi = sorted((k, k + sign * 0.15))
        out.append(box("kerb", (-long, lo, -0.06), (long, hi, KERB_HEIGHT), stone, "concrete"))
    ground = (0.45, 0.46, 0.42)
    out.append(plane("ground", (2 * long, 2 * long), (0, 0, -0.07), (0, 0, 0), ground, "concrete"))
    # buildings past the street's own facades (and behind the camera), window grids
    face = r + s
    span = w / 2 + 2.0
    colours = ((0.72, 0.62, 0.52), (0.6, 0.6, 0.62), (0.78, 0.74, 0.66), (0.55, 0.42, 0.36))
    i = 0
    for y0, y1 in ((face, face + 12.0), (-face - 16.0, -face - NEAR_BUILDINGS_GAP)):
        x = -long / 2
        while x < long / 2:
            width = 9.0 + 3.0 * (i % 3)
            height = 9.0 + 4.0 * ((i * 7) % 4)
            behind = y0 > 0 and -span < x + width and x < span
            if not behind:
                lo = (x, y0 + (0.3 if y0 > 0 else 0.0), 0.0)
                out.append(
                    box("building", lo, (x + width, y1, height), colours[i % len(colours)],
                        "facade", casts_shadow=y0 > 0)  # behind the camera: never shade the street
                )  # fmt: skip
            x += width + 0.01
            i += 1
    return out
