"""Lists of image pairs to describe (JSONL, JSON or CSV) and the captions written back."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path
from typing import Any

from diffforge.errors import DiffforgeError


def read_pairs_file(path: Path) -> list[dict[str, str]]:
    """``[{id, before, after}]`` from JSONL, a JSON list or CSV (header: id?, before, after).

    Relative image paths are relative to the file's folder, as in dataset directories; a
    missing ``id`` becomes the pair's 0-based position.
    """
    path = Path(path)
    if not path.is_file():
        raise DiffforgeError(f"{path}: pairs file not found")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise DiffforgeError(f"{path}: not UTF-8 text") from None
    rows: list[Any]
    if path.suffix.lower() == ".csv":
        reader = csv.DictReader(text.splitlines())
        missing = {"before", "after"} - set(reader.fieldnames or [])
        if missing:
            raise DiffforgeError(f"{path}: header lacks column(s) {', '.join(sorted(missing))}")
        rows = list(reader)
    elif path.suffix.lower() == ".jsonl":
        rows = []
        for n, line in enumerate(text.splitlines(), 1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise DiffforgeError(f"{path}: line {n}: invalid JSON ({exc.msg})") from None
    else:
        try:
            rows = json.loads(text)
        except json.JSONDecodeError as exc:
            raise DiffforgeError(
                f"{path}: invalid JSON ({exc.msg} at line {exc.lineno}); "
                "expected a JSON list, JSONL (.jsonl) or CSV (.csv)"
            ) from None
        if not isinstance(rows, list):
            raise DiffforgeError(f"{path}: expected a list of {{id, before, after}} objects")
    out = []
    for n, row in enumerate(rows):
        if not (isinstance(row, dict) and row.get("before") and row.get("after")):
            raise DiffforgeError(f"{path}: pair {n}: needs 'before' and 'after' image paths")
        out.append(
            {
                "id": str(n if row.get("id") in (None, "") else row["id"]),
                "before": str(path.parent / row["before"]),
                "after": str(path.parent / row["after"]),
            }
        )
    if not out:
        raise DiffforgeError(f"{path}: no pairs")
    return out


def write_captions(records: list[dict[str, str]], out: Path) -> None:
    """``.json``: a COCO results file (``diffforge eval --predictions`` reads it); otherwise
    JSONL with id, before, after, caption. Written whole, then renamed (no half files)."""
    if out.suffix.lower() == ".json":
        text = json.dumps(
            [{"image_id": r["id"], "caption": r["caption"]} for r in records],
            ensure_ascii=False,
            indent=1,
        )
    else:
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(out)
    except OSError as exc:
        raise DiffforgeError(f"{out}: cannot write ({exc.strerror})") from None
    finally:
        tmp.unlink(missing_ok=True)


def check_images(records: list[dict[str, str]], batch: bool) -> None:
    """Every image exists: checked before the model loads (which takes seconds to minutes)."""
    for r in records:
        for side in ("before", "after"):
            if not Path(r[side]).is_file():
                where = f"pair {r['id']}: " if batch else ""
                raise DiffforgeError(f"{where}{side} image {r[side]}: file not found")
