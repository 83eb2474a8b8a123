"""People sitting on seats: hips on the seat's top, facing its front, feet on the floor, the body
touching neither the seat's parts (its back, its arms) nor anything near it (a table's top or
legs), as a check and as how layouts seat people.

A seat's parts are the connected pieces of its generated mesh, each taken as its box (a chair:
seat, legs, back posts, slats); the posed body (``characters.posed_parts``) may rest on them and
sink ``SINK`` into them, no more. The sitting pose is fitted to the seat's height under the hips
(``characters.sitting_pose``). A sitter stands on its seat (``support``), so a seat someone sits
on has a dependent: object changes leave it where it is (``Placer.from_scene``)."""

from __future__ import annotations

import functools
import math

import numpy as np

from diffforge.scenes.assets.characters import (
    BONE_BY_NAME,
    SEAT_CONTACT_REACH,
    posed_bounds,
    posed_parts,
    sitting_pose,
)
from diffforge.scenes.model import ObjectInstance, Pose, Scene
from diffforge.scenes.placement import Placer, seat_surface

# What a person may sit on (categories): chairs, stools, sofas, benches, ottomans.
SEAT_CATEGORIES = frozenset({"chair", "office chair", "stool", "sofa", "bench", "ottoman"})
SINK = 0.01  # m a body may press into a part of its seat (a cushion, a seat's edge)
# m a sitter's body keeps from everything but its seat: knees against a stool's top read as
# one shape with it (the body merely not piercing its neighbour was not enough, in a render)
CLEARANCE = 0.05
HIP_ON_TOP = 0.02  # m the hips' lowest point may sit above or below the seat's top
# The hips' centre stays this far inside the seat's front edge (m): a sitter on the edge
# reads as sliding off.
FRONT_MARGIN = 0.12
SCAN_STEP = 0.01  # m between the spots tried from the seat's back forward
WIDE_SEAT = 1.0  # a seat wider than this (m, a sofa, a bench) seats its sitter off centre
SPOT_TRIES = 3  # places across a wide seat tried (the middle of a sofa is a cushions' seam)
SIT_POSE = "sitting"


def is_seat(obj) -> bool:
    return obj.category in SEAT_CATEGORIES


def is_sitting(obj: ObjectInstance) -> bool:
    return obj.pose is not None and obj.pose.name == SIT_POSE


@functools.cache
def builtin_library():
    from diffforge.scenes.assets.library import AssetLibrary

    return AssetLibrary.load()


HIP_Y = BONE_BY_NAME["hips"].head[1]  # the hips' centre, behind the figure's origin
_PARTS: dict[str, np.ndarray | None] = {}


def part_boxes(obj: ObjectInstance, library=None) -> np.ndarray:
    """(n, 2, 3) boxes of ``obj``'s parts in its own frame (metres at its scale, origin at its
    bottom centre, front -Y); its whole box where its mesh is not the library's to build."""
    key = obj.shape or obj.asset
    if key not in _PARTS:
        library = library or builtin_library()
        boxes = None
        try:
            spec = library.get(key)
            if spec.generator is not None and spec.type == "generator":
                meshes = library.build(key).geometry.values()
                boxes = np.array(
                    [c.bounds for m in meshes for c in m.split(only_watertight=False)], float
                )
                boxes /= np.asarray(spec.size, float)  # shares of the nominal size
        except Exception:  # a user's file, a rig: its box stands for it
            boxes = None
        _PARTS[key] = boxes
    shares = _PARTS[key]
    return _whole_box(obj) if shares is None else shares * np.asarray(obj.dimensions, float)


# m: parts lie inside their object's whole box (``library.normalise`` clips the mesh to it)
# up to rounding far below this, so a body clear of the whole box by it pierces no part
EPS = 1e-9


def _whole_box(obj: ObjectInstance) -> np.ndarray:
    """(1, 2, 3) the box of ``obj``'s dimensions in its own frame."""
    dx, dy, dz = (float(v) for v in obj.dimensions)
    return np.array([[[-dx / 2, -dy / 2, 0.0], [dx / 2, dy / 2, dz]]])


