"""A corpus of messy .blend scenes, built the way downloaded files come (run in a bpy subprocess
by the tests): flipped and mixed normals, negative scales, unapplied transforms, modifiers, an
instanced collection, a missing image texture, a scene in centimetres (unit scale 0.01).

python messy_scenes_script.py KIND OUT.blend      (KIND: one of KINDS, or "all" with a folder)
"""

import math
import sys
from pathlib import Path

import bpy  # first: it puts Blender's own modules (bmesh) on the path

# isort: split
import bmesh

KINDS = ("flipped_backdrop", "negative_scale", "modifiers", "instances", "missing_texture",
         "centimetres", "linked_library", "y_up")  # fmt: skip


def reset():
    bpy.ops.wm.read_homefile(use_empty=True)


def link(ob, coll=None):
    (coll or bpy.context.scene.collection).objects.link(ob)
    return ob


def mesh_object(name, bm, coll=None):
    me = bpy.data.meshes.new(name)
    bm.to_mesh(me)
    bm.free()
    return link(bpy.data.objects.new(name, me), coll)


def cube(name, size, loc, rot_z=0.0, apply=False, coll=None):
    """A box; its size left as the object's scale (unapplied) unless ``apply``."""
    bm = bmesh.new()
    bmesh.ops.create_cube(bm, size=1.0)
    ob = mesh_object(name, bm, coll)
    ob.location, ob.scale, ob.rotation_euler = loc, size, (0.0, 0.0, rot_z)
    if apply:
        ob.data.transform(ob.matrix_basis)
        ob.matrix_basis = ob.matrix_basis.Identity(4)
    return ob


def sphere(name, radius, loc, coll=None):
    bm = bmesh.new()
    bmesh.ops.create_uvsphere(bm, u_segments=24, v_segments=12, radius=radius)
    ob = mesh_object(name, bm, coll)
    ob.location = loc
    return ob


def cylinder(name, radius, depth, loc, coll=None):
    bm = bmesh.new()
    bmesh.ops.create_cone(bm, cap_ends=True, segments=24, radius1=radius, radius2=radius,
                          depth=depth)  # fmt: skip
    ob = mesh_object(name, bm, coll)
    ob.location = loc
    return ob


def parent(child, to):
    """Parent keeping the child where it is (world matrices evaluated first: a script that
    sets locations and parents at once otherwise parents to stale matrices)."""
    bpy.context.view_layer.update()
    child.parent = to
    child.matrix_parent_inverse = to.matrix_world.inverted()


def flip_normals(ob, share=1.0):
    """Reverse the winding of ``share`` of the faces (every other face when 0.5)."""
    bm = bmesh.new()
    bm.from_mesh(ob.data)
    step = max(round(1 / share), 1)
    bmesh.ops.reverse_faces(bm, faces=[f for i, f in enumerate(bm.faces) if i % step == 0])
    bm.to_mesh(ob.data)
    bm.free()


def paint(ob, rgba, image=None):
    """A Principled material of a plain base colour (linear), or one an image file drives."""
    mat = bpy.data.materials.new(f"{ob.name}_mat")
    nt = mat.node_tree
    bsdf = nt.nodes["Principled BSDF"]
    bsdf.inputs["Base Color"].default_value = rgba
    if image is not None:
        tex = nt.nodes.new("ShaderNodeTexImage")
        img = bpy.data.images.new(Path(image).stem, 4, 4)
        img.source, img.filepath = "FILE", image
        tex.image = img
        nt.links.new(tex.outputs["Color"], bsdf.inputs["Base Color"])
    ob.data.materials.append(mat)
    return ob


def lamp(name, loc, energy, kind="AREA"):
    data = bpy.data.lights.new(name, kind)
    data.energy = energy
    if kind == "AREA":
        data.size = 2.0
    ob = link(bpy.data.objects.new(name, data))
    ob.location = loc
    return ob


def camera(loc, rot):
    cam = link(bpy.data.objects.new("Camera", bpy.data.cameras.new("Camera")))
    cam.location, cam.rotation_euler = loc, rot
    bpy.context.scene.camera = cam


RED, BLUE, GREEN, YELLOW = (0.6, 0.01, 0.01, 1), (0.01, 0.05, 0.7, 1), (0.01, 0.32, 0.02, 1), (
    0.9, 0.7, 0.01, 1)  # fmt: skip
