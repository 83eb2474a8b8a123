"""A pool of bpy worker processes that survives its workers: crashes, hangs and leaks.

The orchestrator never imports bpy; each worker (multiprocessing *spawn*) imports it once and
renders many pairs over a private pipe, so the pool always knows which pair a dead worker held.
A crash (even SIGKILL) or a per-pair timeout retries that pair with the same seed a bounded
number of times, then reports it failed; workers are recycled after N pairs or above an RSS
limit. Workers die with the orchestrator (PR_SET_PDEATHSIG) so a killed run leaves no writers.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing as mp
import os
import signal
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from diffforge.errors import DiffforgeError
from diffforge.render.pipeline import PairJob, WorkerContext

EventHook = Callable[[str, dict[str, Any]], None]


@dataclass
class PoolOptions:
    workers: int = 1
    max_pairs_per_worker: int = 200
    max_rss_mb: int = 6144
    timeout_s: float = 900.0  # per pair, both images and all resample attempts
    retries: int = 2  # extra tries after a crash or timeout
    start_timeout_s: float = 180.0
    log_dir: str | None = None  # worker stderr (Blender logs) goes here; stdout is discarded


def _rss_mb() -> float:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return 0.0


def _cpu_s() -> float:
    """CPU seconds of this process (all threads) and its finished children (Tesseract)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


