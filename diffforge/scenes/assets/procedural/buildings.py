"""Building façades that line a street."""

from __future__ import annotations

import trimesh

from diffforge.scenes.assets.meshutil import block
from diffforge.scenes.assets.procedural.parts import Parts, pick, shaped, u


def _facade_shape(rng) -> dict:
    return {
        "style": pick(rng, ("rows", "tall", "shopfront", "balconies", "bands", "arcade")),
        "floors": int(rng.integers(2, 5)),
        "bays": int(rng.integers(3, 7)),
        "window": u(rng, 0.4, 0.65),
        "door_bay": u(rng, 0.0, 1.0),
    }


@shaped(_facade_shape)
def building_facade(width=8.0, height=10.0, depth=0.5, floors=3, bays=4, style="rows",
                    window=0.5, door_bay=0.5) -> trimesh.Scene:  # fmt: skip
    """The front of a building (facing -Y): walls, a window grid by style (rows, tall windows,
    a shop front, balconies, string courses, an arcade), a door and a cornice."""
    p = Parts().add(
        "body", block((-width / 2, -depth / 2 + 0.1, 0), (width / 2, depth / 2, height - 0.3))
    )
    p.add("trim", block((-width / 2, -depth / 2, height - 0.3), (width / 2, depth / 2, height)))
    p.add("trim", block((-width / 2, -depth / 2 + 0.05, 0), (width / 2, -depth / 2 + 0.1, 0.4)))
    fh = (height - 0.3) / floors
    bw = width / bays
    door = min(int(door_bay * bays), bays - 1)
    fy = -depth / 2
    if style == "shopfront":  # one wide window across the ground floor, the door at its side
        p.add(
            "glass",
            block((-width / 2 + 0.3, fy + 0.07, 0.4), (width / 2 - 1.6, fy + 0.11, fh * 0.85)),
        )
        p.add("trim", block((-width / 2, fy, fh * 0.85), (width / 2, fy + 0.1, fh * 0.95)))
        p.add("door", block((width / 2 - 1.4, fy + 0.06, 0.0), (width / 2 - 0.3, fy + 0.12, 2.3)))
    if style == "bands":
        for f in range(1, floors):
            p.add(
                "trim", block((-width / 2, fy + 0.04, f * fh - 0.1), (width / 2, fy + 0.1, f * fh))
            )
    if style == "arcade":
        for b in range(bays):
            x = -width / 2 + (b + 0.5) * bw
            p.add("trim", block((x - bw * 0.5, fy, 0.0), (x - bw * 0.4, fy + 0.1, fh * 0.9)))
        p.add("trim", block((-width / 2, fy, fh * 0.9), (width / 2, fy + 0.1, fh)))
    for f in range(floors):
        for b in range(bays):
            x = -width / 2 + (b + 0.5) * bw
            if f == 0 and style == "shopfront":
                continue
            if f == 0 and b == door:  # the door
                p.add(
                    "door",
                    block((x - 0.55, -depth / 2 + 0.06, 0.0), (x + 0.55, -depth / 2 + 0.12, 2.3)),
                )
                continue
            tall = 0.7 if style == "tall" else window
            z0 = f * fh + fh * (0.15 if style == "tall" else 0.3)
            half = bw * (0.2 if style == "tall" else 0.28)
            p.add(
                "glass",
                block(
                    (x - half, -depth / 2 + 0.07, z0),
                    (x + half, -depth / 2 + 0.11, z0 + fh * tall),
                ),
            )
            if style == "balconies" and f > 0:
                p.add(
                    "trim",
                    block(
                        (x - bw * 0.38, fy - 0.0, z0 - 0.12), (x + bw * 0.38, fy + 0.1, z0 - 0.05)
                    ),
                )
                p.add(
                    "trim",
                    block((x - bw * 0.38, fy, z0 - 0.05), (x + bw * 0.38, fy + 0.03, z0 + 0.35)),
                )
            p.add(
                "trim",
                block(
                    (x - bw * 0.32, -depth / 2 + 0.04, z0 - 0.08),
                    (x + bw * 0.32, -depth / 2 + 0.1, z0),
                ),
            )
    return p.scene()
