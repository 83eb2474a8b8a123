"""Fixtures for the renderer tests: tiny GLB assets, hand-built pair specs, a reference run.

Every Blender render happens in spawned worker processes; the test process never imports bpy.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # workers import render_fixtures by name

from render_fixtures import REFERENCE_N, fixture_sampler, write_fixture_assets

from diffforge.config import GenerateConfig


@pytest.fixture(scope="session")
def assets(tmp_path_factory):
    return write_fixture_assets(tmp_path_factory.mktemp("assets"))


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("blend-cache")


@pytest.fixture(scope="session")
def cfg() -> GenerateConfig:
    """Draft preset pinned to 96×72, 4 samples, no denoiser (the tests' pixel budget), on the CPU."""
    render = {"preset": "draft", "resolution": [96, 72], "samples": 4, "denoise": False}
    return GenerateConfig.model_validate({"seed": 3, "render": render})


@pytest.fixture(scope="session")
def run(assets, cache_dir, cfg):
    """generate() with the test defaults; keyword arguments override them."""
    from diffforge.render import generate

    def _run(out, n=REFERENCE_N, **kw):
        kw.setdefault("sampler", None if "specs" in kw else fixture_sampler)
        kw.setdefault("resolver", assets)
        kw.setdefault("cache_dir", cache_dir)
        kw.setdefault("progress", False)
        kw.setdefault("captions", False)  # hand-built changes are not captioner input
        return generate(kw.pop("cfg", cfg), Path(out), n, **kw)

    return _run


@pytest.fixture(scope="session")
def reference(run, tmp_path_factory):
    """An uninterrupted 1-worker run of REFERENCE_N sampled pairs, compared against elsewhere."""
    out = tmp_path_factory.mktemp("reference")
    summary = run(out, workers=1)
    assert summary["pairs"] == REFERENCE_N, summary
    return out
