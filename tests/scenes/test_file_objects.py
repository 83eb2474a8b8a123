"""A user file's own objects as change targets, sampled without Blender.

The sidecar is written by hand (the scan's format, as tests/render/test_environment_scan.py
checks it on real files), so these tests run in the pure-Python sampler only.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from diffforge.config import load_config
from diffforge.scenes.changes import registry
from diffforge.scenes.diff import scene_diff
from diffforge.scenes.file_objects import (
    guess_noun,
    is_file_object,
    merge_user_edits,
    nearest_color,
    sidecar_path,
)
from diffforge.scenes.sampler import PairSampler

OBJECT_TYPES = ("color", "material", "size", "move", "orientation", "disappear", "remove",
                "replace", "count", "text")  # fmt: skip
FILE_SAMPLES = 8  # pairs per change type in which it must act on a file object at least once


@pytest.mark.parametrize(
    ("name", "noun"),
    [("Cube", "cube"), ("Cube.001", "cube"), ("Sphere.002", "sphere"), ("SM_Chair_01", "chair"),
     ("coffeeTable", "coffee table"), ("TableLamp.003", "table lamp"), ("Books", "book"),
     ("plant-pot", "plant pot"), ("Pedestal", "pedestal"), ("Mesh_42", "object"),
     ("Benches", "bench"), ("Bushes.002", "bush")],
)  # fmt: skip
def test_a_noun_is_guessed_from_the_objects_name(name: str, noun: str) -> None:
    assert guess_noun(name) == noun


def test_the_sidecar_sits_beside_the_blend() -> None:
    assert sidecar_path(Path("envs/room.blend")) == Path("envs/room.blend.json")
    assert sidecar_path("room.blend") == Path("room.blend.json")


def test_colours_are_named_through_the_vocabulary() -> None:
    assert nearest_color((0.93, 0.52, 0.68)) == "pink"
    assert nearest_color((0.9, 0.9, 0.9)) == "white"
    assert nearest_color((0.1, 0.2, 0.8)) == "blue"


def test_a_rescan_keeps_what_the_user_edited_and_nothing_else() -> None:
    guess = {"noun": "cube", "changeable": True, "color": "red"}
    old = [
        {"name": "Cube", **guess, "noun": "crate", "guessed": guess, "tagged": []},  # edited
        {"name": "Ball", **guess, "guessed": guess, "tagged": []},  # as scanned
        {"name": "Gone", **guess, "changeable": False, "guessed": guess, "tagged": []},
    ]
    new_guess = {"noun": "cube", "changeable": True, "color": "blue"}
    new = [
        {"name": "Cube", **new_guess, "guessed": new_guess, "tagged": []},
        {"name": "Ball", **new_guess, "guessed": new_guess, "tagged": []},
        {"name": "Tagged", **new_guess, "guessed": new_guess, "tagged": ["noun"]},
    ]
    old.append({"name": "Tagged", **guess, "noun": "user", "guessed": guess, "tagged": []})
    out = {o["name"]: o for o in merge_user_edits(old, new)}
    assert set(out) == {"Cube", "Ball", "Tagged"}  # an object gone from the file is gone
    assert out["Cube"]["noun"] == "crate" and out["Cube"]["color"] == "blue"
    assert out["Ball"]["color"] == "blue"  # not edited: the new scan's value
    assert out["Tagged"]["noun"] == "cube"  # a tag in the file wins over an edit


def _entry(name: str, x: float, y: float, size: float, color: str | None, **kw) -> dict:
    guessed = {"noun": guess_noun(name), "changeable": True, "color": color}
    return {"name": name, "min": [x - size / 2, y - size / 2, 0.0],
            "max": [x + size / 2, y + size / 2, size], **guessed, "on": "Slab",
            "members": [name], "symmetric": False, "guessed": guessed, "tagged": [], **kw}  # fmt: skip


@pytest.fixture
def environment(tmp_path: Path) -> Path:
    """A 2 m slab holding seven file objects (one a sign with text, one textured), seen by a
    camera in front, and one lamp."""
    blend = tmp_path / "slab.blend"
    blend.write_bytes(b"")  # the sampler reads only the sidecar
    objects = [
        _entry("Cube", -0.6, -0.4, 0.3, "red"),
        _entry("Cube.001", 0.0, -0.4, 0.25, "yellow"),
        _entry("Sphere", 0.6, -0.4, 0.3, "blue", symmetric=True),
        _entry("Crate", -0.6, 0.4, 0.3, None),  # textured: no colour to change
        _entry("Cylinder", 0.0, 0.4, 0.3, "green", symmetric=True),
        _entry("Sign", 0.6, 0.4, 0.3, "white", text="OPEN", text_color="black"),
        {**_entry("Slab", 0.0, 0.0, 2.0, "pink"), "changeable": False, "reason": "floor"},
    ]
    info = {
        "extent": [2.0, 2.0, 0.4],
        "scale": 1.0,
        "surfaces": [{"name": "Slab", "kind": "floor", "center": [0.0, 0.0], "half": [1.0, 1.0],
                      "height": 0.0, "object": "Slab"},
                     {"name": "Cube", "kind": "surface", "center": [-0.6, -0.4],
                      "half": [0.13, 0.13], "height": 0.3, "object": "Cube"}],
        "cameras": [{"name": "Camera", "location": [0.0, -2.6, 1.6], "look_at": [0.0, 0.0, 0.1],
                     "lens": 35.0}],
        "objects": objects,
        "lights": [{"name": "Lamp", "type": "area", "energy": 200.0, "rgb": [1, 1, 1],
                    "location": [0, -1, 2], "size": 0.5}],
        "tagged": False,
    }  # fmt: skip
    Path(f"{blend}.json").write_text(json.dumps(info))
    return blend


def _cfg(blend: Path, *extra: str):
    return load_config(None, [
        f"assets.environment={blend}", "scene.layouts={environment: 1.0}", "seed=3",
        "scene.objects={min: 3, max: 5}", *extra,
    ])  # fmt: skip


def _on_file(spec, change) -> bool:
    objs = {o.id: o for scene in (spec.before, spec.after) for o in scene.objects}
    return any(t in objs and is_file_object(objs[t]) for t in change.targets)


def test_the_files_objects_are_in_the_scene_where_the_file_has_them(environment: Path) -> None:
    spec = PairSampler(_cfg(environment)).sample(0)
    own = {o.id: o for o in spec.before.objects if is_file_object(o)}
    assert set(own) == {f"file:{n}" for n in ("Cube", "Cube.001", "Sphere", "Crate", "Cylinder",
                                               "Sign")}  # fmt: skip
    cube = own["file:Cube"]
    assert cube.noun == "cube" and cube.attributes.color == "red"
    assert cube.dimensions == pytest.approx((0.3, 0.3, 0.3))
    assert cube.transform.location == pytest.approx((-0.6, -0.4, 0.0))
    assert own["file:Crate"].attributes.color is None and own["file:Sign"].text.string == "OPEN"
    assert "symmetric" in own["file:Sphere"].tags
    # the top of a file object that may change holds things as a library table does
    assert all(o.support in {"floor", "file:Cube"} for o in spec.before.objects)


def test_at_least_half_of_the_object_changes_act_on_the_files_objects(environment: Path) -> None:
    sampler = PairSampler(_cfg(environment))
    ops = registry()
    on_file = total = 0
    types_on_file = set()
    for i in range(60):
        spec = sampler.sample(i)
        for change in spec.changes:
            if change.type not in OBJECT_TYPES:
                continue
            total += 1
            if _on_file(spec, change):
                on_file += 1
                types_on_file.add(change.type)
        if len(spec.changes) == 1:  # every change says exactly what it changed
            assert scene_diff(spec.before, spec.after) <= ops[spec.changes[0].type].declared(
                spec.changes[0]
            ) | {("camera", "location"), ("camera", "look_at")} | {
                (x.id, f) for x in spec.after.lights for f in ("energy", "location")
            }
    assert total >= 40 and on_file >= 0.5 * total, (on_file, total)
    assert {"color", "material", "disappear"} <= types_on_file


def test_the_share_is_a_config_knob(environment: Path) -> None:
    def share(value: str) -> float:
        sampler = PairSampler(_cfg(environment, f"changes.file_objects={value}"))
        hits = [_on_file(spec, c) for i in range(40) for spec in [sampler.sample(i)]
                for c in spec.changes if c.type in OBJECT_TYPES]  # fmt: skip
        return sum(hits) / len(hits)

    assert share("1.0") > share("0.0")


@pytest.mark.parametrize("change_type", OBJECT_TYPES)
def test_every_object_change_acts_on_file_objects_or_skips_them(
    environment: Path, change_type: str
) -> None:
    """Each operator changes a file object as it would a library one, at least once in
    FILE_SAMPLES pairs (a loop in which every sample raised or skipped proved nothing); it never
    fails on one."""
    cfg = _cfg(environment, f"changes.weights={{{change_type}: 1.0}}", "changes.per_pair={1: 1.0}",
               "changes.file_objects=1.0")  # fmt: skip
    sampler = PairSampler(cfg)
    on_file = 0
    for i in range(FILE_SAMPLES):
        try:
            spec = sampler.sample(i)
        except Exception as exc:  # a pair the sampler cannot meet: never a crash in an operator
            assert type(exc).__name__ == "SamplingError", exc
            continue
        (change,) = spec.changes
        if change_type == "remove" and str(change.params.get("from", "")).startswith("file:"):
            on_file += 1  # taken off a file object (the file's own objects stand on its floor)
        if not _on_file(spec, change):
            continue
        on_file += 1
        objs = {o.id: o for s in (spec.before, spec.after) for o in s.objects}
        if change_type == "count" and change.after["count"] > change.before["count"]:
            dup = objs[change.targets[0]]  # a copy of the file's object
            assert dup.asset.startswith("file:") and dup.id != dup.asset
        if change_type == "replace":
            old, new = objs[change.targets[0]], objs[change.targets[1]]
            assert not is_file_object(new)
            assert 0.5 <= max(new.dimensions) / max(old.dimensions) <= 2.6  # of a similar size
        if change_type == "color":
            assert objs[change.targets[0]].id != "file:Crate"  # textured: no colour to change
    print(f"{change_type}: {on_file} of {FILE_SAMPLES} on a file object")
    assert on_file >= 1, f"{change_type} never acted on a file object in {FILE_SAMPLES} pairs"


@pytest.mark.parametrize(
    ("edit", "message"),
    [({"color": "mauve"}, "unknown colour 'mauve'"),
     ({"changeable": "yes"}, "changeable must be true or false"),
     ({"noun": ""}, "an object that may change needs a noun")],
)  # fmt: skip
def test_a_bad_edit_to_the_sidecar_is_one_line(environment: Path, edit: dict, message: str) -> None:
    from diffforge.errors import ConfigError

    side = Path(f"{environment}.json")
    info = json.loads(side.read_text())
    info["objects"][0].update(edit)
    side.write_text(json.dumps(info))
    with pytest.raises(ConfigError, match=rf"slab.blend.json: object 'Cube': {message}"):
        PairSampler(_cfg(environment)).sample(0)


@pytest.mark.parametrize(
    ("side", "heights", "scale"),
    [(8.0, [2.0] * 5 + [1.2] * 2, 0.2),  # 2-unit primitives on a slab: tabletop scale
     (40.0, [2.0] * 7 + [1.2], 0.2),  # ... on any slab: library objects would be 10-20x smaller
     (40.0, [2.4, 1.5, 1.8, 5.0, 1.7, 0.9], 1.0),  # a street of cars, people, trees: metres
     (6.0, [0.45, 0.75, 0.9, 1.8], 1.0),  # furniture in a room: metres
     (600.0, [75.0, 45.0, 90.0], 0.01)],  # a room in centimetres
)  # fmt: skip
def test_the_scans_scale_brings_the_files_objects_to_library_sizes(side, heights, scale) -> None:
    from diffforge.render.scan_analysis import scene_scale

    assert scene_scale(1.0, side, heights)[0] == pytest.approx(scale)
