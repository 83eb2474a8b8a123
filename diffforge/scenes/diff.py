"""What differs between two scenes, field by field: the ground truth change records must match."""

from __future__ import annotations

from typing import Any

from diffforge.scenes.model import Scene


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            out.update(_flatten(item, f"{prefix}.{key}" if prefix else key))
        return out
    return {prefix: value}


def _field(path: str) -> str:
    """The field a change record names: two levels deep ("attributes.clothing"), one for the
    whole-value fields pose and text."""
    parts = path.split(".")
    return parts[0] if parts[0] in {"pose", "text"} else ".".join(parts[:2])


def _diff_items(before: dict[str, dict], after: dict[str, dict]) -> set[tuple[str, str]]:
    out: set[tuple[str, str]] = set()
    for key in before.keys() | after.keys():
        if key not in before or key not in after:
            out.add((key, "exists"))
            continue
        a, b = _flatten(before[key]), _flatten(after[key])
        for path in a.keys() | b.keys():
            if a.get(path) != b.get(path):
                out.add((key, _field(path)))
    return out


def scene_diff(before: Scene, after: Scene) -> set[tuple[str, str]]:
    """Pairs (target id, field path) that differ; objects and lights by id, plus the camera
    ("camera", field), the world ("world", field) and the environment ("environment", field)."""
    b, a = before.model_dump(), after.model_dump()
    out = _diff_items({o["id"]: o for o in b["objects"]}, {o["id"]: o for o in a["objects"]})
    out |= _diff_items({x["id"]: x for x in b["lights"]}, {x["id"]: x for x in a["lights"]})
    for section in ("camera", "world", "environment"):
        out |= {(section, f) for _, f in _diff_items({0: b[section]}, {0: a[section]})}
    return out
