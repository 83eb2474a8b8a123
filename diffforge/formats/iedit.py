"""Image Editing Request (Tan et al., 2019), "IEdit": ``train/valid/test.json`` =
``[{"img0", "img1", "sents", "uid"}]``, images in one folder. Some image pairs are annotated in
several entries: training merges them into one pair (id: the first uid); evaluation keeps one
reference per uid, as the authors' evaluation does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from diffforge.formats.errors import expect
from diffforge.formats.files import image_root, read_json, split_files, str_list
from diffforge.formats.info import FormatInfo
from diffforge.formats.records import Annotations, Entry, merge_repeated

NAME = "iedit"
INFO = FormatInfo(NAME, "IEdit", "iedit", has_splits=False)
SPLIT_FILES = {"train": ("train.json",), "val": ("valid.json", "val.json"), "test": ("test.json",)}


def looks_like(data: Any) -> bool:
    head = data[0] if isinstance(data, list) and data else None
    return isinstance(head, dict) and "uid" in head and "sents" in head


def _entries(file: Path, data: Any, split: str) -> list[Entry]:
    expect(isinstance(data, list), file, "", "expected a list of {img0, img1, sents, uid}")
    out = []
    for i, rec in enumerate(data):
        ok = isinstance(rec, dict) and all(k in rec for k in ("img0", "img1", "sents"))
        expect(ok, file, f"entry {i}", "expected keys img0, img1, sents")
        caps = str_list(rec["sents"], file, f"entry {i}.sents")
        uid = str(rec.get("uid", f"{split}_{i}"))
        out.append(Entry(uid, split, str(rec["img0"]), str(rec["img1"]), caps))
    return out


def read(path: Path, data: Any = None) -> Annotations:
    """A directory of the three files or one of them (``data``: its parsed content)."""
    path = Path(path)
    out = Annotations(NAME, path, image_root(path), references=[])
    for split, file in split_files(path, SPLIT_FILES).items():
        content = data if data is not None and file == path else read_json(file)
        entries = _entries(file, content, split)
        out.records[split] += len(entries)
        out.pairs += merge_repeated(entries, key="images")
        out.references += merge_repeated(entries)
    return out
