"""Captioning a dataset directory: template captions, optional guarded rewrite, atomic write.

``caption_dataset`` recaptions an existing dataset without rendering: it reads each pair's
``scenes/<id>.json`` (pair spec + render facts) and streams the records, with new captions,
through the dataset package's ``rewrite_pairs``, so a crash leaves the old file whole. Pairs are
processed in chunks so a rewrite backend sees batches (concurrency) and memory stays flat.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import ValidationError

from diffforge.captioner.compose import caption_or_reason
from diffforge.captioner.referring import Readable
from diffforge.captioner.rewrite import (
    Backend,
    RewriteReport,
    lexicon_for,
    make_backend,
    rewrite_captions,
)
from diffforge.config import (
    CaptionConfig,
    GenerateConfig,
    RewriteConfig,
    format_validation_error,
)
from diffforge.dataset import (
    Caption,
    DatasetError,
    PairRecord,
    iter_pairs,
    read_meta,
    read_scene,
    require_dataset,
    rewrite_pairs,
)
from diffforge.dataset.files import load_image
from diffforge.errors import ConfigError, DiffforgeError
from diffforge.scenes.model import PairSpec
from diffforge.scenes.perception import mean_labs, stored_lab
from diffforge.scenes.sampler import text_readability

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


def parse_scene_record(data: dict[str, Any], where: Path | str) -> tuple[PairSpec, Any]:
    """A ``scenes/<id>.json``: the pair spec (top level or under "spec") and its render facts.

    Facts are ``{"before": {id: {pixels, box}}, "after": {...}}`` under "facts" or
    "render_facts"; absent facts mean the captioner falls back to the camera projection.
    """
    facts = data.get("facts") or data.get("render_facts")
    raw = data.get("spec", data)
    fields = set(PairSpec.model_fields)
    try:
        spec = PairSpec.model_validate({k: v for k, v in raw.items() if k in fields})
    except Exception as exc:
        raise DiffforgeError(f"{where}: not a pair spec ({type(exc).__name__})") from None
    return spec, facts


def add_colours(
    facts: dict[str, dict[str, Any]],
    ids: dict[str, int],
    images: dict[str, np.ndarray],
    masks: dict[str, np.ndarray],
) -> dict[str, dict[str, Any]]:
    """``facts`` (stored without colours: a dataset made before they were) with each visible
    object's mean CIELAB from the stored images and masks, per side."""
    for side, per in facts.items():
        if side not in images or side not in masks:
            continue
        labs = mean_labs(images[side], masks[side], max(ids.values(), default=0) + 1)
        for obj_id, f in per.items():
            idx = ids.get(obj_id)
            if f and f.get("pixels") and idx is not None and "lab" not in f:
                f["lab"] = stored_lab(labs[idx])
    return facts


def stored_colours(root: Path, rec: PairRecord, data: dict[str, Any], facts: Any) -> Any:
    """``facts`` with the objects' measured colours (``add_colours``) where the
    scene record predates them and the pair's images, masks and instance ids are on disk, so
    that re-captioning an older dataset checks colour words against its pixels too."""
    ids = data.get("instances")
    seen = [f for side in (facts or {}).values() for f in side.values() if f and f.get("pixels")]
    if not seen or not ids or all("lab" in f for f in seen):  # a new record: measured
        return facts
    images, masks = {}, {}
    for side in ("before", "after"):
        image = getattr(rec, side, None)
        mask = getattr(rec.masks, side, None) if rec.masks is not None else None
        if not image or not mask or not (root / image).is_file() or not (root / mask).is_file():
            return facts
        images[side], masks[side] = load_image(root / image), load_image(root / mask)
    return add_colours(facts, ids, images, masks)


def dataset_config(root: Path) -> GenerateConfig:
    """The resolved config recorded in dataset.json ("config"), defaults when absent."""
    try:
        meta = read_meta(root)
        return GenerateConfig.model_validate(meta.config if meta is not None else {})
    except (DatasetError, ValueError):
        return GenerateConfig()  # an older or foreign dataset.json: caption with the defaults


