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
        report = audit_dataset(directory, mix=_configured_mix(directory))
        console.print(format_report(report), highlight=False, soft_wrap=True, markup=False)
        target = (out / directory.name if len(directories) > 1 else out) if out else None
        files = write_audit(report, target or directory / "audit")
        console.print(f"wrote {files[0]}", highlight=False)
        if i + 1 < len(directories):
            console.print("")


def _configured_mix(directory: Path):
    """The change mix and layouts the dataset's config asked for (its operators' defaults
    included); None where dataset.json has no config this version reads."""
    from pydantic import ValidationError

    from diffforge.config import GenerateConfig
    from diffforge.dataset import read_meta
    from diffforge.errors import DiffforgeError
    from diffforge.scenes.sampler import configured_mix

    meta = read_meta(directory)
    if meta is None or not meta.config:
        return None
    try:
        cfg = GenerateConfig.model_validate(meta.config)
        return (*configured_mix(cfg), dict(cfg.scene.layouts))
    except (ValidationError, DiffforgeError):
        return None


def register(app: typer.Typer) -> None:
    app.command("audit")(audit)
