"""COCO caption files: annotations ``{"annotations": [{"image_id", "caption"}]}`` (ours may add
``change_types`` and ``subset``), results ``[{"image_id", "caption"}]``, and the prediction files evaluation
accepts (COCO results, a JSON ``{id: caption}`` map, or JSONL rows), one caption per id."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from diffforge.formats.errors import expect, fail
from diffforge.formats.files import read_json, read_jsonl, str_list
from diffforge.formats.info import FormatInfo
from diffforge.formats.records import Annotations, Entry

ANNOTATIONS = "coco"
RESULTS = "coco_results"
ANNOTATIONS_INFO = FormatInfo(ANNOTATIONS, "COCO annotations", "coco", has_splits=False)
RESULTS_INFO = FormatInfo(RESULTS, "COCO results", "coco-results", has_splits=False)
ID_KEYS = ("image_id", "id", "img_id", "uid")
TEXT_KEYS = ("caption", "prediction", "text")


def looks_like_annotations(data: Any) -> bool:
    return isinstance(data, dict) and "annotations" in data


def looks_like_results(data: Any) -> bool:
    head = data[0] if isinstance(data, list) and data else None
    return isinstance(head, dict) and "image_id" in head and "caption" in head


def _entries(path: Path, rows: Any, name: str) -> Annotations:
    out = Annotations(name, path, path.parent)
    for n, row in enumerate(rows):
        ok = isinstance(row, dict) and "image_id" in row and "caption" in row
        expect(ok, path, f"entry {n}", "expected keys image_id, caption")
        caps = str_list(row["caption"], path, f"entry {n}.caption")
        kinds = row.get("change_types") or row.get("change_type") or ()
        kinds = tuple(kinds) if isinstance(kinds, list) else (str(kinds),) if kinds else ()
        key = str(row["image_id"])
        subset = str(row["subset"]) if row.get("subset") not in (None, "") else None
        out.pairs.append(Entry(key, None, key, key, caps, kinds, subset=subset))
        out.records["all"] += 1
    return out


def read_annotations(path: Path, data: Any = None) -> Annotations:
    """A COCO annotations file (``data``: its parsed content)."""
    path = Path(path)
    data = read_json(path) if data is None else data
    expect(looks_like_annotations(data), path, "", "expected {annotations: [...]}")
    expect(isinstance(data["annotations"], list), path, "", "'annotations' must be a list")
    return _entries(path, data["annotations"], ANNOTATIONS)


def read_results(path: Path, data: Any = None) -> Annotations:
    """A COCO results file read as references: captions of a repeated id are merged."""
    path = Path(path)
    data = read_json(path) if data is None else data
    expect(isinstance(data, list), path, "", "expected a list of {image_id, caption}")
    return _entries(path, data, RESULTS)


def read_predictions(path: Path | str) -> dict[str, str]:
    """One caption per id from a COCO result list, a JSON {id: caption} map, or JSONL rows."""
    path = Path(path)
    if not path.exists():
        raise fail(path, "file not found")
    if path.suffix == ".jsonl":
        rows: Any = []
        for n, row in read_jsonl(path):
            expect(isinstance(row, dict), path, f"line {n}", "expected an object")
            rows.append(row)
    else:
        rows = read_json(path)
    if isinstance(rows, dict) and "annotations" not in rows:
        return _from_mapping(path, rows)
    if not isinstance(rows, list):
        raise fail(
            path, "unknown predictions format: expected [{image_id, caption}] or {id: caption}"
        )
    out: dict[str, str] = {}
    for n, row in enumerate(rows):
        ident, text = _first(row, ID_KEYS), _first(row, TEXT_KEYS)
        if ident is None or text is None:
            keys = sorted(row)[:6] if isinstance(row, dict) else []
            raise fail(path, f"needs image_id and caption, found keys {keys}", f"entry {n}")
        if isinstance(text, list):
            text = text[0] if text else ""
        key = str(ident)
        if key in out:
            raise fail(path, f"id {key!r} has more than one prediction")
        out[key] = str(text)
    if not out:
        raise fail(path, "no predictions")
    return out


def _from_mapping(path: Path, data: Mapping[str, Any]) -> dict[str, str]:
    out = {}
    for k, v in data.items():
        if isinstance(v, list):
            if len(v) != 1:
                raise fail(path, f"expected one caption, found {len(v)}", f"id {k!r}")
            v = v[0]
        if not isinstance(v, str):
            raise fail(path, f"caption is {type(v).__name__}, expected text", f"id {k!r}")
        out[str(k)] = v
    if not out:
        raise fail(path, "no predictions")
    return out


def _first(row: Any, keys: tuple[str, ...]) -> Any:
    if not isinstance(row, dict):
        return None
    return next((row[k] for k in keys if k in row), None)
