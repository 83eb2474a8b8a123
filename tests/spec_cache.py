"""Sampled specs shared by the suite's tests through a cache on disk.

Several test files sample the same config (the default one, at draft and at standard) at the
same indices; a spec costs 0.2-0.4 CPU s, so the suite paid for about a thousand of them twice.
The key is the config as dumped (two configs written differently but equal share an entry); the
cache lives for one test session only (so no code digest is needed), in a directory that the
xdist workers of that session share. Writes are atomic (a worker that reads
a spec another one is writing sees it whole or not at all).
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported where first sampled: conftest loads this module in every test run
    from diffforge.config import GenerateConfig
    from diffforge.scenes.model import PairSpec
    from diffforge.scenes.sampler import PairSampler


class SpecCache:
    """``specs(cfg, n)``: specs 0..n-1 of ``cfg`` (the default library), each sampled once per
    test session whichever test or worker asks first."""

    def __init__(self, root: Path):
        self.root = root
        self._samplers: dict[str, PairSampler] = {}

    def specs(self, cfg: GenerateConfig, n: int) -> list[PairSpec]:
        key = hashlib.sha256(cfg.model_dump_json().encode()).hexdigest()[:16]
        folder = self.root / key
        folder.mkdir(parents=True, exist_ok=True)
        return [self._spec(cfg, key, folder, i) for i in range(n)]

    def _spec(self, cfg: GenerateConfig, key: str, folder: Path, index: int) -> PairSpec:
        path = folder / f"{index}.pickle"  # pickle, not JSON: a change's free-form params keep
        if path.is_file():  # their tuples, so a cached spec equals a freshly sampled one
            return pickle.loads(path.read_bytes())
        if key not in self._samplers:
            from diffforge.scenes.sampler import PairSampler

            self._samplers[key] = PairSampler(cfg)
        spec = self._samplers[key].sample(index)
        fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            pickle.dump(spec, f)
        os.replace(tmp, path)
        return spec
