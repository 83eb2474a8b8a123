"""A small dataset rendered once per session through the entry point (Cycles, draft preset)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from cli_entry import CONFIG, diffforge, ok

RENDERED_PAIRS = 3


@pytest.fixture(scope="session")
def rendered(tmp_path_factory) -> Path:
    """``generate configs/default.yaml --n 3 --preset draft`` (96×72): never modify it, copy it."""
    out = tmp_path_factory.mktemp("rendered") / "ds"
    proc = ok(
        diffforge("generate", CONFIG, "--out", out, "--n", RENDERED_PAIRS, "--preset", "draft")
    )
    assert f"{RENDERED_PAIRS} pairs in the dataset" in proc.stdout, proc.stdout
    return out


@pytest.fixture
def dataset_copy(rendered, tmp_path) -> Path:
    """A private copy of the rendered dataset (files copied, so edits stay in the copy)."""
    return Path(shutil.copytree(rendered, tmp_path / "dataset"))


@pytest.fixture(scope="session")
def sharded(tmp_path_factory) -> Path:
    """``generate --n 2 --shard 0/2`` and ``1/2`` into one OUT (unmerged): copy it to change it."""
    out = tmp_path_factory.mktemp("sharded") / "run"
    for i in range(2):
        ok(diffforge("generate", CONFIG, "--out", out, "--n", 2, "--shard", f"{i}/2",
                     "--preset", "draft"))  # fmt: skip
    return out
