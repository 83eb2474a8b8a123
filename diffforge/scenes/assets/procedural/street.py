"""Street furniture and vehicles: benches, bins, cones, hydrants, bollards, cars, bicycles.

Cars come as sedans, hatchbacks, wagons, coupés, SUVs, vans and pickups (one profile
generator with a body style), bicycles as city, road, mountain and step-through frames.
"""

from __future__ import annotations

import math

import numpy as np
import trimesh

from diffforge.scenes.assets.meshutil import (
    block,
    box,
    cylinder,
    disc,
    ellipsoid,
    prism,
    revolve,
    sphere,
    torus,
    tube,
)
from diffforge.scenes.assets.procedural.parts import Parts, keep_above, pick, shaped, u


def _bench_shape(rng) -> dict:
    return {
        "style": pick(rng, ("park", "park", "modern", "wire")),
        "slats": int(rng.integers(3, 6)),
        "arms": pick(rng, (0, 1)),
        "frame": pick(rng, ("cast", "box", "tube")),
    }


@shaped(_bench_shape)
def bench(width=1.5, depth=0.6, height=0.85, seat=0.45, style="park", slats=4, arms=0,
          frame="cast") -> trimesh.Scene:  # fmt: skip
    """A bench facing -Y: slatted park bench, modern or wire back (``backless_bench``: no back)."""
    return _bench(width, depth, height, seat, style, slats, arms, frame)


def _backless_shape(rng) -> dict:
    style = pick(rng, ("backless", "backless", "backless", "slab", "log"))
    if style != "backless":  # a slab or a log: nothing else to choose
        return {"style": style, "slats": int(rng.integers(3, 6))}
    return {
        "style": style,
        "slats": int(rng.integers(3, 6)),
        "frame": pick(rng, ("cast", "box", "tube")),
    }


@shaped(_backless_shape)
def backless_bench(width=1.5, depth=0.45, height=0.45, style="backless", slats=4, arms=0,
                   frame="cast") -> trimesh.Scene:  # fmt: skip
    """A bench without a back: slats on frames, a concrete slab on blocks, or a log."""
    return _bench(width, depth, height, height, style, slats, 0, frame)


