"""Asset manifest, built-in procedural library, GLB cache and the mannequin."""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path

import numpy as np
import pytest
import trimesh

from diffforge.config import AssetFilter, AssetsConfig
from diffforge.errors import AssetError
from diffforge.scenes.assets import AssetLibrary, AssetSpec, Manifest, procedural
from diffforge.scenes.assets import characters as C
from diffforge.scenes.assets.library import BUILTIN_MANIFEST, load_glb
from diffforge.vocabulary import COLORS

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def library(tmp_path_factory) -> AssetLibrary:
    return AssetLibrary.load(AssetsConfig(cache_dir=tmp_path_factory.mktemp("cache")))


@pytest.fixture(scope="module")
def built(library) -> dict[str, trimesh.Scene]:
    return {spec.id: library.build(spec.id) for spec in library.select()}


# --- the built-in manifest ------------------------------------------------------------------

GROUPS = {
    "furniture": {"table", "chair", "shelf", "sofa", "cabinet", "floor_lamp", "rug",
                  "picture_frame", "wall_clock"},
    "tabletop": {"mug", "cup", "bottle", "vase", "bowl", "book", "box", "plant_pot", "ball",
                 "apple", "orange_fruit", "toy_car", "toy_blocks"},
    "outdoor": {"bench", "street_lamp", "trash_bin", "traffic_cone", "car", "bicycle", "tree",
                "building_facade", "sign_post"},
    "text": {"sign_board", "wall_text", "floor_text", "poster", "shop_sign"},
    "clevr": {"clevr_cube", "clevr_sphere", "clevr_cylinder"},
}  # fmt: skip


def test_builtin_manifest_validates_and_spans_every_group():
    manifest = Manifest.load(BUILTIN_MANIFEST)
    ids = {a.id for a in manifest.assets}
    assert len(manifest.assets) >= 40
    for group, members in GROUPS.items():
        assert members <= ids, f"{group}: missing {members - ids}"
    by_id = {a.id: a for a in manifest.assets}
    assert all(
        "furniture" in by_id[i].tags
        for i in GROUPS["furniture"] - {"rug", "picture_frame", "wall_clock"}
    )
    assert all(
        "tabletop" in by_id[i].tags and by_id[i].placement == "surface" for i in GROUPS["tabletop"]
    )
    assert all("outdoor" in by_id[i].tags for i in GROUPS["outdoor"])
    assert all(by_id[i].text_anchor is not None and "text" in by_id[i].tags for i in GROUPS["text"])
    assert all("clevr" in by_id[i].tags for i in GROUPS["clevr"])
    rig = by_id["mannequin"]
    assert rig.type == "rig" and "person" in rig.tags
    assert rig.generator is not None and rig.generator.path == "characters:mannequin"
    for a in manifest.assets:
        assert a.license == "CC0-1.0" and a.source == "diffforge procedural"
        assert a.noun and a.category and a.material_slots


def test_root_manifest_is_a_valid_user_manifest(tmp_path):
    lib = AssetLibrary.load(
        AssetsConfig(manifests=[ROOT / "assets_manifest.json"], cache_dir=tmp_path)
    )
    spec = lib.get("tall_vase")
    assert spec.manifest_path == (ROOT / "assets_manifest.json").resolve()
    assert np.allclose(np.ptp(lib.build("tall_vase").bounds, axis=0), spec.size)


# --- generators -----------------------------------------------------------------------------


def test_every_generator_builds_at_the_declared_size(library, built):
    assert len(built) >= 40
    for spec in library.select():
        scene = built[spec.id]
        sx, sy, sz = spec.size
        expected = np.array([[-sx / 2, -sy / 2, 0.0], [sx / 2, sy / 2, sz]])
        assert np.allclose(scene.bounds, expected, atol=1e-6, rtol=0), spec.id
        # geometries are the recolourable slots plus the fixed parts, nothing unnamed
        names = set(scene.geometry)
        assert set(spec.material_slots) <= names, spec.id
        assert names <= set(spec.material_slots) | set(spec.part_materials), spec.id


