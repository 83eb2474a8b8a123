"""Closed, furnished rooms: a room type's furniture against the walls and in a group, clutter
on every surface, windows and a door, and the lamps, the sun and the exposure that light it."""

from __future__ import annotations

import itertools
import math

import numpy as np

from diffforge.config import GenerateConfig
from diffforge.scenes.architecture import WALL_THICKNESS, box, colour, plane, wall_box
from diffforge.scenes.environments.camera import room_camera
from diffforge.scenes.environments.composition import (
    Composition,
    add_people,
    dense_budget,
    fill,
    optional_spec,
    place_legible_sign,
    put_at,
    start_composition,
    text_pool,
)
from diffforge.scenes.environments.staging import TOWEL_TOP, add_sitters, stage_people
from diffforge.scenes.instances import choose
from diffforge.scenes.lighting import lamp_light_id
from diffforge.scenes.model import Element, Environment, Light, Opening, Scene
from diffforge.scenes.placement import Surface
from diffforge.vocabulary import COLORS

# Room types: what stands where. "back"/"side" pieces stand against a wall facing the room,
# "group" is a table with seats around it, "center" a piece in the open; "clutter" is what
# lies on tables, shelves and cabinets; "wall" what hangs on the back wall.
ROOM_TYPES: dict[str, dict[str, tuple[str, ...]]] = {
    "living room": {
        "back": ("sofa", "shelf", "cabinet", "radiator"), "side": ("shelf", "cabinet", "armchair", "floor_lamp", "potted_plant", "ottoman", "fan", "coat_rack"),
        "group": ("coffee_table",), "seats": ("armchair", "armchair", "stool", "ottoman"),
        "clutter": ("book", "mug", "vase", "bowl", "candle", "plant_pot", "television", "box", "table_lamp", "cup", "remote_control", "speaker", "pillow", "smartphone", "camera"),
        "wall": ("picture_frame", "wall_clock", "poster", "mirror"),
    },
    "kitchen": {
        "back": ("cabinet", "kitchen_counter", "refrigerator", "stove", "shelf"), "side": ("kitchen_counter", "cabinet", "refrigerator", "washing_machine", "potted_plant", "wastebasket"),
        "group": ("table",), "seats": ("chair", "chair", "chair", "chair", "stool"),
        "clutter": ("bowl", "cup", "mug", "teapot", "bottle", "apple", "orange_fruit", "soda_can", "vase", "candle", "kettle", "toaster", "microwave", "cooking_pot", "frying_pan", "jar", "plate", "drinking_glass", "cutting_board", "banana", "pear"),
        "wall": ("wall_clock", "picture_frame", "poster"),
    },
    "office": {
        "back": ("desk", "shelf", "cabinet", "filing_cabinet"), "side": ("desk", "shelf", "cabinet", "potted_plant", "filing_cabinet", "water_cooler", "wastebasket", "coat_rack"),
        "group": ("table",), "seats": ("chair", "office_chair", "office_chair"),
        "clutter": ("laptop", "mug", "book", "box", "table_lamp", "bottle", "plant_pot", "cup", "soda_can", "monitor", "keyboard", "printer", "telephone", "binder", "pen_holder"),
        "wall": ("wall_clock", "picture_frame", "poster", "wall_text", "whiteboard"),
    },
    "bedroom": {
        "back": ("bed", "sofa", "cabinet", "shelf", "wardrobe"), "side": ("cabinet", "shelf", "armchair", "floor_lamp", "potted_plant", "nightstand", "dresser", "wardrobe", "laundry_basket"),
        "group": ("side_table",), "seats": ("stool", "chair", "ottoman"),
        "clutter": ("book", "candle", "vase", "table_lamp", "box", "toy_car", "ball", "mug", "plant_pot", "alarm_clock", "pillow", "smartphone"),
        "wall": ("picture_frame", "wall_clock", "poster", "mirror"),
    },
    "bathroom": {
        "back": ("bathtub", "washbasin", "toilet", "cabinet"), "side": ("washbasin", "toilet", "laundry_basket", "radiator", "shelf", "wastebasket"),
        "group": ("bath_mat",), "seats": ("stool", "laundry_basket"),
        "clutter": ("bottle", "jar", "candle", "plant_pot", "cup", "box", "vase", "drinking_glass"),
        "wall": ("mirror", "towel", "towel", "picture_frame"),
    },
    "shop": {
        "back": ("shelf", "shelf", "cabinet", "shop_counter"), "side": ("shelf", "cabinet", "shelf", "vending_machine", "shop_crate", "shopping_cart"),
        "group": ("shop_counter",), "seats": ("stool", "shopping_basket", "shop_crate"),
        "clutter": ("box", "bottle", "soda_can", "vase", "bowl", "toy_car", "toy_blocks", "ball", "teapot", "book", "cash_register", "jar", "banana", "pear", "shopping_basket"),
        "wall": ("poster", "wall_text", "wall_clock"),
    },
    "classroom": {
        "back": ("shelf", "cabinet", "desk"), "side": ("shelf", "cabinet", "potted_plant", "wastebasket"),
        "group": ("desk",), "seats": ("chair",),
        "clutter": ("book", "laptop", "box", "mug", "plant_pot", "bottle", "ball", "binder", "pen_holder"),
        "wall": ("wall_text", "poster", "wall_clock", "picture_frame", "whiteboard"),
    },
}  # fmt: skip
ROOM_FLOORS = {
    "living room": ("wood", "fabric"), "kitchen": ("tiles", "ceramic"), "office": ("fabric", "wood"),
    "bedroom": ("wood", "fabric"), "shop": ("tiles", "concrete"), "classroom": ("tiles", "wood"),
    "bathroom": ("tiles", "ceramic"),
}  # fmt: skip
# Front area (width × height, m²) of clutter a remove can show at a room's distances: a table
# lamp, a laptop, a television; a box on the nearest table sometimes.
SEEN_CLUTTER_AREA = 0.07
ROOM_UNSEEN = 2
# Pieces a room has one of: four toilets along a bathroom's walls read as a shop's or a public
# washroom's (review_std96s 4200/24, 44, 47)
ROOM_ONE_OF = frozenset({"toilet", "bathtub", "bed", "refrigerator", "stove", "washing_machine"})
# Seats whose turn reads (stools and ottomans look alike turned)
TURNABLE_SEATS = ("armchair", "chair", "office_chair")
# Lamps a room stands where a lamp switch is drawn: a floor lamp, else a table lamp
ROOM_LAMPS = ("floor_lamp", "table_lamp")
ROOM_WALL_COLORS = ("white", "beige", "gray", "teal", "pink", "yellow", "green", "blue")


