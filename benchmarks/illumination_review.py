"""Recompute the illumination gate's measures on a reviewed dataset (images + masks), so the
gate's thresholds can be set against by-eye verdicts: python benchmarks/illumination_review.py DIR"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from PIL import Image

from diffforge.render.gates import illumination_measures


def main(root: Path) -> None:
    if not (root / "pairs.jsonl").is_file():
        raise SystemExit(f"error: {root}: no pairs.jsonl (not a diffforge dataset directory)")
    for line in (root / "pairs.jsonl").read_text().splitlines():
        pair = json.loads(line)
        pid = Path(pair["before"]).name.split("_")[0]
        spec = json.loads((root / "scenes" / f"{pid}.json").read_text())
        changes = spec.get("spec", spec).get("changes", [])
        for ch in changes:
            if ch.get("type") != "illumination":
                continue
            imgs = tuple(
                np.asarray(Image.open(root / "images" / f"{pid}_{s}.png"))
                for s in ("before", "after")
            )
            masks = tuple(
                np.asarray(Image.open(root / "masks" / f"{pid}_{s}.png"))
                for s in ("before", "after")
            )
            m = illumination_measures(imgs, masks)
            print(pid, ch["params"], {k: round(v, 3) for k, v in m.items()})


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("dataset", type=Path, help="a dataset directory")
    main(parser.parse_args().dataset)
