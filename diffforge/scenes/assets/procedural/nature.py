"""Plants: potted plants indoors, trees and bushes outdoors."""

from __future__ import annotations

import trimesh

from diffforge.scenes.assets.meshutil import cylinder, ellipsoid, revolve, sphere, tube
from diffforge.scenes.assets.procedural.parts import Parts


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
