"""Training-side CLI commands, as plain functions and a typer sub-app for diffforge/cli.py to
mount. torch and transformers are imported inside the functions, so ``diffforge --help`` stays fast."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

data_app = typer.Typer(help="Inspect training datasets.", no_args_is_help=True)


@data_app.callback()
def _data() -> None:
    """Inspect training datasets (keeps `data` a group even with one command)."""


def format_info(summary: dict) -> str:
    """The human-readable table ``data info`` prints."""
    head = f"{summary['format']}  {summary['path']}  (images under {summary['images']})"
    cols = ("entries", "pairs", "captions", "usable", "missing_images")
    rows = [("split", *cols)]
    for split, c in summary["splits"].items():
        rows.append((split, *(str(c[k]) for k in cols)))
    if summary["splits"]:
        rows.append(("total", *(str(summary["total"][k]) for k in cols)))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = [head] + [
        "  ".join(
            v.rjust(w) if i else v.ljust(w) for i, (v, w) in enumerate(zip(r, widths, strict=False))
        )
        for r in rows
    ]
    lines += [f"note: {n}" for n in summary["notes"]]
    return "\n".join(lines)


@data_app.command("info")
def data_info(
    path: Annotated[Path, typer.Argument(help="annotation file or dataset directory")],
    format: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            help="diffforge, toy, clevr_change, clevr_dc, spot_the_diff, iedit, birds_to_words, llava",
        ),
    ] = "diffforge",
    images: Annotated[
        Path | None, typer.Option(help="image root (default: next to the annotations)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
) -> None:
    """Print what a loader sees: entries, pairs, captions and missing images per split."""
    from diffforge.training.data import load_pairs

    summary = load_pairs(format, path, images).summary()
    typer.echo(json.dumps(summary) if as_json else format_info(summary))


def train(
    config: Annotated[Path, typer.Argument(help="training config YAML")],
    set: Annotated[list[str] | None, typer.Option("--set", help="override: key.path=value")] = None,
) -> None:
    """Fine-tune M³Diff (LoRA on the LLM, ViT + projector + MDP trained) with the HF Trainer."""
    from diffforge.training.config import load_train_config
    from diffforge.training.trainer import run_training

    cfg = load_train_config(config, set or [])
    result = run_training(cfg)
    typer.echo(f"trained {result['steps']} steps; final model in {result['output_dir']}")


def bench_train(
    config: Annotated[
        Path | None, typer.Option(help="training config (default: the tiny CPU one)")
    ] = None,
    set: Annotated[list[str] | None, typer.Option("--set", help="override: key.path=value")] = None,
    steps: Annotated[int, typer.Option(help="timed optimizer steps")] = 10,
    warmup: Annotated[int, typer.Option(help="untimed steps first")] = 2,
    shape: Annotated[
        str, typer.Option(help="tiny | llava_ov_7b (random weights, needs a GPU)")
    ] = "tiny",
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Measure training steps/s and samples/s (random weights, synthetic batches)."""
    from diffforge.training.bench import format_bench, run_bench

    result = run_bench(config=config, overrides=set or [], steps=steps, warmup=warmup, shape=shape)
    typer.echo(json.dumps(result) if as_json else format_bench(result))
