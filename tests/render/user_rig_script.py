"""A humanoid rig with its own bone conventions, exported as a Y-up glTF in centimetres (run in a
bpy subprocess by the tests).

Nothing matches the mannequin but the body's proportions: its own bone names; bones pointing
along other axes than their limbs (the pelvis down, the thighs forward, the forearms up, the
neck sideways) with non-zero rolls; an A-pose (arms 45° down); every length in centimetres; and
an armature object turned a quarter about Z, so the figure faces +X in the file. One cylinder
per bone, skinned to it, with a textured skin material and no clothes. The full rig also comes
as files from elsewhere do: under a scaled root node, with an animation clip that moves an arm.
Without hands and feet (bones named on the command line) it is plain.

python user_rig_script.py OUT.glb [DROPPED,BONES]
"""

import math
import sys

import bpy
from mathutils import Vector

CM = 100.0
S45 = math.sqrt(0.5)


def bones() -> list[tuple]:
    """(name, parent, head m, bone direction, roll, limb end m, radius m)."""
    out = [
        ("Pelvis", None, (0, 0, 0.95), (0, 0, -1), 0.7, (0, 0, 1.05), 0.17),
        ("Torso1", "Pelvis", (0, 0, 1.05), (0, 0, 1), 1.2, (0, 0, 1.25), 0.16),
        ("Torso2", "Torso1", (0, 0, 1.25), (0, -1, 0), -0.5, (0, 0, 1.45), 0.19),
        ("NeckB", "Torso2", (0, 0, 1.45), (1, 0, 0), 2.0, (0, 0, 1.54), 0.05),
        ("Skull", "NeckB", (0, 0, 1.54), (0, 0, 1), 0.3, (0, 0, 1.75), 0.09),
    ]
    for side, sx in (("Lf", 1), ("Rt", -1)):
        shoulder = (sx * 0.19, 0, 1.42)
        elbow = (sx * (0.19 + 0.28 * S45), 0, 1.42 - 0.28 * S45)
        wrist = (sx * (0.19 + 0.54 * S45), 0, 1.42 - 0.54 * S45)
        fingers = (sx * (0.19 + 0.69 * S45), 0, 1.42 - 0.69 * S45)
        out += [
            (f"Arm{side}", "Torso2", shoulder, (sx * S45, 0, -S45), 0.9 * sx, elbow, 0.05),
            (f"Fore{side}", f"Arm{side}", elbow, (0, 0, 1), 2.5, wrist, 0.04),
            (f"Paw{side}", f"Fore{side}", wrist, (sx * S45, 0, -S45), -1.1, fingers, 0.035),
            (f"Thigh{side}", "Pelvis", (sx * 0.1, 0, 0.93), (0, -1, 0), 1.57, (sx * 0.1, 0, 0.5), 0.07),
            (f"Shin{side}", f"Thigh{side}", (sx * 0.1, 0, 0.5), (0, 0, -1), -0.4, (sx * 0.1, 0, 0.08), 0.055),
            (f"Toe{side}", f"Shin{side}", (sx * 0.1, 0, 0.08), (0, -1, -0.3), 0.6, (sx * 0.1, -0.16, 0.03), 0.045),
        ]  # fmt: skip
    return out


def skin_material():
    """A skin-coloured material with an image texture (what a real rig's skin has)."""
    img = bpy.data.images.new("skin_tex", 16, 16)
    px = []
    for i in range(16 * 16):
        shade = 0.85 if (i // 16 + i % 16) % 2 else 0.7
        px += [shade, 0.6 * shade, 0.45 * shade, 1.0]
    img.pixels = px
    img.pack()
    mat = bpy.data.materials.new("skin")
    nodes = mat.node_tree.nodes
    tex = nodes.new("ShaderNodeTexImage")
    tex.image = img
    mat.node_tree.links.new(tex.outputs["Color"], nodes["Principled BSDF"].inputs["Base Color"])
    return mat


def main(out: str, drop: set[str], extras: bool) -> None:
    bpy.ops.wm.read_homefile(use_empty=True)
    arm = bpy.data.objects.new("Skel", bpy.data.armatures.new("Skel"))
    bpy.context.scene.collection.objects.link(arm)
    bpy.context.view_layer.objects.active = arm
    table = [b for b in bones() if b[0] not in drop]
    bpy.ops.object.mode_set(mode="EDIT")
    edit = {}
    for name, _parent, head, direction, roll, _end, _r in table:
        eb = arm.data.edit_bones.new(name)
        eb.head = Vector(head) * CM
        eb.tail = eb.head + Vector(direction).normalized() * 12.0
        eb.roll = roll
        edit[name] = eb
    for name, parent, *_ in table:
        if parent in edit:
            edit[name].parent = edit[parent]
    bpy.ops.object.mode_set(mode="OBJECT")
    skin = skin_material()
    for name, _parent, head, _d, _roll, end, radius in table:
        a, b = Vector(head) * CM, Vector(end) * CM
        bpy.ops.mesh.primitive_cylinder_add(
            vertices=10, radius=radius * CM, depth=(b - a).length + 2.0, location=(a + b) / 2
        )
        ob = bpy.context.active_object
        ob.name = f"part_{name}"
        ob.rotation_mode = "QUATERNION"
        ob.rotation_quaternion = Vector((0, 0, 1)).rotation_difference(b - a)
        bpy.ops.object.transform_apply(location=True, rotation=True, scale=True)
        ob.data.materials.append(skin)
        ob.vertex_groups.new(name=name).add(range(len(ob.data.vertices)), 1.0, "REPLACE")
        ob.modifiers.new("rig", "ARMATURE").object = arm
        ob.parent = arm
    arm.rotation_euler = (0.0, 0.0, math.pi / 2)  # the figure faces +X in the file
    if extras:
        # as files from elsewhere come: the armature under a scaled root node, a clip that
        # swings an arm, and the file saved in that clip's pose
        root = bpy.data.objects.new("Root", None)
        bpy.context.scene.collection.objects.link(root)
        root.scale = (2.0, 2.0, 2.0)
        arm.parent = root
        arm.scale = (0.5, 0.5, 0.5)
        pb = arm.pose.bones["ArmLf"]
        pb.rotation_mode = "XYZ"
        for frame, angle in ((1, 1.2), (20, -0.6)):
            pb.rotation_euler = (angle, 0.0, 0.3)
            pb.keyframe_insert("rotation_euler", frame=frame)
    bpy.ops.export_scene.gltf(filepath=out, export_format="GLB", export_yup=True)


if __name__ == "__main__":
    dropped = set(sys.argv[2].split(",")) if len(sys.argv) > 2 else set()
    main(sys.argv[1], dropped, extras=not dropped)
