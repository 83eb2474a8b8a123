"""Tiny random-weight backbones and their tokenizers, built from configs with no download.

They have the real architectures, only small, so tests and CPU runs exercise the real code paths.
Each backbone module builds its own tiny HF config from the shared pieces here
(``tiny_text_config``, ``tiny_vision_dims``); ``tiny_config`` picks the backbone's.

Two tokenizers: byte-level (the default; every byte a token, nothing to build) and word-level
(``tiny.tokenizer: words``): one token per word or punctuation mark of the training captions and
prompts, so a 60-word caption is ~70 tokens instead of ~350 and a tiny model learns it faster.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from transformers import PretrainedConfig, PreTrainedTokenizerFast

    from diffforge.training.model.tiny_config import TinyConfig

# Special tokens of the chat format (ChatML) and the backbones' images. Frozen: token ids of saved
# tiny checkpoints follow this order; a new backbone's other tokens come after (``special_tokens``).
SPECIAL_TOKENS = [
    "<pad>", "<|im_start|>", "<|im_end|>", "<image>", "<video>",
    "<|vision_start|>", "<|vision_end|>", "<|image_pad|>", "<|video_pad|>",
    "<img>", "</img>", "<IMG_CONTEXT>",
]  # fmt: skip


UNK = "<unk>"
WORD_PREFIX = "\u2581"  # "▁": marks a word that follows a space (SentencePiece's convention)
# Text the collator wraps around every prompt (ChatML roles and the system prompt).
TEMPLATE_TEXT = ("system\nYou are a helpful assistant.", "user\n", "assistant\n")


def tiny_tokenizer(t: TinyConfig | None = None) -> PreTrainedTokenizerFast:
    """The tokenizer ``t`` asks for: byte-level (default, also for ``None``) or word-level.

    A word-level config without ``words`` gets them from its ``vocab_from`` sources, and they
    are written back into ``t``: the checkpoint's saved config then rebuilds the same tokenizer
    without the data (``export_final`` also saves the tokenizer itself).
    """
    if t is None or t.tokenizer == "bytes":
        return byte_tokenizer()
    if t.words is None:
        t.words = vocabulary(source_texts(t.vocab_from or []), t.min_count)
    return word_tokenizer(t.words)


def byte_tokenizer() -> PreTrainedTokenizerFast:
    """A byte-level BPE with no merges (every byte a token) plus the chat/image specials."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    alphabet = pre_tokenizers.ByteLevel.alphabet()
    vocab = {ch: i for i, ch in enumerate(sorted(alphabet))}
    tok = Tokenizer(models.BPE(vocab=vocab, merges=[]))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="<pad>", eos_token="<|im_end|>")
    fast.add_special_tokens({"additional_special_tokens": special_tokens()[1:]})
    return fast


def special_tokens() -> list[str]:
    """``SPECIAL_TOKENS``, then any registered backbone's image tokens that it lacks."""
    from diffforge.training.model.registry import all_backbones

    extra = [t for b in all_backbones() for t in b.special_tokens if t not in SPECIAL_TOKENS]
    return [*SPECIAL_TOKENS, *dict.fromkeys(extra)]


def _word_pipeline() -> tuple[Any, Any]:
    """Normalizer and pre-tokenizer of the word tokenizer: runs of spaces become one, a newline
    is a word of its own, other words keep a "▁" prefix where a space precedes them and
    punctuation stands alone, so captions decode exactly (``left-hand``: ``▁left - hand``)."""
    from tokenizers import Regex, normalizers, pre_tokenizers

    norm = normalizers.Replace(Regex(" {2,}"), " ")
    pre = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split("\n", behavior="isolated"),
            pre_tokenizers.Metaspace(replacement=WORD_PREFIX, prepend_scheme="always", split=True),
            pre_tokenizers.Punctuation("isolated"),
        ]
    )
    return norm, pre


def words_of(text: str) -> list[str]:
    """The word tokens of ``text`` (what the word tokenizer looks up in its vocabulary)."""
    norm, pre = _word_pipeline()
    return [w for w, _ in pre.pre_tokenize_str(norm.normalize_str(text))]


