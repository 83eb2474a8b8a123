"""Small things for shelves, desks and sidewalks: books, boxes, toys, a laptop."""

from __future__ import annotations

import trimesh

from diffforge.scenes.assets.meshutil import block, box, cylinder, disc, prism, sphere, torus
from diffforge.scenes.assets.procedural.parts import Parts, pick, shaped, u


def _book_shape(rng) -> dict:
    return {
        "style": pick(rng, ("hardcover", "paperback", "stack", "open", "thick", "notebook")),
        "cover": u(rng, 0.002, 0.005),
        "inset": u(rng, 0.002, 0.008),
    }


@shaped(_book_shape)
def book(width=0.15, depth=0.22, thickness=0.03, style="hardcover", cover=0.003,
         inset=0.004) -> trimesh.Scene:  # fmt: skip
    """Lying flat: covers in the colour slot, white pages set back from the edges; a stack of
    two, an open book, a spiral notebook."""
    c = cover
    if style == "stack":
        p = Parts()
        h = thickness / 2
        for k, (dx, w) in enumerate(((0.0, 1.0), (0.01, 0.85))):
            z = k * h
            ww = width * w
            p.add(
                "body",
                block((-ww / 2 + dx, -depth / 2 * w, z), (ww / 2 + dx, depth / 2 * w, z + c)),
            )
            p.add(
                "body",
                block(
                    (-ww / 2 + dx, -depth / 2 * w, z + h - c), (ww / 2 + dx, depth / 2 * w, z + h)
                ),
            )
            p.add(
                "pages",
                block(
                    (-ww / 2 + dx + c, -depth / 2 * w + inset, z + c),
                    (ww / 2 + dx - inset, depth / 2 * w - inset, z + h - c),
                ),
            )
        return p.scene()
    if style == "open":
        p = Parts()
        for sx in (-1, 1):
            x0, x1 = sorted((0.0, sx * width / 2))
            p.add("body", block((x0, -depth / 2, 0), (x1, depth / 2, c)))
            p.add(
                "pages",
                block(
                    (x0 + 0.004 * sx if sx < 0 else 0.002, -depth / 2 + inset, c),
                    (x1 - 0.004 * sx, depth / 2 - inset, thickness * (0.7 if sx < 0 else 1.0)),
                ),
            )
        return p.scene()
    if style == "notebook":
        p = Parts().add("body", block((-width / 2, -depth / 2, 0), (width / 2, depth / 2, c)))
        p.add(
            "body",
            block((-width / 2, -depth / 2, thickness - c), (width / 2, depth / 2, thickness)),
        )
        p.add(
            "pages",
            block(
                (-width / 2 + 0.01, -depth / 2 + 0.002, c),
                (width / 2 - 0.002, depth / 2 - 0.002, thickness - c),
            ),
        )
        for k in range(10):
            y = -depth / 2 + depth * (k + 0.5) / 10
            p.add(
                "pages",
                torus(thickness / 2, 0.0015, (-width / 2 + 0.006, y, thickness / 2), (0, 1, 0), 10),
            )
        return p.scene()
    if style == "paperback":
        c = 0.001
    p = Parts().add("body", block((-width / 2, -depth / 2, 0), (width / 2, depth / 2, c)))
    p.add("body", block((-width / 2, -depth / 2, thickness - c), (width / 2, depth / 2, thickness)))
    p.add(
        "body", block((-width / 2, -depth / 2, 0), (-width / 2 + c, depth / 2, thickness))
    )  # spine
    p.add(
        "pages",
        block(
            (-width / 2 + c, -depth / 2 + inset, c),
            (width / 2 - inset, depth / 2 - inset, thickness - c),
        ),
    )
    return p.scene()


def _box_shape(rng) -> dict:
    return {
        "style": pick(rng, ("taped", "lidded", "open", "flaps", "crate", "plain")),
        "lid": u(rng, 0.15, 0.35),
    }


