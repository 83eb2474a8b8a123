"""InternVL3 (-hf): MDP between InternViT's features and pixel shuffle + projector.

One tile per image (no dynamic tiling for pairs), so a batch's images are consecutive pairs of
equal-sized token grids.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from transformers import InternVLForConditionalGeneration, InternVLModel
from transformers.modeling_outputs import BaseModelOutputWithPooling
from transformers.utils.generic import can_return_tuple, merge_with_config_defaults

from diffforge.training.model.chat import CHATML
from diffforge.training.model.image_spec import ImageSpec
from diffforge.training.model.mdp_hooks import (
    MDPInit,
    apply_mdp,
    build_mdp,
    init_with_inner,
    mdp_settings,
)
from diffforge.training.model.registry import Backbone
from diffforge.training.model.tiny import tiny_text_config, tiny_vision_dims

if TYPE_CHECKING:
    from transformers import PretrainedConfig, PreTrainedTokenizerFast

    from diffforge.training.model.tiny_config import TinyConfig

NAME = "internvl3"


class M3DiffInternVLModel(MDPInit, InternVLModel):
    def __init__(self, config: Any) -> None:
        super().__init__(config)
        vc = config.vision_config
        self.mdp = build_mdp(config, vc.hidden_size, vc.num_hidden_layers)

    def _vision_taps(
        self, pixel_values: torch.Tensor, layers: list[int]
    ) -> tuple[list[torch.Tensor], torch.Tensor]:
        """InternViT by hand: embeddings, then each encoder layer, keeping the tapped outputs."""
        vt = self.vision_tower
        h = vt.embeddings(pixel_values)
        taps: dict[int, torch.Tensor] = {}
        for n, layer in enumerate(vt.encoder.layer):
            h = layer(h)
            h = h[0] if isinstance(h, tuple) else h
            if n + 1 in layers:
                taps[n + 1] = h
        return [taps[i] for i in layers], vt.layernorm(h)

    @merge_with_config_defaults
    @can_return_tuple
    def get_image_features(
        self,
        pixel_values: torch.Tensor,
        vision_feature_layer: int | list[int] | None = None,
        vision_feature_select_strategy: str | None = None,
        **kwargs: Any,
    ) -> BaseModelOutputWithPooling:
        """The parent's code with MDP between the ViT features and pixel shuffle + projector."""
        if self.mdp is None or vision_feature_layer != -1 or pixel_values.shape[0] % 2:
            return super().get_image_features(
                pixel_values, vision_feature_layer=vision_feature_layer,
                vision_feature_select_strategy=vision_feature_select_strategy, **kwargs,
            )  # fmt: skip
        pixel_values = pixel_values.to(dtype=self.dtype)
        taps, feats = self._vision_taps(pixel_values, mdp_settings(self.config)["layers"])
        if vision_feature_select_strategy == "default":
            taps = [t[:, 1:] for t in taps]
            feats = feats[:, 1:]
        b = feats.shape[0]
        feats = apply_mdp(self.mdp, taps, feats, list(range(0, b, 2)), list(range(1, b, 2)))
        side = int(feats.shape[1] ** 0.5)
        feats = self.pixel_shuffle(
            feats.reshape(b, side, side, -1), scale_factor=self.config.downsample_ratio
        )
        feats = self.multi_modal_projector(feats.reshape(b, -1, feats.shape[-1]))
        return BaseModelOutputWithPooling(last_hidden_state=feats, pooler_output=feats)


class M3DiffInternVL(InternVLForConditionalGeneration):
    """InternVL3 (-hf) with MDP (``config.mdp``); without it, exactly the base model."""

    def __init__(self, config: Any) -> None:
        init_with_inner(self, InternVLForConditionalGeneration, M3DiffInternVLModel, config)


def spec_from_config(config: Any, size: int | None, norm: dict) -> ImageSpec:
    """Pixel shuffle keeps ``downsample_ratio``² of the patch tokens."""
    vc = config.vision_config
    s = size or vc.image_size[0]
    p = vc.patch_size[0]
    return ImageSpec(NAME, s, p, int((s // p) ** 2 * config.downsample_ratio**2), **norm)


def image_span(ids: Any, spec: ImageSpec) -> list[int]:
    return [ids("<img>")] + [ids("<IMG_CONTEXT>")] * spec.tokens + [ids("</img>")]


def image_inputs(arrs: list[np.ndarray], spec: ImageSpec) -> dict[str, torch.Tensor]:
    return {"pixel_values": torch.from_numpy(np.stack(arrs))}


def tiny_config(t: TinyConfig, tok: PreTrainedTokenizerFast) -> PretrainedConfig:
    """InternViT + Qwen2, small, with the real model's 0.5 pixel-shuffle ratio."""
    from transformers import InternVLConfig

    ids = tok.convert_tokens_to_ids
    return InternVLConfig(
        text_config={"model_type": "qwen2", **tiny_text_config(t, tok)},
        vision_config={**tiny_vision_dims(t), "num_hidden_layers": t.vision_layers, "image_size": [t.image_size] * 2,
                       "patch_size": [t.patch_size] * 2, "use_mean_pooling": False},
        image_token_id=ids("<IMG_CONTEXT>"), downsample_ratio=0.5,
        vision_feature_layer=-1, vision_feature_select_strategy="default", tie_word_embeddings=False,
    )  # fmt: skip


BACKBONE = Backbone(
    name=NAME,
    model_type="internvl",
    model_class=M3DiffInternVL,
    mdp_layers=(14, 17, 20, 23),  # the paper's relative depths in a 24-layer tower
    special_tokens=("<img>", "</img>", "<IMG_CONTEXT>"),
    chat=CHATML,
    vit_modules=("vision_tower",),
    projector_modules=("multi_modal_projector",),
    spec_from_config=spec_from_config,
    image_span=image_span,
    image_inputs=image_inputs,
    tiny_config=tiny_config,
)
