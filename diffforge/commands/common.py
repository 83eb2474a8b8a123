"""What every command module shares: the consoles and the common argument types."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

console = Console()
err_console = Console(stderr=True)

DEFAULT_CONFIG = Path(__file__).resolve().parent.parent.parent / "configs" / "default.yaml"
ConfigArg = Annotated[
    Path, typer.Argument(help="Generation config (YAML), e.g. configs/default.yaml.")
]
SetOpt = Annotated[
    list[str] | None,
    typer.Option("--set", help="Override a config value: key.path=value (repeatable)."),
]


def check_new_file(path: Path, flag: str, force: bool) -> None:
    """Refuse to write ``path`` over a folder, inside a dataset, or (without --force) over a
    file: a command writes only what it makes."""
    from diffforge.dataset import META, PAIRS
    from diffforge.errors import DiffforgeError

    if path.is_dir():
        raise DiffforgeError(f"{flag} {path}: is a directory; name a file")
    for parent in path.resolve().parents:
        if (parent / PAIRS).is_file() or (parent / META).is_file():
            raise DiffforgeError(f"{flag} {path}: inside the dataset {parent}; write it elsewhere")
    if path.exists() and not force:
        raise DiffforgeError(f"{flag} {path}: exists; --force to replace it")
