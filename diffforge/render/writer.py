"""The dataset directory (ARCHITECTURE "Dataset directory"): resumable and crash-safe.

Workers write a pair's images, masks and scene JSON atomically; this writer, in the
orchestrator, appends the pair's ``pairs.jsonl`` line only after they all exist, so a line
means a complete pair. On open it drops a torn last line and ``.tmp`` leftovers; ``finalize``
rewrites ``pairs.jsonl`` sorted by index, so a killed-and-resumed run ends byte-identical to an
uninterrupted one, and writes ``dataset.json`` (counts recomputed from the records).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import platform
import time
from collections import Counter
from pathlib import Path
from typing import Any

from diffforge import __version__ as _version
from diffforge.config import GenerateConfig, SplitsConfig
from diffforge.distributions import rng_for
from diffforge.errors import DiffforgeError
from diffforge.render.pairfiles import atomic_write_json, ensure_dirs, pair_paths
from diffforge.render.settings import RenderSettings

FORMAT = "diffforge-dataset/1"
SPLITS = ("train", "val", "test")


def split_for(seed: int, index: int, splits: SplitsConfig) -> str:
    """Deterministic split of pair ``index``: its own base scene, so no scene straddles splits."""
    u = float(rng_for(seed, index, "split").random())
    edge = 0.0
    for name in SPLITS:
        edge += getattr(splits, name)
        if u < edge:
            return name
    return SPLITS[-1]


def fingerprint(cfg: GenerateConfig, settings: RenderSettings) -> str:
    """What decides a pair's content: the config (minus render knobs that don't) + the preset."""
    data = cfg.model_dump(mode="json")
    data["render"] = {
        "resolution": list(settings.resolution),
        "samples": settings.samples,
        "denoise": settings.denoise,
        "engine": settings.engine,
        "depth": settings.depth,
        "min_visible_pixels": settings.min_visible_pixels,
    }
    blob = json.dumps(data, sort_keys=True).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


def read_records(path: Path) -> list[dict[str, Any]]:
    """Complete lines of a pairs.jsonl (a torn last line from a kill is ignored)."""
    if not path.is_file():
        return []
    out = []
    for line in path.read_text().splitlines():
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return out


class DatasetWriter:
    """Owns one output directory for a run (an exclusive lock keeps a second run out)."""

    def __init__(
        self,
        root: Path,
        cfg: GenerateConfig,
        settings: RenderSettings,
        extra: dict[str, Any] | None = None,
    ):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self._lock = open(self.root / ".lock", "w")  # noqa: SIM115 - held for the run
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock.close()
            raise DiffforgeError(f"{self.root}: another run is writing this dataset") from None
        self.cfg, self.settings = cfg, settings
        self.extra = extra or {}
        self.fp = fingerprint(cfg, settings)
        try:
            self._check_compatible()
        except DiffforgeError:
            self._lock.close()
            raise
        ensure_dirs(self.root)
        self._sweep()
        self.jsonl = self.root / "pairs.jsonl"
        self._repair_tail()
        self.records: dict[int, dict[str, Any]] = {}
        for rec in read_records(self.jsonl):
            self.records.setdefault(rec["index"], rec)
        self.failures: dict[int, dict[str, Any]] = {}
        self.started = time.time()
        self.blender: str | None = None  # reported by the workers
        if not (self.root / "dataset.json").is_file():
            self.finalize()  # records the fingerprint now: a killed first run still has it

    def _check_compatible(self) -> None:
        meta = self.root / "dataset.json"
        if not meta.is_file():
            return
        old = json.loads(meta.read_text()).get("fingerprint")
        if old and old != self.fp:
            raise DiffforgeError(
                f"{self.root}: holds a dataset made with a different config or render preset "
                f"(fingerprint {old} != {self.fp}); use a new --out"
            )

    def _sweep(self, pid: int | None = None) -> None:
        """Remove temp files of a killed run or worker (its pair is redone, so nothing is lost)."""
        pattern = f".*.{pid}.tmp*" if pid is not None else ".*.tmp*"
        for sub in ("images", "masks", "scenes", "depth", "."):
            d = self.root / sub
            if d.is_dir():
                for p in d.glob(pattern):
                    p.unlink(missing_ok=True)

    def sweep_worker(self, pid: int) -> None:
        self._sweep(pid)

    def _repair_tail(self) -> None:
        if not self.jsonl.is_file():
            return
        data = self.jsonl.read_bytes()
        if data and not data.endswith(b"\n"):
            cut = data.rfind(b"\n") + 1
            with open(self.jsonl, "r+b") as f:
                f.truncate(cut)

    # -- per pair ---------------------------------------------------------------------------

    def done(self, index: int) -> bool:
        return index in self.records

    def commit(self, result: dict[str, Any], captions: list[dict] | None = None) -> dict:
        """Append the pair's record; its files must already be in place (the worker wrote them)."""
        paths = pair_paths(result["id"])
        missing = [p for p in paths.values() if not (self.root / p).is_file()]
        if missing:
            raise RuntimeError(f"pair {result['id']}: files missing before commit: {missing}")
        rec = {
            "id": result["id"],
            "index": result["index"],
            "split": split_for(self.cfg.seed, result["index"], self.cfg.splits),
            "before": paths["before"],
            "after": paths["after"],
            "changes": result["changes"],
            "captions": captions or [],
            "scene": paths["scene"],
            "masks": {
                "before": paths["mask_before"],
                "after": paths["mask_after"],
                "change": paths["mask_change"],
            },
            "attempt": result.get("attempt", 0),
            "resampled": result.get("resampled", []),
        }
        line = json.dumps(rec, sort_keys=True) + "\n"
        with open(self.jsonl, "a") as f:
            f.write(line)
            f.flush()
            os.fsync(f.fileno())
        self.records[rec["index"]] = rec
        self.failures.pop(rec["index"], None)
        return rec

    def fail(self, result: dict[str, Any]) -> None:
        self.failures[result["index"]] = {
            "index": result["index"],
            "status": result["status"],
            "reason": result.get("reason", ""),
        }

    # -- end of run -------------------------------------------------------------------------

    def finalize(self, run: dict[str, Any] | None = None) -> dict[str, Any]:
        """Sort pairs.jsonl by index and write dataset.json; safe to call after every run."""
        recs = [self.records[i] for i in sorted(self.records)]
        tmp = self.root / ".pairs.jsonl.tmp"
        tmp.write_text("".join(json.dumps(r, sort_keys=True) + "\n" for r in recs))
        os.replace(tmp, self.jsonl)
        meta_path = self.root / "dataset.json"
        old = json.loads(meta_path.read_text()) if meta_path.is_file() else {}
        runs = old.get("runs", [])
        if run is not None:
            runs.append(
                {**run, "host": platform.node(), "started": self.started, "finished": time.time()}
            )
        blender = self.blender or old.get("engine", {}).get("blender")
        meta = dataset_meta(self.cfg, self.settings, recs, list(self.failures.values()), blender)
        meta.update(self.extra)
        meta["fingerprint"] = self.fp
        meta["runs"] = runs
        atomic_write_json(meta_path, meta)
        return meta

    def close(self) -> None:
        self._lock.close()


