"""What the pair pipeline needs of a renderer, so it can run on Blender or on a test's fake.

The pipeline hands a renderer both scenes of a pair, the pass index of every object, the two
image paths and a seed; the renderer writes the two images and returns the instance masks.
Nothing here imports bpy: the pipeline makes the Blender renderer (``render.blender``) inside
workers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np

from diffforge.scenes.model import Scene


@dataclass
class RenderOutput:
    mask: np.ndarray  # uint16 H×W pass indices
    depth: np.ndarray | None
    timings: dict[str, float] = field(default_factory=dict)  # build, render, save (seconds)


class Renderer(Protocol):
    """A pair renderer: one per worker process."""

    @property
    def version(self) -> str:
        """The renderer's version, recorded with each pair (Blender's version string)."""
        ...

    def prepare(self, scenes: list[Scene]) -> None:
        """Make whatever the scenes need ready (convert assets) before a build."""
        ...

    def render_pair(
        self, before: Scene, after: Scene, ids: dict[str, int], pngs: tuple[Path, Path], seed: int
    ) -> tuple[RenderOutput, RenderOutput]:
        """Write ``pngs`` (before, after) and return each side's mask (pass index ``ids``)."""
        ...