def test_declared_sizes_are_honest(library):
    """The library only fixes rounding: a generator's own size is within 1% of the manifest's,
    so per-axis normalisation never visibly squashes a mug or a person."""
    for spec in library.select():
        raw = spec.generator.resolve()(**spec.generator.params)
        ratio = np.ptp(raw.bounds, axis=0) / np.asarray(spec.size)
        assert np.all(np.abs(ratio - 1) < 0.01), (spec.id, ratio)


def test_generators_are_deterministic(library):
    # (how fast they are is `diffforge bench sample`'s to say: a wall-clock bound failed on a
    # loaded machine and passed a slow generator on a fast one)
    a, b = library.build("vase"), library.build("vase")
    assert np.array_equal(a.geometry["body"].vertices, b.geometry["body"].vertices)


def test_holders_have_a_flat_top_at_surface_height(library, built):
    holders = [s for s in library.select() if s.holds_objects]
    assert {"table", "desk", "shelf", "cabinet"} <= {s.id for s in holders}
    for spec in holders:
        mesh = trimesh.util.concatenate(list(built[spec.id].geometry.values()))
        up = mesh.face_normals[:, 2] > 0.999
        at = np.all(np.abs(mesh.vertices[mesh.faces][:, :, 2] - spec.surface_height) < 1e-6, axis=1)
        area = mesh.area_faces[up & at].sum()
        assert area > 0.3 * spec.size[0] * spec.size[1], spec.id


def test_text_anchors_lie_on_the_board_front(library, built):
    texts = [s for s in library.select() if s.text_anchor is not None]
    assert len(texts) >= 5
    for spec in texts:
        board = built[spec.id].geometry["board"]
        a = spec.text_anchor
        n, loc = np.asarray(a.normal), np.asarray(a.location)
        assert np.isclose(np.linalg.norm(n), 1.0)
        assert np.isclose((board.vertices @ n).max(), loc @ n, atol=1e-6), spec.id  # the front
        lo, hi = board.bounds
        assert np.all(loc >= lo - 1e-9) and np.all(loc <= hi + 1e-9), spec.id
        extents = sorted(np.ptp(board.bounds, axis=0)[np.abs(n) < 0.5])
        assert max(a.width, a.height) <= extents[-1] + 1e-9, spec.id
        assert min(a.width, a.height) <= extents[0] + 1e-9, spec.id


def test_fronts_face_minus_y(built):
    """Wall items hang with their back at +Y; a car's headlights and a person's nose are at -Y."""
    car = built["car"].geometry["lights"]
    assert car.bounds[0][1] < -2.0
    head = built["mannequin"].geometry["skin"].vertices
    y = head[head[:, 2] > 1.5][:, 1] - C.Y0  # relative to the neck
    assert y.min() < -0.11 and y.max() < 0.1


def test_mannequin_origin_is_the_armature_origin(library):
    """The standing body's box is centred on the skeleton's origin, so normalising moves
    nothing and the renderer's armature stands where the sampler put the object."""
    raw = C.mannequin("standing")
    centre = raw.bounds.mean(axis=0)
    assert abs(centre[0]) < 1e-9 and abs(centre[1]) < 1e-9 and raw.bounds[0][2] == 0
    assert np.allclose(np.ptp(raw.bounds, axis=0), library.get("mannequin").size, atol=1e-4)


# --- GLB cache ------------------------------------------------------------------------------


def test_glb_cache_hit_returns_the_same_file_without_regenerating(tmp_path, monkeypatch):
    lib = AssetLibrary.load(AssetsConfig(cache_dir=tmp_path / "cache"))
    path = lib.glb_path("mug")
    assert path.is_file() and path.parent == tmp_path / "cache" and path.suffix == ".glb"
    mtime = path.stat().st_mtime_ns

    def boom(**_):
        raise AssertionError("regenerated on a cache hit")

    monkeypatch.setattr(procedural, "mug", boom)
    again = AssetLibrary.load(AssetsConfig(cache_dir=tmp_path / "cache")).glb_path("mug")
    assert again == path and again.stat().st_mtime_ns == mtime
    assert not list(path.parent.glob("*.tmp"))
    # survives a reload: slots and exact size, back in Z-up
    scene = load_glb(path)
    assert set(scene.geometry) == {"body"}
    size = lib.get("mug").size
    assert np.allclose(np.ptp(scene.bounds, axis=0), size, atol=1e-6)
    raw = trimesh.load(str(path))  # plain trimesh load: glTF axes, Y up
    assert np.allclose(np.ptp(raw.bounds, axis=0), [size[0], size[2], size[1]], atol=1e-6)