@shaped(_box_shape)
def cardboard_box(width=0.25, depth=0.2, height=0.15, style="taped", lid=0.2) -> trimesh.Scene:
    """A box: taped shut, with a lid, open, flaps up, a slatted crate or plain."""
    if style == "open":
        p = Parts().add("body", block((-width / 2, -depth / 2, 0), (width / 2, depth / 2, 0.004)))
        for sx in (-1, 1):
            x0, x1 = sorted((sx * width / 2, sx * (width / 2 - 0.004)))
            p.add("body", block((x0, -depth / 2, 0), (x1, depth / 2, height)))
        for sy in (-1, 1):
            y0, y1 = sorted((sy * depth / 2, sy * (depth / 2 - 0.004)))
            p.add("body", block((-width / 2, y0, 0), (width / 2, y1, height)))
        return p.scene()
    if style == "flaps":
        hh = height * (1 - lid)
        p = Parts().add("body", block((-width / 2, -depth / 2, 0), (width / 2, depth / 2, hh)))
        for sy in (-1, 1):
            y0, y1 = sorted((sy * depth / 2, sy * (depth / 2 - 0.003)))
            p.add("body", block((-width / 2, y0, hh), (width / 2, y1, height)))
        return p.scene()
    if style == "crate":
        p = Parts()
        n = 2 + int(lid * 10)
        for k in range(n):
            z = height * k / n
            p.add(
                "body",
                block(
                    (-width / 2, -depth / 2, z + 0.004),
                    (width / 2, depth / 2, z + height / n - 0.004),
                ),
            )
        for sx in (-1, 1):
            for sy in (-1, 1):
                p.add("tape", block((sx * width / 2 - 0.012 * (sx + 1) / 2 * 2 + 0.0, sy * depth / 2 - 0.012 * (sy + 1) / 2 * 2, 0),
                                    (sx * width / 2 + 0.012 * (1 - sx) / 2 * 2, sy * depth / 2 + 0.012 * (1 - sy) / 2 * 2, height)))  # fmt: skip
        return p.scene()
    if style == "lidded":
        p = Parts().add(
            "body",
            block(
                (-width / 2 + 0.003, -depth / 2 + 0.003, 0),
                (width / 2 - 0.003, depth / 2 - 0.003, height),
            ),
        )
        p.add(
            "tape",
            block((-width / 2, -depth / 2, height * (1 - lid)), (width / 2, depth / 2, height)),
        )
        return p.scene()
    if style == "plain":  # hand holes on the sides
        p = Parts().add("body", block((-width / 2, -depth / 2, 0), (width / 2, depth / 2, height)))
        for sx in (-1, 1):
            hole = block(
                (sx * width / 2 - 0.001, -depth * lid, height * 0.72),
                (sx * width / 2 + 0.001, depth * lid, height * 0.8),
            )
            p.add("tape", hole)
        return p.scene()
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
            (-width * lid * 0.4, -depth / 2 - 0.003, height - 0.05),
            (width * lid * 0.4, depth / 2 + 0.003, height + 0.001),
        ),
    )
    return p.scene()


def _ball_shape(rng) -> dict:
    return {
        "style": pick(rng, ("basket", "beach", "tennis", "volley", "plain")),
        "seam": u(rng, 0.002, 0.005),
    }


@shaped(_ball_shape)
def ball(radius=0.11, style="basket", seam=0.003) -> trimesh.Scene:
    """Basketball, beach, tennis, volleyball and plain balls (seams in their own slot)."""
    c = (0, 0, radius)
    p = Parts().add("body", sphere(radius, c, 3))
    rings = {"basket": [(1, 0, 0), (0, 1, 0), (0, 0, 1)], "beach": [(1, 0, 0), (0.7, 0.7, 0), (0.7, -0.7, 0), (0, 1, 0)],
             "tennis": [(1, 0.3, 0.3)], "volley": [(1, 0, 0), (0, 1, 0), (0, 0, 1), (1, 1, 0)], "plain": []}[style]  # fmt: skip
    for axis in rings:
        p.add("seams", torus(radius * 1.001, seam * (3 if style == "beach" else 1), c, axis, 40))
    if style == "plain":
        p.add("seams", sphere(seam, (0, 0, 2 * radius - seam), 1))
    return p.scene()


