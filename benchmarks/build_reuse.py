"""What reusing the before image's build for the after image saves (issue 31).

Each default pair's ``render_pair`` is run with ``RenderSettings.reuse`` off and on, in turn,
in one process, ``time.process_time()`` around it (CPU seconds: the machine is shared).

    PYTHONPATH=$PWD python benchmarks/build_reuse.py --preset draft --pairs 6
"""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import replace
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--preset", required=True, choices=["draft", "standard", "high"])
    ap.add_argument("--pairs", type=int, default=6)
    ap.add_argument("--config", default="configs/default.yaml")
    args = ap.parse_args()

    from diffforge.config import load_config
    from diffforge.distributions import rng_for
    from diffforge.render.assets import LibraryResolver
    from diffforge.render.blender.backend import BlenderBackend
    from diffforge.render.facts import instance_ids
    from diffforge.render.settings import resolve_settings
    from diffforge.scenes.sampler import sample_pair

    cfg = load_config(Path(args.config), [f"render.preset={args.preset}", "render.threads=1"])
    settings = resolve_settings(cfg, 1)
    scratch = Path(f"/dev/shm/reuse31-{args.preset}")
    backends = {
        reuse: BlenderBackend(replace(settings, reuse=reuse), LibraryResolver(cfg.assets), scratch)
        for reuse in (False, True)
    }
    cpu: dict[bool, list[float]] = {False: [], True: []}
    for index in range(1, args.pairs + 1):
        spec = sample_pair(cfg, index, 0)
        ids = instance_ids(spec)
        seed = int(rng_for(spec.seed, spec.index, "cycles", spec.attempt).integers(2**31))
        pngs = (scratch / "b.png", scratch / "a.png")
        backends[False].prepare([spec.before, spec.after])  # asset conversion outside the timing
        for reuse in (index % 2 == 0, index % 2 == 1):  # alternate which goes first
            t = time.process_time()
            backends[reuse].render_pair(spec.before, spec.after, ids, pngs, seed)
            cpu[reuse].append(time.process_time() - t)
        types = "+".join(c.type for c in spec.changes)
        print(
            f"#{index} {spec.before.environment.layout} {types}: fresh {cpu[False][-1]:.2f} s,"
            f" reused {cpu[True][-1]:.2f} s",
            flush=True,
        )
    fresh, reused = sum(cpu[False]), sum(cpu[True])
    print(
        f"\n{args.preset}, {args.pairs} pairs, {time.strftime('%Y-%m-%d %H:%M')}: fresh "
        f"{fresh:.1f} s, reused {reused:.1f} s CPU ({100 * (1 - reused / fresh):.1f} % saved; "
        f"median per pair {statistics.median(cpu[False]):.2f} → {statistics.median(cpu[True]):.2f})"
    )


if __name__ == "__main__":
    main()
