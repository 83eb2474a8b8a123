"""Environments: how a base scene is composed, one module per layout (room, street, tabletop,
a user's file) and the camera rig.

Each layout picks assets from the library by placement and tag, places them collision-free on
support surfaces, adds lights and a world, and frames everything with the camera.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

from diffforge.config import GenerateConfig
from diffforge.errors import SamplingError
from diffforge.scenes.environments.camera import drop_unseen, frame_camera
from diffforge.scenes.environments.composition import (
    FACING_YAW,
    Composition,
    default_yaw,
    holder_heights,
    nearest_default_yaw,
    optional_spec,
    place_object,
    text_pool,
    wall_surfaces,
)
from diffforge.scenes.environments.room import (
    ROOM_LAMPS,
    ROOM_TYPES,
    compose_room,
    fixtures,
    room_elements,
    shows_material,
)
from diffforge.scenes.environments.street import (
    STREET_CARRIES,
    compose_street,
    street_elements,
    street_lots,
)
from diffforge.scenes.environments.tabletop import compose_tabletop, tabletop_elements
from diffforge.scenes.environments.user_file import (
    compose_environment,
    environment_surfaces,
    file_lacks,
    load_environment_info,
)
from diffforge.scenes.model import Camera, Element, Environment, Scene
from diffforge.scenes.placement import Placer, Surface, holder_surface

__all__ = [
    "COMPOSERS",
    "FACING_YAW",
    "FEATURES",
    "Composition",
    "architecture",
    "attach",
    "carries",
    "compose",
    "default_yaw",
    "file_lacks",
    "nearest_default_yaw",
    "place_object",
    "placer_for",
    "spots_for",
]


COMPOSERS = {
    "room": compose_room,
    "street": compose_street,
    "tabletop": compose_tabletop,
    "environment": compose_environment,
}


# What a change type may need of a scene (``ChangeOperator.scene_needs``), in words for errors.
FEATURES = {
    "text": "a sign legible at the frame (scene.text_objects > 0, sign assets, a room or "
    "street layout whose signs read at render.resolution)",
    "person": "a person (scene.people.probability > 0, person assets, a room or street layout)",
    "holder": "something standing on a table or shelf (a room layout)",
    "material": "an object whose material change shows (a table that can turn to glass: a room "
    "layout; any layout where visibility.distinct_material_looks is off)",
    "turnable": "a thing that can turn, large enough in view to see it turned (every layout; a "
    "street stands one near the camera)",
    "group": "a countable kind in view, each large enough to count (every layout; a street "
    "stands two of one near the camera)",
    "lamp": "a lamp in view, large enough to see it switched (a room layout: a floor lamp "
    "stands in the open before the camera)",
}


def carries(layout: str, cfg: GenerateConfig, library) -> frozenset[str]:
    """The features (``FEATURES``) a layout can compose when a drawn change wants them. A
    user's file carries those its scan does not rule out (``file_lacks``)."""
    if layout == "environment":
        if cfg.assets.environment is None:
            return frozenset(FEATURES)
        return frozenset(FEATURES) - set(file_lacks(load_environment_info(cfg.assets.environment)))
    out = set()
    if layout in ("room", "street"):
        where = "indoor" if layout == "room" else "outdoor"
        if cfg.scene.text_objects > 0 and any(
            s.placement == "wall" for s in text_pool(library, (where,))
        ):
            out.add("text")
        if cfg.scene.people.probability > 0 and library.select(tags_any=("person",)):
            out.add("person")
    if layout == "street":  # stood near the camera when wanted (``STREET_CARRIES``)
        out |= {f for f in ("turnable", "group")
                if any(optional_spec(library, a) for a in STREET_CARRIES[f][0])}  # fmt: skip
    else:  # rooms' furniture and clutter, the tabletop's cubes and its several of a shape
        out |= {"turnable", "group"}
    if layout == "room":
        out.add("holder")
        if any(optional_spec(library, a) for a in ROOM_LAMPS):
            out.add("lamp")
        if any(shows_material(library, t) for t in ROOM_TYPES):
            out.add("material")
    elif not cfg.visibility.distinct_material_looks:  # any swap counts: rubber to metal
        out.add("material")
    return frozenset(out)