GREY = (0.5, 0.5, 0.5, 1)


def room(u=1.0):
    """A floor, a table (top and legs) and a lamp; sizes times ``u``."""
    paint(cube("Floor", (8 * u, 8 * u, 0.05 * u), (0, 0, -0.025 * u), apply=True), GREY)
    paint(
        cube("Table", (1.6 * u, 0.9 * u, 0.05 * u), (0, 0, 0.725 * u), apply=True),
        (0.3, 0.15, 0.05, 1),
    )
    for k, (x, y) in enumerate([(-0.75, -0.4), (0.75, -0.4), (-0.75, 0.4), (0.75, 0.4)]):
        cube(f"TableLeg{k}", (0.05 * u, 0.05 * u, 0.7 * u), (x * u, y * u, 0.35 * u), apply=True)
    lamp("Lamp", (1.0 * u, -2.0 * u, 3.0 * u), 600 * u * u)


def flipped_backdrop(path):
    """The issue's public scene: a curved backdrop whose every face points down, a pedestal
    with mixed normals, and things on it; the file's camera and lamps."""
    reset()
    bm = bmesh.new()
    prof = [(-6.0, 0.0), (2.0, 0.0)]
    for k in range(1, 9):
        a = k / 8 * math.pi / 2
        prof.append((2.0 + 2.0 * math.sin(a), 2.0 - 2.0 * math.cos(a)))
    prof.append((4.0, 8.0))
    verts = [[bm.verts.new((x, y, z)) for (y, z) in prof] for x in (-6.0, 6.0)]
    for i in range(len(prof) - 1):  # wound so every normal points down (and away)
        bm.faces.new((verts[0][i], verts[0][i + 1], verts[1][i + 1], verts[1][i]))
    back = paint(mesh_object("Backdrop", bm), (0.8, 0.8, 0.8, 1))
    bm = bmesh.new()
    bm.from_mesh(back.data)
    bm.normal_update()
    assert all(f.normal.z <= 1e-6 for f in bm.faces)
    bm.free()
    ped = paint(cube("Pedestal", (1.0, 1.0, 0.5), (-0.8, 0.0, 0.25), apply=True), GREY)
    flip_normals(ped, 0.5)
    paint(sphere("Ball", 0.2, (1.0, 0.3, 0.2)), RED)
    paint(cube("Crate", (0.3, 0.3, 0.3), (0.4, -0.9, 0.15), rot_z=0.4), BLUE)
    paint(cylinder("Vase", 0.08, 0.3, (-0.8, 0.1, 0.65)), YELLOW)
    for i, x in enumerate((-3, 0, 3)):
        lamp(f"Lamp{i}", (x, -4, 5), 800)
    camera((0.0, -5.0, 1.8), (math.radians(75), 0, 0))
    bpy.ops.wm.save_as_mainfile(filepath=path)


def negative_scale(path):
    """Mirrored objects (negative scale: their windings read inside out), unapplied rotation
    and scale, a floor mirrored upside down; no camera."""
    reset()
    floor = paint(cube("Floor", (8, 8, -0.05), (0, 0, -0.025)), GREY)  # mirrored in z
    floor.rotation_euler = (0.0, 0.0, 0.3)
    paint(cube("Table", (-1.6, 0.9, 0.05), (0, 0, 0.725), rot_z=0.5), (0.3, 0.15, 0.05, 1))
    for k, (x, y) in enumerate([(-0.6, -0.2), (0.6, -0.2), (-0.6, 0.2), (0.6, 0.2)]):
        cube(f"TableLeg{k}", (0.05, 0.05, 0.7), (x, y, 0.35))
    paint(cube("Box", (0.25, -0.25, 0.25), (-0.3, 0.1, 0.875), rot_z=0.3), RED)
    vase = paint(cylinder("Vase", 1.0, 2.0, (0.35, -0.05, 0.825)), BLUE)
    vase.scale = (-0.07, 0.07, 0.075)  # a unit cylinder mirrored and squashed, unapplied
    paint(cube("Stool", (0.4, 0.4, -0.45), (1.5, -1.0, 0.225)), GREEN)
    paint(sphere("Ball", 1.0, (-1.4, -0.9, 0.15)), YELLOW).scale = (0.15, 0.15, -0.15)
    lamp("Lamp", (1.0, -2.0, 3.0), 600)
    bpy.ops.wm.save_as_mainfile(filepath=path)


