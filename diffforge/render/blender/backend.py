"""The Blender renderer: a pair of Scenes -> two Cycles renders and their exact instance masks.

Every scene is built from an empty file (``read_homefile``), so a render depends on its spec
alone, never on what the worker rendered before: that is what makes pixels identical across
runs and worker counts.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import bpy

from diffforge.errors import DiffforgeError
from diffforge.render.assets import MANNEQUIN, AssetResolver
from diffforge.render.blender import architecture, device, objects, passes, people, user_file, world
from diffforge.render.blender.assets import AssetCache
from diffforge.render.blender.materials import MaterialLibrary
from diffforge.render.renderer import RenderOutput
from diffforge.render.settings import RenderSettings
from diffforge.scenes.file_objects import is_file_object
from diffforge.scenes.model import Light, ObjectInstance, Scene


def blender_version() -> str:
    return bpy.app.version_string


class BlenderBackend:
    """One per worker process: device set up once, asset cache shared across pairs."""

    def __init__(self, settings: RenderSettings, resolver: AssetResolver, scratch: Path):
        if settings.engine != "cycles":
            raise DiffforgeError(f"render.engine {settings.engine!r}: only cycles is supported")
        self.settings = settings
        self.scratch = Path(scratch)
        self.scratch.mkdir(parents=True, exist_ok=True)
        self.cache = AssetCache(resolver, Path(settings.cache_dir) / f"blend-{blender_version()}")
        self.device = device.choose_device(settings.device)

    @property
    def version(self) -> str:
        return blender_version()

    def prepare(self, scenes: list[Scene]) -> None:
        """Convert any uncached asset first, so a build never sees import leftovers."""
        self.cache.prepare(scenes)

    def render_pair(
        self, before: Scene, after: Scene, ids: dict[str, int], pngs: tuple[Path, Path], seed: int
    ) -> tuple[RenderOutput, RenderOutput]:
        """Both scenes of a pair in one fresh file, sharing appended assets, same Cycles seed.

        Each is built into its own bpy scene and rendered by name: one reset and one append per
        asset per pair. A pair's state depends on its spec alone, never on earlier pairs.
        """
        t0 = time.perf_counter()
        self.prepare([before, after])
        bpy.ops.wm.read_homefile(use_empty=True)
        # two new scenes with identical defaults (the file's own scene differs, e.g. in
        # colour management), so a "none" pair renders identical pixels
        first, second = bpy.data.scenes.new("before"), bpy.data.scenes.new("after")
        builder = SceneBuilder(self)
        outs = []
        for sc, scene in ((first, before), (second, after)):
            device.configure(sc, self.settings, self.device, seed)
            builder.build(sc, scene, ids)
        t_build = (time.perf_counter() - t0) / 2
        for sc, png in zip((first, second), pngs, strict=True):
            t1 = time.perf_counter()
            bpy.ops.render.render(scene=sc.name)
            t2 = time.perf_counter()
            mask, depth = passes.save(sc, png, self.scratch, self.settings.depth)
            t3 = time.perf_counter()
            outs.append(
                RenderOutput(mask, depth, {"build": t_build, "render": t2 - t1, "save": t3 - t2})
            )
        return outs[0], outs[1]


class SceneBuilder:
    """Builds a pair's Scenes into bpy scenes of one fresh file, one element at a time.

    Materials and appended templates are shared by the pair's two scenes; what belongs to one
    scene (its bpy scene, lit lamps, the user's loaded file) is set by ``build``.
    """

    def __init__(self, backend: BlenderBackend):
        self.settings = backend.settings
        self.cache = backend.cache
        self.materials = MaterialLibrary()
        self.templates: dict[str, Any] = {}
        # the scene being built: its bpy scene and collection, its lit lamps, the user's file
        self.sc: Any = None
        self.coll: Any = None
        self.lit: dict[str, Light] = {}
        self.user = user_file.UserFile()

    def build(self, sc, scene: Scene, ids: dict[str, int]) -> None:
        """Build ``scene`` into the bpy scene ``sc`` (appended assets are shared)."""
        self.sc = sc
        self.coll = sc.collection
        self.user = user_file.UserFile()
        # lamps whose light is on: their shades glow (an opaque shade hides its bulb, so a lamp
        # on and a lamp off looked the same beside the pool of light under it)
        self.lit = {x.id: x for x in scene.lights if x.on}
        if scene.environment.layout == "environment":
            self.user = user_file.load(self, scene.environment.blend_file)
        architecture.build(self, scene)
        for obj in scene.objects:
            self.add_object(obj, ids[obj.id])
        self.user.hide_absent(scene)
        for light in scene.lights:
            if light.id.startswith("file:"):
                user_file.switch_light(self, light)
            else:
                world.add_light(self, light)
        world.set_world(self, scene)
        world.add_camera(self, scene)

    def add_object(self, obj: ObjectInstance, pass_index: int) -> None:
        """One object, by its kind: the user file's own, a mannequin, a user rig, a library
        asset."""
        if is_file_object(obj):
            user_file.file_object(self, obj, pass_index)
            return
        asset = self.cache.asset(obj.asset)
        if asset.type == "rig" and asset.extra.get("generator") == MANNEQUIN:
            people.mannequin(self, obj, asset, pass_index)
        elif asset.type == "rig":
            people.user_rig(self, obj, asset, pass_index)
        else:
            objects.library_instance(self, obj, asset, pass_index)
