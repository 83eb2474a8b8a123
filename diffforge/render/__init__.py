"""Blender rendering: workers, executors, quality gates, and the ``generate`` orchestrator.

Importing this package never imports bpy: only the ``blender`` subpackage (and the
``blender_scan`` script) do, inside workers and Blender subprocesses.
"""

from diffforge.render.generate import generate

__all__ = ["generate"]