def _toy_car_shape(rng) -> dict:
    return {
        "style": pick(rng, ("car", "truck", "bus", "racer", "jeep", "van")),
        "wheel": u(rng, 0.014, 0.022),
        "cab_len": u(rng, 0.3, 0.6),
    }


@shaped(_toy_car_shape)
def toy_car(
    width=0.1, length=0.2, height=0.08, style="car", wheel=0.018, cab_len=0.5
) -> trimesh.Scene:
    """A small car facing -Y: body, cabin with windows, four wheels (car, truck, bus, racer,
    jeep, van)."""
    r = wheel
    if style in ("bus", "van"):
        cab_len = 0.9
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
    front = {"truck": -length * 0.45, "racer": -length * 0.05}.get(style, -length * 0.2)
    back = front + length * cab_len * (0.3 if style == "truck" else 1.0)
    if style == "racer":
        cabin = [
            (-width / 2 + 0.025, 0.0),
            (width / 2 - 0.025, 0.0),
            (width / 2 - 0.03, 0.5),
            (-width / 2 + 0.03, 0.5),
        ]
    cab = prism(
        [(x, r + 0.026 + z * (height - r - 0.026)) for x, z in cabin], front, min(back, length / 2)
    )
    p.add("body", cab)
    p.add(
        "glass",
        block(
            (-width / 2 + 0.016, front - 0.001, r + 0.032),
            (
                width / 2 - 0.016,
                front + 0.002,
                min(
                    height - 0.006,
                    r + 0.026 + (height - r - 0.026) * (0.5 if style == "racer" else 1.0) - 0.004,
                ),
            ),
        ),
    )
    for sy in (-1, 1):
        for sx in (-1, 1):
            p.add(
                "wheels",
                disc(r, 0.012, (sx * (width / 2 - 0.006), sy * length * 0.3, r), (1, 0, 0), 20),
            )
    return p.scene()


def _tower_shape(rng) -> dict:
    return {
        "style": pick(rng, ("roof", "flat", "ball", "cylinder")),
        "count": int(rng.integers(3, 5)),  # the library rescales to one height
        "twist": u(rng, 0.0, 0.4),
    }


@shaped(_tower_shape)
def block_tower(size=0.05, count=3, style="roof", twist=0.2) -> trimesh.Scene:
    """Toy blocks stacked askew, topped by a roof, a ball, a cylinder or nothing."""
    p = Parts()
    for i in range(count):
        b = box((size, size, size), (0.004 * ((-1) ** i), 0, size * (i + 0.5)))
        b.apply_transform(
            trimesh.transformations.rotation_matrix(twist * ((-1) ** i), (0, 0, 1), (0, 0, 0))
        )
        p.add("body", b)
    top = size * count
    if style == "roof":
        p.add(
            "roof",
            prism(
                [(-size / 2, 0.0), (size / 2, 0.0), (0.0, size * 0.6)], -size / 2, size / 2
            ).apply_translation((0, 0, top)),
        )
    elif style == "ball":
        p.add("roof", sphere(size * 0.4, (0, 0, top + size * 0.4), 2))
    elif style == "cylinder":
        p.add("roof", cylinder(size * 0.35, top, top + size * 0.8, sections=20))
    return p.scene()


def _laptop_shape(rng) -> dict:
    return {"tilt": u(rng, 0.0, 0.45), "base": u(rng, 0.01, 0.028), "pad": pick(rng, (0, 1))}


@shaped(_laptop_shape)
def laptop(width=0.33, depth=0.23, height=0.22, tilt=0.2, base=0.018, pad=1) -> trimesh.Scene:
    """Open, the screen tilted back at +Y, the keyboard towards the front (-Y)."""
    p = Parts().add("body", block((-width / 2, -depth / 2, 0), (width / 2, depth / 2, base)))
    lid = block((-width / 2, -0.005, 0), (width / 2, 0.005, height - 0.005))
    if pad:
        p.add(
            "keys",
            block((-0.05, -depth / 2 + 0.015, base), (0.05, -depth / 2 + 0.07, base + 0.001)),
        )
    tilt = trimesh.transformations.rotation_matrix(-tilt, (1, 0, 0))
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
