"""Deterministic mixing of several datasets into one epoch of training samples.

An epoch is, by default, every (pair, caption) of every source once: the seed's Table 9 counts
each caption as a sample (CLEVR-Change 71k pairs give 444k samples), and gives no mixture
weights, so the natural proportions are the default. A source with ``captions: one_per_pair``
contributes one sample per pair instead, its caption drawn anew each epoch.

A source's ``weight`` is an optional repeat factor over those samples (0.5 = a random half,
2.0 = each twice) and ``cap`` an upper bound on its samples, so the mixture's proportions are
exact counts, not expectations. All draws come from
``numpy.random.default_rng([seed, epoch, source_index])``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Literal

import numpy as np

from diffforge.training.data.base import Pair
from diffforge.training.data.prompts import SWAPPED_PROMPT


@dataclass(frozen=True)
class Source:
    """One dataset in the mixture, already loaded."""

    name: str
    pairs: list[Pair]
    prompts: tuple[str, ...]
    weight: float = 1.0
    cap: int | None = None
    swap_prob: float = 0.0
    captions: Literal["all", "one_per_pair"] = "all"


CAPTION_MODES: tuple[str, ...] = ("all", "one_per_pair")


@dataclass(frozen=True)
class Sample:
    """One training example: the images in the order shown, the prompt and the answer."""

    source: str
    pair_id: str
    first: str
    second: str
    prompt: str
    answer: str
    swapped: bool = False
    change_mask: str | None = None  # the pair's change mask (symmetric, so swapping keeps it)
    turns: tuple[tuple[str, str], ...] = ()  # later (prompt, answer) exchanges of a conversation


def units(src: Source) -> list[tuple[Pair, int | None]]:
    """What one pass over a source holds: (pair, caption index) for every caption (``all``), or
    (pair, None) per captioned pair (``one_per_pair``: the caption is drawn per epoch)."""
    if src.captions == "one_per_pair":
        return [(p, None) for p in src.pairs if p.captions]
    return [(p, i) for p in src.pairs for i in range(len(p.captions))]


def source_count(src: Source) -> int:
    """How many samples a source contributes per epoch."""
    n = round(src.weight * len(units(src)))
    return min(n, src.cap) if src.cap is not None else n


def _pick(rng: np.random.Generator, size: int, n: int) -> np.ndarray:
    """n indices into range(size): whole shuffled copies, then a remainder without replacement."""
    full, rest = divmod(n, size)
    parts = [rng.permutation(size) for _ in range(full)]
    parts.append(rng.choice(size, size=rest, replace=False))
    return np.concatenate(parts) if parts else np.zeros(0, dtype=int)


def mixture_epoch(sources: list[Source], seed: int, epoch: int = 0) -> list[Sample]:
    """The shuffled samples of one epoch; the same (sources, seed, epoch) give the same list."""
    out: list[Sample] = []
    for k, src in enumerate(sources):
        pool = units(src)
        n = source_count(src)
        if not pool or n <= 0:
            continue
        rng = np.random.default_rng([seed, epoch, k])
        for i in _pick(rng, len(pool), n):
            pair, c = pool[int(i)]
            answer = pair.captions[int(rng.integers(len(pair.captions))) if c is None else c]
            prompt = pair.prompt or src.prompts[int(rng.integers(len(src.prompts)))]
            # a multi-turn conversation is never swapped: its later turns name the images
            swapped = bool(src.swap_prob > 0 and rng.random() < src.swap_prob) and not pair.turns
            first, second = (pair.after, pair.before) if swapped else (pair.before, pair.after)
            out.append(
                Sample(
                    src.name,
                    pair.id,
                    str(first),
                    str(second),
                    SWAPPED_PROMPT if swapped else prompt,
                    answer,
                    swapped,
                    str(pair.change_mask) if pair.change_mask is not None else None,
                    tuple(pair.turns[1:]),
                )
            )
    order = np.random.default_rng([seed, epoch, 1_000_003]).permutation(len(out))
    return [out[int(i)] for i in order]


def proportions(samples: list[Sample]) -> dict[str, float]:
    """Fraction of samples per source (for logs and tests)."""
    counts = Counter(s.source for s in samples)
    total = sum(counts.values()) or 1
    return {k: v / total for k, v in sorted(counts.items())}
