"""How far a dataset (or a run spread over shards) has got, read while its writers still run.

Only what the writers have committed counts: ``pairs.jsonl`` through the reader (which skips a
torn last line) and ``dataset.json`` (a running shard's holds its target ``n``, its shard and its
earlier runs; failures up to its last flush). The rate comes from the commit times of the last
pairs (their scene files' mtimes), so it needs no clock shared with the writers' hosts.
"""

from __future__ import annotations

import contextlib
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from diffforge.dataset.layout import is_dataset, pair_paths, shard_dir, shard_dirs
from diffforge.dataset.reader import DatasetError, iter_pairs, read_meta

RATE_WINDOW_S = 600.0  # the rate counts the commits of the last 10 minutes of a shard
RATE_MAX_PAIRS = 500  # ... and at most this many
IDLE_S = 300.0  # no commit for this long (and no local lock holder): the writer stopped
CLOCK_SLACK_S = 5.0  # a commit's file mtime may run a little ahead of the writer's clock


@dataclass
class Progress:
    """One shard's (or an unsharded dataset's) progress; ``total`` adds several up."""

    name: str
    path: str
    target: int | None  # pairs this shard should hold (None: unknown, e.g. a specs run)
    done: int = 0
    failed: int = 0
    resampled: int = 0  # rejected attempts of the pairs done
    rate: float | None = None  # pairs per minute over the recent commits
    last_commit_age_s: float | None = None
    state: str = "pending"  # pending | running | interrupted | stopped | complete

    @property
    def remaining(self) -> int | None:
        return None if self.target is None else max(self.target - self.done - self.failed, 0)

    @property
    def resample_rate(self) -> float | None:
        """Share of render attempts a gate rejected."""
        attempts = self.done + self.resampled
        return self.resampled / attempts if attempts else None

    @property
    def eta_s(self) -> float | None:
        if self.remaining == 0:
            return 0.0
        if self.remaining is None or not self.rate or self.state != "running":
            return None
        return 60.0 * self.remaining / self.rate

    def to_dict(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "remaining": self.remaining,
            "resample_rate": self.resample_rate,
            "eta_s": self.eta_s,
        }


def _target(meta: Any) -> int | None:
    n = getattr(meta, "n", None) if meta is not None else None
    if n is None:
        return None
    shard = getattr(meta, "shard", None)
    if shard:
        i, count = shard
        return len(range(i, n, count))
    return int(n)


def _held_locally(lock: Path) -> bool:
    """Whether a process on this host holds the writer's flock (Linux /proc/locks)."""
    try:
        st = lock.stat()
        lines = Path("/proc/locks").read_text().splitlines()
    except OSError:
        return False
    dev = f"{os.major(st.st_dev):02x}:{os.minor(st.st_dev):02x}:{st.st_ino}"
    return any(dev in line.split() and "FLOCK" in line for line in lines)


def shard_progress(root: Path, name: str, now: float | None = None) -> Progress:
    """Progress of one dataset directory (a shard or an unsharded run)."""
    now = time.time() if now is None else now
    root = Path(root)
    meta = read_meta(root) if root.is_dir() else None
    p = Progress(name=name, path=str(root), target=_target(meta))
    if meta is not None:
        p.failed = int(meta.counts.get("failed", 0))
    stamps: list[float] = []
    if is_dataset(root):
        for rec in iter_pairs(root):
            p.done += 1
            p.resampled += rec.rejected_attempts
            with contextlib.suppress(OSError):
                stamps.append((root / (rec.scene or pair_paths(rec.id)["scene"])).stat().st_mtime)
    stamps = sorted(stamps)[-RATE_MAX_PAIRS:]
    if stamps:
        p.last_commit_age_s = max(now - stamps[-1], 0.0)
        recent = [t for t in stamps if t >= stamps[-1] - RATE_WINDOW_S]
        if len(recent) >= 2 and recent[-1] > recent[0]:
            p.rate = 60.0 * (len(recent) - 1) / (recent[-1] - recent[0])
    if p.target is not None and p.done + p.failed >= p.target:
        p.state = "complete"
    elif _held_locally(root / ".lock"):
        p.state = "running"
    elif p.target is not None and _ended_after(meta, stamps[-1] if stamps else None):
        p.state = "interrupted"  # its last run ended (Ctrl-C, a crash) short of the target
    elif p.last_commit_age_s is not None and p.last_commit_age_s < IDLE_S:
        p.state = "running"  # a writer on another host, seen by its recent commits
    elif meta is not None:
        p.state = "stopped"
    return p


def _ended_after(meta: Any, last_commit: float | None) -> bool:
    """The last run recorded in dataset.json ended after the last commit: nothing writes now
    (a run's end is recorded even when it is interrupted; a resumed one commits after it)."""
    runs = getattr(meta, "runs", None) or []
    finished = runs[-1].get("finished") if runs and isinstance(runs[-1], dict) else None
    if finished is None:
        return False
    return last_commit is None or last_commit <= finished + CLOCK_SLACK_S


def dataset_progress(out: Path, now: float | None = None) -> tuple[list[Progress], Progress]:
    """Per-shard rows (or one row for an unsharded dataset) and their total.

    Shards not started yet appear as ``pending`` once any shard's dataset.json names the count.
    """
    out = Path(out)
    if not out.is_dir():
        raise DatasetError(f"{out}: no such dataset directory")
    dirs = shard_dirs(out)
    if not dirs:
        if not is_dataset(out) and read_meta(out) is None:
            raise DatasetError(f"{out}: neither a dataset nor a directory of shards")
        row = shard_progress(out, "dataset", now)
        return [row], row
    rows: dict[tuple[int, int], Progress] = {}
    count = None
    for d in dirs:
        try:
            i, n = (int(x) for x in d.name.split("-of-"))
        except ValueError:
            continue
        count = n
        rows[(i, n)] = shard_progress(d, f"{i}/{n}", now)
    template = next((r for r in rows.values() if r.target is not None), None)
    if count is not None and template is not None:
        meta = read_meta(Path(template.path))
        total_n = getattr(meta, "n", None)
        for i in range(count):
            if (i, count) not in rows and total_n is not None:
                path = shard_dir(out, (i, count))
                rows[(i, count)] = Progress(
                    f"{i}/{count}", str(path), len(range(i, total_n, count))
                )
    shards = [rows[k] for k in sorted(rows)]
    return shards, total(shards, str(out))


def total(rows: list[Progress], path: str) -> Progress:
    """The sum of shard rows: rates of running shards add up (they render side by side)."""
    targets = [r.target for r in rows]
    running = [r for r in rows if r.state == "running" and r.rate]
    ages = [r.last_commit_age_s for r in rows if r.last_commit_age_s is not None]
    states = {r.state for r in rows}
    state = (
        "complete"
        if states == {"complete"}
        else "running"
        if "running" in states
        else "interrupted"
        if "interrupted" in states
        else "stopped"
        if "stopped" in states or "complete" in states
        else "pending"
    )
    return Progress(
        name="total",
        path=path,
        target=None if None in targets else sum(targets),  # type: ignore[arg-type]
        done=sum(r.done for r in rows),
        failed=sum(r.failed for r in rows),
        resampled=sum(r.resampled for r in rows),
        rate=sum(r.rate for r in running) if running else None,  # type: ignore[misc]
        last_commit_age_s=min(ages) if ages else None,
        state=state,
    )
