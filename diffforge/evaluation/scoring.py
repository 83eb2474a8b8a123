"""Scoring a predictions file against references: the library behind ``diffforge eval`` and
``eval --model`` (``model_eval``), so a model's numbers and its saved predictions' numbers come
from the same code. No printing here; ``diffforge.commands.evaluation`` prints."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from diffforge.errors import DiffforgeError
from diffforge.evaluation.judge_settings import (
    DEFAULT_JUDGE_MODEL,
    DEFAULT_JUDGE_PROTOCOL,
    JUDGE_CONCURRENCY,
    JUDGE_RETRIES,
    JUDGE_TIMEOUT,
)
from diffforge.evaluation.metrics import evaluate_many, type_groups
from diffforge.evaluation.references import align, load_predictions, load_references
from diffforge.evaluation.report import SHORT, cell, markdown_table, result_rows


def run_eval(
    predictions: Path,
    references: Path,
    *,
    split: str | None = None,
    by_type: bool = True,
    by_subset: bool = True,
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
    grounded: bool = False,
) -> dict[str, Any]:
    """Load, align, score and (optionally) judge; the one JSON object `--json` prints.

    Top-level metric keys are the toolkit's names; `by_type` holds the per-change-type rows
    when the references carry change types, `by_subset` one row per subset when they carry
    subsets (OmniDiff's Real / Render, each benchmark of a mixture: Tables 11-12); `judge` holds
    the LLM judgement with raw answers; `grounded` (a diffforge dataset's references only) the
    checklist figures of ``evaluation.grounded`` (with ``judge``, its judge's recall, one question
    per item, and precision, one question per pair, in ``grounded.judge``). Every group is scored in one toolkit pass (one PTB
    tokenization).
    """
    result = score_many(
        {"_": (predictions, references, split)},
        by_type=by_type, by_subset=by_subset, metrics=metrics, spice=spice, spice_lib=spice_lib,
    )["_"]  # fmt: skip
    if grounded:
        result["grounded"] = grounded_scores(predictions, references, split)
    if judge:
        import os

        from diffforge.evaluation.judge import judge as run_judge
        from diffforge.evaluation.judge import protocol_template
        from diffforge.llm import ChatClient

        protocol_template(judge_protocol)  # an unknown protocol fails before any request
        refs = load_references(references, split=split)
        preds = align(load_predictions(predictions), refs, predictions)
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
            if grounded:
                from diffforge.evaluation.grounded_judge import judge_claims, judge_items

                g = result["grounded"]
                g["judge"] = judge_items(preds, Path(references), split, client, g)
                claims = judge_claims(preds, Path(references), split, client, g)
                g["judge"] |= {"precision": claims["precision"], "precision_detail": claims}
        finally:
            client.close()
    return result


def grounded_scores(
    predictions: Path, references: Path, split: str | None = None
) -> dict[str, Any]:
    """``eval --grounded``'s figures of a predictions file against a diffforge dataset (ids
    aligned as the toolkit's scores align them), for the command and the experiment alike."""
    from diffforge.evaluation.grounded import score_dataset

    refs = load_references(references, split=split)
    preds = align(load_predictions(predictions), refs, predictions)
    return score_dataset(preds, Path(references), split)


def score_many(
    runs: dict[str, tuple[Path, Path, str | None]],
    *,
    by_type: bool = True,
    by_subset: bool = True,
    metrics: list[str] | None = None,
    spice: bool | None = None,
    spice_lib: Path | None = None,
) -> dict[str, dict[str, Any]]:
    """``run_eval`` without the judge for several prediction files (name -> (predictions,
    references, split)) in ONE toolkit pass: one PTB tokenization and one METEOR process for
    every file, group and subset (several models, decodings or splits scored together)."""
    plans: dict[str, Any] = {}
    for name, (predictions, references, split) in runs.items():
        refs = load_references(references, split=split)
        preds = align(load_predictions(predictions), refs, predictions)
        types = {k: refs.types[k] for k in preds if k in refs.types}
        groups: dict[str, list[str]] = {"all": list(preds)}
        if by_type and types:
            groups.update(type_groups(preds, types))
        subsets = subset_groups(preds, refs.subsets) if by_subset else {}
        groups.update({SUBSET + k: v for k, v in subsets.items()})
        plans[name] = (predictions, references, refs, preds, groups)
    scored_all = evaluate_many(
        {name: (preds, refs.captions, groups) for name, (_p, _r, refs, preds, groups) in plans.items()},
        metrics=metrics, spice=spice, spice_lib=spice_lib,
    )  # fmt: skip
    out: dict[str, dict[str, Any]] = {}
    for name, (predictions, references, refs, preds, _groups) in plans.items():
        scored = scored_all[name]
        subset_rows = {
            k.removeprefix(SUBSET): scored.pop(k) for k in list(scored) if k.startswith(SUBSET)
        }
        result: dict[str, Any] = {
            **scored.pop("all"),
            "predictions": str(predictions),
            "references": str(references),
            "format": refs.format,
            "unpredicted_references": len(refs.captions) - len(preds),
        }
        if scored:
            result["by_type"] = scored
        if subset_rows:
            result["by_subset"] = subset_rows
        out[name] = result
    return out


SUBSET = "\0subset:"  # group-name prefix that keeps subsets apart from change types


def subset_groups(ids: Any, subsets: dict[str, str]) -> dict[str, list[str]]:
    """Subset -> ids (in order of first appearance), when the references name any subset;
    ids without one form "other"."""
    if not any(k in subsets for k in ids):
        return {}
    out: dict[str, list[str]] = {}
    for k in ids:
        out.setdefault(subsets.get(k, "other"), []).append(k)
    return out


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


SUBSET_METRICS = ("Bleu_4", "METEOR", "ROUGE_L", "CIDEr", "SPICE")


def subset_table(
    results: dict[str, dict[str, Any]], metrics: tuple[str, ...] = SUBSET_METRICS
) -> str:
    """Tables 11-12's shape: one row per model (``results``: label -> result), for every
    subset a group of columns (B-4, METEOR, ROUGE-L, CIDEr, and SPICE where it ran), ×100;
    ``n`` per subset under the table."""
    subsets = list(dict.fromkeys(s for r in results.values() for s in r.get("by_subset", {})))
    present = {m for r in results.values() for row in r.get("by_subset", {}).values() for m in row}
    cols = [m for m in metrics if m in present and any(
        row.get(m) is not None for r in results.values() for row in r["by_subset"].values())]  # fmt: skip
    head = ["model", *(f"{s} {SHORT.get(m, m)}" for s in subsets for m in cols)]
    lines = [
        "| " + " | ".join(head) + " |",
        "|" + "|".join(["---"] + ["---:"] * (len(head) - 1)) + "|",
    ]
    for label, r in results.items():
        cells = [label]
        for s in subsets:
            row = r.get("by_subset", {}).get(s, {})
            cells += [cell(row.get(m), 100.0) for m in cols]
        lines.append("| " + " | ".join(cells) + " |")
    first = next(iter(results.values()), {}).get("by_subset", {})
    counts = ", ".join(f"{s} {row.get('n', 0)}" for s, row in first.items())
    return "\n".join(lines) + f"\n\nPairs per subset: {counts}.\n"


def write_markdown(result: dict[str, Any], path: Path, label: str | None = None) -> Path:
    """The result's table as markdown at ``path`` (parents created), and the per-subset table
    (Tables 11-12's shape) when the references carry subsets."""
    text = markdown_table(result_rows(result), label="pairs")
    if result.get("by_subset"):
        name = label or str(result.get("model") or Path(str(result.get("predictions"))).name)
        text += "\n" + subset_table({name: result})
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    except OSError as exc:
        raise DiffforgeError(f"{path}: cannot write ({exc.strerror})") from None
    return path
