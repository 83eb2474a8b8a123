"""The carry-rate and legibility probes are cached on disk (``scenes.probe_cache``): a second
sampler of a config probes nothing and samples the same specs; entries are keyed by what the
probes depend on (the config less its mix) and the code."""

from __future__ import annotations

from pathlib import Path

import pytest

from diffforge.config import load_config
from diffforge.scenes import probe_cache, sampler
from diffforge.scenes.sampler import CARRY_STREAM, PairSampler, _probe_key

ROOT = Path(__file__).resolve().parents[2]
CLEVR = ROOT / "configs" / "examples" / "clevr_like.yaml"
# types the sampler probes (they want a turnable thing, a group): the tabletop's are quick
PROBED = ["changes.weights={color: 1.0, count: 1.0, orientation: 1.0}"]


@pytest.fixture
def fresh(monkeypatch, tmp_path):
    """An empty disk cache and empty in-process probe memos."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("DIFFFORGE_PROBE_CACHE", raising=False)
    monkeypatch.setattr(sampler, "_CARRY", {})
    monkeypatch.setattr(sampler, "_LEGIBLE", {})
    return tmp_path


def _probes_run(monkeypatch, cfg) -> tuple[PairSampler, int]:
    """A sampler of ``cfg`` and how many carry-rate probe scenes its build composed."""
    calls = []
    once = PairSampler._sample_once

    def counted(self, index, attempt, *args, **kwargs):
        calls.append(attempt >= CARRY_STREAM)
        return once(self, index, attempt, *args, **kwargs)

    monkeypatch.setattr(PairSampler, "_sample_once", counted)
    s = PairSampler(cfg)
    monkeypatch.setattr(PairSampler, "_sample_once", once)
    return s, sum(calls)


def test_a_cache_hit_probes_nothing_and_samples_the_same_specs(fresh, monkeypatch) -> None:
    cfg = load_config(CLEVR, PROBED)
    first, probed = _probes_run(monkeypatch, cfg)
    assert probed > 0 and first.carry_rate
    entry = probe_cache.entry_path(_probe_key(cfg))
    assert entry.is_file() and entry.is_relative_to(fresh)
    specs = [first.sample(i).model_dump_json() for i in range(12)]
    monkeypatch.setattr(sampler, "_CARRY", {})  # a new process: only the disk remembers
    again, probed = _probes_run(monkeypatch, cfg)
    assert probed == 0
    assert again.carry_rate == first.carry_rate
    assert [again.sample(i).model_dump_json() for i in range(12)] == specs


def test_the_cache_key_separates_what_the_probes_depend_on(fresh) -> None:
    cfg = load_config(CLEVR)
    reweighted = load_config(CLEVR, ["changes.weights={color: 3.0, move: 0.5}"])
    per_pair = load_config(CLEVR, ["changes.per_pair={1: 1.0}"])
    people = load_config(CLEVR, ["scene.people.probability=0.9"])
    standard = load_config(CLEVR, ["render.preset=standard"])
    key = probe_cache.entry_path(_probe_key(cfg))
    # the mix only says how often a type is drawn: one entry
    assert probe_cache.entry_path(_probe_key(reweighted)) == key
    assert probe_cache.entry_path(_probe_key(per_pair)) == key
    # what a probe scene is composed or judged from: another entry each
    others = {probe_cache.entry_path(_probe_key(c)) for c in (people, standard)}
    assert key not in others and len(others) == 2
    # a config naming an asset cache keeps its probes there
    named = load_config(CLEVR, [f"assets.cache_dir={fresh / 'assets'}"])
    assert probe_cache.entry_path(_probe_key(named), named.assets.cache_dir).is_relative_to(
        fresh / "assets" / "probes"
    )


def test_a_broken_or_foreign_entry_is_ignored(fresh) -> None:
    key = "a probe key"
    probe_cache.store(key, {"carry|count|room": 0.5})
    assert probe_cache.load(key) == {"carry|count|room": 0.5}
    probe_cache.store(key, {"legible|room": 0.25})  # merged, not replaced
    assert probe_cache.load(key) == {"carry|count|room": 0.5, "legible|room": 0.25}
    path = probe_cache.entry_path(key)
    path.write_text('{"key": "another key", "rates": {"carry|count|room": 1.0}}')
    assert probe_cache.load(key) == {}
    path.write_text('{"key": "a probe')  # a half-written file (never left by ``store``)
    assert probe_cache.load(key) == {}
    assert not list(path.parent.glob("*.tmp"))
