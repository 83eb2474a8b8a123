"""The backbones M³Diff supports, by name: the one place that lists them.

Everything specific to a backbone lives in its module ``backbones/<name>.py`` as a ``Backbone``
(adapter model class, image spec, collator inputs, tiny config, MDP taps, chat format). Shared
code asks the registry and never branches on a name, so adding a backbone is one new module plus
its name in ``BACKBONE_NAMES``. Modules load on first use: validating a config by name does not
import transformers' model code.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from diffforge.errors import ConfigError, valid_names

if TYPE_CHECKING:
    import numpy as np
    import torch
    from transformers import PretrainedConfig, PreTrainedTokenizerFast

    from diffforge.training.model.chat import ChatFormat
    from diffforge.training.model.image_spec import ImageSpec
    from diffforge.training.model.tiny_config import TinyConfig

# Module names under ``backbones/``, in the order users see them (config errors, listings).
BACKBONE_NAMES: tuple[str, ...] = ("llava_onevision", "qwen2_5_vl", "internvl3")
DEFAULT_BACKBONE = BACKBONE_NAMES[0]


@dataclass(frozen=True)
class BenchShape:
    """A full-size architecture with random weights (``diffforge bench train --shape NAME``)."""

    name: str
    label: str  # its size in messages, e.g. "7B"
    hf_config: Callable[[PreTrainedTokenizerFast], PretrainedConfig]  # ids from the tokenizer


@dataclass(frozen=True)
class Backbone:
    """What shared code needs to know about one backbone."""

    name: str  # ``model.backbone`` in training configs; ``ImageSpec.backbone``
    model_type: str  # ``config.model_type`` of its HF checkpoints
    model_class: type  # the HF model with MDP inside ``get_image_features``
    mdp_layers: tuple[int, ...]  # ViT layers (1-based) MDP taps unless the config says others
    special_tokens: tuple[str, ...]  # its image tokens (the tiny tokenizer has them all)
    chat: ChatFormat
    vit_modules: tuple[str, ...]  # module paths of the vision tower (the ViT learning rate)
    projector_modules: tuple[str, ...]  # of the projector (inside the tower counts as projector)
    spec_from_config: Callable[[Any, int | None, dict], ImageSpec]  # (hf config, size, norm)
    image_span: Callable[[Callable[[str], int], ImageSpec], list[int]]  # (token -> id, spec)
    image_inputs: Callable[[list[np.ndarray], ImageSpec], dict[str, torch.Tensor]]
    tiny_config: Callable[[TinyConfig, PreTrainedTokenizerFast], PretrainedConfig]
    change_loss_unsupported: str | None = None  # why ``mdp.change_loss`` cannot work, if so
    # the raster index (row * grid + column) of each patch MDP sees, in MDP's token order, for
    # the per-patch change targets and heatmaps; None: MDP's tokens are in raster order
    patch_order: Callable[[ImageSpec], np.ndarray] | None = None
    bench_shapes: tuple[BenchShape, ...] = ()

    def raster_order(self, spec: ImageSpec) -> np.ndarray:
        """``patch_order`` for ``spec``, or the identity (raster order)."""
        import numpy as np

        g = spec.size // spec.patch
        return self.patch_order(spec) if self.patch_order is not None else np.arange(g * g)

    def image_spec(self, config: Any, size: int | None = None, processor: Any = None) -> ImageSpec:
        """The spec from an HF config (and the checkpoint's image processor for mean/std)."""
        norm = {}
        if processor is not None:
            norm = {"mean": tuple(processor.image_mean), "std": tuple(processor.image_std)}
        return self.spec_from_config(config, size, norm)


def get_backbone(name: str) -> Backbone:
    """The registered backbone ``name``; a one-line ConfigError listing the valid ones if none."""
    if name not in BACKBONE_NAMES:
        raise ConfigError(f"unknown backbone {name!r}; {valid_names(BACKBONE_NAMES)}")
    return _load(name)


@cache
def _load(name: str) -> Backbone:
    return importlib.import_module(f"{__package__}.backbones.{name}").BACKBONE


def all_backbones() -> list[Backbone]:
    """Every registered backbone, in ``BACKBONE_NAMES`` order (imports all their modules)."""
    return [get_backbone(n) for n in BACKBONE_NAMES]


def backbone_for_model_type(model_type: str) -> Backbone | None:
    """The backbone whose HF checkpoints have ``config.model_type`` ``model_type``, if any."""
    return next((b for b in all_backbones() if b.model_type == model_type), None)
