"""Turn the config's data sources into loaded mixture sources."""

from __future__ import annotations

from typing import TYPE_CHECKING

from diffforge.training.data import load_pairs
from diffforge.training.data.mixture import Source
from diffforge.training.data.prompts import prompts_for

if TYPE_CHECKING:
    from diffforge.training.config import DataConfig


def load_sources(cfg: DataConfig) -> tuple[list[Source], list[dict]]:
    """The mixture sources and each one's ``data info`` summary (for logs)."""
    sources, infos = [], []
    for s in cfg.sources:
        loaded = load_pairs(s.format, s.path, s.images)
        pairs = loaded.split(s.split)
        sources.append(
            Source(
                s.label,
                pairs,
                prompts_for(s.format, s.prompts),
                s.weight,
                s.cap,
                s.swap_prob,
                s.captions,
            )
        )
        infos.append(loaded.summary())
    return sources, infos
