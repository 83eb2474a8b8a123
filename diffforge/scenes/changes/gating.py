"""What a change type's render gate sees, and the measures several types share.

``render.gates.check_pair`` builds one ``GateCheck`` per change and calls the operator's
``gate`` (``ChangeOperator.gate``); the measures here are pure numpy on the rendered images
and the exact instance masks, so an operator (built-in or plugin) can use them without
knowing the renderer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy import ndimage

from diffforge.scenes.geometry import box_corners, predicted_footprint, project, screen_box
from diffforge.scenes.model import Change, PairSpec, Scene
from diffforge.scenes.perception import delta_e2000, srgb_to_lab
from diffforge.srgb import luma

if TYPE_CHECKING:
    from diffforge.config import VisibilityConfig

# A pixel "changed" when some channel moved by more than this (0..255): above 4-spp noise.
DIFF_THRESHOLD = 24
# A global change (light, camera) must change at least this fraction of the image.
GLOBAL_MIN_FRACTION = 0.02

Images = tuple[np.ndarray, np.ndarray]
# The band either side of a target's edge its outline's contrast is measured on (pixels).
EDGE_PX = 2


@dataclass
class GateCheck:
    """One change of a rendered pair, with everything a gate may measure.

    ``diff``: pixels that changed (``DIFF_THRESHOLD``); ``target_min``: visible pixels a target
    needs; ``min_changed``: changed pixels a target's region needs; ``vis``: the config's
    visibility section (None: hand-built test pairs, judged by ``min_pixels`` alone);
    ``relit``: another change of the pair relights the scene (``ChangeOperator.relights``), so
    every pixel of the target may have changed.
    """

    spec: PairSpec
    change: Change
    ids: dict[str, int]
    facts: dict[str, dict[str, Any]]
    images: Images
    masks: Images
    diff: np.ndarray
    min_pixels: int
    target_min: int
    min_changed: int
    vis: VisibilityConfig | None = None
    relit: bool = False

    def targets(self) -> list[str]:
        """The change's objects in the pass (its targets and, e.g., a replacement's id)."""
        return change_objects(self.change, self.ids)

    def global_reasons(self) -> list[str]:
        """A scene-wide change must change a share of the whole frame."""
        if self.diff.mean() < GLOBAL_MIN_FRACTION:
            return [f"{self.change.type}: change not visible"]
        return []

    def target_reasons(self, each_target: bool = True) -> list[str]:
        """Each target visible on each side it exists (``each_target``), and the pixels of
        the targets' regions changed."""
        reasons: list[str] = []
        targets = self.targets()
        region = np.zeros(self.diff.shape, dtype=bool)
        for obj_id in targets:
            for side, mask in zip(("before", "after"), self.masks, strict=True):
                fact = self.facts[side].get(obj_id)
                if fact is None:  # the object does not exist on this side
                    continue
                if each_target and fact["pixels"] < self.target_min:
                    reasons.append(f"{self.change.type}: target not visible ({side})")
                elif each_target and fact["pixels"] < self.target_min * edge_factor(
                    box_cut(fact.get("box"), self.diff.shape), self.vis
                ):
                    reasons.append(f"{self.change.type}: target cut by the frame's edge ({side})")
                elif (
                    each_target
                    and self.vis is not None
                    and mask_width(mask == self.ids[obj_id])
                    < self.vis.mask_width(self.diff.shape[1::-1])
                ):
                    reasons.append(f"{self.change.type}: target too thin to see ({side})")
                region |= mask == self.ids[obj_id]
        if targets and int((self.diff & region).sum()) < self.min_changed:
            reasons.append(f"{self.change.type}: change not visible")
        return reasons

    def outline_pixels(self) -> int:
        """The first target's outline change in pixels: its mask XOR."""
        a, b = (m == self.ids[self.targets()[0]] for m in self.masks)
        return int((a ^ b).sum())

    def outline_change(self) -> float:
        """The first target's outline change: its mask XOR over its larger state's pixels."""
        a, b = (m == self.ids[self.targets()[0]] for m in self.masks)
        return int((a ^ b).sum()) / max(int(a.sum()), int(b.sum()), 1)

    def turn_changed_share(self) -> float:
        """The share of the first target's pixels (the union of its two masks) that changed:
        a turn onto a view that looks the same keeps most of them."""
        a, b = (m == self.ids[self.targets()[0]] for m in self.masks)
        region = a | b
        return int((self.diff & region).sum()) / max(int(region.sum()), 1)

    def turn_change_reasons(self) -> list[str]:
        """A turn changes ``visibility.min_turn_changed_share`` of the target's pixels: a
        cube onto a face that looks the same, a box-like mailbox turned about 180 degrees,
        change their outline and shading too little to be seen."""
        if self.vis is None or not self.targets():
            return []
        if self.turn_changed_share() < self.vis.min_turn_changed_share:
            return [f"{self.change.type}: the turn changes too little of the target"]
        return []

    def changed_pixels(self) -> int:
        """Pixels that changed within the change's objects' masks (both images)."""
        region = np.zeros(self.diff.shape, dtype=bool)
        for obj_id in self.targets():
            region |= (self.masks[0] == self.ids[obj_id]) | (self.masks[1] == self.ids[obj_id])
        return int((self.diff & region).sum())

    def generated(self) -> bool:
        """The scene is one diffforge built (not a user's .blend, whose props are small)."""
        return self.spec.before.environment.layout != "environment"

    def shared_reasons(self, scene_change: bool = False) -> list[str]:
        """In a pair of several changes, an object change changes ``visibility.shared_px``
        pixels (more where ``scene_change``, another change lighting or moving the whole
        picture): a small one is lost beside the others, unless its target is large."""
        changes = [c for c in self.spec.changes if c.type != "none"]
        if self.vis is None or len(changes) < 2 or not self.targets():
            return []
        size = self.diff.shape[1::-1]
        need = self.vis.shared_px(size, self.generated(), scene_change)
        if need <= 0 or self.changed_pixels() >= need:
            return []
        if self.target_pixels() >= need * self.vis.shared_large_target_factor:
            return []
        if scene_change and need > self.vis.shared_px(size, self.generated(), False):
            return [f"{self.change.type}: change too small beside a scene-wide change"]
        return [f"{self.change.type}: change too small beside the pair's others"]

    def target_pixels(self) -> int:
        """The first target's visible pixels, the larger of its two sides."""
        return max(int((m == self.ids[self.targets()[0]]).sum()) for m in self.masks)

    def size_change_reasons(self) -> list[str]:
        """A size change changes ``visibility.min_size_changed_share`` of the target's pixels:
        a dark cabinet shrinking against a dark wall changes little of them."""
        if self.vis is None or not self.targets():
            return []
        if self.turn_changed_share() < self.vis.min_size_changed_share:
            return [f"{self.change.type}: the size changes too little of the target"]
        return []

    def outline_contrast(self) -> float:
        """The lower, over the first target's sides, of the gap between its mean luminance
        and that of a 4 px ring around it (0..255): how well its outline shows."""
        gaps = []
        for img, mask in zip(self.images, self.masks, strict=True):
            own = mask == self.ids[self.targets()[0]]
            if int(own.sum()) < 5:
                continue
            ring = ndimage.binary_dilation(own, iterations=4) & ~own
            lum = luma(img[..., :3]).astype(np.float64)
            gaps.append(abs(float(lum[own].mean()) - float(lum[ring].mean())))
        return min(gaps, default=255.0)

    def turn_contrast_reasons(self) -> list[str]:
        """A turn of a target that barely stands out from its surround
        (``visibility.min_turn_contrast``) needs ``visibility.turn_plain_px`` pixels: a turn
        is read from the outline, and a grey chair on a grey floor has little of one."""
        if self.vis is None or not self.targets() or self.vis.turn_plain_px <= 0:
            return []
        if self.target_pixels() >= self.vis.scaled_px(
            self.vis.turn_plain_px, self.diff.shape[1::-1]
        ):
            return []
        if self.outline_contrast() < self.vis.min_turn_contrast:
            return [f"{self.change.type}: a plain target's turn is too small to read"]
        return []

    def hidden_share(self) -> float:
        """The larger, over the two images, of the share of the first target's pixels in one
        image that a nearer object (box centres' distance to the camera) of another change of
        the pair covers in the other: a cabinet recoloured behind a person added in front of
        it. 0 where the target is not in both images in place (an add, a move)."""
        targets = self.targets()
        if not targets:
            return 0.0
        own = [m == self.ids[targets[0]] for m in self.masks]
        sizes = [int(x.sum()) for x in own]
        if min(sizes) == 0 or int((own[0] & own[1]).sum()) < 0.5 * min(sizes):
            return 0.0
        others = {
            o
            for c in self.spec.changes
            if c is not self.change
            for o in change_objects(c, self.ids)
        } - set(targets)
        worst = 0.0
        for side, scene in enumerate((self.spec.before, self.spec.after)):
            near = [self.ids[o] for o in nearer_objects(scene, targets[0], sorted(others))]
            if not near:
                continue
            lost = own[1 - side] & np.isin(self.masks[side], near)
            worst = max(worst, int(lost.sum()) / sizes[1 - side])
        return worst

    def gone_covered_share(self) -> float:
        """For a target gone from the after image (removed, vanished, replaced), the share of
        its before pixels that a thing another change of the pair brings (``_arrives``) covers
        in the after image: a car gone where a truck is added may as well stand behind the
        truck (review_std96u 7100/06). 0 for a target in the after image."""
        targets = self.targets()
        if not targets:
            return 0.0
        own, there = (m == self.ids[targets[0]] for m in self.masks)
        if not own.any() or there.any():
            return 0.0
        come = [
            self.ids[o]
            for c in self.spec.changes
            if c is not self.change
            for o in change_objects(c, self.ids)
            if o not in targets and self._arrives(o)
        ]
        return int((own & np.isin(self.masks[1], come)).sum()) / int(own.sum())

    def gone_spot_seen(self) -> float:
        """``gone_spot_share`` of this change's targets at the gate's resolution (1 without
        a viewpoint change: camera jitter moves a frame by a few pixels)."""
        if self.vis is None or not any(c.type == "viewpoint" for c in self.spec.changes):
            return 1.0
        resolution = self.diff.shape[1::-1]
        before, after, fill = self.spec.before, self.spec.after, self.vis.predict_fill
        return gone_spot_share(before, after, self.targets(), resolution, fill)

    def _arrives(self, obj_id: str) -> bool:
        """Whether another change of the pair brings ``obj_id`` where it stands in the after
        image: added (not in the before scene) or moved. A support recoloured under a removed
        basket does not: it shows where the basket was, which is how the removal is seen."""
        if self.spec.before.find(obj_id) is None:
            return True
        return any(
            c.type == "move" and obj_id in c.targets
            for c in self.spec.changes
            if c is not self.change
        )

    def hidden_reasons(self) -> list[str]:
        """An object change's target keeps what it shows: at most
        ``visibility.max_change_hidden_share`` of it covered in one image by another change's
        object (``hidden_share``), and a target gone from the after image leaves at most
        ``visibility.max_gone_covered_share`` of its spot to a thing another change brings
        (``gone_covered_share``) and, where the camera moves, stays in its view
        (``gone_spot_seen``, ``visibility.min_gone_spot_seen_share``); every type's gate."""
        if self.vis is None or not self.targets():
            return []
        if self.hidden_share() > self.vis.max_change_hidden_share:
            return [f"{self.change.type}: target hidden by another change"]
        if self.gone_covered_share() > self.vis.max_gone_covered_share:
            return [f"{self.change.type}: where the target was, another change's object stands"]
        if self.gone_spot_seen() < self.vis.min_gone_spot_seen_share:
            return [f"{self.change.type}: where the target was is out of the moved camera's view"]
        return []

    def piece_share(self) -> float:
        """The lower, over the first target's sides, of its largest 8-connected part's share of
        its visible pixels: a bench seen between a person's legs shows in pieces."""
        shares = []
        for mask in self.masks:
            own = mask == self.ids[self.targets()[0]]
            if not own.any():
                continue
            labels, _ = ndimage.label(own, structure=np.ones((3, 3), dtype=bool))
            sizes = np.bincount(labels.ravel())[1:]
            shares.append(float(sizes.max()) / float(sizes.sum()))
        return min(shares, default=1.0)

    def turn_piece_reasons(self) -> list[str]:
        """A turned target shows as one piece (``visibility.min_turn_piece_share``): cut up by
        what stands in front of it, its outline cannot be read."""
        if self.vis is None or not self.targets():
            return []
        if self.piece_share() < self.vis.min_turn_piece_share:
            return [f"{self.change.type}: the turned target is cut up by what stands in front"]
        return []

    def part_reasons(self) -> list[str]:
        """A garment's colour change (``params.part``) changes ``visibility.part_target_share``
        times the target threshold in pixels within the figure's masks: the top of a small
        figure is a few pixels, whatever the figure's own size."""
        if self.vis is None or not self.targets() or not self.change.params.get("part"):
            return []
        if self.changed_pixels() < self.vis.part_target_share * self.target_min:
            return [f"{self.change.type}: the garment too small to see"]
        return []

    def area_ratio(self) -> float:
        """The first target's visible pixels, larger side over smaller."""
        small, large = sorted(int((m == self.ids[self.targets()[0]]).sum()) for m in self.masks)
        return large / max(small, 1)

    def size_ratio_reasons(self) -> list[str]:
        """A size change's visible pixels change by ``visibility.min_size_area_ratio`` (larger
        side over smaller): a shelf grown x1.27 reads as the same shelf."""
        if self.vis is None or not self.targets():
            return []
        if self.area_ratio() < self.vis.min_size_area_ratio:
            return [f"{self.change.type}: the size changes too little of the target's area"]
        return []

    def color_pixel_reasons(self) -> list[str]:
        """A colour change, even alone, changes ``visibility.min_color_changed_px`` pixels
        (generated scenes): its outline stays, so a small target's new colour is found only
        by comparing the pictures, as a change among others is."""
        if self.vis is None or not self.targets() or not self.generated():
            return []
        need = self.vis.scaled_px(self.vis.min_color_changed_px, self.diff.shape[1::-1])
        if self.changed_pixels() >= need:
            return []
        return [f"{self.change.type}: too few pixels change colour"]

    def edge_contrast(self) -> float:
        """The lowest, over the change's objects and the sides each is in, of how its outline
        shows: the mean, over its pixels within ``EDGE_PX`` of its edge, of the plain CIELAB
        distance (ΔE*ab) to the mean of the pixels just outside it nearby (within ``EDGE_PX``
        of its edge, in a window ``EDGE_PX`` around the pixel). Local, so a dark car in a night
        street keeps the contrast of its lit edges, which a whole-object mean loses (255
        where none is in view)."""
        worst = 255.0
        for obj_id in self.targets():
            for image, mask in zip(self.images, self.masks, strict=True):
                own = mask == self.ids[obj_id]
                if own.any():
                    worst = min(worst, edge_delta_e(image, own))
        return worst

    def edge_contrast_reasons(self) -> list[str]:
        """What comes, goes or is swapped shows its outline by ``visibility.min_edge_delta_e``
        on each side it is in: a beige rug on a beige floor replaced by a basket shows only
        the basket come. Generated scenes (calibrated there)."""
        if self.vis is None or not self.targets() or self.vis.min_edge_delta_e <= 0:
            return []
        if not self.generated():
            return []
        if self.edge_contrast() < self.vis.min_edge_delta_e:
            return [f"{self.change.type}: target blends into its surround"]
        return []

    def color_shift(self) -> float | None:
        """Mean over the first target's pixels (both masks) of each pixel's largest channel
        step, in levels (None: not in view)."""
        a, b = (m == self.ids[self.targets()[0]] for m in self.masks)
        region = a | b
        if not region.any():
            return None
        before, after = (img[..., :3][region].astype(np.int16) for img in self.images)
        return float(np.abs(after - before).max(axis=-1).mean())

    def silhouette_reasons(self) -> list[str]:
        """The first target's outline (mask XOR) changes by ``visibility.min_silhouette_change``
        of its area: a turn, a size or a pose keeps its colours and shows only in its shape."""
        if self.vis is None or not self.targets():
            return []
        if self.outline_change() < self.vis.min_silhouette_change:
            return [f"{self.change.type}: silhouette unchanged"]
        return []

    def support_contrast_reasons(self) -> list[str]:
        """The first target, on each side it is in, differs from the object it stands on by
        ``visibility.min_support_delta_e`` (ΔE*ab of the mean colours of their visible
        pixels): a laptop on a desk of its colour, a beige cushion on a grey table, are barely
        seen to go or come."""
        targets = self.targets()
        if self.vis is None or not targets:
            return []
        for side, image, mask in zip(("before", "after"), self.images, self.masks, strict=True):
            obj = getattr(self.spec, side).find(targets[0])
            if obj is None or obj.support not in self.ids or targets[0] not in self.ids:
                continue
            own = mean_lab(image, mask == self.ids[targets[0]])
            under = mean_lab(image, mask == self.ids[obj.support])
            if own is None or under is None:
                continue
            if float(np.linalg.norm(own - under)) < self.vis.min_support_delta_e:
                return [f"{self.change.type}: target blends into its support ({side})"]
        return []

    def contrast_reasons(self) -> list[str]:
        """The first target's mean colour moves by ``visibility.min_delta_e``: a colour or
        material keeps its outline and shows only in its colour."""
        targets = self.targets()
        if self.vis is None or not targets:
            return []
        low = contrast_reasons(
            self.change.type, self.ids[targets[0]], self.images, self.masks, self.vis
        )
        return low or self.shift_reasons() or self.covered_look_reasons()

    def seen_both_delta_e(self) -> float | None:
        """ΔE*ab between the first target's mean colours over the pixels it shows in both
        images (None: none)."""
        own = self.ids[self.targets()[0]]
        both = (self.masks[0] == own) & (self.masks[1] == own)
        if not both.any():
            return None
        a, b = (mean_lab(image, both) for image in self.images)
        return float(np.linalg.norm(a - b))

    def covered_look_reasons(self) -> list[str]:
        """A target partly covered by another change's object (``hidden_share`` over
        ``visibility.covered_look_share``) shows its new look on the part seen in both
        images, by ``visibility.min_covered_look_delta_e``: the eye reads the other change
        where the two meet."""
        if self.vis is None or self.hidden_share() <= self.vis.covered_look_share:
            return []
        shift = self.seen_both_delta_e()
        if shift is None or shift >= self.vis.min_covered_look_delta_e:
            return []
        return [f"{self.change.type}: the new look shows little beside another change"]

    def shift_reasons(self) -> list[str]:
        """The first target's pixels move by ``visibility.min_color_shift`` levels on
        average: dark green to black passes CIEDE2000 and is still dark on dark."""
        if self.vis is None or not self.targets() or self.vis.min_color_shift <= 0:
            return []
        shift = self.color_shift()
        if shift is None or shift >= self.vis.min_color_shift:
            return []
        return [f"{self.change.type}: colour step too small in the picture"]


