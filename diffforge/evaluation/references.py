"""Readers for the caption files researchers already have, all to `id → captions`.

Formats (detected from content, not file names, because released files are named freely):
* COCO caption results `[{"image_id", "caption"}]` (predictions; as references, merged per id)
* COCO caption annotations `{"annotations": [{"image_id", "caption"}, ...]}`
* diffforge dataset directories (`pairs.jsonl`; captions [{text}], changes [{type}])
* Spot-the-Diff `[{"img_id", "sentences"}]` (an img_id can repeat: sentences are merged)
* CLEVR-Change `change_captions.json` / `no_change_captions.json` (image name → captions), ids
  as its authors' evaluation uses them: "000123.png", and "000123.png_n" for no-change pairs
* Image Editing Request `[{"img0", "img1", "sents", "uid"}]`

Every problem is a DiffforgeError naming the file.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from diffforge.errors import DiffforgeError


@dataclass
class References:
    """Reference captions per id, plus change types where the source has them."""

    captions: dict[str, list[str]]
    source: Path
    format: str
    types: dict[str, list[str]] = field(default_factory=dict)


def _fail(path: Path, problem: str) -> DiffforgeError:
    return DiffforgeError(f"{path}: {problem}")


def _read_json(path: Path) -> Any:
    if not path.exists():
        raise _fail(path, "file not found")
    if path.is_dir():
        raise _fail(path, "is a directory, expected a JSON file")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise _fail(path, f"not valid JSON ({exc.msg} at line {exc.lineno})") from None
    except UnicodeDecodeError:
        raise _fail(path, "not UTF-8 text") from None


def _read_jsonl(path: Path) -> list[dict]:
    rows = []
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise _fail(path, f"line {lineno}: not valid JSON ({exc.msg})") from None
            if not isinstance(row, dict):
                raise _fail(path, f"line {lineno}: expected an object")
            rows.append(row)
    return rows


# ---------------------------------------------------------------- predictions


def load_predictions(path: Path | str) -> dict[str, str]:
    """One caption per id from a COCO result list, a JSON {id: caption} map, or JSONL rows."""
    path = Path(path)
    if not path.exists():
        raise _fail(path, "file not found")
    rows: Any = _read_jsonl(path) if path.suffix == ".jsonl" else _read_json(path)
    if isinstance(rows, dict) and "annotations" not in rows:
        return _from_mapping(path, rows)
    if not isinstance(rows, list):
        raise _fail(
            path, "unknown predictions format: expected [{image_id, caption}] or {id: caption}"
        )
    out: dict[str, str] = {}
    for n, row in enumerate(rows):
        ident = _first(row, ("image_id", "id", "img_id", "uid"))
        text = _first(row, ("caption", "prediction", "text"))
        if ident is None or text is None:
            raise _fail(
                path, f"entry {n}: needs image_id and caption, found keys {sorted(row)[:6]}"
            )
        if isinstance(text, list):
            text = text[0] if text else ""
        key = str(ident)
        if key in out:
            raise _fail(path, f"id {key!r} has more than one prediction")
        out[key] = str(text)
    if not out:
        raise _fail(path, "no predictions")
    return out


def _from_mapping(path: Path, data: Mapping[str, Any]) -> dict[str, str]:
    out = {}
    for k, v in data.items():
        if isinstance(v, list):
            if len(v) != 1:
                raise _fail(path, f"id {k!r}: expected one caption, found {len(v)}")
            v = v[0]
        if not isinstance(v, str):
            raise _fail(path, f"id {k!r}: caption is {type(v).__name__}, expected text")
        out[str(k)] = v
    if not out:
        raise _fail(path, "no predictions")
    return out


def _first(row: Any, keys: tuple[str, ...]) -> Any:
    if not isinstance(row, dict):
        return None
    return next((row[k] for k in keys if k in row), None)


# ---------------------------------------------------------------- references


def load_references(path: Path | str, split: str | None = None) -> References:
    """Read references from any supported file or directory; `split` filters datasets that
    carry splits (diffforge pairs.jsonl, CLEVR-Change with splits.json beside)."""
    path = Path(path)
    if not path.exists():
        raise _fail(path, "file not found")
    if path.is_dir():
        if (path / "pairs.jsonl").is_file():
            return _diffforge(path / "pairs.jsonl", split)
        if (path / "change_captions.json").is_file():
            return _clevr_change_dir(path, split)
        raise _fail(
            path, "directory has no pairs.jsonl (diffforge) or change_captions.json (CLEVR-Change)"
        )
    if path.suffix == ".jsonl":
        return _diffforge(path, split)
    data = _read_json(path)
    if isinstance(data, dict) and "annotations" in data:
        return _coco_annotations(path, data)
    if isinstance(data, list) and data and isinstance(data[0], dict):
        head = data[0]
        if "img_id" in head and "sentences" in head:
            return _merge_list(path, data, "img_id", "sentences", "spot-the-diff")
        if "uid" in head and "sents" in head:
            return _merge_list(path, data, "uid", "sents", "iedit")
        if "image_id" in head and "caption" in head:
            return _merge_list(path, data, "image_id", "caption", "coco-results")
    if isinstance(data, dict) and data and all(isinstance(v, list) for v in data.values()):
        return _clevr_change_file(path, data, split)
    raise _fail(
        path,
        "unknown reference format (expected COCO annotations, Spot-the-Diff, CLEVR-Change, "
        "IEdit, or a diffforge dataset)",
    )


def _add(out: dict[str, list[str]], path: Path, key: Any, caps: Any) -> None:
    if isinstance(caps, str):
        caps = [caps]
    if not isinstance(caps, list) or not all(isinstance(c, str) for c in caps):
        raise _fail(path, f"id {key!r}: captions must be text or a list of text")
    out.setdefault(str(key), []).extend(caps)


def _merge_list(path: Path, data: list, id_key: str, text_key: str, fmt: str) -> References:
    out: dict[str, list[str]] = {}
    for n, row in enumerate(data):
        if not isinstance(row, dict) or id_key not in row or text_key not in row:
            raise _fail(path, f"entry {n}: missing {id_key!r} or {text_key!r}")
        _add(out, path, row[id_key], row[text_key])
    return References(out, path, fmt)


def _coco_annotations(path: Path, data: dict) -> References:
    anns = data["annotations"]
    if not isinstance(anns, list):
        raise _fail(path, "'annotations' must be a list")
    refs = _merge_list(path, anns, "image_id", "caption", "coco")
    types: dict[str, list[str]] = {}
    for ann in anns:  # our COCO export may carry change types; the COCO format ignores them
        t = ann.get("change_types") or ann.get("change_type")
        if t:
            types.setdefault(str(ann["image_id"]), list(t) if isinstance(t, list) else [t])
    refs.types = types
    return refs


def _diffforge(path: Path, split: str | None) -> References:
    captions: dict[str, list[str]] = {}
    types: dict[str, list[str]] = {}
    for n, row in enumerate(_read_jsonl(path), 1):
        if "id" not in row or "captions" not in row:
            raise _fail(path, f"record {n}: needs 'id' and 'captions'")
        if split is not None and row.get("split") != split:
            continue
        key = str(row["id"])
        caps = [c["text"] if isinstance(c, dict) else c for c in row["captions"]]
        _add(captions, path, key, caps)
        kinds = [c.get("type", "unknown") for c in row.get("changes") or [] if isinstance(c, dict)]
        types[key] = list(dict.fromkeys(kinds)) or ["none"]
    if not captions:
        where = f" in split {split!r}" if split else ""
        raise _fail(path, f"no pairs{where}")
    return References(captions, path, "diffforge", types)


def _clevr_id(name: str, no_change: bool) -> str:
    """The CLEVR-Change authors' evaluation id: the number part of the file name."""
    key = name.split("_")[-1]
    return key + "_n" if no_change else key


