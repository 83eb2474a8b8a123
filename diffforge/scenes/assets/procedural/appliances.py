"""Appliances and electronics for kitchens, offices, bedrooms and shops: boxes with fronts.

Most are a body with a front of doors, drawers, windows or controls; the variants change the
front's layout, handles, feet and the details that name the kind (burners, a porthole, a
screen, speaker cones).
"""

from __future__ import annotations

import math

import trimesh

from diffforge.scenes.assets.meshutil import (
    block,
    box,
    cylinder,
    disc,
    revolve,
    sphere,
    torus,
    tube,
)
from diffforge.scenes.assets.procedural.parts import (
    Parts,
    feet_under,
    front_panels,
    pick,
    shaped,
    u,
)

HANDLES = ("bar", "knob", "recess", "long")


def _fridge_shape(rng) -> dict:
    return {
        "style": pick(rng, ("top", "bottom", "side", "single", "french", "retro")),
        "handle": pick(rng, ("bar", "long", "recess")),
        "split": u(rng, 0.28, 0.4),
        "feet": pick(rng, ("none", "plinth")),
    }


@shaped(_fridge_shape)
def refrigerator(width=0.7, depth=0.7, height=1.8, style="top", handle="long", split=0.33,
                 feet="none") -> trimesh.Scene:  # fmt: skip
    """A fridge: freezer on top or at the bottom, side by side, single door, French doors, retro."""
    p = Parts()
    base = 0.04
    feet_under(p, width, depth, base, feet)
    if style == "retro":
        p.add(
            "body",
            block((-width / 2, -depth / 2 + 0.03, base), (width / 2, depth / 2, height - 0.1)),
        )
        p.add("body", revolve([(0.0, 0.0), (width / 2, 0.0), (width / 2, 0.05), (0.0, 0.1)], 4).apply_transform(
            trimesh.transformations.rotation_matrix(math.pi / 4, (0, 0, 1))).apply_translation((0, 0, height - 0.1)))  # fmt: skip
        front_panels(p, width, depth + 0.0, base, height - 0.12, "single", "bar", 1)
        return p.scene()
    p.add("body", block((-width / 2, -depth / 2 + 0.03, base), (width / 2, depth / 2, height)))
    zs = height * split
    if style == "top":
        front_panels(p, width, depth, height - zs, height, "single", handle, 1)
        front_panels(p, width, depth, base, height - zs, "single", handle, 1)
    elif style == "bottom":
        front_panels(p, width, depth, base, zs, "drawers", handle, 1)
        front_panels(p, width, depth, zs, height, "single", handle, 1)
    elif style in ("side",):
        front_panels(p, width, depth, base, height, "doors", handle, 1)
    elif style == "french":
        front_panels(p, width, depth, base, zs, "drawers", handle, 1)
        front_panels(p, width, depth, zs, height, "doors", handle, 1)
    else:
        front_panels(p, width, depth, base, height, "single", handle, 1)
    return p.scene()


def _stove_shape(rng) -> dict:
    return {
        "style": pick(rng, ("four", "six", "flat", "two", "range")),
        "handle": pick(rng, HANDLES),
        "knobs": pick(rng, ("front", "back")),
        "window": pick(rng, (0, 1)),
    }


@shaped(_stove_shape)
def stove(width=0.6, depth=0.6, height=0.9, style="four", handle="bar", knobs="front",
          window=1) -> trimesh.Scene:  # fmt: skip
    """A cooker: burners (two, four, six or a flat glass top), an oven door, its knobs."""
    p = Parts().add(
        "body", block((-width / 2, -depth / 2 + 0.02, 0), (width / 2, depth / 2, height - 0.02))
    )
    top = height - 0.02
    if style == "flat":
        p.add("glass", block((-width / 2, -depth / 2 + 0.02, top), (width / 2, depth / 2, height)))
    else:
        p.add(
            "trim", block((-width / 2, -depth / 2 + 0.02, top), (width / 2, depth / 2, top + 0.005))
        )
        n = {"two": (1, 2), "four": (2, 2), "six": (3, 2), "range": (3, 2)}[style]
        for i in range(n[0]):
            for j in range(n[1]):
                x = -width / 2 + width * (i + 0.5) / n[0]
                y = -depth / 2 + depth * (j + 0.5) / n[1]
                p.add(
                    "trim",
                    torus(min(width / n[0], depth / n[1]) * 0.28, 0.008, (x, y, top + 0.012)),
                )
                p.add("trim", cylinder(0.03, top, top + 0.015, (x, y), 12))
    if knobs == "back":
        p.add(
            "body", block((-width / 2, depth / 2 - 0.05, top), (width / 2, depth / 2, height + 0.0))
        )
    door_top = height * (0.68 if knobs == "front" else 0.8)
    front_panels(p, width, depth, 0.1, door_top, "drawers", handle, 1)
    if window:
        p.add(
            "glass",
            block(
                (-width * 0.32, -depth / 2 - 0.024, 0.25),
                (width * 0.32, -depth / 2 - 0.02, door_top - 0.12),
            ),
        )
    if knobs == "front":
        for k in range(5):
            x = -width / 2 + width * (k + 0.5) / 5
            p.add("handles", cylinder(0.015, 0.0, 0.02, sections=10).apply_transform(
                trimesh.transformations.rotation_matrix(math.pi / 2, (1, 0, 0))).apply_translation((x, -depth / 2, door_top + 0.07)))  # fmt: skip
    return p.scene()


