"""A user .blend's own objects as change targets (pure Python: the scan and the sampler share it).

The scan (``render/blender_scan.py``) lists the file's objects in the sidecar with a noun, a
named colour and whether they may change; here those entries become ``ObjectInstance``s whose
asset id is ``file:<name>``, so every change operator acts on them as on inserted objects and
the renderer knows to change the file's object rather than build an asset. The sidecar is the
user's to edit: a rescan keeps what they changed (``merge_user_edits``).
"""

from __future__ import annotations

import functools
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from diffforge.scenes.model import Attributes, ObjectInstance, TextContent, Transform
from diffforge.srgb import linear_to_srgb
from diffforge.vocabulary import COLORS, MATERIALS, singular

PREFIX = "file:"
EDITABLE = ("noun", "changeable", "color")  # the sidecar keys a user may edit
_NUMBERED = re.compile(r"(\.\d+|\d+)$")  # "Cube.001", "Leg3"
_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")  # "SM_TableLamp" -> SM Table Lamp
_PREFIXES = {"sm", "geo", "mesh", "obj", "object", "prop", "mdl", "model"}


def sidecar_path(blend: str | Path) -> Path:
    """Where ``diffforge scan-env`` keeps what it read of a user's .blend: ``<file>.blend.json``
    beside it (the scan writes it; the sampler, the preflight and the renderer read it)."""
    return Path(str(blend) + ".json")


def is_file_object(obj: ObjectInstance) -> bool:
    return obj.asset.startswith(PREFIX)


def file_name(obj: ObjectInstance) -> str:
    """The object's name in the .blend (a duplicate carries the name of what it copies)."""
    return obj.asset[len(PREFIX) :]


@functools.lru_cache(maxsize=1)
def known_nouns() -> frozenset[str]:
    """Nouns and categories of the built-in assets: the words captions already use."""
    import json

    from diffforge.scenes.assets.library import BUILTIN_MANIFEST

    data = json.loads(BUILTIN_MANIFEST.read_text())
    assets = data["assets"] if isinstance(data, dict) else data
    return frozenset(
        w for a in assets for w in (a.get("noun"), a.get("category")) if w and w != "person"
    )


def guess_noun(name: str, known: frozenset[str] | None = None) -> str:
    """A caption noun from an object's name: numeric suffixes stripped, camelCase and
    underscores split, mapped to a known noun where one matches ("SM_Chair_01" -> "chair",
    "Cube.001" -> "cube"), else the cleaned name ("Pedestal" -> "pedestal")."""
    known = known_nouns() if known is None else known
    base = name
    while _NUMBERED.search(base):
        base = _NUMBERED.sub("", base)
    words = [w.lower() for w in _WORDS.findall(base) if not w.isdigit()]
    words = [w for w in words if w not in _PREFIXES] or ["object"]
    if not words:
        return "object"
    for n in (3, 2, 1):  # the longest known phrase ending the name, then anywhere in it
        for k in range(len(words) - n, -1, -1):
            phrase = " ".join(words[k : k + n])
            for cand in (phrase, " ".join([*words[k : k + n - 1], singular(words[k + n - 1])])):
                if cand in known:
                    return cand
    return " ".join(words[-2:])


def srgb(linear: tuple[float, ...]) -> tuple[float, float, float]:
    """Linear (a shader's base colour) to display sRGB, which the colour names are in."""
    r, g, b = linear_to_srgb(linear[:3]).tolist()
    return (r, g, b)


def nearest_color(rgb: tuple[float, ...]) -> str:
    """The vocabulary colour closest to an sRGB colour."""
    return min(
        COLORS, key=lambda n: sum((a - b) ** 2 for a, b in zip(COLORS[n], rgb[:3], strict=True))
    )


