"""A render's files: the colour-managed PNG and, from a multilayer EXR, the exact mask."""

from __future__ import annotations

import os
from pathlib import Path

import bpy
import numpy as np
import OpenEXR

from diffforge.errors import DiffforgeError


def save(sc, png: Path, scratch: Path, depth: bool) -> tuple[np.ndarray, np.ndarray | None]:
    """One render, two files: the colour-managed PNG, then the multilayer EXR for the mask
    (and depth), read back and deleted."""
    img = bpy.data.images["Render Result"]
    fmt = sc.render.image_settings
    fmt.media_type = "IMAGE"
    fmt.file_format = "PNG"
    fmt.color_mode = "RGB"
    fmt.color_depth = "8"
    fmt.compression = 15
    img.save_render(str(png), scene=sc)
    exr = scratch / f"{os.getpid()}.exr"
    fmt.media_type = "MULTI_LAYER_IMAGE"
    fmt.file_format = "OPEN_EXR_MULTILAYER"
    fmt.color_depth = "32"
    fmt.exr_codec = "NONE"
    img.save_render(str(exr), scene=sc)
    try:
        return read_passes(exr, depth)
    finally:
        exr.unlink(missing_ok=True)


def read_passes(exr: Path, depth: bool) -> tuple[np.ndarray, np.ndarray | None]:
    """Object-index pass -> uint16 instance mask (exact: the pass is not anti-aliased)."""
    mask = z = None
    with OpenEXR.File(str(exr)) as f:
        for part in f.parts:
            for name, ch in part.channels.items():
                if name.endswith("Object Index.X"):
                    mask = np.rint(ch.pixels).astype(np.uint16)
                elif depth and name.endswith("Depth.Z"):
                    z = np.array(ch.pixels, dtype=np.float32)
    if mask is None:
        raise DiffforgeError(f"{exr}: no Object Index pass")
    return mask, z
