"""Every material class renders differently from every other at the same base colour."""

from __future__ import annotations

import itertools
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from PIL import Image

pytestmark = [pytest.mark.blender, pytest.mark.slow, pytest.mark.timeout(900)]

SCRIPT = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    import bpy
    from diffforge.render.blender.materials import shade
    from diffforge.vocabulary import MATERIAL_CLASSES
    from diffforge.render.color import linear_rgba

    out, rgb = Path(sys.argv[1]), (0.8, 0.2, 0.15)
    for cls in MATERIAL_CLASSES:
        bpy.ops.wm.read_homefile(use_empty=True)
        sc = bpy.context.scene
        sc.render.engine = "CYCLES"
        sc.cycles.samples, sc.cycles.use_denoising, sc.cycles.seed = 8, True, 1
        sc.render.resolution_x, sc.render.resolution_y = 128, 96
        sc.render.threads_mode, sc.render.threads = "FIXED", 2
        sc.view_settings.view_transform = "AgX"
        mat = bpy.data.materials.new(cls)
        shade(mat, linear_rgba(rgb), cls, True)
        bpy.ops.mesh.primitive_uv_sphere_add(radius=0.45, location=(-0.5, 0, 0.45))
        bpy.ops.object.shade_smooth()
        bpy.context.object.data.materials.append(mat)
        bpy.ops.mesh.primitive_cube_add(size=0.8, location=(0.55, 0.1, 0.4), rotation=(0, 0, 0.6))
        bpy.context.object.data.materials.append(mat)
        bpy.ops.mesh.primitive_plane_add(size=20)
        light = bpy.data.objects.new("key", bpy.data.lights.new("key", "AREA"))
        light.data.energy, light.data.size = 300.0, 1.0
        light.location, light.rotation_euler = (1.5, -2.0, 3.0), (0.6, 0.0, 0.5)
        sc.collection.objects.link(light)
        sc.world = bpy.data.worlds.new("w")
        sc.world.node_tree.nodes["Background"].inputs["Color"].default_value = (0.6, 0.65, 0.7, 1)
        cam = bpy.data.objects.new("cam", bpy.data.cameras.new("cam"))
        cam.data.lens = 40.0
        cam.location, cam.rotation_euler = (0.0, -3.2, 1.5), (1.2, 0.0, 0.0)
        sc.collection.objects.link(cam)
        sc.camera = cam
        sc.render.filepath = str(out / f"{cls}.png")
        bpy.ops.render.render(write_still=True)
    """
)


def test_every_material_class_looks_different_at_one_colour(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path)], capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    from diffforge.vocabulary import MATERIAL_CLASSES

    crops = {}
    for cls in MATERIAL_CLASSES:
        img = np.asarray(Image.open(tmp_path / f"{cls}.png").convert("RGB"), dtype=np.float64)
        crops[cls] = img[18:76, 12:116]  # the sphere and the cube
    diffs = {
        (a, b): float(np.abs(crops[a] - crops[b]).mean())
        for a, b in itertools.combinations(MATERIAL_CLASSES, 2)
    }
    same = {k: round(v, 2) for k, v in diffs.items() if v < 2.0}
    assert not same, f"material classes that look alike (mean |Δ| < 2 of 255): {same}"
