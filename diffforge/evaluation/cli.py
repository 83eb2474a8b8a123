"""`diffforge eval` as a plain function; diffforge/cli.py wires it into the typer app."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

from diffforge.errors import DiffforgeError
from diffforge.evaluation.metrics import evaluate_by_type, evaluate_groups
from diffforge.evaluation.references import align, load_predictions, load_references
from diffforge.evaluation.report import markdown_table, rich_table


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
    judge_concurrency: int = 8,
    judge_timeout: float = 60.0,
    judge_retries: int = 3,
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
        from diffforge.evaluation.judge import judge as run_judge
        from diffforge.llm import ChatClient

        client = ChatClient(
            judge_model,
            judge_base_url,
            concurrency=judge_concurrency,
            timeout=judge_timeout,
            retries=judge_retries,
            cache_path=cache_path,
        )
        try:
            result["judge"] = run_judge(preds, refs.captions, client, template=judge_template)
        finally:
            client.close()
    return result


def _json_safe(obj: Any) -> Any:
    """NaN (SPICE on an empty parse) is not JSON: print null instead."""
    if isinstance(obj, float) and math.isnan(obj):
        return None
    if isinstance(obj, dict):
        return {k: _json_safe(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_json_safe(v) for v in obj]
    return obj


def eval_command(
    predictions: Path,
    references: Path,
    json_out: bool = False,
    judge: bool = False,
    *,
    split: str | None = None,
    by_type: bool = True,
    metrics: list[str] | None = None,
    spice: bool | None = None,
    spice_lib: Path | None = None,
    markdown: Path | None = None,
    judge_model: str | None = None,
    judge_base_url: str | None = None,
    judge_concurrency: int = 8,
    console: Any = None,
    context: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Print a rich table (or one JSON object with `json_out`); optionally write markdown.
    ``context`` (model, data, generation settings...) goes into the result and its JSON.

    Raises DiffforgeError for bad input; the CLI turns it into a one-line message, exit 2.
    """
    result = run_eval(
        predictions,
        references,
        split=split,
        by_type=by_type,
        metrics=metrics,
        spice=spice,
        spice_lib=spice_lib,
        judge=judge,
        judge_model=judge_model,
        judge_base_url=judge_base_url,
        judge_concurrency=judge_concurrency,
    )
    result.update(context or {})
    rows = {"all": result, **result.get("by_type", {})}
    if markdown is not None:
        try:
            markdown.parent.mkdir(parents=True, exist_ok=True)
            markdown.write_text(markdown_table(rows, label="pairs"))
        except OSError as exc:
            raise DiffforgeError(f"{markdown}: cannot write ({exc.strerror})") from None
    if json_out:
        sys.stdout.write(json.dumps(_json_safe(result), ensure_ascii=False) + "\n")
        return result
    from rich.console import Console

    console = console or Console()
    console.print(rich_table(rows, title=f"{predictions.name} vs {references.name} (×100)"))
    for metric, reason in result["unavailable"].items():
        console.print(f"[yellow]{metric} unavailable:[/] {reason}")
    if result["unpredicted_references"]:
        console.print(f"{result['unpredicted_references']} reference ids have no prediction")
    if "judge" in result:
        j = result["judge"]
        score = "n/a" if j["judge_score"] is None else f"{j['judge_score']:.1f}"
        console.print(
            f"LLM judge ({j['model']}): {score} / 100 over {j['scored']} of {j['n']} "
            f"({j['unparseable']} unparseable, {j['failed']} failed)"
        )
    return result