def _boxy_shape(rng) -> dict:
    return {
        "style": pick(rng, ("left", "right", "full", "round", "top", "panel")),
        "handle": pick(rng, HANDLES),
        "feet": pick(rng, ("none", "small", "plinth")),
        "bevel": u(rng, 0.0, 0.02),
    }


def _feet(p: Parts, width: float, depth: float, feet: str) -> float:
    if feet == "small":
        for sx in (-1, 1):
            for sy in (-1, 1):
                p.add(
                    "legs",
                    cylinder(
                        0.012, 0.0, 0.012, (sx * (width / 2 - 0.04), sy * (depth / 2 - 0.04)), 8
                    ),
                )
        return 0.012
    if feet == "plinth":
        p.add(
            "legs",
            block(
                (-width / 2 + 0.02, -depth / 2 + 0.02, 0),
                (width / 2 - 0.02, depth / 2 - 0.02, 0.02),
            ),
        )
        return 0.02
    return 0.0


@shaped(_boxy_shape)
def microwave(width=0.5, depth=0.38, height=0.3, style="left", handle="bar", feet="small",
              bevel=0.0) -> trimesh.Scene:  # fmt: skip
    """A microwave: the door window left or across, a control panel, a handle or a button."""
    p = Parts()
    z = _feet(p, width, depth, feet)
    p.add("body", block((-width / 2, -depth / 2 + 0.01, z), (width / 2, depth / 2, height)))
    panel = width * (0.0 if style == "full" else 0.28)
    y = -depth / 2
    x1 = width / 2 - panel
    if style == "right":
        p.add(
            "glass",
            block(
                (-width / 2 + panel + 0.04, y - 0.004, z + 0.05),
                (width / 2 - 0.04, y + 0.01, height - 0.05),
            ),
        )
    elif style == "round":
        p.add(
            "glass",
            disc(min(width, height) * 0.3, 0.01, (-panel / 2, y, (z + height) / 2), (0, 1, 0), 24),
        )
    else:
        p.add(
            "glass",
            block((-width / 2 + 0.04, y - 0.004, z + 0.05), (x1 - 0.06, y + 0.01, height - 0.05)),
        )
    if panel:
        px = x1 + panel / 2 if style != "right" else -width / 2 + panel / 2
        p.add(
            "screen",
            block(
                (px - panel * 0.35, y - 0.004, height - 0.09), (px + panel * 0.35, y, height - 0.05)
            ),
        )
        for k in range(2):
            p.add(
                "handles", disc(0.018, 0.012, (px, y - 0.006, z + 0.06 + 0.06 * k), (0, 1, 0), 12)
            )
    if handle in ("bar", "long"):
        hx = x1 - 0.04 if style != "right" else -width / 2 + panel + 0.02
        p.add("handles", box((0.02, 0.025, (height - z) * 0.7), (hx, y - 0.012, (z + height) / 2)))
    return p.scene()


@shaped(_boxy_shape)
def washing_machine(width=0.6, depth=0.6, height=0.85, style="full", handle="bar", feet="plinth",
                    bevel=0.0) -> trimesh.Scene:  # fmt: skip
    """A front loader: a porthole door, a drawer and controls; a top loader has a lid."""
    p = Parts()
    z = _feet(p, width, depth, feet)
    p.add("body", block((-width / 2, -depth / 2 + 0.01, z), (width / 2, depth / 2, height)))
    y = -depth / 2
    if style == "top":
        p.add(
            "trim",
            block(
                (-width / 2 + 0.03, -depth / 2 + 0.05, height),
                (width / 2 - 0.03, depth / 2 - 0.15, height + 0.01),
            ),
        )
        p.add(
            "screen",
            block(
                (-width / 2 + 0.05, depth / 2 - 0.14, height),
                (width / 2 - 0.05, depth / 2, height + 0.01),
            ),
        )
    else:
        r = (
            min(width, height)
            * {"full": 0.3, "left": 0.27, "right": 0.27, "round": 0.33, "panel": 0.25}[style]
        )
        cz = z + (height - z) * 0.42
        p.add("trim", torus(r, 0.025, (0, y - 0.01, cz), (0, 1, 0), 28))
        p.add("glass", disc(r, 0.01, (0, y - 0.005, cz), (0, 1, 0), 28))
        p.add(
            "trim",
            block(
                (-width / 2 + 0.03, y - 0.01, height - 0.12), (-width / 2 + 0.2, y, height - 0.04)
            ),
        )
        p.add(
            "handles", disc(0.03, 0.02, (width / 2 - 0.1, y - 0.01, height - 0.08), (0, 1, 0), 16)
        )
    return p.scene()


