"""Lamps: floor, table and pendant lamps (the layouts hang the bulb's light under the rim of
the ``shade`` slot) and the street lamp with its head reaching over the road (-Y)."""

from __future__ import annotations

import trimesh

from diffforge.scenes.assets.meshutil import block, cylinder, prism, revolve, sphere, tube
from diffforge.scenes.assets.procedural.parts import Parts


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
