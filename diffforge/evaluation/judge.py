"""LLM judge: n-gram metrics punish correct paraphrases of a change; a judge model scores meaning.

Two protocols (``diffforge.evaluation.judge_settings.JUDGE_PROTOCOLS``):

- ``aspects`` (default), the seed's judge (OmniDiff supplement, Figure 6): one call per
  (prediction, ground-truth caption). The judge lists that caption's aspects, decides which the
  prediction covers (exactly or partly), weighs every aspect equally and answers a 0-100 score
  (the share covered) with a short justification. **Aggregation**: a pair's score is the mean
  over its references' scores, the judge score the mean over pairs.
- ``rubric``: diffforge's earlier judge, all references in one call, a 100/50/0 rubric; the
  pair's score is that one answer, the judge score the mean over pairs.

Requests go through diffforge.llm.ChatClient (any OpenAI-compatible endpoint; retries,
concurrency limit, disk cache), so a rerun of an evaluation costs nothing. Every raw answer is
kept in the output; answers with no readable score are counted as unparseable and left out of
the means, never guessed (a pair none of whose answers parse has no score).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import jinja2

from diffforge.errors import DiffforgeError, valid_names
from diffforge.evaluation.judge_settings import (
    DEFAULT_JUDGE_PROTOCOL,
    JUDGE_PROTOCOLS,
    JUDGE_TEMPERATURE,
)
from diffforge.llm import ChatClient, Result

_NUM = r"(\d{1,3}(?:\.\d+)?)"
_OTHER_SCALE = (
    r"(?!\d)(?!\.\d)(?!\s*(?:/|out of|of)\s*(?!100\b)\d)"  # "3 out of 5" is not a 0-100 score
)
_STRICT = re.compile(r"\bscore\b\W{0,4}[:=]\W{0,4}" + _NUM + _OTHER_SCALE, re.IGNORECASE)
_LOOSE = re.compile(r"\b(?:score|rating)\b[^0-9\n]{0,24}?" + _NUM + _OTHER_SCALE, re.IGNORECASE)
_OUT_OF = re.compile(_NUM + r"\s*(?:/|out of)\s*100\b", re.IGNORECASE)
_JSON = re.compile(r"\{[^{}]*\}")
_JSON_SCORE = re.compile(r'"(?:score|rating|similarity)"\s*:\s*"?' + _NUM + r'"?\s*[,}]', re.I)
_PERCENT = re.compile(r"\bscore\b[^0-9\n]{0,24}?" + _NUM + r"\s*%", re.IGNORECASE)
_KEYS = ("score", "rating", "similarity")


def parse_score(text: str | None) -> float | None:
    """A 0-100 score from a judge answer, or None when there is no unambiguous one.

    Accepts JSON ({"score": 85, "justification": "..."}, also fenced, with the score as a
    string, or a JSON object broken by an unescaped quote in its justification), "Score: 85"
    (the last such line wins: models reason first), "a score of 85", "Score: 85%", "85/100",
    "85 out of 100", or a bare number.
    """
    if not text:
        return None
    for blob in _JSON.findall(text):
        try:
            data = json.loads(blob)
        except ValueError:
            continue
        for key, value in data.items():
            if str(key).lower() in _KEYS:
                return _in_range(value)
    for pattern in (_JSON_SCORE, _STRICT, _OUT_OF, _PERCENT, _LOOSE):
        found = pattern.findall(text)
        if found:
            return _in_range(found[-1])
    bare = text.strip().strip("*`'\". \n")
    return _in_range(bare) if re.fullmatch(_NUM, bare) else None


def _in_range(value: Any) -> float | None:
    try:
        score = float(value)
    except (TypeError, ValueError):
        return None
    return score if 0.0 <= score <= 100.0 else None


def protocol_template(protocol: str) -> Path:
    """The prompt template of a judge protocol by name."""
    if protocol not in JUDGE_PROTOCOLS:
        raise DiffforgeError(
            f"--judge-protocol: unknown {protocol!r}; {valid_names(JUDGE_PROTOCOLS)}"
        )
    return JUDGE_PROTOCOLS[protocol]


def load_template(path: Path | str | None = None) -> jinja2.Template:
    path = Path(path) if path else JUDGE_PROTOCOLS[DEFAULT_JUDGE_PROTOCOL]
    if not path.is_file():
        raise DiffforgeError(f"{path}: judge prompt template not found")
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=False)
    try:
        return env.from_string(path.read_text(encoding="utf-8"))
    except jinja2.TemplateSyntaxError as exc:
        raise DiffforgeError(
            f"{path}: template error at line {exc.lineno}: {exc.message}"
        ) from None


def build_prompts(
    predictions: Mapping[str, str],
    references: Mapping[str, Sequence[str]],
    template: jinja2.Template,
    protocol: str = DEFAULT_JUDGE_PROTOCOL,
) -> list[tuple[str, int | None, list[dict[str, str]]]]:
    """(pair id, reference index or None, messages) of every call the protocol makes:
    ``aspects`` one per (prediction, reference), ``rubric`` one per prediction."""
    out = []
    for k, v in predictions.items():
        if protocol == "rubric":
            text = template.render(references=list(references[k]), candidate=v)
            out.append((k, None, [{"role": "user", "content": text}]))
            continue
        for i, ref in enumerate(references[k]):
            text = template.render(reference=ref, candidate=v)
            out.append((k, i, [{"role": "user", "content": text}]))
    return out


async def judge_async(
    predictions: Mapping[str, str],
    references: Mapping[str, Sequence[str]],
    client: ChatClient,
    *,
    protocol: str = DEFAULT_JUDGE_PROTOCOL,
    template: Path | str | None = None,
    **params: Any,
) -> dict[str, Any]:
    """Judge every prediction; returns the judge score (0-100) and each raw judgement.

    Keys: judge_score (mean over scored pairs of each pair's mean over its parsed answers; None
    if none parsed), protocol, aggregation, n (pairs), scored (pairs with a score), calls,
    unparseable and failed (calls), model, client (request counters), items {id: {score,
    references: [{score, raw, error, cached}]}} (rubric: one entry, over all references).
    """
    missing = [k for k in predictions if k not in references]
    if missing:
        raise DiffforgeError(f"judge: prediction ids without references, e.g. {missing[:3]}")
    params.setdefault("temperature", JUDGE_TEMPERATURE)
    path = template if template is not None else protocol_template(protocol)
    calls = build_prompts(predictions, references, load_template(path), protocol)
    results = await client.complete_many([m for _, _, m in calls], **params)
    return _summarise(list(predictions), calls, results, client, protocol)


def judge(
    predictions: Mapping[str, str],
    references: Mapping[str, Sequence[str]],
    client: ChatClient,
    **kwargs: Any,
) -> dict[str, Any]:
    """Blocking `judge_async`; inside a running event loop it runs in a helper thread."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    def go() -> dict[str, Any]:
        return asyncio.run(judge_async(predictions, references, client, **kwargs))

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return go()
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(go).result()


