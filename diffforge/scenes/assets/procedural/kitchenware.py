"""Kitchen and desk things: pots, pans, jars, plates, glasses, boards, fruit, binders, pen
holders and waste baskets."""

from __future__ import annotations

import itertools
import math

import numpy as np
import trimesh

from diffforge.scenes.assets.meshutil import (
    block,
    cylinder,
    revolve,
    sphere,
    torus,
    tube,
)
from diffforge.scenes.assets.procedural.parts import Parts, pick, shaped, u, vessel


def _pot_shape(rng) -> dict:
    return {
        "style": pick(rng, ("stock", "sauce", "dutch", "wok", "casserole", "milk")),
        "lid": pick(rng, (0, 1)),
        "handles": pick(rng, ("loops", "knobs")),
    }


@shaped(_pot_shape)
def cooking_pot(radius=0.11, height=0.16, style="stock", lid=1, handles="loops") -> trimesh.Scene:
    """A cooking pot: stock pot, saucepan, Dutch oven, wok, casserole or milk pan, lid or none."""
    h = height - (0.03 if lid else 0.0)
    shape = {
        "stock": "straight",
        "sauce": "straight",
        "dutch": "barrel",
        "wok": "flared",
        "casserole": "squat",
        "milk": "tapered",
    }[style]
    p = Parts().add("body", vessel(shape, radius * (0.9 if style != "wok" else 1.0), h, 0.004))
    if lid:
        p.add(
            "lid",
            revolve(
                [
                    (0.0, h),
                    (radius * 0.95, h),
                    (radius * 0.4, height - 0.008),
                    (0.0, height - 0.008),
                ],
                32,
            ),
        )
        p.add("handles", sphere(0.012, (0, 0, height - 0.008), 1))
    if handles == "loops":
        for sx in (-1, 1):
            p.add(
                "handles", torus(0.022, 0.005, (sx * (radius + 0.005), 0, h * 0.8), (0, 0, 1), 12)
            )
    else:
        for sx in (-1, 1):
            p.add(
                "handles",
                block(
                    (sx * radius - 0.02 * (1 - sx) / 2 * 1.0, -0.02, h * 0.75),
                    (sx * radius + 0.02 * (1 + sx) / 2, 0.02, h * 0.85),
                ),
            )
    return p.scene()


def _pan_shape(rng) -> dict:
    return {
        "style": pick(rng, ("skillet", "crepe", "saute", "grill", "wok", "cast")),
        "handle": u(rng, 0.7, 1.2),
    }


@shaped(_pan_shape)
def frying_pan(width=0.45, depth=0.26, height=0.05, style="skillet", handle=1.0) -> trimesh.Scene:
    """A frying pan with its handle along +X: skillet, crêpe, sauté, grill, wok, cast iron."""
    r = depth / 2
    h = height * {"crepe": 0.4, "saute": 1.0, "wok": 1.0}.get(style, 0.7)
    shape = "flared" if style in ("skillet", "crepe", "wok", "grill") else "straight"
    p = Parts().add("body", vessel(shape, r, h, 0.004).apply_translation((-width / 2 + r, 0, 0)))
    if style == "grill":
        for k in range(5):
            y = -r * 0.6 + r * 1.2 * k / 4
            p.add(
                "body",
                block(
                    (-width / 2 + r * 0.4, y - 0.003, 0.004),
                    (-width / 2 + r * 1.6, y + 0.003, 0.01),
                ),
            )
    x0 = -width / 2 + 2 * r - 0.01
    p.add(
        "handles",
        tube(
            (x0, 0, h * 0.8),
            (width / 2, 0, h * (0.8 + 0.4 * (handle - 0.7))),
            0.01 if style != "cast" else 0.014,
            8,
        ),
    )
    return p.scene()


def _jar_shape(rng) -> dict:
    return {
        "style": pick(rng, ("mason", "round", "square", "tall", "squat", "apothecary")),
        "lid": pick(rng, ("screw", "cork", "clip")),
        "fill": u(rng, 0.0, 0.8),
    }


