"""Built architecture: a ground plane, an open room's walls, a closed room with its openings
and fixtures, a street with kerbs and buildings. Everything here has pass index 0.

Self-contained on purpose: one entry point (``build``) takes the Scene; the environments will
later emit these parts into the scene graph as generic elements.
"""

from __future__ import annotations

import itertools
import math
from typing import TYPE_CHECKING, Any

import bpy

from diffforge.render.color import light_color
from diffforge.scenes.model import Scene
from diffforge.vocabulary import COLORS

if TYPE_CHECKING:
    from diffforge.render.blender.backend import SceneBuilder


def build(b: SceneBuilder, scene: Scene) -> None:
    """The architecture of a built layout (room, closed room, street, tabletop ground)."""
    env = scene.environment
    w, d, h = env.extent
    floor = b.materials.material(COLORS.get(env.floor_color, (0.5,) * 3), env.floor_material)
    if env.layout == "room" and env.ceiling:
        closed_room(b, scene)
        return
    if env.layout == "room":
        # the floor runs past the walls: a camera outside the room sees floor, not void
        plane(b, "floor", (w + 30.0, d + 30.0), (0, 0, 0), (0, 0, 0), floor)
        wall = b.materials.material(COLORS.get(env.wall_color, (0.9,) * 3), "fabric")
        cam = scene.camera.location
        half = math.pi / 2
        walls = [  # name, size, location, rotation, camera inside this wall
            ("wall_back", (w, h), (0, d / 2, h / 2), (half, 0, 0), cam[1] < d / 2),
            ("wall_front", (w, h), (0, -d / 2, h / 2), (half, 0, 0), cam[1] > -d / 2),
            ("wall_left", (d, h), (-w / 2, 0, h / 2), (half, 0, half), cam[0] > -w / 2),
            ("wall_right", (d, h), (w / 2, 0, h / 2), (half, 0, half), cam[0] < w / 2),
        ]
        for name, size, loc, rot, inside in walls:
            ob = plane(b, name, size, loc, rot, wall)
            ob.visible_camera = inside  # still bounces light and casts shadows
        return
    if env.layout == "street" and env.road_width > 0:
        street(b, scene)
        return
    big = 4.0 * max(w, d, 10.0)  # tabletop: a ground plane to the horizon
    plane(b, "ground", (big, big), (0, 0, 0), (0, 0, 0), floor)


def plane(b: SceneBuilder, name: str, size: tuple[float, float], loc, rot, mat) -> Any:
    import bmesh

    me = bpy.data.meshes.new(name)
    bm = bmesh.new()
    w, d = size[0] / 2, size[1] / 2
    verts = [bm.verts.new(v) for v in ((-w, -d, 0), (w, -d, 0), (w, d, 0), (-w, d, 0))]
    bm.faces.new(verts)
    bm.to_mesh(me)
    bm.free()
    me.materials.append(mat)
    ob = bpy.data.objects.new(name, me)
    ob.location, ob.rotation_euler = loc, rot
    b.coll.objects.link(ob)
    return ob


def box(b: SceneBuilder, name: str, lo, hi, mat) -> Any:
    """An axis-aligned closed box from corner ``lo`` to corner ``hi`` (environment, index 0)."""
    import bmesh

    me = bpy.data.meshes.new(name)
    bm = bmesh.new()
    bmesh.ops.create_cube(bm, size=1.0)
    bm.to_mesh(me)
    bm.free()
    me.materials.append(mat)
    ob = bpy.data.objects.new(name, me)
    ob.location = tuple((p + q) / 2 for p, q in zip(lo, hi, strict=True))
    ob.scale = tuple(max(q - p, 1e-4) for p, q in zip(lo, hi, strict=True))
    b.coll.objects.link(ob)
    return ob


