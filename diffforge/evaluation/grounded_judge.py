"""The LLM judge of grounded evaluation (``eval --grounded --judge``): one yes/no question per
(prediction, checklist item), through ``diffforge.llm.ChatClient`` (any OpenAI-compatible
endpoint, retries, cache). It reports the judge's recall and how often it agrees with the
rule-based matcher item by item; answers without a readable yes or no are counted, never
guessed."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from diffforge.dataset import read_pairs, read_scene
from diffforge.evaluation.judge import load_template
from diffforge.evaluation.judge_settings import JUDGE_TEMPERATURE, PROMPTS
from diffforge.formats.checklist import checklist
from diffforge.llm import ChatClient

GROUNDED_TEMPLATE = PROMPTS / "grounded_item.j2"
_ANSWER = re.compile(r'"answer"\s*:\s*"?(yes|no)\b', re.IGNORECASE)
_BARE = re.compile(r"^\W*(yes|no)\b", re.IGNORECASE)


def parse_yes_no(text: str | None) -> bool | None:
    """True for yes, False for no, None when the answer says neither unambiguously."""
    if not text:
        return None
    for blob in re.findall(r"\{[^{}]*\}", text):
        try:
            value = json.loads(blob).get("answer")
        except (ValueError, AttributeError):
            continue
        if isinstance(value, str) and value.strip().lower() in ("yes", "no"):
            return value.strip().lower() == "yes"
    m = _ANSWER.search(text) or _BARE.search(text)
    return None if m is None else m.group(1).lower() == "yes"


def judge_items(
    predictions: Mapping[str, str],
    references: Path,
    split: str | None,
    client: ChatClient,
    grounded: Mapping[str, Any] | None = None,
    template: Path | None = None,
) -> dict[str, Any]:
    """Ask the judge about every checklist item of every predicted pair. Keys: recall (yes /
    answered), n (items), answered, unparseable, failed, agreement with the rules (where
    ``grounded``, the rule-based result, is given), items [{pair, index, answer, raw}]."""
    tpl = load_template(template or GROUNDED_TEMPLATE)
    asks: list[tuple[str, int]] = []
    messages: list[list[dict[str, str]]] = []
    for rec in read_pairs(references, split):
        if rec.id not in predictions:
            continue
        for k, item in enumerate(checklist(rec, read_scene(references, rec))):
            text = tpl.render(
                candidate=predictions[rec.id],
                item=item.summary(),
                sentence=item.sentences[0] if item.sentences else "",
            )
            asks.append((rec.id, k))
            messages.append([{"role": "user", "content": text}])
    results = client.complete_many_sync(messages, temperature=JUDGE_TEMPERATURE)
    rows, yes, agree, compared, unparseable, failed = [], 0, 0, 0, 0, 0
    per_pair = (grounded or {}).get("per_pair", {})
    for (pair, k), res in zip(asks, results, strict=True):
        answer = parse_yes_no(res.text) if res.ok else None
        failed += not res.ok
        unparseable += res.ok and answer is None
        if answer is not None:
            yes += answer
            if pair in per_pair:
                compared += 1
                agree += answer == per_pair[pair]["items"][k]["found"]
        rows.append({"pair": pair, "index": k, "answer": answer, "raw": res.text})
    answered = len(asks) - unparseable - failed
    return {
        "recall": yes / answered if answered else None,
        "n": len(asks),
        "answered": answered,
        "unparseable": unparseable,
        "failed": failed,
        "agreement_with_rules": agree / compared if compared else None,
        "model": client.model,
        "items": rows,
    }
