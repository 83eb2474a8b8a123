"""The asset manifest: a validated JSON list of assets, built-in or the user's.

A manifest is ``{name, version, license, description?, assets: [...]}``. Each asset is either
made by a generator (``"pkg.mod:function"`` plus params; a module without a dot is looked up in
``diffforge.scenes.assets``) or read from a file next to the manifest, pinned by its sha256.
Every problem is one AssetError line naming the manifest, the asset id and, for files, the path.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

from diffforge.errors import AssetError, valid_names
from diffforge.vocabulary import COLORS, MATERIALS

AssetType = Literal["generator", "mesh", "blend", "rig", "font", "hdri", "environment"]
Placement = Literal["floor", "surface", "wall", "ground", "hanging"]
PHYSICAL_TYPES = ("generator", "mesh", "blend", "rig")  # things placed in a scene
FILE_SUFFIXES: dict[str, tuple[str, ...]] = {
    "mesh": (".glb", ".gltf", ".obj", ".ply"),
    "rig": (".glb", ".gltf"),
    "blend": (".blend",),
    "font": (".ttf", ".otf"),
    "hdri": (".exr", ".hdr"),
    "environment": (".blend",),
}
Vec3 = tuple[float, float, float]
RIG_HEIGHT = (0.2, 3.0)  # metres: what a humanoid rig's declared height may be


def _canonical_bones() -> tuple[str, ...]:
    from diffforge.scenes.assets.characters import CANONICAL_BONES

    return CANONICAL_BONES


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Generator(_Model):
    path: str = Field(pattern=r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$")  # "pkg.mod:function"
    params: dict = Field(default_factory=dict)

    def resolve(self) -> Callable:
        """Import the function (ImportError / AttributeError when it does not exist)."""
        module, func = self.path.split(":")
        if "." not in module:
            module = f"diffforge.scenes.assets.{module}"
        fn = getattr(importlib.import_module(module), func)
        if not callable(fn):
            raise AttributeError(f"{self.path} is not callable")
        return fn


class TextAnchor(_Model):
    """The writable face of a text-bearing asset at nominal size (asset-local metres)."""

    location: Vec3
    normal: Vec3
    width: float = Field(gt=0)
    height: float = Field(gt=0)


class PartMaterial(_Model):
    """The fixed look of a geometry that is not a recolourable slot (legs, glass, screen)."""

    color: str
    material: str


class AssetSpec(_Model):
    id: str = Field(pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
    type: AssetType
    generator: Generator | None = None
    file: str | None = None
    sha256: str | None = Field(default=None, pattern=r"^[0-9a-fA-F]{64}$")
    up: Literal["y", "z"] | None = None  # file's up axis; default y for glTF, z otherwise
    license: str
    source: str
    category: str = ""
    noun: str = ""
    synonyms: list[str] = Field(default_factory=list)
    placement: Placement | None = None
    holds_objects: bool = False
    surface_height: float | None = Field(default=None, gt=0)
    size: Vec3 | None = None  # nominal bounding box (x, y, z) m, origin at the bottom centre
    material_slots: list[str] = Field(default_factory=list)
    part_materials: dict[str, PartMaterial] = Field(default_factory=dict)
    default_color: str | None = None
    default_material: str | None = None
    colors: list[str] | None = None
    materials: list[str] | None = None
    tags: list[str] = Field(default_factory=list)
    # n-fold rotational symmetry about the up axis (a turn by 360°/n looks the same); 0: any
    # angle (a sphere: tag it "symmetric" too, and orientation changes leave it alone)
    symmetry: int | None = Field(default=None, ge=0, le=64)
    text_anchor: TextAnchor | None = None
    bone_map: dict[str, str] | None = None  # asset bone name -> canonical bone

    _manifest: Path | None = PrivateAttr(default=None)

    @property
    def manifest_path(self) -> Path | None:
        return self._manifest

    @property
    def file_path(self) -> Path | None:
        """The absolute path of ``file`` (relative to the manifest it came from)."""
        if self.file is None:
            return None
        base = self._manifest.parent if self._manifest else Path.cwd()
        return (base / self.file).resolve()

    @model_validator(mode="after")
    def _check(self) -> AssetSpec:
        if self.type == "generator" and self.generator is None:
            raise ValueError("type 'generator' needs a 'generator' {path, params}")
        if self.type not in ("generator", "rig") and self.generator is not None:
            raise ValueError(f"type {self.type!r} takes a 'file', not a 'generator'")
        if (self.generator is None) == (self.file is None):
            raise ValueError("give exactly one of 'generator' and 'file'")
        if self.file is not None:
            if self.sha256 is None:
                raise ValueError(f"file {self.file!r} needs its 'sha256'")
            suffixes = FILE_SUFFIXES[self.type]
            if not self.file.lower().endswith(suffixes):
                raise ValueError(
                    f"file {self.file!r} of type {self.type!r} must end with {'/'.join(suffixes)}"
                )
        if self.type in PHYSICAL_TYPES:
            for key in ("category", "noun", "placement", "size"):
                if not getattr(self, key):
                    raise ValueError(f"type {self.type!r} needs {key!r}")
            if min(self.size) <= 0:
                raise ValueError(f"size must be positive, found {list(self.size)}")
        if self.holds_objects:
            if self.surface_height is None:
                raise ValueError("holds_objects needs 'surface_height' (m)")
            if self.size and self.surface_height > self.size[2] + 1e-9:
                raise ValueError(
                    f"surface_height {self.surface_height} is above the top ({self.size[2]})"
                )
        for key in ("default_color",):
            _known(getattr(self, key), COLORS, "colour")
        for name in self.colors or []:
            _known(name, COLORS, "colour")
        _known(self.default_material, MATERIALS, "material")
        for name in self.materials or []:
            _known(name, MATERIALS, "material")
        for part, look in self.part_materials.items():
            _known(look.color, COLORS, f"colour (part {part!r})")
            _known(look.material, MATERIALS, f"material (part {part!r})")
        if self.colors and self.default_color and self.default_color not in self.colors:
            raise ValueError(f"default_color {self.default_color!r} is not in colors {self.colors}")
        if self.symmetry == 0 and "symmetric" not in self.tags:
            raise ValueError("symmetry 0 (any angle) goes with the tag 'symmetric'")
        if ("text" in self.tags) != (self.text_anchor is not None):
            raise ValueError("tag 'text' and 'text_anchor' go together")
        if self.bone_map is not None:
            if self.type != "rig":
                raise ValueError("only rigs have a 'bone_map'")
            canon = _canonical_bones()
            for own, bone in self.bone_map.items():
                if bone not in canon:
                    raise ValueError(
                        f"bone_map {own!r} -> {bone!r}: not a canonical bone; {valid_names(canon)}"
                    )
            if len(set(self.bone_map.values())) != len(self.bone_map):
                raise ValueError("bone_map maps two bones onto one canonical bone")
        elif self.type == "rig" and self.file is not None:
            raise ValueError("a rig file needs a 'bone_map' {asset bone: canonical bone}")
        lo, hi = RIG_HEIGHT
        if self.type == "rig" and not lo <= self.size[2] <= hi:  # the renderer fits to it
            raise ValueError(
                f"size is in metres: a rig {self.size[2]:g} tall is outside {lo:g}-{hi:g} m"
            )
        return self

    def verify_file(self) -> Path:
        """The file's path after checking it exists and matches its sha256."""
        path = self.file_path
        if path is None:
            raise AssetError(f"{self._manifest}: asset {self.id!r}: has no file")
        if not path.is_file():
            raise AssetError(f"{self._manifest}: asset {self.id!r}: file not found: {path}")
        digest = sha256_file(path)
        if digest.lower() != (self.sha256 or "").lower():
            raise AssetError(
                f"{self._manifest}: asset {self.id!r}: sha256 mismatch for {path}: "
                f"manifest says {self.sha256}, file has {digest}"
            )
        return path


