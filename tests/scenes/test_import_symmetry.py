"""Imported assets behave like built-in ones: symmetry measured from the geometry and used by
orientation changes, untextured imports take colours, 2-unit primitives are flagged, and the
tabletop takes small imports without a tag."""

from __future__ import annotations

import json
import math
from collections import Counter

import numpy as np
import pytest
import trimesh

from diffforge.config import load_config
from diffforge.errors import AssetError, SamplingError
from diffforge.scenes.assets.importer import PRIMITIVE_SUGGESTED, UNTEXTURED_SLOT, import_assets
from diffforge.scenes.assets.manifest import Manifest
from diffforge.scenes.assets.symmetry import ANY_ANGLE, rotational_symmetry, turn_in_sight
from diffforge.scenes.changes.appearance import seen_turn
from diffforge.scenes.sampler import PairSampler

Y_UP = trimesh.transformations.rotation_matrix(-np.pi / 2, [1, 0, 0])  # Z up -> glTF's Y up


def _chair() -> trimesh.Trimesh:
    parts = [
        trimesh.creation.box((0.45, 0.45, 0.05)).apply_translation((0, 0, 0.45)),
        trimesh.creation.box((0.45, 0.04, 0.45)).apply_translation((0, -0.2, 0.7)),
    ]
    for x in (-0.2, 0.2):
        for y in (-0.2, 0.2):
            parts.append(trimesh.creation.box((0.04, 0.04, 0.45)).apply_translation((x, y, 0.22)))
    return trimesh.util.concatenate(parts)


@pytest.mark.parametrize(
    ("shape", "order"),
    [
        (trimesh.creation.icosphere(subdivisions=3), ANY_ANGLE),
        (trimesh.creation.uv_sphere(1.0, count=[16, 16]), ANY_ANGLE),
        (trimesh.creation.cylinder(1.0, 2.0, sections=32), ANY_ANGLE),
        (trimesh.creation.cone(1.0, 2.0, sections=32), ANY_ANGLE),
        (trimesh.creation.box((2, 2, 2)), 4),
        (trimesh.creation.box((2, 2, 2)).apply_transform(
            trimesh.transformations.rotation_matrix(0.4, [0, 0, 1])), 4),
        (trimesh.creation.box((2, 1, 1)), 2),
        (trimesh.creation.cylinder(1.0, 2.0, sections=6), 6),
        (trimesh.creation.cylinder(1.0, 2.0, sections=3), 3),
        (_chair(), 1),
    ],
    ids=["icosphere", "uv-sphere", "cylinder", "cone", "cube", "turned-cube", "box-2x1", "hexagon",
         "triangle", "chair"],
)  # fmt: skip
def test_symmetry_is_measured_from_the_geometry(shape, order):
    assert rotational_symmetry(shape.triangles) == order


def _primitives(folder, fmt: str = "glb") -> None:
    """Sphere, cube and cylinder of 2 units (Blender's primitive size), saved with trimesh."""
    folder.mkdir()
    shapes = {
        "sphere": trimesh.creation.icosphere(subdivisions=3, radius=1.0),
        "cube": trimesh.creation.box((2, 2, 2)),
        "cylinder": trimesh.creation.cylinder(radius=1.0, height=2.0, sections=32),
    }
    for name, mesh in shapes.items():
        if fmt == "glb":
            mesh.apply_transform(Y_UP)  # glTF is Y-up by its spec
        mesh.export(folder / f"{name}.{fmt}")


