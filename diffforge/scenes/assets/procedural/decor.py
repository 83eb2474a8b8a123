"""Room decor: rugs, wall pieces, a television and candles."""

from __future__ import annotations

import math

import numpy as np
import trimesh

from diffforge.scenes.assets.meshutil import block, box, cylinder, disc, prism, revolve, torus
from diffforge.scenes.assets.procedural.parts import Parts, pick, shaped, u


def _rug_shape(rng) -> dict:
    return {
        "style": pick(rng, ("border", "plain", "stripes", "double", "oval", "fringe")),
        "band": u(rng, 0.04, 0.2),
        "count": int(rng.integers(2, 6)),
    }


@shaped(_rug_shape)
def rug(width=2.0, depth=1.4, thickness=0.01, style="border", band=0.06, count=3) -> trimesh.Scene:
    """A rug: bordered, plain, striped, double-bordered, oval or fringed."""
    if style == "oval":
        top = cylinder(1.0, 0.0, thickness, sections=48)
        top.vertices[:, 0] *= width / 2
        top.vertices[:, 1] *= depth / 2
        inner = cylinder(1.0, 0.0, thickness * 1.01, sections=48)
        inner.vertices[:, 0] *= width / 2 - band
        inner.vertices[:, 1] *= depth / 2 - band
        return Parts().add("border", top).add("body", inner).scene()
    if style == "stripes":
        p = Parts()
        for k in range(count * 2 + 1):
            x0 = -width / 2 + width * k / (count * 2 + 1)
            p.add(
                "body" if k % 2 == 0 else "border",
                block((x0, -depth / 2, 0), (x0 + width / (count * 2 + 1), depth / 2, thickness)),
            )
        return p.scene()
    if style == "fringe":
        p = Parts().add(
            "body",
            block((-width / 2 + 0.08, -depth / 2, 0), (width / 2 - 0.08, depth / 2, thickness)),
        )
        for sx in (-1, 1):
            x0, x1 = sorted((sx * width / 2, sx * (width / 2 - 0.08)))
            for k in range(24):
                y = -depth / 2 + depth * (k + 0.5) / 24
                p.add("border", block((x0, y - 0.008, 0), (x1, y + 0.008, thickness * 0.5)))
        return p.scene()
    if style == "plain":
        band = 0.005
    if style == "double":
        p = Parts().add(
            "body", block((-width / 2, -depth / 2, 0), (width / 2, depth / 2, thickness * 0.98))
        )
        p.add(
            "border",
            block(
                (-width / 2 + band, -depth / 2 + band, 0),
                (width / 2 - band, depth / 2 - band, thickness),
            ),
        )
        p.add(
            "body",
            block(
                (-width / 2 + 2 * band, -depth / 2 + 2 * band, 0),
                (width / 2 - 2 * band, depth / 2 - 2 * band, thickness * 1.02),
            ),
        )
        return p.scene()
    p = Parts().add(
        "body",
        block(
            (-width / 2 + band, -depth / 2 + band, 0),
            (width / 2 - band, depth / 2 - band, thickness),
        ),
    )
    # a contrasting border makes it read as a rug and not a floor tile
    for sy in (-1, 1):
        y0, y1 = sorted((sy * depth / 2, sy * (depth / 2 - band)))
        p.add("border", block((-width / 2, y0, 0), (width / 2, y1, thickness * 0.98)))
    for sx in (-1, 1):
        x0, x1 = sorted((sx * width / 2, sx * (width / 2 - band)))
        p.add("border", block((x0, -depth / 2 + band, 0), (x1, depth / 2 - band, thickness * 0.98)))
    return p.scene()


def _frame_shape(rng) -> dict:
    return {
        "style": pick(rng, ("landscape", "sunset", "abstract", "portrait", "stripes", "circles")),
        "border": u(rng, 0.015, 0.07),
        "mat": u(rng, 0.0, 0.05),
    }


