"""The camera rig: a view chosen by the config's weights, the room and street cameras that stand
inside the built scene, framing the objects from a layout's view (tabletop, a user's file without
cameras), and leaving out what the chosen camera does not see."""

from __future__ import annotations

import math

import numpy as np

from diffforge.config import GenerateConfig
from diffforge.scenes.architecture import SIDEWALK_HEIGHT
from diffforge.scenes.environments.composition import Composition
from diffforge.scenes.geometry import box_corners, look_at_matrix, project
from diffforge.scenes.lighting import drop_lamp_light
from diffforge.scenes.model import Camera, Scene

# Camera direction per layout: azimuth spread around -Y (degrees), elevation range (degrees).
CAMERA_VIEWS: dict[str, tuple[float, tuple[float, float], float]] = {
    "room": (18.0, (14.0, 24.0), 30.0),
    "street": (15.0, (7.0, 14.0), 32.0),
    "tabletop": (25.0, (28.0, 40.0), 35.0),
    "environment": (15.0, (10.0, 20.0), 35.0),
}
# The shortest lens a layout's own camera draws (mm, on the 36 mm sensor): a horizontal field
# of view of at most 73.7° (diagonal 86°), so a ball at the frame's corner is stretched at
# most 1.37 times along the radius (1 / cos of its angle off the axis) against 1.6 times at
# 18 mm, where the edges of rooms bowed outwards. A config's ``scene.camera.lens`` overrides.
MIN_LENS = 24.0
ROOM_LENSES, STREET_LENSES = (MIN_LENS, 27.0), (MIN_LENS + 2.0, 32.0)
# A street drawn for a text change looks across at the shop fronts with a longer lens: at
# 26-32 mm a shop sign 14-16 m away had to grow 3-3.5 times for its letters to read at
# standard (9 of 40 such streets carried a legible sign; the rest fell back to other types).
STREET_TEXT_LENSES = (40.0, 50.0)
# How much of its drawn sideways offset a camera aimed at a sign keeps (``street_camera``).
FOCUS_SLACK = 0.3
# Degrees the eye-height camera of a text street looks less far down (nearly level, at the
# shop fronts): its longer lens's lower frame otherwise showed the road before the far kerb
# (empty road 0.55 of the lower 40 % over 40 such streets, half of them over 0.6; now 0.39
# and 10 %; 0.49 and 20 % at 26-32 mm before the aim).
TEXT_VIEW_RAISE = 4.0


def edge_stretch(lens: float, sensor_width: float = 36.0, aspect: float = 4 / 3) -> float:
    """How much a round thing at the frame's corner is stretched along the radius by the
    rectilinear projection (1 / cos of the corner's angle off the view axis)."""
    half_diagonal = sensor_width / 2 * math.hypot(1.0, 1.0 / aspect)
    return math.hypot(lens, half_diagonal) / lens


ASPECT_RESOLUTION = (400, 300)  # framing width 400 px; the height follows scene.camera.aspect


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


def camera_view(rng, cfg) -> str:
    """ "eye" or "raised", drawn by the weights of ``scene.camera.views``."""
    names = sorted(cfg.views)
    p = np.array([cfg.views[n] for n in names], dtype=float)
    return names[int(rng.choice(len(names), p=p / p.sum()))]


def room_camera(rng, comp: Composition) -> Camera:
    """A camera inside the room by the front wall, at eye height or raised, looking in.

    Kept far enough from the walls and ceiling that a viewpoint change (an orbit of up to 35°
    about the target, zoom up to 1.1, elevation up to +10°) leaves it inside the room.
    """
    cfg = comp.cfg.scene.camera
    w, d, h = comp.scene.environment.extent
    view = camera_view(rng, cfg)
    lens = cfg.lens or float(rng.uniform(*ROOM_LENSES))
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


# How far a street camera turns along the street (degrees): looking across for a pair with
# a text change (the signs hang on the facades facing the road: a view turned further
# foreshortens their letters, and two-text pairs lost their second sign), else along the
# street from a drawn spot (the road recedes out of the frame's lower 40 %: street.py).
STREET_TURNS: dict[str, tuple[float, float]] = {"eye": (10.0, 30.0), "raised": (0.0, 0.0)}
STREET_ALONG_TURNS: dict[str, tuple[float, float]] = {"eye": (20.0, 50.0), "raised": (15.0, 45.0)}


