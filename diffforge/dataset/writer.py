"""Writing a dataset directory: append a pair, rewrite all pairs, finalize, merge.

Every write is crash-safe. A pair's files are written (atomically) before its ``pairs.jsonl``
line is appended, so a line means a complete pair; whole-file rewrites go through a temp file
and a rename, so a crash leaves the old file whole. ``finalize`` is the one routine that turns
a set of records into the final ``pairs.jsonl`` (sorted by index) and ``dataset.json`` (counts
recomputed from the records): a run's end and ``merge`` both call it, which is why a merge of
shards equals a single run.
"""

from __future__ import annotations

import fcntl
import os
import platform
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from diffforge import __version__ as _version
from diffforge.dataset.files import (
    atomic_write_json,
    atomic_write_lines,
    ensure_dirs,
    sweep_temp,
    tmp_name,
)
from diffforge.dataset.layout import (
    FORMAT,
    SPLITS,
    meta_file,
    pair_paths,
    pairs_file,
)
from diffforge.dataset.mix import pair_layouts, realized_shares
from diffforge.dataset.reader import DatasetError, iter_pairs, read_meta
from diffforge.dataset.records import DatasetMeta, Failure, PairRecord


def write_pairs(root: Path, records: Iterable[PairRecord]) -> int:
    """Replace ``pairs.jsonl`` with ``records`` (in the order given), atomically."""
    return atomic_write_lines(pairs_file(root), (r.to_line() for r in records), fsync=True)


@contextmanager
def rewrite_pairs(root: Path) -> Iterator[Any]:
    """Stream a new ``pairs.jsonl``: ``with rewrite_pairs(root) as write: write(record)``.
    It replaces the old file only when the block ends without an error."""
    path = pairs_file(root)
    tmp = tmp_name(path)
    try:
        with tmp.open("w", encoding="utf-8") as fh:
            yield lambda rec: fh.write(rec.to_line() + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def append_pair(root: Path, record: PairRecord) -> None:
    """Append one line and fsync: after this returns, a crash cannot lose the pair."""
    with open(pairs_file(root), "a", encoding="utf-8") as f:
        f.write(record.to_line() + "\n")
        f.flush()
        os.fsync(f.fileno())


def repair_tail(root: Path) -> bool:
    """Cut a torn last line (a writer killed mid-append); True when there was one."""
    path = pairs_file(root)
    if not path.is_file():
        return False
    data = path.read_bytes()
    if not data or data.endswith(b"\n"):
        return False
    with open(path, "r+b") as f:
        f.truncate(data.rfind(b"\n") + 1)
    return True


# -- dataset.json ---------------------------------------------------------------------------------


def summarize(
    records: list[PairRecord],
    failures: list[Failure],
    *,
    config: dict[str, Any],
    render: dict[str, Any],
    seed: int | None,
    blender: str | None = None,
    layouts: list[str | None] | None = None,
) -> DatasetMeta:
    """dataset.json content that depends only on its inputs (deterministic); ``layouts``: each
    record's layout (``mix.pair_layouts``), for the realized layout shares."""
    splits = Counter(r.split for r in records)
    changes: Counter[str] = Counter()
    by_split: dict[str, Counter[str]] = {s: Counter() for s in SPLITS}
    resampled: Counter[str] = Counter()
    for r in records:
        for c in r.changes:
            changes[c.type] += 1
            by_split.setdefault(r.split, Counter())[c.type] += 1
        resampled.update(r.resampled)
    return DatasetMeta(
        format=FORMAT,
        diffforge=_version,
        engine={"name": render.get("engine"), "blender": blender},
        seed=seed,
        config=config,
        render=render,
        counts={
            "pairs": len(records),
            "splits": {s: splits.get(s, 0) for s in SPLITS},
            "changes": dict(sorted(changes.items())),
            "changes_by_split": {s: dict(sorted(c.items())) for s, c in by_split.items()},
            "resampled": dict(sorted(resampled.items())),
            "rejected_attempts": sum(r.rejected_attempts for r in records),
            "failed": len(failures),
            "mix": realized_shares(
                ([c.type for c in r.changes] for r in records), config, layouts or ()
            ),
        },
        failures=sorted(failures, key=lambda f: f.index),
    )


def finalize(
    root: Path,
    records: Iterable[PairRecord],
    failures: Iterable[Failure],
    base: DatasetMeta,
    **fields: Any,
) -> DatasetMeta:
    """Write ``pairs.jsonl`` sorted by index and ``dataset.json``: counts from the records, the
    rest from ``base`` (config, render, seed, engine) and ``fields`` (fingerprint, runs, ...)."""
    recs = sorted(records, key=lambda r: (r.index if r.index is not None else -1, r.id))
    done = {r.index for r in recs}
    fails = [f for f in failures if f.index not in done]
    write_pairs(root, recs)
    meta = summarize(
        recs,
        fails,
        config=base.config,
        render=base.render,
        seed=base.seed,
        blender=base.engine.get("blender"),
        layouts=pair_layouts(root, recs),
    )
    for key, value in fields.items():
        setattr(meta, key, value)
    atomic_write_json(meta_file(root), meta.to_dict())
    return meta


def _flat(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in value.items():
            out.update(_flat(v, f"{prefix}.{k}" if prefix else str(k)))
        return out
    return {prefix: value}


def changed_keys(old: DatasetMeta, new: DatasetMeta, shown: int = 4) -> str:
    """What differs between two datasets' configs and render settings, as 'key: old -> new'."""
    a = _flat({"config": old.config or {}, "render": old.render or {}})
    b = _flat({"config": new.config or {}, "render": new.render or {}})
    keys = sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))
    if not keys:
        return f"fingerprint {old.fingerprint} != {new.fingerprint}"
    parts = [f"{k}: {a.get(k)!r} -> {b.get(k)!r}" for k in keys[:shown]]
    more = f", and {len(keys) - shown} more" if len(keys) > shown else ""
    return "; ".join(parts) + more


