"""The one command-line app: ``diffforge <command> --help`` explains each command.

Heavy imports (bpy workers, torch) happen inside commands, so ``--help`` and ``sample`` stay fast.
Errors the user can fix print one line and exit with code 2, never a traceback.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from diffforge.errors import DiffforgeError

console = Console()
err_console = Console(stderr=True)


class App(typer.Typer):
    """A Typer app whose DiffforgeErrors become one line on stderr and exit code 2."""

    def __call__(self, *args, **kwargs):
        try:
            return super().__call__(*args, **kwargs)
        except DiffforgeError as exc:
            err_console.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
            raise SystemExit(exc.exit_code) from None


app = App(
    help="diffforge: synthetic image-difference-captioning data (Blender) and an M³Diff trainer.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
bench_app = typer.Typer(
    help="Speed benchmarks (figures go in benchmarks/*.md).", no_args_is_help=True
)
app.add_typer(bench_app, name="bench")


def _register_training() -> None:
    """Training commands live in diffforge.training.cli (torch is imported inside them)."""
    from diffforge.training.cli import bench_train, data_app, train
    from diffforge.training.describe_cli import describe

    app.add_typer(data_app, name="data")
    app.command("train")(train)
    app.command("describe")(describe)
    bench_app.command("train")(bench_train)


_register_training()

DEFAULT_CONFIG = Path(__file__).resolve().parent.parent / "configs" / "default.yaml"
ConfigArg = Annotated[
    Path, typer.Argument(help="Generation config (YAML), e.g. configs/default.yaml.")
]
SetOpt = Annotated[
    list[str] | None,
    typer.Option("--set", help="Override a config value: key.path=value (repeatable)."),
]


def _atomic_write_lines(path: Path, lines) -> int:
    """Write lines to ``path`` via a temporary file, so a crash never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    n = 0
    try:
        with tmp.open("w") as fh:
            for line in lines:
                fh.write(line + "\n")
                n += 1
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return n


@app.command()
def sample(
    config: ConfigArg,
    n: Annotated[int, typer.Option("--n", min=1, help="Number of pair specs.")] = 10,
    out: Annotated[Path, typer.Option("--out", help="Output JSONL file.")] = Path("specs.jsonl"),
    start: Annotated[int, typer.Option(help="Index of the first pair.")] = 0,
    set_: SetOpt = None,
) -> None:
    """Write pair specs (scenes + change records) as JSONL, without rendering.

    Use it to inspect and test a change distribution in seconds: pair k is the same whatever
    --n and --start are, so specs can be sampled in slices.
    """
    from rich.progress import track

    from diffforge.config import load_config
    from diffforge.scenes.sampler import PairSampler

    cfg = load_config(config, set_)
    sampler = PairSampler(cfg)
    counts: dict[str, int] = {}

    def lines():
        for spec in track(
            sampler.iter_specs(n, start), total=n, description="sampling", console=err_console
        ):
            for change in spec.changes:
                counts[change.type] = counts.get(change.type, 0) + 1
            yield spec.to_json()

    written = _atomic_write_lines(out, lines())
    table = Table(title=f"{written} pair specs → {out}")
    table.add_column("change type")
    table.add_column("count", justify="right")
    for name, count in sorted(counts.items()):
        table.add_row(name, str(count))
    console.print(table)


@app.command()
def generate(
    config: ConfigArg,
    out: Annotated[Path, typer.Option("--out", help="Dataset directory (created or resumed).")],
    n: Annotated[int | None, typer.Option("--n", min=1, help="Pairs 0..n-1.")] = None,
    workers: Annotated[int, typer.Option(min=1, help="Blender worker processes.")] = 1,
    preset: Annotated[
        str | None, typer.Option(help="draft | standard | high (default: the config's).")
    ] = None,
    device: Annotated[
        str | None, typer.Option(help="auto | cpu | cuda | optix | hip (default: the config's).")
    ] = None,
    executor: Annotated[str, typer.Option(help="local | shard | ray")] = "local",
    shard: Annotated[
        str | None,
        typer.Option(help="i/N: render pairs i, i+N, ... (Slurm arrays, any batch system)."),
    ] = None,
    address: Annotated[str, typer.Option(help="Ray cluster: local | auto | host:port.")] = "local",
    specs: Annotated[
        Path | None, typer.Option(help="Render these pair specs (JSONL from `sample`) instead.")
    ] = None,
    set_: SetOpt = None,
) -> None:
    """Render before/after pairs with Blender Cycles into a dataset directory, with captions.

    Rerunning the same command resumes: finished pairs are skipped and a killed run leaves no
    partial pair. Pair k is the same whatever --n is, so a larger --n extends a dataset.
    """
    from diffforge.config import load_config
    from diffforge.render.generate import check_all_failed, format_summary, read_specs
    from diffforge.render.generate import generate as run_generate

    # Through the config, so a bad value gets the config's one-line message naming the key.
    overrides = list(set_ or [])
    overrides += [f"render.preset={preset}"] if preset else []
    overrides += [f"render.device={device}"] if device else []
    cfg = load_config(config, overrides)
    summary = run_generate(
        cfg,
        out,
        n,
        specs=read_specs(specs) if specs is not None else None,
        workers=workers,
        executor=executor,
        shard=shard,
        ray_address=address,
    )
    console.print(format_summary(summary))
    check_all_failed(summary)


