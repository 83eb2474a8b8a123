"""Commands for runs on a cluster: Slurm job scripts and the progress of a (sharded) dataset."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from diffforge.commands.common import ConfigArg, SetOpt, console


def slurm(
    config: ConfigArg,
    out: Annotated[Path, typer.Option("--out", help="Dataset directory (shards go below it).")],
    n: Annotated[int, typer.Option("--n", min=1, help="Pairs 0..n-1.")],
    tasks: Annotated[int, typer.Option(min=1, help="Array tasks (shards).")],
    gpus_per_task: Annotated[int, typer.Option(min=0, help="GPUs per array task.")] = 0,
    partition: Annotated[str | None, typer.Option(help="Slurm partition.")] = None,
    workers: Annotated[
        int | None, typer.Option(min=1, help="Blender workers per task (default: GPUs or 1).")
    ] = None,
    cpus_per_task: Annotated[int, typer.Option(min=1, help="CPUs per array task.")] = 8,
    time: Annotated[str | None, typer.Option(help="Slurm time limit, e.g. 04:00:00.")] = None,
    preset: Annotated[str | None, typer.Option(help="draft | standard | high.")] = None,
    device: Annotated[
        str | None, typer.Option(help="auto | cpu | cuda | optix | hip (default: auto on GPUs).")
    ] = None,
    scripts: Annotated[
        Path | None, typer.Option(help="Where the scripts go (default OUT/slurm).")
    ] = None,
    dry_run: Annotated[bool, typer.Option(help="Print the scripts, write nothing.")] = False,
    set_: SetOpt = None,
) -> None:
    """Write a Slurm array job (generate --shard auto per task), a merge job, and submit.sh.

    `bash OUT/slurm/submit.sh` queues the array, then the merge with
    --dependency=afterok:<array job id>; `diffforge status OUT` shows progress meanwhile.
    """
    from diffforge.config import load_config
    from diffforge.render.slurm import SlurmJob, slurm_scripts, write_slurm_scripts

    overrides = list(set_ or [])
    # the config, preset and device are checked now, not on the cluster an hour later
    load_config(config, overrides + ([f"render.preset={preset}"] if preset else []))
    job = SlurmJob(
        config=config,
        out=out,
        n=n,
        tasks=tasks,
        workers=workers or max(1, gpus_per_task),
        gpus_per_task=gpus_per_task,
        cpus_per_task=cpus_per_task,
        partition=partition,
        time=time,
        preset=preset,
        device=device,
        sets=overrides,
        script_dir=scripts,
    )
    if device is not None:
        load_config(config, [*overrides, f"render.device={device}"])
    if dry_run:
        for name, text in slurm_scripts(job).items():
            typer.echo(f"# ---- {job.scripts / name}")
            typer.echo(text, nl=False)
        return
    paths = write_slurm_scripts(job)
    for path in paths.values():
        console.print(str(path), highlight=False)
    console.print(f"submit with: bash {paths['submit.sh']}", highlight=False)


def status(
    out: Annotated[Path, typer.Argument(help="A dataset directory (sharded or not).")],
    json_: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Pairs done, failed and resampled per shard, the rate and an ETA; safe while runs write.

    Counts only what the writers have committed; failures appear once a run flushes them
    (every 30 s while it runs, and at its end).
    """
    import json

    from diffforge.dataset.progress import dataset_progress

    rows, total = dataset_progress(out)
    if json_:
        data = {"shards": [r.to_dict() for r in rows], "total": total.to_dict()}
        console.print_json(json.dumps(data))
        return
    table = Table(title=f"{out}")
    for col in ("shard", "state", "done", "target", "failed", "resampled", "pairs/min", "ETA"):
        table.add_column(col, justify="left" if col in ("shard", "state") else "right")
    for r in rows + ([total] if len(rows) > 1 or rows[0] is not total else []):
        table.add_row(
            r.name,
            r.state,
            str(r.done),
            "?" if r.target is None else str(r.target),
            str(r.failed),
            f"{r.resampled} ({100 * r.resample_rate:.0f} %)" if r.resample_rate else "0",
            "-" if r.rate is None else f"{r.rate:.1f}",
            _duration(r.eta_s),
        )
    console.print(table)


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    s = round(seconds)
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


def register(app: typer.Typer) -> None:
    app.command()(slurm)
    app.command()(status)
