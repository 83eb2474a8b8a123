"""Run the installed ``diffforge`` console script (not typer's test runner) and compare files."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DIFFFORGE = Path(sys.executable).with_name("diffforge")  # the venv's console script
CONFIG = REPO / "configs" / "default.yaml"
TINY_TRAIN = REPO / "configs" / "train" / "tiny.yaml"


def diffforge(*args, cwd: Path | None = None, env: dict | None = None, timeout: float = 600):
    """``diffforge ARGS`` in a subprocess; returns the CompletedProcess (text)."""
    full_env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "COLUMNS": "200",
        **(env or {}),
    }
    return subprocess.run(
        [str(DIFFFORGE), *map(str, args)],
        cwd=cwd or REPO,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def ok(proc: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return proc


def snapshot(*paths: Path) -> dict[str, tuple]:
    """Every file and folder under ``paths``: kind, size, mtime and content hash."""
    out: dict[str, tuple] = {}
    for root in map(Path, paths):
        items = [root, *sorted(root.rglob("*"))] if root.is_dir() else [root]
        for p in items:
            if p.is_dir():
                out[str(p)] = ("dir",)
            elif p.exists():
                st = p.stat()
                digest = hashlib.sha256(p.read_bytes()).hexdigest()
                out[str(p)] = ("file", st.st_size, st.st_mtime_ns, digest)
            else:
                out[str(p)] = ("absent",)
    return out


def cut_line(pairs: Path, number: int, keep: int = 40) -> None:
    """Corrupt line ``number`` (1-based) of a JSONL file: only its first ``keep`` characters."""
    lines = pairs.read_text().splitlines()
    lines[number - 1] = lines[number - 1][:keep]
    pairs.write_text("\n".join(lines) + "\n")


def tear_last_line(pairs: Path) -> None:
    """What a writer killed mid-append leaves: a partial record after the last full line."""
    with open(pairs, "a") as f:
        f.write('{"after": "images/00000099_after.png", "attempt": 0, "befo')
