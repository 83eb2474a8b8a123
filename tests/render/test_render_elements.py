"""The renderer builds a scene's architecture from its elements alone (generic boxes and planes),
so an element added, glowing or hidden from the camera shows exactly as the graph says."""

from __future__ import annotations

import json

import numpy as np
import pytest

from diffforge.config import GenerateConfig
from diffforge.dataset import read_pairs
from diffforge.dataset.files import load_image
from diffforge.render import generate
from diffforge.scenes.geometry import look_at_matrix
from diffforge.scenes.model import Element, PairSpec
from diffforge.scenes.sampler import sample_pair

pytestmark = pytest.mark.slow

CFG = GenerateConfig.model_validate(
    {
        "seed": 4,
        "scene": {"layouts": {"tabletop": 1.0}},
        "changes": {"weights": {"color": 1.0}, "per_pair": {1: 1.0}},
        "render": {"preset": "draft", "resolution": [96, 72], "samples": 4, "denoise": False},
    }
)


def _panel(spec: PairSpec, **flags) -> Element:
    """A 4 m square board 0.2 m in front of the camera, across its whole view."""
    cam = spec.before.camera
    forward = -look_at_matrix(cam.location, cam.look_at)[:, 2]
    centre = np.asarray(cam.location) + 0.2 * forward
    thin = int(np.argmax(np.abs(forward)))  # thin along the view's main direction
    size = tuple(0.02 if axis == thin else 4.0 for axis in range(3))
    return Element(name="panel", location=tuple(float(c) for c in centre), size=size,
                   rgb=(0.8, 0.1, 0.1), material="paint", **flags)  # fmt: skip


def _variant(spec: PairSpec, index: int, panel: Element | None) -> PairSpec:
    out = spec.clone()
    out.index, out.id = index, f"{index:08d}"
    if panel is not None:
        out.before.elements = (*out.before.elements, panel)
    return out


def test_elements_are_what_the_renderer_builds(tmp_path, cache_dir):
    spec = sample_pair(CFG, 0)
    assert spec.before.environment.layout == "tabletop"
    key = spec.before.lights[0].id
    specs = [
        _variant(spec, 0, None),
        _variant(spec, 1, _panel(spec, glow=key)),  # a glowing panel hides everything
        _variant(spec, 2, _panel(spec, glow=key, camera_visible=False)),  # seen by nothing
    ]
    summary = generate(CFG, tmp_path, None, specs=specs, cache_dir=cache_dir, progress=False,
                       captions=False, gates=False)  # fmt: skip
    assert summary["pairs"] == 3, summary["failures"]
    recs = {r.index: r for r in read_pairs(tmp_path)}
    masks = {i: load_image(tmp_path / r.masks.before) for i, r in recs.items()}
    images = {i: load_image(tmp_path / r.before).astype(float) for i, r in recs.items()}
    scene = json.loads((tmp_path / recs[0].scene).read_text())
    assert len(set(np.unique(masks[0])) & set(scene["instances"].values())) >= 2
    assert not masks[1].any()  # no object shows through the panel
    assert images[1].std(axis=(0, 1)).max() < 8  # one uniform glowing surface...
    assert images[1].mean() > images[0].mean()  # ...brighter than the scene it hides
    np.testing.assert_array_equal(masks[2], masks[0])  # hidden from the camera: not seen
