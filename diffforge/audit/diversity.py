"""How varied a dataset's scenes are: distinct shapes per category, categories per scene, and the
share of objects whose surface carries a texture (issue 25's diversity line).

Works on scene specs as JSON dicts (a dataset's scenes/*.json ``spec``) or as ``PairSpec``
models (``bench sample`` and ``benchmarks/diversity_check.py``), so the same numbers describe
sampled specs and rendered datasets.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from diffforge.vocabulary import TEXTURED_MATERIALS

# The bar: a category seen this often must show this many shapes.
FREQUENT_INSTANCES = 20
SHAPES_WANTED = 8


def _objects(scene: Any) -> list[Mapping[str, Any]]:
    """A scene's objects as dicts (from a JSON dict or a ``Scene`` model)."""
    if scene is None:
        return []
    if isinstance(scene, Mapping):
        return list(scene.get("objects") or [])
    return [o.model_dump() for o in scene.objects]


def _before(spec: Any) -> Any:
    return spec.get("before") if isinstance(spec, Mapping) else spec.before


def diversity(specs: Iterable[Any]) -> dict[str, Any]:
    """Per category: instances and distinct shapes (``shape``, else the asset id: a fixed mesh
    is one shape) over the before-scenes of ``specs``; categories per scene; textured share."""
    instances: Counter[str] = Counter()
    shapes: dict[str, set[str]] = defaultdict(set)
    per_scene: list[int] = []
    textured = total = 0
    for spec in specs:
        objects = [o for o in _objects(_before(spec)) if "facade" not in (o.get("tags") or [])]
        per_scene.append(len({o["category"] for o in objects}))
        for o in objects:
            instances[o["category"]] += 1
            shapes[o["category"]].add(o.get("shape") or o["asset"])
            material = (o.get("attributes") or {}).get("material")
            textured += material in TEXTURED_MATERIALS
            total += 1
    frequent = {c: n for c, n in instances.items() if n >= FREQUENT_INSTANCES}
    short = {c: len(shapes[c]) for c in frequent if len(shapes[c]) < SHAPES_WANTED}
    per_scene.sort()
    return {
        "scenes": len(per_scene),
        "categories": len(instances),
        "categories_per_scene": {
            "median": per_scene[len(per_scene) // 2] if per_scene else None,
            "min": per_scene[0] if per_scene else None,
            "max": per_scene[-1] if per_scene else None,
        },
        "shapes_per_category": {
            c: {"instances": instances[c], "shapes": len(shapes[c])}
            for c in sorted(instances, key=lambda c: (-instances[c], c))
        },
        "frequent_categories": len(frequent),
        "frequent_short": dict(sorted(short.items())),
        "textured_share": textured / total if total else None,
    }


def diversity_lines(d: Mapping[str, Any]) -> list[str]:
    """The diversity numbers as report lines."""
    if not d.get("scenes"):
        return []
    cps = d["categories_per_scene"]
    short = d["frequent_short"]
    lines = [
        f"diversity: {d['categories']} categories over {d['scenes']} scenes; per scene median "
        f"{cps['median']} [{cps['min']}, {cps['max']}]; textured surfaces "
        f"{100 * (d['textured_share'] or 0):.1f} % of objects",
        f"  categories with >= {FREQUENT_INSTANCES} instances: {d['frequent_categories']}, "
        f"{d['frequent_categories'] - len(short)} with >= {SHAPES_WANTED} distinct shapes",
    ]
    if short:
        lines.append("  fewer shapes: " + ", ".join(f"{c} ({n})" for c, n in short.items()))
    return lines
