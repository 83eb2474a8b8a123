"""Indoor furniture: tables, seats, shelves and cabinets (the holders set ``surface_height``)."""

from __future__ import annotations

import math

import numpy as np
import trimesh

from diffforge.scenes.assets.meshutil import block, box, cylinder, torus, tube
from diffforge.scenes.assets.procedural.parts import Parts, square_legs


def table(width=1.2, depth=0.75, height=0.75, top=0.04, leg=0.06) -> trimesh.Scene:
    p = Parts().add(
        "body", block((-width / 2, -depth / 2, height - top), (width / 2, depth / 2, height))
    )
    p.add("body", *square_legs(width, depth, height - top, leg, inset=0.04))
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
    p.add("body", *square_legs(width, depth, seat - 0.04, 0.035, inset=0.01))
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
    p.add("legs", *square_legs(width, depth, 0.12, 0.05, inset=0.03))
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
    p.add("legs", *square_legs(width, depth, base, 0.05, inset=0.04))
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
