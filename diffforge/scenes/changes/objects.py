"""Changes to which objects exist and where: add, disappear, remove, move, replace, count."""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np

from diffforge.scenes.changes.appearance import seen_now, seen_whole, small_target_reasons
from diffforge.scenes.changes.base import (
    ChangeContext,
    ChangeOperator,
    NotApplicable,
    describe_object,
)
from diffforge.scenes.changes.gating import GateCheck, box_overlap
from diffforge.scenes.changes.salience import (
    relit_edge_reasons,
    small_blend_reasons,
    swap_look_reasons,
)
from diffforge.scenes.changes.seen_whole import covered_move_reasons
from diffforge.scenes.environments import (
    nearest_default_yaw,
    place_object,
    placer_for,
    spots_for,
)
from diffforge.scenes.environments.staging import is_road_vehicle, repose, staged
from diffforge.scenes.environments.tabletop import tabletop_assets
from diffforge.scenes.file_objects import asset_spec, duplicate, is_file_object
from diffforge.scenes.geometry import footprint_half_extents, predicted_footprints
from diffforge.scenes.instances import instantiate, is_person, text_colors
from diffforge.scenes.lighting import SceneLight, drop_lamp_light, lit_srgb
from diffforge.scenes.model import Change, ObjectInstance, Scene
from diffforge.scenes.perception import delta_e2000, srgb_to_lab
from diffforge.scenes.placement import Placer, Surface
from diffforge.vocabulary import COLORS, looks_alike

# Which asset tags suit a layout when something new enters the scene.
LAYOUT_TAGS: dict[str, tuple[str, ...]] = {
    "room": ("indoor", "tabletop"),
    "street": ("outdoor",),
    "tabletop": ("clevr",),
    "environment": ("tabletop", "indoor"),
}
SURFACE_PLACEMENTS: dict[str, set[str]] = {
    "floor": {"floor"},
    "ground": {"ground", "floor"},
    "surface": {"surface"},
    "wall": {"wall"},
}


# An object hung on a wall is told from the wall by colour alone: its lit colour must lie this
# far (CIEDE2000) from the wall's under the same light. A pink poster on a pink wall and a gray
# one on a gray wall could not be seen (std48e review pairs 28, 35); the contrast gate's own
# threshold (visibility.min_delta_e, 15) with the light model's margin.
WALL_CONTRAST = 22.0


def stands_out(scene: Scene, obj: ObjectInstance, light: SceneLight | None = None) -> bool:
    """Whether ``obj`` differs from what it hangs on enough to be seen: anything not on a
    wall, or of a colour the scene model cannot judge, does."""
    wall = COLORS.get(scene.environment.wall_color or "")
    own = COLORS.get(obj.attributes.color or "")
    if obj.support != "wall" or wall is None or own is None:
        return True
    light = light or SceneLight(scene)
    ground = COLORS.get(scene.environment.floor_color or "", COLORS["gray"])
    lit = srgb_to_lab(lit_srgb(np.array([own, wall], dtype=float), light.of(obj), ground))
    return float(delta_e2000(lit[0], lit[1])) >= WALL_CONTRAST


def _contrast_wall(ctx: ChangeContext, scene: Scene, obj: ObjectInstance, spec) -> bool:
    """Give a new wall object a colour of its palette that stands out from the wall (its own
    if it does) and on which its letters still read (``instances.text_colors``); False when
    none does."""
    if stands_out(scene, obj):
        return True
    own = obj.attributes.color
    for colour in sorted(spec.colors or COLORS, key=lambda _: ctx.rng.random()):
        letters_read = obj.text is None or obj.text.color in text_colors(colour)
        if colour in COLORS and colour != own and letters_read:
            obj.attributes.color, obj.attributes.rgb = colour, COLORS[colour]
            if stands_out(scene, obj):
                return True
    obj.attributes.color, obj.attributes.rgb = own, COLORS.get(own or "", obj.attributes.rgb)
    return False


