"""``diffforge audit DIR``: visibility, image, resampling and caption checks of a dataset."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from diffforge.commands.common import console


def audit(
    directories: Annotated[list[Path], typer.Argument(help="One or more dataset directories.")],
    out: Annotated[
        Path | None,
        typer.Option(help="Where audit.json and the plots go (default: DIR/audit)."),
    ] = None,
) -> None:
    """Per dataset: visible target area per change type, near-black and clipped images, objects
    in view, resample rate, caption length and diversity, caption linter hits. Printed, and
    written as DIR/audit/audit.json with plots."""
    from diffforge.audit import audit_dataset, format_report, write_audit

    for i, directory in enumerate(directories):
        report = audit_dataset(directory)
        console.print(format_report(report), highlight=False, soft_wrap=True, markup=False)
        target = (out / directory.name if len(directories) > 1 else out) if out else None
        files = write_audit(report, target or directory / "audit")
        console.print(f"wrote {files[0]}", highlight=False)
        if i + 1 < len(directories):
            console.print("")


def register(app: typer.Typer) -> None:
    app.command("audit")(audit)
