"""Render only some pair indices of a default run, exactly as `diffforge generate` renders them
(pair k is a function of config, seed and k): to re-render the pairs a review rated without
the rest of its run. Run it from a worktree of the commit that rendered them.

    DIFFFORGE_MIX_PILOT=0 PYTHONPATH=$PWD python benchmarks/render_indices.py \\
        --seed 6400 --indices 7,9,13 --out /work/runs/vis5/s6400 [--preset standard]

The same as `diffforge generate configs/default.yaml --out OUT --n 48 --workers 2 --preset
standard --set seed=S` for those indices (generate's job list restricted to them).
"""

from __future__ import annotations

import argparse
import importlib
from pathlib import Path

from diffforge.config import load_config
from diffforge.render.pipeline import PairJob

# the module, not the function the package exports under the same name
generate = importlib.import_module("diffforge.render.generate")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--indices", required=True, help="comma-separated pair indices")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--config", default="configs/default.yaml")
    ap.add_argument("--preset", default="standard")
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    indices = [int(x) for x in args.indices.split(",")]

    def jobs(writer, n, specs, shard, skipped):
        yield from (PairJob(i, None) for i in indices if not writer.done(i))

    generate._jobs = jobs
    overrides = [f"seed={args.seed}", f"render.preset={args.preset}"]
    cfg = load_config(args.config, overrides)
    n = max(indices) + 1
    print(generate.generate(cfg, args.out, n, workers=args.workers, preset=args.preset,
                            progress=False))  # fmt: skip


if __name__ == "__main__":
    main()
