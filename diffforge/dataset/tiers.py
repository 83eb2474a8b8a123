"""How hard each change of a pair is to see: the difficulty tiers grounded evaluation breaks
its recall down by.

Measured at generation from the exact instance masks and the rendered images, and stored in
the records (``ChangeRecord.tiers``: ``visible``, the share of the frame the changed objects
cover in the image where they cover most; ``contrast``, the mean per-pixel difference, 0-255,
over their pixels in both images, the whole frame for a scene-wide change; the pair's
``distractors``: nuisance differences such as camera and light jitter). Datasets written before
the tiers existed are measured from their files (``pair_tiers`` with the dataset root). The
thresholds that turn measures into levels are here, in one place.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from diffforge.dataset.records import PairRecord

# visible share of the frame: below the first is "small", below the second "medium"
AREA_LEVELS = (0.005, 0.03)
# mean per-pixel difference (0-255): below the first is "low", below the second "medium".
# First edges: 11 changes of an 8-pair draft render of configs/benchmarks/grounded.yaml ranged
# 36-93 (the changed objects' pixels in either image); recalibrate on a full benchmark split.
CONTRAST_LEVELS = (30.0, 60.0)


def _targets(change: Mapping[str, Any], ids: Mapping[str, int]) -> list[int]:
    names = set(change.get("targets") or [])
    for side in (change.get("before") or {}, change.get("after") or {}):
        if isinstance(side.get("id"), str):
            names.add(side["id"])
    return sorted(ids[n] for n in names if n in ids)


def change_measures(
    changes: Sequence[Mapping[str, Any]],
    ids: Mapping[str, int],
    masks: tuple[np.ndarray, np.ndarray],
    images: tuple[np.ndarray, np.ndarray],
) -> list[dict[str, float]]:
    """Per change (record dicts, in order): ``visible`` and ``contrast``. A change whose
    targets are no objects of the frame (light, camera) is measured over the whole frame
    (``visible`` 1.0); ``none`` gets no measures."""
    before, after = (np.asarray(m) for m in masks)
    a = np.asarray(images[0], dtype=np.int16)[..., :3]
    b = np.asarray(images[1], dtype=np.int16)[..., :3]
    diff = np.abs(a - b).max(axis=-1)
    frame = float(before.size)
    out: list[dict[str, float]] = []
    for change in changes:
        if change.get("type") == "none":
            out.append({})
            continue
        wanted = _targets(change, ids)
        if not wanted:
            out.append({"visible": 1.0, "contrast": round(float(diff.mean()), 2)})
            continue
        in_b, in_a = np.isin(before, wanted), np.isin(after, wanted)
        region = in_b | in_a
        visible = max(int(in_b.sum()), int(in_a.sum())) / frame
        contrast = float(diff[region].mean()) if region.any() else 0.0
        out.append({"visible": round(visible, 5), "contrast": round(contrast, 2)})
    return out


def levels(measures: Mapping[str, Any]) -> dict[str, str]:
    """``area`` (scene | large | medium | small) and ``contrast`` (high | medium | low)."""
    out: dict[str, str] = {}
    v = measures.get("visible")
    if isinstance(v, int | float):
        out["area"] = "scene" if v >= 1.0 else _level(v, AREA_LEVELS, ("small", "medium", "large"))
    c = measures.get("contrast")
    if isinstance(c, int | float):
        out["contrast"] = _level(c, CONTRAST_LEVELS, ("low", "medium", "high"))
    return out


def _level(value: float, edges: tuple[float, float], names: tuple[str, str, str]) -> str:
    return names[0] if value < edges[0] else names[1] if value < edges[1] else names[2]


def _measured_from_files(root: Path, rec: PairRecord) -> list[dict[str, float]] | None:
    """The measures of a pair written before records held them, from its scene record,
    instance masks and images (None where any is missing)."""
    from PIL import Image

    from diffforge.dataset.reader import read_scene

    scene = read_scene(root, rec)
    if not scene or "instances" not in scene or rec.masks is None:
        return None
    files = [rec.masks.before, rec.masks.after, rec.before, rec.after]
    if not all(f and (root / f).is_file() for f in files):
        return None
    arrays = []
    for f in files:
        with Image.open(root / f) as im:
            arrays.append(np.asarray(im.convert("RGB") if f in (rec.before, rec.after) else im))
    changes = [c.to_dict() for c in rec.changes]
    masks, images = (arrays[0], arrays[1]), (arrays[2], arrays[3])
    return change_measures(changes, scene["instances"], masks, images)


def pair_tiers(rec: PairRecord, root: Path | None = None) -> dict[str, Any]:
    """``{"pair": "yes" | "no" | None, "changes": {index: {"area", "contrast"}}}``: the
    distractors tier of the pair and the levels of each change, from the record, else (with
    ``root``) from the dataset's files; None or missing where neither says."""
    distractors = rec.distractors
    measured: list[dict[str, Any]] = [dict(c.tiers or {}) for c in rec.changes]
    missing = any(not m for m, c in zip(measured, rec.changes, strict=True) if c.type != "none")
    scene: dict[str, Any] | None = None
    if root is not None and (missing or distractors is None):
        from diffforge.dataset.reader import read_scene

        scene = read_scene(root, rec)
        if missing:
            measured = _measured_from_files(root, rec) or measured
    if distractors is None and scene is not None:
        distractors = [d.get("type") for d in (scene.get("spec") or {}).get("distractors", [])]
    return {
        "pair": None if distractors is None else ("yes" if distractors else "no"),
        "changes": {k: levels(m) for k, m in enumerate(measured) if m},
    }
