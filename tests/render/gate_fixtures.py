"""Hand-made gate checks for the visibility-rule tests (test_visibility_rules_96*): masks
drawn as blocks of instance indices, their render facts, and a ``GateCheck`` built the way the
gates build one, so that each test states only the case it holds."""

from __future__ import annotations

import numpy as np

from diffforge.config import VisibilityConfig
from diffforge.scenes.changes import GateCheck

VIS = VisibilityConfig()


def block(mask: np.ndarray, index: int, y0: int, y1: int, x0: int, x1: int) -> np.ndarray:
    """A copy of ``mask`` with rows y0:y1, columns x0:x1 set to instance ``index``."""
    mask = mask.copy()
    mask[y0:y1, x0:x1] = index
    return mask


def mask_facts(masks, ids: dict[str, int]) -> dict:
    """Render facts (pixels, box) of every id of ``ids`` present in the before/after masks."""
    out: dict = {"before": {}, "after": {}}
    for side, mask in zip(out, masks, strict=True):
        for name, index in ids.items():
            ys, xs = np.nonzero(mask == index)
            if len(ys):
                box = [int(xs.min()), int(ys.min()), int(xs.max()), int(ys.max())]
                out[side][name] = {"pixels": len(ys), "box": box}
    return out


def gate_check(
    spec,
    change,
    masks,
    ids: dict[str, int],
    *,
    images=None,
    diff: np.ndarray | None = None,
    vis: VisibilityConfig = VIS,
    relit: bool = False,
    facts: bool = True,
) -> GateCheck:
    """A gate's view of ``change`` on hand-made masks: black images unless ``images``, every
    pixel changed unless ``diff``, render facts from the masks unless ``facts`` is off."""
    size = masks[0].shape
    if images is None:
        images = (np.zeros((*size, 3), np.uint8), np.zeros((*size, 3), np.uint8))
    diff = np.ones(size, bool) if diff is None else diff
    target_min = vis.target_pixels(size[::-1])
    found = mask_facts(masks, ids) if facts else {}
    return GateCheck(spec, change, ids, found, images, masks, diff, 12, target_min, 11, vis, relit)
