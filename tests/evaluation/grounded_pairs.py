"""Named pair records ("default:12", "clevr:3", "text:0") that the hand-labelled decisions of
tests/data/grounded_labels*.jsonl refer to, frozen in tests/data/grounded_pairs.json.gz.

The labels were written against these records; sampling and captions change on purpose from
session to session, so the records are read from the frozen file rather than sampled again
(they were made with grounded_corpus.record_for at the commit that added the labels,
grounded-eval 7efb705). Never regenerate them without relabelling."""

from __future__ import annotations

import functools
import gzip
import json
from pathlib import Path

from diffforge.dataset import PairRecord

FROZEN = Path(__file__).resolve().parents[1] / "data" / "grounded_pairs.json.gz"


@functools.cache
def _frozen() -> dict[str, dict]:
    with gzip.open(FROZEN, "rt") as fh:
        return json.load(fh)


def pair(name: str) -> tuple[PairRecord, dict]:
    """The record and scene record (its spec) of the named pair."""
    entry = _frozen()[name]
    return PairRecord.model_validate(entry["record"]), entry["scene"]