def gone_spot_share(
    before: Scene, after: Scene, targets: list[str], resolution: tuple[int, int], fill: float
) -> float:
    """For the ``targets`` gone from the after scene, the least of their predicted pixels had
    they stayed, seen from the after camera among the after scene's objects, over their
    predicted pixels before (1: none gone). Where the camera moves, a chair gone at the
    frame's edge as the camera turned away may as well be out of view (review_std96w 2400/01;
    a car "gone" behind another after the move, 2400/47). Predicted from the scenes alone, so
    the sampler holds its specs to the gate's own number."""
    gone = [o for o in map(before.find, targets) if o and after.find(o.id) is None]
    if not gone:
        return 1.0
    # among what stood there before (what another change brings is ``gone_covered_share``'s)
    kept = [o for o in after.objects if before.find(o.id) is not None]
    least = 1.0
    for obj in gone:
        was = predicted_footprint(before, obj.id, resolution, fill)
        if was is None or was.pixels <= 0:
            continue
        stayed = after.model_copy(update={"objects": [*kept, obj]})
        now = predicted_footprint(stayed, obj.id, resolution, fill)
        least = min(least, 0.0 if now is None else now.pixels / was.pixels)
    return least


def edge_factor(cut: bool, vis: VisibilityConfig | None) -> float:
    """The multiple of the target threshold a target needs where the frame's edge cuts it
    (``visibility.edge_target_factor``; 1 where it does not): what is left of a sink at the
    frame's edge is a sliver. The sampler's prediction (a predicted in-frame share under 1)
    and the gate (a rendered box on the edge) both ask it."""
    return vis.edge_target_factor if cut and vis is not None else 1.0


