"""Which split a pair belongs to: a pure function of (seed, index), so shards agree."""

from __future__ import annotations

from diffforge.config import SplitsConfig
from diffforge.dataset.layout import SPLITS
from diffforge.distributions import rng_for


def split_for(seed: int, index: int, splits: SplitsConfig) -> str:
    """Deterministic split of pair ``index``: its own base scene, so no scene straddles splits."""
    u = float(rng_for(seed, index, "split").random())
    edge = 0.0
    for name in SPLITS:
        edge += getattr(splits, name)
        if u < edge:
            return name
    return SPLITS[-1]
