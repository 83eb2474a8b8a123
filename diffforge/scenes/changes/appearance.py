"""Changes to how one object looks: size, color, material, orientation, pose, text."""

from __future__ import annotations

import functools
import math
import weakref
from collections.abc import Callable
from typing import Any, ClassVar

import numpy as np

from diffforge.scenes.assets.symmetry import FACING_NONE, facing_seen_deg, turn_in_sight
from diffforge.scenes.changes.base import ChangeContext, ChangeOperator, NotApplicable
from diffforge.scenes.changes.gating import GateCheck, box_cut, edge_factor, mean_lab, near_edge
from diffforge.scenes.changes.seen_whole import (
    covered_size_reasons,
    seen_whole_reasons,
    text_seen_whole_reasons,
)
from diffforge.scenes.changes.turn_outline import turn_outline_reasons
from diffforge.scenes.changes.turn_prediction import turn_prediction_reasons
from diffforge.scenes.colour_names import light_enough, name_fits, outline_lab, srgb_name_fits
from diffforge.scenes.environments import placer_for
from diffforge.scenes.environments.staging import (
    LEGS_SEEN_SHARE,
    allowed_poses,
    figure_seen,
    plausible_scale,
    staged,
)
from diffforge.scenes.file_objects import asset_spec
from diffforge.scenes.geometry import (
    footprint_half_extents,
    look_at_matrix,
    predicted_footprint,
    predicted_footprints,
    project,
    yaw_matrix,
)
from diffforge.scenes.instances import CLEVR_COLORS, CLEVR_MATERIALS, draw_text, is_person
from diffforge.scenes.lighting import SceneLight, lit_srgb
from diffforge.scenes.model import Change, Pose, Scene
from diffforge.scenes.perception import colour_distance, delta_e2000, mixed_colour, srgb_to_lab
from diffforge.vocabulary import COLORS, LEG_POSES, MATERIAL_LOOKS, POSE_SEEN_AS, size_word


class _Outline(ChangeOperator):
    """A change that keeps the target's colours: seen only if its outline changes."""

    def gate(self, check: GateCheck) -> list[str]:
        return check.target_reasons() + check.silhouette_reasons()


class _Colouring(ChangeOperator):
    """A change that keeps the target's outline: seen only if its colour changes."""

    whole_seen = True

    def gate(self, check: GateCheck) -> list[str]:
        return check.target_reasons() + check.contrast_reasons()


# The least factor a size change keeps once held inside its kind's plausible range
# (environments.staging.PLAUSIBLE_SCALE): larger by at least 1.25, smaller by at least 0.78.
SIZE_SEEN = {"larger": 1.25, "smaller": 0.78}


class Size(_Outline):
    """Larger or smaller by the drawn factor, held inside the plausible sizes of the object's
    kind (a chair never grows to a table's height, nor shrinks to a doll's); an object that
    cannot change by ``SIZE_SEEN`` within them is not picked."""

    type = "size"
    fields = ("transform.scale", "transform.location", "dimensions", "attributes.size")
    params: ClassVar[dict[str, Any]] = {
        "direction": {"choice": ["larger", "smaller"]},
        "larger_factor": {"uniform": [1.45, 1.8]},
        "smaller_factor": {"uniform": [0.45, 0.65]},
    }
    apart = frozenset({"viewpoint"})
    shares_objects = True
    # the smaller of the two states must be seen whole: a planter grown from 251 visible
    # pixels (22x19 px of 256x192) was barely seen (review_std96f 5200/11); sizes from 360 px
    # were clear
    target_share = 2.0
    templates = ("size",)

    def gate(self, check: GateCheck) -> list[str]:
        return (
            super().gate(check)
            or small_target_reasons(check, self.target_share)
            or edge_size_reasons(check)
            or check.size_change_reasons()
            or check.size_ratio_reasons()
            or relit_size_reasons(check)
            or seen_whole_reasons(check)
            or covered_size_reasons(check)
        )

    def apply(self, ctx: ChangeContext, before: Scene, after: Scene) -> Change:
        placer = placer_for(after, ctx.library)
        direction = ctx.params["direction"]
        factor = ctx.params[f"{direction}_factor"]
        seen = seen_now(ctx, after, self) if direction == "larger" else None  # its small state
        candidates = [
            o
            for o in self.free_objects(ctx, after, self.type)
            if not placer.dependents(o.id)
            and not is_person(asset_spec(ctx.library, o))
            and (seen is None or o.id in seen)
        ]
        for _ in range(6):
            obj = ctx.pick(candidates)
            lo, hi = plausible_scale(obj)
            scale = obj.transform.scale
            f = min(factor, hi / scale) if direction == "larger" else max(factor, lo / scale)
            if (f < SIZE_SEEN["larger"]) if direction == "larger" else (f > SIZE_SEEN["smaller"]):
                continue
            dims = tuple(round(d * f, 6) for d in obj.dimensions)
            surface = placer.surfaces.get(obj.support)
            x, y, z = obj.transform.location
            if surface is not None:
                if surface.kind == "wall":
                    y = surface.height - dims[1] / 2
                    cx, cy, hx, hy = x, z + dims[2] / 2, dims[0] / 2, dims[2] / 2
                else:
                    hx, hy = footprint_half_extents(dims[0], dims[1], obj.transform.rotation[2])
                    cx, cy = x, y
                if not surface.fits(cx, cy, hx, hy, ignore=obj.id):
                    continue
            old_scale, old_word = obj.transform.scale, obj.attributes.size
            old = (obj.transform.location, obj.dimensions)
            obj.transform.scale = round(old_scale * f, 6)
            obj.transform.location = (x, y, z)
            obj.dimensions = dims
            if (
                not staged(after, obj)
                or not seen_whole(ctx, (before, after), obj.id, self)
                or not edge_size_seen(ctx, (before, after), obj.id)
                or not area_ratio_seen(ctx, (before, after), obj.id)
            ):
                # grown onto a crossing, into a person's outline; or too small in one state
                obj.transform.scale, (obj.transform.location, obj.dimensions) = old_scale, old
                continue
            obj.attributes.size = size_word(obj.transform.scale)
            ctx.lock(self.type, obj.id)
            return Change(
                type=self.type,
                targets=[obj.id],
                before={"scale": old_scale, "size": old_word},
                after={"scale": obj.transform.scale, "size": obj.attributes.size},
                params={"direction": direction, "factor": round(f, 4)},
            )
        raise NotApplicable("nothing can change size")


def _size_feet(ctx: ChangeContext, scenes, obj_id: str) -> list | None:
    """``obj_id``'s predicted footprints in both ``scenes``; None where the sampler does not
    predict or the object is out of view in one (the sampler's check refuses that)."""
    if ctx.large is None:
        return None
    vis, resolution = ctx.cfg.visibility, ctx.cfg.render.resolved().resolution
    feet = [
        predicted_footprint(scene, obj_id, resolution, vis.predict_fill)
        for scene in scenes
        if scene.find(obj_id) is not None
    ]
    return None if len(feet) < 2 or any(f is None for f in feet) else feet


def edge_size_seen(ctx: ChangeContext, scenes, obj_id: str) -> bool:
    """Whether a size change of ``obj_id`` near the frame's edge (``gating.near_edge``, or cut
    by it) changes its predicted pixels by ``visibility.edge_size_share`` of the larger
    state: judged against the room's edge, a shelf shrunk 0.74x was barely seen. True where
    the sampler does not predict, or away from the edge."""
    feet = _size_feet(ctx, scenes, obj_id)
    if feet is None:
        return True
    vis, resolution = ctx.cfg.visibility, ctx.cfg.render.resolved().resolution
    if not any(f.in_frame < 1.0 or near_edge(f.box, vis, resolution) for f in feet):
        return True
    small, large = sorted(f.pixels for f in feet)
    return large > 0 and 1.0 - small / large >= vis.edge_size_share


