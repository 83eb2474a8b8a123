"""Text-bearing assets: each stores its writable face in ``metadata['text_anchor']``."""

from __future__ import annotations

import trimesh

from diffforge.scenes.assets.meshutil import block, cylinder
from diffforge.scenes.assets.procedural.parts import Parts, anchor


def sign_board(width=0.8, height=1.2, board=0.5) -> trimesh.Scene:
    """A free-standing board on two posts; the text goes on its front face (-Y)."""
    t = 0.03
    p = Parts().add(
        "board", block((-width / 2, -t / 2, height - board), (width / 2, t / 2, height))
    )
    for sx in (-1, 1):
        x = sx * (width / 2 - 0.06)
        p.add("posts", block((x - 0.02, t / 2, 0), (x + 0.02, t / 2 + 0.04, height - 0.02)))
        p.add("posts", block((x - 0.02, -0.12, 0), (x + 0.02, 0.12 + t, 0.03)))
    p.metadata["text_anchor"] = anchor(
        (0, -t / 2, height - board / 2), (0, -1, 0), width * 0.9, board * 0.8
    )
    return p.scene()


def wall_text(width=1.2, height=0.4, depth=0.02) -> trimesh.Scene:
    """A thin panel on the wall for lettering (wall text)."""
    p = Parts().add("board", block((-width / 2, -depth / 2, 0), (width / 2, depth / 2, height)))
    p.metadata["text_anchor"] = anchor(
        (0, -depth / 2, height / 2), (0, -1, 0), width * 0.92, height * 0.8
    )
    return p.scene()


def floor_text(width=1.2, depth=0.6, thickness=0.002) -> trimesh.Scene:
    """A flat decal on the floor or the pavement, read from the front (-Y)."""
    p = Parts().add("board", block((-width / 2, -depth / 2, 0), (width / 2, depth / 2, thickness)))
    p.metadata["text_anchor"] = anchor((0, 0, thickness), (0, 0, 1), width * 0.9, depth * 0.75)
    return p.scene()


def poster(width=0.5, height=0.7, depth=0.01) -> trimesh.Scene:
    """A wall poster: a coloured sheet with a picture block and room for a headline."""
    p = Parts().add("board", block((-width / 2, -depth / 2, 0), (width / 2, depth / 2, height)))
    p.add(
        "picture",
        block(
            (-width * 0.4, -depth / 2 - 0.002, height * 0.08),
            (width * 0.4, -depth / 2, height * 0.55),
        ),
    )
    p.metadata["text_anchor"] = anchor(
        (0, -depth / 2, height * 0.77), (0, -1, 0), width * 0.85, height * 0.3
    )
    return p.scene()


def shop_sign(width=1.6, height=0.45, depth=0.12) -> trimesh.Scene:
    """A box sign for a shop front, mounted on a wall, with a frame around the lettering face."""
    p = Parts().add(
        "board",
        block(
            (-width / 2 + 0.03, -depth / 2 + 0.01, 0.03),
            (width / 2 - 0.03, depth / 2, height - 0.03),
        ),
    )
    f = 0.03
    p.add("frame", block((-width / 2, -depth / 2, 0), (width / 2, depth / 2, f)))
    p.add("frame", block((-width / 2, -depth / 2, height - f), (width / 2, depth / 2, height)))
    p.add("frame", block((-width / 2, -depth / 2, f), (-width / 2 + f, depth / 2, height - f)))
    p.add("frame", block((width / 2 - f, -depth / 2, f), (width / 2, depth / 2, height - f)))
    p.metadata["text_anchor"] = anchor(
        (0, -depth / 2 + 0.01, height / 2), (0, -1, 0), width - 0.1, height - 0.1
    )
    return p.scene()


def sign_post(height=2.4, plate_width=0.6, plate_height=0.3) -> trimesh.Scene:
    """A street sign: a pole with a rectangular plate on top, facing -Y."""
    p = Parts().add("posts", cylinder(0.03, 0.0, height - 0.02, sections=12))
    y0 = -0.04
    p.add(
        "board",
        block((-plate_width / 2, y0 - 0.015, height - plate_height), (plate_width / 2, y0, height)),
    )
    p.metadata["text_anchor"] = anchor((0, y0 - 0.015, height - plate_height / 2), (0, -1, 0),
                                        plate_width * 0.9, plate_height * 0.8)  # fmt: skip
    return p.scene()
