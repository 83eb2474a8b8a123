"""Blender rendering: workers, executors, quality gates, and the ``generate`` orchestrator.

Importing this package never imports bpy: only ``blender_backend`` does, inside workers.
"""

from diffforge.render.generate import generate

__all__ = ["generate"]
