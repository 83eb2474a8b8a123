"""Camera projection and footprint maths, in numpy, shared by the sampler and the captioner.

The projection matches Blender's: a pinhole camera with a horizontal sensor fit, looking down
its local -Z with +Y up, so a point's pixel here is where Cycles draws it.
"""

from __future__ import annotations

import functools
import math
from typing import NamedTuple

import numpy as np

from diffforge.scenes.architecture import occluders
from diffforge.scenes.model import Camera, Element, ObjectInstance


def look_at_matrix(location, target) -> np.ndarray:
    """3×3 world-from-camera rotation (columns: camera right, up, back).

    Scalar maths on purpose: np.cross on 3-vectors costs more than the whole projection, and
    the sampler and captioner call this for every object of every pair.
    """
    fx, fy, fz = (target[0] - location[0], target[1] - location[1], target[2] - location[2])
    n = math.sqrt(fx * fx + fy * fy + fz * fz) or 1.0
    fx, fy, fz = fx / n, fy / n, fz / n
    rx, ry = fy, -fx  # forward × +Z (z component 0)
    n = math.hypot(rx, ry)
    if n < 1e-9:  # looking straight down or up
        rx, ry, n = 1.0, 0.0, 1.0
    rx, ry = rx / n, ry / n
    ux, uy, uz = ry * fz, -rx * fz, rx * fy - ry * fx  # right × forward
    return np.array([[rx, ux, -fx], [ry, uy, -fy], [0.0, uz, -fz]])


def camera_euler(location, target) -> tuple[float, float, float]:
    """XYZ Euler angles (radians) of a Blender camera at ``location`` looking at ``target``."""
    r = look_at_matrix(location, target)
    # R = Rz(c) @ Ry(b) @ Rx(a) for Blender's XYZ order.
    b = -math.asin(max(-1.0, min(1.0, r[2, 0])))
    a = math.atan2(r[2, 1], r[2, 2])
    c = math.atan2(r[1, 0], r[0, 0])
    return (a, b, c)


def project(camera: Camera, points, resolution: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """World points (N×3) -> pixel coordinates (N×2, origin top-left) and depth (N,).

    Depth is the distance along the viewing axis; points behind the camera get depth <= 0.
    """
    pts = np.atleast_2d(np.asarray(points, dtype=float))
    location = camera.location
    rot = _look_at_kept(location, camera.look_at)
    local = (pts - np.asarray(location)) @ rot  # camera coordinates
    depth = -local[:, 2]
    w, h = resolution
    focal_px = camera.lens / camera.sensor_width * w
    safe = np.where(depth > 1e-6, depth, 1e-6)
    uv = np.empty((len(pts), 2))
    uv[:, 0] = w / 2 + focal_px * local[:, 0] / safe
    uv[:, 1] = h / 2 - focal_px * local[:, 1] / safe
    return uv, depth


def _look_at_kept(location, target) -> np.ndarray:
    """``look_at_matrix``, kept for the last cameras asked (staging projects every object
    through one camera many times); computed afresh for unhashable inputs."""
    try:
        key = (tuple(location), tuple(target))
        rot = _LOOK_AT.get(key)
    except TypeError:
        return look_at_matrix(location, target)
    if rot is None:
        rot = _LOOK_AT[key] = look_at_matrix(location, target)
        rot.flags.writeable = False
        if len(_LOOK_AT) > 64:
            del _LOOK_AT[next(iter(_LOOK_AT))]
    return rot


_LOOK_AT: dict[tuple, np.ndarray] = {}


def yaw_matrix(yaw: float) -> np.ndarray:
    c, s = math.cos(yaw), math.sin(yaw)
    return np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])


def box_corners(obj: ObjectInstance) -> np.ndarray:
    """The 8 world-space corners of an object's oriented bounding box (origin at bottom centre)."""
    dx, dy, dz = obj.dimensions
    xs = np.array([-dx / 2, dx / 2])
    ys = np.array([-dy / 2, dy / 2])
    zs = np.array([0.0, dz])
    local = np.array([[x, y, z] for x in xs for y in ys for z in zs])
    return local @ yaw_matrix(obj.transform.rotation[2]).T + np.asarray(obj.transform.location)


def screen_box(
    camera: Camera, obj: ObjectInstance, resolution: tuple[int, int]
) -> tuple[float, float, float, float] | None:
    """Projected 2D box (x0, y0, x1, y1) clipped to the image, or None when off-screen/behind."""
    uv, depth = project(camera, box_corners(obj), resolution)
    if np.all(depth <= 0):
        return None
    uv = uv[depth > 0]
    w, h = resolution
    x0, y0 = np.clip(uv.min(axis=0), 0, [w, h])
    x1, y1 = np.clip(uv.max(axis=0), 0, [w, h])
    if x1 - x0 < 1 or y1 - y0 < 1:
        return None
    return (float(x0), float(y0), float(x1), float(y1))


def footprint_half_extents(dx: float, dy: float, yaw: float) -> tuple[float, float]:
    """Half extents of the axis-aligned box around a dx×dy rectangle turned by ``yaw``."""
    c, s = abs(math.cos(yaw)), abs(math.sin(yaw))
    return (0.5 * (dx * c + dy * s), 0.5 * (dx * s + dy * c))


