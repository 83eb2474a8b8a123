"""More of the street: bus shelters, planters, mailboxes, parking meters, bike racks, traffic
lights, picnic tables, barriers, newspaper boxes; motorcycles, scooters and trucks; and the
shop's baskets, trolleys and crates."""

from __future__ import annotations

import itertools
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
    sphere,
    torus,
    tube,
)
from diffforge.scenes.assets.procedural.parts import Parts, lump, pick, shaped, u


def _shelter_shape(rng) -> dict:
    return {
        "style": pick(rng, ("flat", "curved", "pitched", "canopy", "box")),
        "sides": int(rng.integers(0, 3)),
        "bench": pick(rng, (0, 1)),
        "ad": pick(rng, (0, 1)),
    }


@shaped(_shelter_shape)
def bus_stop(
    width=3.0, depth=1.4, height=2.6, style="flat", sides=2, bench=1, ad=1
) -> trimesh.Scene:
    """A bus shelter open to the road (-Y): a roof by style on posts, glass back and sides, a
    bench and an advert panel."""
    p = Parts()
    for sx in (-1, 1):
        for y in (-depth / 2 + 0.05, depth / 2 - 0.05):
            if style == "canopy" and y < 0:
                continue
            p.add("frame", cylinder(0.04, 0.0, height - 0.1, (sx * (width / 2 - 0.05), y), 10))
    roof_z = height - 0.1
    if style == "curved":
        for k in range(8):
            a0, a1 = math.pi * k / 8, math.pi * (k + 1) / 8
            y0, y1 = (
                -depth / 2 + depth * (1 - math.cos(a0)) / 2,
                -depth / 2 + depth * (1 - math.cos(a1)) / 2,
            )
            p.add(
                "body",
                block(
                    (-width / 2, y0, roof_z + 0.1 * math.sin(a0)),
                    (width / 2, y1, roof_z + 0.1 * math.sin(a1) + 0.03),
                ),
            )
    elif style == "pitched":
        p.add("body", prism([(-depth / 2, 0.0), (depth / 2, 0.0), (depth / 2, 0.04), (-depth / 2, 0.1)], -width / 2, width / 2).apply_transform(
            trimesh.transformations.rotation_matrix(-math.pi / 2, (0, 0, 1))).apply_translation((0, 0, roof_z)))  # fmt: skip
    else:
        p.add(
            "body",
            block(
                (-width / 2 - 0.05, -depth / 2 - (0.2 if style == "canopy" else 0.05), roof_z),
                (width / 2 + 0.05, depth / 2 + 0.05, height),
            ),
        )
    if style == "box":
        p.add(
            "body",
            block(
                (-width / 2 - 0.05, -depth / 2 - 0.05, roof_z - 0.2),
                (width / 2 + 0.05, -depth / 2, roof_z),
            ),
        )
    p.add(
        "glass",
        block(
            (-width / 2 + 0.05, depth / 2 - 0.06, 0.15),
            (width / 2 - 0.05, depth / 2 - 0.04, roof_z - 0.1),
        ),
    )
    for sx in (-1, 1)[:sides]:
        x0, x1 = sorted((sx * (width / 2 - 0.06), sx * (width / 2 - 0.04)))
        p.add("glass", block((x0, -depth / 2 + 0.3, 0.15), (x1, depth / 2 - 0.06, roof_z - 0.1)))
    if bench:
        p.add(
            "frame",
            block((-width * 0.3, depth / 2 - 0.45, 0.42), (width * 0.3, depth / 2 - 0.1, 0.46)),
        )
        p.add("frame", block((-0.03, depth / 2 - 0.3, 0.0), (0.03, depth / 2 - 0.2, 0.42)))
    if ad:
        x = width / 2 - 0.15
        p.add("panel", block((x - 0.05, -depth / 2 + 0.3, 0.3), (x + 0.05, depth / 2 - 0.3, 2.0)))
    return p.scene()


def _planter_shape(rng) -> dict:
    return {
        "style": pick(rng, ("box", "round", "tapered", "trough", "bowl", "tiered")),
        "plant": pick(rng, ("shrub", "flowers", "grass", "tree")),
        "seed": int(rng.integers(1 << 30)),
    }