def street(b: SceneBuilder, scene: Scene) -> None:
    """Road with lane markings and a zebra crossing, raised sidewalks with kerbs, a ground
    plane beyond, and plain buildings closing the view past the street's own facades."""
    env = scene.environment
    w = env.extent[0]
    r, s = env.road_width / 2, env.sidewalk_width
    long = 150.0
    asphalt = b.materials.material((0.33, 0.33, 0.34), "asphalt")
    box(b, "road", (-long, -r, -0.06), (long, r, 0.0), asphalt)
    white = b.materials.material((0.92, 0.92, 0.9), "paint")
    x = -long
    while x < long:  # the centre line: 3 m dashes, 3 m gaps
        box(b, "marking", (x, -0.06, 0.0), (x + 3.0, 0.06, 0.004), white)
        x += 6.0
    for y in (-r + 0.35, r - 0.35):  # edge lines
        box(b, "marking", (-long, y - 0.05, 0.0), (long, y + 0.05, 0.004), white)
    cx = w * 0.18  # a zebra crossing a little right of the centre
    y = -r + 0.5
    while y < r - 0.5:
        box(b, "crossing", (cx - 1.5, y, 0.0), (cx + 1.5, y + 0.5, 0.004), white)
        y += 1.0
    paving = b.materials.material(COLORS.get(env.wall_color, (0.7,) * 3), "tiles")
    stone = b.materials.material((0.62, 0.62, 0.6), "concrete")
    for sign in (1.0, -1.0):
        near, far = sorted((sign * r, sign * (r + s)))
        box(b, "sidewalk", (-long, near, -0.06), (long, far, 0.12), paving)
        k = sign * r
        lo, hi = sorted((k, k + sign * 0.15))
        box(b, "kerb", (-long, lo, -0.06), (long, hi, 0.14), stone)
    ground = b.materials.material((0.45, 0.46, 0.42), "concrete")
    plane(b, "ground", (2 * long, 2 * long), (0, 0, -0.07), (0, 0, 0), ground)
    # buildings past the street's own facades (and behind the camera), window grids
    face = r + s
    span = w / 2 + 2.0
    colours = ((0.72, 0.62, 0.52), (0.6, 0.6, 0.62), (0.78, 0.74, 0.66), (0.55, 0.42, 0.36))
    i = 0
    for y0, y1 in ((face, face + 12.0), (-face - 16.0, -face - 4.0)):
        x = -long / 2
        while x < long / 2:
            width = 9.0 + 3.0 * (i % 3)
            height = 9.0 + 4.0 * ((i * 7) % 4)
            behind = y0 > 0 and -span < x + width and x < span
            if not behind:
                mat = b.materials.material(colours[i % len(colours)], "facade")
                lo = (x, y0 + (0.3 if y0 > 0 else 0.0), 0.0)
                ob = box(b, "building", lo, (x + width, y1, height), mat)
                ob.visible_shadow = y0 > 0  # those behind the camera never shade the street
            x += width + 0.01
            i += 1


def closed_room(b: SceneBuilder, scene: Scene) -> None:
    """Floor, ceiling and solid walls with window and door openings, window frames, a door,
    baseboards and lamp fixtures; outside, a ground plane under the sky."""
    env = scene.environment
    w, d, h = env.extent
    t = 0.15  # wall thickness, outside the usable extent
    paint = b.materials.material(COLORS.get(env.wall_color, (0.9,) * 3), env.wall_material)
    trim = b.materials.material(COLORS.get(env.trim_color, (0.9,) * 3), "plastic")
    floor = b.materials.material(COLORS.get(env.floor_color, (0.5,) * 3), env.floor_material)
    box(b, "floor", (-w / 2 - t, -d / 2 - t, -0.1), (w / 2 + t, d / 2 + t, 0.0), floor)
    ceiling = b.materials.material(COLORS["white"], "paint")
    box(b, "ceiling", (-w / 2 - t, -d / 2 - t, h), (w / 2 + t, d / 2 + t, h + 0.12), ceiling)
    outside = b.materials.material((0.42, 0.47, 0.36), "concrete")
    plane(b, "outside", (400.0, 400.0), (0, 0, -0.12), (0, 0, 0), outside)
    # each wall: (name, axis along it, half length, fixed coordinate range across it)
    walls = {
        "back": ("x", w / 2 + t, (d / 2, d / 2 + t)),
        "front": ("x", w / 2 + t, (-d / 2 - t, -d / 2)),
        "left": ("y", d / 2, (-w / 2 - t, -w / 2)),
        "right": ("y", d / 2, (w / 2, w / 2 + t)),
    }
    for wall, (axis, half, across) in walls.items():
        holes = [o for o in env.openings if o.wall == wall]
        cuts = sorted(
            {
                -half,
                half,
                *(c for o in holes for c in (o.center - o.width / 2, o.center + o.width / 2)),
            }
        )
        for u0, u1 in itertools.pairwise(cuts):
            mid = (u0 + u1) / 2
            over = sorted(
                (o.bottom, o.bottom + o.height) for o in holes if abs(mid - o.center) < o.width / 2
            )
            z = 0.0
            spans = []
            for z0, z1 in over:
                spans.append((z, z0))
                z = z1
            spans.append((z, h))
            for z0, z1 in spans:
                if z1 - z0 < 1e-3:
                    continue
                lo, hi = _wall_box(axis, (u0, u1), across, (z0, z1))
                box(b, f"wall_{wall}", lo, hi, paint)
        inner = across[0] if across[0] in (d / 2, w / 2) else across[1]
        sign = 1.0 if inner > 0 else -1.0
        # baseboard along the inner face, broken at doors
        doors = sorted(
            (o.center - o.width / 2, o.center + o.width / 2) for o in holes if o.kind == "door"
        )
        u = -half + (t if axis == "x" else 0.0)
        end = half - (t if axis == "x" else 0.0)
        for door_start, door_end in [*doors, (end, end)]:
            if door_start - u > 0.02:
                lo, hi = _wall_box(
                    axis, (u, door_start), (inner - sign * 0.018, inner), (0.0, 0.09)
                )
                box(b, "baseboard", lo, hi, trim)
            u = door_end
        for o in holes:
            opening_trim(b, o, axis, across, trim)
    fixtures(b, scene)


