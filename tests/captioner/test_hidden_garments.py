"""A person's trousers are named only where the rendered figure shows them (review_std96q
2600/44: a person seen down to the waist behind a counter was "the person in a yellow top and
pink trousers"). Spec-based: sampled pose pairs whose target's rendered box (the render facts)
is cut at a chosen height, against the hip line projected through the camera."""

from __future__ import annotations

import copy
from pathlib import Path

from diffforge.captioner.compose import AmbiguousReference, change_groups
from diffforge.captioner.seen import GARMENT_SEEN_SHARE, HIP_SHARE, garments_unseen
from diffforge.config import load_config
from diffforge.render.facts import predicted_facts
from diffforge.scenes.geometry import project
from diffforge.scenes.sampler import PairSampler
from diffforge.vocabulary import CLOTHING_WORDS

ROOT = Path(__file__).resolve().parents[2]
RES = (256, 192)


def _pose_pairs(n: int = 6):
    """Default pose-only pairs (spec, predicted facts) whose person is captioned by both
    garments when seen whole."""
    only = ["changes.weights={pose: 1.0}", "changes.per_pair={1: 1.0}"]
    cfg = load_config(ROOT / "configs" / "default.yaml", only)
    sampler, out = PairSampler(cfg), []
    for i in range(40):
        spec = sampler.sample(i)
        facts = predicted_facts(spec, RES, cfg.visibility.predict_fill)
        (target,) = spec.changes[0].targets
        if target not in facts["before"] or target not in facts["after"]:
            continue
        try:
            text = change_groups(spec, RES, facts)[0].values["ref"]
        except AmbiguousReference:
            continue
        if CLOTHING_WORDS["bottom"] in text:
            out.append((spec, facts, target))
        if len(out) == n:
            return out
    raise AssertionError(f"only {len(out)} pose pairs name both garments")


def _cut(spec, facts, target: str, share: float) -> dict:
    """The facts with the target's box ending ``share`` of the way from its hip to its feet
    (both images), as a counter in front of it would leave it."""
    out = copy.deepcopy(facts)
    for side, scene in (("before", spec.before), ("after", spec.after)):
        obj = scene.find(target)
        x, y, z = obj.transform.location
        uv, _ = project(scene.camera, [(x, y, z + HIP_SHARE * obj.dimensions[2]), (x, y, z)], RES)
        hip, feet = uv[0, 1], uv[1, 1]
        box = out[side][target]["box"]
        box[3] = int(min(box[3], hip + share * (feet - hip)))
    return out


def test_trousers_hidden_behind_a_counter_are_not_named() -> None:
    for spec, facts, target in _pose_pairs():
        waist = _cut(spec, facts, target, -0.1)  # seen down to just above the hip
        ref = change_groups(spec, RES, waist)[0].values["ref"]
        assert CLOTHING_WORDS["bottom"] not in ref, ref
        knees = _cut(spec, facts, target, GARMENT_SEEN_SHARE + 0.4)  # seen down past the knees
        ref = change_groups(spec, RES, knees)[0].values["ref"]
        assert CLOTHING_WORDS["bottom"] in ref, ref


def test_nothing_is_hidden_where_visibility_is_only_projected() -> None:
    spec, _, target = _pose_pairs(1)[0]
    obj = spec.before.find(target)
    assert garments_unseen(obj, spec.before.camera, RES, None) == ()