@shaped(_planter_shape)
def planter(width=1.0, depth=0.6, height=0.9, style="box", plant="shrub", seed=0) -> trimesh.Scene:
    """A street planter: a box, round, tapered, trough, bowl or tiered tub, planted."""
    gen = np.random.default_rng(seed)
    p = Parts()
    ph = height * (0.35 if style in ("trough", "bowl") else 0.5)
    r = min(width, depth) / 2
    if style in ("box", "trough"):
        p.add("body", block((-width / 2, -depth / 2, 0), (width / 2, depth / 2, ph)))
        p.add(
            "body",
            block(
                (-width / 2 - 0.02, -depth / 2 - 0.02, ph - 0.04),
                (width / 2 + 0.02, depth / 2 + 0.02, ph),
            ),
        )
    elif style == "tiered":
        p.add(
            "body",
            block((-width / 2, -depth / 2, 0), (width / 2, depth / 2, ph * 0.5)),
            block((-width * 0.35, -depth * 0.35, ph * 0.5), (width * 0.35, depth * 0.35, ph)),
        )
    else:
        prof = {"round": [(0.0, 0.0), (r, 0.0), (r, ph), (0.0, ph)], "tapered": [(0.0, 0.0), (r * 0.7, 0.0), (r, ph), (0.0, ph)],
                "bowl": [(0.0, 0.0), (r * 0.4, 0.0), (r * 0.9, ph * 0.6), (r, ph), (0.0, ph)]}[style]  # fmt: skip
        m = revolve(prof, 28)
        m.vertices[:, 0] *= width / (2 * r)
        m.vertices[:, 1] *= depth / (2 * r)
        p.add("body", m)
    top = ph - 0.03
    if plant == "tree":
        p.add("trunk", cylinder(0.04, top, height * 0.65, sections=8))
        p.add(
            "foliage",
            lump(
                (r * 0.8, r * 0.8, (height - top) * 0.3), (0, 0, height - (height - top) * 0.3), gen
            ),
        )
    elif plant == "grass":
        for _k in range(14):
            a = gen.uniform(0, 2 * math.pi)
            x, y = gen.uniform(-width * 0.35, width * 0.35), gen.uniform(-depth * 0.3, depth * 0.3)
            p.add(
                "foliage",
                tube(
                    (x, y, top),
                    (x + 0.15 * math.cos(a), y + 0.1 * math.sin(a), height * gen.uniform(0.8, 1.0)),
                    0.02,
                    4,
                ),
            )
    else:
        n = 5 if plant == "shrub" else 9
        for _ in range(n):
            x, y = gen.uniform(-width * 0.3, width * 0.3), gen.uniform(-depth * 0.25, depth * 0.25)
            s = gen.uniform(0.15, 0.3) * (1.0 if plant == "shrub" else 0.6)
            p.add(
                "foliage", lump((s, s, s * 0.9), (x, y, min(top + s * 0.8, height - s * 0.9)), gen)
            )
        if plant == "flowers":
            for _ in range(8):
                x, y = (
                    gen.uniform(-width * 0.35, width * 0.35),
                    gen.uniform(-depth * 0.3, depth * 0.3),
                )
                p.add("flowers", sphere(0.04, (x, y, height - 0.05), 1))
    return p.scene()


def _mailbox_shape(rng) -> dict:
    return {
        "style": pick(rng, ("pillar", "box", "us", "wall", "post", "twin")),
        "cap": pick(rng, ("dome", "flat", "sloped")),
        "plate": u(rng, 0.3, 0.6),
    }


@shaped(_mailbox_shape)
def mailbox(
    width=0.5, depth=0.45, height=1.3, style="pillar", cap="dome", plate=0.45
) -> trimesh.Scene:
    """A post box: a pillar box, a box on legs, a US-style arched box, one on a post, twins."""
    p = Parts()
    r = min(width, depth) / 2
    if style == "pillar":
        p.add("body", cylinder(r, 0.0, height * 0.88, sections=28))
        p.add(
            "body",
            revolve(
                [
                    (0.0, height * 0.88),
                    (r * 1.08, height * 0.88),
                    (r * 0.9, height * 0.95),
                    (0.0, height),
                ],
                28,
            )
            if cap == "dome"
            else cylinder(r * 1.08, height * 0.88, height, sections=28),
        )
        p.add(
            "trim",
            block((-r * 0.45, -r - 0.01, height * 0.68), (r * 0.45, -r + 0.02, height * 0.72)),
        )
    elif style == "post":
        p.add("frame", block((-0.04, -0.04, 0), (0.04, 0.04, height * 0.7)))
        p.add("body", block((-width / 2, -depth / 2, height * 0.7), (width / 2, depth / 2, height)))
        p.add(
            "trim",
            block(
                (-width * 0.3, -depth / 2 - 0.01, height * 0.88),
                (width * 0.3, -depth / 2, height * 0.9),
            ),
        )
    elif style == "us":
        for sx in (-1, 1):
            for sy in (-1, 1):
                p.add(
                    "frame",
                    block(
                        (sx * width * 0.4 - 0.02, sy * depth * 0.4 - 0.02, 0),
                        (sx * width * 0.4 + 0.02, sy * depth * 0.4 + 0.02, 0.3),
                    ),
                )
        p.add(
            "body", block((-width / 2, -depth / 2, 0.3), (width / 2, depth / 2, height - width / 2))
        )
        arch = cylinder(width / 2, -depth / 2, depth / 2, sections=24).apply_transform(
            trimesh.transformations.rotation_matrix(math.pi / 2, (1, 0, 0))
        )
        p.add("body", arch.apply_translation((0, -arch.centroid[1], height - width / 2)))
        p.add(
            "trim",
            block(
                (-width * 0.3, -depth / 2 - 0.01, height * 0.65),
                (width * 0.3, -depth / 2, height * 0.7),
            ),
        )
    else:
        n = 2 if style == "twin" else 1
        for k in range(n):
            x = -width / 2 + width * (k + 0.5) / n
            wk = width / n * 0.95
            p.add(
                "body",
                block(
                    (x - wk / 2, -depth / 2, 0.0 if style != "wall" else height * 0.4),
                    (x + wk / 2, depth / 2, height * 0.9),
                ),
            )
            p.add(
                "trim",
                block(
                    (x - wk * 0.3, -depth / 2 - 0.01, height * 0.75),
                    (x + wk * 0.3, -depth / 2, height * 0.78),
                ),
            )
        if cap == "sloped":
            p.add("body", prism([(-depth / 2, 0.0), (depth / 2, 0.0), (depth / 2, height * 0.1)], -width / 2, width / 2).apply_transform(
                trimesh.transformations.rotation_matrix(-math.pi / 2, (0, 0, 1))).apply_translation((0, 0, height * 0.9)))  # fmt: skip
        else:
            p.add(
                "body",
                block(
                    (-width / 2 - 0.02, -depth / 2 - 0.02, height * 0.9),
                    (width / 2 + 0.02, depth / 2 + 0.02, height),
                ),
            )
    front = -min(width, depth) / 2 if style == "pillar" else -depth / 2
    p.add(
        "trim",
        block(
            (-width * 0.15, front - 0.012, height * plate),
            (width * 0.15, front, height * plate + 0.08),
        ),
    )
    return p.scene()