def compose_room(
    rng, cfg: GenerateConfig, library, wants: frozenset[str] = frozenset()
) -> Composition:
    """A room of a random type: furniture along the back and side walls, a table group, wall
    art, people, clutter on the surfaces; the lights, the exposure and the room camera."""
    types = sorted(ROOM_TYPES)
    if "material" in wants and cfg.visibility.distinct_material_looks:  # a table that can be glass
        types = [t for t in types if shows_material(library, t)] or types
    room_type = choose(rng, types)
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
    comp = start_composition(rng, cfg, library, env)
    # the room lens (>= 24 mm, camera.MIN_LENS) sees about two pieces fewer than the 18-22 mm
    # one did: two more are composed, so as many stay in the picture (drop_unseen)
    budget = dense_budget(rng, cfg, "room") + ROOM_UNSEEN
    floor = comp.placer.surfaces["floor"]
    # keep the strip in front of the camera (the front wall) free; reserve the doorway
    front = 2.0
    floor.center, floor.half = (0.0, front / 2), (w / 2 - 0.05, (d - front) / 2 - 0.05)
    door = next(o for o in env.openings if o.kind == "door")
    sx = -1 if door.wall == "left" else 1
    floor.occupy(sx * (w / 2 - 0.6), door.center, 0.6, door.width / 2 + 0.2, "doorway")
    get = lambda aid: optional_spec(library, aid)  # noqa: E731

    def piece(names: tuple[str, ...]):
        """One of ``names`` drawn for a wall, none of the ``ROOM_ONE_OF`` the room has."""
        present = {o.asset for o in comp.scene.objects}
        return get(choose(rng, [a for a in names if a not in ROOM_ONE_OF or a not in present]))

    # 1. against the back wall, left to right
    x = -w / 2 + 0.15
    while x < w / 2 - 0.6:
        spec = piece(plan["back"])
        if spec is None:
            break
        sw, sd = spec.size[0], spec.size[1]
        if x + sw > w / 2 - 0.1:
            break
        if put_at(comp, rng, spec, x + sw / 2, d / 2 - sd / 2 - 0.06, 0.0) is not None:
            x += sw + float(rng.uniform(0.1, 0.6))
        else:
            x += 0.3
    # 2. along the side walls, facing into the room
    for side in (-1, 1):
        y = d / 2 - 1.2
        while y > -d / 2 + front + 0.3:
            spec = piece(plan["side"])
            if spec is None:
                break
            sw, sd = spec.size[0], spec.size[1]
            cx = side * (w / 2 - sd / 2 - 0.06)
            yaw = -side * math.pi / 2  # the front (-Y) turned to face the room's centre
            if put_at(comp, rng, spec, cx, y - sw / 2, yaw) is not None:
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
                    t = put_at(comp, rng, spec, col * 1.7, gy + 0.6 - row * 1.5, 0.0)
                    seat = get("chair")
                    if t is not None and seat is not None:
                        put_at(comp, rng, seat, col * 1.7, gy + 0.6 - row * 1.5 - 0.6, 0.0)
        else:
            rug = get("rug") if room_type in ("living room", "bedroom", "office") else None
            table = put_at(comp, rng, spec, gx, gy, 0.0)
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
                    put_at(comp, rng, seat, sxp, syp, yaw + math.pi)
    # 4. wall art on the back wall, text if the scene has any
    walls = comp.placer.candidates({"wall"})
    # a towel hangs as on a rail, its top at most staging.TOWEL_TOP high
    rail = [Surface(s.id, s.kind, (s.center[0], TOWEL_TOP - 0.45), (s.half[0], 0.45), s.height,
                    s.boxes) for s in walls]  # fmt: skip
    for _ in range(int(rng.integers(2, 4))):
        spec = get(choose(rng, [a for a in plan["wall"] if a != "wall_text"]))
        if spec is not None:
            comp.place(rng, spec, rail if spec.category == "towel" else walls)
    if rng.random() < cfg.scene.text_objects or "text" in wants:
        texts = [s for s in text_pool(library, ("indoor",)) if s.placement == "wall"]
        if "text" in wants:  # at eye height: a raised camera's longer lens (>= 24 mm) cuts
            # the top of the back wall, where a high sign went out of the picture
            low = [Surface(s.id, s.kind, (s.center[0], 1.5), (s.half[0], 0.6), s.height, s.boxes)
                   for s in walls]  # fmt: skip
            place_legible_sign(rng, comp, texts, low)
        fill(rng, comp, texts, walls, int(rng.integers(1, 3)), 8)
    # 5. people standing on the floor, clutter on every surface, then whatever still fits
    if "turnable" in wants:  # a drawn turn: one of the room's seats free-standing in the open
        # nearest the camera (furniture along the walls cannot turn: 6 in 16 rooms had a
        # piece that could, large enough in view)
        seat = get(choose(rng, [a for a in plan["seats"] if a in TURNABLE_SEATS] or ["chair"]))
        near = Surface("floor", "floor", (0.0, -d / 2 + front + 0.9), (w / 2 - 1.2, 0.7), 0.0,
                       floor.boxes)  # fmt: skip
        if seat is not None:
            comp.place(rng, seat, [near])
    if "lamp" in wants:  # a drawn lamp switch: a lamp in view, large enough to see it lit
        _stand_lamp(rng, comp, front)
    add_people(rng, comp, [floor], "person" in wants)
    small = [get(a) for a in plan["clutter"]]
    small = [s for s in small if s is not None]
    if "holder" in wants and small:  # a drawn remove: clutter large enough to see from the
        # camera's wall, on the holders nearest it (the camera looks in from the front). A vase
        # or a teapot shows a third of the pixels the gate asks at the room's distances (3 in
        # 10 rooms had anything on a holder large enough before): the room's own large
        # clutter, else the library's (a table lamp or a laptop on a kitchen table)
        big = [s for s in small if s.size[0] * s.size[2] >= SEEN_CLUTTER_AREA] or [
            s
            for s in library.select(tags_any=("indoor",))
            if s.placement == "surface"
            and "clevr" not in s.tags
            and s.size[0] * s.size[2] >= SEEN_CLUTTER_AREA
        ]
        holders = sorted(
            comp.placer.candidates({"surface"}),
            key=lambda s: (math.hypot(s.center[0], s.center[1] + d / 2), s.id),
        )
        fill(rng, comp, sorted(big, key=lambda s: s.id), holders[:2], 2, 8)
    rest = budget - len(comp.scene.objects)
    fill(rng, comp, small, comp.placer.candidates({"surface"}), rest, rest * 4)
    extra = [get(a) for a in ("potted_plant", "floor_lamp", "stool", "chair", "side_table")]
    extra = [s for s in extra if s is not None]
    rest = budget - len(comp.scene.objects)
    fill(rng, comp, extra, [floor], max(0, min(rest, 3)), 10)
    rest = budget - len(comp.scene.objects)
    fill(rng, comp, small, comp.placer.candidates({"surface"}), rest, rest * 3)
    floor.release("doorway")
    floor.center, floor.half = (0.0, 0.0), (w / 2, d / 2)
    _room_lights(rng, comp)
    comp.scene.world.exposure = room_exposure(comp.scene)
    comp.scene.camera = room_camera(rng, comp)
    comp.framed = True
    # people moved out of another's outline stay out of the strip before the camera
    back = Surface("floor", "floor", (0.0, front / 2), (w / 2 - 0.05, (d - front) / 2 - 0.05),
                   0.0, floor.boxes)  # fmt: skip
    stage_people(rng, comp.scene, comp.placer, lambda person: [back])
    add_sitters(rng, comp)
    return comp