def too_thin(
    box, vis: VisibilityConfig, resolution: tuple[int, int], camera=None, obj=None
) -> bool:
    """Whether a target's box (x0, y0, x1, y1, px) spans fewer than
    ``visibility.min_target_width_px`` on either axis: a thin pole shows too few pixels
    across to be seen, whatever its area. With the ``camera`` and the object, also whether
    its widest part (``part_width``: a pole kind's pole, a framed kind's rails) spans fewer
    than ``visibility.min_mask_width_px``, the gate's measure of its mask."""
    if min(box[2] - box[0], box[3] - box[1]) < vis.target_width(resolution):
        return True
    if camera is None or obj is None:
        return False
    part = part_width(camera, obj, box, resolution)
    return part is not None and part < vis.mask_width(resolution)


def mask_width(region: np.ndarray) -> float:
    """How wide the thickest part of ``region`` (a target's visible pixels) shows: the diameter
    of the largest disc inside it (2 x its distance transform's maximum). A pole, a barrier's
    rails or a radiator's bars seen between legs are thin whatever their box."""
    if not region.any():
        return 0.0
    ys, xs = np.nonzero(region)
    crop = np.pad(region[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1], 1)
    return 2.0 * float(ndimage.distance_transform_edt(crop).max())


# Kinds that are a pole with a wider head on top: (the pole's width as a share of the box's
# width, the share of the height where the head starts), from their procedural meshes
# (assets/procedural: a traffic light's 0.12 m post under a 0.3 m head in a 0.4 m box). With
# the head out of the frame only the pole shows (review_std96h 9700/09: ~8 px of pole).
POLE_KINDS: dict[str, tuple[float, float]] = {
    "traffic_light": (0.3, 0.73), "street_lamp": (0.12, 0.9),
    "sign_post": (0.1, 0.85), "parking_meter": (0.27, 0.75),
}  # fmt: skip


