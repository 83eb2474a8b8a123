"""Read a user's .blend into a JSON sidecar the sampler can use (``<file>.blend.json``).

The sampler is pure Python and never imports bpy, so the facts it needs about a user environment
(where things can stand, the scene's scale, where a camera may be, which objects and lights the
file has) are measured once, in a Blender subprocess (``diffforge.render.blender_scan``). No
tagging is needed: support surfaces come from the geometry. Custom properties still override:

- ``diffforge_surface``: ``"floor"`` on a mesh: only tagged meshes hold objects;
  ``"surface"``: a support kept even where the scan would think it out of reach;
- ``diffforge_camera``: on a camera; its value is the distance to the point it looks at (m);
- ``diffforge_noun``, ``diffforge_changeable``: on an object, its caption noun and whether
  changes may act on it.

The sidecar's ``objects`` are the user's to edit (``noun``, ``changeable``, ``color``): a
rescan keeps those edits for objects that still exist.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from diffforge.errors import DiffforgeError
from diffforge.scenes.file_objects import merge_user_edits, sidecar_path


def scan_environment(blend: Path, python: str = sys.executable, timeout: float = 600) -> Path:
    """Write ``<blend>.json`` next to ``blend`` (atomically) and return its path."""
    blend = Path(blend)
    if not blend.is_file():
        raise DiffforgeError(f"{blend}: .blend file not found")
    out = sidecar_path(blend)
    tmp = out.with_name(f".{out.name}.tmp")
    try:
        proc = subprocess.run(
            [python, "-m", "diffforge.render.blender_scan", str(blend.resolve()), str(tmp)],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        raise DiffforgeError(f"{blend}: scanning took more than {timeout:.0f} s") from None
    said = [line for line in proc.stdout.splitlines() if line.startswith("NOSURFACE ")]
    if said:
        tmp.unlink(missing_ok=True)
        raise DiffforgeError(f"{blend}: {said[-1][len('NOSURFACE ') :]}")
    if proc.returncode != 0 or not tmp.is_file():
        tmp.unlink(missing_ok=True)
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise DiffforgeError(f"{blend}: Blender could not read the file ({last})")
    if out.is_file():  # the user's edits to the object list survive a rescan
        try:
            old = json.loads(out.read_text()).get("objects", [])
        except (ValueError, AttributeError):
            old = []
        info = json.loads(tmp.read_text())
        info["objects"] = merge_user_edits(old, info.get("objects", []))
        tmp.write_text(json.dumps(info, indent=1))
    tmp.replace(out)
    return out