@pytest.fixture(scope="module")
def primitives(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("prims")
    _primitives(tmp / "shapes")
    result = import_assets(tmp / "shapes", tmp / "shapes.json", scale=PRIMITIVE_SUGGESTED)
    return tmp / "shapes.json", {a["id"]: a for a in result.used}


def test_imported_primitives_carry_their_symmetry_and_a_colourable_slot(primitives):
    manifest, used = primitives
    assert {k: a["symmetry"] for k, a in used.items()} == {"sphere": 0, "cube": 4, "cylinder": 0}
    assert "symmetric" in used["sphere"]["tags"] and "symmetric" not in used["cube"]["tags"]
    for a in used.values():
        assert a["material_slots"] == [UNTEXTURED_SLOT] and a["materials"]
        assert a["size"] == pytest.approx([0.1, 0.1, 0.1])
    loaded = Manifest.load(manifest)  # the manifest validates with the new fields
    assert {s.id: s.symmetry for s in loaded.assets} == {"sphere": 0, "cube": 4, "cylinder": 0}


def test_two_unit_primitives_are_flagged_with_the_scale_to_use(tmp_path):
    _primitives(tmp_path / "shapes", fmt="ply")
    result = import_assets(tmp_path / "shapes", tmp_path / "m.json")
    for a in result.used:
        assert any(f"--scale {PRIMITIVE_SUGGESTED:g}" in n for n in a["notes"]), a["notes"]
        assert a["placement"] == "floor"  # 2 m across, as measured: the user is told why
    scaled = import_assets(tmp_path / "shapes", tmp_path / "s.json", scale=PRIMITIVE_SUGGESTED)
    assert not any("--scale" in n for a in scaled.used for n in a["notes"])


def test_a_textured_import_keeps_its_look(tmp_path):
    (tmp_path / "in").mkdir()
    mesh = trimesh.creation.box((0.1, 0.1, 0.1))
    mesh.visual.face_colors = [200, 30, 30, 255]  # painted: its own colour stays
    mesh.export(tmp_path / "in" / "painted_box.ply")
    (used,) = import_assets(tmp_path / "in", tmp_path / "m.json").used
    assert "material_slots" not in used and "untextured" not in " ".join(used["notes"])


def test_symmetry_any_angle_goes_with_the_symmetric_tag(primitives, tmp_path):
    manifest, _ = primitives
    data = json.loads(manifest.read_text())
    sphere = next(a for a in data["assets"] if a["id"] == "sphere")
    sphere["tags"].remove("symmetric")
    with pytest.raises(AssetError, match=r"symmetry 0 .* .symmetric."):
        Manifest.from_dict(data, manifest, verify_files=False)


def _imports_only(manifest, extra=()):
    return load_config(None, [
        f"assets.manifests=[{manifest}]", "assets.include={tags: [imported]}",
        "scene.layouts={tabletop: 1.0}", "seed=2",
        "changes.weights={color: 1.5, orientation: 1.5, size: 1, move: 1, add: 1, disappear: 1}",
        *extra,
    ])  # fmt: skip


def test_the_tabletop_takes_imports_without_a_tag_and_turns_them_as_they_look(primitives):
    """40 sampled pairs from imported sphere, cube and cylinder only: no turn on a sphere or a
    cylinder, a cube's turn folded by its 4-fold symmetry, colour changes on them."""
    manifest, _ = primitives
    sampler = PairSampler(_imports_only(manifest))  # default visibility thresholds
    types, turned = Counter(), []
    for i in range(40):
        spec = sampler.sample(i)
        assets = {o.id: o.asset for o in spec.before.objects}
        assert set(assets.values()) <= {"sphere", "cube", "cylinder"}
        for c in spec.changes:
            types[c.type] += 1
            if c.type == "orientation":
                turned.append((assets[c.targets[0]], c.params["degrees"]))
    assert types["orientation"] >= 5 and types["color"] >= 5, types
    assert {a for a, _ in turned} == {"cube"}
    # folded by the 4-fold symmetry and carried into the seen window (symmetry.turn_in_sight)
    assert all(40.0 <= abs(d) <= 45.0 for _, d in turned), turned


@pytest.mark.parametrize(
    ("drawn", "order", "seen"),
    [(100.0, 4, 41.25), (-110.0, 4, -42.5), (90.0, 4, 40.0), (132.0, 4, 42.0), (60.0, 1, 60.0),
     (30.0, 1, 30.0), (30.0, 4, 30.0), (80.0, 5, 8.0), (170.0, 1, 170.0), (160.0, 2, -65.0)],
)  # fmt: skip
def test_a_turn_folded_out_of_sight_is_carried_into_the_seen_window(drawn, order, seen):
    """Into [40°, half the period] at the share it had of [0, 40°); a turn drawn under 40°
    (the config's range) is not lifted, a 5-fold shape's window (36°) is empty, and a turn
    already seen is kept; a 2-fold table turned 160° (20° the other way) is lifted into 40-90°."""
    seen_by_order = seen_turn(math.radians(drawn), order)
    got = turn_in_sight(math.radians(drawn), seen_by_order, order, math.radians(40.0))
    assert math.degrees(got) == pytest.approx(seen)


def test_the_tabletop_says_what_to_do_when_nothing_small_enough_is_left(tmp_path):
    _primitives(tmp_path / "shapes")
    import_assets(tmp_path / "shapes", tmp_path / "m.json")  # 2 m: no --scale
    with pytest.raises(SamplingError, match=r"--scale 0\.05"):
        PairSampler(_imports_only(tmp_path / "m.json")).sample(0)


BLEND_PRIMITIVES = """
import sys, bpy
out = sys.argv[-1]
for name, add in (("Sphere", bpy.ops.mesh.primitive_uv_sphere_add),
                  ("SmoothCube", bpy.ops.mesh.primitive_cube_add)):
    bpy.ops.wm.read_homefile(use_empty=True)
    add()
    if name == "SmoothCube":
        bpy.context.object.modifiers.new("bevel", "BEVEL").width = 0.2
    bpy.ops.wm.save_as_mainfile(filepath=f"{out}/{name}.blend")
"""


@pytest.mark.blender
def test_blend_primitives_are_measured_in_blender(tmp_path):
    """CLEVR's shapes come as .blend files of Blender's 2-unit primitives with no material:
    measured in the Blender subprocess like mesh files are with trimesh."""
    import subprocess
    import sys

    (tmp_path / "shapes").mkdir()
    subprocess.run([sys.executable, "-c", BLEND_PRIMITIVES, str(tmp_path / "shapes")],
                   check=True, capture_output=True)  # fmt: skip
    result = import_assets(tmp_path / "shapes", tmp_path / "m.json")
    used = {a["id"]: a for a in result.used}
    assert used["Sphere"]["symmetry"] == ANY_ANGLE and "symmetric" in used["Sphere"]["tags"]
    assert used["SmoothCube"]["symmetry"] == 4  # bevelled: its modifier is evaluated
    for a in used.values():
        assert a["material_slots"] == [UNTEXTURED_SLOT]
        assert any(f"--scale {PRIMITIVE_SUGGESTED:g}" in n for n in a["notes"]), a["notes"]