@shaped(_boxy_shape)
def toaster(width=0.28, depth=0.16, height=0.2, style="left", handle="bar", feet="small",
            bevel=0.02) -> trimesh.Scene:  # fmt: skip
    """A toaster: two or four slots, a lever, rounded or square."""
    p = Parts()
    z = _feet(p, width, depth, feet)
    rounded = style in ("round", "panel")
    if rounded:
        body = cylinder(1.0, z, height - 0.01, sections=24)
        body.vertices[:, 0] *= width / 2
        body.vertices[:, 1] *= depth / 2
        p.add("body", body)
    else:
        p.add("body", block((-width / 2, -depth / 2, z), (width / 2, depth / 2, height - 0.01)))
    slots = 4 if style in ("full", "top") else 2
    for k in range(slots):
        x = -width * 0.3 + width * 0.6 * (k + 0.5) / slots
        p.add(
            "trim",
            block((x - 0.008, -depth * 0.3, height - 0.011), (x + 0.008, depth * 0.3, height)),
        )
    p.add(
        "handles",
        block((width / 2 - 0.005, -0.015, height * 0.5), (width / 2 + 0.0, 0.015, height * 0.6)),
    )
    return p.scene()


def _kettle_shape(rng) -> dict:
    return {
        "style": pick(rng, ("jug", "dome", "cylinder", "cone", "retro", "slim")),
        "spout": u(rng, 0.1, 0.3),
        "base": pick(rng, (0, 1)),
    }


@shaped(_kettle_shape)
def kettle(radius=0.09, height=0.24, style="jug", spout=0.2, base=1) -> trimesh.Scene:
    """An electric or stove kettle: a body profile, a spout, a handle, a base plate."""
    z0 = 0.02 if base else 0.0
    h = height - z0 - 0.02
    prof = {
        "jug": [(radius * 0.9, 0.0), (radius, h * 0.1), (radius * 0.8, h)],
        "dome": [(radius, 0.0), (radius, h * 0.3), (radius * 0.7, h * 0.8), (radius * 0.2, h)],
        "cylinder": [(radius * 0.85, 0.0), (radius * 0.85, h)],
        "cone": [(radius, 0.0), (radius * 0.4, h)],
        "retro": [
            (radius, 0.0),
            (radius * 1.0, h * 0.5),
            (radius * 0.5, h * 0.8),
            (radius * 0.35, h),
        ],
        "slim": [(radius * 0.7, 0.0), (radius * 0.75, h)],
    }[style]
    p = Parts().add(
        "body", revolve([(0.0, 0.0)] + [(r, z + z0) for r, z in prof] + [(0.0, z0 + h)], 32)
    )
    if base:
        p.add("trim", cylinder(radius * 1.02, 0.0, z0, sections=32))
    rtop = prof[-1][0]
    p.add("trim", cylinder(rtop * 0.6, z0 + h, z0 + h + 0.02, sections=20))
    p.add(
        "body",
        tube(
            (radius * 0.7, 0, z0 + h * 0.3),
            (radius + radius * spout * 2, 0, z0 + h * 0.85),
            0.012,
            10,
        ),
    )
    p.add("handles", tube((-radius * 0.8, 0, z0 + h * 0.2), (-radius - 0.03, 0, z0 + h * 0.5), 0.012, 8),
          tube((-radius - 0.03, 0, z0 + h * 0.5), (-rtop, 0, z0 + h), 0.012, 8))  # fmt: skip
    return p.scene()


def _screen_shape(rng) -> dict:
    return {
        "style": pick(rng, ("foot", "arm", "round", "legs", "wide", "thin")),
        "bezel": u(rng, 0.005, 0.025),
        "tilt": u(rng, 0.0, 0.15),
    }


@shaped(_screen_shape)
def monitor(
    width=0.55, depth=0.2, height=0.45, style="foot", bezel=0.012, tilt=0.05
) -> trimesh.Scene:
    """A computer monitor on a foot, an arm, a round base or two legs."""
    p = Parts()
    lift = {"foot": 0.1, "arm": 0.14, "round": 0.09, "legs": 0.04, "wide": 0.08, "thin": 0.11}[
        style
    ]
    panel = block(
        (-width / 2, -0.02, lift), (width / 2, 0.015 if style != "thin" else 0.008, height)
    )
    screen = block(
        (-width / 2 + bezel, -0.023, lift + bezel), (width / 2 - bezel, -0.02, height - bezel)
    )
    t = trimesh.transformations.rotation_matrix(-tilt, (1, 0, 0), (0, 0, lift))
    panel.apply_transform(t)
    screen.apply_transform(t)
    p.add("body", panel)
    p.add("screen", screen)
    if style == "round":
        p.add(
            "body",
            cylinder(0.1, 0.0, 0.012, (0.0, 0.02), 24),
            block((-0.015, 0.01, 0.0), (0.015, 0.03, lift + 0.1)),
        )
    elif style == "legs":
        for sx in (-1, 1):
            p.add("body", block((sx * width * 0.35 - 0.01, -depth / 2, 0.0), (sx * width * 0.35 + 0.01, depth / 2, 0.01)),
                  block((sx * width * 0.35 - 0.01, -0.0, 0.0), (sx * width * 0.35 + 0.01, 0.02, lift + 0.02)))  # fmt: skip
    elif style == "arm":
        p.add("body", block((-0.04, depth / 2 - 0.06, 0.0), (0.04, depth / 2, 0.02)))
        p.add("body", tube((0, depth / 2 - 0.03, 0.02), (0, 0.03, lift + 0.12), 0.012, 8))
    else:
        p.add(
            "body",
            block((-0.12, -depth / 2 + 0.02, 0.0), (0.12, depth / 2, 0.012)),
            block((-0.025, 0.02, 0.0), (0.025, 0.04, lift + 0.12)),
        )
    return p.scene()


