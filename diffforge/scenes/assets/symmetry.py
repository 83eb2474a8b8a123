"""Rotational symmetry about the up axis, measured on a shape's surface.

A turn nobody can see must not be captioned: a sphere or a plain cylinder looks the same at any
angle, a cube after a quarter turn. Imported assets and a user file's objects carry no such
facts, so they are measured here: points sampled over the surface (by area, a fixed seed), turned
about the vertical axis through their centre, and measured against the
surface; a turn that leaves them within a small share of the size of it looks the same. Pure
numpy (scipy's k-d tree), Z up, any unit.
"""

from __future__ import annotations

import math

import numpy as np

ANY_ANGLE = 0  # the order of a shape that looks the same turned by any angle
MAX_ORDER = 12  # n-fold orders tried; above this a shape looks round at the sizes rendered
ODD_ANGLES_DEG = (17.0, 53.0, 101.0)  # no n-fold symmetry up to MAX_ORDER maps onto these
SAMPLES = 1500
SLACK = 0.012  # of the shape's largest side: facets of a 24-sided cylinder stay within it
PERCENTILE = 99.0  # of the distances: a hexagon turned 51° differs at its corners only


def surface_points(tris: np.ndarray, n: int, seed: int) -> np.ndarray:
    """``n`` points spread over the triangles (T×3×3) by area."""
    area = 0.5 * np.linalg.norm(np.cross(tris[:, 1] - tris[:, 0], tris[:, 2] - tris[:, 0]), axis=1)
    if area.sum() <= 0:
        return tris.reshape(-1, 3)
    rng = np.random.default_rng(seed)
    pick = rng.choice(len(tris), size=n, p=area / area.sum())
    u, v = rng.random(n), rng.random(n)
    over = u + v > 1
    u[over], v[over] = 1 - u[over], 1 - v[over]
    t = tris[pick]
    return t[:, 0] + u[:, None] * (t[:, 1] - t[:, 0]) + v[:, None] * (t[:, 2] - t[:, 0])


def _turned(pts: np.ndarray, centre: np.ndarray, deg: float) -> np.ndarray:
    a = math.radians(deg)
    rot = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    out = pts.copy()
    out[:, :2] = (pts[:, :2] - centre) @ rot.T + centre
    return out


