"""Street framing figures (issue 25): over N default streets composed as the staging test does
(``rng_for(seed, i, "street-framing")``), the empty road's share of the frame (whole, and its
lower 40 %), the objects in view (the scene's objects, and those the prediction sees at the
visibility threshold at standard), and for streets composed for a text change their empty
road (whole, lower 40 %) and how many have one / two signs that read at standard
(``PairSampler._fit_text``).

    PYTHONPATH=$PWD .venv/bin/python benchmarks/street_framing.py N [TEXT_N]
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from diffforge.config import load_config
from diffforge.distributions import rng_for
from diffforge.scenes.environments import compose, staging
from diffforge.scenes.geometry import predicted_footprints
from diffforge.scenes.sampler import PairSampler

ROOT = Path(__file__).resolve().parents[1]


def main(n: int = 200, text_n: int = 40) -> None:
    cfg = load_config(ROOT / "configs" / "default.yaml", ["render.preset=standard"])
    sampler = PairSampler(cfg)
    resolution = cfg.render.resolved().resolution
    need = max(cfg.visibility.target_pixels(resolution), cfg.render.min_visible_pixels)
    t0 = time.perf_counter()
    whole, lower, objects, seen = [], [], [], []
    for i in range(n):
        scene = compose(rng_for(cfg.seed, i, "street-framing"), "street", cfg, sampler.library)
        whole.append(staging.empty_road_share(scene))
        lower.append(staging.empty_road_share(scene, lower=0.4))
        feet = predicted_footprints(scene, resolution, cfg.visibility.predict_fill)
        objects.append(len(scene.objects))
        seen.append(sum(f.pixels >= need for f in feet.values()))
    whole, lower = np.array(whole), np.array(lower)
    print(f"{n} streets ({time.perf_counter() - t0:.0f} s)")
    print(
        f"empty road, whole frame: mean {whole.mean():.3f}, views over 0.3 {(whole > 0.3).mean():.0%}"
    )
    print(
        f"empty road, lower 40 %: mean {lower.mean():.3f}, views over 0.6 {(lower > 0.6).mean():.0%}"
    )
    print(
        f"objects in the scene: median {np.median(objects):.0f}; seen at the threshold: median {np.median(seen):.0f}"
    )
    one = two = 0
    text_whole, text_lower = [], []
    for i in range(text_n):
        rng = rng_for(cfg.seed, i, "street-text")
        scene = compose(rng, "street", cfg, sampler.library, frozenset({"text"}))
        text_whole.append(staging.empty_road_share(scene))
        text_lower.append(staging.empty_road_share(scene, lower=0.4))
        one += bool(sampler._fit_text(scene))
        scene = compose(
            rng_for(cfg.seed, i, "street-text"), "street", cfg, sampler.library, frozenset({"text"})
        )
        two += len(sampler._fit_text(scene, 2, rng_for(cfg.seed, i, "signs"))) >= 2
    text_whole, text_lower = np.array(text_whole), np.array(text_lower)
    print(
        f"text streets, empty road: whole mean {text_whole.mean():.3f}, over 0.3 "
        f"{(text_whole > 0.3).mean():.0%}; lower 40 % mean {text_lower.mean():.3f}, over 0.6 "
        f"{(text_lower > 0.6).mean():.0%}"
    )
    print(
        f"streets composed for text at standard: one sign reads {one}/{text_n}, two read {two}/{text_n}"
    )


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("n", type=int, help="default street scenes to measure (e.g. 200)")
    ap.add_argument("text_n", type=int, nargs="?", default=40, help="streets for a text change")
    args = ap.parse_args()
    main(args.n, args.text_n)