def _keyboard_shape(rng) -> dict:
    return {
        "style": pick(rng, ("full", "compact", "ergo", "numpad", "slim", "retro")),
        "rows": int(rng.integers(4, 7)),
        "wedge": u(rng, 0.0, 0.6),
    }


@shaped(_keyboard_shape)
def keyboard(width=0.44, depth=0.15, height=0.03, style="full", rows=5, wedge=0.3) -> trimesh.Scene:
    """A keyboard: full, compact, split ergonomic, with a number pad, slim or a thick retro case."""
    p = Parts()
    case = height * (0.4 if style == "slim" else 0.7)
    p.add(
        "body", block((-width / 2, -depth / 2, 0), (width / 2, depth / 2, case * (1 - wedge * 0.5)))
    )
    p.add("body", block((-width / 2, 0.0, 0), (width / 2, depth / 2, case)))
    cols = {"full": 18, "compact": 12, "ergo": 14, "numpad": 18, "slim": 15, "retro": 16}[style]
    kw = (width - 0.03) / cols
    kd = (depth - 0.03) / rows
    for i in range(cols):
        if style == "ergo" and abs(i - cols / 2 + 0.5) < 1:
            continue
        if style == "numpad" and i in (14,):
            continue
        for j in range(rows):
            x = -width / 2 + 0.015 + (i + 0.5) * kw
            y = -depth / 2 + 0.015 + (j + 0.5) * kd
            p.add(
                "keys", box((kw * 0.8, kd * 0.8, height - case), (x, y, case + (height - case) / 2))
            )
    return p.scene()


def _speaker_shape(rng) -> dict:
    return {
        "style": pick(rng, ("two", "three", "round", "bar", "grille", "cylinder")),
        "feet": pick(rng, ("none", "small")),
        "cone": u(rng, 0.8, 1.25),
    }


@shaped(_speaker_shape)
def speaker(
    width=0.22, depth=0.25, height=0.38, style="two", feet="none", cone=1.0
) -> trimesh.Scene:
    """A loudspeaker: a box with two or three cones, a grille, a round or bar speaker."""
    p = Parts()
    z = _feet(p, width, depth, feet)
    if style == "cylinder":
        p.add("body", cylinder(min(width, depth) / 2, z, height, sections=32))
        p.add(
            "trim",
            cylinder(min(width, depth) / 2 + 0.002, z + height * 0.2, height * 0.8, sections=32),
        )
        return p.scene()
    p.add("body", block((-width / 2, -depth / 2 + 0.01, z), (width / 2, depth / 2, height)))
    y = -depth / 2
    if style == "grille":
        p.add(
            "trim",
            block(
                (-width / 2 + 0.01, y - 0.002, z + 0.01),
                (width / 2 - 0.01, y + 0.01, height - 0.01),
            ),
        )
        return p.scene()
    cones = {"two": (0.3, 0.7), "three": (0.2, 0.5, 0.8), "round": (0.5,), "bar": (0.5,)}[style]
    for k, f in enumerate(cones):
        r = (
            min(width, height)
            * (0.3 if k == 0 and len(cones) > 1 else 0.18)
            * (1.4 if style == "round" else 1.0)
            * cone
        )
        p.add("trim", disc(r, 0.012, (0, y, z + (height - z) * f), (0, 1, 0), 24))
        p.add("screen", disc(r * 0.35, 0.016, (0, y, z + (height - z) * f), (0, 1, 0), 16))
    return p.scene()


def _fan_shape(rng) -> dict:
    # floor fans only: a box or wall fan stretched to the nominal 1.2 m read as a cabinet
    style = pick(rng, ("pedestal", "desk", "tower"))
    out = {"style": style, "blades": int(rng.integers(3, 6))}
    if style in ("pedestal", "desk"):
        out["guard"] = pick(rng, (0, 1))
    return out