@functools.lru_cache(maxsize=512)
def _body(bones: tuple) -> tuple[np.ndarray, np.ndarray]:
    """All vertices of the grounded posed body at scale 1, and which rest on a seat (the hips
    and the thighs' first ``SEAT_CONTACT_REACH``, as ``characters.seat_contact``)."""
    parts = posed_parts(dict(bones))
    points = np.vstack([v for _, v in parts])
    resting = np.concatenate(
        [np.full(len(v), b == "hips" or b.startswith("upper_leg")) for b, v in parts]
    )
    resting &= points[:, 1] >= HIP_Y - SEAT_CONTACT_REACH
    return points, resting


def body_points(person: ObjectInstance) -> np.ndarray:
    """The posed body's vertices in the world (m)."""
    points, _ = _body(tuple(sorted(person.pose.bones.items())))
    return to_world(person, points * person.transform.scale)


def _turn(yaw: float) -> np.ndarray:
    c, s = math.cos(yaw), math.sin(yaw)
    return np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])


def to_world(obj: ObjectInstance, local: np.ndarray) -> np.ndarray:
    return local @ _turn(obj.transform.rotation[2]).T + np.asarray(obj.transform.location)


def to_local(obj: ObjectInstance, world: np.ndarray) -> np.ndarray:
    return (world - np.asarray(obj.transform.location)) @ _turn(obj.transform.rotation[2])


def pierced(boxes: np.ndarray, points: np.ndarray, sink: float = SINK) -> np.ndarray:
    """Which boxes have a point deeper than ``sink`` inside them."""
    lo, hi = boxes[:, None, 0] + sink, boxes[:, None, 1] - sink
    inside = np.all((points[None] > lo) & (points[None] < hi), axis=2)
    return inside.any(axis=1)


def top_under(boxes: np.ndarray, x: float, y: float) -> float | None:
    """The highest top of the parts whose footprint holds (x, y): the seat's top there."""
    holds = (boxes[:, 0, 0] <= x) & (x <= boxes[:, 1, 0]) & (boxes[:, 0, 1] <= y)
    holds &= y <= boxes[:, 1, 1]
    return float(boxes[holds, 1, 2].max()) if holds.any() else None


def _tops_under(boxes: np.ndarray, x: float, ys: np.ndarray) -> np.ndarray:
    """``top_under(boxes, x, y)`` for each of ``ys`` at once, nan where none is (or it is 0)."""
    across = (boxes[:, 0, 0] <= x) & (x <= boxes[:, 1, 0])
    holds = (
        across[None] & (boxes[None, :, 0, 1] <= ys[:, None]) & (ys[:, None] <= boxes[None, :, 1, 1])
    )
    tops = np.where(holds, boxes[None, :, 1, 2], -np.inf).max(axis=1, initial=-np.inf)
    return np.where(holds.any(axis=1) & (tops != 0.0), tops, np.nan)


def sitting_spot(
    seat: ObjectInstance, person_scale: float, x: float = 0.0, library=None
) -> tuple[dict, tuple[float, float]] | None:
    """Where on ``seat`` (its frame: x across, y front -Y to back) a person of
    ``person_scale`` sits at ``x`` with the pose fitted to the top there: the spot farthest
    back (against a back) whose body pierces none of the seat's parts; None where none is."""
    boxes = part_boxes(seat, library)
    front, back = float(boxes[:, 0, 1].min()), float(boxes[:, 1, 1].max())
    hip = HIP_Y * person_scale
    spots = np.arange(back - 0.08, front + FRONT_MARGIN, -SCAN_STEP)
    tops = _tops_under(boxes, x, spots)
    free = np.zeros(len(spots), bool)
    poses = {}
    for top in dict.fromkeys(tops[~np.isnan(tops)]):  # each height's pose once
        bones = sitting_pose(top / person_scale)
        if bones is None:
            continue
        poses[top] = bones
        points, _ = _body(tuple(sorted(bones.items())))
        at = tops == top
        hit = _pierced_at(boxes, points * person_scale + np.array([x, 0.0, 0.0]), spots[at] - hip)
        free[at] = ~hit
    if not free.any():
        return None
    k = int(np.argmax(free))  # the farthest back
    return poses[tops[k]], (x, float(spots[k] - hip))


