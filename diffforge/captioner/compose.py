"""Template captions: one sentence group per change, N captions per pair.

Each change becomes a ``Group`` (its template key, the exact values, its referring expression);
templates under ``templates/`` hold the phrasings, one per line. Multi-change captions open with
a sentence that says how many changes there are and give them in a stated order ("First, ...
Second, ..."); the N captions of a pair differ in phrasing and, for several changes, in order.
All choices come from ``rng_for(seed, index, "caption", attempt)``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import numpy as np

from diffforge.captioner.referring import (
    AmbiguousReference,
    Readable,
    Referring,
    Resolver,
    View,
    article,
    describe_group,
    is_person,
    make_view,
    noun_phrase,
    pose_phrase,
    projected_boxes,
    region_of,
    region_phrase,
)
from diffforge.distributions import rng_for
from diffforge.scenes.model import Change, ObjectInstance, PairSpec
from diffforge.vocabulary import (
    CLOTHING_WORDS,
    MATERIAL_ADJECTIVES,
    MATERIAL_PREDICATES,
    REGION_PHRASES,
    number_word,
    plural,
)

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"

__all__ = [
    "AmbiguousReference",
    "Group",
    "Templates",
    "caption_or_reason",
    "caption_pair",
    "change_groups",
    "templates",
]


class Templates:
    """Every phrasing, compiled once. A file ``<key>.j2`` holds one phrasing per line."""

    def __init__(self, root: Path = TEMPLATE_DIR) -> None:
        self.root = Path(root)
        self.env = jinja2.Environment(
            autoescape=False, undefined=jinja2.StrictUndefined, keep_trailing_newline=False
        )
        self._cache: dict[str, list[jinja2.Template]] = {}

    def get(self, key: str) -> list[jinja2.Template]:
        if key not in self._cache:
            path = self.root / f"{key}.j2"
            if not path.is_file():
                raise KeyError(key)
            lines = [
                line.strip()
                for line in path.read_text(encoding="utf-8").splitlines()
                if line.strip() and not line.lstrip().startswith("{#")
            ]
            self._cache[key] = [self.env.from_string(line) for line in lines]
        return self._cache[key]

    def has(self, key: str) -> bool:
        return key in self._cache or (self.root / f"{key}.j2").is_file()

    def keys(self) -> list[str]:
        return sorted(p.stem for p in self.root.glob("*.j2"))

    def compile_all(self) -> int:
        """Compile every file now (workers and benchmarks do it once, up front)."""
        return sum(len(self.get(key)) for key in self.keys())


@functools.lru_cache(maxsize=1)
def templates() -> Templates:
    """The built-in templates (shared, compiled lazily)."""
    return Templates()


@dataclass
class Group:
    """One change, ready to phrase: template key, exact values, referring expression."""

    type: str
    key: str
    values: dict[str, Any]
    referring: str = ""


# ---------------------------------------------------------------------------------------------
# Change -> Group
# ---------------------------------------------------------------------------------------------


@dataclass
class _Ctx:
    spec: PairSpec
    before: View
    after: View
    resolvers: dict[str, Resolver] = field(default_factory=dict)
    style: str = "concise"

    def resolver(self, side: str) -> Resolver:
        if side not in self.resolvers:
            self.resolvers[side] = Resolver(self.before if side == "before" else self.after)
        return self.resolvers[side]

    def side_of(self, obj_id: str) -> str:
        """Describe in the before image, unless the object is only visible after."""
        if obj_id in self.before.visible or obj_id not in self.after.by_id:
            return "before"
        return "after"

    def describe(self, obj_id: str, side: str | None = None, **kw) -> tuple[Referring, View]:
        side = side or self.side_of(obj_id)
        view = self.before if side == "before" else self.after
        obj = view.by_id.get(obj_id)
        if obj is None:
            raise AmbiguousReference(obj_id, f"not in the {side} scene")
        return self.resolver(side).describe(obj, style=self.style, **kw), view


def _obj_values(ref: Referring, view: View | None = None) -> dict[str, Any]:
    """The referring forms, and the pronouns for the target: a person is never "it"."""
    obj = view.by_id.get(ref.object_id) if view is not None else None
    person = obj is not None and is_person(obj)
    return {
        "ref": ref.text,
        "ref_a": ref.indefinite,
        "thing": ref.bare,
        "where": ref.where,
        "noun": obj.noun if obj is not None else ref.bare.removeprefix("the "),
        "it": f"the {obj.noun}" if person else "it",
        "its": "their" if person else "its",
        "person": person,
    }


def _viewpoint(c: Change, ctx: _Ctx) -> Group:
    p = c.params
    extra = []
    if p.get("elevation_deg", 0) > 4:
        extra.append("higher up")
    elif p.get("elevation_deg", 0) < -4:
        extra.append("lower down")
    if p.get("zoom", 1) < 0.95:
        extra.append("closer to the scene")
    elif p.get("zoom", 1) > 1.05:
        extra.append("further from the scene")
    return Group(
        c.type,
        "viewpoint",
        {"direction": p.get("direction", "left"), "extra": " and ".join(extra)},
    )


def _lamp_object(ctx: _Ctx, light_id: str) -> str | None:
    """The visible object a switched light belongs to: the same id, or the nearest object
    (floor plane, within 1 m) whose noun is the light's name ("street lamp")."""
    if light_id in ctx.before.by_id:
        return light_id if light_id in ctx.before.visible else None
    light = next((x for x in ctx.before.scene.lights if x.id == light_id), None)
    if light is None:
        return None
    best, best_d = None, 1.0
    for obj_id in sorted(ctx.before.visible):
        obj = ctx.before.by_id[obj_id]
        if obj.noun != light.name:
            continue
        dx = obj.transform.location[0] - light.location[0]
        dy = obj.transform.location[1] - light.location[1]
        d = (dx * dx + dy * dy) ** 0.5
        if d < best_d:
            best, best_d = obj_id, d
    return best


