"""``diffforge bench caption``: template captions per second on one core."""

from __future__ import annotations

import platform
import statistics
import time
from pathlib import Path
from typing import Any

from diffforge.captioner.compose import caption_or_reason, templates
from diffforge.scenes.model import PairSpec


def bench_specs(config: Path | None, n: int) -> tuple[list[PairSpec], tuple[int, int], str]:
    """Pair specs to caption, drawn by the real sampler from ``config`` (default: defaults)."""
    from diffforge.config import GenerateConfig, load_config
    from diffforge.scenes.sampler import PairSampler

    cfg = load_config(config) if config else GenerateConfig()
    resolution = tuple(cfg.render.resolved().resolution)
    sampler = PairSampler(cfg)
    return [sampler.sample(i) for i in range(n)], resolution, f"sampler ({config or 'defaults'})"


def bench_caption(
    config: Path | None = None, n: int = 500, repeats: int = 5, per_pair: int = 2
) -> dict[str, Any]:
    """Template captions per second on one core (spec sampling not timed), and caption lengths."""
    specs, resolution, source = bench_specs(config, n)
    templates().compile_all()  # compile templates outside the timing
    rates, ambiguous = [], 0
    words_multi: list[int] = []
    for r in range(repeats):
        t0 = time.perf_counter()
        for spec in specs:
            caps, _ = caption_or_reason(spec, per_pair, resolution)
            if caps is None:  # counted, like the quality gate does
                ambiguous += r == 0
                continue
            if r == 0 and len([c for c in spec.changes if c.type != "none"]) > 1:
                words_multi.extend(len(c["text"].split()) for c in caps)
        rates.append(len(specs) / (time.perf_counter() - t0))
    return {
        "pairs_per_s": statistics.median(rates),
        "min": min(rates),
        "max": max(rates),
        "pairs": len(specs),
        "repeats": repeats,
        "per_pair": per_pair,
        "ambiguous": ambiguous,
        "avg_words_multi_change": (
            round(sum(words_multi) / len(words_multi), 1) if words_multi else None
        ),
        "source": source,
        "machine": f"{platform.processor() or platform.machine()}, Python {platform.python_version()}",
    }


def bench_line(result: dict[str, Any]) -> str:
    return (
        f"caption: median {result['pairs_per_s']:.0f} pairs/s "
        f"(min {result['min']:.0f}, max {result['max']:.0f}; {result['repeats']}×{result['pairs']} "
        f"pairs, {result['per_pair']} captions each, {result['source']}); "
        f"multi-change captions average {result['avg_words_multi_change']} words; "
        f"{result['ambiguous']} ambiguous"
    )
