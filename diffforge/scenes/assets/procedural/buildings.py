"""Building façades that line a street."""

from __future__ import annotations

import trimesh

from diffforge.scenes.assets.meshutil import block
from diffforge.scenes.assets.procedural.parts import Parts


def building_facade(width=8.0, height=10.0, depth=0.5, floors=3, bays=4) -> trimesh.Scene:
    """The front of a building (facing -Y): walls, window grid, a door and a cornice."""
    p = Parts().add(
        "body", block((-width / 2, -depth / 2 + 0.1, 0), (width / 2, depth / 2, height - 0.3))
    )
    p.add("trim", block((-width / 2, -depth / 2, height - 0.3), (width / 2, depth / 2, height)))
    p.add("trim", block((-width / 2, -depth / 2 + 0.05, 0), (width / 2, -depth / 2 + 0.1, 0.4)))
    fh = (height - 0.3) / floors
    bw = width / bays
    for f in range(floors):
        for b in range(bays):
            x = -width / 2 + (b + 0.5) * bw
            if f == 0 and b == bays // 2:  # the door
                p.add(
                    "door",
                    block((x - 0.55, -depth / 2 + 0.06, 0.0), (x + 0.55, -depth / 2 + 0.12, 2.3)),
                )
                continue
            z0 = f * fh + fh * 0.3
            p.add(
                "glass",
                block(
                    (x - bw * 0.28, -depth / 2 + 0.07, z0),
                    (x + bw * 0.28, -depth / 2 + 0.11, z0 + fh * 0.5),
                ),
            )
            p.add(
                "trim",
                block(
                    (x - bw * 0.32, -depth / 2 + 0.04, z0 - 0.08),
                    (x + bw * 0.32, -depth / 2 + 0.1, z0),
                ),
            )
    return p.scene()
