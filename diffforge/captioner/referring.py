"""Referring expressions: the shortest description that picks out one object in one image.

Built from the scene graph, never from pixels: attributes (colour, material, size, category),
an image-space region from the camera projection (or the render's 2D boxes when the dataset has
them), and a relation to a landmark when attributes and region do not suffice. An expression is
checked against every other object visible in the same image; when nothing makes it unique we
raise ``AmbiguousReference`` so the quality gate can count and resample the pair.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from diffforge.captioner.seen import (
    colour_seen,
    garments_unseen,
    material_seen,
    measured_colour_fits,
    pose_seen,
    tree_colour_seen,
)
from diffforge.scenes.geometry import BOX_CORNERS, box_corners, box_points, project
from diffforge.scenes.lighting import SceneLight
from diffforge.scenes.model import Camera, ObjectInstance, Scene
from diffforge.vocabulary import (
    CLOTHING_WORDS,
    MATERIAL_ADJECTIVES,
    POSE_SEEN_AS,
    POSE_SEEN_PHRASES,
    REGION_PHRASES,
    RELATION_PHRASES,
    looks_alike,
)

Box = tuple[float, float, float, float]
# May a caption quote this object's text, given its box in the frame? (sampler.text_readable)
Readable = Callable[[ObjectInstance, Box, tuple[int, int]], bool]

# Plain attributes tried for uniqueness, cheapest first.
ATTRIBUTE_ORDER: tuple[str, ...] = ("color", "material", "size")
# A landmark is "next to" the target when the gap between their boxes is at most this share
# of the smaller one's largest side (and at least NEXT_TO_MIN_GAP m), in 3D: farther, a viewer
# does not call them neighbours (benchmarks/calibration.md).
NEXT_TO_GAP = 0.5
NEXT_TO_MIN_GAP = 0.15
# Tags of superlative descriptions: "the leftmost mug" takes "the" even where "a" is wanted.
SUPERLATIVES = frozenset({"leftmost", "rightmost", "nearest"})


def _extent(obj: ObjectInstance) -> tuple[np.ndarray, np.ndarray]:
    """The world axis-aligned bounds of an object's (turned) box."""
    corners = box_corners(obj)
    return corners.min(axis=0), corners.max(axis=0)


class AmbiguousReference(Exception):
    """No description picks out the object alone; the quality gate counts ``reason``."""

    reason = "ambiguous referring expression"

    def __init__(self, object_id: str, detail: str = "") -> None:
        super().__init__(f"{self.reason}: {object_id}" + (f" ({detail})" if detail else ""))
        self.object_id = object_id


def pose_key(
    name: str | None,
    obj: ObjectInstance | None = None,
    camera: Camera | None = None,
    resolution: tuple[int, int] = (256, 192),
    box: Box | None = None,
) -> str | None:
    """The pose a viewer reads: ``seen.pose_seen`` on the figure through the camera where both
    are given (its defining limbs seen as such, a pointing arm in the picture's frame), else
    the record's name as its limbs show it (``POSE_SEEN_AS``)."""
    if not name:
        return None
    if obj is not None and camera is not None and obj.pose is not None and obj.pose.name == name:
        return pose_seen(obj, camera, resolution, box)
    return POSE_SEEN_AS.get(name, name)


def pose_phrase(
    name: str | None,
    obj: ObjectInstance | None = None,
    camera: Camera | None = None,
    resolution: tuple[int, int] = (256, 192),
    box: Box | None = None,
) -> str | None:
    """'is waving' / 'has raised both arms' from the asset library's phrase table for the pose
    a viewer reads (``pose_key``); a pointing arm in the picture's words
    (``POSE_SEEN_PHRASES``: "is pointing to the left")."""
    return key_phrase(pose_key(name, obj, camera, resolution, box))


def key_phrase(key: str | None) -> str | None:
    """The phrase for a pose a viewer reads (a ``pose_key``), for callers that hold the key."""
    if key is None:
        return None
    if key in POSE_SEEN_PHRASES:
        return POSE_SEEN_PHRASES[key]
    try:
        from diffforge.scenes.assets.characters import POSE_PHRASES
    except ImportError:  # pragma: no cover - the library is part of the package
        POSE_PHRASES = {}
    return POSE_PHRASES.get(key, "is " + key.replace("_", " "))