def footprint_corners(obj: ObjectInstance, size: tuple[float, float] | None = None) -> np.ndarray:
    """(4, 2) corners of ``obj``'s footprint turned by its yaw (``size``: another dx, dy about
    the same centre, as a tree's trunk)."""
    dx, dy = size if size is not None else obj.dimensions[:2]
    c, s = math.cos(obj.transform.rotation[2]), math.sin(obj.transform.rotation[2])
    local = np.array([[-dx, -dy], [dx, -dy], [dx, dy], [-dx, dy]]) / 2
    return local @ np.array([[c, s], [-s, c]]) + np.asarray(obj.transform.location[:2])


def rect_gap(a: np.ndarray, b: np.ndarray) -> float:
    """Distance between two convex quadrilaterals' (4, 2 corners, in order) areas: 0 where
    they touch or overlap (no separating axis among their edges' normals)."""
    for poly in (a, b):
        edges = np.roll(poly, -1, axis=0) - poly
        normals = np.stack([-edges[:, 1], edges[:, 0]], axis=1)
        pa, pb = a @ normals.T, b @ normals.T
        if np.any((pa.max(axis=0) < pb.min(axis=0)) | (pb.max(axis=0) < pa.min(axis=0))):
            break
    else:
        return 0.0
    return min(_points_to_edges(a, b), _points_to_edges(b, a))


def _points_to_edges(points: np.ndarray, poly: np.ndarray) -> float:
    """Least distance from any of ``points`` to any edge of ``poly``."""
    start, end = poly, np.roll(poly, -1, axis=0)
    edge = end - start  # (4, 2)
    rel = points[:, None, :] - start[None]  # (n, 4, 2)
    t = np.clip((rel * edge).sum(-1) / np.maximum((edge * edge).sum(-1), 1e-12), 0.0, 1.0)
    return float(np.sqrt(((rel - t[..., None] * edge) ** 2).sum(-1)).min())


# Share of its projected bounding box an asset covers in a render, measured with the instance
# masks (benchmarks/calibration.md). Thin-framed assets cover little of their box, flat ones
# nearly all of it. Others: the caller's ``fill``.
ASSET_FILL: dict[str, float] = {
    "sign_post": 0.13, "bicycle": 0.15, "floor_lamp": 0.15, "street_lamp": 0.16,
    "side_table": 0.30, "stool": 0.30, "tree": 0.31, "mannequin": 0.36, "laptop": 0.37,
    "table": 0.38, "potted_plant": 0.39, "bench": 0.39, "clevr_sphere": 0.39, "chair": 0.40,
    "coffee_table": 0.41, "ball": 0.41, "fire_hydrant": 0.44, "bush": 0.47, "vase": 0.49,
    "table_lamp": 0.50, "desk": 0.52, "sign_board": 0.55, "clevr_cylinder": 0.57,
    "trash_bin": 0.61, "car": 0.64, "armchair": 0.69, "sofa": 0.72, "bollard": 0.72,
    "cabinet": 0.74, "box": 0.74, "shelf": 0.76, "rug": 0.76, "clevr_cube": 0.77,
    "wall_text": 0.88, "picture_frame": 0.90, "building_facade": 0.90, "poster": 0.92,
    # thin kinds added with shape variety, measured on the review_std96g renders (the 75th
    # percentile of rendered pixels over the predicted box, in frame, 5 or more seen): the
    # default fill took a scooter of 192 rendered pixels, 16x21 px, for 234 (8400/21)
    "bike_rack": 0.08, "scooter": 0.12, "parking_meter": 0.28, "motorcycle": 0.30,
    "backless_bench": 0.33, "office_chair": 0.34, "traffic_light": 0.37, "bowl": 0.38,
    "teapot": 0.40,
}  # fmt: skip


def box_points(objs, unit: np.ndarray) -> np.ndarray:
    """World points of every object's box: ``unit`` (K×3, in box units, origin at the bottom
    centre) scaled by its dimensions, turned by its yaw, moved to its location (N×K×3)."""
    dims = np.array([o.dimensions for o in objs], dtype=float)
    loc = np.array([o.transform.location for o in objs], dtype=float)
    yaw = np.array([o.transform.rotation[2] for o in objs], dtype=float)
    local = unit[None, :, :] * dims[:, None, :]
    c, s = np.cos(yaw)[:, None], np.sin(yaw)[:, None]
    turned_x = c * local[..., 0] - s * local[..., 1]
    turned_y = s * local[..., 0] + c * local[..., 1]
    return np.stack([turned_x, turned_y, local[..., 2]], axis=-1) + loc[:, None, :]


