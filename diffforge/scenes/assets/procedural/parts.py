"""What every generator builds with: per-slot meshes, text anchors and furniture legs."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable

import numpy as np
import trimesh

from diffforge.scenes.assets.meshutil import block, box, cylinder, ellipsoid, merge, revolve, tube


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


def vessel(style: str, radius: float, height: float, wall: float, foot: float = 0.0):
    """An open cup-like vessel profile by style (straight, tapered, barrel, flared, squat, tall)."""
    mid = {
        "straight": 1.0,
        "tapered": 0.9,
        "barrel": 1.12,
        "flared": 0.85,
        "squat": 1.05,
        "tall": 0.95,
    }[style]
    bottom = {
        "straight": 1.0,
        "tapered": 0.78,
        "barrel": 0.9,
        "flared": 0.75,
        "squat": 1.0,
        "tall": 0.9,
    }[style]
    top = {"flared": 1.1}.get(style, 1.0)
    outer = [(radius * bottom, foot), (radius * mid, height * 0.5), (radius * top, height)]
    inner = [
        *[(r - wall, z) for r, z in outer[::-1]][:-1],
        (radius * bottom - wall, max(foot, 0.008)),
    ]
    prof = [(0.0, 0.0), (radius * bottom * 0.9, 0.0), *outer, *inner, (0.0, max(foot, 0.008))]
    return revolve(prof, 40)


def feet_under(p: Parts, width: float, depth: float, h: float, feet: str) -> None:
    if feet == "plinth":
        p.add(
            "body",
            block(
                (-width / 2 + 0.03, -depth / 2 + 0.03, 0), (width / 2 - 0.03, depth / 2 - 0.03, h)
            ),
        )
    elif feet in ("legs", "tapered"):
        p.add(
            "legs",
            *legs("tapered" if feet == "tapered" else "round", width, depth, h, 0.04, inset=0.03),
        )
    else:
        p.add("body", block((-width / 2, -depth / 2 + 0.02, 0), (width / 2, depth / 2, h)))


def front_panels(p: Parts, width: float, depth: float, z0: float, z1: float, style: str,
                 handle: str, rows: int) -> None:  # fmt: skip
    """Doors and drawers on a box's front (-Y) between heights z0 and z1, with handles."""
    y = -depth / 2
    gap = 0.004

    def handle_at(x: float, z: float, vertical: bool) -> None:
        if handle == "knob":
            p.add("handles", cylinder(0.012, 0.0, 0.02, sections=12).apply_transform(
                trimesh.transformations.rotation_matrix(math.pi / 2, (1, 0, 0))).apply_translation((x, y, z)))  # fmt: skip
        elif handle == "recess":
            p.add(
                "handles", block((x - 0.05, y - 0.003, z - 0.006), (x + 0.05, y + 0.001, z + 0.006))
            )
        else:
            long = 0.3 if handle == "long" else 0.12
            ext = (0.012, 0.02, long) if vertical else (long, 0.02, 0.012)
            p.add("handles", box(ext, (x, y - 0.01, z)))

    def door(
        x0: float, x1: float, za: float, zb: float, hx: float, vertical=True, glass=False
    ) -> None:
        p.add("body", block((x0 + gap, y - 0.02, za + gap), (x1 - gap, y, zb - gap)))
        if glass:
            p.add(
                "glass", block((x0 + 0.05, y - 0.022, za + 0.05), (x1 - 0.05, y - 0.02, zb - 0.05))
            )
        handle_at(hx, (za + zb) / 2 if not vertical else za + (zb - za) * 0.6, vertical)

    if style in ("doors", "glass", "sliding"):
        n = 2 if width > 0.5 else 1
        for i in range(n):
            x0 = -width / 2 + i * width / n
            x1 = x0 + width / n
            hx = x1 - 0.05 if i == 0 and n > 1 else x0 + 0.05
            door(x0, x1, z0, z1, hx, True, style == "glass")
    elif style == "single":
        door(-width / 2, width / 2, z0, z1, width / 2 - 0.06, True)
    elif style == "drawers":
        for k in range(rows):
            za = z0 + (z1 - z0) * k / rows
            door(-width / 2, width / 2, za, za + (z1 - z0) / rows, 0.0, False)
    else:  # mixed: a drawer row on top of two doors
        zm = z1 - (z1 - z0) / (rows + 1)
        door(-width / 2, width / 2, zm, z1, 0.0, False)
        door(-width / 2, 0.0, z0, zm, -0.05, True)
        door(0.0, width / 2, z0, zm, 0.05, True)