def area_ratio_seen(ctx: ChangeContext, scenes, obj_id: str) -> bool:
    """Whether a size change of ``obj_id`` changes its predicted pixels by
    ``visibility.min_size_area_ratio`` (larger state over smaller; ``size_ratio_reasons``' gate):
    a shelf grown x1.27 was barely seen. True where the sampler does not predict."""
    feet = _size_feet(ctx, scenes, obj_id)
    if feet is None:
        return True
    vis = ctx.cfg.visibility
    small, large = sorted(f.pixels for f in feet)
    return small <= 0 or large / small >= vis.min_size_area_ratio


def edge_size_reasons(check: GateCheck) -> list[str]:
    """A size change near the frame's edge whose outline (mask XOR over the larger mask)
    changes by less than ``visibility.edge_size_share`` (``edge_size_seen``'s gate)."""
    targets = check.targets()
    if check.vis is None or not targets:
        return []
    h, w = check.diff.shape[:2]
    boxes = [check.facts[s].get(targets[0], {}).get("box") for s in ("before", "after")]
    edge = [b for b in boxes if b and (box_cut(b, (h, w)) or near_edge(b, check.vis, (w, h)))]
    if not edge:
        return []
    if check.outline_change() < check.vis.edge_size_share:
        return [f"{check.change.type}: size change at the frame's edge too small to see"]
    return []


def relit_size_reasons(check: GateCheck) -> list[str]:
    """Beside a relighting change every pixel of the target changes, so the scene-change rule
    (``visibility.min_scene_change_object_px``, generated scenes) counts what the size alone
    changes, its outline (mask XOR): a shelf shrunk by 665 px under a cooler light was barely
    seen (review_std96k 6400/07), sizes beside a relighting seen clearly changed 983 px
    and more (7700/11, 6400/14)."""
    if check.vis is None or not check.targets() or not check.relit or not check.generated():
        return []
    need = check.vis.scaled_px(check.vis.min_scene_change_object_px, check.diff.shape[1::-1])
    if check.outline_pixels() >= need:
        return []
    return [f"{check.change.type}: the size changes too little beside a lighting change"]


class Color(_Colouring):
    type = "color"
    fields = ("attributes.color", "attributes.rgb", "attributes.clothing")
    weight = 1.2
    shares_objects = True
    templates = ("color", "color_clothing")

    def gate(self, check: GateCheck) -> list[str]:
        """A garment's change is judged on the garment: the target's pixels that changed (its
        top or trousers) move by ``visibility.min_delta_e``, not the whole person's mean,
        in which a red top turned blue moved by 9 (it is a third of the figure)."""
        if not check.change.params.get("part"):
            seen = super().gate(check)
        else:
            seen = check.target_reasons() + (
                check.part_reasons() or garment_contrast_reasons(check)
            )
        seen = seen or check.color_pixel_reasons() or seen_whole_reasons(check)
        # the names are judged on a change a viewer sees (an unchanged target fits no new name)
        return seen or lit_name_reasons(check)

    def apply(self, ctx: ChangeContext, before: Scene, after: Scene) -> Change:
        far = ctx.cfg.visibility.min_color_delta_e
        light = SceneLight(after)
        candidates = []
        for obj in self.free_objects(ctx, after, self.type):
            spec = asset_spec(ctx.library, obj)
            if MATERIAL_LOOKS.get(obj.attributes.material or "") == "transparent":
                continue  # glass shows its colour as a faint tint: two glass tables moved 4.7, 13.8
            if obj.attributes.clothing:  # people: the colour of their top or trousers
                for part in obj.attributes.clothing:
                    options = self._options(ctx, obj, spec, part, list(COLORS), far)
                    options = lit_options(ctx, light, obj, spec, part, options)
                    candidates += [(obj, part, options)] if options else []
            elif spec.material_slots and obj.attributes.color:
                palette = CLEVR_COLORS if "clevr" in obj.tags else (spec.colors or list(COLORS))
                options = self._options(ctx, obj, spec, None, palette, far)
                options = lit_options(ctx, light, obj, spec, None, options)
                candidates += [(obj, None, options)] if options else []
        if not candidates:
            raise NotApplicable("no object whose colour can change visibly")
        # each thing in view as likely as any other: a person is one (their top more often
        # than their trousers), like a car or a chair
        weights = [0.6 if part == "top" else 0.4 if part else 1.0 for _, part, _ in candidates]
        p = np.array(weights) / sum(weights)
        obj, part, options = candidates[int(ctx.rng.choice(len(candidates), p=p))]
        ctx.lock(self.type, obj.id)
        new = ctx.pick(options)
        if part is not None:
            old = obj.attributes.clothing[part]
            obj.attributes.clothing = {**obj.attributes.clothing, part: new}
            return Change(
                type=self.type,
                targets=[obj.id],
                before={"color": old},
                after={"color": new},
                params={"part": part},
            )
        old = obj.attributes.color
        obj.attributes.color, obj.attributes.rgb = new, COLORS[new]
        return Change(type=self.type, targets=[obj.id], before={"color": old}, after={"color": new})

    @staticmethod
    def _options(ctx: ChangeContext, obj, spec, part: str | None, palette, far) -> list[str]:
        """New colours whose object, fixed parts included, looks ``far`` (CIEDE2000) from
        before: a car's body red→pink moved the rendered car by 9.6 (its windows and tyres
        stay black), a shelf's gray→black by 12.4 beside its books."""
        worn = obj.attributes.clothing or {}
        old = worn[part] if part else obj.attributes.color
        options = [c for c in palette if c != old and c not in worn.values()]
        if old not in COLORS:
            return options
        if obj.asset not in ctx.library:  # a user file's object: its own colours, no areas
            return [c for c in options if seen_distance(spec, {}, part, old, c, worn) >= far]
        # the same asset, slot and colours give the same answer: kept per library (a scene's
        # many draws ask it again; CIEDE2000 was a sixth of the sampler's time)
        seen = _SEEN_COLOURS.setdefault(ctx.library, {})
        key = (obj.asset, part, old, tuple(sorted(worn.items())), tuple(options), far)
        if key not in seen:
            areas = ctx.library.slot_areas(obj.asset)
            seen[key] = tuple(
                c for c in options if seen_distance(spec, areas, part, old, c, worn) >= far
            )
        return list(seen[key])


# Colour options that show, per asset library (``Color._options``).
_SEEN_COLOURS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def seen_distance(spec, areas: dict[str, float], part, old: str, new: str, worn) -> float:
    """CIEDE2000 between the object's area-weighted mean colour before and after recolouring
    its colour slots; for a garment (``part``: one clothing slot) and without slot areas (a
    user's file) the two colours' own distance: a viewer sees the top change, and the gate
    measures the garment (``Color.gate``)."""
    return colour_distance(*seen_colours(spec, areas, part, old, new, worn))


