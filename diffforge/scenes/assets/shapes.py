"""Per-instance shapes: which of an asset's variants an object is, and that variant's params.

A generator that can vary carries ``draw_shape(rng) -> params`` (set by ``procedural.shaped``):
style families and proportions relative to the asset's nominal size, which the library then
rescales to the manifest's ``size``. Every asset has ``SHAPES_PER_ASSET`` variants; variant
``v`` draws its params from a Generator keyed by (asset id, v), so a variant is the same
everywhere, and an instance picks its variant from the pair's rng. A finite pool rather than
fresh continuous draws per instance keeps the mesh caches (GLB, converted .blend) warm: each
variant is built and converted once per machine.

The shape id ``<asset id>~<family>-<digest>`` names the asset and a digest of the params it was
built from, so a changed generator never reuses a stale id; ``AssetLibrary.get`` resolves it.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Callable

import numpy as np

SHAPES_PER_ASSET = 16
SEP = "~"  # asset id ~ shape: never part of a manifest id (its pattern has no "~")

_CACHE: dict[tuple, tuple[str, dict]] = {}


_DRAWERS: dict[str, Callable[[np.random.Generator], dict] | None] = {}


def shape_drawer(spec) -> Callable[[np.random.Generator], dict] | None:
    """The generator's ``draw_shape`` (None: a fixed mesh, a file or a user rig); kept per
    generator path (importing it for every instance was a twentieth of the sampler's time)."""
    if spec.generator is None or spec.type not in ("generator", "rig"):
        return None
    path = spec.generator.path
    if path not in _DRAWERS:
        try:
            fn = spec.generator.resolve()
        except (ImportError, AttributeError):
            _DRAWERS[path] = None
        else:
            _DRAWERS[path] = getattr(fn, "draw_shape", None)
    return _DRAWERS[path]


def _rounded(value):
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, (list, tuple)):
        return [_rounded(v) for v in value]
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, np.generic):
        return _rounded(value.item())
    return value


def variant(spec, index: int) -> tuple[str, dict] | None:
    """(shape id, generator params) of ``spec``'s variant ``index``; None for a fixed asset.

    The manifest's own params pin what they name (a coffee table's height stays low)."""
    draw = shape_drawer(spec)
    if draw is None:
        return None
    fixed = json.dumps(spec.generator.params, sort_keys=True)
    key = (spec.id, spec.generator.path, fixed, index)
    if key not in _CACHE:
        rng = np.random.Generator(np.random.PCG64([zlib.crc32(spec.id.encode()), int(index)]))
        params = _rounded({**draw(rng), **spec.generator.params})
        blob = json.dumps({"g": spec.generator.path, "p": params}, sort_keys=True)
        digest = hashlib.sha1(blob.encode()).hexdigest()[:8]
        family = str(params.get("style", "v"))
        _CACHE[key] = (f"{spec.id}{SEP}{family}-{digest}", params)
    return _CACHE[key]


def variants(spec) -> dict[str, dict]:
    """Every variant of ``spec``: shape id -> params ({} for a fixed asset)."""
    out: dict[str, dict] = {}
    for i in range(SHAPES_PER_ASSET):
        v = variant(spec, i)
        if v is None:
            return {}
        out.setdefault(v[0], v[1])
    return out


def draw_shape(rng: np.random.Generator, spec) -> str | None:
    """An instance's shape id, its variant drawn from the pair's ``rng`` (None: fixed asset)."""
    if shape_drawer(spec) is None:
        return None
    v = variant(spec, int(rng.integers(SHAPES_PER_ASSET)))
    return v[0] if v else None


def base_id(asset_or_shape: str) -> str:
    """The asset id of a shape id (an asset id is its own)."""
    return asset_or_shape.split(SEP, 1)[0]
