"""LLaVA-style conversations over two images (OmniDiff's training JSON): ``[{id, image: [a, b],
conversations: [{from: human, value: "<image>\\n<image>\\n..."}, {from: gpt, value}]}]``, as JSON
or JSONL. The first gpt turn is the caption, the first human turn the pair's own prompt; the split
is a record's ``split`` or the one the file name contains."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from diffforge.formats.errors import expect
from diffforge.formats.files import read_json, read_jsonl
from diffforge.formats.records import Annotations, Entry, normalize_split

NAME = "llava"
_IMAGE_TAG = re.compile(r"<image>\s*")


def looks_like(data: Any) -> bool:
    head = data[0] if isinstance(data, list) and data else None
    return isinstance(head, dict) and "conversations" in head


def _split_from_name(file: Path) -> str:
    return next((s for s in ("train", "val", "test") if s in file.stem.lower()), "train")


def _turns(turns: list, roles: tuple[str, ...]) -> list[str]:
    return [t["value"] for t in turns if isinstance(t, dict) and t.get("from") in roles]


def read(path: Path, data: Any = None) -> Annotations:
    """The JSON or JSONL file (``data``: its parsed content)."""
    path = Path(path)
    expect(path.is_file(), path, "", "file not found")
    if data is None:
        data = [v for _, v in read_jsonl(path)] if path.suffix == ".jsonl" else read_json(path)
    expect(isinstance(data, list), path, "", "expected a list of conversation records")
    out = Annotations(NAME, path, path.parent)
    default_split = _split_from_name(path)
    for i, rec in enumerate(data):
        where = f"record {i}"
        ok = isinstance(rec, dict) and "conversations" in rec
        expect(ok, path, where, "expected keys image, conversations")
        imgs = rec.get("image", rec.get("images"))
        ok = isinstance(imgs, list) and len(imgs) == 2
        expect(ok, path, where, "expected two images (a list of 2 paths)")
        turns = rec["conversations"]
        expect(isinstance(turns, list), path, where, "conversations must be a list")
        answers = [a.strip() for a in _turns(turns, ("gpt", "assistant"))]
        prompts = [_IMAGE_TAG.sub("", p).strip() for p in _turns(turns, ("human", "user"))]
        expect(bool(answers), path, where, "no gpt turn")
        split = normalize_split(rec.get("split", default_split))
        out.records[split] += 1
        out.pairs.append(
            Entry(
                str(rec.get("id", i)),
                split,
                str(imgs[0]),
                str(imgs[1]),
                tuple(answers[:1]),
                prompt=prompts[0] if prompts else None,
            )
        )
    return out
