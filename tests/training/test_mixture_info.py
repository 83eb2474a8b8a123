"""``diffforge data info CONFIG``: the seed's Table 9 layout over the real annotation files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli.cli_entry import diffforge
from typer.testing import CliRunner

from diffforge.commands.training import data_app
from diffforge.formats import spot_the_diff
from diffforge.training.config import load_train_config
from diffforge.training.data.info import mixture_info

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.train
TABLE9 = REPO / "configs/train/table9_shared_data.yaml"

# train + val of the released files, the splits whose counts the seed's Table 9 gives
# (CLEVR-Change 71k pairs, CLEVR-DC 43k, Spot-the-Diff 11k records / 21k captions, IEdit 3k / 4k)
EXPECTED = {
    "CLEVR-Change": {"records": 35818, "pairs": 71636, "captions": 0},
    "CLEVR-DC": {"records": 43200, "pairs": 43200, "captions": 0},
    "Spot-the-Diff": {"records": 11158, "pairs": 10059, "captions": 20986},
    "IEdit": {"records": 3444, "pairs": 2864, "captions": 4210},
}


def test_table9_counts_of_the_shared_files(shared_data: Path, monkeypatch) -> None:
    monkeypatch.chdir(REPO)  # the config's paths are relative to the working directory
    info = mixture_info(load_train_config(TABLE9).data)
    got = {
        r["source"]: {k: r[k] for k in ("records", "pairs", "captions")} for r in info["sources"]
    }
    assert got == EXPECTED
    assert info["total"]["pairs"] == 127759 and info["total"]["captions"] == 25196
    assert info["total"]["samples"] == 0  # no images in ../shared/data: nothing to sample


def test_data_info_prints_the_table9_layout(shared_data: Path, monkeypatch) -> None:
    monkeypatch.chdir(REPO)
    res = CliRunner().invoke(data_app, ["info", str(TABLE9)])
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert lines[0].split() == ["dataset", "split", "image", "pairs", "captions", "samples", "/", "epoch"]  # fmt: skip
    rows = {ln.split()[0]: ln.split()[1:] for ln in lines[2:7] if not ln.startswith("-")}
    assert rows["CLEVR-Change"] == ["train+val", "71,636", "0", "0"]
    assert rows["Spot-the-Diff"] == ["train+val", "10,059", "20,986", "0"]
    assert rows["IEdit"] == ["train+val", "2,864", "4,210", "0"]
    total = next(ln for ln in lines if ln.startswith("all "))
    assert total.split() == ["all", "127,759", "25,196", "0"]
    assert "note: CLEVR-DC: captions file not found: pairs have no captions" in lines


def test_samples_are_captions_of_usable_pairs(
    shared_data: Path, tmp_path: Path, placeholder
) -> None:
    """With images for some Spot-the-Diff pairs, an epoch holds each of their captions once,
    and a weight scales that count; ``--set`` overrides reach the config; --json works."""
    ann = spot_the_diff.read(shared_data / "spot_the_diff")
    train = [e for e in ann.pairs if e.split == "train"][:25]
    for e in train:
        placeholder(tmp_path / e.before)
        placeholder(tmp_path / e.after)
    cfg = tmp_path / "mix.yaml"
    cfg.write_text(
        "model: {tiny: {}}\ndata:\n  sources:\n"
        f"    - {{format: spot_the_diff, path: {shared_data / 'spot_the_diff'}, images: {tmp_path}}}\n"
    )
    res = CliRunner().invoke(data_app, ["info", str(cfg), "--json"])
    assert res.exit_code == 0, res.output
    src = json.loads(res.output)["sources"][0]
    captions = sum(len(e.captions) for e in train)
    assert (src["usable_pairs"], src["samples"], src["pairs"]) == (25, captions, 8566)
    res = CliRunner().invoke(
        data_app, ["info", str(cfg), "--json", "--set", "data.sources.0.weight=2",
                   "--set", "data.sources.0.captions=one_per_pair"],
    )  # fmt: skip
    assert json.loads(res.output)["sources"][0]["samples"] == 50


def test_data_info_config_errors_are_one_line(tmp_path: Path) -> None:
    cfg = tmp_path / "mix.yaml"
    cfg.write_text("model: {tiny: {}}\ndata: {sources: [{format: iedit, path: nowhere}]}\n")
    proc = diffforge("data", "info", cfg, cwd=tmp_path)
    assert proc.returncode == 2 and proc.stderr.strip() == "error: nowhere: not found"
    cfg.write_text(
        "model: {tiny: {}}\ndata: {sources: [{format: iedit, path: x, captions: few}]}\n"
    )
    proc = diffforge("data", "info", cfg, cwd=tmp_path)
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1
    assert "data.sources.0.captions" in proc.stderr