@shaped(_fan_shape)
def fan(width=0.45, depth=0.35, height=1.2, style="pedestal", blades=4, guard=1) -> trimesh.Scene:
    """A floor fan: a pedestal, a heavy-based stand or a tower, blades behind a guard."""
    p = Parts()
    if style == "tower":
        p.add("body", block((-width * 0.3, -width * 0.3, 0), (width * 0.3, width * 0.3, 0.04)))
        body = cylinder(1.0, 0.04, height, sections=24)
        body.vertices[:, 0] *= width * 0.22
        body.vertices[:, 1] *= width * 0.18
        p.add("body", body)
        for k in range(blades * 3):
            z = 0.2 + (height - 0.4) * k / (blades * 3)
            p.add(
                "trim",
                block((-width * 0.15, -width * 0.19, z), (width * 0.15, -width * 0.17, z + 0.02)),
            )
        return p.scene()
    r = width / 2 * 0.95
    hub_z = height - r
    if style == "desk":
        p.add("body", block((-depth * 0.4, -depth * 0.4, 0.0), (depth * 0.4, depth * 0.4, 0.06)))
    else:
        p.add("body", cylinder(depth * 0.45, 0.0, 0.04, sections=24))
    p.add("body", cylinder(0.02 if style == "pedestal" else 0.035, 0.04, hub_z - 0.05, sections=10))
    p.add("body", block((-0.05, 0.02, hub_z - 0.07), (0.05, 0.14, hub_z + 0.05)))
    for k in range(blades):
        a = 2 * math.pi * k / blades
        blade = box((r * 0.75, 0.01, r * 0.3), (0, 0, 0))
        blade.apply_translation((r * 0.42, 0, 0))
        blade.apply_transform(trimesh.transformations.rotation_matrix(a, (0, 1, 0)))
        p.add("trim", blade.apply_translation((0, -0.02, hub_z)))
    p.add("body", disc(0.05, 0.05, (0, -0.02, hub_z), (0, 1, 0), 16))
    if guard:
        p.add("body", torus(r, 0.006, (0, -0.03, hub_z), (0, 1, 0), 32))
        for k in range(8):
            a = math.pi * k / 8
            p.add(
                "body",
                tube(
                    (r * math.cos(a), -0.05, hub_z + r * math.sin(a)),
                    (-r * math.cos(a), -0.05, hub_z - r * math.sin(a)),
                    0.003,
                    4,
                ),
            )
    return p.scene()


def _radiator_shape(rng) -> dict:
    return {
        "style": pick(rng, ("columns", "panel", "fins", "towel", "tall")),
        "count": int(rng.integers(6, 16)),
        "feet": pick(rng, (0, 1)),
    }


@shaped(_radiator_shape)
def radiator(width=0.8, depth=0.1, height=0.6, style="columns", count=10, feet=1) -> trimesh.Scene:
    """A radiator against the wall: cast columns, a flat panel, fins or a towel ladder."""
    p = Parts()
    z0 = 0.08 if feet else 0.0
    if feet:
        for sx in (-1, 1):
            p.add(
                "legs",
                block(
                    (sx * width * 0.4 - 0.02, -depth / 2, 0),
                    (sx * width * 0.4 + 0.02, depth / 2, z0),
                ),
            )
    if style == "panel":
        p.add("body", block((-width / 2, -depth / 2, z0), (width / 2, depth / 2, height)))
        for k in range(count):
            x = -width / 2 + width * (k + 0.5) / count
            p.add(
                "body",
                block(
                    (x - 0.008, -depth / 2 - 0.005, z0 + 0.02),
                    (x + 0.008, -depth / 2, height - 0.02),
                ),
            )
    elif style == "towel":
        y = -depth / 2 + 0.015  # the rail stands off the wall on brackets
        for sx in (-1, 1):
            x = sx * (width / 2 - 0.015)
            p.add("body", cylinder(0.015, z0, height, (x, y), 10))
            for z in (z0 + 0.1, height - 0.1):
                p.add("body", block((x - 0.01, y, z - 0.01), (x + 0.01, depth / 2, z + 0.01)))
        for k in range(count):
            z = z0 + (height - z0) * (k + 0.5) / count
            p.add("body", tube((-width / 2, y, z), (width / 2, y, z), 0.01, 8))
    else:
        for k in range(count):
            x = -width / 2 + width * (k + 0.5) / count
            w = width / count * (0.7 if style == "columns" else 0.3)
            top = height
            p.add("body", block((x - w / 2, -depth / 2, z0), (x + w / 2, depth / 2, top)))
        p.add(
            "body",
            block((-width / 2, -depth * 0.2, z0 + 0.03), (width / 2, depth * 0.2, z0 + 0.06)),
        )
        p.add(
            "body",
            block(
                (-width / 2, -depth * 0.2, height - 0.06), (width / 2, depth * 0.2, height - 0.03)
            ),
        )
    return p.scene()


def _printer_shape(rng) -> dict:
    return {
        "lid": pick(rng, (0, 1)),
        "tray": u(rng, 0.1, 0.35),
        "feet": pick(rng, ("none", "small")),
        "panel": pick(rng, ("left", "right")),
    }


