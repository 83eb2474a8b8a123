"""What a viewer can check on the images: the words a caption may use for a change, decided
from the projected geometry (the camera, the objects' boxes, the sampler's visibility
prediction), never from the change record alone.

A material is named only where the render makes its class recognisable; a turn states its
direction only when a viewer could tell it (clear of the half-turn, the
target's facing seen in both images); a pointing arm is worded in the picture's frame; a moved
object is "closer"/"further back" only when its depth changes enough to change its apparent
size, and "above"/"below" a landmark only where the picture and the scene agree.
"""

from __future__ import annotations

import math

import numpy as np

from diffforge.scenes.changes.appearance import SEEN_LOOKS
from diffforge.scenes.geometry import box_corners, look_at_matrix, predicted_footprints, yaw_matrix
from diffforge.scenes.model import Camera, ObjectInstance, Scene
from diffforge.vocabulary import MATERIAL_LOOKS


def material_seen(material: str | None) -> bool:
    """Whether the renders make this material class recognisable, so a caption may name it
    on an object: glass only (SEEN_LOOKS: the looks the material swap's contrast measures
    tell apart). Metal reads as matte paint on small or pale objects (a "metallic" chair
    looked like beige wood), and glossy against matte is 1-9 CIEDE2000."""
    return MATERIAL_LOOKS.get(material or "") in SEEN_LOOKS


# A turn within this many degrees of a half-turn reads as "turned around": clockwise and
# counterclockwise end at the same place (a chair turned 172° was captioned "clockwise").
HALF_TURN_MARGIN_DEG = 30.0
# The facing of a target is seen when at least this share of its unoccluded footprint is
# predicted visible (a mannequin with its legs behind a desk is not) ...
FACING_SHARE = 0.8
# ... and its box is at least this share of the frame's width or height (a far chair is a blob).
FACING_MIN_SIDE = 0.06


def turn_kind(degrees: float) -> str:
    """'around' for a turn too close to a half-turn to have a direction, else 'directed'."""
    return "around" if abs(degrees) > 180.0 - HALF_TURN_MARGIN_DEG else "directed"


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


def facing_seen(scene: Scene, obj_id: str, resolution: tuple[int, int]) -> bool:
    """Whether a viewer can tell which way the object faces in this image: it is large enough
    and hardly hidden behind other objects (FACING_SHARE, FACING_MIN_SIDE)."""
    foot = predicted_footprints(scene, resolution).get(obj_id)
    if foot is None:
        return False
    w, h = resolution
    x0, y0, x1, y1 = foot.box
    if max((x1 - x0) / w, (y1 - y0) / h) < FACING_MIN_SIDE:
        return False
    return unoccluded_share(scene, obj_id, resolution, foot) >= FACING_SHARE


# --- a person's limbs, as the camera sees them ---------------------------------------------

# Where the pointing pose aims the right forearm, in the figure's own frame (x: the figure's
# left, -y: its front, z: up; scenes/assets/characters.py "pointing").
POINTING_AIM = (-0.1, -1.0, 0.08)
# A pointing arm within this angle of the line of sight points "towards"/"away from" the
# camera (foreshortened); otherwise it points to a side of the picture.
ALONG_SIGHT_DEG = 40.0


def camera_axes(camera: Camera) -> tuple[np.ndarray, np.ndarray]:
    """The camera's right and its viewing direction, both flattened onto the floor."""
    m = look_at_matrix(camera.location, camera.look_at)
    right = np.array([m[0, 0], m[1, 0], 0.0])
    ahead = np.array([-m[0, 2], -m[1, 2], 0.0])
    return right / np.linalg.norm(right), ahead / np.linalg.norm(ahead)


def pointing_side(obj: ObjectInstance, camera: Camera) -> str:
    """Where the figure's pointing arm points in the picture: 'towards the camera', 'away
    from the camera', 'to the left' or 'to the right' (the picture's left and right)."""
    aim = yaw_matrix(obj.transform.rotation[2]) @ np.asarray(POINTING_AIM, float)
    right, ahead = camera_axes(camera)
    across, depth = float(aim @ right), float(aim @ ahead)
    if math.degrees(math.atan2(abs(across), abs(depth))) < ALONG_SIGHT_DEG:
        return "away from the camera" if depth > 0 else "towards the camera"
    return "to the right" if across > 0 else "to the left"


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
    if tz.min() >= lz.max() - 0.01 and mid < lm[1]:
        return "above"
    if tz.max() <= lz.min() + 0.01 and mid > lm[3]:
        return "below"
    return "beside"
