"""What every layout composes with: the scene under construction, where things go and which
way they face, the object budget, and the world a layout starts from."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from diffforge.config import GenerateConfig
from diffforge.errors import AssetError
from diffforge.scenes.file_objects import asset_spec
from diffforge.scenes.instances import choose, instantiate
from diffforge.scenes.model import Camera, Environment, ObjectInstance, Scene, World
from diffforge.scenes.placement import Placer, Surface, extents_on, holder_surface

# The CC0 HDRIs in the bpy wheel (datafiles/studiolights/world), by the layouts they suit.
HDRIS: dict[str, tuple[str, ...]] = {
    "room": ("city.exr", "courtyard.exr", "forest.exr", "sunrise.exr"),  # seen through windows
    "street": ("city.exr", "courtyard.exr", "sunrise.exr", "sunset.exr", "forest.exr"),
    "tabletop": ("studio.exr", "interior.exr"),
    "environment": ("interior.exr", "city.exr"),
}


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


# Furniture and people face the camera within this yaw (rad, about 20°).
FACING_YAW = 0.35


def _turns_freely(spec, surface: Surface) -> bool:
    return "clevr" in spec.tags or surface.kind == "surface"


def default_yaw(rng: np.random.Generator, spec, surface: Surface) -> float:
    """Furniture and people face the camera (±20°); small things turn freely; walls face -Y."""
    if surface.kind == "wall":
        return 0.0
    if _turns_freely(spec, surface):
        return float(rng.uniform(-math.pi, math.pi))
    return float(rng.uniform(-FACING_YAW, FACING_YAW))


def nearest_default_yaw(spec, surface: Surface, yaw: float) -> float:
    """The yaw ``default_yaw`` could give ``spec`` that is closest to ``yaw``: a replacement
    keeps its predecessor's turn only where a fresh asset of its kind could have it (a shelf
    taking a turned stool's yaw showed the camera its back). Draws nothing from the RNG."""
    if surface.kind == "wall":
        return 0.0
    if _turns_freely(spec, surface):
        return yaw
    wrapped = (yaw + math.pi) % (2 * math.pi) - math.pi
    return float(min(max(wrapped, -FACING_YAW), FACING_YAW))


def holder_heights(scene: Scene, library) -> dict[str, float]:
    """Top-surface height of every holding object in ``scene`` (for Placer.from_scene)."""
    out = {}
    for obj in scene.objects:
        spec = asset_spec(library, obj)
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
    if env.layout == "street" and env.road_width > 0:  # the facade fronts, above the shop doors
        face = env.road_width / 2 + env.sidewalk_width
        return [Surface("wall", "wall", (0.0, 3.4), (w / 2 - 0.5, 0.8), face)]
    if env.layout == "street":
        return [Surface("wall", "wall", (0.0, 3.2), (w / 2 - 0.5, 0.9), d / 2 - 1.2)]
    return []


def start_composition(rng, cfg: GenerateConfig, library, env: Environment) -> Composition:
    """An empty scene of ``env``: its placer (floor and walls), a placeholder camera, a world."""
    walls = wall_surfaces(env)
    scene = Scene(
        environment=env, camera=Camera(location=(0.0, -8.0, 2.0), look_at=(0.0, 0.0, 0.5))
    )
    placer = Placer.from_scene(scene, {}, walls)
    # rooms and streets: Blender's physical sky; an HDRI, when drawn, only lights the scene
    # (camera rays still see the sky), so it is never a photo backdrop behind a built scene
    sky = "physical" if env.layout in ("room", "street") else None
    if rng.random() < cfg.scene.hdri:
        scene.world = World(
            hdri=choose(rng, HDRIS[env.layout]),
            strength=float(rng.uniform(0.6, 1.2)),
            rotation=float(rng.uniform(0, 2 * math.pi)),
            sky=sky,
        )
    else:
        scene.world = World(sky=sky, strength=1.0)
    return Composition(scene=scene, placer=placer, library=library, cfg=cfg)


def count_budget(rng: np.random.Generator, cfg: GenerateConfig) -> int:
    """How many objects a sparse layout (tabletop, a user's file) aims for."""
    return int(rng.integers(cfg.scene.objects.min, cfg.scene.objects.max + 1))