@shaped(_printer_shape)
def printer(
    width=0.45, depth=0.38, height=0.25, lid=1, tray=0.2, feet="none", panel="right"
) -> trimesh.Scene:
    """A printer: a paper tray in front, a scanner lid or an output slot, a control panel."""
    p = Parts()
    z = _feet(p, width, depth, feet)
    lid = 0.05 if lid else 0.0
    p.add("body", block((-width / 2, -depth / 2, z), (width / 2, depth / 2, height - lid)))
    if lid:
        p.add(
            "trim",
            block((-width / 2, -depth / 2 + 0.02, height - lid), (width / 2, depth / 2, height)),
        )
    p.add(
        "trim",
        block(
            (-width * 0.35, -depth / 2 - depth * tray, z + 0.03),
            (width * 0.35, -depth / 2, z + 0.04),
        ),
    )
    p.add(
        "screen",
        block(
            (width * (0.2 if panel == "right" else -0.45), -depth / 2 - 0.003, height - lid - 0.06),
            (width * (0.45 if panel == "right" else -0.2), -depth / 2, height - lid - 0.02),
        ),
    )
    p.add(
        "trim",
        block(
            (-width * 0.4, -depth / 2 - 0.002, z + 0.08),
            (width * 0.1, -depth / 2, z + 0.1),
        ),
    )
    return p.scene()


def _cooler_shape(rng) -> dict:
    return {
        "style": pick(rng, ("full", "full", "panel")),
        "feet": pick(rng, ("none", "small", "plinth")),
        "cab": u(rng, 0.62, 0.76),
        "taps": pick(rng, (1, 2)),
    }


@shaped(_cooler_shape)
def water_cooler(width=0.32, depth=0.32, height=1.35, style="full", feet="plinth", cab=0.7,
                 taps=2) -> trimesh.Scene:  # fmt: skip
    """A water cooler: a cabinet with taps and a big bottle upside down on top (or none)."""
    p = Parts()
    z = _feet(p, width, depth, feet)
    cab = height * (cab if style != "panel" else 1.0)
    p.add("body", block((-width / 2, -depth / 2, z), (width / 2, depth / 2, cab)))
    p.add(
        "trim",
        block(
            (-width * 0.35, -depth / 2 - 0.02, cab * 0.55), (width * 0.35, -depth / 2, cab * 0.7)
        ),
    )
    for sx in (0,) if taps == 1 else (-1, 1):
        p.add(
            "handles", cylinder(0.012, cab * 0.62, cab * 0.66, (sx * 0.05, -depth / 2 - 0.025), 8)
        )
    if cab < height:
        r = width * 0.42
        p.add(
            "glass",
            revolve(
                [
                    (0.0, cab),
                    (0.03, cab),
                    (0.03, cab + 0.05),
                    (r, cab + 0.12),
                    (r, height - 0.03),
                    (r * 0.8, height),
                    (0.0, height),
                ],
                24,
            ),
        )
    return p.scene()


@shaped(_boxy_shape)
def vending_machine(width=0.9, depth=0.8, height=1.85, style="full", handle="bar", feet="plinth",
                    bevel=0.0) -> trimesh.Scene:  # fmt: skip
    """A vending machine: a glass front with shelves of goods, a panel and a pickup slot."""
    p = Parts()
    z = _feet(p, width, depth, feet)
    p.add("body", block((-width / 2, -depth / 2, z), (width / 2, depth / 2, height)))
    panel = 0.0 if style == "full" else width * 0.25
    gx1 = width / 2 - panel - 0.03
    y = -depth / 2
    p.add("glass", block((-width / 2 + 0.04, y - 0.01, height * 0.3), (gx1, y, height - 0.08)))
    rows = {"left": 5, "right": 6, "full": 6, "round": 4, "top": 5, "panel": 7}[style]
    for k in range(rows):
        zk = height * 0.3 + (height * 0.7 - 0.08) * (k + 0.2) / rows
        for i in range(6):
            x = -width / 2 + 0.06 + (gx1 + width / 2 - 0.1) * (i + 0.5) / 6
            p.add("goods", cylinder(0.03, zk, zk + 0.1, (x, y + 0.08), 10))
    p.add("trim", block((-width * 0.3, y - 0.02, z + 0.15), (width * 0.1, y, z + 0.3)))
    if panel:
        p.add(
            "screen",
            block((gx1 + 0.04, y - 0.005, height * 0.6), (width / 2 - 0.04, y, height * 0.75)),
        )
    return p.scene()


def _till_shape(rng) -> dict:
    return {
        "style": pick(rng, ("left", "right", "round")),
        "handle": pick(rng, ("bar", "knob", "recess")),
        "keys": int(rng.integers(3, 6)),
    }


