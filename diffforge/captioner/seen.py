"""What a viewer can check on the images: the words a caption may use for a change, decided
from the projected geometry (the camera, the objects' boxes, the sampler's visibility
prediction), never from the change record alone.

A material is named only where the render makes its class recognisable; a turn states its
direction only when a viewer could tell it (clear of the half-turn, or of half the period of a
symmetric object, and the target's facing seen in both images: a front its kind lets a viewer
tell from its back, turned towards the camera); a pointing arm is worded in the picture's frame
from the whole arm projected through the camera; a moved
object is "closer"/"further back" only when its depth changes enough to change its apparent
size, and "above"/"below" a landmark only where the picture and the scene agree.
"""

from __future__ import annotations

import math

import numpy as np

from diffforge.scenes.assets.symmetry import facing_readable
from diffforge.scenes.changes.appearance import SEEN_LOOKS
from diffforge.scenes.colour_names import light_enough, outline_lab, residuals
from diffforge.scenes.geometry import (
    box_corners,
    look_at_matrix,
    predicted_footprints,
    project,
    yaw_matrix,
)
from diffforge.scenes.lighting import SceneLight, lit_srgb
from diffforge.scenes.model import Camera, ObjectInstance, Scene
from diffforge.scenes.perception import srgb_to_lab
from diffforge.vocabulary import COLORS, MATERIAL_LOOKS


def material_seen(material: str | None) -> bool:
    """Whether the renders make this material class recognisable, so a caption may name it
    on an object: glass only (SEEN_LOOKS: the looks the material swap's contrast measures
    tell apart). Metal reads as matte paint on small or pale objects (a "metallic" chair
    looked like beige wood), and glossy against matte is 1-9 CIEDE2000."""
    return MATERIAL_LOOKS.get(material or "") in SEEN_LOOKS


# A colour word in a description must be clearly the object's name as lit: within this
# CIEDE2000 of the best-fitting name at its predicted lit colour (a gray metal cabinet under
# yellow light is predicted 7.6 past "beige" and read khaki; std48e pair 14). Dropping the
# word costs a description little: size, region or a landmark picks the object out instead.
CLEAR_NAME_TOLERANCE = 4.0


# Kinds whose face is a mirror: what a viewer sees is the room it reflects, and the record's
# colour is the thin frame's (a "beige mirror" read light grey on a blue wall, review_std96f
# 4100/40).
MIRROR_FACED = frozenset({"mirror"})


def colour_seen(obj: ObjectInstance, light: SceneLight) -> bool:
    """Whether a viewer would give ``obj`` its record colour's name in the picture: never for
    glass (it shows what lies behind it: a beige glass table rendered dark brown) nor a mirror
    (``MIRROR_FACED``), else when the
    name is clearly the one its predicted lit colour carries (``CLEAR_NAME_TOLERANCE``), light
    enough for a light colour's name once its outline's shading is counted. A colour outside
    the vocabulary (a user file's own) cannot be judged and is kept."""
    name = obj.attributes.color
    if name not in COLORS:
        return True
    look = MATERIAL_LOOKS.get(obj.attributes.material or "")
    if look == "transparent" or obj.category in MIRROR_FACED:
        return False
    ground = COLORS.get(light.scene.environment.floor_color or "", COLORS["gray"])
    lab = np.array(srgb_to_lab(lit_srgb(np.asarray(COLORS[name]), light.of(obj), ground)))
    res = residuals(lab)
    if res[name] > min(res.values()) + CLEAR_NAME_TOLERANCE:
        return False
    return light_enough(outline_lab(lab, look), name)


# A turn within this many degrees of a half-turn reads as "turned around": clockwise and
# counterclockwise end at the same place (a chair turned 172° was captioned "clockwise").
HALF_TURN_MARGIN_DEG = 30.0
# The facing of a target is seen when at least this share of its unoccluded footprint is
# predicted visible (a mannequin with its legs behind a desk is not) ...
FACING_SHARE = 0.8
# ... and its box is at least this share of the frame's width or height (a far chair is a blob).
FACING_MIN_SIDE = 0.06


