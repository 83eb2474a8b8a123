"""``diffforge bench train``: optimizer steps/s and samples/s of M³Diff training on random weights
and synthetic pairs, with MDP on and off (its cost is the point of the comparison).

``shape=tiny`` uses the tiny CPU config; any other shape is a full-size architecture a backbone
registers (``Backbone.bench_shapes``, e.g. ``llava_ov_7b``: the LLaVA-OneVision-7B shape), run
with ~120 text tokens, LoRA r=128 + trainable ViT, bf16, activation checkpointing and
micro-batch 4; it needs a CUDA device.
"""

from __future__ import annotations

import platform
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
from PIL import Image

from diffforge.errors import DiffforgeError
from diffforge.training.collate import PairCollator
from diffforge.training.config import M3DiffConfig, load_train_config
from diffforge.training.data.mixture import Sample
from diffforge.training.model.build import add_lora, build_model, part_of
from diffforge.training.model.registry import Backbone, BenchShape, all_backbones
from diffforge.training.model.tiny import tiny_tokenizer

TINY = Path(__file__).resolve().parents[2] / "configs" / "train" / "tiny.yaml"
ANSWER = "the red mug on the left side of the wooden table has been moved closer to the laptop"


def bench_shapes() -> dict[str, tuple[Backbone, BenchShape]]:
    """Every full-size shape the registered backbones offer, by name."""
    return {s.name: (b, s) for b in all_backbones() for s in b.bench_shapes}


def _build(cfg: M3DiffConfig, shape: str, device: torch.device) -> tuple[torch.nn.Module, Any, Any]:
    if shape == "tiny":
        model, tok, spec = build_model(cfg.model)
        return model.to(device), tok, spec
    backbone, full = bench_shapes()[shape]
    tok = tiny_tokenizer()
    hf = full.hf_config(tok)
    hf.mdp = (
        {"layers": cfg.model.mdp_layers(), "heads": cfg.model.mdp.heads, "dropout": 0.0}
        if cfg.model.mdp.enabled
        else None
    )
    hf._attn_implementation = cfg.model.attn_implementation
    with torch.device(device):
        model = backbone.model_class(hf).to(torch.bfloat16)
    model.config.use_cache = False
    return model, tok, backbone.image_spec(hf)


def _batch(tok: Any, spec: Any, n: int, max_length: int) -> dict[str, torch.Tensor]:
    rng = np.random.default_rng(0)
    items = []
    for i in range(n):
        a, b = (
            Image.fromarray(rng.integers(0, 255, (spec.size, spec.size, 3), dtype=np.uint8))
            for _ in range(2)
        )
        items.append(
            {
                "sample": Sample(
                    "bench",
                    str(i),
                    "a",
                    "b",
                    "Describe the differences between the two images.",
                    ANSWER,
                ),
                "images": (a, b),
            }
        )
    return PairCollator(tok, spec, max_length)(items)


def _measure(
    cfg: M3DiffConfig, shape: str, steps: int, warmup: int, device: torch.device
) -> dict[str, Any]:
    torch.manual_seed(0)
    model, tok, spec = _build(cfg, shape, device)
    model = add_lora(model, cfg)
    if cfg.train.gradient_checkpointing:
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
    model.train()
    named = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    opt = torch.optim.AdamW([
        {"params": [p for n, p in named if part_of(n) != "vit"], "lr": cfg.optim.lr},
        {"params": [p for n, p in named if part_of(n) == "vit"], "lr": cfg.optim.vit_lr},
    ])  # fmt: skip
    batch = {
        k: v.to(device)
        for k, v in _batch(tok, spec, cfg.train.micro_batch, cfg.data.max_length).items()
    }
    if "pixel_values" in batch and shape != "tiny":
        batch["pixel_values"] = batch["pixel_values"].to(torch.bfloat16)
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats()
    times = []
    for i in range(warmup + steps):
        if device.type == "cuda":
            torch.cuda.synchronize()
        t = time.perf_counter()
        loss = model(**batch).loss
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
        if device.type == "cuda":
            torch.cuda.synchronize()
        if i >= warmup:
            times.append(time.perf_counter() - t)
    sec = float(np.median(times))
    mb, seq = batch["input_ids"].shape
    return {
        "mdp": cfg.model.mdp.enabled,
        "micro_batch": mb,
        "seq_len": seq,
        "image_tokens_per_sample": 2 * spec.tokens,
        "steps_per_s": 1 / sec,
        "samples_per_s": mb / sec,
        "tokens_per_s": int(batch["attention_mask"].sum()) / sec,
        "step_s_median": sec,
        "trainable_params": sum(p.numel() for _, p in named),
        "peak_mem_gib": torch.cuda.max_memory_allocated() / 2**30
        if device.type == "cuda"
        else None,
    }


def run_bench(
    config: Path | None = None,
    overrides: list[str] | None = None,
    steps: int = 10,
    warmup: int = 2,
    shape: str = "tiny",
) -> dict[str, Any]:
    """Measure with MDP on and off; returns both and MDP's relative cost."""
    shapes = bench_shapes()
    if shape != "tiny" and shape not in shapes:
        raise DiffforgeError(f"--shape {shape!r}: expected {' or '.join(['tiny', *shapes])}")
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if shape != "tiny":
        backbone, full = shapes[shape]
        if device.type != "cuda":
            raise DiffforgeError(
                f"--shape {shape} needs a CUDA device (the {full.label} shape does not fit a CPU run)"
            )
        base = [
            f"model.backbone={backbone.name}",
            "model.dtype=bfloat16",
            "train.micro_batch=4",
            "train.gradient_checkpointing=true",
            "lora.r=128",
            "lora.alpha=256",
            f"model.mdp.layers=[{','.join(map(str, backbone.mdp_layers))}]",
            "data.max_length=4096",
        ]
        overrides = base + list(overrides or [])
    cfg_path = config or TINY
    runs = []
    for mdp in (True, False):
        cfg = load_train_config(
            cfg_path, [*(overrides or []), f"model.mdp.enabled={str(mdp).lower()}"]
        )
        runs.append(_measure(cfg, shape, steps, warmup, device))
    on, off = runs
    name = (
        torch.cuda.get_device_name()
        if device.type == "cuda"
        else f"{platform.processor() or platform.machine()} CPU, {torch.get_num_threads()} threads"
    )
    return {"shape": shape, "device": name, "torch": torch.__version__, "steps": steps, "warmup": warmup,
            "mdp_on": on, "mdp_off": off, "mdp_cost": 1 - on["samples_per_s"] / off["samples_per_s"]}  # fmt: skip


def format_bench(r: dict[str, Any]) -> str:
    """A small table of the two runs."""
    lines = [
        f"bench train: shape={r['shape']} device={r['device']} torch={r['torch']} ({r['steps']} timed steps after {r['warmup']})"
    ]
    lines.append(
        f"{'MDP':<5}{'micro-batch':>12}{'seq':>6}{'steps/s':>10}{'samples/s':>11}{'tokens/s':>10}{'peak GiB':>10}"
    )
    for key in ("mdp_on", "mdp_off"):
        m = r[key]
        mem = f"{m['peak_mem_gib']:.1f}" if m["peak_mem_gib"] is not None else "-"
        lines.append(
            f"{'on' if m['mdp'] else 'off':<5}{m['micro_batch']:>12}{m['seq_len']:>6}{m['steps_per_s']:>10.2f}{m['samples_per_s']:>11.2f}{m['tokens_per_s']:>10.0f}{mem:>10}"
        )
    lines.append(f"MDP cost: {100 * r['mdp_cost']:.1f}% of samples/s")
    return "\n".join(lines)
