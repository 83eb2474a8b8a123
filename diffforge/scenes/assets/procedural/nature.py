"""Plants: potted plants indoors, trees and bushes outdoors.

Trees grow per species (round, oak, conifer, poplar, birch, weeping, palm): a tapering trunk,
branches to every leaf cluster, and many lumpy clusters with gaps between them rather than a
few smooth spheres, so their shadows break up. Bushes and potted plants vary alike.
"""

from __future__ import annotations

import itertools
import logging
import math

import numpy as np
import trimesh

from diffforge.scenes.assets.meshutil import cylinder, ellipsoid, revolve, tube
from diffforge.scenes.assets.procedural.parts import Parts, lump, pick, pot_mesh, shaped, u

SPECIES = ("round", "oak", "conifer", "poplar", "birch", "weeping", "palm", "young")


def _tree_shape(rng) -> dict:
    return {
        "style": pick(rng, SPECIES),
        "seed": int(rng.integers(1 << 30)),
        "clusters": int(rng.integers(6, 14)),
        "crown_base": u(rng, 0.3, 0.5),
        "lean": u(rng, -0.15, 0.15),
    }


def _clump(radius: float, center, gen: np.random.Generator, flat: float = 0.7) -> trimesh.Trimesh:
    """One small leaf clump: a coarse ball with every vertex pushed in or out at random, so
    the clumps read as ragged foliage and each casts its own small irregular shadow."""
    mesh = ellipsoid((1.0, 1.0, 1.0), (0.0, 0.0, 0.0), 1)
    jitter = gen.uniform(0.65, 1.25, size=(len(mesh.vertices), 1))
    stretch = np.array((gen.uniform(0.8, 1.2), gen.uniform(0.8, 1.2), flat * gen.uniform(0.8, 1.2)))
    mesh.vertices = mesh.vertices * jitter * stretch * radius
    mesh.apply_transform(trimesh.transformations.rotation_matrix(gen.uniform(0, 6.3), (0, 0, 1)))
    return mesh.apply_translation(center)


def _conifer_tier(
    z: float, radius: float, rise: float, gen: np.random.Generator
) -> trimesh.Trimesh:
    """One whorl of a conifer: a skirt of jagged branch tips drooping from the stem (a star of
    tips and notches, the outer half bent down), open between its tips."""
    k = max(7, int(radius * 9))
    turn = gen.uniform(0, 2 * math.pi)
    apex = (0.0, 0.0, z + rise)
    inner, outer = [], []
    for i in range(2 * k):
        a = turn + math.pi * i / k + gen.uniform(-0.12, 0.12)
        tip = i % 2 == 0
        r = radius * (gen.uniform(0.85, 1.1) if tip else gen.uniform(0.35, 0.5))
        droop = gen.uniform(0.0, 0.15) * rise if tip else rise * 0.3
        inner.append((0.5 * r * math.cos(a), 0.5 * r * math.sin(a), z + rise * 0.55))
        outer.append((r * math.cos(a), r * math.sin(a), z - droop))
    under = (0.0, 0.0, z + rise * 0.25)
    verts = np.array([apex, under, *inner, *outer])
    n = 2 * k
    faces = []
    for i in range(n):
        j = (i + 1) % n
        a0, a1, b0, b1 = 2 + i, 2 + j, 2 + n + i, 2 + n + j
        faces += [(0, a0, a1), (a0, b0, b1), (a0, b1, a1), (1, b1, b0)]
    return trimesh.Trimesh(verts, np.array(faces), process=False)


# a deciduous crown per species: its half-width, height (both shares of ``crown``), the leaf
# clump radius (share of ``crown``) and clumps per limb
CROWNS = {
    "oak": (0.5, 0.75, 0.085, 5),
    "round": (0.42, 0.8, 0.08, 5),
    "birch": (0.3, 0.85, 0.06, 5),
    "weeping": (0.45, 0.9, 0.07, 6),
    "poplar": (0.27, 1.5, 0.05, 5),
    "young": (0.28, 0.6, 0.07, 4),
}