def turn_kind(degrees: float, order: int = 1) -> str:
    """'around' for a turn too close to a half-turn to have a direction, 'turned' for a turn
    of an ``order``-fold symmetric object too close to half its period (a table turned 85°
    looks turned 95° the other way: the margin is the same share of the period), else
    'directed'. ``degrees`` is the turn as the record keeps it: folded by the symmetry."""
    half = 180.0 / max(order, 1)
    if abs(degrees) <= half * (1.0 - HALF_TURN_MARGIN_DEG / 180.0):
        return "directed"
    return "around" if order <= 1 else "turned"


def front_angle(obj: ObjectInstance, camera: Camera) -> float:
    """Degrees between the object's front (-Y in its own frame) and the line from it to the
    camera, on the floor: 0 faces the camera, 180 shows its back."""
    yaw = obj.transform.rotation[2]
    front = np.array([math.sin(yaw), -math.cos(yaw)])
    to_cam = np.subtract(camera.location[:2], obj.transform.location[:2])
    n = float(np.linalg.norm(to_cam))
    if n < 1e-9:
        return 0.0
    return math.degrees(math.acos(max(-1.0, min(1.0, float(front @ to_cam) / n))))


def unoccluded_share(scene: Scene, obj_id: str, resolution: tuple[int, int], seen=None) -> float:
    """Predicted visible pixels of the object over its pixels with nothing else in the scene
    (walls still stop rays): 1.0 when nothing stands in front of it, 0.0 out of view.
    ``seen``: the scene's footprint of the object, when already predicted."""
    obj = next((o for o in scene.objects if o.id == obj_id), None)
    if obj is None:
        return 0.0
    if seen is None:
        seen = predicted_footprints(scene, resolution).get(obj_id)
    alone = predicted_footprints(scene.model_copy(update={"objects": [obj]}), resolution).get(
        obj_id
    )
    if seen is None or alone is None or alone.pixels <= 0:
        return 0.0
    return min(1.0, seen.pixels / alone.pixels)


def facing_seen(scene: Scene, obj_id: str, resolution: tuple[int, int], order: int = 1) -> bool:
    """Whether a viewer can tell which way the object faces in this image: it is large enough,
    hardly hidden behind other objects (FACING_SHARE, FACING_MIN_SIDE) and, for an object with
    a front (1-fold), turned so that what shows its front is in view (its kind's
    ``facing_seen_deg``: a cabinet's doors, a figure's face or profile, a chair's outline)."""
    foot = predicted_footprints(scene, resolution).get(obj_id)
    if foot is None:
        return False
    w, h = resolution
    x0, y0, x1, y1 = foot.box
    if max((x1 - x0) / w, (y1 - y0) / h) < FACING_MIN_SIDE:
        return False
    if order <= 1:
        obj = next(o for o in scene.objects if o.id == obj_id)
        if not facing_readable(front_angle(obj, scene.camera), obj.asset, obj.category):
            return False
    return unoccluded_share(scene, obj_id, resolution, foot) >= FACING_SHARE


# --- a person's limbs, as the camera sees them ---------------------------------------------

# The pointing pose points with the right arm (scenes/assets/characters.py "pointing"): the
# arm a viewer reads runs from that shoulder to that fingertip.
POINTING_ARM = ("upper_arm_R", "hand_R")
# The share of the arm's full length (as it would look across the line of sight at its depth)
# that its picture runs sideways: from SIDE_SHARE up the arm points to a side of the picture
# (pair 22 of the std48d review: a hand reaching a third of an arm past the shoulder read as
# pointing to the left, though the arm aimed 20° off the camera), under ALONG_SHARE in all
# directions it is foreshortened into the body and points towards/away from the camera;
# between the two a viewer could read either, and the caption names no direction.
SIDE_SHARE = 0.3
ALONG_SHARE = 0.2


