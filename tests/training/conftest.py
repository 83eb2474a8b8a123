"""Shared fixtures for the training tests: the real annotation files and placeholder images."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PIL import Image

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real annotation files not found at {SHARED_DATA}")
    return SHARED_DATA


def _placeholder(path: Path, size: int = 16, color: tuple[int, int, int] = (90, 120, 150)) -> Path:
    """A small valid image under a released file name (any extension PIL writes)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fmt = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".gif": "GIF"}.get(
        path.suffix.lower(), "PNG"
    )
    Image.new("RGB", (size, size), color).save(path, format=fmt)
    return path


@pytest.fixture
def placeholder():
    """Factory fixture: ``placeholder(path)`` writes a small valid image there."""
    return _placeholder