# Spelling is not sound: "a unicorn", "a one-armed bandit", "an hour", "an honest answer".
_A_BEFORE_VOWEL = re.compile(r"(?:uni|use|usu|eu|ewe|one\b|once\b|ubiq|utens)", re.I)
_AN_BEFORE_CONSONANT = re.compile(r"(?:hour|honest|honou?r|heir)", re.I)


def article(phrase: str) -> str:
    """'a' or 'an' for the phrase's first word (by sound, for the usual exceptions)."""
    word = phrase.lstrip('"').lstrip()
    if word[:1].lower() in "aeiou":
        return "a" if _A_BEFORE_VOWEL.match(word) else "an"
    return "an" if _AN_BEFORE_CONSONANT.match(word) else "a"


def is_person(obj: ObjectInstance) -> bool:
    """Clothed, tagged or posed: a rig that declares no clothes is still a person."""
    return bool(obj.attributes.clothing) or "person" in obj.tags or obj.pose is not None


# ---------------------------------------------------------------------------------------------
# What one image shows
# ---------------------------------------------------------------------------------------------


@dataclass
class View:
    """One image of a scene: where each object lands and which objects can be seen."""

    scene: Scene
    resolution: tuple[int, int]
    boxes: dict[str, Box]  # every object that projects into the frame
    visible: set[str]  # objects a reader can see (render facts when known, else in frame)
    by_id: dict[str, ObjectInstance] = field(default_factory=dict)
    rendered: bool = False  # visibility comes from render facts (occlusion known)
    unreadable: set[str] = field(default_factory=set)  # signs whose text is not to be quoted
    labs: dict[str, tuple[float, float, float]] = field(default_factory=dict)  # mean CIELAB

    def region(self, obj_id: str) -> tuple[str, str] | None:
        box = self.boxes.get(obj_id)
        return None if box is None else region_of(box, self.resolution)

    def seen_box(self, obj_id: str) -> Box | None:
        """The object's rendered box (what the frame and other objects leave of it), None
        where visibility comes from the projection alone."""
        return self.boxes.get(obj_id) if self.rendered else None

    def centre(self, obj_id: str) -> tuple[float, float] | None:
        box = self.boxes.get(obj_id)
        return None if box is None else ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)


def region_of(box: Box, resolution: tuple[int, int]) -> tuple[str, str]:
    """(column, row) of a box centre in a 3×3 grid of the frame."""
    w, h = resolution
    cx, cy = (box[0] + box[2]) / 2 / w, (box[1] + box[3]) / 2 / h
    col = "left" if cx < 1 / 3 else ("right" if cx > 2 / 3 else "centre")
    row = "back" if cy < 1 / 3 else ("front" if cy > 2 / 3 else "middle")
    return col, row


def projected_boxes(scene: Scene, resolution: tuple[int, int]) -> dict[str, Box]:
    """2D boxes of every object's bounding box, all objects in one vectorised projection."""
    objs = scene.objects
    if not objs:
        return {}
    world = box_points(objs, BOX_CORNERS)  # N×8×3
    uv, depth = project(scene.camera, world.reshape(-1, 3), resolution)
    uv, depth = uv.reshape(len(objs), 8, 2), depth.reshape(len(objs), 8)
    w, h = resolution
    front = (depth > 0)[..., None]
    lo = np.clip(np.where(front, uv, np.inf).min(axis=1), 0, (w, h))
    hi = np.clip(np.where(front, uv, -np.inf).max(axis=1), 0, (w, h))
    ok = ((hi - lo) >= 1).all(axis=1) & front[..., 0].any(axis=1)
    return {
        obj.id: (float(lo[i, 0]), float(lo[i, 1]), float(hi[i, 0]), float(hi[i, 1]))
        for i, obj in enumerate(objs)
        if ok[i]
    }


