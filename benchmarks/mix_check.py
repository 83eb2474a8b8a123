"""Realized change-type and layout shares of sampled specs vs the configured ones.

PYTHONPATH=. python benchmarks/mix_check.py N [--config C] [--set key=value ...]
"""

from __future__ import annotations

import argparse
from collections import Counter


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int, help="pairs 0..n-1 to sample")
    ap.add_argument("--config", default="configs/default.yaml")
    ap.add_argument("--set", action="append", default=[], help="key.path=value (repeatable)")
    args = ap.parse_args()

    from diffforge.config import load_config
    from diffforge.scenes.sampler import PairSampler, configured_mix

    cfg = load_config(args.config, args.set)
    sampler = PairSampler(cfg)
    weights, _ = configured_mix(cfg)
    total = sum(weights.values())
    layouts: Counter[str] = Counter()
    types: Counter[str] = Counter()
    fallbacks = 0
    for i in range(args.n):
        spec = sampler.sample(i)
        layouts[spec.before.environment.layout] += 1
        types.update(c.type for c in spec.changes)
        fallbacks += len(spec.fallbacks)
    m = sum(types.values())
    tvd = 0.5 * sum(abs(types[t] / m - w / total) for t, w in weights.items())
    worst = max(weights, key=lambda t: abs(types[t] / m / (weights[t] / total) - 1))
    off = 100 * (types[worst] / m / (weights[worst] / total) - 1)
    print(f"n={args.n} fallbacks={fallbacks} type TVD={100 * tvd:.1f}% worst={worst} {off:+.1f}%")
    for t, w in sorted(weights.items()):
        share = types[t] / m
        print(f"  {t:<14}{w / total:8.1%}{share:8.1%}{100 * (share / (w / total) - 1):+8.1f}%")
    realized = {k: round(v / args.n, 3) for k, v in sorted(layouts.items())}
    print("layouts", realized, "configured", dict(cfg.scene.layouts))


if __name__ == "__main__":
    main()
