"""The training config (``diffforge train CONFIG``, configs/train/*.yaml) as pydantic models: the
one place for training defaults, with its data-source and tiny-model sections one level down
(``source_config``, ``model/tiny_config``) so the backbone registry can use them without
importing this module. The defaults follow the paper's recipe (supplement Table 10), so a
config file only says what differs. Generation configs are ``diffforge/config.py``; the LLM
judge's settings ``diffforge/evaluation/judge_settings.py``."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import Field, ValidationError, field_validator, model_validator

from diffforge.config import apply_override, config_error, read_yaml
from diffforge.errors import ConfigError
from diffforge.training.model.registry import BACKBONE_NAMES, DEFAULT_BACKBONE, get_backbone
from diffforge.training.model.tiny_config import TinyConfig
from diffforge.training.source_config import FORMATS, SourceConfig, StrictModel

# The registry's names as a Literal: pydantic checks them (and words the error) as before.
BackboneName = Literal[BACKBONE_NAMES]  # type: ignore[valid-type]

# LoRA target: the language model's linear layers only ("all-linear" would also hit the ViT).
DEFAULT_LORA_TARGET = (
    r".*language_model.*\.(q_proj|k_proj|v_proj|o_proj|gate_proj|up_proj|down_proj)"
)


class MDPConfig(StrictModel):
    enabled: bool = True
    layers: list[int] | None = None  # None: the backbone's default
    heads: int = Field(default=8, ge=1)
    dropout: float = Field(default=0.0, ge=0.0, lt=1.0)
    # Weight of the auxiliary per-patch "did this patch change?" loss on MDP's difference features,
    # supervised by the change masks of diffforge datasets (other sources add no term). 0: off.
    change_loss: float = Field(default=0.0, ge=0.0)


class ModelConfig(StrictModel):
    backbone: BackboneName = DEFAULT_BACKBONE
    path: str | None = None  # local directory or hub id (hub only where a cache is reachable)
    tiny: TinyConfig | None = None  # build a random-weight backbone instead of loading one
    mdp: MDPConfig = Field(default_factory=MDPConfig)
    dtype: Literal["auto", "bfloat16", "float16", "float32"] = "auto"
    attn_implementation: Literal["sdpa", "eager", "flash_attention_2"] = "sdpa"
    image_size: int | None = Field(
        default=None, ge=8
    )  # resize images to this square; None: backbone's

    @field_validator("mdp", mode="before")
    @classmethod
    def _mdp_bool(cls, v: Any) -> Any:
        return {"enabled": v} if isinstance(v, bool) else v  # `mdp: false` -> plain backbone

    @model_validator(mode="after")
    def _source(self) -> ModelConfig:
        if self.path is None and self.tiny is None:
            raise ValueError("model: set model.path (weights) or model.tiny (random weights)")
        return self

    @model_validator(mode="after")
    def _change_loss(self) -> ModelConfig:
        if self.mdp.change_loss > 0 and not self.mdp.enabled:
            raise ValueError("model.mdp.change_loss: needs MDP (model.mdp.enabled: true)")
        if self.mdp.change_loss > 0:
            reason = get_backbone(self.backbone).change_loss_unsupported
            if reason is not None:
                raise ValueError(
                    f"model.mdp.change_loss: not supported for {self.backbone} ({reason})"
                )
        return self

    def mdp_layers(self) -> list[int]:
        """The configured MDP taps, else the backbone's default ViT layers."""
        return list(self.mdp.layers or get_backbone(self.backbone).mdp_layers)


class LoraConfig(StrictModel):
    enabled: bool = True
    r: int = Field(default=128, ge=1)
    alpha: int = Field(default=256, ge=1)
    dropout: float = Field(default=0.05, ge=0.0, lt=1.0)
    target: str = DEFAULT_LORA_TARGET  # regex over module names


class DataConfig(StrictModel):
    sources: list[SourceConfig] = Field(default_factory=list)
    max_length: int = Field(default=2048, ge=16)  # tokens; captions are trimmed, never images
    seed: int = 0


