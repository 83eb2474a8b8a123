"""Realized change-type and layout shares of sampled specs vs the configured ones.

PYTHONPATH=. python benchmarks/mix_check.py N [key=value ...]   # overrides as with --set
"""

from __future__ import annotations

import sys
from collections import Counter

from diffforge.config import load_config
from diffforge.scenes.sampler import PairSampler, configured_mix

if __name__ == "__main__":
    n = int(sys.argv[1])
    extra = sys.argv[2:]
    cfg = load_config("configs/default.yaml", extra)
    s = PairSampler(cfg)
    w, per = configured_mix(cfg)
    tot = sum(w.values())
    lay = Counter()
    tc = Counter()
    fb = 0
    for i in range(n):
        sp = s.sample(i)
        lay[sp.before.environment.layout] += 1
        tc.update(c.type for c in sp.changes)
        fb += len(sp.fallbacks)
    m = sum(tc.values())
    tvd = 0.5 * sum(abs(tc[t] / m - w[t] / tot) for t in w)
    worst = max(w, key=lambda t: abs(tc[t] / m / (w[t] / tot) - 1))
    print(
        f"n={n} fallbacks={fb} TVD={100 * tvd:.1f}% worst={worst} {100 * (tc[worst] / m / (w[worst] / tot) - 1):+.1f}%"
    )
    print(
        "layouts",
        {k: round(v / n, 3) for k, v in lay.items()},
        "configured",
        dict(cfg.scene.layouts),
    )
