"""Loaders for the public IDC datasets, each reading the annotation files as their authors
released them (see shared/data/README.md) with the images under a separate root directory."""

from __future__ import annotations

from pathlib import Path

from diffforge.training.data.base import (
    SPLITS,
    Loaded,
    Pair,
    expect,
    normalize_split,
    read_json,
    str_list,
)


def _split_files(path: Path, stems: dict[str, tuple[str, ...]]) -> dict[str, Path]:
    """The per-split files found in a directory (or a single file whose stem names the split)."""
    if path.is_file():
        return {normalize_split(path.stem): path}
    found = {}
    for split, names in stems.items():
        for name in names:
            if (path / name).is_file():
                found[split] = path / name
                break
    expect(
        bool(found),
        path,
        "",
        f"no annotation files found (looked for {', '.join(n for v in stems.values() for n in v)})",
    )
    return found


def load_spot_the_diff(path: Path, images: Path | None = None) -> Loaded:
    """Spot-the-Diff: ``{split}.json`` = ``[{"img_id", "sentences"}]``; images ``<id>.png`` and
    ``<id>_2.png``. An img_id can appear in several entries: their sentences are merged."""
    path = Path(path)
    files = _split_files(path, {s: (f"{s}.json",) for s in SPLITS})
    root = Path(images) if images else (path if path.is_dir() else path.parent)
    out = Loaded("spot_the_diff", path, root)
    for split, file in files.items():
        data = read_json(file)
        expect(isinstance(data, list), file, "", "expected a list of {img_id, sentences}")
        merged: dict[str, list[str]] = {}
        for i, rec in enumerate(data):
            expect(
                isinstance(rec, dict) and "img_id" in rec and "sentences" in rec,
                file,
                f"entry {i}",
                "expected keys img_id, sentences",
            )
            merged.setdefault(str(rec["img_id"]), []).extend(
                str_list(rec["sentences"], file, f"entry {i}.sentences")
            )
            out.entries[split] += 1
        for img_id, sents in merged.items():
            out.add(
                Pair(
                    img_id,
                    split,
                    root / f"{img_id}.png",
                    root / f"{img_id}_2.png",
                    tuple(sents),
                    "spot_the_diff",
                )
            )
    return out


def load_iedit(path: Path, images: Path | None = None) -> Loaded:
    """IEdit: ``train/valid/test.json`` = ``[{"img0", "img1", "sents", "uid"}]``; one image folder.
    Some image pairs are annotated in several entries: their sentences are merged (id: first uid)."""
    path = Path(path)
    files = _split_files(
        path, {"train": ("train.json",), "val": ("valid.json", "val.json"), "test": ("test.json",)}
    )
    root = Path(images) if images else (path if path.is_dir() else path.parent)
    out = Loaded("iedit", path, root)
    for split, file in files.items():
        data = read_json(file)
        expect(isinstance(data, list), file, "", "expected a list of {img0, img1, sents, uid}")
        merged: dict[tuple[str, str], tuple[str, list[str]]] = {}
        for i, rec in enumerate(data):
            ok = isinstance(rec, dict) and all(k in rec for k in ("img0", "img1", "sents"))
            expect(ok, file, f"entry {i}", "expected keys img0, img1, sents")
            out.entries[split] += 1
            sents = str_list(rec["sents"], file, f"entry {i}.sents")
            uid = str(rec.get("uid", f"{split}_{i}"))
            merged.setdefault((rec["img0"], rec["img1"]), (uid, []))[1].extend(sents)
        for (img0, img1), (uid, sents) in merged.items():
            out.add(Pair(uid, split, root / img0, root / img1, tuple(sents), "iedit"))
    return out


def _captions_file(path: Path, given: Path | None, candidates: tuple[str, ...]) -> Path | None:
    if given is not None:
        return Path(given)
    return next((path / c for c in candidates if (path / c).is_file()), None)


