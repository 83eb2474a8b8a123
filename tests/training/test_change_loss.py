"""The auxiliary change-mask loss: masks -> per-patch targets, the balanced loss, MDP's change
head, and the trainer adding it (``model.mdp.change_loss``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from tiny_train import REPO, tiny

from diffforge.errors import ConfigError
from diffforge.training.collate import ImageSpec, PairCollator, PairDataset, patch_targets
from diffforge.training.config import M3DiffConfig, load_train_config
from diffforge.training.data.mixture import Sample, mixture_epoch
from diffforge.training.data.sources import load_sources
from diffforge.training.model.build import build_model
from diffforge.training.model.mdp import MDP, change_mask_loss
from diffforge.training.model.tiny import tiny_tokenizer
from diffforge.training.trainer import run_training

pytestmark = pytest.mark.train
SPEC = ImageSpec("llava_onevision", size=64, patch=8, tokens=65)


def mask(w: int, h: int, box: tuple[int, int, int, int]) -> Image.Image:
    arr = np.zeros((h, w), np.uint8)
    x0, y0, x1, y1 = box
    arr[y0:y1, x0:x1] = 255
    return Image.fromarray(arr)


def test_patch_targets_follow_the_image_resize_in_raster_order() -> None:
    # a 96x72 render is squashed to 64x64 like its image: its bottom-right 6x5 block is patch (7, 7)
    t = patch_targets(mask(96, 72, (90, 67, 96, 72)), SPEC)
    assert t.shape == (64,) and t.sum() == 1 and t[63] == 1
    # x 30..42 of 96 -> 20..28 of 64: columns 2 and 3; y 0..8 of 72 -> 0..7: row 0
    t = patch_targets(mask(96, 72, (30, 0, 42, 8)), SPEC)
    assert np.flatnonzero(t).tolist() == [2, 3]
    assert patch_targets(mask(96, 72, (0, 0, 96, 72)), SPEC).sum() == 64
    assert patch_targets(mask(96, 72, (0, 0, 0, 0)), SPEC).sum() == 0


def test_collator_marks_pairs_without_a_mask_invalid() -> None:
    tok = tiny_tokenizer()
    img = Image.new("RGB", (96, 72))
    items = [
        {"sample": Sample("s", "0", "a", "b", "Q", "x"), "images": (img, img), "change_mask": None},
        {
            "sample": Sample("s", "1", "a", "b", "Q", "y"),
            "images": (img, img),
            "change_mask": mask(96, 72, (0, 0, 12, 9)),
        },
    ]
    batch = PairCollator(tok, SPEC, 512, change_targets=True)(items)
    assert batch["change_valid"].tolist() == [False, True]
    assert batch["change_targets"].shape == (2, 64)
    assert batch["change_targets"][0].sum() == 0 and batch["change_targets"][1, 0] == 1
    assert "change_targets" not in PairCollator(tok, SPEC, 512)(items)


def test_loss_balances_a_one_patch_change_against_the_quiet_patches() -> None:
    targets = torch.zeros(2, 64)
    targets[0, 5] = 1  # one changed patch; the second pair changed everywhere
    targets[1] = 1
    logits = torch.zeros(3, 2, 64, requires_grad=True)
    change_mask_loss(logits, targets, torch.tensor([True, True])).backward()
    g = logits.grad[0, 0]
    # at logit 0 the one changed patch pulls as hard as the 63 unchanged ones together
    assert torch.allclose(-g[5], g[torch.arange(64) != 5].sum())
    # confident right answers cost little, confident wrong ones a lot
    right = (targets * 2 - 1) * 8
    assert change_mask_loss(right.expand(3, 2, 64), targets, torch.tensor([True, True])) < 1e-3
    assert change_mask_loss(-right.expand(3, 2, 64), targets, torch.tensor([True, True])) > 7
    # pairs without a mask add nothing, but the graph stays whole for backward
    none = change_mask_loss(logits, targets, torch.tensor([False, False]))
    assert none.item() == 0 and none.requires_grad
    only_first = change_mask_loss(-right.expand(3, 2, 64), targets, torch.tensor([False, True]))
    assert only_first > 7


def test_change_head_reads_mdp_differences_and_trains_the_vit() -> None:
    cfg = M3DiffConfig.model_validate(
        {
            "model": {
                "tiny": {"image_size": 32, "patch_size": 8},
                "mdp": {"layers": [1, 2], "heads": 2, "change_loss": 1.0},
                "dtype": "float32",
            },
            "lora": {"enabled": False},
        }
    )
    model, tok, spec = build_model(cfg.model)
    mdp = next(m for m in model.modules() if isinstance(m, MDP))
    assert mdp.change_head is not None
    rng = np.random.default_rng([0, 0, 0])
    before = Image.fromarray(rng.integers(0, 255, (32, 32, 3), dtype=np.uint8))
    items = [
        {"sample": Sample("s", str(i), "a", "b", "Q", "x"), "images": (before, before), "change_mask": None}
        for i in range(3)
    ]  # fmt: skip
    batch = PairCollator(tok, spec, 512)(items)
    model(**batch)
    assert mdp.change_logits.shape == (2, 3, 16)  # layers, pairs, patches
    change_mask_loss(
        mdp.change_logits, torch.ones(3, 16), torch.tensor([True, True, True])
    ).backward()
    vit = [p for n, p in model.named_parameters() if "vision_tower" in n and p.grad is not None]
    assert vit and any(p.grad.abs().sum() > 0 for p in vit)
    plain = M3DiffConfig.model_validate(
        {"model": {"tiny": {}, "mdp": {"layers": [1]}}, "lora": {"enabled": False}}
    )
    plain_model, _, _ = build_model(plain.model)
    assert not any("change_head" in n for n, _ in plain_model.named_parameters())


def test_diffforge_masks_reach_the_samples(tmp_path: Path) -> None:
    cfg = tiny(tmp_path)
    sources, _ = load_sources(cfg.data)
    samples = mixture_epoch(sources, 0)
    assert samples and all(s.change_mask and Path(s.change_mask).is_file() for s in samples)
    item = PairDataset(samples[:1], change_masks=True)[0]
    changed = np.asarray(item["change_mask"]) > 0
    diff = np.asarray(item["images"][0]) != np.asarray(item["images"][1])
    assert changed.any() and np.array_equal(changed, diff.any(-1))  # the toy mask is the diff


def test_change_loss_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"model.mdp.change_loss: needs MDP"):
        load_train_config(
            REPO / "configs/train/tiny.yaml",
            ["model.mdp.enabled=false", "model.mdp.change_loss=1"],
        )
    qwen = load_train_config(  # its targets follow its merge-unit order (test_change_heatmap)
        REPO / "configs/train/tiny.yaml", ["model.backbone=qwen2_5_vl", "model.mdp.change_loss=1"]
    )
    assert qwen.model.mdp.change_loss == 1
    with pytest.raises(ConfigError, match=r"model.mdp.change_loss"):
        load_train_config(REPO / "configs/train/tiny.yaml", ["model.mdp.change_loss=-1"])


def test_trainer_adds_no_change_loss_when_it_is_off(tmp_path: Path) -> None:
    """With ``change_loss`` on, the trainer logs it every step and lowers it: test_learning's
    trained run (against an lr~0 control on the same batches); off, it logs none."""
    off = run_training(tiny(tmp_path / "off", "train.max_steps=2"))
    assert off["change_losses"] == [] and len(off["losses"]) == 2