def seen_colours(spec, areas: dict[str, float], part, old: str, new: str, worn):
    """The object's mean sRGB colour before and after (``seen_distance``)."""
    if part:
        return COLORS[old], COLORS[new]
    changed = set(spec.material_slots)
    if not changed & areas.keys():
        return COLORS[old], COLORS[new]
    fixed = {k: v.color for k, v in spec.part_materials.items()} | dict(worn)
    kept = [
        (COLORS[fixed[s]], a)
        for s, a in areas.items()
        if s not in changed and fixed.get(s) in COLORS
    ]
    recoloured = [a for s, a in areas.items() if s in changed]
    return (
        mixed_colour([(COLORS[old], a) for a in recoloured] + kept),
        mixed_colour([(COLORS[new], a) for a in recoloured] + kept),
    )


# A new colour is drawn only where the contrast gate (``visibility.min_delta_e``) is predicted
# to pass with this margin under the light the target receives (``scenes.lighting``): the
# model's error on the colours it was fitted to is 8.8 CIEDE2000 rms, and a blue box on a pink
# floor was predicted 21.7 for cyan, 15.3 for teal, which rendered 11.8 and 6.7.
LIT_MARGIN = 1.5
LIGHT_STEP = 0.05  # the relative light at a target, rounded: repeated answers are kept


def lit_options(ctx: ChangeContext, light: SceneLight, obj, spec, part, options: list[str]):
    """The ``options`` whose predicted rendered contrast against the object's colour now,
    under the light at the object and its floor's bounce (``scenes.lighting.lit_srgb``),
    clears ``LIT_MARGIN`` times the contrast gate: a colour step the names promise can vanish
    in a dark corner or under a tinted light."""
    if not options or ctx.cfg.visibility.min_delta_e <= 0:
        return options
    worn = obj.attributes.clothing or {}
    old = worn[part] if part else obj.attributes.color
    if old not in COLORS:
        return options
    mine = obj.asset in ctx.library
    areas = ctx.library.slot_areas(obj.asset) if mine else {}
    ground = COLORS.get(light.scene.environment.floor_color or "", COLORS["gray"])
    light = np.round(light.of(obj) / LIGHT_STEP) * LIGHT_STEP  # finer than the model's error
    look = MATERIAL_LOOKS.get(obj.attributes.material or "")

    def named(c: str) -> bool:  # the name fits, and a light colour's outline stays light
        lit = lit_srgb(COLORS[c], light, ground)
        return srgb_name_fits(lit, c) and light_enough(outline_lab(srgb_to_lab(lit), look), c)

    # the same asset, colours, material, light and floor give the same answer: kept per library
    seen = _LIT_OPTIONS.setdefault(ctx.library, {}) if mine else {}
    if len(seen) > LIT_OPTIONS_KEPT:  # lights vary without end over a long run
        seen.clear()
    key = (obj.asset, part, old, tuple(sorted(worn.items())), tuple(options), tuple(light),
           ground, ctx.cfg.visibility.min_delta_e, obj.attributes.material)  # fmt: skip
    if key not in seen:
        if not named(old):
            seen[key] = ()  # its colour now is not what a caption calls it (``lit_name_reasons``)
        else:
            pairs = _LIT_PAIRS.setdefault(ctx.library, {}) if mine else {}
            kept = key[:5]  # the colours before and after do not depend on the light
            if kept not in pairs:
                pairs[kept] = np.asarray(
                    [seen_colours(spec, areas, part, old, c, worn) for c in options], dtype=float
                )
            seen[key] = tuple(_lit_options(ctx, pairs[kept], options, light, ground, named))
    return list(seen[key])


# ``lit_options``' answers, and the colours before and after each option, per asset library
# (the answers at most this many, then forgotten).
LIT_OPTIONS_KEPT = 50_000
_LIT_OPTIONS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_LIT_PAIRS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _lit_options(ctx, pairs: np.ndarray, options, light, ground, named) -> list[str]:
    """The ``options`` (``pairs``: the object's colour before and after each) whose lit
    contrast clears the margin and whose lit colour keeps its name (``named``)."""
    lit = srgb_to_lab(lit_srgb(pairs, light, ground))
    seen = delta_e2000(lit[:, 0], lit[:, 1])
    floor = LIT_MARGIN * ctx.cfg.visibility.min_delta_e
    return [c for c, de in zip(options, seen, strict=True) if de >= floor and named(c)]


def lit_name_reasons(check: GateCheck) -> list[str]:
    """The colour names a caption gives the change fit the rendered colour (a viewer may call
    it so, ``scenes.colour_names``): measured on the target's pixels that changed on each side
    (the recoloured slots or garment; all its pixels where too few changed), as the contrast
    gate measures. A beige car under a red façade's light looks salmon: the pair is redrawn
    rather than captioned with a name the picture does not show."""
    targets = check.targets()
    if check.vis is None or not targets:
        return []
    index = check.ids[targets[0]]
    reasons = []
    for side, image, mask in zip(("before", "after"), check.images, check.masks, strict=True):
        name = getattr(check.change, side).get("color")
        region = mask == index
        if name not in COLORS or not region.any():
            continue
        changed = region & check.diff
        lab = mean_lab(image, changed if changed.sum() >= check.min_changed else region)
        if not name_fits(lab, name):
            reasons.append(f"{check.change.type}: lit colour not {side}'s name")
    return reasons


def garment_contrast_reasons(check: GateCheck) -> list[str]:
    """The mean colour of the target's changed pixels (``check.diff`` inside its mask on each
    side: the garment that changed) moves by ``visibility.min_delta_e``."""
    targets = check.targets()
    if check.vis is None or not targets:
        return []
    index = check.ids[targets[0]]
    labs = [
        mean_lab(image, (mask == index) & check.diff)
        for image, mask in zip(check.images, check.masks, strict=True)
    ]
    seen = labs[0] is not None and labs[1] is not None
    if seen and float(delta_e2000(labs[0], labs[1])) >= check.vis.min_delta_e:
        return []
    return [f"{check.change.type}: contrast too low"]


# What the renders show of a material swap (the target's mean colour, CIEDE2000; default-config
# sets at standard and draft, 2026-11-27): glass against a non-metal 29-36 (7 swaps); glass
# against metal 8-24 (6 swaps, 2 under the gate: both reflect their surroundings more than they
# show their own colour); metal against a non-metal 6-10 on coloured objects, 18 on a grey
# cylinder but low on a grey or black shelf; glossy against matte (plastic, wood, fabric) 1-9.
# The contrast gate (``visibility.min_delta_e``, 15) passes only the first reliably.
SEEN_LOOKS = frozenset({"transparent"})
REFLECTIVE_LOOKS = frozenset({"transparent", "metallic"})


def materials_look_apart(old: str | None, new: str) -> bool:
    """Whether a swap from ``old`` to ``new`` changes what a viewer sees of the object in
    these renders: glass against a material that is not metal (vocabulary.MATERIAL_LOOKS)."""
    looks = {MATERIAL_LOOKS.get(old or ""), MATERIAL_LOOKS.get(new)}
    return len(looks) == 2 and bool(looks & SEEN_LOOKS) and looks != REFLECTIVE_LOOKS


