"""The procedural mannequin: canonical bones, body parts, a pose library and forward kinematics.

The renderer builds a bpy armature from ``BONES`` (edit bones with these heads and tails and
roll 0, parented as listed, ``use_connect`` as listed), parents each body part of
``part_meshes()`` to its bone, and sets ``pose_bone.rotation_mode = "XYZ"`` and
``rotation_euler`` from a pose, then moves the armature up by ``pose_root_offset(pose)`` so the
posed body stands on the ground. ``forward_kinematics`` reproduces Blender's bone frames
(``vec_roll_to_mat3``) in numpy, so the sampler knows the posed joints and bounding box
without bpy.

Conventions: metres, Z up, the character faces -Y, so its left side is +X (Blender's ``.L``).
Rest pose: T-pose, 1.75 m tall, origin between the feet (at the centre of the standing
body's bounding box, so ``posed_bounds`` and the asset's declared size share one origin).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import trimesh

from diffforge.errors import AssetError, valid_names
from diffforge.scenes.assets.meshutil import block, capsule, ellipsoid, merge, sphere, tube

Vec3 = tuple[float, float, float]


@dataclass(frozen=True)
class Bone:
    name: str
    parent: str | None
    head: Vec3
    tail: Vec3
    connected: bool  # head coincides with the parent's tail (Blender's use_connect)


SHOULDER_Z = 1.42
# The skeleton sits 4 cm behind the origin so that the standing body's bounding box is centred
# on it: the asset origin (bottom centre of the box) and the armature origin then coincide.
Y0 = 0.04
_BONES_AT_Y0: tuple[Bone, ...] = (
    Bone("hips", None, (0.0, 0.0, 0.95), (0.0, 0.0, 1.05), False),
    Bone("spine", "hips", (0.0, 0.0, 1.05), (0.0, 0.0, 1.25), True),
    Bone("chest", "spine", (0.0, 0.0, 1.25), (0.0, 0.0, 1.45), True),
    Bone("neck", "chest", (0.0, 0.0, 1.45), (0.0, 0.0, 1.54), True),
    Bone("head", "neck", (0.0, 0.0, 1.54), (0.0, 0.0, 1.75), True),
    *(
        bone
        for side, sx in (("L", 1.0), ("R", -1.0))
        for bone in (
            Bone(f"upper_arm_{side}", "chest", (sx * 0.19, 0.0, SHOULDER_Z), (sx * 0.47, 0.0, SHOULDER_Z), False),
            Bone(f"lower_arm_{side}", f"upper_arm_{side}", (sx * 0.47, 0.0, SHOULDER_Z), (sx * 0.73, 0.0, SHOULDER_Z), True),
            Bone(f"hand_{side}", f"lower_arm_{side}", (sx * 0.73, 0.0, SHOULDER_Z), (sx * 0.9, 0.0, SHOULDER_Z), True),
            Bone(f"upper_leg_{side}", "hips", (sx * 0.1, 0.0, 0.93), (sx * 0.1, 0.0, 0.5), False),
            Bone(f"lower_leg_{side}", f"upper_leg_{side}", (sx * 0.1, 0.0, 0.5), (sx * 0.1, 0.0, 0.08), True),
            Bone(f"foot_{side}", f"lower_leg_{side}", (sx * 0.1, 0.0, 0.08), (sx * 0.1, -0.16, 0.03), True),
        )
    ),
)  # fmt: skip
BONES: tuple[Bone, ...] = tuple(
    Bone(b.name, b.parent, (b.head[0], b.head[1] + Y0, b.head[2]),
         (b.tail[0], b.tail[1] + Y0, b.tail[2]), b.connected)
    for b in _BONES_AT_Y0
)  # fmt: skip
BONE_BY_NAME: dict[str, Bone] = {b.name: b for b in BONES}
CANONICAL_BONES: tuple[str, ...] = tuple(b.name for b in BONES)
MATERIAL_SLOTS = ("top", "bottom", "skin", "shoes", "hair", "eyes")  # clothes: top and bottom


# --- Blender's bone frames ------------------------------------------------------------------


def bone_rest_matrix(head, tail, roll: float = 0.0) -> np.ndarray:
    """The 3x3 armature-space frame of a bone (Y along the bone), as Blender's vec_roll_to_mat3."""
    nor = np.asarray(tail, float) - np.asarray(head, float)
    nor = nor / np.linalg.norm(nor)
    x, y, z = nor
    theta, theta_alt = 1.0 + y, x * x + z * z
    if theta > 6.1e-3 or theta_alt > 2.5e-4**2:
        if theta <= 6.1e-3:
            theta = theta_alt * 0.5 + theta_alt * theta_alt * 0.125
        m = np.array(
            [
                [1 - x * x / theta, x, -x * z / theta],
                [-x, y, -z],
                [-x * z / theta, z, 1 - z * z / theta],
            ]
        )  # fmt: skip  (columns: bone X, Y, Z axes)
    else:
        m = np.diag([-1.0, -1.0, 1.0])
    if roll:
        m = _axis_angle(nor, roll) @ m
    return m


