"""LLM judge: the OmniDiff supplement's 0-100 caption-similarity judgement.

n-gram metrics punish correct paraphrases of a change; a judge model scores meaning instead.
Requests go through diffforge.llm.ChatClient (retries, concurrency limit, disk cache), so a
rerun of an evaluation costs nothing. Every raw answer is kept in the output; answers with no
readable score are counted as unparseable and left out of the mean, never guessed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import jinja2

from diffforge.errors import DiffforgeError
from diffforge.llm import ChatClient, Result

PROMPTS = Path(__file__).parent / "prompts"
DEFAULT_TEMPLATE = PROMPTS / "judge.j2"

_NUM = r"(\d{1,3}(?:\.\d+)?)"
_OTHER_SCALE = (
    r"(?!\d)(?!\.\d)(?!\s*(?:/|out of|of)\s*(?!100\b)\d)"  # "3 out of 5" is not a 0-100 score
)
_STRICT = re.compile(r"\bscore\b\W{0,4}[:=]\W{0,4}" + _NUM + _OTHER_SCALE, re.IGNORECASE)
_LOOSE = re.compile(r"\b(?:score|rating)\b[^0-9\n]{0,24}?" + _NUM + _OTHER_SCALE, re.IGNORECASE)
_OUT_OF = re.compile(_NUM + r"\s*(?:/|out of)\s*100\b", re.IGNORECASE)
_JSON = re.compile(r"\{[^{}]*\}")
_KEYS = ("score", "rating", "similarity")


def parse_score(text: str | None) -> float | None:
    """A 0-100 score from a judge answer, or None when there is no unambiguous one.

    Accepts JSON ({"score": 85}), "Score: 85" (the last such line wins: models reason first),
    "a score of 85", "85/100", "85 out of 100", or a bare number.
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
    for pattern in (_STRICT, _OUT_OF, _LOOSE):
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


def load_template(path: Path | str | None = None) -> jinja2.Template:
    path = Path(path) if path else DEFAULT_TEMPLATE
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
) -> list[list[dict[str, str]]]:
    return [
        [{"role": "user", "content": template.render(references=list(references[k]), candidate=v)}]
        for k, v in predictions.items()
    ]


async def judge_async(
    predictions: Mapping[str, str],
    references: Mapping[str, Sequence[str]],
    client: ChatClient,
    *,
    template: Path | str | None = None,
    **params: Any,
) -> dict[str, Any]:
    """Judge every prediction; returns the mean score (0-100) and each raw judgement.

    Keys: judge_score (mean over parsed answers, None if none parsed), n, scored, unparseable,
    failed, model, client (request counters), items {id: {score, raw, error, cached}}.
    """
    missing = [k for k in predictions if k not in references]
    if missing:
        raise DiffforgeError(f"judge: prediction ids without references, e.g. {missing[:3]}")
    params.setdefault("temperature", 0.0)
    prompts = build_prompts(predictions, references, load_template(template))
    results = await client.complete_many(prompts, **params)
    return _summarise(list(predictions), results, client)


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


def _summarise(ids: list[str], results: list[Result], client: ChatClient) -> dict[str, Any]:
    items: dict[str, dict[str, Any]] = {}
    scores: list[float] = []
    unparseable = failed = 0
    for key, res in zip(ids, results, strict=True):
        score = parse_score(res.text) if res.ok else None
        if not res.ok:
            failed += 1
        elif score is None:
            unparseable += 1
        else:
            scores.append(score)
        items[key] = {"score": score, "raw": res.text, "error": res.error, "cached": res.cached}
    return {
        "judge_score": sum(scores) / len(scores) if scores else None,
        "n": len(ids),
        "scored": len(scores),
        "unparseable": unparseable,
        "failed": failed,
        "model": client.model,
        "client": client.stats.as_dict(),
        "items": items,
    }
