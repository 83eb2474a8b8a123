"""Which reader reads a path: by name (training configs name the format) or by content
(evaluation is handed files named freely, so it looks inside)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from diffforge.formats import (
    birds_to_words,
    clevr_change,
    clevr_dc,
    coco,
    diffforge,
    iedit,
    llava,
    spot_the_diff,
)
from diffforge.formats.errors import fail
from diffforge.formats.files import read_json
from diffforge.formats.info import FormatInfo
from diffforge.formats.records import Annotations

# Datasets a training config can name, each read from a directory or file as released.
_DATASETS = (diffforge, clevr_change, clevr_dc, spot_the_diff, iedit, birds_to_words, llava)
DATASET_READERS: dict[str, Callable[..., Annotations]] = {m.INFO.name: m.read for m in _DATASETS}
# What each format declares about itself, by name: the datasets, then COCO's two file kinds.
FORMATS: dict[str, FormatInfo] = {
    info.name: info
    for info in (*(m.INFO for m in _DATASETS), coco.ANNOTATIONS_INFO, coco.RESULTS_INFO)
}
KNOWN = "COCO annotations, Spot-the-Diff, CLEVR-Change, IEdit, or a diffforge dataset"


def _first_jsonl_row(path: Path) -> Any:
    with path.open(encoding="utf-8", errors="replace") as fh:
        for line in fh:
            if line.strip():
                try:
                    return json.loads(line)
                except json.JSONDecodeError:
                    return None
    return None


def detect(path: Path) -> tuple[str, Any]:
    """The format of ``path`` and, for a JSON file, its parsed content (read once)."""
    path = Path(path)
    if not path.exists():
        raise fail(path, "file not found")
    if path.is_dir():
        if diffforge.looks_like(path):
            return diffforge.NAME, None
        if clevr_dc.looks_like_dir(path) and not (path / clevr_change.SPLITS_FILE).is_file():
            return clevr_dc.NAME, None
        if (path / clevr_change.CHANGE_FILE).is_file():
            return clevr_change.NAME, None
        raise fail(
            path,
            f"directory is not a diffforge dataset and has no {clevr_change.CHANGE_FILE} "
            "(CLEVR-Change)",
        )
    if path.suffix == ".jsonl":
        return (llava.NAME if llava.looks_like([_first_jsonl_row(path)]) else diffforge.NAME), None
    if birds_to_words.looks_like(path):
        return birds_to_words.NAME, None
    data = read_json(path)
    for name, looks_like in (
        (coco.ANNOTATIONS, coco.looks_like_annotations),
        (spot_the_diff.NAME, spot_the_diff.looks_like),
        (iedit.NAME, iedit.looks_like),
        (coco.RESULTS, coco.looks_like_results),
        (llava.NAME, llava.looks_like),
        (clevr_change.NAME, clevr_change.looks_like),
    ):
        if looks_like(data):
            return name, data
    raise fail(path, f"unknown reference format (expected {KNOWN})")


def read_detected(path: Path, *, need_splits: bool = False) -> Annotations:
    """Read ``path`` in the format ``detect`` finds; ``need_splits``: a CLEVR split file must
    be there (the caller selects a split)."""
    name, data = detect(path)
    readers: dict[str, Callable[[], Annotations]] = {
        diffforge.NAME: lambda: diffforge.read(path),
        clevr_change.NAME: lambda: clevr_change.read(path, need_splits=need_splits, data=data),
        clevr_dc.NAME: lambda: clevr_dc.read(path, need_splits=need_splits, data=data),
        spot_the_diff.NAME: lambda: spot_the_diff.read(path, data),
        iedit.NAME: lambda: iedit.read(path, data),
        birds_to_words.NAME: lambda: birds_to_words.read(path),
        llava.NAME: lambda: llava.read(path, data),
        coco.ANNOTATIONS: lambda: coco.read_annotations(path, data),
        coco.RESULTS: lambda: coco.read_results(path, data),
    }
    return readers[name]()