def _meter_shape(rng) -> dict:
    return {
        "style": pick(rng, ("single", "double", "kiosk", "solar", "round")),
        "pole": u(rng, 0.03, 0.05),
    }


@shaped(_meter_shape)
def parking_meter(width=0.3, depth=0.25, height=1.5, style="single", pole=0.04) -> trimesh.Scene:
    """A parking meter: one or two heads on a pole, a pay kiosk, a solar panel on top."""
    p = Parts()
    head = height * (0.25 if style != "kiosk" else 0.6)
    if style == "kiosk":
        p.add("body", block((-width / 2, -depth / 2, 0), (width / 2, depth / 2, height - 0.1)))
        p.add(
            "body",
            block(
                (-width / 2 - 0.02, -depth / 2 - 0.02, height - 0.1),
                (width / 2 + 0.02, depth / 2 + 0.02, height),
            ),
        )
    else:
        p.add("frame", cylinder(pole, 0.0, height - head, sections=12))
        n = 2 if style == "double" else 1
        for k in range(n):
            x = 0.0 if n == 1 else (-width / 4 if k == 0 else width / 4)
            w = width / n
            if style == "round":
                p.add("body", cylinder(w / 2, height - head, height, (x, 0.0), 20))
            else:
                p.add(
                    "body",
                    block(
                        (x - w / 2 * 0.9, -depth / 2, height - head),
                        (x + w / 2 * 0.9, depth / 2, height - 0.03),
                    ),
                )
                p.add(
                    "body",
                    revolve([(0.0, 0.0), (w / 2 * 0.9, 0.0), (0.0, 0.03)], 16).apply_translation(
                        (x, 0, height - 0.03)
                    ),
                )
    p.add(
        "screen",
        block(
            (-width * 0.2, -depth / 2 - 0.005, height - head * 0.5),
            (width * 0.2, -depth / 2, height - head * 0.2),
        ),
    )
    if style == "solar":
        p.add(
            "panel", block((-width / 2, -depth / 2, height - 0.02), (width / 2, depth / 2, height))
        )
    return p.scene()


def _rack_shape(rng) -> dict:
    return {
        "style": pick(rng, ("hoops", "wave", "grid", "sheffield", "spiral")),
        "count": int(rng.integers(2, 6)),
    }


@shaped(_rack_shape)
def bike_rack(width=2.0, depth=0.5, height=0.85, style="hoops", count=3) -> trimesh.Scene:
    """A bike stand: inverted-U hoops, a wave, a grid of slots, Sheffield stands, spirals."""
    p = Parts()
    if style == "wave":
        pts = [
            (
                -width / 2 + width * t / 12,
                0.0,
                0.0
                if t in (0, 12)
                else height * (0.5 + 0.5 * math.sin(math.pi * t * count / 12) ** 2),
            )
            for t in range(13)
        ]
        for a, b in itertools.pairwise(pts):
            p.add("body", tube(a, b, 0.025, 8))
        for sx in (-1, 1):  # its feet, bolted down across the depth
            x = sx * (width / 2 - 0.04)
            p.add("body", block((x - 0.04, -depth / 2, 0.0), (x + 0.04, depth / 2, 0.02)))
        return p.scene()
    if style == "grid":
        p.add("body", block((-width / 2, -depth / 2, 0), (width / 2, depth / 2, 0.03)))
        for k in range(count * 3):
            x = -width / 2 + width * (k + 0.5) / (count * 3)
            p.add(
                "body",
                tube((x, -depth / 2, 0.03), (x, 0, height * 0.45), 0.01, 6),
                tube((x, depth / 2, 0.03), (x, 0, height * 0.45), 0.01, 6),
            )
        for sx in (-1, 1):  # end frames and a top rail to lean the bikes on
            p.add(
                "body",
                tube(
                    (sx * (width / 2 - 0.02), 0, 0.03),
                    (sx * (width / 2 - 0.02), 0, height - 0.02),
                    0.02,
                    8,
                ),
            )
        p.add(
            "body",
            tube(
                (-width / 2 + 0.02, 0, height - 0.02), (width / 2 - 0.02, 0, height - 0.02), 0.02, 8
            ),
        )
        return p.scene()
    if style == "spiral":
        for k in range(40):
            t0, t1 = k / 40, (k + 1) / 40
            a = (t0 * width, 0.3 * math.cos(t0 * 5 * count), 0.4 + 0.4 * math.sin(t0 * 5 * count))
            b = (t1 * width, 0.3 * math.cos(t1 * 5 * count), 0.4 + 0.4 * math.sin(t1 * 5 * count))
            p.add(
                "body",
                tube(
                    (a[0] - width / 2, a[1] * depth / 0.6, a[2] * height / 0.8),
                    (b[0] - width / 2, b[1] * depth / 0.6, b[2] * height / 0.8),
                    0.02,
                    6,
                ),
            )
        return p.scene()
    n = count if style == "hoops" else max(2, count - 1)
    for k in range(n):  # spread over the whole width
        x = -width / 2 + 0.03 + (width - 0.06) * k / (n - 1)
        w = 0.3 if style == "hoops" else 0.25
        pts = (
            [(x, -w, 0.0), (x, -w, height - w)]
            + [
                (x, -w * math.cos(math.pi * t / 6), height - w + w * math.sin(math.pi * t / 6))
                for t in range(1, 6)
            ]
            + [(x, w, height - w), (x, w, 0.0)]
        )
        for a, b in itertools.pairwise(pts):
            p.add("body", tube(a, b, 0.025, 8))
    return p.scene()


