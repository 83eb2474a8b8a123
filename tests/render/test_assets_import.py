"""`diffforge assets import`: a folder of files users bring becomes a manifest that renders.

The folder holds what real downloads look like: a Y-up OBJ, a glTF modelled in centimetres in
a category folder, a textured GLB, and a broken file. The manifest must measure them (size in
metres, Z-up), name them from file and folder names, say why the broken one is skipped, and
the assets must render upright, at their size, with their texture kept.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import trimesh
from PIL import Image
from render_fixtures import make_pair

from diffforge.config import GenerateConfig
from diffforge.dataset import read_pairs
from diffforge.dataset.files import load_image
from diffforge.render import generate
from diffforge.render.assets import ChainResolver, LibraryResolver
from diffforge.scenes.model import Attributes, ObjectInstance, Transform

pytestmark = [pytest.mark.blender, pytest.mark.slow]
DIFFFORGE = Path(sys.executable).with_name("diffforge")


def make_folder(root: Path) -> Path:
    root.mkdir(parents=True)
    tall = trimesh.creation.box(extents=(0.3, 1.2, 0.4))  # Y-up: tall along y
    tall.apply_translation((0, 0.6, 0))
    (root / "Tall_Cabinet_v2.obj").write_text(tall.export(file_type="obj"))
    (root / "chairs").mkdir()
    chair = trimesh.creation.box(extents=(45.0, 90.0, 50.0))  # glTF, in centimetres
    chair.apply_translation((0, 45.0, 0))
    (root / "chairs" / "office_chair_02.glb").write_bytes(chair.export(file_type="glb"))
    crate = trimesh.creation.box(extents=(0.5, 0.5, 0.5))
    crate.apply_translation((0, 0.25, 0))
    uv = np.stack([(crate.vertices[:, 0] > 0), (crate.vertices[:, 2] > 0)], 1).astype(float)
    texture = np.zeros((2, 2, 3), np.uint8)
    texture[:, 0] = (20, 200, 30)  # green half
    texture[:, 1] = (200, 30, 200)  # magenta half
    crate.visual = trimesh.visual.TextureVisuals(
        uv=uv, image=Image.fromarray(texture).resize((64, 64), Image.NEAREST)
    )
    (root / "textured_crate.glb").write_bytes(crate.export(file_type="glb"))
    (root / "broken_lamp.glb").write_bytes(b"glTF\x02\x00\x00\x00 not really a model")
    return root


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("import")
    folder = make_folder(tmp / "downloads")
    out = tmp / "manifests" / "mine.json"
    proc = subprocess.run(
        [str(DIFFFORGE), "assets", "import", str(folder), "--out", str(out)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    return out, json.loads(out.read_text()), proc


def test_import_measures_names_and_reports(imported):
    out, manifest, proc = imported
    by_file = {Path(a["file"]).name: a for a in manifest["assets"]}
    assert set(by_file) == {"Tall_Cabinet_v2.obj", "office_chair_02.glb", "textured_crate.glb"}
    cab, chair, crate = (
        by_file["Tall_Cabinet_v2.obj"],
        by_file["office_chair_02.glb"],
        by_file["textured_crate.glb"],
    )
    assert cab["size"] == pytest.approx([0.3, 0.4, 1.2]) and cab["up"] == "y"
    assert (cab["noun"], cab["category"], cab["placement"]) == ("tall cabinet", "cabinet", "floor")
    assert chair["size"] == pytest.approx([0.45, 0.5, 0.9])  # centimetres read as such
    assert (chair["noun"], chair["category"]) == ("office chair", "chair")
    assert crate["placement"] == "surface" and "tabletop" in crate["tags"]
    assert "default_color" not in crate  # the file's texture decides, captions invent nothing
    assert (out.parent / crate["file"]).resolve().is_file()  # relative to the manifest
    assert "read as centimetres" in proc.stdout
    skipped = [line for line in proc.stderr.splitlines() if line.startswith("skipped")]
    assert len(skipped) == 1 and "broken_lamp.glb: cannot read" in skipped[0]
    assert "3 assets" in proc.stdout and "1 skipped" in proc.stdout


def test_a_folder_with_nothing_usable_is_one_line_and_writes_nothing(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "junk.ply").write_bytes(b"ply\nnonsense")
    out = tmp_path / "m.json"
    proc = subprocess.run(
        [str(DIFFFORGE), "assets", "import", str(tmp_path / "in"), "--out", str(out)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1
    assert "no file could be used" in proc.stderr and not out.exists()


def _instance(asset: dict, oid: str, x: float) -> ObjectInstance:
    return ObjectInstance(
        id=oid,
        asset=asset["id"],
        category=asset["category"],
        noun=asset["noun"],
        attributes=Attributes(),
        transform=Transform(location=(x, -0.3, 0.0)),
        dimensions=tuple(asset["size"]),
    )


def test_imported_assets_render_upright_at_size_with_their_texture(imported, tmp_path, cache_dir):
    out, manifest, _ = imported
    cfg = GenerateConfig.model_validate({"seed": 2, "assets": {"manifests": [str(out)]}})
    by_file = {Path(a["file"]).name: a for a in manifest["assets"]}
    spec = make_pair(0, "none")
    objects = [
        _instance(by_file["Tall_Cabinet_v2.obj"], "cabinet_1", -1.3),
        _instance(by_file["office_chair_02.glb"], "chair_1", 0.0),
        _instance(by_file["textured_crate.glb"], "crate_1", 1.2),
    ]
    spec.before.objects = objects
    spec.after.objects = [o.model_copy(deep=True) for o in objects]
    spec.changes = []
    summary = generate(
        cfg,
        tmp_path,
        None,
        specs=[spec],
        resolver=ChainResolver([LibraryResolver(cfg.assets)]),
        cache_dir=cache_dir,
        progress=False,
        captions=False,
        gates=False,
    )
    assert summary["pairs"] == 1, summary["failures"]
    (rec,) = read_pairs(tmp_path)
    scene = json.loads((tmp_path / rec.scene).read_text())
    mask = load_image(tmp_path / rec.masks.before)
    image = load_image(tmp_path / rec.before).astype(int)
    boxes = {}
    for oid in ("cabinet_1", "chair_1", "crate_1"):
        ys, xs = np.nonzero(mask == scene["instances"][oid])
        assert len(ys) > 30, oid
        boxes[oid] = (ys.max() - ys.min() + 1, xs.max() - xs.min() + 1)
    h, w = boxes["cabinet_1"]
    assert h > 2 * w  # 1.2 m tall, 0.3 m wide: upright, so the Y-up file was turned Z-up
    assert boxes["chair_1"][0] > boxes["crate_1"][0]  # 0.9 m chair above a 0.5 m crate
    px = image[mask == scene["instances"]["crate_1"]]
    green = ((px[:, 1] - px[:, 0]) > 40).sum()
    magenta = ((px[:, 0] - px[:, 1]) > 40).sum()
    assert green > 5 and magenta > 5  # the texture, not a flat recolour
