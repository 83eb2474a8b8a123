"""The procedural catalogue: every generator reachable as ``procedural:<name>``, and its meshes
frozen per GENERATOR_VERSION (the GLB cache key), so a change to a mesh cannot reuse old GLBs."""

from __future__ import annotations

import hashlib
import inspect
import json
import pkgutil
from pathlib import Path

import numpy as np
import pytest

from diffforge.scenes.assets import procedural
from diffforge.scenes.assets.manifest import Generator

MANIFEST = Path(procedural.__file__).parents[1] / "builtin_manifest.json"
GENERATORS = [n for n in procedural.__all__ if n not in ("GENERATOR_VERSION", "Parts")]

# sha256 (first 16 hex digits) of each generator's scene at its default parameters: slot
# names, vertices rounded to 1 µm, faces, metadata. Frozen at GENERATOR_VERSION 1.
FROZEN_VERSION = 1
DIGESTS = {
    "apple": "b9f9c684090923a3",
    "armchair": "f3d0a638dbaed134",
    "ball": "1966d1d14fe39b80",
    "bench": "39a606bc667cac7c",
    "bicycle": "6d3183012919d032",
    "block_tower": "9899ed7a9bc81a99",
    "bollard": "23a0f74b13eee36e",
    "book": "9c954a8e4732d593",
    "bottle": "3a152435865e2f56",
    "bowl": "4b34b5250ebc806a",
    "building_facade": "c881aaf5751cb72e",
    "bush": "3c0e640c021df514",
    "cabinet": "46221a4fdd77c338",
    "candle": "d7ecbe451a37a8aa",
    "car": "cfe0fcf3d1954d3d",
    "cardboard_box": "5c7f96d922d1946c",
    "chair": "3e5a4e0eba485e9b",
    "clevr_cube": "2ececb58f10ed818",
    "clevr_cylinder": "62845e7480a37dec",
    "clevr_sphere": "c46a5d41f3199d7d",
    "cup": "888f8d9f347ea230",
    "desk": "e72f7fce2d64e820",
    "fire_hydrant": "b0efd4a7e85ebab9",
    "floor_lamp": "76f11e75b436d534",
    "floor_text": "604a9751766f2d4d",
    "laptop": "9bfc86f48774a024",
    "mug": "ce6f091d91158e76",
    "orange": "dd00c94d5c4e3779",
    "pendant_lamp": "c896b02c77ae7a4f",
    "picture_frame": "d87a638860cac747",
    "plant_pot": "a27acb08ec2677f6",
    "poster": "78d8a79f3eeb6fe0",
    "potted_plant": "bbd55b294b2f0252",
    "round_table": "f98f3d6afc104bf0",
    "rug": "8fdab569e2944791",
    "shelf": "d8efd7a2b1c40c0c",
    "shop_sign": "7e27731ecb867c13",
    "sign_board": "be43bede4811eb93",
    "sign_post": "04b7b57c69eaacc2",
    "soda_can": "b119c2ff2361b012",
    "sofa": "7ead993f9657d0e4",
    "stool": "92c12ac479a8a7ff",
    "street_lamp": "273ec316d2edf99b",
    "table": "f060e71b0a8feaec",
    "table_lamp": "f1c1855d9c3bddd0",
    "teapot": "5c16456b5a070ecd",
    "television": "7129cea00ba33b5c",
    "toy_car": "07aca380d67ad3f3",
    "traffic_cone": "484b27ed95d6d7c4",
    "trash_bin": "08831ebbd6fc9a3e",
    "tree": "581a8e58439aa9d8",
    "vase": "b19555456ac5daa7",
    "wall_clock": "0650f50dce19a47f",
    "wall_text": "9e2eb21a5336657e",
}


def digest(scene) -> str:
    h = hashlib.sha256()
    for slot in sorted(scene.geometry):
        mesh = scene.geometry[slot]
        h.update(slot.encode())
        h.update(np.round(np.asarray(mesh.vertices, dtype=np.float64), 6).tobytes())
        h.update(np.asarray(mesh.faces, dtype=np.int64).tobytes())
    h.update(json.dumps(scene.metadata, sort_keys=True, default=str).encode())
    return h.hexdigest()[:16]


def test_every_family_generator_is_exported_and_every_manifest_generator_resolves():
    family_functions = set()
    for info in pkgutil.iter_modules(procedural.__path__):
        if info.name == "parts":
            continue
        module = __import__(f"{procedural.__name__}.{info.name}", fromlist=["_"])
        family_functions |= {
            name
            for name, fn in vars(module).items()
            if inspect.isfunction(fn) and fn.__module__ == module.__name__
        }
    assert family_functions == set(GENERATORS)
    used = {
        a["generator"]["path"]
        for a in json.loads(MANIFEST.read_text())["assets"]
        if a.get("generator", {}).get("path", "").startswith("procedural:")
    }
    for path in sorted(used):
        assert Generator(path=path).resolve() is getattr(procedural, path.split(":")[1])


@pytest.mark.parametrize("name", GENERATORS)
def test_generator_meshes_are_frozen_for_this_generator_version(name):
    assert procedural.GENERATOR_VERSION == FROZEN_VERSION, (
        "GENERATOR_VERSION changed: refreeze DIGESTS (python tests/scenes/"
        "test_procedural_catalogue.py) and set FROZEN_VERSION"
    )
    assert digest(getattr(procedural, name)()) == DIGESTS[name], (
        f"procedural:{name} builds different meshes: bump GENERATOR_VERSION (old cached GLBs "
        "would be reused otherwise), then refreeze"
    )


if __name__ == "__main__":  # print the DIGESTS dict for the current generators
    print("DIGESTS = {")
    for name in GENERATORS:
        print(f'    "{name}": "{digest(getattr(procedural, name)())}",')
    print("}")
