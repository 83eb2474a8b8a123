"""``merge``: join shard datasets into one, never over data the merge did not make.

OUT may be empty, hold only its ``shards/``, or hold an earlier merge of the same shards (which
is replaced); anything else is refused unless ``force``. Every shard must be there and finished
(its ``dataset.json`` target reached, no writer holding it) unless ``partial``: a shard set
``i-of-N`` with a missing ``i`` is named, as is a shard still short of its pairs.
"""

from __future__ import annotations

import fcntl
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from diffforge.dataset.files import ensure_dirs, link_or_copy
from diffforge.dataset.layout import (
    JOB_SCRIPTS,
    META,
    PAIRS,
    SUBDIRS,
    depth_files,
    pair_paths,
    shard_dirs,
)
from diffforge.dataset.reader import DatasetError, iter_pairs, read_meta
from diffforge.dataset.records import DatasetMeta, Failure, PairRecord
from diffforge.dataset.writer import changed_keys, finalize

# What OUT may hold besides a merge's own output: the shards and a run's bookkeeping.
OWN_ENTRIES = {"shards", ".lock", ".logs", JOB_SCRIPTS}
MERGE_OUTPUT = (PAIRS, META, *SUBDIRS, "depth")


def _shard_name(d: Path) -> tuple[int, int] | None:
    try:
        i, n = (int(x) for x in d.name.split("-of-"))
    except ValueError:
        return None
    return i, n


def _missing_shards(dirs: list[Path]) -> list[str]:
    """``i-of-N`` names absent from a set of shard directories that share a parent and N."""
    groups: dict[tuple[Path, int], set[int]] = {}
    for d in dirs:
        name = _shard_name(d)
        if name is not None:
            groups.setdefault((d.parent, name[1]), set()).add(name[0])
    return [
        str(parent / f"{i:05d}-of-{n:05d}")
        for (parent, n), have in sorted(groups.items())
        for i in range(n)
        if i not in have
    ]


def _locked(d: Path) -> bool:
    """A writer holds ``d/.lock`` now (on any host sharing the filesystem's flock)."""
    lock = d / ".lock"
    if not lock.is_file():
        return False
    with open(lock) as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(fh, fcntl.LOCK_UN)
    return False


def _unfinished(d: Path, meta: DatasetMeta) -> str | None:
    """Why shard ``d`` is not finished, or None."""
    if _locked(d):
        return f"{d} is still being written"
    n, shard = getattr(meta, "n", None), getattr(meta, "shard", None)
    if n is None:
        return None  # a specs run: its target is not recorded, its writer is gone
    target = len(range(shard[0], n, shard[1])) if shard else int(n)
    done = int(meta.counts.get("pairs", 0)) + int(meta.counts.get("failed", 0))
    return f"{d} holds {done} of its {target} pairs" if done < target else None


def _same_merge(out: Path, dirs: list[Path]) -> bool:
    """OUT holds an earlier merge of these shards (or of shards under OUT/shards)."""
    try:
        meta = read_meta(out)
    except DatasetError:
        return False
    before = getattr(meta, "merged_from", None) if meta is not None else None
    if not before:
        return False
    own = (out / "shards").resolve()
    was = {Path(p).resolve() for p in before}
    now = {d.resolve() for d in dirs}
    return was == now or all(own in p.parents for p in was | now)


def _check_out(out: Path, dirs: list[Path], force: bool) -> None:
    if out.exists() and not out.is_dir():
        raise DatasetError(f"merge: {out} is a file, not a dataset directory")
    foreign = (
        sorted(p.name for p in out.iterdir() if p.name not in OWN_ENTRIES) if out.is_dir() else []
    )
    if foreign and not force and not _same_merge(out, dirs):
        shown = ", ".join(foreign[:4]) + (", ..." if len(foreign) > 4 else "")
        raise DatasetError(
            f"merge: {out} already holds data that is not a merge of these shards ({shown}); "
            "choose an empty OUT, or --force to replace it"
        )
    for name in MERGE_OUTPUT:  # the earlier merge (or, forced, the old data) goes whole
        p = out / name
        if p.is_dir():
            shutil.rmtree(p)
        elif p.exists():
            p.unlink()


def _inputs(dirs: list[Path], partial: bool) -> tuple[list[Path], list[DatasetMeta], list[str]]:
    """The shards to merge and their metas; with ``partial``, what was left out and why."""
    problems = [f"{m} is missing" for m in _missing_shards(dirs)]
    keep, metas = [], []
    for d in dirs:
        if not d.is_dir():
            problems.append(f"{d} is missing")
            continue
        meta = read_meta(d)
        if meta is None:
            problems.append(f"{d} has no {META} (never started or not a dataset)")
            continue
        why = _unfinished(d, meta)
        if why is not None:
            problems.append(why)
            if not partial:
                continue
        keep.append(d)
        metas.append(meta)
    if problems and not partial:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise DatasetError(
            f"merge: {problems[0]}{more}; finish the shards, or --partial to merge what is done"
        )
    if not keep:
        raise DatasetError(f"merge: no finished dataset to merge ({problems[0]})")
    return keep, metas, problems


def merge(
    dirs: Iterable[Path], out: Path, *, force: bool = False, partial: bool = False
) -> dict[str, Any]:
    """Join shard (or any compatible) datasets into ``out``: files hard-linked or copied.

    All inputs must share a fingerprint (config + preset). A pair index present twice is kept
    once. With no dirs, ``out/shards/*`` are used. Returns counts and, with ``partial``, the
    shards left out or merged unfinished (``skipped``).
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise DatasetError(f"merge: {out} is a file, not a dataset directory")
    dirs = [Path(d) for d in dirs] or shard_dirs(out)
    if not dirs:
        raise DatasetError(f"merge: no datasets given and none under {out}/shards")
    if any(d.resolve() == out.resolve() for d in dirs):
        raise DatasetError(f"merge: {out} is both OUT and an input; merge into a new folder")
    dirs, metas, skipped = _inputs(dirs, partial)
    fps = {m.fingerprint for m in metas}
    if len(fps) != 1:
        odd = next(
            d for d, m in zip(dirs, metas, strict=True) if m.fingerprint != metas[0].fingerprint
        )
        raise DatasetError(
            f"merge: {dirs[0]} and {odd} were made with different configs or presets "
            f"({changed_keys(metas[0], metas[dirs.index(odd)])})"
        )
    _check_out(out, dirs, force)
    ensure_dirs(out)
    records: dict[int, PairRecord] = {}
    failures: dict[int, Failure] = {}
    for d, meta in zip(dirs, metas, strict=True):
        for f in meta.failures:
            failures.setdefault(f.index, f)
        for rec in iter_pairs(d):
            if rec.index in records:
                continue
            for rel in pair_paths(rec.id).values():
                link_or_copy(d / rel, out / rel)
            for p in depth_files(d, rec.id):
                link_or_copy(p, out / "depth" / p.name)
            records[rec.index] = rec
    base = metas[0]
    meta = finalize(
        out,
        records.values(),
        failures.values(),
        base,
        fingerprint=base.fingerprint,
        merged_from=[str(d.resolve()) for d in dirs],
        n=getattr(base, "n", None),
        shard=None,
        runs=[run for m in metas for run in m.runs],
    )
    return {
        "out": str(out),
        "inputs": len(dirs),
        "pairs": meta.counts["pairs"],
        "failed": meta.counts["failed"],
        "failures": [f.to_dict() for f in meta.failures],
        "skipped": skipped,
    }