# A lamp switched out of view is captioned by its effect on the scene.
UNSEEN_LAMP = {"light_on": "brighter", "light_off": "darker"}


def _illumination(c: Change, ctx: _Ctx) -> Group:
    kind = c.params.get("kind", "brighter")
    light = c.params.get("light", "lamp")
    lamp = _lamp_object(ctx, c.targets[0]) if kind in ("light_on", "light_off") else None
    if lamp is not None:
        # the light belongs to a lamp the viewer can see: name that lamp uniquely
        ref, _ = ctx.describe(lamp, "before")
        light = ref.text.removeprefix("the ")
        values = {"light": light, "the_light": f"the {light}", "thing": ref.bare}
        return Group(c.type, f"illumination_{kind}", values, values["the_light"])
    if kind in ("light_on", "light_off"):
        # no one can see the lamp (pair 05: "the wall lamp ... is turned off" with the lamp out
        # of view): say what the viewer sees, the scene getting brighter or dimmer
        return Group(c.type, "illumination_" + UNSEEN_LAMP[kind], {})
    values = {"light": light, "the_light": f"the {light}"}
    return Group(
        c.type, f"illumination_{kind}", values, values["the_light"] if "light" in c.params else ""
    )


def _add(c: Change, ctx: _Ctx) -> Group:
    ref, view = ctx.describe(c.targets[0], "after")
    return Group(c.type, "add", _obj_values(ref, view), ref.indefinite)


def _disappear(c: Change, ctx: _Ctx) -> Group:
    ref, view = ctx.describe(c.targets[0], "before")
    return Group(c.type, "disappear", _obj_values(ref, view), ref.text)


def _remove(c: Change, ctx: _Ctx) -> Group:
    ref, view = ctx.describe(c.targets[0], "before", use_support=False)
    holder = c.params.get("from")
    phrase = ctx.resolver("before").landmark_phrase(holder) if holder else None
    values = {
        **_obj_values(ref, view),
        "holder": phrase or f"the {c.params.get('from_noun', 'table')}",
    }
    return Group(c.type, "remove", values, ref.text)


