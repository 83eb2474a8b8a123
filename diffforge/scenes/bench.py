"""``diffforge bench sample``: pair specs per second on one core."""

from __future__ import annotations

import statistics
import time
from typing import Any

from diffforge.config import GenerateConfig
from diffforge.scenes.sampler import PairSampler


def bench_sample(cfg: GenerateConfig, n: int = 200, repeats: int = 5) -> dict[str, Any]:
    """Median specs/s over ``repeats`` runs of ``n`` pairs (sampling + JSON serialisation)."""
    sampler = PairSampler(cfg)
    sampler.sample(0)  # warm caches (library, operators) outside the timing
    rates = []
    for r in range(repeats):
        t0 = time.perf_counter()
        for i in range(n):
            sampler.sample(r * n + i).to_json()
        rates.append(n / (time.perf_counter() - t0))
    return {
        "median": statistics.median(rates),
        "min": min(rates),
        "max": max(rates),
        "n": n,
        "repeats": repeats,
    }