def make_view(
    scene: Scene,
    resolution: tuple[int, int],
    facts: Mapping[str, Mapping[str, Any]] | None = None,
    min_pixels: int = 1,
    readable: Readable | None = None,
) -> View:
    """A View from the projection, overridden by render facts ({id: {pixels, box}}) if given.

    Render facts know about occlusion: an object hidden behind another is not visible, so it
    cannot make a description ambiguous. ``readable(obj, box, resolution)`` (the sampler's
    ``text_readable``) says which signs a viewer can read; the others are never quoted.
    """
    boxes = projected_boxes(scene, resolution)
    if facts:
        visible = {
            i for i, f in facts.items() if f and f.get("pixels", 0) >= min_pixels and f.get("box")
        }
        for obj_id in visible:
            x0, y0, x1, y1 = facts[obj_id]["box"]
            boxes[obj_id] = (float(x0), float(y0), float(x1) + 1, float(y1) + 1)
    else:
        visible = set(boxes)
    by_id = {o.id: o for o in scene.objects}
    unreadable = set()
    if readable is not None:
        unreadable = {
            o.id
            for o in scene.objects
            if o.text is not None
            and (o.id not in boxes or not readable(o, boxes[o.id], resolution))
        }
    labs = {i: tuple(f["lab"]) for i, f in (facts or {}).items() if f and f.get("lab")}
    return View(scene, resolution, boxes, visible, by_id, bool(facts), unreadable, labs)


# ---------------------------------------------------------------------------------------------
# Expressions
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Referring:
    """A resolved description: ``text`` is "the <noun phrase> <clause> <where>"."""

    object_id: str
    noun_phrase: str  # "small red metallic mug" / "person in a red top and blue trousers"
    clause: str = ""  # 'that reads "OPEN"' / "who is waving"
    where: str = ""  # 'on the wooden table in the centre of the scene'
    used: tuple[str, ...] = ()  # features used, for tests and statistics

    @property
    def text(self) -> str:
        return " ".join(p for p in ("the", self.noun_phrase, self.clause, self.where) if p)

    @property
    def indefinite(self) -> str:
        """'a red mug on the table'; a superlative stays definite ('the leftmost red mug')."""
        if set(self.used) & SUPERLATIVES:
            return self.text
        head = f"{article(self.noun_phrase)} {self.noun_phrase}"
        return " ".join(p for p in (head, self.clause, self.where) if p)

    @property
    def bare(self) -> str:
        """Without location or relation: 'the red mug'."""
        return " ".join(p for p in ("the", self.noun_phrase, self.clause) if p)


def features(
    obj: ObjectInstance,
    exclude: Iterable[str] = (),
    colour_ok: Callable[[ObjectInstance], bool] | None = None,
) -> dict[str, str]:
    """Every describable feature of an object (minus ``exclude``), as comparable strings;
    its colour only where ``colour_ok(obj)`` says the picture shows it (``seen.colour_seen``).
    Rivals are compared by their record colour: one that may look the same still competes."""
    skip = set(exclude)
    if colour_ok is not None and "color" not in skip and not colour_ok(obj):
        skip.add("color")
    a = obj.attributes
    out: dict[str, str] = {}
    if is_person(obj):  # clothes only where the asset declares them, never invented
        for part in ("top", "bottom"):
            worn = (a.clothing or {}).get(part)
            if worn and f"clothing.{part}" not in skip and "color" not in skip:
                out[f"clothing.{part}"] = worn
        if obj.pose and "pose" not in skip:
            out["pose"] = obj.pose.name
        return out
    for name in ATTRIBUTE_ORDER:
        value = getattr(a, name)
        if name == "material" and not material_seen(value):
            continue  # a material the render does not show is never a description
        if value and name not in skip:
            out[name] = value
    if obj.text and obj.text.string and "text" not in skip:
        out["text"] = obj.text.string
    return out


def noun_phrase(obj: ObjectInstance, feats: Mapping[str, str], used: Iterable[str]) -> str:
    """Adjectives in English order (size, colour, material) before the noun; clothing after."""
    used = set(used)
    if is_person(obj):
        worn = [
            f"{feats[f'clothing.{p}']} {CLOTHING_WORDS[p]}"
            for p in ("top", "bottom")
            if f"clothing.{p}" in used
        ]
        if not worn:
            return obj.noun
        head = worn[0] if worn[0].endswith("s") else f"{article(worn[0])} {worn[0]}"
        return f"{obj.noun} in {head}" + (f" and {worn[1]}" if len(worn) > 1 else "")
    words = []
    if "size" in used:
        words.append(feats["size"])
    if "color" in used:
        words.append(feats["color"])
    if "material" in used:
        words.append(MATERIAL_ADJECTIVES.get(feats["material"], feats["material"]))
    words.append(obj.noun)
    return " ".join(words)


