"""``diffforge bench render``: pairs/min, resample rate, noise, stage seconds, overhead, scaling.

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
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from diffforge.config import GenerateConfig
from diffforge.dataset import DatasetWriter, pair_paths
from diffforge.dataset.files import load_image
from diffforge.render.assets import AssetResolver, LibraryResolver
from diffforge.render.executors import LocalExecutor
from diffforge.render.pipeline import PairJob, Sampler, WorkerContext, default_caption_gate
from diffforge.render.records import dataset_base, pair_record
from diffforge.render.settings import RenderSettings, available_cpus, resolve_settings
from diffforge.render.workers import PoolOptions
from diffforge.scenes.model import PairSpec

STAGES = ("spec", "build", "render_before", "render_after", "masks", "caption", "write")
# Noise reference: the same scene, resolution and camera at this many samples, no denoiser,
# an independent Cycles seed. Its own noise is about 1/4 of a 16-spp render's.
REFERENCE_SAMPLES = 256
NOISE_PAIRS = 3


def noise_figure(image: np.ndarray, reference: np.ndarray) -> float:
    """RMS difference (8-bit units) between a render and its high-sample reference.

    It measures what the preset's sampling and denoising leave behind (salt-and-pepper noise,
    fireflies, denoiser blotches), not resolution: both images have the same size.
    """
    d = image.astype(np.float64) - reference.astype(np.float64)
    return float(np.sqrt(np.mean(d * d)))


def _context(cfg, settings, out, resolver, sampler, gates, captions) -> WorkerContext:
    return WorkerContext(
        cfg,
        settings,
        out,
        resolver,
        sampler=sampler,
        gates=gates,
        max_attempts=cfg.changes.max_attempts,
        caption_gate=default_caption_gate() if captions else None,
    )


def _noise(
    cfg: GenerateConfig,
    settings: RenderSettings,
    resolver: AssetResolver,
    root: Path,
    specs: list[str],
    reference_samples: int = REFERENCE_SAMPLES,
) -> dict[int, float]:
    """Noise figure of the before image of each of ``specs`` (rendered in ``root``), by its
    position in ``specs``; a spec whose reference failed to render is left out."""
    if not specs:
        return {}
    ref = replace(
        settings, samples=reference_samples, denoise=False, seed_offset=settings.seed_offset + 7919
    )
    with tempfile.TemporaryDirectory(prefix="diffforge-bench-ref-") as tmp:
        ctx = _context(cfg, ref, tmp, resolver, None, False, False)
        jobs = [PairJob(i, spec) for i, spec in enumerate(specs)]
        figures: dict[int, float] = {}
        opts = PoolOptions(workers=min(len(jobs), max(1, available_cpus() // ref.threads)))
        for result in LocalExecutor(opts).run(ctx, jobs):
            if result["status"] != "ok":
                continue
            rel = pair_paths(result["id"])["before"]
            figures[result["index"]] = noise_figure(
                load_image(root / rel), load_image(Path(tmp) / rel)
            )
    return figures


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
    gates: bool,
    noise_pairs: int,
    reference_samples: int,
) -> dict[str, Any]:
    # the sampler reads the preset too (which signs are legible at this frame, whether the OCR
    # gate reads them): a bench that renders one preset and samples for another resamples
    update: dict[str, Any] = {"preset": preset} | ({"threads": threads} if threads else {})
    cfg = cfg.model_copy(update={"render": cfg.render.model_copy(update=update)})
    settings = resolve_settings(cfg, workers, None, None, cache_dir)
    with tempfile.TemporaryDirectory(prefix="diffforge-bench-") as tmp:
        writer = DatasetWriter(Path(tmp), dataset_base(cfg, settings))
        ctx = _context(cfg, settings, tmp, resolver, sampler, gates, captions)
        jobs = (PairJob(i, specs(i).to_json() if specs else None) for i in range(pairs + 1))
        stamps: list[float] = []
        timings: list[dict[str, float]] = []
        cpu: list[float] = []
        kept: list[str] = []
        per_pair: list[dict[str, Any]] = []
        resampled = failed = probed = predicted = 0
        reasons: Counter[str] = Counter()
        t_start = time.perf_counter()
        for result in LocalExecutor(PoolOptions(workers=workers)).run(ctx, jobs):
            # rejected attempts where the pipeline says so; else its reasons (one rejected
            # attempt often gives several: target not visible before + after + not changed)
            resampled += result.get("rejected_attempts", len(result.get("resampled", [])))
            reasons.update(result.get("resampled", []))
            probed += result.get("probe_rejected", 0)  # cheap renders, no full pair
            predicted += result.get("predicted_rejected", 0)  # redrawn before any render
            if result["status"] == "ok":
                t = time.perf_counter()
                # the driver's share of "write"
                writer.commit(pair_record(cfg, result, result.get("captions")))
                times = dict(result["timings"])
                times["write"] = times.get("write", 0.0) + time.perf_counter() - t
                timings.append(times)
                cpu.append(result.get("cpu_s", float("nan")))
                kept.append(result["spec_json"])
                per_pair.append(pair_cost(result))
            else:
                failed += 1
            stamps.append(time.perf_counter())
        writer.close()
        figures = _noise(cfg, settings, resolver, Path(tmp), kept[:noise_pairs], reference_samples)
    noise = float(np.mean(list(figures.values()))) if figures else None
    for i, figure in figures.items():
        per_pair[i]["noise"] = figure
    steady = timings[1:] if len(timings) > 1 else timings
    gaps = [b - a for a, b in itertools.pairwise(stamps)]
    wall = sum(gaps) / len(gaps) if gaps else float("nan")
    stage = {k: sum(t.get(k, 0.0) for t in steady) / max(len(steady), 1) for k in STAGES}
    render = stage["render_before"] + stage["render_after"]
    total_s = stamps[-1] - t_start if stamps else float("nan")
    # CPU seconds a kept pair costs its worker (resampled attempts included): what a machine
    # with a free core per worker would see, whatever else shares the cores now
    cpu_s = float(np.mean(cpu[1:] if len(cpu) > 1 else cpu)) if cpu else float("nan")
    return {
        "preset": preset,
        "workers": workers,
        "threads": settings.threads,
        "resolution": list(settings.resolution),
        "samples": settings.samples,
        "denoise": settings.denoise,
        "denoise_quality": settings.denoise_quality,
        "pairs": len(steady),
        "failed": failed,
        "first_pair_s": stamps[0] - t_start if stamps else float("nan"),
        "total_s": total_s,
        "wall_per_pair_s": wall,
        "pairs_per_min": 60.0 / wall if wall else float("nan"),
        # everything counted: start-up, resampling, the slowest pair
        "pairs_per_min_total": 60.0 * len(timings) / total_s if timings else float("nan"),
        "cpu_per_pair_s": cpu_s,
        "pairs_per_cpu_min": 60.0 / cpu_s if cpu_s else float("nan"),
        "cpu_per_pair_median_s": float(np.median(cpu[1:] if len(cpu) > 1 else cpu))
        if cpu
        else float("nan"),
        "resampled": resampled,
        "resample_rate": resampled / (resampled + len(timings) + failed)
        if resampled + len(timings) + failed
        else float("nan"),
        "resample_reasons": dict(reasons.most_common()),
        "probe_rejected": probed,
        "predicted_rejected": predicted,
        "stages_s": stage,
        # each of the N workers spends N × wall per pair on it (resampled renders included)
        "overhead_ratio": wall * workers / render if render else float("nan"),
        "noise": noise,
        # the first pair carries the start-up (asset conversion): left out, as above
        "breakdown": breakdown(per_pair[1:] if len(per_pair) > 1 else per_pair),
    }


def pair_cost(result: dict[str, Any]) -> dict[str, Any]:
    """What one kept pair cost and what it was: its layout, change types, CPU seconds (its
    rejected attempts included) and rejected attempts."""
    spec = PairSpec.model_validate_json(result["spec_json"])
    return {
        "layout": spec.before.environment.layout,
        "types": sorted({c.type for c in spec.changes}),
        "cpu_s": result.get("cpu_s", float("nan")),
        "rejected": result.get("rejected_attempts", len(result.get("resampled", []))),
        "probe_rejected": result.get("probe_rejected", 0),
        "predicted_rejected": result.get("predicted_rejected", 0),
        "noise": None,
    }


def breakdown(pairs: list[dict[str, Any]]) -> dict[str, dict[str, dict[str, Any]]]:
    """Cost per layout and per change type: pairs, mean CPU s per kept pair, resampled share
    (rejected attempts / all attempts) and mean noise figure (None: no pair of the group got a
    reference). A pair of two change types counts in both types' rows."""
    groups: dict[str, dict[str, list[dict[str, Any]]]] = {"layout": {}, "change": {}}
    for pair in pairs:
        groups["layout"].setdefault(pair["layout"], []).append(pair)
        for t in pair["types"]:
            groups["change"].setdefault(t, []).append(pair)
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for axis, by_key in groups.items():
        out[axis] = {}
        for key in sorted(by_key):
            members = by_key[key]
            rejected = sum(p["rejected"] for p in members)
            noise = [p["noise"] for p in members if p["noise"] is not None]
            out[axis][key] = {
                "pairs": len(members),
                "cpu_per_pair_s": float(np.mean([p["cpu_s"] for p in members])),
                "resample_rate": rejected / (rejected + len(members)),
                "noise": float(np.mean(noise)) if noise else None,
            }
    return out


