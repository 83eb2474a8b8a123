"""The asset cache: each GLB/OBJ/PLY/.blend asset converted once to a small ``.blend``.

GLB assets are converted once to a one-object ``.blend`` (parts joined, materials named by
slot) in a shared cache; appending from it is ~10x faster than the glTF importer. A user rig
keeps its armature and the meshes it deforms.
"""

from __future__ import annotations

import hashlib
import math
import os
from pathlib import Path

import bpy
import numpy as np

from diffforge.errors import AssetError
from diffforge.render.assets import MANNEQUIN, AssetResolver, RenderAsset
from diffforge.scenes.assets.importer import UNTEXTURED_SLOT
from diffforge.scenes.file_objects import is_file_object
from diffforge.scenes.model import Scene

CACHE_VERSION = "4"  # 4: an untextured mesh gets its colourable slot
RIG_CACHE_VERSION = "4"  # 4: an untextured mesh gets its colourable slot  # a cached rig records its rest bounds in the file's world


class AssetCache:
    """A worker's resolved assets and their converted ``.blend`` files (shared across pairs)."""

    def __init__(self, resolver: AssetResolver, cache_dir: Path):
        self.resolver = resolver
        self.cache_dir = Path(cache_dir)
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        self._blends: dict[str, Path] = {}
        self._assets: dict[str, RenderAsset] = {}

    def prepare(self, scenes: list[Scene]) -> None:
        """Convert any uncached asset first, so a build never sees import leftovers."""
        for scene in scenes:
            for obj in scene.objects:
                if is_file_object(obj):  # the user's .blend has it; nothing to convert
                    continue
                asset = self.asset(obj.asset)
                if not (asset.type == "rig" and asset.extra.get("generator") == MANNEQUIN):
                    self.blend_for(obj.shape or obj.asset)  # a shape variant: its own mesh

    def asset(self, asset_id: str) -> RenderAsset:
        if asset_id not in self._assets:
            self._assets[asset_id] = self.resolver.resolve(asset_id)
        return self._assets[asset_id]

    def blend_for(self, asset_id: str) -> Path:
        """The cached ``.blend`` of an asset, converted now if this file version has none."""
        if asset_id in self._blends:
            return self._blends[asset_id]
        asset = self.asset(asset_id)
        if not asset.path or not Path(asset.path).is_file():
            raise AssetError(f"asset {asset_id!r}: file {asset.path!r} not found")
        src = Path(asset.path)
        st = src.stat()
        rig = asset.type == "rig"
        up = asset.extra.get("up")  # OBJ/PLY up axis (glTF is Y-up by its spec)
        kind = f"rig{RIG_CACHE_VERSION}" if rig else "False"  # rigs store more than meshes
        key = f"{src.resolve()}|{st.st_size}|{st.st_mtime_ns}|{CACHE_VERSION}|{kind}|{up or ''}"
        path = self.cache_dir / f"{hashlib.sha1(key.encode()).hexdigest()[:20]}.blend"
        if not path.is_file():
            if rig:
                convert_rig(src, path)
            else:
                convert_mesh(src, path, up)
        self._blends[asset_id] = path
        return path


def convert_rig(src: Path, dst: Path) -> None:
    """A user rig (GLB/.blend: an armature + meshes it deforms) -> a cached .blend.

    The armature is named 'rig' and records the rest-pose bounding box of its meshes in the
    file's world as imported (a glTF arrives Z-up, in the file's units, with its object turns).
    """
    import_file(src)
    arms = [o for o in bpy.data.objects if o.type == "ARMATURE"]
    if not arms:
        raise AssetError(f"{src}: a rig asset needs an armature")
    arm = arms[0]
    meshes = [
        o
        for o in bpy.data.objects
        if o.type == "MESH"
        and (o.parent is arm or any(m.type == "ARMATURE" and m.object is arm for m in o.modifiers))
    ]
    if not meshes:
        raise AssetError(f"{src}: no mesh is parented to or deformed by armature {arm.name!r}")
    for ob in (arm, *meshes):  # files come with animation clips that would override the pose
        ob.animation_data_clear()
    for pb in arm.pose.bones:  # posed from the rest; no bone-display icosphere as a body part
        pb.custom_shape = None
        pb.location, pb.scale = (0.0, 0.0, 0.0), (1.0, 1.0, 1.0)
        pb.rotation_quaternion, pb.rotation_euler = (1.0, 0.0, 0.0, 0.0), (0.0, 0.0, 0.0)
    bpy.context.view_layer.update()
    for ob in (arm, *meshes):  # a root node above the armature: keep where it put things
        if ob.parent is not None and ob.parent is not arm:
            world = ob.matrix_world.copy()
            ob.parent = None
            ob.matrix_world = world
    bpy.context.view_layer.update()
    pts = np.array([tuple(o.matrix_world @ v.co) for o in meshes for v in o.data.vertices])
    arm.name = "rig"
    arm["df_dims"] = [float(x) for x in (pts.max(0) - pts.min(0))]
    arm["df_lo"], arm["df_hi"] = [float(x) for x in pts.min(0)], [float(x) for x in pts.max(0)]
    arm["df_parts"] = [o.name for o in meshes]
    tmp = dst.with_name(f".{dst.name}.{os.getpid()}.tmp")
    bpy.data.libraries.write(str(tmp), {arm, *meshes}, fake_user=True, compress=False)
    os.replace(tmp, dst)