@shaped(_jar_shape)
def jar(radius=0.045, height=0.14, style="mason", lid="screw", fill=0.5) -> trimesh.Scene:
    """A storage jar: mason, round, square, tall, squat or apothecary, screw lid, cork or clip."""
    p = Parts()
    lh = 0.02
    body_h = height - lh
    if style == "square":
        p.add("glass", block((-radius, -radius, 0), (radius, radius, body_h)))
        if fill > 0.05:
            p.add(
                "body",
                block(
                    (-radius * 0.9, -radius * 0.9, 0.004),
                    (radius * 0.9, radius * 0.9, body_h * fill),
                ),
            )
    else:
        prof = {"mason": [(radius, 0.0), (radius, body_h * 0.8), (radius * 0.8, body_h)],
                "round": [(radius * 0.8, 0.0), (radius, body_h * 0.5), (radius * 0.75, body_h)],
                "tall": [(radius * 0.8, 0.0), (radius * 0.8, body_h)],
                "squat": [(radius, 0.0), (radius, body_h * 0.7), (radius * 0.9, body_h)],
                "apothecary": [(radius * 0.7, 0.0), (radius * 0.75, body_h * 0.15), (radius, body_h * 0.3), (radius, body_h * 0.85), (radius * 0.6, body_h)]}[style]  # fmt: skip
        p.add("glass", revolve([(0.0, 0.0), *prof, (0.0, body_h)], 28))
        if fill > 0.05:
            p.add("body", cylinder(prof[0][0] * 0.85, 0.004, body_h * fill, sections=20))
    rl = radius * 0.8 if style != "square" else radius
    if lid == "cork":
        p.add("lid", cylinder(rl * 0.9, body_h - 0.01, height, sections=20))
    elif lid == "clip":
        p.add("lid", cylinder(rl * 1.02, body_h, body_h + lh * 0.5, sections=24))
        p.add("trim", block((rl - 0.004, -0.004, body_h - 0.02), (rl + 0.004, 0.004, height)))
    else:
        p.add("lid", cylinder(rl * 1.04, body_h, height, sections=24))
    return p.scene()


def _plate_shape(rng) -> dict:
    return {
        "style": pick(rng, ("flat", "soup", "rimmed", "square", "oval", "charger")),
        "rim": u(rng, 0.1, 0.3),
    }


@shaped(_plate_shape)
def plate(radius=0.13, height=0.025, style="rimmed", rim=0.2) -> trimesh.Scene:
    """A plate: flat, soup, wide-rimmed, square, oval or a charger."""
    well = radius * (1 - rim)
    deep = height * (1.0 if style == "soup" else 0.6)
    prof = [(0.0, 0.0), (well * 0.7, 0.0), (well, deep * 0.4), (well + 0.004, height - 0.004), (radius, height), (radius - 0.003, height),
            (well, height * 0.6 if style != "soup" else deep), (0.0, height * 0.3)]  # fmt: skip
    m = revolve(prof, 4 if style == "square" else 40)
    if style == "square":
        m.apply_transform(trimesh.transformations.rotation_matrix(math.pi / 4, (0, 0, 1)))
    if style == "oval":
        m.vertices[:, 1] *= 0.7
    return Parts().add("body", m).scene()


def _glass_shape(rng) -> dict:
    return {
        "style": pick(rng, ("wine", "flute", "coupe", "tumbler", "goblet", "highball")),
        "stem": u(rng, 0.3, 0.55),
    }


@shaped(_glass_shape)
def drinking_glass(radius=0.04, height=0.2, style="wine", stem=0.45) -> trimesh.Scene:
    """A glass: wine, flute, coupe, tumbler, goblet or highball."""
    p = Parts()
    if style in ("tumbler", "highball"):
        p.add(
            "glass",
            vessel("tapered" if style == "tumbler" else "straight", radius, height, 0.003, 0.008),
        )
        return p.scene()
    z0 = height * stem
    p.add(
        "glass",
        cylinder(radius * 0.75, 0.0, 0.004, sections=28),
        cylinder(0.004, 0.004, z0, sections=10),
    )
    cup = {"wine": [(radius * 0.3, z0), (radius, z0 + (height - z0) * 0.45), (radius * 0.75, height)],
           "flute": [(radius * 0.25, z0), (radius * 0.55, z0 + (height - z0) * 0.5), (radius * 0.5, height)],
           "coupe": [(radius * 0.3, z0), (radius, height)],
           "goblet": [(radius * 0.4, z0), (radius * 0.95, z0 + (height - z0) * 0.5), (radius, height)]}[style]  # fmt: skip
    inner = [(r - 0.002, z) for r, z in cup[::-1]][:-1]
    p.add("glass", revolve([(0.0, z0), *cup, *inner, (0.0, z0 + 0.01)], 32))
    return p.scene()


