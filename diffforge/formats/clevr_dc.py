"""CLEVR-DC (Kim et al., 2021): ``split.json`` {train, val, test} -> pair ids; images
``bef/<id>.png`` and ``aft/<id>.png``; a captions file maps the id string to its captions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from diffforge.formats.clevr_change import is_splits, read_captions
from diffforge.formats.errors import expect
from diffforge.formats.files import read_json
from diffforge.formats.info import FormatInfo
from diffforge.formats.records import Annotations, Entry, normalize_split

NAME = "clevr_dc"
INFO = FormatInfo(NAME, "CLEVR-DC", "clevr-dc", has_splits=True)
SPLIT_FILE = "split.json"
CAPTION_FILES = ("change_captions.json", "captions.json")


def looks_like_dir(path: Path) -> bool:
    """CLEVR-DC's ``split.json`` beside a captions file (CLEVR-Change names it ``splits.json``)."""
    return (path / SPLIT_FILE).is_file() and any((path / c).is_file() for c in CAPTION_FILES)


def read(
    path: Path, captions: Path | None = None, *, need_splits: bool = True, data: Any = None
) -> Annotations:
    """A directory, its ``split.json``, or the captions file (``data``: its parsed content)."""
    path = Path(path)
    base = path if path.is_dir() else path.parent
    split_file, split_data, cap_file, cap_data = base / SPLIT_FILE, None, None, None
    if path.is_file():
        content = read_json(path) if data is None else data
        if is_splits(content):
            split_file, split_data = path, content
        else:
            cap_file, cap_data = path, content
    if cap_file is None:
        given = Path(captions) if captions is not None else None
        cap_file = given or next((base / c for c in CAPTION_FILES if (base / c).is_file()), None)
    out = Annotations(NAME, path, base, references=[])
    caps = read_captions(cap_file, cap_data) if cap_file is not None else {}
    if cap_file is None:
        out.notes.append("captions file not found: pairs have no captions")
    split_of: dict[str, str] = {}
    if split_data is not None or need_splits or split_file.is_file():
        splits = read_json(split_file) if split_data is None else split_data
        expect(isinstance(splits, dict), split_file, "", "expected {train, val, test} -> pair ids")
        out.split_file, out.split_names = split_file, tuple(splits)
        for name, ids in splits.items():
            split = normalize_split(name)
            expect(isinstance(ids, list), split_file, split, "expected a list of pair ids")
            out.records[split] += len(ids)
            for pid in ids:
                key = str(pid)
                split_of[key] = split
                before, after = f"bef/{key}.png", f"aft/{key}.png"
                out.pairs.append(Entry(key, split, before, after, caps.get(key, ())))
    out.references = [
        Entry(k, split_of.get(k), f"bef/{k}.png", f"aft/{k}.png", c) for k, c in caps.items()
    ]
    return out