def _stand_lamp(rng, comp: Composition, front: float) -> None:
    """A floor lamp in the open before the camera, to one side of the room's middle (the
    lamps along the side walls, or on a far table, showed too small to switch: 1 in 24 rooms
    had one in view); a table lamp on the holder nearest the camera where none fits."""
    w, d, _ = comp.scene.environment.extent
    floor = comp.placer.surfaces["floor"]
    side = float(choose(rng, [-1.0, 1.0]))
    lo, hi = 0.5, max(0.6, w / 2 - 1.3)
    spots = [Surface("floor", "floor", (side * s * (lo + hi) / 2, -d / 2 + front + 0.8),
                     ((hi - lo) / 2, 0.6), 0.0, floor.boxes) for s in (1.0, -1.0)]  # fmt: skip
    spec = optional_spec(comp.library, ROOM_LAMPS[0])
    for spot in spots:
        if spec is not None and comp.place(rng, spec, [spot]) is not None:
            return
    spec = optional_spec(comp.library, ROOM_LAMPS[1])
    holders = sorted(
        comp.placer.candidates({"surface"}),
        key=lambda s: (math.hypot(s.center[0], s.center[1] + d / 2), s.id),
    )
    if spec is not None:
        comp.place(rng, spec, holders[:2])


def shows_material(library, room_type: str) -> bool:
    """Whether a room type's table (its group's piece, in the open before the camera) can
    turn to glass, the one material swap these renders show on furniture
    (``changes.appearance.materials_look_apart``)."""
    spec = optional_spec(library, ROOM_TYPES[room_type]["group"][0])
    return spec is not None and "glass" in (spec.materials or [])


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


