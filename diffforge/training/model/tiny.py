"""Tiny random-weight backbones and a byte-level tokenizer, built from configs with no download.

They have the real architectures (SigLIP + Qwen2 for LLaVA-OneVision, the windowed Qwen2.5-VL
ViT, InternViT + pixel shuffle), only small, so tests and CPU runs exercise the real code paths.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from transformers import PretrainedConfig, PreTrainedTokenizerFast

    from diffforge.training.config import TinyConfig

# Special tokens of the three chat formats (ChatML for all: their LLMs are Qwen2/2.5).
SPECIAL_TOKENS = [
    "<pad>", "<|im_start|>", "<|im_end|>", "<image>", "<video>",
    "<|vision_start|>", "<|vision_end|>", "<|image_pad|>", "<|video_pad|>",
    "<img>", "</img>", "<IMG_CONTEXT>",
]  # fmt: skip


def tiny_tokenizer() -> PreTrainedTokenizerFast:
    """A byte-level BPE with no merges (every byte a token) plus the chat/image specials."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    alphabet = pre_tokenizers.ByteLevel.alphabet()
    vocab = {ch: i for i, ch in enumerate(sorted(alphabet))}
    tok = Tokenizer(models.BPE(vocab=vocab, merges=[]))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="<pad>", eos_token="<|im_end|>")
    fast.add_special_tokens({"additional_special_tokens": SPECIAL_TOKENS[1:]})
    return fast


def _text_config(t: TinyConfig, tok: PreTrainedTokenizerFast, **extra) -> dict:
    return dict(
        vocab_size=t.vocab_size, hidden_size=t.hidden_size, intermediate_size=2 * t.hidden_size,
        num_hidden_layers=t.layers, num_attention_heads=t.heads, num_key_value_heads=max(1, t.heads // 2),
        max_position_embeddings=4096, tie_word_embeddings=False, pad_token_id=tok.pad_token_id,
        eos_token_id=tok.eos_token_id, bos_token_id=None, **extra,
    )  # fmt: skip


def tiny_config(backbone: str, t: TinyConfig, tok: PreTrainedTokenizerFast) -> PretrainedConfig:
    """The HF config of a tiny ``backbone`` whose special token ids match ``tok``."""
    ids = dict(zip(SPECIAL_TOKENS, tok.convert_tokens_to_ids(SPECIAL_TOKENS), strict=True))
    if len(tok) > t.vocab_size:
        raise ValueError(f"tiny vocab_size {t.vocab_size} < tokenizer size {len(tok)}")
    vis = dict(
        hidden_size=t.vision_hidden_size,
        intermediate_size=2 * t.vision_hidden_size,
        num_attention_heads=2,
    )
    if backbone == "llava_onevision":
        from transformers import LlavaOnevisionConfig

        return LlavaOnevisionConfig(
            text_config={"model_type": "qwen2", **_text_config(t, tok)},
            vision_config={"model_type": "siglip_vision_model", **vis, "num_hidden_layers": t.vision_layers,
                           "image_size": t.image_size, "patch_size": t.patch_size},
            image_token_index=ids["<image>"], video_token_index=ids["<video>"],
            vision_feature_layer=-1, vision_feature_select_strategy="full",
            image_grid_pinpoints=[[t.image_size, t.image_size]], tie_word_embeddings=False,
        )  # fmt: skip
    if backbone == "qwen2_5_vl":
        from transformers import Qwen2_5_VLConfig

        head_dim = t.hidden_size // t.heads
        q = head_dim // 2
        text = _text_config(
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
            vision_config={**vis, "depth": t.vision_layers, "num_heads": 2, "out_hidden_size": t.hidden_size,
                           "patch_size": t.patch_size, "spatial_merge_size": 2, "temporal_patch_size": 2,
                           "window_size": t.patch_size * 4, "fullatt_block_indexes": [t.vision_layers - 1]},
            image_token_id=ids["<|image_pad|>"], video_token_id=ids["<|video_pad|>"],
            vision_start_token_id=ids["<|vision_start|>"], vision_end_token_id=ids["<|vision_end|>"],
            tie_word_embeddings=False,
        )  # fmt: skip
    if backbone == "internvl3":
        from transformers import InternVLConfig

        return InternVLConfig(
            text_config={"model_type": "qwen2", **_text_config(t, tok)},
            vision_config={**vis, "num_hidden_layers": t.vision_layers, "image_size": [t.image_size] * 2,
                           "patch_size": [t.patch_size] * 2, "use_mean_pooling": False},
            image_token_id=ids["<IMG_CONTEXT>"], downsample_ratio=0.5,
            vision_feature_layer=-1, vision_feature_select_strategy="default", tie_word_embeddings=False,
        )  # fmt: skip
    raise ValueError(f"unknown backbone {backbone!r}")
