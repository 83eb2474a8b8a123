"""``sample``, ``generate``, ``audit`` and ``bench sample`` print the configured vs realized layout shares beside
the change mix, and dataset.json records the realized ones: through the console script, on
real sampled specs (a pose-only config where tabletops, which compose no person, fall short)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from cli_entry import CONFIG, diffforge, ok
from PIL import Image

from diffforge.config import load_config
from diffforge.dataset import DatasetMeta, PairRecord, pair_paths, read_meta
from diffforge.dataset.writer import finalize
from diffforge.scenes.specfile import read_specs

NO_TABLETOP_POSE = [
    "scene.layouts={room: 1, tabletop: 1}",
    "changes.weights={pose: 1}",
    "changes.per_pair={1: 1}",
]
SETS = [a for s in NO_TABLETOP_POSE for a in ("--set", s)]
N = 12
HEADER = "  layout         configured  realized   pairs"
ROOM = "  room                50.0%    100.0%      12"
TABLETOP = "  tabletop            50.0%      0.0%       0"
WARNING = "warning: layout tabletop: 0.0% of pairs realized of 50.0% configured"


@pytest.fixture(scope="module")
def sampled(tmp_path_factory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("layouts") / "specs.jsonl"
    proc = ok(diffforge("sample", CONFIG, "--n", N, "--out", out, *SETS))
    return out, proc.stdout


def test_sample_prints_the_layout_shares_and_names_the_short_one(sampled) -> None:
    lines = sampled[1].splitlines()
    start = lines.index(HEADER)
    assert lines[start + 1 : start + 4] == [ROOM, TABLETOP, "  total variation distance 50.0%"]
    assert [line for line in lines if line.startswith("warning: layout")] == [
        WARNING + "; the pairs' drawn change types rarely find what they need there "
        "(their scene_needs), so they go to other layouts"
    ]


def test_bench_sample_prints_the_layout_shares() -> None:
    lines = ok(diffforge("bench", "sample", CONFIG, "--n", N, "--repeats", 1, *SETS)).stdout
    lines = lines.splitlines()
    start = lines.index(HEADER)
    assert lines[start + 1 : start + 3] == [ROOM, TABLETOP]
    assert any(line.startswith(WARNING) for line in lines)


def test_dataset_json_and_audit_carry_the_layout_shares(sampled, tmp_path: Path) -> None:
    """A dataset of the sampled specs' scene files and flat grey images (the mix reads only
    records, scene files and dataset.json): dataset.json records the realized layout shares
    next to the type shares, and ``audit`` prints the same table and warning."""
    cfg = load_config(CONFIG, NO_TABLETOP_POSE)
    for sub in ("images", "scenes"):
        (tmp_path / sub).mkdir()
    recs = []
    for spec in read_specs(sampled[0]):
        pid = f"{spec.index:08d}"
        paths = pair_paths(pid)
        for side in ("before", "after"):
            Image.fromarray(np.full((6, 8, 3), 120, np.uint8)).save(tmp_path / paths[side])
        scene = {"spec": spec.model_dump(mode="json"), "image_size": [8, 6]}
        (tmp_path / paths["scene"]).write_text(json.dumps(scene))
        recs.append(PairRecord(id=pid, index=spec.index, before=paths["before"],
                               after=paths["after"], scene=paths["scene"],
                               changes=[{"type": c.type} for c in spec.changes]))  # fmt: skip
    finalize(tmp_path, recs, [], DatasetMeta(config=cfg.model_dump(mode="json"), seed=cfg.seed))
    mix = read_meta(tmp_path).counts["mix"]
    assert mix["types"] == {"pose": 1.0}
    assert mix["layouts"] == {"room": 1.0, "tabletop": 0.0} and mix["tvd_layouts"] == 0.5

    lines = ok(diffforge("audit", tmp_path)).stdout.splitlines()
    start = lines.index(HEADER)
    assert lines[start + 1 : start + 3] == [ROOM, TABLETOP]
    assert any(line.startswith(WARNING) for line in lines)
    audit = json.loads((tmp_path / "audit" / "audit.json").read_text())
    assert audit["mix"]["layouts"]["tabletop"] == {"configured": 0.5, "realized": 0.0, "count": 0}


@pytest.mark.blender
@pytest.mark.slow
def test_generate_ends_with_the_layout_shares(rendered: Path, dataset_copy: Path) -> None:
    """Resumed (nothing left to render), ``generate`` prints the mix of the pairs it holds:
    the layouts of its scene files against the default config's."""
    proc = ok(diffforge("generate", CONFIG, "--out", dataset_copy, "--n", 3, "--preset", "draft"))
    lines = proc.stdout.splitlines()
    start = lines.index(HEADER)
    layouts = json.loads((rendered / "dataset.json").read_text())["counts"]["mix"]["layouts"]
    assert set(layouts) == {"room", "street", "tabletop"} and sum(
        layouts.values()
    ) == pytest.approx(1, abs=1e-3)
    rows = [line.split()[0] for line in lines[start + 1 : start + 4]]
    assert rows == ["room", "street", "tabletop"]
    assert lines[start + 4].startswith("  total variation distance ")