def _chunks(it: Iterable[PairRecord], size: int) -> Iterator[list[PairRecord]]:
    chunk: list[PairRecord] = []
    for item in it:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def caption_records(
    records: list[PairRecord],
    specs: Mapping[str, tuple[PairSpec, Mapping[str, Any] | None]],
    per_pair: int,
    resolution: tuple[int, int],
    backend: Backend,
    report: CaptionReport,
    min_pixels: int = 1,
    style: str = "concise",
    readable: Readable | None = None,
) -> list[PairRecord]:
    """New captions for a chunk of pairs.jsonl records (records without a spec are kept).

    ``min_pixels``: the fewest visible pixels that make an object a rival for uniqueness;
    ``caption_dataset`` passes the dataset's ``render.min_visible_pixels``, the rule its
    generation used, so a pair captioned at render time is never ambiguous when re-captioned.
    """
    texts, lexicons, where = [], [], []
    for r_i, rec in enumerate(records):
        pid = rec.id
        if pid not in specs:
            report.missing_scene.append(pid)
            continue
        spec, facts = specs[pid]
        caps, _ = caption_or_reason(
            spec, per_pair, resolution, facts, min_pixels, style=style, readable=readable
        )
        if caps is None:  # the quality gate's reason: keep the previous captions
            report.ambiguous.append(pid)
            continue
        lex = lexicon_for(spec)
        rec.captions = [Caption(**cap, source="template") for cap in caps]
        for c_i, cap in enumerate(rec.captions):
            texts.append(cap.text)
            lexicons.append(lex)
            where.append((r_i, c_i))
    new_texts, sources, sub = rewrite_captions(texts, lexicons, backend)
    report.rewrite.add(sub)
    report.rewrite.backend = sub.backend
    for (r_i, c_i), text, source in zip(where, new_texts, sources, strict=True):
        cap = records[r_i].captions[c_i]
        if source == "rewrite":
            cap.template = cap.text
            cap.text = text
        cap.source = source
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
    require_dataset(root)
    gen = dataset_config(root)
    cfg = cfg or gen.caption
    resolution = resolution or tuple(gen.render.resolved().resolution)
    own_backend = backend is None
    backend = backend or make_backend(cfg.rewrite)
    report = CaptionReport(rewrite=RewriteReport(backend=backend.name))
    readable = text_readability(gen)  # signs are quoted only where a viewer can read them
    try:
        with rewrite_pairs(root) as write:
            for chunk_records in _chunks(iter_pairs(root), chunk):
                specs = {}
                for rec in chunk_records:
                    data = read_scene(root, rec)
                    if data is not None:
                        spec, facts = parse_scene_record(data, rec.scene or rec.id)
                        specs[rec.id] = (spec, stored_colours(root, rec, data, facts))
                caption_records(
                    chunk_records,
                    specs,
                    cfg.per_pair,
                    resolution,
                    backend,
                    report,
                    min_pixels=gen.render.min_visible_pixels,
                    style=cfg.style,
                    readable=readable,
                )
                for rec in chunk_records:
                    write(rec)
                report.pairs += len(chunk_records)
    finally:
        if own_backend and hasattr(backend, "close"):
            backend.close()
    report.seconds = time.perf_counter() - t0
    return report


def recaption(
    directory: Path,
    rewrite: str | None = None,
    model: str | None = None,
    base_url: str | None = None,
    per_pair: int | None = None,
    concurrency: int | None = None,
    style: str | None = None,
) -> CaptionReport:
    """(Re)caption a dataset directory; options override the dataset's recorded caption config."""
    cfg = dataset_config(Path(directory)).caption
    rw = cfg.rewrite.model_dump()
    for key, value in (
        ("backend", rewrite),
        ("model", model),
        ("base_url", base_url),
        ("concurrency", concurrency),
    ):
        if value is not None:
            rw[key] = value
    try:
        cfg = CaptionConfig(
            per_pair=per_pair or cfg.per_pair,
            style=style or cfg.style,
            rewrite=RewriteConfig(**rw),
        )
    except ValidationError as exc:  # e.g. --rewrite nosuch: named as the config key it sets
        raise ConfigError(format_validation_error(exc, "caption.rewrite")) from None
    return caption_dataset(directory, cfg)
