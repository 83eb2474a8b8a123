"""Layouts: how a base scene is composed (room, street, tabletop, user environment).

Each layout picks assets from the library by placement and tag, places them collision-free on
support surfaces, adds lights and a world, and frames everything with the camera.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from diffforge.config import GenerateConfig
from diffforge.errors import ConfigError, SamplingError
from diffforge.scenes.geometry import box_corners, look_at_matrix
from diffforge.scenes.instances import choose, instantiate, is_person
from diffforge.scenes.model import Camera, Environment, Light, ObjectInstance, Scene, World
from diffforge.scenes.placement import Placer, Surface, holder_surface

# The CC0 HDRIs in the bpy wheel (datafiles/studiolights/world), by the layouts they suit.
HDRIS: dict[str, tuple[str, ...]] = {
    "room": ("interior.exr", "studio.exr"),
    "street": ("city.exr", "courtyard.exr", "sunrise.exr", "sunset.exr", "forest.exr"),
    "tabletop": ("studio.exr", "interior.exr"),
    "environment": ("interior.exr", "city.exr"),
}
# Camera direction per layout: azimuth spread around -Y (degrees), elevation range (degrees).
CAMERA_VIEWS: dict[str, tuple[float, tuple[float, float], float]] = {
    "room": (18.0, (14.0, 24.0), 30.0),
    "street": (15.0, (7.0, 14.0), 32.0),
    "tabletop": (25.0, (28.0, 40.0), 35.0),
    "environment": (15.0, (10.0, 20.0), 35.0),
}
ASPECT_RESOLUTION = (400, 300)  # framing is done at 4:3, the aspect of every render preset


@dataclass
class Composition:
    """A scene under construction, with its placer and the asset specs of its objects."""

    scene: Scene
    placer: Placer
    library: object
    cfg: GenerateConfig
    counter: int = 0
    framed: bool = False  # the camera came with the environment

    def new_id(self, category: str) -> str:
        self.counter += 1
        return f"{category.replace(' ', '_')}_{self.counter}"

    def place(
        self,
        rng: np.random.Generator,
        spec,
        surfaces: list[Surface],
        yaw: float | None = None,
        color: str | None = None,
    ) -> ObjectInstance | None:
        """Instantiate ``spec`` and put it on one of ``surfaces``; None when nothing fits."""
        if not surfaces:
            return None
        obj = instantiate(rng, spec, self.new_id(spec.category), self.cfg.text, color=color)
        placed = place_object(rng, self.scene, self.placer, obj, spec, surfaces, yaw=yaw)
        return obj if placed else None


def place_object(
    rng: np.random.Generator,
    scene: Scene,
    placer: Placer,
    obj: ObjectInstance,
    spec,
    surfaces: list[Surface],
    yaw: float | None = None,
    tries: int = 4,
    attempts: int = 12,
) -> bool:
    """Put ``obj`` at a free spot of one of ``surfaces`` (scene, placer and, for holders, the
    new top surface kept in step); False when nothing fits. Layouts and add/count share it."""
    for _ in range(tries if surfaces else 0):
        surface = surfaces[int(rng.integers(len(surfaces)))]
        turn = yaw if yaw is not None else default_yaw(rng, spec, surface)
        spot = placer.find_spot(rng, surface, obj.dimensions, turn, attempts=attempts)
        if spot is None:
            continue
        obj.transform.rotation = (0.0, 0.0, turn)
        obj.transform.location = spot
        obj.support = surface.id
        scene.objects.append(obj)
        placer.add(obj)
        if spec.holds_objects:
            top = holder_surface(obj, spec.surface_height * obj.transform.scale)
            placer.surfaces[obj.id] = top
        return True
    return False


def default_yaw(rng: np.random.Generator, spec, surface: Surface) -> float:
    """Furniture and people face the camera (±20°); small things turn freely; walls face -Y."""
    if surface.kind == "wall":
        return 0.0
    if "clevr" in spec.tags or surface.kind == "surface":
        return float(rng.uniform(-math.pi, math.pi))
    return float(rng.uniform(-0.35, 0.35))


def holder_heights(scene: Scene, library) -> dict[str, float]:
    """Top-surface height of every holding object in ``scene`` (for Placer.from_scene)."""
    out = {}
    for obj in scene.objects:
        spec = library.get(obj.asset)
        if spec.holds_objects:
            out[obj.id] = spec.surface_height * obj.transform.scale
    return out


def wall_surfaces(env: Environment) -> list[Surface]:
    """Where wall items hang: the back wall of a room, the facade fronts of a street."""
    w, d, h = env.extent
    if env.layout == "room":
        return [
            Surface("wall", "wall", (0.0, (0.9 + h - 0.3) / 2), (w / 2 - 0.3, (h - 1.2) / 2), d / 2)
        ]
    if env.layout == "street":
        return [Surface("wall", "wall", (0.0, 3.2), (w / 2 - 0.5, 0.9), d / 2 - 1.2)]
    return []


def placer_for(scene: Scene, library) -> Placer:
    """The placer of an existing scene (operators use it on after-scenes). A user environment's
    supports come from its scan, as when the scene was composed, not from a generic floor."""
    holders = holder_heights(scene, library)
    if scene.environment.layout != "environment" or not scene.environment.blend_file:
        return Placer.from_scene(scene, holders, wall_surfaces(scene.environment))
    info = load_environment_info(Path(scene.environment.blend_file))
    surfaces = environment_surfaces(info)
    surfaces += [holder_surface(o, holders[o.id]) for o in scene.objects if o.id in holders]
    placer = Placer(surfaces)
    for obj in scene.objects:
        placer.add(obj)
    return placer


def environment_lights(info: dict) -> list[Light]:
    """The file's own lamps (id "file:<name>"): illumination changes act on them, and the
    renderer changes those lamps in the file rather than adding lights of its own."""
    kinds = {"point": "point", "spot": "spot", "area": "area", "sun": "sun"}
    return [
        Light(
            id=f"file:{lamp['name']}",
            type=kinds.get(lamp.get("type", "point"), "point"),
            location=tuple(lamp.get("location", (0.0, 0.0, 3.0))),
            energy=float(lamp.get("energy", 100.0)),
            rgb=tuple(lamp.get("rgb", (1.0, 1.0, 1.0))),
            size=float(lamp.get("size", 0.25)),
            name="sun" if lamp.get("type") == "sun" else "lamp",
        )
        for lamp in info.get("lights", [])
    ]


def environment_surfaces(info: dict) -> list[Surface]:
    """The supports a scan found, as placer surfaces (the first floor is "floor")."""
    out: list[Surface] = []
    for s in info["surfaces"]:
        floor = s["kind"] == "floor" and not any(o.id == "floor" for o in out)
        sid = "floor" if floor else f"surface:{s['name']}"
        out.append(
            Surface(
                sid,
                "floor" if floor else "surface",
                tuple(s["center"]),
                tuple(s["half"]),
                s["height"],
            )
        )
    return out


# ---------------------------------------------------------------------------------------------


def _count_budget(rng: np.random.Generator, cfg: GenerateConfig) -> int:
    return int(rng.integers(cfg.scene.objects.min, cfg.scene.objects.max + 1))


def _add_people(rng, comp: Composition, ground: list[Surface]) -> None:
    people = comp.library.select(tags_any=("person",))
    if not people or rng.random() >= comp.cfg.scene.people.probability:
        return
    for _ in range(int(rng.integers(1, comp.cfg.scene.people.max + 1))):
        comp.place(rng, choose(rng, people), ground)


def _fill(rng, comp: Composition, pool, surfaces, n: int, max_tries: int) -> int:
    """Place up to n objects drawn from ``pool``; returns how many landed."""
    placed = tries = 0
    while placed < n and tries < max_tries and pool:
        tries += 1
        if comp.place(rng, choose(rng, pool), surfaces) is not None:
            placed += 1
    return placed


def _text_pool(library, tags: tuple[str, ...]):
    return [s for s in library.select(tags_any=tags) if s.text_anchor is not None]


def compose_room(rng, cfg: GenerateConfig, library) -> Composition:
    w, d = float(rng.uniform(4.5, 6.0)), float(rng.uniform(4.0, 5.0))
    env = Environment(
        layout="room",
        extent=(w, d, 3.0),
        floor_color=choose(rng, ["brown", "beige", "gray", "white"]),
        floor_material=choose(rng, ["wood", "ceramic", "fabric"]),
        wall_color=choose(rng, ["white", "beige", "gray", "teal", "pink"]),
    )
    comp = _start(rng, cfg, library, env)
    budget = _count_budget(rng, cfg)
    floor = comp.placer.candidates({"floor"})
    indoor = ("indoor",)
    furniture = [s for s in library.select(placement="floor", tags_any=indoor) if not is_person(s)]
    holders = [s for s in furniture if s.holds_objects]
    n_furniture = max(1, min(budget // 3, 5))
    if holders:  # at least one table or shelf so small things have somewhere to go
        comp.place(rng, choose(rng, holders), floor)
    _fill(rng, comp, [s for s in furniture if s.text_anchor is None], floor, n_furniture - 1, 20)
    if rng.random() < cfg.scene.text_objects:
        texts = _text_pool(library, indoor)
        _fill(rng, comp, texts, comp.placer.candidates({"wall", "floor", "surface"}), 1, 8)
    walls = [s for s in library.select(placement="wall", tags_any=indoor) if s.text_anchor is None]
    _fill(rng, comp, walls, comp.placer.candidates({"wall"}), int(rng.integers(0, 3)), 6)
    _add_people(rng, comp, floor)
    small = [s for s in library.select(placement="surface", tags_any=(*indoor, "tabletop"))]
    small = [s for s in small if "clevr" not in s.tags and s.text_anchor is None]
    rest = budget - len(comp.scene.objects)
    _fill(rng, comp, small, comp.placer.candidates({"surface"}), rest, rest * 4)
    rest = budget - len(comp.scene.objects)
    _fill(rng, comp, furniture, floor, rest, rest * 3)
    _room_lights(rng, comp)
    return comp


def compose_street(rng, cfg: GenerateConfig, library) -> Composition:
    env = Environment(
        layout="street",
        extent=(float(rng.uniform(12.0, 16.0)), 12.0, 12.0),
        floor_color="gray",
        floor_material="rubber",
        time_of_day=choose(rng, ["noon", "afternoon", "evening"]),
    )
    comp = _start(rng, cfg, library, env)
    budget = _count_budget(rng, cfg)
    outdoor = ("outdoor",)
    facades = library.select(tags_any=("facade",))
    w, d, _ = env.extent
    # A row of building facades along the back edge (not counted against the object budget).
    x = -w / 2 + 0.2
    while facades and x < w / 2 - 2.0:
        spec = choose(rng, facades)
        obj = instantiate(rng, spec, comp.new_id(spec.category), cfg.text)
        width = obj.dimensions[0]
        if x + width > w / 2:
            break
        obj.transform.location = (x + width / 2, d / 2 - obj.dimensions[1] / 2, 0.0)
        obj.support = "ground"
        comp.scene.objects.append(obj)
        x += width + 0.1
    ground = comp.placer.candidates({"ground"})
    things = [
        s
        for s in library.select(tags_any=outdoor)
        if s.placement in {"ground", "floor"} and not is_person(s) and "facade" not in s.tags
    ]
    if rng.random() < cfg.scene.text_objects:
        texts = _text_pool(library, outdoor)
        _fill(rng, comp, texts, comp.placer.candidates({"wall", "ground"}), 2, 10)
    _add_people(rng, comp, ground)
    rest = budget - len([o for o in comp.scene.objects if "facade" not in o.tags])
    _fill(rng, comp, [s for s in things if s.text_anchor is None], ground, rest, rest * 4)
    _street_lights(rng, comp)
    return comp


def compose_tabletop(rng, cfg: GenerateConfig, library) -> Composition:
    # CLEVR's proportions: objects of 7-14 cm on a 90 cm square (CLEVR: 0.7-1.4 in ~6 units).
    env = Environment(
        layout="tabletop",
        extent=(0.9, 0.9, 1.0),
        floor_color=choose(rng, ["gray", "white", "beige"]),
        floor_material="rubber",
    )
    comp = _start(rng, cfg, library, env)
    budget = _count_budget(rng, cfg)
    prims = library.select(tags_any=("clevr",))
    if not prims:
        raise SamplingError("layout tabletop: no assets tagged 'clevr' after asset filters")
    _fill(rng, comp, prims, comp.placer.candidates({"floor"}), budget, budget * 6)
    comp.scene.lights = [
        Light(id="key", type="area", location=(0.75, -0.75, 1.25), energy=56.0, size=0.5, name="key light"),
        Light(id="fill", type="area", location=(-1.0, -0.5, 1.0), energy=19.0, size=0.5, name="fill light"),
        Light(id="back", type="area", location=(0.0, 1.0, 1.25), energy=31.0, size=0.5, name="back light"),
    ]  # fmt: skip
    return comp


def compose_environment(rng, cfg: GenerateConfig, library) -> Composition:
    """A user .blend: surfaces and cameras come from its sidecar JSON (``<file>.json``)."""
    blend = cfg.assets.environment
    info = load_environment_info(blend)
    env = Environment(  # the file's floor and walls are the file's: no invented colours
        layout="environment",
        extent=tuple(info["extent"]),
        blend_file=str(blend),
        floor_color=None,
        floor_material=None,
        wall_color=None,
    )
    comp = _start(rng, cfg, library, env)
    comp.placer.surfaces.clear()
    for surface in environment_surfaces(info):
        comp.placer.surfaces[surface.id] = surface
    budget = _count_budget(rng, cfg)
    small = [s for s in library.select(placement="surface") if "clevr" not in s.tags]
    # tables and shelves first; the floor too where they are small (a pedestal, a backdrop)
    on_top = comp.placer.candidates({"surface"})
    if sum(4 * s.half[0] * s.half[1] for s in on_top) < 1.0:
        on_top += comp.placer.candidates({"floor"})
    _fill(rng, comp, small, on_top, budget, budget * 5)
    comp.scene.lights = environment_lights(info) or [
        Light(id="fill", type="area", location=(0.0, 0.0, 3.0), energy=200.0, name="light")
    ]
    if info.get("cameras"):
        cam = choose(rng, info["cameras"])
        comp.scene.camera = Camera(
            location=tuple(cam["location"]),
            look_at=tuple(cam["look_at"]),
            lens=cam.get("lens", 35.0),
        )
        comp.framed = True
    return comp


def load_environment_info(blend: Path) -> dict:
    """Support surfaces and camera candidates of a user .blend, from ``<blend>.json``.

    ``diffforge scan-env`` writes this sidecar in a Blender subprocess (the sampler never
    imports bpy); see diffforge/render/environment_scan.py for the custom properties it reads.
    """
    side = Path(str(blend) + ".json")
    if not Path(blend).is_file():
        raise ConfigError(f"assets.environment: {blend}: .blend file not found")
    if not side.is_file():
        raise ConfigError(f"assets.environment: {side}: scan the .blend first (diffforge scan-env)")
    info = json.loads(side.read_text())
    if not any(s.get("kind") == "floor" for s in info.get("surfaces", [])):
        raise ConfigError(f"assets.environment: {side}: no surface tagged diffforge_surface=floor")
    return info


COMPOSERS = {
    "room": compose_room,
    "street": compose_street,
    "tabletop": compose_tabletop,
    "environment": compose_environment,
}


def _start(rng, cfg: GenerateConfig, library, env: Environment) -> Composition:
    walls = wall_surfaces(env)
    scene = Scene(
        environment=env, camera=Camera(location=(0.0, -8.0, 2.0), look_at=(0.0, 0.0, 0.5))
    )
    placer = Placer.from_scene(scene, {}, walls)
    if rng.random() < cfg.scene.hdri:
        scene.world = World(
            hdri=choose(rng, HDRIS[env.layout]),
            strength=float(rng.uniform(0.6, 1.2)),
            rotation=float(rng.uniform(0, 2 * math.pi)),
        )
    return Composition(scene=scene, placer=placer, library=library, cfg=cfg)


def _room_lights(rng, comp: Composition) -> None:
    w, d, h = comp.scene.environment.extent
    lights = [
        Light(id="ceiling", type="area", location=(float(rng.uniform(-1, 1)), float(rng.uniform(-1, 1)), h - 0.05), energy=float(rng.uniform(300, 550)), size=1.2, name="ceiling light"),
        Light(id="fill", type="point", location=(float(rng.uniform(-w / 3, w / 3)), -d / 2 - 1.0, 2.2), energy=float(rng.uniform(90, 180)), name="fill light"),
    ]  # fmt: skip
    lamps = [o for o in comp.scene.objects if o.category in {"lamp", "floor lamp"}]
    for i, lamp in enumerate(lamps):
        x, y, z = lamp.transform.location
        lights.append(
            Light(
                id=f"lamp_{i + 1}",
                type="point",
                location=(x, y, z + lamp.dimensions[2] * 0.9),
                energy=80.0,
                temperature=3000.0,
                rgb=(1.0, 0.71, 0.42),
                size=0.1,
                name=lamp.noun,
            )
        )
    comp.scene.lights = lights


def _street_lights(rng, comp: Composition) -> None:
    tod = comp.scene.environment.time_of_day
    elevation = {"noon": 65.0, "afternoon": 40.0, "evening": 15.0}[tod]
    strength = {"noon": 4.0, "afternoon": 3.0, "evening": 1.5}[tod]
    az = math.radians(float(rng.uniform(-60, 60)))
    comp.scene.lights = [
        Light(
            id="sun",
            type="sun",
            rotation=(math.radians(90 - elevation), 0.0, az),
            energy=strength,
            temperature=6500.0 if tod != "evening" else 3500.0,
            name="sun",
        )
    ]
    for i, lamp in enumerate(o for o in comp.scene.objects if o.category == "street lamp"):
        x, y, _ = lamp.transform.location
        comp.scene.lights.append(
            Light(
                id=f"streetlamp_{i + 1}",
                type="point",
                location=(x, y, lamp.dimensions[2] * 0.95),
                energy=150.0,
                temperature=3200.0,
                on=tod == "evening",
                name="street lamp",
            )
        )
    if comp.scene.world.hdri is None:
        comp.scene.world = World(background=(0.45, 0.6, 0.85), strength=1.0)


def frame_camera(rng, scene: Scene, fill: float = 0.85) -> Camera:
    """A camera looking at the objects from the layout's view, pulled back until all fit."""
    spread, (el_lo, el_hi), lens = CAMERA_VIEWS[scene.environment.layout]
    az = math.radians(float(rng.uniform(-spread, spread)))
    el = math.radians(float(rng.uniform(el_lo, el_hi)))
    objects = [o for o in scene.objects if "facade" not in o.tags] or scene.objects
    corners = np.concatenate([box_corners(o) for o in objects]) if objects else np.zeros((1, 3))
    lo, hi = corners.min(axis=0), corners.max(axis=0)
    target = (lo + hi) / 2
    target[2] = min(target[2], 1.2)
    direction = np.array([math.sin(az) * math.cos(el), -math.cos(az) * math.cos(el), math.sin(el)])
    # The view direction is fixed, so the distance at which every corner fits has a closed form:
    # a corner at camera-space (x, y, z) relative to the target is inside the frame when
    # dist - z >= f·|x| / (fill·w/2) (and likewise for y), with f the focal length in pixels.
    w, h = ASPECT_RESOLUTION
    focal = lens / 36.0 * w
    local = (corners - target) @ look_at_matrix(tuple(direction), (0.0, 0.0, 0.0))
    need_x = focal * np.abs(local[:, 0]) / (fill * w / 2)
    need_y = focal * np.abs(local[:, 1]) / (fill * h / 2)
    dist = float(np.max(local[:, 2] + np.maximum(np.maximum(need_x, need_y), 0.1)))
    loc = target + max(dist, 0.5) * direction
    return Camera(
        location=tuple(round(float(v), 6) for v in loc),
        look_at=tuple(round(float(v), 6) for v in target),
        lens=lens,
    )


def compose(rng, layout: str, cfg: GenerateConfig, library) -> Scene:
    """A base scene of ``layout``, framed."""
    comp = COMPOSERS[layout](rng, cfg, library)
    placed = len([o for o in comp.scene.objects if "facade" not in o.tags])
    if placed < cfg.scene.objects.min:
        raise SamplingError(
            f"layout {layout}: could place only {placed} of scene.objects.min = "
            f"{cfg.scene.objects.min} objects (space or asset filters too tight)"
        )
    if not comp.framed:
        comp.scene.camera = frame_camera(rng, comp.scene)
    return comp.scene