def merge_user_edits(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[dict]:
    """The new scan's objects, keeping a user's edits to ``noun``, ``changeable`` and
    ``color`` of objects that still exist (by name). An edit is a value that differs from what
    the old scan guessed (``guessed``); a tag in the file (``tagged``) still wins."""
    by_name = {o.get("name"): o for o in old}
    out = []
    for obj in new:
        prev = by_name.get(obj["name"])
        if prev is not None:
            guessed = prev.get("guessed", {})
            obj = dict(obj)
            for key in EDITABLE:
                edited = key in prev and (key not in guessed or prev[key] != guessed[key])
                if edited and key not in obj.get("tagged", ()):
                    obj[key] = prev[key]
        out.append(obj)
    return out


def check_user_edits(side, objects: list[dict[str, Any]]) -> None:
    """The fields a user may edit hold what the sampler can use: one line naming the object."""
    from diffforge.errors import ConfigError, valid_names

    for obj in objects:
        where = f"assets.environment: {side}: object {obj.get('name')!r}"
        if obj.get("color") is not None and obj["color"] not in COLORS:
            raise ConfigError(f"{where}: unknown colour {obj['color']!r}; {valid_names(COLORS)}")
        if not isinstance(obj.get("changeable", False), bool):
            raise ConfigError(f"{where}: changeable must be true or false")
        if obj.get("changeable") and not str(obj.get("noun") or "").strip():
            raise ConfigError(f"{where}: an object that may change needs a noun")


@dataclass
class FileObjectSpec:
    """What operators ask of an asset spec, for a file object (it has no manifest entry)."""

    id: str
    category: str
    noun: str
    size: tuple[float, float, float]
    default_color: str | None
    type: str = "file"
    placement: str = "surface"
    holds_objects: bool = False
    surface_height: float | None = None
    material_slots: list[str] = field(default_factory=lambda: ["file"])
    colors: list[str] | None = None
    materials: list[str] = field(default_factory=lambda: list(MATERIALS))
    default_material: str | None = None
    tags: list[str] = field(default_factory=list)
    text_anchor: None = None
    symmetry: int | None = None  # n-fold about the up axis (``file_symmetry``)


def asset_spec(library, obj: ObjectInstance):
    """The spec of an object's asset; a file object's is made from the instance itself."""
    if not is_file_object(obj):
        return library.get(obj.asset)
    return FileObjectSpec(
        id=obj.asset,
        category=obj.category,
        noun=obj.noun,
        size=tuple(d / obj.transform.scale for d in obj.dimensions),
        default_color=obj.attributes.color,
        tags=list(obj.tags),
        symmetry=file_symmetry(obj),
    )


# The tag a file object carries for the n-fold symmetry the scan measured (``fold-4``): a
# turn of a plain cube or crate is folded by it as a built-in box's is (the slab's cubes and
# centimetres' crates were turned as shapes with a front, by near quarter turns nobody sees).
FOLD_TAG = "fold-"


def file_symmetry(obj: ObjectInstance) -> int | None:
    """The n-fold symmetry of a file object from its ``FOLD_TAG`` tag; None where it has none
    (a shape with a front, or one that looks the same at any angle: tag ``symmetric``)."""
    for tag in obj.tags:
        if tag.startswith(FOLD_TAG):
            return int(tag[len(FOLD_TAG) :])
    return None


def duplicate(obj: ObjectInstance, new_id: str) -> ObjectInstance:
    """A copy of a file object (the renderer makes a linked duplicate of the original)."""
    dup = obj.clone()
    dup.id = new_id
    return dup


def file_instances(info: dict, support_of) -> list[ObjectInstance]:
    """The changeable objects of a scanned file as instances (id and asset ``file:<name>``),
    standing on the support ``support_of(entry)`` names; the box is in metres."""
    out = []
    for entry in info.get("objects", []):
        if not entry.get("changeable"):
            continue
        lo, hi = entry["min"], entry["max"]
        dims = tuple(round(max(h - lo_, 1e-4), 6) for lo_, h in zip(lo, hi, strict=True))
        loc = (round((lo[0] + hi[0]) / 2, 6), round((lo[1] + hi[1]) / 2, 6), round(lo[2], 6))
        color = entry.get("color")
        noun = entry["noun"]
        text = None
        if entry.get("text") is not None:
            tc = entry.get("text_color") if entry.get("text_color") in COLORS else "black"
            text = TextContent(string=entry["text"], color=tc, rgb=COLORS[tc])
        tags = ["file"] if text is not None else ["countable", "file"]  # a sign is not counted
        tags += [t for t in ("symmetric", "bare_text") if entry.get(t)]
        if int(entry.get("symmetry") or 1) > 1:  # n-fold about the up axis, as the scan measured
            tags.append(f"{FOLD_TAG}{int(entry['symmetry'])}")
        out.append(
            ObjectInstance(
                id=f"{PREFIX}{entry['name']}",
                asset=f"{PREFIX}{entry['name']}",
                category=noun,
                noun=noun,
                # no size word: "medium" says nothing of an object nobody sized from a norm
                attributes=Attributes(color=color, rgb=COLORS.get(color) if color else None),
                transform=Transform(location=loc),
                dimensions=dims,
                support=support_of(entry),
                text=text,
                tags=tags,
            )
        )
    return out


# A fixed box this close above the floor hides nothing that stands on it (the floor's slab).
_FLOOR_SLACK = 1e-3


def fixed_boxes(blend: str | Path) -> tuple[tuple[tuple[float, ...], tuple[float, ...]], ...]:
    """The boxes (centre, size; metres) of a scanned file's objects that may not change and
    render, as opaque occluders for the visibility prediction: a table's top over a pan on
    the floor, its legs in front of a box. Each is cut at its lowest top the scan found
    things stand on (a table's box ends at its top, a backdrop's at its floor), and what lies
    at the floor or under it is left out. Empty where the sidecar is missing."""
    side = str(sidecar_path(blend))
    try:
        stat = os.stat(side)
    except OSError:
        return ()
    return _fixed_boxes(side, (stat.st_mtime_ns, stat.st_size))


@functools.lru_cache(maxsize=16)
def _fixed_boxes(
    side: str, stamp: tuple[int, int]
) -> tuple[tuple[tuple[float, ...], tuple[float, ...]], ...]:
    """``fixed_boxes`` of one version of a sidecar (``stamp``: its mtime and size)."""
    import json

    info = json.loads(Path(side).read_text())
    shown = set(info.get("render_objects") or ())
    floor = min((s["height"] for s in info.get("surfaces", []) if s.get("kind") == "floor"),
                default=0.0)  # fmt: skip
    tops: dict[str, float] = {}
    for s in info.get("surfaces", []):
        owner = s.get("object")
        if owner is not None:
            tops[owner] = min(tops.get(owner, math.inf), float(s["height"]))
    out = []
    for obj in info.get("objects", []):
        if obj.get("changeable") or (shown and obj["name"] not in shown):
            continue
        lo, hi = list(map(float, obj["min"])), list(map(float, obj["max"]))
        hi[2] = min(hi[2], tops.get(obj["name"], math.inf))
        if hi[2] <= max(lo[2], floor + _FLOOR_SLACK):
            continue
        centre = tuple((a + b) / 2 for a, b in zip(lo, hi, strict=True))
        size = tuple(b - a for a, b in zip(lo, hi, strict=True))
        out.append((centre, size))
    return tuple(out)
