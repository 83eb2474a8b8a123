"""A user's .blend as the environment: its scanned supports, lamps, cameras and objects (from the
``<file>.blend.json`` sidecar that ``diffforge scan-env`` writes), with library objects added."""

from __future__ import annotations

import functools
import json
from pathlib import Path

from diffforge.config import GenerateConfig
from diffforge.errors import ConfigError
from diffforge.scenes.environments.composition import (
    Composition,
    count_budget,
    fill,
    start_composition,
)
from diffforge.scenes.file_objects import PREFIX, check_user_edits, file_instances, sidecar_path
from diffforge.scenes.instances import choose
from diffforge.scenes.model import Camera, Environment, Light, ObjectInstance, Scene
from diffforge.scenes.placement import Surface


def load_environment_info(blend: Path) -> dict:
    """Support surfaces and camera candidates of a user .blend, from ``<blend>.json``.

    ``diffforge scan-env`` writes this sidecar in a Blender subprocess (the sampler never
    imports bpy); see diffforge/render/environment_scan.py for the custom properties it reads.
    """
    side = sidecar_path(blend)
    if not Path(blend).is_file():
        raise ConfigError(f"assets.environment: {blend}: .blend file not found")
    if not side.is_file():
        raise ConfigError(f"assets.environment: {side}: scan the .blend first (diffforge scan-env)")
    stat = side.stat()
    return _read_sidecar(str(side), (stat.st_mtime_ns, stat.st_size))


@functools.lru_cache(maxsize=8)
def _read_sidecar(side: str, stamp: tuple[int, int]) -> dict:
    """One version (``stamp``: its mtime and size) of a sidecar, read and checked once: the sampler
    asks for it at every scene it composes and every placer it makes (a tenth of its time
    was reading it again). Shared: callers only read it."""
    info = json.loads(Path(side).read_text())
    if not any(s.get("kind") == "floor" for s in info.get("surfaces", [])):
        raise ConfigError(f"assets.environment: {side}: no surface tagged diffforge_surface=floor")
    check_user_edits(Path(side), info.get("objects", []))
    return info


def compose_environment(
    rng, cfg: GenerateConfig, library, wants: frozenset[str] = frozenset()
) -> Composition:
    """A user .blend: surfaces and cameras come from its sidecar JSON (``<file>.json``)."""
    blend = cfg.assets.environment
    info = load_environment_info(blend)
    env = Environment(  # the file's floor and walls are the file's: no invented colours
        layout="environment",
        extent=tuple(info["extent"]),
        blend_file=str(blend),
        floor_color=floor_colour(info),
        floor_material=None,
        wall_color=None,
        wall_material=None,
        trim_color=None,
    )
    comp = start_composition(rng, cfg, library, env)
    comp.placer.surfaces.clear()
    for surface in environment_surfaces(info):
        comp.placer.surfaces[surface.id] = surface
    ids = surface_ids(info)
    own = file_instances(info, lambda entry: ids.get(entry.get("on") or "", "floor"))
    for obj in own:
        comp.scene.objects.append(obj)  # the file's own objects: change targets too
        comp.placer.add(obj)
    # scene.objects counts the file's own objects too: ours fill up to the drawn count, but
    # at least one per change a pair may draw, for changes drawn for library objects to find
    # theirs (``changes.file_objects``): a file as full as the count left those few or none
    budget = max(count_budget(rng, cfg) - len(own), max(cfg.changes.per_pair))
    small = [s for s in library.select(placement="surface") if "clevr" not in s.tags]
    # tables and shelves first; the floor too where they are small (a pedestal, a backdrop)
    on_top = comp.placer.candidates({"surface"})
    if sum(4 * s.half[0] * s.half[1] for s in on_top) < 1.0:
        on_top += comp.placer.candidates({"floor"})
    fill(rng, comp, small, on_top, budget, budget * 5)
    comp.scene.lights = environment_lights(info) or [
        Light(id="fill", type="area", location=(0.0, 0.0, 3.0), energy=200.0, name="light")
    ]
    if info.get("cameras"):
        cam = choose(rng, info["cameras"])
        comp.scene.camera = Camera(
            location=tuple(cam["location"]),
            look_at=tuple(cam["look_at"]),
            lens=cam.get("lens", 35.0),
        )
        comp.framed = True
    return comp


