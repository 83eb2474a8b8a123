"""What stands on a table to eat and drink from: cups, bottles, bowls, a teapot, fruit."""

from __future__ import annotations

import math

import numpy as np
import trimesh

from diffforge.scenes.assets.meshutil import (
    block,
    cylinder,
    ellipsoid,
    revolve,
    sphere,
    torus,
    tube,
)
from diffforge.scenes.assets.procedural.parts import Parts, keep_above, pick, shaped, u, vessel


def _mug_shape(rng) -> dict:
    return {
        "style": pick(rng, ("straight", "tapered", "barrel", "flared", "squat", "tall")),
        "handle": u(rng, 0.022, 0.035),
        "grip": u(rng, 0.005, 0.01),
        "foot": u(rng, 0.0, 0.012),
    }


@shaped(_mug_shape)
def mug(radius=0.042, height=0.1, wall=0.004, style="straight", handle=0.03, grip=0.007,
        foot=0.0) -> trimesh.Scene:  # fmt: skip
    p = Parts().add("body", vessel(style, radius, height, wall, foot))
    handle = torus(handle, grip, (radius + 0.008, 0, height * 0.52), (0, 1, 0), 20)
    keep = handle.vertices[:, 0] >= radius - 0.004  # only the outer half of the ring
    handle.update_faces(keep[handle.faces].all(axis=1))
    handle.remove_unreferenced_vertices()
    p.add("body", handle)
    return p.scene()


def _cup_shape(rng) -> dict:
    return {
        "style": pick(rng, ("tapered", "flared", "straight", "barrel", "tall", "squat")),
        "lid": pick(rng, (0, 0, 1)),
        "sleeve": pick(rng, (0, 1)),
        "foot": u(rng, 0.0, 0.01),
    }


@shaped(_cup_shape)
def cup(radius=0.04, height=0.09, style="tapered", lid=0, sleeve=0, foot=0.0) -> trimesh.Scene:
    """A cup (paper, plastic or glass): profiles by style, a lid or a sleeve on some."""
    hh = height - (0.012 if lid else 0.0)
    p = Parts().add("body", vessel(style, radius, hh, 0.003, foot))
    p.add("body", torus(radius - 0.0015, 0.002, (0, 0, hh), sections=40))
    if lid:
        p.add(
            "body",
            revolve([(0.0, hh), (radius + 0.002, hh), (radius * 0.8, height), (0.0, height)], 32),
        )
    if sleeve:
        p.add("body", cylinder(radius * 0.97, hh * 0.35, hh * 0.65, sections=32))
    return p.scene()


def _bottle_shape(rng) -> dict:
    return {
        "style": pick(rng, ("wine", "beer", "water", "soda", "flask", "jug", "square", "olive")),
        "shoulder": u(rng, 0.45, 0.7),
        "neck": u(rng, 0.3, 0.5),
        "label": pick(rng, (0, 1)),
    }


@shaped(_bottle_shape)
def bottle(
    radius=0.035, height=0.28, style="water", shoulder=0.6, neck=0.37, label=1
) -> trimesh.Scene:
    """Wine, beer, water, soda, flask, jug, square and olive-oil bottles."""
    s = shoulder
    nr = radius * neck
    if style == "wine":
        prof = [
            (0.0, 0.0),
            (radius, 0.0),
            (radius, height * s),
            (nr, height * (s + 0.15)),
            (nr, height * 0.93),
            (0.0, height * 0.93),
        ]
    elif style == "beer":
        prof = [
            (0.0, 0.0),
            (radius, 0.0),
            (radius, height * s * 0.9),
            (nr, height * (s + 0.12)),
            (nr * 0.9, height * 0.93),
            (0.0, height * 0.93),
        ]
    elif style == "flask":
        prof = [
            (0.0, 0.0),
            (radius * 0.8, 0.0),
            (radius, height * 0.3),
            (radius * 0.9, height * s),
            (nr, height * 0.8),
            (nr, height * 0.93),
            (0.0, height * 0.93),
        ]
    elif style == "jug":
        prof = [
            (0.0, 0.0),
            (radius, 0.0),
            (radius, height * 0.7),
            (nr * 1.3, height * 0.85),
            (nr * 1.3, height * 0.93),
            (0.0, height * 0.93),
        ]
    elif style == "olive":
        prof = [
            (0.0, 0.0),
            (radius * 0.8, 0.0),
            (radius * 0.8, height * 0.7),
            (nr * 0.8, height * 0.85),
            (nr * 0.8, height * 0.93),
            (0.0, height * 0.93),
        ]
    else:
        prof = [(0.0, 0.0), (radius * 0.9, 0.0), (radius, 0.01), (radius, height * s), (radius * 0.85, height * (s + 0.08)),
                (nr, height * 0.82), (nr, height * 0.93), (0.0, height * 0.93)]  # fmt: skip
    if style == "square":
        p = Parts().add(
            "body",
            block((-radius * 0.9, -radius * 0.9, 0.0), (radius * 0.9, radius * 0.9, height * s)),
        )
        p.add(
            "body",
            revolve(
                [
                    (0.0, height * s - 0.001),
                    (radius * 0.9, height * s),
                    (nr, height * 0.82),
                    (nr, height * 0.93),
                    (0.0, height * 0.93),
                ],
                24,
            ),
        )
        p.add("cap", cylinder(nr * 1.1, height * 0.93 - 0.002, height, sections=20))
        return p.scene()
    p = Parts().add("body", revolve(prof, 32))
    p.add("cap", cylinder(nr * 1.15, height * 0.93 - 0.002, height, sections=20))
    if label and style not in ("flask", "jug"):
        p.add(
            "label",
            cylinder(radius + 0.001, height * 0.15, height * 0.15 + height * s * 0.5, sections=32),
        )
    return p.scene()