def limb_in_picture(
    obj: ObjectInstance, camera: Camera, resolution: tuple[int, int], limb=POINTING_ARM
) -> tuple[np.ndarray, float, float]:
    """The figure's limb as the camera sees it: (picture vector from the first bone's head to
    the last bone's tail in pixels, the depth change along it in metres, the limb's length in
    pixels were it held across the line of sight at its depth). The posed joints come from the
    library's forward kinematics at the figure's height, turned and placed as the renderer
    places the armature."""
    from diffforge.scenes.assets.characters import forward_kinematics, posed_bounds

    bones = obj.pose.bones if obj.pose else {}
    joints = forward_kinematics(bones)
    lo, hi = posed_bounds(bones)
    k = obj.dimensions[2] / max(float(hi[2] - lo[2]), 1e-9)
    ends = np.array([joints[limb[0]][0], joints[limb[1]][1]]) * k
    world = ends @ yaw_matrix(obj.transform.rotation[2]).T + np.asarray(obj.transform.location)
    uv, depth = project(camera, world, resolution)
    focal_px = camera.lens / camera.sensor_width * resolution[0]
    length = float(np.linalg.norm(ends[1] - ends[0]))
    full = focal_px * length / max(float(depth.mean()), 1e-6)
    return uv[1] - uv[0], float(depth[1] - depth[0]), full


def pointing_side(
    obj: ObjectInstance, camera: Camera, resolution: tuple[int, int] = (256, 192)
) -> str:
    """Where the figure's pointing arm points in the picture, from the whole arm projected
    through the camera: 'to the left' / 'to the right' (the picture's sides), 'towards the
    camera' / 'away from the camera' (foreshortened), or '' where the picture leaves it open.
    The shares are of the arm's own length, so the answer does not depend on the resolution."""
    vec, ddepth, full = limb_in_picture(obj, camera, resolution)
    across, up = abs(float(vec[0])) / full, abs(float(vec[1])) / full
    if across >= SIDE_SHARE and across >= up:
        return "to the right" if vec[0] > 0 else "to the left"
    if math.hypot(across, up) < ALONG_SHARE:
        return "away from the camera" if ddepth > 0 else "towards the camera"
    return ""


# --- a moved object ------------------------------------------------------------------------

# A move changes the object's distance from the camera visibly when its depth changes by at
# least this share (its apparent size by about as much).
DEPTH_CHANGE = 0.12


def camera_depth(camera: Camera, point) -> float:
    """Distance of a point in front of the camera along its viewing axis."""
    m = look_at_matrix(camera.location, camera.look_at)
    return -float(np.subtract(point, camera.location) @ m[:, 2])


def centre(obj: ObjectInstance) -> tuple[float, float, float]:
    x, y, z = obj.transform.location
    return (x, y, z + obj.dimensions[2] / 2)


def depth_word(camera: Camera, start: ObjectInstance, end: ObjectInstance) -> str:
    """'closer to the camera', 'further back', or '' when the depth (and so the apparent
    size) changes by less than DEPTH_CHANGE."""
    d0, d1 = camera_depth(camera, centre(start)), camera_depth(camera, centre(end))
    if d0 <= 0 or d1 <= 0 or abs(d1 - d0) < DEPTH_CHANGE * d0:
        return ""
    return "closer to the camera" if d1 < d0 else "further back"


# "above"/"below" need air between the two boxes: a table standing behind a flat rug is higher
# in the picture and its bottom level with the rug's top, yet not above it (a 24-pair pilot
# said "the table ... is now above the rug").
VERTICAL_GAP = 0.03


def vertical_relation(
    target: ObjectInstance,
    landmark: ObjectInstance,
    boxes: dict[str, tuple[float, float, float, float]],
) -> str:
    """'above' / 'below' where both the scene (one box wholly over the other) and the picture
    (the target's centre over the landmark's top edge, or under its bottom edge, in
    overlapping columns) say so; else 'beside'. A poster hung over a plant pot is above it,
    not beside it."""
    t, lm = boxes.get(target.id), boxes.get(landmark.id)
    if t is None or lm is None or min(t[2], lm[2]) <= max(t[0], lm[0]):
        return "beside"
    mid = (t[1] + t[3]) / 2
    tz, lz = box_corners(target)[:, 2], box_corners(landmark)[:, 2]
    if tz.min() >= lz.max() + VERTICAL_GAP and mid < lm[1]:
        return "above"
    if tz.max() <= lz.min() - VERTICAL_GAP and mid > lm[3]:
        return "below"
    return "beside"
