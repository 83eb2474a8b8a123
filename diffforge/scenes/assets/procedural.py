"""The built-in procedural assets: ``fn(**params) -> trimesh.Scene``, deterministic in params.

Each scene has one geometry per material slot ("body", "legs", "shade", "glass", "board", ...)
so the renderer can recolour a slot by name. Units are metres, Z up, the origin at the bottom
centre and the front facing -Y (Blender's front view; the layouts' camera looks from -Y).
Text-bearing assets store their writable face in ``scene.metadata["text_anchor"]`` and holders
their top in ``scene.metadata["surface_height"]``; the library rescales the scene to the
manifest's exact size, and the manifest carries the same values at that size.
"""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np
import trimesh

from diffforge.scenes.assets.meshutil import (
    block,
    box,
    cylinder,
    disc,
    ellipsoid,
    merge,
    prism,
    revolve,
    sphere,
    torus,
    tube,
)

GENERATOR_VERSION = 1  # bump when any generator's output changes (part of the GLB cache key)


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


def _anchor(location, normal, width: float, height: float) -> dict:
    return {"location": list(location), "normal": list(normal), "width": width, "height": height}


def _legs(w: float, d: float, h: float, t: float, inset: float = 0.0) -> list[trimesh.Trimesh]:
    """Four square legs under a w x d top, from the floor to height h."""
    x, y = w / 2 - inset - t / 2, d / 2 - inset - t / 2
    return [block((sx * x - t / 2, sy * y - t / 2, 0), (sx * x + t / 2, sy * y + t / 2, h))
            for sx in (-1, 1) for sy in (-1, 1)]  # fmt: skip


# --- indoor furniture ------------------------------------------------------------------------


def table(width=1.2, depth=0.75, height=0.75, top=0.04, leg=0.06) -> trimesh.Scene:
    p = Parts().add(
        "body", block((-width / 2, -depth / 2, height - top), (width / 2, depth / 2, height))
    )
    p.add("body", *_legs(width, depth, height - top, leg, inset=0.04))
    p.add("body", block((-width / 2 + 0.06, -depth / 2 + 0.06, height - top - 0.08),
                        (width / 2 - 0.06, depth / 2 - 0.06, height - top)))  # fmt: skip
    p.metadata["surface_height"] = height
    return p.scene()


def round_table(radius=0.25, height=0.6) -> trimesh.Scene:
    """A side table: round top on a pedestal."""
    p = Parts().add("body", cylinder(radius, height - 0.03, height, sections=40))
    p.add("body", cylinder(0.03, 0.02, height - 0.03), cylinder(radius * 0.6, 0.0, 0.025))
    p.metadata["surface_height"] = height
    return p.scene()


def desk(width=1.3, depth=0.65, height=0.75) -> trimesh.Scene:
    t = 0.035
    p = Parts().add(
        "body", block((-width / 2, -depth / 2, height - t), (width / 2, depth / 2, height))
    )
    p.add(
        "body",
        block(
            (-width / 2, -depth / 2 + 0.02, 0), (-width / 2 + 0.03, depth / 2 - 0.02, height - t)
        ),
    )
    # drawer pedestal on the right and a modesty panel at the back
    p.add(
        "body",
        block((width / 2 - 0.42, -depth / 2 + 0.02, 0), (width / 2, depth / 2 - 0.02, height - t)),
    )
    p.add(
        "body",
        block(
            (-width / 2 + 0.03, depth / 2 - 0.04, 0.3),
            (width / 2 - 0.42, depth / 2 - 0.02, height - t),
        ),
    )
    for z in (0.12, 0.37, 0.58):
        p.add("handles", box((0.12, 0.02, 0.015), (width / 2 - 0.21, -depth / 2 + 0.01, z)))
    p.metadata["surface_height"] = height
    return p.scene()


def chair(width=0.45, depth=0.5, seat=0.46, height=0.9) -> trimesh.Scene:
    p = Parts().add(
        "body", block((-width / 2, -depth / 2, seat - 0.04), (width / 2, depth / 2, seat))
    )
    p.add("body", *_legs(width, depth, seat - 0.04, 0.035, inset=0.01))
    # back posts and back rest at +Y (the front faces -Y)
    for sx in (-1, 1):
        x = sx * (width / 2 - 0.0275)
        p.add("body", block((x - 0.0175, depth / 2 - 0.035, seat), (x + 0.0175, depth / 2, height)))
    p.add(
        "body", block((-width / 2, depth / 2 - 0.03, height - 0.2), (width / 2, depth / 2, height))
    )
    return p.scene()


def armchair(width=0.8, depth=0.8, height=0.85) -> trimesh.Scene:
    seat = 0.42
    p = Parts().add(
        "body",
        block((-width / 2 + 0.13, -depth / 2, 0.12), (width / 2 - 0.13, depth / 2 - 0.15, seat)),
    )
    p.add("body", block((-width / 2, depth / 2 - 0.17, 0.12), (width / 2, depth / 2, height)))
    for sx in (-1, 1):  # armrests
        x0, x1 = sorted((sx * width / 2, sx * (width / 2 - 0.14)))
        p.add("body", block((x0, -depth / 2, 0.12), (x1, depth / 2 - 0.1, 0.62)))
    p.add("legs", *_legs(width, depth, 0.12, 0.05, inset=0.03))
    return p.scene()


def stool(radius=0.17, height=0.65) -> trimesh.Scene:
    p = Parts().add("body", cylinder(radius, height - 0.04, height, sections=32))
    for a in np.arange(4) * math.pi / 2 + math.pi / 4:
        top = (0.7 * radius * math.cos(a), 0.7 * radius * math.sin(a), height - 0.04)
        foot = (0.95 * radius * math.cos(a) * 1.15, 0.95 * radius * math.sin(a) * 1.15, 0.0)
        p.add("legs", tube(foot, top, 0.015, 10))
    p.add("legs", torus(0.85 * radius, 0.01, (0, 0, 0.25 * height)))
    return p.scene()


