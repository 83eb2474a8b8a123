"""The ``diffforge`` entry point; the commands live in ``diffforge.commands``."""

from __future__ import annotations

from diffforge.commands import app

__all__ = ["app", "main"]


def main() -> None:
    app()


if __name__ == "__main__":
    main()
