"""One dataset of a training mixture as the config names it (``data.sources[i]``), and the
formats a source may be: below the full training config so the model side (the tiny word
tokenizer builds its vocabulary from sources) can use it without importing that config."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from diffforge.errors import valid_names
from diffforge.formats.registry import DATASET_READERS

# What a data source may be: the toy set, or a dataset format diffforge.formats reads.
FORMATS: tuple[str, ...] = ("toy", *DATASET_READERS)


class StrictModel(BaseModel):
    """A training config section: unknown keys are errors (a typo never passes silently)."""

    model_config = ConfigDict(extra="forbid")


class SourceConfig(StrictModel):
    """One dataset in the mixture."""

    name: str | None = None  # default: the format
    format: str
    path: Path
    images: Path | None = None
    split: str = "train"  # or several joined by +: "train+val" (the counts of the seed's Table 9)
    # all: an epoch holds every (pair, caption) once (the seed's Table 9 sample counts);
    # one_per_pair: one sample per pair, its caption drawn anew each epoch
    captions: Literal["all", "one_per_pair"] = "all"
    # optional up- (>1) or down-sampling (<1) of the source's samples; 1: natural proportions
    weight: float = Field(default=1.0, ge=0.0)
    cap: int | None = Field(default=None, ge=0)  # at most this many samples per epoch
    prompts: list[str] | None = None  # default: the format's templates
    swap_prob: float = Field(default=0.0, ge=0.0, le=1.0)  # show after, before (prompt says so)

    @field_validator("format")
    @classmethod
    def _format(cls, v: str) -> str:
        if v not in FORMATS:
            raise ValueError(f"unknown format {v!r}; {valid_names(FORMATS)}")
        return v

    @property
    def label(self) -> str:
        return self.name or self.format