@app.command()
def preview(
    directory: Annotated[Path, typer.Argument(help="A dataset directory.")],
    out: Annotated[Path | None, typer.Option(help="HTML file (default DIR/preview.html).")] = None,
    limit: Annotated[int, typer.Option(min=1, help="Pairs on the page.")] = 100,
) -> None:
    """A self-contained HTML contact sheet: before, after, change mask, changes, captions."""
    from diffforge.render.preview import write_preview

    console.print(f"preview → {write_preview(directory, out, limit)}")


@app.command()
def merge(
    out: Annotated[Path, typer.Argument(help="The dataset directory to merge into.")],
    shards: Annotated[
        list[Path] | None, typer.Argument(help="Shard directories (default: OUT/shards/*).")
    ] = None,
) -> None:
    """Join shard outputs (generate --shard i/N) into one dataset."""
    from diffforge.dataset import merge as run_merge

    s = run_merge(shards or [], out)
    console.print(
        f"{s['out']}: {s['pairs']} pairs merged from {s['inputs']} datasets, {s['failed']} failed"
    )


@app.command("scan-env")
def scan_env(
    blend: Annotated[Path, typer.Argument(help="A .blend with tagged surfaces and cameras.")],
) -> None:
    """Read a user .blend's support surfaces and cameras into <file>.blend.json.

    Tag objects in Blender with the custom property diffforge_surface = "floor" | "surface"
    (meshes things can stand on) and diffforge_camera = <distance to its target> (cameras).
    The environment layout (assets.environment in the config) then samples scenes in it.
    """
    import json

    from diffforge.render.environment_scan import scan_environment

    out = scan_environment(blend)
    info = json.loads(out.read_text())
    console.print(
        f"{out}: {len(info['surfaces'])} surfaces, {len(info['cameras'])} cameras, "
        f"extent {[round(v, 2) for v in info['extent']]}"
    )


@bench_app.command("sample")
def bench_sample(
    config: Annotated[Path, typer.Argument(help="Generation config.")] = DEFAULT_CONFIG,
    n: Annotated[int, typer.Option("--n", min=1, help="Pairs per repeat.")] = 200,
    repeats: Annotated[int, typer.Option(min=1, help="Timed repeats; the median is reported.")] = 5,
) -> None:
    """Pair specs per second on one core (sampling + JSON serialisation)."""
    import statistics

    from diffforge.config import load_config
    from diffforge.scenes.sampler import PairSampler

    cfg = load_config(config)
    sampler = PairSampler(cfg)
    sampler.sample(0)  # warm caches (library, operators) outside the timing
    rates = []
    for r in range(repeats):
        t0 = time.perf_counter()
        for i in range(n):
            sampler.sample(r * n + i).to_json()
        rates.append(n / (time.perf_counter() - t0))
    console.print(
        f"sample: median {statistics.median(rates):.1f} pair specs/s "
        f"(min {min(rates):.1f}, max {max(rates):.1f}; {repeats}×{n} pairs, config {config})"
    )


@app.command()
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
) -> None:
    """(Re)caption an existing dataset without rendering; pairs.jsonl is replaced atomically.

    Template captions come from the scene graphs and render facts; an LLM rewrite is kept only
    when every colour, object, number and quoted text survives it (the fact guard).
    """
    from diffforge.captioner.cli import caption as run_caption

    report = run_caption(directory, rewrite, model, base_url, per_pair, concurrency)
    console.print(report.summary())


@app.command()
def stats(
    directory: Annotated[Path, typer.Argument(help="A dataset directory.")],
    out: Annotated[Path | None, typer.Option(help="Output folder (default DIR/stats).")] = None,
) -> None:
    """Word cloud, caption-length histogram (PNG) and counts per split and change type."""
    import json

    from diffforge.captioner.cli import stats as run_stats

    console.print_json(json.dumps(run_stats(directory, out)))


