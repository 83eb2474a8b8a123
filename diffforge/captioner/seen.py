"""What a viewer can check on the images: the words a caption may use for a change, decided
from the projected geometry (the camera, the objects' boxes, the sampler's visibility
prediction), never from the change record alone.

A material is named only where the render makes its class recognisable; a turn states its
direction only when a viewer could tell it (clear of the half-turn, or of half the period of a
symmetric object, and the target's facing seen in both images: a front its kind lets a viewer
tell from its back, turned towards the camera); a pose is named only where the figure's
defining limbs are seen as such (a stride's splayed legs with both knees in view; a pointing
arm clear of the body, worded in the picture's frame from the whole arm projected through the
camera), else by what it reads as; a moved
object is "closer"/"further back" only when its depth changes enough to change its apparent
size, and "above"/"below" a landmark only where the picture and the scene agree.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from diffforge.scenes.assets.symmetry import facing_readable
from diffforge.scenes.changes.appearance import SEEN_LOOKS
from diffforge.scenes.colour_names import light_enough, name_fits, outline_lab, residuals
from diffforge.scenes.environments.seating import builtin_library
from diffforge.scenes.geometry import (
    BOX_CORNERS,
    box_corners,
    box_points,
    look_at_matrix,
    predicted_footprints,
    project,
    yaw_matrix,
)
from diffforge.scenes.lighting import SceneLight, lit_srgb
from diffforge.scenes.model import Camera, ObjectInstance, Scene
from diffforge.scenes.perception import srgb_to_lab
from diffforge.vocabulary import COLORS, MATERIAL_LOOKS, POSE_SEEN_AS, POSE_UNSEEN_AS


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
# Kinds whose face is a fixed part in front of the colourable one: a whiteboard's colour is its
# thin frame's, so "a blue whiteboard" named a white board (review_std96n 9400/14); a picture's
# is its frame's, a thin border round the picture a viewer sees ("an orange picture frame" was a
# dark-brown border round a pale green picture: review_std96r 8300/23).
FIXED_FACED = frozenset({"whiteboard", "picture"})
# Kinds whose large faces are glass panes: the record's colour is a thin roof and frame, and
# the panes show the street behind ("a brown bus shelter" was a white see-through shelter with
# a thin tan roof, review_std96u 7100/37).
GLASS_WALLED = frozenset({"bus stop"})


# A tree's colour is its crown's: named only where CROWN_IN_FRAME of the crown's projected box
# lies in the frame (a viewer names a crown's colour where most of it shows). The crown is the
# part of the tree above its foliage's lowest point (the mesh's "foliage" slot), else above
# CROWN_FROM of its height. "The green tree" was a palm whose fronds the frame's top edge cut
# (0.67 of their box in the frame): a viewer saw its brown trunk (review_std96s 4200/26).
CROWN_FROM, CROWN_IN_FRAME = 0.6, 0.75


@functools.lru_cache(maxsize=1024)
def crown_from(shape: str) -> float:
    """Where a built-in tree shape's crown starts, as a share of its height (``CROWN_FROM``
    for a user's tree)."""
    try:
        bottom = builtin_library().slot_bottom(shape, "foliage")
    except Exception:  # a user's file or asset: not the library's to build
        bottom = None
    return CROWN_FROM if bottom is None or not math.isfinite(bottom) else float(bottom)


def crown_in_frame(obj: ObjectInstance, camera: Camera, resolution: tuple[int, int]) -> float:
    """The share of a tree's crown's projected box that lies in the frame; 0 where the crown
    is behind the camera."""
    dx, dy, dz = obj.dimensions
    x, y, z = obj.transform.location
    start = crown_from(obj.shape or obj.asset)
    crown = obj.model_copy(
        update={
            "dimensions": (dx, dy, dz * (1 - start)),
            "transform": obj.transform.model_copy(update={"location": (x, y, z + dz * start)}),
        }
    )
    uv, depth = project(camera, box_points([crown], BOX_CORNERS)[0], resolution)
    if not (depth > 0).all():
        return 0.0
    lo, hi = uv.min(axis=0), uv.max(axis=0)
    area = float(np.prod(np.maximum(hi - lo, 1e-9)))
    inside = np.clip(np.minimum(hi, resolution) - np.maximum(lo, 0), 0, None)
    return float(np.prod(inside)) / area


def tree_colour_seen(obj: ObjectInstance, camera: Camera, resolution: tuple[int, int]) -> bool:
    """Whether the picture shows a tree's colour (its crown in the frame); True for others."""
    return obj.category != "tree" or crown_in_frame(obj, camera, resolution) >= CROWN_IN_FRAME


