"""The LLM judge of grounded evaluation (``eval --grounded --judge``), through
``diffforge.llm.ChatClient`` (any OpenAI-compatible endpoint, retries, cache).

- Recall: one yes/no question per (prediction, checklist item): does the caption state this
  change? Reported with how often the judge agrees with the rule-based matcher item by item.
- Precision: one question per (prediction, pair): the judge lists the changes the caption
  states and marks each as supported by one of the pair's items or not (on a ``none`` pair
  every stated change is unsupported). Precision = supported / stated, over the pairs whose
  answer parsed; reported with how often the judge's count of invented changes per pair equals
  the matcher's.

Answers without a readable verdict are counted as unparseable, never guessed."""

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
CLAIMS_TEMPLATE = PROMPTS / "grounded_claims.j2"
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


def parse_claims(text: str | None) -> list[bool] | None:
    """The support verdicts (True = supported) of a judge's claims list, in order; None when
    the answer holds no ``{"claims": [...]}`` object or any entry lacks a yes/no verdict."""
    if not text:
        return None
    start = text.find("{")
    while start >= 0:
        try:
            value, _ = json.JSONDecoder().raw_decode(text[start:])
        except ValueError:
            start = text.find("{", start + 1)
            continue
        if isinstance(value, dict) and isinstance(value.get("claims"), list):
            return _verdicts(value["claims"])
        start = text.find("{", start + 1)
    return None


def _verdicts(entries: list[Any]) -> list[bool] | None:
    out = []
    for entry in entries:
        verdict = entry.get("supported") if isinstance(entry, dict) else None
        if isinstance(verdict, str) and verdict.strip().lower() in ("yes", "no"):
            out.append(verdict.strip().lower() == "yes")
        elif isinstance(verdict, bool):
            out.append(verdict)
        else:
            return None
    return out


def judge_claims(
    predictions: Mapping[str, str],
    references: Path,
    split: str | None,
    client: ChatClient,
    grounded: Mapping[str, Any] | None = None,
    template: Path | None = None,
) -> dict[str, Any]:
    """Ask the judge, once per predicted pair, which changes the caption states and which of
    them the pair's checklist supports. Keys: precision (supported / stated claims over answered
    pairs; None when no answered pair states one), pairs, answered, unparseable, failed, claims,
    invented, invented_agreement_with_rules (answered pairs where the judge's count of
    unsupported claims equals the matcher's, where ``grounded`` is given), pairs_rows
    [{pair, claims, invented, raw}]."""
    tpl = load_template(template or CLAIMS_TEMPLATE)
    ids: list[str] = []
    messages: list[list[dict[str, str]]] = []
    for rec in read_pairs(references, split):
        if rec.id not in predictions:
            continue
        items = checklist(rec, read_scene(references, rec))
        text = tpl.render(
            candidate=predictions[rec.id],
            items=[i.summary() for i in items],
            sentences=[i.sentences[0] if i.sentences else "" for i in items],
        )
        ids.append(rec.id)
        messages.append([{"role": "user", "content": text}])
    results = client.complete_many_sync(messages, temperature=JUDGE_TEMPERATURE)
    per_pair = (grounded or {}).get("per_pair", {})
    rows, stated, invented, agree, compared, unparseable, failed = [], 0, 0, 0, 0, 0, 0
    for pair, res in zip(ids, results, strict=True):
        verdicts = parse_claims(res.text) if res.ok else None
        failed += not res.ok
        unparseable += res.ok and verdicts is None
        row: dict[str, Any] = {"pair": pair, "claims": None, "invented": None, "raw": res.text}
        if verdicts is not None:
            row["claims"], row["invented"] = len(verdicts), verdicts.count(False)
            stated += len(verdicts)
            invented += verdicts.count(False)
            if pair in per_pair:
                compared += 1
                agree += row["invented"] == len(per_pair[pair]["hallucinated"])
        rows.append(row)
    answered = len(ids) - unparseable - failed
    return {
        "precision": (stated - invented) / stated if stated else None,
        "pairs": len(ids),
        "answered": answered,
        "unparseable": unparseable,
        "failed": failed,
        "claims": stated,
        "invented": invented,
        "invented_agreement_with_rules": agree / compared if compared else None,
        "model": client.model,
        "pairs_rows": rows,
    }
