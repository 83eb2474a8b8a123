"""Atomic file writes (tmp + rename) and pixel I/O for a dataset directory.

Workers call these, so a pair's images, masks and scene JSON land straight in the output
directory whole or not at all; the orchestrator only appends the ``pairs.jsonl`` line once they
all exist. Temp names are hidden and carry the writer's pid, so a crashed writer's leftovers can
be swept without touching a live one's.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from diffforge.dataset.layout import SUBDIRS

TEMP_DIRS = (*SUBDIRS, "depth", ".")


def tmp_name(path: Path) -> Path:
    """A hidden sibling temp name; ``.tmp`` leftovers of a killed run are swept on resume."""
    return path.with_name(f".{path.stem}.{os.getpid()}.tmp{path.suffix}")


def atomic_write_bytes(path: Path, data: bytes) -> None:
    tmp = tmp_name(path)
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)  # a failed write (no space, no permission) leaves nothing


def atomic_write_json(path: Path, obj: Any) -> None:
    atomic_write_bytes(path, (json.dumps(obj, indent=1, sort_keys=True) + "\n").encode())


def atomic_write_lines(path: Path, lines: Iterable[str], *, fsync: bool = False) -> int:
    """Write ``lines`` (each without its newline) to ``path`` through a temp file; a crash never
    leaves half a file. Returns the number of lines."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = tmp_name(path)
    n = 0
    try:
        with tmp.open("w", encoding="utf-8") as fh:
            for line in lines:
                fh.write(line + "\n")
                n += 1
            if fsync:
                fh.flush()
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return n


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
        (Path(root) / sub).mkdir(parents=True, exist_ok=True)


def sweep_temp(root: Path, pid: int | None = None) -> int:
    """Remove temp files of a killed run (or of one killed worker, by pid); returns how many.
    Their pairs had no ``pairs.jsonl`` line yet, so they are redone and nothing is lost."""
    pattern = f".*.{pid}.tmp*" if pid is not None else ".*.tmp*"
    n = 0
    for sub in TEMP_DIRS:
        d = Path(root) / sub
        if d.is_dir():
            for p in d.glob(pattern):
                p.unlink(missing_ok=True)
                n += 1
    return n


def link_or_copy(src: Path, dst: Path) -> None:
    """A hard link where the filesystem allows (merging shards costs no space), else a copy."""
    import shutil

    dst.parent.mkdir(parents=True, exist_ok=True)
    if dst.exists():
        dst.unlink()
    try:
        dst.hardlink_to(src)
    except OSError:
        shutil.copy2(src, dst)
