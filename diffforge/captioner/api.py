"""Captioning a dataset directory: template captions, optional guarded rewrite, atomic write.

``caption_dataset`` recaptions an existing dataset without rendering: it reads each pair's
``scenes/<id>.json`` (pair spec + render facts), writes new captions into a temporary copy of
``pairs.jsonl`` and renames it over the old one, so a crash leaves the old file whole. Pairs are
processed in chunks so a rewrite backend sees batches (concurrency) and memory stays flat.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from diffforge.captioner.compose import caption_or_reason
from diffforge.captioner.rewrite import (
    Backend,
    RewriteReport,
    lexicon_for,
    make_backend,
    rewrite_captions,
)
from diffforge.config import CaptionConfig, GenerateConfig
from diffforge.errors import DiffforgeError
from diffforge.scenes.model import PairSpec

CHUNK = 256


@dataclass
class CaptionReport:
    """What a (re)captioning run did; ``ambiguous`` pairs kept their previous captions."""

    pairs: int = 0
    captions: int = 0
    ambiguous: list[str] = field(default_factory=list)
    missing_scene: list[str] = field(default_factory=list)
    rewrite: RewriteReport = field(default_factory=RewriteReport)
    seconds: float = 0.0

    def summary(self) -> str:
        parts = [f"{self.pairs} pairs, {self.captions} captions in {self.seconds:.1f} s"]
        if self.ambiguous:
            parts.append(f"{len(self.ambiguous)} ambiguous (previous captions kept)")
        if self.missing_scene:
            parts.append(f"{len(self.missing_scene)} without scenes/<id>.json (kept)")
        return "; ".join(parts) + "\n" + self.rewrite.summary()

    def as_dict(self) -> dict[str, Any]:
        return {
            "pairs": self.pairs,
            "captions": self.captions,
            "ambiguous": self.ambiguous,
            "missing_scene": self.missing_scene,
            "rewrite": self.rewrite.as_dict(),
            "seconds": round(self.seconds, 3),
        }


def load_scene_record(path: Path) -> tuple[PairSpec, dict[str, Any] | None]:
    """A ``scenes/<id>.json``: the pair spec (top level or under "spec") and its render facts.

    Facts are ``{"before": {id: {pixels, box}}, "after": {...}}`` under "facts" or
    "render_facts"; absent facts mean the captioner falls back to the camera projection.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise DiffforgeError(f"{path}: cannot read scene record ({exc})") from None
    facts = data.get("facts") or data.get("render_facts")
    raw = data.get("spec", data)
    fields = set(PairSpec.model_fields)
    try:
        spec = PairSpec.model_validate({k: v for k, v in raw.items() if k in fields})
    except Exception as exc:
        raise DiffforgeError(f"{path}: not a pair spec ({type(exc).__name__})") from None
    return spec, facts


def dataset_config(root: Path) -> GenerateConfig:
    """The resolved config recorded in dataset.json ("config"), defaults when absent."""
    meta_path = root / "dataset.json"
    if meta_path.is_file():
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            return GenerateConfig.model_validate(meta.get("config") or {})
        except Exception:
            pass  # an older or foreign dataset.json: caption with the defaults
    return GenerateConfig()


def _records(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                yield json.loads(line)
            except json.JSONDecodeError as exc:
                raise DiffforgeError(f"{path}: line {n}: invalid JSON ({exc.msg})") from None


def _chunks(it: Iterator[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for item in it:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def caption_records(
    records: list[dict[str, Any]],
    specs: Mapping[str, tuple[PairSpec, Mapping[str, Any] | None]],
    per_pair: int,
    resolution: tuple[int, int],
    backend: Backend,
    report: CaptionReport,
    min_pixels: int = 1,
) -> list[dict[str, Any]]:
    """New captions for a chunk of pairs.jsonl records (records without a spec are kept).

    ``min_pixels`` = 1: any object with a visible pixel can confuse a reader, so it counts
    as a rival for uniqueness even below the visibility gate's threshold.
    """
    texts, lexicons, where = [], [], []
    for r_i, rec in enumerate(records):
        pid = str(rec.get("id"))
        if pid not in specs:
            report.missing_scene.append(pid)
            continue
        spec, facts = specs[pid]
        caps, _ = caption_or_reason(spec, per_pair, resolution, facts, min_pixels)
        if caps is None:  # the quality gate's reason: keep the previous captions
            report.ambiguous.append(pid)
            continue
        lex = lexicon_for(spec)
        rec["captions"] = caps
        for c_i, cap in enumerate(caps):
            cap["source"] = "template"
            texts.append(cap["text"])
            lexicons.append(lex)
            where.append((r_i, c_i))
    new_texts, sources, sub = rewrite_captions(texts, lexicons, backend)
    report.rewrite.add(sub)
    report.rewrite.backend = sub.backend
    for (r_i, c_i), text, source in zip(where, new_texts, sources, strict=True):
        cap = records[r_i]["captions"][c_i]
        if source == "rewrite":
            cap["template"] = cap["text"]
            cap["text"] = text
        cap["source"] = source
    report.captions += len(texts)
    return records


def caption_dataset(
    root: Path | str,
    cfg: CaptionConfig | None = None,
    *,
    backend: Backend | None = None,
    resolution: tuple[int, int] | None = None,
    chunk: int = CHUNK,
) -> CaptionReport:
    """(Re)caption every pair of a dataset directory in place, atomically.

    ``cfg`` defaults to the caption section of the dataset's recorded config; ``backend``
    overrides the rewrite backend it names (tests pass one built around a test server).
    """
    t0 = time.perf_counter()
    root = Path(root)
    pairs_path = root / "pairs.jsonl"
    if not pairs_path.is_file():
        raise DiffforgeError(f"{root}: no pairs.jsonl (not a diffforge dataset directory)")
    gen = dataset_config(root)
    cfg = cfg or gen.caption
    resolution = resolution or tuple(gen.render.resolved().resolution)
    own_backend = backend is None
    backend = backend or make_backend(cfg.rewrite)
    report = CaptionReport(rewrite=RewriteReport(backend=backend.name))
    tmp = pairs_path.with_name(f".{pairs_path.name}.{os.getpid()}.tmp")
    try:
        with tmp.open("w", encoding="utf-8") as out:
            for records in _chunks(_records(pairs_path), chunk):
                specs = {}
                for rec in records:
                    scene = root / str(rec.get("scene") or f"scenes/{rec.get('id')}.json")
                    if scene.is_file():
                        specs[str(rec.get("id"))] = load_scene_record(scene)
                caption_records(records, specs, cfg.per_pair, resolution, backend, report)
                for rec in records:
                    out.write(json.dumps(rec, ensure_ascii=False) + "\n")
                report.pairs += len(records)
            out.flush()
            os.fsync(out.fileno())
        tmp.replace(pairs_path)
    finally:
        tmp.unlink(missing_ok=True)
        if own_backend and hasattr(backend, "close"):
            backend.close()
    report.seconds = time.perf_counter() - t0
    return report
