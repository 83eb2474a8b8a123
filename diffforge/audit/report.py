"""The audit of one dataset: numbers (``audit_dataset``), text (``format_report``), files
(``write_audit``: audit.json and plots)."""

from __future__ import annotations

import json
import re
import statistics
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from diffforge.audit.diversity import diversity, diversity_lines
from diffforge.audit.text_reads import text_reads
from diffforge.captioner.lint import lint_record
from diffforge.config import VisibilityConfig
from diffforge.dataset import DatasetError, read_meta, read_pairs, read_scene
from diffforge.dataset.mix import MixTally, mix_lines, scene_layout
from diffforge.render.facts import is_scene_wide
from diffforge.render.gates import NIGHT_DARK_SHARE
from diffforge.srgb import luma

# A frame is near-black below this mean luminance (0..255; a third of it for night streets,
# dark by design), clipped above this share of saturated pixels.
BLACK_LUMA = 10.0
CLIPPED_SHARE = 0.25
_WORD = re.compile(r"[a-z]+(?:['-][a-z]+)*")


def _targets(change: dict[str, Any]) -> list[str]:
    out = list(change.get("targets") or [])
    for side in ("before", "after"):
        value = (change.get(side) or {}).get("id")
        if isinstance(value, str) and value not in out:
            out.append(value)
    return out


def _image_stats(path: Path) -> tuple[float, float]:
    """(mean luminance 0..255, share of pixels with a channel at 255)."""
    try:
        with Image.open(path) as im:
            img = np.asarray(im.convert("RGB"), dtype=np.float32)
    except (OSError, ValueError, SyntaxError) as exc:
        raise DatasetError(
            f"{path}: cannot be decoded ({exc}); `diffforge dataset check` names every bad file"
        ) from None
    return float(luma(img).mean()), float((img.max(axis=-1) >= 254.5).mean())


def _quantiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {"n": 0}
    a = np.asarray(values, dtype=float)
    return {
        "n": len(values),
        "min": float(a.min()),
        "p10": float(np.percentile(a, 10)),
        "median": float(np.median(a)),
        "mean": float(a.mean()),
        "p90": float(np.percentile(a, 90)),
        "max": float(a.max()),
    }