def _removable(ctx: ChangeContext, scene: Scene, placer: Placer, kind: str) -> list[ObjectInstance]:
    """Objects that can go without leaving others floating, and that a viewer sees against
    the wall they hang on (``stands_out``)."""
    light = SceneLight(scene)
    return [
        o
        for o in ChangeOperator.free_objects(ctx, scene, kind)
        if not placer.dependents(o.id) and stands_out(scene, o, light)
    ]


def _pool(ctx: ChangeContext, scene: Scene, surface: Surface, exclude_category: str | None = None):
    tags = LAYOUT_TAGS[scene.environment.layout]
    placements = SURFACE_PLACEMENTS[surface.kind]
    if scene.environment.layout == "tabletop":  # the tabletop's floor is the table's top
        placements = placements | {"surface"}
    out = []
    tabletop = scene.environment.layout == "tabletop"  # CLEVR's and the user's small things
    for spec in tabletop_assets(ctx.library) if tabletop else ctx.library.select(tags_any=tags):
        if spec.placement not in placements:
            continue
        if spec.category in ctx.locked_categories or spec.category == exclude_category:
            continue
        if "facade" in spec.tags or (
            scene.environment.layout != "tabletop" and "clevr" in spec.tags
        ):
            continue
        out.append(spec)
    return out


def _similar(ctx: ChangeContext, scene: Scene, old: ObjectInstance) -> list:
    """Library assets of about a file object's size (half to twice its largest side) to
    replace it with: a file's object has no placement class to match."""
    big = max(old.dimensions)
    out = []
    for spec in ctx.library.select(tags_any=LAYOUT_TAGS[scene.environment.layout]):
        if spec.placement not in ("floor", "surface") or is_person(spec) or "clevr" in spec.tags:
            continue
        if spec.category in ctx.locked_categories or spec.category == old.category:
            continue
        if 0.5 <= max(spec.size) / big <= 2.0:
            out.append(spec)
    return out


def _lane_yaw(ctx: ChangeContext, scene: Scene, spec) -> float | None:
    """A road vehicle entering a street stands along the lane (either way round); None: the
    yaw a layout would give ``spec``."""
    if scene.environment.layout == "street" and is_road_vehicle(spec):
        return math.pi / 2 if ctx.rng.random() < 0.5 else -math.pi / 2
    return None


def _place_new(
    ctx: ChangeContext, scene: Scene, placer: Placer, spec, surfaces, template=None, **kw
) -> ObjectInstance | None:
    """A new instance of ``spec`` placed on one of ``surfaces`` (a copy of ``template`` when
    that is a file object: the renderer duplicates the file's object), where the staging
    rules allow it (a new person takes a pose its place allows); else None."""
    if template is not None and is_file_object(template):
        obj = duplicate(template, ctx.new_id(template.category))
    else:
        obj = instantiate(ctx.rng, spec, ctx.new_id(spec.category), ctx.cfg.text, **kw)
    surfaces = [lot for s in surfaces for lot in spots_for(scene, s, spec)]
    yaw = _lane_yaw(ctx, scene, spec)
    if template is not None and is_road_vehicle(spec) and scene.environment.layout == "street":
        yaw = template.transform.rotation[2]  # one more of the parked cars, the same way
    placed = place_object(
        ctx.rng, scene, placer, obj, spec, surfaces, yaw=yaw, tries=6, attempts=15
    )
    if not placed:
        return None
    repose(ctx.rng, scene, obj)
    fixed_colour = template is not None or "color" in kw  # one more of the same: not recoloured
    seen = stands_out(scene, obj) if fixed_colour else _contrast_wall(ctx, scene, obj, spec)
    if template is not None and seen:  # a copy a viewer counts apart from the others
        seen = not merged_copies(ctx, scene, [obj.id])
    if not seen or not staged(scene, obj):
        scene.objects.remove(obj)
        placer.remove(obj.id)
        return None
    return obj


