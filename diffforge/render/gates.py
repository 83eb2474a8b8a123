"""Quality gates: a pair is kept only if each change is visible in the render.

A failing pair is resampled by the pipeline with the next attempt (sub-seed); the reason strings
returned here are what ``dataset.json`` counts.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from typing import Any

import numpy as np
from PIL import Image

from diffforge.config import VisibilityConfig
from diffforge.errors import DiffforgeError
from diffforge.render.facts import GLOBAL_CHANGES, pixel_difference
from diffforge.scenes.model import PairSpec
from diffforge.scenes.perception import delta_e2000, srgb_to_lab

# A pixel "changed" when some channel moved by more than this (0..255): above 4-spp noise.
DIFF_THRESHOLD = 24
# A global change (light, camera) must change at least this fraction of the image.
GLOBAL_MIN_FRACTION = 0.02


def _targets(change, ids: dict[str, int]) -> list[str]:
    out = [t for t in change.targets if t in ids]
    for side in (change.before, change.after):
        value = side.get("id")
        if isinstance(value, str) and value in ids and value not in out:
            out.append(value)
    return out


def check_pair(
    spec: PairSpec,
    ids: dict[str, int],
    facts: dict[str, dict[str, Any]],
    images: tuple[np.ndarray, np.ndarray],
    masks: tuple[np.ndarray, np.ndarray],
    min_pixels: int,
    visibility: VisibilityConfig | None = None,
) -> list[str]:
    """Reasons the pair fails (empty: it passes). ``facts`` is {"before": .., "after": ..}.

    With ``visibility`` (the config's section) each change is judged as a viewer sees it: the
    target's visible footprint in each image it is in (occlusion included) against a threshold
    relative to the frame, a silhouette change for turns, sizes and poses, the visible count
    for counts, and illumination measured on the image with camera jitter's edges left out.
    Without it, the old per-object pixel minimum applies (hand-built test pairs).
    """
    reasons: list[str] = []
    diff = pixel_difference(*images) > DIFF_THRESHOLD
    h, w = diff.shape
    vis = visibility
    target_min = vis.target_pixels((w, h)) if vis is not None else min_pixels
    min_changed = (
        max(1, int(vis.min_changed_share * target_min)) if vis else max(min_pixels // 2, 1)
    )
    if vis is not None:
        for side, img, scene in zip(
            ("before", "after"), images, (spec.before, spec.after), strict=True
        ):
            luma = img[..., :3].astype(np.float32) @ np.array([0.2126, 0.7152, 0.0722])
            if float(luma.mean()) < dark_limit(scene, vis.min_mean_luma):
                reasons.append(f"image too dark ({side})")
    for change in spec.changes:
        if change.type == "none":
            continue
        if change.type == "illumination" and vis is not None:
            reasons += illumination_reasons(change, images, masks, vis)
            continue
        if change.type in GLOBAL_CHANGES:
            if diff.mean() < GLOBAL_MIN_FRACTION:
                reasons.append(f"{change.type}: change not visible")
            continue
        if change.type == "count" and vis is not None:
            reasons += count_reasons(change, spec, facts, min_pixels)
        targets = _targets(change, ids)
        region = np.zeros(diff.shape, dtype=bool)
        for obj_id in targets:
            for side, mask in zip(("before", "after"), masks, strict=True):
                fact = facts[side].get(obj_id)
                if fact is None:  # the object does not exist on this side
                    continue
                if change.type == "count" and vis is not None:
                    pass  # each copy need not be large: the count is judged on its own
                elif fact["pixels"] < target_min:
                    reasons.append(f"{change.type}: target not visible ({side})")
                region |= mask == ids[obj_id]
        if targets and int((diff & region).sum()) < min_changed:
            reasons.append(f"{change.type}: change not visible")
        if vis is not None and change.type in CONTRAST_CHANGES and targets:
            reasons += contrast_reasons(change.type, ids[targets[0]], images, masks, vis)
        if vis is not None and change.type in SILHOUETTE_CHANGES and targets:
            obj_id = targets[0]
            a, b = masks[0] == ids[obj_id], masks[1] == ids[obj_id]
            area = max(int(a.sum()), int(b.sum()), 1)
            if int((a ^ b).sum()) < vis.min_silhouette_change * area:
                reasons.append(f"{change.type}: silhouette unchanged")
    if vis is not None and not {c.type for c in spec.changes} & GLOBAL_CHANGES:
        reasons += unrecorded_light_reasons(spec, ids, images, masks, vis)
    return sorted(set(reasons))


# A night street is dark by design (lit lamps on a dark sky): a third of the limit applies.
NIGHT_DARK_SHARE = 1 / 3


def dark_limit(scene, limit: float) -> float:
    """The mean luminance below which a frame of ``scene`` counts as near-black."""
    night = getattr(scene.environment, "time_of_day", None) == "night"
    return limit * NIGHT_DARK_SHARE if night else limit


# Changes whose target keeps its colours but must change its outline to be seen.
SILHOUETTE_CHANGES = frozenset({"orientation", "size", "pose"})


# Changes whose target keeps its outline but must change its colour to be seen.
CONTRAST_CHANGES = frozenset({"color", "material"})


def mean_lab(image: np.ndarray, region: np.ndarray) -> np.ndarray | None:
    """Mean CIELAB colour of ``region`` (None when empty): averaged in Lab, so a highlight
    counts as much as a viewer sees it, not as much as its sRGB values weigh."""
    if not region.any():
        return None
    return srgb_to_lab(image[..., :3][region].astype(np.float64) / 255.0).mean(axis=0)


def target_delta_e(
    index: int, images: tuple[np.ndarray, np.ndarray], masks: tuple[np.ndarray, np.ndarray]
) -> float | None:
    """CIEDE2000 between the target's mean visible colour before and after (each image's
    own target pixels, so a moved camera still compares the same object)."""
    labs = [mean_lab(img, mask == index) for img, mask in zip(images, masks, strict=True)]
    if labs[0] is None or labs[1] is None:
        return None
    return float(delta_e2000(labs[0], labs[1]))


def contrast_reasons(kind: str, index: int, images, masks, vis: VisibilityConfig) -> list[str]:
    """A colour or material change a viewer can tell: the target's mean colour moves by
    ``visibility.min_delta_e`` (a hue step between neighbours, glossy to matte on a small
    object in shadow, pass the area gates and still cannot be seen)."""
    de = target_delta_e(index, images, masks)
    if de is None or de >= vis.min_delta_e:
        return []
    return [f"{kind}: contrast too low"]


def unrecorded_light_reasons(spec: PairSpec, ids, images, masks, vis) -> list[str]:
    """An after image brighter or darker than the before with no illumination change: the
    caption could not say so. Measured on what stayed the same (changed objects left out)."""
    changed = np.zeros(masks[0].shape, dtype=bool)
    for change in spec.changes:
        for obj_id in _targets(change, ids):
            changed |= (masks[0] == ids[obj_id]) | (masks[1] == ids[obj_id])
    keep = stable_pixels(masks) & ~changed
    if keep.sum() < 0.05 * keep.size:
        return []
    luma = np.array([0.2126, 0.7152, 0.0722], dtype=np.float32)
    la, lb = (float((img[..., :3][keep].astype(np.float32) @ luma).mean()) for img in images)
    ratio = (lb + 1.0) / (la + 1.0)
    limit = 1.0 + vis.max_unrecorded_luma_change
    if 1 / limit <= ratio <= limit:
        return []
    return [
        f"lighting changed without an illumination change ({'darker' if ratio < 1 else 'brighter'})"
    ]


def stable_pixels(masks: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Pixels showing the same object in both images, away from its edges: what is left of the
    image once camera jitter's moved edges are excluded."""
    same = masks[0] == masks[1]
    inner = same.copy()
    inner[1:, :] &= same[:-1, :]
    inner[:-1, :] &= same[1:, :]
    inner[:, 1:] &= same[:, :-1]
    inner[:, :-1] &= same[:, 1:]
    return inner


