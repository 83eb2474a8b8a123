"""The change-operator registry: built-ins, config-named classes, and entry-point plugins.

A user operator is a ``ChangeOperator`` subclass named in the config
(``changes.operators: {mytype: "mypkg.ops:MyOp"}``) or published under the entry-point group
``diffforge.changes``; either way no edit to diffforge is needed. Its class declarations
(``ChangeOperator``) are what the config's defaults, the sampler, the render gates and the
captioner read: this module is how they find them.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any

from diffforge.errors import ConfigError, valid_names
from diffforge.scenes.changes.appearance import Color, Material, Orientation, PoseChange, Size, Text
from diffforge.scenes.changes.base import ChangeContext, ChangeOperator, NotApplicable
from diffforge.scenes.changes.gating import GateCheck
from diffforge.scenes.changes.objects import Add, Count, Disappear, Move, Nothing, Remove, Replace
from diffforge.scenes.changes.scene_wide import Illumination, Viewpoint

BUILTIN_OPERATORS: dict[str, type[ChangeOperator]] = {
    op.type: op
    for op in (
        Viewpoint, Illumination, Add, Disappear, Remove, Move, Replace, Size, Color, Material,
        Orientation, PoseChange, Text, Count, Nothing,
    )
}  # fmt: skip
BUILTIN_CHANGE_TYPES: tuple[str, ...] = tuple(BUILTIN_OPERATORS)

ENTRY_POINT_GROUP = "diffforge.changes"

if TYPE_CHECKING:
    from diffforge.config import ChangesConfig

__all__ = [
    "BUILTIN_CHANGE_TYPES",
    "BUILTIN_OPERATORS",
    "ChangeContext",
    "ChangeOperator",
    "GateCheck",
    "NotApplicable",
    "apart",
    "check_changes",
    "default_weights",
    "load_operator",
    "operator_for",
    "registry",
    "weights",
]

# Classes a config named (``changes.operators``) or a lookup found in this process: the render
# gates and the captioner, which see only a change's type, find them here.
_NAMED: dict[str, type[ChangeOperator]] = {}


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


def _plugins() -> dict[str, type[ChangeOperator]]:
    """Entry-point plugins (group ``diffforge.changes``), by name."""
    return {
        ep.name: load_operator(ep.value, f"entry point {ENTRY_POINT_GROUP}:{ep.name}")
        for ep in entry_points(group=ENTRY_POINT_GROUP)
    }


def _named(custom: Mapping[str, str] | None) -> dict[str, type[ChangeOperator]]:
    """The classes a config names in ``changes.operators``, remembered for this process."""
    out = {}
    for name, dotted in (custom or {}).items():
        cls = load_operator(dotted, f"changes.operators.{name}")
        if cls.type and cls.type != name:
            raise ConfigError(
                f"changes.operators.{name}: {dotted} declares type {cls.type!r}, not {name!r}"
            )
        out[name] = _NAMED[name] = cls
    return out


def registry(custom: Mapping[str, str] | None = None) -> dict[str, ChangeOperator]:
    """Operator instances by type: built-ins, then entry-point plugins, then config entries."""
    classes = {**BUILTIN_OPERATORS, **_plugins(), **_named(custom)}
    return {name: cls() for name, cls in classes.items()}


_INSTANCES: dict[type[ChangeOperator], ChangeOperator] = {}


def operator_for(change_type: str) -> ChangeOperator | None:
    """The operator of a recorded change's type (None: a type this process cannot load): a
    built-in, a class a config named in this process, or an entry-point plugin."""
    cls = BUILTIN_OPERATORS.get(change_type) or _NAMED.get(change_type)
    if cls is None:
        cls = _plugins().get(change_type)
        if cls is None:
            return None
        _NAMED[change_type] = cls  # found once, then kept
    if cls not in _INSTANCES:
        _INSTANCES[cls] = cls()
    return _INSTANCES[cls]


def default_weights(operators: Mapping[str, ChangeOperator], custom: Mapping[str, str]):
    """The default mix: built-ins and the types a config names in ``changes.operators``, at
    the weights they declare (an installed entry-point plugin is drawn once a config names it)."""
    return {t: op.weight for t, op in operators.items() if t in BUILTIN_OPERATORS or t in custom}


def weights(changes: ChangesConfig, operators: Mapping[str, ChangeOperator]) -> dict[str, float]:
    """The change types drawn and their weights: the config's, else the default mix."""
    if changes.weights is not None:
        return dict(changes.weights)
    return default_weights(operators, changes.operators)


def apart(operators: Mapping[str, ChangeOperator]) -> dict[str, frozenset[str]]:
    """Types never drawn into one pair, by type: each side's ``apart``, made symmetric."""
    out: dict[str, set[str]] = {t: set(op.apart) for t, op in operators.items()}
    for t, op in operators.items():
        for other in op.apart:
            out.setdefault(other, set()).add(t)
    return {t: frozenset(v) for t, v in out.items() if v}


def check_changes(changes: ChangesConfig, operators: Mapping[str, ChangeOperator]) -> None:
    """Every type a config weights or parameterises exists, and every parameter is one its
    type declares (a type that declares none but is a plugin takes any)."""
    for section in ("weights", "params"):
        for name in getattr(changes, section) or {}:
            if name not in operators:
                raise ConfigError(
                    f"changes.{section}.{name}: unknown change type {name!r}; "
                    f"{valid_names(operators)}"
                )
    for name, params in changes.params.items():
        declared: dict[str, Any] = operators[name].params
        if not declared and name not in BUILTIN_OPERATORS:
            continue
        for key in params:
            if key not in declared:
                raise ConfigError(
                    f"changes.params.{name}.{key}: unknown parameter; "
                    f"{valid_names(declared) if declared else 'this type takes none'}"
                )
