"""``generate``: render pairs into a dataset directory (pure orchestration, no bpy).

It checks what it can before any worker starts (devices, the environment sidecar, fonts, the
output directory), builds the job stream, runs an executor, hands finished pairs to the
dataset package's ``DatasetWriter`` and shows progress.
"""

from __future__ import annotations

import inspect
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from diffforge.config import GenerateConfig
from diffforge.dataset import DatasetWriter, shard_dir
from diffforge.errors import ConfigError, DiffforgeError, RunFailed
from diffforge.render.assets import AssetResolver, LibraryResolver
from diffforge.render.executors import LocalExecutor, RayExecutor, in_shard, parse_shard
from diffforge.render.pipeline import PairJob, Sampler, WorkerContext, default_caption_gate
from diffforge.render.preflight import preflight
from diffforge.render.records import dataset_base, failure, pair_record
from diffforge.render.settings import resolve_settings
from diffforge.render.workers import EventHook, PoolOptions
from diffforge.scenes.model import PairSpec

FAILURE_FLUSH_S = 30.0  # a running dataset's failures reach dataset.json at most this late
SpecSource = Iterable[PairSpec] | Callable[[int], PairSpec]
Captioner = Callable[[PairSpec, dict[str, Any]], list[dict[str, Any]]]


def default_sampler() -> Sampler:
    try:
        from diffforge.scenes.sampler import sample_pair
    except ImportError as exc:
        raise DiffforgeError(f"no scene sampler available ({exc}); pass specs") from None
    return sample_pair


def visible_gpus() -> list[str]:
    """GPU ids this process may use: $CUDA_VISIBLE_DEVICES, else those ``nvidia-smi -L`` lists."""
    import os
    import subprocess

    env = os.environ.get("CUDA_VISIBLE_DEVICES")
    if env is not None:
        return [g for g in env.split(",") if g.strip()]
    try:
        out = subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return []
    return [str(i) for i, line in enumerate(out.stdout.splitlines()) if line.startswith("GPU ")]


def format_summary(summary: dict[str, Any]) -> str:
    """The one-paragraph end-of-run summary the CLI prints."""
    t = summary["mean_timings"]
    stages = ", ".join(f"{k} {v:.2f}s" for k, v in t.items()) or "-"
    lines = [
        f"{summary['out']}: {summary['pairs']} pairs in the dataset "
        f"({summary['rendered']} rendered now, {summary['skipped']} already done, "
        f"{summary['failed']} failed, {summary['resampled']} attempts resampled) "
        f"in {summary['seconds']:.1f}s",
        f"mean per pair: {stages}",
    ]
    lines += [f"failed pair {f['index']}: {f['reason']}" for f in summary["failures"][:10]]
    return "\n".join(lines)


def check_all_failed(summary: dict[str, Any]) -> None:
    """A run that rendered nothing and failed pairs is a failed run: say its first reason."""
    if summary["failed"] and not summary["rendered"] and not summary["skipped"]:
        first = summary["failures"][0] if summary["failures"] else {"index": "?", "reason": "?"}
        raise RunFailed(
            f"{summary['out']}: all {summary['failed']} pairs failed; "
            f"pair {first['index']}: {first['reason']}"
        )


def _jobs(
    writer: DatasetWriter,
    n: int | None,
    specs: SpecSource | None,
    shard: tuple[int, int] | None,
    skipped: Counter,
) -> Iterator[PairJob]:
    """Lazily: fixed specs (iterable or index -> spec) or bare indices for the worker sampler."""
    if specs is not None and not callable(specs):
        for k, spec in enumerate(specs):
            if n is not None and k >= n:
                return
            if not in_shard(spec.index, shard):
                continue
            if writer.done(spec.index):
                skipped["done"] += 1
                continue
            yield PairJob(spec.index, spec.to_json())
        return
    if n is None:
        raise ConfigError("--n is required unless specs are given as a finite list")
    for i in range(n):
        if not in_shard(i, shard):
            continue
        if writer.done(i):
            skipped["done"] += 1
            continue
        yield PairJob(i, specs(i).to_json() if callable(specs) else None)