def _signal_shape(rng) -> dict:
    return {
        "style": pick(rng, ("post", "arm", "pedestrian", "twin", "hood")),
        "lamps": pick(rng, (2, 3, 3)),
        "button": pick(rng, (0, 1)),
    }


@shaped(_signal_shape)
def traffic_light(
    width=0.4, depth=0.35, height=3.2, style="post", lamps=3, button=0
) -> trimesh.Scene:
    """A traffic signal facing -Y: heads of two or three lamps on a post, an arm, twin heads,
    a pedestrian signal, visors, a push-button box."""
    p = Parts()
    p.add("frame", cylinder(0.06, 0.0, height - 0.05, sections=14))
    head_h = 0.25 * lamps + 0.1
    heads = [(0.0, height - head_h)]
    if style == "twin":
        heads.append((0.0, height * 0.45))
    if style == "arm":
        p.add("frame", tube((0, 0, height - 0.1), (0.0, -depth / 2, height - 0.08), 0.03, 8))
    for x, z in heads:
        hw = 0.3 if style != "pedestrian" else 0.28
        p.add("body", block((x - hw / 2, -0.18, z), (x + hw / 2, 0.0, z + head_h)))
        for k in range(lamps):
            zc = z + head_h - 0.05 - 0.25 * (k + 0.5)
            colour = ("red", "amber", "green")[k if lamps == 3 else k * 2]
            p.add(colour, disc(0.09, 0.02, (x, -0.19, zc), (0, 1, 0), 20))
            if style == "hood":
                p.add("body", block((x - 0.11, -0.3, zc + 0.09), (x + 0.11, -0.18, zc + 0.11)))
    if button:
        p.add("body", block((-0.06, -0.12, 1.0), (0.06, -0.06, 1.2)))
    return p.scene()


def _picnic_shape(rng) -> dict:
    return {
        "style": pick(rng, ("a_frame", "legs", "slab", "round", "metal")),
        "slats": int(rng.integers(3, 7)),
        "benches": pick(rng, (1, 1, 0)),
    }


@shaped(_picnic_shape)
def picnic_table(
    width=1.8, depth=1.5, height=0.76, style="a_frame", slats=5, benches=1
) -> trimesh.Scene:
    """A picnic table: slatted top with attached benches on A-frames, legs, a slab, round, metal."""
    p = Parts()
    td = depth * (0.5 if benches else 1.0)
    if style == "round":
        p.add("body", cylinder(min(width, td) / 2, height - 0.05, height, sections=32))
        p.add("frame", cylinder(0.05, 0.0, height - 0.05, sections=12))
    else:
        for k in range(slats):
            y0 = -td / 2 + td * k / slats
            p.add(
                "body",
                block(
                    (-width / 2, y0 + 0.005, height - 0.04),
                    (width / 2, y0 + td / slats - 0.005, height),
                ),
            )
    if benches:
        for sy in (-1, 1):
            y0, y1 = sorted((sy * depth / 2, sy * (depth / 2 - 0.28)))
            p.add("body", block((-width / 2, y0, 0.42), (width / 2, y1, 0.46)))
    for sx in (-1, 1):
        x = sx * (width / 2 - 0.25)
        if style in ("a_frame", "round", "metal"):
            r = 0.03 if style != "metal" else 0.02
            slot = "frame" if style == "metal" else "body"
            p.add(
                slot,
                tube((x, -depth / 2 + 0.1, 0.0), (x, 0.0, height - 0.04), r, 6),
                tube((x, depth / 2 - 0.1, 0.0), (x, 0.0, height - 0.04), r, 6),
            )
            p.add(slot, block((x - 0.03, -depth / 2, 0.38), (x + 0.03, depth / 2, 0.42)))
        elif style == "slab":
            p.add(
                "body",
                block((x - 0.06, -td / 2 + 0.05, 0.0), (x + 0.06, td / 2 - 0.05, height - 0.04)),
            )
        else:
            for sy in (-1, 1):
                p.add(
                    "body",
                    block(
                        (x - 0.04, sy * td / 2 * 0.8 - 0.04, 0.0),
                        (x + 0.04, sy * td / 2 * 0.8 + 0.04, height - 0.04),
                    ),
                )
    return p.scene()


def _barrier_shape(rng) -> dict:
    return {
        "style": pick(rng, ("crowd", "jersey", "rail", "aframe", "chain", "tape")),
        "stripes": int(rng.integers(2, 6)),
    }


