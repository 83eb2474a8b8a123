"""Canonical poses on any humanoid rig, whatever its bone rolls, rest pose and file axes.

A canonical pose (``characters.POSES``) is defined on the mannequin; what it means is the
armature-space rotation of every mannequin bone relative to its rest (its *world delta*). A
user rig's bones have their own rest frames (any direction and roll), its rest may be an
A-pose, and its armature may face any way in its file (a Y-up glTF, a quarter-turned object).
So that a pose looks the same on it:

1. ``body_frame`` finds the rig's up / left / forward from its mapped bones and snaps them to
   the nearest axes: the rotation that stands the rig in the mannequin's frame (Z up, facing -Y).
2. Each mapped bone's limb (its head to the head of the next mapped bone down the canonical
   chain: upper arm -> forearm -> hand) is first aligned with the mannequin's rest limb, so an
   A-pose arm starts where the T-pose arm does; end bones (hand, foot, head) keep their rest
   offset from the limb above, so their own axes never matter.
3. The mannequin's world delta is applied to that aligned frame, and the result is turned into
   the pose bone's local rotation through the rig's own parent chain
   (``basis = R_rest⁻¹ · R_parent_rest · P_parent⁻¹ · P``, Blender's pose-matrix rule).

Rig bones without a canonical bone follow their parent; canonical bones the rig lacks are
skipped. Everything is numpy, so the maths is tested without Blender.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import trimesh

from diffforge.scenes.assets.characters import BONE_BY_NAME, BONES, REST_MATRICES, pose_matrices

Vec3 = tuple[float, float, float]

# The mannequin's frame: columns are the character's left, forward and up.
_CANON_AXES = np.array([[1.0, 0.0, 0.0], [0.0, -1.0, 0.0], [0.0, 0.0, 1.0]])
_LEFT_RIGHT = ("upper_leg", "upper_arm", "lower_leg", "lower_arm", "foot", "hand")
_UPPER = ("head", "neck", "chest", "spine")


@dataclass(frozen=True)
class RigBone:
    """One bone of a user armature at rest, as Blender's ``bone.matrix_local`` (armature space)."""

    name: str
    parent: str | None
    matrix: np.ndarray  # 4x4; rotation columns are the bone's X, Y (along the bone), Z

    @property
    def rotation(self) -> np.ndarray:
        m = np.asarray(self.matrix, float)[:3, :3]
        return m / np.linalg.norm(m, axis=0)

    @property
    def head(self) -> np.ndarray:
        return np.asarray(self.matrix, float)[:3, 3]


def _chain_children() -> dict[str, tuple[str, ...]]:
    """Per canonical bone, the bones down its limb (connected children, nearest first)."""
    primary = {b.parent: b.name for b in BONES if b.parent and b.connected}
    out: dict[str, tuple[str, ...]] = {}
    for bone in BONES:
        chain, cur = [], bone.name
        while cur in primary:
            cur = primary[cur]
            chain.append(cur)
        out[bone.name] = tuple(chain)
    return out


CHAIN = _chain_children()


def _unit(v) -> np.ndarray:
    v = np.asarray(v, float)
    n = np.linalg.norm(v)
    return v / n if n > 1e-12 else v


def _align(u, v) -> np.ndarray:
    return trimesh.geometry.align_vectors(_unit(u), _unit(v))[:3, :3]


def _snap(v: np.ndarray, taken: int | None = None) -> np.ndarray:
    """The signed world axis nearest to ``v`` (other than axis ``taken``)."""
    a = np.abs(v).astype(float)
    if taken is not None:
        a[taken] = -1.0
    i = int(np.argmax(a))
    out = np.zeros(3)
    out[i] = 1.0 if v[i] >= 0 else -1.0
    return out


