"""M³Diff backbones: thin subclasses of the transformers models whose inner
``get_image_features`` runs MDP on each before/after pair, so training and ``generate()`` share one
path. MDP settings live in the HF config (``config.mdp``), so ``from_pretrained`` rebuilds them.

Pairs are the consecutive images of a sample: (0, 1), (2, 3), ... LLaVA-OneVision takes them nested
per sample (``batch_num_images`` = 2, one 730-token base patch each); Qwen2.5-VL needs both images at
the same grid; InternVL one tile per image.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn
from transformers import (
    InternVLForConditionalGeneration,
    InternVLModel,
    LlavaOnevisionForConditionalGeneration,
    LlavaOnevisionModel,
    Qwen2_5_VLForConditionalGeneration,
    Qwen2_5_VLModel,
)
from transformers.modeling_outputs import BaseModelOutputWithPooling
from transformers.models.llava_onevision.modeling_llava_onevision import image_size_to_num_patches
from transformers.utils.generic import can_return_tuple, merge_with_config_defaults
from transformers.vision_utils import (
    get_max_seqlen,
    get_vision_attention_seqlens,
    get_vision_position_ids,
    get_vision_window_index,
)

from diffforge.training.model.mdp import MDP


def mdp_settings(config: Any) -> dict | None:
    """The ``mdp`` entry of an HF config ({layers, heads, dropout}) or None (plain backbone)."""
    mdp = getattr(config, "mdp", None)
    return mdp if isinstance(mdp, dict) and mdp.get("layers") else None


def _build_mdp(config: Any, dim: int, depth: int) -> MDP | None:
    s = mdp_settings(config)
    if s is None:
        return None
    bad = [i for i in s["layers"] if not 0 < i <= depth]
    if bad:
        raise ValueError(f"MDP layers {bad} outside the vision tower's 1..{depth}")
    return MDP(
        dim, len(s["layers"]), s.get("heads", 8), s.get("dropout", 0.0), s.get("change_head", False)
    )


class _MDPInit:
    """Mixin for the inner models: MDP's own init (zero output) also when loading a base checkpoint."""

    def _init_weights(self, module: nn.Module) -> None:
        super()._init_weights(module)  # type: ignore[misc]
        if isinstance(module, MDP):
            module.reset_parameters()


def _apply_mdp(
    mdp: MDP, taps: list[torch.Tensor], base: torch.Tensor, first: list[int], second: list[int]
) -> torch.Tensor:
    """Replace the rows ``first``/``second`` of ``base`` (images, tokens, dim) by MDP's output."""
    if not first:
        return base
    i1 = torch.tensor(first, device=base.device)
    i2 = torch.tensor(second, device=base.device)
    new1, new2 = mdp([t[i1] for t in taps], [t[i2] for t in taps], base[i1], base[i2])
    return base.index_copy(0, i1, new1).index_copy(0, i2, new2)


# ---------------------------------------------------------------------------------------------
# LLaVA-OneVision
# ---------------------------------------------------------------------------------------------


class M3DiffLlavaOnevisionModel(_MDPInit, LlavaOnevisionModel):
    def __init__(self, config: Any) -> None:
        super().__init__(config)
        vc = config.vision_config
        self.mdp = _build_mdp(config, vc.hidden_size, vc.num_hidden_layers)
        if self.mdp is not None:
            self.mdp.reset_parameters()

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
        base = _apply_mdp(self.mdp, taps, base, first, second)
        feats = torch.split(self.multi_modal_projector(base), num_patches, dim=0)
        feats, _ = self.pack_image_features(
            feats,
            image_sizes,
            image_newline=self.image_newline,
            vision_aspect_ratio=vision_aspect_ratio,
        )
        out.pooler_output = feats
        return out


def _init_with_inner(model: nn.Module, base: type, inner: type, config: Any) -> None:
    """``base.__init__`` with our MDP inner model in place of theirs (built once, not twice)."""
    super(base, model).__init__(config)
    model.model = inner(config)
    model.lm_head = nn.Linear(
        config.text_config.hidden_size, config.text_config.vocab_size, bias=False
    )
    model.post_init()


class M3DiffLlavaOnevision(LlavaOnevisionForConditionalGeneration):
    """LLaVA-OneVision with MDP (``config.mdp``); without it, exactly the base model."""

    def __init__(self, config: Any) -> None:
        _init_with_inner(
            self, LlavaOnevisionForConditionalGeneration, M3DiffLlavaOnevisionModel, config
        )


# ---------------------------------------------------------------------------------------------
# Qwen2.5-VL
# ---------------------------------------------------------------------------------------------


class M3DiffQwen2_5_VLModel(_MDPInit, Qwen2_5_VLModel):
    def __init__(self, config: Any) -> None:
        super().__init__(config)
        vc = config.vision_config
        self.mdp = _build_mdp(config, vc.hidden_size, vc.depth)
        if self.mdp is not None:
            self.mdp.reset_parameters()

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
                base = _apply_mdp(
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
        _init_with_inner(self, Qwen2_5_VLForConditionalGeneration, M3DiffQwen2_5_VLModel, config)


# ---------------------------------------------------------------------------------------------
# InternVL3 (-hf)
# ---------------------------------------------------------------------------------------------


class M3DiffInternVLModel(_MDPInit, InternVLModel):
    def __init__(self, config: Any) -> None:
        super().__init__(config)
        vc = config.vision_config
        self.mdp = _build_mdp(config, vc.hidden_size, vc.num_hidden_layers)
        if self.mdp is not None:
            self.mdp.reset_parameters()

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
        feats = _apply_mdp(self.mdp, taps, feats, list(range(0, b, 2)), list(range(1, b, 2)))
        side = int(feats.shape[1] ** 0.5)
        feats = self.pixel_shuffle(
            feats.reshape(b, side, side, -1), scale_factor=self.config.downsample_ratio
        )
        feats = self.multi_modal_projector(feats.reshape(b, -1, feats.shape[-1]))
        return BaseModelOutputWithPooling(last_hidden_state=feats, pooler_output=feats)


class M3DiffInternVL(InternVLForConditionalGeneration):
    """InternVL3 (-hf) with MDP (``config.mdp``); without it, exactly the base model."""

    def __init__(self, config: Any) -> None:
        _init_with_inner(self, InternVLForConditionalGeneration, M3DiffInternVLModel, config)


MODEL_CLASSES: dict[str, type] = {
    "llava_onevision": M3DiffLlavaOnevision,
    "qwen2_5_vl": M3DiffQwen2_5_VL,
    "internvl3": M3DiffInternVL,
}
