"""The CLEVR primitives of the tabletop layout: cube, sphere and cylinder."""

from __future__ import annotations

import trimesh

from diffforge.scenes.assets.meshutil import box, cylinder, sphere
from diffforge.scenes.assets.procedural.parts import Parts


def clevr_cube(size=0.1) -> trimesh.Scene:
    return Parts().add("body", box((size, size, size), (0, 0, size / 2))).scene()


def clevr_sphere(size=0.1) -> trimesh.Scene:
    return Parts().add("body", sphere(size / 2, (0, 0, size / 2), 3)).scene()


def clevr_cylinder(size=0.1) -> trimesh.Scene:
    return Parts().add("body", cylinder(size / 2, 0.0, size, sections=40)).scene()