def merged_copies(ctx: ChangeContext, scene: Scene, ids: list[str]) -> list[str]:
    """Of ``ids``, the objects predicted to overlap another of their kind in the picture by
    more than ``visibility.max_copy_overlap`` of the smaller box (``copy_overlap_reasons``):
    a car parked right behind another reads as one long car. Empty where not predicting."""
    if ctx.large is None:
        return []
    vis = ctx.cfg.visibility
    feet = predicted_footprints(scene, ctx.cfg.render.resolved().resolution, vis.predict_fill)
    out = []
    for obj_id in ids:
        obj, foot = scene.find(obj_id), feet.get(obj_id)
        if obj is None or foot is None:
            continue
        kin = [feet[o.id].box for o in scene.objects
               if o.category == obj.category and o.id != obj_id and o.id in feet]  # fmt: skip
        if any(box_overlap(foot.box, box) > vis.max_copy_overlap for box in kin):
            out.append(obj_id)
    return out


def copy_overlap_reasons(check: GateCheck) -> list[str]:
    """Each copy a count adds or takes away overlaps no other of its kind in the rendered
    picture by more than ``visibility.max_copy_overlap`` of the smaller box (``merged_copies``
    predicts it)."""
    if check.vis is None:
        return []
    category = check.change.params.get("category")
    for side in ("before", "after"):
        scene, facts = getattr(check.spec, side), check.facts[side]
        kin = [o.id for o in scene.objects if o.category == category]
        for obj_id in check.change.targets:
            box = (facts.get(obj_id) or {}).get("box")
            if not box:
                continue
            for other in kin:
                theirs = (facts.get(other) or {}).get("box")
                if (
                    other != obj_id
                    and theirs
                    and box_overlap(box, theirs) > check.vis.max_copy_overlap
                ):
                    return [f"count: a copy overlaps another of its kind ({side})"]
    return []


def _blends(check: GateCheck) -> list[str]:
    """What comes or goes is seen against what it stands on and against its surround, more
    clearly where it is small or where the pair also relights the scene (``salience``)."""
    return (
        check.support_contrast_reasons()
        or check.edge_contrast_reasons()
        or small_blend_reasons(check)
        or relit_edge_reasons(check)
    )


class Add(ChangeOperator):
    type = "add"
    changes_existence = True
    edits_objects = False  # a new object
    templates = ("add",)
    # a new thing is seen come where it is twice the threshold: a 189 px bush added at the far
    # end of a busy pavement was barely seen (review_std96s 6800/47, 1.3x); of 110 existence
    # changes rated over rounds 96q-96s, every one rated C showed 2.1x and more
    target_share = 2.0

    def gate(self, check: GateCheck) -> list[str]:
        # a new thing on a table of its colour is as hard to see come as to see go
        return (
            check.target_reasons()
            or small_target_reasons(check, self.target_share)
            or _blends(check)
        )

    def apply(self, ctx: ChangeContext, before: Scene, after: Scene) -> Change:
        placer = placer_for(after, ctx.library)
        kinds = {"floor", "ground", "surface"} | (
            {"wall"} if after.environment.layout == "room" else set()
        )
        surfaces = [s for s in placer.candidates(kinds) if _pool(ctx, after, s)]
        for _ in range(5):
            surface = ctx.pick(surfaces)
            spec = ctx.pick(_pool(ctx, after, surface))
            obj = _place_new(ctx, after, placer, spec, [surface])
            if obj is not None:
                ctx.lock(self.type, obj.id)
                ctx.locked_categories.add(obj.category)
                return Change(type=self.type, targets=[obj.id], after=describe_object(obj))
        raise NotApplicable("no free space for a new object")