def sofa(width=2.0, depth=0.9, height=0.85) -> trimesh.Scene:
    base, seat, arm = 0.1, 0.44, 0.2
    p = Parts().add(
        "body", block((-width / 2, -depth / 2, base), (width / 2, depth / 2, seat - 0.12))
    )
    p.add("body", block((-width / 2, depth / 2 - 0.22, base), (width / 2, depth / 2, height)))
    for sx in (-1, 1):
        x0, x1 = sorted((sx * width / 2, sx * (width / 2 - arm)))
        p.add("body", block((x0, -depth / 2, base), (x1, depth / 2, 0.65)))
    inner = width - 2 * arm
    for i in range(3):  # seat cushions
        x0 = -inner / 2 + i * inner / 3
        p.add(
            "body",
            block(
                (x0 + 0.01, -depth / 2 + 0.02, seat - 0.12),
                (x0 + inner / 3 - 0.01, depth / 2 - 0.22, seat),
            ),
        )
    p.add("legs", *_legs(width, depth, base, 0.05, inset=0.04))
    return p.scene()


def shelf(width=0.9, depth=0.32, height=1.0, shelves=3, books=True) -> trimesh.Scene:
    t = 0.025
    p = Parts()
    for sx in (-1, 1):
        x0, x1 = sorted((sx * width / 2, sx * (width / 2 - t)))
        p.add("body", block((x0, -depth / 2, 0), (x1, depth / 2, height)))
    p.add("body", block((-width / 2, depth / 2 - 0.01, 0), (width / 2, depth / 2, height)))
    levels = np.linspace(0.05, height - t, shelves + 1)
    for z in levels:
        p.add(
            "body", block((-width / 2 + t, -depth / 2, z), (width / 2 - t, depth / 2 - 0.01, z + t))
        )
    p.add("body", block((-width / 2 + t, -depth / 2, 0), (width / 2 - t, -depth / 2 + 0.02, 0.05)))
    if books:  # a few books on the lower shelves make it read as a bookshelf
        for k, z in enumerate(levels[:-1]):
            x = -width / 2 + t + 0.02
            for j in range(6 + k):
                w = 0.025 + 0.01 * ((j * 7 + k) % 3)
                h = (levels[k + 1] - z - t) * (0.6 + 0.08 * ((j * 5 + k) % 4))
                if x + w > width / 2 - t - 0.15:
                    break
                p.add(
                    "books",
                    block((x, -depth / 2 + 0.04, z + t), (x + w, depth / 2 - 0.04, z + t + h)),
                )
                x += w + 0.004
    p.metadata["surface_height"] = height
    return p.scene()


def cabinet(width=0.8, depth=0.45, height=0.9) -> trimesh.Scene:
    p = Parts().add(
        "body", block((-width / 2, -depth / 2 + 0.02, 0.06), (width / 2, depth / 2, height))
    )
    p.add(
        "body",
        block(
            (-width / 2 + 0.03, -depth / 2 + 0.03, 0), (width / 2 - 0.03, depth / 2 - 0.03, 0.06)
        ),
    )
    gap = 0.004
    for sx in (-1, 1):  # two doors with a visible split and handles
        x0, x1 = sorted((sx * gap, sx * (width / 2 - gap)))
        p.add("body", block((x0, -depth / 2, 0.08), (x1, -depth / 2 + 0.02, height - 0.02)))
        p.add(
            "handles",
            tube(
                (sx * 0.05, -depth / 2 - 0.02, height - 0.35),
                (sx * 0.05, -depth / 2 - 0.02, height - 0.15),
                0.008,
                8,
            ),
        )
        for z in (height - 0.35, height - 0.15):
            p.add(
                "handles",
                tube((sx * 0.05, -depth / 2 - 0.02, z), (sx * 0.05, -depth / 2, z), 0.006, 8),
            )
    p.metadata["surface_height"] = height
    return p.scene()


def floor_lamp(height=1.6, shade_radius=0.22) -> trimesh.Scene:
    p = Parts().add(
        "body", cylinder(0.14, 0.0, 0.025, sections=32), cylinder(0.012, 0.025, height - 0.2)
    )
    shade = [(0.11, height - 0.32), (shade_radius, height - 0.32), (0.11, height), (0.0, height)]
    p.add("shade", revolve([(0.0, height - 0.3), *shade], 32))
    p.add("bulb", sphere(0.04, (0, 0, height - 0.22), 2))
    return p.scene()


def table_lamp(height=0.45, shade_radius=0.14) -> trimesh.Scene:
    body = [(0.0, 0.0), (0.09, 0.0), (0.09, 0.02), (0.05, 0.04), (0.07, 0.12), (0.05, 0.2),
            (0.015, 0.24), (0.012, height - 0.16), (0.0, height - 0.16)]  # fmt: skip
    p = Parts().add("body", revolve(body, 32))
    shade = [(0.0, height - 0.2), (shade_radius, height - 0.2), (0.08, height), (0.0, height)]
    p.add("shade", revolve(shade, 32))
    return p.scene()


def pendant_lamp(drop=0.6, shade_radius=0.2) -> trimesh.Scene:
    """Hangs from the ceiling: the origin is the bottom of the shade, the cord goes up."""
    p = Parts().add(
        "body", cylinder(0.006, 0.2, drop - 0.02, sections=8), cylinder(0.06, drop - 0.02, drop)
    )
    p.add("shade", revolve([(0.0, 0.0), (shade_radius, 0.0), (shade_radius * 0.9, 0.06),
                            (0.05, 0.22), (0.0, 0.22)], 32))  # fmt: skip
    return p.scene()


