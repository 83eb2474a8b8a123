"""Library objects: instances of a cached asset, scaled to the spec's box and recoloured."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import bpy

from diffforge.render.assets import RenderAsset
from diffforge.render.blender import text
from diffforge.render.blender.materials import base_colour
from diffforge.scenes.lighting import lamp_light_id
from diffforge.scenes.model import Light, ObjectInstance
from diffforge.vocabulary import COLORS

if TYPE_CHECKING:
    from diffforge.render.blender.backend import SceneBuilder

_SUFFIX = re.compile(r"\.\d{3}$")  # Blender's ".001" on a second datablock of one name


def slot_name(material) -> str:
    """A material's name as the asset named it (without Blender's ".001" suffix)."""
    return _SUFFIX.sub("", material.name) if material is not None else ""


def template(b: SceneBuilder, asset_id: str):
    """The asset's object appended from its cached ``.blend`` once per pair."""
    if asset_id not in b.templates:
        path = b.cache.blend_for(asset_id)
        with bpy.data.libraries.load(str(path), link=False) as (_src, dst):
            dst.objects = ["asset"]
        b.templates[asset_id] = dst.objects[0]
    return b.templates[asset_id]


def library_instance(
    b: SceneBuilder, obj: ObjectInstance, asset: RenderAsset, pass_index: int
) -> None:
    """A copy of the asset's mesh at the spec's transform, its colour, its lit shade, its text."""
    tmpl = template(b, obj.shape or obj.asset)  # each shape variant has its own mesh
    ob = tmpl.copy()  # shares the mesh; materials are linked per object below
    ob.name = obj.id
    b.coll.objects.link(ob)
    ob.pass_index = pass_index
    ob.location = obj.transform.location
    ob.rotation_mode = "XYZ"
    ob.rotation_euler = obj.transform.rotation
    ob.scale = (fit_scale(obj, tmpl),) * 3
    shades = [
        i
        for i, slot in enumerate(ob.material_slots)
        if slot.material is not None and slot_name(slot.material) == "shade"
    ]
    recolour(b, ob, obj, asset)
    light = b.lit.get(lamp_light_id(obj.id)) if shades else None
    if light is not None:
        rgb = obj.attributes.rgb or COLORS.get(obj.attributes.color or "", (0.9, 0.9, 0.88))
        glow_shade(b, ob, shades, rgb, light)
    if obj.text is not None and asset.text_anchor:
        text.sign(b, ob, obj, asset.text_anchor, pass_index)


def fit_scale(obj: ObjectInstance, tmpl) -> float:
    """Uniform scale that gives the spec's bbox (``dimensions``) from the asset's mesh."""
    dims = list(tmpl.get("df_dims", [0.0, 0.0, 0.0]))
    big = max(dims) if dims else 0.0
    want = max(obj.dimensions)
    return want / big if big > 1e-9 and want > 0 else obj.transform.scale


def recolour(b: SceneBuilder, ob, obj: ObjectInstance, asset: RenderAsset) -> None:
    """The spec's colour and material class on the asset's colourable slots (all when it
    names none); clothing colours on the slots they name."""
    attrs = obj.attributes
    rgb = attrs.rgb or (COLORS.get(attrs.color) if attrs.color else None)
    clothing = attrs.clothing or {}
    slots = set(asset.material_slots)
    for slot in ob.material_slots:
        current = slot.material
        name = slot_name(current)
        if name in clothing and clothing[name] in COLORS:
            new = b.materials.material(COLORS[clothing[name]], "fabric")
        elif (rgb or attrs.material) and (not slots or name in slots):
            colour = rgb or base_colour(current) or (0.5, 0.5, 0.5)
            new = b.materials.material(colour, attrs.material)
        else:
            continue
        slot.link = "OBJECT"
        slot.material = new


def glow_shade(b: SceneBuilder, ob, shades: list[int], rgb, light: Light) -> None:
    """The shade (material slots ``shades``) of a lamp that is on glows with the light's
    colour tinted by its own: translucent fabric lit from inside."""
    mat = b.materials.glowing_shade(rgb, light)
    for i in shades:
        ob.material_slots[i].link = "OBJECT"
        ob.material_slots[i].material = mat
