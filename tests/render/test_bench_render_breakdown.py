"""``bench render`` breaks its cost down per layout and per change type, so a regression shows
where it is (issue 31)."""

from __future__ import annotations

import pytest
from render_fixtures import CHANGE_TYPES, fixture_sampler

from diffforge.config import GenerateConfig
from diffforge.render.bench import bench_render, breakdown, format_bench, pair_cost
from diffforge.scenes.model import PairSpec


def preset_sampler(cfg: GenerateConfig, index: int, attempt: int) -> PairSpec:
    """The fixture pairs, their layout named after the preset the sampler was handed."""
    spec = fixture_sampler(cfg, index, attempt)
    for scene in (spec.before, spec.after):
        scene.environment.layout = f"sampled-at-{cfg.render.preset}"
    return spec


def _pair(layout: str, types: list[str], cpu: float, rejected: int, noise=None) -> dict:
    return {"layout": layout, "types": types, "cpu_s": cpu, "rejected": rejected, "noise": noise}


def test_breakdown_groups_pairs_by_layout_and_by_each_change_type():
    pairs = [
        _pair("room", ["text"], 30.0, 2, noise=4.0),
        _pair("room", ["color", "text"], 10.0, 0),
        _pair("street", ["color"], 20.0, 1, noise=6.0),
    ]
    b = breakdown(pairs)
    assert set(b) == {"layout", "change"}
    room, street = b["layout"]["room"], b["layout"]["street"]
    assert room["pairs"] == 2 and room["cpu_per_pair_s"] == pytest.approx(20.0)
    assert room["resample_rate"] == pytest.approx(2 / 4)  # 2 rejected of 4 attempts
    assert room["noise"] == pytest.approx(4.0)  # only the pair with a reference
    assert street["resample_rate"] == pytest.approx(1 / 2) and street["noise"] == 6.0
    # a pair of two types counts in both rows
    assert b["change"]["text"]["pairs"] == 2 and b["change"]["color"]["pairs"] == 2
    assert b["change"]["color"]["cpu_per_pair_s"] == pytest.approx(15.0)
    assert b["change"]["color"]["noise"] == pytest.approx(6.0)


@pytest.mark.blender
@pytest.mark.slow
def test_bench_breakdown_on_a_tiny_run(cfg, assets, cache_dir):
    """Four fixture pairs (the first, start-up, left out): three rows by change type, one by
    layout, CPU seconds counted, and the table printed. The sampler is handed the benched
    preset (it predicts legibility at that frame), not the config's own (draft)."""
    assert cfg.render.preset == "draft"  # the test config pins 96×72, 4 spp whatever the preset
    result = bench_render(cfg, presets=("standard",), pairs=3, workers=(1,),
                          sampler=preset_sampler, resolver=assets, cache_dir=cache_dir,
                          captions=False, noise_pairs=2, reference_samples=16)  # fmt: skip
    row = result["rows"][0]
    b = row["breakdown"]
    assert set(b["layout"]) == {"sampled-at-standard"}
    assert b["layout"]["sampled-at-standard"]["pairs"] == 3
    assert set(b["change"]) == set(CHANGE_TYPES[1:4])
    for group in (*b["layout"].values(), *b["change"].values()):
        assert group["cpu_per_pair_s"] > 0 and 0.0 <= group["resample_rate"] < 1.0
    # the references went to the first two kept pairs: pair 1 (move) has one, pair 2 not
    assert b["change"]["move"]["noise"] > 0 and b["change"]["add"]["noise"] is None
    text = format_bench(result)
    assert "| layout | sampled-at-standard | 3 |" in text and "| change | move | 1 |" in text


def test_pair_cost_counts_renders_and_predictions_apart():
    """A kept pair's cost names its full renders thrown away, its probes and its draws
    rejected on the legibility prediction (no render) apart."""
    spec = fixture_sampler(GenerateConfig(), 0, 0)
    result = {"spec_json": spec.to_json(), "cpu_s": 3.0, "rejected_attempts": 1}
    result |= {"probe_rejected": 2, "predicted_rejected": 4}
    cost = pair_cost(result)
    assert (cost["rejected"], cost["probe_rejected"], cost["predicted_rejected"]) == (1, 2, 4)
