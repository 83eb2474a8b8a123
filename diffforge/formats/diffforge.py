"""Our dataset directory, read only through ``diffforge.dataset`` (the one place that knows its
files); its errors become this package's FormatError with the same one-line message."""

from __future__ import annotations

from pathlib import Path

from diffforge.dataset import DatasetError, dataset_root, is_dataset, iter_pairs
from diffforge.formats.errors import FormatError, expect
from diffforge.formats.info import FormatInfo
from diffforge.formats.records import Annotations, Entry, normalize_split

NAME = "diffforge"
INFO = FormatInfo(NAME, "diffforge", "diffforge", has_splits=True)


def looks_like(path: Path) -> bool:
    return is_dataset(path)


def read(path: Path) -> Annotations:
    """The dataset directory or its pairs file: ids, splits, captions, change types, masks."""
    path = Path(path)
    root = dataset_root(path)
    expect(path.exists(), path, "", "not found")
    out = Annotations(NAME, path, root)
    try:
        for rec in iter_pairs(path):
            split = normalize_split(rec.split)
            out.records[split] += 1
            out.pairs.append(
                Entry(
                    rec.id,
                    split,
                    rec.before,
                    rec.after,
                    tuple(t.strip() for t in rec.texts),
                    tuple(rec.change_types),
                    change_mask=rec.change_mask,
                )
            )
    except DatasetError as exc:
        raise FormatError(str(exc)) from None
    return out
