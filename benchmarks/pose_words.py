"""Pose wording of a dataset's pose changes, re-captioned from its stored scene records (issue
32): for each pose change, the record's two poses and the words the captioner now gives them
(the camera's view of the limbs: ``captioner.seen.pose_seen``). No render.

    DIFFFORGE_MIX_PILOT=0 PYTHONPATH=$PWD python benchmarks/pose_words.py /work/runs/std200_5300
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from diffforge.captioner.api import parse_scene_record
from diffforge.captioner.compose import change_groups


def main(root: Path) -> None:
    for line in (root / "pairs.jsonl").read_text().splitlines():
        rec = json.loads(line)
        if not any(c["type"] == "pose" for c in rec["changes"]):
            continue
        data = json.loads((root / rec["scene"]).read_text())
        spec, facts = parse_scene_record(data, rec["scene"])
        groups = change_groups(spec, tuple(data["image_size"]), facts)
        for group, change in zip(groups, spec.changes, strict=True):
            if change.type == "pose":
                was, now = change.before["pose"], change.after["pose"]
                v = group.values
                print(f"{rec['id']}  {was} -> {now}:  {v['before_was']} | {v['after']}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dataset", type=Path, help="a generated dataset (its pairs.jsonl)")
    main(parser.parse_args().dataset)