def audit_dataset(
    root: Path | str,
    visibility: VisibilityConfig | None = None,
    mix: tuple[dict[str, float], dict[int, float], dict[str, float]] | None = None,
) -> dict[str, Any]:
    """Every audit number of one dataset, as a JSON-ready dict. ``mix``: the configured change
    weights, per_pair and layout weights (default: dataset.json's config, where it names
    them)."""
    root = Path(root)
    recs = read_pairs(root)
    meta = read_meta(root)
    if visibility is None:
        cfg = (meta.config or {}).get("visibility") if meta is not None else None
        visibility = VisibilityConfig.model_validate(cfg or {})
    min_fraction = visibility.min_target_fraction
    min_visible = int((meta.render or {}).get("min_visible_pixels", 12)) if meta else 12

    areas: dict[str, list[float]] = defaultdict(list)
    object_changes = above = 0
    small: list[dict[str, Any]] = []
    black: list[str] = []
    clipped: list[str] = []
    in_view: list[int] = []
    rejected = 0
    reasons: Counter[str] = Counter()
    lengths: list[int] = []
    texts: list[str] = []
    lint: Counter[str] = Counter()
    lint_examples: list[dict[str, str]] = []
    sources: Counter[str] = Counter()  # template, rewrite, rejected (by the fact guard), failed
    frame = None
    types: Counter[str] = Counter()
    tally = MixTally()
    scenes: list[tuple[Any, dict[str, Any]]] = []
    for rec in recs:
        scene = read_scene(root, rec) or {}
        scenes.append((rec, scene))
        fallbacks = (scene.get("spec") or {}).get("fallbacks") or []
        tally.add((c.type for c in rec.changes), fallbacks, scene_layout(scene))
        facts = scene.get("facts") or {}
        size = scene.get("image_size")
        env = ((scene.get("spec") or {}).get("before") or {}).get("environment") or {}
        night = env.get("time_of_day") == "night"
        for side in ("before", "after"):
            mean_luma, sat = _image_stats(root / getattr(rec, side))
            if mean_luma < (BLACK_LUMA * NIGHT_DARK_SHARE if night else BLACK_LUMA):
                black.append(f"{rec.id}:{side}")
            if sat > CLIPPED_SHARE:
                clipped.append(f"{rec.id}:{side}")
        if size is None:
            with Image.open(root / rec.before) as im:
                size = list(im.size)
        frame = tuple(size)
        area_px = size[0] * size[1]
        before_facts = facts.get("before") or {}
        in_view.append(sum(1 for f in before_facts.values() if f and f["pixels"] >= min_visible))
        rejected += (
            rec.rejected
            if rec.rejected is not None
            else int(scene.get("rejected_renders", rec.rejected_attempts))
        )
        reasons.update(r.split(" (")[0] for r in rec.resampled)
        for change in rec.changes:
            c = change.to_dict() if hasattr(change, "to_dict") else dict(change)
            kind = c.get("type", "unknown")
            types[kind] += 1
            if kind == "none" or is_scene_wide(kind):  # no target to see
                continue
            seen = []
            for target in _targets(c):
                for side in ("before", "after"):
                    f = (facts.get(side) or {}).get(target)
                    if f is not None:
                        seen.append(f["pixels"] / area_px)
            if not seen:
                continue
            frac = min(seen)
            object_changes += 1
            areas[kind].append(frac)
            if frac >= min_fraction:
                above += 1
            else:
                small.append({"id": rec.id, "type": kind, "fraction": round(frac, 5)})
        for cap in rec.captions:
            d = cap.model_dump() if hasattr(cap, "model_dump") else dict(cap)
            sources[d.get("source") or "template"] += 1
            texts.append(d["text"])
            lengths.append(len(d["text"].split()))
            for hit in lint_record(d):
                lint[hit.rule] += 1
                if len(lint_examples) < 20:
                    lint_examples.append({"id": rec.id, "rule": hit.rule, "detail": hit.detail})
    pairs = len(recs)
    tried = sources["rewrite"] + sources["rejected"]  # answers the fact guard judged
    words = [w for t in texts for w in _WORD.findall(t.lower())]
    grams = [tuple(words[i : i + 4]) for i in range(len(words) - 3)]
    attempts = pairs + rejected
    return {
        "dataset": str(root),
        "pairs": pairs,
        "frame": list(frame) if frame else None,
        "change_types": dict(sorted(types.items())),
        "mix": tally.report(*(mix or _configured(meta))).as_dict(),
        "visibility": {
            "min_target_fraction": min_fraction,
            "target_pixels": visibility.target_pixels(frame) if frame else None,
            "object_changes": object_changes,
            "visible_target_share": (above / object_changes) if object_changes else None,
            "below_threshold": small,
            "target_area_per_type": {k: _quantiles(v) for k, v in sorted(areas.items())},
        },
        "images": {
            "near_black": black,
            "clipped": clipped,
            "objects_in_view": _quantiles([float(n) for n in in_view]),
        },
        "resampling": {
            "rendered_attempts": attempts,
            "rejected_attempts": rejected,
            "rate": rejected / attempts if attempts else None,
            "reasons": dict(reasons.most_common()),
            "failed": int((meta.counts or {}).get("failed", 0)) if meta else 0,
        },
        "captions": {
            "count": len(texts),
            "words": _quantiles([float(n) for n in lengths]),
            "distinct_share": len(set(texts)) / len(texts) if texts else None,
            "vocabulary": len(set(words)),
            "distinct_4gram_share": len(set(grams)) / len(grams) if grams else None,
            "median_words": statistics.median(lengths) if lengths else None,
            "length_histogram": {str(k): n for k, n in sorted(Counter(lengths).items())},
        },
        "text": text_reads(root, scenes),
        "diversity": diversity(scene["spec"] for _, scene in scenes if scene.get("spec")),
        "lint": {"hits": sum(lint.values()), "by_rule": dict(lint), "examples": lint_examples},
        "rewrite": {
            "kept": sources["rewrite"],
            "rejected": sources["rejected"],
            "failed": sources["failed"],
            "acceptance_rate": sources["rewrite"] / tried if tried else None,
        },
    }


def _configured(meta) -> tuple[dict[str, float], dict[int, float], dict[str, float]]:
    """The mix dataset.json's config names (empty weights where it left the defaults)."""
    config = (meta.config if meta is not None else None) or {}
    changes = config.get("changes") or {}
    layouts = (config.get("scene") or {}).get("layouts") or {}
    return changes.get("weights") or {}, changes.get("per_pair") or {}, layouts


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{100 * x:.1f} %"


def _text_lines(t: dict[str, Any]) -> list[str]:
    if not t.get("available"):
        return ["text changes: not read (needs Tesseract)"] if t else []
    if not t["changes"]:
        return []
    return [
        f"text changes: {t['changes']}; every string read by OCR and quoted in the first "
        f"caption: {_pct(t['read_and_quoted_share'])} (strings read {_pct(t['read_share'])}, "
        f"quoted {_pct(t['quoted_share'])} of {t['strings']})"
    ]


