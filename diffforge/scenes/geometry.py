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