class Disappear(ChangeOperator):
    type = "disappear"
    changes_existence = True
    templates = ("disappear",)

    def gate(self, check: GateCheck) -> list[str]:
        return check.target_reasons() or _blends(check)

    def apply(self, ctx: ChangeContext, before: Scene, after: Scene) -> Change:
        placer = placer_for(after, ctx.library)
        obj = ctx.pick(_removable(ctx, after, placer, self.type))
        after.objects.remove(obj)
        drop_lamp_light(after, obj.id)
        ctx.lock(self.type, obj.id)
        ctx.locked_categories.add(obj.category)
        return Change(type=self.type, targets=[obj.id], before=describe_object(obj))


class Remove(ChangeOperator):
    """Something taken off the thing it stood on ("the mug has been removed from the table")."""

    type = "remove"
    changes_existence = True
    templates = ("remove",)
    scene_needs = frozenset({"holder"})

    def gate(self, check: GateCheck) -> list[str]:
        return check.target_reasons() or _blends(check)

    def needs(self, scene: Scene) -> bool:
        ids = {o.id for o in scene.objects}
        # something stands on something (a person sitting on a seat is not taken off it)
        return any(o.support in ids and o.pose is None for o in scene.objects)

    def apply(self, ctx: ChangeContext, before: Scene, after: Scene) -> Change:
        placer = placer_for(after, ctx.library)
        ids = {o.id for o in after.objects}
        obj = ctx.pick(
            [
                o
                for o in _removable(ctx, after, placer, self.type)
                if o.support in ids and o.pose is None
            ]
        )
        holder = after.object(obj.support)
        after.objects.remove(obj)
        drop_lamp_light(after, obj.id)
        # the holder stays as it was: the record says what the object was taken off
        ctx.lock(self.type, obj.id, holder.id)
        ctx.locked_categories.add(obj.category)
        return Change(
            type=self.type,
            targets=[obj.id],
            before=describe_object(obj),
            params={"from": holder.id, "from_noun": holder.noun},
        )


class Move(ChangeOperator):
    type = "move"
    fields = ("transform.location",)
    params: ClassVar[dict[str, Any]] = {
        "distance": {"uniform": [0.35, 1.2]}
    }  # fraction of the support's free extent
    # a moved thing is seen in both places: a 299 px picture frame moved on a dark wall was
    # barely seen (review_std96f 4100/45); moves from 345 px were clear
    target_share = 2.0
    templates = ("move",)

    def gate(self, check: GateCheck) -> list[str]:
        return (
            check.target_reasons()
            or small_target_reasons(check, self.target_share)
            or covered_move_reasons(check)
        )

    def apply(self, ctx: ChangeContext, before: Scene, after: Scene) -> Change:
        placer = placer_for(after, ctx.library)
        seen = seen_now(ctx, after, self)  # large enough where it stands
        candidates = [
            o
            for o in _removable(ctx, after, placer, self.type)
            if o.support in placer.surfaces and (seen is None or o.id in seen)
        ]
        for _ in range(6):
            obj = ctx.pick(candidates)
            surface = ctx.pick(spots_for(after, placer.surfaces[obj.support], obj))
            if surface.kind == "wall":
                near = (
                    obj.transform.location[0],
                    obj.transform.location[2] + obj.dimensions[2] / 2,
                )
            else:
                near = (obj.transform.location[0], obj.transform.location[1])
            min_distance = max(0.25, ctx.params["distance"] * max(surface.half))
            spot = placer.find_spot(
                ctx.rng, surface, obj.dimensions, obj.transform.rotation[2],
                attempts=25, ignore=obj.id, near=near, min_distance=min_distance,
            )  # fmt: skip
            if spot is None:
                continue
            old = list(obj.transform.location)
            obj.transform.location = tuple(round(float(v), 6) for v in spot)
            if not staged(after, obj) or not seen_whole(ctx, (before, after), obj.id, self):
                obj.transform.location = tuple(old)
                continue
            ctx.lock(self.type, obj.id)
            return Change(
                type=self.type,
                targets=[obj.id],
                before={"location": old},
                after={"location": list(obj.transform.location)},
                params={"support": obj.support},
            )
        raise NotApplicable("nothing can move")


