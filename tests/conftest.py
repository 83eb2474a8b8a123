"""Suite-wide test settings.

The sampler's mix pilot (``PairSampler._loss_corrected``: a few hundred specs per config,
minutes of CPU for a default-like config, cached on disk per config and code) is off unless a
test turns it on (``monkeypatch.delenv("DIFFFORGE_MIX_PILOT")``, tests/scenes/test_mix_loss.py):
the suite builds samplers for dozens of configs, and a cold cache would pay a pilot for each.
``DIFFFORGE_MIX_PILOT=1 make test`` runs everything with it.
"""

from __future__ import annotations

import os

import pytest
from spec_cache import SpecCache

os.environ.setdefault("DIFFFORGE_MIX_PILOT", "0")


@pytest.fixture(scope="session")
def spec_cache(tmp_path_factory: pytest.TempPathFactory) -> SpecCache:
    """Specs sampled once per test session, shared by the tests and xdist workers that sample
    the same config (tests/spec_cache.py)."""
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):  # each worker's basetemp sits in the run's own
        base = base.parent
    return SpecCache(base / "spec-cache")