@shaped(_barrier_shape)
def barrier(width=2.0, depth=0.5, height=1.0, style="crowd", stripes=4) -> trimesh.Scene:
    """A barrier: a crowd-control fence, a concrete jersey block, a striped rail, an A-frame,
    posts with a chain."""
    p = Parts()
    if style == "jersey":
        p.add("body", prism([(-depth / 2, 0.0), (depth / 2, 0.0), (depth * 0.2, height * 0.25), (depth * 0.12, height), (-depth * 0.12, height), (-depth * 0.2, height * 0.25)], -width / 2, width / 2).apply_transform(
            trimesh.transformations.rotation_matrix(-math.pi / 2, (0, 0, 1))))  # fmt: skip
        return p.scene()
    if style in ("chain", "tape"):
        for sx in (-1, 1):
            x = sx * (width / 2 - 0.1)
            p.add(
                "frame",
                cylinder(0.04, 0.0, height - 0.05, (x, 0.0), 12),
                cylinder(0.15, 0.0, 0.04, (x, 0.0), 16),
            )
            p.add("frame", sphere(0.05, (x, 0, height - 0.05), 1))
        if style == "chain":
            for k in range(12):
                t = k / 11
                z = height * 0.8 - 0.25 * math.sin(math.pi * t)
                p.add(
                    "body",
                    torus(
                        0.03,
                        0.008,
                        (-width / 2 + 0.1 + (width - 0.2) * t, 0, z),
                        (1, 0, 0) if k % 2 else (0, 1, 0),
                        8,
                    ),
                )
        else:
            p.add(
                "body",
                block(
                    (-width / 2 + 0.1, -0.002, height * 0.75),
                    (width / 2 - 0.1, 0.002, height * 0.82),
                ),
            )
        return p.scene()
    for sx in (-1, 1):
        x = sx * (width / 2 - 0.05)
        if style == "aframe":
            p.add(
                "frame",
                tube((x, -depth / 2, 0.0), (x, 0.0, height * 0.85), 0.025, 6),
                tube((x, depth / 2, 0.0), (x, 0.0, height * 0.85), 0.025, 6),
            )
        else:
            p.add("frame", tube((x, 0.0, 0.05), (x, 0.0, height), 0.02, 8))
            p.add("frame", block((x - 0.05, -depth / 2, 0.0), (x + 0.05, depth / 2, 0.05)))
    if style == "crowd":
        p.add(
            "body",
            tube((-width / 2 + 0.05, 0, height), (width / 2 - 0.05, 0, height), 0.02, 8),
            tube((-width / 2 + 0.05, 0, 0.15), (width / 2 - 0.05, 0, 0.15), 0.02, 8),
        )
        for k in range(stripes * 4):
            x = -width / 2 + 0.1 + (width - 0.2) * k / (stripes * 4 - 1)
            p.add("frame", tube((x, 0, 0.15), (x, 0, height), 0.008, 4))
    else:
        for k in range(2 if style == "aframe" else 1):
            z = height * (0.8 - 0.35 * k)
            p.add("body", block((-width / 2, -0.02, z - 0.1), (width / 2, 0.02, z + 0.05)))
            for j in range(stripes):
                x0 = -width / 2 + width * (j + 0.25) / stripes
                p.add(
                    "stripes",
                    block((x0, -0.025, z - 0.1), (x0 + width / stripes * 0.5, 0.025, z + 0.05)),
                )
    return p.scene()


def _newsbox_shape(rng) -> dict:
    return {
        "style": pick(rng, ("box", "slanted", "pedestal", "twin", "kiosk")),
        "window": u(rng, 0.3, 0.6),
    }


@shaped(_newsbox_shape)
def newspaper_box(width=0.5, depth=0.45, height=1.1, style="box", window=0.45) -> trimesh.Scene:
    """A newspaper vending box: a box with a window door, slanted top, on a pedestal, twins."""
    p = Parts()
    z0 = 0.35 if style == "pedestal" else 0.0
    if z0:
        p.add(
            "frame",
            block((-0.05, -0.05, 0), (0.05, 0.05, z0)),
            block((-width * 0.35, -depth * 0.35, 0), (width * 0.35, depth * 0.35, 0.03)),
        )
    n = 2 if style == "twin" else 1
    for k in range(n):
        x = -width / 2 + width * (k + 0.5) / n
        w = width / n * 0.96
        top = height if style != "slanted" else height * 0.9
        p.add("body", block((x - w / 2, -depth / 2, z0), (x + w / 2, depth / 2, top)))
        if style == "slanted":
            p.add("body", prism([(-depth / 2, 0.0), (depth / 2, 0.0), (depth / 2, height * 0.1)], x - w / 2, x + w / 2).apply_transform(
                trimesh.transformations.rotation_matrix(-math.pi / 2, (0, 0, 1))).apply_translation((2 * x, 0, top)))  # fmt: skip
        wz1 = top - 0.06
        wz0 = wz1 - (top - z0) * window
        p.add(
            "glass", block((x - w * 0.38, -depth / 2 - 0.01, wz0), (x + w * 0.38, -depth / 2, wz1))
        )
        p.add(
            "trim",
            block(
                (x - w * 0.2, -depth / 2 - 0.03, wz0 - 0.06), (x + w * 0.2, -depth / 2, wz0 - 0.03)
            ),
        )
    if style == "kiosk":
        p.add(
            "trim",
            block(
                (-width / 2 - 0.03, -depth / 2 - 0.1, height - 0.05),
                (width / 2 + 0.03, depth / 2, height),
            ),
        )
    return p.scene()


def _moto_shape(rng) -> dict:
    return {
        "style": pick(rng, ("sport", "cruiser", "naked", "touring", "dirt", "cafe")),
        "wheel": u(rng, 0.28, 0.34),
        "topbox": pick(rng, (0, 1)),
    }


