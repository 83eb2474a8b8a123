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
# names, triangles (corners rounded to 1 µm, in an order free of the numbering), metadata.
# Frozen at GENERATOR_VERSION 6 (4: variants that keep their proportions under the library's
# rescale; 5-6: a vanity sink's white counter, every sink's thicker tap; a variant's params
# are tested in tests/scenes/test_shape_variety.py).
FROZEN_VERSION = 6
DIGESTS = {
    "alarm_clock": "9555513b0f1a3b81",
    "apple": "c8b5a4ac4aa52f23",
    "armchair": "627e4404bbfb135e",
    "backless_bench": "f2b94378e908739e",
    "ball": "ac7439a7e87e1939",
    "banana": "ab408045e658e27e",
    "barrier": "971ffc378898c918",
    "bath_mat": "5531915e9652faec",
    "bathtub": "9ac5bf4252a1b7c3",
    "bed": "012c7e1301d2856b",
    "bench": "9e4c567501a6053d",
    "bicycle": "e13ab74d231c70d8",
    "bike_rack": "86041932af3907fa",
    "binder": "04d9e21a6dba708f",
    "block_tower": "571454d91f9cf233",
    "bollard": "071db91768e00540",
    "book": "f0e817bb5e60d246",
    "bottle": "d84e1493f9aada89",
    "bowl": "be44555af4db8967",
    "building_facade": "7d9a43e9734fe5df",
    "bus_stop": "682672ab92337fa6",
    "bush": "4f67201a517348fb",
    "cabinet": "5d535bf8e13e2ffc",
    "camera": "0bdc0cbcab6351cc",
    "candle": "7938929b2d265d91",
    "car": "278d93e0e36b955e",
    "cardboard_box": "f93cba991563f4f6",
    "cash_register": "2f0612667cc40a3a",
    "chair": "57708a2bf4fbe43f",
    "clevr_cube": "bcd8ab918a3f4b7b",
    "clevr_cylinder": "55a72886c358ee98",
    "clevr_sphere": "16312a1bf1d95f41",
    "coat_rack": "d09ac121f84fa742",
    "cooking_pot": "a9e545dc7c5ccecf",
    "crate": "11177521ed3a75ab",
    "cup": "29f85defa14e362c",
    "cutting_board": "09607b02c91bd190",
    "desk": "f1447e6a22d512c9",
    "dresser": "38813ae4bcfecd83",
    "drinking_glass": "a09e60497395aaeb",
    "fan": "a1538deb46545fe2",
    "filing_cabinet": "a68ba312369359df",
    "fire_hydrant": "644cb415aeb68a77",
    "floor_lamp": "58c613d55d7c1fc9",
    "floor_text": "e87bff3287be5afb",
    "frying_pan": "34c7deb3c3a2bcae",
    "jar": "c43806e51e373218",
    "kettle": "39ecf0fa45fb46b2",
    "keyboard": "569f9c02d34a3017",
    "kitchen_counter": "fe4b07cf691e3c08",
    "laptop": "ba6dc4e951459ca2",
    "laundry_basket": "e2dbb7aaaa320820",
    "mailbox": "6ddb6fb5a3c1d60a",
    "microwave": "e779f699e4c47ac6",
    "mirror": "f49538a3db623931",
    "monitor": "37289639fb6ba33c",
    "motorcycle": "0d7f50a3c906bf60",
    "mug": "c882e623645ec44b",
    "newspaper_box": "ee75349a59788291",
    "nightstand": "ea084738ca3f0065",
    "office_chair": "ae684baa73f6476f",
    "orange": "e85f5b2b54d13bcf",
    "ottoman": "0590bb48c62a2ae2",
    "parking_meter": "89f3bed73906a772",
    "pear": "3376ca176d381d5f",
    "pen_holder": "8f17e5700049b81e",
    "pendant_lamp": "dba98678e366646d",
    "picnic_table": "887ab75d57d170f9",
    "picture_frame": "eec8b09c338ac4e8",
    "pillow": "1c138cfa143d5028",
    "plant_pot": "671792262780d2b1",
    "planter": "7c71525103c2230a",
    "plate": "c58e74fdfb850f4a",
    "poster": "d93fe2bc9979af9e",
    "potted_plant": "856cd405e7b391f3",
    "printer": "bc55796f4e731d51",
    "radiator": "eeb76c1c033e0a70",
    "refrigerator": "62c16152344e644d",
    "remote_control": "3dbaa56e150fbd28",
    "round_table": "20bd4a3077f772dc",
    "rug": "531d1823a5589c7c",
    "scooter": "94dbe390e23f034c",
    "shelf": "4d52f83ae7c83f1a",
    "shop_counter": "719725e32caec860",
    "shop_sign": "b83bdac828b05fdb",
    "shopping_basket": "d93461dac40077bb",
    "shopping_cart": "6357852a8b4ea499",
    "sign_board": "1df71f87f172d84a",
    "sign_post": "54c5c79492cf77a3",
    "smartphone": "a84e5d5d41795317",
    "soda_can": "759769a2dd4709ef",
    "sofa": "9488defcfdd7974b",
    "speaker": "691a300cd2b50cc8",
    "stool": "6a6bae100575723c",
    "stove": "c56c927be47e7b1a",
    "street_lamp": "97536354e9421eeb",
    "table": "e7ca54b098121836",
    "table_lamp": "597cd8199120504e",
    "teapot": "395aecff921d62ce",
    "telephone": "e9f519e05adc0ca5",
    "television": "415e2bf306ea49a9",
    "toaster": "ed481bccec4bde1d",
    "toilet": "51627bbf41bd136a",
    "towel": "245ef8ceca57d545",
    "toy_car": "54e93949aa0f6171",
    "traffic_cone": "47972d18d14cc60d",
    "traffic_light": "f5d0a9833a3c51c1",
    "trash_bin": "6d3076b625f711c5",
    "tree": "d83e0f0d7d242f83",
    "truck": "25d73d0044e2eb91",
    "vase": "a1cc08ae4eaf31f7",
    "vending_machine": "cc1eeece51c9be76",
    "wall_clock": "2e4f358f882bb0ed",
    "wall_text": "642e058c5f160aac",
    "wardrobe": "27786a24b542ea8c",
    "washbasin": "77d3d221977d7bca",
    "washing_machine": "464e1d996858080f",
    "wastebasket": "08ad584104640dfe",
    "water_cooler": "9e73da8c5336bbbb",
    "whiteboard": "12bcad01bdc43764",
}
# The same generators as built where LAPACK takes another path (an Intel VM against the AMD
# one that froze DIGESTS): ``meshutil.tube`` turns a cylinder onto its axis with
# ``trimesh.geometry.align_vectors``, whose roll about the axis comes from an SVD's free
# columns, so a six-sided diagonal leg is rolled otherwise. Both are the version's meshes;
# making the roll machine-independent changes sampled specs (the spec goldens), left for the
# next change that regenerates them.
OTHER_LAPACK = {"office_chair": "ea09b92de8e160d2", "picnic_table": "15b582157a6cdf5a"}


