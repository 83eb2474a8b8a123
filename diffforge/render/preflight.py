"""What ``generate`` checks before any worker starts, so bad input fails once, in one line.

A mistake found inside the workers fails every pair one by one; found here it is one error
naming the cause: an output directory that cannot be written, a device Cycles cannot see, a
user environment that was never scanned, a manifest or asset that does not load. The cheapest
complete check of the scene side is to draw pair 0 in the driver: it loads the asset library,
the environment sidecar and the text fonts exactly as the workers will.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from pathlib import Path

from diffforge.config import GenerateConfig
from diffforge.errors import ConfigError, DiffforgeError

GPU_TYPES = ("OPTIX", "CUDA", "HIP", "ONEAPI", "METAL")

_DEVICES_SCRIPT = r"""
import json, sys, bpy
prefs = bpy.context.preferences.addons["cycles"].preferences
seen = {}
for kind in sys.argv[1:]:
    try:
        seen[kind] = [d.name for d in prefs.get_devices_for_type(kind) if d.type == kind]
    except (TypeError, ValueError):
        seen[kind] = []
print("DEVICES" + json.dumps(seen))
"""


def check_output(root: Path) -> None:
    """The dataset directory exists or can be made, and we may write in it."""
    root = Path(root)
    if root.exists() and not root.is_dir():
        raise DiffforgeError(f"--out {root}: exists and is not a directory")
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DiffforgeError(f"--out {root}: cannot create ({exc.strerror})") from None
    if not os.access(root, os.W_OK | os.X_OK):
        raise DiffforgeError(f"--out {root}: not writable")


def cycles_devices(python: str = sys.executable, timeout: float = 120) -> dict[str, list[str]]:
    """GPU devices Cycles can see, per compute type (a bpy subprocess: the driver never imports
    bpy). Empty lists where bpy is present but sees nothing."""
    try:
        proc = subprocess.run(
            [python, "-c", _DEVICES_SCRIPT, *GPU_TYPES],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise DiffforgeError(f"cannot start Blender to list its devices ({exc})") from None
    for line in proc.stdout.splitlines():
        if line.startswith("DEVICES"):
            return json.loads(line[len("DEVICES") :])
    last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
    raise DiffforgeError(f"cannot list Cycles devices: {last} (is the [render] extra installed?)")


def check_device(device: str, seen: dict[str, list[str]] | None = None) -> None:
    """A named GPU type must be visible to Cycles ('cpu' and 'auto' always work)."""
    if device in ("cpu", "auto"):
        return
    seen = cycles_devices() if seen is None else seen
    if seen.get(device.upper()):
        return
    visible = ", ".join(f"{k}: {', '.join(v)}" for k, v in seen.items() if v) or "CPU only"
    raise DiffforgeError(f"--device {device}: Cycles sees no {device.upper()} device ({visible})")


def ensure_environment_scanned(cfg: GenerateConfig) -> None:
    """A user environment needs its sidecar (``<file>.blend.json``); scan it when it is missing,
    older than the .blend or from a scan that did not list the file's objects as change
    targets, so a first run or an edited scene just works."""
    blend = cfg.assets.environment
    if blend is None or cfg.scene.layouts.get("environment", 0) <= 0:
        return
    from diffforge.render.environment_scan import scan_environment
    from diffforge.scenes.file_objects import sidecar_path

    blend = Path(blend)
    if not blend.is_file():
        raise ConfigError(f"assets.environment: {blend}: .blend file not found")
    side = sidecar_path(blend)
    if not side.is_file() or side.stat().st_mtime < blend.stat().st_mtime or _older_scan(side):
        scan_environment(blend)


def _older_scan(side: Path) -> bool:
    """A sidecar from a scan that did not yet judge the file's objects (no ``changeable``)."""
    try:
        objects = json.loads(side.read_text()).get("objects", [])
    except (OSError, ValueError, AttributeError):
        return True
    return any("changeable" not in o for o in objects)


def check_scene_side(cfg: GenerateConfig) -> None:
    """Draw pair 0 in the driver: manifests, assets, fonts and the environment all load.
    A pair the sampler cannot meet is not a broken config: the workers record it as failed."""
    from diffforge.errors import SamplingError
    from diffforge.scenes.sampler import PairSampler

    with contextlib.suppress(SamplingError):
        PairSampler(cfg).sample(0)


def preflight(cfg: GenerateConfig, root: Path, device: str, *, sample: bool = True) -> None:
    """Every check before the output directory is made, so a failed check leaves nothing."""
    root = Path(root)
    if root.exists() and not root.is_dir():
        raise DiffforgeError(f"--out {root}: exists and is not a directory")
    check_device(device)
    ensure_environment_scanned(cfg)
    if sample:
        check_scene_side(cfg)
    check_output(root)