def _clevr_change_file(path: Path, data: dict, split: str | None) -> References:
    no_change = "no_change" in path.name
    return _clevr_build(path.parent, [(path, data, no_change)], split)


def _clevr_change_dir(root: Path, split: str | None) -> References:
    files = [(root / "change_captions.json", False), (root / "no_change_captions.json", True)]
    loaded = [(p, _read_json(p), nc) for p, nc in files if p.is_file()]
    return _clevr_build(root, loaded, split)


def _clevr_build(root: Path, files: list[tuple[Path, Any, bool]], split: str | None) -> References:
    keep: set[str] | None = None
    if split is not None:
        splits_path = root / "splits.json"
        splits = _read_json(splits_path)
        if split not in splits:
            raise _fail(splits_path, f"no split {split!r}; has {', '.join(sorted(splits))}")
        keep = {f"{int(i):06d}.png" for i in splits[split]}
    by_image: dict[str, list[str]] = {}
    mapping_path = root / "type_mapping.json"
    if mapping_path.is_file():
        for kind, names in _read_json(mapping_path).items():
            for name in names:
                by_image.setdefault(name, []).append(kind)
    captions: dict[str, list[str]] = {}
    types: dict[str, list[str]] = {}
    for path, data, no_change in files:
        if not isinstance(data, dict):
            raise _fail(path, "expected an object mapping image names to captions")
        for name, caps in data.items():
            image = name.split("_")[-1]
            if keep is not None and image not in keep:
                continue
            key = _clevr_id(name, no_change)
            _add(captions, path, key, caps)
            types[key] = ["none"] if no_change else by_image.get(image, [])
    if not captions:
        raise _fail(
            files[0][0] if files else root, f"no captions{' in split ' + split if split else ''}"
        )
    return References(captions, root, "clevr-change", {k: v for k, v in types.items() if v})


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