def _move(c: Change, ctx: _Ctx) -> Group:
    """Where the object went, as the before camera sees it: the shift and the end position
    are measured in the same frame, so they never contradict each other ("moved to the right
    ... ending up on the left side"), and an end position that repeats the start is left out."""
    obj_id = c.targets[0]
    ref, view = ctx.describe(obj_id, "before")
    start = ctx.before.centre(obj_id)
    moved = ctx.after.by_id.get(obj_id)
    shift, end_region = "", None
    if start is not None and moved is not None:
        box = projected_boxes(
            ctx.before.scene.model_copy(update={"objects": [moved]}), ctx.before.resolution
        ).get(obj_id)
        if box is not None:
            dx = (box[0] + box[2]) / 2 - start[0]
            dy = (box[1] + box[3]) / 2 - start[1]
            parts = []
            w, h = ctx.before.resolution
            if abs(dx) > 0.03 * w:
                parts.append("to the right" if dx > 0 else "to the left")
            if abs(dy) > 0.03 * h:
                parts.append("closer to the camera" if dy > 0 else "further back")
            shift = " and ".join(parts)
            end_region = region_of(box, ctx.before.resolution)
    dest = ""
    landmark = None
    if moved is not None and obj_id in ctx.after.visible:
        resolver = ctx.resolver("after")
        near = resolver.nearest_landmark(moved)
        if near is not None and near != c.params.get("to") and near not in ref.used:
            landmark = resolver.landmark_phrase(near)
    start_region = ctx.before.region(obj_id)
    # "where it can now be found" is read on the after image: with the camera moved too, its
    # region there, not in the before camera's frame (a shelf "now in the lower-right corner"
    # stood at mid-height by the right wall of the after image: std48c review, pair 31)
    same_camera = ctx.before.scene.camera == ctx.after.scene.camera
    now_region = end_region if same_camera else ctx.after.region(obj_id)
    if landmark and landmark not in ref.text:
        dest = f"beside {landmark}"
    elif now_region is not None and (now_region != start_region or not same_camera):
        phrase = region_phrase(now_region)
        if phrase not in ref.text:
            dest = phrase.removesuffix(" of the scene")
    to = f"to {REGION_PHRASES[now_region][1]}" if now_region else "to a new spot"
    values = {
        **_obj_values(ref, view),
        "shift": shift or "to a different spot",
        "now_where": dest,
        "to": to,
    }
    return Group(c.type, "move", values, ref.text)


def _describe_new(obj: ObjectInstance, said: str = "") -> str:
    """'a blue ceramic vase': every attribute, since a new object has nothing to tell apart,
    except words the old object's description already says ("the black metallic sign ...
    a street lamp", not "... a black metallic street lamp")."""
    a = obj.attributes
    words = set(said.split())
    used = [
        k
        for k in ("color", "material")
        if getattr(a, k) and MATERIAL_ADJECTIVES.get(getattr(a, k), getattr(a, k)) not in words
    ]
    feats = {k: getattr(a, k) for k in used}
    phrase = noun_phrase(obj, feats, used)
    return f"{article(phrase)} {phrase}"


def _replace(c: Change, ctx: _Ctx) -> Group:
    ref, view = ctx.describe(c.targets[0], "before")
    new_id = c.targets[1] if len(c.targets) > 1 else c.after.get("id")
    new = ctx.after.by_id.get(new_id)
    noun = str(c.after.get("noun", "new object"))
    new_a = _describe_new(new, ref.text) if new is not None else f"{article(noun)} {noun}"
    values = {**_obj_values(ref, view), "new": new_a, "old_noun": c.before.get("noun", "")}
    return Group(c.type, "replace", values, ref.text)


def _size(c: Change, ctx: _Ctx) -> Group:
    ref, view = ctx.describe(c.targets[0], exclude=("size",))
    larger = c.params.get("direction", "larger") == "larger"
    values = {
        **_obj_values(ref, view),
        "larger": larger,
        "comparative": "larger" if larger else "smaller",
        "bigger": "bigger" if larger else "smaller",
        "grown": "grown" if larger else "shrunk",
        "scaled": "scaled up" if larger else "scaled down",
        "size_before": c.before.get("size") or "",
        "size_after": c.after.get("size") or "",
    }
    return Group(c.type, "size", values, ref.text)