@shaped(_frame_shape)
def picture_frame(width=0.5, height=0.4, depth=0.03, border=0.04, style="landscape",
                  mat=0.0) -> trimesh.Scene:  # fmt: skip
    """Wall-mounted: the back is at +Y (against the wall), the picture faces -Y."""
    p = Parts()
    y0, y1 = -depth / 2, depth / 2
    p.add(
        "body",
        block((-width / 2, y0, 0), (width / 2, y1, border)),
        block((-width / 2, y0, height - border), (width / 2, y1, height)),
    )
    p.add("body", block((-width / 2, y0, border), (-width / 2 + border, y1, height - border)))
    p.add("body", block((width / 2 - border, y0, border), (width / 2, y1, height - border)))
    p.add(
        "picture",
        block((-width / 2 + border, y0 + 0.01, border), (width / 2 - border, y1, height - border)),
    )
    yp = y0 + 0.008
    b = border + mat
    if mat > 0.005:
        p.add(
            "picture_detail",
            block(
                (-width / 2 + border, y0 + 0.009, border),
                (width / 2 - border, y0 + 0.0095, height - border),
            ),
        )
        p.add(
            "picture",
            block((-width / 2 + b, y0 + 0.0085, b), (width / 2 - b, y0 + 0.009, height - b)),
        )
    if style == "abstract":
        for k, (cx, cz, w, h) in enumerate(
            ((-0.2, 0.3, 0.3, 0.4), (0.15, 0.6, 0.25, 0.3), (0.1, 0.25, 0.15, 0.2))
        ):
            p.add(
                "picture_detail",
                block(
                    (cx * width - w * width / 2, yp - 0.001 * k, cz * height),
                    (cx * width + w * width / 2, yp, cz * height + h * height),
                ),
            )
        return p.scene()
    if style == "stripes":
        for k in range(4):
            z = b + (height - 2 * b) * (k + 0.3) / 4
            p.add(
                "picture_detail",
                block(
                    (-width / 2 + b, yp - 0.001, z),
                    (width / 2 - b, yp, z + (height - 2 * b) * 0.12),
                ),
            )
        return p.scene()
    if style == "circles":
        for cx, cz, r in ((-0.15, 0.4, 0.12), (0.15, 0.6, 0.08), (0.05, 0.3, 0.06)):
            p.add(
                "picture_detail",
                disc(
                    r * min(width, height) * 1.5,
                    0.004,
                    (cx * width, yp, cz * height),
                    (0, 1, 0),
                    20,
                ),
            )
        return p.scene()
    if style == "portrait":  # a head and shoulders
        p.add(
            "picture_detail",
            disc(min(width, height) * 0.13, 0.004, (0, yp, height * 0.62), (0, 1, 0), 20),
        )
        p.add(
            "picture_detail",
            prism(
                [(-width * 0.25, b), (width * 0.25, b), (0.0, height * 0.5)], yp - 0.002, yp + 0.002
            ),
        )
        return p.scene()
    if style == "sunset":
        p.add(
            "picture_detail",
            block((-width / 2 + b, yp - 0.001, b), (width / 2 - b, yp, height * 0.4)),
        )
    # a simple landscape: a sun and a hill in front of the picture
    p.add(
        "picture_detail", disc(0.035, 0.004, (width / 4, y0 + 0.008, height * 0.65), (0, 1, 0), 20)
    )
    p.add(
        "picture_detail",
        prism(
            [(-width / 2 + border, border), (width / 2 - border, border), (0.0, height * 0.45)],
            y0 + 0.006,
            y0 + 0.01,
        ),
    )
    return p.scene()


def _clock_shape(rng) -> dict:
    return {
        "style": pick(rng, ("round", "square", "ring", "minimal", "station", "octagon")),
        "rim": u(rng, 0.008, 0.03),
        "ticks": pick(rng, (4, 12, 12, 60)),
    }


@shaped(_clock_shape)
def wall_clock(radius=0.17, depth=0.05, style="round", rim=0.015, ticks=12) -> trimesh.Scene:
    c = (0.0, 0.0, radius)
    sections = {"square": 4, "octagon": 8}.get(style, 40)
    p = Parts()
    if style in ("square", "octagon"):
        body = disc(
            radius * (1.05 if style == "square" else 1.0),
            depth - 0.015,
            (0, 0.0075, radius),
            (0, 1, 0),
            sections,
        )
        body.apply_transform(
            trimesh.transformations.rotation_matrix(math.pi / sections, (0, 1, 0), (0, 0, radius))
        )
        p.add("body", body)
    elif style != "minimal":
        p.add("body", torus(radius - rim, rim, (0, -depth / 2 + rim, radius), (0, 1, 0), 40))
        p.add("body", disc(radius - 0.01, depth - 0.015, (0, 0.0075, radius), (0, 1, 0), 40))
    else:
        p.add("body", disc(radius, depth - 0.02, (0, 0.01, radius), (0, 1, 0), 40))
    face_r = radius - (0.05 if style == "ring" else 0.02)
    p.add("face", disc(face_r, 0.004, (0, -0.012, radius), (0, 1, 0), 40))
    if style == "station":
        p.add(
            "body",
            cylinder(0.02, radius * 1.9, radius * 2.0, sections=12).apply_translation((0, 0.01, 0)),
        )
    y = -0.0145  # the hands lie just in front of the face, behind the rim
    p.add("hands", block((-0.004, y - 0.003, c[2]), (0.004, y, c[2] + radius * 0.65)))
    p.add("hands", block((0.0, y - 0.006, c[2] - 0.004), (radius * 0.45, y - 0.003, c[2] + 0.004)))
    for k in range(ticks):
        a = k * 2 * math.pi / ticks
        r = face_r - 0.02
        big = 0.014 if ticks == 4 or k % 5 == 0 or ticks == 12 else 0.006
        p.add(
            "hands",
            box((big * 0.6, 0.002, big), (r * math.cos(a), y - 0.001, radius + r * math.sin(a))),
        )
    return p.scene()


def _tv_shape(rng) -> dict:
    return {
        "style": pick(rng, ("foot", "legs", "pedestal", "crt", "frame", "curved")),
        "bezel": u(rng, 0.006, 0.04),
        "lift": u(rng, 0.03, 0.12),
    }