def format_report(a: dict[str, Any]) -> str:
    """The audit as plain text lines (what the command prints)."""
    v, im, rs, cp = a["visibility"], a["images"], a["resampling"], a["captions"]
    lines = [
        f"audit of {a['dataset']}: {a['pairs']} pairs, frame {a['frame']}",
        f"object changes with a visible target >= {100 * v['min_target_fraction']:.2f} % of "
        f"the frame: {_pct(v['visible_target_share'])} of {v['object_changes']}"
        f" (gate: {v['target_pixels']} px)",
        "target area (share of frame) per change type: median [p10, min]",
    ]
    lines[1:1] = mix_lines(a["mix"]) if "mix" in a else []
    for kind, q in v["target_area_per_type"].items():
        lines.append(
            f"  {kind:<12} n={q['n']:<3} {_pct(q['median'])} [{_pct(q['p10'])}, {_pct(q['min'])}]"
        )
    lines += [
        f"near-black images: {len(im['near_black'])}; clipped images: {len(im['clipped'])}",
        f"objects in view (before): median {im['objects_in_view'].get('median', 'n/a')}",
        f"resampled attempts: {rs['rejected_attempts']} of {rs['rendered_attempts']} rendered "
        f"({_pct(rs['rate'])}); failed pairs: {rs['failed']}",
    ]
    if rs["reasons"]:
        lines.append("  reasons: " + ", ".join(f"{k} x{n}" for k, n in rs["reasons"].items()))
    w = {k: f"{v:.1f}" for k, v in cp["words"].items() if isinstance(v, float | int)}
    lines += [
        f"captions: {cp['count']}, words median {w.get('median', 'n/a')} "
        f"(p10 {w.get('p10', 'n/a')}, p90 {w.get('p90', 'n/a')}); distinct "
        f"{_pct(cp['distinct_share'])}; vocabulary {cp['vocabulary']}; distinct 4-grams "
        f"{_pct(cp['distinct_4gram_share'])}",
        *_text_lines(a.get("text") or {}),
        *diversity_lines(a.get("diversity") or {}),
        f"linter hits: {a['lint']['hits']} {a['lint']['by_rule'] or ''}".rstrip(),
    ]
    rw = a.get("rewrite") or {}
    if rw.get("kept") or rw.get("rejected") or rw.get("failed"):
        lines.append(
            f"LLM rewrites: {rw['kept']} kept, {rw['rejected']} rejected by the fact guard "
            f"(acceptance rate {_pct(rw['acceptance_rate'])}), {rw['failed']} failed "
            "(template kept)"
        )
    else:
        lines.append("LLM rewrites: none (template captions)")
    return "\n".join(lines)


def write_audit(a: dict[str, Any], out: Path | str) -> list[Path]:
    """audit.json, target_area.png and caption_words.png under ``out``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    files = [out / "audit.json"]
    files[0].write_text(json.dumps(a, indent=1))
    fig, ax = plt.subplots(figsize=(7, 4), dpi=110)
    kinds = list(a["visibility"]["target_area_per_type"])
    med = [100 * a["visibility"]["target_area_per_type"][k].get("median", 0) for k in kinds]
    lo = [100 * a["visibility"]["target_area_per_type"][k].get("min", 0) for k in kinds]
    x = np.arange(len(kinds))
    ax.bar(x - 0.2, med, 0.4, label="median")
    ax.bar(x + 0.2, lo, 0.4, label="min")
    ax.axhline(100 * a["visibility"]["min_target_fraction"], color="red", lw=1, label="threshold")
    ax.set_xticks(x, kinds, rotation=40, ha="right")
    ax.set_yscale("log")
    ax.set_ylabel("visible target, % of frame")
    ax.legend()
    fig.tight_layout()
    fig.savefig(out / "target_area.png")
    plt.close(fig)
    files.append(out / "target_area.png")
    fig, ax = plt.subplots(figsize=(7, 3.5), dpi=110)
    hist = {int(k): n for k, n in a["captions"]["length_histogram"].items()}
    ax.bar(list(hist), list(hist.values()), width=1.0)
    ax.set_xlabel("words per caption")
    ax.set_ylabel("captions")
    fig.tight_layout()
    fig.savefig(out / "caption_words.png")
    plt.close(fig)
    files.append(out / "caption_words.png")
    return files
