"""The contrast gate and the unrecorded-lighting gate (issue 14): on synthetic images, and on
real Cycles renders of the fixture cube changing colour."""

from __future__ import annotations

import json

import numpy as np
import pytest
from render_fixtures import make_pair

from diffforge.config import VisibilityConfig
from diffforge.dataset import read_pairs
from diffforge.render.facts import instance_ids, object_facts
from diffforge.render.gates import check_pair, contrast_reasons, target_delta_e
from diffforge.vocabulary import COLORS

VIS = VisibilityConfig()


def _patch(rgb, size=(20, 20)) -> np.ndarray:
    return np.broadcast_to(np.array(rgb) * 255, (*size, 3)).round().astype(np.uint8).copy()


def test_contrast_gate_on_flat_colours() -> None:
    mask = np.ones((20, 20), np.uint16)
    near = (_patch((0.9, 0.8, 0.1)), _patch((0.85, 0.75, 0.2)))  # a yellow one shade apart
    far = (_patch(COLORS["red"]), _patch(COLORS["blue"]))
    assert contrast_reasons("color", 1, near, (mask, mask), VIS) == ["color: contrast too low"]
    assert contrast_reasons("color", 1, far, (mask, mask), VIS) == []
    # the mean is taken over each image's own target pixels: a moved target still compares
    moved = mask.copy()
    moved[:, :10] = 0
    assert target_delta_e(1, far, (mask, moved)) == pytest.approx(
        target_delta_e(1, far, (mask, mask))
    )


def test_unrecorded_lighting_difference_is_rejected() -> None:
    spec = make_pair(0, "color")
    ids = instance_ids(spec)
    mask = np.zeros((40, 40), np.uint16)
    mask[5:15, 5:15] = ids["cube_1"]
    before = np.full((40, 40, 3), 150, np.uint8)
    after = before.copy()
    after[5:15, 5:15] = (20, 200, 20)  # the cube changes colour, nothing else
    facts = {s: object_facts(mask, ids, {"cube_1"}) for s in ("before", "after")}
    ok = check_pair(spec, ids, facts, (before, after), (mask, mask), 8, VIS)
    assert not [r for r in ok if "lighting" in r]
    dark = (after * 0.3).astype(np.uint8)  # and the whole room goes dark (pair 30's lamp)
    dark[5:15, 5:15] = after[5:15, 5:15]
    reasons = check_pair(spec, ids, facts, (before, dark), (mask, mask), 8, VIS)
    assert "lighting changed without an illumination change (darker)" in reasons
    lit = make_pair(0, "illumination")  # recorded: no such reason
    lit_ids = instance_ids(lit)
    lit_facts = {s: object_facts(mask, lit_ids, set()) for s in ("before", "after")}
    reasons = check_pair(lit, lit_ids, lit_facts, (before, dark), (mask, mask), 8, VIS)
    assert not [r for r in reasons if "lighting" in r]


def _recolour(index: int, old: str, new: str):
    spec = make_pair(index, "color", seed=5)
    for scene, name in ((spec.before, old), (spec.after, new)):
        cube = scene.object("cube_1")
        cube.attributes.color, cube.attributes.rgb = name, COLORS[name]
    spec.changes[0].before, spec.changes[0].after = {"color": old}, {"color": new}
    return spec


@pytest.mark.blender
def test_contrast_gate_on_rendered_cubes(run, tmp_path) -> None:
    """Rendered: a yellow cube turning beige (the review's pair 46; CIEDE2000 of the mean
    ≈ 14 here) is refused, a red one turning blue (≈ 43) is kept. (Green→teal, the review's
    shelf in shadow, measures ≈ 27 on this brightly lit cube: visible, and kept.)"""
    specs = [_recolour(0, "yellow", "beige"), _recolour(1, "red", "blue")]
    summary = run(tmp_path, n=None, specs=specs, workers=1)
    kept = {r.id for r in read_pairs(tmp_path)}
    assert kept == {specs[1].id}, summary["failures"]
    assert "color: contrast too low" in json.dumps(summary["failures"])


def test_illumination_gate_thresholds_match_the_by_eye_review() -> None:
    """Measures of the reviewed pairs (benchmarks/illumination_review.py on std48b): what was
    judged barely visible fails the default gate, what was judged clearly visible passes."""
    from diffforge.render.gates import illumination_reasons
    from diffforge.scenes.model import Change

    mask = np.ones((40, 40), np.uint16)
    base = np.full((40, 40, 3), 120, np.uint8)

    def shifted(red: float = 0.0, blue: float = 0.0, scale: float = 1.0) -> np.ndarray:
        img = base.astype(np.float32) * scale
        img[..., 0] += red
        img[..., 2] += blue
        return img.clip(0, 255).round().astype(np.uint8)

    def seen(kind: str, after: np.ndarray) -> bool:
        change = Change(type="illumination", targets=["sun"], params={"kind": kind})
        return illumination_reasons(change, (base, after), (mask, mask), VIS) == []

    assert not seen("cooler", shifted(red=-7, blue=6))  # pair 24: 13 levels, barely
    assert not seen("cooler", shifted(red=-9, blue=10))  # pair 09: 19 levels, barely
    assert seen("warmer", shifted(red=11, blue=-11))  # pair 26: 21 levels, clear
    assert not seen("brighter", shifted(scale=1.25))  # pair 20: ×1.25, barely
    assert seen("darker", shifted(scale=0.58))  # pair 04: ×0.58, clear
    local = base.copy()
    local[:3] = 255  # 7.5 % of the frame changed (pair 05's lamp out of view): barely
    assert not seen("light_off", local)
    local[:11] = 255  # 27.5 % (pair 12's sun): clear
    assert seen("sun_angle", local)
    assert seen("light_on", local)  # a lamp that lights a quarter of the frame brightly
    faint = base.copy()
    faint[:5] = 150  # 12.5 % of the frame 30 levels brighter, the mean 3 % (final48's pair 04)
    assert seen("sun_angle", faint) and not seen("light_on", faint)
    glow = base.copy()
    glow[:6] = 170  # 15 % of the frame 50 levels brighter, the mean 6 %: a glowing floor lamp
    assert seen("light_on", glow)  # and the wall beside it, clearly seen (std48, pairs 04, 15)
