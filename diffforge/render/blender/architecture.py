"""The scene's architecture, built from its elements: generic boxes and planes (pass index 0).

The environments emit what a room or a street is made of (diffforge.scenes.environments); this
module only translates ``Scene.elements`` into meshes with a material each.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import bmesh
import bpy

from diffforge.render.color import light_color
from diffforge.scenes.environments import architecture
from diffforge.scenes.model import Element, Scene

if TYPE_CHECKING:
    from diffforge.render.blender.backend import SceneBuilder


def elements(scene: Scene) -> tuple[Element, ...]:
    """The scene's elements; a scene whose elements were never emitted (built by hand, or a
    spec file older than elements) gets them emitted now."""
    return scene.elements if scene.elements is not None else architecture(scene)


def element(b: SceneBuilder, e: Element, lights: dict) -> Any:
    """One element's mesh object (a fixture's glow reads its light in ``lights``)."""
    ob = (plane if e.shape == "plane" else box)(b, e, material(b, e, lights))
    if not e.camera_visible:
        ob.visible_camera = False  # still bounces light and casts shadows
    if not e.casts_shadow:
        ob.visible_shadow = False
    return ob


def material(b: SceneBuilder, e: Element, lights: dict) -> Any:
    """The element's material class in its colour, or a fixture's glow while its light is on."""
    if e.glow is None:
        return b.materials.material(e.rgb, e.material)
    light = lights[e.glow]
    return b.materials.emitter(light_color(light), 6.0 if light.on else 0.0)


def plane(b: SceneBuilder, e: Element, mat) -> Any:
    """A ``size[0]`` × ``size[1]`` rectangle in its local XY plane, turned by ``rotation``."""
    me = bpy.data.meshes.new(e.name)
    bm = bmesh.new()
    w, d = e.size[0] / 2, e.size[1] / 2
    verts = [bm.verts.new(v) for v in ((-w, -d, 0), (w, -d, 0), (w, d, 0), (-w, d, 0))]
    bm.faces.new(verts)
    bm.to_mesh(me)
    bm.free()
    return _link(b, e, me, mat, e.rotation)


def box(b: SceneBuilder, e: Element, mat) -> Any:
    """An axis-aligned closed box: a unit cube scaled to the element's size."""
    me = bpy.data.meshes.new(e.name)
    bm = bmesh.new()
    bmesh.ops.create_cube(bm, size=1.0)
    bm.to_mesh(me)
    bm.free()
    ob = _link(b, e, me, mat, None)
    ob.scale = tuple(max(s, 1e-4) for s in e.size)
    return ob


def _link(b: SceneBuilder, e: Element, me, mat, rotation) -> Any:
    me.materials.append(mat)
    ob = bpy.data.objects.new(e.name, me)
    ob.location = e.location
    if rotation is not None:
        ob.rotation_euler = rotation
    b.coll.objects.link(ob)
    return ob
