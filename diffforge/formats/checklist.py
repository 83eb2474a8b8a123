"""A pair's checklist of differences, read from its change records: what grounded evaluation
(``diffforge eval --grounded``) counts and what ``diffforge export --format checklist`` hands
to other tools.

One item per change record: its type, the object as the pair's captions name it (the
referring expression of the caption part that says the change; empty for scene-wide changes),
the before and after values the record holds, and the sentences the captions say it with. A
pair without changes (``none``) has an empty checklist: the right answer is "no change".
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from diffforge.dataset import PairRecord, read_pairs, read_scene
from diffforge.dataset.files import atomic_write_bytes
from diffforge.dataset.tiers import pair_tiers
from diffforge.errors import DiffforgeError

# Record keys that are a change's values (what a caption states before -> after).
VALUE_KEYS = ("noun", "color", "material", "size", "text", "count", "pose", "yaw_deg")
# Record params that say how a change went (size, turning, light, text kind).
DIRECTION_KEYS = ("direction", "kind")


@dataclass
class ChecklistItem:
    """One change a prediction should find."""

    pair: str
    index: int  # the change's place in the record
    type: str
    object: str  # the referring expression ("" for scene-wide changes)
    before: dict[str, Any] = field(default_factory=dict)
    after: dict[str, Any] = field(default_factory=dict)
    how: str | None = None  # params.direction or params.kind: "larger", "darker", "appear"...
    nouns: list[str] = field(default_factory=list)  # the object's nouns in the record
    looks: list[tuple[str, str, str, str]] = field(default_factory=list)  # noun, part, kind, value
    sentences: list[str] = field(default_factory=list)  # caption parts that say this change
    referring: list[str] = field(default_factory=list)  # every referring expression used
    tiers: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self) -> str:
        """ "color: the tree in the upper-left corner (color orange -> green)": for judges and
        reports."""
        values = sorted(set(self.before) | set(self.after))
        change = "; ".join(
            f"{k} {self.before.get(k, '-')} -> {self.after.get(k, '-')}" for k in values
        )
        parts = [p for p in (change, self.how) if p]
        what = self.object or "the whole scene"
        return f"{self.type}: {what}" + (f" ({', '.join(parts)})" if parts else "")


def _values(side: dict[str, Any]) -> dict[str, Any]:
    return {k: side[k] for k in VALUE_KEYS if k in side and side[k] not in (None, "")}


def _nouns(change: Any, scene: dict[str, Any] | None = None) -> list[str]:
    out: list[str] = []
    for obj in _scene_objects(scene, change):
        for key in ("noun", "category"):
            if isinstance(obj.get(key), str) and obj[key] not in out:
                out.append(obj[key].replace("_", " "))
    for side in (change.before, change.after, change.params):
        for key in ("noun", "category"):
            value = side.get(key)
            if isinstance(value, str) and value and value not in out:
                out.append(value.replace("_", " "))
    return out


def _words(text: str) -> set[str]:
    return set(text.lower().replace(",", " ").split())


def _caption_parts(rec: PairRecord) -> list[list[tuple[str, str]]]:
    """Per change: the (referring, sentence) pairs of every caption that splits itself into
    change parts, template captions first. Captions order their changes freely and name an
    object more or less fully, so where a pair holds several changes of a type each part goes
    to the change whose record values its sentence says most, then whose referring words it
    shares most."""
    parts: list[list[tuple[str, str]]] = [[] for _ in rec.changes]
    said = [
        [v for v in (str(x).lower() for x in (*c.after.values(), *c.params.values())) if v]
        for c in rec.changes
    ]
    for cap in sorted(rec.captions, key=lambda c: c.source not in (None, "template")):
        types, change = cap.types, cap.change
        if not isinstance(types, list) or not isinstance(change, list):
            continue
        if len(types) != len(change):
            continue
        referring = cap.referring if isinstance(cap.referring, list) else []
        referring = [r if isinstance(r, str) else "" for r in referring]
        referring += [""] * (len(types) - len(referring))
        free = set(range(len(rec.changes)))
        for t, sentence, ref in zip(types, change, referring, strict=True):
            mine = [k for k in sorted(free) if rec.changes[k].type == t]
            if not mine:
                continue

            def fit(k: int, sentence: str = sentence, ref: str = ref) -> tuple[int, int]:
                values = sum(v in sentence.lower() for v in said[k] if len(v) < 40)
                shared = max((len(_words(ref) & _words(r)) for r, _ in parts[k]), default=0)
                return values, shared

            k = max(mine, key=fit)
            free.discard(k)
            parts[k].append((ref, sentence))
    return parts


def _scene_objects(scene: dict[str, Any] | None, change: Any) -> list[dict[str, Any]]:
    """The change's objects in the scene record, both sides."""
    if not scene:
        return []
    spec = scene.get("spec") or {}
    names = set(change.targets) | {
        side["id"] for side in (change.before, change.after) if isinstance(side.get("id"), str)
    }
    return [
        obj
        for side in ("before", "after")
        for obj in (spec.get(side) or {}).get("objects", [])
        if obj.get("id") in names
    ]


