"""Shape and category variety of sampled specs (issue 25's bar: over 500 default specs, every
category with 20 or more instances shows at least 8 distinct shapes).

PYTHONPATH=. python benchmarks/diversity_check.py N [--config C] [--set key=value ...]
"""

from __future__ import annotations

import argparse


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int, help="pairs 0..n-1 to sample")
    ap.add_argument("--config", default="configs/default.yaml")
    ap.add_argument("--set", action="append", default=[], help="key.path=value (repeatable)")
    ap.add_argument("--all", action="store_true", help="print every category's row")
    args = ap.parse_args()

    from diffforge.audit.diversity import diversity, diversity_lines
    from diffforge.config import load_config
    from diffforge.scenes.sampler import PairSampler

    sampler = PairSampler(load_config(args.config, args.set))
    d = diversity(sampler.sample(i) for i in range(args.n))
    print("\n".join(diversity_lines(d)))
    if args.all:
        for c, row in d["shapes_per_category"].items():
            print(f"  {c:<20}{row['instances']:6d}{row['shapes']:5d}")


if __name__ == "__main__":
    main()