def colour_seen(obj: ObjectInstance, light: SceneLight) -> bool:
    """Whether a viewer would give ``obj`` its record colour's name in the picture: never for
    glass (it shows what lies behind it: a beige glass table rendered dark brown), a mirror
    (``MIRROR_FACED``), a kind whose face is a fixed part (``FIXED_FACED``) or glass panes
    (``GLASS_WALLED``), else when the
    name is clearly the one its predicted lit colour carries (``CLEAR_NAME_TOLERANCE``), light
    enough for a light colour's name once its outline's shading is counted. A colour outside
    the vocabulary (a user file's own) cannot be judged and is kept."""
    name = obj.attributes.color
    if name not in COLORS:
        return True
    look = MATERIAL_LOOKS.get(obj.attributes.material or "")
    if look == "transparent" or obj.category in MIRROR_FACED | FIXED_FACED | GLASS_WALLED:
        return False
    ground = COLORS.get(light.scene.environment.floor_color or "", COLORS["gray"])
    lab = np.array(srgb_to_lab(lit_srgb(np.asarray(COLORS[name]), light.of(obj), ground)))
    res = residuals(lab)
    if res[name] > min(res.values()) + CLEAR_NAME_TOLERANCE:
        return False
    return light_enough(outline_lab(lab, look), name)


def measured_colour_fits(obj: ObjectInstance, lab) -> bool:
    """Whether ``obj``'s record colour fits its rendered pixels' mean CIELAB (``lab``, from
    the render facts; True where not measured), as the colour gate judges the names of a
    colour change (``colour_names.name_fits``). The light model predicts diffuse albedo; a
    metal's face shows what it reflects (a white washing machine by a blue wall read blue-grey,
    a grey car in an evening street dark olive: review_std96s 6800/14)."""
    name = obj.attributes.color
    if lab is None or name not in COLORS:
        return True
    return name_fits(np.asarray(lab, dtype=float), name)


# A turn within this many degrees of a half-turn reads as "turned around": clockwise and
# counterclockwise end at the same place (a chair turned 172° was captioned "clockwise").
HALF_TURN_MARGIN_DEG = 30.0
# An object with a front (1-fold) turned by more than this is captioned "turned" without a
# direction (and "turned around" within the margin above): a viewer who takes its back for
# its front reads the short turn the other way. review_std96m: a cantilever chair turned 145°
# counterclockwise read as about 35-45° clockwise (4700/22), a shopping cart turned 135°
# clockwise as a half-turn (8600/22); review_std96n: a chair turned 117° clockwise read as
# about 70° counterclockwise (9400/09), where turns of 98-114° read right.
MAX_DIRECTED_DEG = 110.0
# The facing of a target is seen when at least this share of its unoccluded footprint is
# predicted visible (a mannequin with its legs behind a desk is not) ...
FACING_SHARE = 0.8
# ... and its box is at least this share of the frame's width or height (a far chair is a blob).
FACING_MIN_SIDE = 0.06


def turn_kind(degrees: float, order: int = 1) -> str:
    """'around' for a turn too close to a half-turn to have a direction, 'turned' for a turn
    of an ``order``-fold symmetric object too close to half its period (a table turned 85°
    looks turned 95° the other way: the margin is the same share of the period) or of an
    object with a front past ``MAX_DIRECTED_DEG``, else 'directed'. ``degrees`` is the turn as
    the record keeps it: folded by the symmetry."""
    half = 180.0 / max(order, 1)
    clear = half * (1.0 - HALF_TURN_MARGIN_DEG / 180.0)
    if abs(degrees) <= (min(clear, MAX_DIRECTED_DEG) if order <= 1 else clear):
        return "directed"
    return "around" if order <= 1 and abs(degrees) > clear else "turned"


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
# pointing to the left, though the arm aimed 20° off the camera); under ALONG_SHARE in all
# directions it is foreshortened into a stub at the shoulder and the figure reads as standing
# with its arms down (review_textpose200 pair 131: "pointing towards the camera" unseen).
SIDE_SHARE = 0.3
ALONG_SHARE = 0.2
# A pointing hand must stand clear of the body's outline (the torso's axis, hips to neck, plus
# BODY_HALF_WIDTH m at nominal size: the shoulder joint and a sleeve) by this share of the
# arm's length: a hand held over the chest, just past the far shoulder, reads as a bent arm
# across the body, not as pointing (review_textpose200 pair 128: 0.01 of the arm clear; std48d
# pair 22, a hand a third of an arm past its own shoulder read as pointing, 0.19; the faithful
# pointing arms of review_textpose200, 0.55-0.65).
CLEAR_SHARE = 0.1
BODY_HALF_WIDTH = 0.24
# A stride shows where the two legs' pictures (hip to ankle) splay by STRIDE_DEG and both knees
# are in the frame (and in the figure's rendered box): a walk seen head-on has parallel legs
# and reads as standing (review_textpose200 pair 93: 1.2°, knees in frame, feet cut; the
# faithful strides of that review splay 8-51°, the shallowest, 8°, seen from the front).
STRIDE_DEG = 6.0
# Pixels a joint may lie past the rendered box's edge and still count as seen (the box is of
# the mesh, the joints are bone axes inside it).
BOX_SLACK_PX = 2.0


