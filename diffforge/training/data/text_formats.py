"""Loaders for line/tabular formats: diffforge dataset dirs, Birds-to-Words TSV, LLaVA JSON."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from urllib.parse import urlparse

from diffforge.training.data.base import DataError, Loaded, Pair, expect, normalize_split, read_json

_IMAGE_TAG = re.compile(r"<image>\s*")


def load_diffforge(path: Path, images: Path | None = None) -> Loaded:
    """Our dataset directory: ``pairs.jsonl`` records (id, split, before, after, captions, changes,
    masks), image paths relative to the directory."""
    path = Path(path)
    file = path / "pairs.jsonl" if path.is_dir() else path
    expect(
        file.is_file(), file, "", "file not found (a diffforge dataset directory has pairs.jsonl)"
    )
    root = Path(images) if images else file.parent
    out = Loaded("diffforge", path, root)
    with file.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                raise DataError(f"{file}: line {n}: invalid JSON: {exc.msg}") from None
            ok = isinstance(rec, dict) and all(
                k in rec for k in ("id", "before", "after", "captions")
            )
            expect(ok, file, f"line {n}", "expected keys id, split, before, after, captions")
            split = normalize_split(rec.get("split", "train"))
            caps = []
            for c in rec["captions"]:
                text = c.get("text") if isinstance(c, dict) else c
                expect(
                    isinstance(text, str),
                    file,
                    f"line {n}",
                    "captions must be {text, referring, change} or strings",
                )
                caps.append(text.strip())
            changes = tuple(
                c.get("type", "?") for c in rec.get("changes", []) if isinstance(c, dict)
            )
            masks = rec.get("masks")
            change_mask = masks.get("change") if isinstance(masks, dict) else None
            out.entries[split] += 1
            out.add(
                Pair(
                    str(rec["id"]),
                    split,
                    root / rec["before"],
                    root / rec["after"],
                    tuple(caps),
                    "diffforge",
                    changes,
                    change_mask=root / change_mask if isinstance(change_mask, str) else None,
                )
            )
    return out


BIRDS_COLUMNS = ("img1ImgURL", "img2ImgURL", "split", "description")


def url_image_path(root: Path, url: str) -> Path:
    """Where a downloaded Birds-to-Words image lives: the URL's path under the root (the layout
    ``wget -x -nH`` writes), e.g. ``photos/1234/medium.jpg``."""
    rel = urlparse(url).path.lstrip("/") or url
    return root / rel


def load_birds_to_words(path: Path, images: Path | None = None) -> Loaded:
    """Birds-to-Words ``birds-to-words-v1.0.tsv``: one row per description; rows with the same two
    image URLs form one pair."""
    path = Path(path)
    file = path if path.is_file() else path / "birds-to-words-v1.0.tsv"
    expect(file.is_file(), file, "", "file not found")
    root = Path(images) if images else file.parent
    out = Loaded("birds_to_words", path, root)
    with file.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh, delimiter="\t")
        missing = [c for c in BIRDS_COLUMNS if c not in (reader.fieldnames or [])]
        expect(not missing, file, "header", f"missing columns {', '.join(missing)}")
        pairs: dict[tuple[str, str], tuple[str, list[str]]] = {}
        for n, row in enumerate(reader, 2):
            expect(
                None not in row and all(row[c] is not None for c in BIRDS_COLUMNS),
                file,
                f"line {n}",
                "wrong number of columns",
            )
            split = normalize_split(row["split"])
            out.entries[split] += 1
            key = (row["img1ImgURL"], row["img2ImgURL"])
            pairs.setdefault(key, (split, []))[1].append(row["description"].strip())
    for i, ((u1, u2), (split, descs)) in enumerate(pairs.items()):
        out.add(
            Pair(
                f"b2w_{i}",
                split,
                url_image_path(root, u1),
                url_image_path(root, u2),
                tuple(descs),
                "birds_to_words",
            )
        )
    return out


def _split_from_name(file: Path) -> str:
    for s in ("train", "val", "test"):
        if s in file.stem.lower():
            return s
    return "train"


def load_llava(path: Path, images: Path | None = None) -> Loaded:
    """LLaVA-style conversations with two images (OmniDiff's training JSON): ``[{id, image: [a, b],
    conversations: [{from: human, value: "<image>\\n<image>\\n..."}, {from: gpt, value}]}]``; JSON
    or JSONL. The gpt turns are the captions; the split is a record's ``split`` or the file name."""
    path = Path(path)
    expect(path.is_file(), path, "", "file not found")
    if path.suffix == ".jsonl":
        data = []
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                try:
                    data.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise DataError(f"{path}: line {n}: invalid JSON: {exc.msg}") from None
    else:
        data = read_json(path)
    expect(isinstance(data, list), path, "", "expected a list of conversation records")
    root = Path(images) if images else path.parent
    default_split = _split_from_name(path)
    out = Loaded("llava", path, root)
    for i, rec in enumerate(data):
        expect(
            isinstance(rec, dict) and "conversations" in rec,
            path,
            f"record {i}",
            "expected keys image, conversations",
        )
        imgs = rec.get("image", rec.get("images"))
        expect(
            isinstance(imgs, list) and len(imgs) == 2,
            path,
            f"record {i}",
            "expected two images (a list of 2 paths)",
        )
        turns = rec["conversations"]
        expect(isinstance(turns, list), path, f"record {i}", "conversations must be a list")
        answers = [
            t["value"].strip()
            for t in turns
            if isinstance(t, dict) and t.get("from") in ("gpt", "assistant")
        ]
        prompts = [
            _IMAGE_TAG.sub("", t["value"]).strip()
            for t in turns
            if isinstance(t, dict) and t.get("from") in ("human", "user")
        ]
        expect(bool(answers), path, f"record {i}", "no gpt turn")
        split = normalize_split(rec.get("split", default_split))
        out.entries[split] += 1
        pair = Pair(
            str(rec.get("id", i)),
            split,
            root / imgs[0],
            root / imgs[1],
            tuple(answers[:1]),
            "llava",
            prompt=prompts[0] if prompts else None,
        )
        out.add(pair)
    return out
