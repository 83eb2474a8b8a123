"""What every generator builds with: per-slot meshes, text anchors and furniture legs."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

import numpy as np
import trimesh

from diffforge.scenes.assets.meshutil import block, merge, tube


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


def shaped(draw: Callable[[np.random.Generator], dict]):
    """Mark a generator as varying per instance: ``draw(rng)`` gives one variant's params
    (scenes/assets/shapes.py draws the variants and names them)."""

    def mark(fn):
        fn.draw_shape = draw
        return fn

    return mark


def u(rng: np.random.Generator, lo: float, hi: float) -> float:
    """A uniform draw rounded to the millimetre scale the params are stored at."""
    return round(float(rng.uniform(lo, hi)), 3)


def pick(rng: np.random.Generator, options):
    """One of ``options`` (a plain Python value, never a numpy scalar)."""
    options = list(options)
    return options[int(rng.integers(len(options)))]


def round_legs(w: float, d: float, h: float, r: float, inset: float = 0.0, splay: float = 0.0):
    """Four round legs under a w x d top (``splay``: how far the feet lean out, m)."""
    x, y = w / 2 - inset - r, d / 2 - inset - r
    return [tube((sx * (x + splay), sy * (y + splay), 0), (sx * x, sy * y, h), r, 10)
            for sx in (-1, 1) for sy in (-1, 1)]  # fmt: skip


def tapered_legs(w: float, d: float, h: float, t: float, inset: float = 0.0):
    """Four square legs thinning towards the floor (mid-century furniture)."""
    out = []
    for sx in (-1, 1):
        for sy in (-1, 1):
            cx, cy = sx * (w / 2 - inset - t / 2), sy * (d / 2 - inset - t / 2)
            out.append(frustum((cx, cy), t * 0.55, t, 0.0, h))
    return out


def frustum(center, bottom: float, top: float, z0: float, z1: float) -> trimesh.Trimesh:
    """A square frustum (side ``bottom`` at z0, ``top`` at z1) centred at (x, y)."""
    x, y = center
    b, t = bottom / 2, top / 2
    v = [(x - b, y - b, z0), (x + b, y - b, z0), (x + b, y + b, z0), (x - b, y + b, z0),
         (x - t, y - t, z1), (x + t, y - t, z1), (x + t, y + t, z1), (x - t, y + t, z1)]  # fmt: skip
    return trimesh.convex.convex_hull(np.array(v, float))


def legs(style: str, w: float, d: float, h: float, t: float, inset: float = 0.0):
    """Four legs of a style: square, round, tapered or splayed."""
    if style == "round":
        return round_legs(w, d, h, t / 2, inset)
    if style == "tapered":
        return tapered_legs(w, d, h, t, inset)
    if style == "splayed":
        return round_legs(w, d, h, t / 2, inset + 0.03, splay=0.03)
    return square_legs(w, d, h, t, inset)


def keep_above(mesh: trimesh.Trimesh, z: float) -> trimesh.Trimesh:
    """The faces of ``mesh`` above height z (half a ring: a bail handle, a mudguard)."""
    keep = mesh.vertices[:, 2] >= z - 1e-9
    mesh.update_faces(keep[mesh.faces].all(axis=1))
    mesh.remove_unreferenced_vertices()
    return mesh
