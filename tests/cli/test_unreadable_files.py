"""Unreadable or wrong files in a rendered dataset, through the console script: ``dataset
check`` decodes every image and mask and names each bad file; ``preview`` leaves a bad pair
off its page by name and shows the rest."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from cli_entry import diffforge, ok
from PIL import Image

pytestmark = [pytest.mark.blender, pytest.mark.slow]


def _cut(png: Path) -> None:
    png.write_bytes(png.read_bytes()[: png.stat().st_size // 2])


def test_dataset_check_names_every_bad_file(dataset_copy: Path) -> None:
    root = dataset_copy
    assert "ok, 3 pairs" in ok(diffforge("dataset", "check", root)).stdout
    _cut(root / "images" / "00000001_after.png")
    _cut(root / "masks" / "00000002_before.png")
    with Image.open(root / "images" / "00000000_before.png") as im:
        im.convert("L").save(root / "images" / "00000000_before.png")
    with Image.open(root / "masks" / "00000000_after.png") as im:
        ids = np.asarray(im).copy()
    ids[0, 0] = 999
    Image.fromarray(ids).save(root / "masks" / "00000000_after.png")
    with Image.open(root / "masks" / "00000000_change.png") as im:
        im.resize((im.width // 2, im.height // 2)).save(root / "masks" / "00000000_change.png")

    proc = diffforge("dataset", "check", root)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    expected = {
        "images/00000001_after.png": "cannot be decoded",
        "masks/00000002_before.png": "cannot be decoded",
        "images/00000000_before.png": "mode L, expected RGB",
        "masks/00000000_after.png": "instance ids [999] are not in the scene record",
        "masks/00000000_change.png": "size",
    }
    for name, why in expected.items():
        assert any(name in line and why in line for line in lines), (name, proc.stderr)
    assert len(lines) == len(expected), proc.stderr


def test_preview_skips_an_unreadable_pair_by_name(dataset_copy: Path, tmp_path: Path) -> None:
    _cut(dataset_copy / "images" / "00000001_after.png")
    page = tmp_path / "page.html"
    proc = ok(diffforge("preview", dataset_copy, "--out", page))
    warnings = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(warnings) == 1 and "pair 00000001 skipped" in warnings[0], proc.stderr
    assert "00000001_after.png" in warnings[0]
    html = page.read_text()
    assert "pair 00000001 skipped" in html
    thumbs = sorted(p.name for p in (tmp_path / "page_files").glob("*_before.jpg"))
    assert thumbs == ["00000000_before.jpg", "00000002_before.jpg"]
