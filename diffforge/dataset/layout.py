"""Where things live in a dataset directory: the one place that knows the file names.

```
dataset.json      metadata: format, engine, resolved config, counts, failures, runs
pairs.jsonl       one line per finished pair (a line means every file below exists)
images/<id>_before.png  images/<id>_after.png
masks/<id>_before.png   masks/<id>_after.png    16-bit instance ids
masks/<id>_change.png   8-bit change mask
scenes/<id>.json        pair spec + render facts
depth/<id>_<side>.png   optional 16-bit depth (render.depth)
shards/<i>-of-<N>/      one dataset per shard of a sharded run (merged into the parent)
```
"""

from __future__ import annotations

from pathlib import Path

FORMAT = "diffforge-dataset/1"
PAIRS = "pairs.jsonl"
META = "dataset.json"
SUBDIRS = ("images", "masks", "scenes")
SPLITS = ("train", "val", "test")
# `diffforge slurm` writes its job scripts and logs here by default: part of a sharded run
JOB_SCRIPTS = "slurm"


def pair_paths(pair_id: str) -> dict[str, str]:
    """Dataset-relative paths of one pair's files (the record's ``before``/``after``/...)."""
    return {
        "before": f"images/{pair_id}_before.png",
        "after": f"images/{pair_id}_after.png",
        "mask_before": f"masks/{pair_id}_before.png",
        "mask_after": f"masks/{pair_id}_after.png",
        "mask_change": f"masks/{pair_id}_change.png",
        "scene": f"scenes/{pair_id}.json",
    }


def depth_path(pair_id: str, side: str) -> str:
    return f"depth/{pair_id}_{side}.png"


def depth_files(root: Path, pair_id: str) -> list[Path]:
    d = Path(root) / "depth"
    return sorted(d.glob(f"{pair_id}_*.png")) if d.is_dir() else []


def pairs_file(root: Path) -> Path:
    return Path(root) / PAIRS


def meta_file(root: Path) -> Path:
    return Path(root) / META


def is_dataset(path: Path) -> bool:
    """A dataset directory, or its pairs.jsonl named directly."""
    path = Path(path)
    return (path.is_dir() and pairs_file(path).is_file()) or (path.name == PAIRS and path.is_file())


def dataset_root(path: Path) -> Path:
    """The directory of a dataset given as the directory or as its pairs.jsonl."""
    path = Path(path)
    return path.parent if path.name == PAIRS and not path.is_dir() else path


def shard_dir(out: Path, shard: tuple[int, int]) -> Path:
    return Path(out) / "shards" / f"{shard[0]:05d}-of-{shard[1]:05d}"


def shard_dirs(out: Path) -> list[Path]:
    return sorted((Path(out) / "shards").glob("*-of-*"))
