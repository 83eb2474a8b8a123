"""Decode a pair's files, as ``dataset check`` does for every pair: a PNG that opens but is cut
short, the wrong mode or size, or a mask id the scene does not hold is named by its file.

Images are RGB; instance masks 16-bit greyscale with ids from the scene record's ``instances``
(0 is background); the change mask 8-bit greyscale. All of a pair's files share one size: the
scene record's ``image_size`` where it has one.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from diffforge.dataset.reader import DatasetError, read_scene
from diffforge.dataset.records import PairRecord

IMAGE_MODES = ("RGB", "RGBA")
INSTANCE_MODES = ("I;16", "I;16B", "I")
CHANGE_MODES = ("L", "1")


def _decode(path: Path) -> tuple[Image.Image | None, str | None]:
    """The fully decoded image, or why it could not be."""
    try:
        with Image.open(path) as im:
            im.load()
            return im.copy(), None
    except (OSError, ValueError, SyntaxError) as exc:  # truncated, not an image, bad chunk
        return None, f"cannot be decoded ({exc})"


def pair_file_problems(root: Path, rec: PairRecord) -> list[str]:
    """One line per bad file of the pair (empty when all decode and agree)."""
    problems: list[str] = []
    try:
        scene = read_scene(root, rec) or {}
    except DatasetError as exc:
        problems.append(str(exc))
        scene = {}
    size = tuple(scene["image_size"]) if scene.get("image_size") else None
    ids = {0, *scene.get("instances", {}).values()} if "instances" in scene else None
    masks = rec.masks
    files = [(rec.before, IMAGE_MODES), (rec.after, IMAGE_MODES)]
    if masks is not None:
        files += [(m, INSTANCE_MODES) for m in (masks.before, masks.after) if m]
        files += [(masks.change, CHANGE_MODES)] if masks.change else []
    for rel, modes in files:
        path = root / rel
        if not path.is_file():
            continue  # named by the missing-file check
        im, why = _decode(path)
        if im is None:
            problems.append(f"{path}: {why}")
            continue
        if im.mode not in modes:
            problems.append(f"{path}: mode {im.mode}, expected {' or '.join(modes)}")
            continue
        size = size or im.size
        if im.size != size:
            problems.append(f"{path}: size {im.size[0]}x{im.size[1]}, expected {size[0]}x{size[1]}")
        if modes is INSTANCE_MODES and ids is not None:
            odd = sorted(set(np.unique(np.asarray(im)).tolist()) - ids)
            if odd:
                problems.append(f"{path}: instance ids {odd[:5]} are not in the scene record")
    return problems
