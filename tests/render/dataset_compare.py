"""Compare two dataset directories by decoded pixels and parsed records (not bytes)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from diffforge.dataset import PairRecord, is_dataset, pair_paths, read_pairs
from diffforge.dataset.files import load_image


def records(root: Path) -> list[PairRecord]:
    """The committed records of a dataset directory, [] before the first commit."""
    return read_pairs(root) if is_dataset(root) else []


def assert_same_dataset(a: Path, b: Path, indices: set[int] | None = None) -> None:
    ra = {r.index: r.to_dict() for r in records(a)}
    rb = {r.index: r.to_dict() for r in records(b)}
    if indices is not None:
        ra = {i: r for i, r in ra.items() if i in indices}
        rb = {i: r for i, r in rb.items() if i in indices}
    assert ra.keys() == rb.keys()
    for i in ra:
        assert ra[i] == rb[i], (i, ra[i], rb[i])
    for rec in ra.values():
        for key, rel in pair_paths(rec["id"]).items():
            pa, pb = Path(a) / rel, Path(b) / rel
            if key == "scene":
                assert json.loads(pa.read_text()) == json.loads(pb.read_text()), rel
            else:
                assert np.array_equal(load_image(pa), load_image(pb)), rel


def assert_clean(root: Path) -> None:
    """Every record's files exist, no duplicates, no temp leftovers, lines sorted by index."""
    recs = records(root)
    idx = [r.index for r in recs]
    assert idx == sorted(set(idx))
    for r in recs:
        for rel in pair_paths(r.id).values():
            assert (Path(root) / rel).is_file(), rel
    assert not [p for p in Path(root).rglob(".*.tmp*")]


def dilate(mask: np.ndarray, r: int = 1) -> np.ndarray:
    """Grow a bool mask by r pixels (8-neighbourhood): edge pixels are anti-aliased in colour
    but not in the object-index pass."""
    out = mask.copy()
    h, w = mask.shape
    for dy in range(-r, r + 1):
        for dx in range(-r, r + 1):
            ys, yd = slice(max(dy, 0), h + min(dy, 0)), slice(max(-dy, 0), h + min(-dy, 0))
            xs, xd = slice(max(dx, 0), w + min(dx, 0)), slice(max(-dx, 0), w + min(-dx, 0))
            out[yd, xd] |= mask[ys, xs]
    return out
