"""A type that falls back loses its draws to the others; the draw makes up for it
(``PairSampler._loss_corrected``: a pilot of specs, cached with the probes), so the realized
mix is the configured one (issue 23)."""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

import pytest

from diffforge.config import load_config
from diffforge.scenes import probe_cache, sampler
from diffforge.scenes.sampler import MIX_PILOT_GROWTH, MIX_PILOT_PAIRS, MIX_PILOT_SE, PairSampler

# runs the mix pilot: `make test-slow`, run in CI
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
CLEVR = ROOT / "configs" / "examples" / "clevr_like.yaml"
# A colour change that only a scene whose first object is red carries: about one tabletop in
# eight, so a pair's ten scenes all miss about a quarter of the time (a real loss, cheap scenes).
PICKY = (
    "from diffforge.scenes.changes import NotApplicable\n"
    "from diffforge.scenes.changes.appearance import Color\n"
    "class Picky(Color):\n"
    "    type = 'picky'\n"
    "    def apply(self, ctx, before, after):\n"
    "        if not after.objects or after.objects[0].attributes.color != 'red':\n"
    "            raise NotApplicable('no red object first')\n"
    "        return super().apply(ctx, before, after)\n"
)
SETS = [
    "changes.operators={picky: 'pickies:Picky'}",
    "changes.weights={picky: 1.0, color: 1.0, move: 1.0, add: 1.0, disappear: 1.0}",
]
PAIRS = 1200  # sampled past the pilot's pairs


@pytest.fixture
def picky(tmp_path, monkeypatch):
    """The picky config, with an empty disk cache and empty in-process memos."""
    (tmp_path / "pickies.py").write_text(PICKY)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("DIFFFORGE_PROBE_CACHE", raising=False)
    monkeypatch.delenv("DIFFFORGE_MIX_PILOT", raising=False)
    monkeypatch.setattr(sampler, "_LOSS", {})
    return load_config(CLEVR, SETS)


def realized(s: PairSampler) -> tuple[dict[str, float], int]:
    """Each type's share of the changes of ``PAIRS`` pairs past the pilot's, and the fallbacks."""
    counts: Counter[str] = Counter()
    fallbacks = 0
    for i in range(MIX_PILOT_PAIRS, MIX_PILOT_PAIRS + PAIRS):
        spec = s.sample(i)
        counts.update(c.type for c in spec.changes)
        fallbacks += len(spec.fallbacks)
    total = sum(counts.values())
    return {t: counts[t] / total for t in s.types}, fallbacks


def bound(fallbacks: int, n: int, z: float = 4.0) -> float:
    """How far a share may stray by chance: the draw is a low-discrepancy sequence (exact to
    a few pairs), so the noise is the fallbacks' (each moves one change between two types,
    at most ``fallbacks`` Bernoulli events), at z standard errors, plus three pairs."""
    return (z * math.sqrt(fallbacks) + 3) / n


def test_the_draw_makes_up_for_what_falls_back(picky, monkeypatch) -> None:
    """Without the pilot the picky type realizes about 15 % for 20 % (its fallbacks go to
    the others); with it every type is within the fallbacks' noise of its 20 %, on pairs
    the pilot never saw."""
    monkeypatch.setenv("DIFFFORGE_MIX_PILOT", "0")
    plain, lost = realized(PairSampler(picky))
    assert plain["picky"] < 0.2 - bound(lost, PAIRS), plain
    monkeypatch.delenv("DIFFFORGE_MIX_PILOT")
    s = PairSampler(picky)
    factor = dict(zip(s.types, s.loss_c, strict=True))
    assert factor["picky"] > 1.2 and all(factor[t] < 1.0 for t in s.types if t != "picky")
    shares, fallbacks = realized(s)
    for t, share in shares.items():
        assert abs(share - 0.2) <= bound(fallbacks, PAIRS), (t, shares, fallbacks)


def test_the_pilot_is_cached_with_the_probes(picky, monkeypatch) -> None:
    """A second sampler of the config (a new process: only the disk remembers) samples no
    pilot and draws the same; another mix of the same scenes has its own entry."""
    first = PairSampler(picky)
    entry = probe_cache.entry_path("mix|" + picky.model_dump_json(exclude={"seed"}))
    assert entry.is_file() and first.pilot_specs >= MIX_PILOT_PAIRS
    monkeypatch.setattr(sampler, "_LOSS", {})
    calls = []
    monkeypatch.setattr(PairSampler, "_pilot_counts", lambda self, memo: calls.append(1))
    again = PairSampler(picky)
    assert calls == [] and again.pilot_specs == 0 and list(again.loss_c) == list(first.loss_c)
    assert [again.draw_types(i) for i in range(50)] == [first.draw_types(i) for i in range(50)]
    other = load_config(CLEVR, [SETS[0], "changes.weights={picky: 2.0, color: 1.0}"])
    assert probe_cache.entry_path("mix|" + other.model_dump_json(exclude={"seed"})) != entry


def test_a_new_seed_reuses_the_pilot_and_draws_as_if_cold(picky, monkeypatch) -> None:
    """The pilot samples under its own seed: another seed of the config samples no pilot, and
    its specs are those a cold machine makes for that seed (no dependence on what ran before)."""
    PairSampler(picky)  # the pilot, cached on disk
    other = picky.model_copy(update={"seed": picky.seed + 1})
    warm = PairSampler(other)
    assert warm.pilot_specs == 0
    monkeypatch.setattr(sampler, "_LOSS", {})
    monkeypatch.setenv("XDG_CACHE_HOME", str(Path(probe_cache.cache_dir()).parents[2] / "cold"))
    cold = PairSampler(other)
    assert cold.pilot_specs >= MIX_PILOT_PAIRS and list(cold.loss_c) == list(warm.loss_c)
    assert [cold.sample(i) for i in range(20)] == [warm.sample(i) for i in range(20)]


def test_the_pilot_grows_for_a_rare_type_that_falls_back(picky, monkeypatch) -> None:
    """At weight 0.3 the picky type gets ~40 of 600 pilot pairs' draws (its survival then
    ±10 %): the pilot grows until its survival's standard error is ``MIX_PILOT_SE`` (or to its
    cap), and the type realizes its 6.9 % within the fallbacks' noise; a mix that nothing moves
    keeps the plain pilot."""
    rare = load_config(CLEVR, [SETS[0], "changes.weights={picky: 0.3, color: 1.0, move: 1.0, "
                                          "add: 1.0, disappear: 1.0}"])  # fmt: skip
    counted = []
    plain = PairSampler._pilot_counts

    def spy(self, memo):
        out = plain(self, memo)
        counted.append((self.pilot_pairs, *out))
        return out

    monkeypatch.setattr(PairSampler, "_pilot_counts", spy)
    s = PairSampler(rare)
    assert s.pilot_pairs > MIX_PILOT_PAIRS, counted
    pairs, _, made, moved = counted[-1]
    i = s.types.index("picky")
    se = math.sqrt(moved[i]) / made[i]  # the survival's relative standard error
    assert pairs == MIX_PILOT_GROWTH * MIX_PILOT_PAIRS or se <= MIX_PILOT_SE * 1.1, counted
    shares, fallbacks = realized(s)
    assert abs(shares["picky"] - 0.3 / 4.3) <= bound(fallbacks, PAIRS), (shares, fallbacks)
    monkeypatch.setattr(sampler, "_LOSS", {})
    assert PairSampler(load_config(CLEVR)).pilot_pairs == MIX_PILOT_PAIRS  # no fallbacks