def _board_shape(rng) -> dict:
    return {
        "style": pick(rng, ("rect", "round", "paddle", "rounded", "groove", "slab")),
        "hole": pick(rng, (0, 1)),
    }


@shaped(_board_shape)
def cutting_board(width=0.38, depth=0.25, height=0.025, style="rect", hole=0) -> trimesh.Scene:
    """A chopping board: rectangular, round, paddle with a handle, rounded, grooved, thick slab."""
    p = Parts()
    t = height * (1.6 if style == "slab" else 1.0)
    if style == "round":
        m = cylinder(1.0, 0.0, t, sections=40)
        m.vertices[:, 0] *= width / 2
        m.vertices[:, 1] *= depth / 2
        p.add("body", m)
    elif style == "paddle":
        p.add("body", block((-width / 2, -depth / 2, 0), (width / 2 - 0.1, depth / 2, t)))
        p.add("body", block((width / 2 - 0.1, -0.025, 0), (width / 2, 0.025, t)))
    else:
        p.add("body", block((-width / 2, -depth / 2, 0), (width / 2, depth / 2, t)))
    if style == "groove":
        p.add(
            "trim",
            block(
                (-width / 2 + 0.02, -depth / 2 + 0.02, t),
                (width / 2 - 0.02, -depth / 2 + 0.028, t + 0.001),
            ),
        )
    if hole:
        p.add("trim", cylinder(0.012, t, t + 0.001, (width / 2 - 0.04, 0.0), 12))
    return p.scene()


def _banana_shape(rng) -> dict:
    return {
        "style": pick(rng, ("single", "pair", "ripe", "curved")),
        "curve": u(rng, 0.6, 1.2),
    }


@shaped(_banana_shape)
def banana(width=0.2, depth=0.08, height=0.05, style="single", curve=0.9) -> trimesh.Scene:
    """A banana (or a pair) lying on its side: tubes along a curve, a stalk."""
    p = Parts()
    n = {"single": 1, "pair": 2, "ripe": 1, "curved": 1}[style]
    for k in range(n):
        pts = []
        for t in np.linspace(-1, 1, 7):
            a = t * 0.7 * curve
            pts.append(
                (
                    width / 2 * math.sin(a) / math.sin(0.7 * curve),
                    depth * 0.5 * (1 - math.cos(a)) + k * 0.025 - depth * 0.3,
                    height / 2 + k * 0.005,
                )
            )
        for i, (a, b) in enumerate(itertools.pairwise(pts)):
            r = height / 2 * (0.5 + 0.5 * math.sin(math.pi * (i + 0.5) / 6))
            p.add("body", tube(a, b, r, 8))
        p.add("stem", tube(pts[-1], (pts[-1][0] + 0.015, pts[-1][1], pts[-1][2] + 0.005), 0.006, 6))
    return p.scene()


@shaped(_banana_shape)
def pear(radius=0.04, height=0.11, style="single", curve=0.9) -> trimesh.Scene:
    """A pear: a narrow neck over a round belly, its stalk bent."""
    neck = {"single": 0.45, "pair": 0.55, "ripe": 0.5, "curved": 0.4}[style]
    a = np.linspace(0.0, 1.0, 14)

    def r(t: float) -> float:  # a round belly below, a tapering neck above
        if t < 0.55:
            return radius * math.sin(math.pi * t / 1.1)
        return radius * (neck + (1 - neck) * (1 - t) / 0.45)

    prof = [(0.0, 0.0), *[(r(t), height * t) for t in a[1:-1]], (0.0, height * 0.97)]
    p = Parts().add("body", revolve(prof, 24))
    p.add("stem", tube((0, 0, height * 0.95), (0.008 * curve, 0.0, height), 0.003, 6))
    return p.scene()


def _binder_shape(rng) -> dict:
    return {
        "style": pick(rng, ("ring", "lever", "box", "slim", "wide")),
        "label": pick(rng, (0, 1)),
    }


