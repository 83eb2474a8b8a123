"""Every exported row (LLaVA, COCO, parquet) equals its pairs.jsonl record: id, caption text in
order, split, change types, and image paths that resolve in the dataset directory."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from diffforge.captioner.compose import caption_pair
from diffforge.captioner.export import INSTRUCTION, export
from diffforge.captioner.synthetic import synthetic_spec
from diffforge.dataset import read_pairs

N = 8


@pytest.fixture(scope="module")
def dataset(tmp_path_factory) -> Path:
    """Pairs with three captions each (multi-change ones too) and their image files."""
    root = tmp_path_factory.mktemp("export") / "ds"
    (root / "images").mkdir(parents=True)
    lines = []
    for i in range(N):
        spec = synthetic_spec(i, 0, types=None if i % 3 else ["color", "move"])
        paths = {side: f"images/{spec.id}_{side}.png" for side in ("before", "after")}
        for rel in paths.values():
            (root / rel).write_bytes(b"\x89PNG fixture")
        line = {
            "id": spec.id,
            "index": i,
            "split": ("train", "val", "test")[i % 3],
            **paths,
            "changes": [c.model_dump(mode="json") for c in spec.changes],
            "captions": caption_pair(spec, 3),
            "masks": {},
        }
        lines.append(json.dumps(line))
    (root / "pairs.jsonl").write_text("\n".join(lines) + "\n")
    (root / "dataset.json").write_text(json.dumps({"config": {"seed": 0}}))
    return root


def _resolve(root: Path, rel: str) -> Path:
    assert (root / rel).is_file(), rel
    return root / rel


@pytest.mark.parametrize("split", [None, "test"])
def test_llava_rows_are_the_records(dataset: Path, tmp_path: Path, split) -> None:
    out = tmp_path / "llava.json"
    records = read_pairs(dataset, split)
    assert export(dataset, "llava", out, split) == sum(len(r.captions) for r in records)
    rows = json.loads(out.read_text())
    expected = [
        {
            "id": f"{rec.id}_{k}",
            "image": [rec.before, rec.after],
            "conversations": [
                {"from": "human", "value": f"<image>\n<image>\n{INSTRUCTION}"},
                {"from": "gpt", "value": cap.text},
            ],
            "split": rec.split,
            "change_types": [c.type for c in rec.changes],
        }
        for rec in records
        for k, cap in enumerate(rec.captions)
    ]
    assert rows == expected
    for row in rows:
        for rel in row["image"]:
            _resolve(dataset, rel)
    # the captions differ, so a row given another row's caption cannot pass
    assert len({row["conversations"][1]["value"] for row in rows}) > len(rows) // 2


def test_coco_rows_are_the_records(dataset: Path, tmp_path: Path) -> None:
    out = tmp_path / "coco.json"
    records = read_pairs(dataset)
    export(dataset, "coco", out)
    data = json.loads(out.read_text())
    assert data["images"] == [
        {"id": rec.id, "file_name": rec.after, "before": rec.before} for rec in records
    ]
    refs = [(a["image_id"], a["caption"]) for a in data["annotations"]]
    assert refs == [(rec.id, cap.text) for rec in records for cap in rec.captions]
    assert [a["id"] for a in data["annotations"]] == list(range(1, len(refs) + 1))
    for image in data["images"]:
        _resolve(dataset, image["file_name"])
        _resolve(dataset, image["before"])


def test_parquet_rows_are_the_records(dataset: Path, tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    out = tmp_path / "pairs.parquet"
    records = read_pairs(dataset)
    assert export(dataset, "parquet", out) == len(records)
    rows = pq.read_table(out).to_pylist()
    assert len(rows) == len(records)
    for row, rec in zip(rows, records, strict=True):
        assert row["id"] == rec.id and row["split"] == rec.split
        # datasets.Image columns: the file's own bytes, named by its path in the dataset
        for side, rel in (("before", rec.before), ("after", rec.after)):
            assert row[side]["path"] == rel
            assert row[side]["bytes"] == _resolve(dataset, rel).read_bytes()
        assert row["captions"] == [c.text for c in rec.captions]
        assert row["referring"] == [c.referring for c in rec.captions]
        assert row["change_types"] == [c.type for c in rec.changes]
