"""Frozen outputs that a refactor must not change: sampled specs and a small rendered set.

``python tests/golden/goldens.py specs`` and ``... render`` rewrite the files beside this script
(run them only on a commit whose behaviour is the reference, and say so in the commit message);
tests/golden/test_goldens.py compares the current code against them.

Scene elements added to the scene graph after the freeze (``Scene.elements``: walls, floors,
kerbs...) are left out of the comparison: the refactor that introduced them changed nothing else.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import sys
from pathlib import Path

import numpy as np

# The goldens freeze the sampler as the suite runs it: without the mix pilot (tests/conftest.py;
# the pilot's own tests are tests/scenes/test_mix_loss.py).
os.environ.setdefault("DIFFFORGE_MIX_PILOT", "0")

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
SPECS = HERE / "specs.jsonl.gz"
RENDERED = HERE / "rendered.json"

# (config file, preset, number of specs): the default mix at both presets and a CLEVR-like one.
SPEC_SETS = [
    ("configs/default.yaml", "standard", 120),
    ("configs/default.yaml", "draft", 80),
    ("configs/examples/clevr_like.yaml", "draft", 40),
]
# A small rendered set: the default config at the tests' pixel budget.
RENDER_CFG = {
    "seed": 11,
    "render": {"preset": "draft", "resolution": [96, 72], "samples": 4, "denoise": False},
}
RENDER_N = 12
# Keys of a scene that did not exist when the goldens were frozen.
NEW_SCENE_KEYS = ("elements",)


def load_config(path: str, preset: str):
    from diffforge.config import load_config

    return load_config(REPO / path, [f"render.preset={preset}"])


def canonical(spec_json: str) -> dict:
    """A spec as plain data, without the scene keys added after the freeze."""
    data = json.loads(spec_json)
    for side in ("before", "after"):
        for key in NEW_SCENE_KEYS:
            data[side].pop(key, None)
    return data


def sampled_specs() -> list[dict]:
    from diffforge.scenes.sampler import PairSampler

    out = []
    for path, preset, n in SPEC_SETS:
        sampler = PairSampler(load_config(path, preset))
        for index in range(n):
            spec = canonical(sampler.sample(index).to_json())
            out.append({"config": path, "preset": preset, "index": index, "spec": spec})
    return out


def write_specs() -> None:
    with gzip.open(SPECS, "wt") as fh:
        for row in sampled_specs():
            fh.write(json.dumps(row, sort_keys=True) + "\n")


def read_specs() -> list[dict]:
    with gzip.open(SPECS, "rt") as fh:
        return [json.loads(line) for line in fh]


def digest(path: Path) -> str:
    """sha256 of a mask's pixel values (not its PNG bytes, which depend on the encoder)."""
    from PIL import Image

    return hashlib.sha256(np.asarray(Image.open(path)).tobytes()).hexdigest()


def rendered_set(out: Path) -> dict:
    """Render RENDER_N pairs of RENDER_CFG into ``out``; their captions and mask digests."""
    from diffforge.config import GenerateConfig
    from diffforge.dataset import read_pairs
    from diffforge.render import generate

    cfg = GenerateConfig.model_validate(RENDER_CFG)
    generate(cfg, out, RENDER_N, workers=2, progress=False)
    pairs = {}
    for rec in read_pairs(out):
        pairs[rec.id] = {
            "attempt": rec.attempt,
            "captions": [c.text for c in rec.captions],
            "masks": {
                side: digest(out / rel)
                for side, rel in sorted(rec.masks.model_dump().items())
                if rel
            },
        }
    return pairs


if __name__ == "__main__":
    what = sys.argv[1] if len(sys.argv) > 1 else ""
    if what == "specs":
        write_specs()
    elif what == "render":
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            RENDERED.write_text(
                json.dumps(rendered_set(Path(tmp)), indent=1, sort_keys=True) + "\n"
            )
    else:
        sys.exit("usage: goldens.py specs|render")
