"""A shape variant keeps its proportions: the library rescales every variant of an asset to the
manifest's one size, so a variant built much lower, thinner or narrower than its siblings is
stretched back (a box fan became a wardrobe-tall cabinet, a bolster a disc, a wave bike rack a
slab ten times its depth)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import trimesh

from diffforge.config import load_config
from diffforge.scenes.assets.shapes import variants
from diffforge.scenes.sampler import load_library

DEFAULT_CONFIG = Path(__file__).resolve().parents[2] / "configs" / "default.yaml"
# How much more one variant may be stretched on an axis than the asset's typical variant.
MAX_RELATIVE_STRETCH = 1.85


def _stretch(lib, shape_id: str, size) -> np.ndarray:
    """Per axis: the manifest size over the extent the generator built."""
    spec = lib.get(shape_id)
    raw = spec.generator.resolve()(**spec.generator.params)
    raw = raw if isinstance(raw, trimesh.Scene) else trimesh.Scene(raw)
    return np.asarray(size) / np.maximum(raw.bounds[1] - raw.bounds[0], 1e-6)


@pytest.mark.slow
def test_no_variant_is_stretched_out_of_its_shape() -> None:
    lib = load_library(load_config(DEFAULT_CONFIG))
    checked, bad = 0, []
    for spec in lib.select():
        shapes = variants(spec)
        if not shapes:
            continue
        stretch = {sid: _stretch(lib, sid, spec.size) for sid in shapes}
        typical = np.median(np.array(list(stretch.values())), axis=0)
        for sid, s in stretch.items():
            rel = s / typical
            worst = float(max(rel.max(), 1.0 / rel.min()))
            checked += 1
            if worst > MAX_RELATIVE_STRETCH:
                bad.append(f"{sid}: {np.round(rel, 2).tolist()}")
    assert checked > 1000, checked
    assert not bad, bad
