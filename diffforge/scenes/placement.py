"""Collision-free placement of objects on support surfaces, from footprints.

A scene's surfaces are derived from the scene itself (floor or ground, walls, and the tops of
objects that hold things), so operators that add or move objects in an after-scene rebuild the
same occupancy the sampler saw. Boxes are axis-aligned around each turned footprint: a little
conservative, and cheap enough for hundreds of pair specs a second.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from diffforge.scenes.geometry import footprint_half_extents
from diffforge.scenes.model import ObjectInstance, Scene

GAP = 0.04  # metres kept free between neighbours

# Kinds of support an asset placement can use.
FLOOR_KINDS = {"floor", "ground"}


@dataclass
class Surface:
    """A rectangle objects can stand on (horizontal) or hang on (wall, facing -Y)."""

    id: str  # "floor", "ground", "wall", or the id of the holding object
    kind: str  # floor / ground / wall / surface
    center: tuple[float, float]  # (x, y) for horizontal, (x, z) for walls
    half: tuple[float, float]
    height: float  # z of a horizontal surface, y of a wall plane
    boxes: list[tuple[float, float, float, float, str]] = field(default_factory=list)

    def fits(self, cx: float, cy: float, hx: float, hy: float, ignore: str | None = None) -> bool:
        if abs(cx - self.center[0]) + hx > self.half[0] + 1e-9:
            return False
        if abs(cy - self.center[1]) + hy > self.half[1] + 1e-9:
            return False
        for bx, by, bhx, bhy, owner in self.boxes:
            if owner == ignore:
                continue
            if abs(cx - bx) < hx + bhx + GAP and abs(cy - by) < hy + bhy + GAP:
                return False
        return True

    def occupy(self, cx: float, cy: float, hx: float, hy: float, owner: str) -> None:
        self.boxes.append((cx, cy, hx, hy, owner))

    def release(self, owner: str) -> None:
        self.boxes = [b for b in self.boxes if b[4] != owner]


def extents_on(obj: ObjectInstance, surface: Surface) -> tuple[float, float, float, float]:
    """(cx, cy, hx, hy) an object covers on the surface it stands on or hangs from."""
    x, y, z = obj.transform.location
    dx, dy, dz = obj.dimensions
    if surface.kind == "wall":
        return (x, z + dz / 2, dx / 2, dz / 2)
    hx, hy = footprint_half_extents(dx, dy, obj.transform.rotation[2])
    return (x, y, hx, hy)


class Placer:
    """The free space of one scene, kept in step as objects are placed, moved or removed."""

    def __init__(self, surfaces: list[Surface]):
        self.surfaces = {s.id: s for s in surfaces}

    @classmethod
    def from_scene(cls, scene: Scene, holders: dict[str, float], walls: list[Surface]) -> Placer:
        """Rebuild surfaces and occupancy; ``holders`` maps holder ids to their top height."""
        env = scene.environment
        floor_kind = "ground" if env.layout == "street" else "floor"
        w, d, _ = env.extent
        surfaces = [Surface(floor_kind, floor_kind, (0.0, 0.0), (w / 2, d / 2), 0.0)]
        surfaces += [Surface(s.id, s.kind, s.center, s.half, s.height) for s in walls]
        rested_on = {o.support for o in scene.objects}
        for obj in scene.objects:
            if obj.id in holders:
                surfaces.append(holder_surface(obj, holders[obj.id]))
            elif obj.id in rested_on:  # a seat someone sits on: its sitter depends on it
                surfaces.append(seat_surface(obj))
        placer = cls(surfaces)
        for obj in scene.objects:
            placer.add(obj)
        return placer

    def add(self, obj: ObjectInstance) -> None:
        surface = self.surfaces.get(obj.support)
        if surface is not None:
            surface.occupy(*extents_on(obj, surface), owner=obj.id)

    def remove(self, obj_id: str) -> None:
        for surface in self.surfaces.values():
            surface.release(obj_id)
        self.surfaces.pop(obj_id, None)

    def dependents(self, obj_id: str) -> list[str]:
        """Ids of the objects standing on ``obj_id``."""
        surface = self.surfaces.get(obj_id)
        return [b[4] for b in surface.boxes] if surface else []

    def candidates(self, kinds: set[str]) -> list[Surface]:
        return [s for s in self.surfaces.values() if s.kind in kinds]

    def find_spot(
        self,
        rng: np.random.Generator,
        surface: Surface,
        dims: tuple[float, float, float],
        yaw: float,
        attempts: int = 30,
        ignore: str | None = None,
        near: tuple[float, float] | None = None,
        min_distance: float = 0.0,
    ) -> tuple[float, float, float] | None:
        """A free location (x, y, z) for a dx×dy×dz object on ``surface``, or None."""
        dx, dy, dz = dims
        if surface.kind == "wall":
            hx, hy = dx / 2, dz / 2
        else:
            hx, hy = footprint_half_extents(dx, dy, yaw)
        (ox, oy), (sx, sy) = surface.center, surface.half
        free_x, free_y = sx - hx, sy - hy
        if free_x < 0 or free_y < 0:
            return None
        # ``Surface.fits`` inlined (the placement loop is a tenth of composing a scene): a
        # spot drawn inside the free rectangle may still round past its edge, as there
        lim_x, lim_y = sx + 1e-9, sy + 1e-9
        boxes = [(bx, by, hx + bhx + GAP, hy + bhy + GAP)
                 for bx, by, bhx, bhy, owner in surface.boxes if owner != ignore]  # fmt: skip
        uniform = rng.uniform
        for _ in range(attempts):
            cx = ox + uniform(-free_x, free_x)
            cy = oy + uniform(-free_y, free_y)
            if near is not None and math.dist((cx, cy), near) < min_distance:
                continue
            if abs(cx - ox) + hx > lim_x or abs(cy - oy) + hy > lim_y:
                continue
            for bx, by, gx, gy in boxes:
                if abs(cx - bx) < gx and abs(cy - by) < gy:
                    break
            else:
                if surface.kind == "wall":
                    return (cx, surface.height - dy / 2, cy - dz / 2)
                return (cx, cy, surface.height)
        return None


def holder_surface(obj: ObjectInstance, top_height: float) -> Surface:
    """The top of a holding object (table, shelf, cabinet) as a surface, inset from its edges."""
    x, y, z = obj.transform.location
    hx, hy = footprint_half_extents(obj.dimensions[0], obj.dimensions[1], obj.transform.rotation[2])
    inset = 0.85
    return Surface(obj.id, "surface", (x, y), (hx * inset, hy * inset), z + top_height)


def seat_surface(seat: ObjectInstance) -> Surface:
    """A seat someone sits on as a support: nothing is placed there (kind "seat"), but its
    sitter depends on it, so it is not free to move, go, turn or change size."""
    x, y, z = seat.transform.location
    hx, hy = footprint_half_extents(
        seat.dimensions[0], seat.dimensions[1], seat.transform.rotation[2]
    )
    return Surface(seat.id, "seat", (x, y), (hx, hy), z + seat.dimensions[2] / 2)
