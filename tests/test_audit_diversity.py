"""The audit's diversity numbers: shapes per category, categories per scene, textured share."""

from __future__ import annotations

import json

from diffforge.audit.diversity import FREQUENT_INSTANCES, SHAPES_WANTED, diversity, diversity_lines
from diffforge.config import load_config
from diffforge.scenes.sampler import PairSampler


def _obj(category: str, shape: str | None, material: str | None = None, tags=()) -> dict:
    return {
        "category": category,
        "asset": f"{category}_asset",
        "shape": shape,
        "attributes": {"material": material},
        "tags": list(tags),
    }


def test_counts_shapes_and_flags_frequent_categories_short_of_shapes():
    # chairs: 20 instances in 8 shapes; cubes: 20 instances of one fixed mesh; lamps: rare
    scenes = []
    for i in range(20):
        objects = [_obj("chair", f"chair~s-{i % SHAPES_WANTED}", "wood"), _obj("cube", None)]
        if i < 3:
            objects.append(_obj("lamp", f"lamp~a-{i}", "plastic"))
        objects.append(_obj("building", "b~x", "wood", tags=("facade",)))  # backdrop: not counted
        scenes.append({"before": {"objects": objects}})
    d = diversity(scenes)
    assert d["scenes"] == 20 and d["categories"] == 3
    assert d["shapes_per_category"]["chair"] == {"instances": 20, "shapes": SHAPES_WANTED}
    assert d["shapes_per_category"]["cube"] == {"instances": 20, "shapes": 1}
    assert d["frequent_categories"] == 2 and d["frequent_short"] == {"cube": 1}
    assert d["categories_per_scene"] == {"median": 2, "min": 2, "max": 3}
    assert d["textured_share"] == 20 / 43  # the wooden chairs of 43 counted objects
    lines = diversity_lines(d)
    assert "fewer shapes: cube (1)" in lines[-1]
    assert f">= {FREQUENT_INSTANCES} instances: 2, 1 with >= {SHAPES_WANTED}" in lines[1]


def test_models_and_their_json_give_the_same_numbers():
    sampler = PairSampler(load_config("configs/default.yaml"))
    specs = [sampler.sample(i) for i in range(12)]
    as_json = [json.loads(s.model_dump_json()) for s in specs]
    assert diversity(specs) == diversity(as_json)
    assert diversity(specs)["categories"] >= 10
