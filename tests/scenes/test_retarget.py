"""Retargeting maths without Blender: a canonical pose on rigs with other bone conventions."""

from __future__ import annotations

import numpy as np
import pytest
import trimesh

from diffforge.scenes.assets.characters import (
    BONE_BY_NAME,
    BONES,
    POSES,
    bone_rest_matrix,
    forward_kinematics,
)
from diffforge.scenes.assets.retarget import RigBone, body_frame, quaternion, retarget


def _random_rotation(rng: np.random.Generator) -> np.ndarray:
    q, r = np.linalg.qr(rng.normal(size=(3, 3)))
    q = q @ np.diag(np.sign(np.diag(r)))
    return q if np.linalg.det(q) > 0 else -q


def _rig(
    rng: np.random.Generator,
    heads: dict[str, np.ndarray] | None = None,
    drop=(),
    q=np.eye(3),
    turn=np.eye(3),
) -> tuple[dict[str, RigBone], dict[str, str]]:
    """The mannequin's skeleton with every bone's rest frame turned at random, renamed, stood
    in its file's world turned by ``turn``, under an armature object rotated by ``q``."""
    heads = heads or {b.name: np.asarray(b.head, float) for b in BONES}
    bones: dict[str, RigBone] = {}
    for b in BONES:
        if b.name in drop:
            continue
        m = np.eye(4)
        m[:3, :3] = q.T @ turn @ _random_rotation(rng)
        m[:3, 3] = q.T @ turn @ heads[b.name]
        parent = b.parent
        while parent in drop:
            parent = BONE_BY_NAME[parent].parent
        bones[f"X_{b.name}"] = RigBone(f"X_{b.name}", f"X_{parent}" if parent else None, m)
    return bones, {name: name[2:] for name in bones}


def _fk_heads(bones: dict[str, RigBone], basis: dict[str, np.ndarray], q) -> dict[str, np.ndarray]:
    """Blender's pose-matrix rule on the rig, heads in the file's world."""
    pose: dict[str, np.ndarray] = {}
    for name, rb in bones.items():
        b = np.eye(4)
        b[:3, :3] = basis.get(name, np.eye(3))
        rest = np.asarray(rb.matrix, float)
        if rb.parent is None:
            pose[name] = rest @ b
        else:
            pose[name] = pose[rb.parent] @ np.linalg.inv(bones[rb.parent].matrix) @ rest @ b
    return {name[2:]: q @ m[:3, 3] for name, m in pose.items()}


def _mannequin_heads(pose: str) -> dict[str, np.ndarray]:
    return {k: h for k, (h, _t) in forward_kinematics(POSES[pose], grounded=False).items()}