class Replace(ChangeOperator):
    type = "replace"
    changes_existence = True
    templates = ("replace",)

    def gate(self, check: GateCheck) -> list[str]:
        # both things are seen where they stand: a rug the floor's colour swapped for a
        # basket shows only a basket come (review_std96k 6400/08)
        return (
            check.target_reasons()
            or check.edge_contrast_reasons()
            or small_blend_reasons(check)
            or relit_edge_reasons(check)
            or swap_look_reasons(check)
        )

    def apply(self, ctx: ChangeContext, before: Scene, after: Scene) -> Change:
        placer = placer_for(after, ctx.library)
        candidates = [
            o
            for o in _removable(ctx, after, placer, self.type)
            if o.support in placer.surfaces and not is_person(asset_spec(ctx.library, o))
        ]
        for _ in range(8):
            old = ctx.pick(candidates)
            surface = placer.surfaces[old.support]
            if is_file_object(old):
                pool = _similar(ctx, after, old)
            else:
                pool = [s for s in _pool(ctx, after, surface, old.category) if not is_person(s)]
            if after.environment.layout == "street":  # a car for a car, a bench for a bench
                pool = [s for s in pool if is_road_vehicle(s) == is_road_vehicle(old)]
            if not pool:
                continue
            spec = ctx.pick(pool)
            new = instantiate(ctx.rng, spec, ctx.new_id(spec.category), ctx.cfg.text)
            # furniture faces the camera as a fresh one would, never its predecessor's turn
            # (benchmarks/calibration.md)
            yaw = nearest_default_yaw(spec, surface, old.transform.rotation[2])
            if _lane_yaw(ctx, after, spec) is not None:  # along the lane, as the old one stood
                yaw = old.transform.rotation[2]
            hx, hy = _half(new, surface, yaw)
            cx, cy = (old.transform.location[0], old.transform.location[1])
            if surface.kind == "wall":
                cy = old.transform.location[2] + hy
            if not surface.fits(cx, cy, hx, hy, ignore=old.id):
                continue
            x, y, z = old.transform.location
            if surface.kind == "wall":
                y = surface.height - new.dimensions[1] / 2
            new.transform.location = (x, y, z)
            new.transform.rotation = (0.0, 0.0, yaw)
            new.support = old.support
            at = after.objects.index(old)
            after.objects[at] = new
            if not _contrast_wall(ctx, after, new, spec) or not staged(after, new):
                after.objects[at] = old
                continue
            drop_lamp_light(after, old.id)
            ctx.lock(self.type, old.id, new.id)
            ctx.locked_categories.update({old.category, new.category})
            return Change(
                type=self.type,
                targets=[old.id, new.id],
                before=describe_object(old),
                after=describe_object(new),
            )
        raise NotApplicable("nothing can be replaced")


def _half(obj: ObjectInstance, surface: Surface, yaw: float) -> tuple[float, float]:
    if surface.kind == "wall":
        return obj.dimensions[0] / 2, obj.dimensions[2] / 2
    return footprint_half_extents(obj.dimensions[0], obj.dimensions[1], yaw)


