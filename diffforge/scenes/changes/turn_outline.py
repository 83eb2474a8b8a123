"""A turn of a shape with a front whose outline after matches the outline before, as it is or
mirrored: a box-like shopping cart turned 135 degrees kept its box and moved only its small
handle to the other end, and read as unturned (review_std96m 8600/22). The changed share of
its pixels (0.52) did not tell it from a chair turned 150 degrees and seen clearly (0.53, 96h);
its outline did. Threshold: ``VisibilityConfig.max_turn_outline_match`` (evidence in
benchmarks/calibration.md, review_std96m).
"""

from __future__ import annotations

import numpy as np

from diffforge.scenes.changes.gating import GateCheck

# Pixels either way the centroid-aligned outlines may slide to find their best overlap.
SLACK_PX = 2


def outline_match(before: np.ndarray, after: np.ndarray) -> float:
    """The best intersection over union of the after mask with the before one, centroids
    aligned (within ``SLACK_PX``), the after as it is or mirrored left to right."""
    if not before.any() or not after.any():
        return 0.0
    centre = np.argwhere(before).mean(axis=0)
    n_before = int(before.sum())
    best = 0.0
    for other in (after, after[:, ::-1]):
        shift = np.rint(centre - np.argwhere(other).mean(axis=0)).astype(int)
        n_other = int(other.sum())
        for dy in range(-SLACK_PX, SLACK_PX + 1):
            for dx in range(-SLACK_PX, SLACK_PX + 1):
                inter = _overlap(before, other, int(shift[0]) + dy, int(shift[1]) + dx)
                best = max(best, inter / (n_before + n_other - inter))
    return best


def _overlap(a: np.ndarray, b: np.ndarray, dy: int, dx: int) -> int:
    """Pixels set in ``a`` and in ``b`` moved by (dy, dx) (what moves off the frame is lost: a
    target's outline keeps a margin from the frame's edge, so nothing wraps round)."""
    h, w = a.shape
    ya, yb = max(dy, 0), max(-dy, 0)
    xa, xb = max(dx, 0), max(-dx, 0)
    hh, ww = h - abs(dy), w - abs(dx)
    if hh <= 0 or ww <= 0:
        return 0
    return int(np.count_nonzero(a[ya : ya + hh, xa : xa + ww] & b[yb : yb + hh, xb : xb + ww]))


def turn_outline_reasons(check: GateCheck) -> list[str]:
    """A turn of a shape with a front (``symmetry`` 1; folded shapes have their own gates)
    whose outline matches its old one by more than ``visibility.max_turn_outline_match``."""
    vis = check.vis
    if vis is None or not check.targets() or check.change.params.get("symmetry", 1) != 1:
        return []
    a, b = (m == check.ids[check.targets()[0]] for m in check.masks)
    if outline_match(a, b) > vis.max_turn_outline_match:
        return [f"{check.change.type}: the turned outline matches the old one"]
    return []
