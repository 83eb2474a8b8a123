"""Pair specs from a config: base scene, 1..N changes, distractors — deterministic per index.

Every random draw of pair ``i`` comes from ``rng_for(seed, i, stage, attempt)``, so pair ``i`` is
the same whatever else is sampled, in whatever order, on whatever worker.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterator

import numpy as np

from diffforge.config import GenerateConfig
from diffforge.distributions import parse_distribution, rng_for
from diffforge.errors import AssetError, SamplingError
from diffforge.scenes.changes import (
    ChangeContext,
    NotApplicable,
    apart,
    check_changes,
    registry,
    weights,
)
from diffforge.scenes.environments import attach, compose
from diffforge.scenes.file_objects import asset_spec, is_file_object
from diffforge.scenes.geometry import ASSET_FILL, predicted_footprints
from diffforge.scenes.lighting import has_body
from diffforge.scenes.model import Change, Distractor, PairSpec, Scene
from diffforge.scenes.perception import colour_distance
from diffforge.vocabulary import COLORS


@functools.lru_cache(maxsize=8)
def _library_for(assets_json: str):
    from diffforge.config import AssetsConfig
    from diffforge.scenes.assets import AssetLibrary

    return AssetLibrary.load(AssetsConfig.model_validate_json(assets_json))


def load_library(cfg: GenerateConfig):
    """The asset library for a config (cached: loading and validation happen once)."""
    return _library_for(cfg.assets.model_dump_json())


CHANGE_DRAWS_PER_SCENE = 4


def margin(vis, asset: str) -> float:
    """The prediction's margin over the gate's threshold for an asset: larger for thin ones
    (``visibility.thin_fill``), whose share of their box varies most with the view."""
    thin = ASSET_FILL.get(asset, vis.predict_fill) < vis.thin_fill
    return vis.predict_margin * (vis.thin_margin if thin else 1.0)


class PairSampler:
    """Samples pair specs for one config; holds the library and operators, nothing random."""

    def __init__(self, cfg: GenerateConfig, library=None):
        self.cfg = cfg
        self.library = library if library is not None else load_library(cfg)
        self.operators = registry(cfg.changes.operators)
        check_changes(cfg.changes, self.operators)
        drawn = {t: w for t, w in weights(cfg.changes, self.operators).items() if w > 0}
        self.types = sorted(drawn)
        self.type_p = np.array([drawn[t] for t in self.types]) / sum(drawn.values())
        self.apart = apart(self.operators)
        self.shareable = frozenset(t for t, op in self.operators.items() if op.shares_objects)
        per_pair = sorted(cfg.changes.per_pair.items())
        self.counts = [n for n, _ in per_pair]
        self.count_p = np.array([w for _, w in per_pair]) / sum(w for _, w in per_pair)
        layouts = {k: v for k, v in cfg.scene.layouts.items() if v > 0}
        self.layouts = sorted(layouts)
        self.layout_p = np.array([layouts[k] for k in self.layouts]) / sum(layouts.values())
        self.params = {t: self._param_dists(t) for t in self.operators}

    def _param_dists(self, change_type: str):
        declared = self.operators[change_type].params
        merged = {k: parse_distribution(v) for k, v in declared.items()}
        merged.update(self.cfg.changes.params.get(change_type, {}))
        return merged

    # ------------------------------------------------------------------------------------

    def sample(self, index: int, attempt: int = 0) -> PairSpec:
        """Pair ``index``; on an impossible draw, retries with later sub-seeds (bounded)."""
        last = None
        n = self.cfg.changes.max_attempts
        # First with the visibility prediction; a config whose changes can never be large
        # enough at this frame (only "remove" at draft) still gets pairs, for the gates to judge.
        for predict, subs in (
            (True, range(attempt, attempt + n)),
            (False, range(attempt + n, attempt + 2 * n)),
        ):
            for sub in subs:
                try:
                    return self._sample_once(index, sub, predict)
                except (SamplingError, NotApplicable) as exc:
                    last = exc
        raise SamplingError(
            f"pair {index}: no valid pair after {self.cfg.changes.max_attempts} attempts ({last})"
        )

    def _sample_once(self, index: int, attempt: int, predict: bool = True) -> PairSpec:
        seed = self.cfg.seed
        rng = rng_for(seed, index, "scene", attempt)
        layout = self.layouts[int(rng.choice(len(self.layouts), p=self.layout_p))]
        base = compose(rng, layout, self.cfg, self.library)
        last: Exception = NotApplicable("no change type applies to this scene")
        large = self._large(base) if predict else None  # the same for every draw on this base
        # how many changes: one draw per pair, whatever the attempt, so draws rejected before
        # rendering (more often those with more changes) do not bias pairs towards one change
        count_rng = rng_for(seed, index, "change_count")
        n = self.counts[int(count_rng.choice(len(self.counts), p=self.count_p))]
        # A few change draws on the same base scene before composing a new one: composing is
        # the expensive part, and most rejections are a change on an object out of view.
        for draw in range(CHANGE_DRAWS_PER_SCENE):
            stage = "changes" if draw == 0 else f"changes.{draw}"
            before, after, changes = self._changes(
                rng_for(seed, index, stage, attempt), base, n, large
            )
            if not changes:
                continue
            distractors = self._distractors(
                rng_for(seed, index, f"distractors.{draw}", attempt), after, changes
            )
            before, after = attach(before), attach(after)  # a camera or lamp may have changed
            try:
                self._check_in_view(before, after, changes, predict)
            except NotApplicable as exc:
                last = exc
                continue
            return PairSpec(
                id=f"{index:08d}",
                index=index,
                seed=seed,
                attempt=attempt,
                before=before,
                after=after,
                changes=changes,
                distractors=distractors,
            )
        raise last

    def _changes(
        self, rng: np.random.Generator, base: Scene, n: int, large: set[str] | None = None
    ) -> tuple[Scene, Scene, list[Change]]:
        """Apply ``n`` drawn changes; an operator that finds nothing to do is not drawn again.
        ``large``: the objects predicted large enough to change (None: any)."""
        before, after = base, base.clone()
        ctx = ChangeContext(
            rng=rng,
            params={},
            cfg=self.cfg,
            library=self.library,
            large=large,
            shareable=self.shareable,
        )
        failed: set[str] = set()
        changes: list[Change] = []
        own = {o.id for o in base.objects if is_file_object(o)}
        share, failed_own = self.cfg.changes.file_objects, set(failed)
        for _ in range(4 * n + 8):
            if len(changes) >= n:
                break
            p = self.type_p.copy()
            for i, t in enumerate(self.types):
                op = self.operators[t]
                if t in failed or (op.scene_wide and t in ctx.used_types):
                    p[i] = 0.0
                if op.alone and (n > 1 or changes):
                    p[i] = 0.0
                if self.apart.get(t, frozenset()) & ctx.used_types:
                    p[i] = 0.0
            if p.sum() <= 0:
                break
            change_type = self.types[int(rng.choice(len(self.types), p=p / p.sum()))]
            tried = None
            if own and self._on_objects(change_type) and rng.random() < share:
                # this object change goes to the file's own objects: the drawn type, else
                # another object type (by weight) that can act on them
                ctx.only = own
                tried = self._first_applied(ctx, rng, before, after, change_type, p, failed_own)
                ctx.only = None
            if tried is None:
                tried = self._first_applied(ctx, rng, before, after, change_type, None, failed)
            if tried is None:
                continue
            change_type, change, trial_before, trial_after = tried
            change.type = change_type
            before, after = trial_before, trial_after
            ctx.used_types.add(change_type)
            changes.append(change)
            if self.operators[change_type].alone:
                break
        return before, after, changes

    def _on_objects(self, change_type: str) -> bool:
        """Whether a change type acts on an object already in the scene."""
        op = self.operators[change_type]
        return op.edits_objects and not op.scene_wide

    def _first_applied(self, ctx, rng, before, after, first, p, failed):
        """Apply ``first``, else (with ``p``, the draw's weights) the other object change
        types in a weighted random order; the types that found nothing go into ``failed``.
        Returns (type, change, before, after) or None; locks stay as they were on failure."""
        order = [first] if first not in failed else []
        if p is not None:
            others = [i for i, t in enumerate(self.types) if t != first and t not in failed
                      and p[i] > 0 and self._on_objects(t)]  # fmt: skip
            if others:
                w = p[others] / p[others].sum()
                picks = rng.choice(len(others), size=len(others), replace=False, p=w)
                order += [self.types[others[int(k)]] for k in picks]
        for change_type in order:
            ctx.params = {k: d.sample(rng) for k, d in self.params[change_type].items()}
            op = self.operators[change_type]
            if not op.needs(after):
                failed.add(change_type)
                continue
            trial_before, trial_after = before.clone(), after.clone()
            locks = ({k: set(v) for k, v in ctx.locked_objects.items()}, set(ctx.locked_categories))
            try:
                change = op.apply(ctx, trial_before, trial_after)
            except NotApplicable:
                failed.add(change_type)
                ctx.locked_objects, ctx.locked_categories = locks
                continue
            return change_type, change, trial_before, trial_after
        return None

    def _large(self, scene: Scene) -> set[str]:
        """Objects predicted to show at least the visibility gate's pixels in this scene."""
        resolution = self.cfg.render.resolved().resolution
        vis = self.cfg.visibility
        need = max(vis.target_pixels(resolution), self.cfg.render.min_visible_pixels)
        feet = predicted_footprints(scene, resolution, vis.predict_fill)
        wall = scene.environment.wall_color
        faint = {o.id for o in scene.objects if o.support == "wall" and _blends_in(o, wall, vis)}
        return {
            o.id
            for o in scene.objects
            if (f := feet.get(o.id)) is not None
            and f.pixels >= need * margin(vis, o.asset)
            and f.in_frame >= vis.min_in_frame
            and o.id not in faint
        }

    def _check_in_view(
        self, before: Scene, after: Scene, changes: list[Change], predict: bool = True
    ) -> None:
        """Reject before rendering a pair whose changed object will look too small.

        The prediction (``geometry.predicted_footprints``: rays cast against every object's
        box, the share an object covers, what nearer objects let through) is held to the
        threshold the render's visibility gate applies, so few rendered attempts are thrown
        away. An object target must also lie mostly inside the frame (``visibility.min_in_frame``:
        a car cut by the frame's edge is not a change a viewer can judge); with a viewpoint
        change it must be ``viewpoint_target_factor`` times larger (a small change is lost
        when the whole picture moves); a text change needs its sign tall enough to read
        (``visibility.text_height``: taller where the OCR gate must read it).
        """
        resolution = self.cfg.render.resolved().resolution
        vis = self.cfg.visibility
        need = vis.target_pixels(resolution) if predict else 0.0
        ops = [self.operators[c.type] for c in changes]
        if predict and any(op.moves_camera for op in ops):
            need *= vis.viewpoint_target_factor
        feet = {}
        for change, op in zip(changes, ops, strict=True):
            if op.scene_wide:
                continue
            for target in change.targets:
                for name, scene in (("before", before), ("after", after)):
                    obj = scene.find(target)
                    if obj is None:
                        continue
                    if name not in feet:
                        feet[name] = predicted_footprints(scene, resolution, vis.predict_fill)
                    foot = feet[name].get(target)
                    if foot is None:
                        raise NotApplicable(f"{change.type}: {target} out of view")
                    box, pixels = foot.box, foot.pixels
                    if not predict:  # the old test: the box's area
                        pixels = (box[2] - box[0]) * (box[3] - box[1])
                    want = need * (margin(vis, obj.asset) if predict else 1.0)
                    want *= op.target_share
                    if pixels < max(want, self.cfg.render.min_visible_pixels):
                        raise NotApplicable(
                            f"{change.type}: {target} too small, hidden or out of view"
                        )
                    if predict and foot.in_frame < vis.min_in_frame:
                        raise NotApplicable(f"{change.type}: {target} cut by the frame's edge")
                    if predict and op.writes_text:
                        self._check_legible(obj, box[3] - box[1], name, resolution)

    def _check_legible(self, obj, height: float, side: str, resolution) -> None:
        """A text change's sign tall enough (``visibility.min_text_height``), its letters on
        each side large enough to change the gate's pixels (``text_ink``) and, where the OCR
        gate reads the new string, tall enough to read (``min_letter_height_ocr``)."""
        vis = self.cfg.visibility
        if height < vis.min_text_height:
            raise NotApplicable(f"text: {obj.id} too small to read")
        spec = asset_spec(self.library, obj)
        if obj.text is None or spec.text_anchor is None:
            return
        letters = letter_pixels(self.library, obj, height)
        need = vis.predict_margin * vis.min_changed_share * vis.target_pixels(resolution)
        if text_ink(obj.text.string, letters) < need:
            raise NotApplicable(f"text: the letters on {obj.id} too small to see")
        if side == "after" and letters < vis.letter_height(resolution):
            raise NotApplicable(f"text: the letters on {obj.id} too small to read")

    def _distractors(
        self, rng: np.random.Generator, after: Scene, changes: list[Change]
    ) -> list[Distractor]:
        """Camera and light jitter on the after-scene, unless a real change already moved them."""
        ops = [self.operators[c.type] for c in changes]
        out: list[Distractor] = []
        cj, lj = self.cfg.distractors.camera_jitter, self.cfg.distractors.light_jitter
        if not any(op.moves_camera for op in ops) and rng.random() < cj.probability:
            shift = rng.uniform(-cj.translation, cj.translation, size=3)
            turn = math.radians(cj.rotation_deg) * rng.uniform(-1, 1, size=3)
            dist = float(np.linalg.norm(np.subtract(after.camera.location, after.camera.look_at)))
            loc = np.add(after.camera.location, shift)
            target = np.add(after.camera.look_at, shift + dist * turn)
            after.camera = after.camera.model_copy(
                update={"location": _r(loc), "look_at": _r(target)}
            )
            out.append(
                Distractor(
                    type="camera_jitter",
                    params={"translation": _r(shift), "rotation_deg": _r(np.degrees(turn))},
                )
            )
        if not any(op.relights for op in ops) and after.lights and rng.random() < lj.probability:
            scales = rng.uniform(1 - lj.energy, 1 + lj.energy, size=len(after.lights))
            for light, s in zip(after.lights, scales, strict=True):
                light.energy = round(light.energy * float(s), 4)
                shift = rng.uniform(-lj.translation, lj.translation, size=3)
                if light.type != "sun" and not has_body(light):
                    light.location = _r(np.add(light.location, shift))
            out.append(Distractor(type="light_jitter", params={"energy_scale": _r(scales)}))
        return out

    def iter_specs(self, n: int, start: int = 0) -> Iterator[PairSpec]:
        for i in range(start, start + n):
            yield self.sample(i)


# Uppercase letters of the renderer's fonts at size 1: about this wide (with spacing) and
# tall. The renderer fits a string into 0.9 of its sign's text anchor by the tighter of the
# two (render.blender.text).
LETTER_WIDTH, LETTER_HEIGHT = 0.62, 0.72


def letter_share(string: str, anchor, size) -> float:
    """Height of ``string``'s letters as a share of its sign's height (``size``: the asset's
    nominal dimensions): a long word on a narrow poster is a few pixels tall."""
    n = max(len(string), 1)
    letters = 0.9 * min(anchor.width * LETTER_HEIGHT / (LETTER_WIDTH * n), anchor.height)
    tall = size[2] if abs(anchor.normal[2]) < 0.5 else size[1]  # a floor text lies flat
    return letters / max(tall, 1e-6)


def letter_pixels(library, obj, height: float) -> float:
    """Estimated letter height (px) of ``obj``'s text when its sign is ``height`` px tall; 0
    for an object without text, without a text anchor or of an asset the library lacks."""
    if obj.text is None:
        return 0.0
    try:
        spec = library.get(obj.asset)
    except AssetError:  # a dataset made with other assets: no estimate, nothing is quoted
        return 0.0
    if spec.text_anchor is None:
        return 0.0
    return letter_share(obj.text.string, spec.text_anchor, spec.size) * height


def text_readable(library, vis, obj, box, resolution: tuple[int, int]) -> bool:
    """May a caption quote ``obj``'s text? Only where a viewer can read it: the sign (its
    visible ``box``) not cut by the frame and its letters at least
    ``visibility.readable_letter_height`` tall (the review's "BANK" and "CLOSED" were quoted
    from posters whose letters were a few pixels tall, or cut by the frame's top)."""
    w, h = resolution
    x0, y0, x1, y1 = box
    if x0 <= 0 or y0 <= 0 or x1 >= w or y1 >= h:
        return False
    return letter_pixels(library, obj, y1 - y0) >= vis.readable_letter_height()


def text_readability(cfg: GenerateConfig):
    """``text_readable`` bound to a config's library and thresholds: the captioner's hook."""
    return functools.partial(text_readable, load_library(cfg), cfg.visibility)


# Share of a letter's box that its strokes cover (with anti-aliasing, at the gate's 24 levels).
INK_SHARE = 0.3


def text_ink(string: str, letter_px: float) -> float:
    """Pixels a string's letters cover at ``letter_px`` tall: what a text change can change
    (a poster's "CLOSED" in 3 px letters changes a few dozen pixels, below the gate's 75)."""
    return INK_SHARE * len(string) * (LETTER_WIDTH / LETTER_HEIGHT) * letter_px**2


def _blends_in(obj, wall: str | None, vis) -> bool:
    """Whether a wall-mounted object, and its lettering, are nearly the wall's colour: a beige
    sign with yellow letters on a beige wall vanishes into it (nothing to see if it goes)."""
    if wall not in COLORS or obj.attributes.color not in COLORS:
        return False
    colours = [obj.attributes.color] + ([obj.text.color] if obj.text is not None else [])
    far = vis.min_color_delta_e
    return all(c in COLORS and colour_distance(COLORS[c], COLORS[wall]) < far for c in colours)


def _r(values) -> tuple[float, ...]:
    return tuple(round(float(v), 6) for v in values)


@functools.lru_cache(maxsize=4)
def _sampler_for(cfg_json: str) -> PairSampler:
    return PairSampler(GenerateConfig.model_validate_json(cfg_json))


def sample_pair(cfg: GenerateConfig, index: int, attempt: int = 0) -> PairSpec:
    """Pair ``index`` of ``cfg``, first trying sub-seed ``attempt`` (a sampler per config is kept)."""
    return _sampler_for(cfg.model_dump_json()).sample(index, attempt)
