"""Render gates predicted from a spec alone, before anything is rendered (users' files).

The sampler predicts each target's pixels; two gates measure what pixels cannot tell, and
each of their refusals threw a full render away (issue 27: y_up's pair 0 three times, the
slab's pairs 2 and 4): a turn's changed share (``visibility.min_turn_changed_share``), read
here from the target's box before and after the turn (``turn_changed_share``), and an added,
removed or vanished target's colour against the object it stands on
(``visibility.min_support_delta_e``), read from the colours the spec records.
``PairPipeline._unseen`` redraws a spec of a user's file these refuse, without a render.
Calibrated on draft renders of the messy corpus (benchmarks/messy_files.md,
benchmarks/gate_prediction_check.py): generated scenes are left to the gates.
"""

from __future__ import annotations

import numpy as np

from diffforge.scenes.geometry import box_corners, look_at_matrix, project, yaw_matrix
from diffforge.scenes.model import Change, ObjectInstance, PairSpec
from diffforge.scenes.perception import srgb_to_lab

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
# An add, removal or vanishing is refused before rendering where the target's recorded colour
# and its support's differ by under ``visibility.min_support_delta_e`` (ΔE*ab, the gate's
# measure on the rendered means): the same or a near colour name. On 157 draft adds on the
# slab (44 refused by the gate) this refused 8 of the 44 and 4 of the 113 it passed; the
# recorded colours say little more (a white binder on a red slab rendered ΔE 9-12: the
# slab's lighting compresses every colour).
# Change types held to the support-contrast gate (``Add``, ``Disappear``, ``Remove``).
SUPPORT_GATED = frozenset({"add", "disappear", "remove"})


def box_normals(obj: ObjectInstance, camera, pixels: np.ndarray, resolution) -> np.ndarray:
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
    yaw = obj.transform.rotation[2]
    turn = yaw_matrix(yaw)
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


def turn_changed_share(
    spec: PairSpec,
    change: Change,
    resolution: tuple[int, int],
    face_deg: float = TURN_FACE_DEG,
    face_weight: float = TURN_FACE_WEIGHT,
) -> float | None:
    """The predicted share of the turned target's pixels that change (the gate's measure,
    ``GateCheck.turn_changed_share``) from its box alone, each side through its own camera:
    the pixels one of its two boxes covers, and ``face_weight`` of those both cover whose
    face's normal turned by more than ``face_deg`` (shading follows the normal), over those
    either covers. None where the target is not in front of both cameras. A plain box turned a half-turn, or a
    square one a quarter, shows the same faces in the same places: 0."""
    if not change.targets:
        return None
    before, after = spec.before.find(change.targets[0]), spec.after.find(change.targets[0])
    if before is None or after is None:
        return None
    hulls = []
    for obj, scene in ((before, spec.before), (after, spec.after)):
        uv, depth = project(scene.camera, box_corners(obj), resolution)
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
    n0 = box_normals(before, spec.before.camera, grid, resolution)
    n1 = box_normals(after, spec.after.camera, grid, resolution)
    a, b = ~np.isnan(n0[:, 0]), ~np.isnan(n1[:, 0])
    union = int((a | b).sum())
    if not union:
        return None
    both = a & b
    cos = np.einsum("ij,ij->i", np.nan_to_num(n0), np.nan_to_num(n1))
    turned = both & (cos < np.cos(np.radians(face_deg)) - 1e-9)
    return (int((a ^ b).sum()) + face_weight * int(turned.sum())) / union


def outline_turn_share(spec: PairSpec, change: Change, resolution: tuple[int, int]) -> float | None:
    """The share of the union of the turned target's box outlines that one of them alone
    covers (``turn_changed_share`` with every face turned alike)."""
    return turn_changed_share(spec, change, resolution, face_deg=180.0)


def turn_reasons(spec: PairSpec, resolution: tuple[int, int]) -> list[str]:
    """The turn gate's reason, predicted: an orientation change whose box predicts under
    ``MIN_TURN_PREDICTED_SHARE`` of its pixels changed (``turn_changed_share``)."""
    reasons = []
    for change in spec.changes:
        if change.type != "orientation":
            continue
        share = turn_changed_share(spec, change, resolution)
        if share is not None and share < MIN_TURN_PREDICTED_SHARE:
            reasons.append("orientation: the turn predicted to change too little of the target")
    return reasons


def object_lab(obj: ObjectInstance) -> np.ndarray | None:
    """The CIELAB colour a spec records for an object (its ``attributes.rgb``, sRGB 0..1);
    None where it records none (a file's textured object, a library asset's own colours)."""
    rgb = obj.attributes.rgb
    if rgb is None:
        return None
    return srgb_to_lab(np.asarray(rgb, dtype=float).reshape(1, 3))[0]


def support_reasons(spec: PairSpec, min_delta_e: float) -> list[str]:
    """The support-contrast gate's reason, predicted: an added, removed or vanished target
    whose recorded colour and its support's differ by under ``min_delta_e`` (both recorded;
    otherwise the gate judges)."""
    reasons = []
    for change in spec.changes:
        if change.type not in SUPPORT_GATED or not change.targets:
            continue
        for side in ("before", "after"):
            scene = getattr(spec, side)
            obj = scene.find(change.targets[0])
            if obj is None:
                continue
            under = scene.find(obj.support)
            own = object_lab(obj)
            base = object_lab(under) if under is not None else None
            if own is None or base is None:
                continue
            if float(np.linalg.norm(own - base)) < min_delta_e:
                reasons.append(
                    f"{change.type}: target predicted to blend into its support ({side})"
                )
    return sorted(set(reasons))
