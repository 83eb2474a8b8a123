"""The Blender renderer: a pair of Scenes -> two Cycles renders and their exact instance masks.

Every scene is built from an empty file (``read_homefile``), so a render depends on its spec
alone, never on what the worker rendered before: that is what makes pixels identical across
runs and worker counts.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import Any

import bpy

from diffforge.errors import DiffforgeError
from diffforge.render.assets import MANNEQUIN, AssetResolver
from diffforge.render.blender import architecture, device, objects, passes, people, user_file, world
from diffforge.render.blender.assets import AssetCache
from diffforge.render.blender.materials import MaterialLibrary
from diffforge.render.renderer import RenderOutput
from diffforge.render.settings import RenderSettings, reusable
from diffforge.scenes.file_objects import is_file_object
from diffforge.scenes.lighting import lamp_light_id
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
        self.region: tuple[int, int, int, int] | None = None  # the pair's (render_pair)

    @property
    def version(self) -> str:
        return blender_version()

    def prepare(self, scenes: list[Scene]) -> None:
        """Convert any uncached asset first, so a build never sees import leftovers."""
        self.cache.prepare(scenes)

    def render_pair(
        self,
        before: Scene,
        after: Scene,
        ids: dict[str, int],
        pngs: tuple[Path, Path],
        seed: int,
        region: tuple[int, int, int, int] | None = None,
    ) -> tuple[RenderOutput, RenderOutput]:
        """Both scenes of a pair in one fresh file, sharing appended assets, same Cycles seed.

        A pair's state depends on its spec alone, never on earlier pairs. With
        ``settings.reuse`` (and a ``settings.reusable`` pair) one bpy scene is built for ``before``, rendered,
        then turned into ``after`` by rebuilding only the parts that differ and rendered again
        (tests/render/test_build_reuse.py: same masks, images within a stated tolerance of two
        fresh builds). Cycles' persistent data (no second sync) was tried and left out: with
        the light tree off, a reused "disappear" pair's after image moved by 4 levels on
        average, where an in-place rebuild keeps the fresh build's object order.

        ``region`` (x0, y0, x1, y1 in pixels, top left origin): only that part of the frame is
        path traced and denoised, the rest left black (the text probe's signs).
        """
        t0 = time.perf_counter()
        self.prepare([before, after])
        bpy.ops.wm.read_homefile(use_empty=True)
        self.region = region
        builder = SceneBuilder(self)  # appended assets and materials shared by both
        if self.settings.reuse and reusable(before, after):
            sc = bpy.data.scenes.new("pair")
            device.configure(sc, self.settings, self.device, seed, self.region)
            builder.build(sc, before, ids)
            out_b = self._render(sc, pngs[0], time.perf_counter() - t0)
            t1 = time.perf_counter()
            builder.build(sc, after, ids)  # only what differs
            return out_b, self._render(sc, pngs[1], time.perf_counter() - t1)
        # two new scenes with identical defaults (the file's own scene differs, e.g. in
        # colour management), so a "none" pair renders identical pixels
        first, second = bpy.data.scenes.new("before"), bpy.data.scenes.new("after")
        for sc, scene in ((first, before), (second, after)):
            device.configure(sc, self.settings, self.device, seed, self.region)
            builder.build(sc, scene, ids)
        t_build = (time.perf_counter() - t0) / 2
        return self._render(first, pngs[0], t_build), self._render(second, pngs[1], t_build)

    def _render(self, sc, png: Path, t_build: float) -> RenderOutput:
        t1 = time.perf_counter()
        bpy.ops.render.render(scene=sc.name)
        t2 = time.perf_counter()
        mask, depth = passes.save(sc, png, self.scratch, self.settings.depth)
        t3 = time.perf_counter()
        return RenderOutput(mask, depth, {"build": t_build, "render": t2 - t1, "save": t3 - t2})


class SceneBuilder:
    """Builds Scenes into a bpy scene of one fresh file, one part at a time.

    Materials and appended templates are shared by every scene it builds. Each part (an
    element, an object, a light, the camera) is built under a key holding everything its
    objects depend on; building a second Scene into the same bpy scene keeps the parts whose
    key it shares with the first and rebuilds the rest, so the result is what a fresh build of
    the second Scene gives. A user's file is loaded by every build: ``render_pair`` never
    builds a second Scene into its bpy scene.
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
        self.parts: dict[str, list[list[str]]] = {}  # part key -> its objects' names, per copy
        self.world_key = ""
        self.look = ""  # the bpy scene's own view look (set_world may change it)

    def build(self, sc, scene: Scene, ids: dict[str, int]) -> None:
        """Build ``scene`` into the bpy scene ``sc``; parts already there with the same key
        are kept (appended assets are shared)."""
        if self.sc is None or sc.as_pointer() != self.sc.as_pointer():
            self.parts, self.world_key, self.look = {}, "", sc.view_settings.look
        self.sc = sc
        self.coll = sc.collection
        # lamps whose light is on: their shades glow (an opaque shade hides its bulb, so a lamp
        # on and a lamp off looked the same beside the pool of light under it)
        self.lit = {x.id: x for x in scene.lights if x.on}
        self.user = user_file.UserFile()
        if scene.environment.layout == "environment":
            self.user = user_file.load(self, scene.environment.blend_file)
        old, self.parts = self.parts, {}
        plan = self._plan(scene, ids)
        stale = _stale(plan, old)
        for key, make in plan:
            copies = None if key.startswith(stale) else old.get(key)
            names = copies.pop() if copies else self._made(make)
            self.parts.setdefault(key, []).append(names)
        for copies in old.values():  # parts the new scene does not have
            for names in copies:
                for name in names:
                    bpy.data.objects.remove(bpy.data.objects[name])
        self.user.hide_absent(scene)
        for light in scene.lights:
            if light.id.startswith("file:"):
                user_file.switch_light(self, light)
        world_key = scene.world.model_dump_json() + _json(
            x for x in scene.lights if x.type == "sun"
        )
        if world_key != self.world_key:
            self.world_key = world_key
            sc.view_settings.look = self.look  # set_world picks the look again
            world.set_world(self, scene)
        camera = self.parts["camera " + scene.camera.model_dump_json()][0][0]
        sc.camera = bpy.data.objects[camera]

    def _plan(self, scene: Scene, ids: dict[str, int]) -> list[tuple[str, Callable[[], Any]]]:
        """The scene's parts in build order: (key, the function that builds it)."""
        lights = {x.id: x for x in scene.lights}
        plan: list[tuple[str, Callable[[], Any]]] = []
        for e in architecture.elements(scene):
            glow = lights.get(e.glow) if e.glow else None
            kind = "emitter element " if e.glow else "element "
            key = kind + e.model_dump_json() + _json([glow] if glow else [])
            plan.append((key, partial(architecture.element, self, e, lights)))
        for obj in scene.objects:
            lamp = self.lit.get(lamp_light_id(obj.id))
            kind = "emitter object " if lamp else "object "  # a lit lamp's shade glows
            key = f"{kind}{ids[obj.id]} " + obj.model_dump_json() + _json([lamp] if lamp else [])
            plan.append((key, partial(self.add_object, obj, ids[obj.id])))
        for light in scene.lights:
            if not light.id.startswith("file:"):
                plan.append(
                    ("light " + light.model_dump_json(), partial(world.add_light, self, light))
                )
        plan.append(
            ("camera " + scene.camera.model_dump_json(), partial(world.add_camera, self, scene))
        )
        return plan

    def _made(self, make: Callable[[], Any]) -> list[str]:
        """The names of the objects ``make`` links into the scene."""
        had = {o.name for o in self.coll.objects}
        make()
        return [o.name for o in self.coll.objects if o.name not in had]

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


# Parts Cycles samples light from, in the order they were linked: where one of a group changes,
# the whole group is rebuilt in the scene's order, so light sampling spends its random numbers
# as in a fresh build (a rebuilt lamp linked last moved the noise of the whole frame).
ORDERED_GROUPS = ("emitter ", "light ")


def _stale(plan: list[tuple[str, Any]], old: dict[str, list[list[str]]]) -> tuple[str, ...]:
    """The ordered groups whose parts differ between ``old`` and ``plan``."""
    before = Counter({k: len(v) for k, v in old.items()})
    after = Counter(k for k, _ in plan)
    return tuple(
        g
        for g in ORDERED_GROUPS
        if {k: n for k, n in before.items() if k.startswith(g)}
        != {k: n for k, n in after.items() if k.startswith(g)}
    )


def _json(models: Iterable[Any]) -> str:
    return "[" + ",".join(m.model_dump_json() for m in models) + "]"