# Kinds whose shape styles (``ObjectInstance.shape``: ``<asset>~<style>-<digest>``) are
# frames of thin parts: per style, its widest solid part (m, at scale 1) from the procedural
# meshes (a crowd barrier's 4 cm tubes, an A-frame's 15 cm boards, a towel radiator's 3 cm
# rails); styles not named (a jersey block, a panel radiator) are solid. Rendered: an A-frame
# barrier's boards 4 px across, a towel radiator's bars 2.8 px (review_std96h 9700/18, 9100/00).
THIN_PARTS: dict[str, dict[str, float]] = {
    "barrier": {"crowd": 0.04, "rail": 0.15, "aframe": 0.15, "chain": 0.1, "tape": 0.1},
    "radiator": {"towel": 0.03, "fins": 0.04, "tall": 0.04, "columns": 0.09},
}


def part_width(camera, obj, box, resolution: tuple[int, int]) -> float | None:
    """Projected pixels across the widest part of ``obj`` a render will show, where its box
    says too much: a framed kind's widest solid part at its depth (``THIN_PARTS``), a pole
    kind's pole (``POLE_KINDS``, a share of its ``box``'s width) where its head is less than
    half in the frame. None for any other object, or a solid style."""
    styles = THIN_PARTS.get(obj.category) or THIN_PARTS.get(obj.asset)
    style = (obj.shape or "").partition("~")[2].rpartition("-")[0]
    if styles and style in styles:
        _, depth = project(camera, [box_centre(obj)], resolution)
        focal_px = camera.lens / camera.sensor_width * resolution[0]
        return styles[style] * obj.transform.scale * focal_px / max(float(depth[0]), 1e-6)
    kind = POLE_KINDS.get(obj.asset) or POLE_KINDS.get(obj.category)
    if kind is None:
        return None
    pole, head_from = kind
    dx, dy, dz = obj.dimensions
    x, y, z = obj.transform.location
    head = obj.model_copy(
        update={
            "dimensions": (dx, dy, dz * (1 - head_from)),
            "transform": obj.transform.model_copy(update={"location": (x, y, z + dz * head_from)}),
        }
    )
    whole = _unclipped_height(camera, head, resolution)
    seen = screen_box(camera, head, resolution)
    if seen is not None and whole > 0 and (seen[3] - seen[1]) >= 0.5 * whole:
        return None
    return pole * max(box[2] - box[0], 0.0)


