"""Text on a sign: a font curve fitted inside the asset's text anchor."""

from __future__ import annotations

from typing import TYPE_CHECKING

import bpy

from diffforge.errors import AssetError
from diffforge.scenes.model import ObjectInstance

if TYPE_CHECKING:
    from diffforge.render.blender.backend import SceneBuilder


def sign(b: SceneBuilder, ob, obj: ObjectInstance, anchor: dict, pass_index: int) -> None:
    """A font curve on the anchor plane, fitted inside width×height, parented to ``ob``."""
    from mathutils import Matrix, Vector

    content = obj.text
    cu = bpy.data.curves.new(f"{obj.id}_text", "FONT")
    cu.body = content.string
    cu.align_x, cu.align_y = "CENTER", "CENTER"
    cu.size = 1.0
    cu.extrude = 0.002
    face = font(b, content.font)
    if face is not None:
        cu.font = face
    to = bpy.data.objects.new(f"{obj.id}_text", cu)
    b.coll.objects.link(to)
    to.pass_index = pass_index
    to.data.materials.append(b.materials.material(content.rgb, "plastic"))
    b.sc.view_layers[0].update()
    xs = [c[0] for c in to.bound_box]
    ys = [c[1] for c in to.bound_box]
    bw, bh = max(max(xs) - min(xs), 1e-6), max(max(ys) - min(ys), 1e-6)
    size = 0.9 * min(float(anchor["width"]) / bw, float(anchor["height"]) / bh)
    n = Vector(anchor.get("normal", (0.0, -1.0, 0.0))).normalized()
    up = Vector((0.0, 0.0, 1.0)) if abs(n.z) < 0.99 else Vector((0.0, 1.0, 0.0))
    x = up.cross(n).normalized()
    y = n.cross(x).normalized()
    rot = Matrix((x, y, n)).transposed().to_4x4()
    loc = Vector(anchor["location"]) + n * 0.004
    to.parent = ob  # anchor units are the mesh's; the parent's scale applies on top
    to.matrix_parent_inverse.identity()
    to.matrix_basis = Matrix.Translation(loc) @ rot @ Matrix.Scale(size, 4)


def font(b: SceneBuilder, name: str):
    """The font asset ``name`` loaded once (None: Blender's built-in font)."""
    if name in ("", "default"):
        return None
    try:
        asset = b.cache.asset(name)
    except AssetError:
        return None
    return bpy.data.fonts.load(asset.path, check_existing=True) if asset.path else None