def test_cache_key_follows_content(library):
    spec = library.get("vase")
    other = spec.model_copy(update={"size": (0.2, 0.2, 0.3)})
    assert library.cache_key(spec) != library.cache_key(other)
    assert library.cache_key(spec) == library.cache_key(spec.model_copy())


# --- bad manifests --------------------------------------------------------------------------


def _mesh_file(tmp_path: Path, name: str = "crate.obj") -> tuple[str, str]:
    mesh = trimesh.creation.box((0.4, 0.3, 0.2))
    path = tmp_path / name
    mesh.export(path)
    return name, hashlib.sha256(path.read_bytes()).hexdigest()


def _asset(**overrides) -> dict:
    base = {
        "id": "user_thing", "type": "generator",
        "generator": {"path": "procedural:clevr_cube", "params": {}},
        "license": "CC-BY-4.0", "source": "me", "category": "thing", "noun": "thing",
        "placement": "surface", "size": [0.1, 0.1, 0.1], "material_slots": ["body"],
        "default_color": "red", "default_material": "plastic", "tags": ["indoor"],
    }  # fmt: skip
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def _write(tmp_path: Path, *assets: dict, name: str = "user.json") -> Path:
    path = tmp_path / name
    doc = {"name": "user", "version": "1", "license": "CC-BY-4.0", "assets": list(assets)}
    path.write_text(json.dumps(doc))
    return path