class Material(_Colouring):
    type = "material"
    fields = ("attributes.material",)
    weight = 0.8
    shares_objects = True
    templates = ("material", "material_new")
    scene_needs = frozenset({"material"})

    def gate(self, check: GateCheck) -> list[str]:
        # read inside the outline as a colour is: a target mostly hidden hides it too
        return super().gate(check) or seen_whole_reasons(check)

    def unavailable(self, cfg, layouts: list[str]) -> str | None:
        if set(layouts) == {"tabletop"} and cfg.visibility.distinct_material_looks:
            return (
                "an object whose material change shows, and CLEVR's rubber and metal do not "
                "look apart in these renders (visibility.distinct_material_looks)"
            )
        return None

    def apply(self, ctx: ChangeContext, before: Scene, after: Scene) -> Change:
        candidates = []
        for obj in self.free_objects(ctx, after, self.type):
            spec = asset_spec(ctx.library, obj)
            options = CLEVR_MATERIALS if "clevr" in obj.tags else (spec.materials or [])
            others = [m for m in options if m != obj.attributes.material]
            if ctx.cfg.visibility.distinct_material_looks:  # plastic→ceramic cannot be seen
                old = obj.attributes.material
                others = [m for m in others if materials_look_apart(old, m)]
            if spec.material_slots and others and not is_person(spec):
                candidates.append((obj, others))
        obj, others = ctx.pick(candidates)
        old, new = obj.attributes.material, ctx.pick(others)
        obj.attributes.material = new
        ctx.lock(self.type, obj.id)
        return Change(
            type=self.type, targets=[obj.id], before={"material": old}, after={"material": new}
        )


def small_target_reasons(check: GateCheck, share: float) -> list[str]:
    """Each target as large as ``share`` times the visibility threshold on every side it is
    on (``ChangeOperator.target_share``, which the sampler's prediction asks for too): what a
    viewer reads of a turn or a count shrinks with the thing's size."""
    if check.vis is None or share <= 1.0:
        return []
    need = share * check.target_min
    for obj_id in check.targets():
        for side in ("before", "after"):
            fact = check.facts[side].get(obj_id)
            if fact is not None and fact["pixels"] < need:
                return [f"{check.change.type}: target too small to see the change ({side})"]
    return []


def relit_turn_reasons(check: GateCheck, share: float) -> list[str]:
    """Beside a relighting (``GateCheck.relit``) a turned target, in the image where it is
    larger, is ``visibility.relit_turn_target_factor`` times as large as
    ``small_target_reasons`` asks: the whole frame changes and draws the eye from a small
    outline's turn."""
    if check.vis is None or not check.relit or not check.targets():
        return []
    sides = [check.facts[side].get(check.targets()[0]) for side in ("before", "after")]
    larger = max((fact["pixels"] for fact in sides if fact is not None), default=0)
    if larger < share * check.vis.relit_turn_target_factor * check.target_min:
        return [f"{check.change.type}: target too small to see turned beside a relighting"]
    return []


def target_need(ctx: ChangeContext, share: float) -> float:
    """Predicted pixels a target of a type with ``target_share`` ``share`` needs: the gate's
    threshold with the prediction's margin (``visibility.predict_margin``), as the sampler's
    check after the draw asks (``PairSampler._check_in_view``)."""
    vis = ctx.cfg.visibility
    resolution = ctx.cfg.render.resolved().resolution
    return share * vis.predict_margin * vis.target_pixels(resolution)


def seen_whole(ctx: ChangeContext, scenes, obj_id: str, op: ChangeOperator) -> bool:
    """Whether ``obj_id`` is predicted ``op.target_share`` times the visibility threshold in
    each of ``scenes`` it is in (the prediction of ``small_target_reasons``), so that a draw
    picks another target here rather than failing the sampler's check after the draw."""
    if ctx.large is None or op.target_share <= 1.0:
        return True
    resolution = ctx.cfg.render.resolved().resolution
    for scene in scenes:
        if scene.find(obj_id) is None:
            continue
        foot = predicted_footprint(scene, obj_id, resolution, ctx.cfg.visibility.predict_fill)
        if foot is None or foot.pixels < _need_at(ctx, op, foot):
            return False
    return True


def _need_at(ctx: ChangeContext, op: ChangeOperator, foot) -> float:
    """Predicted pixels ``op``'s target needs where it stands: its ``target_share``, or the
    frame edge's factor where the edge cuts it (the larger; ``PairSampler._check_in_view``)."""
    cut = edge_factor(foot.in_frame < 1.0, ctx.cfg.visibility)
    return target_need(ctx, max(op.target_share, cut))


def seen_now(ctx: ChangeContext, scene: Scene, op: ChangeOperator) -> set[str] | None:
    """The objects of ``scene`` predicted ``op.target_share`` times the visibility threshold
    as they stand (``seen_whole`` on one scene, all objects at once from the scene's cached
    footprints): a draw's candidates, so that its tries go to targets that can pass. None:
    every object (no prediction)."""
    if ctx.large is None or op.target_share <= 1.0:
        return None
    vis = ctx.cfg.visibility
    feet = predicted_footprints(scene, ctx.cfg.render.resolved().resolution, vis.predict_fill)
    return {k for k, f in feet.items() if f.pixels >= _need_at(ctx, op, f)}


def figure_turn_seen(degrees: float, vis) -> bool:
    """Whether a person's turn by ``degrees`` (as recorded) shows: at least
    ``visibility.min_figure_turn_deg`` from a half-turn. A mannequin's back and front look
    alike at these sizes: turned 155.9 degrees it looked nearly the same (review_std96f
    4100/42), turned 140 it read as a small turn (review_std96i 3300/21, 3300/38)."""
    return 180.0 - abs(degrees) >= vis.min_figure_turn_deg


# The least symmetry order whose turns the view rule folds: a cube's faces look alike, so
# its outline depends only on the face it shows the camera; a 2-fold car or table at 30
# degrees either side of the view points left or right, which a viewer tells apart.
VIEW_FOLDED_ORDER = 4


def view_angle(yaw: float, location, camera_location, order: int) -> float:
    """Degrees from face-on (0) to corner-on (half the period /2) that an ``order``-fold
    object at ``location``, turned to ``yaw`` (radians), shows the camera: its yaw relative
    to the camera's ray, folded by its symmetry and by the mirror (a cube 20 degrees either
    side of face-on shows the same outline)."""
    ray = math.atan2(location[1] - camera_location[1], location[0] - camera_location[0])
    period = 360.0 / max(order, 1)
    x = math.degrees(yaw - ray) % period
    return min(x, period - x)


def view_turn_seen(obj, yaw: float, before_camera, after_camera, order: int, vis) -> bool:
    """Whether turning ``obj`` from its yaw to ``yaw`` (radians) changes the outline a viewer
    sees: for ``VIEW_FOLDED_ORDER``-fold shapes and up, the view angle (``view_angle``) moves
    by ``visibility.min_view_turn_deg``; a cube turned 45 degrees from 25 degrees off face-on
    to 20 the other side looked the same (review_std96g 7300/34). A nearly square 2-fold
    shape (``near_square``) is folded by 4 too, its view angle moving by
    ``visibility.min_near_square_turn_deg``: a crate 0.52 x 0.36 m turned 84 degrees looked
    turned a few (review_std96j 8800/22). Other shapes: always."""
    need = vis.min_view_turn_deg
    if order < VIEW_FOLDED_ORDER:
        if order != 2 or not near_square(obj, vis):
            return True
        order, need = VIEW_FOLDED_ORDER, vis.min_near_square_turn_deg
    loc = obj.transform.location
    old = view_angle(obj.transform.rotation[2], loc, before_camera.location, order)
    new = view_angle(yaw, loc, after_camera.location, order)
    return abs(old - new) >= need


def near_square(obj, vis) -> bool:
    """Whether ``obj``'s footprint's sides differ by ``SQUARE_FOOTPRINT`` (under it the kind
    counts 4-fold, ``symmetry_order``) to ``visibility.near_square_share`` of the longer: a
    2-fold box that shows nearly the same face turned a quarter."""
    dx, dy = obj.dimensions[0], obj.dimensions[1]
    if max(dx, dy) <= 0:
        return False
    return SQUARE_FOOTPRINT <= abs(dx - dy) / max(dx, dy) < vis.near_square_share


