"""Training-side commands: data info, train, describe, bench train.

torch and transformers are imported inside the commands, so ``diffforge --help`` stays fast.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from diffforge.errors import DiffforgeError
from diffforge.training.pair_lists import check_images, read_pairs_file, write_captions

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
    path: Annotated[
        Path,
        typer.Argument(
            help="annotation file or dataset directory, or a training config (.yaml): its "
            "mixture's pairs and captions per source, laid out like the seed's Table 9"
        ),
    ],
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
    set: Annotated[
        list[str] | None, typer.Option("--set", help="config override (with a training config)")
    ] = None,
) -> None:
    """Print what a loader sees: entries, pairs, captions and missing images per split; for a
    training config, pairs, captions and epoch samples per source and in total."""
    from diffforge.training.data import load_pairs

    if path.suffix.lower() in (".yaml", ".yml"):
        from diffforge.training.config import load_train_config
        from diffforge.training.data.info import format_mixture, mixture_info

        info = mixture_info(load_train_config(path, set or []).data)
        typer.echo(json.dumps(info) if as_json else format_mixture(info))
        return
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
    check_train_paths(cfg, config, set or [])
    result = run_training(cfg)
    typer.echo(f"trained {result['steps']} steps; final model in {result['output_dir']}")


def _source(key: str, config: Path, overrides: list[str]) -> str:
    """Where a key's value came from: its last --set, else the config file."""
    given = [o for o in overrides if o.split("=", 1)[0].strip() == key]
    return f"--set {given[-1]}" if given else f"{config}: {key}"


def check_train_paths(cfg, config: Path, overrides: list[str]) -> None:
    """Before anything loads or is written: a local model.path that is not there (rather than
    Hugging Face's "Repo id must be in the form ..."), and an output_dir that cannot be made."""
    import os

    model = cfg.model.path
    looks_local = model is not None and (
        model.startswith(("/", ".", "~")) or model.count("/") > 1 or os.sep + os.sep in model
    )
    if looks_local and not Path(model).expanduser().exists():
        raise DiffforgeError(
            f"{_source('model.path', config, overrides)}: no such directory {model} "
            "(a local model folder; a Hugging Face id looks like org/name)"
        )
    out = Path(cfg.train.output_dir)
    if out.exists() and not out.is_dir():
        raise DiffforgeError(
            f"{_source('train.output_dir', config, overrides)}: {out} is a file, not a folder"
        )
    _probe_writable(out, _source("train.output_dir", config, overrides))


def _probe_writable(folder: Path, source: str) -> None:
    """Make ``folder`` (and a file in it) the way the run will, then remove what was made: the
    real test (permissions, read-only or virtual file systems, root included)."""
    import tempfile

    missing = []
    parent = folder
    while not parent.exists():
        missing.append(parent)
        parent = parent.parent
    made: list[Path] = []
    try:
        for d in reversed(missing):
            d.mkdir()
            made.append(d)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise DiffforgeError(f"{source}: cannot write {folder} ({exc.strerror or exc})") from None
    finally:
        for d in reversed(made):
            d.rmdir()