def _color(c: Change, ctx: _Ctx) -> Group:
    part = c.params.get("part")
    exclude = (f"clothing.{part}",) if part else ("color",)
    ref, view = ctx.describe(c.targets[0], exclude=exclude)
    values = {
        **_obj_values(ref, view),
        "before": c.before.get("color"),
        "after": c.after.get("color"),
    }
    if part:
        word = CLOTHING_WORDS.get(part, part)
        many = word.endswith("s")  # "trousers" take plural verbs
        values.update(
            part=word,
            was="were" if many else "was",
            has="have" if many else "has",
            before_part=_worn(c.before.get("color"), word, many),
            after_part=_worn(c.after.get("color"), word, many),
        )
        return Group(c.type, "color_clothing", values, ref.text)
    return Group(c.type, "color", values, ref.text)


def _worn(color: str | None, part: str, many: bool) -> str:
    """'a red top' / 'an orange top' / 'blue trousers': what a person wears, with its article."""
    phrase = f"{color} {part}" if color else part
    return phrase if many else f"{article(phrase)} {phrase}"


def _material(c: Change, ctx: _Ctx) -> Group:
    ref, view = ctx.describe(c.targets[0], exclude=("material",))
    old, new = c.before.get("material"), c.after.get("material")
    values = {
        **_obj_values(ref, view),
        "before": old,
        "after": new,
        "before_adj": MATERIAL_ADJECTIVES.get(old, old),
        "after_adj": MATERIAL_ADJECTIVES.get(new, new),
        "before_look": MATERIAL_PREDICATES.get(old, old),
        "after_look": MATERIAL_PREDICATES.get(new, new),
    }
    # a user file's object: nobody named what it was made of before
    return Group(c.type, "material" if old else "material_new", values, ref.text)


def _orientation(c: Change, ctx: _Ctx) -> Group:
    ref, view = ctx.describe(c.targets[0])
    values = {**_obj_values(ref, view), "direction": c.params.get("direction", "clockwise")}
    return Group(c.type, "orientation", values, ref.text)


def _past(phrase: str) -> str:
    """'is waving' -> 'was waving'; 'has raised both arms' -> 'had raised both arms'."""
    head, _, rest = phrase.partition(" ")
    return {"is": "was", "has": "had", "are": "were", "have": "had"}.get(head, head) + " " + rest


def _pose(c: Change, ctx: _Ctx) -> Group:
    obj_id = c.targets[0]
    ref, view = ctx.describe(obj_id, exclude=("pose",))
    before = pose_phrase(c.before.get("pose")) or "stood still"
    after = pose_phrase(c.after.get("pose")) or "has moved"
    obj = view.by_id[obj_id]
    values = {
        **_obj_values(ref, view),
        "noun": obj.noun,
        "before_was": _past(before),
        "after": after,
    }
    return Group(c.type, "pose", values, ref.text)


def _text(c: Change, ctx: _Ctx) -> Group:
    kind = c.params.get("kind", "change")
    ref, view = ctx.describe(c.targets[0], exclude=("text",))
    values = {
        **_obj_values(ref, view),
        "before": c.before.get("text"),
        "after": c.after.get("text"),
    }
    return Group(c.type, f"text_{kind}", values, ref.text)


