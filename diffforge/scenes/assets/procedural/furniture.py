"""Indoor furniture: tables, seats, shelves and cabinets (the holders set ``surface_height``).

Each generator varies per instance (``shaped``): a style family (legs, backs, arms, tops) and
proportions; the holders keep their top at the top of the box, so what stands on them stands
on the surface the manifest names.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import trimesh

from diffforge.scenes.assets.meshutil import block, box, cylinder, ellipsoid, revolve, torus, tube
from diffforge.scenes.assets.procedural.parts import (
    Parts,
    feet_under,
    front_panels,
    legs,
    oval,
    pick,
    shaped,
    square_legs,
    u,
)

LEG_STYLES = ("square", "round", "tapered", "splayed")


def _table_shape(rng) -> dict:
    return {
        "style": pick(rng, ("legs", "legs", "trestle", "pedestal", "oval", "hairpin", "panel")),
        "leg_style": pick(rng, LEG_STYLES),
        "top": u(rng, 0.025, 0.06),
        "leg": u(rng, 0.04, 0.08),
        "apron": u(rng, 0.0, 0.1),
        "shelf": pick(rng, (0, 0, 1)),
    }


@shaped(_table_shape)
def table(width=1.2, depth=0.75, height=0.75, top=0.04, leg=0.06, style="legs",
          leg_style="square", apron=0.08, shelf=0) -> trimesh.Scene:  # fmt: skip
    """Dining, coffee and work tables: four legs, a trestle, a pedestal, an oval, hairpins."""
    p = Parts()
    z0 = height - top
    if style == "oval":
        p.add("body", oval(width / 2, depth / 2, z0, height))
    else:
        p.add("body", block((-width / 2, -depth / 2, z0), (width / 2, depth / 2, height)))
    if style in ("legs", "oval") and apron > 0.01:
        p.add("body", block((-width / 2 + 0.08, -depth / 2 + 0.08, z0 - apron),
                            (width / 2 - 0.08, depth / 2 - 0.08, z0)))  # fmt: skip
    if style == "legs":
        p.add("body", *legs(leg_style, width, depth, z0, leg, inset=0.04))
    elif style == "oval":
        p.add("body", *legs(leg_style, width * 0.75, depth * 0.75, z0, leg, inset=0.02))
    elif style == "hairpin":
        for sx in (-1, 1):
            for sy in (-1, 1):
                x, y = sx * (width / 2 - 0.08), sy * (depth / 2 - 0.08)
                p.add("legs", tube((x, y - sy * 0.05, 0), (x, y, z0), 0.008, 6))
                p.add("legs", tube((x, y + sy * 0.02, 0), (x, y, z0), 0.008, 6))
    elif style == "trestle":
        for sx in (-1, 1):
            x = sx * (width / 2 - 0.15)
            p.add("body", block((x - leg / 2, -0.05, 0.04), (x + leg / 2, 0.05, z0)))
            p.add("body", block((x - leg, -depth / 2 + 0.06, 0), (x + leg, depth / 2 - 0.06, 0.05)))
        p.add("body", block((-width / 2 + 0.15, -0.03, 0.2), (width / 2 - 0.15, 0.03, 0.28)))
    elif style == "panel":
        for sx in (-1, 1):
            x0, x1 = sorted((sx * (width / 2 - 0.05), sx * (width / 2 - 0.05 - leg / 2)))
            p.add("body", block((x0, -depth / 2 + 0.03, 0), (x1, depth / 2 - 0.03, z0)))
    else:  # pedestal
        p.add("body", cylinder(leg, 0.05, z0, sections=20))
        p.add("body", oval(min(width, depth) * 0.3, min(width, depth) * 0.3, 0.0, 0.05))
        if width > 1.3 * depth:  # a long table stands on two
            for sx in (-1, 1):
                p.add("body", cylinder(leg, 0.05, z0, (sx * width * 0.3, 0.0), sections=20))
                p.add("body", oval(depth * 0.3, depth * 0.3, 0.0, 0.05))
    if shelf and style in ("legs", "panel"):
        p.add("body", block((-width / 2 + 0.06, -depth / 2 + 0.06, height * 0.2),
                            (width / 2 - 0.06, depth / 2 - 0.06, height * 0.2 + 0.02)))  # fmt: skip
    p.metadata["surface_height"] = height
    return p.scene()


def _round_table_shape(rng) -> dict:
    return {
        "style": pick(rng, ("pedestal", "tripod", "legs", "drum", "tulip", "square")),
        "top": u(rng, 0.02, 0.05),
        "stem": u(rng, 0.02, 0.05),
    }


@shaped(_round_table_shape)
def round_table(radius=0.25, height=0.6, style="pedestal", top=0.03, stem=0.03) -> trimesh.Scene:
    """A side table: a round (or square) top on a pedestal, three or four legs, or a drum."""
    p = Parts()
    z0 = height - top
    if style == "square":
        p.add("body", block((-radius, -radius, z0), (radius, radius, height)))
        p.add("body", *square_legs(2 * radius, 2 * radius, z0, stem * 1.2, inset=0.02))
        p.add("body", block((-radius + 0.03, -radius + 0.03, height * 0.3),
                            (radius - 0.03, radius - 0.03, height * 0.3 + 0.02)))  # fmt: skip
    else:
        p.add("body", cylinder(radius, z0, height, sections=40))
    if style == "pedestal":
        p.add("body", cylinder(stem, 0.02, z0), cylinder(radius * 0.6, 0.0, 0.025))
    elif style == "tripod":
        for k in range(3):
            a = k * 2 * math.pi / 3
            foot = (radius * 0.9 * math.cos(a), radius * 0.9 * math.sin(a), 0.0)
            p.add("body", tube(foot, (0.3 * foot[0], 0.3 * foot[1], z0), stem * 0.6, 10))
    elif style == "legs":
        for k in range(4):
            a = k * math.pi / 2 + math.pi / 4
            c = (radius * 0.65 * math.cos(a), radius * 0.65 * math.sin(a))
            p.add("body", cylinder(stem * 0.6, 0.0, z0, c, sections=10))
    elif style == "drum":
        p.add("body", cylinder(radius * 0.92, 0.0, z0, sections=40))
    elif style == "tulip":
        p.add("body", revolve([(0.0, 0.0), (radius * 0.7, 0.0), (radius * 0.6, 0.03), (stem, 0.2),
                               (stem, z0 - 0.1), (radius * 0.3, z0), (0.0, z0)], 32))  # fmt: skip
    p.metadata["surface_height"] = height
    return p.scene()


def _desk_shape(rng) -> dict:
    return {
        "style": pick(rng, ("pedestal", "pedestal", "legs", "panel", "double", "frame")),
        "side": pick(rng, (-1, 1)),
        "drawers": int(rng.integers(2, 5)),
        "leg_style": pick(rng, LEG_STYLES),
    }


@shaped(_desk_shape)
def desk(width=1.3, depth=0.65, height=0.75, style="pedestal", side=1, drawers=3,
         leg_style="square") -> trimesh.Scene:  # fmt: skip
    """A desk: a drawer pedestal on one or both sides, plain legs, panel ends or a steel frame."""
    t = 0.035
    z0 = height - t
    p = Parts().add("body", block((-width / 2, -depth / 2, z0), (width / 2, depth / 2, height)))
    pw = 0.42

    def pedestal(sx: int) -> None:
        x0, x1 = sorted((sx * width / 2, sx * (width / 2 - pw)))
        p.add("body", block((x0, -depth / 2 + 0.02, 0), (x1, depth / 2 - 0.02, z0)))
        for k in range(drawers):
            z = z0 * (k + 0.5) / drawers
            p.add("handles", box((0.12, 0.02, 0.015), ((x0 + x1) / 2, -depth / 2 + 0.01, z)))
            zb = z0 * k / drawers
            p.add(
                "handles",
                block(
                    (x0 + 0.01, -depth / 2 + 0.015, zb), (x1 - 0.01, -depth / 2 + 0.02, zb + 0.004)
                ),
            )

    if style in ("pedestal", "double"):
        pedestal(side)
        if style == "double":
            pedestal(-side)
        else:
            x = -side * (width / 2 - 0.015)
            p.add(
                "body", block((x - 0.015, -depth / 2 + 0.02, 0), (x + 0.015, depth / 2 - 0.02, z0))
            )
    elif style == "legs":
        p.add("body", *legs(leg_style, width, depth, z0, 0.05, inset=0.02))
        p.add("handles", box((0.2, 0.02, 0.015), (0.0, -depth / 2 + 0.03, z0 - 0.05)))
        p.add(
            "body",
            block(
                (-width / 2 + 0.05, -depth / 2 + 0.05, z0 - 0.1),
                (width / 2 - 0.05, depth / 2 - 0.05, z0),
            ),
        )
    elif style == "panel":
        for sx in (-1, 1):
            x0, x1 = sorted((sx * width / 2, sx * (width / 2 - 0.04)))
            p.add("body", block((x0, -depth / 2, 0), (x1, depth / 2, z0)))
    else:  # a steel frame: T-feet and a crossbar
        for sx in (-1, 1):
            x = sx * (width / 2 - 0.08)
            p.add("legs", block((x - 0.03, -0.03, 0.03), (x + 0.03, 0.03, z0)))
            p.add(
                "legs", block((x - 0.03, -depth / 2 + 0.03, 0), (x + 0.03, depth / 2 - 0.03, 0.03))
            )
        p.add(
            "legs",
            block((-width / 2 + 0.08, -0.02, z0 - 0.08), (width / 2 - 0.08, 0.02, z0 - 0.03)),
        )
    if style != "frame":  # a modesty panel at the back
        p.add(
            "body",
            block(
                (-width / 2 + 0.04, depth / 2 - 0.04, 0.3), (width / 2 - 0.04, depth / 2 - 0.02, z0)
            ),
        )
    p.metadata["surface_height"] = height
    return p.scene()


def _chair_shape(rng) -> dict:
    return {
        "style": pick(rng, ("ladder", "spindle", "panel", "upholstered", "cantilever", "open")),
        "leg_style": pick(rng, LEG_STYLES),
        "arms": pick(rng, (0, 0, 1)),
        "seat_t": u(rng, 0.03, 0.08),
        "back_share": u(rng, 0.35, 0.75),
        "slats": int(rng.integers(2, 6)),
        "leg": u(rng, 0.025, 0.045),
    }


@shaped(_chair_shape)
def chair(width=0.45, depth=0.5, seat=0.46, height=0.9, style="ladder", leg_style="square",
          arms=0, seat_t=0.04, back_share=0.5, slats=3, leg=0.035) -> trimesh.Scene:  # fmt: skip
    """A chair facing -Y: ladder, spindle, panel, upholstered, cantilever or open-frame back."""
    p = Parts()
    z0 = seat - seat_t
    slot = "body"  # upholstery takes the chair's colour
    p.add(slot, block((-width / 2, -depth / 2, z0), (width / 2, depth / 2, seat)))
    if style == "cantilever":  # one bent tube per side: floor runner, up, forward under the seat
        for sx in (-1, 1):
            x = sx * (width / 2 - 0.03)
            pts = [(x, depth / 2 - 0.05, 0.012), (x, -depth / 2 + 0.02, 0.012),
                   (x, -depth / 2 + 0.04, z0), (x, depth / 2 - 0.03, z0), (x, depth / 2 - 0.01, height)]  # fmt: skip
            for a, b in itertools.pairwise(pts):
                p.add("legs", tube(a, b, 0.012, 8))
    else:
        slot_legs = "legs" if style in ("upholstered", "open") else "body"
        p.add(slot_legs, *legs(leg_style, width, depth, z0, leg, inset=0.01))
    top = height
    bottom = seat + (height - seat) * (1 - back_share)
    yb = depth / 2 - 0.03
    if style != "cantilever":
        for sx in (-1, 1):  # back posts at +Y (the front faces -Y)
            x = sx * (width / 2 - leg / 2 - 0.01)
            p.add("body", block((x - leg / 2, yb - 0.005, seat), (x + leg / 2, depth / 2, top)))
    inner = width / 2 - leg - 0.01
    if style == "ladder":
        for k in range(slats):
            z = bottom + (top - bottom) * (k + 0.5) / slats
            p.add("body", block((-inner, yb, z - 0.025), (inner, depth / 2, z + 0.025)))
        p.add("body", block((-width / 2, yb, top - 0.05), (width / 2, depth / 2, top)))
    elif style == "spindle":
        p.add("body", block((-width / 2, yb - 0.01, top - 0.06), (width / 2, depth / 2, top)))
        for k in range(slats + 2):
            x = -inner + 2 * inner * (k + 0.5) / (slats + 2)
            p.add("body", tube((x, yb + 0.012, seat), (x, yb + 0.012, top - 0.05), 0.009, 8))
    elif style in ("panel", "cantilever"):
        p.add("body", block((-width / 2 + 0.01, yb, bottom), (width / 2 - 0.01, depth / 2, top)))
    elif style == "upholstered":
        p.add("body", block((-width / 2, yb - 0.05, seat), (width / 2, depth / 2, top)))
    else:  # open: a curved top rail only
        p.add("body", block((-width / 2, yb - 0.01, top - 0.1), (width / 2, depth / 2, top)))
    if arms:
        for sx in (-1, 1):
            x = sx * (width / 2 - 0.02)
            p.add(
                "body",
                block((x - 0.02, -depth / 2 + 0.05, seat + 0.2), (x + 0.02, yb, seat + 0.23)),
            )
            p.add(
                "body",
                tube((x, -depth / 2 + 0.08, seat), (x, -depth / 2 + 0.08, seat + 0.2), 0.012, 8),
            )
    return p.scene()


def _upholstered_shape(rng) -> dict:
    return {
        "style": pick(rng, ("square", "rolled", "slim", "armless", "wing", "tuxedo")),
        "leg_style": pick(rng, ("block", "tapered", "plinth", "round")),
        "cushions": int(rng.integers(1, 4)),
        "back_share": u(rng, 0.6, 1.0),
        "seat_h": u(rng, 0.38, 0.48),
        "arm_w": u(rng, 0.08, 0.22),
    }


def _upholstered(width, depth, height, style, leg_style, cushions, back_share, seat_h, arm_w,
                 back_cushions: bool) -> trimesh.Scene:  # fmt: skip
    base = 0.03 if leg_style == "plinth" else 0.12
    p = Parts()
    arm_top = {"tuxedo": height * back_share, "wing": seat_h + 0.2, "armless": 0.0}.get(
        style, seat_h + 0.2
    )
    aw = 0.0 if style == "armless" else arm_w * (0.5 if style == "slim" else 1.0)
    back_d = 0.18
    p.add("body", block((-width / 2, -depth / 2, base), (width / 2, depth / 2, seat_h - 0.12)))
    back_top = seat_h + (height - seat_h) * back_share
    p.add("body", block((-width / 2, depth / 2 - back_d, base), (width / 2, depth / 2, back_top)))
    if style == "wing":  # wings reach forward at the top of the back
        for sx in (-1, 1):
            x0, x1 = sorted((sx * width / 2, sx * (width / 2 - 0.08)))
            p.add(
                "body",
                block((x0, depth / 2 - back_d - 0.2, seat_h + 0.15), (x1, depth / 2, back_top)),
            )
    for sx in (-1, 1):  # arms
        if aw <= 0:
            continue
        x0, x1 = sorted((sx * width / 2, sx * (width / 2 - aw)))
        if style == "rolled":
            p.add("body", block((x0, -depth / 2, base), (x1, depth / 2 - 0.05, arm_top - 0.06)))
            roll = tube(
                ((x0 + x1) / 2, -depth / 2, arm_top - 0.08),
                ((x0 + x1) / 2, depth / 2 - 0.05, arm_top - 0.08),
                aw * 0.6,
                16,
            )
            p.add("body", roll)
        else:
            p.add("body", block((x0, -depth / 2, base), (x1, depth / 2 - 0.05, arm_top)))
    inner = width - 2 * aw
    for i in range(cushions):  # seat cushions
        x0 = -inner / 2 + i * inner / cushions
        p.add(
            "cushion",
            block(
                (x0 + 0.01, -depth / 2 + 0.02, seat_h - 0.12),
                (x0 + inner / cushions - 0.01, depth / 2 - back_d, seat_h),
            ),
        )
        if back_cushions:
            p.add("cushion", block((x0 + 0.02, depth / 2 - back_d - 0.12, seat_h),
                                   (x0 + inner / cushions - 0.02, depth / 2 - back_d, min(back_top + 0.02, height))))  # fmt: skip
    if leg_style == "plinth":
        p.add(
            "legs",
            block(
                (-width / 2 + 0.03, -depth / 2 + 0.03, 0),
                (width / 2 - 0.03, depth / 2 - 0.03, base),
            ),
        )
    else:
        style_of = {"block": "square", "tapered": "tapered", "round": "round"}[leg_style]
        p.add("legs", *legs(style_of, width, depth, base, 0.05, inset=0.03))
    return p.scene()


@shaped(_upholstered_shape)
def armchair(width=0.8, depth=0.8, height=0.85, style="square", leg_style="block", cushions=1,
             back_share=1.0, seat_h=0.42, arm_w=0.14) -> trimesh.Scene:  # fmt: skip
    return _upholstered(
        width, depth, height, style, leg_style, 1, back_share, seat_h, arm_w, cushions > 1
    )


@shaped(_upholstered_shape)
def sofa(width=2.0, depth=0.9, height=0.85, style="square", leg_style="block", cushions=3,
         back_share=1.0, seat_h=0.44, arm_w=0.2) -> trimesh.Scene:  # fmt: skip
    return _upholstered(
        width, depth, height, style, leg_style, cushions + 1, back_share, seat_h, arm_w, True
    )


def _stool_shape(rng) -> dict:
    return {
        "style": pick(rng, ("round", "square", "saddle", "drum", "tripod", "backed")),
        "legs": int(rng.integers(3, 5)),
        "ring": pick(rng, (0, 1)),
        "seat_t": u(rng, 0.025, 0.07),
    }


@shaped(_stool_shape)
def stool(radius=0.17, height=0.65, style="round", legs=4, ring=1, seat_t=0.04) -> trimesh.Scene:
    """A stool: round, square, saddle or drum seat, three or four legs, a foot ring, a low back."""
    p = Parts()
    z0 = height - seat_t
    if style == "backed":
        z0 = height * 0.72 - seat_t
    if style == "square":
        p.add("body", block((-radius, -radius, z0), (radius, radius, z0 + seat_t)))
    elif style == "saddle":
        p.add("body", ellipsoid((radius, radius * 0.85, seat_t), (0, 0, z0 + seat_t * 0.3), 2))
    else:
        p.add("body", cylinder(radius, z0, z0 + seat_t, sections=32))
    if style == "drum":
        p.add("legs", cylinder(radius * 0.85, 0.0, z0, sections=32))
        return p.scene()
    if style == "backed":
        p.add(
            "body",
            block(
                (-radius * 0.7, radius * 0.75, height - 0.1), (radius * 0.7, radius * 0.95, height)
            ),
        )
        for sx in (-1, 1):
            p.add(
                "legs",
                tube(
                    (sx * radius * 0.5, radius * 0.85, z0),
                    (sx * radius * 0.5, radius * 0.85, height - 0.05),
                    0.01,
                    8,
                ),
            )
    n = 3 if style == "tripod" else legs
    for k in range(n):
        a = k * 2 * math.pi / n + math.pi / 4
        top = (0.7 * radius * math.cos(a), 0.7 * radius * math.sin(a), z0)
        foot = (radius * math.cos(a) * 1.05, radius * math.sin(a) * 1.05, 0.0)
        p.add("legs", tube(foot, top, 0.016, 10))
    if ring:
        p.add("legs", torus(0.85 * radius, 0.009, (0, 0, 0.3 * height)))
    return p.scene()


def _shelf_shape(rng) -> dict:
    return {
        "style": pick(rng, ("closed", "open", "ladder", "cubes", "metal")),
        "shelves": int(rng.integers(2, 6)),
        "fill": u(rng, 0.2, 1.0),
        "t": u(rng, 0.015, 0.035),
    }


@shaped(_shelf_shape)
def shelf(width=0.9, depth=0.32, height=1.0, shelves=3, books=True, style="closed", fill=0.8,
          t=0.025) -> trimesh.Scene:  # fmt: skip
    """A bookshelf: closed or open back, ladder or metal frame, cube grid; books on the levels."""
    p = Parts()
    frame = "legs" if style == "metal" else "body"
    if style in ("ladder", "metal"):
        for sx in (-1, 1):
            for sy in (-1, 1):
                x, y = sx * (width / 2 - 0.015), sy * (depth / 2 - 0.015)
                p.add(frame, block((x - 0.015, y - 0.015, 0), (x + 0.015, y + 0.015, height)))
    else:
        for sx in (-1, 1):
            x0, x1 = sorted((sx * width / 2, sx * (width / 2 - t)))
            p.add("body", block((x0, -depth / 2, 0), (x1, depth / 2, height)))
    if style in ("closed", "cubes"):
        p.add("body", block((-width / 2, depth / 2 - 0.01, 0), (width / 2, depth / 2, height)))
    levels = np.linspace(0.05, height - t, shelves + 1)
    for z in levels:
        p.add(
            "body",
            block(
                (-width / 2 + 0.001, -depth / 2, z), (width / 2 - 0.001, depth / 2 - 0.01, z + t)
            ),
        )
    if style == "cubes":
        p.add("body", block((-t / 2, -depth / 2, 0.05), (t / 2, depth / 2 - 0.01, height - t)))
    if style != "metal":
        p.add(
            "body", block((-width / 2 + t, -depth / 2, 0), (width / 2 - t, -depth / 2 + 0.02, 0.05))
        )
    if books:  # books on the levels make it read as a bookshelf
        gen = np.random.default_rng(int(fill * 1000) + shelves)
        for k, z in enumerate(levels[:-1]):
            x = -width / 2 + t + 0.02
            stop = -width / 2 + t + (width - 2 * t) * fill
            while x < stop - 0.03:
                w = float(gen.uniform(0.02, 0.045))
                h = (levels[k + 1] - z - t) * float(gen.uniform(0.6, 0.9))
                if style == "cubes" and x < t and x + w > -t:
                    x = t + 0.005
                    continue
                p.add(
                    "books",
                    block((x, -depth / 2 + 0.04, z + t), (x + w, depth / 2 - 0.04, z + t + h)),
                )
                x += w + 0.003
                if gen.random() < 0.08:
                    x += float(gen.uniform(0.05, 0.15))
    p.metadata["surface_height"] = height
    return p.scene()


def _cabinet_shape(rng) -> dict:
    return {
        "style": pick(rng, ("doors", "drawers", "mixed", "glass", "sliding", "single")),
        "handle": pick(rng, ("bar", "knob", "recess", "long")),
        "feet": pick(rng, ("plinth", "legs", "none", "tapered")),
        "rows": int(rng.integers(2, 5)),
    }


@shaped(_cabinet_shape)
def cabinet(width=0.8, depth=0.45, height=0.9, style="doors", handle="bar", feet="plinth",
            rows=3) -> trimesh.Scene:  # fmt: skip
    """A sideboard: doors, drawers, both, glass or sliding fronts on a plinth or legs."""
    base = 0.12 if feet in ("legs", "tapered") else 0.06
    p = Parts().add(
        "body", block((-width / 2, -depth / 2 + 0.02, base), (width / 2, depth / 2, height))
    )
    feet_under(p, width, depth, base, feet)
    front_panels(p, width, depth, base + 0.01, height - 0.02, style, handle, rows)
    p.metadata["surface_height"] = height
    return p.scene()