@shaped(_tree_shape)
def tree(height=5.0, crown=3.0, style="round", seed=0, clusters=9, crown_base=0.4,
         lean=0.0) -> trimesh.Scene:  # fmt: skip
    gen = np.random.default_rng(seed)
    p = Parts()
    r0 = 0.12 + 0.06 * gen.random()
    if style == "palm":
        pts = [(lean * 0.5 * t * t, 0.0, height * 0.85 * t) for t in np.linspace(0, 1, 6)]
        for a, b in itertools.pairwise(pts):
            p.add("trunk", tube(a, b, r0 * 0.8, 10))
        top = np.array(pts[-1])
        for k in range(clusters):
            a = 2 * math.pi * k / clusters
            tip = top + np.array(
                (crown * 0.5 * math.cos(a), crown * 0.5 * math.sin(a), -height * 0.12)
            )
            mid = (top + tip) / 2 + np.array((0, 0, 0.25))
            p.add("trunk", tube(top, mid, 0.03, 6))
            p.add("foliage", ellipsoid((0.45, 0.18, 0.06), (0, 0, 0), 1).apply_transform(
                trimesh.transformations.rotation_matrix(a, (0, 0, 1))).apply_translation((top + tip) / 2 + (0, 0, 0.15)))  # fmt: skip
        return p.scene()
    base = height * crown_base
    trunk_top = height * (0.95 if style in ("conifer", "poplar") else 0.6)
    top = np.array((lean, 0.0, trunk_top))
    p.add(
        "trunk",
        revolve(
            [
                (0.0, 0.0),
                (r0 * 1.6, 0.0),
                (r0, 0.3),
                (r0 * 0.55, trunk_top * 0.7),
                (0.0, trunk_top * 0.7),
            ],
            12,
        ),
    )
    p.add("trunk", tube((0, 0, trunk_top * 0.68), top, r0 * 0.45, 8))
    if style == "conifer":
        tiers = clusters // 2 + 3
        span = height - base * 0.5
        for k in range(tiers):
            z = base * 0.5 + span * k / tiers * gen.uniform(0.97, 1.03)
            rad = crown / 2 * (1 - k / tiers) * gen.uniform(0.85, 1.0) + 0.12
            p.add("foliage", _conifer_tier(z, rad, span / tiers * 1.25, gen))
        return p.scene()
    wide, tall, leaf, per_limb = CROWNS[style]
    half_w, crown_h = crown * wide, min(crown * tall, height - base)
    mid_z = height - crown_h / 2  # the crown's envelope: an ellipsoid about (lean, 0, mid_z)
    for k in range(clusters):
        a = 2 * math.pi * (k + gen.uniform(-0.3, 0.3)) / clusters
        up = gen.uniform(-0.2, 0.8)  # where on the envelope the limb ends, low to high
        end = np.array(
            (
                lean + half_w * 0.75 * math.cos(a) * math.sqrt(1 - up * up),
                half_w * 0.75 * math.sin(a) * math.sqrt(1 - up * up),
                mid_z + crown_h / 2 * 0.75 * up,
            )
        )
        start = top - np.array((0.0, 0.0, gen.uniform(0.0, trunk_top * 0.3)))
        p.add("trunk", tube(start, end, max(0.025, r0 * 0.28), 6))
        for _c in range(per_limb + int(gen.integers(0, 3))):
            off = gen.normal(0.0, 1.0, 3) * np.array((half_w, half_w, crown_h / 2)) * 0.22
            if style == "weeping":  # clumps hang down from the limb's end
                off[2] = -abs(off[2]) * 2.5
            p.add("foliage", _clump(crown * leaf * gen.uniform(0.75, 1.25), end + off, gen,
                                   1.5 if style in ("poplar", "weeping") else 0.7))  # fmt: skip
    crest = np.array((lean, 0.0, height - crown * leaf))
    p.add("trunk", tube(top, crest, max(0.025, r0 * 0.3), 6))
    for _c in range(3):  # the leader's top
        off = gen.normal(0.0, 1.0, 3) * np.array((half_w, half_w, crown_h / 2)) * 0.12
        p.add("foliage", _clump(crown * leaf, crest + off, gen, 0.8))
    return p.scene()


