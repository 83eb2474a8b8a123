"""Street furniture and vehicles: benches, bins, cones, hydrants, bollards, cars, bicycles."""

from __future__ import annotations

import math

import numpy as np
import trimesh

from diffforge.scenes.assets.meshutil import (
    block,
    cylinder,
    disc,
    ellipsoid,
    prism,
    revolve,
    torus,
    tube,
)
from diffforge.scenes.assets.procedural.parts import Parts


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
