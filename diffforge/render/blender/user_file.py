"""The user's own .blend as the environment: loaded, scaled to metres, its objects changed in
place (moved, repainted, rewritten, duplicated) and its lamps switched."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import bpy

from diffforge.errors import AssetError
from diffforge.render.color import light_color, linear_rgba
from diffforge.scenes.file_objects import file_name, is_file_object, sidecar_path
from diffforge.scenes.model import Light, ObjectInstance, Scene
from diffforge.vocabulary import COLORS, MATERIALS

if TYPE_CHECKING:
    from diffforge.render.blender.backend import SceneBuilder


@dataclass
class UserFile:
    """The loaded file's changeable objects (sidecar entries and their parts in this bpy scene)
    and its lamps, by the names they have in the file."""

    entries: dict[str, dict[str, Any]] = field(default_factory=dict)
    units: dict[str, list[Any]] = field(default_factory=dict)
    lights: dict[str, Any] = field(default_factory=dict)

    def hide_absent(self, scene: Scene) -> None:
        """Hide the objects the scene no longer has (removed, disappeared, replaced)."""
        present = {file_name(o) for o in scene.objects if is_file_object(o) and o.id == o.asset}
        for name, members in self.units.items():
            if name not in present:
                for ob in members:
                    ob.hide_render = True


def load(b: SceneBuilder, blend: str | None) -> UserFile:
    """Every object of the file (cameras aside) into the bpy scene, as pass index 0, scaled
    so one unit is a metre; its changeable objects and lamps by name."""
    if not blend or not Path(blend).is_file():
        raise AssetError(f"environment .blend {blend!r} not found")
    info = environment_info(blend)
    with bpy.data.libraries.load(blend, link=False) as (src, dst):
        # what renders in the file's scene (the scan lists it): not the sources of its
        # collection instances, nor hidden or excluded collections, nor other scenes' objects
        shown = info.get("render_objects")
        names = [n for n in src.objects if shown is None or n in shown]
        dst.objects = list(names)  # strings; Blender fills dst's list with the objects
    loaded = [ob for ob in dst.objects if ob is not None and ob.type != "CAMERA"]
    # by the name they have in the file: the before and after scenes each load a copy
    lights = {
        name: ob
        for name, ob in zip(names, dst.objects, strict=True)
        if ob is not None and ob.type == "LIGHT"
    }
    for ob in loaded:
        b.coll.objects.link(ob)
        ob.pass_index = 0
    loaded += realize_instances(b, loaded)
    # world matrices as stored in the file may be stale (a script that saved without an
    # update): evaluate them before scaling, or objects jump to their parents' origins
    b.sc.view_layers[0].update()
    if info.get("up") == "y":  # a Y-up file: turned as the scan turned it
        from diffforge.render.blender_scan import turn_y_up

        turn_y_up(loaded)
    to_metres(loaded, float(info.get("scale", 1.0)))
    # the objects changes may act on, by name, with their parts as loaded into this scene
    by_name = dict(zip(names, dst.objects, strict=True))
    entries = {o["name"]: o for o in info.get("objects", []) if o.get("changeable")}
    units = {  # with the parts realized under an instancing empty
        name: list(dict.fromkeys(
            part
            for m in e.get("members", [])
            if by_name.get(m) is not None
            for part in (by_name[m], *by_name[m].children_recursive)
        ))
        for name, e in entries.items()
    }  # fmt: skip
    b.sc.view_layers[0].update()  # children's world matrices after the scaling
    return UserFile(entries, units, lights)


def file_object(b: SceneBuilder, obj: ObjectInstance, pass_index: int) -> None:
    """One of the user file's own objects, changed in place: moved, turned and scaled about
    the bottom centre of its scanned box, recoloured or given a material preset on copies
    of its materials, its text rewritten; a count change's extra copy is a linked
    duplicate. Every part gets the object's pass index, so its mask is exact."""
    from mathutils import Matrix

    name = file_name(obj)
    entry, members = b.user.entries.get(name), b.user.units.get(name)
    if entry is None or not members:
        raise AssetError(f"{obj.asset}: no object {name!r} in the environment's sidecar")
    if obj.id != obj.asset:  # a duplicate: linked copies of every part
        copies = {m: m.copy() for m in members}
        for c in copies.values():
            b.coll.objects.link(c)
            if c.parent in copies:
                c.parent = copies[c.parent]
        members = list(copies.values())
    lo, hi = entry["min"], entry["max"]
    origin = ((lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2, lo[2])
    move = (
        Matrix.Translation(obj.transform.location)
        @ Matrix.Rotation(obj.transform.rotation[2], 4, "Z")
        @ Matrix.Scale(obj.transform.scale, 4)
        @ Matrix.Translation(tuple(-v for v in origin))
    )
    for ob in members:
        ob.pass_index = pass_index
        if ob.parent is None or ob.parent not in members:
            ob.matrix_world = move @ ob.matrix_world
    attrs = obj.attributes
    recolour = attrs.color is not None and attrs.color != entry.get("color")
    if recolour or attrs.material is not None:
        rgb = COLORS[attrs.color] if recolour else None
        for ob in members:
            if ob.type != "EMPTY":
                repaint(ob, rgb, attrs.material)
    for ob in members:
        if ob.type == "FONT":
            ob.data.body = obj.text.string if obj.text is not None else ""


def realize_instances(b: SceneBuilder, loaded: list) -> list:
    """Each empty instancing a collection gets its own copies of the collection's objects,
    parented to it (linked data, as the file has them), and instances nothing any more: its
    parts then take its pass index, moves and colours like any other object's."""
    from mathutils import Matrix

    made = []
    for empty in [ob for ob in loaded if ob.instance_type == "COLLECTION"]:
        coll = empty.instance_collection
        empty.instance_type = "NONE"
        if coll is None:
            continue
        offset = Matrix.Translation(-coll.instance_offset)
        copies = {ob: ob.copy() for ob in coll.all_objects if ob.type != "CAMERA"}
        for ob, c in copies.items():
            b.coll.objects.link(c)
            c.pass_index = 0
            if ob.parent in copies:  # keeps its place under its own parent
                c.parent = copies[ob.parent]
            else:
                c.parent = empty
                c.matrix_parent_inverse = offset
                c.matrix_basis = ob.matrix_world.copy()
        made += list(copies.values())
    return made


def switch_light(b: SceneBuilder, light: Light) -> None:
    """A lamp of the user's file: changed in place (power, colour, on or off)."""
    ob = b.user.lights.get(light.id[len("file:") :])
    if ob is None:
        return
    ob.hide_render = not light.on
    ob.data.energy = light.energy
    ob.data.color = light_color(light)


def environment_info(blend: str) -> dict[str, Any]:
    """A user environment's sidecar (scale, objects); empty when unscanned."""
    side = sidecar_path(blend)
    try:
        info = json.loads(side.read_text())
    except (OSError, ValueError):
        return {}
    return info if isinstance(info, dict) else {}


def repaint(ob, rgb, material: str | None) -> None:
    """Give ``ob`` copies of its materials (a new one where it has none) with the base colour
    ``rgb`` (sRGB; None keeps the file's, textures included) and the preset ``material``."""
    if not ob.material_slots:
        ob.data.materials.append(None)
    for slot in ob.material_slots:
        mat = slot.material.copy() if slot.material is not None else bpy.data.materials.new("df")
        nodes = mat.node_tree.nodes if mat.node_tree is not None else []
        for node in nodes:
            inp = node.inputs
            if rgb is not None:
                sock = inp.get("Base Color") or (
                    inp.get("Color") if node.bl_idname.startswith("ShaderNodeBsdf") else None
                )
                if sock is not None:
                    for link in list(sock.links):
                        mat.node_tree.links.remove(link)
                    sock.default_value = linear_rgba(rgb)
            if material is not None and node.bl_idname == "ShaderNodeBsdfPrincipled":
                preset = MATERIALS[material]
                for key, socket in (("roughness", "Roughness"), ("metallic", "Metallic"),
                                    ("transmission", "Transmission Weight"),
                                    ("specular", "Specular IOR Level")):  # fmt: skip
                    for link in list(inp[socket].links):
                        mat.node_tree.links.remove(link)
                    inp[socket].default_value = preset[key]
        if rgb is not None:
            mat.diffuse_color = linear_rgba(rgb)
        slot.link = "OBJECT"
        slot.material = mat


def to_metres(objects: list, scale: float) -> None:
    """Scale a loaded environment about the origin so one unit is a metre, as the sampler
    assumes; a lamp's power falls with distance squared, so it is scaled by scale² to light
    the scaled room as the file lit the original."""
    if abs(scale - 1.0) < 1e-9:
        return
    from mathutils import Matrix

    names = {ob.name for ob in objects}
    for ob in objects:
        if ob.parent is None or ob.parent.name not in names:
            ob.matrix_world = Matrix.Scale(scale, 4) @ ob.matrix_world
        if ob.type == "LIGHT" and ob.data.type != "SUN":
            ob.data.energy *= scale**2
