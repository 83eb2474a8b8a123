"""The per-pair files of a dataset directory, written atomically (tmp + rename).

Workers call these, so a pair's images, masks and scene JSON land straight in the output
directory; the orchestrator only appends the ``pairs.jsonl`` line once they all exist.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

SUBDIRS = ("images", "masks", "scenes")


def pair_paths(pair_id: str) -> dict[str, str]:
    """Dataset-relative paths of one pair's files (the record's ``before``/``after``/...)."""
    return {
        "before": f"images/{pair_id}_before.png",
        "after": f"images/{pair_id}_after.png",
        "mask_before": f"masks/{pair_id}_before.png",
        "mask_after": f"masks/{pair_id}_after.png",
        "mask_change": f"masks/{pair_id}_change.png",
        "scene": f"scenes/{pair_id}.json",
    }


def tmp_name(path: Path) -> Path:
    """A hidden sibling temp name; ``.tmp`` leftovers of a killed run are swept on resume."""
    return path.with_name(f".{path.stem}.{os.getpid()}.tmp{path.suffix}")


def atomic_write_bytes(path: Path, data: bytes) -> None:
    tmp = tmp_name(path)
    tmp.write_bytes(data)
    os.replace(tmp, path)


def atomic_write_json(path: Path, obj: Any) -> None:
    atomic_write_bytes(path, (json.dumps(obj, indent=1, sort_keys=True) + "\n").encode())


def save_png(path: Path, array: np.ndarray) -> None:
    """uint16 -> 16-bit greyscale PNG; bool -> 8-bit 0/255; uint8 as is. Atomic."""
    if array.dtype == bool:
        array = array.astype(np.uint8) * 255
    img = Image.fromarray(np.ascontiguousarray(array))  # uint16 -> "I;16"
    tmp = tmp_name(path)
    img.save(tmp, format="PNG", compress_level=1)
    os.replace(tmp, path)


def load_image(path: Path) -> np.ndarray:
    """Decoded pixels (compare these, never PNG bytes): RGB uint8 H×W×3, masks H×W."""
    with Image.open(path) as img:
        if img.mode in ("I;16", "I;16B", "I"):
            return np.asarray(img, dtype=np.uint16)
        if img.mode in ("L", "1"):
            return np.asarray(img.convert("L"))
        return np.asarray(img.convert("RGB"))


def ensure_dirs(root: Path) -> None:
    for sub in SUBDIRS:
        (root / sub).mkdir(parents=True, exist_ok=True)