def _axis_angle(axis, angle: float) -> np.ndarray:
    return trimesh.transformations.rotation_matrix(angle, axis)[:3, :3]


def euler_to_matrix(euler) -> np.ndarray:
    """Blender's XYZ Euler: X applied first, then Y, then Z (R = Rz @ Ry @ Rx)."""
    a, b, c = euler
    rx = _axis_angle((1, 0, 0), a)
    ry = _axis_angle((0, 1, 0), b)
    rz = _axis_angle((0, 0, 1), c)
    return rz @ ry @ rx


def matrix_to_euler(m: np.ndarray) -> Vec3:
    sb = -float(np.clip(m[2, 0], -1.0, 1.0))
    b = float(np.arcsin(sb))
    if abs(sb) < 1 - 1e-9:
        a = float(np.arctan2(m[2, 1], m[2, 2]))
        c = float(np.arctan2(m[1, 0], m[0, 0]))
    else:  # gimbal lock: fold Z into X
        a, c = float(np.arctan2(-m[1, 2], m[1, 1])), 0.0
    return (a, b, c)


def _rest4(bone: Bone) -> np.ndarray:
    m = np.eye(4)
    m[:3, :3] = bone_rest_matrix(bone.head, bone.tail)
    m[:3, 3] = bone.head
    return m


REST_MATRICES: dict[str, np.ndarray] = {b.name: _rest4(b) for b in BONES}
# their inverses, once: posing a body (every sitting height a seat asks for) used to invert
# each bone's rest matrix again
REST_INVERSES: dict[str, np.ndarray] = {k: np.linalg.inv(m) for k, m in REST_MATRICES.items()}


def pose_matrices(pose_bones: Mapping[str, Vec3]) -> dict[str, np.ndarray]:
    """4x4 armature-space pose matrix of every bone (Blender's pose_bone.matrix), ungrounded.
    Read-only arrays, cached per pose: the sampler asks for the same few poses thousands of
    times (framing, seating, the pose gate's predictions)."""
    key = tuple(sorted((k, tuple(map(float, v))) for k, v in pose_bones.items()))
    return dict(_pose_matrices(key))


@functools.lru_cache(maxsize=4096)
def _pose_matrices(key: tuple) -> dict[str, np.ndarray]:
    pose_bones = dict(key)
    out: dict[str, np.ndarray] = {}
    for bone in BONES:
        basis = np.eye(4)
        basis[:3, :3] = euler_to_matrix(pose_bones.get(bone.name, (0.0, 0.0, 0.0)))
        rest = REST_MATRICES[bone.name]
        if bone.parent is None:
            out[bone.name] = rest @ basis
        else:
            out[bone.name] = out[bone.parent] @ REST_INVERSES[bone.parent] @ rest @ basis
    for m in out.values():
        m.setflags(write=False)
    return out