class Footprint(NamedTuple):
    """What the sampler predicts a render will show of one object."""

    box: tuple[float, float, float, float]  # projected box, clipped to the frame
    pixels: float  # visible pixels expected, occlusion included
    in_frame: float  # share of the unclipped projected box inside the frame

    def mean_width(self) -> float:
        """Pixels across what shows, on average along the box's longer side: its pixels over
        that side, over a disc's share of its square (pi / 4), so a round target's width is
        its diameter. The render's mask width gate measures the largest disc in the mask; a
        box 12 px high says too much of a frying pan seen from the side (7 px rendered)."""
        x0, y0, x1, y1 = self.box
        return self.pixels / max(x1 - x0, y1 - y0, 1e-9) / (math.pi / 4)


# Rays per frame width of the prediction grid: a ray stands for (width / 64)² pixels (the
# fewest that find as many targets: benchmarks/calibration.md).
PREDICT_RAYS_ACROSS = 64


def predicted_footprints(
    scene, resolution: tuple[int, int], fill: float = 0.45
) -> dict[str, Footprint]:
    """Per object in view: its projected box, the pixels a render will likely show, and how
    much of it the frame cuts off.

    Rays through a grid of the frame are cast against every object's box (slab test, numpy).
    An object is a partly transparent box whose opacity makes it cover its asset's measured
    share of its projected box (``ASSET_FILL``, else ``fill``); a ray shows an object by that
    opacity times what nearer boxes on the ray let through. Its own supports never hide it (a
    mug stands in front of its table, a book inside its shelf's box), nor does what stands on
    it. Cheap enough for every draw, and it sees what box-overlap guesses did not: a target
    behind a sofa, a shelf or a person, or inside a row of chairs.
    """
    objs = scene.objects
    if not objs:
        return {}
    key = _footprint_key(scene, resolution, fill)
    try:
        known = _FOOTPRINTS.get(key)
    except TypeError:  # a value set as a list or an array: not kept
        return _predict(scene, resolution, fill)
    if known is None:
        known = _FOOTPRINTS[key] = _predict(scene, resolution, fill)
        while len(_FOOTPRINTS) > FOOTPRINT_MEMO:
            del _FOOTPRINTS[next(iter(_FOOTPRINTS))]
    return dict(known)


# Predictions kept, by what they depend on (``_footprint_key``): a draw that changes an
# object's colour, text or lamp leaves the base's geometry as it was (half of them keep its
# camera too), and a sign fitted for a text change is predicted again as the base.
FOOTPRINT_MEMO = 16
_FOOTPRINTS: dict[tuple, dict[str, Footprint]] = {}


def _footprint_key(scene, resolution: tuple[int, int], fill: float) -> tuple:
    """Everything ``predicted_footprints`` reads of a scene: each object's id, asset, support
    and box (in order), the camera, the walls, the frame size and the default fill."""
    cam = scene.camera
    walls = tuple((e.location, e.size) for e in blockers(scene))
    objs = tuple(
        (o.id, o.asset, o.support, o.dimensions, o.transform.location, o.transform.rotation[2])
        for o in scene.objects
    )
    camera = (cam.location, cam.look_at, cam.lens, cam.sensor_width)
    return (objs, camera, walls, tuple(resolution), fill)


class _Frame(NamedTuple):
    """Each object's box through the camera, as both predictions start: its corners, its
    projected rectangle clipped to the frame, whether it shows at all, the share of it the
    frame keeps, and the (ray, box) pairs to test."""

    world: np.ndarray  # N×8×3 box corners
    lo: np.ndarray  # N×2 projected rectangle, clipped to the frame
    hi: np.ndarray
    ok: np.ndarray  # N: in front and at least a pixel wide and tall inside the frame
    area: np.ndarray  # N: clipped rectangle's area (px²)
    in_frame: np.ndarray  # N: share of the unclipped rectangle inside the frame
    grid: _RayGrid
    origin: np.ndarray
    pairs: tuple[np.ndarray, np.ndarray]  # (ray, box) index pairs a ray may enter the box at

    @classmethod
    def of(cls, scene, resolution: tuple[int, int]) -> _Frame:
        objs = scene.objects
        n = len(objs)
        w, h = resolution
        world = box_points(objs, BOX_CORNERS)  # N×8×3
        uv, depth = project(scene.camera, world.reshape(-1, 3), resolution)
        uv, depth = uv.reshape(n, 8, 2), depth.reshape(n, 8)
        front = (depth > 0)[..., None]
        raw_lo = np.where(front, uv, np.inf).min(axis=1)
        raw_hi = np.where(front, uv, -np.inf).max(axis=1)
        lo, hi = np.clip(raw_lo, 0, (w, h)), np.clip(raw_hi, 0, (w, h))
        ok = ((hi - lo) >= 1).all(axis=1) & front[..., 0].any(axis=1)
        area = (hi - lo).prod(axis=1)
        raw_area = np.where((depth > 0).all(axis=1), (raw_hi - raw_lo).prod(axis=1), np.inf)
        in_frame = np.where(ok, area / np.maximum(raw_area, 1e-9), 0.0)
        # rays through the centres of a grid of cells, each standing for step² pixels
        cam = scene.camera
        grid = _ray_grid(tuple(cam.location), tuple(cam.look_at), cam.lens, cam.sensor_width, w, h)
        # a ray can enter a box only inside its projected rectangle (all corners in front:
        # the box's image is the hull of its corners'); others are tested against every ray
        whole = ~(depth > 1e-6).all(axis=1)
        pairs = grid.pairs(raw_lo, raw_hi, whole)
        origin = np.asarray(cam.location, dtype=float)
        return cls(world, lo, hi, ok, area, in_frame, grid, origin, pairs)