def _bench(width, depth, height, seat, style, slats, arms, frame) -> trimesh.Scene:
    """One bench of a style (the two generators above differ in their box and styles)."""
    p = Parts()
    back = style in ("park", "modern", "wire")
    sd = depth - (0.12 if back else 0.0)
    if style == "slab":
        p.add("body", block((-width / 2, -depth / 2, seat - 0.08), (width / 2, depth / 2, seat)))
        for k in range(slats - 1):  # two to four support blocks
            x = -width / 2 + 0.2 + (width - 0.4) * k / (slats - 2)
            p.add(
                "frame",
                block((x - 0.1, -depth / 2 + 0.05, 0), (x + 0.1, depth / 2 - 0.05, seat - 0.08)),
            )
        return p.scene()
    if style == "log":
        p.add("body", tube((-width / 2, 0, seat - 0.15), (width / 2, 0, seat - 0.15), 0.15, 16))
        p.add("body", block((-width / 2, -0.14, seat - 0.02), (width / 2, 0.14, seat)))
        for sx in (-1, 1):
            p.add(
                "frame",
                block(
                    (sx * width / 3 - 0.1, -depth / 2, 0), (sx * width / 3 + 0.1, depth / 2, 0.18)
                ),
            )
        return p.scene()
    n = slats
    for i in range(n):  # seat slats
        y0 = -depth / 2 + i * sd / n
        p.add(
            "body",
            block((-width / 2, y0 + 0.005, seat - 0.03), (width / 2, y0 + sd / n - 0.005, seat)),
        )
    if back:
        if style == "wire":
            p.add(
                "body",
                block(
                    (-width / 2, depth / 2 - 0.05, seat + 0.05),
                    (width / 2, depth / 2 - 0.02, height),
                ),
            )
        else:
            for i in range(3 if style == "park" else 2):
                z0 = seat + 0.1 + i * (height - seat - 0.1) / 3
                yb = depth / 2 - 0.06 + 0.05 * (z0 - seat) / (height - seat)
                p.add(
                    "body",
                    block(
                        (-width / 2, yb - 0.03, z0),
                        (width / 2, yb, z0 + (height - seat - 0.1) / 3 - 0.02),
                    ),
                )
    for sx in (-1, 1):  # side frames
        x = sx * (width / 2 - 0.12)
        if frame == "box":
            p.add(
                "frame",
                block((x - 0.03, -depth / 2 + 0.05, 0), (x + 0.03, depth / 2 - 0.08, seat - 0.03)),
            )
        else:
            r = 0.02 if frame == "cast" else 0.015
            p.add(
                "frame", tube((x, -depth / 2 + 0.05, 0), (x, -depth / 2 + 0.08, seat - 0.03), r, 10)
            )
            p.add("frame", tube((x, depth / 2 - 0.12, 0), (x, depth / 2 - 0.05, seat), r, 10))
            p.add(
                "frame",
                tube(
                    (x, -depth / 2 + 0.05, seat - 0.05),
                    (x, depth / 2 - 0.08, seat - 0.05),
                    r * 0.9,
                    10,
                ),
            )
        if back:
            p.add(
                "frame", tube((x, depth / 2 - 0.05, seat), (x, depth / 2 - 0.01, height), 0.018, 10)
            )
        if arms:
            p.add(
                "frame",
                tube(
                    (x + sx * 0.1, -depth / 2 + 0.1, seat + 0.22),
                    (x + sx * 0.1, depth / 2 - 0.1, seat + 0.22),
                    0.018,
                    8,
                ),
            )
            p.add(
                "frame",
                tube(
                    (x + sx * 0.1, -depth / 2 + 0.1, seat),
                    (x + sx * 0.1, -depth / 2 + 0.1, seat + 0.22),
                    0.018,
                    8,
                ),
            )
    return p.scene()


def _bin_shape(rng) -> dict:
    return {
        "style": pick(rng, ("round", "square", "wire", "dome", "pole", "tapered", "slatted")),
        "lid": pick(rng, ("flat", "dome", "open", "flap")),
    }


@shaped(_bin_shape)
def trash_bin(radius=0.25, height=0.95, style="round", lid="flat") -> trimesh.Scene:
    """A litter bin: round, square, wire basket, domed, pole-mounted, tapered or slatted."""
    p = Parts()
    lh = 0.0 if lid == "open" else 0.1
    bh = height - lh
    if style == "square":
        p.add("body", block((-radius, -radius, 0), (radius, radius, bh)))
    elif style == "wire":
        for k in range(16):
            a = 2 * math.pi * k / 16
            p.add("body", tube((radius * 0.8 * math.cos(a), radius * 0.8 * math.sin(a), 0.02),
                               (radius * math.cos(a), radius * math.sin(a), bh), 0.008, 4))  # fmt: skip
        for z in (0.02, bh * 0.5, bh):
            p.add("body", torus(radius * (0.8 + 0.2 * z / bh), 0.01, (0, 0, z)))
        p.add("body", cylinder(radius * 0.8, 0.0, 0.02))
    elif style == "pole":
        p.add("frame", cylinder(0.04, 0.0, height, (0.0, radius - 0.04), 10))
        p.add("body", cylinder(radius * 0.9, bh * 0.45, bh, (0.0, -0.02), 24))
    elif style == "tapered":
        p.add("body", revolve([(0.0, 0.0), (radius * 0.75, 0.0), (radius, bh), (0.0, bh)], 28))
    elif style == "slatted":
        p.add("body", cylinder(radius * 0.9, 0.0, bh, sections=24))
        for k in range(14):
            a = 2 * math.pi * k / 14
            p.add(
                "frame",
                box(
                    (0.05, 0.02, bh - 0.05),
                    (radius * 0.95 * math.cos(a), radius * 0.95 * math.sin(a), bh / 2),
                ),
            )
    else:
        p.add("body", revolve([(0.0, 0.0), (radius * 0.9, 0.0), (radius, bh), (0.0, bh)], 32))
    if lid == "dome" or style == "dome":
        p.add(
            "lid",
            revolve(
                [
                    (0.0, bh),
                    (radius * 1.02, bh),
                    (radius * 0.9, bh + lh * 0.5),
                    (radius * 0.5, height),
                    (0.0, height),
                ],
                28,
            ),
        )
    elif lid == "flap":
        p.add("lid", block((-radius, -radius, bh), (radius, radius, bh + 0.03)))
        p.add(
            "lid",
            block((-radius * 0.6, -radius - 0.01, bh + 0.03), (radius * 0.6, radius * 0.2, height)),
        )
    elif lid == "flat":
        p.add("lid", cylinder(radius * 1.03, bh, bh + 0.04, sections=32))
        p.add("lid", block((-0.06, -0.015, bh + 0.04), (0.06, 0.015, height)))
    return p.scene()