def view_turn_reasons(check: GateCheck) -> list[str]:
    """A symmetric shape's turn that shows the camera the same outline: predicted
    (``view_turn_seen``), or rendered, a folded shape's outline (mask XOR over its larger
    state) changing by less than ``visibility.min_folded_turn_outline`` or than
    ``visibility.min_folded_turn_outline_px`` pixels."""
    targets = check.targets()
    if check.vis is None or not targets:
        return []
    obj, turned = check.spec.before.find(targets[0]), check.spec.after.find(targets[0])
    order = int(check.change.params.get("symmetry", 1) or 1)
    if obj is None or turned is None:
        return []
    yaw = turned.transform.rotation[2]
    cams = (check.spec.before.camera, check.spec.after.camera)
    if not view_turn_seen(obj, yaw, *cams, order, check.vis):
        return [f"{check.change.type}: the turn shows the camera the same outline"]
    folded = order >= VIEW_FOLDED_ORDER or (order == 2 and near_square(obj, check.vis))
    if not folded:
        return []
    need_px = check.vis.scaled_px(check.vis.min_folded_turn_outline_px, check.diff.shape[1::-1])
    if (
        check.outline_change() < check.vis.min_folded_turn_outline
        or check.outline_pixels() < need_px
    ):
        return [f"{check.change.type}: the turned outline looks the same"]
    return []


def view_turns(obj, camera, order: int, vis) -> list[float]:
    """Turns (radians, both ways, from ``visibility.min_rotation_deg`` to half the period) of
    a ``VIEW_FOLDED_ORDER``-fold shape that change the face it shows ``camera`` enough
    (``view_turn_seen``): only a cube near face-on or corner-on has any, so a draw tries
    those cubes, with one of their turns."""
    lo, hi = math.radians(vis.min_rotation_deg), math.pi / max(order, 1)
    yaw = obj.transform.rotation[2]
    return [
        sign * t
        for t in np.linspace(lo, max(lo, hi), VIEW_TURN_STEPS)
        for sign in (1.0, -1.0)
        if view_turn_seen(obj, yaw + sign * t, camera, camera, order, vis)
    ]


# Turns ``view_turns`` tries across its window (40 to 45 degrees for a cube: 1 degree apart).
VIEW_TURN_STEPS = 6


class Orientation(_Outline):
    type = "orientation"
    fields = ("transform.rotation",)
    # beyond ~135° a turn reads as a smaller turn the other way
    params: ClassVar[dict[str, Any]] = {"angle_deg": {"uniform": [50.0, 135.0]}}
    # A turn stands alone on its object: under a recolour or a resize every pixel of the
    # target changes, so neither the turn gates nor a viewer can tell the turn (review_std96j
    # 5600/28: a pillar box turned 75° and recoloured; the turn was not seen at all).
    shares_objects = False
    # A turn is read on the target's outline: on a small one (a teapot at 169 visible pixels, a
    # cube at 340, a vending machine at 413 of 256×192) the std48e review barely saw it; the
    # turns seen clearly covered 450 px and more.
    target_share = 3.0
    whole_seen = True
    # read from the outline: a bench behind a person's legs, 0.73 in sight, was barely seen
    # turned (review_std96j 8800/33)
    seen_share_setting = "min_turn_seen_share"
    # round objects look the same turned; other symmetries are folded (``symmetry_order``)
    skip_tags = frozenset({"symmetric"})
    scene_needs = frozenset({"turnable"})
    templates = ("orientation", "orientation_around", "orientation_turned")

    def gate(self, check: GateCheck) -> list[str]:
        return (
            super().gate(check)
            or small_target_reasons(check, self.target_share)
            or relit_turn_reasons(check, self.target_share)
            or figure_turn_reasons(check)
            or view_turn_reasons(check)
            or check.turn_change_reasons()
            or check.turn_contrast_reasons()
            or check.turn_piece_reasons()
            or turn_outline_reasons(check)
        )

    def apply(self, ctx: ChangeContext, before: Scene, after: Scene) -> Change:
        placer = placer_for(after, ctx.library)
        angle = math.radians(ctx.params["angle_deg"])
        candidates = [
            o
            for o in self.free_objects(ctx, after, self.type)
            if not self.skip_tags & set(o.tags)
            # a near-symmetric thin thing (a coat rack) turned looks the same: review std48d
            # pair 39 could not see its turn at all
            and facing_seen_deg(o.asset, o.category) > FACING_NONE
            and not placer.dependents(o.id)
            and getattr(placer.surfaces.get(o.support), "kind", "wall") != "wall"
        ]
        vis = ctx.cfg.visibility
        orders = {o.id: symmetry_order(o, asset_spec(ctx.library, o)) for o in candidates}
        cubes = {o.id: view_turns(o, after.camera, orders[o.id], vis) for o in candidates
                 if orders[o.id] >= VIEW_FOLDED_ORDER}  # fmt: skip
        candidates = [o for o in candidates if cubes.get(o.id, True)]
        min_turn = math.radians(vis.min_rotation_deg)
        for _ in range(6):
            obj = ctx.pick(candidates)
            turn = angle if ctx.rng.random() < 0.5 else -angle
            # What a viewer sees of the turn: the angle modulo the object's symmetry, taken
            # the short way round (a box turned 170° looks turned 10° the other way).
            order = orders[obj.id]
            turn = turn_in_sight(turn, seen_turn(turn, order), order, min_turn)  # a cube's too
            if obj.id in cubes:  # one of the turns that show it another face
                turn = float(ctx.pick(cubes[obj.id]))
            if abs(turn) < min_turn:
                continue
            if obj.pose is not None and not figure_turn_seen(
                math.degrees(turn), ctx.cfg.visibility
            ):  # a figure turned near a half-turn looks the same: the largest turn that shows
                turn = math.copysign(
                    math.radians(180.0 - ctx.cfg.visibility.min_figure_turn_deg), turn
                )
            yaw = obj.transform.rotation[2] + turn
            if not view_turn_seen(obj, yaw, after.camera, after.camera, order, vis):
                turn = -turn  # the other way may show another face
                yaw = obj.transform.rotation[2] + turn
                if not view_turn_seen(obj, yaw, after.camera, after.camera, order, vis):
                    continue
            if after.environment.layout == "environment" and obj.pose is None:
                seen = file_turn(ctx, after, obj, turn, order)
                if seen is None:  # no turn of it the gates would pass
                    continue
                turn, yaw = seen, obj.transform.rotation[2] + seen
            hx, hy = footprint_half_extents(obj.dimensions[0], obj.dimensions[1], yaw)
            x, y, _ = obj.transform.location
            if not placer.surfaces[obj.support].fits(x, y, hx, hy, ignore=obj.id):
                continue
            old = obj.transform.rotation[2]
            obj.transform.rotation = (0.0, 0.0, round(yaw, 6))
            if not staged(after, obj):  # a car turned across its lane, a person into another
                obj.transform.rotation = (0.0, 0.0, old)
                continue
            ctx.lock(self.type, obj.id)
            return Change(
                type=self.type,
                targets=[obj.id],
                before={"yaw_deg": round(math.degrees(old), 3)},
                after={"yaw_deg": round(math.degrees(yaw), 3)},
                params={
                    "degrees": round(math.degrees(turn), 3),
                    # Seen from above, a positive turn about +Z is counter-clockwise.
                    "direction": "counterclockwise" if turn > 0 else "clockwise",
                    # the n-fold symmetry the turn was folded by: the captioner reads the
                    # direction's margin from its period
                    "symmetry": order,
                },
            )
        raise NotApplicable("nothing can turn")


