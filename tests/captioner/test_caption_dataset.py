"""Recaptioning a dataset directory, statistics plots, and exports that load back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from diffforge.captioner.api import caption_dataset
from diffforge.captioner.bench import bench_caption, bench_line
from diffforge.captioner.export import export
from diffforge.captioner.stats import write_stats
from diffforge.errors import DiffforgeError


def test_caption_dataset_template_only_is_deterministic(dataset: Path) -> None:
    report = caption_dataset(dataset)
    first = (dataset / "pairs.jsonl").read_text()
    assert report.pairs == 12 and report.captions == 24 and not report.ambiguous
    assert report.rewrite.rewritten == 0 and report.rewrite.backend == "none"
    caption_dataset(dataset)
    assert (dataset / "pairs.jsonl").read_text() == first
    row = json.loads(first.splitlines()[0])
    assert set(row["captions"][0]) >= {"text", "referring", "change", "types", "source"}


def test_missing_dataset_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(DiffforgeError, match=r"no pairs\.jsonl"):
        caption_dataset(tmp_path)


def test_stats_writes_plots_and_counts(dataset: Path, tmp_path: Path) -> None:
    stats = write_stats(dataset, tmp_path / "stats")
    assert stats["pairs"] == 12 and stats["captions"] == 12
    assert stats["splits"] == {"test": 2, "train": 10}
    assert sum(stats["changes_per_pair"].values()) == 12
    assert stats["avg_words"] > 10
    for name in ("wordcloud.png", "caption_lengths.png"):
        with Image.open(tmp_path / "stats" / name) as im:
            assert im.size[0] > 300
    assert json.loads((tmp_path / "stats" / "stats.json").read_text())["pairs"] == 12


def test_llava_export_loads_with_the_training_loader(dataset: Path, tmp_path: Path) -> None:
    from diffforge.training.data.text_formats import load_llava

    out = tmp_path / "llava.json"
    assert export(dataset, "llava", out) == 12
    data = json.loads(out.read_text())
    human = data[0]["conversations"][0]["value"]
    assert human.startswith("<image>\n<image>\n")
    loaded = load_llava(out, images=dataset)
    assert sum(loaded.entries.values()) == 12


def test_coco_export_loads_as_references(dataset: Path, tmp_path: Path) -> None:
    from diffforge.evaluation.references import load_references

    out = tmp_path / "coco.json"
    assert export(dataset, "coco", out, split="train") == 10
    refs = load_references(out)
    assert len(refs.captions) == 10


def test_unknown_export_format(dataset: Path, tmp_path: Path) -> None:
    with pytest.raises(DiffforgeError, match="valid: llava, coco, parquet"):
        export(dataset, "csv", tmp_path / "x")


def test_bench_caption_reports_rate() -> None:
    result = bench_caption(n=40, repeats=1)
    assert result["pairs_per_s"] > 0 and result["pairs"] == 40
    assert "pairs/s" in bench_line(result)