class Count(ChangeOperator):
    """n → m instances of one category ("the number of mugs went from two to four")."""

    type = "count"
    changes_existence = True
    params: ClassVar[dict[str, Any]] = {
        "delta": {"choice": [-2, -1, 1, 2, 3], "weights": [1.0, 2.0, 2.0, 1.0, 0.5]}
    }
    # Each copy added or taken away must be seen on its own: the std48e review did not see a
    # chair added behind a person (119 visible pixels of 256×192) and barely a stool behind a
    # chair (328); copies of 400 px and more were counted (0.5 before that review).
    target_share = 2.5
    scene_needs = frozenset({"group"})
    templates = ("count",)

    def needs(self, scene: Scene) -> bool:
        return any("countable" in o.tags for o in scene.objects)

    def gate(self, check: GateCheck) -> list[str]:
        """The number of visible copies differs (each copy need not be large)."""
        if check.vis is None:
            return check.target_reasons()
        return (
            count_reasons(check)
            + check.target_reasons(each_target=False)
            + small_target_reasons(check, self.target_share)
            + copy_overlap_reasons(check)
        )

    def apply(self, ctx: ChangeContext, before: Scene, after: Scene) -> Change:
        placer = placer_for(after, ctx.library)
        free_ids = {o.id for o in self.free_objects(ctx, after, self.type)}
        groups: dict[str, list[ObjectInstance]] = {}
        for obj in after.objects:
            groups.setdefault(obj.category, []).append(obj)
        # every object of the category counts (a viewer counts all chairs, not only the
        # countable-tagged ones), so all of them must be countable and free
        groups = {
            c: objs
            for c, objs in groups.items()
            if all("countable" in o.tags and o.id in free_ids for o in objs)
            and not _counted_with_others(after, objs)
        }
        if not groups:
            raise NotApplicable("no countable category in the scene")
        category = ctx.pick(sorted(groups))
        members = groups[category]
        n = len(members)
        delta = int(ctx.params["delta"])
        if n + delta < 1:
            delta = abs(delta)
        targets: list[str] = []
        if delta < 0:
            merged = set(merged_copies(ctx, after, [o.id for o in members]))
            removable = [o for o in members if not placer.dependents(o.id) and o.id not in merged]
            if len(removable) < -delta:
                delta = abs(delta)
            else:
                for obj in ctx.rng.permutation(len(removable))[:-delta]:
                    victim = removable[int(obj)]
                    after.objects.remove(victim)
                    drop_lamp_light(after, victim.id)
                    placer.remove(victim.id)
                    targets.append(victim.id)
        if delta > 0:
            template = members[0]
            spec = asset_spec(ctx.library, template)
            supports = dict.fromkeys(o.support for o in members if o.support in placer.surfaces)
            surfaces = [placer.surfaces[k] for k in supports]
            for _ in range(delta):
                obj = _place_new(
                    ctx, after, placer, spec, surfaces, template, color=template.attributes.color
                )
                if obj is None:
                    raise NotApplicable("no room for more of the same")
                targets.append(obj.id)
        ctx.locked_categories.add(category)
        ctx.lock(self.type, *targets)
        return Change(
            type=self.type,
            targets=targets,
            before={"count": n},
            after={"count": n + delta},
            params={"category": category, "noun": members[0].noun},
        )


def _counted_with_others(scene: Scene, members: list[ObjectInstance]) -> bool:
    """Would a viewer counting these objects count others too, or not these alike: members
    of more than one noun (an apple and an orange of one category), or another object of a
    look-alike noun in the scene (review_std96j 8800/02: "the number of cars from one to
    two" beside a parked pickup truck, which a viewer counted as a car)."""
    nouns = {o.noun for o in members}
    if len(nouns) > 1:
        return True
    (noun,) = nouns
    ids = {o.id for o in members}
    return any(o.id not in ids and looks_alike(o.noun, noun) for o in scene.objects)


class Nothing(ChangeOperator):
    """No semantic change: the pair differs only by distractors (a CLEVR-Change no-change pair)."""

    type = "none"
    weight = 0.3
    alone = True
    edits_objects = False
    templates = ("none",)
    gate = None  # nothing to see

    def apply(self, ctx: ChangeContext, before: Scene, after: Scene) -> Change:
        return Change(type=self.type)


def count_reasons(check: GateCheck) -> list[str]:
    """A count change is seen only if the number of *visible* copies differs."""
    category = check.change.params.get("category")
    counts = []
    for side, scene in (("before", check.spec.before), ("after", check.spec.after)):
        n = 0
        for obj in scene.objects:
            f = check.facts[side].get(obj.id)
            if obj.category == category and f and f["pixels"] >= max(check.min_pixels, 1):
                n += 1
        counts.append(n)
    return [] if counts[0] != counts[1] else ["count: visible count unchanged"]