def _caption_map(file: Path | None) -> dict[str, tuple[str, ...]]:
    if file is None:
        return {}
    data = read_json(file)
    expect(isinstance(data, dict), file, "", "expected a mapping of image id -> list of captions")
    return {str(k): str_list(v, file, str(k)) for k, v in data.items()}


def load_clevr_change(
    path: Path, images: Path | None = None, captions: Path | None = None
) -> Loaded:
    """CLEVR-Change: ``splits.json`` (scene indices) + ``type_mapping.json``; each index gives a
    semantic-change pair (``sc_images``) and a distractor-only pair (``nsc_images``). Captions come
    from ``change_captions.json`` / ``no_change_captions.json`` when present."""
    path = Path(path)
    base = path if path.is_dir() else path.parent
    splits_file = base / "splits.json" if path.is_dir() else path
    splits = read_json(splits_file)
    expect(
        isinstance(splits, dict), splits_file, "", "expected {train, val, test} -> list of indices"
    )
    types: dict[int, str] = {}
    if (base / "type_mapping.json").is_file():
        mapping = read_json(base / "type_mapping.json")
        expect(
            isinstance(mapping, dict),
            base / "type_mapping.json",
            "",
            "expected change type -> list of file names",
        )
        for kind, names in mapping.items():
            for name in str_list(names, base / "type_mapping.json", kind):
                types[int(Path(name).stem)] = kind
    root = Path(images) if images else base
    change_file = _captions_file(base, captions, ("change_captions.json",))
    change = _caption_map(change_file)
    nochange = _caption_map(
        base / "no_change_captions.json" if (base / "no_change_captions.json").is_file() else None
    )
    out = Loaded("clevr_change", path, root)
    if change_file is None:
        out.notes.append("change_captions.json not found: pairs have no captions")
    for split, indices in splits.items():
        split = normalize_split(split)
        expect(isinstance(indices, list), splits_file, split, "expected a list of integer indices")
        for idx in indices:
            expect(
                isinstance(idx, int), splits_file, split, f"expected integer indices, found {idx!r}"
            )
            out.entries[split] += 1
            name = f"CLEVR_default_{idx:06d}.png"
            before = root / "images" / name
            kind = types.get(idx, "change")
            out.add(
                Pair(
                    f"{idx:06d}",
                    split,
                    before,
                    root / "sc_images" / f"CLEVR_semantic_{idx:06d}.png",
                    change.get(name, ()),
                    "clevr_change",
                    (kind,),
                )
            )
            out.add(
                Pair(
                    f"{idx:06d}_nc",
                    split,
                    before,
                    root / "nsc_images" / f"CLEVR_nonsemantic_{idx:06d}.png",
                    nochange.get(name, ()),
                    "clevr_change",
                    ("none",),
                )
            )
    return out


def load_clevr_dc(path: Path, images: Path | None = None, captions: Path | None = None) -> Loaded:
    """CLEVR-DC: ``split.json`` {train, val, test} -> pair ids; images ``bef/<id>.png`` and
    ``aft/<id>.png``; captions map the id string to a list of captions."""
    path = Path(path)
    base = path if path.is_dir() else path.parent
    split_file = base / "split.json" if path.is_dir() else path
    splits = read_json(split_file)
    expect(
        isinstance(splits, dict), split_file, "", "expected {train, val, test} -> list of pair ids"
    )
    root = Path(images) if images else base
    cap_file = _captions_file(base, captions, ("change_captions.json", "captions.json"))
    caps = _caption_map(cap_file)
    out = Loaded("clevr_dc", path, root)
    if cap_file is None:
        out.notes.append("captions file not found: pairs have no captions")
    for split, ids in splits.items():
        split = normalize_split(split)
        expect(isinstance(ids, list), split_file, split, "expected a list of pair ids")
        for pid in ids:
            out.entries[split] += 1
            key = str(pid)
            out.add(
                Pair(
                    key,
                    split,
                    root / "bef" / f"{key}.png",
                    root / "aft" / f"{key}.png",
                    caps.get(key, ()),
                    "clevr_dc",
                )
            )
    return out
