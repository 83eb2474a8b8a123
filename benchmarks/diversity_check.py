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
    specs = [sampler.sample(i) for i in range(args.n)]
    d = diversity(specs)
    print("\n".join(diversity_lines(d)))
    library = set(sampler.library.categories())
    reached = {o.category for s in specs for scene in (s.before, s.after) for o in scene.objects}
    never = sorted(library - reached)
    print(f"library: {len(library)} categories, {len(library & reached)} reached (before or "
          f"after scenes){'; never: ' + ', '.join(never) if never else ''}")  # fmt: skip
    if args.all:
        for c, row in d["shapes_per_category"].items():
            print(f"  {c:<20}{row['instances']:6d}{row['shapes']:5d}")


if __name__ == "__main__":
    main()