# The turns ``file_turn`` tries (degrees, both ways): from ``visibility.min_rotation_deg`` to
# the largest the orientation change draws, this far apart, at most ``FILE_TURN_TRIES`` of them
# nearest the drawn one (each a few milliseconds: the mix and file-share pilots sample
# thousands of specs).
FILE_TURN_STEP_DEG = 10.0
FILE_TURN_TRIES = 6
# ``file_turn``'s answers for its fixed angles, by object, camera, symmetry, visibility and
# resolution: the pilots ask about the same objects under the same few cameras again and again
# (30 centimetres specs: 1,474 questions about 25 objects under 3 cameras, 93 % of them no).
_FILE_TURN_SEEN: dict[tuple, bool] = {}
FILE_TURN_SEEN_MAX = 50_000


def file_turn(ctx: ChangeContext, scene: Scene, obj, turn: float, order: int) -> float | None:
    """In a user's file (layout ``environment``), the turn (radians) nearest ``turn`` that the
    turn gates are predicted to pass from ``obj``'s box (``turn_prediction``), ``turn`` itself
    where it passes; None where none of the ``FILE_TURN_TRIES`` nearest does. There most
    drawn turns of box-like things were refused after rendering (48 of 53 draft turns of y_up
    and centimetres: the crates at every angle, the slab's cubes near a quarter turn), each
    refusal a render thrown away; the slab's cubes turned 40-60 degrees pass. Generated
    scenes are left to the gates."""
    vis, resolution = ctx.cfg.visibility, ctx.cfg.render.resolved().resolution
    if file_turn_seen(obj, scene.camera, turn, order, vis, resolution):
        return turn
    grid = _file_turn_grid(vis.min_rotation_deg, Orientation.params["angle_deg"]["uniform"][1])
    asked = (obj.model_dump_json(), scene.camera.model_dump_json(), order,
             vis.model_dump_json(), tuple(resolution))  # fmt: skip
    for t in sorted(grid, key=lambda t: abs(t - turn))[:FILE_TURN_TRIES]:
        if _kept(_FILE_TURN_SEEN, FILE_TURN_SEEN_MAX, (t, *asked),
                 lambda t=t: file_turn_seen(obj, scene.camera, t, order, vis, resolution)):  # fmt: skip
            return t
    return None


def _kept(cache: dict, limit: int, key: tuple, compute: Callable[[], Any]) -> Any:
    """``compute()``'s answer for ``key``, kept in ``cache`` (emptied when it holds ``limit``):
    the sampler's retried draws ask the same geometric questions again and again."""
    found = cache.get(key)
    if found is None:
        if len(cache) >= limit:
            cache.clear()
        found = cache[key] = compute()
    return found


@functools.lru_cache(maxsize=8)
def _file_turn_grid(lo: float, hi: float) -> tuple[float, ...]:
    """The turns (radians) ``file_turn`` may fall back to: ``lo`` to ``hi`` degrees both ways."""
    return tuple(math.copysign(math.radians(d), s)
                 for d in np.arange(lo, hi + 1e-9, FILE_TURN_STEP_DEG) for s in (1.0, -1.0))  # fmt: skip


def file_turn_seen(obj, camera, turn: float, order: int, vis, resolution) -> bool:
    """Whether turning ``obj`` by ``turn`` (radians) shows another outline
    (``view_turn_seen``) and passes the turn gates' prediction (``turn_prediction``)."""
    yaw = obj.transform.rotation[2] + turn
    if not view_turn_seen(obj, yaw, camera, camera, order, vis):
        return False
    turned = obj.model_copy(
        update={"transform": obj.transform.model_copy(update={"rotation": (0.0, 0.0, yaw)})}
    )
    return not turn_prediction_reasons(
        (obj, camera), (turned, camera), resolution, order, vis.max_turn_outline_match,
        stop_at_first=True,
    )  # fmt: skip


def figure_turn_reasons(check: GateCheck) -> list[str]:
    """A person's turn too near a half-turn to see (``figure_turn_seen``)."""
    targets = check.targets()
    if check.vis is None or not targets:
        return []
    obj = check.spec.before.find(targets[0])
    degrees = float(check.change.params.get("degrees", 0.0))
    if obj is None or obj.pose is None or figure_turn_seen(degrees, check.vis):
        return []
    return [f"{check.change.type}: a figure's near half-turn looks the same"]


# Rotational symmetry about the vertical axis (n-fold: a turn by 360°/n looks the same).
# Round objects carry the "symmetric" tag and are never turned; these look alike after a half
# or quarter turn. Everything else is taken as 1-fold.
ROTATIONAL_SYMMETRY: dict[str, int] = {
    "clevr_cube": 4, "box": 2, "table": 2, "coffee_table": 2, "side_table": 4,
    "rug": 2, "toy_blocks": 4, "book": 2, "cabinet": 1, "shelf": 1, "sofa": 1,
    "television": 1, "laptop": 1, "bollard": 4, "trash_bin": 4,
    # front and back look alike at the sizes rendered (a car turned 177° looked unchanged)
    "car": 2, "bicycle": 2,
    # the kinds added with shape variety (issue 25) that look alike after a half turn
    "suv": 2, "van": 2, "motorcycle": 2, "scooter": 2, "shop_crate": 2, "picnic_table": 2,
    "barrier": 2, "bike_rack": 2, "bath_mat": 2, "radiator": 2, "backless_bench": 2, "ottoman": 2,
    "pillow": 2, "plate": 4, "bed": 1, "truck": 1, "pickup_truck": 1,
    # a bench has a back and a desk its drawers on one side and a panel at the back: a bench
    # turned 62 degrees from facing away, recorded 2-fold, was read turned the other way
    # (review_std96s 4200/46)
    "bench": 1, "desk": 1,
}  # fmt: skip
# Kinds taken as 2-fold by how they look at the sizes rendered, not by their geometry: a car's
# front and back (a car turned 177 degrees looked unchanged)
LOOKALIKE_ENDS = frozenset({"car", "suv", "van", "motorcycle", "scooter", "bicycle"})
# Shape styles whose geometry breaks their kind's symmetry (tests/scenes/test_symmetry_declared.py
# measures every style): a spiral bike rack, a towel on one side of a radiator, a side table on
# three legs, a bin on a pole
STYLE_SYMMETRY: dict[str, int] = {
    "bike_rack~spiral": 1, "radiator~towel": 1, "side_table~tripod": 3, "trash_bin~pole": 1,
}  # fmt: skip
# A 2-fold object whose footprint's sides differ by less than this share looks 4-fold
# (benchmarks/calibration.md).
SQUARE_FOOTPRINT = 0.25


def symmetry_order(obj, spec=None) -> int:
    """The object's symmetry as a viewer sees it: its shape's (``declared_order``), and 4-fold
    for a 2-fold kind whose footprint is nearly square."""
    order = declared_order(obj, spec)
    dx, dy = abs(obj.dimensions[0]), abs(obj.dimensions[1])
    if order == 2 and max(dx, dy) > 0 and abs(dx - dy) / max(dx, dy) < SQUARE_FOOTPRINT:
        return 4
    return order


