"""Pure-Python parts of diffforge.render: facts, gates, splits, colours, writer repair."""

from __future__ import annotations

import numpy as np
import pytest
from render_fixtures import make_pair

from diffforge.config import SplitsConfig
from diffforge.dataset.splits import split_for
from diffforge.errors import ConfigError
from diffforge.render.color import light_color
from diffforge.render.executors import in_shard, parse_shard
from diffforge.render.facts import change_mask, change_targets, instance_ids, object_facts
from diffforge.render.gates import check_pair, edit_distance
from diffforge.scenes.lighting import kelvin_to_rgb
from diffforge.scenes.model import Light


def test_instance_ids_cover_both_sides_stably():
    spec = make_pair(0, "add")
    ids = instance_ids(spec)
    assert ids == {"cube_1": 1, "ball_1": 2, "sign_1": 3, "ball_2": 4}


def test_object_facts_and_change_mask():
    spec = make_pair(0, "color")
    ids = instance_ids(spec)
    mask = np.zeros((6, 8), np.uint16)
    mask[1:3, 2:5] = ids["cube_1"]
    facts = object_facts(mask, ids, {"cube_1", "ball_1"})
    assert facts["cube_1"] == {"pixels": 6, "box": [2, 1, 4, 2]}
    assert facts["ball_1"] == {"pixels": 0, "box": None}
    assert change_targets(spec) == {"cube_1"}
    assert change_mask(spec, ids, mask, mask).sum() == 6
    glob = make_pair(0, "illumination")
    assert change_mask(glob, instance_ids(glob), mask, mask).all()
    none = make_pair(0, "none")
    assert not change_mask(none, instance_ids(none), mask, mask).any()


def test_gate_rejects_invisible_and_unchanged_targets():
    spec = make_pair(0, "color")
    ids = instance_ids(spec)
    mask = np.zeros((6, 8), np.uint16)
    mask[0:4, 0:4] = ids["cube_1"]
    img = np.zeros((6, 8, 3), np.uint8)
    changed = img.copy()
    changed[0:4, 0:4] = 200
    facts = {s: object_facts(mask, ids, {"cube_1"}) for s in ("before", "after")}
    assert check_pair(spec, ids, facts, (img, changed), (mask, mask), min_pixels=8) == []
    assert check_pair(spec, ids, facts, (img, img), (mask, mask), 8) == [
        "color: change not visible"
    ]
    assert "color: target not visible (before)" in check_pair(
        spec, ids, facts, (img, changed), (mask, mask), 100
    )


def test_split_is_deterministic_and_follows_ratios():
    splits = SplitsConfig(train=0.8, val=0.1, test=0.1)
    got = [split_for(7, i, splits) for i in range(2000)]
    # a pair's split depends on (seed, index) alone: not on the order pairs are asked about
    # (workers take them in any order), and another seed gives another assignment
    shuffled = np.random.default_rng(0).permutation(2000)
    assert {int(i): split_for(7, int(i), splits) for i in shuffled} == dict(enumerate(got))
    other = [split_for(8, i, splits) for i in range(2000)]
    assert 0.2 < sum(a != b for a, b in zip(got, other, strict=True)) / 2000 < 0.5
    assert 0.76 < got.count("train") / 2000 < 0.84
    assert split_for(7, 5, SplitsConfig(train=0.0, val=0.0, test=1.0)) == "test"


def test_kelvin_and_light_colour():
    assert kelvin_to_rgb(6500) == pytest.approx((1.0, 1.0, 1.0), abs=1e-6)
    r, g, b = kelvin_to_rgb(2700)
    assert r == 1.0 and b < g < r
    assert light_color(Light(id="l", temperature=3000)) == kelvin_to_rgb(3000)
    assert light_color(Light(id="l", rgb=(1.0, 0.7, 0.4), temperature=3000)) == (1.0, 0.7, 0.4)


def test_shards_partition_indices():
    shards = [parse_shard(f"{i}/3") for i in range(3)]
    owners = [[s for s in shards if in_shard(i, s)] for i in range(30)]
    assert all(len(o) == 1 for o in owners)
    with pytest.raises(ConfigError):
        parse_shard("3/3")


def test_edit_distance():
    assert edit_distance("EXIT", "EXIT") == 0
    assert edit_distance("EXIT", "EX1T") == 1
    assert edit_distance("OPEN", "") == 4


def test_read_specs_round_trips_sampler_jsonl(tmp_path):
    from diffforge.scenes.specfile import read_specs

    specs = [make_pair(i, "color") for i in range(2)]
    path = tmp_path / "specs.jsonl"
    path.write_text("".join(s.to_json() + "\n" for s in specs))
    assert list(read_specs(path)) == specs


def test_writer_refuses_another_config_and_a_second_run(tmp_path):
    from diffforge.config import GenerateConfig
    from diffforge.dataset import DatasetWriter
    from diffforge.errors import DiffforgeError
    from diffforge.render.records import dataset_base
    from diffforge.render.settings import resolve_settings

    def base(cfg):
        return dataset_base(cfg, resolve_settings(cfg))

    cfg = GenerateConfig(seed=1)
    writer = DatasetWriter(tmp_path, base(cfg))
    assert (tmp_path / "dataset.json").is_file()  # fingerprint recorded before any pair
    with pytest.raises(DiffforgeError, match="another run"):
        DatasetWriter(tmp_path, base(cfg))
    writer.close()
    with pytest.raises(DiffforgeError, match="different config"):
        DatasetWriter(tmp_path, base(GenerateConfig(seed=2)))
