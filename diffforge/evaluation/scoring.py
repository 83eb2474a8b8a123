"""Scoring a predictions file against references: the library behind ``diffforge eval`` and
``eval --model`` (``model_eval``), so a model's numbers and its saved predictions' numbers come
from the same code. No printing here; ``diffforge.commands.evaluation`` prints."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from diffforge.errors import DiffforgeError
from diffforge.evaluation.config import (
    DEFAULT_JUDGE_MODEL,
    DEFAULT_JUDGE_PROTOCOL,
    JUDGE_CONCURRENCY,
    JUDGE_RETRIES,
    JUDGE_TIMEOUT,
)
from diffforge.evaluation.metrics import evaluate_by_type, evaluate_groups
from diffforge.evaluation.references import align, load_predictions, load_references
from diffforge.evaluation.report import markdown_table


def run_eval(
    predictions: Path,
    references: Path,
    *,
    split: str | None = None,
    by_type: bool = True,
    metrics: list[str] | None = None,
    spice: bool | None = None,
    spice_lib: Path | None = None,
    judge: bool = False,
    judge_model: str | None = None,
    judge_base_url: str | None = None,
    judge_protocol: str = DEFAULT_JUDGE_PROTOCOL,
    judge_concurrency: int = JUDGE_CONCURRENCY,
    judge_timeout: float = JUDGE_TIMEOUT,
    judge_retries: int = JUDGE_RETRIES,
    judge_template: Path | None = None,
    cache_path: Path | None = None,
) -> dict[str, Any]:
    """Load, align, score and (optionally) judge; the one JSON object `--json` prints.

    Top-level metric keys are the toolkit's names; `by_type` holds the per-change-type rows
    when the references carry change types; `judge` holds the LLM judgement with raw answers.
    """
    refs = load_references(references, split=split)
    preds = align(load_predictions(predictions), refs, predictions)
    types = {k: refs.types[k] for k in preds if k in refs.types}
    kwargs: dict[str, Any] = {"metrics": metrics, "spice": spice, "spice_lib": spice_lib}
    if by_type and types:
        groups = evaluate_by_type(preds, refs.captions, types, **kwargs)
    else:
        groups = evaluate_groups(preds, refs.captions, **kwargs)
    overall = groups.pop("all")
    result: dict[str, Any] = {
        **overall,
        "predictions": str(predictions),
        "references": str(references),
        "format": refs.format,
        "unpredicted_references": len(refs.captions) - len(preds),
    }
    if groups:
        result["by_type"] = groups
    if judge:
        import os

        from diffforge.evaluation.judge import judge as run_judge
        from diffforge.evaluation.judge import protocol_template
        from diffforge.llm import ChatClient

        protocol_template(judge_protocol)  # an unknown protocol fails before any request
        client = ChatClient(
            judge_model or os.environ.get("OPENAI_MODEL") or DEFAULT_JUDGE_MODEL,
            judge_base_url,
            concurrency=judge_concurrency,
            timeout=judge_timeout,
            retries=judge_retries,
            cache_path=cache_path,
        )
        try:
            result["judge"] = run_judge(
                preds, refs.captions, client, protocol=judge_protocol, template=judge_template
            )
        finally:
            client.close()
    return result


def score_files(
    predictions: Path,
    references: Path,
    *,
    markdown: Path | None = None,
    context: dict[str, Any] | None = None,
    **eval_kwargs: Any,
) -> dict[str, Any]:
    """``run_eval`` plus ``context`` (model, data, generation...) merged into the result, and
    the table written to ``markdown`` when given: what ``eval`` computes before printing."""
    result = run_eval(predictions, references, **eval_kwargs)
    result.update(context or {})
    if markdown is not None:
        write_markdown(result, markdown)
    return result


def table_title(predictions: Path, references: Path) -> str:
    return f"{Path(predictions).name} vs {Path(references).name} (×100)"


def result_rows(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The table rows of a result: "all", then one per change type."""
    return {"all": result, **result.get("by_type", {})}


def write_markdown(result: dict[str, Any], path: Path) -> Path:
    """The result's table as markdown at ``path`` (parents created)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(markdown_table(result_rows(result), label="pairs"))
    except OSError as exc:
        raise DiffforgeError(f"{path}: cannot write ({exc.strerror})") from None
    return path


def json_safe(obj: Any) -> Any:
    """NaN (SPICE on an empty parse) is not JSON: print null instead."""
    if isinstance(obj, float) and math.isnan(obj):
        return None
    if isinstance(obj, dict):
        return {k: json_safe(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [json_safe(v) for v in obj]
    return obj