@shaped(_moto_shape)
def motorcycle(
    width=0.75, length=2.1, height=1.15, style="naked", wheel=0.31, topbox=0
) -> trimesh.Scene:
    """A motorcycle along Y (front at -Y): wheels, engine, tank, seat, bars; a fairing on sport
    and touring bikes, a top box."""
    p = Parts()
    yb, yf = length / 2 - wheel, -length / 2 + wheel
    for y in (yb, yf):
        p.add("tyres", torus(wheel - 0.05, 0.05, (0, y, wheel), (1, 0, 0), 28))
        p.add("rims", disc(wheel - 0.07, 0.05, (0, y, wheel), (1, 0, 0), 20))
    seat_z = height * {"cruiser": 0.6, "dirt": 0.8, "sport": 0.72}.get(style, 0.7)
    p.add("engine", block((-0.15, -0.25, wheel * 0.6), (0.15, 0.25, wheel * 1.6)))
    p.add("body", ellipsoid((0.17, 0.3, 0.12), (0, -0.2, seat_z), 2))  # tank
    p.add(
        "seat",
        block(
            (-0.14, 0.05, seat_z - 0.05), (0.14, 0.55 if style != "cafe" else 0.35, seat_z + 0.03)
        ),
    )
    p.add("frame", tube((0, yf, wheel), (0, -0.45, seat_z + 0.05), 0.03, 8))
    p.add("frame", tube((0, yb, wheel), (0, 0.3, seat_z - 0.05), 0.03, 8))
    bar_z = height * (0.95 if style in ("cruiser", "dirt") else 0.85)
    p.add("frame", tube((0, -0.45, seat_z + 0.05), (0, -0.5, bar_z), 0.025, 8))
    p.add("frame", tube((-width / 2, -0.5, bar_z), (width / 2, -0.5, bar_z), 0.015, 8))
    if style in ("sport", "touring"):
        p.add(
            "body",
            prism(
                [(-0.2, 0.0), (0.2, 0.0), (0.12, 0.45), (-0.12, 0.45)], -0.7, -0.4
            ).apply_translation((0, 0, seat_z - 0.25)),
        )
        p.add("glass", block((-0.12, -0.65, bar_z - 0.05), (0.12, -0.6, height)))
    if style == "touring" or topbox:
        p.add(
            "body", block((-0.2, length / 2 - 0.55, seat_z), (0.2, length / 2 - 0.15, seat_z + 0.3))
        )
    p.add("lights", disc(0.07, 0.05, (0, -0.62, bar_z - 0.15), (0, 1, 0), 16))
    return p.scene()


def _scooter_shape(rng) -> dict:
    return {
        "style": pick(rng, ("vespa", "moped", "kick", "electric", "maxi")),
        "wheel": u(rng, 0.18, 0.26),
    }


@shaped(_scooter_shape)
def scooter(width=0.65, length=1.75, height=1.15, style="vespa", wheel=0.22) -> trimesh.Scene:
    """A scooter along Y (front at -Y): step-through body, leg shield, seat; or a kick scooter."""
    p = Parts()
    yb, yf = length / 2 - wheel, -length / 2 + wheel
    for y in (yb, yf):
        p.add("tyres", torus(wheel - 0.04, 0.04, (0, y, wheel), (1, 0, 0), 24))
    if style in ("kick", "electric"):
        p.add("body", block((-0.08, yf + 0.1, wheel * 0.6), (0.08, yb - 0.05, wheel * 0.6 + 0.05)))
        p.add("frame", tube((0, yf, wheel), (0, yf + 0.1, height), 0.025, 8))
        p.add(
            "frame", tube((-width / 2, yf + 0.1, height), (width / 2, yf + 0.1, height), 0.018, 8)
        )
        if style == "electric":
            p.add("body", block((-0.06, yf + 0.05, height * 0.4), (0.06, yf + 0.15, height * 0.7)))
        return p.scene()
    floor = wheel * 1.2
    p.add("body", block((-0.2, yf + 0.15, floor - 0.08), (0.2, yb - 0.3, floor)))
    p.add("body", prism([(yf + 0.05, floor - 0.08), (yf + 0.2, floor - 0.08), (yf + 0.3, height * 0.75), (yf + 0.12, height * 0.8)], -0.22, 0.22)
          .apply_transform(trimesh.transformations.rotation_matrix(math.pi / 2, (0, 0, 1))).apply_transform(np.diag([-1, 1, 1, 1])))  # fmt: skip
    rear_h = height * (0.62 if style != "maxi" else 0.7)
    p.add("body", ellipsoid((0.22, 0.45, rear_h * 0.35), (0, yb - 0.15, rear_h * 0.65), 2))
    p.add("seat", block((-0.16, yb - 0.5, rear_h * 0.95), (0.16, yb + 0.05, rear_h + 0.05)))
    p.add("frame", tube((0, yf + 0.12, height * 0.78), (0, yf + 0.15, height), 0.025, 8))
    p.add("frame", tube((-width / 2, yf + 0.15, height), (width / 2, yf + 0.15, height), 0.018, 8))
    if style == "maxi":
        p.add("glass", block((-0.18, yf + 0.05, height * 0.85), (0.18, yf + 0.08, height)))
    p.add("lights", disc(0.06, 0.04, (0, yf + 0.05, height * 0.7), (0, 1, 0), 16))
    return p.scene()


def _truck_shape(rng) -> dict:
    return {
        "style": pick(rng, ("box", "flatbed", "tipper", "tanker", "delivery", "panel")),
        "cab": u(rng, 0.22, 0.32),
        "wheel": u(rng, 0.4, 0.5),
        "axles": pick(rng, (2, 2, 3)),
    }


