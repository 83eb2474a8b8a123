"""What the renderer needs to know about an asset, and where it comes from.

The backend consumes ``RenderAsset`` only, so it does not depend on how a library stores its
manifest. ``LibraryResolver`` adapts ``diffforge.scenes.assets.AssetLibrary``; ``StaticResolver``
serves a fixed table (tests, user glTF files). Resolvers are pickled into worker processes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from diffforge.config import AssetsConfig
from diffforge.errors import AssetError


@dataclass(frozen=True)
class RenderAsset:
    id: str
    type: str  # generator | mesh | blend | rig | font | hdri | environment
    path: str | None = None  # GLB / .blend / font / .exr
    material_slots: tuple[str, ...] = ()  # recolourable material names in the file
    text_anchor: dict[str, Any] | None = None  # {location, normal, width, height}, asset-local
    bone_map: dict[str, str] | None = None
    tags: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)


MANNEQUIN = "characters:mannequin"  # the built-in rig's generator: an armature, not a GLB


class AssetResolver(Protocol):
    def resolve(self, asset_id: str) -> RenderAsset: ...


@dataclass
class ChainResolver:
    """The first resolver that knows the id wins (e.g. a user table before the library)."""

    resolvers: list[Any]

    def resolve(self, asset_id: str) -> RenderAsset:
        for r in self.resolvers[:-1]:
            try:
                return r.resolve(asset_id)
            except AssetError:
                continue
        return self.resolvers[-1].resolve(asset_id)


@dataclass
class StaticResolver:
    """A fixed table of assets (picklable)."""

    assets: dict[str, RenderAsset]

    def resolve(self, asset_id: str) -> RenderAsset:
        try:
            return self.assets[asset_id]
        except KeyError:
            raise AssetError(f"asset {asset_id!r}: not in the render asset table") from None


@dataclass
class LibraryResolver:
    """Adapts the scenes asset library; loaded lazily in the worker (it may build GLBs)."""

    config: AssetsConfig
    _library: Any = None

    def __getstate__(self) -> dict[str, Any]:
        return {"config": self.config, "_library": None}

    def _lib(self):
        if self._library is None:
            from diffforge.scenes.assets import AssetLibrary  # written alongside; lazy on purpose

            self._library = AssetLibrary.load(self.config)
        return self._library

    def resolve(self, asset_id: str) -> RenderAsset:
        lib = self._lib()
        spec = lib.get(asset_id)
        generator = spec.generator.path if spec.generator else None
        path: Path | None = None
        if generator == MANNEQUIN:
            path = None  # built as an armature by the backend, no file
        elif spec.type in {"generator", "mesh", "rig"} and (spec.file or generator):
            path = lib.glb_path(asset_id)
        elif spec.file:
            path = spec.verify_file() if spec.sha256 else spec.file_path
        return RenderAsset(
            id=spec.id,
            type=spec.type,
            path=str(path) if path else None,
            material_slots=tuple(getattr(spec, "material_slots", ()) or ()),
            text_anchor=_plain(getattr(spec, "text_anchor", None)),
            bone_map=_plain(getattr(spec, "bone_map", None)),
            tags=tuple(getattr(spec, "tags", ()) or ()),
            extra={
                "generator": generator,
                "params": _plain(spec.generator.params) if spec.generator else {},
                "part_materials": {
                    k: _plain(v) for k, v in (getattr(spec, "part_materials", None) or {}).items()
                },
                "default_color": getattr(spec, "default_color", None),
                "default_material": getattr(spec, "default_material", None),
                "up": getattr(spec, "up", None),
            },
        )


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, dict):
        return value
    if hasattr(value, "model_dump"):
        return value.model_dump()
    return dict(vars(value))
