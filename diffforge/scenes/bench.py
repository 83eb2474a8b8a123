"""``diffforge bench sample``: pair specs per second on one core."""

from __future__ import annotations

import statistics
import time
from typing import Any

from diffforge.config import GenerateConfig
from diffforge.dataset.mix import MixTally
from diffforge.scenes.sampler import PairSampler, configured_mix


class _SceneTally:
    """Counts the base scenes a sampler composes (one per ``_sample_once``) and the CPU time
    of those thrown away: draw-first sampling composes a new scene where the drawn types find
    nothing to act on in view, and that retry is what conditioning costs."""

    def __init__(self, sampler: PairSampler):
        self.scenes, self.failed, self.failed_cpu = 0, 0, 0.0
        once = sampler._sample_once

        def counted(*args, **kwargs):
            self.scenes += 1
            c0 = time.process_time()
            try:
                return once(*args, **kwargs)
            except Exception:
                self.failed += 1
                self.failed_cpu += time.process_time() - c0
                raise

        sampler._sample_once = counted  # this instance only


def bench_sample(cfg: GenerateConfig, n: int = 200, repeats: int = 5) -> dict[str, Any]:
    """Median specs/s over ``repeats`` runs of ``n`` pairs (sampling + JSON serialisation),
    the median CPU time per spec (``cpu_ms``: what a shared machine's wall clock hides), the
    base scenes composed per spec (``scenes``) and the share of the CPU time spent on scenes
    thrown away (``retry_share``: the cost of composing for the drawn types), and the mix of
    all the pairs sampled (``mix``: a ``dataset.mix.MixReport``); the sampler's build CPU
    time (``build_cpu_s``) and the specs its mix pilot sampled (``pilot_specs``: 0 where the
    pilot came from the disk cache)."""
    c0 = time.process_time()
    sampler = PairSampler(cfg)  # its probes and mix pilot: cold, or from the disk cache
    build = time.process_time() - c0
    sampler.sample(0)  # warm caches (library, operators) outside the timing
    scenes = _SceneTally(sampler)
    cpu_total = 0.0
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
        cpu_total += time.process_time() - c0
    return {
        "mix": tally.report(*configured_mix(cfg), cfg.scene.layouts),
        "build_cpu_s": build,
        "pilot_specs": sampler.pilot_specs,
        "scenes": scenes.scenes / (n * repeats),
        "retry_share": scenes.failed_cpu / cpu_total if cpu_total > 0 else 0.0,
        "median": statistics.median(rates),
        "min": min(rates),
        "max": max(rates),
        "cpu_ms": statistics.median(cpu),
        "n": n,
        "repeats": repeats,
    }