def clause(
    obj: ObjectInstance,
    feats: Mapping[str, str],
    used: Iterable[str],
    camera: Camera | None = None,
    view: View | None = None,
) -> str:
    """'who is waving' (the pose as ``view`` shows it: its resolution and rendered box) or
    'that reads "EXIT"'."""
    used = set(used)
    if "pose" in used:
        if view is None:
            return f"who {pose_phrase(feats['pose'], obj, camera)}"
        return (
            f"who {pose_phrase(feats['pose'], obj, camera, view.resolution, view.seen_box(obj.id))}"
        )
    if "text" in used:
        return f'that reads "{feats["text"]}"'
    return ""


def region_phrase(region: tuple[str, str] | None) -> str:
    if region is None:
        return ""
    prep, phrase = REGION_PHRASES[region]
    return f"{prep} {phrase}"


def _same_kind(a: ObjectInstance, b: ObjectInstance) -> bool:
    """Rivals for a description: the same noun or category, look-alike nouns, two people."""
    return (
        looks_alike(a.noun, b.noun) or a.category == b.category or (is_person(a) and is_person(b))
    )


class Resolver:
    """Describes objects of one View; caches landmark phrases between calls."""

    def __init__(self, view: View) -> None:
        self.view = view
        self._landmarks: dict[str, str | None] = {}
        self._colours: dict[str, bool] = {}
        self._light: SceneLight | None = None

    def colour_seen(self, obj: ObjectInstance) -> bool:
        """Whether a caption may name ``obj``'s colour in this image (``seen.colour_seen``; a
        tree's where its crown shows, ``seen.tree_colour_seen``), and, where the render
        measured its pixels, whether the name fits them as the colour gate judges a colour
        change's names (``seen.measured_colour_fits``)."""
        if obj.id not in self._colours:
            if self._light is None:
                self._light = SceneLight(self.view.scene)
            view = self.view
            self._colours[obj.id] = (
                colour_seen(obj, self._light)
                and tree_colour_seen(obj, view.scene.camera, view.resolution)
                # a person's outline mixes skin, hair and garments: not one colour to measure
                and measured_colour_fits(obj, None if is_person(obj) else view.labs.get(obj.id))
            )
        return self._colours[obj.id]

    def unseen(self, obj: ObjectInstance) -> tuple[str, ...]:
        """Features this image hides on ``obj`` (a person's trousers behind a counter)."""
        if not is_person(obj):
            return ()
        view = self.view
        return garments_unseen(obj, view.scene.camera, view.resolution, view.seen_box(obj.id))

    # -- landmarks ----------------------------------------------------------------------------

    def landmark_phrase(self, obj_id: str) -> str | None:
        """'the wooden table': unique among visible objects without a location, else None."""
        if obj_id not in self._landmarks:
            obj = self.view.by_id.get(obj_id)
            self._landmarks[obj_id] = None if obj is None else self._short(obj)
        return self._landmarks[obj_id]

    def _short(self, obj: ObjectInstance) -> str | None:
        feats = features(obj, ("text", "pose", *self.unseen(obj)), self.colour_seen)
        rivals = [
            self.view.by_id[i]
            for i in self.view.visible
            if i != obj.id and _same_kind(obj, self.view.by_id[i])
        ]
        for used in _subsets([k for k in feats if k not in ("text", "pose")]):
            if not any(_matches(r, feats, used) for r in rivals):
                return "the " + noun_phrase(obj, feats, used)
        return None

    def nearest_landmark(self, obj: ObjectInstance) -> str | None:
        """The visible object of another kind with the smallest gap to ``obj``, if it is close
        enough to be "next to" it (NEXT_TO_GAP); never what the object stands on (a pot is on
        its desk, not next to it: "the pot next to the desk has been removed from the desk"
        said the desk twice)."""
        lo, hi = _extent(obj)
        best, best_gap = None, math.inf
        for other_id in sorted(self.view.visible):
            other = self.view.by_id[other_id]
            if other.id in (obj.id, obj.support) or _same_kind(obj, other):
                continue
            if other.support == obj.id:
                continue
            olo, ohi = _extent(other)
            gap = float(np.linalg.norm(np.maximum(0.0, np.maximum(olo - hi, lo - ohi))))
            near = max(
                NEXT_TO_MIN_GAP, NEXT_TO_GAP * min(max(obj.dimensions), max(other.dimensions))
            )
            if gap <= near and gap < best_gap:
                best, best_gap = other.id, gap
        return best

    # -- targets ------------------------------------------------------------------------------

    def describe(
        self,
        obj: ObjectInstance,
        exclude: Iterable[str] = (),
        use_support: bool = True,
        style: str = "concise",
    ) -> Referring:
        """The fewest features + region (+ relation) that no other visible object matches;
        ``style="rich"`` then says everything a person would: colour, material and size, what
        it stands on and what it is next to, where in the frame, and a person's clothes and
        action (a superset of the unique description, so still unique). A sign's text is
        quoted only where the View can read it."""
        if obj.id in self.view.unreadable:
            exclude = (*exclude, "text")
        ref = self._describe(obj, exclude, use_support)
        return self.enrich(obj, ref, exclude, use_support) if style == "rich" else ref

    def enrich(
        self, obj: ObjectInstance, ref: Referring, exclude: Iterable[str], use_support: bool
    ) -> Referring:
        view = self.view
        feats = features(obj, (*exclude, *self.unseen(obj)), self.colour_seen)
        used = tuple(feats)
        phrase = noun_phrase(obj, feats, used)
        for tag in ("leftmost", "rightmost"):
            if tag in ref.used:
                phrase = f"{tag} {phrase}"
        parts = []
        support = obj.support if use_support else None
        if support in view.by_id and support in view.visible and self.landmark_phrase(support):
            parts.append(f"{RELATION_PHRASES['on']} {self.landmark_phrase(support)}")
        near = self.nearest_landmark(obj)
        if near is not None and near != obj.support and self.landmark_phrase(near):
            parts.append(f"{RELATION_PHRASES['next_to']} {self.landmark_phrase(near)}")
        if "nearest" in ref.used:
            parts.append("closest to the camera")
        parts.append(region_phrase(view.region(obj.id)))
        where = " ".join(p for p in parts if p)
        tags = tuple(dict.fromkeys((*ref.used, *used, "rich")))
        return Referring(
            obj.id, phrase, clause(obj, feats, used, view.scene.camera, view), where, tags
        )

    def _describe(
        self,
        obj: ObjectInstance,
        exclude: Iterable[str] = (),
        use_support: bool = True,
    ) -> Referring:
        view = self.view
        feats = features(obj, (*exclude, *self.unseen(obj)), self.colour_seen)
        region = view.region(obj.id)
        where_region = region_phrase(region)
        rivals = [
            view.by_id[i]
            for i in sorted(view.visible)
            if i != obj.id and _same_kind(obj, view.by_id[i])
        ]
        support = None
        if use_support and obj.support in view.by_id and obj.support in view.visible:
            phrase = self.landmark_phrase(obj.support)
            if phrase:
                support = (obj.support, f"{RELATION_PHRASES['on']} {phrase}")
        must = [k for k in feats if k.startswith("clothing.")] + [
            k for k in ("pose", "text") if k in feats
        ]
        optional = [k for k in feats if k not in must]
        relations: list[tuple[str, tuple[str, str] | None]] = [("none", None)]
        if support:
            relations = [("on", support)]
        for used in _subsets(optional):
            used = tuple(must) + used
            for kind, rel in relations:
                if not any(self._rival_matches(r, feats, used, region, kind, rel) for r in rivals):
                    return self._make(obj, feats, used, rel, where_region, kind)
        # Attributes, region and support are not enough: add the nearest landmark.
        landmark = self.nearest_landmark(obj)
        phrase = self.landmark_phrase(landmark) if landmark else None
        if phrase:
            rel = (landmark, f"{RELATION_PHRASES['next_to']} {phrase}")
            used = tuple(must) + tuple(optional)
            for kind, extra in relations:
                if not any(
                    self._rival_matches(r, feats, used, region, kind, extra)
                    and self._rival_matches(r, feats, used, region, "next_to", rel)
                    for r in rivals
                ):
                    ref = self._make(obj, feats, used, extra, where_region, kind)
                    where = " ".join(p for p in (rel[1], ref.where) if p)
                    return Referring(
                        obj.id, ref.noun_phrase, ref.clause, where, (*ref.used, "next_to")
                    )
        found = self._superlative(obj, feats, must, optional, rivals, support)
        if found is not None:
            return found
        raise AmbiguousReference(obj.id, f"{len(rivals)} similar visible object(s)")

    def _superlative(self, obj, feats, must, optional, rivals, support) -> Referring | None:
        """'the leftmost red sphere' / 'the red sphere closest to the camera': the target is
        the extreme one, in the image, among the objects its attributes (and support) fit."""
        if support:
            rivals = [r for r in rivals if r.support == support[0]]
        rel = support[1] if support else ""
        view = self.view
        if obj.id not in view.boxes:
            return None
        w, h = view.resolution
        x0, _, x1, y1 = view.boxes[obj.id]
        cx = (x0 + x1) / 2
        for used in _subsets(optional):
            used = tuple(must) + used
            alike = [r for r in rivals if _matches(r, feats, used)]
            if any(r.id not in view.boxes for r in alike):
                continue
            xs = [(view.boxes[r.id][0] + view.boxes[r.id][2]) / 2 for r in alike]
            ys = [view.boxes[r.id][3] for r in alike]
            phrase = noun_phrase(obj, feats, used)
            tail = clause(obj, feats, used, view.scene.camera, view)
            if all(x > cx + 0.02 * w for x in xs):
                return Referring(obj.id, f"leftmost {phrase}", tail, rel, (*used, "leftmost"))
            if all(x < cx - 0.02 * w for x in xs):
                return Referring(obj.id, f"rightmost {phrase}", tail, rel, (*used, "rightmost"))
            if all(y < y1 - 0.02 * h for y in ys):
                where = " ".join(p for p in (rel, "closest to the camera") if p)
                return Referring(obj.id, phrase, tail, where, (*used, "nearest"))
        return None

    def _rival_matches(self, rival, feats, used, region, kind, rel) -> bool:
        if not _matches(rival, feats, used):
            return False
        if region is not None and self.view.region(rival.id) not in (None, region):
            return False
        if kind == "on" and rel and rival.support != rel[0]:
            return False
        return not (kind == "next_to" and rel and self.nearest_landmark(rival) != rel[0])

    def _make(self, obj, feats, used, rel, where_region, kind) -> Referring:
        where = " ".join(p for p in ((rel[1] if rel else ""), where_region) if p)
        tags = (*used, "region") if where_region else tuple(used)
        if rel:
            tags = (*tags, kind)
        return Referring(
            obj.id,
            noun_phrase(obj, feats, used),
            clause(obj, feats, used, self.view.scene.camera, self.view),
            where,
            tags,
        )


