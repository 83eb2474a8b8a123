"""``diffforge stats DIR --compare``: the seed's Figure 5, caption-length distributions of a
diffforge dataset beside IEdit and Spot-the-Diff, read from their real annotation files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli.cli_entry import diffforge, ok
from PIL import Image

from diffforge.captioner.stats import annotation_lengths, write_stats
from diffforge.training.data.toy import ensure_toy_dataset

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
needs_data = pytest.mark.skipif(not DATA.is_dir(), reason="real annotation files not found")


def lengths_by_hand(files: list[Path], key: str) -> list[int]:
    return [len(s.split()) for f in files for rec in json.loads(f.read_text()) for s in rec[key]]


@needs_data
def test_lengths_come_from_every_caption_of_the_released_files() -> None:
    iedit = annotation_lengths("iedit", DATA / "iedit")
    spot = annotation_lengths("spot_the_diff", DATA / "spot_the_diff")
    files = sorted((DATA / "iedit").glob("*.json"))
    assert sorted(iedit) == sorted(lengths_by_hand(files, "sents")) and len(iedit) == 5695
    files = sorted((DATA / "spot_the_diff").glob("*.json"))
    assert sorted(spot) == sorted(lengths_by_hand(files, "sentences")) and len(spot) == 23093


@needs_data
def test_stats_compare_draws_figure5(tmp_path: Path) -> None:
    toy = ensure_toy_dataset(tmp_path / "toy")
    out = tmp_path / "stats"
    proc = ok(diffforge("stats", toy, "--json", "--out", out, "--compare", f"iedit={DATA / 'iedit'}",
                        "--compare", f"STD:spot_the_diff={DATA / 'spot_the_diff'}"))  # fmt: skip
    saved = json.loads((out / "stats.json").read_text())
    assert json.loads(proc.stdout)["compare"] == saved["compare"]
    assert list(saved["compare"]) == ["toy", "IEdit", "STD"]
    spot = annotation_lengths("spot_the_diff", DATA / "spot_the_diff")
    assert saved["compare"]["STD"]["captions"] == 23093
    assert saved["compare"]["STD"]["mean"] == pytest.approx(sum(spot) / len(spot), abs=0.005)
    assert saved["compare"]["toy"]["captions"] == 64 and saved["compare"]["IEdit"]["captions"] == 5695  # fmt: skip
    png = out / saved["files"]["caption_lengths_compare"]
    assert Image.open(png).size[0] >= 800
    again = write_stats(toy, tmp_path / "plain")
    assert "compare" not in again and not (tmp_path / "plain" / "caption_lengths_compare.png").exists()  # fmt: skip


def test_compare_errors_are_one_line(tmp_path: Path) -> None:
    toy = ensure_toy_dataset(tmp_path / "toy")
    for spec, words in (("coco=x.json", "FORMAT one of"), ("iedit", "FORMAT=PATH"),
                        (f"iedit={tmp_path / 'nope'}", "nope")):  # fmt: skip
        proc = diffforge("stats", toy, "--out", tmp_path / "s", "--compare", spec)
        assert proc.returncode == 2 and words in proc.stderr, proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "s").exists()  # nothing written
