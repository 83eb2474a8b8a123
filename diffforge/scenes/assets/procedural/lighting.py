"""Lamps: floor, table and pendant lamps (the layouts hang the bulb's light under the rim of
the ``shade`` slot) and the street lamp with its head reaching over the road (-Y).

Shades come in families (drum, cone, dome, globe, bell), bases and poles vary per instance.
"""

from __future__ import annotations

import math

import trimesh

from diffforge.scenes.assets.meshutil import block, box, cylinder, prism, revolve, sphere, tube
from diffforge.scenes.assets.procedural.parts import Parts, pick, shade_profile, shaped, u

SHADES = ("drum", "cone", "dome", "globe", "bell", "empire")


def _floor_lamp_shape(rng) -> dict:
    return {
        "style": pick(rng, SHADES),
        "base": pick(rng, ("disc", "tripod", "square", "cross")),
        "shade_h": u(rng, 0.2, 0.4),
        "stem": u(rng, 0.008, 0.02),
    }


@shaped(_floor_lamp_shape)
def floor_lamp(height=1.6, shade_radius=0.22, style="empire", base="disc", shade_h=0.32,
               stem=0.012) -> trimesh.Scene:  # fmt: skip
    z0 = height - shade_h
    p = Parts()
    if base == "tripod":
        for k in range(3):
            a = k * 2 * math.pi / 3
            p.add(
                "body",
                tube(
                    (shade_radius * math.cos(a), shade_radius * math.sin(a), 0.0),
                    (0, 0, height * 0.55),
                    stem,
                    8,
                ),
            )
        p.add("body", cylinder(stem, height * 0.55, z0 + 0.1))
    else:
        if base == "square":
            p.add("body", block((-0.13, -0.13, 0.0), (0.13, 0.13, 0.03)))
        elif base == "cross":
            p.add(
                "body",
                block((-0.16, -0.02, 0.0), (0.16, 0.02, 0.03)),
                block((-0.02, -0.16, 0.0), (0.02, 0.16, 0.03)),
            )
        else:
            p.add("body", cylinder(0.14, 0.0, 0.025, sections=32))
        p.add("body", cylinder(stem, 0.025, z0 + 0.1))
    p.add("shade", revolve(shade_profile(style, shade_radius, z0, height), 32))
    p.add("bulb", sphere(0.04, (0, 0, z0 + 0.08), 2))
    return p.scene()


def _table_lamp_shape(rng) -> dict:
    return {
        "style": pick(rng, SHADES),
        "base": pick(rng, ("urn", "column", "cube", "stick", "ball", "tiered")),
        "shade_share": u(rng, 0.35, 0.55),
    }


@shaped(_table_lamp_shape)
def table_lamp(height=0.45, shade_radius=0.14, style="empire", base="urn",
               shade_share=0.45) -> trimesh.Scene:  # fmt: skip
    z0 = height * (1 - shade_share)
    p = Parts()
    top = z0 + 0.03
    if base == "urn":
        p.add("body", revolve([(0.0, 0.0), (0.09, 0.0), (0.09, 0.02), (0.05, 0.04), (0.07, top * 0.4), (0.05, top * 0.75),
                               (0.015, top * 0.85), (0.012, top), (0.0, top)], 32))  # fmt: skip
    elif base == "column":
        p.add("body", cylinder(0.07, 0.0, 0.02), cylinder(0.03, 0.02, top))
    elif base == "cube":
        p.add(
            "body",
            block((-0.06, -0.06, 0.0), (0.06, 0.06, top * 0.6)),
            cylinder(0.01, top * 0.6, top),
        )
    elif base == "ball":
        p.add("body", sphere(0.08, (0, 0, 0.08), 2), cylinder(0.01, 0.15, top))
    elif base == "tiered":
        p.add("body", cylinder(0.09, 0.0, 0.03), cylinder(0.06, 0.03, 0.07), cylinder(0.035, 0.07, top * 0.7),
              cylinder(0.012, top * 0.7, top))  # fmt: skip
    else:
        p.add("body", cylinder(0.08, 0.0, 0.015), cylinder(0.008, 0.015, top))
    p.add("shade", revolve(shade_profile(style, shade_radius, z0, height), 32))
    return p.scene()