def _count(c: Change, ctx: _Ctx) -> Group:
    category = c.params.get("category")
    noun = c.params.get("noun") or category or "object"
    members: dict[str, ObjectInstance] = {}
    for view in (ctx.before, ctx.after):
        for obj in view.scene.objects:
            if obj.category == category:
                members.setdefault(obj.id, obj)
    group, where = describe_group(ctx.before, list(members.values()), plural(noun))
    group_one, _ = describe_group(ctx.before, list(members.values()), noun)
    # What a viewer can count: with render facts (occlusion known), visible copies only.
    n0, n1 = int(c.before.get("count", 0)), int(c.after.get("count", 0))
    if ctx.before.rendered and ctx.after.rendered:
        seen = [
            sum(1 for o in v.scene.objects if o.category == category and o.id in v.visible)
            for v in (ctx.before, ctx.after)
        ]
        if seen[0] != seen[1]:
            n0, n1 = seen

    def of(n: int) -> str:  # "one red mug" / "two red mugs": the noun agrees with the count
        return group_one if n == 1 else group

    values = {
        "group": group,
        "where": where,
        "group_where": f"{group} {where}".strip(),
        "before": number_word(n0),
        "after": number_word(n1),
        "group_before": f"{of(n0)} {where}".strip(),
        "was_before": "was" if n0 == 1 else "were",
        "are_before": "is" if n0 == 1 else "are",
        "are_after": "is" if n1 == 1 else "are",
        "more": n1 > n0,
        "diff": number_word(abs(n1 - n0)),
        "group_diff": of(abs(n1 - n0)),
        "one_diff": abs(n1 - n0) == 1,
        "noun": noun,
    }
    return Group(c.type, "count", values, f"the {values['group_where']}")


def _none(c: Change, ctx: _Ctx) -> Group:
    return Group(c.type, "none", {})


def _generic(c: Change, ctx: _Ctx) -> Group:
    """A plugin's change type without its own template file: say what changed, and where."""
    ref, gview = None, None
    for target in c.targets:
        if target in ctx.before.by_id or target in ctx.after.by_id:
            ref, gview = ctx.describe(target)
            break
    kind = c.type.replace("_", " ")
    values = {
        "kind": kind,
        "a_kind": f"{article(kind)} {kind}",
        **(_obj_values(ref, gview) if ref else {}),
    }
    values.setdefault("ref", "the scene")
    return Group(c.type, "generic", values, ref.text if ref else "")


BUILDERS: dict[str, Callable[[Change, _Ctx], Group]] = {
    "viewpoint": _viewpoint,
    "illumination": _illumination,
    "add": _add,
    "disappear": _disappear,
    "remove": _remove,
    "move": _move,
    "replace": _replace,
    "size": _size,
    "color": _color,
    "material": _material,
    "orientation": _orientation,
    "pose": _pose,
    "text": _text,
    "count": _count,
    "none": _none,
}


def change_groups(
    spec: PairSpec,
    resolution: tuple[int, int],
    facts: Mapping[str, Mapping[str, Any]] | None = None,
    min_pixels: int = 1,
    style: str = "concise",
    readable: Readable | None = None,
) -> list[Group]:
    """One Group per change of the pair (raises AmbiguousReference for the quality gate)."""
    return _groups_and_ctx(spec, resolution, facts, min_pixels, style, readable)[0]


def _groups_and_ctx(
    spec, resolution, facts, min_pixels, style, readable=None
) -> tuple[list[Group], _Ctx]:
    facts = facts or {}
    ctx = _Ctx(
        spec,
        make_view(spec.before, resolution, facts.get("before"), min_pixels, readable),
        make_view(spec.after, resolution, facts.get("after"), min_pixels, readable),
        style=style,
    )
    return [BUILDERS.get(c.type, _generic)(c, ctx) for c in spec.changes], ctx


# At most this many unchanged objects are named in a rich caption's closing sentence.
CONTEXT_OBJECTS = 3


