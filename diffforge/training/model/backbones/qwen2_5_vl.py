"""Qwen2.5-VL: MDP on the windowed ViT's states, before the patch merger.

Both images of a pair must have the same grid (the collator resizes every image to one square).
The ViT runs in window order: tapped states are un-permuted per 2x2 merge unit before pairing,
so MDP compares the same image location. Patches then come in merge-unit order (each 2x2 unit's
patches together, units in raster order), not raster order: ``patch_order`` says which raster
patch each of MDP's tokens is, so the change-mask targets and heatmaps follow that order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from transformers import Qwen2_5_VLForConditionalGeneration, Qwen2_5_VLModel
from transformers.modeling_outputs import BaseModelOutputWithPooling
from transformers.vision_utils import (
    get_max_seqlen,
    get_vision_attention_seqlens,
    get_vision_position_ids,
    get_vision_window_index,
)

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

NAME = "qwen2_5_vl"
DEFAULT_SIZE = 448  # px, when neither the config nor the checkpoint says


class M3DiffQwen2_5_VLModel(MDPInit, Qwen2_5_VLModel):
    def __init__(self, config: Any) -> None:
        super().__init__(config)
        vc = config.vision_config
        self.mdp = build_mdp(config, vc.hidden_size, vc.depth)

    def _vision_taps(
        self, pixel_values: torch.Tensor, grid_thw: torch.Tensor, layers: list[int]
    ) -> tuple[list[torch.Tensor], torch.Tensor, torch.Tensor]:
        """The visual tower's block loop (as in transformers), keeping the tapped block outputs.
        Returns taps and final states in window order, and the window index."""
        v = self.visual
        kw: dict = {}
        position_ids = get_vision_position_ids(grid_thw, v.spatial_merge_size, kwargs=kw)
        cu_seqlens, max_seqlen = get_vision_attention_seqlens(grid_thw, v.config, kwargs=kw)
        window_index, cu_window = get_vision_window_index(
            grid_thw,
            spatial_merge_size=v.spatial_merge_size,
            window_size=v.window_size,
            patch_size=v.patch_size,
            kwargs=kw,
        )
        max_window = get_max_seqlen(cu_window, v.config, kwargs=kw, kwarg_name="max_window_seqlen")
        h = v.patch_embed(pixel_values)
        seq_len = h.shape[0]
        h = v.permute_input_for_window_attn(h, window_index, seq_len=seq_len)
        pos = v.rotary_pos_emb(h, position_ids)
        pos = tuple(v.permute_input_for_window_attn(f, window_index, seq_len=seq_len) for f in pos)
        taps: dict[int, torch.Tensor] = {}
        for n, blk in enumerate(v.blocks):
            full = n in v.fullatt_block_indexes
            h = blk(
                h,
                cu_seqlens=cu_seqlens if full else cu_window,
                max_seqlen=max_seqlen if full else max_window,
                position_embeddings=pos,
            )
            if n + 1 in layers:
                taps[n + 1] = h
        return [taps[i] for i in layers], h, window_index

    def get_image_features(
        self,
        pixel_values: torch.Tensor,
        image_grid_thw: torch.LongTensor | None = None,
        **kwargs: Any,
    ) -> BaseModelOutputWithPooling:
        """Tapped states are window-permuted: un-permute (per 2x2 merge unit) before pairing, so
        the difference compares the same image location; the merger then runs in image order."""
        if self.mdp is None:
            return super().get_image_features(pixel_values, image_grid_thw, **kwargs)
        v = self.visual
        pixel_values = pixel_values.type(v.dtype)
        layers = mdp_settings(self.config)["layers"]
        taps, last, window_index = self._vision_taps(pixel_values, image_grid_thw, layers)
        unit = v.spatial_merge_unit
        reverse = torch.argsort(window_index)

        def unpermute(x: torch.Tensor) -> torch.Tensor:
            return x.reshape(-1, unit, x.shape[-1])[reverse].reshape(x.shape)

        taps = [unpermute(t) for t in taps]
        last = unpermute(last)
        sizes = image_grid_thw.prod(-1).tolist()
        pairs = len(sizes) // 2
        if len(sizes) % 2 == 0 and all(
            torch.equal(image_grid_thw[2 * j], image_grid_thw[2 * j + 1]) for j in range(pairs)
        ):
            n = sizes[0]
            if all(s == n for s in sizes):  # one grid for the batch: pair rows by a reshape
                as_img = lambda x: x.reshape(len(sizes), n, x.shape[-1])  # noqa: E731
                base = apply_mdp(
                    self.mdp,
                    [as_img(t) for t in taps],
                    as_img(last),
                    list(range(0, len(sizes), 2)),
                    list(range(1, len(sizes), 2)),
                )
                last = base.reshape(-1, last.shape[-1])
            else:
                chunks = list(torch.split(last, sizes))
                tchunks = [torch.split(t, sizes) for t in taps]
                for j in range(pairs):
                    a, b = 2 * j, 2 * j + 1
                    n1, n2 = self.mdp(
                        [tc[a][None] for tc in tchunks],
                        [tc[b][None] for tc in tchunks],
                        chunks[a][None],
                        chunks[b][None],
                    )
                    chunks[a], chunks[b] = n1[0], n2[0]
                last = torch.cat(chunks)
        merged = v.merger(last)
        split_sizes = (image_grid_thw.prod(-1) // v.spatial_merge_size**2).tolist()
        return BaseModelOutputWithPooling(
            last_hidden_state=last, pooler_output=torch.split(merged, split_sizes)
        )


class M3DiffQwen2_5_VL(Qwen2_5_VLForConditionalGeneration):
    """Qwen2.5-VL with MDP (``config.mdp``); without it, exactly the base model."""

    def __init__(self, config: Any) -> None:
        init_with_inner(self, Qwen2_5_VLForConditionalGeneration, M3DiffQwen2_5_VLModel, config)


def spec_from_config(config: Any, size: int | None, norm: dict) -> ImageSpec:
    """A side that is a whole number of merge units; one token per merge unit."""
    vc = config.vision_config
    unit = vc.patch_size * vc.spatial_merge_size
    s = size or DEFAULT_SIZE
    s = max(unit, s // unit * unit)
    return ImageSpec(
        NAME,
        s,
        vc.patch_size,
        (s // vc.patch_size) ** 2 // vc.spatial_merge_size**2,
        merge=vc.spatial_merge_size,
        temporal=vc.temporal_patch_size,
        **norm,
    )


def image_span(ids: Any, spec: ImageSpec) -> list[int]:
    return (
        [ids("<|vision_start|>")] + [ids("<|image_pad|>")] * spec.tokens + [ids("<|vision_end|>")]
    )


def patches(chw: np.ndarray, spec: ImageSpec) -> np.ndarray:
    """Qwen2-VL's flat patch layout (as Qwen2VLImageProcessorPil.patchify): (gh*gw, C*T*P*P)."""
    c, h, w = chw.shape
    p, m, t = spec.patch, spec.merge, spec.temporal
    gh, gw = h // p, w // p
    x = chw.reshape(c, gh // m, m, p, gw // m, m, p).transpose(1, 4, 2, 5, 0, 3, 6)
    x = np.broadcast_to(x[:, :, :, :, :, None], (*x.shape[:5], t, *x.shape[5:]))
    return x.reshape(gh * gw, c * t * p * p)


def patch_order(spec: ImageSpec) -> np.ndarray:
    """The raster index of each patch in ``patches``' merge-unit order (the order MDP sees)."""
    g, m = spec.size // spec.patch, spec.merge
    raster = np.arange(g * g).reshape(g // m, m, g // m, m)  # (unit row, dy, unit col, dx)
    return raster.transpose(0, 2, 1, 3).reshape(-1)


def image_inputs(arrs: list[np.ndarray], spec: ImageSpec) -> dict[str, torch.Tensor]:
    """The images' flat patches, concatenated, and one (1, g, g) grid per image."""
    g = spec.size // spec.patch
    return {
        "pixel_values": torch.from_numpy(np.concatenate([patches(a, spec) for a in arrs])),
        "image_grid_thw": torch.tensor([[1, g, g]] * len(arrs)),
    }


def tiny_config(t: TinyConfig, tok: PreTrainedTokenizerFast) -> PretrainedConfig:
    """The windowed Qwen2.5-VL ViT (windows of 4 patches a side, last block full attention) with
    M-RoPE sections that fit the tiny head size."""
    from transformers import Qwen2_5_VLConfig

    ids = tok.convert_tokens_to_ids
    head_dim = t.hidden_size // t.heads
    q = head_dim // 2
    text = tiny_text_config(
        t,
        tok,
        rope_parameters={
            "rope_type": "default",
            "rope_theta": 10000.0,
            "mrope_section": [q - 2 * (q // 3), q // 3, q // 3],
        },
    )
    return Qwen2_5_VLConfig(
        text_config=text,
        vision_config={**tiny_vision_dims(t), "depth": t.vision_layers, "num_heads": 2, "out_hidden_size": t.hidden_size,
                       "patch_size": t.patch_size, "spatial_merge_size": 2, "temporal_patch_size": 2,
                       "window_size": t.patch_size * 4, "fullatt_block_indexes": [t.vision_layers - 1]},
        image_token_id=ids("<|image_pad|>"), video_token_id=ids("<|video_pad|>"),
        vision_start_token_id=ids("<|vision_start|>"), vision_end_token_id=ids("<|vision_end|>"),
        tie_word_embeddings=False,
    )  # fmt: skip


BACKBONE = Backbone(
    name=NAME,
    model_type="qwen2_5_vl",
    model_class=M3DiffQwen2_5_VL,
    mdp_layers=(19, 23, 27, 31),  # the paper's relative depths in a 32-block tower
    special_tokens=("<|vision_start|>", "<|vision_end|>", "<|image_pad|>", "<|video_pad|>"),
    chat=CHATML,
    vit_modules=("visual",),
    projector_modules=("visual.merger",),
    spec_from_config=spec_from_config,
    image_span=image_span,
    image_inputs=image_inputs,
    tiny_config=tiny_config,
    patch_order=patch_order,
)