def _bush_shape(rng) -> dict:
    return {
        "style": pick(rng, ("mound", "hedge", "spread", "cone", "ball", "clumps", "tall", "low")),
        "seed": int(rng.integers(1 << 30)),
        "clusters": int(rng.integers(4, 10)),
    }


def _leafy(p: Parts, core: trimesh.Trimesh, leaf: float, gen: np.random.Generator) -> None:
    """A foliage mass: its core, shrunk a little, under ragged leaf clumps set on its surface
    (a smooth lump alone read as a rock)."""
    centre = core.bounds.mean(axis=0)
    core.vertices = centre + (core.vertices - centre) * 0.85
    p.add("foliage", core)
    # fewer clumps than asked is fine: trimesh's "only got n/m samples" warning would reach a
    # command's stderr (a failed run's one error line)
    quiet = logging.getLogger("trimesh")
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        points, _ = trimesh.sample.sample_surface_even(
            core, max(8, int(core.area / leaf**2 / 8)), seed=int(gen.integers(1 << 30))
        )
    finally:
        quiet.setLevel(level)
    for x in points:
        if x[2] > 0.05:  # none under the ground
            p.add("foliage", _clump(leaf * gen.uniform(0.8, 1.3), x, gen))


@shaped(_bush_shape)
def bush(width=1.2, height=0.9, style="mound", seed=0, clusters=6) -> trimesh.Scene:
    gen = np.random.default_rng(seed)
    p = Parts()
    depth = width * 0.7
    leaf = 0.12 * width
    if style == "hedge":  # clipped: small tight clumps
        core = lump((width / 2, depth / 2, height / 2), (0, 0, height / 2), gen, 0.06)
        _leafy(p, core, leaf * 0.6, gen)
        return p.scene()
    if style == "cone":
        p.add(
            "foliage",
            revolve([(0.0, 0.0), (width * 0.45, 0.05), (0.05, height), (0.0, height)], 16),
        )
        return p.scene()
    if style == "ball":
        p.add("trunk", cylinder(0.03, 0.0, height * 0.35, sections=8))
        core = lump((width * 0.35, width * 0.35, height * 0.32), (0, 0, height * 0.66), gen, 0.08)
        _leafy(p, core, leaf * 0.7, gen)
        return p.scene()
    # the library rescales every shape to one size: the styles differ in outline, not in height
    flat = {"mound": 0.55, "spread": 0.45, "clumps": 0.5, "tall": 0.7, "low": 0.42}[style]
    for _ in range(clusters):
        x, y = gen.uniform(-width * 0.3, width * 0.3), gen.uniform(-depth * 0.2, depth * 0.2)
        r = gen.uniform(0.25, 0.4) * width
        h = height * flat * gen.uniform(0.7, 1.0)
        _leafy(p, lump((r, r * 0.8, h / 1.2), (x, y, h / 1.2), gen, 0.2), leaf, gen)
    return p.scene()


POTS = ("tapered", "cylinder", "bowl", "square", "urn")


def _plant_shape(rng) -> dict:
    return {
        "style": pick(rng, ("leafy", "blades", "tree", "fern", "cactus", "bushy")),
        "pot": pick(rng, POTS),
        "pot_share": u(rng, 0.2, 0.4),
        "seed": int(rng.integers(1 << 30)),
    }


