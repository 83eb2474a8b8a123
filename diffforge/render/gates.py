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

from diffforge.errors import DiffforgeError
from diffforge.render.facts import GLOBAL_CHANGES, pixel_difference
from diffforge.scenes.model import PairSpec

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
) -> list[str]:
    """Reasons the pair fails (empty: it passes). ``facts`` is {"before": .., "after": ..}."""
    reasons: list[str] = []
    diff = pixel_difference(*images) > DIFF_THRESHOLD
    min_changed = max(min_pixels // 2, 1)
    for change in spec.changes:
        if change.type == "none":
            continue
        if change.type in GLOBAL_CHANGES:
            if diff.mean() < GLOBAL_MIN_FRACTION:
                reasons.append(f"{change.type}: change not visible")
            continue
        targets = _targets(change, ids)
        region = np.zeros(diff.shape, dtype=bool)
        for obj_id in targets:
            for side, mask in zip(("before", "after"), masks, strict=True):
                fact = facts[side].get(obj_id)
                if fact is None:  # the object does not exist on this side
                    continue
                if fact["pixels"] < min_pixels:
                    reasons.append(f"{change.type}: target not visible ({side})")
                region |= mask == ids[obj_id]
        if targets and int((diff & region).sum()) < min_changed:
            reasons.append(f"{change.type}: change not visible")
    return sorted(set(reasons))


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
