"""Blender rendering, workers, executors and the dataset writer.

Importing this package never imports bpy: only ``blender_backend`` does, inside workers.
"""

from diffforge.render.api import bench_render, generate, merge, preview, scan_env

__all__ = ["bench_render", "generate", "merge", "preview", "scan_env"]
