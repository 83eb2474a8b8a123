"""Replay today's render gates on a rendered dataset: which of its kept pairs the gates (with
this config's visibility section) would refuse now, from the stored images, instance masks
and scene records. What a new gate or threshold costs, measured on renders a review rated,
without rendering again (benchmarks/calibration.md, review_std96i).

    PYTHONPATH=$PWD python benchmarks/gate_replay.py /work/runs/rev96_1200 /work/runs/rev96_3300
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image

from diffforge.config import load_config
from diffforge.render.facts import pixel_difference
from diffforge.render.gates import check_pair
from diffforge.scenes.changes import ChangeOperator, GateCheck, operator_for
from diffforge.scenes.changes.gating import DIFF_THRESHOLD
from diffforge.scenes.model import PairSpec

ROOT = Path(__file__).resolve().parents[1]


def load_pair(root: Path, scene: Path):
    """(spec, ids, facts, images, masks) of one stored pair, as the gates saw it."""
    rec = json.loads(scene.read_text())
    spec = PairSpec.model_validate(rec["spec"])
    images = tuple(
        np.asarray(Image.open(root / "images" / f"{scene.stem}_{s}.png").convert("RGB"))
        for s in ("before", "after")
    )
    masks = tuple(
        np.asarray(Image.open(root / "masks" / f"{scene.stem}_{s}.png")).astype(np.int32)
        for s in ("before", "after")
    )
    return spec, rec["instances"], rec["facts"], images, masks


def gate_checks(root: Path, vis):
    """(pair id, ``GateCheck``) for every change of every stored pair at ``root``, built as the
    gates build them (the rules_96k/96m scripts print their measures)."""
    for scene in sorted((root / "scenes").glob("*.json")):
        spec, ids, facts, images, masks = load_pair(root, scene)
        diff = pixel_difference(*images) > DIFF_THRESHOLD
        target_min = vis.target_pixels(diff.shape[1::-1])
        min_changed = max(1, int(vis.min_changed_share * target_min))
        ops = [operator_for(c.type) or ChangeOperator() for c in spec.changes]
        for change in spec.changes:
            relit = any(
                o.relights for o, c in zip(ops, spec.changes, strict=True) if c is not change
            )
            check = GateCheck(
                spec, change, ids, facts, images, masks, diff, 12, target_min, min_changed,
                vis, relit,
            )  # fmt: skip
            yield f"{root.name}/{scene.stem}", check


def print_measures(doc: str, measures: Callable[[GateCheck], str], marked: str = "") -> None:
    """The command line of a review round's rules script (rules_96k/96m/96p): each change's
    measures on the stored renders, one per line; with ``marked`` (the review's rating, e.g.
    "B"), ``--review pair:type,...`` prefixes the changes the review rated so and the rest "C"."""
    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("datasets", nargs="+", type=Path)
    ap.add_argument("--config", default=str(ROOT / "configs" / "default.yaml"))
    if marked:
        ap.add_argument("--review", default="", help=f"pair:type rated {marked}, comma-separated")
    args = ap.parse_args()
    rated = set(filter(None, args.review.split(","))) if marked else set()
    vis = load_config(args.config, []).visibility
    for root in args.datasets:
        for pair, check in gate_checks(root, vis):
            said = measures(check)
            if not said:
                continue
            mark = ""
            if marked:
                mark = (marked if f"{pair}:{check.change.type}" in rated else "C") + " "
            print(f"{mark}{pair} {check.change.type}: {said}")


def replay(root: Path, vis) -> list[tuple[str, list[str]]]:
    """(pair id, reasons) for every pair of the dataset at ``root``."""
    out = []
    for scene in sorted((root / "scenes").glob("*.json")):
        spec, ids, facts, images, masks = load_pair(root, scene)
        out.append((scene.stem, check_pair(spec, ids, facts, images, masks, 12, vis)))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("datasets", nargs="+", type=Path)
    ap.add_argument("--config", default=str(ROOT / "configs" / "default.yaml"))
    ap.add_argument("--set", action="append", default=[], help="a config override, key=value")
    args = ap.parse_args()
    vis = load_config(args.config, args.set).visibility
    total, refused, by_reason = 0, 0, Counter()
    for root in args.datasets:
        for pair, reasons in replay(root, vis):
            total += 1
            if reasons:
                refused += 1
                by_reason.update(reasons)
                print(f"{root.name}/{pair}: {'; '.join(reasons)}")
    print(f"refused now: {refused} of {total} kept pairs ({refused / max(total, 1):.1%})")
    for reason, n in by_reason.most_common():
        print(f"  {n:4d}  {reason}")


if __name__ == "__main__":
    main()