def illumination_measures(
    images: tuple[np.ndarray, np.ndarray], masks: tuple[np.ndarray, np.ndarray]
) -> dict[str, float]:
    """Luminance ratio, blue-minus-red shift (levels) and changed share, on stable pixels."""
    keep = stable_pixels(masks)
    if keep.sum() < 0.05 * keep.size:  # nearly everything moved: fall back to the whole frame
        keep = np.ones_like(keep)
    a = images[0][..., :3].astype(np.float32)[keep]
    b = images[1][..., :3].astype(np.float32)[keep]
    luma = np.array([0.2126, 0.7152, 0.0722], dtype=np.float32)
    la, lb = float((a @ luma).mean()), float((b @ luma).mean())
    tint = float(((b[:, 2] - b[:, 0]) - (a[:, 2] - a[:, 0])).mean())
    changed = float((np.abs(b - a).max(axis=1) > DIFF_THRESHOLD).mean())
    return {"luma_ratio": (lb + 1.0) / (la + 1.0), "tint": tint, "changed": changed}


def illumination_reasons(change, images, masks, vis: VisibilityConfig) -> list[str]:
    m = illumination_measures(images, masks)
    kind = change.params.get("kind", "")
    if kind == "brighter":
        ok = m["luma_ratio"] >= 1 + vis.illumination_luma_ratio
    elif kind == "darker":
        ok = m["luma_ratio"] <= 1 / (1 + vis.illumination_luma_ratio)
    elif kind == "warmer":
        ok = m["tint"] <= -vis.illumination_tint
    elif kind == "cooler":
        ok = m["tint"] >= vis.illumination_tint
    else:  # light_on, light_off, sun_angle: part of the scene changes strongly
        ok = m["changed"] >= vis.illumination_local_fraction
        if kind in ("light_on", "light_off"):  # ... and a lamp's light shows in the whole frame
            ratio = m["luma_ratio"] if kind == "light_on" else 1 / m["luma_ratio"]
            ok = ok and ratio >= 1 + vis.illumination_switch_luma_ratio
    return [] if ok else [f"illumination: change not visible ({kind})"]


