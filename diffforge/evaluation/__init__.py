"""Caption evaluation: COCO toolkit metrics over whole sets, per-type breakdowns, an LLM judge.

Heavy pieces (pycocoevalcap, Java, the LLM client) load only when used.
"""

from __future__ import annotations

from diffforge.evaluation.metrics import (
    METRICS,
    evaluate,
    evaluate_by_type,
    evaluate_groups,
    spice_setup,
    tokenize,
)
from diffforge.evaluation.references import References, align, load_predictions, load_references
from diffforge.evaluation.report import markdown_table, rich_table
from diffforge.evaluation.scoring import run_eval

__all__ = [
    "METRICS",
    "References",
    "align",
    "evaluate",
    "evaluate_by_type",
    "evaluate_groups",
    "load_predictions",
    "load_references",
    "markdown_table",
    "rich_table",
    "run_eval",
    "spice_setup",
    "tokenize",
]
