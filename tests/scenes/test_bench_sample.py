"""``bench sample``'s count of the base scenes composed per spec (the cost of composing for
the drawn types) counts each scene once and leaves the sampled specs as they are."""

from __future__ import annotations

from pathlib import Path

from diffforge.config import load_config
from diffforge.scenes.bench import _SceneTally, bench_sample
from diffforge.scenes.sampler import PairSampler

CONFIG = Path(__file__).resolve().parents[2] / "configs" / "default.yaml"


def test_scene_tally_counts_every_scene_and_changes_no_spec() -> None:
    cfg = load_config(CONFIG)
    plain, counted = PairSampler(cfg), PairSampler(cfg)
    tally = _SceneTally(counted)
    n = 12
    for i in range(n):
        assert counted.sample(i).to_json() == plain.sample(i).to_json()
    # each spec comes from the one scene that did not fail; the others were thrown away
    assert tally.scenes == n + tally.failed
    assert tally.failed > 0  # default draws include types that retry (text, remove, count)
    assert tally.failed_cpu > 0.0


def test_bench_reports_scenes_and_retry_share() -> None:
    r = bench_sample(load_config(CONFIG), n=6, repeats=1)
    assert r["scenes"] >= 1.0
    assert 0.0 <= r["retry_share"] < 1.0
