"""Headless Chromium for the page tests: one command line, skipped where Chromium is missing."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest


def chromium(url: str, profile: Path, *flags: str) -> str:
    """Run headless Chromium on ``url`` with ``flags`` (``--dump-dom``, ``--screenshot=...``);
    its stdout. Skips the test where Chromium is not installed (make test installs it)."""
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        pytest.skip("chromium not installed (make test installs it)")
    cmd = [
        exe, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--allow-file-access-from-files", f"--user-data-dir={profile}",
        "--virtual-time-budget=5000", *flags, url,
    ]  # fmt: skip
    return subprocess.run(cmd, capture_output=True, text=True, timeout=90).stdout