def oval(rx: float, ry: float, z0: float, z1: float, sections: int = 40) -> trimesh.Trimesh:
    top = cylinder(1.0, z0, z1, sections=sections)
    top.vertices[:, 0] *= rx
    top.vertices[:, 1] *= ry
    return top


def shade_profile(kind: str, radius: float, z0: float, z1: float) -> list[tuple[float, float]]:
    """A closed (r, z) profile of a lamp shade between z0 and z1 (open at the bottom rim)."""
    h = z1 - z0
    if kind == "drum":
        return [(0.0, z0 + 0.01), (radius, z0), (radius, z1), (0.0, z1)]
    if kind == "cone":
        return [(0.0, z0 + 0.01), (radius, z0), (radius * 0.25, z1), (0.0, z1)]
    if kind == "dome":
        a = np.linspace(0.0, math.pi / 2, 8)
        return [(0.0, z0 + 0.01)] + [(radius * math.cos(t), z0 + h * math.sin(t)) for t in a]
    if kind == "globe":
        a = np.linspace(-math.pi / 2 + 0.3, math.pi / 2, 10)
        c = z0 + h / 2
        return [(0.0, z0 + 0.01)] + [(radius * math.cos(t), c + h / 2 * math.sin(t)) for t in a]
    if kind == "bell":
        return [(0.0, z0 + 0.01), (radius, z0), (radius * 0.75, z0 + h * 0.25), (radius * 0.45, z0 + h * 0.7),
                (radius * 0.35, z1), (0.0, z1)]  # fmt: skip
    return [(0.0, z0 + 0.01), (radius, z0), (radius * 0.6, z1), (0.0, z1)]  # empire


def pot_mesh(kind: str, r: float, h: float) -> trimesh.Trimesh:
    """A plant pot of a kind, standing on z=0, rim at h."""
    if kind == "square":
        return block((-r * 0.85, -r * 0.85, 0), (r * 0.85, r * 0.85, h))
    prof = {
        "tapered": [
            (0.0, 0.0),
            (r * 0.72, 0.0),
            (r, h * 0.92),
            (r * 1.04, h * 0.92),
            (r * 1.04, h),
            (0.0, h),
        ],
        "cylinder": [(0.0, 0.0), (r * 0.95, 0.0), (r * 0.95, h), (0.0, h)],
        "bowl": [(0.0, 0.0), (r * 0.5, 0.0), (r * 0.95, h * 0.5), (r, h), (0.0, h)],
        "urn": [
            (0.0, 0.0),
            (r * 0.55, 0.0),
            (r * 0.55, h * 0.1),
            (r * 0.9, h * 0.5),
            (r, h * 0.9),
            (r * 1.05, h),
            (0.0, h),
        ],
    }[kind]
    return revolve(prof, 28)


def lump(radii, center, gen: np.random.Generator, rough: float = 0.18) -> trimesh.Trimesh:
    """A leaf cluster: an ellipsoid with its surface pushed in and out (not a smooth ball)."""
    mesh = ellipsoid(radii, (0.0, 0.0, 0.0), 2)
    v = mesh.vertices
    n = v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-9)
    bumps = 1.0 + rough * (np.sin(3.1 * n[:, 0] + gen.uniform(0, 6)) * np.cos(2.7 * n[:, 1] + gen.uniform(0, 6))
                           + 0.5 * np.sin(5.3 * n[:, 2] + gen.uniform(0, 6)))  # fmt: skip
    mesh.vertices = v * bumps[:, None]
    mesh.apply_translation(center)
    return mesh
