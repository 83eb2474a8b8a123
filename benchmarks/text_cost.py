"""Text-only pairs against the default mix's room pairs, side by side (issue 31).

One process renders pair i of each arm in turn (interleaved, so load drift falls on both), as
``generate`` does: sampler, gates, OCR gate, captions, resampling. CPU seconds of the process
and its Tesseract children per kept pair (the machine is shared: never wall time).

    PYTHONPATH=$PWD python benchmarks/text_cost.py --preset standard --pairs 6
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from pathlib import Path

ARMS = {
    # every change of every pair a text change (1-3 per pair, as drawn)
    "text": ["changes.weights={text: 1.0}"],
    # the default mix's changes, rooms only
    "room": ["scene.layouts={room: 1.0}"],
}


def _cpu() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--preset", default="standard", choices=["draft", "standard", "high"])
    ap.add_argument("--pairs", type=int, required=True, help="text pairs and room pairs each")
    ap.add_argument("--start", type=int, default=1)
    ap.add_argument("--config", default="configs/default.yaml")
    ap.add_argument("--json", type=Path, help="write the per-pair figures here")
    args = ap.parse_args()

    from diffforge.config import load_config
    from diffforge.render.assets import LibraryResolver
    from diffforge.render.generate import default_sampler
    from diffforge.render.pipeline import PairJob, PairPipeline, WorkerContext, default_caption_gate
    from diffforge.render.settings import resolve_settings

    pipes = {}
    tmp = tempfile.TemporaryDirectory(prefix="text-cost-")
    for arm, sets in ARMS.items():
        cfg = load_config(
            Path(args.config), [f"render.preset={args.preset}", "render.threads=1", *sets]
        )
        ctx = WorkerContext(
            cfg,
            resolve_settings(cfg, 1),
            str(Path(tmp.name) / arm),
            LibraryResolver(cfg.assets),
            sampler=default_sampler(),
            max_attempts=cfg.changes.max_attempts,
            caption_gate=default_caption_gate(),
        )
        pipes[arm] = PairPipeline(ctx)
    rows: list[dict] = []
    for i in range(args.start, args.start + args.pairs):
        for arm, pipe in pipes.items():
            t = _cpu()
            r = pipe.run(PairJob(i))
            row = {
                "arm": arm,
                "index": i,
                "cpu_s": _cpu() - t,
                "status": r["status"],
                "rejected": r.get("rejected_attempts", 0),
                "probe_rejected": r.get("probe_rejected", 0),
                "predicted_rejected": r.get("predicted_rejected", 0),
                "types": [c["type"] for c in r.get("changes", [])],
                "reasons": r.get("resampled", []),
            }
            rows.append(row)
            print(json.dumps(row), flush=True)
    print(
        "\n| arm | pairs tried | kept | CPU s total | CPU s per kept pair | full renders "
        "thrown away | probes rejected | ratio to room |"
    )
    print("|---|---|---|---|---|---|---|---|")
    per_kept = {}
    for arm in pipes:
        mine = [r for r in rows if r["arm"] == arm]
        kept = sum(r["status"] == "ok" for r in mine)
        total = sum(r["cpu_s"] for r in mine)
        per_kept[arm] = total / max(kept, 1)
    for arm in pipes:
        mine = [r for r in rows if r["arm"] == arm]
        print(
            f"| {arm} | {len(mine)} | {sum(r['status'] == 'ok' for r in mine)} "
            f"| {sum(r['cpu_s'] for r in mine):.1f} | {per_kept[arm]:.1f} "
            f"| {sum(r['rejected'] for r in mine)} | {sum(r['probe_rejected'] for r in mine)} "
            f"| {per_kept[arm] / per_kept['room']:.2f}× |"
        )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
