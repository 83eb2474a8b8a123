"""LLaVA-OneVision (SigLIP + Qwen2): MDP between the selected ViT features and the projector.

A sample's two images come nested per sample (``batch_num_images`` = 2), one base patch each
(no AnyRes tiling for pairs), so every image is one ``size``-px square: (size/patch)² tokens plus
the image_newline token.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from transformers import LlavaOnevisionForConditionalGeneration, LlavaOnevisionModel
from transformers.modeling_outputs import BaseModelOutputWithPooling
from transformers.models.llava_onevision.modeling_llava_onevision import image_size_to_num_patches
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
from diffforge.training.model.registry import Backbone, BenchShape
from diffforge.training.model.tiny import tiny_text_config, tiny_vision_dims

if TYPE_CHECKING:
    from transformers import PretrainedConfig, PreTrainedTokenizerFast

    from diffforge.training.model.tiny_config import TinyConfig

NAME = "llava_onevision"


class M3DiffLlavaOnevisionModel(MDPInit, LlavaOnevisionModel):
    def __init__(self, config: Any) -> None:
        super().__init__(config)
        vc = config.vision_config
        self.mdp = build_mdp(config, vc.hidden_size, vc.num_hidden_layers)

    @merge_with_config_defaults
    @can_return_tuple
    def get_image_features(
        self,
        pixel_values: torch.Tensor,
        image_sizes: torch.Tensor,
        vision_feature_layer: int | list[int] | None = None,
        vision_feature_select_strategy: str | None = None,
        vision_aspect_ratio: str | None = None,
        batch_num_images: torch.LongTensor | None = None,
        **kwargs: Any,
    ) -> BaseModelOutputWithPooling:
        """The parent's code with MDP between the selected ViT features and the projector."""
        if (
            self.mdp is None
            or batch_num_images is None
            or not isinstance(vision_feature_layer, int)
        ):
            return super().get_image_features(
                pixel_values, image_sizes, vision_feature_layer=vision_feature_layer,
                vision_feature_select_strategy=vision_feature_select_strategy,
                vision_aspect_ratio=vision_aspect_ratio, batch_num_images=batch_num_images, **kwargs,
            )  # fmt: skip
        need_patching = [n == 1 for n in batch_num_images for _ in range(n)]
        num_patches = [
            image_size_to_num_patches(
                s, self.config.image_grid_pinpoints, self.config.vision_config.image_size
            )
            if p
            else 1
            for s, p in zip(image_sizes, need_patching, strict=True)
        ]
        if pixel_values.dim() == 5:
            pixel_values = torch.cat(
                [pv[:n] for pv, n in zip(pixel_values, num_patches, strict=True)], dim=0
            )
        kwargs["output_hidden_states"] = True
        kwargs.pop("return_dict", None)
        out = self.vision_tower(pixel_values, return_dict=True, **kwargs)
        hs = out.hidden_states
        drop_cls = vision_feature_select_strategy == "default"
        taps = [hs[i][:, 1:] if drop_cls else hs[i] for i in mdp_settings(self.config)["layers"]]
        base = hs[vision_feature_layer][:, 1:] if drop_cls else hs[vision_feature_layer]
        offsets = [0]
        for n in num_patches:
            offsets.append(offsets[-1] + n)
        first, second, img = [], [], 0
        for n in batch_num_images.tolist():
            if n == 2:
                first.append(offsets[img])
                second.append(offsets[img + 1])
            img += n
        base = apply_mdp(self.mdp, taps, base, first, second)
        feats = torch.split(self.multi_modal_projector(base), num_patches, dim=0)
        feats, _ = self.pack_image_features(
            feats,
            image_sizes,
            image_newline=self.image_newline,
            vision_aspect_ratio=vision_aspect_ratio,
        )
        out.pooler_output = feats
        return out


class M3DiffLlavaOnevision(LlavaOnevisionForConditionalGeneration):
    """LLaVA-OneVision with MDP (``config.mdp``); without it, exactly the base model."""

    def __init__(self, config: Any) -> None:
        init_with_inner(
            self, LlavaOnevisionForConditionalGeneration, M3DiffLlavaOnevisionModel, config
        )


