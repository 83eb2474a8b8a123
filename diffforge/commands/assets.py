"""``diffforge assets import DIR --out manifest.json``: your model files as manifest entries."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from diffforge.commands.common import console, err_console

assets_app = typer.Typer(help="Bring your own assets.", no_args_is_help=True)


@assets_app.callback()
def _assets() -> None:
    """Bring your own assets (keeps `assets` a group even with one command)."""


@assets_app.command("import")
def import_(
    folder: Annotated[Path, typer.Argument(help="A folder of .glb/.gltf/.obj/.ply/.blend files.")],
    out: Annotated[Path, typer.Option(help="The manifest to write (JSON).")],
    scale: Annotated[
        str, typer.Option(help="auto (guess cm/mm from the size) or a factor, e.g. 0.01.")
    ] = "auto",
    up: Annotated[str, typer.Option(help="auto (by format) | y | z: the files' up axis.")] = "auto",
    names: Annotated[
        Path | None,
        typer.Option(
            help="JSON {file stem or uid: {noun, category, tags, placement, scale, up}} or "
            "Objaverse annotations {uid: {name, categories, tags, license}}."
        ),
    ] = None,
    license_: Annotated[str, typer.Option("--license", help="Licence of the files.")] = "unknown",
    tag: Annotated[list[str] | None, typer.Option(help="Extra tag for every asset.")] = None,
) -> None:
    """Measure every model file (size, up axis, unit) and name it (noun, category) from a names
    file, Objaverse annotations or the file and folder names; list it in a manifest for
    `assets.manifests`. Files that cannot be used are listed with the reason."""
    from diffforge.errors import DiffforgeError
    from diffforge.scenes.assets.importer import import_assets

    try:
        factor = None if scale == "auto" else float(scale)
    except ValueError:
        raise DiffforgeError(f"--scale {scale!r}: expected auto or a number") from None
    if factor is not None and factor <= 0:
        raise DiffforgeError(f"--scale {scale!r}: must be positive")
    result = import_assets(
        folder,
        out,
        scale=factor,
        up=None if up == "auto" else up,
        names=names,
        license=license_,
        tags=tuple(tag or ()),
    )
    for a in result.used:
        size = " × ".join(f"{s:g}" for s in a["size"])
        console.print(
            f"{a['id']}: {a['noun']} ({a['category']}, {a['placement']}), {size} m, "
            + ", ".join(a["notes"]),
            highlight=False,
            soft_wrap=True,
        )
    for file, reason in result.skipped:
        err_console.print(f"skipped {file}: {reason}", highlight=False, soft_wrap=True)
    console.print(
        f"{len(result.used)} assets → {out}; {len(result.skipped)} skipped", soft_wrap=True
    )


def register(app: typer.Typer) -> None:
    app.add_typer(assets_app, name="assets")
