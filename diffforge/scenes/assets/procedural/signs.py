"""Text-bearing assets: each stores its writable face in ``metadata['text_anchor']``.

Their variants change what carries the board (posts, frames, feet, a picture's layout), never
the board's own face: the manifest's text anchor holds for every variant.
"""

from __future__ import annotations

import trimesh

from diffforge.scenes.assets.meshutil import block, cylinder, tube
from diffforge.scenes.assets.procedural.parts import Parts, anchor, pick, shaped, u


def _board_shape(rng) -> dict:
    return {
        "style": pick(rng, ("posts", "round", "single", "easel", "frame", "base")),
        "post": u(rng, 0.015, 0.035),
    }


@shaped(_board_shape)
def sign_board(width=0.8, height=1.2, board=0.5, style="posts", post=0.02) -> trimesh.Scene:
    """A free-standing board on posts, one post, an easel, a frame or a block base; the text
    goes on its front face (-Y)."""
    t = 0.03
    p = Parts().add(
        "board", block((-width / 2, -t / 2, height - board), (width / 2, t / 2, height))
    )
    if style in ("posts", "round", "frame"):
        for sx in (-1, 1):
            x = sx * (width / 2 - 0.06)
            if style == "round":
                p.add(
                    "posts", tube((x, t / 2 + 0.02, 0), (x, t / 2 + 0.02, height - 0.02), post, 10)
                )
            else:
                p.add("posts", block((x - post, t / 2, 0), (x + post, t / 2 + 0.04, height - 0.02)))
            p.add("posts", block((x - 0.02, -0.12, 0), (x + 0.02, 0.12 + t, 0.03)))
        if style == "frame":
            p.add(
                "posts",
                block(
                    (-width / 2 + 0.06, t / 2, height - board - 0.04),
                    (width / 2 - 0.06, t / 2 + 0.04, height - board),
                ),
            )
    elif style == "single":
        p.add("posts", block((-post, t / 2, 0), (post, t / 2 + 0.04, height - 0.02)))
        p.add("posts", block((-0.2, -0.12, 0), (0.2, 0.12 + t, 0.03)))
    elif style == "easel":
        for sx in (-1, 1):
            p.add(
                "posts",
                tube(
                    (sx * width * 0.35, -0.12, 0),
                    (sx * width * 0.2, t / 2, height - board),
                    post,
                    8,
                ),
            )
        p.add("posts", tube((0, 0.12 + t, 0), (0, t / 2 + 0.01, height - board * 0.5), post, 8))
    else:  # a block base with a short stem
        p.add("posts", block((-width * 0.3, -0.12, 0), (width * 0.3, 0.12 + t, 0.08)))
        p.add("posts", block((-0.04, -0.01, 0.08), (0.04, t / 2 + 0.03, height - board)))
    p.metadata["text_anchor"] = anchor(
        (0, -t / 2, height - board / 2), (0, -1, 0), width * 0.9, board * 0.8
    )
    return p.scene()


def _trim_shape(rng) -> dict:
    return {
        "style": pick(rng, ("plain", "framed", "screws", "bars", "corners", "underline")),
        "f": u(rng, 0.01, 0.03),
    }


def _trim(
    p: Parts, style: str, width: float, height: float, y: float, f: float, axis: str = "y"
) -> None:
    """Trim on a board's face (front at ``y``): a frame, screws, bars, corners, an underline.
    ``axis`` "z": the face looks up (a floor marking), heights become depths."""

    def rect(x0, a0, x1, a1):
        if axis == "y":
            return block((x0, y - 0.002, a0), (x1, y, a1))
        return block((x0, a0, y), (x1, a1, y + 0.001))

    lo, hi = (0.0, height) if axis == "y" else (-height / 2, height / 2)
    if style == "framed":
        p.add("frame", rect(-width / 2, lo, width / 2, lo + f), rect(-width / 2, hi - f, width / 2, hi),
              rect(-width / 2, lo, -width / 2 + f, hi), rect(width / 2 - f, lo, width / 2, hi))  # fmt: skip
    elif style == "screws":
        for sx in (-1, 1):
            for a in (lo + 0.03, hi - 0.03):
                p.add(
                    "frame",
                    rect(
                        sx * (width / 2 - 0.03) - 0.008,
                        a - 0.008,
                        sx * (width / 2 - 0.03) + 0.008,
                        a + 0.008,
                    ),
                )
    elif style == "bars":
        p.add(
            "frame",
            rect(-width / 2, lo, width / 2, lo + f * 2),
            rect(-width / 2, hi - f * 2, width / 2, hi),
        )
    elif style == "corners":
        for sx in (-1, 1):
            for a, sa in ((lo, 1), (hi, -1)):
                x = sx * width / 2
                p.add(
                    "frame",
                    rect(
                        min(x, x - sx * 0.08),
                        min(a, a + sa * f),
                        max(x, x - sx * 0.08),
                        max(a, a + sa * f),
                    ),
                )
                p.add(
                    "frame",
                    rect(
                        min(x, x - sx * f),
                        min(a, a + sa * 0.08),
                        max(x, x - sx * f),
                        max(a, a + sa * 0.08),
                    ),
                )
    elif style == "underline":
        p.add("frame", rect(-width * 0.4, lo + f, width * 0.4, lo + 2 * f))


