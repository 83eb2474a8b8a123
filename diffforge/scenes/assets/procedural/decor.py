"""Room decor: rugs, wall pieces, a television and candles."""

from __future__ import annotations

import math

import trimesh

from diffforge.scenes.assets.meshutil import block, box, cylinder, disc, prism, torus
from diffforge.scenes.assets.procedural.parts import Parts


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


def candle(radius=0.03, height=0.15) -> trimesh.Scene:
    p = Parts().add("body", cylinder(radius, 0.0, height - 0.015, sections=32))
    p.add("wick", cylinder(0.002, height - 0.015, height, sections=6))
    return p.scene()
