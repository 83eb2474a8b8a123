"""``diffforge bench render``: seconds per pair by stage, overhead ratio, worker scaling.

Overhead ratio = steady-state wall time per pair × workers / pure Cycles time of its two renders
(the ``bpy.ops.render.render`` calls). Steady state: the gaps between consecutive finished pairs,
so worker start-up and the first pair's asset conversion are left out (reported apart).
"""

from __future__ import annotations

import itertools
import os
import platform
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from diffforge.config import GenerateConfig
from diffforge.dataset import DatasetWriter
from diffforge.render.assets import AssetResolver, LibraryResolver
from diffforge.render.executors import LocalExecutor
from diffforge.render.pipeline import PairJob, Sampler, WorkerContext, default_caption_gate
from diffforge.render.records import dataset_base, pair_record
from diffforge.render.settings import resolve_settings
from diffforge.render.workers import PoolOptions
from diffforge.scenes.model import PairSpec

STAGES = ("spec", "build", "render_before", "render_after", "masks", "caption", "write")


def _run_once(
    cfg: GenerateConfig,
    preset: str,
    pairs: int,
    workers: int,
    sampler: Sampler | None,
    specs: Callable[[int], PairSpec] | None,
    resolver: AssetResolver,
    cache_dir: Path | None,
    threads: int | None,
    captions: bool,
) -> dict[str, Any]:
    if threads:
        cfg = cfg.model_copy(update={"render": cfg.render.model_copy(update={"threads": threads})})
    settings = resolve_settings(cfg, workers, preset, None, cache_dir)
    with tempfile.TemporaryDirectory(prefix="diffforge-bench-") as tmp:
        writer = DatasetWriter(Path(tmp), dataset_base(cfg, settings))
        ctx = WorkerContext(
            cfg,
            settings,
            tmp,
            resolver,
            sampler=sampler,
            gates=False,
            caption_gate=default_caption_gate() if captions else None,
        )
        jobs = (PairJob(i, specs(i).to_json() if specs else None) for i in range(pairs + 1))
        stamps: list[float] = []
        timings: list[dict[str, float]] = []
        t_start = time.perf_counter()
        for result in LocalExecutor(PoolOptions(workers=workers)).run(ctx, jobs):
            if result["status"] == "ok":
                t = time.perf_counter()
                # the driver's share of "write"
                writer.commit(pair_record(cfg, result, result.get("captions")))
                times = dict(result["timings"])
                times["write"] = times.get("write", 0.0) + time.perf_counter() - t
                timings.append(times)
            stamps.append(time.perf_counter())
        writer.close()
    steady = timings[1:] if len(timings) > 1 else timings
    gaps = [b - a for a, b in itertools.pairwise(stamps)]
    wall = sum(gaps) / len(gaps) if gaps else float("nan")
    stage = {k: sum(t.get(k, 0.0) for t in steady) / max(len(steady), 1) for k in STAGES}
    render = stage["render_before"] + stage["render_after"]
    return {
        "preset": preset,
        "workers": workers,
        "threads": settings.threads,
        "resolution": list(settings.resolution),
        "samples": settings.samples,
        "pairs": len(steady),
        "first_pair_s": stamps[0] - t_start if stamps else float("nan"),
        "wall_per_pair_s": wall,
        "pairs_per_min": 60.0 / wall if wall else float("nan"),
        "stages_s": stage,
        # each of the N workers spends N × wall per pair on it
        "overhead_ratio": wall * workers / render if render else float("nan"),
    }


def bench_render(
    cfg: GenerateConfig,
    presets: tuple[str, ...] = ("draft", "standard"),
    pairs: int = 6,
    workers: tuple[int, ...] = (1, 2),
    sampler: Sampler | None = None,
    specs: Callable[[int], PairSpec] | None = None,
    resolver: AssetResolver | None = None,
    cache_dir: Path | None = None,
    threads: int | None = None,
    captions: bool = True,
) -> dict[str, Any]:
    """Per preset and worker count: stage breakdown, overhead ratio, throughput; plus speed-up."""
    if sampler is None and specs is None:
        from diffforge.render.generate import default_sampler

        sampler = default_sampler()
    resolver = resolver or LibraryResolver(cfg.assets)
    rows = [
        _run_once(cfg, p, pairs, w, sampler, specs, resolver, cache_dir, threads, captions)
        for p in presets
        for w in workers
    ]
    for row in rows:
        one = next(r for r in rows if r["preset"] == row["preset"] and r["workers"] == 1)
        row["speedup_vs_1"] = one["wall_per_pair_s"] / row["wall_per_pair_s"]
    return {
        "machine": f"{platform.node()} · {platform.processor() or platform.machine()} · "
        f"{os.cpu_count()} CPUs",
        "date": time.strftime("%Y-%m-%d"),
        "rows": rows,
    }


def format_bench(result: dict[str, Any]) -> str:
    """A markdown table of ``bench_render``'s result (benchmarks/render.md)."""
    head = (
        "| preset | res | spp | workers×threads | spec | build | render before | render after "
        "| masks | caption | write | wall/pair | pairs/min | overhead | speed-up |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n"
    )
    lines = []
    for r in result["rows"]:
        s = r["stages_s"]
        lines.append(
            f"| {r['preset']} | {r['resolution'][0]}×{r['resolution'][1]} | {r['samples']} "
            f"| {r['workers']}×{r['threads']} | "
            + " | ".join(f"{s[k]:.3f}" for k in STAGES)
            + f" | {r['wall_per_pair_s']:.3f} | {r['pairs_per_min']:.1f} "
            f"| {r['overhead_ratio']:.2f} | {r['speedup_vs_1']:.2f}× |"
        )
    return head + "\n".join(lines) + "\n"
