"""The command-line app: one module per area, typer code only (the logic lives in libraries).

Heavy imports (bpy workers, torch) happen inside commands, so ``--help`` and ``sample`` stay fast.
Errors the user can fix print one line and exit with code 2 (a run in which every pair failed
exits with 1), never a traceback.
"""

from __future__ import annotations

import typer
from rich.markup import escape

try:  # typer >= 0.22 vendors click as typer._click; older typers use click itself
    from typer._click import exceptions as click_errors
except ImportError:  # pragma: no cover
    from click import exceptions as click_errors

from diffforge.commands import (
    assets,
    audit,
    captions,
    cluster,
    dataset,
    evaluation,
    generation,
    training,
)
from diffforge.commands.common import err_console
from diffforge.errors import DiffforgeError

INTERRUPTED = 130  # the shell's code for a command stopped by SIGINT


class App(typer.Typer):
    """A Typer app whose DiffforgeErrors and usage errors (a bad option value, a missing
    argument) become one line on stderr and their exit code (2)."""

    def __call__(self, *args, **kwargs):
        kwargs["standalone_mode"] = False  # errors come here; typer.Exit(code) returns code
        try:
            rv = super().__call__(*args, **kwargs)
        except DiffforgeError as exc:
            _one_line(str(exc))
            raise SystemExit(exc.exit_code) from None
        except click_errors.NoArgsIsHelpError as exc:  # the help, already printed
            raise SystemExit(exc.exit_code) from None
        except click_errors.ClickException as exc:
            ctx = getattr(exc, "ctx", None)
            hint = f" (see {ctx.command_path} --help)" if ctx is not None else ""
            _one_line(f"{exc.format_message()}{hint}")
            raise SystemExit(exc.exit_code) from None
        except typer.Abort:
            _one_line("aborted")
            raise SystemExit(1) from None
        # Commands return None (or data, like describe's records); an int is typer.Exit's code.
        if rv == INTERRUPTED:  # typer turns Ctrl-C into Exit(130)
            _one_line("interrupted; what was finished is kept (rerun the same command to resume)")
        raise SystemExit(rv if isinstance(rv, int) else 0)


def _one_line(message: str) -> None:
    message = escape(" ".join(message.split()))  # one line; "[...]" in it is not markup
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)


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
cluster.register(app)
assets.register(app)
audit.register(app)