_Z_UP = {"forward_axis": "Y", "up_axis": "Z"}


def import_file(src: Path, up: str | None = None) -> None:
    """Import a GLB/glTF/OBJ/PLY/.blend into a fresh, empty file; ``up`` is an OBJ/PLY file's
    up axis ("y" or "z", default z) so every asset arrives Z-up."""
    bpy.ops.wm.read_homefile(use_empty=True)
    ext = src.suffix.lower()
    if ext in {".glb", ".gltf"}:
        bpy.ops.import_scene.gltf(filepath=str(src))
    elif ext == ".obj":
        axes = {"forward_axis": "NEGATIVE_Z", "up_axis": "Y"} if up == "y" else _Z_UP
        bpy.ops.wm.obj_import(filepath=str(src), **axes)
    elif ext == ".ply":
        axes = {"forward_axis": "NEGATIVE_Z", "up_axis": "Y"} if up == "y" else _Z_UP
        bpy.ops.wm.ply_import(filepath=str(src), **axes)
    elif ext == ".blend":
        with bpy.data.libraries.load(str(src), link=False) as (data_from, data_to):
            data_to.objects = list(data_from.objects)
        for ob in data_to.objects:
            if ob is not None:
                bpy.context.scene.collection.objects.link(ob)
    else:
        raise AssetError(f"{src}: unsupported asset format {ext!r}")


def convert_mesh(src: Path, dst: Path, up: str | None = None) -> None:
    """GLB/OBJ/PLY/.blend -> a .blend holding one joined mesh object named 'asset'."""
    import_file(src, up)
    meshes = [o for o in bpy.data.objects if o.type == "MESH"]
    if not meshes:
        raise AssetError(f"{src}: no mesh in the file")
    for ob in meshes:  # bake world transforms so joined parts keep their places
        if ob.data.users > 1:
            ob.data = ob.data.copy()
        mw = ob.matrix_world.copy()
        ob.parent = None
        ob.data.transform(mw)
        ob.matrix_world.identity()
    if len(meshes) > 1:
        ctx = {"active_object": meshes[0], "selected_editable_objects": meshes, "object": meshes[0]}
        with bpy.context.temp_override(**ctx):
            bpy.ops.object.join()
    ob = meshes[0]
    ob.name = ob.data.name = "asset"
    if not any(ob.data.materials):  # untextured: one slot the colour and material go on
        ob.data.materials.clear()
        ob.data.materials.append(bpy.data.materials.new(UNTEXTURED_SLOT))
    # smooth curved surfaces, sharp creases: spheres and cylinders read as solids, not facets
    me = ob.data
    if not me.has_custom_normals:
        me.polygons.foreach_set("use_smooth", [True] * len(me.polygons))
        me.set_sharp_from_angle(angle=math.radians(40.0))
    co = np.empty(len(ob.data.vertices) * 3, dtype=np.float64)
    ob.data.vertices.foreach_get("co", co)
    co = co.reshape(-1, 3)
    ob["df_dims"] = [float(x) for x in (co.max(0) - co.min(0))] if len(co) else [0.0] * 3
    tmp = dst.with_name(f".{dst.name}.{os.getpid()}.tmp")
    bpy.data.libraries.write(str(tmp), {ob}, fake_user=True, compress=False)
    os.replace(tmp, dst)
