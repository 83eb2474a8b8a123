"""Render gates on whether a thing that comes, goes or is swapped draws the eye.

The outline and support gates (``GateCheck.edge_contrast_reasons``,
``support_contrast_reasons``) hold one bar for every pair; review_std96p found two cases
they passed that a viewer barely saw: a dark van gone from a night street while the whole
frame doubled in brightness (6600/16: the relighting takes the eye, so only a clear outline
is found), and a small red basket taken off a red counter (review_std96n 3700/47: a few
pixels that differ from what they stand on in shade, not in hue); review_std96t a grey wire
basket against a pink wall (5900/34: a small target's outline). Thresholds:
``VisibilityConfig`` (evidence in benchmarks/calibration.md, review_std96p).
"""

from __future__ import annotations

import numpy as np

from diffforge.scenes.changes.gating import GateCheck, mean_lab


def relit_edge_reasons(check: GateCheck) -> list[str]:
    """Beside a relighting (``GateCheck.relit``), the target's outline shows by
    ``visibility.min_relit_edge_delta_e`` (``GateCheck.edge_contrast``) on each side it is
    in: every pixel of the frame changes, so a target that barely stands out from its
    surround is lost in the change of light. Generated scenes."""
    vis = check.vis
    if vis is None or not check.relit or not check.targets() or not check.generated():
        return []
    if vis.min_relit_edge_delta_e <= 0:
        return []
    if check.edge_contrast() < vis.min_relit_edge_delta_e:
        return [f"{check.change.type}: target blends into its surround beside a relighting"]
    return []


def support_contrast(check: GateCheck) -> float | None:
    """The lowest, over the sides the first target is in, of the ΔE*ab between its mean
    rendered colour and that of the object it stands on (None: no support in view)."""
    targets = check.targets()
    if not targets or targets[0] not in check.ids:
        return None
    worst = None
    for side, image, mask in zip(("before", "after"), check.images, check.masks, strict=True):
        obj = getattr(check.spec, side).find(targets[0])
        if obj is None or obj.support not in check.ids:
            continue
        own = mean_lab(image, mask == check.ids[targets[0]])
        under = mean_lab(image, mask == check.ids[obj.support])
        if own is None or under is None:
            continue
        gap = float(np.linalg.norm(own - under))
        worst = gap if worst is None else min(worst, gap)
    return worst


def small_blend_reasons(check: GateCheck) -> list[str]:
    """A target under ``visibility.small_target_factor`` times the target threshold (its
    larger side's pixels) differs from its support by ``visibility.min_small_support_delta_e``
    and shows its outline by ``visibility.min_small_edge_delta_e``: a few pixels are found
    only where they stand out from what they stand on and from what is around them.
    Generated scenes."""
    vis = check.vis
    if vis is None or not check.targets() or not check.generated():
        return []
    if vis.small_target_factor <= 0 or check.target_pixels() >= (
        vis.small_target_factor * check.target_min
    ):
        return []
    gap = support_contrast(check)
    if gap is not None and gap < vis.min_small_support_delta_e:
        return [f"{check.change.type}: a small target blends into its support"]
    if vis.min_small_edge_delta_e > 0 and check.edge_contrast() < vis.min_small_edge_delta_e:
        return [f"{check.change.type}: a small target blends into its surround"]
    return []
