"""CLEVR-Change (Park et al., 2019): ``splits.json`` {train, val, test} -> scene indices,
``type_mapping.json`` change type -> before-image names, captions ``change_captions.json`` /
``no_change_captions.json`` (``CLEVR_default_NNNNNN.png`` -> captions).

Each scene index is two pairs: a semantic change (``sc_images``) and a distractor-only pair
(``nsc_images``). Training calls them ``"000123"`` and ``"000123_nc"``; evaluation uses the ids
of the authors' evaluation, ``"000123.png"`` and ``"000123.png_n"``, over the caption files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from diffforge.formats.errors import expect
from diffforge.formats.files import read_json, str_list
from diffforge.formats.info import FormatInfo
from diffforge.formats.records import Annotations, Entry, normalize_split

NAME = "clevr_change"
INFO = FormatInfo(NAME, "CLEVR-Change", "clevr-change", has_splits=True)
SPLITS_FILE = "splits.json"
TYPES_FILE = "type_mapping.json"
CHANGE_FILE = "change_captions.json"
NO_CHANGE_FILE = "no_change_captions.json"


def looks_like(data: Any) -> bool:
    """A caption file: image name -> list of captions."""
    return isinstance(data, dict) and bool(data) and all(isinstance(v, list) for v in data.values())


def is_splits(data: Any) -> bool:
    """Split -> scene indices (integers), as opposed to a caption file (strings)."""
    if not isinstance(data, dict) or not all(isinstance(v, list) for v in data.values()):
        return False
    values = [i for v in data.values() for i in v]
    return bool(values) and all(isinstance(i, int) for i in values)


def default_name(index: int) -> str:
    return f"CLEVR_default_{index:06d}.png"


def read_splits(file: Path, data: Any = None) -> dict[str, list[int]]:
    """Split name (as the file spells it) -> scene indices."""
    data = read_json(file) if data is None else data
    expect(isinstance(data, dict), file, "", "expected {train, val, test} -> list of indices")
    for split, indices in data.items():
        expect(isinstance(indices, list), file, split, "expected a list of integer indices")
        for idx in indices:
            expect(isinstance(idx, int), file, split, f"expected integer indices, found {idx!r}")
    return data


def read_types(file: Path) -> dict[int, tuple[str, ...]]:
    """Scene index -> change types (``type_mapping.json`` lists before-image names per type)."""
    mapping = read_json(file)
    expect(isinstance(mapping, dict), file, "", "expected change type -> list of file names")
    types: dict[int, list[str]] = {}
    for kind, names in mapping.items():
        for name in str_list(names, file, kind):
            types.setdefault(int(Path(name).stem.split("_")[-1]), []).append(kind)
    return {k: tuple(v) for k, v in types.items()}


def read_captions(file: Path, data: Any = None) -> dict[str, tuple[str, ...]]:
    """Image name (or pair id) -> captions."""
    data = read_json(file) if data is None else data
    expect(isinstance(data, dict), file, "", "expected a mapping of image names to captions")
    return {str(k): str_list(v, file, f"id {k!r}") for k, v in data.items()}


def _index(name: str) -> int | None:
    number = name.split("_")[-1].rsplit(".", 1)[0]
    return int(number) if number.isdigit() else None


def reference_id(name: str, no_change: bool) -> str:
    """The CLEVR-Change authors' evaluation id: the number part of the file name."""
    key = name.split("_")[-1]
    return key + "_n" if no_change else key


def read(
    path: Path, captions: Path | None = None, *, need_splits: bool = True, data: Any = None
) -> Annotations:
    """A directory, its ``splits.json``, or one caption file (then only that file's captions;
    ``data``: its parsed content). ``captions`` names the change-caption file when it lives
    elsewhere. ``need_splits``: a missing ``splits.json`` is an error (training needs it)."""
    path = Path(path)
    base = path if path.is_dir() else path.parent
    splits_file, splits_data = base / SPLITS_FILE, None
    caption_files: list[tuple[Path, bool, Any]] = []
    if path.is_file():
        content = read_json(path) if data is None else data
        if is_splits(content):
            splits_file, splits_data = path, content
        else:
            caption_files = [(path, "no_change" in path.name, content)]
    if not caption_files:
        change = Path(captions) if captions is not None else base / CHANGE_FILE
        for file, no_change in ((change, False), (base / NO_CHANGE_FILE, True)):
            if file.is_file() or (file == change and captions is not None):
                caption_files.append((file, no_change, None))
    out = Annotations(NAME, path, base, references=[])
    splits: dict[str, list[int]] = {}
    if splits_data is not None or need_splits or splits_file.is_file():
        splits = read_splits(splits_file, splits_data)
        out.split_file, out.split_names = splits_file, tuple(splits)
    types = read_types(base / TYPES_FILE) if (base / TYPES_FILE).is_file() else {}
    texts = {nc: read_captions(f, d) for f, nc, d in caption_files}
    if False not in texts:
        out.notes.append(f"{CHANGE_FILE} not found: pairs have no captions")
    split_of: dict[int, str] = {}
    for name, indices in splits.items():
        split = normalize_split(name)
        out.records[split] += len(indices)
        for idx in indices:
            split_of[idx] = split
            before = f"images/{default_name(idx)}"
            out.pairs.append(
                Entry(
                    f"{idx:06d}",
                    split,
                    before,
                    f"sc_images/CLEVR_semantic_{idx:06d}.png",
                    texts.get(False, {}).get(default_name(idx), ()),
                    types.get(idx, ("change",)),
                )
            )
            out.pairs.append(
                Entry(
                    f"{idx:06d}_nc",
                    split,
                    before,
                    f"nsc_images/CLEVR_nonsemantic_{idx:06d}.png",
                    texts.get(True, {}).get(default_name(idx), ()),
                    ("none",),
                )
            )
    for no_change, by_name in texts.items():
        for name, caps in by_name.items():
            idx = _index(name)
            kinds = ("none",) if no_change else types.get(idx, ()) if idx is not None else ()
            out.references.append(
                Entry(reference_id(name, no_change), split_of.get(idx), name, name, caps, kinds)
            )
    return out