@shaped(_trim_shape)
def wall_text(width=1.2, height=0.4, depth=0.02, style="plain", f=0.02) -> trimesh.Scene:
    """A thin panel on the wall for lettering (wall text), plain or trimmed."""
    p = Parts().add("board", block((-width / 2, -depth / 2, 0), (width / 2, depth / 2, height)))
    _trim(p, style, width, height, -depth / 2, f)
    p.metadata["text_anchor"] = anchor(
        (0, -depth / 2, height / 2), (0, -1, 0), width * 0.92, height * 0.8
    )
    return p.scene()


@shaped(_trim_shape)
def floor_text(width=1.2, depth=0.6, thickness=0.002, style="plain", f=0.02) -> trimesh.Scene:
    """A flat decal on the floor or the pavement, read from the front (-Y), plain or trimmed."""
    p = Parts().add("board", block((-width / 2, -depth / 2, 0), (width / 2, depth / 2, thickness)))
    _trim(p, style, width, depth, thickness, f, axis="z")
    p.metadata["text_anchor"] = anchor((0, 0, thickness), (0, 0, 1), width * 0.9, depth * 0.75)
    return p.scene()


def _poster_shape(rng) -> dict:
    return {
        "style": pick(rng, ("block", "two", "circle", "stripes", "full", "corner")),
        "pin": pick(rng, (0, 1)),
    }


@shaped(_poster_shape)
def poster(width=0.5, height=0.7, depth=0.01, style="block", pin=0) -> trimesh.Scene:
    """A wall poster: a coloured sheet with a picture (a block, two, a disc, stripes, a corner
    panel) under room for a headline."""
    p = Parts().add("board", block((-width / 2, -depth / 2, 0), (width / 2, depth / 2, height)))
    y0, y1 = -depth / 2 - 0.002, -depth / 2
    if style == "two":
        for sx in (-1, 1):
            x0, x1 = sorted((sx * width * 0.02, sx * width * 0.42))
            p.add("picture", block((x0, y0, height * 0.08), (x1, y1, height * 0.55)))
    elif style == "circle":
        disc_ = cylinder(min(width, height) * 0.3, 0.0, 0.002, sections=32)
        disc_.apply_transform(trimesh.transformations.rotation_matrix(1.5708, (1, 0, 0)))
        p.add("picture", disc_.apply_translation((0, y1, height * 0.32)))
    elif style == "stripes":
        for k in range(4):
            z = height * (0.08 + 0.12 * k)
            p.add("picture", block((-width * 0.42, y0, z), (width * 0.42, y1, z + height * 0.06)))
    elif style == "full":
        p.add(
            "picture", block((-width * 0.48, y0, height * 0.03), (width * 0.48, y1, height * 0.6))
        )
    elif style == "corner":
        p.add(
            "picture", block((-width * 0.42, y0, height * 0.08), (width * 0.1, y1, height * 0.58))
        )
        p.add("picture", block((width * 0.18, y0, height * 0.08), (width * 0.42, y1, height * 0.3)))
    else:
        p.add("picture", block((-width * 0.4, y0, height * 0.08), (width * 0.4, y1, height * 0.55)))
    if pin:
        for sx in (-1, 1):
            p.add("picture", cylinder(0.006, 0.0, 0.003, sections=8).apply_transform(
                trimesh.transformations.rotation_matrix(1.5708, (1, 0, 0))).apply_translation((sx * width * 0.45, y1 - 0.001, height * 0.96)))  # fmt: skip
    p.metadata["text_anchor"] = anchor(
        (0, -depth / 2, height * 0.77), (0, -1, 0), width * 0.85, height * 0.3
    )
    return p.scene()