def _segment_distance(p: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    ab = b - a
    t = np.clip(np.einsum("...k,...k->...", p - a, ab) / np.maximum(
        np.einsum("...k,...k->...", ab, ab), 1e-30), 0.0, 1.0)  # fmt: skip
    return np.linalg.norm(p - (a + t[..., None] * ab), axis=-1)


def split_long(tris: np.ndarray, longest: float) -> np.ndarray:
    """The triangles cut in four (at their edges' midpoints) until no edge is longer than
    ``longest``: a triangle's centre is then near every point of it."""
    out = []
    while len(tris):
        edge = np.max(
            [np.linalg.norm(tris[:, i] - tris[:, (i + 1) % 3], axis=1) for i in range(3)], axis=0
        )
        long = edge > longest
        out.append(tris[~long])
        a, b, c = (tris[long, i] for i in range(3))
        ab, bc, ca = (a + b) / 2, (b + c) / 2, (c + a) / 2
        tris = np.concatenate(
            [np.stack(t, 1) for t in ((a, ab, ca), (ab, b, bc), (ca, bc, c), (ab, bc, ca))]
        )
    return np.concatenate(out)


def surface_distance(points: np.ndarray, tris: np.ndarray, near: int = 16) -> np.ndarray:
    """Distance from each point to the surface: exact to the ``near`` triangles whose centres
    are closest (the right one among them once no triangle is long: ``split_long``)."""
    from scipy.spatial import cKDTree

    k = min(near, len(tris))
    _, cand = cKDTree(tris.mean(1)).query(points, k=k)
    cand = cand.reshape(len(points), k)
    t = tris[cand]  # P×k×3×3
    p = points[:, None, :]
    a, b, c = t[..., 0, :], t[..., 1, :], t[..., 2, :]
    n = np.cross(b - a, c - a)
    nn = np.linalg.norm(n, axis=-1, keepdims=True)
    n = n / np.maximum(nn, 1e-30)
    h = np.einsum("pkj,pkj->pk", p - a, n)
    q = p - h[..., None] * n  # the point on the triangle's plane
    inside = np.ones(h.shape, bool)
    for u, v in ((a, b), (b, c), (c, a)):
        inside &= np.einsum("pkj,pkj->pk", np.cross(v - u, q - u), n) >= 0
    edge = np.minimum.reduce([_segment_distance(p, u, v) for u, v in ((a, b), (b, c), (c, a))])
    d = np.where(inside & (nn[..., 0] > 1e-30), np.abs(h), edge)
    return d.min(1)


def rotational_symmetry(tris: np.ndarray, samples: int = SAMPLES) -> int:
    """The n-fold symmetry of a surface (T×3×3, Z up) about the vertical axis through its
    centre: the largest n ≤ MAX_ORDER whose turn by 360°/n leaves it where it was (within
    SLACK of its size), 1 when none does (a chair), ``ANY_ANGLE`` (0) when odd angles do too
    (a sphere, a plain cylinder)."""
    tris = np.asarray(tris, float).reshape(-1, 3, 3)
    if not len(tris):
        return 1
    pts = tris.reshape(-1, 3)
    size = float(np.ptp(pts, axis=0).max())
    if size <= 0:
        return 1
    area = np.linalg.norm(np.cross(tris[:, 1] - tris[:, 0], tris[:, 2] - tris[:, 0]), axis=1)
    if area.sum() <= 0:
        return 1
    centre = (tris.mean(1)[:, :2] * area[:, None]).sum(0) / area.sum()  # on any symmetry axis
    probe = surface_points(tris, samples, seed=1)

    fine = split_long(tris, size / 16)

    def same(deg: float) -> bool:
        d = surface_distance(_turned(probe, centre, deg), fine)
        return float(np.percentile(d, PERCENTILE)) <= SLACK * size

    order = next((n for n in range(MAX_ORDER, 1, -1) if same(360.0 / n)), 1)
    if order >= 2 and all(same(d) for d in ODD_ANGLES_DEG):
        return ANY_ANGLE
    return order


def turn_in_sight(drawn: float, folded: float, order: int, min_turn: float) -> float:
    """A turn the symmetry hid (``drawn`` at least ``min_turn``, radians, but ``folded`` by the
    ``order``-fold symmetry under it), carried into the window a viewer sees: from
    ``min_turn`` to half the period, at the share the folded turn had of ``[0, min_turn)``,
    same direction. A cube's turns drawn from 50-135° fold under 40° nineteen times in twenty
    (a quarter turn looks like none), so without this an imported or CLEVR cube almost never
    turned. Otherwise ``folded`` as it is: a turn already seen, one drawn too small (the
    config's range), or no window (a 5-fold shape's half period is under 40°)."""
    half = math.pi / max(order, 1)
    if abs(folded) >= min_turn or abs(drawn) < min_turn or half <= min_turn:
        return folded
    return math.copysign(min_turn + abs(folded) / min_turn * (half - min_turn), folded)


# --- which way an object faces, as a viewer can tell it ------------------------------------
# A turn's direction can be read off two images only where the object shows which way it faces
# in both. The widest angle between an object's front and the line to the camera at which a
# viewer still can: a car's outline shows it from any side; a faceless figure and a chair from
# the front and in profile but not from behind (front and back of the mannequin look alike; a
# chair's backrest seen from behind hides its seat, and a reviewer took a red chair's back for
# its front and its turn for the other way: review_std96r 8300/05), a
# cabinet only by the doors on its front (turned 110° it shows a plain side, and a clockwise and
# a counterclockwise turn look the same: review std48d pair 30), and a near-symmetric thing
# (a coat rack, a hydrant) not at all.
FACING_OUTLINE = 180.0
FACING_PROFILE = 110.0
FACING_FRONT = 70.0
FACING_NONE = -1.0
FACING_SEEN_DEG: dict[str, float] = {
    **dict.fromkeys(
        ("sofa", "bed", "toilet", "shopping_cart",
         "pickup_truck", "truck", "toy_car", "teapot", "kettle", "mug", "frying_pan", "banana",
         "laptop", "camera", "street_lamp", "bus_stop", "fan"),
        FACING_OUTLINE,
    ),
    **dict.fromkeys(("mannequin", "chair", "armchair", "office_chair"), FACING_PROFILE),
    **dict.fromkeys(
        ("coat_rack", "fire_hydrant", "planter", "cooking_pot", "toaster", "keyboard",
         "cutting_board", "remote_control", "smartphone", "shopping_basket", "bathtub"),
        FACING_NONE,
    ),
}  # fmt: skip
FACING_BY_CATEGORY: dict[str, float] = {"person": FACING_PROFILE}


def facing_seen_deg(asset: str, category: str = "") -> float:
    """The widest angle (degrees) between the object's front and the camera at which a viewer
    can tell which way it faces: the table's for the asset (its base id before any variant
    suffix) or category, else FACING_FRONT (an object nobody described shows its facing by
    its front face, if at all)."""
    base = asset.split("~", 1)[0]
    return FACING_SEEN_DEG.get(base, FACING_BY_CATEGORY.get(category, FACING_FRONT))


def facing_readable(front_deg: float, asset: str, category: str = "") -> bool:
    """Whether an object whose front is ``front_deg`` from the line to the camera shows a
    viewer which way it faces."""
    return abs(front_deg) <= facing_seen_deg(asset, category)
