"""Shape variety (issue 25): every procedural kind draws its shape per instance, the shape is
recorded on the object and resolves to its own mesh, and the library's kinds are all placed by
some default layout."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import pytest

from diffforge.config import load_config
from diffforge.scenes.assets import AssetLibrary
from diffforge.scenes.assets.shapes import SEP, SHAPES_PER_ASSET, draw_shape, variant, variants
from diffforge.scenes.environments import room
from diffforge.scenes.instances import instantiate
from diffforge.scenes.sampler import PairSampler

REPO = Path(__file__).resolve().parents[2]
LIB = AssetLibrary.load()
SHAPED = [s for s in LIB if variants(s)]


def test_every_generated_kind_varies():
    """CLEVR's primitives too (sharp, chamfered and rounded edges; smooth and faceted balls)."""
    assert {s.id for s in LIB} == {s.id for s in SHAPED}


def test_a_manifest_pins_the_classic_clevr_look():
    """A user who wants CLEVR's exact primitives pins the style in their manifest's params."""
    spec = LIB.get("clevr_cube")
    pinned = spec.model_copy(
        update={"generator": spec.generator.model_copy(update={"params": {"style": "sharp"}})}
    )
    assert {p["style"] for p in variants(pinned).values()} == {"sharp"}
    assert len({p["edge"] for p in variants(spec).values()}) >= 8


@pytest.mark.parametrize("spec", SHAPED, ids=[s.id for s in SHAPED])
def test_variants_are_distinct_shapes_with_declared_slots(spec):
    """At least 8 distinct variants, each a different mesh; every slot a variant builds has a
    look in the manifest (recolourable or a fixed part), so no part renders in a stray colour."""
    shapes = variants(spec)
    assert len(shapes) >= 8
    known = set(spec.material_slots) | set(spec.part_materials)
    meshes = set()
    for shape_id in shapes:
        scene = LIB.build(shape_id)
        assert set(scene.geometry) <= known, (shape_id, set(scene.geometry) - known)
        lo, hi = scene.bounds  # normalised to the manifest's box like the fixed asset was
        assert np.allclose(hi - lo, spec.size, atol=1e-6)
        verts = np.vstack([g.vertices for g in scene.geometry.values()])
        meshes.add((len(verts), round(float(np.abs(verts).sum()), 4)))
    assert len(meshes) >= 8, f"{spec.id}: only {len(meshes)} different meshes"


def test_shape_ids_are_stable_and_resolve_to_their_params():
    spec = LIB.get("chair")
    first = [variant(spec, i) for i in range(SHAPES_PER_ASSET)]
    again = [variant(spec, i) for i in range(SHAPES_PER_ASSET)]
    assert first == again
    shape_id, params = first[3]
    assert re.fullmatch(r"chair~[a-z_]+-[0-9a-f]{8}", shape_id)
    resolved = LIB.get(shape_id)
    assert resolved.id == shape_id and resolved.generator.params == params
    assert resolved.category == "chair" and shape_id in LIB
    # its GLB is cached apart from the asset's and from other shapes' (keyed by the params)
    other = first[4][0] if first[4][0] != shape_id else first[5][0]
    assert LIB.cache_key(resolved) != LIB.cache_key(spec) != LIB.cache_key(LIB.get(other))
    with pytest.raises(Exception, match="unknown shape"):
        LIB.get("chair~ladder-00000000")


def test_manifest_params_pin_what_they_name():
    """A van is the car generator with its body style pinned: every variant is a van."""
    vans = variants(LIB.get("van"))
    assert len(vans) >= 8 and {p["style"] for p in vans.values()} == {"van"}
    assert {p["style"] for p in variants(LIB.get("car")).values()} >= {"sedan", "hatchback", "suv"}


