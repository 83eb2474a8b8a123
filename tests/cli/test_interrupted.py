"""Ctrl-C during ``generate`` (SIGINT to the whole process group, as a terminal sends it):
``status`` says interrupted (no ETA), and the rerun sweeps the temp files a killed writer left
and finishes the dataset."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from cli_entry import CONFIG, DIFFFORGE, diffforge, ok

pytestmark = [pytest.mark.blender, pytest.mark.slow]


def _lines(path: Path) -> int:
    return len(path.read_text().splitlines()) if path.is_file() else 0


def test_ctrl_c_is_interrupted_and_the_rerun_sweeps_its_temp_files(tmp_path: Path) -> None:
    out = tmp_path / "ds"
    args = ["generate", CONFIG, "--out", out, "--n", 8, "--preset", "draft"]
    proc = subprocess.Popen(
        [str(DIFFFORGE), *map(str, args)],
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
        # a user's Ctrl-C: the run starts with SIGINT's default action whatever the test
        # process inherited (under a pytest-xdist worker that ignored SIGINT, so did the run,
        # which then finished with 0)
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        deadline = time.time() + 300
        while _lines(out / "pairs.jsonl") < 1 and time.time() < deadline and proc.poll() is None:
            time.sleep(0.2)
        assert proc.poll() is None, proc.stderr.read().decode()
        os.killpg(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130 and "Traceback" not in err.decode()
    assert err.decode().splitlines()[-1].startswith("error: interrupted; what was finished is kept")
    done = _lines(out / "pairs.jsonl")
    assert 1 <= done < 8
    # what a worker killed mid-write leaves (hidden, with its pid), beside any real leftovers
    (out / "images" / ".00000007_before.999999.tmp.png").write_bytes(b"\x89PNG half")

    status = json.loads(ok(diffforge("status", out, "--json")).stdout)
    assert status["total"]["state"] == "interrupted", status["total"]
    assert status["total"]["eta_s"] is None
    human = ok(diffforge("status", out)).stdout
    assert "interrupted" in human

    ok(diffforge(*args))
    assert _lines(out / "pairs.jsonl") == 8
    assert not [p for p in out.rglob("*") if ".tmp" in p.name]
    status = json.loads(ok(diffforge("status", out, "--json")).stdout)
    assert status["total"]["state"] == "complete"