@shaped(_truck_shape)
def truck(
    width=2.4, length=7.5, height=3.3, style="box", cab=0.27, wheel=0.45, axles=2
) -> trimesh.Scene:
    """A lorry facing -Y: a cab and a body by style (box, flatbed, tipper, tanker, delivery)."""
    p = Parts()
    L, W, H = length, width, height
    cab_len = L * cab
    nose = -L / 2
    chassis = wheel * 1.5
    p.add("trim", block((-W * 0.4, nose + 0.2, wheel * 0.8), (W * 0.4, L / 2, chassis)))
    cab_h = H * (0.8 if style in ("box", "delivery", "panel") else 1.0)  # the cab is the top
    p.add("body", block((-W / 2, nose, chassis * 0.8), (W / 2, nose + cab_len, cab_h)))
    p.add(
        "glass",
        block((-W / 2 + 0.1, nose - 0.01, cab_h * 0.69), (W / 2 - 0.1, nose + 0.02, cab_h * 0.96)),
    )
    p.add(
        "cargo",
        block((-W / 2, nose + cab_len + 0.15, chassis), (W / 2, L / 2, chassis + 0.02)),
    )
    y0 = nose + cab_len + 0.2
    if style in ("box", "delivery", "panel"):
        top = H if style != "panel" else H * 0.85
        p.add("cargo", block((-W / 2, y0, chassis), (W / 2, L / 2, top)))
        if style == "delivery":
            p.add(
                "cargo",
                block((-W / 2 - 0.01, y0 + 0.5, chassis + 0.3), (-W / 2, L / 2 - 0.5, top - 0.3)),
            )
    elif style == "tanker":
        p.add(
            "cargo",
            tube(
                (0, y0 + 0.1, chassis + W * 0.42),
                (0, L / 2 - 0.1, chassis + W * 0.42),
                W * 0.45,
                24,
            ),
        )
    else:
        side = 0.5 if style == "tipper" else 0.15
        for sx in (-1, 1):
            x0, x1 = sorted((sx * W / 2, sx * (W / 2 - 0.06)))
            p.add("cargo", block((x0, y0, chassis), (x1, L / 2, chassis + side)))
        p.add("cargo", block((-W / 2, L / 2 - 0.06, chassis), (W / 2, L / 2, chassis + side)))
    axle_ys = [nose + cab_len * 0.5] + [L / 2 - 1.0 - 1.3 * k for k in range(axles - 1)]
    for y in axle_ys:
        for sx in (-1, 1):
            c = (sx * (W / 2 - 0.15), y, wheel)
            p.add("wheels", disc(wheel, 0.3, c, (1, 0, 0), 24))
            p.add("rims", disc(wheel * 0.55, 0.31, c, (1, 0, 0), 16))
    for sx in (-1, 1):
        p.add(
            "lights",
            block(
                (sx * W * 0.35 - 0.12, nose - 0.02, chassis * 0.9),
                (sx * W * 0.35 + 0.12, nose, chassis * 0.9 + 0.12),
            ),
        )
    return p.scene()


def _basket_shape(rng) -> dict:
    return {
        "style": pick(rng, ("wire", "plastic", "wicker", "tote", "crate")),
        "handles": pick(rng, ("two", "one")),
        "rim": u(rng, 0.45, 0.65),
    }


@shaped(_basket_shape)
def shopping_basket(
    width=0.42, depth=0.3, height=0.38, style="plastic", handles="two", rim=0.55
) -> trimesh.Scene:
    """A hand basket: wire, plastic, wicker, a tote bag or a crate, with its handles."""
    p = Parts()
    bh = height * rim
    if style == "tote":
        p.add("body", block((-width / 2, -depth * 0.3, 0), (width / 2, depth * 0.3, bh * 1.4)))
        for sx in (-1, 1):
            p.add(
                "handles",
                torus(width * 0.15, 0.008, (sx * width * 0.22, 0, bh * 1.4), (0, 1, 0), 16),
            )
        return p.scene()
    p.add("body", block((-width / 2, -depth / 2, 0), (width / 2, depth / 2, 0.01)))
    for sx in (-1, 1):
        x0, x1 = sorted((sx * width / 2, sx * (width / 2 - 0.01)))
        p.add("body", block((x0, -depth / 2, 0), (x1, depth / 2, bh)))
    for sy in (-1, 1):
        y0, y1 = sorted((sy * depth / 2, sy * (depth / 2 - 0.01)))
        p.add("body", block((-width / 2, y0, 0), (width / 2, y1, bh)))
    if style in ("wire", "wicker"):
        for k in range(4):
            p.add(
                "trim",
                block(
                    (-width / 2 - 0.003, -depth / 2 - 0.003, bh * (k + 0.5) / 4),
                    (width / 2 + 0.003, depth / 2 + 0.003, bh * (k + 0.5) / 4 + 0.01),
                ),
            )
    if handles == "one":
        p.add("handles", tube((-width * 0.4, 0, bh), (-width * 0.3, 0, height), 0.01, 6), tube((-width * 0.3, 0, height), (width * 0.3, 0, height), 0.01, 6),
              tube((width * 0.3, 0, height), (width * 0.4, 0, bh), 0.01, 6))  # fmt: skip
    else:
        for sy in (-1, 1):
            y = sy * depth * 0.45
            p.add(
                "handles",
                tube((-width * 0.35, y, bh), (0.0, y * 0.2, height), 0.008, 6),
                tube((0.0, y * 0.2, height), (width * 0.35, y, bh), 0.008, 6),
            )
    return p.scene()


def _cart_shape(rng) -> dict:
    return {
        "style": pick(rng, ("large", "small", "two_tier", "flat", "deep")),
        "seat": pick(rng, (0, 1)),
        "rise": u(rng, 0.38, 0.52),
    }


