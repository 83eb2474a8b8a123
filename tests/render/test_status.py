"""``diffforge status``: per-shard progress read while a writer is still appending."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from diffforge.commands import app
from diffforge.dataset import DatasetMeta, DatasetWriter, PairRecord, read_meta, read_pairs
from diffforge.dataset.layout import pairs_file
from diffforge.dataset.progress import dataset_progress

ROOT = Path(__file__).parent.parent.parent
# 48x36 px: no sign's letters read at this frame, so text changes (refused up front) are left
# out of the mix
TINY = ["render.resolution=[48,36]", "render.samples=2", "render.denoise=false", "scene.hdri=0",
        "changes.weights={color: 1, material: 1, size: 1, move: 1, add: 1, disappear: 1, "
        "remove: 1, replace: 1, count: 1, orientation: 1, pose: 1, illumination: 1}"]  # fmt: skip


def _status(capsys, out: Path) -> dict:
    """The real command, in-process (fast enough to poll)."""
    with pytest.raises(SystemExit) as exc:
        app(["status", str(out), "--json"])
    assert exc.value.code == 0
    return json.loads(capsys.readouterr().out)


def test_status_skips_a_torn_line_and_lists_pending_shards(tmp_path, capsys):
    shard = tmp_path / "shards" / "00001-of-00003"
    writer = DatasetWriter(shard, DatasetMeta(fingerprint="f"), {"shard": [1, 3], "n": 10})
    # two reasons from one rejected render; a record from before `rejected` existed counts 1
    rec = PairRecord(id="000001", index=1, before="b", after="a", resampled=["x", "y"], rejected=1)
    old = PairRecord(id="000004", index=4, before="b", after="a", resampled=["x", "y"])
    with pairs_file(shard).open("a") as fh:
        fh.write(rec.to_line() + "\n" + old.to_line() + "\n" + '{"id": "0000')  # torn append
    writer.close()
    s = _status(capsys, tmp_path)
    rows = {r["name"]: r for r in s["shards"]}
    assert rows["1/3"]["done"] == 2 and rows["1/3"]["target"] == 3
    assert rows["1/3"]["resampled"] == 2 and rows["1/3"]["resample_rate"] == pytest.approx(2 / 4)
    assert rows["0/3"]["state"] == "pending" and rows["0/3"]["target"] == 4
    assert s["total"]["target"] == 10 and s["total"]["done"] == 2


@pytest.mark.blender
@pytest.mark.slow
def test_status_shows_progress_during_a_sharded_run(tmp_path, capsys):
    out, n = tmp_path / "data", 12
    sets = [a for s in TINY for a in ("--set", s)]
    cmd = [sys.executable, "-m", "diffforge", "generate", "configs/experiment/data.yaml",
           "--out", str(out), "--n", str(n), "--shard", "1/2", *sets]  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, "HF_HUB_OFFLINE": "1"},
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
    seen = None
    try:
        deadline = time.time() + 300
        while time.time() < deadline and proc.poll() is None:
            if (out / "shards").is_dir():
                s = _status(capsys, out)
                shard = {r["name"]: r for r in s["shards"]}.get("1/2")
                if shard and 1 <= shard["done"] < shard["target"]:
                    seen = s
                    break
            time.sleep(0.05)
    finally:
        proc.wait(timeout=300)
    assert proc.returncode == 0, proc.stderr.read().decode()[-2000:]
    assert seen is not None, "status never caught the run between its first and last pair"
    row = {r["name"]: r for r in seen["shards"]}
    assert row["1/2"]["state"] == "running" and row["1/2"]["target"] == n // 2
    assert row["0/2"]["state"] == "pending"  # never started: known from 1/2's dataset.json
    rows, total = dataset_progress(out)
    assert rows[1].state == "complete" and rows[1].done + rows[1].failed == n // 2
    assert total.state == "stopped" and total.remaining == n // 2
    # each record says how many renders its gates threw away, as its scene file does
    shard = out / "shards" / "00001-of-00002"
    recs = read_pairs(shard)
    for rec in recs:
        scene = json.loads((shard / rec.scene).read_text())
        assert rec.rejected == scene["rejected_renders"], rec.id
    assert read_meta(shard).counts["rejected_attempts"] == sum(r.rejected for r in recs)