def _looks(scene: dict[str, Any] | None, change: Any) -> list[tuple[str, str, str, str]]:
    """(noun, part, kind, value) of the change's objects as the scene record draws them, both
    sides: what a prediction may say of them beyond the captions' words."""
    out: set[tuple[str, str, str, str]] = set()
    for obj in _scene_objects(scene, change):
        attrs = obj.get("attributes") or {}
        for noun in {obj.get("noun"), obj.get("category")} - {None}:
            noun = str(noun).replace("_", " ")
            for kind in ("color", "material", "size"):
                if isinstance(attrs.get(kind), str):
                    out.add((noun, "", kind, attrs[kind]))
            for part, colour in (attrs.get("clothing") or {}).items():
                out.add((noun, {"bottom": "trousers"}.get(part, part), "color", colour))
    return sorted(out)


def checklist(rec: PairRecord, scene: dict[str, Any] | None = None) -> list[ChecklistItem]:
    """The items of a pair: one per change record; none for a ``none`` pair. ``scene`` (the
    pair's scene record) adds how its objects look."""
    parts = _caption_parts(rec)
    items: list[ChecklistItem] = []
    for k, change in enumerate(rec.changes):
        if change.type == "none":
            continue
        said = parts[k]
        referring = next((r for r, _ in said if r), "")
        how = next((str(change.params[x]) for x in DIRECTION_KEYS if x in change.params), None)
        items.append(
            ChecklistItem(
                pair=rec.id,
                index=k,
                type=change.type,
                object=referring,
                before=_values(change.before),
                after=_values(change.after),
                how=how,
                nouns=_nouns(change, scene),
                looks=_looks(scene, change),
                sentences=list(dict.fromkeys(s for _, s in said)),
                referring=list(dict.fromkeys(r for r, _ in said if r)),
            )
        )
    return items


def export_checklist(root: Path, out: Path, split: str | None = None) -> int:
    """JSONL, one line per pair: ``{"id", "split", "none", "items": [...]}`` with each item's
    type, object, before, after, how and sentences. Returns the number of items."""
    rows = read_pairs(root, split)
    if not rows:
        raise DiffforgeError(f"{root}: no pairs" + (f" in split {split!r}" if split else ""))
    lines, n = [], 0
    for rec in rows:
        items = checklist(rec, read_scene(root, rec))
        tiers = pair_tiers(rec, root)
        for item in items:
            item.tiers = tiers["changes"].get(item.index, {})
        n += len(items)
        line = {
            "id": rec.id,
            "split": rec.split,
            "none": not items,
            "distractors": tiers["pair"],
            "items": [
                {k: v for k, v in i.as_dict().items() if k not in ("pair", "nouns")} for i in items
            ],
        }
        lines.append(json.dumps(line, ensure_ascii=False, sort_keys=True))
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(out, ("\n".join(lines) + "\n").encode())
    return n
