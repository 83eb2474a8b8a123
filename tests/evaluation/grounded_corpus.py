"""Pair records for the grounded-evaluation tests, made without rendering: sampled specs
(configs/default.yaml and the CLEVR-like example, predicted render facts) and the synthetic
sign-text specs, captioned by the real captioner in both styles, as ``generate`` would record
them (change records + captions with their change parts)."""

from __future__ import annotations

import functools
from pathlib import Path

from diffforge.captioner.compose import caption_or_reason
from diffforge.captioner.synthetic import synthetic_spec
from diffforge.config import load_config
from diffforge.dataset import PairRecord
from diffforge.render.facts import predicted_facts
from diffforge.scenes.sampler import PairSampler, text_readability

REPO = Path(__file__).resolve().parents[2]


def scene_of(spec) -> dict:
    """The part of a scene record (scenes/<id>.json) the checklist reads: the pair spec."""
    return {"spec": spec.model_dump(mode="json")}


def _record(spec, captions) -> PairRecord:
    return PairRecord(
        id=spec.id,
        before=f"images/{spec.id}_before.png",
        after=f"images/{spec.id}_after.png",
        changes=[c.model_dump(mode="json") for c in spec.changes],
        captions=captions,
    )


CONFIGS = {"default": "configs/default.yaml", "clevr": "configs/examples/clevr_like.yaml"}


@functools.lru_cache(maxsize=4)
def _sampler(source: str):
    cfg = load_config(REPO / CONFIGS[source])
    return cfg, PairSampler(cfg), text_readability(cfg)


def record_for(source: str, index: int) -> tuple[PairRecord, dict]:
    """Pair ``index`` of ``source`` (default, clevr: sampled; text: the index-th synthetic
    spec with a text change), captioned in both styles."""
    if source == "text":
        i = taken = 0
        while True:
            spec = synthetic_spec(i)
            i += 1
            if any(c.type == "text" for c in spec.changes):
                if taken == index:
                    break
                taken += 1
        caps = []
        for style in ("concise", "rich"):
            got, _ = caption_or_reason(spec, 2, style=style)
            caps += got or []
        return _record(spec, caps), scene_of(spec)
    cfg, sampler, readable = _sampler(source)
    resolution = tuple(cfg.render.resolved().resolution)
    spec = sampler.sample(index)
    facts = predicted_facts(spec, resolution, cfg.visibility.predict_fill)
    caps = []
    for style in ("concise", "rich"):
        got, _ = caption_or_reason(
            spec, 2, style=style, resolution=resolution, facts=facts, readable=readable
        )
        caps += got or []
    return _record(spec, caps), scene_of(spec)


@functools.lru_cache(maxsize=4)
def corpus(default: int = 60, clevr: int = 20, synthetic: int = 8) -> tuple[PairRecord, ...]:
    """Records of ``default`` + ``clevr`` sampled specs and ``synthetic`` text-change specs;
    each with two captions per style (concise and rich)."""
    out: list[PairRecord] = []
    for path, n in (("configs/default.yaml", default), ("configs/examples/clevr_like.yaml", clevr)):
        cfg = load_config(REPO / path)
        resolution = tuple(cfg.render.resolved().resolution)
        sampler, readable = PairSampler(cfg), text_readability(cfg)
        for i in range(n):
            spec = sampler.sample(i)
            facts = predicted_facts(spec, resolution, cfg.visibility.predict_fill)
            caps = []
            for style in ("concise", "rich"):
                got, _ = caption_or_reason(
                    spec, 2, style=style, resolution=resolution, facts=facts, readable=readable
                )
                caps += got or []
            if caps:
                out.append(_record(spec, caps))
    i = taken = 0
    while taken < synthetic:
        spec = synthetic_spec(i)
        i += 1
        if any(c.type == "text" for c in spec.changes):
            caps = []
            for style in ("concise", "rich"):
                got, _ = caption_or_reason(spec, 2, style=style)
                caps += got or []
            out.append(_record(spec, caps))
            taken += 1
    return tuple(out)


def write_dataset(root: Path, names: list[str], split: str = "test") -> Path:
    """A dataset directory (pairs.jsonl, scenes/<id>.json, dataset.json; no images) of the
    named pairs ("default:5", frozen in tests/data/grounded_pairs.json.gz), ids made unique
    ("default-5")."""
    import json

    from grounded_pairs import pair  # the frozen records the labels and tests name

    (root / "scenes").mkdir(parents=True, exist_ok=True)
    lines = []
    for name in names:
        rec, scene = pair(name)
        pid = name.replace(":", "-")
        rec = rec.model_copy(update={"id": pid, "split": split, "scene": f"scenes/{pid}.json"})
        (root / "scenes" / f"{pid}.json").write_text(json.dumps(scene))
        lines.append(rec.to_line())
    (root / "pairs.jsonl").write_text("\n".join(lines) + "\n")
    (root / "dataset.json").write_text(json.dumps({"format": "diffforge-dataset/1"}))
    return root
