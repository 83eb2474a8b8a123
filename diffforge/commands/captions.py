"""Commands on a dataset's captions: caption, stats, export, bench caption."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from diffforge.commands.common import DEFAULT_CONFIG, console


def caption(
    directory: Annotated[Path, typer.Argument(help="A dataset directory written by generate.")],
    rewrite: Annotated[
        str | None, typer.Option(help="none | openai | transformers (default: the config's).")
    ] = None,
    model: Annotated[str | None, typer.Option(help="Rewrite model (name or local path).")] = None,
    base_url: Annotated[
        str | None, typer.Option(help="OpenAI-compatible endpoint ($OPENAI_BASE_URL).")
    ] = None,
    per_pair: Annotated[int | None, typer.Option(min=1, help="Captions per pair.")] = None,
    concurrency: Annotated[int | None, typer.Option(min=1, help="Parallel LLM requests.")] = None,
    style: Annotated[
        str | None, typer.Option(help="concise | rich referring expressions (default: config's).")
    ] = None,
) -> None:
    """(Re)caption an existing dataset without rendering; pairs.jsonl is replaced atomically.

    Template captions come from the scene graphs and render facts; an LLM rewrite is kept only
    when every colour, object, number and quoted text survives it in its role (before or after,
    which object or clothing part, which change, in order: the fact guard). The report counts
    kept and rejected rewrites, the rejected by reason; rejected ones keep the template.
    """
    from diffforge.captioner.api import recaption

    report = recaption(directory, rewrite, model, base_url, per_pair, concurrency, style)
    console.print(report.summary())


def stats(
    directory: Annotated[Path, typer.Argument(help="A dataset directory.")],
    out: Annotated[Path | None, typer.Option(help="Output folder (default DIR/stats).")] = None,
    compare: Annotated[
        list[str] | None,
        typer.Option(
            help="A public dataset to compare caption lengths with (the seed's Figure 5), as "
            "FORMAT=PATH or LABEL:FORMAT=PATH, e.g. iedit=data/iedit "
            "spot_the_diff=data/spot_the_diff; repeat for several."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print stats.json instead.")] = False,
) -> None:
    """Word cloud, caption-length histogram (PNG) and counts per split and change type; with
    --compare, caption_lengths_compare.png beside the public datasets' annotation files."""
    from diffforge.captioner.stats import format_stats, write_stats

    stats = write_stats(directory, out, compare)
    if as_json:
        console.print_json(json.dumps(stats))
    else:
        console.print(
            format_stats(stats, out or directory / "stats"),
            highlight=False,
            markup=False,
            soft_wrap=True,
        )


def export(
    directory: Annotated[Path, typer.Argument(help="A dataset directory.")],
    format_: Annotated[str, typer.Option("--format", help="llava | coco | parquet | checklist")],
    out: Annotated[Path, typer.Option(help="Output file.")],
    split: Annotated[str | None, typer.Option(help="Only this split.")] = None,
) -> None:
    """Export for training or evaluation: LLaVA/ShareGPT JSON, COCO references, HF parquet."""
    from diffforge.captioner.export import export as run_export

    n = run_export(directory, format_, out, split)
    console.print(f"{n} records → {out}")


def bench_caption(
    config: Annotated[Path, typer.Argument(help="Generation config.")] = DEFAULT_CONFIG,
    n: Annotated[int, typer.Option("--n", min=1, help="Pairs per repeat.")] = 500,
    repeats: Annotated[int, typer.Option(min=1, help="Timed repeats (median).")] = 5,
) -> None:
    """Template captions per second on one core (specs sampled before the timing)."""
    from diffforge.captioner.bench import bench_caption as run_bench
    from diffforge.captioner.bench import bench_line

    console.print(bench_line(run_bench(config, n, repeats)))


def register(app: typer.Typer, bench: typer.Typer) -> None:
    app.command()(caption)
    app.command()(stats)
    app.command()(export)
    bench.command("caption")(bench_caption)
