"""diffforge audit on a small hand-made dataset: every number checked against what was written."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
from PIL import Image

from diffforge.audit import audit_dataset, format_report


def _dataset(root: Path) -> Path:
    (root / "images").mkdir(parents=True)
    (root / "scenes").mkdir()
    frame = 256 * 192
    rows = []
    # pair 0: a colour change on a large target; pair 1: a tiny target (50 px < 0.15 %),
    # a near-black after image and 3 rejected renders; pair 2: a viewpoint change.
    specs = [
        ("color", 2000, 120, 0, "The red mug has turned blue."),
        ("move", 50, 4, 3, "There is two mugs. First, A mug has moved."),
        ("viewpoint", None, 120, 0, "The camera has moved to the left."),
    ]
    for i, (kind, pixels, after_luma, rejected, text) in enumerate(specs):
        pid = f"{i:08d}"
        Image.fromarray(np.full((192, 256, 3), 120, np.uint8)).save(
            root / "images" / f"{pid}_before.png"
        )
        Image.fromarray(np.full((192, 256, 3), after_luma, np.uint8)).save(
            root / "images" / f"{pid}_after.png"
        )
        facts = {"m": {"pixels": pixels, "box": [0, 0, 9, 9]}} if pixels else {}
        other = {"t": {"pixels": 500, "box": [0, 0, 30, 30]}, "s": {"pixels": 3, "box": None}}
        scene = {
            "facts": {"before": {**facts, **other}, "after": {**facts, **other}},
            "image_size": [256, 192],
            "rejected_renders": rejected,
            "spec": {"before": {"environment": {"layout": "room"}}},
        }
        (root / "scenes" / f"{pid}.json").write_text(json.dumps(scene))
        rows.append(
            {
                "id": pid,
                "split": "train",
                "before": f"images/{pid}_before.png",
                "after": f"images/{pid}_after.png",
                "scene": f"scenes/{pid}.json",
                "changes": [{"type": kind, "targets": ["m"] if pixels else []}],
                "captions": [{"text": text}],
                "resampled": ["move: target not visible (before)"] * rejected,
            }
        )
    (root / "pairs.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    assert frame * 0.0015 > 50
    return root


def test_audit_numbers(tmp_path: Path) -> None:
    a = audit_dataset(_dataset(tmp_path / "ds"))
    v = a["visibility"]
    assert v["object_changes"] == 2 and v["visible_target_share"] == 0.5
    assert v["below_threshold"] == [{"id": "00000001", "type": "move", "fraction": 0.00102}]
    assert v["target_pixels"] == 150
    assert a["images"]["near_black"] == ["00000001:after"] and a["images"]["clipped"] == []
    assert a["images"]["objects_in_view"]["median"] == 2.0  # "s" (3 px) is below 12 px
    rs = a["resampling"]
    assert (rs["rendered_attempts"], rs["rejected_attempts"]) == (6, 3)
    assert rs["reasons"] == {"move: target not visible": 3}
    assert a["lint"]["by_rule"] == {"agreement": 1, "capital": 1}
    assert a["captions"]["count"] == 3
    text = format_report(a)
    assert "50.0 % of 2" in text and "3 of 6 rendered" in text
    words = next(line for line in text.splitlines() if line.startswith("captions:"))
    assert re.search(r"median \d+\.\d \(p10 \d+\.\d, p90 \d+\.\d\)", words), words


def test_audit_command_prints_and_writes(tmp_path: Path) -> None:
    root = _dataset(tmp_path / "ds")
    out = subprocess.run(
        [sys.executable, "-m", "diffforge", "audit", str(root)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert "linter hits: 2" in out.stdout and "[p10, min]" in out.stdout
    report = json.loads((root / "audit" / "audit.json").read_text())
    assert report["pairs"] == 3
    assert (root / "audit" / "target_area.png").stat().st_size > 1000
    assert (root / "audit" / "caption_words.png").is_file()
    bad = subprocess.run(
        [sys.executable, "-m", "diffforge", "audit", str(tmp_path / "nope")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1