# A worker's numpy runs single-threaded BLAS: the worker already has its share of the cores
# (Cycles' threads), and OpenBLAS' own threads on a busy machine made a posed mannequin's 4×4
# inverses cost 5× the CPU and 20× the wall time (characters.pose_root_offset: 6.6 ms CPU,
# 421 ms wall against 1.3 ms and 19 ms; benchmarks/render.md, issue 31).
WORKER_ENV = {"OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


@contextlib.contextmanager
def worker_env() -> Iterator[None]:
    """``WORKER_ENV`` in ``os.environ`` while a worker is spawned (a value the user set wins);
    the orchestrator's own environment is restored afterwards."""
    saved = {k: os.environ.get(k) for k in WORKER_ENV}
    for key, value in WORKER_ENV.items():
        os.environ.setdefault(key, value)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def forget_bpy_paths() -> None:
    """Drop the script folders an imported bpy put on sys.path (spawn copies the parent's).

    Their ``scripts/modules/bpy`` package would shadow the real module in a fresh process:
    "No module named '_bpy'". Only matters when the parent imported bpy (e.g. a test).
    """
    blender_dirs = (os.sep + "scripts" + os.sep, os.sep + "blender" + os.sep)
    sys.path[:] = [
        p
        for p in sys.path
        if not (any(d in p + os.sep for d in blender_dirs) and ("bpy" in p or "blender" in p))
    ]


def _die_with_parent() -> None:
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _redirect_output(log: str | None) -> None:
    """Blender prints a line per tile to fd 1; keep fd 2 (errors) in a per-slot log file."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    if log:
        fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.dup2(fd, 2)  # appended: a crashed worker's last words survive its restart
        os.write(2, f"--- worker pid {os.getpid()} started\n".encode())


def worker_main(conn: Connection, ctx: WorkerContext, opts: PoolOptions, slot: int) -> None:
    """Entry point of a worker process: import bpy once, then render jobs until told to stop."""
    _die_with_parent()
    forget_bpy_paths()
    log = str(Path(opts.log_dir) / f"worker-{slot}.log") if opts.log_dir else None
    _redirect_output(log)
    if ctx.gpus:
        os.environ["CUDA_VISIBLE_DEVICES"] = ctx.gpus[slot % len(ctx.gpus)]
    from diffforge.render.pipeline import PairPipeline

    pipeline = PairPipeline(ctx)
    conn.send(("ready", os.getpid(), pipeline.blender))
    done = 0
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        cpu = _cpu_s()
        result = pipeline.run(job)
        result["cpu_s"] = _cpu_s() - cpu  # all threads: robust to shared cores
        done += 1
        exiting = done >= opts.max_pairs_per_worker or _rss_mb() > opts.max_rss_mb
        result["worker_pid"] = os.getpid()
        conn.send(("result", result, exiting))
        if exiting:
            return


@dataclass
class _Task:
    job: PairJob
    tries: int = 0


class _Slot:
    def __init__(self, n: int):
        self.n = n
        self.proc: Any = None
        self.conn: Connection | None = None
        self.ready = False
        self.task: _Task | None = None
        self.since = 0.0
        self.started = 0.0


class WorkerPool:
    """Runs ``PairJob``s on N workers and yields one result dict per job, as they finish."""

    def __init__(self, ctx: WorkerContext, opts: PoolOptions, on_event: EventHook | None = None):
        self.ctx = ctx
        self.opts = opts
        self.on_event = on_event or (lambda kind, info: None)
        self.mp = mp.get_context("spawn")
        self.blender: str | None = None
        self._start_failures = 0

    def _event(self, kind: str, **info: Any) -> None:
        self.on_event(kind, info)

    def _start(self, slot: _Slot) -> None:
        parent, child = self.mp.Pipe(duplex=True)
        proc = self.mp.Process(
            target=worker_main, args=(child, self.ctx, self.opts, slot.n), daemon=True
        )
        with worker_env():
            proc.start()
        child.close()
        slot.proc, slot.conn, slot.ready, slot.task = proc, parent, False, None
        slot.started = time.monotonic()
        self._event("start", slot=slot.n, pid=proc.pid)

    def _stop(self, slot: _Slot, kill: bool = False) -> None:
        if slot.proc is None:
            return
        if kill and slot.proc.is_alive():
            os.kill(slot.proc.pid, signal.SIGKILL)
        slot.proc.join(timeout=10)
        if slot.conn is not None:
            slot.conn.close()
        slot.proc = slot.conn = None

    def run(self, jobs: Iterable[PairJob]) -> Iterator[dict[str, Any]]:
        source = iter(jobs)
        retry: deque[_Task] = deque()
        slots = [_Slot(i) for i in range(max(1, self.opts.workers))]
        exhausted = False
        try:
            for slot in slots:
                self._start(slot)
            while True:
                for slot in slots:  # hand out work
                    if slot.ready and slot.task is None:
                        task = retry.popleft() if retry else None
                        if task is None and not exhausted:
                            job = next(source, None)
                            exhausted = job is None
                            task = _Task(job) if job is not None else None
                        if task is None:
                            continue
                        slot.task, slot.since = task, time.monotonic()
                        try:
                            slot.conn.send(task.job)
                            self._event("assign", index=task.job.index, pid=slot.proc.pid)
                        except (BrokenPipeError, OSError):
                            pass  # noticed as a crash below
                if exhausted and not retry and all(s.task is None for s in slots):
                    return
                waitables = [s.conn for s in slots] + [s.proc.sentinel for s in slots]
                wait(waitables, timeout=0.5)
                for slot in slots:
                    yield from self._poll(slot, retry)
        finally:
            for slot in slots:
                if slot.conn is not None:
                    with contextlib.suppress(BrokenPipeError, OSError):
                        slot.conn.send(None)
            for slot in slots:
                self._stop(slot, kill=slot.task is not None)

    def _poll(self, slot: _Slot, retry: deque[_Task]) -> Iterator[dict[str, Any]]:
        msg = None
        try:
            if slot.conn.poll():
                msg = slot.conn.recv()
        except (EOFError, OSError):
            msg = None
        if msg is not None:
            if msg[0] == "ready":
                slot.ready = True
                self.blender = msg[2]
                self._start_failures = 0
                return
            _, result, exiting = msg
            slot.task = None
            yield result
            if exiting:
                self._event("recycle", slot=slot.n, pid=slot.proc.pid)
                self._stop(slot)
                self._start(slot)
            return
        now = time.monotonic()
        alive = slot.proc.is_alive()
        if alive and slot.task is not None and now - slot.since > self.opts.timeout_s:
            yield from self._crashed(slot, retry, "timeout")
        elif alive and not slot.ready and now - slot.started > self.opts.start_timeout_s:
            self._stop(slot, kill=True)
            self._failed_start(slot, "worker did not start in time")
        elif not alive:
            if not slot.ready:
                self._failed_start(slot, f"worker exited with code {slot.proc.exitcode}")
            else:
                yield from self._crashed(slot, retry, f"exit code {slot.proc.exitcode}")

    def _failed_start(self, slot: _Slot, why: str) -> None:
        self._start_failures += 1
        if self._start_failures > 3:
            log = Path(self.opts.log_dir or "") / f"worker-{slot.n}.log"
            tail = log.read_text()[-2000:] if self.opts.log_dir and log.is_file() else ""
            raise DiffforgeError(
                f"render workers keep failing to start ({why}); is the [render] extra "
                f"(bpy, OpenEXR) installed? Worker log tail:\n{tail}"
            )
        self._stop(slot, kill=True)
        self._start(slot)

    def _crashed(self, slot: _Slot, retry: deque[_Task], why: str) -> Iterator[dict[str, Any]]:
        task = slot.task
        pid = slot.proc.pid
        self._stop(slot, kill=True)
        self._start(slot)
        if task is None:
            return
        task.tries += 1
        self._event("crash", index=task.job.index, pid=pid, reason=why, tries=task.tries)
        if task.tries > self.opts.retries:
            yield {
                "status": "failed",
                "index": task.job.index,
                "reason": f"worker crashed {task.tries} times (last: {why})",
            }
        else:
            retry.appendleft(task)
