"""The change-operator registry: built-ins, config-named classes, and entry-point plugins.

A user operator is a ``ChangeOperator`` subclass named in the config
(``changes.operators: {mytype: "mypkg.ops:MyOp"}``) or published under the entry-point group
``diffforge.changes``; either way no edit to diffforge is needed.
"""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points

from diffforge.errors import ConfigError
from diffforge.scenes.changes.appearance import Color, Material, Orientation, PoseChange, Size, Text
from diffforge.scenes.changes.base import ChangeContext, ChangeOperator, NotApplicable
from diffforge.scenes.changes.objects import Add, Count, Disappear, Move, Nothing, Remove, Replace
from diffforge.scenes.changes.scene_wide import Illumination, Viewpoint

BUILTIN_OPERATORS: dict[str, type[ChangeOperator]] = {
    op.type: op
    for op in (
        Viewpoint, Illumination, Add, Disappear, Remove, Move, Replace, Size, Color, Material,
        Orientation, PoseChange, Text, Count, Nothing,
    )
}  # fmt: skip

ENTRY_POINT_GROUP = "diffforge.changes"

__all__ = [
    "BUILTIN_OPERATORS",
    "ChangeContext",
    "ChangeOperator",
    "NotApplicable",
    "load_operator",
    "registry",
]


def load_operator(dotted: str, where: str) -> type[ChangeOperator]:
    """Import ``pkg.module:Class`` (or ``pkg.module.Class``); errors name the config key."""
    module_name, _, attr = dotted.partition(":") if ":" in dotted else dotted.rpartition(".")
    if not module_name or not attr:
        raise ConfigError(f"{where}: expected 'package.module:Class', found {dotted!r}")
    try:
        obj = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as exc:
        raise ConfigError(
            f"{where}: cannot import {dotted!r} ({type(exc).__name__}: {exc})"
        ) from None
    if not (isinstance(obj, type) and issubclass(obj, ChangeOperator)):
        raise ConfigError(f"{where}: {dotted!r} is not a diffforge ChangeOperator subclass")
    return obj


def registry(custom: dict[str, str] | None = None) -> dict[str, ChangeOperator]:
    """Operator instances by type: built-ins, then entry-point plugins, then config entries."""
    classes: dict[str, type[ChangeOperator]] = dict(BUILTIN_OPERATORS)
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        classes[ep.name] = load_operator(ep.value, f"entry point {ENTRY_POINT_GROUP}:{ep.name}")
    for name, dotted in (custom or {}).items():
        cls = load_operator(dotted, f"changes.operators.{name}")
        if cls.type and cls.type != name:
            raise ConfigError(
                f"changes.operators.{name}: {dotted} declares type {cls.type!r}, not {name!r}"
            )
        classes[name] = cls
    return {name: cls() for name, cls in classes.items()}
