"""LLaVA-style conversations over two images (OmniDiff's training JSON): ``[{id, image: [a, b],
conversations: [{from: human, value: "<image>\\n<image>\\n..."}, {from: gpt, value}, ...]}]``,
as JSON or JSONL (``images`` for ``image``, ``user``/``assistant`` for ``human``/``gpt``).

The first gpt turn is the pair's caption (the reference evaluation uses), the first human turn
its own prompt. A conversation with more turns keeps all of them, in order, as (human, gpt)
exchanges: training learns every gpt turn. The split is a record's ``split`` or the one the file
name contains; a record's ``subset`` (or ``source``: OmniDiff's ``Real`` / ``Render``) is kept
for per-subset evaluation."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from diffforge.formats.errors import expect
from diffforge.formats.files import read_json, read_jsonl
from diffforge.formats.info import FormatInfo
from diffforge.formats.records import Annotations, Entry, normalize_split

NAME = "llava"
INFO = FormatInfo(NAME, "OmniDiff (LLaVA JSON)", "llava", has_splits=True)
_IMAGE_TAG = re.compile(r"<image>\s*")


def looks_like(data: Any) -> bool:
    head = data[0] if isinstance(data, list) and data else None
    return isinstance(head, dict) and "conversations" in head


def _split_from_name(file: Path) -> str:
    return next((s for s in ("train", "val", "test") if s in file.stem.lower()), "train")


HUMAN, GPT = ("human", "user"), ("gpt", "assistant")


def _exchanges(turns: list, file: Path, where: str) -> list[tuple[str, str]]:
    """(human, gpt) pairs in order; consecutive turns of one side are joined by a newline."""
    out: list[list[str]] = []
    for n, t in enumerate(turns):
        ok = (
            isinstance(t, dict) and t.get("from") in HUMAN + GPT and isinstance(t.get("value"), str)
        )
        expect(ok, file, f"{where}.conversations.{n}", "expected {from: human|gpt, value: text}")
        value = t["value"]
        if t["from"] in HUMAN:
            value = _IMAGE_TAG.sub("", value).strip()
            if out and out[-1][1] == "":
                out[-1][0] = f"{out[-1][0]}\n{value}".strip()
            else:
                out.append([value, ""])
        elif not out:
            out.append(["", value.strip()])
        else:
            out[-1][1] = f"{out[-1][1]}\n{value.strip()}".strip()
    return [(h, g) for h, g in out if g]


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
        exchanges = _exchanges(turns, path, where)
        expect(bool(exchanges), path, where, "no gpt turn")
        split = normalize_split(rec.get("split", default_split))
        subset = rec.get("subset", rec.get("source"))
        out.records[split] += 1
        out.pairs.append(
            Entry(
                str(rec.get("id", i)),
                split,
                str(imgs[0]),
                str(imgs[1]),
                (exchanges[0][1],),
                prompt=exchanges[0][0] or None,
                subset=str(subset) if subset not in (None, "") else None,
                turns=tuple(exchanges) if len(exchanges) > 1 else (),
            )
        )
    return out
