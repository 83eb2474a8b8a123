"""Where a user turns on the shared-pair gate (``visibility.min_shared_changed_px``), the
sampler predicts it: in a pair of several changes, each object change's targets are predicted
to show that many pixels, so the render's gate does not resample most pairs (at 420 px and no
prediction, pairs of users' small-prop files were resampled 2-10 times)."""

from __future__ import annotations

import pytest

from diffforge.config import GenerateConfig
from diffforge.scenes.geometry import predicted_footprints
from diffforge.scenes.sampler import PairSampler

# samples hundreds of specs: `make test-slow`, run in CI
pytestmark = pytest.mark.slow


def test_multi_change_pairs_show_the_shared_pixels_where_the_gate_is_on() -> None:
    cfg = GenerateConfig.model_validate(
        {"render": {"preset": "draft"}, "visibility": {"min_shared_changed_px": 1600}}
    )
    sampler = PairSampler(cfg)
    res = cfg.render.resolved().resolution
    need = cfg.visibility.shared_changed_px(res)
    seen = 0
    for index in range(60):
        spec = sampler.sample(index)
        if sum(c.type != "none" for c in spec.changes) < 2 or spec.fallbacks:  # last resorts
            continue
        feet = [predicted_footprints(s, res, cfg.visibility.predict_fill)
                for s in (spec.before, spec.after)]  # fmt: skip
        for change in spec.changes:
            if sampler.operators[change.type].scene_wide:
                continue
            shown = sum(
                max((f[t].pixels for f in feet if t in f), default=0.0) for t in change.targets
            )
            seen += 1
            assert shown >= need, (spec.id, change.type, shown, need)
    assert seen >= 4


def test_generated_pairs_show_the_shared_and_scene_change_pixels_by_default() -> None:
    """By default a generated scene's pair of several changes predicts each object change's
    targets to show ``visibility.shared_px`` (420 px at 256x192, 680 beside an illumination
    or viewpoint change, text changes apart), so the render's gates resample few of them."""
    cfg = GenerateConfig.model_validate({"render": {"preset": "draft"}})
    sampler = PairSampler(cfg)
    res = cfg.render.resolved().resolution
    seen = {False: 0, True: 0}
    for index in range(80):
        spec = sampler.sample(index)
        if sum(c.type != "none" for c in spec.changes) < 2 or spec.fallbacks:
            continue
        scene_change = any(sampler.operators[c.type].scene_wide for c in spec.changes)
        feet = [predicted_footprints(s, res, cfg.visibility.predict_fill)
                for s in (spec.before, spec.after)]  # fmt: skip
        for change in spec.changes:
            op = sampler.operators[change.type]
            if op.scene_wide:
                continue
            # a sign's letters are the OCR gate's: a text change asks the plain shared pixels
            need = cfg.visibility.shared_px(res, True, scene_change and not op.writes_text)
            shown = sum(
                max((f[t].pixels for f in feet if t in f), default=0.0) for t in change.targets
            )
            seen[scene_change] += 1
            assert shown >= need, (spec.id, change.type, shown, need)
    assert seen[False] >= 4 and seen[True] >= 2, seen
