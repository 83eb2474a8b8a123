"""Describe before/after image pairs with a trained M³Diff or a plain backbone.

Prompts and pixels go through the training collator (``PairCollator.encode`` / ``image_inputs``),
so inference sees exactly what training saw, and ``generate()`` runs MDP inside
``get_image_features``. Batches are left-padded (position ids follow the attention mask) and
decoding is deterministic (greedy or beam search), so a pair's caption does not depend on its
batch.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Iterator, Sequence
from dataclasses import fields
from pathlib import Path
from typing import Any

import numpy as np
import torch
from PIL import Image

from diffforge.errors import ConfigError, DiffforgeError
from diffforge.training.collate import PairCollator
from diffforge.training.config import M3DiffConfig, load_train_config
from diffforge.training.data.prompts import DEFAULT_PROMPTS
from diffforge.training.model.image_spec import ImageSpec
from diffforge.training.model.registry import (
    all_backbones,
    backbone_for_model_type,
    get_backbone,
)
from diffforge.training.trainer import CHECKPOINT_CONFIG

log = logging.getLogger(__name__)
DEFAULT_PROMPT = DEFAULT_PROMPTS["diffforge"][0]
ImageLike = str | Path | Image.Image
PairLike = tuple[ImageLike, ImageLike]


def resolve_device(device: str | torch.device = "auto") -> torch.device:
    """'auto' picks the first CUDA device when there is one, else the CPU; a device this torch
    cannot use (unknown, CUDA without CUDA, cuda:N past the last GPU) is one line naming it."""
    if str(device) == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError):
        raise ConfigError(
            f"--device {device}: unknown device; valid: auto, cpu, cuda, cuda:N"
        ) from None
    if dev.type == "cuda":
        count = torch.cuda.device_count() if torch.cuda.is_available() else 0
        if count == 0:
            raise ConfigError(f"--device {device}: this machine's torch sees no CUDA GPU; use cpu")
        if dev.index is not None and dev.index >= count:
            raise ConfigError(
                f"--device {device}: there are {count} CUDA GPUs (cuda:0..cuda:{count - 1})"
            )
    elif dev.type != "cpu":
        raise ConfigError(f"--device {device}: not supported; valid: auto, cpu, cuda, cuda:N")
    return dev


def resolve_dtype(dtype: str | torch.dtype | None, device: torch.device) -> torch.dtype:
    """None: bf16 on a CUDA device that supports it, else fp32 (CPU half precision is slow)."""
    if isinstance(dtype, torch.dtype):
        return dtype
    if dtype is None or dtype == "auto":
        cuda_bf16 = device.type == "cuda" and torch.cuda.is_bf16_supported()
        return torch.bfloat16 if cuda_bf16 else torch.float32
    names = {"bfloat16": torch.bfloat16, "float16": torch.float16, "float32": torch.float32}
    if dtype not in names:
        raise ConfigError(f"dtype: unknown {dtype!r}; valid: {', '.join(names)}")
    return names[dtype]


def open_image(image: ImageLike) -> Image.Image:
    """An RGB image; a missing or undecodable file is a one-line DiffforgeError naming it."""
    if isinstance(image, Image.Image):
        return image.convert("RGB")
    path = Path(image)
    if not path.is_file():
        raise DiffforgeError(f"{path}: image not found")
    try:
        with Image.open(path) as im:
            return im.convert("RGB")
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise DiffforgeError(f"{path}: cannot read image ({reason})") from None


def _read_spec(path: Path) -> ImageSpec:
    data = json.loads(path.read_text())
    known = {f.name for f in fields(ImageSpec)}
    return ImageSpec(
        **{k: tuple(v) if isinstance(v, list) else v for k, v in data.items() if k in known}
    )


def _load_checkpoint(ckpt: Path, config: M3DiffConfig | None) -> tuple[Any, Any, ImageSpec]:
    """A training checkpoint (LoRA adapter + trainable tensors): rebuild the model from the run's
    config, load the trained tensors, and merge LoRA (plain linear layers generate faster)."""
    from diffforge.training.model.build import add_lora, build_model, load_trainable

    if config is None:
        saved = ckpt / CHECKPOINT_CONFIG
        if not saved.is_file():
            raise ConfigError(
                f"{ckpt}: training checkpoint without {CHECKPOINT_CONFIG}; pass the run's training config"
            )
        config = M3DiffConfig.model_validate_json(saved.read_text())
    model, tok, spec = build_model(config.model)
    model = add_lora(model, config)
    load_trainable(model, ckpt)
    if hasattr(model, "merge_and_unload"):
        model = model.merge_and_unload()
    if (ckpt / "image_spec.json").is_file():
        spec = _read_spec(ckpt / "image_spec.json")
    return model, tok, spec


def _load_pretrained(path: Path, dtype: torch.dtype) -> tuple[Any, Any, ImageSpec]:
    """An HF-format directory: our ``final`` export (MDP settings in its config) or a base
    backbone checkpoint (no ``mdp`` entry: the plain model; image spec from its processor)."""
    from transformers import AutoConfig, AutoImageProcessor, AutoTokenizer

    try:
        hf = AutoConfig.from_pretrained(path)
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{path}: cannot read model config: {str(exc).splitlines()[0]}") from None
    backbone = backbone_for_model_type(hf.model_type)
    if backbone is None:
        raise ConfigError(
            f"{path}: model type {hf.model_type!r} is not a supported backbone "
            f"({', '.join(b.model_type for b in all_backbones())})"
        )
    if (path / "image_spec.json").is_file():
        from diffforge.training.model.build import load_exported

        return load_exported(path, dtype=dtype)
    try:
        processor = AutoImageProcessor.from_pretrained(path)
    except (OSError, ValueError, ImportError):
        processor = None  # CLIP normalisation, as training falls back to
    model = backbone.model_class.from_pretrained(path, dtype=dtype)
    return model, AutoTokenizer.from_pretrained(path), backbone.image_spec(hf, None, processor)


class Describer:
    """A loaded model plus the collator that turns (before, after, prompt) into its inputs."""

    def __init__(
        self, model: Any, tokenizer: Any, spec: ImageSpec, device: str | torch.device = "auto"
    ) -> None:
        self.device = resolve_device(device)
        self.model = model.to(self.device).eval()
        self.model.config.use_cache = True
        self.tokenizer = tokenizer
        self.spec = spec
        # no trimming at inference: a prompt is never cut, the model sees all of it
        self.collator = PairCollator(tokenizer, spec, max_length=1 << 30)

    @classmethod
    def load(
        cls,
        ckpt: Path | str,
        device: str | torch.device = "auto",
        dtype: str | torch.dtype | None = None,
        config: M3DiffConfig | Path | None = None,
    ) -> Describer:
        """Load a ``final`` export, a training checkpoint (``checkpoint-N``) or a base backbone.

        ``config`` (a training config or its YAML) is needed only for checkpoints written
        before checkpoints carried their config.
        """
        path = Path(ckpt)
        if not path.is_dir():
            raise ConfigError(f"{path}: model directory not found")
        dev = resolve_device(device)
        dt = resolve_dtype(dtype, dev)
        if isinstance(config, Path):
            config = load_train_config(config)
        with _quiet_loading():
            if (path / "trainable.safetensors").is_file() and not (path / "config.json").is_file():
                model, tok, spec = _load_checkpoint(path, config)
                model = model.to(dt)
            elif (path / "config.json").is_file():
                model, tok, spec = _load_pretrained(path, dt)
            else:
                raise ConfigError(
                    f"{path}: not a model directory (no config.json or trainable.safetensors)"
                )
        log.info("loaded %s (%s, mdp %s) on %s", path, spec.backbone, _has_mdp(model), dev)
        return cls(model, tok, spec, dev)

    @property
    def mdp(self) -> bool:
        """Whether the loaded model runs MDP (False for a plain backbone)."""
        return _has_mdp(self.model)

    def batch(self, pairs: Sequence[tuple[Image.Image, Image.Image]], prompts: Sequence[str]):
        """A left-padded generation batch on the model's device (floating inputs in its dtype)."""
        seqs = [self.collator.encode(p, None)[0] for p in prompts]
        width = max(len(s) for s in seqs)
        ids = torch.full((len(seqs), width), self.collator.pad, dtype=torch.long)
        mask = torch.zeros((len(seqs), width), dtype=torch.long)
        for i, s in enumerate(seqs):
            ids[i, width - len(s) :] = torch.tensor(s)
            mask[i, width - len(s) :] = 1
        images = self.collator.image_inputs([im for pair in pairs for im in pair])
        dtype = next(self.model.parameters()).dtype
        out = {"input_ids": ids, "attention_mask": mask, **images}
        return {
            k: v.to(self.device, dtype=dtype if v.is_floating_point() else None)
            for k, v in out.items()
        }

    @torch.inference_mode()
    def describe(
        self,
        pairs: Sequence[PairLike],
        prompt: str | Sequence[str] | None = None,
        batch_size: int = 8,
        max_new_tokens: int = 64,
        num_beams: int = 1,
    ) -> list[str]:
        """One caption per (before, after) pair, in batches of ``batch_size``: greedy, or beam
        search with ``num_beams`` > 1 (the usual decoding of IDC papers' reported numbers).

        ``prompt``: one instruction for all pairs, one per pair, or None for the diffforge
        training prompt. Images are paths or PIL images; a bad file raises DiffforgeError.
        """
        from transformers import GenerationConfig

        if batch_size < 1:
            raise ConfigError(f"batch_size must be at least 1, got {batch_size}")
        if num_beams < 1:
            raise ConfigError(f"num_beams must be at least 1, got {num_beams}")
        if prompt is None or isinstance(prompt, str):
            prompts = [prompt or DEFAULT_PROMPT] * len(pairs)
        else:
            prompts = list(prompt)
            if len(prompts) != len(pairs):
                raise ConfigError(f"{len(prompts)} prompts for {len(pairs)} pairs")
        gen = GenerationConfig(
            do_sample=False,
            num_beams=num_beams,
            max_new_tokens=max_new_tokens,
            eos_token_id=self.collator.eos,
            pad_token_id=self.collator.pad,
            use_cache=True,
        )
        captions: list[str] = []
        for start in range(0, len(pairs), batch_size):
            chunk = pairs[start : start + batch_size]
            images = [(open_image(a), open_image(b)) for a, b in chunk]
            inputs = self.batch(images, prompts[start : start + batch_size])
            out = self.model.generate(**inputs, generation_config=gen)
            new = out[:, inputs["input_ids"].shape[1] :]
            captions += [
                self.tokenizer.decode(row, skip_special_tokens=True).strip() for row in new
            ]
        return captions

    @property
    def has_change_head(self) -> bool:
        """Whether MDP carries the change head (trained with ``model.mdp.change_loss``)."""
        mdp = getattr(getattr(self.model, "model", None), "mdp", None)
        return mdp is not None and mdp.change_head is not None

    @torch.inference_mode()
    def change_map(
        self, before: ImageLike, after: ImageLike, prompt: str | None = None
    ) -> np.ndarray:
        """The change head's probability per patch, (grid, grid) in raster order: the mean over
        MDP's tapped layers of sigmoid(logit), from one forward pass over the pair."""
        if not self.has_change_head:
            raise ConfigError(
                "--heatmap: this model has no change head (train it with model.mdp.change_loss > 0)"
            )
        mdp = self.model.model.mdp
        inputs = self.batch([(open_image(before), open_image(after))], [prompt or DEFAULT_PROMPT])
        self.model(**inputs)
        probs = torch.sigmoid(mdp.change_logits.float()).mean(0)[0].cpu().numpy()  # (N,)
        g = self.spec.size // self.spec.patch
        order = get_backbone(self.spec.backbone).raster_order(self.spec)
        raster = np.zeros(g * g, np.float32)
        raster[order] = probs
        return raster.reshape(g, g)


@contextlib.contextmanager
def _quiet_loading() -> Iterator[None]:
    """No weight-loading progress bar: `describe` prints captions, nothing else."""
    from transformers.utils import logging as hf_logging

    was = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        if was:
            hf_logging.enable_progress_bar()


def _has_mdp(model: Any) -> bool:
    return getattr(getattr(model, "model", None), "mdp", None) is not None