def test_an_instance_draws_its_shape_from_the_pair_rng():
    cfg = load_config(REPO / "configs/default.yaml")
    spec = LIB.get("tree")
    shapes = [
        instantiate(np.random.default_rng(k), spec, "tree_1", cfg.text).shape for k in range(40)
    ]
    assert shapes[0] == instantiate(np.random.default_rng(0), spec, "t", cfg.text).shape
    assert len(set(shapes)) >= 8 and all(s in LIB for s in shapes)
    fixed = LIB.get("clevr_cube").model_copy(update={"generator": None})  # a user's mesh file
    assert draw_shape(np.random.default_rng(0), fixed) is None


def test_sampled_scenes_record_shapes_with_variety_per_category():
    """Default specs: every library object names its shape, the shape resolves, and every
    category seen 20 times or more shows at least 8 distinct shapes (the issue asks this over 500
    specs; 80 keep the test short and already meet it)."""
    cfg = load_config(REPO / "configs/default.yaml")
    sampler = PairSampler(cfg, library=LIB)
    seen: dict[str, set[str]] = defaultdict(set)
    count: Counter[str] = Counter()
    for i in range(80):
        pair = sampler.sample(i)
        for obj in pair.before.objects:
            if obj.asset not in LIB:
                continue
            assert obj.shape is not None and obj.shape.split(SEP)[0] == obj.asset
            assert obj.shape in LIB
            seen[obj.category].add(obj.shape)
            count[obj.category] += 1
        shaped = [o for o in pair.model_dump()["before"]["objects"] if o["asset"] in LIB]
        assert all(o["shape"].startswith(o["asset"] + SEP) for o in shaped)  # in the record
    few = {c: len(seen[c]) for c, n in count.items() if n >= 20 and len(seen[c]) < 8}
    assert not few, few
    assert len(count) >= 40  # the new kinds show up, not only the old ones


def _layout_ids() -> set[str]:
    """Asset ids a default layout names or selects (by the tags they select on)."""
    named = {a for plan in room.ROOM_TYPES.values() for ids in plan.values() for a in ids}
    for module in ("room", "street"):
        src = (REPO / f"diffforge/scenes/environments/{module}.py").read_text()
        named |= {m for m in re.findall(r'"([a-z_]+)"', src) if m in LIB}
    tagged = {s.id for s in LIB if {"facade", "person", "clevr"} & set(s.tags)}
    texts = {s.id for s in LIB if s.text_anchor is not None and s.placement == "wall"}
    return named | tagged | texts


def test_over_100_categories_each_reached_by_a_default_layout():
    reached = _layout_ids()
    categories = {s.category for s in LIB}
    assert len(categories) >= 100
    unreached = {s.category for s in LIB} - {LIB.get(a).category for a in reached}
    assert not unreached, unreached


def test_shape_sheet_draws_the_variants(tmp_path):
    """benchmarks/review/shape_sheet.py (the contact sheets looked at for issue 25) draws a
    row per asset with its variants: not a blank page."""
    import subprocess
    import sys

    from PIL import Image

    out = tmp_path / "sheets"
    proc = subprocess.run(
        [sys.executable, str(REPO / "benchmarks/review/shape_sheet.py"), str(out),
         "--assets", "chair", "tree", "--variants", "3"],
        capture_output=True, text=True, env={"PYTHONPATH": str(REPO), "PATH": ""}, timeout=600,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    pixels = np.asarray(Image.open(out / "shapes_00.jpg").convert("L"), dtype=float)
    assert pixels.std() > 10 and (pixels < 200).mean() > 0.03  # shapes drawn, not just white


@pytest.mark.parametrize("style", ["pedestal", "vanity", "wall", "vessel", "legs", "console"])
def test_a_sink_shows_its_own_colour_most(style: str) -> None:
    """The sink's colour slot (``body``) is its largest part in every style: a wall basin whose
    slab was the white ceramic showed none of its recorded orange (review_std96w 2400/30),
    while a vanity's white counter (3100/07) leaves its cabinet the most surface."""
    from diffforge.scenes.assets.procedural import washbasin

    areas = {name: g.area for name, g in washbasin(style=style).geometry.items()}
    assert max(areas, key=areas.get) == "body", areas