def dense_budget(rng, cfg: GenerateConfig, layout: str) -> int:
    """How many objects a furnished layout aims for (``scene.dense``, at least objects.min)."""
    r = cfg.scene.dense.get(layout) or cfg.scene.objects
    lo = max(r.min, cfg.scene.objects.min)
    return int(rng.integers(lo, max(r.max, lo) + 1))


def add_people(rng, comp: Composition, ground: list[Surface], wanted: bool = False) -> None:
    """People standing on ``ground``, with the config's probability (always where a drawn
    change ``wanted`` one) and at most its count."""
    people = comp.library.select(tags_any=("person",))
    if not people or (rng.random() >= comp.cfg.scene.people.probability and not wanted):
        return
    for _ in range(int(rng.integers(1, comp.cfg.scene.people.max + 1))):
        comp.place(rng, choose(rng, people), ground)


def fill(rng, comp: Composition, pool, surfaces, n: int, max_tries: int) -> int:
    """Place up to n objects drawn from ``pool``; returns how many landed."""
    placed = tries = 0
    while placed < n and tries < max_tries and pool:
        tries += 1
        if comp.place(rng, choose(rng, pool), surfaces) is not None:
            placed += 1
    return placed


def text_pool(library, tags: tuple[str, ...]):
    """The text-bearing assets with any of ``tags``."""
    return [s for s in library.select(tags_any=tags) if s.text_anchor is not None]


# Uppercase letters of the renderer's fonts at size 1: about this wide (with spacing) and
# tall. The renderer fits a string into 0.9 of its sign's text anchor by the tighter of the
# two (render.blender.text).
LETTER_WIDTH, LETTER_HEIGHT = 0.62, 0.72


def letter_share(string: str, anchor, size) -> float:
    """Height of ``string``'s letters as a share of its sign's height (``size``: the asset's
    nominal dimensions): a long word on a narrow poster is a few pixels tall."""
    n = max(len(string), 1)
    letters = 0.9 * min(anchor.width * LETTER_HEIGHT / (LETTER_WIDTH * n), anchor.height)
    tall = size[2] if abs(anchor.normal[2]) < 0.5 else size[1]  # a floor text lies flat
    return letters / max(tall, 1e-6)


def place_legible_sign(rng, comp: Composition, pool, surfaces) -> ObjectInstance | None:
    """For a drawn text change: first the sign of ``pool`` whose letters are tallest (a
    six-letter word; wall text's are 2.6 times a poster's), the one most likely to read at
    the frame; the layout's other signs follow as drawn. Returns it (None: none placed), for
    a camera to frame."""
    if not pool:
        return None
    best = max(pool, key=lambda s: (letter_share("X" * 6, s.text_anchor, s.size) * s.size[2], s.id))
    return comp.place(rng, best, surfaces)


def optional_spec(library, asset_id: str):
    """The library's asset ``asset_id``, or None where the config's filters left it out."""
    try:
        return library.get(asset_id)
    except AssetError:  # filtered out by the config's asset filters
        return None


def put_at(
    comp: Composition,
    rng,
    spec,
    x: float,
    y: float,
    yaw: float,
    support: str = "floor",
    z: float = 0.0,
    check: bool = True,
) -> ObjectInstance | None:
    """Instantiate ``spec`` at (x, y) turned by ``yaw``; None when it does not fit there."""
    if spec is None:
        return None
    obj = instantiate(rng, spec, comp.new_id(spec.category), comp.cfg.text)
    obj.transform.location = (round(float(x), 6), round(float(y), 6), float(z))
    obj.transform.rotation = (0.0, 0.0, round(float(yaw), 6))
    obj.support = support
    surface = comp.placer.surfaces.get(support)
    if check and surface is not None and not surface.fits(*extents_on(obj, surface)):
        comp.counter -= 1
        return None
    comp.scene.objects.append(obj)
    comp.placer.add(obj)
    if spec.holds_objects:
        comp.placer.surfaces[obj.id] = holder_surface(
            obj, spec.surface_height * obj.transform.scale
        )
    return obj
