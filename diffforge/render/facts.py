"""Render facts from instance masks (pure numpy): visible pixels, 2D boxes, mean colours,
change masks.

Captions and quality gates read these, never pixels alone, so they are computed exactly from
the non-anti-aliased object-index pass.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from diffforge.scenes.changes import operator_for
from diffforge.scenes.geometry import predicted_footprints
from diffforge.scenes.model import ObjectInstance, PairSpec
from diffforge.scenes.perception import mean_labs, stored_lab

# Change types that alter the whole picture: their change mask is the whole image.


def is_scene_wide(change_type: str) -> bool:
    """Whether a change of this type changes the whole frame (its operator declares it):
    viewpoint, illumination, and any plugin type declared ``scene_wide``."""
    op = operator_for(change_type)
    return op is not None and op.scene_wide


def writes_text(change_type: str) -> bool:
    """Whether a change of this type writes sign text (its operator declares it)."""
    op = operator_for(change_type)
    return op is not None and op.writes_text


# The string a text change's sign shows on each side: the old one before, the new one after.
SIGN_SIDES = (("before", "old"), ("after", "new"))


def text_signs(
    spec: PairSpec, facts: dict[str, dict[str, Any]]
) -> Iterator[tuple[str, str, ObjectInstance | None, list[int] | None]]:
    """(side, "old"/"new", sign, its box in ``facts`` or None) for every sign a text change
    writes on, on both sides: what the OCR gate reads, its prediction and the probe frame."""
    for change in spec.changes:
        if not writes_text(change.type):
            continue
        for target in change.targets:
            for side, word in SIGN_SIDES:
                box = (facts[side].get(target) or {}).get("box")
                yield side, word, getattr(spec, side).find(target), box


def instance_ids(spec: PairSpec) -> dict[str, int]:
    """Object id -> pass index (1..), shared by before and after so masks compare directly.

    Before's objects first, then objects that exist only after, in scene order: deterministic
    from the spec alone. 0 is the environment/background.
    """
    ids: dict[str, int] = {}
    for scene in (spec.before, spec.after):
        for obj in scene.objects:
            ids.setdefault(obj.id, len(ids) + 1)
    if len(ids) > 32767:  # Object.pass_index limit
        raise ValueError(f"pair {spec.id}: {len(ids)} objects exceed the pass-index range")
    return ids


def object_facts(
    mask: np.ndarray,
    ids: dict[str, int],
    present: set[str],
    image: np.ndarray | None = None,
) -> dict[str, Any]:
    """Per object in ``present``: visible pixel count and 2D box [x0, y0, x1, y1] (inclusive);
    with the rendered ``image``, also its pixels' mean CIELAB colour (``lab``): what a caption
    checks a colour word against."""
    counts = np.bincount(mask.ravel(), minlength=max(ids.values(), default=0) + 1)
    labs = mean_labs(image, mask, len(counts)) if image is not None else None
    out: dict[str, Any] = {}
    for obj_id, idx in ids.items():
        if obj_id not in present:
            continue
        n = int(counts[idx]) if idx < len(counts) else 0
        box = None
        if n:
            ys, xs = np.nonzero(mask == idx)
            box = [int(xs.min()), int(ys.min()), int(xs.max()), int(ys.max())]
        out[obj_id] = {"pixels": n, "box": box}
        if labs is not None and n:
            out[obj_id]["lab"] = stored_lab(labs[idx])
    return out


def predicted_facts(
    spec: PairSpec, resolution: tuple[int, int], fill: float
) -> dict[str, dict[str, Any]]:
    """The facts a render would give (``object_facts`` per side), from the sampler's
    prediction (rays cast against object boxes): what the captioner can check before a pair
    is rendered."""
    out: dict[str, dict[str, Any]] = {}
    for side, scene in (("before", spec.before), ("after", spec.after)):
        feet = predicted_footprints(scene, resolution, fill)
        out[side] = {}
        for obj in scene.objects:
            foot = feet.get(obj.id)
            n = round(foot.pixels) if foot is not None else 0
            box = [round(v) for v in foot.box] if foot is not None and n else None
            out[side][obj.id] = {"pixels": n, "box": box}
    return out


def change_targets(spec: PairSpec) -> set[str]:
    """Ids of objects whose pixels make up the change mask (object-level changes only)."""
    ids = {o.id for s in (spec.before, spec.after) for o in s.objects}
    targets: set[str] = set()
    for change in spec.changes:
        if is_scene_wide(change.type):
            continue
        targets.update(t for t in change.targets if t in ids)
        for side in (change.before, change.after):  # e.g. replace: the new object's id
            value = side.get("id")
            if isinstance(value, str) and value in ids:
                targets.add(value)
    return targets


def change_mask(
    spec: PairSpec, ids: dict[str, int], before: np.ndarray, after: np.ndarray
) -> np.ndarray:
    """Bool mask: union of changed objects' pixels in both images; all for global changes."""
    if any(is_scene_wide(c.type) for c in spec.changes):
        return np.ones(before.shape, dtype=bool)
    wanted = np.array(sorted(ids[t] for t in change_targets(spec)), dtype=before.dtype)
    if wanted.size == 0:
        return np.zeros(before.shape, dtype=bool)
    return np.isin(before, wanted) | np.isin(after, wanted)


def pixel_difference(before: np.ndarray, after: np.ndarray) -> np.ndarray:
    """Per-pixel max absolute channel difference of two uint8 images, in 0..255."""
    a = before.astype(np.int16)
    b = after.astype(np.int16)
    return np.abs(a - b).max(axis=-1) if a.ndim == 3 else np.abs(a - b)
