"""Realized change-type, changes-per-pair and layout shares of sampled specs vs the configured
ones, with the fallbacks (by type, reason and layout) and the pairs moved off their drawn layout.

PYTHONPATH=. python benchmarks/mix_check.py N [--start S] [--config C] [--set key=value ...]
"""

from __future__ import annotations

import argparse
import time
from collections import Counter

import numpy as np


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int, help="pairs to sample")
    ap.add_argument("--start", type=int, default=0, help="the first pair's index")
    ap.add_argument("--config", default="configs/default.yaml")
    ap.add_argument("--set", action="append", default=[], help="key.path=value (repeatable)")
    args = ap.parse_args()

    from diffforge.config import load_config
    from diffforge.scenes.sampler import PairSampler, configured_mix

    cfg = load_config(args.config, args.set)
    clock = time.process_time()
    sampler = PairSampler(cfg)
    build = time.process_time() - clock
    print(f"build={build:.1f} s cpu, pilot {sampler.pilot_specs} specs on {sampler.pilot_pairs} "
          "pairs (0: cached)", flush=True)  # fmt: skip
    weights, per_pair = configured_mix(cfg)
    total = sum(weights.values())
    layouts: Counter[str] = Counter()
    types: Counter[str] = Counter()
    drawn: Counter[str] = Counter()  # before any fallback: what the draw asked of the pair
    counts: Counter[int] = Counter()
    why: Counter[tuple[str, str, str]] = Counter()
    # parameters a type draws with it (``param_needs``: a lamp switch's kind), realized
    pinned = {t: k for t in weights for k in sampler.operators[t].param_needs}
    values: Counter[tuple[str, object]] = Counter()
    moved = 0
    clock = time.process_time()
    for i in range(args.start, args.start + args.n):
        spec = sampler.sample(i)
        layout = spec.before.environment.layout
        layouts[layout] += 1
        moved += layout != sampler.pair_layout(i)
        types.update(c.type for c in spec.changes)
        drawn.update(sampler.draw_types(i))
        values.update(
            (c.type, c.params.get(pinned[c.type])) for c in spec.changes if c.type in pinned
        )
        counts[len(spec.changes)] += 1  # a "none" pair is a single-change pair
        why.update((f.type, f.reason, layout) for f in spec.fallbacks)
    cpu = (time.process_time() - clock) / args.n
    m = sum(types.values())
    tvd = 0.5 * sum(abs(types[t] / m - w / total) for t, w in weights.items())
    worst = max(weights, key=lambda t: abs(types[t] / m / (weights[t] / total) - 1))
    off = 100 * (types[worst] / m / (weights[worst] / total) - 1)
    print(
        f"n={args.n} fallbacks={sum(why.values())} layout moves={moved} type TVD={100 * tvd:.1f}% "
        f"worst={worst} {off:+.1f}% cpu={1000 * cpu:.0f} ms/spec build={build:.1f} s cpu"
    )
    print(f"  {'type':<14}{'config':>8}{'real':>8}{'rel':>9}{'drawn':>8}{'factor':>8}")
    d = max(sum(drawn.values()), 1)
    for t, w in sorted(weights.items()):
        share = types[t] / m
        factor = dict(zip(sampler.types, sampler.loss_c, strict=True)).get(t, 1.0)
        print(f"  {t:<14}{w / total:8.1%}{share:8.1%}{100 * (share / (w / total) - 1):+8.1f}%"
              f"{drawn[t] / d:8.1%}{factor:8.3f}")  # fmt: skip
    n_pairs = sum(counts.values())
    p_total = sum(per_pair.values())
    for n, w in sorted(per_pair.items()):
        share = counts[n] / max(n_pairs, 1)
        print(f"  per pair {n:<5}{w / p_total:8.1%}{share:8.1%}"
              f"{100 * (share / (w / p_total) - 1):+8.1f}%")  # fmt: skip
    l_total = sum(v for v in cfg.scene.layouts.values() if v > 0)
    for k, w in sorted(cfg.scene.layouts.items()):
        if w > 0:
            share = layouts[k] / args.n
            print(f"  layout {k:<7}{w / l_total:8.1%}{share:8.1%}"
                  f"{100 * (share / (w / l_total) - 1):+8.1f}%")  # fmt: skip
    for t, key in sorted(pinned.items()):
        dist = sampler.params[t][key]
        rng = np.random.default_rng(0)
        drawn = Counter(dist.sample(rng) for _ in range(4000))
        for v, c in sorted(drawn.items()):
            share = values[t, v] / max(types[t], 1)
            print(f"  {t}.{key}={v!s:<12}{c / 4000:8.1%}{share:8.1%}")
    for (t, reason, layout), n in why.most_common():
        print(f"  fallback {t}: {reason} ({layout}) x{n}")


if __name__ == "__main__":
    main()
