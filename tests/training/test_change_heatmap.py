"""The change head for every backbone: Qwen2.5-VL's targets in its merge-unit order, training
with the change loss, and ``describe --heatmap`` drawing the head's per-patch probability."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from cli.cli_entry import diffforge
from PIL import Image
from tiny_train import tiny

from diffforge.training.collate import ImageSpec, PairCollator, patch_targets
from diffforge.training.config import M3DiffConfig
from diffforge.training.heatmap import overlay
from diffforge.training.model.backbones.qwen2_5_vl import patch_order, patches
from diffforge.training.model.build import build_model, export_final
from diffforge.training.model.tiny import tiny_tokenizer
from diffforge.training.trainer import run_training

pytestmark = pytest.mark.train
QWEN = ImageSpec("qwen2_5_vl", 32, 4, 16, merge=2, temporal=2)  # an 8x8 grid of 4-px patches


def test_qwen_targets_follow_its_merge_unit_order() -> None:
    """A mask over raster patch (r, c) lands on the token where Qwen's own patch layout (the HF
    processor's, test_collate) puts the pixels of (r, c)."""
    g = QWEN.size // QWEN.patch
    order = patch_order(QWEN)
    assert sorted(order.tolist()) == list(range(g * g)) and order.tolist() != list(range(g * g))
    tok = tiny_tokenizer()
    col = PairCollator(tok, QWEN, 512, change_targets=True)
    for r, c in [(0, 0), (0, 1), (1, 0), (3, 5), (7, 7), (6, 2)]:
        img = np.zeros((3, QWEN.size, QWEN.size), np.float32)
        img[:, r * 4 : r * 4 + 4, c * 4 : c * 4 + 4] = 1.0
        token = int(np.flatnonzero(patches(img, QWEN).any(-1))[0])
        assert order[token] == r * g + c
        m = np.zeros((QWEN.size, QWEN.size), np.uint8)
        m[r * 4 : r * 4 + 4, c * 4 : c * 4 + 4] = 255
        targets = col.change_inputs([Image.fromarray(m)])["change_targets"][0].numpy()
        assert np.flatnonzero(targets).tolist() == [token]
        assert patch_targets(Image.fromarray(m), QWEN)[r * g + c] == 1  # raster before reorder


def test_qwen_trains_with_the_change_loss(tmp_path: Path) -> None:
    out = run_training(tiny(tmp_path, "model.backbone=qwen2_5_vl", "model.mdp.change_loss=1.0",
                            "train.max_steps=3"))  # fmt: skip
    assert out["steps"] == 3 and len(out["change_losses"]) == 3
    assert all(np.isfinite(out["change_losses"])) and out["change_losses"][0] > 0


def model_with_head(root: Path, backbone: str, change_loss: float = 1.0) -> Path:
    cfg = M3DiffConfig.model_validate({"model": {
        "backbone": backbone, "tiny": {}, "dtype": "float32",
        "mdp": {"change_loss": change_loss, "layers": [1, 2, 3], "heads": 2},
    }})  # fmt: skip
    model, tok, spec = build_model(cfg.model)
    return export_final(model, tok, spec, root / backbone)


@pytest.fixture
def pair(tmp_path: Path) -> tuple[Path, Path]:
    before = Image.new("RGB", (48, 40), (120, 120, 120))
    after = before.copy()
    after.paste((220, 30, 30), (30, 20, 44, 36))
    before.save(tmp_path / "before.png")
    after.save(tmp_path / "after.png")
    return tmp_path / "before.png", tmp_path / "after.png"


@pytest.mark.slow
@pytest.mark.parametrize("backbone", ["llava_onevision", "qwen2_5_vl"])
def test_change_map_per_backbone(tmp_path: Path, pair: tuple[Path, Path], backbone: str) -> None:
    from diffforge.training.inference import Describer

    d = Describer.load(model_with_head(tmp_path, backbone), device="cpu")
    assert d.has_change_head
    probs = d.change_map(*pair)
    g = d.spec.size // d.spec.patch
    assert probs.shape == (g, g) and ((probs > 0) & (probs < 1)).all()
    assert probs.std() > 0  # per-patch values, not one number


@pytest.mark.slow
def test_describe_heatmap_cli(tmp_path: Path, pair: tuple[Path, Path]) -> None:
    model = model_with_head(tmp_path, "llava_onevision")
    out = tmp_path / "maps" / "heat.png"
    proc = diffforge("describe", *pair, "--model", model, "--heatmap", out, "--max-new-tokens", "3",
                     "--device", "cpu")  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert f"heatmap → {out}" in proc.stderr
    heat, after = Image.open(out), Image.open(pair[1]).convert("RGB")
    assert heat.size == after.size and heat.mode == "RGB"
    a, h = np.asarray(after, np.int16), np.asarray(heat, np.int16)
    assert (h[..., 0] - a[..., 0] >= -1).all() and (h[..., 2] <= a[..., 2] + 1).all()  # redder
    assert np.abs(h - a).mean() > 1
    plain = model_with_head(tmp_path / "plain", "llava_onevision", change_loss=0.0)
    proc = diffforge("describe", *pair, "--model", plain, "--heatmap", out, "--device", "cpu")
    assert proc.returncode == 2 and proc.stderr.strip().startswith("error: --heatmap:")
    assert len(proc.stderr.strip().splitlines()) == 1 and "change_loss" in proc.stderr


def test_overlay_is_red_where_the_probability_is_high() -> None:
    after = Image.new("RGB", (20, 10), (100, 100, 100))
    probs = np.zeros((2, 2), np.float32)
    probs[0, 1] = 1.0  # top right
    arr = np.asarray(overlay(after, probs), np.int16)
    assert arr[1, 18, 0] > 200 and arr[1, 18, 2] < 60  # top right: red
    assert tuple(arr[8, 1]) == (100, 100, 100)  # bottom left: untouched