def dataset_meta(
    cfg: GenerateConfig,
    settings: RenderSettings,
    recs: list[dict[str, Any]],
    failures: list[dict[str, Any]],
    blender: str | None = None,
) -> dict[str, Any]:
    """dataset.json content that depends only on the records (deterministic)."""
    splits = Counter(r["split"] for r in recs)
    changes: Counter[str] = Counter()
    by_split: dict[str, Counter[str]] = {s: Counter() for s in SPLITS}
    resampled: Counter[str] = Counter()
    for r in recs:
        for c in r["changes"]:
            changes[c["type"]] += 1
            by_split[r["split"]][c["type"]] += 1
        resampled.update(r.get("resampled", []))
    return {
        "format": FORMAT,
        "diffforge": _version,
        "engine": {"name": settings.engine, "blender": blender},
        "seed": cfg.seed,
        "config": cfg.model_dump(mode="json"),
        "render": {
            "resolution": list(settings.resolution),
            "samples": settings.samples,
            "denoise": settings.denoise,
            "engine": settings.engine,
        },
        "counts": {
            "pairs": len(recs),
            "splits": {s: splits.get(s, 0) for s in SPLITS},
            "changes": dict(sorted(changes.items())),
            "changes_by_split": {s: dict(sorted(c.items())) for s, c in by_split.items()},
            "resampled": dict(sorted(resampled.items())),
            "failed": len(failures),
        },
        "failures": sorted(failures, key=lambda f: f["index"]),
    }
