"""The CLEVR primitives of the tabletop layout: cube, sphere and cylinder, each in many shapes.

A primitive keeps its noun whatever its variant (the library rescales every variant to the
manifest's 10 cm box), so shapes vary where a viewer can still say "cube": the edges. Cubes and
cylinders come sharp, chamfered or rounded at a drawn radius; spheres come smooth or faceted
at a drawn tessellation (a low-poly ball, as game and CAD exports make them). Rounded shapes are
built from finely subdivided flat regions so that the renderer's smooth shading (by angle)
keeps the flat faces flat.
"""

from __future__ import annotations

import numpy as np
import trimesh
from trimesh import creation

from diffforge.scenes.assets.meshutil import box, cylinder, revolve
from diffforge.scenes.assets.procedural.parts import Parts, pick, shaped, u

_FACE_DIVISIONS = 16  # a rounded cube's grid per face: the flat part stays flat when smoothed


def _edges(round_max: float):
    """A shape drawer for sharp, chamfered or rounded edges: ``edge`` is the cut's share of the
    half edge (cube) or radius (cylinder); a chamfer deeper than 0.22 turns a cube into a
    cuboctahedron, a rounding past ``round_max`` into another noun."""

    def draw(rng: np.random.Generator) -> dict:
        style = pick(rng, ("sharp", "chamfer", "chamfer", "round", "round", "round"))
        edge = {"sharp": 0.0, "chamfer": u(rng, 0.06, 0.22), "round": u(rng, 0.06, round_max)}
        return {"style": style, "edge": edge[style]}

    return draw


def _rounded_box(half: float, radius: float) -> trimesh.Trimesh:
    """A cube of half edge ``half`` whose edges and corners are rounded at ``radius``: every
    vertex of a subdivided cube is pulled onto the surface around the inner box."""
    grid = creation.box(extents=(2 * half,) * 3)
    grid = grid.subdivide_to_size(3 * half / _FACE_DIVISIONS, max_iter=12)
    v = grid.vertices
    inner = np.clip(v, -(half - radius), half - radius)
    out = v - inner
    norm = np.linalg.norm(out, axis=1, keepdims=True)
    grid.vertices = inner + radius * out / np.maximum(norm, 1e-12)
    grid.merge_vertices()
    return grid


def _chamfered_box(half: float, cut: float) -> trimesh.Trimesh:
    """A cube of half edge ``half`` with every edge cut at 45 degrees, ``cut`` deep."""
    pts = []
    for axis in range(3):
        for signs in np.ndindex(2, 2, 2):
            p = np.array([(2 * s - 1) * (half - cut) for s in signs], float)
            p[axis] = np.sign(p[axis]) * half
            pts.append(p)
    return trimesh.convex.convex_hull(np.array(pts))


@shaped(_edges(round_max=0.4))
def clevr_cube(size=0.1, style="sharp", edge=0.0) -> trimesh.Scene:
    """A cube: sharp, chamfered or rounded edges (``edge``: share of the half edge)."""
    half = size / 2
    if style == "round" and edge > 0:
        body = _rounded_box(half, edge * half)
    elif style == "chamfer" and edge > 0:
        body = _chamfered_box(half, edge * half)
    else:
        body = box((size, size, size))
    body.apply_translation((0, 0, half))
    return Parts().add("body", body).scene()


def _sphere_shape(rng: np.random.Generator) -> dict:
    if rng.random() < 0.3:
        return {"style": "smooth", "segments": 0, "rings": 0}
    segments = int(rng.integers(10, 25))  # fewer rings than five read as a gem, not a ball
    return {"style": "faceted", "segments": segments, "rings": segments // 2 + pick(rng, (0, 1))}


def _faceted_ball(radius: float, segments: int, rings: int) -> trimesh.Trimesh:
    """A latitude-longitude ball, ``segments`` faces around and ``rings`` from pole to pole,
    each face with its own vertices so that it renders flat."""
    lat = np.linspace(0, np.pi, rings + 1)[:, None]
    lon = np.linspace(0, 2 * np.pi, segments, endpoint=False)[None, :]
    grid = np.stack([np.sin(lat) * np.cos(lon), np.sin(lat) * np.sin(lon),
                     np.cos(lat) + 0 * lon], axis=-1).reshape(-1, 3)  # fmt: skip
    faces = []
    for i in range(rings):
        for j in range(segments):
            a, b = i * segments + j, i * segments + (j + 1) % segments
            c, d = a + segments, b + segments
            faces += [(a, c, b)] if i else []  # the poles' rows of quads are triangles
            faces += [(b, c, d)] if i < rings - 1 else []
    mesh = trimesh.Trimesh(radius * grid, faces)
    mesh.fix_normals()
    mesh.unmerge_vertices()
    return mesh


@shaped(_sphere_shape)
def clevr_sphere(size=0.1, style="smooth", segments=0, rings=0) -> trimesh.Scene:
    """A sphere: smooth, or faceted with ``segments`` around and ``rings`` from pole to pole
    (each face its own vertices, so it renders flat)."""
    if style == "faceted" and segments and rings:
        body = _faceted_ball(size / 2, segments, rings)
    else:
        body = creation.icosphere(subdivisions=3, radius=size / 2)
    body.apply_translation((0, 0, size / 2))
    return Parts().add("body", body).scene()


@shaped(_edges(round_max=0.35))
def clevr_cylinder(size=0.1, style="sharp", edge=0.0) -> trimesh.Scene:
    """A cylinder as tall as it is wide: sharp, chamfered or rounded rims (``edge``: share of
    the radius), revolved from its profile."""
    r, h = size / 2, size
    e = edge * r
    if style == "round" and e > 0:
        arc = np.linspace(0, np.pi / 2, 7)
        low = [(r - e + e * np.sin(a), e - e * np.cos(a)) for a in arc]
        high = [(r - e + e * np.cos(a), h - e + e * np.sin(a)) for a in arc]
        # a ring just inside each rim keeps the caps' fans flat under smooth shading
        profile = [(0, 0), (r - e - 0.02 * r, 0), *low, *high, (r - e - 0.02 * r, h), (0, h)]
    elif style == "chamfer" and e > 0:
        profile = [(0, 0), (r - e, 0), (r, e), (r, h - e), (r - e, h), (0, h)]
    else:
        return Parts().add("body", cylinder(r, 0.0, h, sections=40)).scene()
    return Parts().add("body", revolve(profile, 48)).scene()
