"""Camera projection and footprint maths, in numpy, shared by the sampler and the captioner.

The projection matches Blender's: a pinhole camera with a horizontal sensor fit, looking down
its local -Z with +Y up, so a point's pixel here is where Cycles draws it.
"""

from __future__ import annotations

import math

import numpy as np

from diffforge.scenes.model import Camera, ObjectInstance


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
    rot = look_at_matrix(camera.location, camera.look_at)
    local = (pts - np.asarray(camera.location)) @ rot  # camera coordinates
    depth = -local[:, 2]
    w, h = resolution
    focal_px = camera.lens / camera.sensor_width * w
    safe = np.where(depth > 1e-6, depth, 1e-6)
    u = w / 2 + focal_px * local[:, 0] / safe
    v = h / 2 - focal_px * local[:, 1] / safe
    return np.stack([u, v], axis=1), depth


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


# Share of its projected bounding box an asset covers in a render (median over the objects of
# 40 default-config draft pairs; measured with the instance masks). Thin-framed assets cover
# little of their box, flat ones nearly all of it. Others: the caller's ``fill``.
ASSET_FILL: dict[str, float] = {
    "sign_post": 0.13, "bicycle": 0.15, "floor_lamp": 0.15, "street_lamp": 0.16,
    "side_table": 0.30, "stool": 0.30, "tree": 0.31, "mannequin": 0.36, "laptop": 0.37,
    "table": 0.38, "potted_plant": 0.39, "bench": 0.39, "clevr_sphere": 0.39, "chair": 0.40,
    "coffee_table": 0.41, "ball": 0.41, "fire_hydrant": 0.44, "bush": 0.47, "vase": 0.49,
    "table_lamp": 0.50, "desk": 0.52, "sign_board": 0.55, "clevr_cylinder": 0.57,
    "trash_bin": 0.61, "car": 0.64, "armchair": 0.69, "sofa": 0.72, "bollard": 0.72,
    "cabinet": 0.74, "box": 0.74, "shelf": 0.76, "rug": 0.76, "clevr_cube": 0.77,
    "wall_text": 0.88, "picture_frame": 0.90, "building_facade": 0.90, "poster": 0.92,
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


def predicted_footprints(
    scene, resolution: tuple[int, int], fill: float = 0.45
) -> dict[str, tuple[tuple[float, float, float, float], float]]:
    """Per object in view: its projected box and the pixels a render will likely show.

    An object covers its asset's measured share (``ASSET_FILL``, else ``fill``) of its
    projected box; nearer objects whose boxes overlap hide the overlap (its own supports
    excepted: a mug stands in front of its table). A prediction, cheap enough for every draw
    (one vectorised projection), that keeps tiny and hidden targets from the renderer.
    """
    objs = scene.objects
    if not objs:
        return {}
    world = box_points(objs, _UNIT)  # N×9×3 (8 corners + centre)
    uv, depth = project(scene.camera, world.reshape(-1, 3), resolution)
    uv, depth = uv.reshape(len(objs), 9, 2), depth.reshape(len(objs), 9)
    corners, cdepth = uv[:, :8], depth[:, :8]
    w, h = resolution
    front = (cdepth > 0)[..., None]
    lo = np.clip(np.where(front, corners, np.inf).min(axis=1), 0, (w, h))
    hi = np.clip(np.where(front, corners, -np.inf).max(axis=1), 0, (w, h))
    ok = ((hi - lo) >= 1).all(axis=1) & front[..., 0].any(axis=1)
    centre_depth = depth[:, 8]
    ix = np.clip(
        np.minimum(hi[:, None, 0], hi[None, :, 0]) - np.maximum(lo[:, None, 0], lo[None, :, 0]),
        0,
        None,
    )
    iy = np.clip(
        np.minimum(hi[:, None, 1], hi[None, :, 1]) - np.maximum(lo[:, None, 1], lo[None, :, 1]),
        0,
        None,
    )
    nearer = (centre_depth[None, :] < centre_depth[:, None]) & ok[None, :]
    index = {o.id: i for i, o in enumerate(objs)}
    for i, o in enumerate(objs):  # supports below, and what stands on the object, never hide it
        nearer[i, i] = False
        sup, seen = o.support, set()
        while sup in index and sup not in seen:
            seen.add(sup)
            nearer[i, index[sup]] = False
            sup = objs[index[sup]].support
        if o.support in index:
            nearer[index[o.support], i] = False
    hidden = (ix * iy * nearer).sum(axis=1)
    area = (hi - lo).prod(axis=1)
    out = {}
    for i, o in enumerate(objs):
        if not ok[i]:
            continue
        share = ASSET_FILL.get(o.asset, fill)
        pixels = max(0.0, share * (area[i] - min(hidden[i], area[i])))
        box = (float(lo[i, 0]), float(lo[i, 1]), float(hi[i, 0]), float(hi[i, 1]))
        out[o.id] = (box, float(pixels))
    return out


# a box's 8 corners in box units (origin at the bottom centre); with its centre for footprints
BOX_CORNERS = np.array([[x, y, z] for x in (-0.5, 0.5) for y in (-0.5, 0.5) for z in (0.0, 1.0)])
_UNIT = np.vstack([BOX_CORNERS, [[0.0, 0.0, 0.5]]])
