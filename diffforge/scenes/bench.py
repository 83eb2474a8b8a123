"""``diffforge bench sample``: pair specs per second on one core."""

from __future__ import annotations

import statistics
import time
from typing import Any

from diffforge.config import GenerateConfig
from diffforge.dataset.mix import MixTally
from diffforge.scenes.sampler import PairSampler, configured_mix


def bench_sample(cfg: GenerateConfig, n: int = 200, repeats: int = 5) -> dict[str, Any]:
    """Median specs/s over ``repeats`` runs of ``n`` pairs (sampling + JSON serialisation),
    the median CPU time per spec (``cpu_ms``: what a shared machine's wall clock hides), and
    the mix of all the pairs sampled (``mix``: a ``dataset.mix.MixReport``)."""
    sampler = PairSampler(cfg)
    sampler.sample(0)  # warm caches (library, operators) outside the timing
    rates, cpu = [], []
    tally = MixTally()
    for r in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        for i in range(n):
            spec = sampler.sample(r * n + i)
            spec.to_json()
            tally.add_spec(spec)  # a few list appends: inside the timing, negligible
        rates.append(n / (time.perf_counter() - t0))
        cpu.append((time.process_time() - c0) / n * 1000)
    return {
        "mix": tally.report(*configured_mix(cfg), cfg.scene.layouts),
        "median": statistics.median(rates),
        "min": min(rates),
        "max": max(rates),
        "cpu_ms": statistics.median(cpu),
        "n": n,
        "repeats": repeats,
    }