def count_reasons(change, spec: PairSpec, facts, min_pixels: int) -> list[str]:
    """A count change is seen only if the number of *visible* copies differs."""
    category = change.params.get("category")
    counts = []
    for side, scene in (("before", spec.before), ("after", spec.after)):
        n = 0
        for obj in scene.objects:
            f = facts[side].get(obj.id)
            if obj.category == category and f and f["pixels"] >= max(min_pixels, 1):
                n += 1
        counts.append(n)
    return [] if counts[0] != counts[1] else ["count: visible count unchanged"]


def edit_distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def _normalise(text: str) -> str:
    return " ".join("".join(c for c in text.upper() if c.isalnum() or c.isspace()).split())


def ocr_reasons(spec: PairSpec, facts_after: dict[str, Any], after: np.ndarray) -> list[str]:
    """Legibility gate: Tesseract must read each new sign string back from the after image.

    Within edit distance max(1, len // 6); the crop is the sign's 2D box, upscaled 4×.
    """
    exe = shutil.which("tesseract")
    if exe is None:
        raise DiffforgeError("render.ocr_gate: needs Tesseract (Debian package tesseract-ocr)")
    reasons = []
    for change in spec.changes:
        if change.type != "text":
            continue
        for target in change.targets:
            obj = spec.after.find(target)
            box = (facts_after.get(target) or {}).get("box")
            if obj is None or obj.text is None or box is None:
                continue
            x0, y0, x1, y1 = box
            crop = Image.fromarray(after[y0 : y1 + 1, x0 : x1 + 1])
            crop = crop.resize((crop.width * 4, crop.height * 4), Image.LANCZOS)
            buf = io.BytesIO()
            crop.save(buf, format="PNG")
            out = subprocess.run(
                [exe, "stdin", "stdout", "--psm", "7"],
                input=buf.getvalue(),
                capture_output=True,
                timeout=30,
            ).stdout.decode(errors="replace")
            want, got = _normalise(obj.text.string), _normalise(out)
            if edit_distance(want, got) > max(1, len(want) // 6):
                reasons.append("text: new text not legible")
    return reasons
