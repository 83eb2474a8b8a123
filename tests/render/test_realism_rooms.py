"""Rendered rooms are closed (no camera ray leaves them but through a window), lit, and a lamp
switched off never leaves a black frame."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

pytestmark = [pytest.mark.blender, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = ROOT / "configs" / "default.yaml"
ROOM = ["scene.layouts={room: 1.0}", "distractors.camera_jitter.probability=0"]


def cli(*args: str) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "diffforge", *args],
        capture_output=True, text=True, timeout=900, cwd=ROOT,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-1500:] + proc.stderr[-1500:]


def sample(tmp: Path, name: str, *sets: str) -> list[dict]:
    out = tmp / f"{name}.jsonl"
    args = [x for s in (*ROOM, "changes.per_pair={1: 1.0}", *sets) for x in ("--set", s)]
    cli("sample", str(DEFAULT), "--n", "1", "--out", str(out), *args)
    return [json.loads(line) for line in out.read_text().splitlines()]


def luma(path: Path) -> np.ndarray:
    rgb = np.asarray(Image.open(path).convert("RGB"), dtype=np.float64)
    return rgb @ np.array([0.2126, 0.7152, 0.0722])


def test_closed_room_and_light_off(tmp_path):
    closed = sample(tmp_path, "closed", "changes.weights={none: 1.0}")[0]
    for side in ("before", "after"):  # windows shut: every camera ray must hit the room
        env = closed[side]["environment"]
        env["openings"] = [o for o in env["openings"] if o["kind"] == "door"]
    off = sample(
        tmp_path, "off", "changes.weights={illumination: 1.0}",
        "changes.params.illumination.kind=light_off",
    )[0]  # fmt: skip
    assert off["changes"][0]["params"]["kind"] == "light_off"
    off["id"], off["index"] = "00000001", 1
    specs = tmp_path / "specs.jsonl"
    specs.write_text(json.dumps(closed) + "\n" + json.dumps(off) + "\n")
    out = tmp_path / "data"
    cli(
        "generate", str(DEFAULT), "--out", str(out), "--specs", str(specs), "--preset", "draft",
        "--set", "render.depth=true",
    )  # fmt: skip
    records = {r["id"]: r for r in map(json.loads, (out / "pairs.jsonl").read_text().splitlines())}
    closed_id = closed["id"]
    for side in ("before", "after"):
        depth = np.asarray(Image.open(out / "depth" / f"{closed_id}_{side}.png"))
        assert depth.max() < 30000, "a camera ray left the closed room (depth > 30 m)"
        assert luma(out / records[closed_id][side]).mean() > 40  # the lamps light the room
    after = luma(out / records["00000001"]["after"])
    before = luma(out / records["00000001"]["before"])
    assert after.mean() > 40 and (after < 12).mean() < 0.10, "light_off left the room dark"
    assert after.mean() < before.mean()  # and the change is visible
