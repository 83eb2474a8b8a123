"""A turn's render gates predicted from the target's box alone, before anything is rendered.

Two turn gates measure what the sampler's pixel prediction cannot tell, and each of their
refusals threw a full render away in users' files (issue 27: y_up's pair 0 three times, the
slab's cubes, centimetres' crates four times in one pair): the changed share of the
target's pixels (``visibility.min_turn_changed_share``, ``GateCheck.turn_changed_share``) and
a shape with a front whose turned outline matches its old one
(``visibility.max_turn_outline_match``, ``turn_outline.outline_match``). Both are read here
from the target's box before and after the turn, each through its own camera. The sampler
draws turns in a user's file against them (``Orientation.apply``) and the pipeline redraws a
spec they refuse without a render (``render.gate_prediction``). Calibrated on draft renders
of the messy corpus (benchmarks/messy_files.md, benchmarks/gate_prediction_check.py);
generated scenes are left to the gates.
"""

from __future__ import annotations

import numpy as np

from diffforge.scenes.changes.turn_outline import outline_match
from diffforge.scenes.geometry import box_corners, look_at_matrix, project, yaw_matrix
from diffforge.scenes.model import Camera, ObjectInstance

# A turn is refused before rendering where its box predicts under this changed share
# (``turn_changed_share`` at ``TURN_FACE_DEG`` and ``TURN_FACE_WEIGHT``). On 98 draft turns
# of y_up and the slab (256x192) that only the turn gate judged, 61 of which it refused, this
# refused 39 of the 61 and 7 of the 37 it passed (y_up: 19 of 40 and 5 of 32; the slab: 20
# of 21 and 2 of 5); the outline alone, under 0.2, 37 and 10. The box sees neither a
# speaker's cones nor a printer's panel, nor how alike a plain cube's faces are lit, so the
# turns near the gate's share stay the gate's to judge.
MIN_TURN_PREDICTED_SHARE = 0.3
# A pixel both boxes cover counts as changed where the face it shows turned by more than
# this (degrees), shading following the normal: a plain cube turned 75-107 degrees shows
# faces turned 15-17 in the places it showed them (gate: changed share 0.14-0.41), one turned
# 30-60 degrees every face turned (0.46-0.53).
TURN_FACE_DEG = 25.0
# ... and counts this much of a pixel: about this share of such pixels moves by more than the
# gate's 24 levels (a plain cube's adjacent faces are lit alike).
TURN_FACE_WEIGHT = 0.7
# The frame is sampled on a grid this many cells across for the boxes' areas.
HULL_CELLS = 96
# A turn of a shape with a front is refused where its box outlines match (``box_outline_match``)
# by more than ``visibility.max_turn_outline_match`` less this. On the 53 draft turns of y_up
# and centimetres (256x192, one turn per pair, target in full view) the turn gates refused
# 48 (the file's crates at every angle, printers, speakers, cash registers, microwaves); with
# the changed-share rule above, this margin predicts all 48 and refuses 1 of the 5 they
# passed (no margin: 46 of 48; the changed share alone: 28).
BOX_OUTLINE_MARGIN = 0.05


def box_normals(obj: ObjectInstance, camera: Camera, pixels: np.ndarray, resolution) -> np.ndarray:
    """Per pixel (K×2, frame coordinates): the world normal (K×3) of the face of ``obj``'s
    box its ray enters first; NaN where the ray misses the box."""
    w, h = resolution
    rot = look_at_matrix(camera.location, camera.look_at)
    focal = camera.lens / camera.sensor_width * w
    local = np.stack(
        [(pixels[:, 0] - w / 2) / focal, -(pixels[:, 1] - h / 2) / focal, -np.ones(len(pixels))],
        axis=-1,
    )
    dirs = local @ rot.T
    turn = yaw_matrix(obj.transform.rotation[2])
    half = np.asarray(obj.dimensions, dtype=float) / 2
    centre = np.asarray(obj.transform.location, dtype=float) + np.array([0.0, 0.0, half[2]])
    o = (np.asarray(camera.location, dtype=float) - centre) @ turn  # into the box's frame
    d = dirs @ turn
    with np.errstate(divide="ignore", invalid="ignore"):
        t1, t2 = (-half - o) / d, (half - o) / d
    near = np.nan_to_num(np.minimum(t1, t2), nan=-np.inf)
    far = np.nan_to_num(np.maximum(t1, t2), nan=np.inf)
    t_in, t_out = near.max(axis=1), far.min(axis=1)
    hit = (t_in <= t_out) & (t_out > 0)
    axis = near.argmax(axis=1)
    normal = np.zeros_like(d)
    rows = np.arange(len(d))
    normal[rows, axis] = -np.sign(d[rows, axis])
    normal = normal @ turn.T
    normal[~hit] = np.nan
    return normal


Side = tuple[ObjectInstance, Camera]