def modifiers(path):
    """Geometry only modifiers make: a row of books from an array, a chair from a mirror, a
    ball from a subdivided cube, a floor from a solidified plane."""
    reset()
    bm = bmesh.new()
    bmesh.ops.create_grid(bm, x_segments=1, y_segments=1, size=4.0)
    floor = paint(mesh_object("Floor", bm), GREY)
    floor.modifiers.new("solid", "SOLIDIFY").thickness = 0.05
    paint(cube("Table", (1.6, 0.9, 0.05), (0, 0, 0.725), apply=True), (0.3, 0.15, 0.05, 1))
    for k, (x, y) in enumerate([(-0.75, -0.4), (0.75, -0.4), (-0.75, 0.4), (0.75, 0.4)]):
        cube(f"TableLeg{k}", (0.05, 0.05, 0.7), (x, y, 0.35), apply=True)
    books = paint(cube("Books", (0.05, 0.22, 0.28), (-0.5, 0.1, 0.89), apply=True), GREEN)
    arr = books.modifiers.new("row", "ARRAY")
    arr.count, arr.relative_offset_displace = 5, (1.3, 0, 0)
    seat = paint(cube("Chair", (0.22, 0.45, 0.05), (0.11, 0, 0), apply=True), RED)
    seat.location = (1.2, -1.0, 0.45)  # a half seat, mirrored about its origin
    seat.modifiers.new("mirror", "MIRROR").use_axis = (True, False, False)
    leg = paint(cube("ChairLeg", (0.04, 0.04, 0.43), (1.4, -1.2, 0.215), apply=True), RED)
    leg.modifiers.new("mirror", "MIRROR").mirror_object = seat
    parent(leg, seat)
    ball = paint(cube("Ball", (0.25, 0.25, 0.25), (0.4, -0.1, 0.875), apply=True), BLUE)
    ball.modifiers.new("round", "SUBSURF").levels = 3
    ball.modifiers["round"].render_levels = 3
    paint(cylinder("Mug", 0.05, 0.12, (0.1, 0.2, 0.81)), YELLOW)
    lamp("Lamp", (1.0, -2.0, 3.0), 600)
    bpy.ops.wm.save_as_mainfile(filepath=path)


def instances(path):
    """A collection (a vase with flowers) kept out of the scene and instanced by two empties,
    a parented lamp-and-shade, objects on a table."""
    reset()
    room()
    src = bpy.data.collections.new("VaseSet")
    bpy.context.scene.collection.children.link(src)
    paint(cylinder("VaseBody", 0.07, 0.25, (0, 0, 0.125), coll=src), BLUE)
    paint(sphere("VaseFlower", 0.07, (0, 0, 0.3), coll=src), RED)
    layer = bpy.context.view_layer.layer_collection.children[src.name]
    layer.exclude = True  # the source stays out of the render, as asset files keep it
    for k, (x, y) in enumerate([(-0.4, 0.1), (0.45, -0.15)]):
        empty = link(bpy.data.objects.new(f"VaseInstance{k}", None))
        empty.instance_type, empty.instance_collection = "COLLECTION", src
        empty.location = (x, y, 0.75)
    base = paint(cylinder("DeskLamp", 0.08, 0.03, (0.0, 0.25, 0.765)), YELLOW)
    shade = paint(cylinder("DeskLampShade", 0.1, 0.15, (0.0, 0.25, 1.0)), YELLOW)
    pole = cylinder("DeskLampPole", 0.01, 0.2, (0.0, 0.25, 0.88))
    for part in (shade, pole):
        parent(part, base)
    paint(cube("Crate", (0.35, 0.35, 0.35), (1.6, -1.2, 0.175), rot_z=0.3), GREEN)
    bpy.ops.wm.save_as_mainfile(filepath=path)