def _cone_shape(rng) -> dict:
    return {
        "style": pick(rng, ("cone", "cone", "slim", "squat", "barrel", "bollard")),
        "stripes": int(rng.integers(1, 4)),
        "base_h": u(rng, 0.02, 0.05),
    }


@shaped(_cone_shape)
def traffic_cone(height=0.5, radius=0.14, base=0.36, style="cone", stripes=2,
                 base_h=0.03) -> trimesh.Scene:  # fmt: skip
    p = Parts()
    top = {
        "cone": 0.025,
        "slim": 0.015,
        "squat": 0.04,
        "barrel": radius * 0.85,
        "bollard": radius * 0.5,
    }[style]
    rb = radius * (1.2 if style == "squat" else 1.0)
    p.add("body", revolve([(0.0, base_h), (rb, base_h), (top, height), (0.0, height)], 32))
    p.add("base", block((-base / 2, -base / 2, 0), (base / 2, base / 2, base_h)))
    for k in range(stripes):
        z0 = base_h + (height - base_h) * (0.35 + 0.5 * k / max(stripes, 1))
        z1 = z0 + (height - base_h) * 0.1
        r0 = rb - (rb - top) * (z0 - base_h) / (height - base_h) + 0.002
        r1 = rb - (rb - top) * (z1 - base_h) / (height - base_h) + 0.002
        p.add("stripes", revolve([(r0 - 0.004, z0), (r0, z0), (r1, z1), (r1 - 0.004, z1)], 32))
    return p.scene()


def _hydrant_shape(rng) -> dict:
    return {
        "style": pick(rng, ("classic", "squat", "tall", "dome", "flat", "post")),
        "caps": int(rng.integers(1, 4)),
        "collar": u(rng, 1.05, 1.3),
    }


@shaped(_hydrant_shape)
def fire_hydrant(height=0.75, radius=0.13, style="classic", caps=3, collar=1.15) -> trimesh.Scene:
    p = Parts()
    body_r = (
        radius
        * {"classic": 1.0, "squat": 1.2, "tall": 0.8, "dome": 1.0, "flat": 1.0, "post": 0.7}[style]
    )
    head = {"dome": [(body_r * collar, height - 0.18), (body_r * 0.8, height - 0.08), (0.04, height - 0.02)],
            "flat": [(body_r * collar, height - 0.12), (body_r * collar, height - 0.04), (0.04, height - 0.04)]}.get(
        style, [(body_r * collar, height - 0.18), (body_r * collar, height - 0.15), (body_r * 0.9, height - 0.1), (0.04, height - 0.02)])  # fmt: skip
    prof = [
        (0.0, 0.0),
        (radius * 1.3, 0.0),
        (radius * 1.3, 0.06),
        (body_r, 0.08),
        (body_r, height - 0.2),
        *head,
        (0.0, height - 0.02),
    ]
    p.add("body", revolve(prof, 28))
    p.add("body", cylinder(0.025, height - 0.03, height, sections=6))
    for d in ((1, 0, 0), (-1, 0, 0), (0, -1, 0))[:caps]:
        c = np.array((0, 0, height * 0.58)) + np.array(d) * (body_r + 0.03)
        p.add("caps", disc(0.045, 0.07, c, d, 16))
    return p.scene()


