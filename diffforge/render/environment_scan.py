"""Read a user .blend's tagged support surfaces and cameras into a JSON sidecar.

The sampler is pure Python and never imports bpy, so the facts it needs about a user environment
(where things can stand, where the camera may be) are extracted once, in a Blender subprocess,
into ``<file>.blend.json``. Tag objects in Blender with custom properties:

- ``diffforge_surface``: ``"floor"`` or ``"surface"`` on a mesh whose top face holds objects;
- ``diffforge_camera``: on a camera; its value is the distance to the point it looks at (m).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from diffforge.errors import DiffforgeError

_SCRIPT = r"""
import json, sys
import bpy
from mathutils import Vector

path, out = sys.argv[1], sys.argv[2]
bpy.ops.wm.open_mainfile(filepath=path)
surfaces, cameras, lo, hi = [], [], [1e9] * 3, [-1e9] * 3
for obj in bpy.data.objects:
    if obj.type == "MESH":
        corners = [obj.matrix_world @ Vector(c) for c in obj.bound_box]
        for c in corners:
            for i in range(3):
                lo[i], hi[i] = min(lo[i], c[i]), max(hi[i], c[i])
        kind = obj.get("diffforge_surface")
        if kind is not None:
            xs, ys, zs = ([c[i] for c in corners] for i in range(3))
            surfaces.append({
                "name": obj.name, "kind": str(kind),
                "center": [(min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2],
                "half": [(max(xs) - min(xs)) / 2, (max(ys) - min(ys)) / 2],
                "height": max(zs),
            })
    elif obj.type == "CAMERA" and obj.get("diffforge_camera") is not None:
        forward = obj.matrix_world.to_quaternion() @ Vector((0.0, 0.0, -1.0))
        loc = obj.matrix_world.translation
        target = loc + forward * float(obj["diffforge_camera"] or 5.0)
        cameras.append({"name": obj.name, "location": list(loc), "look_at": list(target),
                        "lens": obj.data.lens})
surfaces.sort(key=lambda s: (s["kind"] != "floor", s["name"]))
extent = [hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2]] if surfaces else [0, 0, 0]
json.dump({"extent": extent, "surfaces": surfaces, "cameras": cameras}, open(out, "w"), indent=1)
"""


def sidecar_path(blend: Path) -> Path:
    return Path(str(blend) + ".json")


def scan_environment(blend: Path, python: str = sys.executable, timeout: float = 300) -> Path:
    """Write ``<blend>.json`` next to ``blend`` and return its path."""
    blend = Path(blend)
    if not blend.is_file():
        raise DiffforgeError(f"{blend}: .blend file not found")
    out = sidecar_path(blend)
    tmp = out.with_name(out.name + ".tmp")
    proc = subprocess.run(
        [python, "-c", _SCRIPT, str(blend.resolve()), str(tmp)],
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if proc.returncode != 0 or not tmp.is_file():
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise DiffforgeError(f"{blend}: Blender could not read the file ({last})")
    info = json.loads(tmp.read_text())
    if not any(s["kind"] == "floor" for s in info["surfaces"]):
        tmp.unlink()
        raise DiffforgeError(
            f"{blend}: no object tagged diffforge_surface='floor' (tag the floor mesh in Blender)"
        )
    tmp.replace(out)
    return out
