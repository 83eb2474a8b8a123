"""A procedural toy dataset in diffforge's directory format: coloured shapes on a plain
background, one change per pair, exact captions and change masks. It lets
configs/train/tiny.yaml and the tests train end to end on a CPU with no downloaded data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from diffforge.dataset import PairRecord, is_dataset, write_pairs

COLORS = {
    "red": (220, 40, 40),
    "green": (40, 180, 60),
    "blue": (40, 80, 220),
    "yellow": (230, 210, 40),
}
SHAPES = ("square", "circle")
SPOTS = {
    "top left": (0.25, 0.25),
    "top right": (0.75, 0.25),
    "bottom left": (0.25, 0.75),
    "bottom right": (0.75, 0.75),
}


def _draw(objs: list[tuple[str, str, str]], size: int) -> Image.Image:
    img = Image.new("RGB", (size, size), (128, 128, 128))
    d = ImageDraw.Draw(img)
    r = size // 8
    for color, shape, spot in objs:
        cx, cy = (int(v * size) for v in SPOTS[spot])
        box = (cx - r, cy - r, cx + r, cy + r)
        (d.rectangle if shape == "square" else d.ellipse)(box, fill=COLORS[color])
    return img


def _pair(rng: np.random.Generator) -> tuple[list, list, str, str]:
    spots = list(SPOTS)
    rng.shuffle(spots)
    n = int(rng.integers(1, 4))
    objs = [(str(rng.choice(list(COLORS))), str(rng.choice(SHAPES)), spots[i]) for i in range(n)]
    kind = str(rng.choice(["add", "remove", "color"] if n > 1 else ["add", "color"]))
    after = list(objs)
    if kind == "add":
        new = (str(rng.choice(list(COLORS))), str(rng.choice(SHAPES)), spots[n])
        after.append(new)
        text = f"a {new[0]} {new[1]} has been added at the {new[2]}."
    elif kind == "remove":
        gone = after.pop(int(rng.integers(len(after))))
        text = f"the {gone[0]} {gone[1]} at the {gone[2]} has been removed."
    else:
        i = int(rng.integers(len(after)))
        c, s, p = after[i]
        new_c = str(rng.choice([k for k in COLORS if k != c]))
        after[i] = (new_c, s, p)
        text = f"the {s} at the {p} changed from {c} to {new_c}."
    return objs, after, kind, text


def ensure_toy_dataset(path: Path, pairs: int = 64, size: int = 32, seed: int = 0) -> Path:
    """Write the toy dataset to ``path`` unless it is already there; returns ``path``."""
    path = Path(path)
    if is_dataset(path):
        return path
    (path / "images").mkdir(parents=True, exist_ok=True)
    (path / "masks").mkdir(exist_ok=True)
    records = []
    for i in range(pairs):
        rng = np.random.default_rng([seed, i])
        before, after, kind, text = _pair(rng)
        pid = f"toy{i:05d}"
        drawn = {"before": _draw(before, size), "after": _draw(after, size)}
        for tag, img in drawn.items():
            img.save(path / "images" / f"{pid}_{tag}.png")
        changed = (np.asarray(drawn["before"]) != np.asarray(drawn["after"])).any(-1)
        Image.fromarray(changed.astype(np.uint8) * 255).save(path / "masks" / f"{pid}_change.png")
        split = "test" if i % 10 == 9 else ("val" if i % 10 == 8 else "train")
        records.append(PairRecord(
            id=pid, split=split, before=f"images/{pid}_before.png", after=f"images/{pid}_after.png",
            changes=[{"type": kind}], captions=[{"text": text, "referring": "", "change": text}],
            masks={"change": f"masks/{pid}_change.png"},
        ))  # fmt: skip
    write_pairs(path, records)
    return path