def _bollard_shape(rng) -> dict:
    return {
        "style": pick(rng, ("dome", "flat", "ball", "cone", "square", "ringed", "post")),
        "bands": int(rng.integers(0, 3)),
        "waist": u(rng, 0.7, 1.0),
    }


@shaped(_bollard_shape)
def bollard(radius=0.1, height=0.9, style="dome", bands=1, waist=1.0) -> trimesh.Scene:
    p = Parts()
    r = radius
    if style == "square":
        p.add(
            "body",
            block((-r, -r, 0), (r, r, height - 0.03)),
            block((-r * 1.05, -r * 1.05, height - 0.03), (r * 1.05, r * 1.05, height)),
        )
    elif style == "ball":
        p.add(
            "body",
            revolve(
                [
                    (0.0, 0.0),
                    (r, 0.0),
                    (r * waist, height * 0.5),
                    (r * 0.8, height - r * 1.4),
                    (0.0, height - r * 1.4),
                ],
                24,
            ),
        )
        p.add("body", sphere(r * 0.8, (0, 0, height - r * 0.8), 2))
    elif style == "post":
        p.add(
            "body",
            revolve(
                [
                    (0.0, 0.0),
                    (r * 1.2, 0.0),
                    (r * 1.2, 0.1),
                    (r * 0.6, 0.15),
                    (r * 0.6, height),
                    (0.0, height),
                ],
                20,
            ),
        )
    else:
        cap = {
            "dome": [(r * 0.6, height)],
            "flat": [(r, height)],
            "cone": [(r * 0.2, height)],
            "ringed": [(r * 1.1, height - 0.05), (r * 0.5, height)],
        }[style]
        p.add(
            "body",
            revolve(
                [
                    (0.0, 0.0),
                    (r, 0.0),
                    (r * waist, height * 0.5),
                    (r, height - 0.05),
                    *cap,
                    (0.0, height),
                ],
                24,
            ),
        )
    for k in range(bands):
        z = height - 0.25 - 0.12 * k
        p.add("band", cylinder(r * max(waist, 0.9) + 0.005, z, z + 0.06, sections=24))
    return p.scene()


CAR_STYLES = ("sedan", "hatchback", "wagon", "coupe", "suv", "van", "pickup", "compact")


def _car_shape(rng) -> dict:
    return {
        "style": pick(rng, CAR_STYLES),
        "hood": u(rng, 0.18, 0.3),
        "wheel": u(rng, 0.29, 0.37),
        "belt": u(rng, 0.5, 0.62),
        "rake": u(rng, 0.1, 0.25),
    }


def _side(poly, width):
    """A (y, z) side profile extruded across the car's width (x)."""
    m = prism(poly, -width / 2, width / 2)
    m.vertices = m.vertices[:, [1, 0, 2]] * np.array([-1, 1, 1])
    m.fix_normals()
    return m