def rug(width=2.0, depth=1.4, thickness=0.01) -> trimesh.Scene:
    p = Parts().add(
        "body",
        block(
            (-width / 2 + 0.06, -depth / 2 + 0.06, 0),
            (width / 2 - 0.06, depth / 2 - 0.06, thickness),
        ),
    )
    # a contrasting border makes it read as a rug and not a floor tile
    for sy in (-1, 1):
        y0, y1 = sorted((sy * depth / 2, sy * (depth / 2 - 0.06)))
        p.add("border", block((-width / 2, y0, 0), (width / 2, y1, thickness * 0.98)))
    for sx in (-1, 1):
        x0, x1 = sorted((sx * width / 2, sx * (width / 2 - 0.06)))
        p.add("border", block((x0, -depth / 2 + 0.06, 0), (x1, depth / 2 - 0.06, thickness * 0.98)))
    return p.scene()


def picture_frame(width=0.5, height=0.4, depth=0.03, border=0.04) -> trimesh.Scene:
    """Wall-mounted: the back is at +Y (against the wall), the picture faces -Y."""
    p = Parts()
    y0, y1 = -depth / 2, depth / 2
    p.add(
        "body",
        block((-width / 2, y0, 0), (width / 2, y1, border)),
        block((-width / 2, y0, height - border), (width / 2, y1, height)),
    )
    p.add("body", block((-width / 2, y0, border), (-width / 2 + border, y1, height - border)))
    p.add("body", block((width / 2 - border, y0, border), (width / 2, y1, height - border)))
    p.add(
        "picture",
        block((-width / 2 + border, y0 + 0.01, border), (width / 2 - border, y1, height - border)),
    )
    # a simple landscape: a sun and a hill in front of the picture
    p.add(
        "picture_detail", disc(0.035, 0.004, (width / 4, y0 + 0.008, height * 0.65), (0, 1, 0), 20)
    )
    p.add(
        "picture_detail",
        prism(
            [(-width / 2 + border, border), (width / 2 - border, border), (0.0, height * 0.45)],
            y0 + 0.006,
            y0 + 0.01,
        ),
    )
    return p.scene()


def wall_clock(radius=0.17, depth=0.05) -> trimesh.Scene:
    c = (0.0, 0.0, radius)
    p = Parts().add(
        "body", torus(radius - 0.015, 0.015, (0, -depth / 2 + 0.015, radius), (0, 1, 0), 40)
    )
    p.add("body", disc(radius - 0.01, depth - 0.015, (0, 0.0075, radius), (0, 1, 0), 40))
    p.add("face", disc(radius - 0.02, 0.004, (0, -0.012, radius), (0, 1, 0), 40))
    y = -0.0145  # the hands lie just in front of the face, behind the rim
    p.add("hands", block((-0.004, y - 0.003, c[2]), (0.004, y, c[2] + radius * 0.65)))
    p.add("hands", block((0.0, y - 0.006, c[2] - 0.004), (radius * 0.45, y - 0.003, c[2] + 0.004)))
    for k in range(12):
        a = k * math.pi / 6
        r = radius - 0.04
        p.add(
            "hands",
            box((0.012, 0.002, 0.012), (r * math.cos(a), y - 0.001, radius + r * math.sin(a))),
        )
    return p.scene()


def potted_plant(height=1.1, pot_radius=0.2) -> trimesh.Scene:
    ph = 0.35
    p = Parts().add("body", revolve([(0.0, 0.0), (pot_radius * 0.75, 0.0), (pot_radius, ph), (pot_radius * 0.92, ph),
                                     (pot_radius * 0.9, ph - 0.04), (0.0, ph - 0.04)], 32))  # fmt: skip
    p.add("trunk", cylinder(0.02, ph - 0.05, height * 0.65, sections=8))
    centers = [(0, 0, height - 0.22), (0.12, 0.05, height - 0.38), (-0.11, -0.06, height - 0.4),
               (0.02, -0.12, height - 0.5), (-0.05, 0.12, height - 0.55)]  # fmt: skip
    for i, cen in enumerate(centers):
        p.add("foliage", sphere(0.22 - 0.02 * i, cen, 2))
    return p.scene()


def television(width=0.9, height=0.6) -> trimesh.Scene:
    """A flat-screen TV on a foot, for sideboards and desks."""
    p = Parts().add("body", block((-width / 2, -0.03, 0.08), (width / 2, 0.03, height)))
    p.add(
        "body",
        block((-0.15, -0.1, 0), (0.15, 0.1, 0.015)),
        block((-0.03, -0.01, 0.015), (0.03, 0.02, 0.1)),
    )
    p.add(
        "screen", block((-width / 2 + 0.02, -0.032, 0.1), (width / 2 - 0.02, -0.029, height - 0.02))
    )
    return p.scene()


# --- tabletop objects -----------------------------------------------------------------------


def mug(radius=0.042, height=0.1, wall=0.004) -> trimesh.Scene:
    prof = [(0.0, 0.0), (radius, 0.0), (radius, height), (radius - wall, height),
            (radius - wall, 0.008), (0.0, 0.008)]  # fmt: skip
    p = Parts().add("body", revolve(prof, 40))
    handle = torus(0.03, 0.007, (radius + 0.008, 0, height * 0.52), (0, 1, 0), 20)
    keep = handle.vertices[:, 0] >= radius - 0.004  # only the outer half of the ring
    handle.update_faces(keep[handle.faces].all(axis=1))
    handle.remove_unreferenced_vertices()
    p.add("body", handle)
    return p.scene()


