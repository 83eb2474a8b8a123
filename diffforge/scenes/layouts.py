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
from diffforge.errors import AssetError, ConfigError, SamplingError
from diffforge.scenes.file_objects import PREFIX, asset_spec, check_user_edits, file_instances
from diffforge.scenes.geometry import box_corners, look_at_matrix
from diffforge.scenes.instances import choose, instantiate
from diffforge.scenes.lighting import drop_lamp_light, lamp_light_id
from diffforge.scenes.model import (
    Camera,
    Environment,
    Light,
    ObjectInstance,
    Opening,
    Scene,
    World,
)
from diffforge.scenes.placement import Placer, Surface, holder_surface

# The CC0 HDRIs in the bpy wheel (datafiles/studiolights/world), by the layouts they suit.
HDRIS: dict[str, tuple[str, ...]] = {
    "room": ("city.exr", "courtyard.exr", "forest.exr", "sunrise.exr"),  # seen through windows
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
ASPECT_RESOLUTION = (400, 300)  # framing width 400 px; the height follows scene.camera.aspect


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


def surface_ids(info: dict) -> dict[str, str]:
    """Surface name in the sidecar -> placer id: "floor" for the first floor, the object's id
    (``file:<name>``) for the top of a file object that may change (its first rectangle: it
    holds things as a library table does), else ``surface:<name>``."""
    changeable = {o["name"] for o in info.get("objects", []) if o.get("changeable")}
    out: dict[str, str] = {}
    for s in info["surfaces"]:
        holder = s.get("object") if s.get("object") in changeable else None
        if s["kind"] == "floor" and "floor" not in out.values():
            out[s["name"]] = "floor"
        elif holder is not None:
            if f"{PREFIX}{holder}" not in out.values():
                out[s["name"]] = f"{PREFIX}{holder}"
        else:
            out[s["name"]] = f"surface:{s['name']}"
    return out


def environment_surfaces(info: dict, scene: Scene | None = None) -> list[Surface]:
    """The supports a scan found, as placer surfaces (the first floor is "floor"). The top of
    a file object that may change holds things only while the object is where the file has
    it (``scene``: the scene the placer is for). Objects that may not change keep their
    ground: a user who marks one fixed after the scan still gets nothing placed into it."""
    ids = surface_ids(info)
    objects = {o["name"]: o for o in info.get("objects", [])}
    out: list[Surface] = []
    for s in info["surfaces"]:
        sid = ids.get(s["name"])
        if sid is None:
            continue
        if sid.startswith(PREFIX) and scene is not None:
            obj = scene.find(sid)
            if obj is None or not _where_scanned(obj, objects[sid[len(PREFIX) :]]):
                continue
        kind = "floor" if sid == "floor" else "surface"
        out.append(Surface(sid, kind, tuple(s["center"]), tuple(s["half"]), s["height"]))
    by_id = {x.id: x for x in out}
    owner = {ids.get(s["name"]): s.get("object") for s in info["surfaces"]}
    for o in objects.values():
        surface = by_id.get(ids.get(o.get("on") or ""))
        if o.get("changeable") or surface is None or owner.get(surface.id) == o["name"]:
            continue
        lo, hi = o["min"], o["max"]
        surface.occupy((lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2,
                       (hi[0] - lo[0]) / 2, (hi[1] - lo[1]) / 2, owner=f"fixed:{o['name']}")  # fmt: skip
    return out


def _where_scanned(obj: ObjectInstance, entry: dict) -> bool:
    """Whether a file object stands as the file has it (not moved, turned or resized)."""
    lo, hi = entry["min"], entry["max"]
    x, y, z = obj.transform.location
    same = abs(x - (lo[0] + hi[0]) / 2) + abs(y - (lo[1] + hi[1]) / 2) + abs(z - lo[2]) < 1e-4
    return same and obj.transform.scale == 1.0 and obj.transform.rotation == (0.0, 0.0, 0.0)


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


STREET_TIMES = ("morning", "noon", "evening")
# sun elevation (deg), strength (W/m²), colour temperature, exposure (EV) per time of day
SUN_BY_TIME = {
    "morning": (24.0, 3.2, 4800.0, 0.3),
    "noon": (62.0, 4.0, 6000.0, 0.0),
    "afternoon": (40.0, 3.5, 5600.0, 0.1),
    "evening": (9.0, 2.2, 3300.0, 0.7),
}
NIGHT_EXPOSURE = 1.0
STREET_SKY = 2.0  # world strength: the sky's share of the light in the street's shadows


def compose_street(rng, cfg: GenerateConfig, library) -> Composition:
    """A street: a two-lane road with markings and a crossing, raised sidewalks with kerbs on
    both sides, shop facades along the far sidewalk with signs on them, parked cars, trees,
    lamps and street furniture on the sidewalks, people on the sidewalks."""
    night = rng.random() < cfg.scene.night
    road = float(choose(rng, [6.5, 7.0, 8.0]))
    walk = float(rng.uniform(3.0, 4.0))
    w = float(rng.uniform(20.0, 24.0))
    d = road + 2 * walk + 1.0
    env = Environment(
        layout="street",
        extent=(round(w, 4), round(d, 4), 12.0),
        floor_color="gray",
        floor_material="asphalt",
        time_of_day="night" if night else choose(rng, list(STREET_TIMES)),
        road_width=road,
        sidewalk_width=round(walk, 4),
        wall_color=choose(rng, ["gray", "beige", "white"]),
    )
    comp = _start(rng, cfg, library, env)
    budget = _dense_budget(rng, cfg, "street")
    get = lambda aid: _spec(library, aid)  # noqa: E731
    kerb = 0.12  # sidewalk height
    far, near = road / 2, -road / 2  # the road's edges (far: facade side)
    face = far + walk  # facade fronts
    # 1. facades along the far sidewalk, touching each other
    facades = library.select(tags_any=("facade",))
    x = -w / 2 - 2.0
    while facades and x < w / 2 + 2.0:
        spec = choose(rng, facades)
        obj = instantiate(rng, spec, comp.new_id(spec.category), cfg.text)
        obj.transform.location = (
            round(x + obj.dimensions[0] / 2, 6),
            round(face + obj.dimensions[1] / 2, 6),
            0.0,
        )
        obj.support = "ground"
        comp.scene.objects.append(obj)
        x += obj.dimensions[0] + 0.02

    def on_walk(spec, x: float, side: int, offset: float, yaw: float) -> ObjectInstance | None:
        """On the far (side=1) or near (side=-1) sidewalk, ``offset`` metres from the kerb."""
        y = far + offset if side > 0 else near - offset
        return _put(comp, rng, spec, x, y, yaw, support="ground", z=kerb)

    # 2. lamps and trees in a row along each kerb, furniture between them
    for side in (1, -1):
        x = -w / 2 + float(rng.uniform(0.5, 2.5))
        while x < w / 2 - 0.5:
            kind = choose(
                rng,
                [
                    "street_lamp",
                    "tree",
                    "tree",
                    "bench",
                    "trash_bin",
                    "bollard",
                    "bicycle",
                    "fire_hydrant",
                    "sign_post",
                ],
            )
            spec = get(kind)
            if spec is None:
                x += 1.0
                continue
            if side < 0 and abs(x) < 5.0:  # keep the near sidewalk in front of the camera clear
                x = 5.0
                continue
            yaw = 0.0 if side > 0 else math.pi  # lamps reach over the road, benches face it
            if kind == "bicycle":
                yaw = math.pi / 2
            offset = 0.45 + spec.size[1] / 2 if kind != "tree" else 1.0
            obj = on_walk(spec, x, side, offset, yaw)
            x += (obj.dimensions[0] if obj is not None else 0.6) + float(rng.uniform(0.8, 2.2))
    # ... and a row along the far facades: benches, bikes, planters, bins, café boxes
    x = -w / 2 + float(rng.uniform(0.3, 1.5))
    while x < w / 2 - 0.5:
        spec = get(choose(rng, ["bench", "bicycle", "bush", "trash_bin", "box", "traffic_cone"]))
        if spec is None:
            x += 1.0
            continue
        yaw = math.pi / 2 if spec.id == "bicycle" else 0.0
        dy = spec.size[0] if spec.id == "bicycle" else spec.size[1]
        obj = on_walk(spec, x + spec.size[0] / 2, 1, walk - 0.35 - dy / 2, yaw)
        x += (obj.dimensions[0] if obj is not None else 0.5) + float(rng.uniform(0.6, 2.5))
    # 3. cars parked along both kerbs, lengthwise
    car = get("car")
    for side in (1, -1):
        x = -w / 2 + float(rng.uniform(1.0, 4.0))
        while car is not None and x < w / 2 - 2.5:
            if rng.random() < 0.55 and (side > 0 or abs(x + 2.2) > 8.0):  # none by the camera
                y = far - 1.15 if side > 0 else near + 1.15
                obj = _put(
                    comp,
                    rng,
                    car,
                    x + 2.2,
                    y,
                    math.pi / 2 if side > 0 else -math.pi / 2,
                    support="ground",
                )
                x += 5.2 if obj is not None else 1.0
            else:
                x += float(rng.uniform(3.0, 7.0))
    # 4. signs on the facades, people on the sidewalks, small things on the sidewalks
    walls = comp.placer.candidates({"wall"})
    if rng.random() < cfg.scene.text_objects:
        texts = [s for s in _text_pool(library, ("outdoor",)) if s.placement == "wall"]
        _fill(rng, comp, texts, walls, int(rng.integers(1, 4)), 12)
    people = library.select(tags_any=("person",))
    if people and rng.random() < cfg.scene.people.probability:
        for _ in range(int(rng.integers(1, cfg.scene.people.max + 1))):
            side = 1 if rng.random() < 0.6 else -1
            on_walk(
                choose(rng, people),
                float(rng.uniform(-w / 3, w / 3)),
                side,
                float(rng.uniform(0.8, walk - 0.8)),
                float(rng.uniform(-0.4, 0.4)),
            )
    small = [get(a) for a in ("traffic_cone", "bollard", "trash_bin", "bush", "box")]
    small = [s for s in small if s is not None]
    tries = 0
    while len(comp.scene.objects) < budget and tries < 40 and small:
        tries += 1
        side = 1 if rng.random() < 0.7 else -1
        x = float(rng.uniform(-w / 2 + 1, w / 2 - 1))
        if side < 0 and abs(x) < 5.0:  # the near sidewalk in front of the camera stays clear
            continue
        on_walk(
            choose(rng, small),
            x,
            side,
            float(rng.uniform(0.5, walk - 0.6)),
            float(rng.uniform(-math.pi, math.pi)),
        )
    _street_lights(rng, comp)
    comp.scene.camera = _street_camera(rng, comp)
    comp.framed = True
    return comp


def _street_camera(rng, comp: Composition) -> Camera:
    """From the near sidewalk across the road to the facades: eye height or raised."""
    cfg = comp.cfg.scene.camera
    env = comp.scene.environment
    view = _camera_view(rng, cfg)
    lens = cfg.lens or float(rng.uniform(22.0, 28.0))
    near = -env.road_width / 2 - env.sidewalk_width
    x0 = float(rng.uniform(-3.0, 3.0))
    if view == "eye":
        loc = (x0, near + 0.6, 0.12 + float(rng.uniform(1.5, 1.75)))  # on the near sidewalk
        ty = env.road_width / 2 + 1.0
        # looking down by 5-9°: a viewpoint change's elevation clamp (3°) never flips its sign
        tz = loc[2] - (ty - loc[1]) * math.tan(math.radians(float(rng.uniform(5.0, 9.0))))
        target = (x0 + float(rng.uniform(-2.5, 2.5)), ty, tz)
    else:
        loc = (x0, near + 0.4, float(rng.uniform(5.0, 8.0)))  # from a first-floor window
        target = (
            x0 + float(rng.uniform(-2.0, 2.0)),
            env.road_width / 2,
            float(rng.uniform(0.5, 1.2)),
        )
    return Camera(
        location=tuple(round(v, 6) for v in loc),
        look_at=tuple(round(v, 6) for v in target),
        lens=round(lens, 3),
    )


# -- closed, furnished rooms ------------------------------------------------------------------

# Room types: what stands where. "back"/"side" pieces stand against a wall facing the room,
# "group" is a table with seats around it, "center" a piece in the open; "clutter" is what
# lies on tables, shelves and cabinets; "wall" what hangs on the back wall.
ROOM_TYPES: dict[str, dict[str, tuple[str, ...]]] = {
    "living room": {
        "back": ("sofa", "shelf", "cabinet"), "side": ("shelf", "cabinet", "armchair", "floor_lamp", "potted_plant"),
        "group": ("coffee_table",), "seats": ("armchair", "armchair", "stool"),
        "clutter": ("book", "mug", "vase", "bowl", "candle", "plant_pot", "television", "box", "table_lamp", "cup"),
        "wall": ("picture_frame", "wall_clock", "poster"),
    },
    "kitchen": {
        "back": ("cabinet", "cabinet", "shelf"), "side": ("cabinet", "shelf", "potted_plant"),
        "group": ("table",), "seats": ("chair", "chair", "chair", "chair", "stool"),
        "clutter": ("bowl", "cup", "mug", "teapot", "bottle", "apple", "orange_fruit", "soda_can", "vase", "candle"),
        "wall": ("wall_clock", "picture_frame", "poster"),
    },
    "office": {
        "back": ("desk", "shelf", "cabinet"), "side": ("desk", "shelf", "cabinet", "potted_plant"),
        "group": ("table",), "seats": ("chair", "chair", "chair"),
        "clutter": ("laptop", "mug", "book", "box", "table_lamp", "bottle", "plant_pot", "cup", "soda_can"),
        "wall": ("wall_clock", "picture_frame", "poster", "wall_text"),
    },
    "bedroom": {
        "back": ("sofa", "cabinet", "shelf"), "side": ("cabinet", "shelf", "armchair", "floor_lamp", "potted_plant"),
        "group": ("side_table",), "seats": ("stool", "chair"),
        "clutter": ("book", "candle", "vase", "table_lamp", "box", "toy_car", "ball", "mug", "plant_pot"),
        "wall": ("picture_frame", "wall_clock", "poster"),
    },
    "shop": {
        "back": ("shelf", "shelf", "cabinet"), "side": ("shelf", "cabinet", "shelf"),
        "group": ("table",), "seats": ("stool",),
        "clutter": ("box", "bottle", "soda_can", "vase", "bowl", "toy_car", "toy_blocks", "ball", "teapot", "book"),
        "wall": ("poster", "wall_text", "wall_clock"),
    },
    "classroom": {
        "back": ("shelf", "cabinet", "desk"), "side": ("shelf", "cabinet", "potted_plant"),
        "group": ("desk",), "seats": ("chair",),
        "clutter": ("book", "laptop", "box", "mug", "plant_pot", "bottle", "ball"),
        "wall": ("wall_text", "poster", "wall_clock", "picture_frame"),
    },
}  # fmt: skip
ROOM_FLOORS = {
    "living room": ("wood", "fabric"), "kitchen": ("tiles", "ceramic"), "office": ("fabric", "wood"),
    "bedroom": ("wood", "fabric"), "shop": ("tiles", "concrete"), "classroom": ("tiles", "wood"),
}  # fmt: skip
ROOM_WALL_COLORS = ("white", "beige", "gray", "teal", "pink", "yellow", "green", "blue")


def _spec(library, asset_id: str):
    try:
        return library.get(asset_id)
    except AssetError:  # filtered out by the config's asset filters
        return None


def _put(
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
    if check and surface is not None:
        from diffforge.scenes.placement import extents_on

        if not surface.fits(*extents_on(obj, surface)):
            comp.counter -= 1
            return None
    comp.scene.objects.append(obj)
    comp.placer.add(obj)
    if spec.holds_objects:
        comp.placer.surfaces[obj.id] = holder_surface(
            obj, spec.surface_height * obj.transform.scale
        )
    return obj


def _room_openings(rng, w: float, d: float, h: float) -> list[Opening]:
    """Windows on the side and front walls, one door on a side wall; the back wall stays whole."""
    out: list[Opening] = []
    door_wall = choose(rng, ["left", "right"])
    door_y = float(rng.uniform(-d / 2 + 0.9, -d / 2 + 1.6))
    out.append(Opening(kind="door", wall=door_wall, center=round(door_y, 4), bottom=0.0,
                       width=0.9, height=2.1))  # fmt: skip
    for wall in ("left", "right", "front"):
        length = w if wall == "front" else d
        n = int(rng.integers(1, 3)) if wall != "front" else 1
        width = float(rng.uniform(0.9, 1.5))
        sill = float(rng.uniform(0.8, 1.0))
        top = min(h - 0.3, sill + float(rng.uniform(1.2, 1.6)))
        slots = np.linspace(-length / 2, length / 2, n + 2)[1:-1]
        for c in slots:
            c = float(c + rng.uniform(-0.3, 0.3))
            if wall == door_wall and abs(c - door_y) < width / 2 + 0.8:
                c = door_y + (width / 2 + 1.0)
            if abs(c) + width / 2 > length / 2 - 0.3:
                continue
            out.append(Opening(kind="window", wall=wall, center=round(c, 4), bottom=round(sill, 4),
                               width=round(width, 4), height=round(top - sill, 4)))  # fmt: skip
    return out


def compose_room(rng, cfg: GenerateConfig, library) -> Composition:
    room_type = choose(rng, sorted(ROOM_TYPES))
    plan = ROOM_TYPES[room_type]
    w, d = float(rng.uniform(5.5, 7.0)), float(rng.uniform(5.0, 6.5))
    h = float(rng.uniform(2.7, 3.0))
    env = Environment(
        layout="room",
        extent=(round(w, 4), round(d, 4), round(h, 4)),
        floor_color=choose(rng, ["brown", "beige", "gray", "white", "orange"]),
        floor_material=choose(rng, list(ROOM_FLOORS[room_type])),
        wall_color=choose(rng, list(ROOM_WALL_COLORS)),
        room_type=room_type,
        ceiling=True,
        trim_color=choose(rng, ["white", "brown", "gray"]),
    )
    env.openings = _room_openings(rng, w, d, h)
    comp = _start(rng, cfg, library, env)
    budget = _dense_budget(rng, cfg, "room")
    floor = comp.placer.surfaces["floor"]
    # keep the strip in front of the camera (the front wall) free; reserve the doorway
    front = 2.0
    floor.center, floor.half = (0.0, front / 2), (w / 2 - 0.05, (d - front) / 2 - 0.05)
    door = next(o for o in env.openings if o.kind == "door")
    sx = -1 if door.wall == "left" else 1
    floor.occupy(sx * (w / 2 - 0.6), door.center, 0.6, door.width / 2 + 0.2, "doorway")
    get = lambda aid: _spec(library, aid)  # noqa: E731

    # 1. against the back wall, left to right
    x = -w / 2 + 0.15
    while x < w / 2 - 0.6:
        spec = get(choose(rng, list(plan["back"])))
        if spec is None:
            break
        sw, sd = spec.size[0], spec.size[1]
        if x + sw > w / 2 - 0.1:
            break
        if _put(comp, rng, spec, x + sw / 2, d / 2 - sd / 2 - 0.06, 0.0) is not None:
            x += sw + float(rng.uniform(0.1, 0.6))
        else:
            x += 0.3
    # 2. along the side walls, facing into the room
    for side in (-1, 1):
        y = d / 2 - 1.2
        while y > -d / 2 + front + 0.3:
            spec = get(choose(rng, list(plan["side"])))
            if spec is None:
                break
            sw, sd = spec.size[0], spec.size[1]
            cx = side * (w / 2 - sd / 2 - 0.06)
            yaw = -side * math.pi / 2  # the front (-Y) turned to face the room's centre
            if _put(comp, rng, spec, cx, y - sw / 2, yaw) is not None:
                y -= sw + float(rng.uniform(0.2, 0.8))
            else:
                y -= 0.4
    # 3. a group in the open: a table (on a rug in living rooms) with seats facing it
    spec = get(plan["group"][0])
    if spec is not None:
        gx, gy = float(rng.uniform(-0.6, 0.6)), float(rng.uniform(0.0, 0.6))
        if room_type == "classroom":
            for row in (0, 1):
                for col in (-1, 0, 1):
                    t = _put(comp, rng, spec, col * 1.7, gy + 0.6 - row * 1.5, 0.0)
                    seat = get("chair")
                    if t is not None and seat is not None:
                        _put(comp, rng, seat, col * 1.7, gy + 0.6 - row * 1.5 - 0.6, 0.0)
        else:
            rug = get("rug") if room_type in ("living room", "bedroom", "office") else None
            table = _put(comp, rng, spec, gx, gy, 0.0)
            if rug is not None:  # beside the group (the placer keeps footprints apart)
                comp.place(rng, rug, [floor], yaw=0.0)
            if table is not None:
                tx, ty = table.dimensions[0] / 2, table.dimensions[1] / 2
                spots = [(gx - tx - 0.45, gy, -math.pi / 2), (gx + tx + 0.45, gy, math.pi / 2),
                         (gx, gy + ty + 0.45, math.pi), (gx, gy - ty - 0.5, 0.0)]  # fmt: skip
                order = rng.permutation(len(spots))
                for i in order[: int(rng.integers(2, 5))]:
                    sxp, syp, yaw = spots[int(i)]
                    seat = get(choose(rng, list(plan["seats"])))
                    # a seat's front is -Y: turn it to face the table
                    _put(comp, rng, seat, sxp, syp, yaw + math.pi)
    # 4. wall art on the back wall, text if the scene has any
    walls = comp.placer.candidates({"wall"})
    for _ in range(int(rng.integers(2, 4))):
        spec = get(choose(rng, [a for a in plan["wall"] if a != "wall_text"]))
        if spec is not None:
            comp.place(rng, spec, walls)
    if rng.random() < cfg.scene.text_objects:
        texts = [s for s in _text_pool(library, ("indoor",)) if s.placement == "wall"]
        _fill(rng, comp, texts, walls, int(rng.integers(1, 3)), 8)
    # 5. people standing on the floor, clutter on every surface, then whatever still fits
    _add_people(rng, comp, [floor])
    small = [get(a) for a in plan["clutter"]]
    small = [s for s in small if s is not None]
    rest = budget - len(comp.scene.objects)
    _fill(rng, comp, small, comp.placer.candidates({"surface"}), rest, rest * 4)
    extra = [get(a) for a in ("potted_plant", "floor_lamp", "stool", "chair", "side_table")]
    extra = [s for s in extra if s is not None]
    rest = budget - len(comp.scene.objects)
    _fill(rng, comp, extra, [floor], max(0, min(rest, 3)), 10)
    rest = budget - len(comp.scene.objects)
    _fill(rng, comp, small, comp.placer.candidates({"surface"}), rest, rest * 3)
    floor.release("doorway")
    floor.center, floor.half = (0.0, 0.0), (w / 2, d / 2)
    _room_lights(rng, comp)
    comp.scene.world.exposure = room_exposure(comp.scene)
    comp.scene.camera = _room_camera(rng, comp)
    comp.framed = True
    return comp


def _dense_budget(rng, cfg: GenerateConfig, layout: str) -> int:
    r = cfg.scene.dense.get(layout) or cfg.scene.objects
    lo = max(r.min, cfg.scene.objects.min)
    return int(rng.integers(lo, max(r.max, lo) + 1))


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
        wall_material=None,
        trim_color=None,
    )
    comp = _start(rng, cfg, library, env)
    comp.placer.surfaces.clear()
    for surface in environment_surfaces(info):
        comp.placer.surfaces[surface.id] = surface
    ids = surface_ids(info)
    for obj in file_instances(info, lambda entry: ids.get(entry.get("on") or "", "floor")):
        comp.scene.objects.append(obj)  # the file's own objects: change targets too
        comp.placer.add(obj)
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
    check_user_edits(side, info.get("objects", []))
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


def _bulb_height(comp: Composition, lamp) -> float:
    """Where a lamp's light sits above the lamp's origin (m): 3 cm under the rim of its shade.
    A shade is a closed solid: a light inside it (at 0.9 of the height) lit nothing, and a
    lamp switched off at 193 W changed 3 % of the frame. No shade (a user's file): 0.9."""
    bottom = comp.library.slot_bottom(lamp.asset, "shade") if lamp.asset in comp.library else None
    if bottom is None:
        return lamp.dimensions[2] * 0.9
    return lamp.dimensions[2] * bottom - 0.03


def _room_lights(rng, comp: Composition) -> None:
    """Ceiling lamps (one per ~15 m²), wall lamps, the lamps that stand in the room, and the sun
    shining in through a window; the sky lights the room through the windows too, so switching
    any one lamp off never leaves the room dark."""
    env = comp.scene.environment
    w, d, h = env.extent
    lights: list[Light] = []
    n_ceiling = 1 if w * d < 32 else 2
    for i in range(n_ceiling):
        x = (i - (n_ceiling - 1) / 2) * w / 2.2 + float(rng.uniform(-0.2, 0.2))
        lights.append(Light(
            id=f"ceiling_{i + 1}", type="area", location=(round(x, 4), round(float(rng.uniform(-0.3, 0.8)), 4), round(h - 0.06, 4)),
            energy=round(float(rng.uniform(140, 240)), 3), size=0.5, temperature=round(float(rng.uniform(3800, 5200)), 1),
            name="ceiling lamp",
        ))  # fmt: skip
    for i, side in enumerate(rng.permutation([-1, 1])[: int(rng.integers(1, 3))]):
        wall = "left" if side < 0 else "right"
        blocked = [o for o in env.openings if o.wall == wall]
        y = float(rng.uniform(-0.2, d / 2 - 0.8))
        if any(abs(y - o.center) < o.width / 2 + 0.3 for o in blocked):
            continue
        lights.append(Light(
            id=f"wall_lamp_{i + 1}", type="point", location=(round(float(side) * (w / 2 - 0.14), 4), round(y, 4), 1.95),
            energy=round(float(rng.uniform(25, 45)), 3), temperature=2900.0, size=0.08, name="wall lamp",
        ))  # fmt: skip
    lamps = [o for o in comp.scene.objects if o.category in {"lamp", "floor lamp"}]
    for lamp in lamps:
        x, y, z = lamp.transform.location
        lights.append(
            Light(
                id=lamp_light_id(lamp.id),
                type="point",
                location=(x, y, round(z + _bulb_height(comp, lamp), 4)),
                energy=40.0,
                temperature=3000.0,
                rgb=(1.0, 0.71, 0.42),
                size=0.1,
                name=lamp.noun,
            )
        )
    windows = [o for o in env.openings if o.kind == "window"]
    wall = choose(rng, sorted({o.wall for o in windows})) if windows else "front"
    heading = {"front": 0.0, "left": -90.0, "right": 90.0, "back": 180.0}[wall]
    elevation = float(rng.uniform(22, 42))
    lights.append(Light(
        id="sun", type="sun", energy=round(float(rng.uniform(2.5, 4.0)), 3),
        rotation=(round(math.radians(90 - elevation), 6), 0.0, round(math.radians(heading + float(rng.uniform(-25, 25))), 6)),
        temperature=5600.0, name="sun",
    ))  # fmt: skip
    comp.scene.lights = lights


def room_exposure(scene: Scene) -> float:
    """EV for the view transform from the room's lamp power per m² (about -0.3 EV at 10 W/m²,
    brighter for dimmer rooms), so rooms of every size and lamp count come out alike."""
    w, d, _ = scene.environment.extent
    watts = sum(x.energy for x in scene.lights if x.type != "sun" and x.on)
    density = max(watts / (w * d), 1.0)
    return round(float(np.clip(-0.3 + 0.5 * math.log2(10.0 / density), -1.1, 0.9)), 3)


def _room_camera(rng, comp: Composition) -> Camera:
    """A camera inside the room by the front wall, at eye height or raised, looking in.

    Kept far enough from the walls and ceiling that a viewpoint change (an orbit of up to 35°
    about the target, zoom up to 1.1, elevation up to +10°) leaves it inside the room.
    """
    cfg = comp.cfg.scene.camera
    w, d, h = comp.scene.environment.extent
    view = _camera_view(rng, cfg)
    lens = cfg.lens or float(rng.uniform(18.0, 22.0))
    tx = float(rng.uniform(-0.4, 0.4))
    r = min(3.6, (w / 2 - 0.35 - abs(tx)) / 0.66, d - 1.2)
    y0 = -d / 2 + 0.3 + 0.12 * r
    if view == "eye":
        z, tz = float(rng.uniform(1.45, 1.7)), float(rng.uniform(0.7, 0.95))
    else:
        z, tz = float(rng.uniform(2.0, h - 0.7)), float(rng.uniform(0.2, 0.45))
    x0 = tx + float(rng.uniform(-0.25, 0.25))
    loc, target = np.array([x0, y0, z]), np.array([tx, y0 + r, tz])
    for _ in range(40):  # lower the camera until the largest viewpoint change stays inside
        if _orbits_inside(loc, target, w, d, h):
            break
        loc[2] = max(tz + 0.2, loc[2] - 0.05)
        loc[1] = min(target[1] - 1.0, loc[1] + 0.03)
    return Camera(
        location=tuple(round(float(v), 6) for v in loc),
        look_at=tuple(round(float(v), 6) for v in target),
        lens=round(lens, 3),
    )


def _orbits_inside(loc, target, w: float, d: float, h: float, margin: float = 0.15) -> bool:
    """Whether orbits of ±35° azimuth, -6..+10° elevation and zoom 1.1 (the default viewpoint
    change at its extremes) keep the camera ``margin`` inside the room's walls and ceiling."""
    off = loc - target
    dist = float(np.linalg.norm(off))
    az0 = math.atan2(off[1], off[0])
    el0 = math.asin(off[2] / dist)
    for daz in (-35.0, 0.0, 35.0):
        for del_ in (-6.0, 0.0, 10.0):
            for zoom in (0.9, 1.1):
                az, el = az0 + math.radians(daz), el0 + math.radians(del_)
                el = max(math.radians(3.0), min(math.radians(75.0), el))
                p = target + dist * zoom * np.array(
                    [math.cos(el) * math.cos(az), math.cos(el) * math.sin(az), math.sin(el)]
                )
                if abs(p[0]) > w / 2 - margin or abs(p[1]) > d / 2 - margin:
                    return False
                if not 0.3 < p[2] < h - margin:
                    return False
    return True


def _camera_view(rng, cfg) -> str:
    names = sorted(cfg.views)
    p = np.array([cfg.views[n] for n in names], dtype=float)
    return names[int(rng.choice(len(names), p=p / p.sum()))]


def _street_lights(rng, comp: Composition) -> None:
    """The sun by time of day (none at night), and a light in every street lamp's head, on at
    evening and night. The exposure follows the time of day."""
    env = comp.scene.environment
    tod = env.time_of_day
    lights: list[Light] = []
    if tod != "night":
        elevation, strength, kelvin, ev = SUN_BY_TIME[tod]
        az = math.radians(float(rng.uniform(-70, 70)))
        lights.append(Light(
            id="sun", type="sun", rotation=(round(math.radians(90 - elevation), 6), 0.0, round(az, 6)),
            energy=strength, temperature=kelvin, name="sun",
        ))  # fmt: skip
    else:
        ev = NIGHT_EXPOSURE
    lit = tod in ("evening", "night")
    for _i, lamp in enumerate(
        o for o in comp.scene.objects if o.category == "lamp" and "outdoor" in o.tags
    ):
        x, y, z = lamp.transform.location
        reach = 0.8 * lamp.transform.scale * (1 if abs(lamp.transform.rotation[2]) > 1.0 else -1)
        lights.append(Light(
            id=f"streetlamp_{lamp.id}", type="point", location=(x, round(y + reach, 6), round(z + lamp.dimensions[2] * 0.93, 6)),
            energy=300.0 if tod == "night" else 150.0, temperature=3200.0, size=0.15, on=lit, name="street lamp",
        ))  # fmt: skip
    if tod == "night":  # lit shop windows light the sidewalk, so no frame goes black
        for k, sx in enumerate((-0.25, 0.25)):
            lights.append(Light(
                id=f"shop_light_{k + 1}", type="area", location=(round(sx * env.extent[0], 4), env.road_width / 2 + 1.0, 3.0),
                rotation=(math.radians(60), 0.0, math.pi), energy=300.0, size=3.0, temperature=3500.0, name="shop light",
            ))  # fmt: skip
    comp.scene.lights = lights
    comp.scene.world.exposure = ev
    if comp.scene.world.hdri is None:
        comp.scene.world.strength = STREET_SKY


def frame_camera(
    rng, scene: Scene, fill: float = 0.85, lens: float | None = None, aspect: float = 4 / 3
) -> Camera:
    """A camera looking at the objects from the layout's view, pulled back until all fit."""
    spread, (el_lo, el_hi), layout_lens = CAMERA_VIEWS[scene.environment.layout]
    lens = lens or layout_lens
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
    w, h = ASPECT_RESOLUTION[0], ASPECT_RESOLUTION[0] / aspect
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
        cam = comp.cfg.scene.camera
        comp.scene.camera = frame_camera(rng, comp.scene, lens=cam.lens, aspect=cam.aspect)
    elif layout in ("room", "street"):
        _drop_unseen(comp.scene, cfg)
    return comp.scene


def _drop_unseen(scene: Scene, cfg: GenerateConfig) -> None:
    """Objects whose centre the camera does not see (behind it, past the frame's edges) are
    left out, with whatever stands on them: the scene graph describes what the picture shows."""
    from diffforge.scenes.geometry import project

    size = (400, round(400 / cfg.scene.camera.aspect))
    objects = [o for o in scene.objects if "facade" not in o.tags]
    centres = [
        (*o.transform.location[:2], o.transform.location[2] + o.dimensions[2] / 2) for o in objects
    ]
    if not objects:
        return
    uv, depth = project(scene.camera, centres, size)
    gone = {
        o.id
        for o, (u, v), z in zip(objects, uv, depth, strict=True)
        if z <= 0 or not (0 <= u <= size[0] and 0 <= v <= size[1])
    }
    while True:  # what stood on a dropped holder goes too
        more = {o.id for o in scene.objects if o.support in gone and o.id not in gone}
        if not more:
            break
        gone |= more
    scene.objects = [o for o in scene.objects if o.id not in gone]
    for obj_id in gone:  # lamps' lights go with their lamps
        drop_lamp_light(scene, obj_id)