def _predict(scene, resolution: tuple[int, int], fill: float) -> dict[str, Footprint]:
    """``predicted_footprints`` worked out."""
    objs = scene.objects
    n = len(objs)
    f = _Frame.of(scene, resolution)
    world, lo, hi, ok, area, in_frame = f.world, f.lo, f.hi, f.ok, f.area, f.in_frame
    grid, origin = f.grid, f.origin
    step, dirs = grid.step, grid.dirs
    t_hit = _ray_box_entry(origin, dirs, objs, f.pairs)  # R×N
    hit = np.isfinite(t_hit)

    # opacity: the measured fill of the projected box over the share of it the box's outline
    # covers (a box's silhouette is smaller than its bounding rectangle)
    cell = step * step
    box_rays = np.maximum(area / cell, 1e-9)
    outline = np.maximum(hit.sum(axis=0), 1)
    share = np.array([ASSET_FILL.get(o.asset, fill) for o in objs])
    opacity = np.clip(share * box_rays / outline, 0.0, 0.98)

    hides = _hides(objs)  # hides[i, j]: j may hide i
    log_pass = np.log1p(-opacity)  # N
    # every (ray, object) hit at once: what the nearer boxes on its ray let through
    rays, hits = np.nonzero(hit & ok[None, :])
    t_i = t_hit[rays, hits]
    # rays end at the first wall they meet: asked only for the rays that hit an object a wall
    # may stand in front of (most objects stand clear of every wall: ``_clear_of_walls``)
    t_wall = np.full(len(rays), np.inf)
    wanted = ~_clear_of_walls(scene, origin, world)[hits]
    if wanted.any():
        t_wall[wanted] = wall_distance(scene, origin, dirs, rays[wanted], grid=grid)
    nearer = (t_hit[rays] < t_i[:, None]) & hides[hits]  # K×N
    through = np.exp(np.where(nearer, log_pass[None, :], 0.0).sum(axis=1)) * (t_i < t_wall)
    visible = opacity * np.bincount(hits, weights=through, minlength=n) * cell
    out = {}
    for i, o in enumerate(objs):
        if not ok[i]:
            continue
        box = (float(lo[i, 0]), float(lo[i, 1]), float(hi[i, 0]), float(hi[i, 1]))
        out[o.id] = Footprint(box, float(visible[i]), float(in_frame[i]))
    return out


# How far apart (m) a box and a wall must be, along an axis, for no ray to reach the wall
# before the box: far above rounding.
WALL_CLEARANCE = 1e-6


def blockers(scene) -> list[Element]:
    """What a ray ends at before the objects behind it: the architecture's ``occluders`` and,
    in a user's file, its fixed objects' boxes (``file_objects.fixed_boxes``: a table's top and
    legs hid a third to half of a pan, a box or a chair the prediction saw whole), but for one
    the camera stands in (a room's shell as one mesh)."""
    walls = occluders(scene.elements or ())
    env = scene.environment
    if env.layout != "environment" or not env.blend_file:
        return walls
    from diffforge.scenes.file_objects import fixed_boxes

    return walls + list(_file_blockers(fixed_boxes(env.blend_file), tuple(scene.camera.location)))


@functools.lru_cache(maxsize=256)
def _file_blockers(boxes: tuple, eye: tuple[float, ...]) -> tuple[Element, ...]:
    """Cached per camera: the sampler asks for a scene's blockers at every prediction."""
    return tuple(
        Element(name="fixed", location=centre, size=size)
        for centre, size in boxes
        if any(abs(e - c) > h / 2 for e, c, h in zip(eye, centre, size, strict=True))
    )


def _clear_of_walls(scene, origin: np.ndarray, world: np.ndarray) -> np.ndarray:
    """Per object (``world``: its box's N×8×3 corners): whether no wall stands between the
    camera and any point of its box, so no ray meets a wall before it. Decided by a plane
    along an axis between each wall's box and the camera with the object's box (a room's
    walls enclose both); a kerb between the camera and a car is left to the rays."""
    walls = blockers(scene)
    if not walls:
        return np.ones(len(world), dtype=bool)
    centre = np.array([e.location for e in walls], dtype=float)
    half = np.array([e.size for e in walls], dtype=float) / 2
    lo = np.minimum(world.min(axis=1), origin)  # N×3
    hi = np.maximum(world.max(axis=1), origin)
    apart = ((centre + half)[None, :, :] < lo[:, None, :] - WALL_CLEARANCE) | (
        (centre - half)[None, :, :] > hi[:, None, :] + WALL_CLEARANCE
    )  # N×W×3
    return apart.any(axis=2).all(axis=1)


