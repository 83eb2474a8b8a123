"""``diffforge assets import DIR``: a folder of model files becomes validated manifest entries.

Files users bring (downloads, Objaverse GLBs, exports from any DCC tool) carry no manifest
facts, so the importer measures them: the bounding box with trimesh (a Blender subprocess for
``.blend``), the up axis (glTF is Y-up by its spec; OBJ is Y-up by convention; PLY and .blend
are taken as Z-up), the unit (a largest side above 20 is read as centimetres, above 2,000 as
millimetres, unless ``--scale`` says; 2 units across is flagged as Blender's primitive size), its
rotational symmetry about the up axis (``symmetry``: orientation changes fold turns by it and
leave round things alone), and the noun and category from a names file, Objaverse
annotations, or the file and folder names. A textured file keeps its look (captions never name
a colour the file does not declare); an untextured one gets a colourable material slot, so
colour and material changes act on it as on a built-in asset.
Every file that cannot be used gets one line saying why; nothing is written unless at least one
file could be used.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from diffforge.dataset.files import atomic_write_bytes
from diffforge.errors import AssetError, DiffforgeError
from diffforge.scenes.assets.manifest import Manifest, sha256_file
from diffforge.scenes.assets.symmetry import ANY_ANGLE, rotational_symmetry
from diffforge.vocabulary import singular

MESH_SUFFIXES = (".glb", ".gltf", ".obj", ".ply")
SUFFIXES = (*MESH_SUFFIXES, ".blend")
DEFAULT_UP = {".glb": "y", ".gltf": "y", ".obj": "y", ".ply": "z", ".blend": "z"}
SURFACE_MAX = 0.6  # m: smaller objects stand on tables and shelves, larger ones on the floor
PRIMITIVE_UNITS = 2.0  # Blender's default cube, sphere and cylinder are 2 units across ...
PRIMITIVE_SUGGESTED = 0.05  # ... and at this scale they are CLEVR's 10 cm objects
UNTEXTURED_SLOT = "body"  # the one material an untextured mesh gets (render/blender/assets.py)
UNTEXTURED_MATERIALS = ("plastic", "rubber", "metal", "glass", "wood")  # the first is its own
_NOISE = re.compile(r"^(v?\d+|final|lod\d*|low|high|poly|model|mesh|obj|export|new|copy)$")
_OBJAVERSE_UID = re.compile(r"^[0-9a-f]{32}$")

_BLEND_BOUNDS = r"""
import json, sys, bpy
import numpy as np
from diffforge.scenes.assets.symmetry import rotational_symmetry
out = {}
for path in sys.argv[1:]:
    try:
        bpy.ops.wm.open_mainfile(filepath=path)
    except Exception as exc:  # noqa: BLE001 - reported per file
        out[path] = {"error": str(exc).splitlines()[0]}
        continue
    unit = bpy.context.scene.unit_settings.scale_length or 1.0
    dg = bpy.context.evaluated_depsgraph_get()
    tris, slots, textured = [], [], False
    for o in bpy.data.objects:
        if o.type != "MESH":
            continue
        ev = o.evaluated_get(dg)
        me = ev.to_mesh()
        me.calc_loop_triangles()
        co = np.empty(len(me.vertices) * 3)
        me.vertices.foreach_get("co", co)
        mw = np.array(ev.matrix_world)
        co = co.reshape(-1, 3) @ mw[:3, :3].T + mw[:3, 3]
        idx = np.empty(len(me.loop_triangles) * 3, np.int64)
        me.loop_triangles.foreach_get("vertices", idx)
        tris.append(co[idx.reshape(-1, 3)] * unit)
        textured |= bool(len(me.color_attributes))
        ev.to_mesh_clear()
        for m in o.data.materials:
            if m is None:
                continue
            slots.append(m.name)
            nodes = m.node_tree.nodes if m.node_tree else []
            textured |= any(n.bl_idname == "ShaderNodeTexImage" for n in nodes)
    tris = np.concatenate(tris) if tris else np.zeros((0, 3, 3))
    if not len(tris):
        out[path] = {"error": "no mesh in the file"}
        continue
    pts = tris.reshape(-1, 3)
    out[path] = {"extent": (pts.max(0) - pts.min(0)).tolist(),
                 "symmetry": rotational_symmetry(tris), "untextured": not textured,
                 "slots": list(dict.fromkeys(slots))}
