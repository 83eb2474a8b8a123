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
from diffforge.render.facts import pixel_difference, text_signs
from diffforge.scenes.changes import ChangeOperator, GateCheck, operator_for
from diffforge.scenes.changes.gating import (
    DIFF_THRESHOLD,
    change_objects,
    contrast_reasons,
    stable_pixels,
    target_delta_e,
)
from diffforge.scenes.changes.scene_wide import illumination_measures, illumination_reasons
from diffforge.scenes.model import PairSpec
from diffforge.srgb import luma

# Measures of the change types' own gates, imported from here by tests and benchmarks.
__all__ = [
    "DIFF_THRESHOLD",
    "check_pair",
    "contrast_reasons",
    "dark_limit",
    "illumination_measures",
    "illumination_reasons",
    "ocr_reasons",
    "reads_as",
    "sign_reads",
    "target_delta_e",
]


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

    Each change is judged by its type's gate (``ChangeOperator.gate``, read from the change
    registry): with ``visibility`` (the config's section) as a viewer sees it, the target's
    visible footprint in each image it is in (occlusion included) against a threshold
    relative to the frame, plus the type's own measure (a silhouette change for turns, sizes
    and poses, colour contrast, the visible count, illumination on the image with camera
    jitter's edges left out). Without it, the old per-object pixel minimum applies
    (hand-built test pairs). A type this process cannot load gets the default gate.
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
            if float(luma(img).mean()) < dark_limit(scene, vis.min_mean_luma):
                reasons.append(f"image too dark ({side})")
    ops = [operator_for(c.type) or ChangeOperator() for c in spec.changes]
    scene_change = any(op.scene_wide for op in ops)
    for change, op in zip(spec.changes, ops, strict=True):
        if op.gate is None:
            continue
        relit = any(o.relights for o, c in zip(ops, spec.changes, strict=True) if c is not change)
        check = GateCheck(
            spec, change, ids, facts, images, masks, diff, min_pixels, target_min, min_changed, vis,
            relit,
        )  # fmt: skip
        reasons += op.gate(check)
        if not op.scene_wide:  # a small change beside others is lost (every type's gate)
            # a sign's letters: the OCR gate's, not the scene-change rule's
            reasons += check.shared_reasons(scene_change and not op.writes_text)
            reasons += check.hidden_reasons()  # covered by another change's object
    if vis is not None and not any(op.scene_wide for op in ops):
        reasons += unrecorded_light_reasons(spec, ids, images, masks, vis)
    return sorted(set(reasons))


# A night street is dark by design (lit lamps on a dark sky): a third of the limit applies.
NIGHT_DARK_SHARE = 1 / 3


def dark_limit(scene, limit: float) -> float:
    """The mean luminance below which a frame of ``scene`` counts as near-black."""
    night = getattr(scene.environment, "time_of_day", None) == "night"
    return limit * NIGHT_DARK_SHARE if night else limit


def unrecorded_light_reasons(spec: PairSpec, ids, images, masks, vis) -> list[str]:
    """An after image brighter or darker than the before with no illumination change: the
    caption could not say so. Measured on what stayed the same (changed objects left out)."""
    changed = np.zeros(masks[0].shape, dtype=bool)
    for change in spec.changes:
        for obj_id in change_objects(change, ids):
            changed |= (masks[0] == ids[obj_id]) | (masks[1] == ids[obj_id])
    keep = stable_pixels(masks) & ~changed
    if keep.sum() < 0.05 * keep.size:
        return []
    la, lb = (float(luma(img[..., :3][keep]).mean()) for img in images)
    ratio = (lb + 1.0) / (la + 1.0)
    limit = 1.0 + vis.max_unrecorded_luma_change
    if 1 / limit <= ratio <= limit:
        return []
    return [
        f"lighting changed without an illumination change ({'darker' if ratio < 1 else 'brighter'})"
    ]


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


def _tesseract(image: Image.Image) -> str:
    exe = shutil.which("tesseract")
    if exe is None:
        raise DiffforgeError("render.ocr_gate: needs Tesseract (Debian package tesseract-ocr)")
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return subprocess.run(
        [exe, "stdin", "stdout", "--psm", "7"],
        input=buf.getvalue(),
        capture_output=True,
        timeout=30,
    ).stdout.decode(errors="replace")


def _sign_views(image: np.ndarray, box: tuple[int, int, int, int] | list[int]):
    """The sign's crop (upscaled 4×) as Tesseract is shown it: grey first, then each colour
    channel, where letters and board of equal brightness still differ (blue on green)."""
    x0, y0, x1, y1 = box
    crop = Image.fromarray(image[y0 : y1 + 1, x0 : x1 + 1])
    crop = crop.resize((crop.width * 4, crop.height * 4), Image.LANCZOS)
    yield crop.convert("L")
    yield from crop.split()


def reads_as(want: str, got: str) -> bool:
    """``got`` (OCR output) reads as ``want``: within edit distance max(1, len // 6)."""
    want, got = _normalise(want), _normalise(got)
    return edit_distance(want, got) <= max(1, len(want) // 6)


def sign_reads(image: np.ndarray, box: tuple[int, int, int, int] | list[int], want: str) -> bool:
    """Tesseract reads ``want`` on the sign in one of its views (grey, red, green, blue)."""
    return any(reads_as(want, _tesseract(view)) for view in _sign_views(image, box))


def ocr_reasons(
    spec: PairSpec, facts: dict[str, dict[str, Any]], images: dict[str, np.ndarray]
) -> list[str]:
    """Legibility gate: Tesseract must read back each sign string a text change shows, the old
    one in the before image and the new one in the after image (changes whose type
    ``writes_text``), within edit distance max(1, len // 6): a caption quotes both."""
    return [
        f"text: {word} text not legible"
        for side, word, obj, box in text_signs(spec, facts)
        if obj is not None and obj.text is not None and box is not None
        and not sign_reads(images[side], box, obj.text.string)
    ]  # fmt: skip
