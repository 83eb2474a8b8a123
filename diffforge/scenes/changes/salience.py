"""Render gates on whether a thing that comes, goes or is swapped draws the eye.

The outline and support gates (``GateCheck.edge_contrast_reasons``,
``support_contrast_reasons``) hold one bar for every pair; review_std96p found two cases
they passed that a viewer barely saw: a dark van gone from a night street while the whole
frame doubled in brightness (6600/16: the relighting takes the eye, so only a clear outline
is found), and a small red basket taken off a red counter (review_std96n 3700/47: a few
pixels that differ from what they stand on in shade, not in hue); review_std96t a grey wire
basket against a pink wall (5900/34: a small target's outline); review_std96x a striped teal
basket swapped for a cyan box of its size in its place (3500/21: a swap that keeps the
outline and the colour shows no change). Thresholds:
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


def swap_measures(check: GateCheck) -> tuple[float, float] | None:
    """For a swap (targets: the old thing, then the new): the share of the union of the old
    thing's pixels (before) and the new one's (after) that both cover, and the ΔE*ab between
    their mean rendered colours (None: either not in view)."""
    targets = check.change.targets
    if len(targets) < 2 or not all(t in check.ids for t in targets[:2]):
        return None
    old = check.masks[0] == check.ids[targets[0]]
    new = check.masks[1] == check.ids[targets[1]]
    a, b = mean_lab(check.images[0], old), mean_lab(check.images[1], new)
    if a is None or b is None:
        return None
    overlap = int((old & new).sum()) / max(int((old | new).sum()), 1)
    return overlap, float(np.linalg.norm(a - b))


def swap_look_reasons(check: GateCheck) -> list[str]:
    """A new thing that covers the old one's place (``visibility.swap_same_place_overlap`` of
    their pixels' union) differs from it in colour by ``visibility.min_swap_look_delta_e``:
    with the outline and the colour kept, only the shape's detail changes, which a viewer
    barely finds. Generated scenes."""
    vis = check.vis
    if vis is None or vis.min_swap_look_delta_e <= 0 or not check.generated():
        return []
    measures = swap_measures(check)
    if measures is None:
        return []
    overlap, delta_e = measures
    if overlap >= vis.swap_same_place_overlap and delta_e < vis.min_swap_look_delta_e:
        return [f"{check.change.type}: the new thing keeps the old one's place and colour"]
    return []