def _pendant_shape(rng) -> dict:
    return {"style": pick(rng, SHADES), "shade_h": u(rng, 0.15, 0.3), "canopy": u(rng, 0.04, 0.08)}


@shaped(_pendant_shape)
def pendant_lamp(drop=0.6, shade_radius=0.2, style="dome", shade_h=0.22,
                 canopy=0.06) -> trimesh.Scene:  # fmt: skip
    """Hangs from the ceiling: the origin is the bottom of the shade, the cord goes up."""
    p = Parts().add("body", cylinder(0.006, shade_h - 0.02, drop - 0.02, sections=8),
                    cylinder(canopy, drop - 0.02, drop))  # fmt: skip
    p.add("shade", revolve(shade_profile(style, shade_radius, 0.0, shade_h), 32))
    return p.scene()


def _street_lamp_shape(rng) -> dict:
    return {
        "style": pick(rng, ("cobra", "box", "lantern", "globe", "modern")),
        "pole": pick(rng, ("round", "square", "ornate", "tapered")),
        "rise": u(rng, 0.0, 0.35),
    }


@shaped(_street_lamp_shape)
def street_lamp(height=4.0, arm=0.8, style="cobra", pole="round", rise=0.05) -> trimesh.Scene:
    """A pole with an arm reaching towards the street (-Y) and a lamp head."""
    p = Parts()
    top = height - 0.3
    if pole == "square":
        p.add(
            "body",
            block((-0.12, -0.12, 0.0), (0.12, 0.12, 0.4)),
            block((-0.05, -0.05, 0.4), (0.05, 0.05, top)),
        )
    elif pole == "ornate":
        p.add("body", revolve([(0.0, 0.0), (0.12, 0.0), (0.12, 0.1), (0.09, 0.2), (0.1, 0.5), (0.06, 0.8),
                               (0.055, top), (0.0, top)], 20))  # fmt: skip
        p.add("body", sphere(0.08, (0, 0, top), 1))
    elif pole == "tapered":
        p.add(
            "body",
            revolve(
                [(0.0, 0.0), (0.12, 0.0), (0.12, 0.05), (0.1, 0.06), (0.04, top), (0.0, top)], 16
            ),
        )
    else:
        p.add("body", cylinder(0.12, 0.0, 0.4, sections=24), cylinder(0.06, 0.4, top, sections=16))
    hz = top - 0.05 + rise * 0.3
    if style == "lantern":  # a lantern hanging from a short arm
        p.add("body", tube((0, 0, top - 0.1), (0, -arm, top + rise * 0.3), 0.03, 10))
        p.add(
            "body",
            prism(
                [(-0.15, 0.0), (0.15, 0.0), (0.0, 0.15)], -arm - 0.15, -arm + 0.15
            ).apply_translation((0, 0, hz - 0.05)),
        )
        p.add("lamp", box((0.2, 0.4, 0.3), (0, -arm, hz - 0.22)))
    elif style == "globe":
        p.add("body", tube((0, 0, top - 0.1), (0, -arm, top + rise * 0.3), 0.03, 10))
        p.add("lamp", sphere(0.2, (0, -arm, hz - 0.2), 2))
    elif style == "modern":  # a flat blade on a straight arm
        p.add("body", block((-0.03, -arm - 0.2, top - 0.08), (0.03, 0.0, top - 0.03)))
        p.add("lamp", block((-0.15, -arm - 0.25, top - 0.1), (0.15, -arm + 0.2, top - 0.07)))
    else:
        p.add("body", tube((0, 0, top - 0.1), (0, -arm, top + rise * 0.3), 0.035, 12))
        if style == "box":
            p.add("body", block((-0.13, -arm - 0.2, hz - 0.05), (0.13, -arm + 0.2, hz + 0.1)))
        else:
            p.add("body", prism([(-0.12, 0.0), (0.12, 0.0), (0.08, 0.12), (-0.08, 0.12)], -arm - 0.2, -arm + 0.15)
                  .apply_translation((0, 0, hz - 0.04)))  # fmt: skip
        p.add("lamp", block((-0.1, -arm - 0.18, hz - 0.07), (0.1, -arm + 0.13, hz - 0.04)))
    p.add("body", cylinder(0.01, height - 0.01, height, sections=6))  # the box's top: a finial
    return p.scene()