def _bulb_height(comp: Composition, lamp) -> float:
    """Where a lamp's light sits above the lamp's origin (m): 3 cm under the rim of its shade.
    A shade is a closed solid: a light inside it (at 0.9 of the height) lit nothing, and a
    lamp switched off at 193 W changed 3 % of the frame. No shade (a user's file): 0.9."""
    shape = lamp.shape or lamp.asset  # a shade opens where its own variant has it
    bottom = comp.library.slot_bottom(shape, "shade") if shape in comp.library else None
    if bottom is None:
        return lamp.dimensions[2] * 0.9
    return lamp.dimensions[2] * bottom - 0.03


def room_exposure(scene: Scene) -> float:
    """EV for the view transform from the room's lamp power per m² (about -0.3 EV at 10 W/m²,
    brighter for dimmer rooms), so rooms of every size and lamp count come out alike."""
    w, d, _ = scene.environment.extent
    watts = sum(x.energy for x in scene.lights if x.type != "sun" and x.on)
    density = max(watts / (w * d), 1.0)
    return round(float(np.clip(-0.3 + 0.5 * math.log2(10.0 / density), -1.1, 0.9)), 3)


# -- architecture ---------------------------------------------------------------------


def open_room_elements(scene: Scene) -> list[Element]:
    """A floor running past four wall planes; a wall the camera stands behind is hidden from it
    (it still bounces light and casts shadows)."""
    env = scene.environment
    w, d, h = env.extent
    floor = colour(env.floor_color, 0.5)
    # the floor runs past the walls: a camera outside the room sees floor, not void
    out = [plane("floor", (w + 30.0, d + 30.0), (0, 0, 0), (0, 0, 0), floor, env.floor_material)]
    wall = colour(env.wall_color, 0.9)
    cam = scene.camera.location
    half = math.pi / 2
    walls = [  # name, size, location, rotation, camera inside this wall
        ("wall_back", (w, h), (0, d / 2, h / 2), (half, 0, 0), cam[1] < d / 2),
        ("wall_front", (w, h), (0, -d / 2, h / 2), (half, 0, 0), cam[1] > -d / 2),
        ("wall_left", (d, h), (-w / 2, 0, h / 2), (half, 0, half), cam[0] > -w / 2),
        ("wall_right", (d, h), (w / 2, 0, h / 2), (half, 0, half), cam[0] < w / 2),
    ]
    for name, size, loc, rot, inside in walls:
        out.append(plane(name, size, loc, rot, wall, "fabric", camera_visible=inside))
    return out


