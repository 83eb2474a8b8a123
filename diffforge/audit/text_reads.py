"""Text changes as a reader meets them: is each sign string Tesseract reads in its image, and
does the first caption quote it? The render's OCR gate reads only the new string of a pair it
keeps; the audit reads both sides of every text change of a finished dataset."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from diffforge.render.facts import writes_text
from diffforge.render.gates import sign_reads


def _strings(spec: dict[str, Any], side: str, target: str) -> str | None:
    obj = next((o for o in (spec.get(side) or {}).get("objects") or [] if o["id"] == target), None)
    text = (obj or {}).get("text") or {}
    return text.get("string") or None


def _quoted(caption: str, string: str) -> bool:
    return f'"{string.lower()}"' in caption.lower()


def text_reads(root: Path, records: list[tuple[Any, dict[str, Any]]]) -> dict[str, Any]:
    """Per text change (``writes_text`` types): each side's string read back by OCR from its
    image at the sign's box, and quoted in the first caption. ``records``: (pair record, scene
    record). ``available`` is False (and nothing is read) where Tesseract is missing."""
    if shutil.which("tesseract") is None:
        return {"available": False}
    rows: list[dict[str, Any]] = []
    images: dict[str, np.ndarray] = {}
    for rec, scene in records:
        spec, facts = scene.get("spec") or {}, scene.get("facts") or {}
        caption = rec.captions[0].text if rec.captions else ""
        for change in rec.changes:
            if not writes_text(change.type):
                continue
            for target in change.targets:
                row: dict[str, Any] = {"id": rec.id, "target": target}
                for side in ("before", "after"):
                    string = _strings(spec, side, target)
                    box = ((facts.get(side) or {}).get(target) or {}).get("box")
                    if string is None:
                        continue
                    path = str(root / getattr(rec, side))
                    if path not in images:
                        with Image.open(path) as im:
                            images[path] = np.asarray(im.convert("RGB"))
                    read = box is not None and sign_reads(images[path], box, string)
                    row[side] = {"string": string, "read": read, "quoted": _quoted(caption, string)}
                rows.append(row)
    sides = [r[s] for r in rows for s in ("before", "after") if s in r]
    good = [
        r
        for r in rows
        if all(r[s]["read"] and r[s]["quoted"] for s in ("before", "after") if s in r)
    ]
    return {
        "available": True,
        "changes": len(rows),
        "strings": len(sides),
        "read_share": sum(s["read"] for s in sides) / len(sides) if sides else None,
        "quoted_share": sum(s["quoted"] for s in sides) / len(sides) if sides else None,
        "read_and_quoted_share": len(good) / len(rows) if rows else None,
        "misses": [r for r in rows if r not in good],
    }