def missing_texture(path):
    """Materials whose image files are gone: the floor's, a crate's."""
    reset()
    room()
    bpy.data.objects["Floor"].data.materials.clear()
    paint(bpy.data.objects["Floor"], GREY, image="//textures/parquet_missing.jpg")
    paint(cube("Crate", (0.3, 0.3, 0.3), (-0.4, 0.0, 0.9), apply=True), GREY,
          image="/nonexistent/crate_albedo.png")  # fmt: skip
    paint(sphere("Ball", 0.12, (0.4, 0.1, 0.87)), RED)
    paint(cylinder("Bottle", 0.05, 0.3, (0.1, -0.25, 0.9)), GREEN)
    paint(cube("Box", (0.4, 0.3, 0.3), (1.8, -1.0, 0.15), apply=True), BLUE)
    bpy.ops.wm.save_as_mainfile(filepath=path)


def centimetres(path):
    """The room modelled in centimetres, the scene's unit scale saying so (0.01)."""
    reset()
    bpy.context.scene.unit_settings.scale_length = 0.01
    room(100.0)
    paint(cube("Box", (25, 25, 25), (-30, 10, 87.5), apply=True), RED)
    paint(sphere("Ball", 12, (35, -10, 87)), BLUE)
    paint(cylinder("Vase", 7, 30, (5, 25, 90)), YELLOW)
    paint(cube("Crate", (40, 40, 40), (180, -100, 20), apply=True), GREEN)
    bpy.ops.wm.save_as_mainfile(filepath=path)


def linked_library(path):
    """Props linked from a library file beside it (``//props_library.blend``, a relative path
    as asset packs ship them): a collection instanced by an empty, and an object linked alone."""
    lib = str(Path(path).with_name("props_library.blend"))
    reset()
    props = bpy.data.collections.new("Props")
    bpy.context.scene.collection.children.link(props)
    paint(cylinder("Jar", 0.07, 0.2, (0, 0, 0.1), coll=props), GREEN)
    paint(sphere("JarLid", 0.05, (0, 0, 0.2), coll=props), RED)
    paint(cube("Toolbox", (0.35, 0.2, 0.18), (0, 0, 0.09), apply=True), BLUE)
    bpy.ops.wm.save_as_mainfile(filepath=lib)
    reset()
    room()
    bpy.ops.wm.save_as_mainfile(filepath=path)  # first, so the library path can be relative
    rel = bpy.path.relpath(lib)
    with bpy.data.libraries.load(rel, link=True) as (_, dst):
        dst.collections, dst.objects = ["Props"], ["Toolbox"]
    empty = link(bpy.data.objects.new("JarInstance", None))
    empty.instance_type, empty.instance_collection = "COLLECTION", dst.collections[0]
    empty.location = (-0.3, 0.1, 0.75)
    toolbox = dst.objects[0]
    link(toolbox)  # linked data: it stands where the library put it, at the origin...
    over = toolbox.override_create(remap_local_usages=True)  # ...moved by a local override
    over.location = (0.35, -0.1, 0.75)
    paint(sphere("Ball", 0.1, (1.6, -1.2, 0.1)), YELLOW)
    bpy.ops.wm.save_as_mainfile(filepath=path)


def y_up(path):
    """A scene exported Y-up and brought in without the axis conversion: every root turned
    -90° about X, so its floor stands up in Blender's Z-up world; its camera turned with it."""
    from mathutils import Matrix

    reset()
    room()
    paint(cube("Box", (0.25, 0.25, 0.25), (-0.3, 0.1, 0.875), apply=True), RED)
    paint(sphere("Ball", 0.12, (0.35, -0.1, 0.87)), BLUE)
    paint(cylinder("Vase", 0.07, 0.3, (0.0, 0.25, 0.9)), YELLOW)
    camera((0.0, -4.0, 2.2), (math.radians(70), 0, 0))
    bpy.context.view_layer.update()
    turn = Matrix.Rotation(-math.pi / 2, 4, "X")
    for ob in bpy.context.scene.objects:
        if ob.parent is None:
            ob.matrix_world = turn @ ob.matrix_world
    bpy.ops.wm.save_as_mainfile(filepath=path)


BUILD = {k: globals()[k] for k in KINDS}

if __name__ == "__main__":
    kind, out = sys.argv[-2], sys.argv[-1]
    if kind == "all":
        for k in KINDS:
            BUILD[k](str(Path(out) / f"{k}.blend"))
    else:
        BUILD[kind](out)
