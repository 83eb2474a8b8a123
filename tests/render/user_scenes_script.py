"""Untagged .blend scenes of the kinds users bring (run in a bpy subprocess by the tests):
a curved studio backdrop with lamps and a camera; primitives of 2 m on a slab, no camera; a closed
interior with furniture and a ceiling lamp, no camera; the same interior modelled in centimetres.

python user_scenes_script.py KIND OUT.blend
"""

import math
import sys

import bpy  # first: it puts Blender's own modules (bmesh) on the path

# isort: split
import bmesh


def reset():
    bpy.ops.wm.read_homefile(use_empty=True)


def box(name, size, loc):
    bpy.ops.mesh.primitive_cube_add(size=1.0, location=loc)
    ob = bpy.context.object
    ob.name = name
    ob.scale = size
    bpy.ops.object.transform_apply(scale=True)
    return ob


def lamp(name, loc, energy, kind="AREA"):
    data = bpy.data.lights.new(name, kind)
    data.energy = energy
    ob = bpy.data.objects.new(name, data)
    bpy.context.scene.collection.objects.link(ob)
    ob.location = loc
    return ob


def paint(ob, rgba, textured=False):
    """A Principled material of a plain base colour (linear), or one a noise texture drives."""
    mat = bpy.data.materials.new(f"{ob.name}_mat")
    nt = mat.node_tree
    bsdf = nt.nodes["Principled BSDF"]
    bsdf.inputs["Base Color"].default_value = rgba
    if textured:
        tex = nt.nodes.new("ShaderNodeTexNoise")
        nt.links.new(tex.outputs["Color"], bsdf.inputs["Base Color"])
    ob.data.materials.append(mat)
    return ob


def camera(loc, rot):
    bpy.ops.object.camera_add(location=loc, rotation=rot)


def backdrop(path):
    reset()
    bm = bmesh.new()
    # floor 10 m deep (y from -6 to 2), curve radius 2 from y=2 up, then a wall to 23 m
    xs = (-6.0, 6.0)
    prof = [(-6.0, 0.0), (2.0, 0.0)]
    for k in range(1, 9):
        a = k / 8 * math.pi / 2
        prof.append((2.0 + 2.0 * math.sin(a), 2.0 - 2.0 * math.cos(a)))
    prof.append((4.0, 23.0))
    verts = [[bm.verts.new((x, y, z)) for (y, z) in prof] for x in xs]
    for i in range(len(prof) - 1):
        bm.faces.new((verts[0][i], verts[1][i], verts[1][i + 1], verts[0][i + 1]))
    me = bpy.data.meshes.new("backdrop")
    bm.to_mesh(me)
    ob = bpy.data.objects.new("Backdrop", me)
    bpy.context.scene.collection.objects.link(ob)
    box("Pedestal", (0.6, 0.6, 0.5), (-1.2, 0.0, 0.25))
    bpy.ops.mesh.primitive_uv_sphere_add(radius=0.25, location=(1.0, 0.3, 0.25))
    for i, x in enumerate((-3, 0, 3)):
        lamp(f"Lamp{i}", (x, -4, 5), 800)
    camera((0.0, -7.0, 1.6), (math.radians(80), 0, 0))
    everything = bpy.data.collections.new("Collection")  # as Blender's startup file has it
    bpy.context.scene.collection.children.link(everything)
    for ob in list(bpy.context.scene.collection.objects):
        everything.objects.link(ob)
        bpy.context.scene.collection.objects.unlink(ob)
    bpy.ops.wm.save_as_mainfile(filepath=path)


SLAB_COLOURS = [  # linear base colours: red, blue, green, yellow, orange, purple, cyan; none
    (0.6, 0.01, 0.01, 1), (0.01, 0.05, 0.7, 1), (0.01, 0.32, 0.02, 1), (0.9, 0.7, 0.01, 1),
    (0.9, 0.18, 0.005, 1), (0.17, 0.02, 0.45, 1), (0.01, 0.52, 0.6, 1), None,
]  # fmt: skip


def slab(path):
    reset()
    paint(box("Slab", (8.0, 8.0, 0.3), (0, 0, 0.15)), (0.9, 0.22, 0.42, 1))  # pink
    for i, (x, y) in enumerate(
        [
            (-2.5, -2.5),
            (0, -2.5),
            (2.5, -2.5),
            (-2.5, 0),
            (2.5, 0.5),
            (-2, 2.5),
            (0.5, 2.5),
            (2.8, 2.8),
        ]
    ):
        if i % 3 == 0:
            box(
                f"Cube{i}",
                (2, 2, 2) if i < 6 else (1.2, 1.2, 1.2),
                (x, y, 0.3 + (1.0 if i < 6 else 0.6)),
            )
        elif i % 3 == 1:
            bpy.ops.mesh.primitive_uv_sphere_add(radius=1.0, location=(x, y, 1.3))
        else:
            bpy.ops.mesh.primitive_cylinder_add(radius=0.8, depth=2.0, location=(x, y, 1.3))
        if SLAB_COLOURS[i] is not None:  # the last keeps Blender's default surface
            paint(bpy.context.object, SLAB_COLOURS[i])
    bpy.ops.wm.save_as_mainfile(filepath=path)