def _plant(p: Parts, style: str, top_z: float, height: float, spread: float, gen) -> None:
    """Foliage from ``top_z`` (the soil) up to ``height`` within ``spread`` of the axis."""
    grow = height - top_z
    if style == "blades":
        for k in range(9):
            a = 2 * math.pi * k / 9 + gen.uniform(-0.2, 0.2)
            tip = (
                spread * 0.6 * math.cos(a) * gen.uniform(0.3, 1),
                spread * 0.6 * math.sin(a) * gen.uniform(0.3, 1),
                top_z + grow * gen.uniform(0.7, 1),
            )
            blade = tube((0, 0, top_z), tip, spread * 0.06, 4)
            blade.vertices[:, 0] = blade.vertices[:, 0] * 1.0
            p.add("foliage", blade)
    elif style == "tree":
        p.add("trunk", cylinder(spread * 0.05, top_z, top_z + grow * 0.55, sections=8))
        p.add(
            "foliage",
            lump(
                (spread * 0.7, spread * 0.7, grow * 0.28), (0, 0, height - grow * 0.28), gen, 0.15
            ),
        )
    elif style == "fern":
        for k in range(10):
            a = 2 * math.pi * k / 10
            c = (
                spread * 0.55 * math.cos(a),
                spread * 0.55 * math.sin(a),
                top_z + grow * gen.uniform(0.35, 0.6),
            )
            p.add("foliage", ellipsoid((spread * 0.45, spread * 0.12, grow * 0.08), (0, 0, 0), 1).apply_transform(
                trimesh.transformations.rotation_matrix(a, (0, 0, 1))).apply_translation(c))  # fmt: skip
        p.add(
            "foliage",
            lump((spread * 0.35, spread * 0.35, grow * 0.3), (0, 0, top_z + grow * 0.3), gen),
        )
    elif style == "cactus":
        p.add("foliage", tube((0, 0, top_z), (0, 0, height - spread * 0.2), spread * 0.22, 12))
        for s in (-1, 1):
            z = top_z + grow * gen.uniform(0.3, 0.5)
            p.add("foliage", tube((0, 0, z), (s * spread * 0.45, 0, z), spread * 0.12, 10))
            p.add(
                "foliage",
                tube(
                    (s * spread * 0.45, 0, z),
                    (s * spread * 0.45, 0, z + grow * 0.3),
                    spread * 0.12,
                    10,
                ),
            )
    else:  # leafy / bushy: clusters
        n = 5 if style == "leafy" else 8
        p.add("trunk", cylinder(spread * 0.04, top_z, top_z + grow * 0.6, sections=8))
        for k in range(n):
            a = gen.uniform(0, 2 * math.pi)
            rr = spread * gen.uniform(0.0, 0.5)
            r = spread * (0.45 if style == "leafy" else 0.35)
            z = gen.uniform(top_z + grow * 0.35, height - r * 0.8) if k else height - r * 0.8
            p.add("foliage", lump((r, r, r * 0.85), (rr * math.cos(a), rr * math.sin(a), z), gen))


@shaped(_plant_shape)
def potted_plant(height=1.1, pot_radius=0.2, style="leafy", pot="tapered", pot_share=0.32,
                 seed=0) -> trimesh.Scene:  # fmt: skip
    gen = np.random.default_rng(seed)
    ph = height * pot_share
    p = Parts().add("body", pot_mesh(pot, pot_radius, ph))
    _plant(p, style, ph - 0.03, height, pot_radius * 1.5, gen)
    return p.scene()


@shaped(_plant_shape)
def plant_pot(radius=0.075, height=0.25, style="leafy", pot="tapered", pot_share=0.5,
              seed=0) -> trimesh.Scene:  # fmt: skip
    gen = np.random.default_rng(seed)
    ph = height * pot_share
    p = Parts().add("body", pot_mesh(pot, radius, ph))
    _plant(p, style, ph - 0.01, height, radius * 1.1, gen)
    return p.scene()
