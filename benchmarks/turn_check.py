"""The turn line of issue 32: over N sampled default specs, no turn whose caption states a
direction lies within 30° of a half-turn. Prints the turns by caption kind and the offenders.

    PYTHONPATH=$PWD python benchmarks/turn_check.py --n 500
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from diffforge.captioner.compose import AmbiguousReference, change_groups
from diffforge.config import load_config
from diffforge.render.facts import predicted_facts
from diffforge.scenes.sampler import PairSampler

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=500)
    ap.add_argument("--config", default=str(ROOT / "configs" / "default.yaml"))
    ap.add_argument("--preset", default="standard")
    args = ap.parse_args()
    cfg = load_config(args.config, [f"render.preset={args.preset}"])
    res = cfg.render.resolved().resolution
    sampler = PairSampler(cfg)
    kinds: Counter[str] = Counter()
    near_half = Counter()
    offenders = []
    for i in range(args.n):
        spec = sampler.sample(i)
        turns = [c for c in spec.changes if c.type == "orientation"]
        if not turns:
            continue
        facts = predicted_facts(spec, res, cfg.visibility.predict_fill)
        try:
            groups = change_groups(spec, res, facts)
        except AmbiguousReference:
            continue
        for c, g in zip(spec.changes, groups, strict=True):
            if c.type != "orientation":
                continue
            kinds[g.key] += 1
            near = abs(float(c.params["degrees"])) > 150.0
            near_half[g.key] += near
            if near and g.key == "orientation":
                offenders.append((i, c.params["degrees"]))
    print(f"{args.n} specs, {sum(kinds.values())} turns captioned")
    for key, n in sorted(kinds.items()):
        print(f"  {key}: {n} (within 30° of a half-turn: {near_half[key]})")
    print(f"directed captions within 30° of a half-turn: {len(offenders)} {offenders}")
    if offenders:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
