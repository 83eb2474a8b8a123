"""What every generator builds with: per-slot meshes, text anchors and furniture legs."""

from __future__ import annotations

from collections import defaultdict

import trimesh

from diffforge.scenes.assets.meshutil import block, merge


class Parts:
    """Collects meshes per material slot and turns them into a scene, one geometry per slot."""

    def __init__(self) -> None:
        self._slots: dict[str, list[trimesh.Trimesh]] = defaultdict(list)
        self.metadata: dict = {}

    def add(self, slot: str, *meshes: trimesh.Trimesh) -> Parts:
        self._slots[slot].extend(meshes)
        return self

    def scene(self) -> trimesh.Scene:
        scene = trimesh.Scene()
        for slot, meshes in self._slots.items():
            scene.add_geometry(merge(meshes), geom_name=slot, node_name=slot)
        scene.metadata.update(self.metadata)
        return scene


def anchor(location, normal, width: float, height: float) -> dict:
    """A text anchor for ``scene.metadata["text_anchor"]`` (asset-local metres)."""
    return {"location": list(location), "normal": list(normal), "width": width, "height": height}


def square_legs(
    w: float, d: float, h: float, t: float, inset: float = 0.0
) -> list[trimesh.Trimesh]:
    """Four square legs under a w x d top, from the floor to height h."""
    x, y = w / 2 - inset - t / 2, d / 2 - inset - t / 2
    return [block((sx * x - t / 2, sy * y - t / 2, 0), (sx * x + t / 2, sy * y + t / 2, h))
            for sx in (-1, 1) for sy in (-1, 1)]  # fmt: skip
