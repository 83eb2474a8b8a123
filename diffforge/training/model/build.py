"""Build an M³Diff model (+ tokenizer + image spec) from the training config, add LoRA on the LLM
and choose what trains: LoRA, projector and MDP always; the vision tower when ``train_vit``."""

from __future__ import annotations

import json
import re
from dataclasses import asdict
from functools import cache
from pathlib import Path
from typing import Any

import torch
from torch import nn

from diffforge.errors import ConfigError
from diffforge.training.config import M3DiffConfig, ModelConfig
from diffforge.training.model.image_spec import ImageSpec
from diffforge.training.model.registry import all_backbones, backbone_for_model_type, get_backbone
from diffforge.training.model.tiny import tiny_config, tiny_tokenizer

MDP_RE = re.compile(r"(^|\.)mdp\.")
LANGUAGE = re.compile(r"(^|\.)(language_model|lm_head)")
DTYPES = {"bfloat16": torch.bfloat16, "float16": torch.float16, "float32": torch.float32}


def _modules_re(paths: list[str], tail: str = "") -> re.Pattern[str]:
    """Parameter names under any of the module ``paths`` (dotted, matched at a name boundary)."""
    alternatives = "|".join(re.escape(p) for p in dict.fromkeys(paths))
    return re.compile(rf"(^|\.)({alternatives}){tail}")


@cache
def _part_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The projector and vision-tower name patterns of every registered backbone. The projector
    is matched first: a projector inside the tower (a merger) belongs to the projector."""
    backbones = all_backbones()
    projector = _modules_re([m for b in backbones for m in b.projector_modules])
    vit = _modules_re([m for b in backbones for m in b.vit_modules], r"\.")
    return projector, vit


def part_of(name: str) -> str:
    """'vit', 'projector', 'mdp', 'llm' or 'lora' for a parameter name."""
    if "lora_" in name:
        return "lora"
    if MDP_RE.search(name):
        return "mdp"
    projector, vit = _part_patterns()
    if projector.search(name):
        return "projector"
    if vit.search(name):
        return "vit"
    return "llm"


def _dtype(cfg: ModelConfig) -> torch.dtype:
    if cfg.dtype != "auto":
        return DTYPES[cfg.dtype]
    return (
        torch.bfloat16
        if torch.cuda.is_available() and torch.cuda.is_bf16_supported()
        else torch.float32
    )


def build_model(cfg: ModelConfig) -> tuple[nn.Module, Any, ImageSpec]:
    """The backbone with MDP per ``cfg`` (no LoRA yet), its tokenizer and image spec."""
    from transformers import AutoConfig, AutoImageProcessor, AutoTokenizer

    backbone = get_backbone(cfg.backbone)
    processor = None
    if cfg.tiny is not None:
        tok = tiny_tokenizer(cfg.tiny)
        hf = tiny_config(cfg.backbone, cfg.tiny, tok)
    else:
        try:
            tok = AutoTokenizer.from_pretrained(cfg.path)
            hf = AutoConfig.from_pretrained(cfg.path)
        except OSError as exc:
            raise ConfigError(
                f"model.path: cannot load {cfg.path!r}: {str(exc).splitlines()[0]}"
            ) from None
        try:
            processor = AutoImageProcessor.from_pretrained(cfg.path)
        except (OSError, ValueError):
            processor = None
    hf.mdp = (
        {
            "layers": cfg.mdp_layers(),
            "heads": cfg.mdp.heads,
            "dropout": cfg.mdp.dropout,
            "change_head": cfg.mdp.change_loss > 0,
        }
        if cfg.mdp.enabled
        else None
    )
    hf._attn_implementation = cfg.attn_implementation
    dtype = _dtype(cfg)
    if cfg.tiny is not None:
        torch.manual_seed(0)
        model = backbone.model_class(hf).to(dtype)
    else:
        model = backbone.model_class.from_pretrained(
            cfg.path, config=hf, dtype=dtype, attn_implementation=cfg.attn_implementation
        )
    model.config.use_cache = False
    size = cfg.image_size or (cfg.tiny.image_size if cfg.tiny is not None else None)
    return model, tok, backbone.image_spec(hf, size, processor)


def add_lora(model: nn.Module, cfg: M3DiffConfig) -> nn.Module:
    """LoRA on the language model only (regex target), then mark ViT/projector/MDP trainable."""
    if cfg.lora.enabled:
        from peft import LoraConfig, get_peft_model

        lcfg = LoraConfig(
            r=cfg.lora.r,
            lora_alpha=cfg.lora.alpha,
            lora_dropout=cfg.lora.dropout,
            target_modules=cfg.lora.target,
            bias="none",
        )
        model = get_peft_model(model, lcfg)
    train_parts = {"lora", "projector", "mdp"} | ({"vit"} if cfg.train.train_vit else set())
    if not cfg.lora.enabled:
        train_parts.add("llm")
    for name, p in model.named_parameters():
        p.requires_grad_(part_of(name) in train_parts)
    return model


def trainable_state(model: nn.Module) -> dict[str, torch.Tensor]:
    """Every trainable tensor (LoRA, MDP, ViT, projector): what a checkpoint must hold."""
    return {
        n: p.detach().cpu().contiguous() for n, p in model.named_parameters() if p.requires_grad
    }


def save_trainable(model: nn.Module, out: Path, spec: ImageSpec) -> None:
    """A training checkpoint's weights: trainable tensors (safetensors) + the image spec."""
    from safetensors.torch import save_file

    out.mkdir(parents=True, exist_ok=True)
    save_file(trainable_state(model), str(out / "trainable.safetensors"))
    (out / "image_spec.json").write_text(json.dumps(asdict(spec)))


def load_trainable(model: nn.Module, ckpt: Path) -> None:
    """Load ``trainable.safetensors`` into a model built the same way; every key must match."""
    from safetensors.torch import load_file

    sd = load_file(str(Path(ckpt) / "trainable.safetensors"))
    missing = [k for k in sd if k not in dict(model.named_parameters())]
    if missing:
        raise ConfigError(f"{ckpt}: checkpoint does not match the model (e.g. {missing[0]})")
    model.load_state_dict(sd, strict=False)


def export_final(model: nn.Module, tok: Any, spec: ImageSpec, out: Path) -> Path:
    """Merge LoRA into the LLM and save a model ``from_pretrained`` loads (with MDP + ViT)."""
    base = model.merge_and_unload() if hasattr(model, "merge_and_unload") else model
    base.config.use_cache = True
    base.save_pretrained(out)
    tok.save_pretrained(out)
    (out / "image_spec.json").write_text(json.dumps(asdict(spec)))
    return out


def load_exported(path: Path, dtype: torch.dtype | None = None) -> tuple[nn.Module, Any, ImageSpec]:
    """Model, tokenizer and image spec of a directory written by ``export_final``."""
    from transformers import AutoConfig, AutoTokenizer

    hf = AutoConfig.from_pretrained(path)
    backbone = backbone_for_model_type(hf.model_type)
    if backbone is None:
        raise ConfigError(f"{path}: model type {hf.model_type!r} is not a supported backbone")
    model = backbone.model_class.from_pretrained(path, dtype=dtype)
    spec_data = json.loads((Path(path) / "image_spec.json").read_text())
    spec = ImageSpec(**{k: tuple(v) if isinstance(v, list) else v for k, v in spec_data.items()})
    return model, AutoTokenizer.from_pretrained(path), spec
