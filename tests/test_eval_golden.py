"""diffforge's metrics against a frozen golden file: predictions, references and the scores the
COCO caption toolkit gave them when the file was made (tests/data/make_eval_golden.py, the
command is in the file). Unlike test_evaluation, which recomputes the toolkit's numbers with its
own classes, this catches a change in either: a tokenizer, a scorer or an averaging step."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from diffforge.evaluation import evaluate

GOLDEN = Path(__file__).resolve().parent / "data" / "eval_golden.json"

pytestmark = [
    pytest.mark.slow,  # METEOR and the PTB tokenizer start JVMs
    pytest.mark.skipif(shutil.which("java") is None, reason="needs java"),
]


def test_scores_equal_the_frozen_toolkit_scores_to_four_decimals() -> None:
    golden = json.loads(GOLDEN.read_text())
    assert golden["command"] and golden["toolkit"].startswith("pycocoevalcap")
    ours = evaluate(
        golden["predictions"],
        golden["references"],
        metrics=["Bleu", "METEOR", "ROUGE_L", "CIDEr"],
        spice=False,
    )
    assert ours["n"] == len(golden["predictions"]) == 16
    for name, value in golden["scores"].items():
        assert round(ours[name], 4) == round(value, 4), (name, ours[name], value)