def cup(radius=0.04, height=0.09) -> trimesh.Scene:
    """A tapered cup (paper or plastic), wider at the rim."""
    prof = [(0.0, 0.0), (radius * 0.72, 0.0), (radius, height), (radius - 0.003, height),
            (radius * 0.72 - 0.003, 0.004), (0.0, 0.004)]  # fmt: skip
    p = Parts().add("body", revolve(prof, 40))
    p.add("body", torus(radius - 0.0015, 0.002, (0, 0, height), sections=40))
    return p.scene()


def bottle(radius=0.035, height=0.28) -> trimesh.Scene:
    prof = [(0.0, 0.0), (radius * 0.9, 0.0), (radius, 0.01), (radius, height * 0.6), (radius * 0.85, height * 0.68),
            (0.013, height * 0.82), (0.013, height * 0.93), (0.0, height * 0.93)]  # fmt: skip
    p = Parts().add("body", revolve(prof, 32))
    p.add("cap", cylinder(0.015, height * 0.93 - 0.002, height, sections=20))
    p.add("label", cylinder(radius + 0.001, height * 0.2, height * 0.45, sections=32))
    return p.scene()


def vase(radius=0.07, height=0.28) -> trimesh.Scene:
    z = np.linspace(0.0, 1.0, 14)
    r = radius * (0.55 + 0.45 * np.sin(np.pi * (0.15 + 0.85 * z)) ** 1.5) * (1 - 0.45 * z**3)
    r[-1] = r[-2] * 1.1  # a small lip
    outer = list(zip(r, z * height, strict=True))
    inner = [(max(rr - 0.004, 0.001), zz) for rr, zz in outer[::-1] if zz > height * 0.35]
    prof = [(0.0, 0.0), *outer, *inner, (0.0, height * 0.35)]
    return Parts().add("body", revolve(prof, 40)).scene()


def bowl(radius=0.09, height=0.07) -> trimesh.Scene:
    a = np.linspace(0.0, math.pi / 2, 10)
    outer = [(0.45 * radius + 0.55 * radius * math.sin(t), height * (1 - math.cos(t))) for t in a]
    inner = [(max(rr - 0.004, 0.0), max(zz, 0.006)) for rr, zz in outer[::-1]]
    prof = [(0.0, 0.0), (radius * 0.35, 0.0), *outer, *inner, (0.0, 0.006)]
    p = Parts().add("body", revolve(prof, 40))
    return p.scene()


def book(width=0.15, depth=0.22, thickness=0.03) -> trimesh.Scene:
    """Lying flat: covers in the colour slot, white pages set back from the edges."""
    c = 0.003
    p = Parts().add("body", block((-width / 2, -depth / 2, 0), (width / 2, depth / 2, c)))
    p.add("body", block((-width / 2, -depth / 2, thickness - c), (width / 2, depth / 2, thickness)))
    p.add(
        "body", block((-width / 2, -depth / 2, 0), (-width / 2 + c, depth / 2, thickness))
    )  # spine
    p.add(
        "pages",
        block(
            (-width / 2 + c, -depth / 2 + 0.004, c),
            (width / 2 - 0.004, depth / 2 - 0.004, thickness - c),
        ),
    )
    return p.scene()


def cardboard_box(width=0.25, depth=0.2, height=0.15) -> trimesh.Scene:
    p = Parts().add(
        "body", block((-width / 2, -depth / 2, 0), (width / 2, depth / 2, height - 0.004))
    )
    p.add(
        "body",
        block(
            (-width / 2 - 0.002, -depth / 2 - 0.002, height - 0.03),
            (width / 2 + 0.002, depth / 2 + 0.002, height),
        ),
    )
    p.add(
        "tape",
        block(
            (-0.025, -depth / 2 - 0.003, height - 0.05), (0.025, depth / 2 + 0.003, height + 0.001)
        ),
    )
    return p.scene()


def plant_pot(radius=0.075, height=0.25) -> trimesh.Scene:
    ph = height * 0.5
    prof = [(0.0, 0.0), (radius * 0.72, 0.0), (radius * 0.9, ph - 0.02), (radius, ph - 0.02), (radius, ph),
            (radius * 0.92, ph), (radius * 0.9, ph - 0.015), (0.0, ph - 0.015)]  # fmt: skip
    p = Parts().add("body", revolve(prof, 32))
    leaves = [
        (0.0, 0.0, height - 0.06),
        (0.04, 0.02, ph + 0.05),
        (-0.04, -0.01, ph + 0.06),
        (0.0, -0.04, ph + 0.07),
    ]
    for i, cen in enumerate(leaves):
        p.add("foliage", ellipsoid((0.05 - 0.004 * i, 0.045, 0.06 - 0.005 * i), cen, 2))
    return p.scene()


def ball(radius=0.11) -> trimesh.Scene:
    p = Parts().add("body", sphere(radius, (0, 0, radius), 3))
    p.add("seams", torus(radius * 1.001, 0.003, (0, 0, radius), (1, 0, 0), 40))
    p.add("seams", torus(radius * 1.001, 0.003, (0, 0, radius), (0, 1, 0), 40))
    return p.scene()


def apple(radius=0.04) -> trimesh.Scene:
    a = np.linspace(0.0, math.pi, 16)
    prof = [(radius * math.sin(t) * (1.0 + 0.1 * math.sin(t)),
             radius * (1 - math.cos(t)) * 0.95 + (0.006 * math.sin(t * 2) if t > math.pi / 2 else 0)) for t in a]  # fmt: skip
    prof[0], prof[-1] = (0.0, 0.004), (0.0, 2 * radius * 0.95 - 0.01)  # dimples at the poles
    p = Parts().add("body", revolve(prof, 32))
    top = 2 * radius * 0.95
    p.add("stem", tube((0, 0, top - 0.012), (0.003, 0, top + 0.012), 0.0025, 8))
    p.add("leaf", ellipsoid((0.012, 0.005, 0.002), (0.012, 0, top + 0.006), 1))
    return p.scene()