def interior(path, u=1.0):
    reset()
    box("Floor", (6 * u, 5 * u, 0.05 * u), (0, 0, -0.025 * u))
    box("Ceiling", (6 * u, 5 * u, 0.05 * u), (0, 0, 2.725 * u))
    box("WallN", (6 * u, 0.1 * u, 2.7 * u), (0, 2.55 * u, 1.35 * u))
    box("WallS", (6 * u, 0.1 * u, 2.7 * u), (0, -2.55 * u, 1.35 * u))
    box("WallE", (0.1 * u, 5 * u, 2.7 * u), (3.05 * u, 0, 1.35 * u))
    box("WallW", (0.1 * u, 5 * u, 2.7 * u), (-3.05 * u, 0, 1.35 * u))
    box("Table", (1.4 * u, 0.8 * u, 0.05 * u), (0.5 * u, 0.3 * u, 0.725 * u))
    for i, (x, y) in enumerate([(-0.15, -0.05), (1.15, -0.05), (-0.15, 0.65), (1.15, 0.65)]):
        box(f"Leg{i}", (0.05 * u, 0.05 * u, 0.7 * u), (x * u, y * u, 0.35 * u))
    box("Sofa", (2.0 * u, 0.8 * u, 0.45 * u), (-1.5 * u, 2.0 * u, 0.225 * u))
    box("Shelf", (1.2 * u, 0.35 * u, 1.8 * u), (2.3 * u, -2.2 * u, 0.9 * u))
    box("Sideboard", (1.6 * u, 0.45 * u, 0.9 * u), (1.8 * u, 2.2 * u, 0.45 * u))
    lamp("CeilingLamp", (0, 0, 2.6 * u), 300 * u * u, "POINT")
    # what may change: a textured vase on the table, a chair (a parent hierarchy), a stack of
    # books (a collection) and a sign (a text object) on the sideboard
    bpy.ops.mesh.primitive_cylinder_add(
        radius=0.07 * u, depth=0.3 * u, location=(0.3 * u, 0.4 * u, 0.9 * u)
    )
    bpy.context.object.name = "Vase"
    paint(bpy.context.object, (0.5, 0.5, 0.5, 1), textured=True)
    seat = paint(
        box("Chair", (0.45 * u, 0.45 * u, 0.05 * u), (0.5 * u, -0.6 * u, 0.45 * u)),
        (0.6, 0.01, 0.01, 1),
    )
    for k, (x, y) in enumerate([(0.3, -0.8), (0.7, -0.8), (0.3, -0.4), (0.7, -0.4)]):
        leg = box(f"ChairLeg{k}", (0.04 * u, 0.04 * u, 0.425 * u), (x * u, y * u, 0.2125 * u))
        paint(leg, (0.6, 0.01, 0.01, 1))
        leg.parent = seat
        leg.matrix_parent_inverse = seat.matrix_world.inverted()
    back = box("ChairBack", (0.45 * u, 0.04 * u, 0.45 * u), (0.5 * u, -0.8 * u, 0.7 * u))
    paint(back, (0.6, 0.01, 0.01, 1))
    back.parent = seat
    back.matrix_parent_inverse = seat.matrix_world.inverted()
    books = bpy.data.collections.new("Books")
    bpy.context.scene.collection.children.link(books)
    for k, rgba in enumerate([(0.01, 0.32, 0.02, 1), (0.01, 0.3, 0.03, 1), (0.02, 0.35, 0.02, 1)]):
        b = paint(
            box(
                f"Book{k}",
                (0.04 * u, 0.22 * u, 0.28 * u),
                ((1.15 + 0.05 * k) * u, 2.2 * u, 1.04 * u),
            ),
            rgba,
        )
        for c in list(b.users_collection):
            c.objects.unlink(b)
        books.objects.link(b)
    cu = bpy.data.curves.new("Sign", "FONT")
    cu.body, cu.size, cu.extrude = "SALE", 0.4 * u, 0.01 * u
    sign = bpy.data.objects.new("Sign", cu)
    bpy.context.scene.collection.objects.link(sign)
    sign.location, sign.rotation_euler = (1.42 * u, 2.2 * u, 0.9 * u), (math.radians(90), 0, 0)
    cu.materials.append(bpy.data.materials.new("ink"))
    cu.materials[0].node_tree.nodes["Principled BSDF"].inputs["Base Color"].default_value = (
        0.01,
        0.05,
        0.7,
        1,
    )
    bpy.ops.wm.save_as_mainfile(filepath=path)


kind, path = sys.argv[-2], sys.argv[-1]
{
    "backdrop": backdrop,
    "slab": slab,
    "interior": interior,
    "interior_cm": lambda p: interior(p, 100.0),
}[kind](path)