def _vase_shape(rng) -> dict:
    return {
        "style": pick(rng, ("bulb", "cylinder", "amphora", "flared", "gourd", "cone")),
        "belly": u(rng, 0.2, 0.6),
        "neck": u(rng, 0.3, 0.7),
        "lip": u(rng, 1.0, 1.4),
    }


@shaped(_vase_shape)
def vase(radius=0.07, height=0.28, style="bulb", belly=0.4, neck=0.55, lip=1.1) -> trimesh.Scene:
    """A vase whose profile comes from a family (bulb, cylinder, amphora, flared, gourd, cone)."""
    z = np.linspace(0.0, 1.0, 14)
    if style == "cylinder":
        r = radius * np.full_like(z, 0.9)
    elif style == "flared":
        r = radius * (neck * 0.8 + (1 - neck * 0.8) * z**2)
    elif style == "cone":
        r = radius * (0.4 + 0.6 * z)
    elif style == "gourd":
        r = radius * (0.6 + 0.4 * np.abs(np.sin(np.pi * z * 1.7 + 0.3)))
    elif style == "amphora":
        r = radius * (neck + (1 - neck) * np.exp(-((z - belly) ** 2) / 0.05))
    else:
        r = (
            radius
            * (0.55 + 0.45 * np.sin(np.pi * (0.15 + 0.85 * z)) ** 1.5)
            * (1 - (1 - neck) * z**3)
        )
    r[-1] = r[-2] * lip  # the lip
    outer = list(zip(r, z * height, strict=True))
    inner = [(max(rr - 0.004, 0.001), zz) for rr, zz in outer[::-1] if zz > height * 0.35]
    prof = [(0.0, 0.0), *outer, *inner, (0.0, height * 0.35)]
    return Parts().add("body", revolve(prof, 40)).scene()


def _bowl_shape(rng) -> dict:
    return {
        "style": pick(rng, ("round", "shallow", "deep", "footed", "conical", "square")),
        "base": u(rng, 0.3, 0.6),
    }


@shaped(_bowl_shape)
def bowl(radius=0.09, height=0.07, style="round", base=0.45) -> trimesh.Scene:
    """Round, shallow, deep, footed, conical and squared bowls."""
    a = np.linspace(0.0, math.pi / 2, 10)
    power = {
        "round": 1.0,
        "shallow": 0.5,
        "deep": 1.6,
        "footed": 1.0,
        "conical": 1.0,
        "square": 1.0,
    }[style]
    if style == "conical":
        outer = [
            (base * radius + (1 - base) * radius * t / (math.pi / 2), height * t / (math.pi / 2))
            for t in a
        ]
    else:
        outer = [
            (
                base * radius + (1 - base) * radius * math.sin(t) ** (1 / power),
                height * (1 - math.cos(t)),
            )
            for t in a
        ]
    if style == "footed":
        outer = [(base * radius * 0.6, 0.0), (base * radius * 0.5, height * 0.15)] + [
            (r, height * 0.15 + z * 0.85) for r, z in outer[1:]
        ]
    inner = [(max(rr - 0.004, 0.0), max(zz, 0.006)) for rr, zz in outer[::-1]]
    prof = [(0.0, 0.0), (radius * 0.35, 0.0), *outer, *inner, (0.0, 0.006)]
    p = Parts().add("body", revolve(prof, 4 if style == "square" else 40))
    return p.scene()


def _teapot_shape(rng) -> dict:
    return {
        "style": pick(rng, ("round", "tall", "squat", "cylinder", "kettle")),
        "spout": u(rng, 0.4, 0.8),
        "lid": u(rng, 0.3, 0.6),
        "body_h": u(rng, 0.65, 0.85),
    }


