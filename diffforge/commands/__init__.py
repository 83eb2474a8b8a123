"""The command-line app: one module per area, typer code only (the logic lives in libraries).

Heavy imports (bpy workers, torch) happen inside commands, so ``--help`` and ``sample`` stay fast.
Errors the user can fix print one line and exit with code 2 (a run in which every pair failed
exits with 1), never a traceback.
"""

from __future__ import annotations

import typer

from diffforge.commands import captions, dataset, evaluation, generation, training
from diffforge.commands.common import err_console
from diffforge.errors import DiffforgeError


class App(typer.Typer):
    """A Typer app whose DiffforgeErrors become one line on stderr and their exit code."""

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

generation.register(app, bench_app)
captions.register(app, bench_app)
dataset.register(app)
training.register(app, bench_app)
evaluation.register(app)
