"""Exports of a dataset directory for other tools.

* ``llava``: LLaVA/ShareGPT conversations (two ``<image>`` tags then the instruction, the
  caption as the gpt turn), one record per caption, the format OmniDiff trained on;
* ``coco``: COCO caption annotations (all captions of a pair as references), for pycocoevalcap;
* ``parquet``: a Hugging Face ``datasets`` table (image paths, captions, change types).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from diffforge.dataset import PairRecord, read_pairs
from diffforge.dataset.files import atomic_write_bytes
from diffforge.errors import DiffforgeError

INSTRUCTION = "What are the differences between the two images? Describe every change."
FORMATS = ("llava", "coco", "parquet")


def _rows(root: Path, split: str | None) -> list[PairRecord]:
    rows = read_pairs(root, split)
    if not rows:
        raise DiffforgeError(f"{root}: no pairs" + (f" in split {split!r}" if split else ""))
    return rows


def _write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(path, (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode())


def export_llava(
    root: Path, out: Path, split: str | None = None, instruction: str = INSTRUCTION
) -> int:
    """Conversation records; image paths stay relative to the dataset directory."""
    records = []
    for rec in _rows(root, split):
        for k, text in enumerate(rec.texts):
            records.append(
                {
                    "id": f"{rec.id}_{k}",
                    "image": [rec.before, rec.after],
                    "conversations": [
                        {"from": "human", "value": f"<image>\n<image>\n{instruction}"},
                        {"from": "gpt", "value": text},
                    ],
                    "split": rec.split,
                    "change_types": [c.type for c in rec.changes],
                }
            )
    _write_json(out, records)
    return len(records)


def export_coco(root: Path, out: Path, split: str | None = None) -> int:
    """COCO caption annotations: one image entry per pair, every caption as a reference."""
    images, annotations = [], []
    for rec in _rows(root, split):
        images.append({"id": rec.id, "file_name": rec.after, "before": rec.before})
        for text in rec.texts:
            annotations.append({"id": len(annotations) + 1, "image_id": rec.id, "caption": text})
    _write_json(
        out,
        {
            "info": {"description": f"diffforge captions from {root}"},
            "type": "captions",
            "images": images,
            "annotations": annotations,
        },
    )
    return len(annotations)


def export_parquet(root: Path, out: Path, split: str | None = None) -> int:
    """One row per pair, written with ``datasets`` so ``load_dataset('parquet', ...)`` reads it."""
    try:
        from datasets import Dataset
    except ImportError as exc:
        raise DiffforgeError(
            f"export --format parquet needs the [stats] extra (datasets, pyarrow): {exc}"
        ) from None
    rows = []
    for rec in _rows(root, split):
        rows.append(
            {
                "id": rec.id,
                "split": rec.split,
                "before": rec.before,  # relative to the dataset directory
                "after": rec.after,
                "captions": rec.texts,
                "referring": [
                    json.dumps(c.referring if c.referring is not None else "") for c in rec.captions
                ],
                "change_types": [c.type for c in rec.changes],
            }
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        Dataset.from_list(rows).to_parquet(str(tmp))
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)
    return len(rows)


EXPORTERS: dict[str, Callable[..., int]] = {
    "llava": export_llava,
    "coco": export_coco,
    "parquet": export_parquet,
}


def export(root: Path | str, fmt: str, out: Path | str, split: str | None = None) -> int:
    """Write ``fmt`` to ``out``; returns the number of records (captions, references or rows)."""
    if fmt not in EXPORTERS:
        raise DiffforgeError(f"export: unknown format {fmt!r}; valid: {', '.join(FORMATS)}")
    return EXPORTERS[fmt](Path(root), Path(out), split)
