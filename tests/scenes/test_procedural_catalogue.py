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
# names, vertices rounded to 1 µm, faces, metadata. Frozen at GENERATOR_VERSION 4 (variants
# that keep their proportions under the library's rescale; a variant's params are tested in
# tests/scenes/test_shape_variety.py).
FROZEN_VERSION = 4
DIGESTS = {
    "alarm_clock": "cea86ae9f30cf494",
    "apple": "e31a49251be0f798",
    "armchair": "d1b0207a9fde4818",
    "backless_bench": "3a07f1454ab31e78",
    "ball": "4c246b9bb4842bcb",
    "banana": "0e874f04b7ac1ee9",
    "barrier": "87f004e041cce3c4",
    "bath_mat": "2d94d2a9c6a18af2",
    "bathtub": "ad897d477b2dc3a0",
    "bed": "9dc18942099b3f48",
    "bench": "695c2430f83dda5e",
    "bicycle": "4815dfdc0cd6a5c7",
    "bike_rack": "a08eb574206f380e",
    "binder": "8f9666b2ad1dce79",
    "block_tower": "9899ed7a9bc81a99",
    "bollard": "a3c653f56f4f7ed4",
    "book": "9c954a8e4732d593",
    "bottle": "20147d238ac8bf95",
    "bowl": "4b34b5250ebc806a",
    "building_facade": "c881aaf5751cb72e",
    "bus_stop": "78d1e3df89cca6de",
    "bush": "9b345bd269c287b6",
    "cabinet": "e1b68f77002762b7",
    "camera": "0f4b47375ac7842d",
    "candle": "d7ecbe451a37a8aa",
    "car": "fa7465a3ee471542",
    "cardboard_box": "517e884931127041",
    "cash_register": "25bfc5e0c317238a",
    "chair": "2b5ad514ef31b963",
    "clevr_cube": "2ececb58f10ed818",
    "clevr_cylinder": "62845e7480a37dec",
    "clevr_sphere": "c46a5d41f3199d7d",
    "coat_rack": "cdfc7d1801f3d409",
    "cooking_pot": "f8be706ca5ac7fc0",
    "crate": "1536ec137d72a917",
    "cup": "7d0df579e4713fe8",
    "cutting_board": "d39d382c635f6e8d",
    "desk": "15b0b759705da9c2",
    "dresser": "96c0c1f2b3590255",
    "drinking_glass": "b9f8a15ecef93385",
    "fan": "108f90c3adb195a0",
    "filing_cabinet": "a914c87bf5b2f864",
    "fire_hydrant": "b0efd4a7e85ebab9",
    "floor_lamp": "ba20064f8fec6ea7",
    "floor_text": "604a9751766f2d4d",
    "frying_pan": "8a7b0e7475d14b3d",
    "jar": "5995894e29a8d5af",
    "kettle": "9e2c4b6528cab247",
    "keyboard": "2474ba1a19f38c84",
    "kitchen_counter": "c6969e5227641b7d",
    "laptop": "c34cda3d003e2699",
    "laundry_basket": "4fffae32e29fbdee",
    "mailbox": "66ad54a5253af746",
    "microwave": "7eee8ceea485e73c",
    "mirror": "110e7a8003b27b7a",
    "monitor": "c3870bcb5f9ee71a",
    "motorcycle": "ee96b49b029db931",
    "mug": "79cfc28e3c21fc2b",
    "newspaper_box": "13c9c486b1e2a6f9",
    "nightstand": "59edfcecf895aa46",
    "office_chair": "fbf9189b7ae10c5e",
    "orange": "1d7ac98af8dfc978",
    "ottoman": "c249a5842e8672dd",
    "parking_meter": "736f5b4e2f0e0c80",
    "pear": "8904985bbcbc315e",
    "pen_holder": "eadfbec79da833c3",
    "pendant_lamp": "0c81e20795c2a58a",
    "picnic_table": "429b6e9750155899",
    "picture_frame": "d87a638860cac747",
    "pillow": "53a0c6d704259037",
    "plant_pot": "853ee24b1f755efb",
    "planter": "45e79012eb23e93e",
    "plate": "7887647b2afb9aae",
    "poster": "78d8a79f3eeb6fe0",
    "potted_plant": "c22831547318c452",
    "printer": "8d09c0197c56b061",
    "radiator": "0e13165114d0d0a3",
    "refrigerator": "2cd7e11835564b93",
    "remote_control": "294c8d7ef790569d",
    "round_table": "f98f3d6afc104bf0",
    "rug": "8fdab569e2944791",
    "scooter": "adbae1c23a73a77f",
    "shelf": "f91f46f666ea92ff",
    "shop_counter": "d74857be083a9a83",
    "shop_sign": "7e27731ecb867c13",
    "shopping_basket": "a751448a3aef2e9c",
    "shopping_cart": "ce000cb92d152ae6",
    "sign_board": "be43bede4811eb93",
    "sign_post": "04b7b57c69eaacc2",
    "smartphone": "f910e1aad8502711",
    "soda_can": "b119c2ff2361b012",
    "sofa": "486e40fa350444e8",
    "speaker": "5b107fe58792a3fe",
    "stool": "9c84dbb6bb069ea2",
    "stove": "67a2f984799ea02f",
    "street_lamp": "e74bad38f9af50a9",
    "table": "dec19568235c2079",
    "table_lamp": "3ae6f91f37e69379",
    "teapot": "1b2f5d7348a68ab9",
    "telephone": "8682da2e0bf47b5c",
    "television": "7129cea00ba33b5c",
    "toaster": "eaf1c57979620440",
    "toilet": "91e19d8707126ad6",
    "towel": "415872f9e9242a70",
    "toy_car": "07aca380d67ad3f3",
    "traffic_cone": "99f452f6a64b792a",
    "traffic_light": "bbf170ca36b1add9",
    "trash_bin": "9623a3821fb689d6",
    "tree": "eaf39e1416e77cff",
    "truck": "49ace23a7a4ea1f0",
    "vase": "b19555456ac5daa7",
    "vending_machine": "6cf23f529ce5bb1d",
    "wall_clock": "64a08e909185fd24",
    "wall_text": "9e2eb21a5336657e",
    "wardrobe": "26bf7bf960664ce7",
    "washbasin": "37c22af0896b9ef1",
    "washing_machine": "06ae7ee1a1278bee",
    "wastebasket": "6e8ac58312bb3c47",
    "water_cooler": "bf76b2023055e910",
    "whiteboard": "365906b8ddb2e96a",
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
            if inspect.isfunction(fn)
            and fn.__module__ == module.__name__
            and not name.startswith("_")
        }  # a leading underscore: a module's own helper (a shape draw, a shared body)
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
