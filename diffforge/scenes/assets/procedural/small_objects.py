"""Small things for shelves, desks and sidewalks: books, boxes, toys, a laptop."""

from __future__ import annotations

import trimesh

from diffforge.scenes.assets.meshutil import block, box, disc, prism, sphere, torus
from diffforge.scenes.assets.procedural.parts import Parts


def book(width=0.15, depth=0.22, thickness=0.03) -> trimesh.Scene:
    """Lying flat: covers in the colour slot, white pages set back from the edges."""
    c = 0.003
    p = Parts().add("body", block((-width / 2, -depth / 2, 0), (width / 2, depth / 2, c)))
    p.add("body", block((-width / 2, -depth / 2, thickness - c), (width / 2, depth / 2, thickness)))
    p.add(
        "body", block((-width / 2, -depth / 2, 0), (-width / 2 + c, depth / 2, thickness))
    )  # spine
    p.add(
        "pages",
        block(
            (-width / 2 + c, -depth / 2 + 0.004, c),
            (width / 2 - 0.004, depth / 2 - 0.004, thickness - c),
        ),
    )
    return p.scene()


def cardboard_box(width=0.25, depth=0.2, height=0.15) -> trimesh.Scene:
    p = Parts().add(
        "body", block((-width / 2, -depth / 2, 0), (width / 2, depth / 2, height - 0.004))
    )
    p.add(
        "body",
        block(
            (-width / 2 - 0.002, -depth / 2 - 0.002, height - 0.03),
            (width / 2 + 0.002, depth / 2 + 0.002, height),
        ),
    )
    p.add(
        "tape",
        block(
            (-0.025, -depth / 2 - 0.003, height - 0.05), (0.025, depth / 2 + 0.003, height + 0.001)
        ),
    )
    return p.scene()


def ball(radius=0.11) -> trimesh.Scene:
    p = Parts().add("body", sphere(radius, (0, 0, radius), 3))
    p.add("seams", torus(radius * 1.001, 0.003, (0, 0, radius), (1, 0, 0), 40))
    p.add("seams", torus(radius * 1.001, 0.003, (0, 0, radius), (0, 1, 0), 40))
    return p.scene()


def toy_car(width=0.1, length=0.2, height=0.08) -> trimesh.Scene:
    """A small car facing -Y: body, cabin with windows, four wheels."""
    r = 0.018
    p = Parts().add(
        "body",
        block(
            (-width / 2 + 0.004, -length / 2, r * 0.8), (width / 2 - 0.004, length / 2, r + 0.026)
        ),
    )
    cabin = [
        (-width / 2 + 0.01, 0.0),
        (width / 2 - 0.01, 0.0),
        (width / 2 - 0.018, 1.0),
        (-width / 2 + 0.018, 1.0),
    ]
    cab = prism(
        [(x, r + 0.026 + z * (height - r - 0.026)) for x, z in cabin], -length * 0.2, length * 0.3
    )
    p.add("body", cab)
    p.add(
        "glass",
        block(
            (-width / 2 + 0.016, -length * 0.2 - 0.001, r + 0.032),
            (width / 2 - 0.016, -length * 0.2 + 0.002, height - 0.006),
        ),
    )
    for sy in (-1, 1):
        for sx in (-1, 1):
            p.add(
                "wheels",
                disc(r, 0.012, (sx * (width / 2 - 0.006), sy * length * 0.3, r), (1, 0, 0), 20),
            )
    return p.scene()


def block_tower(size=0.05, count=3) -> trimesh.Scene:
    """Toy blocks stacked slightly askew, with a roof block on top."""
    p = Parts()
    for i in range(count):
        b = box((size, size, size), (0.004 * ((-1) ** i), 0, size * (i + 0.5)))
        b.apply_transform(
            trimesh.transformations.rotation_matrix(0.2 * ((-1) ** i), (0, 0, 1), (0, 0, 0))
        )
        p.add("body", b)
    p.add(
        "roof",
        prism(
            [(-size / 2, 0.0), (size / 2, 0.0), (0.0, size * 0.6)], -size / 2, size / 2
        ).apply_translation((0, 0, size * count)),
    )
    return p.scene()


def laptop(width=0.33, depth=0.23, height=0.22) -> trimesh.Scene:
    """Open, the screen tilted back at +Y, the keyboard towards the front (-Y)."""
    base = 0.018
    p = Parts().add("body", block((-width / 2, -depth / 2, 0), (width / 2, depth / 2, base)))
    lid = block((-width / 2, -0.005, 0), (width / 2, 0.005, height - 0.005))
    tilt = trimesh.transformations.rotation_matrix(-0.2, (1, 0, 0))
    lid.apply_transform(tilt)
    lid.apply_translation((0, depth / 2 - 0.01, base))
    p.add("body", lid)
    screen = block((-width / 2 + 0.012, -0.0062, 0.015), (width / 2 - 0.012, -0.004, height - 0.02))
    screen.apply_transform(tilt)
    screen.apply_translation((0, depth / 2 - 0.01, base))
    p.add("screen", screen)
    p.add(
        "keys",
        block(
            (-width / 2 + 0.02, -depth / 2 + 0.08, base),
            (width / 2 - 0.02, depth / 2 - 0.03, base + 0.002),
        ),
    )
    return p.scene()