@shaped(_till_shape)
def cash_register(width=0.4, depth=0.4, height=0.3, style="left", handle="knob", keys=4) -> trimesh.Scene:  # fmt: skip
    """A till: a cash drawer, a sloped keypad and a screen on a post (or a tablet stand)."""
    p = Parts()
    drawer = height * 0.35
    p.add("body", block((-width / 2, -depth / 2, 0), (width / 2, depth / 2, drawer)))
    front_panels(p, width, depth, 0.0, drawer, "drawers", handle, 1)
    if style in ("round", "panel"):  # a tablet on a stand
        p.add("body", cylinder(0.02, drawer, height * 0.8, (0.0, 0.05), 10))
        p.add("screen", block((-width * 0.3, 0.0, height * 0.7), (width * 0.3, 0.02, height)))
        return p.scene()
    p.add(
        "body", block((-width / 2, -depth / 2, drawer), (width / 2, depth / 2 * 0.4, drawer + 0.04))
    )
    for i in range(keys):
        for j in range(3):
            p.add(
                "keys",
                box(
                    (0.03, 0.03, 0.012),
                    (
                        -width * 0.3 + i * 0.6 * width / keys,
                        -depth * 0.35 + j * 0.045,
                        drawer + 0.046,
                    ),
                ),
            )
    sx = -1 if style == "left" else 1
    p.add(
        "body",
        block(
            (sx * width * 0.25 - 0.02, depth * 0.2, drawer),
            (sx * width * 0.25 + 0.02, depth * 0.25, height * 0.8),
        ),
    )
    p.add(
        "screen",
        block(
            (sx * width * 0.25 - 0.1, depth * 0.15, height * 0.78),
            (sx * width * 0.25 + 0.1, depth * 0.2, height),
        ),
    )
    return p.scene()


def _handheld_shape(rng) -> dict:
    return {
        "style": pick(rng, ("slab", "rounded", "buttons", "flip", "thick", "edge")),
        "screen": u(rng, 0.6, 0.9),
        "camera": pick(rng, (0, 1)),
    }


@shaped(_handheld_shape)
def smartphone(
    width=0.075, depth=0.155, height=0.009, style="slab", screen=0.85, camera=1
) -> trimesh.Scene:
    """A phone lying face up: a screen share, rounded or square, a camera bump."""
    p = Parts()
    if style in ("rounded", "edge"):
        body = cylinder(1.0, 0.0, height, sections=24)
        body.vertices[:, 0] *= width / 2
        body.vertices[:, 1] *= depth / 2
        p.add("body", body)
    else:
        p.add(
            "body",
            block(
                (-width / 2, -depth / 2, 0),
                (width / 2, depth / 2, height),
            ),
        )
    sw, sd = (
        width * screen * (0.85 if style in ("rounded", "edge") else 1.0),
        depth * screen * (0.8 if style in ("rounded", "edge") else 1.0),
    )
    p.add(
        "screen",
        block(
            (-sw / 2, -sd / 2 + (0.01 if style == "buttons" else 0.0), height),
            (sw / 2, sd / 2, height + 0.0005),
        ),
    )
    if style == "buttons":
        p.add("keys", cylinder(width * 0.08, height, height + 0.0005, (0.0, -depth * 0.43), 12))
    if camera:
        p.add("keys", cylinder(width * 0.08, -0.0015, 0.0, (width * 0.25, depth * 0.38), 12))
    return p.scene()


def _remote_shape(rng) -> dict:
    return {
        "style": pick(rng, ("slab", "rounded")),
        "rows": int(rng.integers(4, 10)),
        "power": pick(rng, (0, 1)),
    }


@shaped(_remote_shape)
def remote_control(
    width=0.05, depth=0.2, height=0.022, style="slab", rows=6, power=1
) -> trimesh.Scene:
    """A TV remote lying flat: a case, a grid of buttons, a power button."""
    p = Parts()
    if style in ("rounded", "edge"):
        body = cylinder(1.0, 0.0, height * 0.8, sections=20)
        body.vertices[:, 0] *= width / 2
        body.vertices[:, 1] *= depth / 2
        p.add("body", body)
    else:
        p.add("body", block((-width / 2, -depth / 2, 0), (width / 2, depth / 2, height * 0.8)))
    for j in range(rows):
        for i in range(3):
            x = -width * 0.28 + width * 0.28 * i
            y = -depth * 0.35 + depth * 0.6 * j / rows
            p.add("keys", box((width * 0.16, depth * 0.03, height * 0.2), (x, y, height * 0.9)))
    if power:
        p.add("trim", cylinder(width * 0.1, height * 0.8, height, (0.0, depth * 0.38), 12))
    return p.scene()


def _camera_shape(rng) -> dict:
    return {
        "style": pick(rng, ("dslr", "compact", "instant", "rangefinder", "action")),
        "lens": u(rng, 0.3, 0.9),
        "flash": pick(rng, (0, 1)),
    }


