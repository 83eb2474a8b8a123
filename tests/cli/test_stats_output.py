"""``diffforge stats`` for a person: counts in a few lines and where the plots went (``--json``
for stats.json); the length histogram counts captions in whole numbers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_entry import diffforge, ok

from diffforge.captioner.stats import plot_lengths


@pytest.mark.blender
@pytest.mark.slow
def test_stats_says_where_the_plots_are(dataset_copy: Path) -> None:
    out = ok(diffforge("stats", dataset_copy)).stdout
    stats = dataset_copy / "stats"
    assert out.startswith("3 pairs, 6 captions")
    assert f"plots: {stats / 'wordcloud.png'}, {stats / 'caption_lengths.png'}" in out
    assert f"numbers: {stats / 'stats.json'}" in out
    assert not out.lstrip().startswith("{")
    as_json = json.loads(ok(diffforge("stats", dataset_copy, "--json")).stdout)
    assert as_json == json.loads((stats / "stats.json").read_text())


def test_length_histogram_y_axis_is_whole_captions(tmp_path: Path) -> None:
    ticks = plot_lengths([14, 15, 75], tmp_path / "lengths.png")  # at most one caption per bin
    assert ticks and all(t == int(t) for t in ticks), ticks
    assert (tmp_path / "lengths.png").is_file()