@shaped(_car_shape)
def car(width=1.8, length=4.3, height=1.45, style="hatchback", hood=0.22, wheel=0.32,
        belt=0.58, rake=0.18) -> trimesh.Scene:  # fmt: skip
    """A car facing -Y: a lower body, a cabin by body style, windows, wheels and lights."""
    L, H = length, height
    r = wheel * (1.15 if style in ("suv", "pickup") else 1.0)
    sill = r * 0.9
    bz = H * belt
    p = Parts()
    nose = -L / 2
    p.add("body", _side([(nose, sill), (nose, bz - 0.1), (nose + 0.15, bz), (L / 2 - 0.08, bz + 0.03),
                         (L / 2, bz - 0.08), (L / 2, sill)], width))  # fmt: skip
    front = nose + L * hood  # windscreen foot
    if style in ("van",):
        front = nose + L * 0.12
    back_top = {"sedan": 0.78, "hatchback": 0.9, "wagon": 0.97, "coupe": 0.7, "suv": 0.95,
                "van": 0.98, "pickup": 0.45, "compact": 0.9}[style]  # fmt: skip
    back_foot = {"sedan": 0.82, "coupe": 0.8, "pickup": 0.47}.get(style, 0.99)
    ws = L * rake * (0.5 if style == "van" else 1.0)
    roof_front = front + ws
    roof_back = nose + L * back_top - (L * 0.06 if style in ("hatchback", "compact") else 0.0)
    cab = [(front, bz), (nose + L * back_foot, bz), (roof_back, H), (roof_front, H)]
    if roof_back <= roof_front + 0.2:
        roof_back = roof_front + 0.3
        cab = [(front, bz), (nose + L * back_foot, bz), (roof_back, H), (roof_front, H)]
    inset = 0.08 if style != "van" else 0.03
    p.add("body", _side(cab, width - 2 * inset))
    glass = [(front + 0.05, bz + 0.04), (nose + L * back_foot - 0.05, bz + 0.04),
             (roof_back - 0.03, H - 0.06), (roof_front + 0.03, H - 0.06)]  # fmt: skip
    p.add("glass", _side(glass, width - 2 * inset + 0.02))
    if style == "pickup":  # an open bed behind the cab
        y0 = nose + L * back_foot
        for sx in (-1, 1):
            x0, x1 = sorted((sx * width / 2, sx * (width / 2 - 0.06)))
            p.add("body", block((x0, y0, bz), (x1, L / 2, bz + 0.25)))
        p.add("body", block((-width / 2, L / 2 - 0.06, bz), (width / 2, L / 2, bz + 0.25)))
    if style in ("suv", "wagon"):  # roof rails
        for sx in (-1, 1):
            p.add(
                "trim",
                block(
                    (sx * (width / 2 - inset - 0.05) - 0.02, roof_front + 0.1, H),
                    (sx * (width / 2 - inset - 0.05) + 0.02, roof_back - 0.1, H + 0.03),
                ),
            )
    axle_f, axle_b = nose + L * 0.18, L / 2 - L * 0.18
    for y in (axle_f, axle_b):
        for sx in (-1, 1):
            c = (sx * (width / 2 - 0.11), y, r)
            p.add("wheels", disc(r, 0.22, c, (1, 0, 0), 28))
            p.add("rims", disc(r * 0.58, 0.23, c, (1, 0, 0), 20))
    for sx in (-1, 1):  # headlights at the front (-Y), tail lights at the back
        p.add(
            "lights",
            block(
                (sx * width * 0.33 - 0.14, nose - 0.01, bz - 0.16),
                (sx * width * 0.33 + 0.14, nose + 0.02, bz - 0.07),
            ),
        )
        p.add(
            "trim",
            block(
                (sx * width * 0.38 - 0.1, L / 2 - 0.02, bz - 0.15),
                (sx * width * 0.38 + 0.1, L / 2 + 0.01, bz - 0.06),
            ),
        )
    p.add(
        "trim",
        block((-width / 2 + 0.05, nose - 0.03, sill), (width / 2 - 0.05, nose + 0.05, sill + 0.12)),
    )
    p.add(
        "trim",
        block(
            (-width / 2 + 0.05, L / 2 - 0.05, sill), (width / 2 - 0.05, L / 2 + 0.03, sill + 0.12)
        ),
    )
    return p.scene()