@shaped(_teapot_shape)
def teapot(
    radius=0.085, height=0.16, style="round", spout=0.7, lid=0.45, body_h=0.78
) -> trimesh.Scene:
    a = np.linspace(0.0, math.pi, 14)
    squash = {"round": 1.0, "tall": 1.25, "squat": 0.75, "cylinder": 1.0, "kettle": 1.1}[style]
    if style == "cylinder":
        body = [(radius * 0.85, height * body_h * t / math.pi) for t in a]
    else:
        body = [
            (radius * math.sin(t) ** (1 / squash), height * body_h * (1 - math.cos(t)) / 2)
            for t in a
        ]
    body[0], body[-1] = (0.0, 0.0), (0.0, height * 0.78)
    body.insert(1, (radius * 0.6, 0.0))
    p = Parts().add("body", revolve(body, 36))
    p.add(
        "body",
        revolve(
            [
                (0.0, height * (body_h - 0.04)),
                (radius * lid, height * (body_h - 0.04)),
                (radius * lid * 0.85, height * (body_h + 0.06)),
                (0.0, height * (body_h + 0.08)),
            ],
            24,
        ),
    )
    p.add("body", sphere(0.012, (0, 0, height * (body_h + 0.08) + 0.008), 1))
    p.add(
        "body",
        tube((radius * 0.85, 0, height * 0.3), (radius + 0.06, 0, height * spout), 0.011, 12),
    )
    if style == "kettle":  # a bail handle over the top instead of a side handle
        p.add(
            "body",
            keep_above(
                torus(radius * 0.6, 0.007, (0, 0, height * body_h), (1, 0, 0), 20), height * body_h
            ),
        )
    handle = torus(0.042, 0.008, (-radius - 0.008, 0, height * 0.42), (0, 1, 0), 20)
    keep = handle.vertices[:, 0] <= -radius + 0.01
    handle.update_faces(keep[handle.faces].all(axis=1))
    handle.remove_unreferenced_vertices()
    p.add("body", handle)
    return p.scene()


def _can_shape(rng) -> dict:
    return {
        "style": pick(rng, ("standard", "slim", "squat", "tall", "tin", "ridged")),
        "neck": u(rng, 0.75, 0.88),
    }


@shaped(_can_shape)
def soda_can(radius=0.033, height=0.122, style="standard", neck=0.82) -> trimesh.Scene:
    n = neck if style != "tin" else 0.97
    prof = [(0.0, 0.0), (radius * 0.8, 0.0), (radius, 0.01), (radius, height - 0.012), (radius * n, height - 0.002),
            (radius * n, height), (radius * 0.75, height), (radius * 0.75, height - 0.004), (0.0, height - 0.004)]  # fmt: skip
    p = Parts().add("body", revolve(prof, 32))
    if style == "ridged":
        for z in (0.3, 0.5, 0.7):
            p.add("body", torus(radius, 0.0015, (0, 0, height * z), sections=32))
    p.add("lid", cylinder(radius * 0.76, height - 0.005, height - 0.003, sections=32))
    return p.scene()


def _fruit_shape(rng) -> dict:
    return {
        "style": pick(rng, ("round", "tall", "flat", "lopsided")),
        "stem": u(rng, -0.4, 0.4),
        "bulge": u(rng, 0.0, 0.2),
        "leaf": pick(rng, (0, 1)),
    }


@shaped(_fruit_shape)
def apple(radius=0.04, style="round", stem=0.1, bulge=0.1, leaf=1) -> trimesh.Scene:
    a = np.linspace(0.0, math.pi, 16)
    tall = {"round": 1.0, "tall": 1.15, "flat": 0.85, "lopsided": 1.0}[style]
    prof = [(radius * math.sin(t) * (1.0 + bulge * math.sin(t)),
             tall * radius * (1 - math.cos(t)) * 0.95 + (0.006 * math.sin(t * 2) if t > math.pi / 2 else 0)) for t in a]  # fmt: skip
    prof[0], prof[-1] = (0.0, 0.004), (0.0, tall * 2 * radius * 0.95 - 0.01)  # dimples at the poles
    body = revolve(prof, 32)
    if style == "lopsided":
        body.vertices[:, 0] *= 1.0 + 0.08 * body.vertices[:, 2] / (2 * radius)
    p = Parts().add("body", body)
    top = tall * 2 * radius * 0.95
    p.add("stem", tube((0, 0, top - 0.012), (0.01 * stem, 0.005 * stem, top + 0.012), 0.0025, 8))
    if leaf:
        p.add("leaf", ellipsoid((0.012, 0.005, 0.002), (0.012, 0, top + 0.006), 1))
    return p.scene()


@shaped(_fruit_shape)
def orange(radius=0.04, style="round", stem=0.0, bulge=0.1, leaf=0) -> trimesh.Scene:
    tall = {"round": 0.93, "tall": 1.05, "flat": 0.82, "lopsided": 0.95}[style]
    p = Parts().add(
        "body",
        ellipsoid((radius * (1 + bulge * 0.2), radius, radius * tall), (0, 0, radius * tall), 3),
    )
    p.add("stem", cylinder(0.004, radius * 2 * tall - 0.002, radius * 2 * tall + 0.003, sections=8))
    if leaf:
        p.add("stem", ellipsoid((0.014, 0.006, 0.002), (0.012, 0, radius * 2 * tall + 0.003), 1))
    return p.scene()
