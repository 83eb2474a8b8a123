"""User-facing errors: the CLI prints their message on one line and exits with code 2."""

from __future__ import annotations


class DiffforgeError(Exception):
    """Bad input from the user (config, file, asset id). Never a bug in diffforge."""

    exit_code = 2


class ConfigError(DiffforgeError):
    """A config file or value is invalid; the message names the key path."""


class AssetError(DiffforgeError):
    """A manifest or asset is invalid or missing; the message names the asset id and path."""


class RunFailed(DiffforgeError):
    """A run that produced nothing (every pair failed): not bad input, but not a success."""

    exit_code = 1


class SamplingError(DiffforgeError):
    """A request that cannot be met (e.g. too many objects for the room) after bounded tries."""


def valid_names(valid: list[str] | tuple[str, ...] | set[str] | dict) -> str:
    """The 'valid: a, b, c' tail shared by every 'unknown name' message."""
    return f"valid: {', '.join(sorted(valid))}"