def _bicycle_shape(rng) -> dict:
    return {
        "style": pick(rng, ("city", "road", "mountain", "step", "cargo", "bmx")),
        "wheel": u(rng, 0.3, 0.36),
        "basket": pick(rng, (0, 0, 1)),
        "fenders": pick(rng, (0, 1)),
    }


@shaped(_bicycle_shape)
def bicycle(length=1.75, height=1.05, width=0.6, style="city", wheel=0.34, basket=0,
            fenders=0) -> trimesh.Scene:  # fmt: skip
    """Side-on along Y (front at -Y): two wheels, a frame by style, saddle and handlebar."""
    r = wheel * (0.7 if style == "bmx" else 1.0)
    yb, yf = length / 2 - r, -length / 2 + r
    if style == "cargo":
        yf = -length / 2 + r * 0.75
    p = Parts()
    tube_r = 0.028 if style in ("mountain", "bmx") else 0.016
    for y, rr in ((yb, r), (yf, r * (0.75 if style == "cargo" else 1.0))):
        p.add(
            "tyres",
            torus(rr - 0.02, 0.02 if style != "mountain" else 0.03, (0, y, rr), (1, 0, 0), 40),
        )
        for k in range(8):  # spokes
            a = k * math.pi / 8
            p.add("spokes", tube((0, y + (rr - 0.03) * math.cos(a), rr + (rr - 0.03) * math.sin(a)),
                                 (0, y - (rr - 0.03) * math.cos(a), rr - (rr - 0.03) * math.sin(a)), 0.003, 4))  # fmt: skip
        if fenders:
            p.add("body", keep_above(torus(rr + 0.01, 0.012, (0, y, rr), (1, 0, 0), 24), rr))
    bb = (0, 0.02, r - 0.02)
    seat = (0, 0.2, height * 0.8)
    head = (0, yf + 0.2, height * 0.78)
    if style == "cargo":
        head = (0, yf + 0.45, height * 0.78)
        p.add("body", block((-0.25, yf - 0.2, r * 1.2), (0.25, yf + 0.35, r * 1.2 + 0.35)))
    rear = (0, yb, r)
    links = [(bb, seat), (bb, head), (bb, rear), (seat, rear), (head, (0, yf, r))]
    if style == "step":  # a low top tube
        links[1] = (bb, (0, head[1], head[2] - 0.25))
        links.append(((0, head[1], head[2] - 0.25), head))
    else:
        links.append((seat, head))
    for a, b in links:
        p.add("body", tube(a, b, tube_r, 10))
    p.add("body", tube(seat, (0, 0.25, height * 0.9), 0.014, 8))
    p.add("body", tube(head, (0, yf + 0.16, height - 0.03), 0.018, 10))
    hb = height - 0.03
    if style == "road":  # drop bars
        for sx in (-1, 1):
            p.add(
                "handlebar",
                tube((sx * 0.2, yf + 0.16, hb), (sx * 0.2, yf + 0.05, hb - 0.12), 0.012, 8),
            )
        p.add("handlebar", tube((-0.2, yf + 0.16, hb), (0.2, yf + 0.16, hb), 0.013, 10))
    elif style == "city":  # swept-back bars
        for sx in (-1, 1):
            p.add("handlebar", tube((0, yf + 0.16, hb), (sx * width / 2, yf + 0.3, hb), 0.013, 8))
    else:
        p.add("handlebar", tube((-width / 2, yf + 0.16, hb), (width / 2, yf + 0.16, hb), 0.015, 10))
    if basket:
        p.add("basket", block((-0.17, yf - 0.05, hb - 0.25), (0.17, yf + 0.18, hb - 0.05)))
    p.add("saddle", ellipsoid((0.07, 0.13, 0.03), (0, 0.27, height * 0.9 + 0.02), 2))
    return p.scene()