def bench_render(
    cfg: GenerateConfig,
    presets: tuple[str, ...] = ("draft", "standard"),
    pairs: int = 100,
    workers: tuple[int, ...] = (1, 2),
    sampler: Sampler | None = None,
    specs: Callable[[int], PairSpec] | None = None,
    resolver: AssetResolver | None = None,
    cache_dir: Path | None = None,
    threads: int | None = None,
    captions: bool = True,
    gates: bool = True,
    noise_pairs: int = NOISE_PAIRS,
    reference_samples: int = REFERENCE_SAMPLES,
) -> dict[str, Any]:
    """Per preset and worker count: pairs/min, resample rate, stage breakdown, overhead, noise.

    Gates are on (as in ``generate``), so resampled attempts cost what they cost in a real run.
    """
    if sampler is None and specs is None:
        from diffforge.render.generate import default_sampler

        sampler = default_sampler()
    resolver = resolver or LibraryResolver(cfg.assets)
    rows = [
        _run_once(
            cfg,
            p,
            pairs,
            w,
            sampler,
            specs,
            resolver,
            cache_dir,
            threads,
            captions,
            gates,
            noise_pairs if w == workers[0] else 0,
            reference_samples,
        )
        for p in presets
        for w in workers
    ]
    for row in rows:
        one = next(r for r in rows if r["preset"] == row["preset"] and r["workers"] == workers[0])
        row["speedup_vs_1"] = one["wall_per_pair_s"] / row["wall_per_pair_s"]
        row["noise"] = row["noise"] if row["noise"] is not None else one["noise"]
    return {
        "machine": f"{platform.node()} · {platform.processor() or platform.machine()} · "
        f"{os.cpu_count()} CPUs",
        "date": time.strftime("%Y-%m-%d"),
        "rows": rows,
    }