def orange(radius=0.04) -> trimesh.Scene:
    p = Parts().add("body", ellipsoid((radius, radius, radius * 0.93), (0, 0, radius * 0.93), 3))
    p.add("stem", cylinder(0.004, radius * 1.86 - 0.002, radius * 1.86 + 0.003, sections=8))
    return p.scene()


def toy_car(width=0.1, length=0.2, height=0.08) -> trimesh.Scene:
    """A small car facing -Y: body, cabin with windows, four wheels."""
    r = 0.018
    p = Parts().add(
        "body",
        block(
            (-width / 2 + 0.004, -length / 2, r * 0.8), (width / 2 - 0.004, length / 2, r + 0.026)
        ),
    )
    cabin = [
        (-width / 2 + 0.01, 0.0),
        (width / 2 - 0.01, 0.0),
        (width / 2 - 0.018, 1.0),
        (-width / 2 + 0.018, 1.0),
    ]
    cab = prism(
        [(x, r + 0.026 + z * (height - r - 0.026)) for x, z in cabin], -length * 0.2, length * 0.3
    )
    p.add("body", cab)
    p.add(
        "glass",
        block(
            (-width / 2 + 0.016, -length * 0.2 - 0.001, r + 0.032),
            (width / 2 - 0.016, -length * 0.2 + 0.002, height - 0.006),
        ),
    )
    for sy in (-1, 1):
        for sx in (-1, 1):
            p.add(
                "wheels",
                disc(r, 0.012, (sx * (width / 2 - 0.006), sy * length * 0.3, r), (1, 0, 0), 20),
            )
    return p.scene()


def block_tower(size=0.05, count=3) -> trimesh.Scene:
    """Toy blocks stacked slightly askew, with a roof block on top."""
    p = Parts()
    for i in range(count):
        b = box((size, size, size), (0.004 * ((-1) ** i), 0, size * (i + 0.5)))
        b.apply_transform(
            trimesh.transformations.rotation_matrix(0.2 * ((-1) ** i), (0, 0, 1), (0, 0, 0))
        )
        p.add("body", b)
    p.add(
        "roof",
        prism(
            [(-size / 2, 0.0), (size / 2, 0.0), (0.0, size * 0.6)], -size / 2, size / 2
        ).apply_translation((0, 0, size * count)),
    )
    return p.scene()


def teapot(radius=0.085, height=0.16) -> trimesh.Scene:
    a = np.linspace(0.0, math.pi, 14)
    body = [(radius * math.sin(t), height * 0.78 * (1 - math.cos(t)) / 2) for t in a]
    body[0], body[-1] = (0.0, 0.0), (0.0, height * 0.78)
    body.insert(1, (radius * 0.6, 0.0))
    p = Parts().add("body", revolve(body, 36))
    p.add(
        "body",
        revolve(
            [
                (0.0, height * 0.74),
                (0.04, height * 0.74),
                (0.035, height * 0.84),
                (0.0, height * 0.86),
            ],
            24,
        ),
    )
    p.add("body", sphere(0.012, (0, 0, height * 0.86 + 0.008), 1))
    p.add(
        "body", tube((radius * 0.85, 0, height * 0.3), (radius + 0.06, 0, height * 0.7), 0.011, 12)
    )
    handle = torus(0.042, 0.008, (-radius - 0.008, 0, height * 0.42), (0, 1, 0), 20)
    keep = handle.vertices[:, 0] <= -radius + 0.01
    handle.update_faces(keep[handle.faces].all(axis=1))
    handle.remove_unreferenced_vertices()
    p.add("body", handle)
    return p.scene()


def laptop(width=0.33, depth=0.23, height=0.22) -> trimesh.Scene:
    """Open, the screen tilted back at +Y, the keyboard towards the front (-Y)."""
    base = 0.018
    p = Parts().add("body", block((-width / 2, -depth / 2, 0), (width / 2, depth / 2, base)))
    lid = block((-width / 2, -0.005, 0), (width / 2, 0.005, height - 0.005))
    tilt = trimesh.transformations.rotation_matrix(-0.2, (1, 0, 0))
    lid.apply_transform(tilt)
    lid.apply_translation((0, depth / 2 - 0.01, base))
    p.add("body", lid)
    screen = block((-width / 2 + 0.012, -0.0062, 0.015), (width / 2 - 0.012, -0.004, height - 0.02))
    screen.apply_transform(tilt)
    screen.apply_translation((0, depth / 2 - 0.01, base))
    p.add("screen", screen)
    p.add(
        "keys",
        block(
            (-width / 2 + 0.02, -depth / 2 + 0.08, base),
            (width / 2 - 0.02, depth / 2 - 0.03, base + 0.002),
        ),
    )
    return p.scene()


def candle(radius=0.03, height=0.15) -> trimesh.Scene:
    p = Parts().add("body", cylinder(radius, 0.0, height - 0.015, sections=32))
    p.add("wick", cylinder(0.002, height - 0.015, height, sections=6))
    return p.scene()


def soda_can(radius=0.033, height=0.122) -> trimesh.Scene:
    prof = [(0.0, 0.0), (radius * 0.8, 0.0), (radius, 0.01), (radius, height - 0.012), (radius * 0.82, height - 0.002),
            (radius * 0.82, height), (radius * 0.75, height), (radius * 0.75, height - 0.004), (0.0, height - 0.004)]  # fmt: skip
    p = Parts().add("body", revolve(prof, 32))
    p.add("lid", cylinder(radius * 0.76, height - 0.005, height - 0.003, sections=32))
    return p.scene()