def bench_train(
    config: Annotated[
        Path | None, typer.Option(help="training config (default: the tiny CPU one)")
    ] = None,
    set: Annotated[list[str] | None, typer.Option("--set", help="override: key.path=value")] = None,
    steps: Annotated[int, typer.Option(min=1, help="timed optimizer steps")] = 10,
    warmup: Annotated[int, typer.Option(min=0, help="untimed steps first")] = 2,
    shape: Annotated[
        str, typer.Option(help="tiny | llava_ov_7b (random weights, needs a GPU)")
    ] = "tiny",
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Measure training steps/s and samples/s (random weights, synthetic batches)."""
    from diffforge.training.bench import format_bench, run_bench

    result = run_bench(config=config, overrides=set or [], steps=steps, warmup=warmup, shape=shape)
    typer.echo(json.dumps(result) if as_json else format_bench(result))


def describe(
    before: Annotated[Path | None, typer.Argument(help="The before image.")] = None,
    after: Annotated[Path | None, typer.Argument(help="The after image.")] = None,
    model: Annotated[
        Path,
        typer.Option(
            help="A trained M³Diff (train's final/ or a checkpoint-N/) or a base backbone dir."
        ),
    ] = Path("runs/m3diff/final"),
    pairs: Annotated[
        Path | None,
        typer.Option(help="Batch input: JSONL, JSON list or CSV of {id?, before, after}."),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(help="Write batch captions here (.json: COCO results; else JSONL)."),
    ] = None,
    prompt: Annotated[
        str | None, typer.Option(help="Instruction (default: the diffforge training prompt).")
    ] = None,
    batch_size: Annotated[int, typer.Option(min=1, help="Pairs per generate() call.")] = 8,
    max_new_tokens: Annotated[int, typer.Option(min=1, help="Caption length limit.")] = 64,
    num_beams: Annotated[int, typer.Option(min=1, help="Beam width (1 = greedy).")] = 1,
    device: Annotated[str, typer.Option(help="auto | cpu | cuda | cuda:N")] = "auto",
    dtype: Annotated[
        str | None, typer.Option(help="bfloat16 | float16 | float32 (default: bf16 on GPU)")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print JSON (one line per pair).")
    ] = False,
    heatmap: Annotated[
        Path | None,
        typer.Option(
            help="Write the change head's per-patch probability over the AFTER image to this "
            "PNG (a model trained with model.mdp.change_loss)."
        ),
    ] = None,
) -> list[dict[str, str]]:
    """Describe what changed between BEFORE and AFTER (or every pair in --pairs)."""
    if pairs is not None and (before is not None or after is not None):
        raise DiffforgeError("describe: give BEFORE AFTER or --pairs, not both")
    if heatmap is not None and pairs is not None:
        raise DiffforgeError("describe: --heatmap takes one pair (BEFORE AFTER), not --pairs")
    if pairs is None and (before is None or after is None):
        raise DiffforgeError("describe: give BEFORE and AFTER images, or --pairs FILE")
    if pairs is None:
        records = [{"id": "0", "before": str(before), "after": str(after)}]
    else:
        records = read_pairs_file(pairs)
    check_images(records, batch=pairs is not None)
    from diffforge.training.inference import Describer, resolve_device

    resolve_device(device)  # a device this torch cannot use fails before the model loads

    describer = Describer.load(model, device=device, dtype=dtype)
    if heatmap is not None and not describer.has_change_head:
        raise DiffforgeError(
            f"--heatmap: {model} has no change head (train it with model.mdp.change_loss > 0)"
        )
    captions = describer.describe(
        [(r["before"], r["after"]) for r in records],
        prompt=prompt,
        batch_size=batch_size,
        max_new_tokens=max_new_tokens,
        num_beams=num_beams,
    )
    for r, c in zip(records, captions, strict=True):
        r["caption"] = c
    if heatmap is not None:
        from diffforge.training.heatmap import write_heatmap
        from diffforge.training.inference import open_image

        r = records[0]
        probs = describer.change_map(r["before"], r["after"], prompt)
        write_heatmap(open_image(r["after"]), probs, heatmap)
        r["heatmap"] = str(heatmap)
        r["change_max"] = round(float(probs.max()), 4)
        typer.echo(f"heatmap → {heatmap} (max change probability {probs.max():.2f})", err=True)
    if pairs is None:
        r = records[0]
        typer.echo(json.dumps(r, ensure_ascii=False) if as_json else _one_line(r["caption"]))
    elif out is not None:
        write_captions(records, out)
        typer.echo(f"{len(records)} captions → {out}", err=True)
    else:
        for r in records:
            typer.echo(
                json.dumps(r, ensure_ascii=False)
                if as_json
                else f"{r['id']}\t{_one_line(r['caption'])}"
            )
    return records


def _one_line(text: str) -> str:
    """One caption per output line, whatever the model emitted."""
    return " ".join(text.split())


def register(app: typer.Typer, bench: typer.Typer) -> None:
    app.add_typer(data_app, name="data")
    app.command("train")(train)
    app.command("describe")(describe)
    bench.command("train")(bench_train)
