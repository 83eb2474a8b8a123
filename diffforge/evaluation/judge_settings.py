"""The LLM judge's settings for ``diffforge eval --judge``: its protocols (prompt templates),
default model, temperature and call limits. The one place for the judge's defaults; the metrics
have none (pycocoevalcap's), and training defaults live in ``diffforge/training/config.py``."""

from __future__ import annotations

from pathlib import Path

PROMPTS = Path(__file__).parent / "prompts"

# The seed's judge (Figure 6): one call per (prediction, ground-truth caption), the share of that
# caption's aspects the prediction covers, a 0-100 score with a short justification; GPT-4o.
# "rubric": diffforge's earlier judge, all references in one call, a 100/50/0 rubric.
JUDGE_PROTOCOLS: dict[str, Path] = {
    "aspects": PROMPTS / "judge_aspects.j2",
    "rubric": PROMPTS / "judge_rubric.j2",
}
DEFAULT_JUDGE_PROTOCOL = "aspects"
DEFAULT_JUDGE_MODEL = "gpt-4o"  # used when neither --judge-model nor $OPENAI_MODEL is set
JUDGE_TEMPERATURE = 0.0
JUDGE_CONCURRENCY = 8
JUDGE_TIMEOUT = 60.0
JUDGE_RETRIES = 3