def body_frame(
    bones: Mapping[str, RigBone], own: Mapping[str, str], object_rotation=None
) -> np.ndarray:
    """The axis-aligned rotation taking the rig (in its world: ``object_rotation`` applied) to
    the mannequin's frame, found from its mapped bones; identity when they do not tell.

    ``own`` maps canonical bone -> rig bone. Snapping to axes keeps a rest pose that leans a
    little from tilting the whole figure.
    """
    q = np.eye(3) if object_rotation is None else np.asarray(object_rotation, float)

    def head(canon: str) -> np.ndarray | None:
        name = own.get(canon)
        return q @ bones[name].head if name in bones else None

    low = head("hips")
    if low is None:
        legs = [h for h in (head("upper_leg_L"), head("upper_leg_R")) if h is not None]
        low = np.mean(legs, axis=0) if len(legs) == 2 else None
    high = next((h for h in map(head, _UPPER) if h is not None), None)
    pair = next(
        (
            (left, right)
            for left, right in ((head(f"{p}_L"), head(f"{p}_R")) for p in _LEFT_RIGHT)
            if left is not None and right is not None and np.linalg.norm(left - right) > 1e-9
        ),
        None,
    )
    if low is None or high is None or pair is None or np.linalg.norm(high - low) < 1e-9:
        return np.eye(3)
    up = _snap(high - low)
    left = _snap(pair[0] - pair[1], taken=int(np.argmax(np.abs(up))))
    rig_axes = np.column_stack([left, np.cross(left, up), up])
    return _CANON_AXES @ rig_axes.T


def retarget(
    pose_bones: Mapping[str, Vec3],
    bones: Mapping[str, RigBone],
    bone_map: Mapping[str, str],
    object_rotation=None,
) -> dict[str, np.ndarray]:
    """Canonical bone Eulers -> {rig bone: 3x3 local rotation (the pose bone's basis)}.

    ``bones`` holds the rig's bones (any order); ``bone_map`` is the manifest's
    {rig bone: canonical bone}; ``object_rotation`` is the armature object's
    world rotation in the file as imported (Y-up files arrive Z-up with any turn on the object).
    Only bones whose rotation differs from rest are returned.
    """
    own = {canon: name for name, canon in bone_map.items() if name in bones}
    q = np.eye(3) if object_rotation is None else np.asarray(object_rotation, float)
    g = body_frame(bones, own, q) @ q  # rig armature space -> the mannequin's frame
    mats = pose_matrices(pose_bones)
    canon_of = {name: canon for canon, name in own.items()}
    aligned: dict[str, np.ndarray] = {}  # canonical bone -> rest-limb alignment
    for bone in BONES:
        if bone.name not in own:
            continue
        limb = next((c for c in CHAIN[bone.name] if c in own), None)
        if limb is not None:
            rig_dir = g @ (bones[own[limb]].head - bones[own[bone.name]].head)
            canon_dir = np.subtract(BONE_BY_NAME[limb].head, bone.head)
            aligned[bone.name] = _align(rig_dir, canon_dir)
        else:  # an end bone keeps its rest offset from the limb above it
            up = bone.parent
            while up is not None and up not in aligned:
                up = BONE_BY_NAME[up].parent
            aligned[bone.name] = aligned[up] if up is not None else np.eye(3)
    posed: dict[str, np.ndarray] = {}  # rig bone -> posed rotation, armature space
    out: dict[str, np.ndarray] = {}
    for name, rb in _parents_first(bones):
        rest = rb.rotation
        parent = bones.get(rb.parent) if rb.parent else None
        inherited = (
            posed[parent.name] @ parent.rotation.T @ rest if parent is not None else rest
        )  # what the bone does with an identity basis
        canon = canon_of.get(name)
        if canon is None:
            posed[name] = inherited
            continue
        delta = mats[canon][:3, :3] @ REST_MATRICES[canon][:3, :3].T
        posed[name] = g.T @ delta @ aligned[canon] @ g @ rest
        basis = inherited.T @ posed[name]
        if not np.allclose(basis, np.eye(3), atol=1e-9):
            out[name] = basis
    return out


def _parents_first(bones: Mapping[str, RigBone]) -> list[tuple[str, RigBone]]:
    """The bones ordered so that every parent comes before its children."""
    out: list[tuple[str, RigBone]] = []
    seen: set[str] = set()

    def visit(name: str) -> None:
        chain = []
        while name in bones and name not in seen:
            chain.append(name)
            seen.add(name)
            name = bones[name].parent or ""
        out.extend((n, bones[n]) for n in reversed(chain))

    for name in bones:
        visit(name)
    return out


def quaternion(m: np.ndarray) -> tuple[float, float, float, float]:
    """(w, x, y, z) of a 3x3 rotation, for ``pose_bone.rotation_quaternion``."""
    m4 = np.eye(4)
    m4[:3, :3] = m
    return tuple(float(x) for x in trimesh.transformations.quaternion_from_matrix(m4))
