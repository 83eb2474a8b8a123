"""Render gates on how much of a target the render shows of what it would show alone.

A colour, size or move read inside a target's outline is lost when most of that outline is
behind nearer things: a rug under a tinted glass table recoloured, a rug shrunk under a table
and a cushion, a desk behind another desk shrunk, a van moved a little to end half behind a
box (review_std96m). The facts record only what shows (pixels, box), so the unoccluded extent
is the sampler's own prediction of the target alone in its scene (``predicted_footprint``,
walls kept, its kind's ``ASSET_FILL``); the render's mask over it is the share seen.
Thresholds: ``VisibilityConfig`` (evidence in benchmarks/calibration.md, review_std96m).
"""

from __future__ import annotations

import math

import numpy as np

from diffforge.scenes.changes.gating import GateCheck
from diffforge.scenes.geometry import predicted_footprint


def seen_whole_share(check: GateCheck) -> float | None:
    """The lower, over the sides the first target is in, of its rendered pixels over the
    pixels predicted for it alone in that side's scene (None: not predicted in view, or a
    user's .blend, whose objects' fill of their box is not measured)."""
    targets = check.targets()
    if check.vis is None or not targets or not check.generated():
        return None
    target = targets[0]
    size = check.diff.shape[1::-1]
    shares = []
    for scene, mask in zip((check.spec.before, check.spec.after), check.masks, strict=True):
        obj = scene.find(target)
        if obj is None:
            continue
        alone = predicted_footprint(
            scene.model_copy(update={"objects": [obj]}), target, size, check.vis.predict_fill
        )
        if alone is None or alone.pixels <= 0:
            continue
        shares.append(int((mask == check.ids[target]).sum()) / alone.pixels)
    return min(shares, default=None)


def seen_whole_reasons(check: GateCheck) -> list[str]:
    """A change read inside the target's outline (colour, material, size) shows
    ``visibility.min_seen_whole_share`` of the target on each side: the rest is behind
    nearer things."""
    return _seen_under(check, "min_seen_whole_share", "target mostly hidden")


def text_seen_whole_reasons(check: GateCheck) -> list[str]:
    """A sign whose words change, come or go shows ``visibility.min_text_seen_whole_share``
    of itself on each side: a word half behind a wardrobe cannot be read, nor checked against
    the caption's quote."""
    return _seen_under(check, "min_text_seen_whole_share", "sign partly hidden")


def _seen_under(check: GateCheck, setting: str, reason: str) -> list[str]:
    """``reason`` where the target's ``seen_whole_share`` is under ``visibility.<setting>``."""
    share = seen_whole_share(check)
    if share is None or share >= getattr(check.vis, setting):
        return []
    return [f"{check.change.type}: {reason}"]


def covered_size_reasons(check: GateCheck) -> list[str]:
    """A size change of a target partly hidden (``seen_whole_share`` under
    ``visibility.covered_size_seen_share``) changes its outline (mask XOR) by
    ``visibility.min_covered_size_outline_px``: the hidden part's change is not seen."""
    vis = check.vis
    share = seen_whole_share(check)
    if share is None or share >= vis.covered_size_seen_share:
        return []
    if check.outline_pixels() >= vis.scaled_px(
        vis.min_covered_size_outline_px, check.diff.shape[1::-1]
    ):
        return []
    return [f"{check.change.type}: a partly hidden target's size changes too little"]


def move_span(check: GateCheck) -> float | None:
    """How far the first target's visible pixels moved (their centroids), over the square
    root of the larger of its two visible areas: its move in its own sizes (None: not in
    both images)."""
    own = [m == check.ids[check.targets()[0]] for m in check.masks]
    if not all(x.any() for x in own):
        return None
    a, b = (np.argwhere(x).mean(axis=0) for x in own)
    return float(math.hypot(*(a - b))) / math.sqrt(max(int(x.sum()) for x in own))


def covered_move_reasons(check: GateCheck) -> list[str]:
    """A move of a target partly hidden on a side (``seen_whole_share`` under
    ``visibility.covered_move_seen_share``) spans ``visibility.min_covered_move_span`` of
    its size (``move_span``): a short move into cover reads as the same thing in place."""
    vis = check.vis
    share = seen_whole_share(check)
    if share is None or share >= vis.covered_move_seen_share:
        return []
    span = move_span(check)
    if span is None or span >= vis.min_covered_move_span:
        return []
    return [f"{check.change.type}: a short move of a partly hidden target"]
