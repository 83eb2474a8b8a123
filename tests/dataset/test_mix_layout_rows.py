"""Configured vs realized layout shares (``scene.layouts``) in the change-mix report, from real
sampled specs: the table's rows and the warning for a layout that falls short (dataset.json
and the commands' output: tests/cli/test_layout_output.py)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from diffforge.config import load_config
from diffforge.dataset.mix import spec_report
from diffforge.scenes.sampler import PairSampler, configured_mix

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = ROOT / "configs" / "default.yaml"
# Pose changes only: a tabletop composes no person, so its configured half of the pairs goes
# to rooms (the calibration cannot move pairs to a layout that cannot carry them).
NO_TABLETOP_POSE = [
    "scene.layouts={room: 1, tabletop: 1}",
    "changes.weights={pose: 1}",
    "changes.per_pair={1: 1}",
]


@pytest.fixture(scope="module")
def default_specs():
    cfg = load_config(DEFAULT)
    return cfg, list(PairSampler(cfg).iter_specs(12, 0))


@pytest.fixture(scope="module")
def pose_specs():
    cfg = load_config(DEFAULT, NO_TABLETOP_POSE)
    return cfg, list(PairSampler(cfg).iter_specs(16, 0))


def test_the_table_has_a_row_per_configured_layout(default_specs) -> None:
    cfg, specs = default_specs
    report = spec_report(*configured_mix(cfg), specs, cfg.scene.layouts)
    counts = Counter(s.before.environment.layout for s in specs)
    total = sum(cfg.scene.layouts.values())
    assert {r.name: r.configured for r in report.layouts} == pytest.approx(
        {k: w / total for k, w in cfg.scene.layouts.items()}
    )
    assert {r.name: r.count for r in report.layouts} == {k: counts[k] for k in cfg.scene.layouts}
    assert {r.name: r.realized for r in report.layouts} == pytest.approx(
        {k: counts[k] / len(specs) for k in cfg.scene.layouts}
    )
    expected_tvd = 0.5 * sum(
        abs(w / total - counts[k] / len(specs)) for k, w in cfg.scene.layouts.items()
    )
    assert report.tvd_layouts == pytest.approx(expected_tvd)
    lines = report.lines()
    start = lines.index("  layout         configured  realized   pairs")
    room = next(r for r in report.layouts if r.name == "room")
    assert lines[start + 1] == f"  room                45.0%{room.realized:>10.1%}{room.count:>8}"
    assert lines[start + 4] == f"  total variation distance {expected_tvd:.1%}"


def test_a_layout_below_half_its_share_is_named(pose_specs) -> None:
    cfg, specs = pose_specs
    assert {s.before.environment.layout for s in specs} == {"room"}
    report = spec_report(*configured_mix(cfg), specs, cfg.scene.layouts)
    assert report.tvd_layouts == pytest.approx(0.5)
    layout_warnings = [w for w in report.warnings() if w.startswith("layout ")]
    assert layout_warnings == [
        "layout tabletop: 0.0% of pairs realized of 50.0% configured; the pairs' drawn change "
        "types rarely find what they need there (their scene_needs), so they go to other layouts"
    ]
    assert f"warning: {layout_warnings[0]}" in report.lines()


def test_a_few_pairs_short_of_a_layout_share_are_noise(pose_specs) -> None:
    """Three pairs, none on a tabletop configured at half: under two standard errors."""
    cfg, specs = pose_specs
    report = spec_report(*configured_mix(cfg), specs[:3], cfg.scene.layouts)
    assert report.layouts[1].realized == 0.0 and report.warnings() == []