@shaped(_camera_shape)
def camera(width=0.13, depth=0.1, height=0.09, style="dslr", lens=0.6, flash=0) -> trimesh.Scene:
    """A photo camera facing -Y: a body, a lens by style, a grip, a flash hump."""
    p = Parts()
    bd = depth * 0.4
    body_h = height * (0.8 if style in ("dslr",) else 0.9)
    p.add("body", block((-width / 2, -bd / 2, 0), (width / 2, bd / 2, body_h)))
    if style == "dslr":
        p.add("body", block((-width * 0.12, -bd / 2, body_h), (width * 0.12, bd / 2, height)))
    elif flash:
        p.add("trim", block((width * 0.2, -bd / 2, body_h), (width * 0.4, bd / 2, height)))
    lr = min(width, body_h) * (0.32 if style != "action" else 0.2)
    p.add(
        "lens",
        disc(
            lr, depth * lens * 0.6, (0, -bd / 2 - depth * lens * 0.3, body_h * 0.48), (0, 1, 0), 24
        ),
    )
    p.add(
        "glass",
        disc(
            lr * 0.7, 0.004, (0, -bd / 2 - depth * lens * 0.6 - 0.001, body_h * 0.48), (0, 1, 0), 20
        ),
    )
    return p.scene()


def _alarm_shape(rng) -> dict:
    return {
        "style": pick(rng, ("bells", "cube", "round", "digital", "wedge")),
        "feet": pick(rng, (0, 1)),
    }


@shaped(_alarm_shape)
def alarm_clock(width=0.12, depth=0.06, height=0.13, style="bells", feet=1) -> trimesh.Scene:
    """A bedside clock: twin bells, a cube, a round face, a digital wedge."""
    p = Parts()
    z = 0.012 if feet else 0.0
    if feet:
        for sx in (-1, 1):
            p.add("trim", sphere(0.008, (sx * width * 0.3, 0.0, 0.008), 1))
    r = min(width, height) * 0.42
    if style in ("bells", "round"):
        p.add("body", disc(r, depth * 0.8, (0, 0, z + r), (0, 1, 0), 32))
        p.add("face", disc(r * 0.85, 0.003, (0, -depth * 0.4, z + r), (0, 1, 0), 32))
        p.add("hands", block((-0.002, -depth * 0.42, z + r), (0.002, -depth * 0.41, z + r * 1.6)))
        if style == "bells":
            for sx in (-1, 1):
                p.add("trim", sphere(r * 0.35, (sx * r * 0.7, 0.0, z + r * 1.9), 1))
    elif style == "cube":
        p.add("body", block((-width / 2, -depth / 2, z), (width / 2, depth / 2, height)))
        p.add(
            "face",
            disc(
                min(width, height) * 0.38, 0.003, (0, -depth / 2, (z + height) / 2), (0, 1, 0), 32
            ),
        )
    else:
        p.add(
            "body",
            block(
                (-width / 2, -depth / 2 + (0.02 if style == "wedge" else 0.0), z),
                (width / 2, depth / 2, height * 0.6),
            ),
        )
        p.add(
            "screen",
            block(
                (-width * 0.4, -depth / 2 - 0.002 + (0.02 if style == "wedge" else 0.0), z + 0.01),
                (width * 0.4, -depth / 2 + (0.02 if style == "wedge" else 0.0), height * 0.5),
            ),
        )
    return p.scene()


def _phone_shape(rng) -> dict:
    return {
        "style": pick(rng, ("desk", "rotary", "cordless", "office", "retro")),
        "keys": int(rng.integers(9, 16)),
    }


@shaped(_phone_shape)
def telephone(width=0.2, depth=0.2, height=0.12, style="desk", keys=12) -> trimesh.Scene:
    """A desk telephone: a wedge body with keys or a dial, a handset on top."""
    p = Parts()
    if style == "cordless":
        p.add(
            "body",
            block((-width * 0.3, -depth * 0.3, 0), (width * 0.3, depth * 0.3, height * 0.25)),
        )
        p.add(
            "trim",
            block(
                (-width * 0.12, -depth * 0.05, height * 0.25), (width * 0.12, depth * 0.1, height)
            ),
        )
        return p.scene()
    p.add("body", revolve([(0.0, 0.0), (width / 2, 0.0), (width * 0.4, height * 0.6), (0.0, height * 0.6)], 4).apply_transform(
        trimesh.transformations.rotation_matrix(math.pi / 4, (0, 0, 1))) if style in ("rotary", "retro") else
        block((-width / 2, -depth / 2, 0), (width / 2, depth / 2, height * 0.5)))  # fmt: skip
    if style == "rotary":
        p.add("trim", disc(width * 0.22, 0.01, (0, -depth * 0.2, height * 0.55), (0, -0.5, 1), 24))
    else:
        for k in range(keys):
            x = -width * 0.2 + width * 0.15 * (k % 3)
            y = -depth * 0.35 + depth * 0.08 * (k // 3)
            p.add("keys", box((0.018, 0.014, 0.01), (x, y, height * 0.5 + 0.005)))
    p.add(
        "trim",
        tube(
            (-width * 0.42, depth * 0.15, height * 0.85),
            (width * 0.42, depth * 0.15, height * 0.85),
            height * 0.12,
            12,
        ),
    )
    return p.scene()
