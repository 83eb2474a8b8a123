"""Change -> Group: what each change says, with the exact values and referring expressions.

diffforge's own types have a builder here each (how to name the lamp that was switched, where
a moved object went); any other type, a plugin's, is phrased by the template its operator
declares (``ChangeOperator.caption_key`` in its ``template_dir``) with the target's referring
forms and the operator's ``caption_values``; without one, by the generic template.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from diffforge.captioner.referring import (
    AmbiguousReference,
    Referring,
    Resolver,
    View,
    article,
    describe_group,
    is_person,
    key_phrase,
    noun_phrase,
    pose_key,
    projected_boxes,
    region_of,
    region_phrase,
)
from diffforge.captioner.seen import (
    depth_word,
    facing_seen,
    material_seen,
    turn_kind,
    vertical_relation,
)
from diffforge.scenes.changes import operator_for
from diffforge.scenes.changes.appearance import symmetry_order
from diffforge.scenes.changes.gating import box_centre
from diffforge.scenes.changes.scene_wide import UNSEEN_LAMP
from diffforge.scenes.geometry import project
from diffforge.scenes.model import Change, ObjectInstance, PairSpec
from diffforge.vocabulary import (
    CLOTHING_WORDS,
    MATERIAL_ADJECTIVES,
    MATERIAL_PREDICATES,
    POSE_MOVED_PHRASES,
    REGION_PHRASES,
    number_word,
    plural,
)


@dataclass
class Group:
    """One change, ready to phrase: template key, exact values, referring expression."""

    type: str
    key: str
    values: dict[str, Any]
    referring: str = ""
    where: Path | None = None  # the template's folder: None for diffforge's own
    # the object the referring expression names ("" for none): two changes of one object are
    # told as one thing ("the same tree"), whatever each one's own expression would have been
    target: str = ""


def changed_features(c: Change) -> tuple[str, ...]:
    """The describable features (``referring.features``) ``c`` alters on its target: a
    description that names one of them holds in one image only ("the brown tree" once it is
    green)."""
    if c.type == "color":
        part = c.params.get("part")
        return (f"clothing.{part}",) if part else ("color",)
    return {"size": ("size",), "material": ("material",), "pose": ("pose",), "text": ("text",)}.get(
        c.type, ()
    )


def shared_features(spec: PairSpec) -> dict[str, tuple[str, ...]]:
    """Per object that two or more changes of the pair target: every feature any of them
    alters. Each change then describes it without all of them, so the pair's changes name it
    by one expression that is true of both images (issue 32: a tree that turns green and
    shrinks was "the medium tree" in one sentence and "the brown tree" in the next)."""
    by_target: dict[str, list[Change]] = {}
    for c in spec.changes:
        if c.targets:
            by_target.setdefault(c.targets[0], []).append(c)
    return {
        obj_id: tuple(dict.fromkeys(f for c in changes for f in changed_features(c)))
        for obj_id, changes in by_target.items()
        if len(changes) > 1
    }


@dataclass
class GroupContext:
    spec: PairSpec
    before: View
    after: View
    resolvers: dict[str, Resolver] = field(default_factory=dict)
    style: str = "concise"
    shared: dict[str, tuple[str, ...]] = field(init=False)

    def __post_init__(self) -> None:
        self.shared = shared_features(self.spec)

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
        resolver = self.resolver(side)
        if obj_id in self.shared:  # another change of the pair alters it too
            shared = {**kw, "exclude": (*kw.get("exclude", ()), *self.shared[obj_id])}
            try:
                return resolver.describe(obj, style=self.style, **shared), view
            except AmbiguousReference:
                # only a changed feature tells it apart: its own description, said once
                # (``compose`` calls it "the same <noun>" after), so the gate passes as before
                pass
        return resolver.describe(obj, style=self.style, **kw), view


def obj_values(ref: Referring, view: View | None = None) -> dict[str, Any]:
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


# The camera's look-down angle changes by more than this many degrees before a caption says
# it is "higher up" or "lower down" (captions at 4-10 degrees were confirmed by eye in
# review_std96m/96n/96p; a street camera 7-8 m up raised to a 4.9-degree steeper view was not
# seen to rise, review_std96t 2200/18: the words are left out below 5.5)
VERTICAL_MIN_DEG = 5.5


def view_pitch_deg(camera) -> float:
    """How steeply the camera looks down at its target, in degrees below the horizontal."""
    dx, dy, dz = (a - b for a, b in zip(camera.location, camera.look_at, strict=True))
    return math.degrees(math.atan2(dz, math.hypot(dx, dy)))


def vertical_step(c: Change, ctx: GroupContext) -> str:
    """ "higher up", "lower down" or "": the change of the cameras' look-down angle (what the
    view does: a camera raised but aimed at a farther point looks down less), said where it
    agrees in sign with the recorded elevation and exceeds ``VERTICAL_MIN_DEG``."""
    pitch = view_pitch_deg(ctx.after.scene.camera) - view_pitch_deg(ctx.before.scene.camera)
    elevation = float(c.params.get("elevation_deg", pitch))
    if pitch * elevation <= 0 or abs(pitch) <= VERTICAL_MIN_DEG:
        return ""
    return "higher up" if pitch > 0 else "lower down"


# A viewpoint change is "closer to" or "further from the scene" only where the things seen in
# both images grow or shrink by this factor (their median): an orbit 7 % nearer its aim point
# left review_std96q 2600/21's objects within a pixel of their size (x1.03), the confirmed
# ones grew x1.10-1.16.
DISTANCE_MIN_SCALE = 1.06


def apparent_scale(ctx: GroupContext) -> float | None:
    """How much larger the things seen in both images look after (the median over them of
    depth before / depth after, times the lens ratio); None where none is seen in both."""
    before, after = ctx.before.scene, ctx.after.scene
    ratios = []
    for obj_id in sorted(ctx.before.visible & ctx.after.visible):
        old, new = before.find(obj_id), after.find(obj_id)
        if old is None or new is None:
            continue
        (d0,) = project(before.camera, [box_centre(old)], ctx.before.resolution)[1]
        (d1,) = project(after.camera, [box_centre(new)], ctx.after.resolution)[1]
        if d0 > 0 and d1 > 0:
            ratios.append(d0 / d1 * after.camera.lens / before.camera.lens)
    return float(np.median(ratios)) if ratios else None


def distance_step(c: Change, ctx: GroupContext) -> str:
    """ "closer to the scene", "further from the scene" or "": the recorded zoom, said where the
    things seen in both images visibly grow or shrink with it (``apparent_scale``)."""
    zoom = float(c.params.get("zoom", 1))
    if 0.95 <= zoom <= 1.05:
        return ""
    scale = apparent_scale(ctx)
    if scale is None:
        return ""
    if zoom < 0.95 and scale >= DISTANCE_MIN_SCALE:
        return "closer to the scene"
    if zoom > 1.05 and scale <= 1 / DISTANCE_MIN_SCALE:
        return "further from the scene"
    return ""


def _viewpoint(c: Change, ctx: GroupContext) -> Group:
    p = c.params
    extra = [w for w in (vertical_step(c, ctx), distance_step(c, ctx)) if w]
    return Group(
        c.type,
        "viewpoint",
        {"direction": p.get("direction", "left"), "extra": " and ".join(extra)},
    )


def _lamp_object(ctx: GroupContext, light_id: str) -> str | None:
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


def _illumination(c: Change, ctx: GroupContext) -> Group:
    kind = c.params.get("kind", "brighter")
    light = c.params.get("light", "lamp")
    lamp = _lamp_object(ctx, c.targets[0]) if kind in ("light_on", "light_off") else None
    if lamp is not None:
        # the light belongs to a lamp the viewer can see: name that lamp uniquely
        ref, _ = ctx.describe(lamp, "before")
        light = ref.text.removeprefix("the ")
        values = {"light": light, "the_light": f"the {light}", "thing": ref.bare}
        return Group(c.type, f"illumination_{kind}", values, values["the_light"], target=lamp)
    if kind in ("light_on", "light_off"):
        # no one can see the lamp (pair 05: "the wall lamp ... is turned off" with the lamp out
        # of view): say what the viewer sees, the scene getting brighter or dimmer
        return Group(c.type, "illumination_" + UNSEEN_LAMP[kind], {})
    values = {"light": light, "the_light": f"the {light}"}
    return Group(
        c.type, f"illumination_{kind}", values, values["the_light"] if "light" in c.params else ""
    )


def _add(c: Change, ctx: GroupContext) -> Group:
    ref, view = ctx.describe(c.targets[0], "after")
    return Group(c.type, "add", obj_values(ref, view), ref.indefinite, target=ref.object_id)


def _disappear(c: Change, ctx: GroupContext) -> Group:
    ref, view = ctx.describe(c.targets[0], "before")
    return Group(c.type, "disappear", obj_values(ref, view), ref.text, target=ref.object_id)


def _remove(c: Change, ctx: GroupContext) -> Group:
    ref, view = ctx.describe(c.targets[0], "before", use_support=False)
    holder = c.params.get("from")
    phrase = ctx.resolver("before").landmark_phrase(holder) if holder else None
    values = {
        **obj_values(ref, view),
        "holder": phrase or f"the {c.params.get('from_noun', 'table')}",
    }
    return Group(c.type, "remove", values, ref.text, target=ref.object_id)


def _move(c: Change, ctx: GroupContext) -> Group:
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
            if abs(dy) > 0.03 * h and moved.support == "wall":  # up or down its wall
                parts.append("lower down" if dy > 0 else "higher up")
            # nearer or further only where the depth, and so the apparent size, visibly
            # changes (a poster moved along its wall is neither)
            depth = depth_word(ctx.before.scene.camera, ctx.before.by_id[obj_id], moved)
            if depth:
                parts.append(depth)
            shift = " and ".join(parts)
            end_region = region_of(box, ctx.before.resolution)
    dest = ""
    landmark, near = None, None
    if moved is not None and obj_id in ctx.after.visible:
        resolver = ctx.resolver("after")
        near = resolver.nearest_landmark(moved)
        if near is not None and near != c.params.get("to") and near not in ref.used:
            landmark = resolver.landmark_phrase(near)
    start_region = ctx.before.region(obj_id)
    # "where it can now be found" is read on the after image: with the camera moved too, its
    # region there, not in the before camera's frame (benchmarks/calibration.md)
    same_camera = ctx.before.scene.camera == ctx.after.scene.camera
    now_region = end_region if same_camera else ctx.after.region(obj_id)
    if landmark and landmark not in ref.text:
        # "above"/"below" where the after image and the scene agree (a poster over a pot)
        relation = vertical_relation(moved, ctx.after.by_id[near], ctx.after.boxes)
        dest = f"{relation} {landmark}"
    elif now_region is not None and (now_region != start_region or not same_camera):
        phrase = region_phrase(now_region)
        if phrase not in ref.text:
            dest = phrase.removesuffix(" of the scene")
    to = f"to {REGION_PHRASES[now_region][1]}" if now_region else "to a new spot"
    values = {
        **obj_values(ref, view),
        "shift": shift or "to a different spot",
        "now_where": dest,
        "to": to,
    }
    return Group(c.type, "move", values, ref.text, target=ref.object_id)


def _describe_new(obj: ObjectInstance, said: str = "", colour_seen: bool = True) -> str:
    """'a blue ceramic vase': every attribute, since a new object has nothing to tell apart,
    except words the old object's description already says ("the black metallic sign ...
    a street lamp", not "... a black metallic street lamp") and a colour the picture does not
    show (``colour_seen``: ``Resolver.colour_seen`` on the after image)."""
    a = obj.attributes
    words = set(said.split())
    used = [
        k
        for k in ("color", "material")
        if getattr(a, k)
        and MATERIAL_ADJECTIVES.get(getattr(a, k), getattr(a, k)) not in words
        and (k != "material" or material_seen(a.material))
        and (k != "color" or colour_seen)
    ]
    feats = {k: getattr(a, k) for k in used}
    phrase = noun_phrase(obj, feats, used)
    return f"{article(phrase)} {phrase}"


def _replace(c: Change, ctx: GroupContext) -> Group:
    ref, view = ctx.describe(c.targets[0], "before")
    new_id = c.targets[1] if len(c.targets) > 1 else c.after.get("id")
    new = ctx.after.by_id.get(new_id)
    noun = str(c.after.get("noun", "new object"))
    new_a = (
        _describe_new(new, ref.text, ctx.resolver("after").colour_seen(new))
        if new is not None
        else f"{article(noun)} {noun}"
    )
    values = {**obj_values(ref, view), "new": new_a, "old_noun": c.before.get("noun", "")}
    return Group(c.type, "replace", values, ref.text, target=ref.object_id)


def _size(c: Change, ctx: GroupContext) -> Group:
    ref, view = ctx.describe(c.targets[0], exclude=changed_features(c))
    larger = c.params.get("direction", "larger") == "larger"
    values = {
        **obj_values(ref, view),
        "larger": larger,
        "comparative": "larger" if larger else "smaller",
        "bigger": "bigger" if larger else "smaller",
        "grown": "grown" if larger else "shrunk",
        "scaled": "scaled up" if larger else "scaled down",
        "size_before": c.before.get("size") or "",
        "size_after": c.after.get("size") or "",
    }
    return Group(c.type, "size", values, ref.text, target=ref.object_id)


def _color(c: Change, ctx: GroupContext) -> Group:
    part = c.params.get("part")
    ref, view = ctx.describe(c.targets[0], exclude=changed_features(c))
    values = {
        **obj_values(ref, view),
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
        return Group(c.type, "color_clothing", values, ref.text, target=ref.object_id)
    return Group(c.type, "color", values, ref.text, target=ref.object_id)


def _worn(color: str | None, part: str, many: bool) -> str:
    """'a red top' / 'an orange top' / 'blue trousers': what a person wears, with its article."""
    phrase = f"{color} {part}" if color else part
    return phrase if many else f"{article(phrase)} {phrase}"


def _material(c: Change, ctx: GroupContext) -> Group:
    ref, view = ctx.describe(c.targets[0], exclude=changed_features(c))
    old, new = c.before.get("material"), c.after.get("material")
    values = {
        **obj_values(ref, view),
        "before": old,
        "after": new,
        "before_adj": MATERIAL_ADJECTIVES.get(old, old),
        "after_adj": MATERIAL_ADJECTIVES.get(new, new),
        "before_look": MATERIAL_PREDICATES.get(old, old),
        "after_look": MATERIAL_PREDICATES.get(new, new),
    }
    # a user file's object: nobody named what it was made of before
    return Group(
        c.type, "material" if old else "material_new", values, ref.text, target=ref.object_id
    )


def _orientation(c: Change, ctx: GroupContext) -> Group:
    """The turn's direction only where a viewer can tell it: clear of the half-turn ("turned
    around" otherwise, where the front shows in one of the images) or of half the period of a
    symmetric object, and with the target's facing seen in both images ("turned" without a
    direction otherwise)."""
    obj_id = c.targets[0]
    ref, view = ctx.describe(obj_id)
    values = {**obj_values(ref, view), "direction": c.params.get("direction", "clockwise")}
    order = int(c.params.get("symmetry") or symmetry_order(view.by_id[obj_id]))
    kind = turn_kind(float(c.params["degrees"]), order) if "degrees" in c.params else "directed"
    if kind == "turned":
        return Group(c.type, "orientation_turned", values, ref.text, target=ref.object_id)
    res = ctx.before.resolution
    seen = [facing_seen(v.scene, obj_id, res, order) for v in (ctx.before, ctx.after)]
    # a half-turn shows as one when the front is seen in one image (the back in the other)
    if kind == "around":
        key = "orientation_around" if any(seen) else "orientation_turned"
    else:
        key = "orientation" if all(seen) else "orientation_turned"
    return Group(c.type, key, values, ref.text, target=ref.object_id)


def _past(phrase: str) -> str:
    """'is waving' -> 'was waving'; 'has raised both arms' -> 'had raised both arms'."""
    head, _, rest = phrase.partition(" ")
    return {"is": "was", "has": "had", "are": "were", "have": "had"}.get(head, head) + " " + rest


def _pose_words(
    name: str | None, obj: ObjectInstance | None, view: View
) -> tuple[str | None, str | None]:
    """(the pose a viewer reads on the figure in this image, its phrase): worded as its own
    image shows it (its limbs in the frame and the rendered box, a pointing arm's side)."""
    args = (name, obj, view.scene.camera, view.resolution, view.seen_box(obj.id) if obj else None)
    key = pose_key(*args)  # the figure's projection is read once per side
    return key, key_phrase(key)


def moved_limbs(before: str | None, after: str | None) -> str:
    """Which limbs differ between two library poses (a ``POSE_MOVED_PHRASES`` key): one arm,
    both arms, the legs, or the body (arms and legs, or a pose the library lacks)."""
    from diffforge.scenes.assets.characters import POSES

    if before not in POSES or after not in POSES:
        return "body"
    a, b = POSES[before], POSES[after]
    moved = {n for n in set(a) | set(b) if a.get(n, (0.0, 0.0, 0.0)) != b.get(n, (0.0, 0.0, 0.0))}
    arms = {n[-1] for n in moved if n.startswith(("upper_arm", "lower_arm", "hand"))}
    legs = any(n.startswith(("upper_leg", "lower_leg", "foot")) for n in moved)
    if arms and not legs:
        return "one_arm" if len(arms) == 1 else "both_arms"
    return "legs" if legs and not arms else "body"


def _pose(c: Change, ctx: GroupContext) -> Group:
    obj_id = c.targets[0]
    ref, view = ctx.describe(obj_id, exclude=changed_features(c))
    # each side's pose worded as its own image shows it (its limbs in view, a pointing arm's
    # side in the frame); two sides that read alike are worded by the limbs that moved, with
    # no pose named on either side: "was standing and now has moved one arm" told a pointing
    # arm lowered backwards (its foreshortened first side read as standing; std96x 6200/01)
    was_key, before = _pose_words(c.before.get("pose"), ctx.before.by_id.get(obj_id), ctx.before)
    now_key, after = _pose_words(c.after.get("pose"), ctx.after.by_id.get(obj_id), ctx.after)
    values = {**obj_values(ref, view), "noun": view.by_id[obj_id].noun}
    if was_key is not None and was_key == now_key:
        values["after"] = POSE_MOVED_PHRASES[moved_limbs(c.before.get("pose"), c.after.get("pose"))]
        return Group(c.type, "pose_moved", values, ref.text, target=ref.object_id)
    values |= {"before_was": _past(before or "stood still"), "after": after or "has moved"}
    return Group(c.type, "pose", values, ref.text, target=ref.object_id)


def _text(c: Change, ctx: GroupContext) -> Group:
    kind = c.params.get("kind", "change")
    ref, view = ctx.describe(c.targets[0], exclude=changed_features(c))
    values = {
        **obj_values(ref, view),
        "before": c.before.get("text"),
        "after": c.after.get("text"),
    }
    return Group(c.type, f"text_{kind}", values, ref.text, target=ref.object_id)


def _count(c: Change, ctx: GroupContext) -> Group:
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


def _none(c: Change, ctx: GroupContext) -> Group:
    return Group(c.type, "none", {})


def declared_group(c: Change, ctx: GroupContext) -> Group:
    """Any other type (a plugin's): its operator's template and values, and the referring
    forms of its first target that is in a scene; without a template, the generic one ("say
    what changed, and where")."""
    op = operator_for(c.type)
    ref, gview = None, None
    for target in c.targets:
        if target in ctx.before.by_id or target in ctx.after.by_id:
            ref, gview = ctx.describe(target)
            break
    kind = c.type.replace("_", " ")
    values = {
        "kind": kind,
        "a_kind": f"{article(kind)} {kind}",
        **(obj_values(ref, gview) if ref else {}),
    }
    values.setdefault("ref", "the scene")
    target = ref.object_id if ref else ""
    if op is None:
        return Group(c.type, "generic", values, ref.text if ref else "", target=target)
    values.update(op.caption_values(c))
    key, where = op.caption_key(c), op.template_dir
    return Group(c.type, key, values, ref.text if ref else "", where, target)


# diffforge's own types, by type (their operators declare the same template names).
BUILDERS: dict[str, Callable[[Change, GroupContext], Group]] = {
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


def group_for(c: Change, ctx: GroupContext) -> Group:
    """The Group of one change: its built-in builder, else its operator's declarations."""
    return BUILDERS.get(c.type, declared_group)(c, ctx)