def context_values(ctx: _Ctx) -> dict[str, Any] | None:
    """The rich style's closing sentence: the largest visible objects no change touched, each
    by its short unique name ("the wooden table, the green sofa and the floor lamp")."""
    touched = {t for c in ctx.spec.changes for t in c.targets}
    for c in ctx.spec.changes:
        for side in (c.before, c.after, c.params):
            for key in ("id", "from", "to"):
                if isinstance(side.get(key), str):
                    touched.add(side[key])
    lights = {str(c.params["light"]) for c in ctx.spec.changes if c.params.get("light")}
    view, resolver = ctx.before, ctx.resolver("before")
    after_ids = set(ctx.after.by_id)

    def area(i: str) -> float:
        b = view.boxes[i]
        return (b[2] - b[0]) * (b[3] - b[1])

    names = []
    for obj_id in sorted(view.visible & set(view.boxes), key=lambda i: (-area(i), i)):
        if obj_id in touched or obj_id not in after_ids or view.by_id[obj_id].noun in lights:
            continue
        name = resolver.landmark_phrase(obj_id)
        # "the large brown cube, the large brown cylinder": one of them is enough
        lead = name.split()[:3] if name else None
        if name and all(n.split()[:3] != lead for n in names):
            names.append(name)
        if len(names) == CONTEXT_OBJECTS:
            break
    if not names:
        return None
    others = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return {"others": others, "many": len(names) > 1}


# ---------------------------------------------------------------------------------------------
# Groups -> captions
# ---------------------------------------------------------------------------------------------


def sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def _lower_first(text: str) -> str:
    """Lower the first letter after a connector, unless it starts an all-caps word or quote.

    "A car has ..." becomes "a car has ..." (a one-letter word is not an acronym).
    """
    first = text.split(" ", 1)[0]
    if text[:1].isupper() and (len(first) == 1 or not first.isupper()):
        return text[0].lower() + text[1:]
    return text


def render_group(group: Group, variant: int, tpl: Templates | None = None) -> str:
    tpl = tpl or templates()
    key = group.key if tpl.has(group.key) else "generic"
    phrasings = tpl.get(key)
    text = phrasings[variant % len(phrasings)].render(**group.values)
    return sentence_case(" ".join(text.split()))


def _orders(rng: np.random.Generator, n_groups: int, n: int) -> list[list[int]]:
    """The stated order of each caption: the change order first, then distinct shuffles."""
    base = list(range(n_groups))
    out = [base]
    seen = {tuple(base)}
    for _ in range(n - 1):
        order = base
        for _ in range(6):  # a few tries for an order not used yet (2 groups have only 2)
            order = [int(i) for i in rng.permutation(n_groups)]
            if tuple(order) not in seen:
                break
        seen.add(tuple(order))
        out.append(order)
    return out


def _second_mention(group: Group, said: dict[str, str]) -> Group:
    """A target already described earlier in the caption is "the same <noun>" the second time,
    and an earlier target named again as a landmark is "that <noun>" ("the television on that
    table"), rather than the whole referring expression again. ``said``: referring -> bare."""
    thing = group.values.get("thing")
    if not group.referring or not isinstance(thing, str):
        return group
    if group.referring in said:
        noun = group.values.get("noun") or thing.removeprefix("the ")
        again = said.get(f"\0{group.referring}")  # said twice already
        same = ("that same " if again else "the same ") + noun
        said[f"\0{group.referring}"] = "again"
        values = {**group.values, "ref": same}
        if "light" in values:  # a switched lamp: "The {{ light }}" -> "The same street lamp"
            values.update(light=f"same {noun}", the_light=f"the same {noun}")
        return Group(group.type, group.key, values, same)
    for earlier in said:
        if earlier.startswith("\0"):
            continue
        if len(group.referring.split()) >= 3 and group.referring in earlier:
            that = "that " + thing.removeprefix("the ")  # named earlier as a landmark
            return Group(group.type, group.key, {**group.values, "ref": that}, that)
    for earlier, bare in said.items():
        if earlier.startswith("\0") or len(earlier.split()) < 3:
            continue
        that = "that " + bare.removeprefix("the ")
        values = dict(group.values)
        for key in ("ref", "ref_a"):
            if isinstance(values.get(key), str) and earlier in values[key]:
                values[key] = values[key].replace(earlier, that, 1)
        if values != group.values:
            referring = group.referring
            for key in ("ref_a", "ref"):
                if group.referring == group.values.get(key):
                    referring = values[key]
            return Group(group.type, group.key, values, referring)
    return group