def vocabulary(texts: Iterable[str], min_count: int = 1) -> list[str]:
    """Words of ``texts`` seen at least ``min_count`` times (the chat template's always), most
    frequent first, ties alphabetical: the same texts give the same ids."""
    counts = Counter(w for text in texts for w in words_of(text))
    for text in TEMPLATE_TEXT:
        counts.update({w: min_count for w in words_of(text)})
    keep = [w for w, n in counts.items() if n >= min_count]
    return sorted(keep, key=lambda w: (-counts[w], w))


def source_texts(sources: Iterable[Any]) -> list[str]:
    """Captions (every reference, not one per pair) and prompts of training sources
    (``SourceConfig``s), from their configured split only: test captions never enter the vocab."""
    from diffforge.training.data import load_pairs
    from diffforge.training.data.prompts import SWAPPED_PROMPT, prompts_for

    texts: list[str] = [SWAPPED_PROMPT]
    for s in sources:
        texts += prompts_for(s.format, s.prompts)
        for pair in load_pairs(s.format, s.path, s.images).split(s.split):
            texts += pair.captions
            texts += [pair.prompt] if pair.prompt else []
    return texts


def word_tokenizer(words: list[str]) -> PreTrainedTokenizerFast:
    """A word-level tokenizer over ``words`` (unknown words -> ``<unk>``) plus the specials."""
    from tokenizers import Tokenizer, decoders, models
    from transformers import PreTrainedTokenizerFast

    specials = [SPECIAL_TOKENS[0], UNK, *SPECIAL_TOKENS[1:]]
    extra = special_tokens()[len(SPECIAL_TOKENS) :]  # after the words: saved word ids stay
    vocab = {w: i for i, w in enumerate(dict.fromkeys([*specials, *words, *extra]))}
    tok = Tokenizer(models.WordLevel(vocab=vocab, unk_token=UNK))
    tok.normalizer, tok.pre_tokenizer = _word_pipeline()
    tok.decoder = decoders.Metaspace(replacement=WORD_PREFIX, prepend_scheme="always", split=True)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok, pad_token="<pad>", eos_token="<|im_end|>", unk_token=UNK
    )
    fast.add_special_tokens({"additional_special_tokens": [*SPECIAL_TOKENS[1:], *extra]})
    return fast


def model_vocab_size(t: TinyConfig, tok: PreTrainedTokenizerFast) -> int:
    """The embedding rows: ``t.vocab_size`` if set, else 320 for bytes and the word
    tokenizer's size rounded up to a multiple of 64."""
    if t.vocab_size is not None:
        return t.vocab_size
    return 320 if t.tokenizer == "bytes" else -(-len(tok) // 64) * 64


def tiny_text_config(t: TinyConfig, tok: PreTrainedTokenizerFast, **extra: Any) -> dict:
    """The language model's HF config entries (a Qwen2-shaped LLM) of a tiny backbone."""
    return dict(
        vocab_size=model_vocab_size(t, tok), hidden_size=t.hidden_size, intermediate_size=2 * t.hidden_size,
        num_hidden_layers=t.layers, num_attention_heads=t.heads, num_key_value_heads=max(1, t.heads // 2),
        max_position_embeddings=4096, tie_word_embeddings=False, pad_token_id=tok.pad_token_id,
        eos_token_id=tok.eos_token_id, bos_token_id=None, **extra,
    )  # fmt: skip


def tiny_vision_dims(t: TinyConfig) -> dict:
    """The vision tower's width entries, common to every tiny backbone."""
    return dict(
        hidden_size=t.vision_hidden_size,
        intermediate_size=2 * t.vision_hidden_size,
        num_attention_heads=2,
    )


def tiny_config(backbone: str, t: TinyConfig, tok: PreTrainedTokenizerFast) -> PretrainedConfig:
    """The HF config of a tiny ``backbone`` whose special token ids match ``tok``."""
    from diffforge.training.model.registry import get_backbone

    if len(tok) > model_vocab_size(t, tok):
        raise ValueError(f"tiny vocab_size {model_vocab_size(t, tok)} < tokenizer size {len(tok)}")
    return get_backbone(backbone).tiny_config(t, tok)