def format_bench(result: dict[str, Any]) -> str:
    """A markdown table of ``bench_render``'s result (benchmarks/render.md)."""
    cols = (
        "preset | res | spp | OIDN | workers×threads | pairs | pairs/min | pairs/min (all) "
        "| CPU s/pair (median) | pairs/CPU-min | resampled | noise | build | render before | render after "
        "| masks | overhead | speed-up"
    )
    lines = [f"| {cols} |", "|" + "---|" * (cols.count("|") + 1)]
    for r in result["rows"]:
        s = r["stages_s"]
        noise = f"{r['noise']:.1f}" if r.get("noise") is not None else "-"
        quality = r.get("denoise_quality", "")
        lines.append(
            f"| {r['preset']} | {r['resolution'][0]}×{r['resolution'][1]} | {r['samples']} "
            f"| {quality if r.get('denoise') else 'off'} | {r['workers']}×{r['threads']} "
            f"| {r['pairs']} | {r['pairs_per_min']:.1f} | {r['pairs_per_min_total']:.1f} "
            f"| {r['cpu_per_pair_s']:.2f} ({r.get('cpu_per_pair_median_s', float('nan')):.2f}) "
            f"| {r['pairs_per_cpu_min']:.1f} "
            f"| {100 * r['resample_rate']:.0f} % | {noise} | "
            + " | ".join(f"{s[k]:.3f}" for k in ("build", "render_before", "render_after", "masks"))
            + f" | {r['overhead_ratio']:.2f} | {r['speedup_vs_1']:.2f}× |"
        )
    for r in result["rows"]:
        lines.append(format_breakdown(r))
    for r in result["rows"]:
        if r.get("resample_reasons"):  # what to fix next: one rejected render may give several
            why = ", ".join(f"{n}× {reason}" for reason, n in r["resample_reasons"].items())
            lines.append(f"\nresampled ({r['preset']}, {r['workers']} workers): {why}")
    return "\n".join(lines) + "\n"


def format_breakdown(row: dict[str, Any]) -> str:
    """Per layout and per change type rows of one preset's run (empty: no breakdown)."""
    parts = row.get("breakdown") or {}
    if not any(parts.values()):
        return ""
    lines = [
        f"\n{row['preset']}, {row['workers']} workers, by layout and change type:\n",
        "| by | group | pairs | CPU s/pair | resampled | noise |",
        "|---|---|---|---|---|---|",
    ]
    for axis in ("layout", "change"):
        for key, g in parts.get(axis, {}).items():
            noise = f"{g['noise']:.1f}" if g["noise"] is not None else "-"
            lines.append(
                f"| {axis} | {key} | {g['pairs']} | {g['cpu_per_pair_s']:.2f} "
                f"| {100 * g['resample_rate']:.0f} % | {noise} |"
            )
    return "\n".join(lines)
