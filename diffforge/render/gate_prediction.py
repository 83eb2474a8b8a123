"""Render gates predicted from a spec alone, before anything is rendered (users' files).

The sampler predicts each target's pixels; two gates measure what pixels cannot tell, and
each of their refusals threw a full render away (issue 27: y_up's pair 0 three times, the
slab's pairs 2 and 4): a turn's changed share and outline, read from the target's box
before and after the turn (``scenes.changes.turn_prediction``), and an added,
removed or vanished target's colour against the object it stands on
(``visibility.min_support_delta_e``), read from the colours the spec records.
``PairPipeline._unseen`` redraws a spec of a user's file these refuse, without a render.
Calibrated on draft renders of the messy corpus (benchmarks/messy_files.md,
benchmarks/gate_prediction_check.py): generated scenes are left to the gates.
"""

from __future__ import annotations

import numpy as np

from diffforge.scenes.changes import turn_prediction
from diffforge.scenes.changes.turn_prediction import Side
from diffforge.scenes.model import Change, ObjectInstance, PairSpec
from diffforge.scenes.perception import srgb_to_lab

# An add, removal or vanishing is refused before rendering where the target's recorded colour
# and its support's differ by under ``visibility.min_support_delta_e`` (ΔE*ab, the gate's
# measure on the rendered means): the same or a near colour name. On 157 draft adds on the
# slab (44 refused by the gate) this refused 8 of the 44 and 4 of the 113 it passed; the
# recorded colours say little more (a white binder on a red slab rendered ΔE 9-12: the
# slab's lighting compresses every colour).
# Change types held to the support-contrast gate (``Add``, ``Disappear``, ``Remove``).
SUPPORT_GATED = frozenset({"add", "disappear", "remove"})


def _sides(spec: PairSpec, change: Change) -> tuple[Side, Side] | None:
    """The turned target and its camera on each side; None where a side lacks it."""
    if not change.targets:
        return None
    before, after = spec.before.find(change.targets[0]), spec.after.find(change.targets[0])
    if before is None or after is None:
        return None
    return (before, spec.before.camera), (after, spec.after.camera)


def turn_changed_share(
    spec: PairSpec, change: Change, resolution: tuple[int, int], **kw: float
) -> float | None:
    """``turn_prediction.turn_changed_share`` of a spec's turn."""
    sides = _sides(spec, change)
    return None if sides is None else turn_prediction.turn_changed_share(*sides, resolution, **kw)


def outline_turn_share(spec: PairSpec, change: Change, resolution: tuple[int, int]) -> float | None:
    """The share of the union of the turned target's box outlines that one of them alone
    covers (``turn_changed_share`` with every face turned alike)."""
    return turn_changed_share(spec, change, resolution, face_deg=180.0)


def box_outline_match(spec: PairSpec, change: Change, resolution: tuple[int, int]) -> float | None:
    """``turn_prediction.box_outline_match`` of a spec's turn."""
    sides = _sides(spec, change)
    return None if sides is None else turn_prediction.box_outline_match(*sides, resolution)


def turn_reasons(
    spec: PairSpec, resolution: tuple[int, int], max_outline_match: float = 1.0
) -> list[str]:
    """The turn gates' reasons, predicted for each orientation change of ``spec``
    (``turn_prediction.turn_prediction_reasons``)."""
    reasons = []
    for change in spec.changes:
        sides = _sides(spec, change) if change.type == "orientation" else None
        if sides is not None:
            symmetry = int(change.params.get("symmetry", 1) or 1)
            reasons += turn_prediction.turn_prediction_reasons(
                *sides, resolution, symmetry, max_outline_match
            )
    return sorted(set(reasons))


def object_lab(obj: ObjectInstance) -> np.ndarray | None:
    """The CIELAB colour a spec records for an object (its ``attributes.rgb``, sRGB 0..1);
    None where it records none (a file's textured object, a library asset's own colours)."""
    rgb = obj.attributes.rgb
    if rgb is None:
        return None
    return srgb_to_lab(np.asarray(rgb, dtype=float).reshape(1, 3))[0]


def support_reasons(spec: PairSpec, min_delta_e: float) -> list[str]:
    """The support-contrast gate's reason, predicted: an added, removed or vanished target
    whose recorded colour and its support's differ by under ``min_delta_e`` (both recorded;
    otherwise the gate judges)."""
    reasons = []
    for change in spec.changes:
        if change.type not in SUPPORT_GATED or not change.targets:
            continue
        for side in ("before", "after"):
            scene = getattr(spec, side)
            obj = scene.find(change.targets[0])
            if obj is None:
                continue
            under = scene.find(obj.support)
            own = object_lab(obj)
            base = object_lab(under) if under is not None else None
            if own is None or base is None:
                continue
            if float(np.linalg.norm(own - base)) < min_delta_e:
                reasons.append(
                    f"{change.type}: target predicted to blend into its support ({side})"
                )
    return sorted(set(reasons))
