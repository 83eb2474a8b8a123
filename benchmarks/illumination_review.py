"""Recompute the illumination gate's measures on a reviewed dataset (images + masks), so the
gate's thresholds can be set against by-eye verdicts: python benchmarks/illumination_review.py DIR"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
from PIL import Image

from diffforge.render.gates import illumination_measures


def main(root: Path) -> None:
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
    main(Path(sys.argv[1]))