def figure_in_picture(
    obj: ObjectInstance, camera: Camera, resolution: tuple[int, int]
) -> tuple[dict[str, tuple[np.ndarray, np.ndarray]], float]:
    """Every bone of the posed figure as the camera sees it: {bone: (2×2 pixel coordinates of
    head and tail, their 2 depths)}, and the pixels per metre across the line of sight at unit
    depth times the figure's scale (a length ``l`` m at depth ``d`` spans ``l * ppm / d`` px).
    The joints come from the library's forward kinematics at the figure's height (a record
    without bones takes its pose's library bones), turned and placed as the renderer places
    the armature."""
    from diffforge.scenes.assets.characters import POSES, forward_kinematics, posed_bounds

    bones = (obj.pose.bones or POSES.get(obj.pose.name, {})) if obj.pose else {}
    joints = forward_kinematics(bones)
    lo, hi = posed_bounds(bones)
    k = obj.dimensions[2] / max(float(hi[2] - lo[2]), 1e-9)
    names = list(joints)
    local = np.array([p for n in names for p in joints[n]]) * k
    world = local @ yaw_matrix(obj.transform.rotation[2]).T + np.asarray(obj.transform.location)
    uv, depth = project(camera, world, resolution)
    focal_px = camera.lens / camera.sensor_width * resolution[0]
    out = {n: (uv[2 * i : 2 * i + 2], depth[2 * i : 2 * i + 2]) for i, n in enumerate(names)}
    return out, focal_px * k


def limb_in_picture(
    obj: ObjectInstance, camera: Camera, resolution: tuple[int, int], limb=POINTING_ARM
) -> tuple[np.ndarray, float, float]:
    """The figure's limb as the camera sees it: (picture vector from the first bone's head to
    the last bone's tail in pixels, the depth change along it in metres, the limb's length in
    pixels were it held across the line of sight at its depth). The posed joints come from the
    library's forward kinematics at the figure's height, turned and placed as the renderer
    places the armature."""
    from diffforge.scenes.assets.characters import POSES, forward_kinematics, posed_bounds

    bones = (obj.pose.bones or POSES.get(obj.pose.name, {})) if obj.pose else {}
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


def _clear_of_body(bones, ppm: float, point: np.ndarray, depth: float) -> float:
    """Pixels ``point`` lies outside the body's outline in the picture: its distance from the
    torso's projected axis (hips to neck) less the body's half-width at that depth."""
    a, b = bones["hips"][0][0], bones["neck"][0][1]
    ab = b - a
    t = float(np.clip((point - a) @ ab / max(float(ab @ ab), 1e-9), 0.0, 1.0))
    return float(np.linalg.norm(point - (a + t * ab))) - ppm * BODY_HALF_WIDTH / max(depth, 1e-6)


def pointing_seen(
    obj: ObjectInstance, camera: Camera, resolution: tuple[int, int] = (256, 192)
) -> str:
    """What the pointing arm shows in the picture, from the whole arm projected through the
    camera: 'pointing_left' / 'pointing_right' (the picture's sides) where the hand stands
    clear of the body (CLEAR_SHARE) and the arm runs sideways (SIDE_SHARE); 'arm_out' where it
    stands clear in another direction; 'arm_across' where it lies over the body, in front of
    it; else the pose it reads as (``POSE_UNSEEN_AS``: foreshortened into a stub, or behind the
    body). The shares are of the arm's own length: the answer holds at any resolution."""
    vec, _, full = limb_in_picture(obj, camera, resolution)
    bones, ppm = figure_in_picture(obj, camera, resolution)
    (_, tip), (_, tip_depth) = bones[POINTING_ARM[1]][0], bones[POINTING_ARM[1]][1]
    clear = _clear_of_body(bones, ppm, tip, float(tip_depth)) / full
    across, up = abs(float(vec[0])) / full, abs(float(vec[1])) / full
    if clear >= CLEAR_SHARE:
        if across >= SIDE_SHARE and across >= up:
            return "pointing_right" if vec[0] > 0 else "pointing_left"
        return "arm_out"
    in_front = float(tip_depth) < float(bones["chest"][1].mean())
    if math.hypot(across, up) >= ALONG_SHARE and in_front:
        return "arm_across"
    return POSE_UNSEEN_AS["pointing"]