def box_centre(obj) -> tuple[float, float, float]:
    x, y, z = obj.transform.location
    return (x, y, z + obj.dimensions[2] / 2)


def _unclipped_height(camera, obj, resolution: tuple[int, int]) -> float:
    """Pixels an object's box spans vertically before the frame clips it (0: behind)."""
    uv, depth = project(camera, box_corners(obj), resolution)
    if (depth <= 0).any():
        return 0.0
    return float(uv[:, 1].max() - uv[:, 1].min())


def seen_share(scene, target: str, resolution: tuple[int, int], fill: float) -> float | None:
    """The share of ``target`` predicted in sight: its predicted pixels in ``scene`` over
    those with nothing else there (walls kept). None: out of view."""
    obj = scene.find(target)
    seen = predicted_footprint(scene, target, resolution, fill) if obj is not None else None
    if seen is None:
        return None
    alone = predicted_footprint(
        scene.model_copy(update={"objects": [obj]}), target, resolution, fill
    )
    if alone is None or alone.pixels <= 0:
        return None
    return min(1.0, seen.pixels / alone.pixels)


def mostly_hidden(
    scene,
    target: str,
    vis: VisibilityConfig,
    resolution: tuple[int, int],
    need: float | None = None,
) -> bool:
    """Whether less than ``need`` (``visibility.min_seen_share`` by default) of ``target`` is
    predicted in sight (``seen_share``): a colour, material or turn shows within its outline."""
    share = seen_share(scene, target, resolution, vis.predict_fill)
    return share is None or share < (vis.min_seen_share if need is None else need)