def turn_changed_share(
    before: Side,
    after: Side,
    resolution: tuple[int, int],
    face_deg: float = TURN_FACE_DEG,
    face_weight: float = TURN_FACE_WEIGHT,
) -> float | None:
    """The predicted share of the turned target's pixels that change (the gate's measure)
    from its box alone, each side (object, camera) through its own camera: the pixels one
    of its two boxes covers, and ``face_weight`` of those both cover whose face's normal
    turned by more than ``face_deg`` (shading follows the normal), over those either covers.
    None where the target is not in front of both cameras. A plain box turned a half-turn,
    or a square one a quarter, shows the same faces in the same places: 0."""
    hulls = []
    for obj, camera in (before, after):
        uv, depth = project(camera, box_corners(obj), resolution)
        if not (depth > 0).all():
            return None
        hulls.append(uv)
    pts = np.vstack(hulls)
    w, h = resolution
    lo, hi = np.clip(pts.min(axis=0), 0, (w, h)), np.clip(pts.max(axis=0), 0, (w, h))
    if ((hi - lo) < 1).any():
        return None
    step = max(w, h) / HULL_CELLS
    xs = np.arange(lo[0] + step / 2, hi[0], step)
    ys = np.arange(lo[1] + step / 2, hi[1], step)
    grid = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)
    if len(grid) == 0:
        return None
    n0 = box_normals(*before, grid, resolution)
    n1 = box_normals(*after, grid, resolution)
    a, b = ~np.isnan(n0[:, 0]), ~np.isnan(n1[:, 0])
    union = int((a | b).sum())
    if not union:
        return None
    both = a & b
    cos = np.einsum("ij,ij->i", np.nan_to_num(n0), np.nan_to_num(n1))
    turned = both & (cos < np.cos(np.radians(face_deg)) - 1e-9)
    return (int((a ^ b).sum()) + face_weight * int(turned.sum())) / union


def _hull(points: np.ndarray) -> np.ndarray:
    """The convex hull of 2-D points (Andrew's monotone chain), ordered so that its signed
    area is positive."""
    pts = sorted(map(tuple, points))

    def chain(seq):
        out: list[tuple[float, float]] = []
        for p in seq:
            while (
                len(out) >= 2
                and (
                    (out[-1][0] - out[-2][0]) * (p[1] - out[-2][1])
                    - (out[-1][1] - out[-2][1]) * (p[0] - out[-2][0])
                )
                <= 0
            ):
                out.pop()
            out.append(p)
        return out[:-1]

    hull = np.array(chain(pts) + chain(reversed(pts)))
    x, y = hull[:, 0], hull[:, 1]
    area = float(np.dot(x, np.roll(y, -1)) - np.dot(np.roll(x, -1), y))
    return hull if area >= 0 else hull[::-1]  # the side ``_inside`` takes as inner


def _inside(hull: np.ndarray, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """Grid points (xs × ys, pixel centres) inside a convex hull: on the inner side of every
    edge."""
    gx, gy = np.meshgrid(xs, ys)
    inside = np.ones(gx.shape, dtype=bool)
    for (x0, y0), (x1, y1) in zip(hull, np.roll(hull, -1, axis=0), strict=True):
        inside &= (x1 - x0) * (gy - y0) - (y1 - y0) * (gx - x0) >= 0
    return inside


# Empty pixels around the outlines' grid so that ``outline_match``'s shifts do not wrap.
OUTLINE_PAD = 8


def box_outline_match(before: Side, after: Side, resolution: tuple[int, int]) -> float | None:
    """The turn outline gate's measure (``turn_outline.outline_match``) on the target's box
    silhouettes (the hull of its projected corners, in the frame) before and after, each side
    through its own camera: a box-like shape (a crate, a printer, a speaker) turned leaves
    nearly the outline it had. None where its box is behind a camera or off the frame."""
    hulls = []
    for obj, camera in (before, after):
        uv, depth = project(camera, box_corners(obj), resolution)
        if not (depth > 0).all():
            return None
        hulls.append(_hull(uv))
    w, h = resolution
    pts = np.vstack(hulls)
    x0, y0 = np.floor(np.clip(pts.min(axis=0), 0, (w, h))).astype(int)
    x1, y1 = np.ceil(np.clip(pts.max(axis=0), 0, (w, h))).astype(int)
    if x1 - x0 < 1 or y1 - y0 < 1:
        return None
    xs, ys = np.arange(x0, x1) + 0.5, np.arange(y0, y1) + 0.5
    masks = [np.pad(_inside(hull, xs, ys), OUTLINE_PAD) for hull in hulls]
    if not all(m.any() for m in masks):
        return None
    return outline_match(*masks)


def turn_prediction_reasons(
    before: Side,
    after: Side,
    resolution: tuple[int, int],
    symmetry: int,
    max_outline_match: float,
    stop_at_first: bool = False,
) -> list[str]:
    """The turn gates' reasons, predicted from the box: under ``MIN_TURN_PREDICTED_SHARE`` of
    its pixels changed (``turn_changed_share``), or, for a shape with a front (``symmetry``
    1), its outline matching the old one by more than ``max_outline_match`` less
    ``BOX_OUTLINE_MARGIN`` (``box_outline_match``); only the first with ``stop_at_first`` (the
    sampler asks whether, not why)."""
    reasons = []
    share = turn_changed_share(before, after, resolution)
    if share is not None and share < MIN_TURN_PREDICTED_SHARE:
        reasons.append("orientation: the turn predicted to change too little of the target")
    if symmetry == 1 and not (stop_at_first and reasons):
        match = box_outline_match(before, after, resolution)
        if match is not None and match > max_outline_match - BOX_OUTLINE_MARGIN:
            reasons.append("orientation: the turned outline predicted to match the old one")
    return reasons
