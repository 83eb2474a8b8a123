"""Render workers run numpy with single-threaded BLAS (issue 31): OpenBLAS' own threads beside
Cycles' made the sampler's and the mannequins' small matrix work cost 5× the CPU on a busy
machine. The orchestrator's environment is left as it was."""

from __future__ import annotations

import multiprocessing as mp
import os

from diffforge.render.workers import WORKER_ENV, worker_env


def _report(conn) -> None:
    conn.send({k: os.environ.get(k) for k in WORKER_ENV})


def test_a_spawned_worker_sees_single_threaded_blas_and_the_parent_keeps_its_env(monkeypatch):
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    monkeypatch.setenv("MKL_NUM_THREADS", "3")  # a value the user set wins
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=_report, args=(child,))
    with worker_env():
        proc.start()
    seen = parent.recv()
    proc.join(timeout=60)
    assert seen == {"OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "3"}
    assert "OPENBLAS_NUM_THREADS" not in os.environ
    assert os.environ["MKL_NUM_THREADS"] == "3"
