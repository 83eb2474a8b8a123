"""Exports of a dataset directory for other tools.

* ``llava``: LLaVA/ShareGPT conversations (two ``<image>`` tags then the instruction, the
  caption as the gpt turn), one record per caption, the format OmniDiff trained on;
* ``coco``: COCO caption annotations (all captions of a pair as references), for pycocoevalcap;
* ``parquet``: a Hugging Face ``datasets`` table (images embedded as ``datasets.Image``,
  captions, referring parts, change types);
* ``checklist``: JSONL, per pair the changes a caption should find (type, object, before and
  after values, difficulty tiers), for grounded evaluation in other tools.
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
from diffforge.formats.checklist import export_checklist

INSTRUCTION = "What are the differences between the two images? Describe every change."
FORMATS = ("llava", "coco", "parquet", "checklist")


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


def _referring(value: Any) -> list[str]:
    """A caption's referring part(s) as a list of strings (one per target)."""
    if isinstance(value, str):
        return [value]
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def export_parquet(root: Path, out: Path, split: str | None = None) -> int:
    """One row per pair, written with ``datasets``: ``before``, ``after`` and ``change_mask``
    are ``datasets.Image`` columns with the PNG bytes embedded (the file stands alone and
    ``load_dataset('parquet', ...)`` decodes them to PIL images); ``referring`` holds, per
    caption, its referring parts as a list of strings."""
    try:
        from datasets import Dataset, Features, Image, Sequence, Value
    except ImportError as exc:
        raise DiffforgeError(
            f"export --format parquet needs the [stats] extra (datasets, pyarrow): {exc}"
        ) from None

    def image(rel: str | None) -> dict[str, Any] | None:
        if rel is None:
            return None
        try:
            return {"bytes": (root / rel).read_bytes(), "path": rel}
        except OSError as exc:
            raise DiffforgeError(f"{root / rel}: cannot read ({exc.strerror})") from None

    features = Features(
        {
            "id": Value("string"),
            "split": Value("string"),
            "before": Image(),
            "after": Image(),
            "change_mask": Image(),
            "captions": Sequence(Value("string")),
            "referring": Sequence(Sequence(Value("string"))),
            "change_types": Sequence(Value("string")),
        }
    )
    rows = [
        {
            "id": rec.id,
            "split": rec.split,
            "before": image(rec.before),
            "after": image(rec.after),
            "change_mask": image(rec.change_mask),
            "captions": rec.texts,
            "referring": [_referring(c.referring) for c in rec.captions],
            "change_types": [c.type for c in rec.changes],
        }
        for rec in _rows(root, split)
    ]
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        Dataset.from_list(rows, features=features).to_parquet(str(tmp))
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)
    return len(rows)


EXPORTERS: dict[str, Callable[..., int]] = {
    "llava": export_llava,
    "coco": export_coco,
    "parquet": export_parquet,
    "checklist": export_checklist,  # per pair, the changes to find (formats/checklist.py)
}


def export(root: Path | str, fmt: str, out: Path | str, split: str | None = None) -> int:
    """Write ``fmt`` to ``out``; returns the number of records (captions, references or rows)."""
    if fmt not in EXPORTERS:
        raise DiffforgeError(f"export: unknown format {fmt!r}; valid: {', '.join(FORMATS)}")
    out = Path(out)
    if out.is_dir():
        raise DiffforgeError(f"--out {out}: is a directory; name a file")
    try:
        return EXPORTERS[fmt](Path(root), out, split)
    except OSError as exc:  # an unwritable place: a folder without permission, a read-only disk
        where = exc.filename if exc.filename else out
        raise DiffforgeError(
            f"--out {out}: cannot write ({exc.strerror or exc}: {where})"
        ) from None