BAD = {
    "missing file": (
        dict(type="mesh", generator=None, file="nope.obj", sha256="0" * 64),
        ["file not found", "nope.obj"],
    ),
    "wrong sha256": (dict(type="mesh", generator=None, file="crate.obj", sha256="a" * 64), ["sha256", "crate.obj"]),
    "unknown colour": (dict(default_color="mauve"), ["mauve", "valid: beige, black, blue"]),
    "unknown colours entry": (dict(colors=["red", "chartreuse"]), ["chartreuse", "valid:"]),
    "unknown material": (dict(materials=["unobtainium"]), ["unobtainium", "valid:", "ceramic"]),
    "unknown placement": (dict(placement="ceiling"), ["placement", "ceiling"]),
    "bone_map to a non-canonical bone": (
        dict(type="rig", generator=None, file="rig.glb", sha256="0" * 64, bone_map={"Hips": "pelvis"}),
        ["pelvis", "not a canonical bone", "upper_arm_L"],
    ),
    "generator that does not import": (
        dict(generator={"path": "no_such_pkg.shapes:cube", "params": {}}),
        ["no_such_pkg.shapes:cube", "does not import"],
    ),
    "missing generator function": (dict(generator={"path": "procedural:teleporter"}), ["procedural:teleporter"]),
    "holds_objects without surface_height": (dict(holds_objects=True), ["surface_height"]),
    "surface above the top": (dict(holds_objects=True, surface_height=0.5), ["surface_height"]),
    "generator and file": (dict(file="crate.obj", sha256="0" * 64), ["exactly one"]),
    "file without sha256": (dict(type="mesh", generator=None, file="crate.obj"), ["sha256"]),
    "mesh with an odd suffix": (dict(type="mesh", generator=None, file="crate.fbx", sha256="0" * 64), [".glb"]),
    "text tag without anchor": (dict(tags=["text"]), ["text_anchor"]),
    "unknown field": (dict(colour="red"), ["colour", "Extra inputs"]),
    "negative size": (dict(size=[0.1, -0.1, 0.1]), ["size"]),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_manifest_raises_one_line_naming_asset_and_path(tmp_path, case):
    overrides, needles = BAD[case]
    _mesh_file(tmp_path)
    path = _write(tmp_path, _asset(**overrides))
    with pytest.raises(AssetError) as err:
        Manifest.load(path)
    msg = str(err.value)
    assert "\n" not in msg
    assert str(path) in msg and "'user_thing'" in msg, msg
    for needle in needles:
        assert needle in msg, msg


def test_duplicate_ids_and_missing_manifest(tmp_path):
    path = _write(tmp_path, _asset(), _asset())
    with pytest.raises(AssetError, match="'user_thing': duplicate id"):
        Manifest.load(path)
    with pytest.raises(AssetError, match="manifest not found"):
        Manifest.load(tmp_path / "absent.json")
    clash = _write(tmp_path, _asset(id="mug"), name="clash.json")
    with pytest.raises(AssetError, match=r"'mug': id already defined in .*builtin_manifest.json"):
        AssetLibrary.load(AssetsConfig(manifests=[clash], cache_dir=tmp_path))


# --- user manifests -------------------------------------------------------------------------


def test_user_mesh_manifest_merges_with_the_builtins(tmp_path):
    obj, obj_sha = _mesh_file(tmp_path, "crate.obj")
    ply, ply_sha = _mesh_file(tmp_path, "crate.ply")
    path = _write(
        tmp_path,
        _asset(id="crate", type="mesh", generator=None, file=obj, sha256=obj_sha, size=[0.4, 0.3, 0.2], placement="floor"),
        _asset(id="crate_ply", type="mesh", generator=None, file=ply, sha256=ply_sha, size=[0.4, 0.3, 0.2]),
    )  # fmt: skip
    builtin = AssetLibrary.load(AssetsConfig(cache_dir=tmp_path))
    lib = AssetLibrary.load(AssetsConfig(manifests=[path], cache_dir=tmp_path))
    assert len(lib) == len(builtin) + 2
    assert lib.get("crate").type == "mesh"
    assert lib.glb_path("crate") == (tmp_path / obj).resolve()
    assert lib.glb_path("crate_ply") == (tmp_path / ply).resolve()
    assert "crate" in [s.id for s in lib.select(placement="floor", tags_any=("indoor",))]
    assert trimesh.load(lib.glb_path("crate_ply")).extents == pytest.approx([0.4, 0.3, 0.2])
    # a file changed after loading is caught when the renderer asks for it
    (tmp_path / "crate.obj").write_text("o tampered\n")
    with pytest.raises(AssetError, match="sha256 mismatch"):
        AssetLibrary(lib).glb_path("crate")


def _rig_manifest(tmp_path: Path, bone_map: dict[str, str]) -> Path:
    rig = tmp_path / "rig.glb"
    trimesh.Scene(trimesh.creation.box((0.4, 0.3, 1.7))).export(rig)
    sha = hashlib.sha256(rig.read_bytes()).hexdigest()
    spec = _asset(
        id="robot", type="rig", generator=None, file="rig.glb", sha256=sha, bone_map=bone_map,
        category="person", noun="robot", placement="floor", size=[0.6, 0.3, 1.7],
        material_slots=["top", "bottom"], tags=["person"],
    )  # fmt: skip
    return _write(tmp_path, spec, name="rig.json")


def test_user_rig_bone_map_translates_library_poses(tmp_path):
    bone_map = {f"mixamorig:{b.title().replace('_', '')}": b for b in C.CANONICAL_BONES}
    lib = AssetLibrary.load(
        AssetsConfig(manifests=[_rig_manifest(tmp_path, bone_map)], cache_dir=tmp_path)
    )
    spec = lib.get("robot")
    assert spec in lib.select(tags_any=("person",))
    pose = C.POSES["waving"]
    moved = C.translate_pose(pose, spec.bone_map)
    assert moved["mixamorig:UpperArmR"] == pose["upper_arm_R"]
    assert set(moved) == {f"mixamorig:{b.title().replace('_', '')}" for b in pose}


def test_rig_size_must_be_metres(tmp_path):
    """A rig's declared height is what the renderer scales it to: centimetres would be giant."""
    path = _rig_manifest(tmp_path, {"Hips": "hips"})
    doc = json.loads(path.read_text())
    doc["assets"][0]["size"] = [60, 30, 175]
    path.write_text(json.dumps(doc))
    with pytest.raises(AssetError, match=r"'robot': size is in metres: a rig 175 tall"):
        Manifest.load(path)


def test_translate_pose_names_unmapped_bones(tmp_path):
    partial = {"Hips": "hips", "Head": "head"}
    spec = Manifest.load(_rig_manifest(tmp_path, partial)).assets[0]
    with pytest.raises(AssetError, match=r"robot.*upper_arm_R"):
        C.translate_pose(C.POSES["waving"], spec.bone_map, asset_id=spec.id)
    assert C.translate_pose(C.POSES["head_turned"], partial, strict=False) == {
        "Head": C.POSES["head_turned"]["head"]
    }


# --- filters and lookup ---------------------------------------------------------------------


def test_include_exclude_filters(tmp_path):
    only_tables = AssetLibrary.load(
        AssetsConfig(include=AssetFilter(categories=["table"]), cache_dir=tmp_path)
    )
    assert {s.category for s in only_tables} == {"table"} and len(only_tables) >= 3
    no_outdoor = AssetLibrary.load(
        AssetsConfig(exclude=AssetFilter(tags=["outdoor"], ids=["mug"]), cache_dir=tmp_path)
    )
    assert all("outdoor" not in s.tags for s in no_outdoor)
    assert "mug" not in no_outdoor and "cup" in no_outdoor
    mixed = AssetLibrary.load(
        AssetsConfig(include=AssetFilter(tags=["clevr"], ids=["mannequin"]), cache_dir=tmp_path)
    )
    assert set(mixed.ids) == {"clevr_cube", "clevr_sphere", "clevr_cylinder", "mannequin"}
    with pytest.raises(
        AssetError, match=r"assets.exclude.tags: unknown tag 'outdor'; valid: .*outdoor"
    ):
        AssetLibrary.load(AssetsConfig(exclude=AssetFilter(tags=["outdor"]), cache_dir=tmp_path))


def test_get_and_select(library):
    with pytest.raises(AssetError, match=r"unknown asset id 'mugg'; valid: .*mug"):
        library.get("mugg")
    walls = library.select(placement="wall")
    assert walls and all(s.placement == "wall" for s in walls)
    assert {s.id for s in library.select(tags_any=("person",))} == {"mannequin"}
    assert {s.category for s in library.select(categories=["lamp"])} == {"lamp"}
    assert isinstance(library.get("mug"), AssetSpec)
    for spec in library:
        assert spec.default_color in COLORS
        assert spec.colors is None or spec.default_color in spec.colors


# --- mannequin ------------------------------------------------------------------------------


def test_bone_table_and_pose_library():
    assert set(C.CANONICAL_BONES) == {
        "hips", "spine", "chest", "neck", "head", "upper_arm_L", "upper_arm_R", "lower_arm_L",
        "lower_arm_R", "hand_L", "hand_R", "upper_leg_L", "upper_leg_R", "lower_leg_L",
        "lower_leg_R", "foot_L", "foot_R",
    }  # fmt: skip
    for bone in C.BONES:
        if bone.parent:
            assert C.CANONICAL_BONES.index(bone.parent) < C.CANONICAL_BONES.index(bone.name)
    assert len(C.POSES) >= 8 and set(C.POSES) == set(C.POSE_PHRASES)
    for bones in C.POSES.values():
        assert set(bones) <= set(C.CANONICAL_BONES)
        assert all(len(v) == 3 for v in bones.values())
    rest = C.posed_bounds({})
    assert rest[1][2] == pytest.approx(1.75, abs=0.01) and rest[0][2] == pytest.approx(0.0)


def test_blender_bone_frames():
    """Roll-0 frames as Blender builds them: a vertical bone's Z axis points to -Y."""
    m = C.bone_rest_matrix((0, 0, 0), (0, 0, 1))
    assert np.allclose(m, [[1, 0, 0], [0, 0, -1], [0, 1, 0]])
    m = C.bone_rest_matrix((0, 0, 0), (1, 0, 0))
    assert np.allclose(m[:, 1], [1, 0, 0]) and np.isclose(np.linalg.det(m), 1)
    euler = (0.3, -0.7, 1.1)
    assert np.allclose(C.matrix_to_euler(C.euler_to_matrix(euler)), euler)


def _fk(name: str):
    return C.forward_kinematics(C.POSES[name])


def test_fk_arms_raised_puts_both_hands_above_the_head():
    fk = _fk("arms_raised")
    head_top = fk["head"][1][2]
    for side in "LR":
        assert fk[f"hand_{side}"][0][2] > head_top
        assert fk[f"hand_{side}"][1][2] > head_top


def test_fk_sitting_and_crouching_lower_the_hips():
    standing = _fk("standing")["hips"][0][2]
    assert _fk("sitting")["hips"][0][2] < standing - 0.3
    assert _fk("crouching")["hips"][0][2] < standing - 0.3
    thigh = np.subtract(*_fk("sitting")["upper_leg_L"][::-1])
    assert abs(thigh[2]) < 0.1 * np.linalg.norm(thigh)  # thighs horizontal


def test_fk_a_crouch_is_a_deep_squat_not_a_seat_on_air():
    """Knees above the hips, the hips within 0.35 m of the soles, the torso leaning forward by
    30 degrees or more: the squat with level thighs and an upright torso read as sitting on an
    invisible stool (review_std96w 5700/25, 41)."""
    fk = _fk("crouching")
    ground = min(fk[f"foot_{s}"][1][2] for s in "LR")
    hips = fk["hips"][0][2]
    assert all(fk[f"lower_leg_{s}"][0][2] > hips + 0.05 for s in "LR")  # the knees
    assert hips - ground < 0.35
    spine = np.subtract(fk["chest"][1], fk["hips"][0])
    assert math.degrees(math.atan2(-spine[1], spine[2])) >= 30.0  # forward is -Y


def test_fk_poses_read_as_named():
    fk = _fk("pointing")  # forward is -Y, the character's right is -X
    assert fk["hand_R"][1][1] < -0.6 and fk["hand_R"][1][0] < 0
    fk = _fk("waving")
    assert fk["hand_R"][1][2] > fk["head"][1][2] and fk["hand_L"][1][2] < 1.0
    fk = _fk("walking")
    assert fk["foot_L"][0][1] < fk["foot_R"][0][1] - 0.2
    fk = _fk("arms_crossed")
    assert fk["hand_L"][1][0] < -0.05 and fk["hand_R"][1][0] > 0.05  # hands cross over
    assert fk["hand_L"][1][1] < C.Y0 - 0.12  # in front of the chest, not through it
    fk = _fk("standing")
    assert fk["hand_L"][1][2] < fk["hips"][1][2] and fk["hand_R"][1][2] < fk["hips"][1][2]


def test_fk_keeps_bones_connected_and_grounded():
    for name, bones in {**C.POSES, "rest": {}}.items():
        fk = C.forward_kinematics(bones)
        for bone in C.BONES:
            head, tail = fk[bone.name]
            rest_len = np.linalg.norm(np.subtract(bone.tail, bone.head))
            assert np.isclose(np.linalg.norm(tail - head), rest_len), (name, bone.name)
            if bone.connected:
                assert np.allclose(head, fk[bone.parent][1], atol=1e-9), (name, bone.name)
        assert C.posed_bounds(bones)[0][2] == pytest.approx(0.0, abs=1e-9), name


def test_head_turned_turns_the_nose():
    nose = np.array([0.0, C.Y0 - 0.1, 1.63, 1.0])  # the nose in the rest pose
    m = C.pose_matrices(C.POSES["head_turned"])["head"] @ np.linalg.inv(C.REST_MATRICES["head"])
    turned = m @ nose
    assert turned[0] > 0.06  # towards the character's left (+X)
    assert np.isclose(turned[2], nose[2])  # a turn, not a nod


def test_unknown_bone_or_pose_is_an_asset_error():
    with pytest.raises(AssetError, match=r"unknown bone.*elbow"):
        C.forward_kinematics({"elbow": (0.0, 0.0, 0.0)})
    with pytest.raises(AssetError, match=r"unknown pose 'moonwalk'; valid: .*waving"):
        C.mannequin("moonwalk")