def compose(
    rng, layout: str, cfg: GenerateConfig, library, wants: frozenset[str] = frozenset()
) -> Scene:
    """A base scene of ``layout``, framed; ``wants``: features (``FEATURES``) the changes drawn
    for it need, included whatever the config's probabilities drew."""
    comp = COMPOSERS[layout](rng, cfg, library, wants)
    placed = len([o for o in comp.scene.objects if "facade" not in o.tags])
    if placed < cfg.scene.objects.min:
        raise SamplingError(
            f"layout {layout}: could place only {placed} of scene.objects.min = "
            f"{cfg.scene.objects.min} objects (space or asset filters too tight)"
        )
    if not comp.framed:
        cam = comp.cfg.scene.camera
        comp.scene.camera = frame_camera(rng, comp.scene, lens=cam.lens, aspect=cam.aspect)
    elif layout in ("room", "street"):
        drop_unseen(comp.scene, cfg)
    return attach(comp.scene)


# Each layout's architecture; a user's .blend brings its own, any other layout (a street
# without a road included) stands on the tabletop's plain ground.
SHELLS: dict[str, Callable[[Scene], list[Element]]] = {
    "environment": lambda scene: [],
    "room": room_elements,
    "street": lambda scene: (
        street_elements(scene) if scene.environment.road_width > 0 else tabletop_elements(scene)
    ),
    "tabletop": tabletop_elements,
}


def attach(scene: Scene) -> Scene:
    """``scene`` with its architecture (re)emitted: after a change of camera or lamps too."""
    scene.elements = tuple(architecture(scene))
    return scene


def architecture(scene: Scene) -> list[Element]:
    """Every fixed element of ``scene``'s environment, in the order the renderer builds them:
    the layout's shell, then the fixtures of a closed room's lamps."""
    env = scene.environment
    # only an open room's shell depends on the camera (a wall it stands behind is hidden from
    # it): the others are cached per environment, whatever camera jitter a draw added
    sees_camera = env.layout == "room" and not env.ceiling
    camera = tuple(scene.camera.location) if sees_camera else (0.0, 0.0, 0.0)
    shell = _shell(env.model_dump_json(), camera)
    if env.layout == "room" and env.ceiling:
        return [*shell, *fixtures(scene)]
    return list(shell)


@functools.lru_cache(maxsize=64)
def _shell(env_json: str, camera: tuple[float, ...]) -> tuple[Element, ...]:
    """Cached: depends only on the environment and where the camera stands, and the sampler
    asks for the same shell for every change it tries on a scene."""
    env = Environment.model_validate_json(env_json)
    scene = Scene(environment=env, camera=Camera(location=camera, look_at=(0.0, 0.0, 0.0)))
    return tuple(SHELLS.get(env.layout, tabletop_elements)(scene))


def spots_for(scene: Scene, surface: Surface, spec) -> list[Surface]:
    """Where ``spec`` (an asset spec or an object) may stand on ``surface``: on a street's
    ground, the road's lanes for a road vehicle and the sidewalks for anything else
    (``street_lots``); elsewhere the surface itself."""
    env = scene.environment
    if env.layout == "street" and env.road_width > 0 and surface.kind == "ground":
        return street_lots(scene, surface, spec)
    return [surface]


def placer_for(scene: Scene, library) -> Placer:
    """The placer of an existing scene (operators use it on after-scenes). A user environment's
    supports come from its scan, as when the scene was composed, not from a generic floor."""
    holders = holder_heights(scene, library)
    if scene.environment.layout != "environment" or not scene.environment.blend_file:
        return Placer.from_scene(scene, holders, wall_surfaces(scene.environment))
    info = load_environment_info(Path(scene.environment.blend_file))
    surfaces = environment_surfaces(info, scene)
    surfaces += [holder_surface(o, holders[o.id]) for o in scene.objects if o.id in holders]
    placer = Placer(surfaces)
    for obj in scene.objects:
        placer.add(obj)
    return placer
