"""Evaluation's view of the caption files researchers already have: ``id → captions`` (and
change types), plus the predictions to score.

Files are parsed by ``diffforge.formats`` (the same readers training uses) and detected from
content, not file names, because released files are named freely: COCO annotations and results,
diffforge datasets, Spot-the-Diff, CLEVR-Change caption files (ids as its authors' evaluation
uses them: "000123.png", and "000123.png_n" for no-change pairs), CLEVR-DC, IEdit (one reference
per uid), Birds-to-Words and LLaVA JSON. Every problem is a one-line error naming the file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from diffforge.errors import DiffforgeError
from diffforge.formats import FORMATS, normalize_split, read_detected
from diffforge.formats.coco import read_predictions
from diffforge.formats.errors import fail


@dataclass
class References:
    """Reference captions per id, plus change types where the source has them."""

    captions: dict[str, list[str]]
    source: Path
    format: str
    types: dict[str, list[str]] = field(default_factory=dict)
    subsets: dict[str, str] = field(default_factory=dict)  # id -> Real/Render, a benchmark...


def load_predictions(path: Path | str) -> dict[str, str]:
    """One caption per id from a COCO result list, a JSON {id: caption} map, or JSONL rows."""
    return read_predictions(path)


def load_references(path: Path | str, split: str | None = None) -> References:
    """Read references from any supported file or directory; ``split`` filters datasets that
    carry splits (diffforge datasets, CLEVR-Change/CLEVR-DC with their split file beside)."""
    path = Path(path)
    ann = read_detected(path, need_splits=split is not None)
    entries = ann.reference_entries
    if split is not None and FORMATS[ann.format].has_splits:
        if ann.split_file is not None and normalize_split(split) not in map(
            normalize_split, ann.split_names
        ):
            raise fail(
                ann.split_file, f"no split {split!r}; has {', '.join(sorted(ann.split_names))}"
            )
        entries = [e for e in entries if e.split == normalize_split(split)]
    captions: dict[str, list[str]] = {}
    types: dict[str, list[str]] = {}
    subsets: dict[str, str] = {}
    for e in entries:
        captions.setdefault(e.id, []).extend(e.captions)
        if e.changes:
            types.setdefault(e.id, list(e.changes))
        if e.subset:
            subsets.setdefault(e.id, e.subset)
    if not captions:
        raise fail(path, "no pairs" + (f" in split {split!r}" if split is not None else ""))
    return References(captions, path, FORMATS[ann.format].report_name, types, subsets)


# ---------------------------------------------------------------- matching


def _aliases(key: str) -> list[str]:
    """Other spellings of an id seen in released prediction files: a path or file name for
    Spot-the-Diff ("images/256.png" → "256"), the full CLEVR name ("CLEVR_default_000001.png")."""
    name = key.replace("\\", "/").rsplit("/", 1)[-1]
    return [name, name.split("_")[-1], name.rsplit(".", 1)[0]]


def align(
    predictions: Mapping[str, str],
    references: References,
    predictions_path: Path | str = "predictions",
) -> dict[str, str]:
    """Predictions re-keyed to reference ids; every prediction must have references."""
    refs = references.captions
    out: dict[str, str] = {}
    missing: list[str] = []
    for key, text in predictions.items():
        match = key if key in refs else next((a for a in _aliases(key) if a in refs), None)
        if match is None:
            missing.append(key)
            continue
        if match in out:
            raise DiffforgeError(f"{predictions_path}: two predictions for reference id {match!r}")
        out[match] = text
    if missing:
        raise DiffforgeError(
            f"{predictions_path}: {len(missing)} of {len(predictions)} prediction ids are not in "
            f"{references.source} (e.g. {', '.join(map(repr, missing[:3]))})"
        )
    return out
