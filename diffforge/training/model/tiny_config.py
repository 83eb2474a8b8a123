"""The config of a random-weight backbone (``model.tiny``): what the backbone registry and each
backbone's ``tiny_config`` build from, kept below the training config so they need not import it."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from diffforge.training.source_config import SourceConfig, StrictModel


class TinyConfig(StrictModel):
    """A random-weight backbone built from a config (tests, CPU smoke runs, benchmarks)."""

    hidden_size: int = Field(default=64, ge=8)
    layers: int = Field(default=2, ge=1)
    heads: int = Field(default=4, ge=1)
    vision_hidden_size: int = Field(default=32, ge=8)
    vision_layers: int = Field(default=4, ge=1)
    image_size: int = Field(default=32, ge=8)
    patch_size: int = Field(default=8, ge=2)
    # embedding rows; None: 320 for bytes, the word vocabulary rounded up to 64 for words
    vocab_size: int | None = Field(default=None, ge=8)
    tokenizer: Literal["bytes", "words"] = "bytes"
    # words: the sources whose captions (their split only) and prompts make the vocabulary;
    # None: the training config's data.sources
    vocab_from: list[SourceConfig] | None = None
    min_count: int = Field(default=1, ge=1)  # rarer words map to <unk>
    # the resolved vocabulary, filled in when the model is built and saved with checkpoints
    words: list[str] | None = None
