"""The one error every format reader raises: ``<file>: <entry or line>: <problem>`` on one line,
so training (``data info``, ``train``) and evaluation (``eval``) report a bad file the same way."""

from __future__ import annotations

from pathlib import Path

from diffforge.errors import DiffforgeError


class FormatError(DiffforgeError):
    """An annotation file is missing, malformed or in an unknown format; names file and entry."""


def fail(path: Path | str, problem: str, where: str = "") -> FormatError:
    """The error for ``problem`` at ``where`` (``"entry 3"``, ``"line 5"``) in ``path``."""
    return FormatError(f"{path}: {where}: {problem}" if where else f"{path}: {problem}")


def expect(cond: bool, path: Path | str, where: str, problem: str) -> None:
    """Raise ``fail(path, problem, where)`` unless ``cond``."""
    if not cond:
        raise fail(path, problem, where)