# --- outdoor --------------------------------------------------------------------------------


def bench(width=1.5, depth=0.6, height=0.85, seat=0.45) -> trimesh.Scene:
    p = Parts()
    for i in range(4):  # seat slats
        y0 = -depth / 2 + i * 0.1 + 0.005
        p.add("body", block((-width / 2, y0, seat - 0.03), (width / 2, y0 + 0.09, seat)))
    for i in range(3):  # back slats, leaning back at +Y
        z0 = seat + 0.1 + i * 0.11
        yb = depth / 2 - 0.06 + 0.05 * (z0 - seat) / (height - seat)
        p.add("body", block((-width / 2, yb - 0.03, z0), (width / 2, yb, z0 + 0.08)))
    for sx in (-1, 1):  # cast-iron side frames
        x = sx * (width / 2 - 0.12)
        p.add(
            "frame", tube((x, -depth / 2 + 0.05, 0), (x, -depth / 2 + 0.08, seat - 0.03), 0.02, 10)
        )
        p.add("frame", tube((x, depth / 2 - 0.12, 0), (x, depth / 2 - 0.02, height), 0.02, 10))
        p.add(
            "frame",
            tube(
                (x, -depth / 2 + 0.05, seat - 0.05), (x, depth / 2 - 0.08, seat - 0.05), 0.018, 10
            ),
        )
    return p.scene()


def street_lamp(height=4.0, arm=0.8) -> trimesh.Scene:
    """A pole with an arm reaching towards the street (-Y) and a lamp head."""
    p = Parts().add(
        "body",
        cylinder(0.12, 0.0, 0.4, sections=24),
        cylinder(0.06, 0.4, height - 0.05, sections=16),
    )
    p.add("body", tube((0, 0, height - 0.1), (0, -arm, height - 0.05), 0.035, 12))
    p.add(
        "body",
        prism(
            [(-0.12, 0.0), (0.12, 0.0), (0.08, 0.12), (-0.08, 0.12)], -arm - 0.2, -arm + 0.15
        ).apply_translation((0, 0, height - 0.14)),
    )
    p.add("lamp", block((-0.1, -arm - 0.18, height - 0.16), (0.1, -arm + 0.13, height - 0.14)))
    return p.scene()


def trash_bin(radius=0.25, height=0.95) -> trimesh.Scene:
    prof = [(0.0, 0.0), (radius * 0.9, 0.0), (radius, height - 0.1), (radius - 0.01, height - 0.1),
            (radius * 0.9 - 0.01, 0.02), (0.0, 0.02)]  # fmt: skip
    p = Parts().add("body", revolve(prof, 32))
    p.add("lid", revolve([(0.0, height - 0.1), (radius + 0.012, height - 0.1), (radius + 0.012, height - 0.06),
                          (radius * 0.6, height - 0.02), (0.0, height - 0.02)], 32))  # fmt: skip
    p.add("lid", block((-0.06, -0.015, height - 0.03), (0.06, 0.015, height)))
    return p.scene()


def traffic_cone(height=0.5, radius=0.14, base=0.36) -> trimesh.Scene:
    p = Parts().add(
        "body", revolve([(0.0, 0.03), (radius, 0.03), (0.025, height), (0.0, height)], 32)
    )
    p.add("base", block((-base / 2, -base / 2, 0), (base / 2, base / 2, 0.03)))
    for z0, z1 in ((0.22, 0.29), (0.35, 0.4)):
        r0 = radius - (radius - 0.025) * (z0 - 0.03) / (height - 0.03) + 0.002
        r1 = radius - (radius - 0.025) * (z1 - 0.03) / (height - 0.03) + 0.002
        p.add("stripes", revolve([(r0 - 0.004, z0), (r0, z0), (r1, z1), (r1 - 0.004, z1)], 32))
    return p.scene()


def car(width=1.8, length=4.3, height=1.45) -> trimesh.Scene:
    """A hatchback facing -Y: lower body, a sloped cabin, windows, four wheels."""
    r, w = 0.32, 0.22
    p = Parts()
    side = [
        (-length / 2, 0.3),
        (-length / 2, 0.75),
        (-length / 2 + 0.15, 0.85),
        (length / 2 - 0.1, 0.9),
        (length / 2, 0.8),
        (length / 2, 0.3),
    ]  # fmt: skip  (y, z) of the lower body profile
    body = prism([(y, z) for y, z in side], -width / 2, width / 2)
    body.vertices = body.vertices[:, [1, 0, 2]] * np.array([-1, 1, 1])  # polygon plane: y-z
    body.fix_normals()
    p.add("body", body)
    cabin = [
        (-length / 2 + 1.0, 0.88),
        (length / 2 - 0.55, 0.88),
        (length / 2 - 0.75, height),
        (-length / 2 + 1.7, height),
    ]
    cab = prism(cabin, -width / 2 + 0.1, width / 2 - 0.1)
    cab.vertices = cab.vertices[:, [1, 0, 2]] * np.array([-1, 1, 1])
    cab.fix_normals()
    p.add("body", cab)
    glass = [
        (-length / 2 + 1.05, 0.93),
        (length / 2 - 0.6, 0.93),
        (length / 2 - 0.78, height - 0.06),
        (-length / 2 + 1.72, height - 0.06),
    ]
    gl = prism(glass, -width / 2 + 0.09, width / 2 - 0.09)
    gl.vertices = gl.vertices[:, [1, 0, 2]] * np.array([-1, 1, 1])
    gl.fix_normals()
    p.add("glass", gl)
    for sy in (-1, 1):
        for sx in (-1, 1):
            c = (sx * (width / 2 - w / 2), sy * (length / 2 - 0.75), r)
            p.add("wheels", disc(r, w, c, (1, 0, 0), 28))
            p.add("rims", disc(r * 0.55, w + 0.01, c, (1, 0, 0), 20))
    for sx in (-1, 1):  # headlights at the front (-Y)
        p.add(
            "lights",
            block(
                (sx * 0.65 - 0.15, -length / 2 - 0.01, 0.62),
                (sx * 0.65 + 0.15, -length / 2 + 0.02, 0.72),
            ),
        )
    return p.scene()