def declared_order(obj, spec=None) -> int:
    """The order its asset declares (measured by the importer or the scan), else its shape
    style's (``STYLE_SYMMETRY``), else the table's (``ROTATIONAL_SYMMETRY``; 1 for a kind
    not in it)."""
    style = (obj.shape or "").split("-", 1)[0]
    return (
        getattr(spec, "symmetry", None)
        or STYLE_SYMMETRY.get(style)
        or ROTATIONAL_SYMMETRY.get(obj.asset, ROTATIONAL_SYMMETRY.get(obj.category, 1))
    )


def seen_turn(turn: float, order: int) -> float:
    """The smallest turn (radians, signed) that looks the same as ``turn`` for an object with
    ``order``-fold symmetry: in (-period/2, period/2]."""
    period = 2 * math.pi / max(order, 1)
    folded = math.fmod(turn, period)
    if folded > period / 2:
        folded -= period
    elif folded <= -period / 2:
        folded += period
    return folded


# The share of a figure's height, from the soles up, that its shins and feet take.
FEET_HEIGHT = 0.3


def _legs_seen_as(ctx: ChangeContext, scene: Scene, person, pose: str) -> bool:
    """``legs_seen`` with the person in ``pose``: a change told by the legs must show them in
    both images (a crouch seen whole stood up to a walk half hidden behind a parked car)."""
    from diffforge.scenes.assets.characters import POSES

    posed = person.model_copy(update={"pose": Pose(name=pose, bones=dict(POSES[pose]))})
    objects = [posed if o.id == person.id else o for o in scene.objects]
    return legs_seen(ctx, scene.model_copy(update={"objects": objects}), posed)


def legs_seen(ctx: ChangeContext, scene: Scene, person) -> bool:
    """Whether the figure is predicted in view whole enough to tell its legs' pose: its
    predicted pixels in the scene over those with nothing else there (``LEGS_SEEN_SHARE``),
    and its shins and feet (``FEET_HEIGHT``) ``visibility.min_feet_seen`` in view: a desk that
    hides only the feet leaves a stride unreadable."""
    if figure_seen(scene, person, low=FEET_HEIGHT) < ctx.cfg.visibility.min_feet_seen:
        return False
    resolution = ctx.cfg.render.resolved().resolution
    fill = ctx.cfg.visibility.predict_fill
    seen = predicted_footprints(scene, resolution, fill).get(person.id)
    alone = predicted_footprints(
        scene.model_copy(update={"objects": [person]}), resolution, fill
    ).get(person.id)
    if seen is None or alone is None or alone.pixels <= 0:
        return False
    return seen.pixels >= LEGS_SEEN_SHARE * alone.pixels


# Half-widths (m, at nominal size) of the body's parts as the outline predictor draws them:
# the trunk and head broad, the limbs thin (scenes/assets/characters.py's meshes).
BONE_RADIUS = {"hips": 0.14, "spine": 0.14, "chest": 0.16, "neck": 0.06, "head": 0.1}
LIMB_RADIUS = 0.05
OUTLINE_SAMPLES = 7  # points per bone


def _figure_points(obj, bones, samples: int = OUTLINE_SAMPLES) -> tuple[np.ndarray, np.ndarray]:
    """World points along every bone of ``obj`` posed in ``bones`` (``samples`` per bone, in
    ``forward_kinematics``' order) and their half-widths (m), placed and turned as the renderer
    places the armature (``seen.limb_in_picture``)."""
    from diffforge.scenes.assets.characters import forward_kinematics, posed_bounds

    joints = forward_kinematics(bones)
    lo, hi = posed_bounds(bones)
    k = obj.dimensions[2] / max(float(hi[2] - lo[2]), 1e-9)
    t = np.linspace(0.0, 1.0, samples)[:, None]
    pts, radii = [], []
    for name, (head, tail) in joints.items():
        pts.append(head + t * (tail - head))
        radii += [BONE_RADIUS.get(name, LIMB_RADIUS)] * samples
    local = np.vstack(pts) * k
    world = local @ yaw_matrix(obj.transform.rotation[2]).T + np.asarray(obj.transform.location)
    return world, np.asarray(radii) * k


# The pose predictions' answers by figure (place, turn, height, pose), camera, resolution and
# new pose: the sampler asks them for each pose option of each person on every retried draw,
# the same person under the same camera again and again (426 asks, 184 distinct, in 40
# default specs); at most ``POSE_SEEN_MAX`` kept.
_POSE_SEEN: dict[tuple, float] = {}
POSE_SEEN_MAX = 20_000


def _pose_asked(what: str, obj, camera, resolution, new_bones) -> tuple:
    t = obj.transform
    return (
        what, tuple(t.location), t.rotation[2], obj.dimensions[2],
        tuple((k, tuple(v)) for k, v in sorted(obj.pose.bones.items())),
        tuple(camera.location), tuple(camera.look_at), camera.lens, camera.sensor_width,
        tuple(resolution), tuple((k, tuple(v)) for k, v in sorted(new_bones.items())),
    )  # fmt: skip


def _pose_kept(what: str, compute, obj, camera, resolution, new_bones) -> float:
    """``compute``'s answer, kept in ``_POSE_SEEN``."""
    key = _pose_asked(what, obj, camera, resolution, new_bones)
    return _kept(_POSE_SEEN, POSE_SEEN_MAX, key,
                 lambda: compute(obj, camera, resolution, new_bones))  # fmt: skip


def limb_shift(obj, camera, resolution, new_bones) -> float:
    """Pixels the farthest-moving joint of the figure moves across the picture going from its
    pose to ``new_bones``: each bone's end projected on the image plane at its depth, the part
    of the move along the view left out (a front-facing walker's stride comes towards the
    camera and hardly shows)."""
    return _pose_kept("limbs", _limb_shift, obj, camera, resolution, new_bones)


def _limb_shift(obj, camera, resolution, new_bones) -> float:
    rot = look_at_matrix(camera.location, camera.look_at)
    sides = [
        (_figure_points(obj, bones, 2)[0][1::2] - np.asarray(camera.location)) @ rot
        for bones in (obj.pose.bones, new_bones)
    ]
    depth = -(sides[0][:, 2] + sides[1][:, 2]) / 2
    if (depth <= 0).any():
        return 0.0
    focal_px = camera.lens / camera.sensor_width * resolution[0]
    across = np.linalg.norm(sides[1][:, :2] - sides[0][:, :2], axis=1)
    return float((focal_px * across / depth).max())


def limb_shift_reasons(check: GateCheck) -> list[str]:
    """A pose whose limbs hardly move across the picture (``limb_shift`` on the recorded
    figure and camera): the outline gate cannot tell a stride towards the camera from a
    camera jitter's moved edges."""
    targets = check.targets()
    if check.vis is None or not targets:
        return []
    obj, posed = check.spec.before.find(targets[0]), check.spec.after.find(targets[0])
    if obj is None or posed is None or obj.pose is None or posed.pose is None:
        return []
    h, w = check.diff.shape
    if limb_shift(obj, check.spec.before.camera, (w, h), posed.pose.bones) < check.vis.limb_px(
        (w, h)
    ):
        return [f"{check.change.type}: limbs hardly move in the picture"]
    return []


def predicted_outline_change(obj, camera, resolution, new_bones) -> float:
    """Pixels the figure's outline changes by (XOR of the two silhouettes) going from its pose
    to ``new_bones``: each pose drawn as discs along its bones, projected through the camera
    (occlusion apart). What the pose gate measures on the masks (``outline_reasons``)."""
    return _pose_kept("outline", _outline_change, obj, camera, resolution, new_bones)