@shaped(_cart_shape)
def shopping_cart(
    width=0.55, length=0.95, height=1.0, style="large", seat=1, rise=0.45
) -> trimesh.Scene:
    """A supermarket trolley (handle at +Y): a wire basket on a frame with four castors."""
    p = Parts()
    basket_z = height * rise
    bd = min(height * 0.95 - basket_z, height * 0.5) * {
        "deep": 1.0,
        "flat": 0.5,
        "two_tier": 0.6,
    }.get(style, 0.85)
    yb0 = -length / 2
    for sx in (-1, 1):
        for y in (yb0 + 0.08, length / 2 - 0.15):
            p.add("wheels", disc(0.06, 0.03, (sx * (width / 2 - 0.06), y, 0.06), (1, 0, 0), 12))
        p.add(
            "frame",
            tube(
                (sx * (width / 2 - 0.06), yb0 + 0.08, 0.12),
                (sx * (width / 2 - 0.03), length / 2 - 0.15, basket_z),
                0.015,
                6,
            ),
        )
    p.add(
        "frame",
        block((-width / 2 + 0.05, yb0 + 0.05, 0.12), (width / 2 - 0.05, length / 2 - 0.2, 0.14)),
    )
    bw = width * (0.75 if style == "small" else 1.0)
    for k in range(6):
        z = basket_z + bd * k / 5
        p.add("basket", block((-bw / 2, yb0, z), (bw / 2, length / 2 - 0.05, z + 0.01)))
    for k in range(8):
        x = -bw / 2 + bw * k / 7
        p.add("basket", block((x - 0.005, yb0, basket_z), (x + 0.005, yb0 + 0.01, basket_z + bd)))
        p.add(
            "basket",
            block(
                (x - 0.005, length / 2 - 0.06, basket_z),
                (x + 0.005, length / 2 - 0.05, basket_z + bd),
            ),
        )
    if style == "two_tier":
        p.add("basket", block((-bw / 2, yb0 + 0.1, 0.16), (bw / 2, length / 2 - 0.25, 0.2)))
    p.add(
        "handle", tube((-width / 2, length / 2, height), (width / 2, length / 2, height), 0.018, 8)
    )
    for sx in (-1, 1):
        p.add(
            "frame",
            tube(
                (sx * width / 2 * 0.95, length / 2 - 0.05, basket_z + bd),
                (sx * width / 2, length / 2, height),
                0.012,
                6,
            ),
        )
    if seat:
        p.add(
            "handle",
            block(
                (-bw * 0.4, length / 2 - 0.25, basket_z + bd - 0.02),
                (bw * 0.4, length / 2 - 0.06, basket_z + bd),
            ),
        )
    return p.scene()


def _crate_shape(rng) -> dict:
    return {
        "style": pick(rng, ("slatted", "plastic", "solid", "open", "bottle")),
        "slats": int(rng.integers(2, 5)),  # slats, or ribs round a plastic or solid crate
    }


@shaped(_crate_shape)
def crate(width=0.5, depth=0.35, height=0.3, style="slatted", slats=3) -> trimesh.Scene:
    """A crate: wooden slats, a plastic crate with hand holes, solid, open-topped, a bottle crate."""
    p = Parts()
    if style == "solid":
        p.add("body", block((-width / 2, -depth / 2, 0), (width / 2, depth / 2, height)))
        p.add(
            "trim",
            block(
                (-width / 2 - 0.005, -depth / 2 - 0.005, height - 0.03),
                (width / 2 + 0.005, depth / 2 + 0.005, height),
            ),
        )
        for k in range(slats):
            z = height * (k + 0.5) / (slats + 0.5)
            p.add(
                "trim",
                block(
                    (-width / 2 - 0.004, -depth / 2 - 0.004, z),
                    (width / 2 + 0.004, depth / 2 + 0.004, z + 0.012),
                ),
            )
        return p.scene()
    p.add("body", block((-width / 2, -depth / 2, 0), (width / 2, depth / 2, 0.015)))
    if style == "slatted":
        for k in range(slats):
            z = height * k / slats
            for sy in (-1, 1):
                y0, y1 = sorted((sy * depth / 2, sy * (depth / 2 - 0.015)))
                p.add(
                    "body",
                    block((-width / 2, y0, z + 0.01), (width / 2, y1, z + height / slats - 0.01)),
                )
            for sx in (-1, 1):
                x0, x1 = sorted((sx * width / 2, sx * (width / 2 - 0.015)))
                p.add(
                    "body",
                    block((x0, -depth / 2, z + 0.01), (x1, depth / 2, z + height / slats - 0.01)),
                )
        for sx in (-1, 1):
            for sy in (-1, 1):
                p.add(
                    "trim",
                    block(
                        (
                            sx * width / 2 - 0.03 * (sx + 1) / 2,
                            sy * depth / 2 - 0.03 * (sy + 1) / 2,
                            0,
                        ),
                        (
                            sx * width / 2 + 0.03 * (1 - sx) / 2,
                            sy * depth / 2 + 0.03 * (1 - sy) / 2,
                            height,
                        ),
                    ),
                )
    else:
        for sx in (-1, 1):
            x0, x1 = sorted((sx * width / 2, sx * (width / 2 - 0.012)))
            p.add("body", block((x0, -depth / 2, 0), (x1, depth / 2, height)))
            p.add(
                "trim",
                block(
                    (x0 - 0.001 * sx, -depth * 0.15, height * 0.7),
                    (x1 + 0.001 * sx, depth * 0.15, height * 0.82),
                ),
            )
        for sy in (-1, 1):
            y0, y1 = sorted((sy * depth / 2, sy * (depth / 2 - 0.012)))
            p.add(
                "body",
                block(
                    (-width / 2, y0, 0), (width / 2, y1, height * (0.6 if style == "open" else 1.0))
                ),
            )
        if style == "bottle":
            for i in range(4):
                for j in range(3):
                    p.add(
                        "goods",
                        cylinder(
                            0.03,
                            0.015,
                            height * 1.0,
                            (-width * 0.36 + width * 0.24 * i, -depth * 0.3 + depth * 0.3 * j),
                            12,
                        ),
                    )
    if style != "slatted":
        for k in range(slats):
            z = height * (k + 0.5) / (slats + 0.5)
            p.add(
                "trim",
                block(
                    (-width / 2 - 0.004, -depth / 2 - 0.004, z),
                    (width / 2 + 0.004, depth / 2 + 0.004, z + 0.012),
                ),
            )
    return p.scene()