def assemble(
    groups: list[Group],
    per_pair: int,
    rng: np.random.Generator,
    tpl: Templates | None = None,
    context: Mapping[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """N caption records ``{text, referring, change, types}`` from a pair's groups.

    ``context`` (the rich style): values of the closing sentence about what stayed the same.
    """
    tpl = tpl or templates()
    if not groups:
        groups = [Group("none", "none", {})]
    variants = []
    for g in groups:
        count = len(tpl.get(g.key if tpl.has(g.key) else "generic"))
        variants.append([int(i) for i in rng.permutation(count)])
    intro = tpl.get("multi_intro")
    connectors = tpl.get("multi_order")
    intro_perm = [int(i) for i in rng.permutation(len(intro))]
    conn_perm = [int(i) for i in rng.permutation(len(connectors))]
    captions = []
    for k, order in enumerate(_orders(rng, len(groups), per_pair)):
        parts, referring, said = [], [], {}
        for i in order:
            g = _second_mention(groups[i], said)
            parts.append(render_group(g, variants[i][k % len(variants[i])], tpl))
            referring.append(g.referring)
            if isinstance(groups[i].values.get("thing"), str):
                said[groups[i].referring] = groups[i].values["thing"]
        if len(groups) == 1:
            text = parts[0]
        else:
            n_word = number_word(len(groups))
            head = intro[intro_perm[k % len(intro)]].render(n=n_word, N=sentence_case(n_word))
            words = [
                w.strip() for w in connectors[conn_perm[k % len(connectors)]].render().split("|")
            ]
            body = [
                f"{words[min(j, len(words) - 1)]} {_lower_first(p)}" for j, p in enumerate(parts)
            ]
            text = " ".join([sentence_case(head.strip()), *body])
        if context:
            closing = tpl.get("context")
            line = closing[(k + int(rng.integers(len(closing)))) % len(closing)]
            text = f"{text} {sentence_case(' '.join(line.render(**context).split()))}"
        captions.append(
            {
                "text": text,
                "referring": referring,
                "change": parts,
                "types": [groups[i].type for i in order],
            }
        )
    return captions


def caption_pair(
    spec: PairSpec,
    per_pair: int = 2,
    resolution: tuple[int, int] = (96, 72),
    facts: Mapping[str, Mapping[str, Any]] | None = None,
    min_pixels: int = 1,
    tpl: Templates | None = None,
    style: str = "concise",
    readable: Readable | None = None,
) -> list[dict[str, Any]]:
    """Template captions for one pair: deterministic in (spec.seed, spec.index, spec.attempt).

    ``style``: "concise" (the shortest unique referring expressions) or "rich" (full
    descriptions and a closing sentence on what stayed the same: OmniDiff's length).
    ``readable``: which signs may be quoted (``scenes.sampler.text_readability``); None: all.
    """
    groups, ctx = _groups_and_ctx(spec, resolution, facts, min_pixels, style, readable)
    rng = rng_for(spec.seed, spec.index, "caption", spec.attempt)
    context = None
    if style == "rich" and any(g.type != "none" for g in groups):
        context = context_values(ctx)
    return assemble(groups, per_pair, rng, tpl, context)


def caption_or_reason(
    spec: PairSpec,
    per_pair: int = 2,
    resolution: tuple[int, int] = (96, 72),
    facts: Mapping[str, Mapping[str, Any]] | None = None,
    min_pixels: int = 1,
    tpl: Templates | None = None,
    style: str = "concise",
    readable: Readable | None = None,
) -> tuple[list[dict[str, Any]] | None, str | None]:
    """The quality gate's hook: ``(captions, None)``, or ``(None, reason)`` when a pair fails.

    ``reason`` is ``AmbiguousReference.reason`` ("ambiguous referring expression"), the string
    the render pipeline counts and resamples on; any other error is a bug and propagates.
    """
    try:
        caps = caption_pair(spec, per_pair, resolution, facts, min_pixels, tpl, style, readable)
        return caps, None
    except AmbiguousReference as exc:
        return None, exc.reason
