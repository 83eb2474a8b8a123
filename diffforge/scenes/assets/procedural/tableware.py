"""What stands on a table to eat and drink from: cups, bottles, bowls, a teapot, fruit."""

from __future__ import annotations

import math

import numpy as np
import trimesh

from diffforge.scenes.assets.meshutil import cylinder, ellipsoid, revolve, sphere, torus, tube
from diffforge.scenes.assets.procedural.parts import Parts


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


def soda_can(radius=0.033, height=0.122) -> trimesh.Scene:
    prof = [(0.0, 0.0), (radius * 0.8, 0.0), (radius, 0.01), (radius, height - 0.012), (radius * 0.82, height - 0.002),
            (radius * 0.82, height), (radius * 0.75, height), (radius * 0.75, height - 0.004), (0.0, height - 0.004)]  # fmt: skip
    p = Parts().add("body", revolve(prof, 32))
    p.add("lid", cylinder(radius * 0.76, height - 0.005, height - 0.003, sections=32))
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
