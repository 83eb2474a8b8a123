"""One sampled pair's record by name ("default:12", "clevr:3", "text:0"), as the grounded
corpus builds it: what the hand-labelled decisions of tests/data/grounded_labels.jsonl refer to."""

from __future__ import annotations

import functools

from grounded_corpus import record_for

from diffforge.dataset import PairRecord


@functools.lru_cache(maxsize=256)
def pair(name: str) -> tuple[PairRecord, dict]:
    source, index = name.split(":")
    return record_for(source, int(index))