def _wall_box(axis: str, u: tuple, across: tuple, z: tuple) -> tuple:
    if axis == "x":
        return (u[0], across[0], z[0]), (u[1], across[1], z[1])
    return (across[0], u[0], z[0]), (across[1], u[1], z[1])


def opening_trim(b: SceneBuilder, o, axis: str, across: tuple, trim) -> None:
    """A window frame with a mullion and a sill, or a closed wooden door with a handle."""
    u0, u1 = o.center - o.width / 2, o.center + o.width / 2
    z0, z1 = o.bottom, o.bottom + o.height
    a0, a1 = across
    f = 0.05
    if o.kind == "window":
        parts = [((u0, u0 + f), (z0, z1)), ((u1 - f, u1), (z0, z1)), ((u0, u1), (z0, z0 + f)),
                 ((u0, u1), (z1 - f, z1)), ((o.center - f / 2, o.center + f / 2), (z0, z1)),
                 ((u0, u1), ((z0 + z1) / 2 - f / 3, (z0 + z1) / 2 + f / 3))]  # fmt: skip
        for (pu0, pu1), (pz0, pz1) in parts:
            lo, hi = _wall_box(axis, (pu0, pu1), (a0 + 0.04, a1 - 0.04), (pz0, pz1))
            box(b, "window_frame", lo, hi, trim)
        inner = a1 if abs(a1) < abs(a0) else a0
        sign = 1.0 if inner > 0 else -1.0
        lo, hi = _wall_box(
            axis,
            (u0 - 0.06, u1 + 0.06),
            (inner - sign * 0.07, inner + sign * 0.02),
            (z0 - 0.04, z0),
        )
        box(b, "window_sill", lo, hi, trim)
        return
    door = b.materials.material(COLORS["brown"], "wood")
    mid = (a0 + a1) / 2
    lo, hi = _wall_box(axis, (u0, u1), (mid - 0.025, mid + 0.025), (z0, z1 - 0.005))
    box(b, "door", lo, hi, door)
    inner = a1 if abs(a1) < abs(a0) else a0
    sign = 1.0 if inner > 0 else -1.0
    lo, hi = _wall_box(axis, (u1 - 0.14, u1 - 0.06), (mid - sign * 0.08, mid), (0.98, 1.02))
    box(b, "door_handle", lo, hi, b.materials.material(COLORS["gray"], "metal_polished"))
    for pu0, pu1, pz0, pz1 in (
        (u0 - f, u0, 0, z1 + f),
        (u1, u1 + f, 0, z1 + f),
        (u0, u1, z1, z1 + f),
    ):
        lo, hi = _wall_box(axis, (pu0, pu1), (inner - sign * 0.015, inner), (pz0, pz1))
        box(b, "door_frame", lo, hi, trim)


def fixtures(b: SceneBuilder, scene: Scene) -> None:
    """Lamp bodies for ceiling and wall lamps: they glow while their light is on."""
    w, _, h = scene.environment.extent
    metal = b.materials.material(COLORS["white"], "metal")
    for light in scene.lights:
        glow = b.materials.emitter(light_color(light), 6.0 if light.on else 0.0)
        x, y, z = light.location
        if light.name == "ceiling lamp":
            r = light.size / 2 + 0.05
            box(b, "ceiling_lamp", (x - r, y - r, h - 0.045), (x + r, y + r, h), glow)
            box(
                b,
                "ceiling_lamp_rim",
                (x - r - 0.02, y - r - 0.02, h - 0.03),
                (x + r + 0.02, y + r + 0.02, h),
                metal,
            )
        elif light.name == "wall lamp":
            s = 1.0 if x > 0 else -1.0
            wall_x = s * w / 2
            box(
                b,
                "wall_lamp",
                (min(wall_x, wall_x - s * 0.09), y - 0.07, z - 0.14),
                (max(wall_x, wall_x - s * 0.09), y + 0.07, z - 0.04),
                glow,
            )
            box(
                b,
                "wall_lamp_back",
                (min(wall_x, wall_x - s * 0.02), y - 0.06, z - 0.3),
                (max(wall_x, wall_x - s * 0.02), y + 0.06, z - 0.12),
                metal,
            )
