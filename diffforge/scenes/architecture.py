"""Scene elements, the vocabulary environments build their architecture from: boxes and planes
with a colour and a material class, the shared dimensions (walls, sidewalks, kerbs), and what a
camera cannot see through.

The environments (diffforge.scenes.environments) emit them; visibility prediction casts its rays
against ``occluders``; the renderer builds generic boxes and planes from them.
"""

from __future__ import annotations

from diffforge.scenes.model import Element
from diffforge.vocabulary import COLORS

WALL_THICKNESS = 0.15  # a closed room's walls, outside its usable extent
STREET_LENGTH = 150.0  # road, sidewalks and kerbs run this far along X
KERB_HEIGHT = 0.14
SIDEWALK_HEIGHT = 0.12

Box = tuple[tuple[float, float, float], tuple[float, float, float]]


def box(name: str, lo, hi, rgb, material: str | None, **flags) -> Element:
    """An axis-aligned box element from corner ``lo`` to corner ``hi``."""
    centre = tuple((a + b) / 2 for a, b in zip(lo, hi, strict=True))
    size = tuple(b - a for a, b in zip(lo, hi, strict=True))
    return Element(name=name, location=centre, size=size, rgb=rgb, material=material, **flags)


def plane(name: str, size, location, rotation, rgb, material: str | None, **flags) -> Element:
    return Element(
        name=name,
        shape="plane",
        location=location,
        size=(size[0], size[1], 0.0),
        rotation=rotation,
        rgb=rgb,
        material=material,
        **flags,
    )


def colour(name: str | None, default: float) -> tuple[float, float, float]:
    return COLORS.get(name, (default,) * 3)


def wall_box(axis: str, u: tuple, across: tuple, z: tuple) -> Box:
    """Corners of a box ``u`` along a wall running along ``axis``, ``across`` it, ``z`` high."""
    if axis == "x":
        return (u[0], across[0], z[0]), (u[1], across[1], z[1])
    return (across[0], u[0], z[0]), (across[1], u[1], z[1])


# What can stand between the camera and an object: solid walls, doors and kerbs (floors,
# roads, markings and sidewalks lie under things; buildings stand behind the street's own).
OCCLUDERS = ("wall_back", "wall_front", "wall_left", "wall_right", "door", "kerb")


def occluders(elements) -> list[Element]:
    """The boxes a camera cannot see through: what visibility prediction casts its rays
    against besides the objects."""
    return [e for e in elements if e.name in OCCLUDERS and e.camera_visible and e.shape == "box"]