def _shop_sign_shape(rng) -> dict:
    return {
        "style": pick(rng, ("frame", "thin", "bulbs", "bracket", "plain", "caps")),
        "f": u(rng, 0.015, 0.04),
    }


@shaped(_shop_sign_shape)
def shop_sign(width=1.6, height=0.45, depth=0.12, style="frame", f=0.03) -> trimesh.Scene:
    """A box sign for a shop front, mounted on a wall, with a frame around the lettering face."""
    p = Parts().add(
        "board",
        block(
            (-width / 2 + 0.03, -depth / 2 + 0.01, 0.03),
            (width / 2 - 0.03, depth / 2, height - 0.03),
        ),
    )
    if style == "thin":
        f = 0.012
    if style == "plain":  # no frame: the box itself reaches the edges
        p.add("board", block((-width / 2, -depth / 2 + 0.01, 0), (width / 2, depth / 2, height)))
    else:
        p.add("frame", block((-width / 2, -depth / 2, 0), (width / 2, depth / 2, f)))
        p.add("frame", block((-width / 2, -depth / 2, height - f), (width / 2, depth / 2, height)))
        p.add("frame", block((-width / 2, -depth / 2, f), (-width / 2 + f, depth / 2, height - f)))
        p.add("frame", block((width / 2 - f, -depth / 2, f), (width / 2, depth / 2, height - f)))
    if style == "bulbs":
        for k in range(9):
            x = -width / 2 + width * (k + 0.5) / 9
            p.add("frame", cylinder(0.012, height - 0.005, height, (x, -depth / 2 + 0.02), 8))
    elif style == "caps":
        for sx in (-1, 1):
            p.add(
                "frame",
                block(
                    (sx * width / 2 - 0.04, -depth / 2, -0.0),
                    (sx * width / 2 + 0.0, depth / 2, height),
                ),
            )
    elif style == "bracket":
        p.add(
            "frame",
            block(
                (-width * 0.3, depth / 2 - 0.02, height - 0.01), (width * 0.3, depth / 2, height)
            ),
        )
    p.metadata["text_anchor"] = anchor(
        (0, -depth / 2 + 0.01, height / 2), (0, -1, 0), width - 0.1, height - 0.1
    )
    return p.scene()


def _sign_post_shape(rng) -> dict:
    return {
        "style": pick(rng, ("round", "square", "twin", "base", "ornate", "bent")),
        "pole": u(rng, 0.02, 0.04),
    }


@shaped(_sign_post_shape)
def sign_post(
    height=2.4, plate_width=0.6, plate_height=0.3, style="round", pole=0.03
) -> trimesh.Scene:
    """A street sign: a pole (round, square, twin, on a base, ornate) with a plate on top,
    facing -Y."""
    p = Parts()
    if style == "square":
        p.add("posts", block((-pole, -pole, 0.0), (pole, pole, height - 0.02)))
    elif style == "twin":
        for sx in (-1, 1):
            p.add(
                "posts",
                cylinder(pole * 0.7, 0.0, height - 0.02, (sx * plate_width * 0.35, 0.0), 10),
            )
    elif style == "base":
        p.add(
            "posts",
            cylinder(pole, 0.0, height - 0.02, sections=12),
            block((-0.16, -0.05, 0.0), (0.16, 0.05, 0.08)),  # a foot plate along the kerb
        )
    elif style == "ornate":
        p.add(
            "posts",
            cylinder(pole, 0.0, height - 0.02, sections=12),
            cylinder(pole * 1.5, 0.0, 0.4, sections=12),
        )
        p.add(
            "posts",
            cylinder(
                pole * 1.6, height - plate_height - 0.08, height - plate_height - 0.02, sections=12
            ),
        )
    elif style == "bent":
        p.add("posts", cylinder(pole, 0.0, height * 0.6, sections=12))
        p.add("posts", tube((0, 0, height * 0.6), (0.02, 0.0, height - 0.02), pole, 12))
    else:
        p.add("posts", cylinder(pole, 0.0, height - 0.02, sections=12))
    y0 = -0.04
    p.add(
        "board",
        block((-plate_width / 2, y0 - 0.015, height - plate_height), (plate_width / 2, y0, height)),
    )
    p.metadata["text_anchor"] = anchor((0, y0 - 0.015, height - plate_height / 2), (0, -1, 0),
                                        plate_width * 0.9, plate_height * 0.8)  # fmt: skip
    return p.scene()