def forward_kinematics(
    pose_bones: Mapping[str, Vec3], grounded: bool = True
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """World-space (head, tail) of every bone for a pose, at nominal size (scale 1).

    With ``grounded`` the body is shifted by ``pose_root_offset`` so its lowest point is at z=0
    (sitting and crouching lower the hips; the renderer applies the same offset).
    """
    unknown = set(pose_bones) - set(BONE_BY_NAME)
    if unknown:
        raise AssetError(
            f"pose: unknown bone(s) {', '.join(sorted(unknown))}; {valid_names(CANONICAL_BONES)}"
        )
    mats = pose_matrices(pose_bones)
    shift = pose_root_offset(pose_bones, mats) if grounded else np.zeros(3)
    out = {}
    for bone in BONES:
        m = mats[bone.name]
        length = float(np.linalg.norm(np.subtract(bone.tail, bone.head)))
        out[bone.name] = (m[:3, 3] + shift, (m @ [0.0, length, 0.0, 1.0])[:3] + shift)
    return out


# --- body parts -----------------------------------------------------------------------------
# A person's body variant: how tall (a factor on the instance's drawn scale, applied by
# ``instances.instantiate``, so every placed, seated and framed box follows it), how broad
# (torso and arm girth: the skeleton, the seat contact and the feet stay put), hair, sleeves,
# trousers/shorts/skirt and skin and hair tones. Bone positions never vary, so the kinematics
# below (poses, grounding, seat fitting) hold for every variant at its scale.

HAIRS = ("none", "short", "bun", "long")
TOPS = ("short_sleeves", "long_sleeves", "jacket")
BOTTOMS = ("trousers", "shorts", "skirt")
HAIR_COLORS = ("black", "brown", "gray")
SKINS = ("beige", "brown")
HEIGHTS = (0.92, 1.08)  # the instance's scale: 1.61-1.89 m (staging's plausible 0.9-1.1)
BUILDS = (0.88, 1.14)  # torso and arm girth


@dataclass(frozen=True)
class Body:
    height: float = 1.0
    build: float = 1.0
    hair: str = "none"
    top: str = "long_sleeves"
    bottom: str = "trousers"
    hair_color: str = "brown"
    skin: str = "beige"

    @classmethod
    def of(cls, params: Mapping[str, object] | None) -> Body:
        """The body a shape's generator params describe (unknown keys such as pose ignored)."""
        names = cls.__dataclass_fields__
        return cls(**{k: v for k, v in (params or {}).items() if k in names})


NOMINAL = Body()  # the body the kinematics measure: bald, long sleeves, trousers


def body_scale(drawn: float, height: float) -> float:
    """A body variant's instance scale: its ``height``, jittered by a quarter of how far the
    person scale drawn for it (``instances.SCALE_RANGES``, around 1) strays from 1."""
    return height * (1.0 + (drawn - 1.0) * 0.25)


# The lower garments drawn: captions, claims and checklists name a person's "bottom" colour
# "trousers" (vocabulary.CLOTHING_WORDS), so shorts and skirts are built (``part_meshes``) but
# not drawn until the captioner names the garment a shape wears.
DRAWN_BOTTOMS = ("trousers",)


def _tones(rng: np.random.Generator) -> dict:
    """Skin and hair tones, never the same (brown hair on brown skin reads as bald)."""
    skin = str(rng.choice(SKINS))
    return {"hair_color": str(rng.choice([c for c in HAIR_COLORS if c != skin])), "skin": skin}


def draw_body(rng: np.random.Generator) -> dict:
    """A body variant's params (``shapes.variant`` draws one per variant; the family is the
    top, the most visible garment)."""
    top = str(rng.choice(TOPS))
    return {
        "style": top,
        "height": float(rng.uniform(*HEIGHTS)),
        "build": float(rng.uniform(*BUILDS)),
        "hair": str(rng.choice(HAIRS, p=(0.15, 0.4, 0.2, 0.25))),
        "top": top,
        "bottom": str(rng.choice(DRAWN_BOTTOMS)),
        **_tones(rng),
    }


def _flared(p0, p1, r0: float, r1: float, tight: float) -> trimesh.Trimesh:
    """A frustum around the segment p0->p1 (radius r0 -> r1) whose +Y side stays ``tight``:
    a skirt over the thigh whose back, under the sitter, lies where the leg's does."""
    mesh = tube(p0, p1, 1.0, 14)
    p0, axis = np.asarray(p0, float), np.subtract(p1, p0)
    t = np.clip((mesh.vertices - p0) @ axis / (axis @ axis), 0.0, 1.0)
    along = p0 + t[:, None] * axis
    off = mesh.vertices - along
    off *= (r0 + (r1 - r0) * t)[:, None]
    back = off[:, 1] > 0
    off[back, 1] *= np.minimum(1.0, tight / (r0 + (r1 - r0) * t[back]))
    mesh.vertices = along + off
    return mesh


def _hair(body: Body) -> list[tuple[str, str, trimesh.Trimesh]]:
    if body.hair == "none":
        return []
    parts = [("head", "hair", ellipsoid((0.092, 0.1, 0.075), (0.0, Y0 + 0.018, 1.685), 2))]
    if body.hair == "bun":
        parts.append(("head", "hair", sphere(0.042, (0.0, Y0 + 0.1, 1.7), 1)))
    elif body.hair == "long":
        parts.append(("head", "hair", ellipsoid((0.088, 0.05, 0.12), (0.0, Y0 + 0.06, 1.58), 2)))
    return parts


# The torso's outline bottom to top at build 1: (z, half width, half depth). One smooth loft
# shared by the hips, spine and chest, each taking its stretch between its joints and a little
# past them (a bent back shows no gap): three stacked ellipsoids pinched at every joint and read
# as a snowman from behind. The bottom stays at 0.86 m (the seat contact) and the back at
# 0.12 m behind the spine (the standing body's box centred on the armature's origin).
TORSO = (
    (0.86, 0.09, 0.06), (0.88, 0.14, 0.09), (0.91, 0.165, 0.105), (0.97, 0.172, 0.11),
    (1.04, 0.158, 0.102), (1.12, 0.148, 0.098), (1.22, 0.17, 0.108), (1.29, 0.188, 0.12),
    (1.35, 0.198, 0.12), (1.39, 0.2, 0.115), (1.43, 0.18, 0.1), (1.46, 0.12, 0.075), (1.47, 0.06, 0.05),
)  # fmt: skip
TORSO_BONES = {"hips": (0.86, 1.08), "spine": (1.03, 1.28), "chest": (1.23, 1.47)}


def _torso(z0: float, z1: float, sx: float, sy: float) -> trimesh.Trimesh:
    """The torso loft between heights ``z0`` and ``z1``, widths times ``sx``, depths ``sy``:
    rounded-box cross-sections (a superellipse) every 2 cm, the ends closed."""
    z, a, b = np.array(TORSO).T
    zs = np.linspace(z0, z1, max(3, round((z1 - z0) / 0.02) + 1))
    half_w, half_d = np.interp(zs, z, a) * sx, np.interp(zs, z, b) * sy
    t = np.linspace(0.0, 2 * math.pi, 20, endpoint=False)
    c, s = np.cos(t), np.sin(t)
    ux, uy = np.sign(c) * np.abs(c) ** 0.8, np.sign(s) * np.abs(s) ** 0.8  # power 2.5
    rings = [
        np.c_[w * ux, Y0 + d * uy, np.full_like(t, h)]
        for h, w, d in zip(zs, half_w, half_d, strict=True)
    ]
    verts = np.vstack([*rings, [(0.0, Y0, zs[0]), (0.0, Y0, zs[-1])]])
    n, k = len(t), len(rings)
    faces = []
    for r in range(k - 1):
        for i in range(n):
            a0, a1 = r * n + i, r * n + (i + 1) % n
            faces += [(a0, a1, a1 + n), (a0, a1 + n, a0 + n)]
    bottom, top = k * n, k * n + 1
    faces += [(bottom, (i + 1) % n, i) for i in range(n)]
    faces += [(top, (k - 1) * n + i, (k - 1) * n + (i + 1) % n) for i in range(n)]
    mesh = trimesh.Trimesh(verts, np.array(faces), process=False)
    mesh.fix_normals()
    return mesh


def part_meshes(body: Body = NOMINAL) -> list[tuple[str, str, trimesh.Trimesh]]:
    """(bone, material slot, mesh in rest-pose armature space) for every body part."""
    b = BONE_BY_NAME
    g = body.build
    gy = 1.0 + (g - 1.0) * 0.5  # depth grows half as fast as width
    coat = body.top == "jacket"
    c = 1.04 if coat else 1.0
    parts: list[tuple[str, str, trimesh.Trimesh]] = [
        ("hips", "bottom", _torso(*TORSO_BONES["hips"], g, gy)),
        ("spine", "top", _torso(*TORSO_BONES["spine"], g * c, gy * c)),
        ("chest", "top", _torso(*TORSO_BONES["chest"], g * c, gy * c)),
        ("neck", "skin", capsule((0.0, Y0, 1.44), (0.0, Y0, 1.54), 0.045, (10, 8))),
        ("head", "skin", ellipsoid((0.085, 0.1, 0.11), (0.0, Y0 - 0.005, 1.64), 2)),
        ("head", "skin", sphere(0.02, (0.0, Y0 - 0.1, 1.63), 1)),  # nose: shows which way it faces
        *(("head", "eyes", sphere(0.012, (sx * 0.032, Y0 - 0.088, 1.665), 1)) for sx in (1, -1)),
        *_hair(body),
    ]
    if coat:  # a hem over the hips, above the seat contact (the hips' lowest point)
        parts.append(("hips", "top", _torso(0.9, 1.08, g * 1.07, gy * 1.07)))
    sleeve = "skin" if body.top == "short_sleeves" else "top"
    shin = "bottom" if body.bottom == "trousers" else "skin"
    for side in ("L", "R"):
        for name, slot, radius in (("upper_arm", "top", 0.05 * g), ("lower_arm", sleeve, 0.04 * g),
                                   ("upper_leg", "bottom", 0.07), ("lower_leg", shin, 0.055 if shin == "bottom" else 0.048)):  # fmt: skip
            bone = b[f"{name}_{side}"]
            if name == "upper_leg" and body.bottom == "skirt":
                parts.append((bone.name, "skin", capsule(bone.head, bone.tail, 0.06, (10, 8))))
                parts.append((bone.name, slot, _flared(bone.head, bone.tail, 0.072, 0.115, 0.07)))
                continue
            parts.append((bone.name, slot, capsule(bone.head, bone.tail, radius, (10, 8))))
        hand = b[f"hand_{side}"]
        mid = np.add(hand.head, hand.tail) / 2
        parts.append((hand.name, "skin", ellipsoid((0.075, 0.028, 0.045), mid, 1)))
        foot = b[f"foot_{side}"]
        x = foot.head[0]
        parts.append(
            (foot.name, "shoes", block((x - 0.05, Y0 - 0.2, 0.0), (x + 0.05, Y0 + 0.05, 0.09)))
        )
    return parts


_PARTS = part_meshes()


def _posed_vertices(
    pose_bones: Mapping[str, Vec3], mats=None, parts=None
) -> list[tuple[str, np.ndarray]]:
    mats = mats if mats is not None else pose_matrices(pose_bones)
    out = []
    for bone, slot, mesh in _PARTS if parts is None else parts:
        m = mats[bone] @ REST_INVERSES[bone]
        out.append((slot, mesh.vertices @ m[:3, :3].T + m[:3, 3]))
    return out


def pose_root_offset(pose_bones: Mapping[str, Vec3], mats=None) -> np.ndarray:
    """The armature-space translation that puts the posed body's lowest point at z=0."""
    lowest = min(float(v[:, 2].min()) for _, v in _posed_vertices(pose_bones, mats))
    return np.array([0.0, 0.0, -lowest])


def posed_bounds(pose_bones: Mapping[str, Vec3], scale: float = 1.0) -> np.ndarray:
    """(2, 3) grounded bounding box of the posed body (what the sampler places and frames)."""
    verts = np.vstack([v for _, v in _posed_vertices(pose_bones)])
    verts = verts + np.array([0.0, 0.0, -float(verts[:, 2].min())])  # pose_root_offset's
    return np.array([verts.min(axis=0), verts.max(axis=0)]) * scale


def mannequin(pose: str = "standing", **body: object) -> trimesh.Scene:
    """The posed, grounded mannequin (a body variant's when given its params) as a static
    scene, one geometry per material slot it uses."""
    if pose not in POSES:
        raise AssetError(f"mannequin: unknown pose {pose!r}; {valid_names(POSES)}")
    bones = POSES[pose]
    shift = pose_root_offset(bones)
    parts = part_meshes(Body.of(body))
    by_slot: dict[str, list[trimesh.Trimesh]] = {}
    for (slot, verts), (_, _, mesh) in zip(_posed_vertices(bones, parts=parts), parts, strict=True):
        by_slot.setdefault(slot, []).append(
            trimesh.Trimesh(verts + shift, mesh.faces, process=False)
        )
    scene = trimesh.Scene()
    for slot, meshes in by_slot.items():
        scene.add_geometry(merge(meshes), geom_name=slot, node_name=slot)
    return scene


mannequin.draw_shape = draw_body  # type: ignore[attr-defined]  (see shapes.shape_drawer)


# --- the pose library -----------------------------------------------------------------------
# Poses are written as what a person would say ("point the right forearm forward"): per bone,
# an aim direction or a rotation, both in armature space after the parent's motion; they are
# converted once into the bone-local XYZ Euler angles the renderer sets on pose bones.

_DOWN, _UP, _FWD = (0.0, 0.0, -1.0), (0.0, 0.0, 1.0), (0.0, -1.0, 0.0)


def _unit(v) -> np.ndarray:
    v = np.asarray(v, float)
    return v / np.linalg.norm(v)


def _align(u, v) -> np.ndarray:
    """The smallest rotation taking direction u onto direction v."""
    return trimesh.geometry.align_vectors(_unit(u), _unit(v))[:3, :3]


def _build_pose(spec: Mapping[str, tuple[str, object]]) -> dict[str, Vec3]:
    """Turn {bone: ("aim", direction) | ("turn", (axis, angle))} into bone-local Eulers."""
    delta: dict[str, np.ndarray] = {}
    pose: dict[str, Vec3] = {}
    for bone in BONES:
        carried = delta[bone.parent] if bone.parent else np.eye(3)
        rest = REST_MATRICES[bone.name][:3, :3]
        kind, arg = spec.get(bone.name, ("none", None))
        if kind == "aim":
            a = _align(carried @ rest[:, 1], arg)
        elif kind == "turn":
            axis, angle = arg
            a = _axis_angle(axis, angle)
        else:
            a = np.eye(3)
        frame = carried @ rest
        basis = frame.T @ a @ frame
        delta[bone.name] = a @ carried
        if not np.allclose(basis, np.eye(3), atol=1e-9):
            pose[bone.name] = tuple(round(x, 6) for x in matrix_to_euler(basis))
    return pose


def _arms_down(spread: float = 0.12, swing: float = 0.0) -> dict:
    """Both arms hanging (slightly away from the body), swung forward/back by ``swing``."""
    return {
        "upper_arm_L": ("aim", (spread, -swing, -1.0)),
        "upper_arm_R": ("aim", (-spread, swing, -1.0)),
        "lower_arm_L": ("aim", (spread * 0.5, -swing * 1.6 - 0.1, -1.0)),
        "lower_arm_R": ("aim", (-spread * 0.5, swing * 1.6 - 0.1, -1.0)),
        "hand_L": ("aim", (0.05, -swing * 1.6 - 0.1, -1.0)),
        "hand_R": ("aim", (-0.05, swing * 1.6 - 0.1, -1.0)),
    }


_POSE_SPECS: dict[str, dict] = {
    "standing": _arms_down(),
    "waving": {
        **_arms_down(),
        "upper_arm_R": ("aim", (-1.0, -0.15, 0.45)),
        "lower_arm_R": ("aim", (-0.2, -0.1, 1.0)),
        "hand_R": ("aim", (-0.35, -0.1, 1.0)),
    },
    "arms_raised": {
        "upper_arm_L": ("aim", (0.3, -0.05, 1.0)),
        "upper_arm_R": ("aim", (-0.3, -0.05, 1.0)),
        "lower_arm_L": ("aim", (0.2, 0.0, 1.0)),
        "lower_arm_R": ("aim", (-0.2, 0.0, 1.0)),
        "hand_L": ("aim", (0.15, 0.0, 1.0)),
        "hand_R": ("aim", (-0.15, 0.0, 1.0)),
    },
    "pointing": {
        **_arms_down(),
        "upper_arm_R": ("aim", (-0.15, -1.0, 0.05)),
        "lower_arm_R": ("aim", (-0.1, -1.0, 0.08)),
        "hand_R": ("aim", (-0.05, -1.0, 0.05)),
        "head": ("turn", ((0.0, 0.0, 1.0), -0.2)),
    },
    "sitting": {
        **_arms_down(spread=0.2, swing=0.35),
        "upper_leg_L": ("aim", (0.05, -1.0, 0.0)),
        "upper_leg_R": ("aim", (-0.05, -1.0, 0.0)),
        "lower_leg_L": ("aim", (0.0, -0.05, -1.0)),
        "lower_leg_R": ("aim", (0.0, -0.05, -1.0)),
        "foot_L": ("aim", (0.0, -1.0, -0.3)),
        "foot_R": ("aim", (0.0, -1.0, -0.3)),
    },
    "walking": {
        **_arms_down(spread=0.1, swing=0.4),
        "upper_leg_L": ("aim", (0.0, -0.45, -1.0)),
        "lower_leg_L": ("aim", (0.0, -0.3, -1.0)),
        "foot_L": ("aim", (0.0, -1.0, -0.1)),
        "upper_leg_R": ("aim", (0.0, 0.4, -1.0)),
        "lower_leg_R": ("aim", (0.0, 0.8, -1.0)),
        "foot_R": ("aim", (0.0, -1.0, -0.9)),
    },
    # A deep squat on the balls of the feet: hips low over the heels, the knees higher than
    # the hips and apart, the torso folded forward between them, the hands reaching for the
    # floor. Seen face on, a squat whose thighs were level (hips 0.4 m up, the torso upright,
    # the arms hanging) still read as sitting on an invisible stool (review_std96w 5700/25, 41).
    "crouching": {
        "spine": ("aim", (0.0, -1.0, 1.0)),
        "chest": ("aim", (0.0, -0.7, 1.0)),
        "neck": ("aim", (0.0, -0.3, 1.0)),
        "head": ("aim", (0.0, -0.1, 1.0)),
        "upper_leg_L": ("aim", (0.3, -0.906, 0.423)),
        "upper_leg_R": ("aim", (-0.3, -0.906, 0.423)),
        "lower_leg_L": ("aim", (0.0, 0.806, -1.0)),
        "lower_leg_R": ("aim", (0.0, 0.806, -1.0)),
        "foot_L": ("aim", (0.0, -1.0, -0.8)),
        "foot_R": ("aim", (0.0, -1.0, -0.8)),
        "upper_arm_L": ("aim", (0.15, -0.6, -1.0)),
        "upper_arm_R": ("aim", (-0.15, -0.6, -1.0)),
        "lower_arm_L": ("aim", (0.0, -1.0, -0.6)),
        "lower_arm_R": ("aim", (0.0, -1.0, -0.6)),
        "hand_L": ("aim", (0.0, -1.0, -0.8)),
        "hand_R": ("aim", (0.0, -1.0, -0.8)),
    },
    "arms_crossed": {
        "upper_arm_L": ("aim", (0.15, -0.45, -1.0)),
        "upper_arm_R": ("aim", (-0.15, -0.45, -1.0)),
        "lower_arm_L": ("aim", (-1.0, -0.35, 0.2)),
        "lower_arm_R": ("aim", (1.0, -0.5, 0.3)),
        "hand_L": ("aim", (-1.0, 0.1, 0.1)),
        "hand_R": ("aim", (1.0, 0.1, 0.1)),
    },
    "head_turned": {
        **_arms_down(),
        "head": ("turn", ((0.0, 0.0, 1.0), 0.8)),  # to the character's left
    },
}

POSES: dict[str, dict[str, Vec3]] = {name: _build_pose(spec) for name, spec in _POSE_SPECS.items()}

POSE_PHRASES: dict[str, str] = {
    "standing": "is standing",
    "waving": "is waving",
    "arms_raised": "has raised both arms",
    # where it points is said in the picture's frame where a camera is known (captioner.seen)
    "pointing": "is pointing with one arm",
    "sitting": "is sitting",
    "walking": "is walking",
    "crouching": "is crouching",
    "arms_crossed": "has crossed arms",
    "head_turned": "has turned their head",
}


def translate_pose(
    pose_bones: Mapping[str, Vec3],
    bone_map: Mapping[str, str],
    strict: bool = True,
    asset_id: str = "rig",
) -> dict[str, Vec3]:
    """Canonical bone rotations renamed onto a user rig's bones (names only).

    ``bone_map`` is the manifest's {asset bone: canonical bone}. The rotations are unchanged,
    so they are right only on a rig with our T-pose and roll-0 bone axes; the renderer poses
    user rigs with ``retarget.retarget`` instead. Canonical bones the rig lacks raise
    AssetError when ``strict``, else are dropped.
    """
    inverse = {canon: own for own, canon in bone_map.items()}
    missing = sorted(b for b in pose_bones if b not in inverse)
    if missing and strict:
        raise AssetError(
            f"asset {asset_id!r}: bone_map has no bone for canonical bone(s) {', '.join(missing)}"
        )
    return {inverse[b]: tuple(rot) for b, rot in pose_bones.items() if b in inverse}


# --- sitting on a seat of a given height ----------------------------------------------------
# A seated person's pose is fitted to the seat: hips resting on its top, feet flat on the floor,
# forearms over the thighs. Higher seats slope the thighs down towards the knees (a bar stool's
# sitter perches, 45° at most), lower ones (a deep sofa) slant the shins forward.

# Seat tops (m above the floor, at scale 1) a person sits on with both feet on the floor.
SIT_HEIGHTS = (0.3, 0.75)
# Where the body rests on a seat: the hips and the thighs' first 20 cm (m ahead of the hips).
SEAT_CONTACT_REACH = 0.2


def posed_parts(
    pose_bones: Mapping[str, Vec3], body: Body = NOMINAL
) -> list[tuple[str, np.ndarray]]:
    """(bone, vertices) of every body part of the grounded posed body at scale 1 (grounded as
    the nominal body is, the way the renderer lifts every variant)."""
    parts = _PARTS if body == NOMINAL else part_meshes(body)
    mats = pose_matrices(pose_bones)
    shift = pose_root_offset(pose_bones, mats)
    posed = _posed_vertices(pose_bones, mats, parts)
    return [(bone, verts + shift) for (bone, _, _), (_, verts) in zip(parts, posed, strict=True)]


def _sitting_spec(thigh: float, shin: float) -> dict:
    """Thighs pitched ``thigh`` rad below level towards the knees, shins ``shin`` rad forward
    of vertical; upper arms hanging, forearms down onto the thighs (held level, they read as
    reaching out)."""
    legs = {}
    for side, sx in (("L", 1.0), ("R", -1.0)):
        legs |= {
            f"upper_leg_{side}": ("aim", (sx * 0.05, -math.cos(thigh), -math.sin(thigh))),
            f"lower_leg_{side}": ("aim", (0.0, -math.sin(shin), -math.cos(shin))),
            f"foot_{side}": ("aim", (0.0, -1.0, -0.05)),
            f"upper_arm_{side}": ("aim", (sx * 0.1, -0.15, -1.0)),
            f"lower_arm_{side}": ("aim", (sx * 0.02, -1.0, -0.6)),
            f"hand_{side}": ("aim", (0.0, -1.0, -0.7)),
        }
    return legs


def seat_contact(pose_bones: Mapping[str, Vec3], body: Body = NOMINAL) -> float:
    """Height above the floor (scale 1) of the lowest point of the hips and the thighs' first
    ``SEAT_CONTACT_REACH``: where a seat's top must be for this pose."""
    hip_y = BONE_BY_NAME["hips"].head[1]
    low = math.inf
    for bone, verts in posed_parts(pose_bones, body):
        if bone == "hips" or bone.startswith("upper_leg"):
            near = verts[verts[:, 1] >= hip_y - SEAT_CONTACT_REACH]
            if len(near):
                low = min(low, float(near[:, 2].min()))
    return low


# How high the hips rest for level thighs and shins slanted forward, and for thighs sloping
# down: a grid computed once, interpolated per seat height (within a few millimetres).
_THIGHS = np.linspace(0.0, 0.8, 33)
_SHINS = np.linspace(0.05, 0.7, 27)


@functools.cache
def _contact_grid() -> tuple[np.ndarray, np.ndarray]:
    by_thigh = [seat_contact(_build_pose(_sitting_spec(t, 0.05))) for t in _THIGHS]
    by_shin = [seat_contact(_build_pose(_sitting_spec(0.0, s))) for s in _SHINS]
    return np.array(by_thigh), np.array(by_shin)


@functools.lru_cache(maxsize=256)
def _sitting_cm(height_cm: int) -> tuple[tuple[str, Vec3], ...] | None:
    target = height_cm / 100.0
    by_thigh, by_shin = _contact_grid()
    if by_thigh[0] <= target <= by_thigh[-1]:  # knees level with the hips or below
        thigh, shin = float(np.interp(target, by_thigh, _THIGHS)), 0.05
    elif by_shin[-1] <= target < by_thigh[0]:  # lower: the shins slant forward
        thigh, shin = 0.0, float(np.interp(-target, -by_shin, _SHINS))
    else:
        return None  # too high for the feet to reach the floor, or too low to sit on
    return tuple(sorted(_build_pose(_sitting_spec(thigh, shin)).items()))


def sitting_pose(seat_height: float) -> dict[str, Vec3] | None:
    """The sitting pose (bone-local Eulers) whose hips rest on a seat ``seat_height`` m high
    (at scale 1, to the centimetre) with the feet on the floor; None outside ``SIT_HEIGHTS``."""
    if not SIT_HEIGHTS[0] <= seat_height <= SIT_HEIGHTS[1]:
        return None
    bones = _sitting_cm(round(seat_height * 100))
    return dict(bones) if bones is not None else None