def closed_room_elements(scene: Scene) -> list[Element]:
    """Floor, ceiling and solid walls with window and door openings, window frames, a door and
    baseboards; outside, a ground plane under the sky (the lamp fixtures: ``fixtures``)."""
    env = scene.environment
    w, d, h = env.extent
    t = WALL_THICKNESS
    paint = colour(env.wall_color, 0.9)
    trim = colour(env.trim_color, 0.9)
    out = [
        box("floor", (-w / 2 - t, -d / 2 - t, -0.1), (w / 2 + t, d / 2 + t, 0.0),
            colour(env.floor_color, 0.5), env.floor_material),
        box("ceiling", (-w / 2 - t, -d / 2 - t, h), (w / 2 + t, d / 2 + t, h + 0.12),
            COLORS["white"], "paint"),
        plane("outside", (400.0, 400.0), (0, 0, -0.12), (0, 0, 0), (0.42, 0.47, 0.36), "concrete"),
    ]  # fmt: skip
    # each wall: (name, axis along it, half length, fixed coordinate range across it)
    walls = {
        "back": ("x", w / 2 + t, (d / 2, d / 2 + t)),
        "front": ("x", w / 2 + t, (-d / 2 - t, -d / 2)),
        "left": ("y", d / 2, (-w / 2 - t, -w / 2)),
        "right": ("y", d / 2, (w / 2, w / 2 + t)),
    }
    for wall, (axis, half, across) in walls.items():
        holes = [o for o in env.openings if o.wall == wall]
        for lo, hi in _wall_pieces(holes, axis, half, across, h):
            out.append(box(f"wall_{wall}", lo, hi, paint, env.wall_material))
        inner = across[0] if across[0] in (d / 2, w / 2) else across[1]
        sign = 1.0 if inner > 0 else -1.0
        # baseboard along the inner face, broken at doors
        doors = sorted(
            (o.center - o.width / 2, o.center + o.width / 2) for o in holes if o.kind == "door"
        )
        u = -half + (t if axis == "x" else 0.0)
        end = half - (t if axis == "x" else 0.0)
        for a, b in [*doors, (end, end)]:
            if a - u > 0.02:
                lo, hi = wall_box(axis, (u, a), (inner - sign * 0.018, inner), (0.0, 0.09))
                out.append(box("baseboard", lo, hi, trim, "plastic"))
            u = b
        for o in holes:
            out += opening_trim(o, axis, across, trim)
    return out


def _wall_pieces(holes: list[Opening], axis: str, half: float, across: tuple, h: float):
    """The solid boxes of one wall: cut at every opening's sides, and above and below it."""
    cuts = sorted({-half, half, *(c for o in holes for c in (o.center - o.width / 2,
                                                           o.center + o.width / 2))})  # fmt: skip
    for u0, u1 in itertools.pairwise(cuts):
        mid = (u0 + u1) / 2
        over = sorted(
            (o.bottom, o.bottom + o.height) for o in holes if abs(mid - o.center) < o.width / 2
        )
        z = 0.0
        spans = []
        for z0, z1 in over:
            spans.append((z, z0))
            z = z1
        spans.append((z, h))
        for z0, z1 in spans:
            if z1 - z0 >= 1e-3:
                yield wall_box(axis, (u0, u1), across, (z0, z1))