@shaped(_tv_shape)
def television(width=0.9, height=0.6, style="foot", bezel=0.02, lift=0.08) -> trimesh.Scene:
    """A TV for sideboards and desks: flat on a foot, on two legs, a pedestal, a frame or a CRT."""
    depth = 0.2 if style == "crt" else 0.06
    p = Parts()
    if style == "crt":
        p.add("body", block((-width / 2, -depth / 2, 0.0), (width / 2, depth / 2, height)))
        lift = 0.0
    else:
        p.add("body", block((-width / 2, -0.03, lift), (width / 2, 0.03, height)))
    if style == "legs":
        for sx in (-1, 1):
            p.add(
                "body",
                block(
                    (sx * width * 0.4 - 0.01, -0.1, 0), (sx * width * 0.4 + 0.01, 0.06, lift + 0.02)
                ),
            )
    elif style == "pedestal":
        p.add(
            "body",
            block((-width * 0.3, -0.1, 0), (width * 0.3, 0.1, 0.02)),
            block((-0.04, -0.01, 0.02), (0.04, 0.02, lift + 0.02)),
        )
    elif style == "frame":  # an easel frame
        for sx in (-1, 1):
            p.add(
                "body",
                block(
                    (sx * width * 0.3 - 0.01, 0.03, 0), (sx * width * 0.3 + 0.01, 0.1, height * 0.8)
                ),
            )
        p.add("body", block((-0.01, -0.1, 0), (0.01, 0.1, 0.01)))
    elif style != "crt":
        p.add(
            "body",
            block((-0.15, -0.1, 0), (0.15, 0.1, 0.015)),
            block((-0.03, -0.01, 0.015), (0.03, 0.02, lift + 0.02)),
        )
    y = -depth / 2 - 0.002 if style == "crt" else -0.032
    z0 = (0.0 if style == "crt" else lift) + bezel
    screen = block((-width / 2 + bezel, y, z0), (width / 2 - bezel, y + 0.003, height - bezel))
    p.add("screen", screen)
    return p.scene()


def _candle_shape(rng) -> dict:
    style = pick(rng, ("pillar", "taper", "jar", "holder", "twist", "block"))
    if style == "jar":
        return {"style": style, "melt": u(rng, 0.0, 0.3)}
    return {"style": style, "drip": pick(rng, (0, 1))}


@shaped(_candle_shape)
def candle(radius=0.03, height=0.15, style="pillar", melt=0.0, drip=0) -> trimesh.Scene:
    """Pillar, taper (in a holder), jar, twisted and square candles."""
    top = height - 0.015
    if style in ("taper", "twist"):  # thin candles stand in a holder as wide as a pillar
        holder = [(0.0, 0.0), (radius, 0.0), (radius * 0.9, 0.01), (radius * 0.3, 0.03),
                  (radius * 0.45, 0.05), (0.0, 0.05)]  # fmt: skip
        p = Parts().add("holder", revolve(holder, 24))
    if style == "taper":
        p.add("body", cylinder(radius * 0.3, 0.05, top, sections=16))
    elif style == "jar":
        p = Parts().add(
            "glass",
            revolve(
                [
                    (0.0, 0.0),
                    (radius, 0.0),
                    (radius, top),
                    (radius * 0.93, top),
                    (radius * 0.93, 0.005),
                    (0.0, 0.005),
                ],
                32,
            ),
        )
        p.add("body", cylinder(radius * 0.92, 0.005, top * (0.5 + 0.3 * (1 - melt)), sections=32))
        p.add("wick", cylinder(0.002, top * 0.5, top * 0.6, sections=6))
        p.add("wick", cylinder(0.001, height - 0.001, height, sections=4))
        return p.scene()
    elif style == "holder":
        p = Parts().add("holder", cylinder(radius * 1.3, 0.0, 0.015, sections=32))
        p.add("body", cylinder(radius * 0.9, 0.015, top, sections=32))
    elif style == "block":
        p = Parts().add("body", block((-radius, -radius, 0.0), (radius, radius, top)))
    elif style == "twist":
        body = cylinder(radius * 0.45, 0.05, top, sections=6)
        v = body.vertices
        ang = v[:, 2] * 40.0
        x, y = v[:, 0].copy(), v[:, 1].copy()
        v[:, 0], v[:, 1] = x * np.cos(ang) - y * np.sin(ang), x * np.sin(ang) + y * np.cos(ang)
        body.vertices = v
        p.add("body", body)
    else:
        p = Parts().add("body", cylinder(radius, 0.0, top, sections=32))
    if drip:  # a ring of run-down wax under the top
        r = radius * (
            0.3
            if style == "taper"
            else 0.45
            if style == "twist"
            else 0.9
            if style == "holder"
            else 1.0
        )
        p.add("body", torus(r, 0.003, (0, 0, top - 0.012), sections=24))
    p.add("wick", cylinder(0.002, height - 0.015, height, sections=6))
    return p.scene()