def _in_view(uv: np.ndarray, resolution: tuple[int, int], box=None) -> bool:
    """Whether every point lies in the frame and, given the figure's rendered box (x0, y0,
    x1, y1), in that box (BOX_SLACK_PX): what a counter or the frame's edge cuts off is not
    seen."""
    w, h = resolution
    x0, y0, x1, y1 = (0.0, 0.0, float(w), float(h)) if box is None else box
    x0, y0, x1, y1 = max(x0, 0.0), max(y0, 0.0), min(x1, float(w)), min(y1, float(h))
    s = BOX_SLACK_PX if box is not None else 0.0
    u, v = uv[:, 0], uv[:, 1]
    return bool(((u >= x0 - s) & (u <= x1 + s) & (v >= y0 - s) & (v <= y1 + s)).all())


def stride_seen(obj: ObjectInstance, camera: Camera, resolution: tuple[int, int], box=None) -> bool:
    """Whether the picture shows the walking figure's stride: both knees in view (``box``: the
    rendered box, where known) and the two legs' pictures, hip to ankle, splayed by
    STRIDE_DEG."""
    bones, _ = figure_in_picture(obj, camera, resolution)
    knees = np.array([bones["lower_leg_L"][0][0], bones["lower_leg_R"][0][0]])
    if not _in_view(knees, resolution, box):
        return False
    legs = [bones[f"lower_leg_{s}"][0][1] - bones[f"upper_leg_{s}"][0][0] for s in "LR"]
    norms = [float(np.linalg.norm(v)) for v in legs]
    if min(norms) <= 1e-9:
        return False
    cos = float(legs[0] @ legs[1]) / (norms[0] * norms[1])
    return math.degrees(math.acos(min(1.0, max(-1.0, cos)))) >= STRIDE_DEG


def pose_seen(
    obj: ObjectInstance,
    camera: Camera,
    resolution: tuple[int, int] = (256, 192),
    box=None,
) -> str:
    """The pose a viewer reads on this figure in this picture: its name where the defining
    limbs are seen as such, a key of ``POSE_SEEN_PHRASES`` for a pointing arm (worded in the
    picture's frame), else what it reads as (``POSE_SEEN_AS``, ``POSE_UNSEEN_AS``). ``box``:
    the figure's rendered box (render facts), which tells what the frame or a counter cuts."""
    name = obj.pose.name if obj.pose else "standing"
    name = POSE_SEEN_AS.get(name, name)  # what the limbs show (a faceless head turns unseen)
    if name == "pointing":
        return pointing_seen(obj, camera, resolution)
    if name == "walking" and not stride_seen(obj, camera, resolution, box):
        return POSE_UNSEEN_AS[name]
    return name


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
    """'above' / 'below' where both the scene (one box wholly over the other; a wall
    object's middle over the top of what stands before it) and the picture (the target's
    centre over the landmark's top edge, or under its bottom edge, in overlapping columns) say
    so; else 'beside'. A poster hung over a plant pot is above it, not beside it, and so is
    one whose lower edge a refrigerator in front of it hides (review_std96u 4600/47)."""
    t, lm = boxes.get(target.id), boxes.get(landmark.id)
    if t is None or lm is None or min(t[2], lm[2]) <= max(t[0], lm[0]):
        return "beside"
    mid = (t[1] + t[3]) / 2
    tz, lz = box_corners(target)[:, 2], box_corners(landmark)[:, 2]
    hung = target.support == "wall"
    low, high = (tz.mean(), tz.mean()) if hung else (tz.min(), tz.max())
    if low >= lz.max() + VERTICAL_GAP and mid < lm[1]:
        return "above"
    if high <= lz.min() - VERTICAL_GAP and mid > lm[3]:
        return "below"
    return "beside"


# A person's trousers are named only where the picture shows them: the rendered figure must
# reach past the hip line by this share of the hip-to-feet span (review_std96q 2600/44: a person
# seen down to the waist behind a counter, "in pink trousers"). The hip is put at ``HIP_SHARE``
# of the figure's height (a standing figure's; a seated one's hip is lower, so its trousers
# are kept more readily).
HIP_SHARE, GARMENT_SEEN_SHARE = 0.47, 0.25


def garments_unseen(
    obj: ObjectInstance, camera: Camera, resolution: tuple[int, int], seen_box
) -> tuple[str, ...]:
    """The clothing features ("clothing.bottom") a caption may not name on ``obj``: a garment
    the rendered figure (its ``seen_box``, what the frame and other objects leave of it) does
    not show. Nothing where visibility comes from the projection alone."""
    if seen_box is None or "bottom" not in (obj.attributes.clothing or {}):
        return ()
    x, y, z = obj.transform.location
    uv, depth = project(camera, [(x, y, z + HIP_SHARE * obj.dimensions[2]), (x, y, z)], resolution)
    hip, feet = float(uv[0, 1]), float(uv[1, 1])
    if (depth <= 0).any() or feet - hip < 2:
        return ()
    return ("clothing.bottom",) if seen_box[3] < hip + GARMENT_SEEN_SHARE * (feet - hip) else ()