def predicted_footprint(
    scene, target: str, resolution: tuple[int, int], fill: float = 0.45
) -> Footprint | None:
    """``predicted_footprints(scene, ...).get(target)``, bit for bit, from the rays of the
    target's rectangle only: what they meet (and the outline of each box that can hide it,
    which sets that box's opacity), not the whole frame. The sampler's check after a draw asks
    for one or two targets of a scene it will not ask about again."""
    objs = scene.objects
    ids = [o.id for o in objs]
    if target not in ids:
        return None
    try:
        key = _footprint_key(scene, resolution, fill)
        known = _FOOTPRINTS.get(key)
    except TypeError:  # a value set as a list or an array: not kept
        return _predict_one(scene, ids.index(target), resolution, fill)
    if known is not None:
        return known.get(target)
    one = (key, target)
    if one not in _FOOTPRINT:
        _FOOTPRINT[one] = _predict_one(scene, ids.index(target), resolution, fill)
        while len(_FOOTPRINT) > FOOTPRINT_ONE_MEMO:
            del _FOOTPRINT[next(iter(_FOOTPRINT))]
    return _FOOTPRINT[one]


# Single targets' predictions kept, by the scene's ``_footprint_key`` and the target: staging
# asks the same of a figure or a seat again while it composes (each candidate pose, the pose
# drawn after, the seat alone in the scene), a fifth to a third of its questions.
FOOTPRINT_ONE_MEMO = 256
_FOOTPRINT: dict[tuple, Footprint | None] = {}


def _predict_one(scene, i: int, resolution: tuple[int, int], fill: float) -> Footprint | None:
    """``_predict`` for object ``i`` alone: the same (ray, box) pairs on its rays, the same
    sums in the same order."""
    objs = scene.objects
    n = len(objs)
    f = _Frame.of(scene, resolution)
    if not f.ok[i]:
        return None
    world, lo, hi, area, in_frame = f.world, f.lo, f.hi, f.area, f.in_frame
    grid, origin = f.grid, f.origin
    step, dirs = grid.step, grid.dirs
    rays, boxes = f.pairs
    dims = np.array([o.dimensions for o in objs], dtype=float)
    loc = np.array([o.transform.location for o in objs], dtype=float)
    yaw = np.array([o.transform.rotation[2] for o in objs], dtype=float)

    def entry(sel: np.ndarray) -> np.ndarray:
        r, b = rays[sel], boxes[sel]
        return ray_box_pairs(origin, dirs[r], dims[b], loc[b], yaw[b])

    rows = rays[boxes == i]  # the target's rays, ascending
    on_row = np.zeros(len(dirs), dtype=bool)
    on_row[rows] = True
    mine = on_row[rays]  # every pair on the target's rays
    t_mine = entry(mine)
    met = np.isfinite(t_mine)
    # the boxes met on those rays: their opacity needs their outline, over their own rays
    seen = np.zeros(n, dtype=bool)
    seen[boxes[mine][met]] = True
    rest = seen[boxes] & ~mine
    t_rest = entry(rest)
    outline = np.bincount(boxes[mine][met], minlength=n) + np.bincount(
        boxes[rest][np.isfinite(t_rest)], minlength=n
    )
    cell = step * step
    box_rays = np.maximum(area / cell, 1e-9)
    share = np.array([ASSET_FILL.get(o.asset, fill) for o in objs])
    opacity = np.clip(share * box_rays / np.maximum(outline, 1), 0.0, 0.98)

    row_of = np.full(len(dirs), -1)
    row_of[rows] = np.arange(len(rows))
    t_hit = np.full((len(rows), n), np.inf)  # the target's rays × every box, as in ``_predict``
    t_hit[row_of[rays[mine]], boxes[mine]] = t_mine
    hits = np.flatnonzero(np.isfinite(t_hit[:, i]))
    hides = _hides(objs)[i]
    log_pass = np.where(seen, np.log1p(-np.where(seen, opacity, 0.0)), 0.0)
    t_i = t_hit[hits, i]
    t_wall = np.full(len(hits), np.inf)
    if len(hits) and not _clear_of_walls(scene, origin, world[i : i + 1])[0]:
        t_wall = wall_distance(scene, origin, dirs, rows[hits], grid=grid)
    nearer = (t_hit[hits] < t_i[:, None]) & hides[None, :]
    through = np.exp(np.where(nearer, log_pass[None, :], 0.0).sum(axis=1)) * (t_i < t_wall)
    visible = (
        opacity[i]
        * np.bincount(np.zeros(len(hits), dtype=int), weights=through, minlength=1)[0]
        * cell
    )
    box = (float(lo[i, 0]), float(lo[i, 1]), float(hi[i, 0]), float(hi[i, 1]))
    return Footprint(box, float(visible), float(in_frame[i]))


def _hides(objs) -> np.ndarray:
    """N×N: [i, j] whether object j may hide object i (not its supports below, nor what
    stands on it)."""
    n = len(objs)
    hides = ~np.eye(n, dtype=bool)
    index = {o.id: i for i, o in enumerate(objs)}
    for i, o in enumerate(objs):
        sup, seen = o.support, set()
        while sup in index and sup not in seen:
            seen.add(sup)
            hides[i, index[sup]] = False
            sup = objs[index[sup]].support
        if o.support in index:
            hides[index[o.support], i] = False
    return hides