@app.command()
def export(
    directory: Annotated[Path, typer.Argument(help="A dataset directory.")],
    format_: Annotated[str, typer.Option("--format", help="llava | coco | parquet")],
    out: Annotated[Path, typer.Option(help="Output file.")],
    split: Annotated[str | None, typer.Option(help="Only this split.")] = None,
) -> None:
    """Export for training or evaluation: LLaVA/ShareGPT JSON, COCO references, HF parquet."""
    from diffforge.captioner.cli import export as run_export

    n = run_export(directory, format_, out, split)
    console.print(f"{n} records → {out}")


@app.command("eval")
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
    judge: Annotated[bool, typer.Option(help="Also ask an LLM judge (0-100).")] = False,
    split: Annotated[str | None, typer.Option(help="Split of a dataset dir (e.g. test).")] = None,
    by_type: Annotated[bool, typer.Option(help="Per-change-type breakdown.")] = True,
    spice_lib: Annotated[
        Path | None, typer.Option(help="Folder with SPICE's Stanford CoreNLP jars.")
    ] = None,
    markdown: Annotated[Path | None, typer.Option(help="Write a markdown table here.")] = None,
    judge_model: Annotated[str | None, typer.Option(help="Judge model ($OPENAI_MODEL).")] = None,
    judge_base_url: Annotated[
        str | None, typer.Option(help="OpenAI-compatible endpoint ($OPENAI_BASE_URL).")
    ] = None,
) -> None:
    """Score captions with the COCO caption toolkit: BLEU-1..4, METEOR, ROUGE-L, CIDEr, SPICE.

    CIDEr is computed over the whole set in one call (it depends on the corpus). SPICE runs
    when its CoreNLP jars are present, otherwise it is reported as unavailable. With --model
    and --data, captions for --split (default test) are generated first, in batches.
    """
    from diffforge.errors import DiffforgeError

    common = {
        "judge": judge,
        "by_type": by_type,
        "spice_lib": spice_lib,
        "markdown": markdown,
        "judge_model": judge_model,
        "judge_base_url": judge_base_url,
        "console": console,
    }
    if model is not None:
        if data is None:
            raise DiffforgeError("--model needs --data (the dataset to describe and score)")
        from diffforge.evaluation.model_eval import eval_model_command

        eval_model_command(
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
    from diffforge.evaluation.cli import eval_command

    eval_command(
        predictions,
        references,
        json_out,
        split=split,
        **common,
    )


@bench_app.command("render")
def bench_render(
    config: Annotated[Path, typer.Argument(help="Generation config.")] = DEFAULT_CONFIG,
    presets: Annotated[str, typer.Option(help="Comma-separated presets.")] = "draft,standard",
    pairs: Annotated[int, typer.Option(min=1, help="Pairs per measurement.")] = 6,
    workers: Annotated[str, typer.Option(help="Comma-separated worker counts.")] = "1,2",
    threads: Annotated[
        int | None, typer.Option(min=1, help="Cycles threads per worker (default: cores/workers).")
    ] = None,
) -> None:
    """Seconds per pair by stage, overhead over pure Cycles time, and worker scaling.

    For worker scaling, fix --threads 1: with the default (cores / workers) Cycles already uses
    every core and 1 or 2 workers give about the same throughput.
    """
    from diffforge.config import load_config
    from diffforge.render.bench import bench_render as run_bench
    from diffforge.render.bench import format_bench

    result = run_bench(
        load_config(config),
        presets=tuple(presets.split(",")),
        pairs=pairs,
        workers=tuple(int(w) for w in workers.split(",")),
        threads=threads,
    )
    console.print(format_bench(result))


@bench_app.command("caption")
def bench_caption(
    config: Annotated[Path, typer.Argument(help="Generation config.")] = DEFAULT_CONFIG,
    n: Annotated[int, typer.Option("--n", min=1, help="Pairs per repeat.")] = 500,
    repeats: Annotated[int, typer.Option(min=1, help="Timed repeats (median).")] = 5,
) -> None:
    """Template captions per second on one core (specs sampled before the timing)."""
    from diffforge.captioner.cli import bench_caption as run_bench
    from diffforge.captioner.cli import bench_line

    console.print(bench_line(run_bench(config, n, repeats)))


def main() -> None:
    app()


if __name__ == "__main__":
    main()
