"""The review page in real headless Chromium: thumbnails, full-size links, mask overlay,
marked referring parts, filters (type, split, resample reason), first N / random, pages."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from headless_chromium import chromium
from PIL import Image

from diffforge.render.preview import PAGE_SIZE, write_preview

TYPES = ["color", "move", "add", "illumination"]


def _dataset(root: Path, n: int = 30) -> Path:
    (root / "images").mkdir(parents=True)
    (root / "masks").mkdir()
    rng = np.random.default_rng(0)
    lines = []
    for i in range(n):
        pid = f"{i:08d}"
        for side in ("before", "after"):
            img = rng.integers(0, 255, size=(192, 256, 3), dtype=np.uint8)
            Image.fromarray(img).save(root / "images" / f"{pid}_{side}.png")
        mask = np.zeros((192, 256), dtype=np.uint8)
        mask[40:90, 60:120] = 255
        Image.fromarray(mask).save(root / "masks" / f"{pid}_change.png")
        kind = TYPES[i % len(TYPES)]
        ref = f"the red mug number {i}"
        lines.append(
            json.dumps(
                {
                    "id": pid,
                    "index": i,
                    "split": "test" if i % 5 == 0 else "train",
                    "before": f"images/{pid}_before.png",
                    "after": f"images/{pid}_after.png",
                    "masks": {"change": f"masks/{pid}_change.png"},
                    "changes": [{"type": kind, "targets": ["m"]}],
                    "captions": [
                        {"text": f"The red mug number {i} has changed.", "referring": [ref]}
                    ],
                    "resampled": ["move: target not visible (before)"] if i % 3 == 0 else [],
                }
            )
        )
    (root / "pairs.jsonl").write_text("\n".join(lines) + "\n")
    return root


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> Path:
    root = _dataset(tmp_path_factory.mktemp("review") / "ds")
    return write_preview(root, root.parent / "review.html")


def _dom(page: Path, fragment: str, tmp_path: Path) -> str:
    return chromium(page.as_uri() + "#" + fragment, tmp_path / "profile", "--dump-dom")


def _body(dom: str) -> dict[str, str]:
    tag = re.search(r"<body([^>]*)>", dom).group(1)
    return dict(re.findall(r'data-(\w+)="([^"]*)"', tag))


def _ids(dom: str) -> list[str]:
    return re.findall(r'class="pair" data-id="(\d+)"', dom)


def test_page_is_small_and_uses_thumbnails(page: Path) -> None:
    html = page.read_text()
    assert "data:image" not in html, "no images inline"
    thumbs = sorted((page.parent / "review_files").glob("*.jpg"))
    assert len(thumbs) == 30 * 3  # before, after, mask overlay
    total = page.stat().st_size + sum(t.stat().st_size for t in thumbs)
    full = sum(p.stat().st_size for p in (page.parent / "ds" / "images").glob("*.png"))
    assert total < full / 4, (total, full)
    with Image.open(thumbs[0]) as im:
        assert im.width <= 192


def test_first_page_filters_pages_and_masks_in_chromium(page: Path, tmp_path: Path) -> None:
    dom = _dom(page, "", tmp_path)
    body = _body(dom)
    assert body["total"] == "30" and body["matched"] == "30"
    assert body["shown"] == str(PAGE_SIZE) and body["pages"] == "3"
    assert body["images"] == f"{2 * PAGE_SIZE}/{2 * PAGE_SIZE}", "every thumbnail loaded"
    assert _ids(dom)[:2] == ["00000000", "00000001"]
    assert "<mark>The red mug number 0</mark> has changed." in dom
    assert 'href="ds/images/00000000_before.png"' in dom, "a click opens the full size"

    dom = _dom(page, "type=move&split=train", tmp_path)
    ids = _ids(dom)
    assert ids and all(int(i) % 4 == 1 and int(i) % 5 != 0 for i in ids)
    assert _body(dom)["matched"] == str(len([i for i in range(30) if i % 4 == 1 and i % 5]))

    dom = _dom(page, "reason=move%3A+target+not+visible", tmp_path)
    assert [int(i) % 3 for i in _ids(dom)] == [0] * 10
    dom = _dom(page, "reason=(none)&page=2", tmp_path)
    assert _body(dom)["page"] == "2" and all(int(i) % 3 for i in _ids(dom))

    dom = _dom(page, "page=3&masks=1", tmp_path)
    assert _ids(dom) == [f"{i:08d}" for i in range(24, 30)]
    assert "review_files/00000024_mask.jpg" in dom and "change mask" in dom


def test_first_n_and_seeded_random_sample(page: Path, tmp_path: Path) -> None:
    assert _ids(_dom(page, "n=5", tmp_path)) == [f"{i:08d}" for i in range(5)]
    a = _ids(_dom(page, "mode=random&n=8&seed=3", tmp_path))
    b = _ids(_dom(page, "mode=random&n=8&seed=3", tmp_path))
    c = _ids(_dom(page, "mode=random&n=8&seed=4", tmp_path))
    assert len(a) == 8 and a == b and a != c and a != sorted(a)