def _triangles(mesh) -> np.ndarray:
    """The mesh's triangles as rounded corner coordinates, in an order that does not depend on
    how the vertices and faces are numbered (scipy's convex hulls number them differently from
    one release to the next): each triangle starts at its smallest corner, keeping its
    winding, and the triangles are sorted."""
    tris = np.round(np.asarray(mesh.vertices, dtype=np.float64), 6)[np.asarray(mesh.faces)]
    first = np.lexsort(tris.transpose(2, 0, 1)[::-1], axis=-1)[:, 0]
    tris = np.stack([np.roll(t, -k, axis=0) for t, k in zip(tris, first, strict=True)])
    flat = tris.reshape(len(tris), 9)
    return flat[np.lexsort(flat.T[::-1])]


def digest(scene) -> str:
    h = hashlib.sha256()
    for slot in sorted(scene.geometry):
        h.update(slot.encode())
        h.update(_triangles(scene.geometry[slot]).tobytes())
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
    assert digest(getattr(procedural, name)()) in (DIGESTS[name], OTHER_LAPACK.get(name)), (
        f"procedural:{name} builds different meshes: bump GENERATOR_VERSION (old cached GLBs "
        "would be reused otherwise), then refreeze"
    )


if __name__ == "__main__":  # print the DIGESTS dict for the current generators
    print("DIGESTS = {")
    for name in GENERATORS:
        print(f'    "{name}": "{digest(getattr(procedural, name)())}",')
    print("}")