def generate(
    cfg: GenerateConfig,
    out: Path,
    n: int | None = None,
    *,
    specs: SpecSource | None = None,
    sampler: Sampler | None = None,
    workers: int = 1,
    executor: str = "local",
    shard: str | tuple[int, int] | None = None,
    device: str | None = None,
    preset: str | None = None,
    resolver: AssetResolver | None = None,
    gates: bool = True,
    pool: PoolOptions | None = None,
    ray_address: str = "local",
    ray_runtime_env: dict[str, Any] | None = None,
    captioner: Captioner | None = None,
    progress: bool = True,
    on_event: EventHook | None = None,
    cache_dir: Path | None = None,
    gpus: list[str] | None = None,
    captions: bool = True,
    gpus_per_worker: float | None = None,
) -> dict[str, Any]:
    """Render pairs 0..n-1 (or the given specs) into ``out``; resumes what is there.

    specs:    fixed pair specs (an iterable, e.g. read from ``diffforge sample`` JSONL, or a
              function index -> PairSpec); failing gates are then recorded, not resampled.
    sampler:  ``sample_pair(cfg, index, attempt)`` run inside the workers (default: the scenes
              sampler); a pair failing a gate is redrawn with attempt + 1.
    shard:    "i/N": render indices i, i+N, ... into ``out/shards/iiiii-of-NNNNN`` (merge later).
    executor: "local" (process pool; also with shard) or "ray" (``ray_address`` local|auto|...).
    captions: template captions written into pairs.jsonl by the workers, with the captioner's
              gate (a non-unique referring expression resamples the pair); ``captioner``
              (driver side, (spec, result) -> captions) overrides them.
    gpus:     GPU ids for CUDA_VISIBLE_DEVICES, one per local worker (default: all visible
              when the device is not cpu).
    gpus_per_worker: GPUs each Ray actor asks for (default ``render.gpus_per_worker``, else 1
              on a GPU device and 0 on the CPU); the actor renders on the ids Ray assigns.
    Returns a summary dict (counts, seconds, mean stage timings).
    """
    shard_t = parse_shard(shard)
    if executor not in ("local", "shard", "ray"):
        raise ConfigError(f"--executor {executor!r}: valid: local, ray, shard")
    if executor == "shard" and shard_t is None:
        raise ConfigError("--executor shard needs --shard i/N")
    root = shard_dir(out, shard_t) if shard_t else Path(out)
    if preset:  # the sampler predicts legibility and visibility at the frame that renders
        cfg = cfg.model_copy(update={"render": cfg.render.model_copy(update={"preset": preset})})
    settings = resolve_settings(cfg, workers, None, device, cache_dir)
    if specs is not None and callable(specs) and len(inspect.signature(specs).parameters) != 1:
        raise ConfigError("specs as a function must take one argument: the pair index")
    preflight(cfg, root, settings.device, sample=specs is None and sampler is None)
    if specs is None and sampler is None:
        sampler = default_sampler()
    opts = pool or PoolOptions()
    opts.workers = workers
    opts.log_dir = opts.log_dir or str(root / ".logs")
    extra = {"shard": list(shard_t) if shard_t else None, "n": n}
    writer = DatasetWriter(root, dataset_base(cfg, settings), extra)
    Path(opts.log_dir).mkdir(parents=True, exist_ok=True)
    ctx = WorkerContext(
        cfg=cfg,
        settings=settings,
        out=str(root),
        resolver=resolver or LibraryResolver(cfg.assets),
        sampler=sampler,
        gates=gates,
        caption_gate=default_caption_gate() if captions else None,
        max_attempts=cfg.changes.max_attempts,
        gpus=list(gpus)
        if gpus is not None
        else (visible_gpus() if settings.device != "cpu" else []),
    )
    if gpus_per_worker is None:
        gpus_per_worker = cfg.render.gpus_per_worker
    if gpus_per_worker is None:
        gpus_per_worker = 1.0 if settings.device != "cpu" else 0.0
    if gpus_per_worker < 0:
        raise ConfigError(f"--gpus-per-worker {gpus_per_worker}: need 0 or more")
    runner = (
        RayExecutor(opts, ray_address, num_gpus=gpus_per_worker, runtime_env=ray_runtime_env)
        if executor == "ray"
        else LocalExecutor(opts)
    )
    skipped: Counter = Counter()
    stats: Counter = Counter()
    timings: Counter = Counter()
    total = None
    if n is not None:
        total = sum(1 for i in range(n) if in_shard(i, shard_t)) - len(
            [i for i in writer.records if i < n and in_shard(i, shard_t)]
        )

    def events(kind: str, info: dict[str, Any]) -> None:
        if kind == "crash" and info.get("pid"):
            writer.sweep_worker(info["pid"])  # a killed worker's temp files
        if on_event is not None:
            on_event(kind, info)

    t0 = time.time()
    flushed = (t0, 0)  # (when, failures) of the last dataset.json flush
    gpu_ids: set[str] = set()
    bar = _Progress(total, progress)
    try:
        for result in runner.run(ctx, _jobs(writer, n, specs, shard_t, skipped), events):
            status = result["status"]
            if result.get("gpus"):
                gpu_ids.add(result["gpus"])
            if status == "ok":
                caps = result.get("captions")
                if captioner is not None:
                    caps = captioner(PairSpec.model_validate_json(result["spec_json"]), result)
                writer.commit(pair_record(cfg, result, caps))
                timings.update(result.get("timings", {}))
                stats["rendered"] += 1
            else:
                writer.fail(failure(result))
                stats["failed"] += 1
            if stats["failed"] > flushed[1] and time.time() - flushed[0] > FAILURE_FLUSH_S:
                writer.finalize()  # so that `status` sees this run's failures meanwhile
                flushed = (time.time(), stats["failed"])
            # rendered attempts the gates threw away (not their reasons: one can have several)
            stats["resampled"] += result.get("rejected_attempts", len(result.get("resampled", [])))
            bar.update(stats)
            writer.blender = runner.blender or writer.blender
    finally:
        bar.close()
        seconds = time.time() - t0
        mean = {k: v / max(stats["rendered"], 1) for k, v in sorted(timings.items())}
        run = {
            "executor": executor,
            "workers": workers,
            "device": settings.device,
            "threads": settings.threads,
            "seconds": round(seconds, 3),
            "rendered": stats["rendered"],
            "failed": stats["failed"],
            "mean_timings": {k: round(v, 4) for k, v in mean.items()},
        }
        if gpu_ids:
            run["gpu_ids"] = sorted(gpu_ids)
        meta = writer.finalize(run)
        writer.close()
    return {
        "out": str(root),
        "pairs": meta.counts["pairs"],
        "rendered": stats["rendered"],
        "skipped": skipped["done"],
        "failed": stats["failed"],
        "resampled": stats["resampled"],
        "seconds": seconds,
        "mean_timings": mean,
        "failures": [f.to_dict() for f in meta.failures],
    }


class _Progress:
    """rich progress: pairs done, pairs/min, ETA, resampled, failed (no-op when disabled)."""

    def __init__(self, total: int | None, enabled: bool):
        self.p = None
        if not enabled:
            return
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        self.start = time.time()
        self.p = Progress(
            TextColumn("render"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]} pairs/min"),
            TimeRemainingColumn(),
            TextColumn(
                "attempts resampled {task.fields[resampled]} · failed {task.fields[failed]}"
            ),
        )
        self.p.start()
        self.task = self.p.add_task("render", total=total, rate="-", resampled=0, failed=0)

    def update(self, stats: Counter) -> None:
        if self.p is None:
            return
        done = stats["rendered"] + stats["failed"]
        rate = 60.0 * done / max(time.time() - self.start, 1e-6)
        self.p.update(
            self.task,
            completed=done,
            rate=f"{rate:.1f}",
            resampled=stats["resampled"],
            failed=stats["failed"],
        )

    def close(self) -> None:
        if self.p is not None:
            self.p.stop()