def _known(name: str | None, table: dict, what: str) -> None:
    if name is not None and name not in table:
        raise ValueError(f"unknown {what} {name!r}; {valid_names(table)}")


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


class Manifest(_Model):
    name: str
    version: str
    license: str
    description: str = ""
    assets: list[AssetSpec]

    _path: Path | None = PrivateAttr(default=None)

    @property
    def path(self) -> Path | None:
        return self._path

    @classmethod
    def load(cls, path: str | Path, verify_files: bool = True) -> Manifest:
        """Read and validate a manifest; files are checked (exists + sha256) unless told not to."""
        path = Path(path).resolve()
        try:
            data = json.loads(path.read_text())
        except FileNotFoundError:
            raise AssetError(f"{path}: manifest not found") from None
        except (OSError, json.JSONDecodeError) as e:
            raise AssetError(f"{path}: cannot read manifest: {e}") from None
        return cls.from_dict(data, path, verify_files)

    @classmethod
    def from_dict(cls, data: object, path: Path, verify_files: bool = True) -> Manifest:
        try:
            manifest = cls.model_validate(data)
        except ValidationError as e:
            raise AssetError(_one_line(e, data, path)) from None
        manifest._path = path
        seen: set[str] = set()
        for spec in manifest.assets:
            spec._manifest = path
            if spec.id in seen:
                raise AssetError(f"{path}: asset {spec.id!r}: duplicate id")
            seen.add(spec.id)
            if spec.generator is not None:
                try:
                    spec.generator.resolve()
                except (ImportError, AttributeError) as e:
                    raise AssetError(
                        f"{path}: asset {spec.id!r}: generator {spec.generator.path!r} "
                        f"does not import: {e}"
                    ) from None
            if verify_files and spec.file is not None:
                spec.verify_file()
        return manifest


def _one_line(err: ValidationError, data: object, path: Path) -> str:
    """The first validation error as '<manifest>: asset <id>: <field>: <problem>'."""
    first = err.errors()[0]
    loc = list(first["loc"])
    where = ""
    if len(loc) >= 2 and loc[0] == "assets" and isinstance(loc[1], int):
        asset = data["assets"][loc[1]] if isinstance(data, dict) else {}
        aid = asset.get("id", f"#{loc[1]}") if isinstance(asset, dict) else f"#{loc[1]}"
        where = f"asset {aid!r}: "
        loc = loc[2:]
    msg = re.sub(r"^Value error, ", "", first["msg"])
    if first["type"] == "literal_error":
        msg = f"{msg}, found {first.get('input')!r}"
    field = ".".join(str(p) for p in loc)
    return f"{path}: {where}{field + ': ' if field else ''}{msg}"