def street_camera(
    rng,
    comp: Composition,
    view: str | None = None,
    along: float | None = None,
    focus: float | None = None,
) -> Camera:
    """From the near sidewalk across the road to the facades: eye height or raised (``view``;
    None: drawn by the config's weights), turned along the street by ``STREET_TURNS``; with
    ``along``, standing at that x and turned back across the middle by
    ``STREET_ALONG_TURNS``. ``focus`` (looking across): the x on the facades it aims at, give
    or take ``FOCUS_SLACK`` of its drawn sideways offset (a sign 8 m off a camera drawn
    anywhere within 3 m of the middle was out of a text street's frame)."""
    cfg = comp.cfg.scene.camera
    env = comp.scene.environment
    view = view or camera_view(rng, cfg)
    lens = cfg.lens or float(
        rng.uniform(*(STREET_LENSES if along is not None else STREET_TEXT_LENSES))
    )
    near = -env.road_width / 2 - env.sidewalk_width
    x0 = float(rng.uniform(-3.0, 3.0)) if along is None else along + float(rng.uniform(-0.5, 0.5))
    turns = STREET_TURNS if along is None else STREET_ALONG_TURNS
    if view == "eye":
        loc = (
            x0,
            near + 0.35,
            SIDEWALK_HEIGHT + float(rng.uniform(1.5, 1.75)),
        )  # at the back of the near sidewalk: the road further down the frame
        ty = env.road_width / 2 + 1.0
        # looking down by 3.5-5.5° (a viewpoint change's elevation clamp, 3°, keeps it looking
        # down): the frame's lower part on the road's far half and the far sidewalk, not on
        # the empty asphalt before the camera (empty_road_share, STREET_FRAMING); a text
        # street's longer lens looks nearly level instead (``TEXT_VIEW_RAISE``)
        down = float(rng.uniform(3.5, 5.5))
        if along is None and lens >= STREET_TEXT_LENSES[0]:  # the shop fronts, not the road
            down -= TEXT_VIEW_RAISE
        tz = loc[2] - (ty - loc[1]) * math.tan(math.radians(down))
        turn = _turn(rng, turns["eye"], along)
        dx, dy = float(rng.uniform(-2.5, 2.5)), ty - loc[1]
    else:
        loc = (x0, near + 0.4, float(rng.uniform(5.0, 8.0)))  # from a first-floor window
        # on the far sidewalk's life and the shop fronts, not the road; turned along the
        # street, looking flatter at the shop fronts (1.6-2.4 m)
        lo, hi = turns["raised"]
        turn = _turn(rng, (lo, hi), along) if hi > 0 else 0.0
        dx = float(rng.uniform(-2.0, 2.0))
        dy = env.road_width / 2 + env.sidewalk_width * 0.6 - loc[1]
        tz = float(rng.uniform(1.6, 2.4) if hi > 0 else rng.uniform(1.0, 1.6))
    if focus is not None and along is None:  # the same draws, the camera moved to the sign
        x0 = focus + FOCUS_SLACK * dx - (dx * math.cos(turn) - dy * math.sin(turn))
        loc = (x0, *loc[1:])
    target = (
        x0 + dx * math.cos(turn) - dy * math.sin(turn),
        loc[1] + dx * math.sin(turn) + dy * math.cos(turn),
        tz,
    )
    return Camera(
        location=tuple(round(v, 6) for v in loc),
        look_at=tuple(round(v, 6) for v in target),
        lens=round(lens, 3),
    )


def _turn(rng, degrees: tuple[float, float], along: float | None = None) -> float:
    """A turn (radians) drawn in ``degrees``: either way, or towards the street's middle from
    a camera standing at x ``along`` (a positive turn looks towards -x)."""
    angle = math.radians(float(rng.uniform(*degrees)))
    if along is None:
        return angle * (1 if rng.random() < 0.5 else -1)
    return math.copysign(angle, along)


def drop_unseen(scene: Scene, cfg: GenerateConfig) -> None:
    """Objects whose centre the camera does not see (behind it, past the frame's edges) are
    left out, with whatever stands on them: the scene graph describes what the picture shows."""
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