print("BOUNDS" + json.dumps(out))
"""


@dataclass
class ImportResult:
    manifest: dict[str, Any]
    used: list[dict[str, Any]] = field(default_factory=list)  # per asset: id, file, notes
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)


def words_of(name: str) -> list[str]:
    """'OfficeChair_02-final' -> ['office', 'chair']."""
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name)
    words = [w.lower() for w in re.split(r"[\s_\-.]+", spaced) if w]
    return [w for w in words if not _NOISE.match(w) and not w.isdigit()]


@dataclass
class Measured:
    """What a model file says of itself, in its own axes and units."""

    sides: np.ndarray  # bounding-box sides
    tris: np.ndarray | None = None  # T×3×3 world triangles (None: not read, a .blend)
    untextured: bool = False  # no image, no vertex or face colours: its colour is ours to give
    slots: list[str] = field(default_factory=list)  # its material names, where it has any
    symmetry: int | None = None  # measured in Blender (a .blend); else from ``tris``


def _measure_mesh(path: Path) -> Measured:
    """Sides, triangles and look of a mesh file (trimesh, no Blender)."""
    import trimesh

    try:
        scene = trimesh.load(str(path), force="scene")
    except Exception as exc:
        raise AssetError(f"cannot read ({type(exc).__name__}: {str(exc)[:80]})") from None
    if not scene.geometry:
        raise AssetError("no mesh in the file")
    bounds = scene.bounds
    if bounds is None or not np.all(np.isfinite(bounds)):
        raise AssetError("no mesh in the file")
    meshes = [g for g in scene.geometry.values() if isinstance(g, trimesh.Trimesh)]
    untextured, slots = bool(meshes), []
    for g in meshes:
        visual = g.visual
        if visual.kind in ("vertex", "face"):  # colours painted on: keep them
            untextured = False
        material = getattr(visual, "material", None)
        if material is not None:
            image = getattr(material, "image", None) or getattr(material, "baseColorTexture", None)
            untextured &= image is None
            name = getattr(material, "name", None)
            if name and name not in slots:
                slots.append(str(name))
    try:
        tris = scene.to_geometry().triangles
    except Exception:  # symmetry is then unmeasured; the size still holds
        tris = None
    return Measured(np.asarray(bounds[1] - bounds[0], dtype=float), tris, untextured, slots)


def _measure_blends(paths: list[Path], python: str = sys.executable) -> dict[Path, Any]:
    """Sides of every .blend's meshes (Z-up, metres via the scene's unit scale): one bpy run."""
    if not paths:
        return {}
    try:
        proc = subprocess.run(
            [python, "-c", _BLEND_BOUNDS, *map(str, paths)],
            capture_output=True,
            text=True,
            timeout=300,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return {p: AssetError(f"Blender could not measure it ({exc})") for p in paths}
    line = next((x for x in proc.stdout.splitlines() if x.startswith("BOUNDS")), None)
    if line is None:
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        return {p: AssetError(f"Blender could not measure it ({last})") for p in paths}
    found = json.loads(line[len("BOUNDS") :])
    out: dict[Path, Any] = {}
    for p in paths:
        info = found.get(str(p), {"error": "not measured"})
        out[p] = (
            AssetError(f"cannot read ({info['error']})")
            if "error" in info
            else Measured(
                np.asarray(info["extent"], dtype=float),
                untextured=info["untextured"],
                slots=info["slots"],
                symmetry=info["symmetry"],
            )
        )
    return out


def _names_table(path: Path | None) -> dict[str, dict[str, Any]]:
    """``{stem or relative path or uid: {noun?, category?, tags?, license?, placement?, scale?,
    up?}}``, or Objaverse annotations ``{uid: {name, categories: [{name}], tags: [{name}],
    license}}``, normalised to the first form."""
    if path is None:
        return {}
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DiffforgeError(f"--names {path}: cannot read ({exc})") from None
    if not isinstance(data, dict):
        raise DiffforgeError(f"--names {path}: expected an object keyed by file stem or uid")
    table: dict[str, dict[str, Any]] = {}
    for key, entry in data.items():
        if not isinstance(entry, dict):
            raise DiffforgeError(f"--names {path}: entry {key!r}: expected an object")
        if "name" in entry and "noun" not in entry:  # Objaverse annotations
            cats = [c.get("name", "") for c in entry.get("categories") or [] if isinstance(c, dict)]
            words = words_of(str(entry["name"]))
            entry = {
                "noun": " ".join(words) or None,
                "category": singular(words[-1]) if words else (cats[0] if cats else None),
                "license": entry.get("license"),
                "source": f"objaverse:{key}",
            }
        table[str(key)] = {k: v for k, v in entry.items() if v is not None}
    return table


def _describe(rel: Path, given: dict[str, Any]) -> tuple[str, str]:
    """(noun, category) from the names table, else from the file and folder names."""
    words = words_of(rel.stem)
    noun = given.get("noun") or (" ".join(words[-3:]) if words else "")
    folder = words_of(rel.parent.name) if rel.parent != Path(".") else []
    category = given.get("category") or (
        singular(folder[-1]) if folder else (singular(words[-1]) if words else "")
    )
    return noun or category, category or (singular(noun.split()[-1].lower()) if noun else "")


def _unit_scale(side: float) -> tuple[float, str | None]:
    if side > 2000:
        return 0.001, "read as millimetres"
    if side > 20:
        return 0.01, "read as centimetres"
    return 1.0, None


def _slug(rel: Path, taken: set[str]) -> str:
    base = re.sub(r"[^A-Za-z0-9_.-]+", "_", rel.with_suffix("").as_posix()).strip("_.-") or "asset"
    slug, k = base, 2
    while slug in taken:
        slug, k = f"{base}_{k}", k + 1
    taken.add(slug)
    return slug


def import_assets(
    folder: Path,
    out: Path,
    *,
    scale: float | None = None,
    up: str | None = None,
    names: Path | None = None,
    license: str = "unknown",
    source: str | None = None,
    tags: tuple[str, ...] = (),
) -> ImportResult:
    """Measure every model file under ``folder`` and write the manifest ``out`` (atomically).

    ``scale`` multiplies the measured size (None: guess the unit); ``up`` forces the up axis of
    every file (None: by format). File paths in the manifest are relative to ``out``.
    """
    folder, out = Path(folder), Path(out)
    if not folder.is_dir():
        raise DiffforgeError(f"{folder}: not a folder")
    if up not in (None, "y", "z"):
        raise DiffforgeError(f"--up {up!r}: valid: auto, y, z")
    table = _names_table(names)
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
    if not files:
        raise DiffforgeError(f"{folder}: no {'/'.join(SUFFIXES)} files")
    blends = _measure_blends([p for p in files if p.suffix.lower() == ".blend"])
    result = ImportResult(manifest={})
    taken: set[str] = set()
    assets = []
    for path in files:
        rel = path.relative_to(folder)
        given = table.get(rel.as_posix()) or table.get(path.stem) or {}
        try:
            measured = blends[path] if path in blends else _measure_mesh(path)
            if isinstance(measured, Exception):
                raise measured
            entry, notes = _entry(path, rel, out, measured, given, scale, up, license, source, tags)
        except AssetError as exc:
            result.skipped.append((rel.as_posix(), str(exc)))
            continue
        entry["id"] = _slug(rel, taken)
        assets.append(entry)
        result.used.append({"id": entry["id"], "file": rel.as_posix(), "notes": notes, **entry})
    result.manifest = {
        "name": f"imported-{folder.name}",
        "version": "1",
        "license": license,
        "description": f"Imported by `diffforge assets import {folder}`.",
        "assets": assets,
    }
    if not assets:
        why = "; ".join(f"{f}: {r}" for f, r in result.skipped[:3])
        raise DiffforgeError(f"{folder}: no file could be used ({why})")
    # validate exactly as a run will load it, before anything is written
    out.parent.mkdir(parents=True, exist_ok=True)
    Manifest.from_dict(json.loads(json.dumps(result.manifest)), out.resolve())
    atomic_write_bytes(out, (json.dumps(result.manifest, indent=1) + "\n").encode())
    return result


def _entry(
    path: Path,
    rel: Path,
    out: Path,
    measured: Measured,
    given: dict[str, Any],
    scale: float | None,
    up: str | None,
    license: str,
    source: str | None,
    tags: tuple[str, ...],
) -> tuple[dict[str, Any], list[str]]:
    notes: list[str] = []
    suffix = path.suffix.lower()
    axis = given.get("up") or up or DEFAULT_UP[suffix]
    if suffix == ".blend":
        axis = "z"  # Blender files are Z-up whatever the option says
    sides = measured.sides
    size = (sides[0], sides[2], sides[1]) if axis == "y" else tuple(sides)
    if min(size) <= 0:
        flat = [i for i, s in enumerate(size) if s <= 0]
        if len(flat) > 1:
            raise AssetError("degenerate geometry (zero size along two axes)")
        size = tuple(max(s, 1e-3 * max(size)) for s in size)  # a flat sign or poster
    k = float(given.get("scale") or scale or 0.0)
    if not k:
        k, unit_note = _unit_scale(max(size))
        if unit_note:
            notes.append(unit_note)
        if abs(max(size) - PRIMITIVE_UNITS) <= 0.02 * PRIMITIVE_UNITS:
            notes.append(
                f"{PRIMITIVE_UNITS:g} units across, as Blender's primitives are: read as metres; "
                f"for {PRIMITIVE_SUGGESTED * PRIMITIVE_UNITS * 100:g} cm tabletop objects "
                f"import with --scale {PRIMITIVE_SUGGESTED:g}"
            )
    size = tuple(round(float(s) * k, 4) for s in size)
    noun, category = _describe(rel, given)
    if not noun or not category:
        raise AssetError("no noun or category: name the file or give it in --names")
    placement = given.get("placement") or ("surface" if max(size) <= SURFACE_MAX else "floor")
    kind = "blend" if suffix == ".blend" else "mesh"
    default_tags = ["indoor", "tabletop"] if placement == "surface" else ["indoor"]
    entry: dict[str, Any] = {
        "type": kind,
        "file": Path(_relative(path, out)).as_posix(),
        "sha256": sha256_file(path),
        "license": str(given.get("license") or license),
        "source": str(given.get("source") or source or rel.as_posix()),
        "category": category,
        "noun": noun,
        "placement": placement,
        "size": list(size),
        "tags": sorted({*default_tags, "imported", *tags, *given.get("tags", [])}),
    }
    if kind == "mesh":
        entry["up"] = axis
    notes.append(f"{axis}-up")
    order = measured.symmetry
    if order is None and measured.tris is not None and len(measured.tris):
        tris = measured.tris[..., [0, 2, 1]] if axis == "y" else measured.tris  # Z up
        order = rotational_symmetry(tris)
    if order is not None:
        entry["symmetry"] = order
        if order == ANY_ANGLE:
            entry["tags"] = sorted({*entry["tags"], "symmetric"})
        notes.append("round" if order == ANY_ANGLE else f"{order}-fold")
    if measured.untextured and "material_slots" not in given:
        # nothing of its own to show: coloured and given a material like a built-in asset
        entry["material_slots"] = measured.slots or [UNTEXTURED_SLOT]
        entry["default_material"] = UNTEXTURED_MATERIALS[0]
        entry["materials"] = list(UNTEXTURED_MATERIALS)
        notes.append("untextured: takes colours and materials")
    return entry, notes


def _relative(path: Path, out: Path) -> str:
    import os

    return os.path.relpath(path.resolve(), out.resolve().parent)
