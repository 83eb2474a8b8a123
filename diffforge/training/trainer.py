"""The M³Diff trainer: the HF Trainer with the paper's parameter groups, checkpoints that hold every
trained tensor (LoRA, MDP, ViT, projector) for exact resume, and a merged final export."""

from __future__ import annotations

import importlib.util
import json
import logging
import os
from pathlib import Path
from typing import Any

import torch
from transformers import Trainer, TrainingArguments
from transformers.trainer_utils import get_last_checkpoint

from diffforge.errors import ConfigError
from diffforge.training.collate import PairCollator, PairDataset
from diffforge.training.config import M3DiffConfig
from diffforge.training.data.base import DataError
from diffforge.training.data.mixture import mixture_epoch, proportions
from diffforge.training.data.sources import load_sources
from diffforge.training.model.build import (
    add_lora,
    build_model,
    export_final,
    load_trainable,
    part_of,
    save_trainable,
)
from diffforge.training.model.mdp import MDP, change_mask_loss

log = logging.getLogger(__name__)
CHECKPOINT_CONFIG = "m3diff_config.json"  # the run's resolved config, in every checkpoint


class M3DiffTrainer(Trainer):
    """Trainer with a ViT parameter group, data in mixture order, and full trainable checkpoints."""

    def __init__(
        self,
        *args: Any,
        vit_lr: float,
        image_spec: Any,
        m3diff_config: M3DiffConfig | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.vit_lr = vit_lr
        self.image_spec = image_spec
        self.m3diff_config = m3diff_config
        self.change_weight = m3diff_config.model.mdp.change_loss if m3diff_config else 0.0
        self._change_sum: torch.Tensor | float = 0.0  # change-mask loss since the last log,
        self._change_n = 0  # kept on the device so a step does not wait for it
        self._mdp = next((m for m in self.model.modules() if isinstance(m, MDP)), None)

    def compute_loss(
        self,
        model: Any,
        inputs: dict[str, Any],
        return_outputs: bool = False,
        num_items_in_batch: Any = None,
    ) -> Any:
        """The caption loss, plus ``model.mdp.change_loss`` x the change-mask loss when the batch
        carries change targets (scaled like the caption loss under gradient accumulation)."""
        targets = inputs.pop("change_targets", None)
        valid = inputs.pop("change_valid", None)
        loss, outputs = super().compute_loss(model, inputs, True, num_items_in_batch)
        if targets is not None and self.change_weight > 0 and self._mdp is not None:
            aux = change_mask_loss(self._mdp.change_logits, targets, valid)
            self._change_sum = self._change_sum + aux.detach()
            self._change_n += 1
            if self.model_accepts_loss_kwargs and num_items_in_batch is not None:
                aux = aux / self.current_gradient_accumulation_steps
            loss = loss + self.change_weight * aux
        return (loss, outputs) if return_outputs else loss

    def log(self, logs: dict[str, float], *args: Any, **kwargs: Any) -> None:
        if self._change_n and "loss" in logs:
            logs["change_loss"] = round(float(self._change_sum) / self._change_n, 4)
            self._change_sum, self._change_n = 0.0, 0
        super().log(logs, *args, **kwargs)

    def _get_train_sampler(self, train_dataset: Any = None) -> torch.utils.data.Sampler:
        # the mixture is already shuffled from its seed; a sequential order makes resume exact
        return torch.utils.data.SequentialSampler(train_dataset or self.train_dataset)

    def create_optimizer(self, model: Any = None) -> torch.optim.Optimizer:
        """AdamW over two groups: the vision tower at ``vit_lr``, everything else at ``lr``."""
        if self.optimizer is None:
            named = [(n, p) for n, p in (model or self.model).named_parameters() if p.requires_grad]
            vit = [p for n, p in named if part_of(n) == "vit"]
            rest = [p for n, p in named if part_of(n) != "vit"]
            a = self.args
            groups = [
                g
                for g in (
                    {"params": rest, "lr": a.learning_rate},
                    {"params": vit, "lr": self.vit_lr},
                )
                if g["params"]
            ]
            self.optimizer = torch.optim.AdamW(
                groups,
                lr=a.learning_rate,
                betas=(a.adam_beta1, a.adam_beta2),
                eps=a.adam_epsilon,
                weight_decay=a.weight_decay,
            )
        return self.optimizer

    def _save(self, output_dir: str | None = None, state_dict: dict | None = None) -> None:
        super()._save(output_dir, state_dict)  # the peft adapter (interoperable) + tokenizer
        if self.args.should_save:
            out = Path(output_dir or self.args.output_dir)
            save_trainable(self.accelerator.unwrap_model(self.model), out, self.image_spec)
            if self.m3diff_config is not None:  # lets inference rebuild the model from here
                (out / CHECKPOINT_CONFIG).write_text(self.m3diff_config.model_dump_json(indent=1))

    def _load_from_checkpoint(self, resume_from_checkpoint: str, model: Any = None) -> None:
        if (Path(resume_from_checkpoint) / "trainable.safetensors").is_file():
            load_trainable(
                self.accelerator.unwrap_model(model or self.model), Path(resume_from_checkpoint)
            )
        else:
            super()._load_from_checkpoint(resume_from_checkpoint, model)


def _precision(cfg: M3DiffConfig) -> tuple[bool, bool]:
    p = cfg.train.precision
    if p == "auto":
        p = "bf16" if torch.cuda.is_available() and torch.cuda.is_bf16_supported() else "fp32"
    if p in ("bf16", "fp16") and not torch.cuda.is_available():
        log.warning("no CUDA device: training in fp32 instead of %s", p)
        p = "fp32"
    return p == "bf16", p == "fp16"


def accumulation_steps(cfg: M3DiffConfig, world: int) -> int:
    """Gradient accumulation that reaches the global batch; ConfigError if it does not divide."""
    per_step = cfg.train.micro_batch * world
    if cfg.train.global_batch % per_step:
        raise ConfigError(
            f"train.global_batch: {cfg.train.global_batch} is not a multiple of micro_batch x processes = {per_step}"
        )
    return cfg.train.global_batch // per_step


def check_deepspeed(path: Path | None) -> str | None:
    """A ZeRO JSON must not carry an optimizer block: it would silently replace the param groups."""
    if path is None:
        return None
    if not path.is_file():
        raise ConfigError(f"train.deepspeed: {path} not found")
    try:
        ds = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise ConfigError(f"train.deepspeed: {path}: invalid JSON: {exc.msg}") from None
    if "optimizer" in ds:
        raise ConfigError(
            f"train.deepspeed: {path} has an 'optimizer' block, which drops the ViT/base parameter groups; remove it"
        )
    if importlib.util.find_spec("deepspeed") is None:
        raise ConfigError(
            "train.deepspeed: the deepspeed package is not installed (pip install 'diffforge[deepspeed]')"
        )
    return str(path)


def training_arguments(cfg: M3DiffConfig) -> TrainingArguments:
    """HF arguments for ``cfg``. Built before anything else: they set up the process group
    (``torchrun`` / ``accelerate launch``; gloo on CPU-only machines, which HF treats as
    multi-process only with ``use_cpu``)."""
    bf16, fp16 = _precision(cfg)
    t, o = cfg.train, cfg.optim
    return TrainingArguments(
        output_dir=str(t.output_dir), per_device_train_batch_size=t.micro_batch,
        gradient_accumulation_steps=accumulation_steps(cfg, int(os.environ.get("WORLD_SIZE", "1"))),
        num_train_epochs=t.epochs, max_steps=t.max_steps, learning_rate=o.lr, weight_decay=o.weight_decay,
        adam_beta1=o.betas[0], adam_beta2=o.betas[1], warmup_steps=o.warmup_ratio, lr_scheduler_type=o.scheduler,
        max_grad_norm=o.max_grad_norm, bf16=bf16, fp16=fp16, logging_steps=t.logging_steps, save_steps=t.save_steps,
        save_total_limit=t.save_total_limit, report_to=[r for r in t.report_to if r != "none"] or "none",
        deepspeed=check_deepspeed(t.deepspeed), dataloader_num_workers=t.dataloader_workers, seed=t.seed,
        remove_unused_columns=False, disable_tqdm=not t.progress_bar, use_cpu=not torch.cuda.is_available(),
    )  # fmt: skip


def make_trainer(
    cfg: M3DiffConfig, callbacks: list | None = None
) -> tuple[M3DiffTrainer, Any, Any]:
    """Data, model and Trainer for ``cfg`` (returns trainer, tokenizer, image spec)."""
    args = training_arguments(cfg)
    with args.main_process_first(desc="data"):  # rank 0 writes any toy data; the others read it
        sources, _infos = load_sources(cfg.data)
    if not sources:
        raise ConfigError("data.sources: no training data configured")
    samples = mixture_epoch(sources, cfg.data.seed)
    if not samples:
        raise DataError(
            "no training samples: every source is empty, lacks captions or images (see `diffforge data info`)"
        )
    log.info("mixture: %d samples %s", len(samples), proportions(samples))
    model, tok, spec = build_model(cfg.model)
    model = add_lora(model, cfg)
    if cfg.train.gradient_checkpointing:
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
    t, o = cfg.train, cfg.optim
    aux = cfg.model.mdp.change_loss > 0
    if "tensorboard" in t.report_to:
        os.environ.setdefault("TENSORBOARD_LOGGING_DIR", str(t.output_dir / "tb"))
    trainer = M3DiffTrainer(
        model=model, args=args, train_dataset=PairDataset(samples, change_masks=aux), data_collator=PairCollator(tok, spec, cfg.data.max_length, aux),
        processing_class=tok, callbacks=callbacks, vit_lr=o.vit_lr, image_spec=spec, m3diff_config=cfg,
    )  # fmt: skip
    return trainer, tok, spec


def run_training(cfg: M3DiffConfig, callbacks: list | None = None) -> dict[str, Any]:
    """Train per ``cfg`` (resuming if asked), then export ``output_dir/final``."""
    trainer, tok, spec = make_trainer(cfg, callbacks)
    resume: str | None = None
    if cfg.train.resume is True:
        resume = (
            get_last_checkpoint(str(cfg.train.output_dir))
            if cfg.train.output_dir.is_dir()
            else None
        )
    elif cfg.train.resume:
        resume = str(cfg.train.resume)
        if not Path(resume).is_dir():
            raise ConfigError(f"train.resume: checkpoint {resume} not found")
    trainer.train(resume_from_checkpoint=resume)
    final = cfg.train.output_dir / "final"
    if trainer.is_world_process_zero():  # one writer under DDP / FSDP / DeepSpeed
        export_final(trainer.model, tok, spec, final)
    trainer.accelerator.wait_for_everyone()
    history = trainer.state.log_history
    return {
        "steps": trainer.state.global_step,
        "output_dir": str(final),
        "losses": [h["loss"] for h in history if "loss" in h],  # with the change loss, if any
        "change_losses": [h["change_loss"] for h in history if "change_loss" in h],
    }
