"""The change mask held to the truth: the scene graphs say which objects changed, the rendered
instance masks say where they are.

``changed_objects`` reads the two scene graphs (not the change records the mask is built from),
so a mask that leaves out a side of a move, or covers the whole frame, disagrees with it.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from diffforge.dataset.files import load_image
from diffforge.render.facts import pixel_difference
from diffforge.scenes.model import PairSpec

DIFF = 12  # a visible difference, in 0..255 (Cycles noise with one seed is identical)


def changed_objects(spec: PairSpec) -> set[str]:
    """Ids whose scene-graph entry differs between before and after (or exists on one side)."""
    b = {o.id: o.model_dump() for o in spec.before.objects}
    a = {o.id: o.model_dump() for o in spec.after.objects}
    return {k for k in b.keys() | a.keys() if b.get(k) != a.get(k)}


def grow(mask: np.ndarray, r: int) -> np.ndarray:
    """The mask grown by r pixels (4-neighbourhood)."""
    out = mask.copy()
    for _ in range(r):
        m = out.copy()
        m[1:] |= out[:-1]
        m[:-1] |= out[1:]
        m[:, 1:] |= out[:, :-1]
        m[:, :-1] |= out[:, 1:]
        out = m
    return out


def pair_arrays(root: Path, rec) -> dict[str, np.ndarray]:
    """A written pair's images, instance masks, change mask and the changed objects' pixels."""
    scene = json.loads((root / rec.scene).read_text())
    spec = PairSpec.model_validate(scene["spec"])
    instances = scene["instances"]
    targets = changed_objects(spec)
    assert targets <= set(instances), (targets, instances)
    wanted = [instances[t] for t in targets]
    before, after = load_image(root / rec.masks.before), load_image(root / rec.masks.after)
    return {
        "before": load_image(root / rec.before),
        "after": load_image(root / rec.after),
        "change": load_image(root / rec.masks.change) > 0,
        "objects": np.isin(before, wanted) | np.isin(after, wanted),
    }


def assert_mask_holds_the_change(arrays: dict[str, np.ndarray], where: str) -> None:
    """The change mask lies within the changed objects' pixels (both images) grown by 1 px, and
    holds every pixel of theirs that visibly changed."""
    change, objects = arrays["change"], arrays["objects"]
    stray = change & ~grow(objects, 1)
    assert not stray.any(), (
        f"{where}: {int(stray.sum())} mask pixels off the changed objects "
        f"(mask {int(change.sum())} px, objects {int(objects.sum())} px)"
    )
    seen = objects & (pixel_difference(arrays["before"], arrays["after"]) > DIFF)
    missed = seen & ~change
    assert not missed.any(), f"{where}: {int(missed.sum())} visibly changed object px not in mask"