def file_lacks(info: dict) -> dict[str, str]:
    """Scene features (``environments.FEATURES``) a user's file cannot compose, with why: a
    text change needs a sign of the file's own (the library objects placed in a file stand on
    its surfaces, and none has a sign), a pose change a person (none is placed in a file, and
    its own objects are not posed). Known from the scan, so the sampler leaves those types
    out up front: drawn, each fell back after every scene of its pair (chains of 6-8)."""
    changeable = [o for o in info.get("objects", []) if o.get("changeable")]
    out = {"person": "no person"}
    if not any(o.get("text") is not None for o in changeable):
        out["text"] = "no sign or text object that may change"
    return out


def floor_colour(info: dict) -> str | None:
    """The named colour the scan measured on the object that holds the file's floor (a
    missing texture renders pink), or None: the colour change reads it as the light the floor
    bounces (``scenes.lighting.lit_srgb``)."""
    floor = next((s for s in info["surfaces"] if s["kind"] == "floor"), None)
    owner = (floor or {}).get("object")
    return next((o.get("color") for o in info.get("objects", []) if o["name"] == owner), None)


def environment_surfaces(info: dict, scene: Scene | None = None) -> list[Surface]:
    """The supports a scan found, as placer surfaces (the first floor is "floor"). The top of
    a file object that may change holds things only while the object is where the file has
    it (``scene``: the scene the placer is for). Objects that may not change keep their
    ground: a user who marks one fixed after the scan still gets nothing placed into it."""
    ids = surface_ids(info)
    objects = {o["name"]: o for o in info.get("objects", [])}
    out: list[Surface] = []
    for s in info["surfaces"]:
        sid = ids.get(s["name"])
        if sid is None:
            continue
        if sid.startswith(PREFIX) and scene is not None:
            obj = scene.find(sid)
            if obj is None or not _where_scanned(obj, objects[sid[len(PREFIX) :]]):
                continue
        kind = "floor" if sid == "floor" else "surface"
        out.append(Surface(sid, kind, tuple(s["center"]), tuple(s["half"]), s["height"]))
    by_id = {x.id: x for x in out}
    owner = {ids.get(s["name"]): s.get("object") for s in info["surfaces"]}
    for o in objects.values():
        surface = by_id.get(ids.get(o.get("on") or ""))
        if o.get("changeable") or surface is None or owner.get(surface.id) == o["name"]:
            continue
        lo, hi = o["min"], o["max"]
        surface.occupy((lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2,
                       (hi[0] - lo[0]) / 2, (hi[1] - lo[1]) / 2, owner=f"fixed:{o['name']}")  # fmt: skip
    return out


def surface_ids(info: dict) -> dict[str, str]:
    """Surface name in the sidecar -> placer id: "floor" for the first floor, the object's id
    (``file:<name>``) for the top of a file object that may change (its first rectangle: it
    holds things as a library table does), else ``surface:<name>``."""
    changeable = {o["name"] for o in info.get("objects", []) if o.get("changeable")}
    out: dict[str, str] = {}
    for s in info["surfaces"]:
        holder = s.get("object") if s.get("object") in changeable else None
        if s["kind"] == "floor" and "floor" not in out.values():
            out[s["name"]] = "floor"
        elif holder is not None:
            if f"{PREFIX}{holder}" not in out.values():
                out[s["name"]] = f"{PREFIX}{holder}"
        else:
            out[s["name"]] = f"surface:{s['name']}"
    return out


def _where_scanned(obj: ObjectInstance, entry: dict) -> bool:
    """Whether a file object stands as the file has it (not moved, turned or resized)."""
    lo, hi = entry["min"], entry["max"]
    x, y, z = obj.transform.location
    same = abs(x - (lo[0] + hi[0]) / 2) + abs(y - (lo[1] + hi[1]) / 2) + abs(z - lo[2]) < 1e-4
    return same and obj.transform.scale == 1.0 and obj.transform.rotation == (0.0, 0.0, 0.0)


def environment_lights(info: dict) -> list[Light]:
    """The file's own lamps (id "file:<name>"): illumination changes act on them, and the
    renderer changes those lamps in the file rather than adding lights of its own."""
    kinds = {"point": "point", "spot": "spot", "area": "area", "sun": "sun"}
    return [
        Light(
            id=f"file:{lamp['name']}",
            type=kinds.get(lamp.get("type", "point"), "point"),
            location=tuple(lamp.get("location", (0.0, 0.0, 3.0))),
            energy=float(lamp.get("energy", 100.0)),
            rgb=tuple(lamp.get("rgb", (1.0, 1.0, 1.0))),
            size=float(lamp.get("size", 0.25)),
            name="sun" if lamp.get("type") == "sun" else "lamp",
        )
        for lamp in info.get("lights", [])
    ]
