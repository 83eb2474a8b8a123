"""A render run's records for the dataset package: its ``dataset.json`` metadata and one
``PairRecord`` per rendered pair, built from the run's results (the record types themselves are
``diffforge/dataset/records.py``)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from diffforge.config import GenerateConfig
from diffforge.dataset import DatasetMeta, Failure, PairRecord, pair_paths
from diffforge.dataset.splits import split_for
from diffforge.render.settings import RenderSettings


def fingerprint(cfg: GenerateConfig, settings: RenderSettings) -> str:
    """What decides a pair's content: the config (minus render knobs that don't) + the preset."""
    data = cfg.model_dump(mode="json")
    data["render"] = {
        "resolution": list(settings.resolution),
        "samples": settings.samples,
        "denoise": settings.denoise,
        "denoise_quality": settings.denoise_quality if settings.denoise else None,
        "engine": settings.engine,
        "depth": settings.depth,
        "min_visible_pixels": settings.min_visible_pixels,
        "world_map_resolution": settings.world_map_resolution,  # HDRI noise pattern
    }
    blob = json.dumps(data, sort_keys=True).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


def dataset_base(cfg: GenerateConfig, settings: RenderSettings) -> DatasetMeta:
    """The parts of dataset.json a run fixes up front (counts come from the records later)."""
    return DatasetMeta(
        engine={"name": settings.engine, "blender": None},
        seed=cfg.seed,
        config=cfg.model_dump(mode="json"),
        render={
            "resolution": list(settings.resolution),
            "samples": settings.samples,
            "denoise": settings.denoise,
            "engine": settings.engine,
        },
        fingerprint=fingerprint(cfg, settings),
    )


def pair_record(
    cfg: GenerateConfig, result: dict[str, Any], captions: list[dict[str, Any]] | None
) -> PairRecord:
    """The pairs.jsonl record of a worker's finished pair (its files are already written)."""
    paths = pair_paths(result["id"])
    measures = result.get("measures") or [{}] * len(result["changes"])
    changes = [
        {**c, "tiers": m} if m else c for c, m in zip(result["changes"], measures, strict=True)
    ]
    extra = {"distractors": result["distractors"]} if "distractors" in result else {}
    return PairRecord(
        id=result["id"],
        index=result["index"],
        split=split_for(cfg.seed, result["index"], cfg.splits),
        before=paths["before"],
        after=paths["after"],
        changes=changes,
        captions=captions or [],
        scene=paths["scene"],
        masks={
            "before": paths["mask_before"],
            "after": paths["mask_after"],
            "change": paths["mask_change"],
        },
        attempt=result.get("attempt", 0),
        resampled=result.get("resampled", []),
        rejected=result.get("rejected_attempts", 0),
        **extra,
    )


def failure(result: dict[str, Any]) -> Failure:
    return Failure(index=result["index"], status=result["status"], reason=result.get("reason", ""))
