"""Clearance and size rules of review_std96j (issue 25) over N default specs (seed 0): scenes
(before + after) with a vehicle too near another vehicle or a thing, a person whose footprint
overlaps another's or who stands close before a vehicle in the picture, an object outside its
kind's plausible size; and how many changes of each type the specs carry. ``--off`` samples
with the rules' enforcement switched off (main's behaviour) and measures with them on.

    PYTHONPATH=$PWD .venv/bin/python benchmarks/staging_clearance.py N [--off]
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from pathlib import Path

from diffforge.config import load_config
from diffforge.scenes.environments import staging
from diffforge.scenes.sampler import PairSampler

ROOT = Path(__file__).resolve().parents[1]


def _switched_off() -> dict:
    """Turn the clearance, person-before-vehicle and real-height rules off; returns what to
    put back."""
    kept = {
        "too_close": staging.too_close,
        "PERSON_VEHICLE_GAP": staging.PERSON_VEHICLE_GAP,
        "REAL_HEIGHTS": staging.REAL_HEIGHTS,
    }
    staging.too_close = lambda scene, obj: None
    staging.PERSON_VEHICLE_GAP = staging.PERSON_GAP
    staging.REAL_HEIGHTS = {}
    return kept


def _vehicle_offences(scene) -> list[str]:
    return [
        p
        for o in scene.objects
        if staging.is_vehicle(o)
        and (other := staging.too_close(scene, o)) is not None
        and not staging.is_person(scene.object(other))
        for p in [f"{o.id}~{other}"]
    ]


def _person_offences(scene) -> list[str]:
    out = [
        f"{o.id}~{other}"
        for o in scene.objects
        if staging.is_person(o) and (other := staging.too_close(scene, o)) is not None
    ]
    return out + [p for p in staging.crowding_problems(scene)]


def main(n: int, off: bool) -> None:
    cfg = load_config(ROOT / "configs" / "default.yaml", [])
    kept = _switched_off() if off else {}
    sampler = PairSampler(cfg)
    t0 = time.perf_counter()
    specs = [sampler.sample(i) for i in range(n)]
    dt = time.perf_counter() - t0
    for name, value in kept.items():
        setattr(staging, name, value)
    rules = {
        "vehicle clearance": _vehicle_offences,
        "person footprint / before a vehicle": _person_offences,
        "size outside the kind's range": staging.size_problems,
    }
    print(f"{n} default specs, enforcement {'off' if off else 'on'} ({dt:.0f} s sampling)")
    for name, rule in rules.items():
        before = [s.index for s in specs if rule(s.before)]
        after = [s.index for s in specs if rule(s.after)]
        print(f"{name}: before {len(before)}, after {len(after)} scenes; after: {after[:12]}")
    types = Counter(c.type for s in specs for c in s.changes)
    print("changes:", dict(sorted(types.items())))
    sizes = [c for s in specs for c in s.changes if c.type == "size"]
    print(f"size changes: {len(sizes)}; factors: {sorted(c.params['factor'] for c in sizes)[-8:]}")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("n", type=int)
    ap.add_argument("--off", action="store_true", help="sample with the rules switched off")
    args = ap.parse_args()
    main(args.n, args.off)
