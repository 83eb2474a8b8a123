"""Training-side commands: train, data info, describe, bench train (torch loads inside them)."""

from __future__ import annotations

import typer


def register(app: typer.Typer, bench: typer.Typer) -> None:
    from diffforge.training.cli import bench_train, data_app, train
    from diffforge.training.describe_cli import describe

    app.add_typer(data_app, name="data")
    app.command("train")(train)
    app.command("describe")(describe)
    bench.command("train")(bench_train)