Y_UP = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, -1.0], [0.0, 1.0, 0.0]])  # glTF's +Y -> +Z
QUARTER = np.array([[0.0, -1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])  # faces +X


@pytest.mark.parametrize("pose", sorted(POSES))
@pytest.mark.parametrize(
    ("q", "turn"),
    [(np.eye(3), np.eye(3)), (QUARTER, np.eye(3)), (np.eye(3), QUARTER), (QUARTER, Y_UP.T)],
    ids=["upright", "object-turned", "faces-x", "turned-and-lying"],
)
def test_rotated_rest_frames_give_the_mannequins_joints(pose, q, turn):
    """Same joints, other rest frames (rolls, directions), any facing in the file: the posed
    joints are the mannequin's once the body frame stands the rig like the mannequin."""
    bones, bone_map = _rig(np.random.default_rng(1), q=q, turn=turn)
    basis = retarget(POSES[pose], bones, bone_map, q)
    f = body_frame(bones, {v: k for k, v in bone_map.items()}, q)
    np.testing.assert_allclose(f @ turn, np.eye(3), atol=1e-12)
    got = _fk_heads(bones, basis, q)
    want = _mannequin_heads(pose)
    for name, head in want.items():
        np.testing.assert_allclose(f @ got[name], head, atol=1e-9, err_msg=name)


def test_body_frame_undoes_the_files_axes():
    bones, bone_map = _rig(np.random.default_rng(2))
    own = {v: k for k, v in bone_map.items()}
    np.testing.assert_allclose(body_frame(bones, own, np.eye(3)), np.eye(3))
    # a rig stored lying along Y (a Y-up file read as Z-up) and one facing +X
    for q in (Y_UP.T, QUARTER):
        moved = {
            k: RigBone(b.name, b.parent, np.vstack([np.hstack([q @ b.matrix[:3, :3],
                                                              (q @ b.head)[:, None]]), [0, 0, 0, 1]]))
            for k, b in bones.items()
        }  # fmt: skip
        np.testing.assert_allclose(body_frame(moved, own) @ q, np.eye(3), atol=1e-12)


def _a_pose_heads(angle: float) -> dict[str, np.ndarray]:
    """The mannequin's joints with both arms lowered by ``angle`` at the shoulders."""
    heads = {b.name: np.asarray(b.head, float) for b in BONES}
    for side, sx in (("L", 1.0), ("R", -1.0)):
        shoulder = heads[f"upper_arm_{side}"]
        turn = trimesh.transformations.rotation_matrix(sx * angle, (0, 1, 0))[:3, :3]
        for part in ("lower_arm", "hand"):
            heads[f"{part}_{side}"] = shoulder + turn @ (heads[f"{part}_{side}"] - shoulder)
    return heads


@pytest.mark.parametrize("pose", ["standing", "waving", "pointing", "arms_raised", "arms_crossed"])
def test_a_pose_rig_points_its_limbs_like_the_mannequin(pose):
    heads = _a_pose_heads(np.radians(45))
    assert heads["hand_L"][2] < heads["upper_arm_L"][2] - 0.3  # the arms really hang
    bones, bone_map = _rig(np.random.default_rng(3), heads=heads, q=Y_UP.T)
    got = _fk_heads(bones, retarget(POSES[pose], bones, bone_map, Y_UP.T), Y_UP.T)
    f = body_frame(bones, {v: k for k, v in bone_map.items()}, Y_UP.T)
    want = _mannequin_heads(pose)
    for a, b in (("upper_arm", "lower_arm"), ("lower_arm", "hand")):
        for side in "LR":
            d_got = f @ (got[f"{b}_{side}"] - got[f"{a}_{side}"])
            d_want = want[f"{b}_{side}"] - want[f"{a}_{side}"]
            cos = d_got @ d_want / np.linalg.norm(d_got) / np.linalg.norm(d_want)
            assert cos > 1 - 1e-9, (pose, a, side, cos)
    for name in ("hips", "chest", "head", "upper_leg_L", "foot_R"):  # the rest is unchanged
        np.testing.assert_allclose(f @ got[name], want[name], atol=1e-9, err_msg=name)


def test_missing_bones_are_skipped_and_the_rest_still_posed():
    drop = ("hand_L", "hand_R", "foot_L", "foot_R", "chest")
    bones, bone_map = _rig(np.random.default_rng(4), drop=drop)
    got = _fk_heads(bones, retarget(POSES["waving"], bones, bone_map), np.eye(3))
    want = _mannequin_heads("waving")
    assert set(got) == {b.name for b in BONES} - set(drop)
    for name in got:
        np.testing.assert_allclose(got[name], want[name], atol=1e-9, err_msg=name)


def test_unmapped_bones_follow_their_parent_and_rest_is_identity():
    bones, bone_map = _rig(np.random.default_rng(5))
    del bone_map["X_lower_arm_R"]  # in the armature, not in the map
    basis = retarget(POSES["waving"], bones, bone_map)
    assert "X_lower_arm_R" not in basis
    assert retarget({}, bones, bone_map) == {}


def test_quaternion_round_trip():
    m = bone_rest_matrix((0, 0, 0), (0.3, -0.2, 0.9), roll=0.7)
    w, x, y, z = quaternion(m)
    r = np.array(
        [
            [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
            [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
            [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)],
        ]
    )
    np.testing.assert_allclose(r, m, atol=1e-12)


def test_extra_unmapped_bones_in_the_chain_change_nothing():
    """A root bone on the floor, clavicles and a mid-spine bone, as production rigs have: not
    in the map, they follow their parents and the mapped bones still land on the mannequin's."""
    rng = np.random.default_rng(6)
    bones, bone_map = _rig(rng)
    extra = {"X_root": (None, (0.0, 0.0, 0.0)), "X_clav_L": ("X_chest", (0.05, 0.0, 1.42)),
             "X_clav_R": ("X_chest", (-0.05, 0.0, 1.42)), "X_mid": ("X_spine", (0.0, 0.0, 1.15))}  # fmt: skip
    reparent = {"X_hips": "X_root", "X_upper_arm_L": "X_clav_L", "X_upper_arm_R": "X_clav_R",
                "X_chest": "X_mid"}  # fmt: skip

    def frame(head) -> np.ndarray:
        m = np.eye(4)
        m[:3, :3], m[:3, 3] = _random_rotation(rng), head
        return m

    rig = {"X_root": RigBone("X_root", None, frame(extra["X_root"][1]))}
    for name, bone in bones.items():  # parents first, each extra bone after its parent
        rig[name] = RigBone(name, reparent.get(name, bone.parent), bone.matrix)
        for extra_name, (parent, head) in extra.items():
            if parent == name:
                rig[extra_name] = RigBone(extra_name, parent, frame(head))
    children_first = dict(reversed(rig.items()))  # retarget orders the bones itself
    basis = retarget(POSES["crouching"], children_first, bone_map)
    assert not set(basis) & set(extra)
    got = _fk_heads(rig, basis, np.eye(3))
    want = _mannequin_heads("crouching")
    for name, head in want.items():
        np.testing.assert_allclose(got[name], head, atol=1e-9, err_msg=name)
