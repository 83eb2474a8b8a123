"""Lights, the world (background colour, physical sky or HDRI) and the camera."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

import bpy

from diffforge.errors import AssetError, DiffforgeError
from diffforge.render.color import light_color, linear_rgba
from diffforge.scenes.geometry import camera_euler
from diffforge.scenes.model import Light, Scene

if TYPE_CHECKING:
    from diffforge.render.blender.backend import SceneBuilder

SKY_STRENGTH = 1.5  # Hosek-Wilkie sky radiance scale that matches our lamp and sun powers


def studio_hdri_dir() -> Path:
    """The CC0 HDRIs shipped in the bpy wheel (datafiles/studiolights/world)."""
    path = bpy.utils.system_resource("DATAFILES", path="studiolights/world")
    if path and Path(path).is_dir():
        return Path(path)
    for found in Path(bpy.__file__).resolve().parents[3].rglob("studiolights/world"):
        return found
    raise DiffforgeError("bpy install has no datafiles/studiolights/world")


def add_light(b: SceneBuilder, light: Light) -> None:
    """A light of the built scene (a lamp switched off is none)."""
    if not light.on:
        return
    data = bpy.data.lights.new(light.id, light.type.upper())
    data.energy = light.energy
    data.color = light_color(light)
    if light.type == "area":
        data.size = light.size
    elif light.type in ("point", "spot"):
        data.shadow_soft_size = light.size
    elif light.type == "sun":
        data.angle = math.radians(1.0)
    ob = bpy.data.objects.new(light.id, data)
    ob.location, ob.rotation_euler = light.location, light.rotation
    ob.visible_camera = False  # a lamp shows as its fixture, never as a white card
    b.coll.objects.link(ob)


def set_world(b: SceneBuilder, scene: Scene) -> None:
    """Background, physical sky or HDRI. With ``sky`` set, camera rays see the sky while
    an HDRI (if any) lights the scene; the view's exposure comes from the scene."""
    w = scene.world
    b.sc.view_settings.exposure = w.exposure
    if w.sky:  # built scenes: lifted shadows, so dim corners and dimmed lamps keep detail
        b.sc.view_settings.look = "AgX - Low Contrast"
    world = bpy.data.worlds.new("world")
    b.sc.world = world
    nt = world.node_tree
    out = next(n for n in nt.nodes if n.bl_idname == "ShaderNodeOutputWorld")
    bg = next(n for n in nt.nodes if n.bl_idname == "ShaderNodeBackground")
    bg.inputs["Strength"].default_value = w.strength
    res = b.settings.world_map_resolution  # "automatic": seconds per image
    world.cycles.sampling_method = "MANUAL" if res else "AUTOMATIC"
    if res:
        world.cycles.sample_map_resolution = res
    seen = None
    if w.sky:
        seen = sky_background(nt, scene)
    if not w.hdri:
        if seen is not None:
            nt.links.new(seen, out.inputs["Surface"])
        else:
            bg.inputs["Color"].default_value = linear_rgba(w.background)
        return
    env = nt.nodes.new("ShaderNodeTexEnvironment")
    env.image = bpy.data.images.load(str(hdri_path(b, w.hdri)), check_existing=True)
    coord = nt.nodes.new("ShaderNodeTexCoord")
    mapping = nt.nodes.new("ShaderNodeMapping")
    mapping.inputs["Rotation"].default_value = (0.0, 0.0, w.rotation)
    nt.links.new(coord.outputs["Generated"], mapping.inputs["Vector"])
    nt.links.new(mapping.outputs["Vector"], env.inputs["Vector"])
    nt.links.new(env.outputs["Color"], bg.inputs["Color"])
    if seen is not None:  # the HDRI lights, the camera sees the sky
        path = nt.nodes.new("ShaderNodeLightPath")
        mix = nt.nodes.new("ShaderNodeMixShader")
        nt.links.new(path.outputs["Is Camera Ray"], mix.inputs["Fac"])
        nt.links.new(bg.outputs["Background"], mix.inputs[1])
        nt.links.new(seen, mix.inputs[2])
        nt.links.new(mix.outputs["Shader"], out.inputs["Surface"])


def sky_background(nt, scene: Scene):
    """Blender's physical sky with its sun where the scene's sun light shines from (a dark
    blue night sky when the scene has no sun); returns the background shader output."""
    sun = next((x for x in scene.lights if x.type == "sun"), None)
    node = nt.nodes.new("ShaderNodeBackground")
    if sun is None:
        node.inputs["Color"].default_value = linear_rgba((0.05, 0.07, 0.13))
        node.inputs["Strength"].default_value = 0.5 * scene.world.strength
        return node.outputs["Background"]
    sky = nt.nodes.new("ShaderNodeTexSky")
    sky.sky_type = "HOSEK_WILKIE"  # analytic: no precomputed sky image (~1.5 s per render)
    sky.turbidity = 2.5
    sky.ground_albedo = 0.3
    rx, _, rz = sun.rotation
    elevation = max(math.radians(2.0), math.pi / 2 - rx)
    # the sun light shines along (-sin rz sin rx, cos rz sin rx, -cos rx): the sky's sun is
    # where that light comes from
    sky.sun_direction = (
        math.sin(rz) * math.cos(elevation),
        -math.cos(rz) * math.cos(elevation),
        math.sin(elevation),
    )
    nt.links.new(sky.outputs["Color"], node.inputs["Color"])
    node.inputs["Strength"].default_value = SKY_STRENGTH * scene.world.strength
    return node.outputs["Background"]


def hdri_path(b: SceneBuilder, name: str) -> Path:
    stem = name if name.endswith((".exr", ".hdr")) else f"{name}.exr"
    path = studio_hdri_dir() / stem
    if path.is_file():
        return path
    asset = b.cache.asset(name)
    if asset.path and Path(asset.path).is_file():
        return Path(asset.path)
    raise AssetError(f"world.hdri {name!r}: not a bundled HDRI nor an hdri asset")


def add_camera(b: SceneBuilder, scene: Scene) -> None:
    c = scene.camera
    data = bpy.data.cameras.new("camera")
    data.lens = c.lens
    data.sensor_width = c.sensor_width
    data.sensor_fit = "HORIZONTAL"
    data.clip_start, data.clip_end = 0.05, 500.0
    ob = bpy.data.objects.new("camera", data)
    ob.location = c.location
    ob.rotation_euler = camera_euler(c.location, c.look_at)
    b.coll.objects.link(ob)
    b.sc.camera = ob
