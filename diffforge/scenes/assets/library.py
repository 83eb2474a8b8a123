"""The asset library: the built-in manifest plus the user's, filtered, with a GLB cache.

Where the built-in manifest lives: ``diffforge/scenes/assets/builtin_manifest.json`` is the one
source of truth, shipped as package data so an installed wheel finds it. The repository's root
``assets_manifest.json`` is a small *user* manifest (an example to copy) that a config can list
under ``assets.manifests``; it is not loaded by default.

Generated assets are rescaled so their bounding box equals the manifest ``size`` exactly, with
the origin at the bottom centre, then cached as GLB under a content hash. GLB files follow
glTF's axes (Y up, +Z front): Blender's glTF importer turns them back into Z up with the front
at -Y; ``load_glb`` does the same for trimesh.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np
import trimesh

import diffforge
from diffforge.config import AssetFilter, AssetsConfig
from diffforge.errors import AssetError, valid_names
from diffforge.scenes.assets.manifest import PHYSICAL_TYPES, AssetSpec, Manifest
from diffforge.scenes.assets.procedural import GENERATOR_VERSION
from diffforge.scenes.assets.shapes import SEP, base_id, variants
from diffforge.vocabulary import COLORS, MATERIALS

BUILTIN_MANIFEST = Path(__file__).with_name("builtin_manifest.json")
# ours (x, y, z) -> glTF (x, z, -y): Z up / front -Y becomes Y up / front +Z
Z_UP_TO_Y_UP = trimesh.transformations.rotation_matrix(-np.pi / 2, (1, 0, 0))


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "diffforge" / "assets"


def normalise(scene: trimesh.Scene, size) -> tuple[trimesh.Scene, np.ndarray, np.ndarray]:
    """A copy scaled per axis to ``size`` with the origin at the bottom centre.

    Node transforms are baked in, so the result has one untransformed geometry per name.
    Returns the scene, the offset and the scale: p' = (p - offset) * scale.
    """
    baked = {}
    for node in scene.graph.nodes_geometry:
        transform, geom_name = scene.graph[node]
        mesh = scene.geometry[geom_name].copy()
        mesh.apply_transform(transform)
        baked[geom_name] = (
            mesh if geom_name not in baked else trimesh.util.concatenate([baked[geom_name], mesh])
        )
    verts = np.vstack([m.vertices for m in baked.values()])
    lo, hi = verts.min(axis=0), verts.max(axis=0)
    offset = np.array([(lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2, lo[2]])
    size = np.asarray(size, float)
    scale = size / (hi - lo)
    box_lo, box_hi = (
        np.array([-size[0] / 2, -size[1] / 2, 0.0]),
        np.array([size[0] / 2, size[1] / 2, size[2]]),
    )
    out = trimesh.Scene()
    for name, mesh in baked.items():
        # clipping only removes float noise: it pins the extremes exactly onto the box
        mesh.vertices = np.clip((mesh.vertices - offset) * scale, box_lo, box_hi)
        out.add_geometry(mesh, geom_name=name, node_name=name)
    out.metadata.update(scene.metadata)
    return out, offset, scale


def _material(name: str, color: str, material: str) -> trimesh.visual.material.PBRMaterial:
    params = MATERIALS[material]
    r, g, b = COLORS[color]
    alpha = 1.0 - 0.7 * params["transmission"]
    return trimesh.visual.material.PBRMaterial(
        name=name,
        baseColorFactor=[r, g, b, alpha],
        metallicFactor=params["metallic"],
        roughnessFactor=params["roughness"],
        alphaMode="BLEND" if alpha < 1 else None,
    )


def to_glb(scene: trimesh.Scene, spec: AssetSpec) -> bytes:
    """GLB bytes of a Z-up scene, with one named glTF material per slot or part."""
    out = trimesh.Scene()
    for name, geom in scene.geometry.items():
        mesh = geom.copy()
        mesh.apply_transform(Z_UP_TO_Y_UP)
        if name in spec.part_materials:
            look = spec.part_materials[name]
            color, material = look.color, look.material
        else:
            color, material = spec.default_color or "gray", spec.default_material or "plastic"
        mesh.visual = trimesh.visual.TextureVisuals(material=_material(name, color, material))
        out.add_geometry(mesh, geom_name=name, node_name=name)
    return out.export(file_type="glb")


def load_glb(path: str | Path) -> trimesh.Scene:
    """A GLB written by the library, back in our axes (Z up, front -Y)."""
    scene = trimesh.load(str(path), file_type="glb", force="scene")
    back = np.linalg.inv(Z_UP_TO_Y_UP)
    for geom in scene.geometry.values():
        geom.apply_transform(back)
    return scene


def _matches(spec: AssetSpec, f: AssetFilter) -> bool:
    return spec.id in f.ids or spec.category in f.categories or bool(set(spec.tags) & set(f.tags))


class AssetLibrary:
    """Every asset a run may use, by id, in manifest order (built-ins first)."""

    def __init__(self, specs: Iterable[AssetSpec], cache_dir: Path | None = None) -> None:
        self._specs: dict[str, AssetSpec] = {}
        for spec in specs:
            if spec.id in self._specs:
                first = self._specs[spec.id].manifest_path
                raise AssetError(
                    f"{spec.manifest_path}: asset {spec.id!r}: id already defined in {first}"
                )
            self._specs[spec.id] = spec
        self.cache_dir = Path(cache_dir) if cache_dir else default_cache_dir()
        self._verified: dict[str, Path] = {}
        self._slot_cache: dict[str, dict[str, tuple[float, float]]] = {}
        self._shapes: dict[str, AssetSpec] = {}

    @classmethod
    def load(cls, assets_config: AssetsConfig | None = None, builtin: bool = True) -> AssetLibrary:
        """Built-in manifest + ``assets_config.manifests``, then include/exclude filters."""
        cfg = assets_config or AssetsConfig()
        specs: list[AssetSpec] = []
        paths = ([BUILTIN_MANIFEST] if builtin else []) + [Path(p) for p in cfg.manifests]
        for path in paths:
            specs.extend(Manifest.load(path).assets)
        every = cls(specs, cfg.cache_dir)
        for key, f in (("include", cfg.include), ("exclude", cfg.exclude)):
            if f is not None:
                every._check_filter(key, f)
        kept = [
            s
            for s in every
            if (cfg.include is None or _matches(s, cfg.include)) and not _matches(s, cfg.exclude)
        ]
        return cls(kept, cfg.cache_dir)

    def _check_filter(self, key: str, f: AssetFilter) -> None:
        """Unknown names in a filter are typos: fail loudly rather than filter nothing."""
        known = {
            "ids": set(self._specs),
            "categories": {s.category for s in self},
            "tags": {t for s in self for t in s.tags},
        }
        for field, valid in known.items():
            for name in getattr(f, field):
                if name not in valid:
                    raise AssetError(
                        f"assets.{key}.{field}: unknown {field[:-1].replace('ie', 'y')} "
                        f"{name!r}; {valid_names(valid)}"
                    )

    # --- lookup ------------------------------------------------------------------------------

    def __iter__(self) -> Iterator[AssetSpec]:
        return iter(self._specs.values())

    def __len__(self) -> int:
        return len(self._specs)

    def __contains__(self, asset_id: object) -> bool:
        if isinstance(asset_id, str) and SEP in asset_id:
            return asset_id in self.shapes(base_id(asset_id))
        return asset_id in self._specs

    @property
    def ids(self) -> list[str]:
        return list(self._specs)

    def get(self, asset_id: str) -> AssetSpec:
        """An asset by id; a shape id (``chair~slat-1a2b3c4d``) gives its asset with the
        variant's generator params and the shape id as its id (its GLB is cached apart)."""
        if SEP in asset_id:
            return self._shape_spec(asset_id)
        try:
            return self._specs[asset_id]
        except KeyError:
            raise AssetError(f"unknown asset id {asset_id!r}; {valid_names(self._specs)}") from None

    def shapes(self, asset_id: str) -> dict[str, dict]:
        """Shape id -> generator params of every variant of an asset ({}: one fixed shape)."""
        return variants(self.get(asset_id)) if asset_id in self._specs else {}

    def _shape_spec(self, shape_id: str) -> AssetSpec:
        if shape_id not in self._shapes:
            spec = self.get(base_id(shape_id))
            params = self.shapes(spec.id).get(shape_id)
            if params is None:
                raise AssetError(
                    f"unknown shape {shape_id!r} of asset {spec.id!r} (made by another version"
                    f" of its generator?); {valid_names(self.shapes(spec.id))}"
                )
            gen = spec.generator.model_copy(update={"params": params})
            self._shapes[shape_id] = spec.model_copy(update={"id": shape_id, "generator": gen})
        return self._shapes[shape_id]

    def select(
        self,
        placement: str | None = None,
        tags_any: Iterable[str] = (),
        categories: Iterable[str] | None = None,
        types: Iterable[str] = PHYSICAL_TYPES,
    ) -> list[AssetSpec]:
        """Placeable assets matching every given criterion (tags: at least one of them)."""
        tags, types = set(tags_any), set(types)
        cats = set(categories) if categories is not None else None
        return [
            s
            for s in self
            if s.type in types
            and (placement is None or s.placement == placement)
            and (not tags or tags & set(s.tags))
            and (cats is None or s.category in cats)
        ]

    def categories(self) -> list[str]:
        return sorted({s.category for s in self.select()})

    # --- geometry ----------------------------------------------------------------------------

    def build(self, asset_id: str) -> trimesh.Scene:
        """A generated asset at its exact nominal size (Z up, front -Y, origin bottom centre)."""
        spec = self.get(asset_id)
        if spec.generator is None:
            raise AssetError(f"{spec.manifest_path}: asset {asset_id!r}: not a generated asset")
        raw = spec.generator.resolve()(**spec.generator.params)
        if not isinstance(raw, trimesh.Scene):
            raw = trimesh.Scene(raw)
        scene, _, _ = normalise(raw, spec.size)
        return scene

    def _slots(self, asset_id: str) -> dict[str, tuple[float, float]]:
        """(area m², lowest z as a share of the asset's height) per material slot of a
        generated asset, built once ({} for a user's file)."""
        if asset_id not in self._slot_cache:
            spec = self.get(asset_id)
            slots: dict[str, tuple[float, float]] = {}
            if spec.generator is not None:
                height = spec.size[2] if spec.size else 0.0
                for name, geom in self.build(asset_id).geometry.items():
                    area, low = slots.get(name, (0.0, math.inf))
                    bottom = float(geom.bounds[0][2]) / height if height else math.inf
                    slots[name] = (area + float(getattr(geom, "area", 0.0)), min(low, bottom))
            self._slot_cache[asset_id] = slots
        return self._slot_cache[asset_id]

    def slot_areas(self, asset_id: str) -> dict[str, float]:
        """Surface area (m²) per material slot of a generated asset ({} for a user's file):
        how much of the object a recoloured slot covers (a car's body, not its windows)."""
        return {name: area for name, (area, _) in self._slots(asset_id).items()}

    def slot_bottom(self, asset_id: str, slot: str) -> float | None:
        """Height of a slot's lowest point as a share of the asset's height (None: no such
        slot, or a user's file): where a lamp's shade opens, so its light can get out."""
        bottom = self._slots(asset_id).get(slot, (0.0, math.inf))[1]
        return bottom if math.isfinite(bottom) else None

    def cache_key(self, spec: AssetSpec) -> str:
        """Content hash of everything that shapes a generated GLB."""
        assert spec.generator is not None
        payload = {
            "generator": spec.generator.path,
            "params": spec.generator.params,
            "size": list(spec.size or ()),
            "look": [
                spec.default_color,
                spec.default_material,
                spec.model_dump()["part_materials"],
            ],
            "materials": MATERIALS,  # glTF materials carry the table's values
            "engine": [diffforge.__version__, GENERATOR_VERSION],
        }
        blob = json.dumps(payload, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(blob.encode()).hexdigest()

    def glb_path(self, asset_id: str) -> Path:
        """A path the renderer can import: the cached GLB of a generated asset (made once),
        or the user's verified file for file-based assets."""
        spec = self.get(asset_id)
        if spec.file is not None:
            if asset_id not in self._verified:
                self._verified[asset_id] = spec.verify_file()
            return self._verified[asset_id]
        path = self.cache_dir / f"{spec.id}-{self.cache_key(spec)[:20]}.glb"
        if path.is_file():
            return path
        data = to_glb(self.build(asset_id), spec)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{spec.id}-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, path)  # atomic: parallel workers never see half a file
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return path
