"""Untextured imports render in the colour their scene graph gives them (they rendered white,
and took no colour change, before the importer gave them a colourable slot)."""

from __future__ import annotations

import json

import numpy as np
import pytest
import trimesh
from PIL import Image

from diffforge.config import load_config
from diffforge.dataset import read_pairs
from diffforge.dataset.files import load_image
from diffforge.render import generate
from diffforge.scenes.assets.importer import PRIMITIVE_SUGGESTED, import_assets

pytestmark = [pytest.mark.blender, pytest.mark.slow]
DOMINANT = {"red": 0, "green": 1, "blue": 2}  # colours whose render shows one channel on top


def test_untextured_imports_render_in_their_colour(tmp_path, cache_dir):
    folder = tmp_path / "shapes"
    folder.mkdir()
    y_up = trimesh.transformations.rotation_matrix(-np.pi / 2, [1, 0, 0])
    for name, mesh in {
        "sphere": trimesh.creation.icosphere(subdivisions=3, radius=1.0),
        "cube": trimesh.creation.box((2, 2, 2)),
    }.items():
        mesh.apply_transform(y_up)
        mesh.export(folder / f"{name}.glb")
    import_assets(folder, tmp_path / "m.json", scale=PRIMITIVE_SUGGESTED)
    cfg = load_config(None, [
        f"assets.manifests=[{tmp_path / 'm.json'}]", "assets.include={tags: [imported]}",
        "scene.layouts={tabletop: 1.0}", "seed=4", "render.preset=draft",
        "render.resolution=[128, 96]", "render.samples=4", "render.denoise=false",
        "changes.weights={color: 1.0}", "changes.per_pair={1: 1.0}",
    ])  # fmt: skip
    out = tmp_path / "out"
    summary = generate(cfg, out, 3, workers=1, cache_dir=cache_dir, progress=False)
    assert summary["failed"] == 0, summary["failures"]
    checked, saturation = 0, []
    for rec in read_pairs(out):
        scene = json.loads((out / rec.scene).read_text())
        image = np.asarray(Image.open(out / rec.before).convert("RGB"), float) / 255
        mask = load_image(out / rec.masks.before)
        for obj in scene["spec"]["before"]["objects"]:
            pixels = image[mask == scene["instances"][obj["id"]]]
            if len(pixels) < 12:
                continue
            mean = pixels.mean(0)
            saturation.append(float(mean.max() - mean.min()))
            channel = DOMINANT.get(obj["attributes"]["color"])
            if channel is not None:
                assert int(np.argmax(mean)) == channel, (obj["id"], obj["attributes"], mean)
                checked += 1
        assert rec.changes[0].type == "color" and rec.changes[0].after["color"] in " ".join(
            c.text for c in rec.captions
        )
    assert checked >= 2, checked
    assert np.median(saturation) > 0.1, saturation  # coloured, not all white