def surely_unseen(camera, obj, resolution: tuple[int, int]) -> bool:
    """True only where ``predicted_footprints`` certainly gives ``obj`` no footprint (wholly
    behind the camera, or its image under a pixel wide or tall inside the frame), from its own
    8 corners: decided with a margin far above rounding, so a caller may skip the prediction
    of the whole scene without changing any decision (a change whose target left the frame is
    the most common rejection after the change is made)."""
    world = box_points([obj], BOX_CORNERS)[0]
    uv, depth = project(camera, world, resolution)
    if (np.abs(depth) < 1e-9).any() or (np.abs(depth - 1e-6) < 1e-9).any():
        return False  # at the camera's plane: the prediction decides
    front = depth > 0
    if not front.any():
        return True
    w, h = resolution
    lo = np.clip(uv[front].min(axis=0), 0, (w, h))
    hi = np.clip(uv[front].max(axis=0), 0, (w, h))
    return bool(((hi - lo) < 1 - 1e-6).any())


def _ray_box_entry(origin: np.ndarray, dirs: np.ndarray, objs, tested) -> np.ndarray:
    """Distance along each ray (R×3 directions from ``origin``) to where it enters each
    object's oriented box (R×N); inf where it misses or where the (ray, box) pair is not in
    ``tested`` (two index arrays)."""
    dims = np.array([o.dimensions for o in objs], dtype=float)  # N×3
    loc = np.array([o.transform.location for o in objs], dtype=float)
    yaw = np.array([o.transform.rotation[2] for o in objs], dtype=float)
    rays, boxes = tested
    out = np.full((len(dirs), len(objs)), np.inf)
    out[rays, boxes] = ray_box_pairs(origin, dirs[rays], dims[boxes], loc[boxes], yaw[boxes])
    return out


def ray_box_pairs(
    origin: np.ndarray, dirs: np.ndarray, dims: np.ndarray, loc: np.ndarray, yaw: np.ndarray
) -> np.ndarray:
    """``ray_box_entry`` for K (ray, box) pairs, row by row (K×3 directions, K boxes): the
    same arithmetic, so a culled grid gives the distances the full one does."""
    c, s = np.cos(yaw), np.sin(yaw)
    rel = origin[None, :] - loc
    o_k = (c * rel[:, 0] + s * rel[:, 1], -s * rel[:, 0] + c * rel[:, 1], rel[:, 2])
    d_k = (
        dirs[:, 0] * c + dirs[:, 1] * s,
        -dirs[:, 0] * s + dirs[:, 1] * c,
        dirs[:, 2],
    )
    lo_k = (-dims[:, 0] / 2, -dims[:, 1] / 2, np.zeros(len(dims)))
    hi_k = (dims[:, 0] / 2, dims[:, 1] / 2, dims[:, 2])
    t_near = np.zeros(len(dirs))
    t_far = np.full(len(dirs), np.inf)
    with np.errstate(divide="ignore", invalid="ignore"):
        for o, d, lo, hi in zip(o_k, d_k, lo_k, hi_k, strict=True):
            inv = 1.0 / d
            t0 = (lo - o) * inv
            t1 = (hi - o) * inv
            parallel = np.abs(d) < 1e-12
            if parallel.any():  # rare: only then the slab's own test
                inside = (o >= lo) & (o <= hi)
                t0 = np.where(parallel, np.where(inside, -np.inf, np.inf), t0)
                t1 = np.where(parallel, np.where(inside, np.inf, -np.inf), t1)
            t_near = np.maximum(t_near, np.minimum(t0, t1))
            t_far = np.minimum(t_far, np.maximum(t0, t1))
    return np.where(t_near <= t_far, t_near, np.inf)


def ray_box_entry(
    origin: np.ndarray, dirs: np.ndarray, dims: np.ndarray, loc: np.ndarray, yaw: np.ndarray
) -> np.ndarray:
    """Distance along each ray to where it enters each box (R×N; inf where it misses). Boxes
    (N×3 sizes) stand on their bottom centre ``loc`` and turn about +Z only, so each is an
    axis-aligned slab test in the box's own frame."""
    c, s = np.cos(yaw), np.sin(yaw)
    rel = origin[None, :] - loc  # N×3, the camera in each box's frame (before turning)
    o_x = c * rel[:, 0] + s * rel[:, 1]
    o_y = -s * rel[:, 0] + c * rel[:, 1]
    o_z = rel[:, 2]
    d_x = dirs[:, :1] * c[None, :] + dirs[:, 1:2] * s[None, :]  # R×N
    d_y = -dirs[:, :1] * s[None, :] + dirs[:, 1:2] * c[None, :]
    d_z = np.broadcast_to(dirs[:, 2:3], d_x.shape)
    t_near = np.zeros(d_x.shape)
    t_far = np.full(d_x.shape, np.inf)
    for o_k, d_k, lo_k, hi_k in (
        (o_x, d_x, -dims[:, 0] / 2, dims[:, 0] / 2),
        (o_y, d_y, -dims[:, 1] / 2, dims[:, 1] / 2),
        (o_z, d_z, np.zeros(len(dims)), dims[:, 2]),
    ):
        with np.errstate(divide="ignore", invalid="ignore"):
            inv = 1.0 / d_k
            t0 = (lo_k[None, :] - o_k[None, :]) * inv
            t1 = (hi_k[None, :] - o_k[None, :]) * inv
        parallel = np.abs(d_k) < 1e-12
        inside = (o_k >= lo_k) & (o_k <= hi_k)
        t0 = np.where(parallel, np.where(inside[None, :], -np.inf, np.inf), t0)
        t1 = np.where(parallel, np.where(inside[None, :], np.inf, -np.inf), t1)
        t_near = np.maximum(t_near, np.minimum(t0, t1))
        t_far = np.minimum(t_far, np.maximum(t0, t1))
    return np.where(t_near <= t_far, t_near, np.inf)


