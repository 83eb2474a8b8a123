"""Spot-the-Diff (Jhamtani & Berg-Kirkpatrick, 2018): ``{split}.json`` = ``[{"img_id",
"sentences"}]``; images ``<img_id>.png`` (before) and ``<img_id>_2.png`` (after). An img_id can
appear in several entries: their sentences are merged, for training and evaluation alike."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from diffforge.formats.errors import expect
from diffforge.formats.files import image_root, read_json, split_files, str_list
from diffforge.formats.info import FormatInfo
from diffforge.formats.records import SPLITS, Annotations, Entry, merge_repeated

NAME = "spot_the_diff"
INFO = FormatInfo(NAME, "Spot-the-Diff", "spot-the-diff", has_splits=False)


def looks_like(data: Any) -> bool:
    head = data[0] if isinstance(data, list) and data else None
    return isinstance(head, dict) and "img_id" in head and "sentences" in head


def _entries(file: Path, data: Any, split: str) -> list[Entry]:
    expect(isinstance(data, list), file, "", "expected a list of {img_id, sentences}")
    out = []
    for i, rec in enumerate(data):
        expect(
            isinstance(rec, dict) and "img_id" in rec and "sentences" in rec,
            file,
            f"entry {i}",
            "expected keys img_id, sentences",
        )
        img_id = str(rec["img_id"])
        caps = str_list(rec["sentences"], file, f"entry {i}.sentences")
        out.append(Entry(img_id, split, f"{img_id}.png", f"{img_id}_2.png", caps))
    return out


def read(path: Path, data: Any = None) -> Annotations:
    """A directory of ``train/val/test.json`` or one such file (``data``: its parsed content)."""
    path = Path(path)
    out = Annotations(NAME, path, image_root(path))
    for split, file in split_files(path, {s: (f"{s}.json",) for s in SPLITS}).items():
        content = data if data is not None and file == path else read_json(file)
        entries = _entries(file, content, split)
        out.records[split] += len(entries)
        out.pairs += merge_repeated(entries)
    return out
