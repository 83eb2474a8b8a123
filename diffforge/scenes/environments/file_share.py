"""Which of a user file's object changes go to the file's own objects: per change type, from
what the file's scenes carry (kept apart from ``user_file``, which the environments package
imports: this composes scenes through it)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from diffforge.config import GenerateConfig
from diffforge.distributions import rng_for
from diffforge.errors import SamplingError
from diffforge.scenes.changes.base import ChangeContext, NotApplicable
from diffforge.scenes.environments import FEATURES, compose
from diffforge.scenes.file_objects import is_file_object
from diffforge.scenes.model import Scene

# Base scenes composed to find which object changes a file's scenes carry (``own_object_shares``)
PROBE_SCENES = 6
# ... and the share of the best type's scenes in which a type must act on the file's own objects
# to be drawn for them (the scenes a file's objects show in differ from file to file)
OWN_RATE_OF_BEST = 0.5


def own_object_shares(
    cfg: GenerateConfig,
    library,
    operators: dict[str, Any],
    params: dict[str, dict[str, Any]],
    weights: dict[str, float],
    large: Callable[[Scene], set[str]] | None = None,
) -> dict[str, float]:
    """Per object-change type (the keys of ``weights``, their configured weights), the chance
    that a draw of it is drawn for the file's own objects, so that ``changes.file_objects`` of
    the object changes a file's scenes carry act on the file's objects. A type that none of
    the file's objects can take (text without a text object of the file's, pose without a
    person, orientation where every one is round, remove where nothing of the file stands on
    another of its objects) draws library objects only, and the types that can take the
    file's objects take its share as well: with a flat ``file_objects`` for every type, each
    draw of such a type for the file's objects was a fallback that bent the change mix, and
    the share was short by the weight of those types.

    What a file's scenes carry is tried on ``PROBE_SCENES`` base scenes composed for every
    feature: each type applied once to any object and once to the file's objects only, among
    those ``large(scene)`` predicts large enough in view (``params``: the sampler's parameter
    distributions per type). Empty where no probe scene composes: the flat share holds."""

    def acts(kind: str, scene: Scene, only: set[str] | None, rng, seen) -> bool:
        op = operators[kind]
        drawn = {k: d.sample(rng) for k, d in params[kind].items()}
        ctx = ChangeContext(rng=rng, params=drawn, cfg=cfg, library=library, only=only, large=seen)
        try:
            return bool(op.needs(scene)) and op.apply(ctx, scene.clone(), scene.clone()) is not None
        except NotApplicable:
            return False

    objects = {t: w for t, w in weights.items() if w > 0}
    carried: set[str] = set()
    hits: dict[str, int] = dict.fromkeys(objects, 0)  # probe scenes where it took the file's
    composed = 0
    for k in range(PROBE_SCENES):
        rng = rng_for(cfg.seed, k, "file_probe")
        try:
            scene = compose(rng, "environment", cfg, library, frozenset(FEATURES))
        except SamplingError:  # a file too full for this draw's objects: the pairs retry too
            continue
        composed += 1
        own = {o.id for o in scene.objects if is_file_object(o)}
        seen = None if large is None else large(scene)
        for t in objects:
            if own and acts(t, scene, own, rng, seen):
                hits[t] += 1
            if t not in carried and acts(t, scene, None, rng, seen):
                carried.add(t)
    if not composed:
        return {}
    # a type that finds one of the file's objects in far fewer scenes than the file's best
    # falls back when drawn for them (y_up: turns in 2 of 6 scenes against colour's 6, 0 of 3
    # such draws realized, the file's share 0.40): the types that find them take its share
    best = max(hits.values(), default=0)
    mine = {t for t, n in hits.items() if n > 0 and n >= OWN_RATE_OF_BEST * best}
    total = sum(objects[t] for t in carried | mine)
    able = sum(objects[t] for t in mine)
    boost = min(1.0, cfg.changes.file_objects * total / able) if able > 0 else 0.0
    return {t: (boost if t in mine else 0.0) for t in objects}
