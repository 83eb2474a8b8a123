"""``diffforge export --format parquet`` of a rendered dataset loads back with ``datasets``:
before, after and change mask as decoded images (embedded: the file stands alone), referring
parts as lists of strings, one list per caption."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from cli_entry import diffforge, ok
from PIL import Image

pytestmark = [pytest.mark.blender, pytest.mark.slow]


def test_parquet_has_image_columns_and_referring_lists(dataset_copy: Path, tmp_path: Path) -> None:
    datasets = pytest.importorskip("datasets")
    out = tmp_path / "pairs.parquet"
    ok(diffforge("export", dataset_copy, "--format", "parquet", "--out", out))
    records = [json.loads(x) for x in (dataset_copy / "pairs.jsonl").read_text().splitlines()]
    shutil.rmtree(dataset_copy)  # embedded: nothing is read from the dataset any more

    table = datasets.load_dataset("parquet", data_files=str(out), split="train")
    assert len(table) == len(records) == 3
    for name in ("before", "after", "change_mask"):
        assert isinstance(table.features[name], datasets.Image), table.features
    row, rec = table[1], records[1]
    assert isinstance(row["before"], Image.Image) and row["before"].mode == "RGB"
    assert row["after"].size == row["before"].size
    assert np.asarray(row["change_mask"]).max() == 255
    assert row["captions"] == [c["text"] for c in rec["captions"]]
    want = [[r] if isinstance(r, str) else r for r in (c["referring"] for c in rec["captions"])]
    assert row["referring"] == want
    assert all(isinstance(x, str) for refs in row["referring"] for x in refs)
