"""Where workers run: ``local`` (a process pool, also used per shard) or ``ray`` (actors).

Both take the same ``WorkerContext`` and ``PairJob`` stream and yield the same small result
dicts; the workers write pair files straight into the shared output directory.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Iterable, Iterator
from typing import Any

from diffforge.render.pipeline import PairJob, WorkerContext
from diffforge.render.workers import EventHook, PoolOptions, WorkerPool


def parse_shard(shard: str | tuple[int, int] | None) -> tuple[int, int] | None:
    """'i/N' -> (i, N) with 0 <= i < N; 'auto' reads the array task from the environment."""
    if shard is None:
        return None
    if shard == "auto":
        from diffforge.render.scheduler import shard_from_env

        i, n, where = shard_from_env()
        if not 0 <= i < n:
            from diffforge.errors import ConfigError

            raise ConfigError(f"--shard auto: {where} task is shard {i} of {n}; need 0 <= i < N")
        return i, n
    if isinstance(shard, str):
        try:
            i, n = (int(x) for x in shard.split("/"))
        except ValueError:
            from diffforge.errors import ConfigError

            raise ConfigError(f"--shard {shard!r}: expected i/N (e.g. 0/8) or auto") from None
    else:
        i, n = shard
    if not 0 <= i < n:
        from diffforge.errors import ConfigError

        raise ConfigError(f"--shard {i}/{n}: need 0 <= i < N")
    return i, n


def in_shard(index: int, shard: tuple[int, int] | None) -> bool:
    """Strided slices: shard i of N owns indices i, i+N, ... (balanced, stable as n grows)."""
    return shard is None or index % shard[1] == shard[0]


class LocalExecutor:
    def __init__(self, opts: PoolOptions):
        self.opts = opts
        self.blender: str | None = None

    def run(
        self, ctx: WorkerContext, jobs: Iterable[PairJob], on_event: EventHook | None = None
    ) -> Iterator[dict[str, Any]]:
        pool = WorkerPool(ctx, self.opts, on_event)
        for result in pool.run(jobs):
            self.blender = pool.blender
            yield result


class RayExecutor:
    """Ray actors that import bpy in ``__init__`` (one per CPU slot or GPU).

    ``address``: "local" starts a private cluster, "auto" joins a running one, else ray://...
    ``num_gpus``: GPUs per actor; an actor renders on the ones Ray assigned it (their ids go
    into CUDA_VISIBLE_DEVICES before bpy is imported), so actors never share a GPU by accident.
    A dead or hung actor is replaced and its pair retried like a crashed local worker.
    """

    def __init__(
        self,
        opts: PoolOptions,
        address: str = "local",
        num_cpus: float | None = None,
        num_gpus: float = 0.0,
        runtime_env: dict[str, Any] | None = None,
    ):
        self.opts = opts
        self.address = address
        self.num_cpus = num_cpus
        self.num_gpus = num_gpus
        self.runtime_env = runtime_env
        self.blender: str | None = None

    def run(
        self, ctx: WorkerContext, jobs: Iterable[PairJob], on_event: EventHook | None = None
    ) -> Iterator[dict[str, Any]]:
        import ray

        event = on_event or (lambda kind, info: None)
        started_here = not ray.is_initialized()
        if started_here:
            kwargs: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False}
            if self.runtime_env:
                kwargs["runtime_env"] = dict(self.runtime_env)
            if self.address == "local":
                ray.init(**kwargs)
            else:
                ray.init(address=self.address, **kwargs)
        actor_cls = ray.remote(_RenderActor).options(
            num_cpus=self.num_cpus or ctx.settings.threads, num_gpus=self.num_gpus, max_restarts=0
        )
        n = max(1, self.opts.workers)
        actors = [actor_cls.remote(ctx, self.opts.max_pairs_per_worker, self.opts.max_rss_mb)]
        actors += [
            actor_cls.remote(ctx, self.opts.max_pairs_per_worker, self.opts.max_rss_mb)
            for _ in range(n - 1)
        ]
        idle = deque(actors)
        running: dict[Any, tuple[Any, PairJob, int, float]] = {}
        retry: deque[tuple[PairJob, int]] = deque()
        source = iter(jobs)
        exhausted = False
        try:
            while True:
                while idle:
                    if retry:
                        job, tries = retry.popleft()
                    elif not exhausted:
                        nxt = next(source, None)
                        if nxt is None:
                            exhausted = True
                            break
                        job, tries = nxt, 0
                    else:
                        break
                    actor = idle.popleft()
                    running[actor.run.remote(job)] = (actor, job, tries, time.monotonic())
                    event("assign", {"index": job.index})
                if not running:
                    return
                ready, _ = ray.wait(list(running), num_returns=1, timeout=0.5)
                now = time.monotonic()
                for ref in list(running):
                    actor, job, tries, since = running[ref]
                    why = None
                    if ref in ready:
                        try:
                            result = ray.get(ref)
                        except (
                            ray.exceptions.RayActorError,
                            ray.exceptions.WorkerCrashedError,
                        ) as e:
                            why = f"actor died: {type(e).__name__}"
                        else:
                            del running[ref]
                            self.blender = result.pop("blender_version", None) or self.blender
                            if result.pop("exiting", False):
                                ray.kill(actor)
                                actor = actor_cls.remote(
                                    ctx, self.opts.max_pairs_per_worker, self.opts.max_rss_mb
                                )
                            idle.append(actor)
                            yield result
                            continue
                    elif now - since > self.opts.timeout_s:
                        why = "timeout"
                    if why is None:
                        continue
                    del running[ref]
                    ray.kill(actor)
                    idle.append(
                        actor_cls.remote(ctx, self.opts.max_pairs_per_worker, self.opts.max_rss_mb)
                    )
                    event("crash", {"index": job.index, "reason": why, "tries": tries + 1})
                    if tries + 1 > self.opts.retries:
                        yield {
                            "status": "failed",
                            "index": job.index,
                            "reason": f"{why} ({tries + 1} tries)",
                        }
                    else:
                        retry.appendleft((job, tries + 1))
        finally:
            for actor in list(idle) + [a for a, *_ in running.values()]:
                ray.kill(actor)
            if started_here:
                ray.shutdown()


class _RenderActor:
    """Ray actor body: the same pipeline as a local worker."""

    def __init__(self, ctx: WorkerContext, max_pairs: int, max_rss_mb: int):
        import os

        import ray

        from diffforge.render.workers import _redirect_output, forget_bpy_paths

        forget_bpy_paths()
        _redirect_output(None)
        gpu_ids = ray.get_gpu_ids()
        if gpu_ids:  # before bpy is imported: Cycles enumerates devices once
            os.environ["CUDA_VISIBLE_DEVICES"] = ",".join(str(g) for g in gpu_ids)
        self.gpus = os.environ.get("CUDA_VISIBLE_DEVICES")
        from diffforge.render.pipeline import PairPipeline

        self.pipeline = PairPipeline(ctx)
        self.max_pairs, self.max_rss_mb, self.done = max_pairs, max_rss_mb, 0

    def run(self, job: PairJob) -> dict[str, Any]:
        from diffforge.render.workers import _rss_mb

        result = self.pipeline.run(job)
        self.done += 1
        result["exiting"] = self.done >= self.max_pairs or _rss_mb() > self.max_rss_mb
        result["blender_version"] = self.pipeline.blender
        result["gpus"] = self.gpus
        return result
