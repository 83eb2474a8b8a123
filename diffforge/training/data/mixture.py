"""Deterministic mixing of several datasets into one epoch of training samples.

A source's ``weight`` is a repeat factor over its pairs (0.5 = a random half, 2.0 = each pair twice)
and ``cap`` an upper bound on its samples, so the mixture's proportions are exact counts, not
expectations. All draws come from ``numpy.random.default_rng([seed, epoch, source_index])``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

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


def source_count(src: Source) -> int:
    """How many samples a source contributes per epoch."""
    usable = sum(1 for p in src.pairs if p.captions)
    n = round(src.weight * usable)
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
        pairs = [p for p in src.pairs if p.captions]
        n = source_count(src)
        if not pairs or n <= 0:
            continue
        rng = np.random.default_rng([seed, epoch, k])
        for i in _pick(rng, len(pairs), n):
            pair = pairs[int(i)]
            answer = pair.captions[int(rng.integers(len(pair.captions)))]
            prompt = pair.prompt or src.prompts[int(rng.integers(len(src.prompts)))]
            swapped = bool(src.swap_prob > 0 and rng.random() < src.swap_prob)
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
                )
            )
    order = np.random.default_rng([seed, epoch, 1_000_003]).permutation(len(out))
    return [out[int(i)] for i in order]


def proportions(samples: list[Sample]) -> dict[str, float]:
    """Fraction of samples per source (for logs and tests)."""
    counts = Counter(s.source for s in samples)
    total = sum(counts.values()) or 1
    return {k: v / total for k, v in sorted(counts.items())}