def seen_shares_apart(shares: list[float | None], vis: VisibilityConfig) -> bool:
    """Whether a target's predicted seen shares (``seen_share``) in the pair's two scenes differ
    by more than ``visibility.max_change_hidden_share``: between the two images only the
    changes move, so another change's object covers it in one (``GateCheck.hidden_share``)."""
    known = [s for s in shares if s is not None]
    return len(known) == 2 and abs(known[0] - known[1]) > vis.max_change_hidden_share


def near_edge(box, vis: VisibilityConfig, resolution: tuple[int, int]) -> bool:
    """Whether a box (x0, y0, x1, y1, px) lies within ``visibility.edge_band`` of the frame's
    edge: a size change there is judged against the room's edge and reads less."""
    w, h = resolution
    bx, by = vis.edge_band * w, vis.edge_band * h
    return box[0] <= bx or box[1] <= by or box[2] >= w - bx or box[3] >= h - by


def box_cut(box, shape: tuple[int, ...]) -> bool:
    """Whether a rendered box (x0, y0, x1, y1; inclusive) touches the frame's edge."""
    if not box:
        return False
    h, w = shape[:2]
    x0, y0, x1, y1 = box
    return x0 <= 0 or y0 <= 0 or x1 >= w - 1 or y1 >= h - 1


