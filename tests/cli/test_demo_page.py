"""`make demo`'s page in real headless Chromium: after `diffforge stats` and `diffforge preview`
(the demo's order), the first screenful shows the filters, a counts table and the pair
thumbnails themselves, with no click (a never-closed <details> once hid them all)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
from cli_entry import diffforge, ok
from headless_chromium import chromium
from PIL import Image

from diffforge.render.preview import THUMB_WIDTH

VIEW = (1200, 1000)


def _screenshot(page: Path, out: Path, tmp_path: Path) -> np.ndarray:
    chromium(page.as_uri(), tmp_path / "profile", "--hide-scrollbars",
             "--force-device-scale-factor=1", f"--window-size={VIEW[0]},{VIEW[1]}",
             f"--screenshot={out}")  # fmt: skip
    with Image.open(out) as im:
        return np.asarray(im.convert("RGB")).astype(np.int32)


def _find(shot: np.ndarray, thumb: np.ndarray) -> float:
    """Mean absolute difference of ``thumb`` against the screenshot at its best placement
    (found from a patch at its centre): near 0 when the thumbnail is on screen."""
    h, w = thumb.shape[:2]
    cy, cx = h // 2, w // 2
    patch = thumb[cy - 8 : cy + 8, cx - 8 : cx + 8]
    windows = np.lib.stride_tricks.sliding_window_view(shot, (16, 16, 3))[:, :, 0]
    sad = np.abs(windows - patch).sum(axis=(2, 3, 4))
    y, x = np.unravel_index(int(np.argmin(sad)), sad.shape)
    top, left = y - (cy - 8), x - (cx - 8)
    if top < 0 or left < 0 or top + h > shot.shape[0] or left + w > shot.shape[1]:
        return float("inf")
    return float(np.abs(shot[top : top + h, left : left + w] - thumb).mean())


def test_demo_page_shows_pairs_without_a_click(rendered, tmp_path: Path) -> None:
    data = Path(shutil.copytree(rendered, tmp_path / "demo_out"))
    ok(diffforge("stats", data))
    ok(diffforge("preview", data))
    page = data / "preview.html"
    html = page.read_text()
    assert html.count("<details") == html.count("</details>") == 1
    assert "<table class='counts'>" in html and '{"pairs"' not in html.split("<script")[0]

    shot = _screenshot(page, tmp_path / "shot.png", tmp_path)
    assert shot.shape[:2] == (VIEW[1], VIEW[0])
    for side in ("before", "after"):
        with Image.open(data / "preview_files" / f"00000000_{side}.jpg") as im:
            # shown THUMB_WIDTH wide, scaled up pixelated (draft renders are 96 wide)
            shown = im.convert("RGB").resize(
                (THUMB_WIDTH, round(im.height * THUMB_WIDTH / im.width)), Image.NEAREST
            )
            thumb = np.asarray(shown).astype(np.int32)
        assert _find(shot, thumb) < 6, f"pair 0's {side} thumbnail is not on the first screen"

    # The same check fails on a page whose pairs sit in a collapsed section (the old bug).
    hidden = data / "hidden.html"
    hidden.write_text(html.replace("</details>", "", 1).replace("</body>", "</details></body>"))
    shot = _screenshot(hidden, tmp_path / "hidden.png", tmp_path)
    assert _find(shot, thumb) > 6
