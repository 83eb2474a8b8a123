"""People's body variants in real renders: the renderer builds each person's own body (its
shape's params), the variant's height shows in the picture and in its mask, and a variant's
pose change stays inside the change mask."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from mask_checks import assert_mask_holds_the_change, pair_arrays
from render_fixtures import make_pair

from diffforge.dataset import read_pairs
from diffforge.dataset.files import load_image
from diffforge.scenes.assets import AssetLibrary
from diffforge.scenes.assets import characters as ch
from diffforge.scenes.assets.shapes import variants
from diffforge.scenes.model import Attributes, Change, ObjectInstance, Pose, Transform

pytestmark = [pytest.mark.blender, pytest.mark.slow]

LIB = AssetLibrary.load()
SHAPES = sorted(variants(LIB.get("mannequin")).items(), key=lambda kv: kv[1]["height"])


def _person(obj_id: str, x: float, shape: tuple[str, dict] | None, pose: str) -> ObjectInstance:
    scale = ch.body_scale(1.0, shape[1]["height"]) if shape else 1.0
    return ObjectInstance(
        id=obj_id,
        asset="mannequin",
        shape=shape[0] if shape else None,
        category="person",
        noun="person",
        attributes=Attributes(clothing={"top": "red", "bottom": "blue"}),
        transform=Transform(location=(x, -0.6, 0.0), scale=scale),
        dimensions=tuple(v * scale for v in LIB.get("mannequin").size),
        pose=Pose(name=pose, bones=ch.POSES[pose]),
    )


@pytest.fixture(scope="module")
def lineup(cfg, assets, cache_dir, tmp_path_factory):
    """The shortest variant, the nominal body and the tallest variant side by side; the
    tallest waves in the after image."""
    from diffforge.render import generate
    from diffforge.render.assets import ChainResolver, LibraryResolver

    pair = make_pair(0, "none")
    for scene, pose in ((pair.before, "standing"), (pair.after, "waving")):
        scene.objects = [
            _person("short_1", -0.75, SHAPES[0], "standing"),
            _person("nominal_1", 0.0, None, "standing"),
            _person("tall_1", 0.75, SHAPES[-1], pose),
        ]
    pair.changes = [Change(type="pose", targets=["tall_1"])]
    out = tmp_path_factory.mktemp("people") / "out"
    resolver = ChainResolver([assets, LibraryResolver(cfg.assets)])
    # a lineup that measures heights at 96 px, not visibility (tests/render/test_seen_rules.py)
    cfg = cfg.model_copy(
        update={"visibility": cfg.visibility.model_copy(update={"pose_outline_share": 0.0})}
    )
    summary = generate(
        cfg, out, None, specs=[pair], resolver=resolver, cache_dir=cache_dir,
        progress=False, captions=False,
    )  # fmt: skip
    assert summary["failed"] == 0, summary["failures"]
    return out


def _rows(root: Path, obj_id: str) -> int:
    rec = next(iter(read_pairs(root)))
    scene = json.loads((root / rec.scene).read_text())
    mask = load_image(root / rec.masks.before) == scene["instances"][obj_id]
    rows = np.flatnonzero(mask.any(axis=1))
    assert mask.sum() > 20, obj_id
    return int(rows[-1] - rows[0] + 1)


def test_a_taller_variant_stands_taller_in_the_picture(lineup):
    short, nominal, tall = (_rows(lineup, i) for i in ("short_1", "nominal_1", "tall_1"))
    assert SHAPES[-1][1]["height"] - SHAPES[0][1]["height"] > 0.1
    assert short < nominal < tall, (short, nominal, tall)


def test_a_variants_pose_change_is_inside_its_mask(lineup):
    rec = next(iter(read_pairs(lineup)))
    arrays = pair_arrays(lineup, rec)
    assert arrays["change"].sum() > 10
    assert_mask_holds_the_change(arrays, "lineup")