def _pierced_at(boxes: np.ndarray, points: np.ndarray, shifts: np.ndarray) -> np.ndarray:
    """For each shift along y: whether ``points`` moved by it pierce a box deeper than SINK.
    A point inside a box across (x, z) pierces it for the shifts in an open interval."""
    lo, hi = boxes[:, None, 0] + SINK, boxes[:, None, 1] - SINK
    across = np.all((points[None, :, [0, 2]] > lo[..., [0, 2]])
                    & (points[None, :, [0, 2]] < hi[..., [0, 2]]), axis=2)  # fmt: skip
    b, k = np.nonzero(across)
    if not len(b):
        return np.zeros(len(shifts), bool)
    start, end = lo[b, 0, 1] - points[k, 1], hi[b, 0, 1] - points[k, 1]
    return np.any((shifts[:, None] > start[None]) & (shifts[:, None] < end[None]), axis=1)


def sit(seat: ObjectInstance, person: ObjectInstance, library=None, x: float = 0.0) -> bool:
    """Seat ``person`` on ``seat`` at ``x`` across it: pose, place, turn and support; False
    (``person`` untouched) where its body fits nowhere on it."""
    found = sitting_spot(seat, person.transform.scale, x, library)
    if found is None:
        return False
    bones, (sx, sy) = found
    person.pose = Pose(name=SIT_POSE, bones={k: tuple(v) for k, v in bones.items()})
    person.transform.location = tuple(
        round(float(v), 6) for v in to_world(seat, np.array([[sx, sy, 0.0]]))[0]
    )
    person.transform.rotation = (0.0, 0.0, seat.transform.rotation[2])
    person.support = seat.id
    return True


def _overlap(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray]) -> bool:
    return bool(np.all(a[0] < b[1]) and np.all(b[0] < a[1]))


def _world_box(obj: ObjectInstance) -> tuple[np.ndarray, np.ndarray]:
    from diffforge.scenes.geometry import footprint_half_extents

    x, y, z = obj.transform.location
    hx, hy = footprint_half_extents(obj.dimensions[0], obj.dimensions[1], obj.transform.rotation[2])
    return np.array([x - hx, y - hy, z]), np.array([x + hx, y + hy, z + obj.dimensions[2]])