def box_overlap(a, b) -> float:
    """Area two boxes (x0, y0, x1, y1) share, over the smaller one's area (0 when apart)."""
    ix = min(a[2], b[2]) - max(a[0], b[0])
    iy = min(a[3], b[3]) - max(a[1], b[1])
    if ix <= 0 or iy <= 0:
        return 0.0
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return ix * iy / smaller if smaller > 0 else 1.0


def nearer_objects(scene, target: str, others: list[str]) -> list[str]:
    """Those of ``others`` in ``scene`` whose box centre lies nearer its camera than
    ``target``'s: what can cover it."""
    obj = scene.find(target)
    if obj is None:
        return []
    cam = np.asarray(scene.camera.location, dtype=float)
    reach = float(np.linalg.norm(np.subtract(box_centre(obj), cam)))
    return [
        o
        for o in others
        if (other := scene.find(o)) is not None
        and float(np.linalg.norm(np.subtract(box_centre(other), cam))) < reach
    ]


def change_objects(change: Change, ids: dict[str, int]) -> list[str]:
    """A change's objects that are in the pass: its targets, then ids its record names."""
    out = [t for t in change.targets if t in ids]
    for side in (change.before, change.after):
        value = side.get("id")
        if isinstance(value, str) and value in ids and value not in out:
            out.append(value)
    return out


