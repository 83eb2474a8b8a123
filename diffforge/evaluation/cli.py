"""`diffforge eval` as a plain function: printing around ``scoring.run_eval`` (the library);
diffforge/cli.py wires it into the typer app."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from diffforge.evaluation.report import print_result
from diffforge.evaluation.scoring import run_eval, score_files, table_title

__all__ = ["eval_command", "run_eval"]  # run_eval: kept importable from here for old callers


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
    result = score_files(
        predictions,
        references,
        markdown=markdown,
        context=context,
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
    print_result(result, table_title(predictions, references), json_out, console)
    return result