@shaped(_binder_shape)
def binder(width=0.07, depth=0.29, height=0.32, style="lever", label=1) -> trimesh.Scene:
    """A ring binder standing on a shelf, its spine to -Y: ring, lever arch, box file, slim."""
    p = Parts()
    w = width * {"slim": 0.5, "wide": 1.0, "box": 1.0}.get(style, 0.8)
    p.add("body", block((-w / 2, -depth / 2, 0), (w / 2, depth / 2, height)))
    if style != "box":
        p.add(
            "pages",
            block(
                (-w / 2 + 0.004, -depth / 2 + 0.02, 0.01), (w / 2 - 0.004, depth / 2, height - 0.01)
            ),
        )
    if label:
        p.add(
            "trim",
            block(
                (-w * 0.35, -depth / 2 - 0.002, height * 0.45), (w * 0.35, -depth / 2, height * 0.8)
            ),
        )
    if style == "lever":
        p.add("trim", cylinder(w * 0.2, 0.0, 0.004, sections=12).apply_transform(
            trimesh.transformations.rotation_matrix(math.pi / 2, (1, 0, 0))).apply_translation((0, -depth / 2, height * 0.2)))  # fmt: skip
    return p.scene()


def _holder_shape(rng) -> dict:
    return {
        "style": pick(rng, ("cylinder", "square", "mesh", "tapered", "hex")),
        "pens": int(rng.integers(2, 7)),
    }


@shaped(_holder_shape)
def pen_holder(radius=0.04, height=0.16, style="cylinder", pens=4) -> trimesh.Scene:
    """A pen pot with pens and pencils sticking out."""
    p = Parts()
    cup_h = height * 0.65
    if style == "square":
        p.add("body", block((-radius, -radius, 0), (radius, radius, cup_h)))
    else:
        sections = {"hex": 6, "mesh": 24}.get(style, 32)
        shape = "tapered" if style == "tapered" else "straight"
        p.add(
            "body",
            vessel(shape, radius, cup_h, 0.003)
            if sections == 32
            else cylinder(radius, 0.0, cup_h, sections=sections),
        )
    gen = np.random.default_rng(pens)
    for _ in range(pens):
        x, y = gen.uniform(-radius * 0.5, radius * 0.5, 2)
        p.add(
            "pens",
            tube((x, y, 0.01), (x * 1.6, y * 1.6, height * gen.uniform(0.85, 1.0)), 0.004, 6),
        )
    return p.scene()


def _wastebasket_shape(rng) -> dict:
    return {
        "style": pick(rng, ("round", "square", "mesh", "pedal", "tapered", "swing")),
        "rim": u(rng, 0.0, 0.02),
    }


@shaped(_wastebasket_shape)
def wastebasket(radius=0.15, height=0.32, style="round", rim=0.01) -> trimesh.Scene:
    """An indoor waste bin: open round or square, mesh, pedal bin, tapered, swing lid."""
    p = Parts()
    if style == "square":
        p.add("body", block((-radius, -radius, 0), (radius, radius, height)))
    elif style == "mesh":
        p.add("body", cylinder(radius * 0.9, 0.0, 0.01, sections=24))
        for k in range(24):
            a = 2 * math.pi * k / 24
            p.add(
                "body",
                tube(
                    (radius * 0.9 * math.cos(a), radius * 0.9 * math.sin(a), 0),
                    (radius * math.cos(a), radius * math.sin(a), height),
                    0.003,
                    4,
                ),
            )
    else:
        shape = {
            "round": "straight",
            "pedal": "straight",
            "tapered": "tapered",
            "swing": "straight",
        }[style]
        h = height * (0.85 if style in ("pedal", "swing") else 1.0)
        p.add("body", vessel(shape, radius, h, 0.004))
        if style == "pedal":
            p.add(
                "lid",
                revolve([(0.0, h), (radius * 1.02, h), (radius * 0.8, height), (0.0, height)], 28),
            )
            p.add("trim", block((-0.04, -radius - 0.05, 0.0), (0.04, -radius, 0.02)))
        elif style == "swing":
            p.add(
                "lid",
                revolve([(0.0, h), (radius * 1.02, h), (radius * 0.5, height), (0.0, height)], 28),
            )
    if rim and style in ("round", "tapered"):
        p.add("trim", torus(radius, rim / 2, (0, 0, height)))
    return p.scene()