def opening_trim(o: Opening, axis: str, across: tuple, trim) -> list[Element]:
    """A window frame with a mullion and a sill, or a closed wooden door with a handle."""
    u0, u1 = o.center - o.width / 2, o.center + o.width / 2
    z0, z1 = o.bottom, o.bottom + o.height
    a0, a1 = across
    f = 0.05
    inner = a1 if abs(a1) < abs(a0) else a0
    sign = 1.0 if inner > 0 else -1.0
    out = []
    if o.kind == "window":
        parts = [((u0, u0 + f), (z0, z1)), ((u1 - f, u1), (z0, z1)), ((u0, u1), (z0, z0 + f)),
                 ((u0, u1), (z1 - f, z1)), ((o.center - f / 2, o.center + f / 2), (z0, z1)),
                 ((u0, u1), ((z0 + z1) / 2 - f / 3, (z0 + z1) / 2 + f / 3))]  # fmt: skip
        for (pu0, pu1), (pz0, pz1) in parts:
            lo, hi = wall_box(axis, (pu0, pu1), (a0 + 0.04, a1 - 0.04), (pz0, pz1))
            out.append(box("window_frame", lo, hi, trim, "plastic"))
        lo, hi = wall_box(
            axis,
            (u0 - 0.06, u1 + 0.06),
            (inner - sign * 0.07, inner + sign * 0.02),
            (z0 - 0.04, z0),
        )
        out.append(box("window_sill", lo, hi, trim, "plastic"))
        return out
    mid = (a0 + a1) / 2
    lo, hi = wall_box(axis, (u0, u1), (mid - 0.025, mid + 0.025), (z0, z1 - 0.005))
    out.append(box("door", lo, hi, COLORS["brown"], "wood"))
    lo, hi = wall_box(axis, (u1 - 0.14, u1 - 0.06), (mid - sign * 0.08, mid), (0.98, 1.02))
    out.append(box("door_handle", lo, hi, COLORS["gray"], "metal_polished"))
    for pu0, pu1, pz0, pz1 in ((u0 - f, u0, 0, z1 + f), (u1, u1 + f, 0, z1 + f),
                               (u0, u1, z1, z1 + f)):  # fmt: skip
        lo, hi = wall_box(axis, (pu0, pu1), (inner - sign * 0.015, inner), (pz0, pz1))
        out.append(box("door_frame", lo, hi, trim, "plastic"))
    return out


def fixtures(scene: Scene) -> list[Element]:
    """Lamp bodies for ceiling and wall lamps: the glowing part glows while its light is on."""
    w, _, h = scene.environment.extent
    metal = COLORS["white"]
    out = []
    for light in scene.lights:
        x, y, z = light.location
        if light.name == "ceiling lamp":
            r = light.size / 2 + 0.05
            out.append(box("ceiling_lamp", (x - r, y - r, h - 0.045), (x + r, y + r, h),
                           COLORS["white"], None, glow=light.id))  # fmt: skip
            out.append(box("ceiling_lamp_rim", (x - r - 0.02, y - r - 0.02, h - 0.03),
                           (x + r + 0.02, y + r + 0.02, h), metal, "metal"))  # fmt: skip
        elif light.name == "wall lamp":
            s = 1.0 if x > 0 else -1.0
            wall_x = s * w / 2
            out.append(box("wall_lamp", (min(wall_x, wall_x - s * 0.09), y - 0.07, z - 0.14),
                           (max(wall_x, wall_x - s * 0.09), y + 0.07, z - 0.04),
                           COLORS["white"], None, glow=light.id))  # fmt: skip
            out.append(box("wall_lamp_back", (min(wall_x, wall_x - s * 0.02), y - 0.06, z - 0.3),
                           (max(wall_x, wall_x - s * 0.02), y + 0.06, z - 0.12),
                           metal, "metal"))  # fmt: skip
    return out


def room_elements(scene: Scene) -> list[Element]:
    """A closed room's shell, or an open room's floor and wall planes (no lamp fixtures)."""
    if scene.environment.ceiling:
        return closed_room_elements(scene)
    return open_room_elements(scene)
