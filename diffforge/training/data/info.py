"""``diffforge data info CONFIG``: what a training mixture holds, laid out like the seed's
Table 9 (image pairs and captions per dataset, and in total).

The seed counts every caption as a sample (CLEVR-Change 71k pairs / 444k captions, all sources
145k / 896k). Its counts match the **train + val** splits of the released files (CLEVR-Change
71,636 pairs, CLEVR-DC 43,200, Spot-the-Diff 20,986 captions, IEdit 4,210 captions), so a source
with ``split: train+val`` reproduces them. Spot-the-Diff's "11k" are its annotation records
(11,158; ``records`` in the JSON): an img_id annotated twice is one pair here (10,059). Pairs and captions here are what the annotation files
state; ``samples`` is what one epoch of the mixture draws (usable pairs only: both images on disk,
times the source's weight and cap).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from diffforge.training.data import load_pairs
from diffforge.training.data.base import split_names
from diffforge.training.data.mixture import Source, source_count
from diffforge.training.data.prompts import prompts_for

if TYPE_CHECKING:
    from diffforge.training.config import DataConfig

COLUMNS = ("pairs", "captions", "samples")


def mixture_info(cfg: DataConfig) -> dict[str, Any]:
    """Per source: its split(s), annotated pairs and captions, usable pairs, epoch samples."""
    rows = []
    for s in cfg.sources:
        loaded = load_pairs(s.format, s.path, s.images)
        names = split_names(s.split)
        usable = loaded.split(s.split)
        src = Source(s.label, usable, prompts_for(s.format, s.prompts), s.weight, s.cap,
                     s.swap_prob, s.captions)  # fmt: skip
        rows.append({
            "source": s.label, "format": s.format, "path": str(s.path), "split": s.split,
            "captions_mode": s.captions, "weight": s.weight, "cap": s.cap,
            "records": sum(loaded.entries[n] for n in names),
            "pairs": sum(loaded.annotated[n] for n in names),
            "captions": sum(loaded.captions[n] for n in names),
            "usable_pairs": len(usable),
            "missing_images": sum(loaded.missing[n] for n in names),
            "samples": source_count(src),
            "notes": list(loaded.notes),
        })  # fmt: skip
    total = {k: sum(r[k] for r in rows) for k in ("pairs", "captions", "usable_pairs", "samples")}
    return {"sources": rows, "total": total}


def format_mixture(info: dict[str, Any]) -> str:
    """The Table 9 layout: one row per dataset, then all (exact counts)."""
    head = ("dataset", "split", "image pairs", "captions", "samples / epoch")
    rows = [head]
    for r in [*info["sources"], {"source": "all", "split": "", **info["total"]}]:
        rows.append((
            r["source"], r["split"], f"{r['pairs']:,}", f"{r['captions']:,}", f"{r['samples']:,}",
        ))  # fmt: skip
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    lines = [
        "  ".join(v.rjust(w) if i >= 2 else v.ljust(w) for i, (v, w) in enumerate(zip(row, widths, strict=True))).rstrip()
        for row in rows
    ]  # fmt: skip
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.insert(-1, lines[1])
    for r in info["sources"]:
        missing = r["missing_images"]
        if missing:
            lines.append(f"note: {r['source']}: {missing:,} pairs lack an image (not sampled)")
        lines += [f"note: {r['source']}: {n}" for n in r["notes"]]
    lines.append("samples / epoch: every caption of every usable pair once (captions: all), "
                 "times the source's weight, at most its cap")  # fmt: skip
    return "\n".join(lines)
