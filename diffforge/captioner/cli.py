"""Plain functions behind ``diffforge caption | stats | export | bench caption``.

diffforge/cli.py wires them into typer; they take plain values, return results, and raise
DiffforgeError for anything the user can fix, so they are easy to test without a CLI runner.
"""

from __future__ import annotations

import platform
import statistics
import time
from pathlib import Path
from typing import Any

from diffforge.captioner.api import CaptionReport, caption_dataset, dataset_config
from diffforge.captioner.compose import caption_or_reason, templates
from diffforge.captioner.export import export as export_dataset
from diffforge.captioner.stats import write_stats
from diffforge.config import CaptionConfig, RewriteConfig
from diffforge.scenes.model import PairSpec


def caption(
    directory: Path,
    rewrite: str | None = None,
    model: str | None = None,
    base_url: str | None = None,
    per_pair: int | None = None,
    concurrency: int | None = None,
) -> CaptionReport:
    """(Re)caption a dataset directory; options override the dataset's recorded caption config."""
    cfg = dataset_config(Path(directory)).caption
    rw = cfg.rewrite.model_dump()
    for key, value in (
        ("backend", rewrite),
        ("model", model),
        ("base_url", base_url),
        ("concurrency", concurrency),
    ):
        if value is not None:
            rw[key] = value
    cfg = CaptionConfig(per_pair=per_pair or cfg.per_pair, rewrite=RewriteConfig(**rw))
    return caption_dataset(directory, cfg)


def stats(directory: Path, out: Path | None = None) -> dict[str, Any]:
    """Counts + wordcloud.png + caption_lengths.png + stats.json (default DIR/stats)."""
    return write_stats(directory, out)


def export(directory: Path, fmt: str, out: Path, split: str | None = None) -> int:
    """llava | coco | parquet; returns the number of records written."""
    return export_dataset(directory, fmt, out, split)


def bench_specs(config: Path | None, n: int) -> tuple[list[PairSpec], tuple[int, int], str]:
    """Pair specs to caption: the real sampler on ``config``, else the synthetic fixtures."""
    from diffforge.config import GenerateConfig, load_config

    cfg = load_config(config) if config else GenerateConfig()
    resolution = tuple(cfg.render.resolved().resolution)
    try:
        from diffforge.scenes.sampler import PairSampler

        sampler = PairSampler(cfg)
        return [sampler.sample(i) for i in range(n)], resolution, f"sampler ({config})"
    except Exception as exc:  # the asset library has not landed: use hand-built specs
        from diffforge.captioner.synthetic import synthetic_spec

        why = f"{type(exc).__name__}: {exc}"[:80]
        return [synthetic_spec(i) for i in range(n)], resolution, f"synthetic specs ({why})"


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
