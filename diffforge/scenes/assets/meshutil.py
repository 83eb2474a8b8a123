"""Small mesh builders shared by the procedural assets and the mannequin.

Coordinates: metres, Z up, the front of an asset faces -Y (Blender's front view, and where the
layouts put the camera). Every builder returns a fresh ``trimesh.Trimesh``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import trimesh
from trimesh import creation

Vec = Sequence[float]


def box(extents: Vec, center: Vec = (0.0, 0.0, 0.0)) -> trimesh.Trimesh:
    """An axis-aligned box."""
    return creation.box(
        extents=extents, transform=trimesh.transformations.translation_matrix(center)
    )


def block(lo: Vec, hi: Vec) -> trimesh.Trimesh:
    """An axis-aligned box from its min and max corners (easier to read for furniture)."""
    lo, hi = np.asarray(lo, float), np.asarray(hi, float)
    return box(hi - lo, (lo + hi) / 2)


def _z_to(direction: np.ndarray) -> np.ndarray:
    """A rotation (4x4) taking +Z onto ``direction``."""
    return trimesh.geometry.align_vectors([0.0, 0.0, 1.0], direction)


def tube(p0: Vec, p1: Vec, radius: float, sections: int = 16) -> trimesh.Trimesh:
    """A cylinder from point p0 to point p1."""
    p0, p1 = np.asarray(p0, float), np.asarray(p1, float)
    axis = p1 - p0
    length = float(np.linalg.norm(axis))
    mesh = creation.cylinder(radius=radius, height=length, sections=sections)
    mesh.apply_transform(_z_to(axis / length))
    mesh.apply_translation((p0 + p1) / 2)
    return mesh


def capsule(p0: Vec, p1: Vec, radius: float, count: tuple[int, int] = (12, 12)) -> trimesh.Trimesh:
    """A capsule whose cap centres are p0 and p1 (limbs of the mannequin)."""
    p0, p1 = np.asarray(p0, float), np.asarray(p1, float)
    axis = p1 - p0
    length = float(np.linalg.norm(axis))
    mesh = creation.capsule(height=length, radius=radius, count=count)
    mesh.apply_transform(_z_to(axis / length))
    mesh.apply_translation((p0 + p1) / 2)
    return mesh


def cylinder(radius: float, z0: float, z1: float, center: Vec = (0.0, 0.0), sections: int = 32):
    """An upright cylinder standing between heights z0 and z1."""
    x, y = center
    return tube((x, y, z0), (x, y, z1), radius, sections)


def sphere(radius: float, center: Vec = (0.0, 0.0, 0.0), subdivisions: int = 2) -> trimesh.Trimesh:
    mesh = creation.icosphere(subdivisions=subdivisions, radius=radius)
    mesh.apply_translation(center)
    return mesh


def ellipsoid(radii: Vec, center: Vec = (0.0, 0.0, 0.0), subdivisions: int = 2):
    mesh = creation.icosphere(subdivisions=subdivisions, radius=1.0)
    mesh.apply_scale(radii)
    mesh.apply_translation(center)
    return mesh


def torus(major: float, minor: float, center: Vec, axis: Vec = (0.0, 0.0, 1.0), sections=24):
    """A ring around ``axis`` (handles, wheels, rims)."""
    mesh = creation.torus(major, minor, major_sections=sections, minor_sections=10)
    mesh.apply_transform(_z_to(np.asarray(axis, float)))
    mesh.apply_translation(center)
    return mesh


def disc(radius: float, thickness: float, center: Vec, axis: Vec = (0.0, 0.0, 1.0), sections=32):
    """A short cylinder centred at ``center`` along ``axis`` (wheels, clock faces)."""
    c, a = np.asarray(center, float), np.asarray(axis, float)
    a = a / np.linalg.norm(a)
    return tube(c - a * thickness / 2, c + a * thickness / 2, radius, sections)


def revolve(profile: Sequence[tuple[float, float]], sections: int = 32) -> trimesh.Trimesh:
    """Revolve a (radius, z) profile about Z: mugs, vases, bottles, bowls, shades, pots.

    The profile runs from the bottom centre outwards and up (and back down the inside for open
    vessels); normals are flipped outward when the result is closed.
    """
    mesh = creation.revolve(np.asarray(profile, float), sections=sections)
    if mesh.is_watertight and mesh.volume < 0:
        mesh.invert()
    return mesh


def prism(polygon: Sequence[tuple[float, float]], y0: float, y1: float) -> trimesh.Trimesh:
    """Extrude a convex (x, z) polygon along Y from y0 to y1 (car cabins, roofs, wedges)."""
    pts = np.asarray(polygon, float)
    n = len(pts)
    tris = np.array([[0, i, i + 1] for i in range(1, n - 1)])
    mesh = creation.extrude_triangulation(pts, tris, height=y1 - y0)
    # extrude_triangulation works in XY then Z; map (x, z_poly, y_extrude) -> (x, y, z)
    v = mesh.vertices.copy()
    mesh.vertices = np.column_stack([v[:, 0], v[:, 2] + y0, v[:, 1]])
    mesh.fix_normals()
    return mesh


def merge(meshes: Sequence[trimesh.Trimesh]) -> trimesh.Trimesh:
    return trimesh.util.concatenate(list(meshes))