def spec_from_config(config: Any, size: int | None, norm: dict) -> ImageSpec:
    vc = config.vision_config
    s = size or vc.image_size
    n = (s // vc.patch_size) ** 2 + 1  # + the image_newline token
    n -= 1 if config.vision_feature_select_strategy == "default" else 0
    return ImageSpec(NAME, s, vc.patch_size, n, **norm)


def image_span(ids: Any, spec: ImageSpec) -> list[int]:
    return [ids("<image>")] * spec.tokens


def image_inputs(arrs: list[np.ndarray], spec: ImageSpec) -> dict[str, torch.Tensor]:
    """One base patch per image, two images per sample (so the model pairs them)."""
    n = len(arrs)
    return {
        "pixel_values": torch.from_numpy(np.stack(arrs))[:, None],  # (images, 1 patch, 3, S, S)
        "image_sizes": torch.tensor([[spec.size, spec.size]] * n),
        "batch_num_images": torch.tensor([2] * (n // 2)),
    }


def tiny_config(t: TinyConfig, tok: PreTrainedTokenizerFast) -> PretrainedConfig:
    """SigLIP + Qwen2, small; one pinpoint (the image size), so an image is one patch."""
    from transformers import LlavaOnevisionConfig

    ids = tok.convert_tokens_to_ids
    return LlavaOnevisionConfig(
        text_config={"model_type": "qwen2", **tiny_text_config(t, tok)},
        vision_config={"model_type": "siglip_vision_model", **tiny_vision_dims(t), "num_hidden_layers": t.vision_layers,
                       "image_size": t.image_size, "patch_size": t.patch_size},
        image_token_index=ids("<image>"), video_token_index=ids("<video>"),
        vision_feature_layer=-1, vision_feature_select_strategy="full",
        image_grid_pinpoints=[[t.image_size, t.image_size]], tie_word_embeddings=False,
    )  # fmt: skip


def ov_7b_config(tok: PreTrainedTokenizerFast) -> PretrainedConfig:
    """LLaVA-OneVision-7B's architecture (llava-onevision-qwen2-7b-ov-hf) with ``tok``'s ids:
    Qwen2-7B + SigLIP-so400m, two 384-px images = 2x730 image tokens."""
    from transformers import LlavaOnevisionConfig

    ids = tok.convert_tokens_to_ids
    return LlavaOnevisionConfig(
        text_config={"model_type": "qwen2", "vocab_size": 152064, "hidden_size": 3584, "intermediate_size": 18944,
                     "num_hidden_layers": 28, "num_attention_heads": 28, "num_key_value_heads": 4,
                     "max_position_embeddings": 32768, "rope_theta": 1000000.0, "tie_word_embeddings": False},
        vision_config={"model_type": "siglip_vision_model", "hidden_size": 1152, "intermediate_size": 4304,
                       "num_hidden_layers": 26, "num_attention_heads": 16, "image_size": 384, "patch_size": 14},
        image_token_index=ids("<image>"), video_token_index=ids("<video>"), vision_feature_layer=-1,
        vision_feature_select_strategy="full", image_grid_pinpoints=[[384, 384]], tie_word_embeddings=False,
    )  # fmt: skip


BACKBONE = Backbone(
    name=NAME,
    model_type="llava_onevision",
    model_class=M3DiffLlavaOnevision,
    mdp_layers=(17, 20, 23, 26),  # the paper's (SigLIP-so400m, 26 layers)
    special_tokens=("<image>", "<video>"),
    chat=CHATML,
    vit_modules=("vision_tower",),
    projector_modules=("multi_modal_projector", "image_newline"),
    spec_from_config=spec_from_config,
    image_span=image_span,
    image_inputs=image_inputs,
    tiny_config=tiny_config,
    bench_shapes=(BenchShape("llava_ov_7b", "7B", ov_7b_config),),
)