class DatasetWriter:
    """Owns one output directory for a run: resumes what is there, appends finished pairs.

    An exclusive lock keeps a second run out; a dataset made with another fingerprint (config +
    render preset) is refused. On open it sweeps temp files and cuts a torn last line.
    """

    def __init__(
        self,
        root: Path,
        base: DatasetMeta,
        extra: dict[str, Any] | None = None,
    ):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self._lock = open(self.root / ".lock", "a")  # noqa: SIM115 - held; "a": no mtime change
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock.close()
            raise DatasetError(f"{self.root}: another run is writing this dataset") from None
        self.base = base
        self.extra = extra or {}
        try:
            old = read_meta(self.root)
        except DatasetError:
            self._lock.close()
            raise
        if old is not None and old.fingerprint and old.fingerprint != base.fingerprint:
            self._lock.close()
            raise DatasetError(
                f"{self.root}: holds a dataset made with a different config or render preset "
                f"({changed_keys(old, base)}); use a new --out"
            )
        self.runs = old.runs if old is not None else []
        self.blender: str | None = old.engine.get("blender") if old is not None else None
        ensure_dirs(self.root)
        sweep_temp(self.root)
        repair_tail(self.root)
        self.records: dict[int, PairRecord] = {}
        self._read_committed()
        self.failures: dict[int, Failure] = {}
        self.started = time.time()
        if old is None:
            self.finalize()  # records the fingerprint now: a killed first run still has it

    def _read_committed(self) -> None:
        """Add the records ``pairs.jsonl`` holds that this writer does not know yet."""
        if pairs_file(self.root).is_file():
            for rec in iter_pairs(self.root):
                if rec.index is not None:
                    self.records.setdefault(rec.index, rec)

    def sweep_worker(self, pid: int) -> None:
        sweep_temp(self.root, pid)

    def done(self, index: int) -> bool:
        return index in self.records

    def commit(self, record: PairRecord) -> PairRecord:
        """Append the pair's record; its files must already be in place (the worker wrote them)."""
        paths = pair_paths(record.id)
        missing = [p for p in paths.values() if not (self.root / p).is_file()]
        if missing:
            raise RuntimeError(f"pair {record.id}: files missing before commit: {missing}")
        append_pair(self.root, record)
        self.records[record.index] = record
        self.failures.pop(record.index, None)
        return record

    def fail(self, failure: Failure) -> None:
        self.failures[failure.index] = failure

    def finalize(self, run: dict[str, Any] | None = None) -> DatasetMeta:
        """Sort pairs.jsonl by index and write dataset.json; safe to call after every run."""
        if run is not None:
            host = platform.node()
            self.runs.append(
                {**run, "host": host, "started": self.started, "finished": time.time()}
            )
        # a Ctrl-C between a commit's append and its bookkeeping leaves a line only on disk:
        # the rewrite below must keep it (the line means the pair's files are all in place)
        self._read_committed()
        base = self.base.model_copy(deep=True)
        base.engine = {**base.engine, "blender": self.blender}
        return finalize(
            self.root,
            self.records.values(),
            self.failures.values(),
            base,
            **self.extra,
            fingerprint=self.base.fingerprint,
            runs=self.runs,
        )

    def close(self) -> None:
        self._lock.close()