class OptimConfig(StrictModel):
    lr: float = Field(default=1e-5, gt=0)  # LoRA, projector, MDP
    vit_lr: float = Field(default=2e-6, ge=0)
    weight_decay: float = Field(default=0.0, ge=0)
    betas: tuple[float, float] = (0.9, 0.999)
    warmup_ratio: float = Field(default=0.03, ge=0, le=1)
    scheduler: Literal["cosine", "linear", "constant_with_warmup"] = "cosine"
    max_grad_norm: float = Field(default=1.0, gt=0)


class TrainConfig(StrictModel):
    output_dir: Path = Path("runs/m3diff")
    epochs: float = Field(default=1.0, gt=0)
    max_steps: int = Field(default=-1, ge=-1)  # > 0 overrides epochs
    global_batch: int = Field(default=256, ge=1)  # micro_batch x accumulation x processes
    micro_batch: int = Field(default=4, ge=1)
    train_vit: bool = True
    precision: Literal["auto", "bf16", "fp16", "fp32"] = "auto"  # auto: bf16 where supported
    gradient_checkpointing: bool = True
    logging_steps: int = Field(default=10, ge=1)
    save_steps: int = Field(default=500, ge=1)
    save_total_limit: int | None = Field(default=3, ge=1)
    report_to: list[Literal["tensorboard", "none"]] = Field(default_factory=lambda: ["tensorboard"])
    deepspeed: Path | None = None  # a ZeRO JSON without an optimizer block
    dataloader_workers: int = Field(default=2, ge=0)
    resume: bool | Path = False  # True: the last checkpoint in output_dir
    seed: int = 0
    progress_bar: bool = True


class M3DiffConfig(StrictModel):
    """The whole of a training config (configs/train/*.yaml)."""

    model: ModelConfig
    lora: LoraConfig = Field(default_factory=LoraConfig)
    data: DataConfig = Field(default_factory=DataConfig)
    optim: OptimConfig = Field(default_factory=OptimConfig)
    train: TrainConfig = Field(default_factory=TrainConfig)

    @model_validator(mode="after")
    def _word_vocab(self) -> M3DiffConfig:
        """A word-level tiny tokenizer takes its vocabulary from the training sources by default."""
        t = self.model.tiny
        if t is not None and t.tokenizer == "words" and t.words is None and t.vocab_from is None:
            t.vocab_from = [s.model_copy() for s in self.data.sources]
        return self


def _override(data: dict[str, Any], dotted: str) -> None:
    """``apply_override``, plus list indices in the key path (``data.sources.0.path=...``)."""
    key, _, raw = dotted.partition("=")
    parts = key.strip().split(".")
    node: Any = data
    start = 0  # parts[start:] are applied to `node` by apply_override
    for i, part in enumerate(parts[:-1]):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list):
            if not part.isdigit() or int(part) >= len(node):
                raise ConfigError(f"--set {key}: no item {part!r} in a list of {len(node)}")
            node, start = node[int(part)], i + 1
        else:
            break
        if isinstance(node, list) and i == len(parts) - 2:
            last = parts[-1]
            if not last.isdigit() or int(last) >= len(node):
                raise ConfigError(f"--set {key}: no item {last!r} in a list of {len(node)}")
            node[int(last)] = yaml.safe_load(raw) if raw else None
            return
    if start == 0:
        apply_override(data, dotted)
        return
    target: Any = data
    for part in parts[:start]:
        target = target[int(part)] if isinstance(target, list) else target[part]
    if not isinstance(target, dict):
        raise ConfigError(f"--set {key}: {'.'.join(parts[:start])} is not a mapping")
    apply_override(target, f"{'.'.join(parts[start:])}={raw}")


def load_train_config(path: Path | None = None, overrides: list[str] | None = None) -> M3DiffConfig:
    """Read, override (``key.path=value``) and validate a training config. Relative paths in it
    are relative to the working directory (where ``diffforge train`` runs), like HF's own args."""
    data = read_yaml(path) if path is not None else {}
    for item in overrides or []:
        _override(data, item)
    try:
        return M3DiffConfig.model_validate(data)
    except ValidationError as err:
        raise config_error(path, err, overrides) from None


__all__ = ["FORMATS", "M3DiffConfig", "SourceConfig", "TinyConfig", "load_train_config"]