def _subsets(keys: list[str]) -> Iterable[tuple[str, ...]]:
    """All subsets of ``keys``, smallest first, in the order given (cheapest attributes first)."""
    for n in range(len(keys) + 1):
        yield from itertools.combinations(keys, n)


def _matches(rival: ObjectInstance, feats: Mapping[str, str], used: Iterable[str]) -> bool:
    """Would the description (``used`` features of the target) also fit ``rival``?"""
    theirs = features(rival)
    return all(theirs.get(k) == feats[k] for k in used)


def describe_group(view: View, objs: list[ObjectInstance], noun_plural: str) -> tuple[str, str]:
    """Plural description of a counted group: ('red mugs', 'on the wooden table').

    Count changes add or remove copies of one asset in one colour, so the shared colour and the
    shared support are what tell the group apart from other objects of the kind.
    """
    words = []
    resolver = Resolver(view)
    colors = {o.attributes.color for o in objs}
    if len(colors) == 1 and None not in colors and all(resolver.colour_seen(o) for o in objs):
        words.append(colors.pop())
    words.append(noun_plural)
    supports = {o.support for o in objs}
    where = ""
    if len(supports) == 1:
        sup = supports.pop()
        if sup in view.by_id:
            phrase = resolver.landmark_phrase(sup)
            if phrase:
                where = f"{RELATION_PHRASES['on']} {phrase}"
    return " ".join(words), where