def _outline_change(obj, camera, resolution, new_bones) -> float:
    sides = []
    for bones in (obj.pose.bones, new_bones):
        world, radii = _figure_points(obj, bones)
        uv, depth = project(camera, world, resolution)
        if (depth <= 0).any():
            return 0.0
        focal_px = camera.lens / camera.sensor_width * resolution[0]
        sides.append((uv, focal_px * radii / depth))
    both = np.vstack([uv for uv, _ in sides])
    r = max(float(s[1].max()) for s in sides)
    x0, y0 = np.floor(both.min(axis=0) - r)
    x1, y1 = np.ceil(both.max(axis=0) + r)
    w, h = resolution
    x0, y0 = int(max(x0, 0)), int(max(y0, 0))
    x1, y1 = int(min(x1, w - 1)), int(min(y1, h - 1))
    if x1 < x0 or y1 < y0:
        return 0.0
    masks = [_discs(uv, rad, (x0, y0, x1, y1)) for uv, rad in sides]
    return float((masks[0] ^ masks[1]).sum())


def _discs(uv: np.ndarray, radii: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    """Pixels of ``box`` (x0, y0, x1, y1, inclusive) whose centres lie in any disc: each disc
    drawn in its own window (a figure's 140 discs over its whole box cost 30x more)."""
    x0, y0, x1, y1 = box
    mask = np.zeros((y1 - y0 + 1, x1 - x0 + 1), dtype=bool)
    for (u, v), r in zip(uv, radii, strict=True):
        lo_x, hi_x = max(x0, int(np.floor(u - r - 0.5))), min(x1, int(np.ceil(u + r - 0.5)))
        lo_y, hi_y = max(y0, int(np.floor(v - r - 0.5))), min(y1, int(np.ceil(v + r - 0.5)))
        if hi_x < lo_x or hi_y < lo_y:
            continue
        dx = (np.arange(lo_x, hi_x + 1) + 0.5 - u) ** 2
        dy = (np.arange(lo_y, hi_y + 1) + 0.5 - v) ** 2
        mask[lo_y - y0 : hi_y - y0 + 1, lo_x - x0 : hi_x - x0 + 1] |= (
            dy[:, None] + dx[None, :] <= r * r
        )
    return mask


def outline_need(vis, resolution) -> float:
    """Pixels a pose change's outline must change by (``visibility.pose_outline_share``)."""
    return vis.pose_outline_share * vis.target_pixels(resolution)


def outline_reasons(check: GateCheck) -> list[str]:
    """The figure's rendered outline (mask XOR) changes by ``outline_need`` pixels: arms
    crossed to down on a small figure changes a hundred, which a viewer barely sees."""
    targets = check.targets()
    if check.vis is None or not targets:
        return []
    h, w = check.diff.shape
    a, b = (m == check.ids[targets[0]] for m in check.masks)
    if int((a ^ b).sum()) < outline_need(check.vis, (w, h)):
        return [f"{check.change.type}: outline change too small to see"]
    return []


class PoseChange(_Outline):
    type = "pose"
    fields = ("pose",)
    templates = ("pose", "pose_moved")
    scene_needs = frozenset({"person"})

    def gate(self, check: GateCheck) -> list[str]:
        return super().gate(check) or outline_reasons(check) or limb_shift_reasons(check)

    def needs(self, scene: Scene) -> bool:
        return any(o.pose is not None and len(allowed_poses(scene, o)) > 1 for o in scene.objects)

    def apply(self, ctx: ChangeContext, before: Scene, after: Scene) -> Change:
        from diffforge.scenes.assets.characters import POSES

        # a sitter on a seat has no other pose its place allows
        people = [o for o in self.free_objects(ctx, after, self.type)
                  if o.pose is not None and len(allowed_poses(after, o)) > 1]  # fmt: skip
        while True:  # a person whose pose can change visibly
            obj = ctx.pick(people)
            legs = legs_seen(ctx, after, obj)
            if obj.pose.name in LEG_POSES and not legs:  # its old pose cannot be told
                people = [o for o in people if o is not obj]
                continue
            options = self._options(ctx, after, obj, legs)
            if options:
                break
            people = [o for o in people if o is not obj]
        new = ctx.pick(options)
        old = obj.pose.name
        obj.pose = Pose(name=new, bones={k: tuple(v) for k, v in POSES[new].items()})
        ctx.lock(self.type, obj.id)
        return Change(type=self.type, targets=[obj.id], before={"pose": old}, after={"pose": new})

    @staticmethod
    def _options(ctx: ChangeContext, scene: Scene, obj, legs: bool) -> list[str]:
        """Poses the person's place allows (staging: sitting on a seat, no crouch by one) that
        a viewer tells from the old one by the limbs (never a head turn: POSE_SEEN_AS), and,
        where the sampler predicts, whose outline changes visibly (``outline_reasons``: a
        small figure's arms going from crossed to down do not)."""
        from diffforge.scenes.assets.characters import POSES

        seen_old = POSE_SEEN_AS.get(obj.pose.name, obj.pose.name)
        options = [
            name
            for name in allowed_poses(scene, obj)
            if name not in POSE_SEEN_AS and name != seen_old and (legs or name not in LEG_POSES)
            and ((name not in LEG_POSES and seen_old not in LEG_POSES)
                 or _legs_seen_as(ctx, scene, obj, name))
        ]  # fmt: skip
        if ctx.large is None:
            return options
        resolution = ctx.cfg.render.resolved().resolution
        need = outline_need(ctx.cfg.visibility, resolution)
        moved = ctx.cfg.visibility.limb_px(resolution)
        return [
            name
            for name in options
            if predicted_outline_change(obj, scene.camera, resolution, POSES[name]) >= need
            and limb_shift(obj, scene.camera, resolution, POSES[name]) >= moved
        ]


class Text(ChangeOperator):
    """The words on a sign change, appear on a blank one, or vanish from it."""

    type = "text"
    fields = ("text",)
    weight = 1.2
    params: ClassVar[dict[str, Any]] = {
        "kind": {"choice": ["change", "appear", "disappear"], "weights": [2.0, 1.0, 1.0]}
    }
    writes_text = True
    templates = ("text_change", "text_appear", "text_disappear")
    scene_needs = frozenset({"text"})

    def needs(self, scene: Scene) -> bool:
        return any(o.text is not None for o in scene.objects)

    def caption_key(self, change: Change) -> str:
        return f"text_{change.params.get('kind', 'change')}"

    def gate(self, check: GateCheck) -> list[str]:
        return check.target_reasons() or text_seen_whole_reasons(check)

    def apply(self, ctx: ChangeContext, before: Scene, after: Scene) -> Change:
        kind = ctx.params["kind"]
        # a user file's bare text object is all text: its words can change, not come or go
        obj = ctx.pick([o for o in self.free_objects(ctx, after, self.type) if o.text is not None
                        and (kind == "change" or "bare_text" not in o.tags)])  # fmt: skip
        old = obj.text.string
        ctx.lock(self.type, obj.id)
        if kind == "change":
            new = draw_text(ctx.rng, ctx.cfg.text, avoid=old)
            obj.text = obj.text.model_copy(update={"string": new})
            before_v, after_v = {"text": old}, {"text": new}
        elif kind == "appear":
            before.object(obj.id).text = None
            before_v, after_v = {"text": None}, {"text": old}
        elif kind == "disappear":
            obj.text = None
            before_v, after_v = {"text": old}, {"text": None}
        else:
            raise NotApplicable(f"unknown text change kind {kind!r}")
        return Change(
            type=self.type, targets=[obj.id], before=before_v, after=after_v, params={"kind": kind}
        )
