"""MDP and the three backbones on tiny random-weight models (HF_HUB_OFFLINE, no downloads)."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from PIL import Image

from diffforge.training.collate import IGNORE, PairCollator
from diffforge.training.config import M3DiffConfig
from diffforge.training.data.mixture import Sample
from diffforge.training.model.build import (
    add_lora,
    build_model,
    export_final,
    load_exported,
    part_of,
)
from diffforge.training.model.mdp import MDP
from diffforge.training.model.registry import get_backbone

pytestmark = pytest.mark.train
BACKBONES = ["llava_onevision", "qwen2_5_vl", "internvl3"]
MODEL_CLASSES = {b: get_backbone(b).model_class for b in BACKBONES}
BASE_CLASSES = {c: c.__mro__[1] for c in MODEL_CLASSES.values()}


def make(backbone: str, mdp: bool = True):
    # Qwen at 64 px: 4 windows of 2x2 merge units, so the window permutation is not the identity
    size = 64 if backbone == "qwen2_5_vl" else 32
    cfg = M3DiffConfig.model_validate({
        "model": {"backbone": backbone, "tiny": {"image_size": size}, "mdp": {"enabled": mdp, "layers": [1, 2, 4], "heads": 2}, "dtype": "float32"},
        "lora": {"r": 4, "alpha": 8, "dropout": 0.0},
    })  # fmt: skip
    model, tok, spec = build_model(cfg.model)
    return cfg, model.eval(), tok, spec


def batch_for(tok, spec, n: int = 2) -> dict:
    rng = torch.Generator().manual_seed(0)
    items = []
    for i in range(n):
        a = Image.fromarray(
            torch.randint(0, 255, (48, 40, 3), generator=rng, dtype=torch.uint8).numpy()
        )
        b = Image.fromarray(
            torch.randint(0, 255, (48, 40, 3), generator=rng, dtype=torch.uint8).numpy()
        )
        items.append(
            {
                "sample": Sample(
                    "t", str(i), "a", "b", "What changed?", "the cube moved" + " left" * i
                ),
                "images": (a, b),
            }
        )
    return PairCollator(tok, spec, 512)(items)


def perturb(module: torch.nn.Module, seed: int = 1) -> None:
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in module.parameters():
            p.add_(torch.randn(p.shape, generator=g) * 0.05)


def test_mdp_shapes_zero_init_and_gradients() -> None:
    torch.manual_seed(0)
    mdp = MDP(dim=24, num_layers=3, heads=4)
    taps1 = [torch.randn(2, 10, 24) for _ in range(3)]
    taps2 = [torch.randn(2, 10, 24) for _ in range(3)]
    b1, b2 = torch.randn(2, 10, 24), torch.randn(2, 10, 24)
    o1, o2 = mdp(taps1, taps2, b1, b2)
    assert o1.shape == b1.shape and o2.shape == b2.shape
    assert torch.equal(o1, b1) and torch.equal(o2, b2)  # zero-initialised fusion output
    perturb(mdp.out)
    o1, o2 = mdp(taps1, taps2, b1, b2)
    assert not torch.allclose(o1, b1)
    (o1.sum() + o2.sum()).backward()
    # every weight learns; the last bias of the scale scorer feeds a softmax, which is blind
    # to a shift, so its gradient is zero but for rounding (it was rounding that made it pass)
    assert all(p.grad is not None and p.grad.abs().sum() > 0
               for n, p in mdp.named_parameters() if n != "score.2.bias")  # fmt: skip
    # the difference matters: swapping the images changes each image's update
    _s2, s1 = mdp(taps2, taps1, b2, b1)
    assert not torch.allclose(s1 - b1, o1 - b1)


@pytest.mark.parametrize("backbone", BACKBONES)
def test_forward_backward_and_step0_equals_backbone(backbone: str) -> None:
    _cfg, model, tok, spec = make(backbone)
    batch = batch_for(tok, spec)
    plain = BASE_CLASSES[MODEL_CLASSES[backbone]](model.config).eval()
    missing = plain.load_state_dict(model.state_dict(), strict=False)
    assert missing.missing_keys == [] and all(".mdp." in k for k in missing.unexpected_keys)
    with torch.no_grad():
        ours, base = model(**batch).logits, plain(**batch).logits
    torch.testing.assert_close(ours, base, rtol=0, atol=1e-5)
    # once MDP has moved away from zero, the pair's difference changes the output
    perturb(model.model.mdp)
    with torch.no_grad():
        assert not torch.allclose(model(**batch).logits, base, atol=1e-4)
    model.train()
    loss = model(**batch).loss
    loss.backward()
    grads = {
        part_of(n)
        for n, p in model.named_parameters()
        if p.grad is not None and p.grad.abs().sum() > 0
    }
    assert {"vit", "projector", "mdp", "llm"} <= grads


@pytest.mark.parametrize("backbone", BACKBONES)
def test_generate_goes_through_mdp(backbone: str) -> None:
    _cfg, model, tok, spec = make(backbone)
    batch = batch_for(tok, spec, n=1)
    calls = []
    model.model.mdp.register_forward_hook(lambda *a: calls.append(1))
    ids = [
        i
        for i, lab in zip(batch["input_ids"][0].tolist(), batch["labels"][0].tolist(), strict=True)
        if lab == IGNORE
    ]
    inputs = {k: v for k, v in batch.items() if k not in ("labels", "input_ids", "attention_mask")}
    out = model.generate(
        input_ids=torch.tensor([ids]),
        attention_mask=torch.ones(1, len(ids), dtype=torch.long),
        max_new_tokens=3,
        do_sample=False,
        **inputs,
    )
    assert out.shape[1] == len(ids) + 3
    assert len(calls) == 1  # once, at prefill


def test_mdp_false_is_plain_backbone() -> None:
    _, model, _tok, _spec = make("llava_onevision", mdp=False)
    assert model.model.mdp is None and model.config.mdp is None
    assert not any(".mdp." in n for n, _ in model.named_parameters())


@pytest.mark.parametrize("backbone", BACKBONES)
def test_lora_only_in_language_model(backbone: str) -> None:
    cfg, model, _tok, _spec = make(backbone)
    pm = add_lora(model, cfg)
    lora = [n for n, _ in pm.named_parameters() if "lora_" in n]
    assert lora and all(".language_model." in n for n in lora)
    layers = {n.split(".lora_")[0].rsplit(".", 1)[-1] for n in lora}
    assert layers == {"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"}
    trainable = {part_of(n) for n, p in pm.named_parameters() if p.requires_grad}
    assert trainable == {"lora", "vit", "projector", "mdp"}


@pytest.mark.parametrize("backbone", BACKBONES)
def test_export_then_from_pretrained_gives_identical_logits(backbone: str, tmp_path: Path) -> None:
    cfg, model, tok, spec = make(backbone)
    pm = add_lora(model, cfg)
    for _name, p in pm.named_parameters():  # stand-in for training: move LoRA, ViT, MDP, projector
        if p.requires_grad:
            with torch.no_grad():
                p.add_(torch.randn_like(p) * 0.05)
    batch = batch_for(tok, spec)
    with torch.no_grad():
        before = pm(**batch).logits
    export_final(pm, tok, spec, tmp_path / "final")
    loaded, tok2, spec2 = load_exported(tmp_path / "final")
    assert type(loaded) is MODEL_CLASSES[backbone] and spec2 == spec
    assert loaded.model.mdp is not None and loaded.model.mdp.out.weight.abs().sum() > 0
    with torch.no_grad():
        after = loaded.eval()(**batch_for(tok2, spec2)).logits
    torch.testing.assert_close(after, before, rtol=1e-4, atol=1e-4)