def bicycle(length=1.75, height=1.05, width=0.6) -> trimesh.Scene:
    """Side-on along Y: two wheels, a diamond frame, saddle and handlebar (front at -Y)."""
    r = 0.34
    yb, yf = length / 2 - r, -length / 2 + r
    p = Parts()
    for y in (yb, yf):
        p.add("tyres", torus(r - 0.02, 0.02, (0, y, r), (1, 0, 0), 40))
        for k in range(8):  # spokes
            a = k * math.pi / 8
            p.add("spokes", tube((0, y + (r - 0.03) * math.cos(a), r + (r - 0.03) * math.sin(a)),
                                 (0, y - (r - 0.03) * math.cos(a), r - (r - 0.03) * math.sin(a)), 0.003, 4))  # fmt: skip
    bb = (0, 0.02, r - 0.02)  # bottom bracket
    seat = (0, 0.2, 0.86)
    head = (0, yf + 0.2, 0.82)
    for a, b in ((bb, seat), (bb, head), (seat, head), (bb, (0, yb, r)), (seat, (0, yb, r)),
                 (head, (0, yf, r)), (seat, (0, 0.25, 0.95))):  # fmt: skip
        p.add("body", tube(a, b, 0.018, 10))
    p.add("body", tube(head, (0, yf + 0.16, height - 0.03), 0.018, 10))
    p.add(
        "handlebar",
        tube(
            (-width / 2, yf + 0.16, height - 0.03), (width / 2, yf + 0.16, height - 0.03), 0.015, 10
        ),
    )
    p.add("saddle", ellipsoid((0.07, 0.13, 0.03), (0, 0.27, 0.97), 2))
    return p.scene()


def tree(height=5.0, crown=3.0) -> trimesh.Scene:
    p = Parts().add(
        "trunk",
        revolve(
            [(0.0, 0.0), (0.2, 0.0), (0.14, 0.3), (0.11, height * 0.6), (0.0, height * 0.6)], 16
        ),
    )
    p.add("trunk", tube((0, 0, height * 0.4), (0.5, 0.2, height * 0.62), 0.06, 8))
    blobs = [((0, 0, height - crown * 0.42), crown * 0.42), ((crown * 0.25, 0.1, height - crown * 0.62), crown * 0.3),
             ((-crown * 0.24, -0.1, height - crown * 0.6), crown * 0.3), ((0.05, crown * 0.22, height - crown * 0.55), crown * 0.28),
             ((0, -crown * 0.22, height - crown * 0.58), crown * 0.28)]  # fmt: skip
    for c, rad in blobs:
        p.add("foliage", sphere(rad, c, 2))
    return p.scene()


def bush(width=1.2, height=0.9) -> trimesh.Scene:
    p = Parts()
    for c, rad in (((0, 0, height * 0.5), height * 0.5), ((width * 0.25, 0.05, height * 0.38), height * 0.38),
                   ((-width * 0.25, -0.05, height * 0.4), height * 0.4)):  # fmt: skip
        p.add("foliage", ellipsoid((rad * 1.1, rad, rad), c, 2))
    return p.scene()


def building_facade(width=8.0, height=10.0, depth=0.5, floors=3, bays=4) -> trimesh.Scene:
    """The front of a building (facing -Y): walls, window grid, a door and a cornice."""
    p = Parts().add(
        "body", block((-width / 2, -depth / 2 + 0.1, 0), (width / 2, depth / 2, height - 0.3))
    )
    p.add("trim", block((-width / 2, -depth / 2, height - 0.3), (width / 2, depth / 2, height)))
    p.add("trim", block((-width / 2, -depth / 2 + 0.05, 0), (width / 2, -depth / 2 + 0.1, 0.4)))
    fh = (height - 0.3) / floors
    bw = width / bays
    for f in range(floors):
        for b in range(bays):
            x = -width / 2 + (b + 0.5) * bw
            if f == 0 and b == bays // 2:  # the door
                p.add(
                    "door",
                    block((x - 0.55, -depth / 2 + 0.06, 0.0), (x + 0.55, -depth / 2 + 0.12, 2.3)),
                )
                continue
            z0 = f * fh + fh * 0.3
            p.add(
                "glass",
                block(
                    (x - bw * 0.28, -depth / 2 + 0.07, z0),
                    (x + bw * 0.28, -depth / 2 + 0.11, z0 + fh * 0.5),
                ),
            )
            p.add(
                "trim",
                block(
                    (x - bw * 0.32, -depth / 2 + 0.04, z0 - 0.08),
                    (x + bw * 0.32, -depth / 2 + 0.1, z0),
                ),
            )
    return p.scene()