AGGREGATION = {
    "aspects": "per pair, the mean of its references' scores; then the mean over pairs",
    "rubric": "one score per pair over all its references; the mean over pairs",
}


def _summarise(
    ids: list[str],
    calls: list[tuple[str, int | None, Any]],
    results: list[Result],
    client: ChatClient,
    protocol: str,
) -> dict[str, Any]:
    answers: dict[str, list[dict[str, Any]]] = {k: [] for k in ids}
    unparseable = failed = 0
    for (key, _ref, _msgs), res in zip(calls, results, strict=True):
        score = parse_score(res.text) if res.ok else None
        if not res.ok:
            failed += 1
        elif score is None:
            unparseable += 1
        answers[key].append(
            {"score": score, "raw": res.text, "error": res.error, "cached": res.cached}
        )
    items: dict[str, dict[str, Any]] = {}
    pair_scores: list[float] = []
    for key in ids:
        got = [a["score"] for a in answers[key] if a["score"] is not None]
        score = sum(got) / len(got) if got else None
        if score is not None:
            pair_scores.append(score)
        items[key] = {"score": score, "references": answers[key]}
    return {
        "judge_score": sum(pair_scores) / len(pair_scores) if pair_scores else None,
        "protocol": protocol,
        "aggregation": AGGREGATION.get(protocol, AGGREGATION["aspects"]),
        "n": len(ids),
        "scored": len(pair_scores),
        "calls": len(calls),
        "unparseable": unparseable,
        "failed": failed,
        "model": client.model,
        "client": client.stats.as_dict(),
        "items": items,
    }
