"""Inside Blender: read a user's .blend into the facts the sampler needs (run as a subprocess).

``python -m diffforge.render.blender_scan FILE.blend OUT.json``. The sampler never imports bpy,
so everything it needs about an environment is measured here, once. This module is the bpy
side: world-space triangles, the file's objects (a mesh, a parent hierarchy or a compact
collection as one: name, world box, named colour, a noun from the name), its lamps and
cameras (looking where they look, to the first surface hit), and ray casts for occlusion. What
is measured on them (support surfaces, free rectangles, the scene's scale, what may change,
synthesised views) is plain numpy in ``render/scan_analysis.py``.

Tags stay as overrides: a mesh tagged ``diffforge_surface = "floor"`` means the user chose the
supports (only tagged meshes then hold things); ``"surface"`` alone marks a support kept even
where it is out of reach; ``diffforge_camera`` = distance to the look-at point;
``diffforge_noun`` and ``diffforge_changeable`` on an object (or its root) fix those fields.
Everything written is in metres; the renderer scales the environment by ``scale`` when it loads it.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from diffforge.render import scan_analysis as sa
from diffforge.render.scan_analysis import NoSurface
from diffforge.scenes.assets.symmetry import ANY_ANGLE, rotational_symmetry


def _parts(bpy, scene, viewers: np.ndarray) -> tuple[list[dict[str, Any]], set[str]]:
    """What renders, as the evaluated scene has it (modifiers applied, collection instances
    expanded, negative scales and unapplied transforms in the world matrices): per geometry its
    owner (an instanced collection's parts belong to the empty instancing it), world vertices,
    triangles wound to face the viewers (``scan_analysis.orient`` on Blender's recalculated
    normals, in the scan's copy), and its face area per named colour; and the names of every
    object that renders (lamps, cameras and empties included)."""
    import bmesh
    from mathutils import Matrix

    from diffforge.scenes.file_objects import nearest_color, srgb

    dg = bpy.context.evaluated_depsgraph_get()
    tmp = bpy.data.meshes.new("diffforge_scan")
    parts, visible = [], set()
    # an instance is valid only during the iteration: everything is read inside the loop
    for inst in dg.object_instances:
        ob = inst.object
        owner = (inst.parent if inst.is_instance else ob).original
        if owner.hide_render:
            continue
        visible.add(owner.name)
        if ob.type not in GEOMETRY:
            continue
        try:
            mesh = ob.to_mesh()
        except RuntimeError:
            continue
        bm = bmesh.new()
        bm.from_mesh(mesh)
        ob.to_mesh_clear()
        bm.transform(Matrix(inst.matrix_world))
        bmesh.ops.triangulate(bm, faces=bm.faces[:])
        bmesh.ops.recalc_face_normals(bm, faces=bm.faces[:])
        bm.to_mesh(tmp)
        bm.free()
        n_v, n_t = len(tmp.vertices), len(tmp.polygons)
        if not n_t:
            continue
        co = np.empty(n_v * 3)
        tmp.vertices.foreach_get("co", co)
        idx = np.empty(n_t * 3, np.int64)
        tmp.polygons.foreach_get("vertices", idx)
        area, mat = np.empty(n_t), np.empty(n_t, np.int64)
        tmp.polygons.foreach_get("area", area)
        tmp.polygons.foreach_get("material_index", mat)
        slots = [s.material for s in ob.material_slots]
        mat[mat >= len(slots)] = -1  # no material in that slot: Cycles' default surface
        areas: Counter = Counter()
        for k, m in [(-1, None), *enumerate(slots)]:
            rgb = _material_rgb(m)
            areas[None if rgb is None else nearest_color(srgb(rgb))] += float(area[mat == k].sum())
        co = co.reshape(-1, 3)
        idx, _ = sa.orient(co, idx.reshape(-1, 3), viewers)
        parts.append({"owner": owner.name, "co": co, "tris": co[idx], "areas": areas})
    bpy.data.meshes.remove(tmp)
    return parts, visible


def _up_hints(scene) -> list[tuple[float, ...]]:
    """Which way the file thinks is up: its cameras' up, the backs of its aimed lamps."""
    out = []
    for o in scene.objects:
        if o.type == "CAMERA" or (o.type == "LIGHT" and o.data.type in {"SUN", "SPOT", "AREA"}):
            axis = 1 if o.type == "CAMERA" else 2
            v = o.matrix_world.to_3x3().col[axis].normalized()
            out.append(tuple(v))
    return out


def _viewers(scene) -> np.ndarray:
    """Where the scene is seen and lit from (``scan_analysis.viewpoints``)."""
    from mathutils import Vector

    cams = [o.matrix_world.translation[:] for o in scene.objects if o.type == "CAMERA"]
    lamps = [o.matrix_world.translation[:] for o in scene.objects
             if o.type == "LIGHT" and not o.hide_render]  # fmt: skip
    bounds = [o.matrix_world @ Vector(c) for o in scene.objects if o.type in GEOMETRY
              for c in o.bound_box] or [Vector((0, 0, 0))]  # fmt: skip
    return sa.viewpoints(np.array(cams, float), np.array(lamps, float),
                         np.min(bounds, axis=0), np.max(bounds, axis=0))  # fmt: skip


def turn_y_up(objects) -> None:
    """Turn a Y-up file's root objects +90° about X, so its up is Blender's Z (the scan and
    the renderer do the same, so the sidecar's numbers hold in the render)."""
    import math

    from mathutils import Matrix

    names = {o.name for o in objects}
    turn = Matrix.Rotation(math.pi / 2, 4, "X")
    for o in objects:
        if o.parent is None or o.parent.name not in names:
            o.matrix_world = turn @ o.matrix_world


def _world_triangles(parts: list[dict[str, Any]]) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """All triangles in world space: (T×3×3 vertices, T owner index, owner names)."""
    names = list(dict.fromkeys(p["owner"] for p in parts))
    index = {n: i for i, n in enumerate(names)}
    if not parts:
        return np.zeros((0, 3, 3)), np.zeros(0, np.int64), names
    tris = np.concatenate([p["tris"] for p in parts])
    owner = np.concatenate([np.full(len(p["tris"]), index[p["owner"]]) for p in parts])
    return tris, owner, names


def missing_images(bpy) -> list[str]:
    """Image files the file's materials name but nobody can read (Cycles renders them pink)."""
    import os

    out = []
    for img in bpy.data.images:
        if img.source not in {"FILE", "SEQUENCE", "TILED"} or img.packed_file is not None:
            continue
        path = bpy.path.abspath(img.filepath, library=img.library)
        if not os.path.exists(path) and img.users:
            out.append(bpy.path.basename(img.filepath) or img.name)
    return sorted(out)


def main(argv: list[str]) -> None:
    import bpy
    from mathutils import Vector

    path, out = argv[0], argv[1]
    bpy.ops.wm.open_mainfile(filepath=path)
    scene = bpy.context.scene
    unit = float(scene.unit_settings.scale_length or 1.0)
    parts, visible = _parts(bpy, scene, _viewers(scene))
    up = sa.up_axis(np.array(_up_hints(scene), float), _world_triangles(parts)[0])
    if up == "y":  # turned Z-up here and by the renderer, as the sidecar says
        turn_y_up(scene.objects)
        bpy.context.view_layer.update()
        parts, visible = _parts(bpy, scene, _viewers(scene))
    tris, owner, names = _world_triangles(parts)
    if not len(tris):
        raise NoSurface("no mesh geometry in the file")
    pts = tris.reshape(-1, 3)
    extent = pts.max(0) - pts.min(0)
    tol = sa.tolerance(tris)
    tagged = {i: str(bpy.data.objects[n]["diffforge_surface"]) for i, n in enumerate(names)
              if bpy.data.objects[n].get("diffforge_surface") is not None}  # fmt: skip
    grid, found, floor = sa.support_patches(tris, owner, tagged)
    floor_side = float(np.sqrt(floor["area"]))
    view = [float(np.linalg.norm(np.subtract(c["location"], c["look_at"])))
            for c in _file_cameras(bpy, scene, Vector, 1.0)]  # fmt: skip
    scale, reason = sa.scene_scale(unit, floor_side, sa.standing_heights(tris, owner, floor),
                                   float(np.median(view)) if view else 0.0)  # fmt: skip
    found = sa.in_reach(found, floor, scale)
    units = file_units(scene, scale, parts, visible)
    unit_of = {m.name: u["name"] for u in units for m in u["members"]}
    sa.judge_units(units, found, floor, names, scale, tol, float(max(extent[:2])) * scale)
    moving = {i for i, n in enumerate(names) if unit_of.get(n) in
              {u["name"] for u in units if u["changeable"]}}  # fmt: skip
    supports = sa.free_rectangles(tris, owner, moving, found, floor, grid, names, scale)
    floor_rect = next(r for p, _, _, r in supports if p is floor)
    dg = bpy.context.evaluated_depsgraph_get()

    def occluded(loc: np.ndarray, point: np.ndarray) -> bool:
        d = point - loc
        dist = float(np.linalg.norm(d))
        hit, where, *_ = scene.ray_cast(dg, Vector(loc), Vector(d / dist), distance=dist)
        return bool(hit) and (Vector(point) - where).length > 0.02 * dist

    def seen(cameras: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return sa.seen_supports(supports, floor, cameras, scale, occluded, unit_of)

    own = _file_cameras(bpy, scene, Vector, scale)
    cameras = own or sa.synthesised_cameras(scale, floor_rect, floor["height"], supports)
    surfaces = seen(cameras)
    if own and not any(s["kind"] == "floor" for s in surfaces):
        # the file's cameras look elsewhere (at the sky, straight down past the floor)
        cameras = sa.synthesised_cameras(scale, floor_rect, floor["height"], supports)
        surfaces = seen(cameras)
    surfaces = sa.name_surfaces(surfaces)
    lights = [_light(o, scale) for o in scene.objects if o.type == "LIGHT" and o.name in visible]
    objects = [
        unit_entry(u, sa.stands_on(u, found, surfaces, grid, tol, scale), scale) for u in units
    ]
    for s in surfaces:
        del s["patch"]
    missing = missing_images(bpy)
    info = {
        "extent": (extent * scale).tolist(),
        "scale": scale,
        "scale_reason": reason,
        "surfaces": surfaces,
        "cameras": cameras,
        "objects": objects,
        "lights": lights,
        "tagged": bool(tagged),
        "up": up,  # "y": the file was Y-up; everything here is turned Z-up
        "render_objects": sorted(visible),  # what the renderer loads (not hidden sources)
        "warnings": [f"missing textures render pink: {', '.join(missing)}"] if missing else [],
    }
    Path(out).write_text(json.dumps(info, indent=1))


GEOMETRY = {"MESH", "CURVE", "SURFACE", "META", "FONT"}
DEFAULT_LINEAR = (0.8, 0.8, 0.8)  # Cycles' surface for an object without a material


def _material_rgb(mat) -> tuple[float, ...] | None:
    """A material's plain base colour (linear), or None where a texture or node drives it."""
    if mat is None:
        return DEFAULT_LINEAR
    nt = mat.node_tree
    if nt is None:
        return tuple(mat.diffuse_color[:3])
    nodes = sorted(nt.nodes, key=lambda n: n.bl_idname != "ShaderNodeBsdfPrincipled")
    for node in nodes:
        sock = node.inputs.get("Base Color") or (
            node.inputs.get("Color") if node.bl_idname.startswith("ShaderNodeBsdf") else None
        )
        if sock is not None:
            if sock.is_linked and _missing_image(sock.links[0].from_node):
                return MISSING_IMAGE_LINEAR  # what Cycles renders: a viewer sees pink
            return None if sock.is_linked else tuple(sock.default_value[:3])
    return tuple(mat.diffuse_color[:3])


# Cycles renders an image texture whose file is missing in magenta.
MISSING_IMAGE_LINEAR = (1.0, 0.0, 1.0)


def _missing_image(node) -> bool:
    """Whether ``node`` is an image texture whose file nobody can read (``missing_images``)."""
    import os

    import bpy

    img = getattr(node, "image", None)
    if node.bl_idname != "ShaderNodeTexImage" or img is None or img.packed_file is not None:
        return False
    return not os.path.exists(bpy.path.abspath(img.filepath, library=img.library))


SYMMETRY_SAMPLES = 400  # per object: enough to tell a sphere from a box, fast on big files
GROUP_M = 1.0  # a collection whose things all fit in this (m) is one object: a stack of books
GROUP_MAX = 12  # ... and holds at most this many


def file_units(
    scene, scale: float, parts: list[dict[str, Any]], visible: set[str]
) -> list[dict[str, Any]]:
    """The file's objects as change candidates: each parent hierarchy is one, an empty
    instancing a collection is one, and a leaf collection of a few things close together (a
    stack of books) is one; lamps, cameras and empties alone are none. A collection of the
    whole scene (Blender's "Collection") is not an object: its things stay apart. Boxes are in
    file units."""

    def root(o):
        while o.parent is not None:
            o = o.parent
        return o

    own: dict[str, tuple[list[np.ndarray], Counter, list[np.ndarray]]] = {}
    for p in parts:
        pts, areas, tris = own.setdefault(p["owner"], ([], Counter(), []))
        pts.append(p["co"])
        areas.update(p["areas"])
        tris.append(p["tris"])
    trees: dict[str, list] = {}
    for o in scene.objects:
        if o.name in visible:
            trees.setdefault(root(o).name, []).append(o)
    geometry: dict[str, tuple] = {}  # root -> (members, vertices, colour areas)
    for r, objs in trees.items():
        members = [m for m in objs if m.name in own]
        if members:
            pts = np.concatenate([v for m in members for v in own[m.name][0]])
            geometry[r] = (members, pts, sum((own[m.name][1] for m in members), Counter()))
    groups: list[tuple[str, list[str]]] = []
    taken: set[str] = set()
    for coll in scene.collection.children_recursive:
        roots = sorted({root(o).name for o in coll.objects} & set(geometry) - taken)
        others = [m for r in roots for m in trees[r] if m.type not in GEOMETRY | {"EMPTY"}]
        if coll.children or not 2 <= len(roots) <= GROUP_MAX or others:
            continue
        pts = np.concatenate([geometry[r][1] for r in roots])
        if np.ptp(pts, axis=0).max() * scale <= GROUP_M:
            groups.append((coll.name, roots))
            taken |= set(roots)
    groups += [(r, [r]) for r in geometry if r not in taken]
    units = []
    for name, roots in groups:
        members = [m for r in roots for m in geometry[r][0]]
        pts = np.concatenate([geometry[r][1] for r in roots])
        areas = sum((geometry[r][2] for r in roots), Counter())
        tags = {}
        for key in ("noun", "changeable"):
            tagged = [m[f"diffforge_{key}"] for r in roots for m in trees[r]
                      if m.get(f"diffforge_{key}") is not None]  # fmt: skip
            if tagged:
                tags[key] = str(tagged[0]) if key == "noun" else bool(tagged[0])
        tris = np.concatenate([t for m in members for t in own[m.name][2]])
        units.append({
            "name": name, "members": members, "lo": pts.min(0), "hi": pts.max(0), "areas": areas,
            "font": next((m for m in members if m.type == "FONT"), None), "tags": tags,
            "tris": tris,
        })  # fmt: skip
    return units


def unit_entry(u: dict[str, Any], on: str | None, scale: float) -> dict[str, Any]:
    """One object of the sidecar: what the scan guessed, with the file's tags applied."""
    from diffforge.scenes.file_objects import guess_noun

    total = sum(u["areas"].values())
    colour, share = (u["areas"].most_common(1) or [(None, 0.0)])[0]
    changeable = u["changeable"] and on is not None
    # measured where it matters: turns of what may change (a big file has hundreds of things)
    symmetry = rotational_symmetry(u["tris"], samples=SYMMETRY_SAMPLES) if changeable else 1
    guessed = {
        "noun": guess_noun(u["name"]),
        "changeable": changeable,
        "color": colour if total > 0 and share >= 0.5 * total else None,
    }
    out: dict[str, Any] = {
        "name": u["name"],
        "min": (u["lo"] * scale).tolist(),
        "max": (u["hi"] * scale).tolist(),
        **guessed,
        **u["tags"],
        "reason": u["reason"] or ("" if on is not None else "stands on no surface"),
        "on": on,
        "members": [m.name for m in u["members"]],
        "symmetric": symmetry == ANY_ANGLE,  # round: orientation changes skip it
        "symmetry": symmetry,
        "guessed": guessed,
        "tagged": sorted(u["tags"]),
    }
    if u["font"] is not None:
        from diffforge.scenes.file_objects import nearest_color, srgb

        out["text"] = u["font"].data.body
        out["bare_text"] = all(m.type == "FONT" for m in u["members"])
        mats = [s.material for s in u["font"].material_slots]
        rgb = _material_rgb(mats[0] if mats else None)
        out["text_color"] = nearest_color(srgb(rgb)) if rgb is not None else None
    return out


def _light(ob, scale: float) -> dict[str, Any]:
    """A lamp of the file, in metres and in the power it has once the scene is scaled."""
    kind = ob.data.type.lower()
    power = float(ob.data.energy) * (1.0 if kind == "sun" else scale**2)
    return {
        "name": ob.name,
        "type": kind,
        "energy": power,
        "rgb": [float(c) for c in ob.data.color],
        "location": [float(c) * scale for c in ob.matrix_world.translation],
        "size": float(getattr(ob.data, "size", getattr(ob.data, "shadow_soft_size", 0.25))) * scale,
    }


def _file_cameras(bpy, scene, vector, scale: float) -> list[dict[str, Any]]:
    """The file's cameras (metres), looking at what they look at (the first surface hit)."""
    dg = bpy.context.evaluated_depsgraph_get()
    cams = []
    for ob in scene.objects:
        if ob.type != "CAMERA":
            continue
        loc = ob.matrix_world.translation
        fwd = ob.matrix_world.to_quaternion() @ vector((0.0, 0.0, -1.0))
        tag = ob.get("diffforge_camera")
        if tag is not None and float(tag) > 0:
            dist = float(tag)
        else:
            hit, where, *_ = scene.ray_cast(dg, loc, fwd)
            dist = (where - loc).length if hit else 5.0 / scale
        target = loc + fwd * dist
        cams.append({"name": ob.name, "location": [c * scale for c in loc],
                     "look_at": [c * scale for c in target], "lens": float(ob.data.lens),
                     "sensor": float(ob.data.sensor_width)})  # fmt: skip
    return cams


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except NoSurface as exc:
        print(f"NOSURFACE {exc}")
        sys.exit(3)
