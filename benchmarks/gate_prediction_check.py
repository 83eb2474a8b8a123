"""Calibrate ``render.gate_prediction`` on renders: each sampled pair of a user file rendered
once (no resampling, no prediction), and per turn its predicted outline share beside the turn
gate's changed share and its box outlines' match beside the outline gate's, per add/disappear/remove the recorded colours' ΔE beside the rendered
support contrast, and per object-change target its predicted pixels beside its rendered ones.

DIFFFORGE_MIX_PILOT=0 PYTHONPATH=. python benchmarks/gate_prediction_check.py BLEND N OUT.jsonl
    [--weights '{orientation: 1.0}'] [--start I]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("blend", type=Path)
    ap.add_argument("n", type=int)
    ap.add_argument("out", type=Path)
    ap.add_argument("--weights", default="{orientation: 1.0}")
    ap.add_argument("--start", type=int, default=0)
    args = ap.parse_args()

    from messy_check import draft_config

    from diffforge.config import load_config
    from diffforge.render.assets import LibraryResolver
    from diffforge.render.facts import pixel_difference
    from diffforge.render.gate_prediction import (
        box_outline_match,
        object_lab,
        outline_turn_share,
    )
    from diffforge.render.pipeline import PairPipeline, WorkerContext
    from diffforge.render.settings import resolve_settings
    from diffforge.scenes.changes.gating import DIFF_THRESHOLD, GateCheck, mean_lab
    from diffforge.scenes.changes.turn_outline import outline_match
    from diffforge.scenes.geometry import predicted_footprints
    from diffforge.scenes.sampler import PairSampler

    base = draft_config(args.blend)
    cfg = load_config(None, [
        f"assets.environment={args.blend}", "scene.layouts={environment: 1.0}", "seed=1",
        "render.preset=draft", "render.resolution=[256, 192]", "render.samples=2",
        "render.denoise=false", f"changes.weights={args.weights}",
    ])  # fmt: skip
    assert cfg.render.resolution == base.render.resolution
    vis, res = cfg.visibility, tuple(cfg.render.resolution)
    sampler = PairSampler(cfg)
    tmp = Path(tempfile.mkdtemp(prefix="gatepred-"))
    settings = resolve_settings(cfg, 1, None, None, tmp / "cache")
    ctx = WorkerContext(
        cfg=cfg, settings=settings, out=str(tmp), resolver=LibraryResolver(cfg.assets)
    )
    pipe = PairPipeline(ctx)
    with args.out.open("a") as fh:
        for i in range(args.start, args.start + args.n):
            spec = sampler.sample(i)
            t0 = time.process_time()
            o = pipe._render(spec, {})
            images = tuple(
                np.asarray(__import__("PIL.Image", fromlist=["Image"]).open(p).convert("RGB"))
                for p in o["tmp_images"]
            )
            masks = (o["outs"]["before"].mask, o["outs"]["after"].mask)
            diff = pixel_difference(*images) > DIFF_THRESHOLD
            feet = {s: predicted_footprints(getattr(spec, s), res, vis.predict_fill)
                    for s in ("before", "after")}  # fmt: skip
            for c in spec.changes:
                if not c.targets or c.targets[0] not in o["ids"]:
                    continue
                chk = GateCheck(spec, c, o["ids"], o["facts"], images, masks, diff,
                                settings.min_visible_pixels, vis.target_pixels(res), 1, vis)  # fmt: skip
                t = c.targets[0]
                row = {"file": args.blend.stem, "index": i, "type": c.type, "target": t,
                       "asset": (spec.before.find(t) or spec.after.find(t)).asset,
                       "reasons": o["reasons"], "spec": spec.to_json(),
                       "pixels": {s: o["facts"][s].get(t, {}).get("pixels") for s in feet},
                       "predicted": {s: round(feet[s][t].pixels, 1) if t in feet[s] else None
                                     for s in feet}}  # fmt: skip
                if c.type == "orientation":
                    row["outline"] = outline_turn_share(spec, c, res)
                    row["turn_share"] = chk.turn_changed_share()
                    row["degrees"] = c.params.get("degrees")
                    row["symmetry"] = c.params.get("symmetry", 1)
                    a, b = (m == o["ids"][t] for m in masks)
                    row["outline_match"] = outline_match(a, b)
                    row["box_outline_match"] = box_outline_match(spec, c, res)
                if c.type in ("add", "disappear", "remove"):
                    for side, img, mask in zip(("before", "after"), images, masks, strict=True):
                        obj = getattr(spec, side).find(t)
                        if obj is None or obj.support not in o["ids"]:
                            continue
                        sup = getattr(spec, side).find(obj.support)
                        own = mean_lab(img, mask == o["ids"][t])
                        under = mean_lab(img, mask == o["ids"][obj.support])
                        if own is not None and under is not None:
                            row["rendered_de"] = float(np.linalg.norm(own - under))
                        a, b = object_lab(obj), object_lab(sup) if sup else None
                        if a is not None and b is not None:
                            row["recorded_de"] = float(np.linalg.norm(a - b))
                        row["colors"] = [
                            obj.attributes.color,
                            sup.attributes.color if sup else None,
                        ]
                fh.write(json.dumps(row) + "\n")
                fh.flush()
            for p in o["tmp_images"]:
                Path(p).unlink(missing_ok=True)
            print(i, round(time.process_time() - t0, 1), o["reasons"], file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