def mean_lab(image: np.ndarray, region: np.ndarray) -> np.ndarray | None:
    """Mean CIELAB colour of ``region`` (None when empty): averaged in Lab, so a highlight
    counts as much as a viewer sees it, not as much as its sRGB values weigh."""
    if not region.any():
        return None
    return srgb_to_lab(image[..., :3][region].astype(np.float64) / 255.0).mean(axis=0)


def edge_delta_e(image: np.ndarray, own: np.ndarray) -> float:
    """Mean ΔE*ab, over the pixels of ``own`` within ``EDGE_PX`` of its edge, between each
    and the mean of the pixels outside ``own`` (within ``EDGE_PX`` of it) in the window
    ``EDGE_PX`` around it: how the outline stands out where it runs (255: no edge in view)."""
    inner = own & ~ndimage.binary_erosion(own, iterations=EDGE_PX)
    outer = ndimage.binary_dilation(own, iterations=EDGE_PX) & ~own
    window = np.ones((2 * EDGE_PX + 1, 2 * EDGE_PX + 1))
    count = ndimage.convolve(outer.astype(np.float64), window, mode="constant")
    edge = inner & (count > 0)
    if not edge.any():
        return 255.0
    lab = srgb_to_lab(image[..., :3].astype(np.float64) / 255.0)
    near = (
        np.stack(
            [ndimage.convolve(lab[..., c] * outer, window, mode="constant") for c in range(3)], -1
        )[edge]
        / count[edge][:, None]
    )
    return float(np.linalg.norm(lab[edge] - near, axis=-1).mean())


def target_delta_e(index: int, images: Images, masks: Images) -> float | None:
    """CIEDE2000 between the target's mean visible colour before and after (each image's
    own target pixels, so a moved camera still compares the same object)."""
    labs = [mean_lab(img, mask == index) for img, mask in zip(images, masks, strict=True)]
    if labs[0] is None or labs[1] is None:
        return None
    return float(delta_e2000(labs[0], labs[1]))


def contrast_reasons(kind: str, index: int, images, masks, vis: VisibilityConfig) -> list[str]:
    """A colour or material change a viewer can tell: the target's mean colour moves by
    ``visibility.min_delta_e`` (a hue step between neighbours, glossy to matte on a small
    object in shadow, pass the area gates and still cannot be seen)."""
    de = target_delta_e(index, images, masks)
    if de is None or de >= vis.min_delta_e:
        return []
    return [f"{kind}: contrast too low"]


def stable_pixels(masks: Images) -> np.ndarray:
    """Pixels showing the same object in both images, away from its edges: what is left of the
    image once camera jitter's moved edges are excluded."""
    same = masks[0] == masks[1]
    inner = same.copy()
    inner[1:, :] &= same[:-1, :]
    inner[:-1, :] &= same[1:, :]
    inner[:, 1:] &= same[:, :-1]
    inner[:, :-1] &= same[:, 1:]
    return inner
