"""``diffforge dataset check DIR``: is a dataset directory whole and self-consistent?"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from diffforge.commands.common import console, err_console

dataset_app = typer.Typer(help="Inspect dataset directories.", no_args_is_help=True)


@dataset_app.callback()
def _dataset() -> None:
    """Inspect dataset directories (keeps `dataset` a group even with one command)."""


@dataset_app.command("check")
def check(
    directory: Annotated[Path, typer.Argument(help="A dataset directory.")],
) -> None:
    """Read every line and file reference; list each problem (file and line); exit 2 if any."""
    from diffforge.dataset.check import check_dataset

    report = check_dataset(directory)
    for w in report.warnings:
        err_console.print(f"[yellow]warning:[/] {w}", highlight=False, soft_wrap=True)
    for p in report.problems:
        err_console.print(f"[bold red]problem:[/] {p}", highlight=False, soft_wrap=True)
    if not report.ok:
        raise typer.Exit(2)
    console.print(f"{directory}: ok, {report.pairs} pairs")


def register(app: typer.Typer) -> None:
    app.add_typer(dataset_app, name="dataset")
