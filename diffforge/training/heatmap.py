"""The change head's per-patch "did this change?" probability drawn over the after image
(``diffforge describe BEFORE AFTER --heatmap out.png``).

A model trained with ``model.mdp.change_loss`` carries MDP's change head: a linear probe on each
tapped layer's difference features. Its probability per patch is the mean over those layers of
the sigmoid of the logits, in raster order (the backbone's ``patch_order`` maps MDP's tokens back
to image positions), upsampled to the after image and blended in red.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from diffforge.errors import DiffforgeError

COLOR = (255, 32, 0)  # where the head says "changed"
ALPHA = 0.65  # opacity of a probability-1 patch


def overlay(after: Image.Image, probs: np.ndarray, alpha: float = ALPHA) -> Image.Image:
    """``after`` with ``probs`` (grid, grid) in [0, 1] blended over it, bilinear per pixel."""
    rgb = after.convert("RGB")
    grid = Image.fromarray(np.clip(probs, 0.0, 1.0).astype(np.float32), mode="F")
    p = np.asarray(grid.resize(rgb.size, Image.BILINEAR), dtype=np.float32)[..., None] * alpha
    base = np.asarray(rgb, dtype=np.float32)
    out = base * (1.0 - p) + np.array(COLOR, np.float32) * p
    return Image.fromarray(np.clip(out + 0.5, 0, 255).astype(np.uint8))


def write_heatmap(after: Image.Image, probs: np.ndarray, path: Path) -> Path:
    """The overlay as a PNG at ``path`` (parents created); a one-line error if it cannot."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        overlay(after, probs).save(path, format="PNG")
    except (OSError, ValueError) as exc:
        raise DiffforgeError(f"--heatmap {path}: cannot write ({exc})") from None
    return path
