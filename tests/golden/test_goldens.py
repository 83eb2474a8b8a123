"""Behaviour a refactor must keep: 240 sampled specs and a rendered set, frozen at a reference
commit (tests/golden/goldens.py says how they were made)."""

from __future__ import annotations

import json
from collections import defaultdict

import pytest
from goldens import RENDERED, canonical, load_config, read_specs, rendered_set

from diffforge.scenes.sampler import PairSampler


def _first_difference(a, b, path="") -> str:
    if type(a) is not type(b):
        return f"{path}: {a!r} != {b!r}"
    if isinstance(a, dict):
        for key in sorted(set(a) | set(b)):
            if a.get(key, "<missing>") != b.get(key, "<missing>"):
                return _first_difference(a.get(key), b.get(key), f"{path}.{key}")
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} items != {len(b)}"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            if x != y:
                return _first_difference(x, y, f"{path}[{i}]")
    return f"{path}: {a!r} != {b!r}"


def test_sampled_specs_equal_the_frozen_ones():
    rows = read_specs()
    groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for row in rows:
        groups[(row["config"], row["preset"])].append(row)
    assert len(rows) >= 200
    for (path, preset), group in groups.items():
        sampler = PairSampler(load_config(path, preset))
        for row in group:
            now = canonical(sampler.sample(row["index"]).to_json())
            where = f"{path} {preset} pair {row['index']}"
            assert now == row["spec"], f"{where}: {_first_difference(row['spec'], now)}"


def test_the_comparison_sees_a_changed_spec():
    """The frozen file is compared field by field: one moved object is a failure."""
    row = read_specs()[0]
    spec = json.loads(json.dumps(row["spec"]))
    spec["after"]["objects"][0]["transform"]["location"][0] += 0.01
    assert spec != row["spec"]
    assert "transform.location" in _first_difference(row["spec"], spec)


@pytest.mark.slow
def test_rendered_masks_and_captions_equal_the_frozen_ones(tmp_path):
    frozen = json.loads(RENDERED.read_text())
    assert rendered_set(tmp_path) == frozen
