"""``diffforge eval``: score captions with the COCO caption toolkit (and an LLM judge)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from diffforge.commands.common import console, err_console
from diffforge.errors import DiffforgeError
from diffforge.evaluation.judge_settings import DEFAULT_JUDGE_PROTOCOL


def eval_(
    predictions: Annotated[
        Path | None,
        typer.Option(
            help="Candidate captions: COCO results JSON, {id: caption} or JSONL "
            "(with --model: where the generated captions are written)."
        ),
    ] = None,
    references: Annotated[
        Path | None,
        typer.Option(
            help="References: a diffforge dataset dir, COCO annotations, Spot-the-Diff JSON, "
            "CLEVR-Change change_captions.json (or its folder), IEdit JSON."
        ),
    ] = None,
    model: Annotated[
        Path | None, typer.Option(help="A trained M³Diff checkpoint: generate, then score.")
    ] = None,
    data: Annotated[
        Path | None, typer.Option(help="With --model: the dataset to describe and score.")
    ] = None,
    data_format: Annotated[
        str | None, typer.Option("--format", help="With --data: its format (default diffforge).")
    ] = None,
    batch_size: Annotated[int, typer.Option(min=1, help="With --model: generation batch.")] = 8,
    max_new_tokens: Annotated[
        int, typer.Option(min=1, help="With --model: caption length limit in tokens.")
    ] = 64,
    num_beams: Annotated[
        int, typer.Option(min=1, help="With --model: beam width (1 = greedy).")
    ] = 1,
    json_out: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    judge: Annotated[
        bool,
        typer.Option(
            help="Also ask an LLM judge (0-100): by default the seed's protocol, one call per "
            "(prediction, reference), mean over references, then over pairs."
        ),
    ] = False,
    split: Annotated[str | None, typer.Option(help="Split of a dataset dir (e.g. test).")] = None,
    by_type: Annotated[bool, typer.Option(help="Per-change-type breakdown.")] = True,
    spice_lib: Annotated[
        Path | None, typer.Option(help="Folder with SPICE's Stanford CoreNLP jars.")
    ] = None,
    markdown: Annotated[Path | None, typer.Option(help="Write a markdown table here.")] = None,
    judge_model: Annotated[
        str | None, typer.Option(help="Judge model (default $OPENAI_MODEL, else gpt-4o).")
    ] = None,
    judge_protocol: Annotated[
        str,
        typer.Option(
            help="aspects (the seed's: share of a reference's aspects covered) | rubric "
            "(diffforge's earlier 100/50/0 rubric over all references)."
        ),
    ] = DEFAULT_JUDGE_PROTOCOL,
    judge_base_url: Annotated[
        str | None, typer.Option(help="OpenAI-compatible endpoint ($OPENAI_BASE_URL).")
    ] = None,
    grounded: Annotated[
        bool,
        typer.Option(
            help="Also count differences against a diffforge dataset's change records: "
            "per-change recall, precision (invented changes), exact pairs, true-negative rate "
            "on no-change pairs, by change type and difficulty tier (with --judge: an LLM's recall, "
            "one yes/no question per change, and precision, the caption's claims listed and "
            "checked once per pair)."
        ),
    ] = False,
) -> None:
    """Score captions with the COCO caption toolkit: BLEU-1..4, METEOR, ROUGE-L, CIDEr, SPICE.

    CIDEr is computed over the whole set in one call (it depends on the corpus). SPICE runs
    when its CoreNLP jars are present, otherwise it is reported as unavailable. With --model
    and --data, captions for --split (default test) are generated first, in batches.
    """
    common = {
        "judge": judge,
        "by_type": by_type,
        "spice_lib": spice_lib,
        "markdown": markdown,
        "judge_model": judge_model,
        "judge_base_url": judge_base_url,
        "judge_protocol": judge_protocol,
        "grounded": grounded,
    }
    if model is not None:
        if data is None:
            raise DiffforgeError("--model needs --data (the dataset to describe and score)")
        eval_model_printed(
            model,
            data,
            split or "test",
            json_out,
            format=data_format,
            batch_size=batch_size,
            max_new_tokens=max_new_tokens,
            num_beams=num_beams,
            out_predictions=predictions,
            **common,
        )
        return
    if predictions is None or references is None:
        raise DiffforgeError("eval needs --predictions and --references (or --model and --data)")
    eval_command(predictions, references, json_out, split=split, **common)


def eval_command(
    predictions: Path,
    references: Path,
    json_out: bool = False,
    *,
    console: Any = console,
    **score_kwargs: Any,
) -> dict[str, Any]:
    """Score a predictions file and print a rich table (or one JSON object with ``json_out``);
    ``score_kwargs`` go to ``scoring.score_files`` (split, by_type, judge, markdown, ...)."""
    from diffforge.evaluation.report import print_result
    from diffforge.evaluation.scoring import score_files, table_title

    result = score_files(predictions, references, **score_kwargs)
    print_result(result, table_title(predictions, references), json_out, console)
    return result


def eval_model_printed(
    model: Path,
    data: Path,
    split: str = "test",
    json_out: bool = False,
    *,
    console: Any = console,
    **eval_kwargs: Any,
) -> dict[str, Any]:
    """``eval --model``: generate and score (``model_eval.eval_model``), then print exactly as
    ``eval --predictions`` does."""
    from diffforge.evaluation.model_eval import eval_model
    from diffforge.evaluation.report import print_result

    result = eval_model(model, data, split, **eval_kwargs)
    if not json_out:
        g = result["generation"]
        err_console.print(
            f"{g['pairs']} pairs captioned in {g['seconds']:.1f} s "
            f"({'MDP' if g['mdp'] else 'no MDP'}, {g['device']})"
            + (f"; predictions in {result['predictions']}" if result["predictions"] else ""),
            highlight=False,
        )
    print_result(result, f"{model} on {data} [{split}] (×100)", json_out, console)
    return result


def register(app: typer.Typer) -> None:
    app.command("eval")(eval_)