def fire_hydrant(height=0.75, radius=0.13) -> trimesh.Scene:
    prof = [(0.0, 0.0), (radius * 1.3, 0.0), (radius * 1.3, 0.06), (radius, 0.08), (radius, height - 0.2),
            (radius * 1.15, height - 0.18), (radius * 1.15, height - 0.15), (radius * 0.9, height - 0.1),
            (0.04, height - 0.02), (0.0, height - 0.02)]  # fmt: skip
    p = Parts().add("body", revolve(prof, 28))
    p.add("body", cylinder(0.025, height - 0.03, height, sections=6))
    for d in ((1, 0, 0), (-1, 0, 0), (0, -1, 0)):
        c = np.array((0, 0, height * 0.58)) + np.array(d) * (radius + 0.03)
        p.add("caps", disc(0.045, 0.07, c, d, 16))
    return p.scene()


def bollard(radius=0.1, height=0.9) -> trimesh.Scene:
    p = Parts().add(
        "body",
        revolve(
            [
                (0.0, 0.0),
                (radius, 0.0),
                (radius, height - 0.05),
                (radius * 0.6, height),
                (0.0, height),
            ],
            24,
        ),
    )
    p.add("band", cylinder(radius + 0.003, height - 0.25, height - 0.17, sections=24))
    return p.scene()


# --- text-bearing ---------------------------------------------------------------------------


def sign_board(width=0.8, height=1.2, board=0.5) -> trimesh.Scene:
    """A free-standing board on two posts; the text goes on its front face (-Y)."""
    t = 0.03
    p = Parts().add(
        "board", block((-width / 2, -t / 2, height - board), (width / 2, t / 2, height))
    )
    for sx in (-1, 1):
        x = sx * (width / 2 - 0.06)
        p.add("posts", block((x - 0.02, t / 2, 0), (x + 0.02, t / 2 + 0.04, height - 0.02)))
        p.add("posts", block((x - 0.02, -0.12, 0), (x + 0.02, 0.12 + t, 0.03)))
    p.metadata["text_anchor"] = _anchor(
        (0, -t / 2, height - board / 2), (0, -1, 0), width * 0.9, board * 0.8
    )
    return p.scene()


def wall_text(width=1.2, height=0.4, depth=0.02) -> trimesh.Scene:
    """A thin panel on the wall for lettering (wall text)."""
    p = Parts().add("board", block((-width / 2, -depth / 2, 0), (width / 2, depth / 2, height)))
    p.metadata["text_anchor"] = _anchor(
        (0, -depth / 2, height / 2), (0, -1, 0), width * 0.92, height * 0.8
    )
    return p.scene()


def floor_text(width=1.2, depth=0.6, thickness=0.002) -> trimesh.Scene:
    """A flat decal on the floor or the pavement, read from the front (-Y)."""
    p = Parts().add("board", block((-width / 2, -depth / 2, 0), (width / 2, depth / 2, thickness)))
    p.metadata["text_anchor"] = _anchor((0, 0, thickness), (0, 0, 1), width * 0.9, depth * 0.75)
    return p.scene()


def poster(width=0.5, height=0.7, depth=0.01) -> trimesh.Scene:
    """A wall poster: a coloured sheet with a picture block and room for a headline."""
    p = Parts().add("board", block((-width / 2, -depth / 2, 0), (width / 2, depth / 2, height)))
    p.add(
        "picture",
        block(
            (-width * 0.4, -depth / 2 - 0.002, height * 0.08),
            (width * 0.4, -depth / 2, height * 0.55),
        ),
    )
    p.metadata["text_anchor"] = _anchor(
        (0, -depth / 2, height * 0.77), (0, -1, 0), width * 0.85, height * 0.3
    )
    return p.scene()


def shop_sign(width=1.6, height=0.45, depth=0.12) -> trimesh.Scene:
    """A box sign for a shop front, mounted on a wall, with a frame around the lettering face."""
    p = Parts().add(
        "board",
        block(
            (-width / 2 + 0.03, -depth / 2 + 0.01, 0.03),
            (width / 2 - 0.03, depth / 2, height - 0.03),
        ),
    )
    f = 0.03
    p.add("frame", block((-width / 2, -depth / 2, 0), (width / 2, depth / 2, f)))
    p.add("frame", block((-width / 2, -depth / 2, height - f), (width / 2, depth / 2, height)))
    p.add("frame", block((-width / 2, -depth / 2, f), (-width / 2 + f, depth / 2, height - f)))
    p.add("frame", block((width / 2 - f, -depth / 2, f), (width / 2, depth / 2, height - f)))
    p.metadata["text_anchor"] = _anchor(
        (0, -depth / 2 + 0.01, height / 2), (0, -1, 0), width - 0.1, height - 0.1
    )
    return p.scene()


def sign_post(height=2.4, plate_width=0.6, plate_height=0.3) -> trimesh.Scene:
    """A street sign: a pole with a rectangular plate on top, facing -Y."""
    p = Parts().add("posts", cylinder(0.03, 0.0, height - 0.02, sections=12))
    y0 = -0.04
    p.add(
        "board",
        block((-plate_width / 2, y0 - 0.015, height - plate_height), (plate_width / 2, y0, height)),
    )
    p.metadata["text_anchor"] = _anchor((0, y0 - 0.015, height - plate_height / 2), (0, -1, 0),
                                        plate_width * 0.9, plate_height * 0.8)  # fmt: skip
    return p.scene()


# --- CLEVR primitives -----------------------------------------------------------------------


def clevr_cube(size=0.1) -> trimesh.Scene:
    return Parts().add("body", box((size, size, size), (0, 0, size / 2))).scene()


def clevr_sphere(size=0.1) -> trimesh.Scene:
    return Parts().add("body", sphere(size / 2, (0, 0, size / 2), 3)).scene()


def clevr_cylinder(size=0.1) -> trimesh.Scene:
    return Parts().add("body", cylinder(size / 2, 0.0, size, sections=40)).scene()