def sitter_problems(scene: Scene, library=None, near: ObjectInstance | None = None) -> list[str]:
    """Why each sitter does not sit as a person would: on a seat, facing its front, feet on
    the floor, hips on the top under them, its body piercing no part of the seat and keeping
    ``CLEARANCE`` from every part of anything else (a table's top, a stool before its knees,
    a thing added at its feet, another person). ``near``: only the sitters it could reach
    (an object a change just moved, added or turned)."""
    out = []
    by_id = {o.id: o for o in scene.objects}
    reach = None if near is None else _world_box(near)
    for person in scene.objects:
        if not is_sitting(person):
            continue
        if reach is not None and near.id not in (person.id, person.support):
            lo, hi = _world_box(person)  # a sitter's box: its standing size around it
            grown = (lo - (hi[2] - lo[2]) / 2, hi + (hi[2] - lo[2]) / 2)
            if not _overlap(grown, reach):
                continue  # ``near`` changed too far from this sitter to touch it
        seat = by_id.get(person.support)
        if seat is None or not is_seat(seat):
            out.append(f"{person.id} sits off a seat")
            continue
        turn = (person.transform.rotation[2] - seat.transform.rotation[2] + math.pi) % (
            2 * math.pi
        ) - math.pi
        if abs(turn) > 1e-3:
            out.append(f"{person.id} does not face {seat.id}'s front")
            continue
        if abs(person.transform.location[2] - seat.transform.location[2]) > 1e-6:
            out.append(f"{person.id}'s feet are off the floor")
            continue
        world = body_points(person)
        _, resting = _body(tuple(sorted(person.pose.bones.items())))
        s = person.transform.scale
        hip = to_local(seat, to_world(person, np.array([[0.0, HIP_Y * s, 0.0]])))[0]
        boxes = part_boxes(seat, library)
        top = top_under(boxes, hip[0], hip[1])
        low = float(to_local(seat, world[resting])[:, 2].min())
        if top is None or abs(low - top) > HIP_ON_TOP:
            out.append(f"{person.id}'s hips are not on {seat.id}'s top")
            continue
        box = (world.min(axis=0), world.max(axis=0))
        for other in scene.objects:
            if other.id == person.id or "facade" in other.tags:
                continue
            if other.support == "wall" or not _overlap(box, _world_box(other)):
                continue
            local = to_local(other, world)
            sink = SINK if other.id == seat.id else -CLEARANCE
            if other.pose is None and not pierced(_whole_box(other), local, sink - EPS).any():
                continue  # no part of it is pierced: each lies inside its whole box
            theirs = _person_boxes(other) if other.pose is not None else part_boxes(other, library)
            if other.id == seat.id:  # rests on it: may press in, no more
                if pierced(theirs, local).any():
                    out.append(f"{person.id} pierces its seat {seat.id}")
                    break
            elif pierced(theirs, local, -CLEARANCE).any():
                out.append(f"{person.id} touches {other.id}")
                break
    return out


def _person_boxes(person: ObjectInstance) -> np.ndarray:
    """Another person as boxes around its torso and head (its limbs are thin)."""
    points, _ = _body(tuple(sorted(person.pose.bones.items())))
    return np.array([[points.min(axis=0), points.max(axis=0)]]) * person.transform.scale


def seat_spots(rng: np.random.Generator, seat: ObjectInstance) -> float:
    """Where across ``seat`` its sitter sits: the middle, or on a wide one any place a body
    fits between its ends."""
    if seat.dimensions[0] <= WIDE_SEAT:
        return 0.0
    room = seat.dimensions[0] / 2 - 0.4
    return float(rng.uniform(-room, room))


def seat_people(
    rng: np.random.Generator,
    scene: Scene,
    placer: Placer,
    make_person,
    share: float,
    most: int,
    fits,
    library=None,
) -> int:
    """Seat a new person (``make_person()``: an unplaced instance) on each empty seat with
    probability ``share``, at most ``most`` of them, where the sitter fits on the seat, pierces
    nothing and ``fits(person)`` (in the picture, clear of other figures). Returns how many."""
    seated = 0
    taken = {o.support for o in scene.objects}
    for seat in [o for o in scene.objects if is_seat(o) and o.id not in taken]:
        if seated >= most:
            break
        if rng.random() >= share:
            continue
        person = make_person()
        tries = SPOT_TRIES if seat.dimensions[0] > WIDE_SEAT else 1
        if not any(sit(seat, person, library, seat_spots(rng, seat)) for _ in range(tries)):
            continue
        scene.objects.append(person)
        if sitter_problems(scene, library, near=person) or not fits(person):
            scene.objects.remove(person)
            continue
        placer.surfaces[seat.id] = seat_surface(seat)
        placer.add(person)
        seated += 1
    return seated


@functools.lru_cache(maxsize=512)
def _posed_box(bones: tuple) -> np.ndarray:
    return posed_bounds(dict(bones))


def sitter_corners(person: ObjectInstance) -> np.ndarray:
    """The 8 world corners of a sitter's posed box, turned as it sits."""
    lo, hi = _posed_box(tuple(sorted(person.pose.bones.items()))) * person.transform.scale
    local = np.array(
        [[x, y, z] for x in (lo[0], hi[0]) for y in (lo[1], hi[1]) for z in (lo[2], hi[2])]
    )
    return to_world(person, local)