def wall_distance(
    scene,
    origin: np.ndarray,
    dirs: np.ndarray,
    rays: np.ndarray | None = None,
    grid: _RayGrid | None = None,
) -> np.ndarray:
    """Distance along each ray to the first opaque architecture it meets (walls, doors,
    kerbs: ``architecture.occluders``); inf where none. ``rays``: only these rows of ``dirs``
    (the prediction asks for the rays that hit an object, a third of the grid or less).
    ``grid``: the ``_RayGrid`` whose rays ``dirs`` are, so the cache knows them by their
    camera rather than hashing 3,072 directions per call (a tenth of the sampler's time)."""
    walls = blockers(scene)
    if not walls:
        return np.full(len(dirs) if rays is None else len(rays), np.inf)
    boxes = tuple((e.location, e.size) for e in walls)
    look = tuple(scene.camera.look_at)
    keyed = _Keyed(("dirs", dirs.tobytes()) if grid is None else grid.key, (dirs, grid))
    grid = _wall_distance(boxes, tuple(origin), look, keyed)
    return grid.distances(np.arange(len(dirs)) if rays is None else np.asarray(rays))


class _WallRays:
    """One camera's rays against one scene's walls, each ray's distance worked out the first
    time it is asked for. A ray is tested only against the walls whose image holds its
    direction (as in ``predicted_footprints``): a room's back wall is a few hundred of the
    3,072 rays."""

    def __init__(self, boxes, origin, look_at, dirs: np.ndarray, grid: _RayGrid | None = None):
        self.dirs = dirs
        self.size = np.array([b[1] for b in boxes], dtype=float)
        self.loc = np.array([b[0] for b in boxes], dtype=float) - [0.0, 0.0, 0.5] * self.size
        self.origin = np.asarray(origin, dtype=float)
        rot = look_at_matrix(origin, look_at)
        corners = (box_points_axis(self.size, self.loc) - self.origin) @ rot  # N×8×3, camera frame
        self.lo, self.hi = _view_rects(corners)
        if grid is None:  # the rays in the camera frame (all look forward: -z)
            local = dirs @ rot
            self.rx, self.ry = local[:, 0] / -local[:, 2], local[:, 1] / -local[:, 2]
            self.cols = None
        else:  # a grid's rays by column and row, as it made them
            self.rx, self.ry = grid.view
            self.cols = len(grid.xs)
        self.t = np.full(len(dirs), np.nan)  # nan: not worked out yet

    def distances(self, rays: np.ndarray) -> np.ndarray:
        todo = np.unique(rays[np.isnan(self.t[rays])])
        if len(todo):
            if self.cols is None:
                rx, ry = self.rx[todo], self.ry[todo]
            else:
                rx, ry = self.rx[todo % self.cols], self.ry[todo // self.cols]
            pad, lo, hi = 1e-3, self.lo, self.hi
            tested = (
                (rx[:, None] >= lo[None, :, 0] - pad)
                & (rx[:, None] <= hi[None, :, 0] + pad)
                & (ry[:, None] >= lo[None, :, 1] - pad)
                & (ry[:, None] <= hi[None, :, 1] + pad)
            )
            rows, walls = np.nonzero(tested)
            t = np.full(tested.shape, np.inf)
            t[rows, walls] = ray_box_pairs(
                self.origin, self.dirs[todo[rows]], self.size[walls], self.loc[walls],
                np.zeros(len(walls)),
            )  # fmt: skip
            self.t[todo] = t.min(axis=1)
        return self.t[rays].copy()


class _Keyed:
    """An array that a cache knows by a key of what it was made from."""

    def __init__(self, key, value: np.ndarray):
        self.key, self.value = key, value

    def __hash__(self) -> int:
        return hash(self.key)

    def __eq__(self, other) -> bool:
        return isinstance(other, _Keyed) and self.key == other.key


@functools.lru_cache(maxsize=32)
def _wall_distance(boxes, origin, look_at, dirs: _Keyed) -> _WallRays:
    """Cached: the sampler predicts many draws through one camera in one room."""
    return _WallRays(boxes, origin, look_at, *dirs.value)


class _RayGrid(NamedTuple):
    """The prediction's rays through one camera at one frame size (``_ray_grid``)."""

    key: tuple  # what the rays are a function of
    step: float  # pixels between rays
    xs: np.ndarray  # the rays' pixel columns and rows
    ys: np.ndarray
    dirs: np.ndarray  # R×3 world directions, row-major over (row, column)
    view: tuple[np.ndarray, np.ndarray]  # view coordinates (x / depth, y / depth) by column, row

    def pairs(self, lo: np.ndarray, hi: np.ndarray, whole: np.ndarray):
        """(ray, box) index pairs to test: each box's rays whose pixel lies in its projected
        rectangle (``lo``..``hi``, N×2) padded by a step, every ray for a ``whole`` box. The
        same pairs as comparing every ray with every rectangle, found by bisection."""
        nx, ny = len(self.xs), len(self.ys)
        c0 = np.searchsorted(self.xs, lo[:, 0] - self.step, side="left")
        c1 = np.searchsorted(self.xs, hi[:, 0] + self.step, side="right")
        r0 = np.searchsorted(self.ys, lo[:, 1] - self.step, side="left")
        r1 = np.searchsorted(self.ys, hi[:, 1] + self.step, side="right")
        c0, r0 = np.where(whole, 0, c0), np.where(whole, 0, r0)
        c1, r1 = np.where(whole, nx, c1), np.where(whole, ny, r1)
        cols, rows = np.maximum(c1 - c0, 0), np.maximum(r1 - r0, 0)
        sizes = cols * rows
        boxes = np.repeat(np.arange(len(lo)), sizes)
        offset = np.arange(len(boxes)) - np.repeat(np.cumsum(sizes) - sizes, sizes)
        width = np.maximum(cols, 1)[boxes]
        rays = (r0[boxes] + offset // width) * nx + c0[boxes] + offset % width
        return rays, boxes


@functools.lru_cache(maxsize=64)
def _ray_grid(location, look_at, lens: float, sensor_width: float, w: int, h: int) -> _RayGrid:
    """Cached per camera: a pair's draws and its base scene share one."""
    step = max(w / PREDICT_RAYS_ACROSS, 1.0)
    xs = np.arange(step / 2, w, step)
    ys = np.arange(step / 2, h, step)
    px, py = np.meshgrid(xs, ys)
    rot = look_at_matrix(location, look_at)
    focal = lens / sensor_width * w
    local = np.stack([(px - w / 2) / focal, -(py - h / 2) / focal, -np.ones_like(px)], axis=-1)
    dirs = local.reshape(-1, 3) @ rot.T  # R×3, world space
    view = ((xs - w / 2) / focal, -(ys - h / 2) / focal)
    for a in (xs, ys, dirs, *view):
        a.flags.writeable = False
    return _RayGrid((location, look_at, lens, sensor_width, w, h), step, xs, ys, dirs, view)


# The 12 edges of a box as pairs of ``BOX_CORNERS`` indices (corners differing in one bit).
BOX_EDGES = np.array([(i, i | b) for i in range(8) for b in (1, 2, 4) if not i & b])
# Nearest depth (m) a ray's hit is looked for at: what lies closer to the camera's plane than
# a millimetre is inside the camera.
NEAR_DEPTH = 1e-3


def _view_rects(corners: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each box's image (N×8×3 corners in the camera frame) as a rectangle in view
    coordinates (x / depth, y / depth): the hull of the corners in front of ``NEAR_DEPTH`` and
    of the points where the box's edges cross it (a wall reaching behind the camera shows only
    its front part). A box wholly behind gets an empty rectangle."""
    depth = -corners[..., 2]
    a, b = corners[:, BOX_EDGES[:, 0]], corners[:, BOX_EDGES[:, 1]]  # N×12×3
    da, db = depth[:, BOX_EDGES[:, 0]], depth[:, BOX_EDGES[:, 1]]
    crosses = (da - NEAR_DEPTH) * (db - NEAR_DEPTH) < 0
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(crosses, (NEAR_DEPTH - da) / (db - da), 0.0)
    cut = a + t[..., None] * (b - a)  # on the near plane where an edge crosses it
    points = np.concatenate([corners, cut], axis=1)  # N×20×3
    keep = np.concatenate([depth >= NEAR_DEPTH, crosses], axis=1)
    d = np.where(keep, np.maximum(-points[..., 2], NEAR_DEPTH), 1.0)
    xy = points[..., :2] / d[..., None]
    lo = np.where(keep[..., None], xy, np.inf).min(axis=1)
    hi = np.where(keep[..., None], xy, -np.inf).max(axis=1)
    return lo, hi


def box_points_axis(size: np.ndarray, loc: np.ndarray) -> np.ndarray:
    """The 8 corners of axis-aligned boxes (N×3 sizes standing on their bottom centres ``loc``),
    N×8×3."""
    return BOX_CORNERS[None, :, :] * size[:, None, :] + loc[:, None, :]


# a box's 8 corners in box units (origin at the bottom centre)
BOX_CORNERS = np.array([[x, y, z] for x in (-0.5, 0.5) for y in (-0.5, 0.5) for z in (0.0, 1.0)])
