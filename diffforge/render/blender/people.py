"""People: the procedural mannequin (a skinned armature) and user rigs from the manifest."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import bpy
import numpy as np

from diffforge.render.assets import RenderAsset
from diffforge.render.blender import objects
from diffforge.scenes.model import ObjectInstance
from diffforge.vocabulary import COLORS

SKELETON = "skeleton:mannequin"  # its key among the pair's templates (asset ids, "rig:...")

if TYPE_CHECKING:
    from diffforge.render.blender.backend import SceneBuilder


def skeleton(b: SceneBuilder, body=None):
    """The mannequin's armature data, made once per pair (edit mode on a scratch object), and
    the skinned mesh of ``body`` (a ``characters.Body``; the nominal one when None), made once
    per body variant."""
    from diffforge.scenes.assets import characters as ch

    body = body or ch.NOMINAL
    if SKELETON not in b.templates:
        data = bpy.data.armatures.new("mannequin")
        tmp = bpy.data.objects.new("mannequin_edit", data)
        ctx_scene = bpy.context.scene
        ctx_scene.collection.objects.link(tmp)
        bpy.context.view_layer.objects.active = tmp
        bpy.ops.object.mode_set(mode="EDIT")
        edit = {}
        for bone in ch.BONES:
            eb = data.edit_bones.new(bone.name)
            eb.head, eb.tail, eb.roll = bone.head, bone.tail, 0.0
            edit[bone.name] = eb
        for bone in ch.BONES:
            if bone.parent:
                edit[bone.name].parent = edit[bone.parent]
                edit[bone.name].use_connect = bone.connected
        bpy.ops.object.mode_set(mode="OBJECT")
        bpy.data.objects.remove(tmp)
        b.templates[SKELETON] = data
    key = f"{SKELETON}:{body}"
    if key not in b.templates:
        verts, faces, mat_idx, groups = mannequin_mesh(body)
        me = bpy.data.meshes.new("mannequin_body")
        me.from_pydata(verts, [], faces)
        me.polygons.foreach_set("material_index", mat_idx)
        for _slot in ch.MATERIAL_SLOTS:
            me.materials.append(None)
        shell = bpy.data.objects.new("mannequin_body", me)
        for bone, idx in groups.items():
            shell.vertex_groups.new(name=bone).add(idx, 1.0, "REPLACE")
        b.templates[key] = shell
    return b.templates[SKELETON], b.templates[key]


def mannequin(b: SceneBuilder, obj: ObjectInstance, asset: RenderAsset, pass_index: int) -> None:
    """The procedural mannequin as a real armature: posed bones deform one skinned mesh."""
    from mathutils import Euler, Matrix

    from diffforge.scenes.assets import characters as ch

    shape = b.cache.asset(obj.shape) if obj.shape else asset  # the body variant's params
    shape_body = ch.Body.of(shape.extra.get("params"))
    data, template = skeleton(b, shape_body)
    arm = bpy.data.objects.new(f"{obj.id}_rig", data)
    b.coll.objects.link(arm)
    body = template.copy()  # shares the mesh and its vertex groups
    body.name = obj.id
    b.coll.objects.link(body)
    body.modifiers.new("rig", "ARMATURE").object = arm
    body.parent = arm
    body.pass_index = pass_index
    clothing = obj.attributes.clothing or {}
    parts = asset.extra.get("part_materials") or {}
    default = obj.attributes.color or asset.extra.get("default_color") or "blue"
    # the body variant's own tones over the manifest's (hair is absent from a bald variant)
    tones = {"hair": shape_body.hair_color, "skin": shape_body.skin, "eyes": "black"}
    for slot, name in zip(body.material_slots, ch.MATERIAL_SLOTS, strict=True):
        if name in parts or name in ("hair", "eyes"):
            look = parts.get(name, {})
            colour, material = tones.get(name, look.get("color")), look.get("material", "plastic")
        else:
            colour, material = clothing.get(name, default), "fabric"
        slot.link = "OBJECT"
        slot.material = b.materials.material(COLORS.get(colour, (0.5,) * 3), material)
    bones = dict(obj.pose.bones) if obj.pose else {}
    if bones:
        b.sc.view_layers[0].update()  # builds arm.pose for the shared armature data
        for name, rot in bones.items():
            pb = arm.pose.bones.get(name)
            if pb is not None:
                pb.rotation_mode = "XYZ"
                pb.rotation_euler = rot
    lift = ch.pose_root_offset(bones)
    s = obj.transform.scale
    arm.matrix_world = (
        Matrix.Translation(obj.transform.location)
        @ Euler(obj.transform.rotation, "XYZ").to_matrix().to_4x4()
        @ Matrix.Scale(s, 4)
        @ Matrix.Translation(tuple(float(v) for v in lift))
    )


def rig_template(b: SceneBuilder, asset_id: str) -> tuple[Any, list[Any]]:
    key = f"rig:{asset_id}"
    if key not in b.templates:
        path = b.cache.blend_for(asset_id)
        with bpy.data.libraries.load(str(path), link=False) as (src, dst):
            dst.objects = list(src.objects)
        arm = next(o for o in dst.objects if o.type == "ARMATURE")
        parts = set(arm.get("df_parts", []))
        meshes = [o for o in dst.objects if o.type == "MESH" and o.name in parts]
        b.templates[key] = (arm, meshes)
    return b.templates[key]


def user_rig(b: SceneBuilder, obj: ObjectInstance, asset: RenderAsset, pass_index: int) -> None:
    """A manifest rig: copies of its armature and meshes, posed through its bone_map.

    The pose is retargeted through each bone's rest frame and the file's axes
    (``scenes.assets.retarget``); the rig is stood in the mannequin's frame, scaled to the
    spec's height, centred on its location and re-grounded on the deformed meshes.
    """
    from mathutils import Euler, Matrix

    from diffforge.scenes.assets.retarget import RigBone, body_frame, quaternion, retarget

    arm_t, meshes_t = rig_template(b, obj.asset)
    arm = arm_t.copy()  # shares the armature data; the pose is per object
    arm.name = f"{obj.id}_rig"
    b.coll.objects.link(arm)
    parts = []
    for m_t in meshes_t:
        m = m_t.copy()
        b.coll.objects.link(m)
        if m.parent is arm_t:
            m.parent = arm
        for mod in m.modifiers:
            if mod.type == "ARMATURE" and mod.object is arm_t:
                mod.object = arm
        m.pass_index = pass_index
        objects.recolour(b, m, obj, asset)
        parts.append(m)
    file_world = np.array(arm_t.matrix_world)
    turn = file_world[:3, :3] / np.linalg.norm(file_world[:3, :3], axis=0)
    bones = {
        bone.name: RigBone(
            bone.name, bone.parent.name if bone.parent else None, np.array(bone.matrix_local)
        )
        for bone in arm_t.data.bones
    }
    bone_map = asset.bone_map or {}
    frame = body_frame(bones, {c: n for n, c in bone_map.items() if n in bones}, turn)
    if obj.pose and obj.pose.bones:
        b.sc.view_layers[0].update()  # builds arm.pose
        for name, rot in retarget(obj.pose.bones, bones, bone_map, turn).items():
            pb = arm.pose.bones[name]
            pb.rotation_mode = "QUATERNION"
            pb.rotation_quaternion = quaternion(rot)
    corners = frame @ np.array([arm_t["df_lo"], arm_t["df_hi"]]).T  # axis turns keep a box
    lo, hi = corners.min(axis=1), corners.max(axis=1)
    height = float(hi[2] - lo[2])
    k = obj.dimensions[2] / height if height > 1e-9 else obj.transform.scale
    stand = np.eye(4)
    stand[:3, :3] = frame
    stand[:3, 3] = (-(lo[0] + hi[0]) / 2, -(lo[1] + hi[1]) / 2, -lo[2])
    arm.matrix_world = (
        Matrix.Translation(obj.transform.location)
        @ Euler(obj.transform.rotation, "XYZ").to_matrix().to_4x4()
        @ Matrix.Scale(k, 4)
        @ Matrix(stand.tolist())
        @ Matrix(file_world.tolist())
    )
    arm.location.z += obj.transform.location[2] - lowest_point(b, parts)


def lowest_point(b: SceneBuilder, parts: list[Any]) -> float:
    """The lowest world z of the objects as deformed now (posed armatures included)."""
    layer = b.sc.view_layers[0]
    layer.update()
    lowest = math.inf
    for ob in parts:
        ev = ob.evaluated_get(layer.depsgraph)
        me = ev.to_mesh()
        co = np.empty(len(me.vertices) * 3)
        me.vertices.foreach_get("co", co)
        ev.to_mesh_clear()
        if len(co):
            mw = np.array(ev.matrix_world)
            lowest = min(lowest, float((co.reshape(-1, 3) @ mw[2, :3] + mw[2, 3]).min()))
    return lowest if math.isfinite(lowest) else 0.0


_MESH: dict = {}


def mannequin_mesh(body=None) -> tuple:
    """Rest-pose body parts of ``body`` (a ``characters.Body``) joined: vertices, faces,
    material index per face, bone -> vertices."""
    from diffforge.scenes.assets import characters as ch

    body = body or ch.NOMINAL
    if body not in _MESH:
        verts, faces, mats = [], [], []
        groups: dict[str, list[int]] = {}
        for bone, slot, mesh in ch.part_meshes(body):
            base = len(verts)
            verts.extend(map(tuple, mesh.vertices.tolist()))
            faces.extend(tuple(int(i) + base for i in f) for f in mesh.faces)
            mats.extend([ch.MATERIAL_SLOTS.index(slot)] * len(mesh.faces))
            groups.setdefault(bone, []).extend(range(base, len(verts)))
        _MESH[body] = (verts, faces, mats, groups)
    return _MESH[body]
