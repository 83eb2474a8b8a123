"""Which of a user file's object changes go to the file's own objects: per change type, from
what the file's scenes carry, then calibrated on a pilot of sampled specs (kept apart from
``user_file``, which the environments package imports: this composes scenes through it)."""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from diffforge.config import GenerateConfig
from diffforge.distributions import rng_for
from diffforge.errors import SamplingError
from diffforge.scenes.changes.base import ChangeContext, NotApplicable
from diffforge.scenes.environments import FEATURES, compose
from diffforge.scenes.file_objects import is_file_object, sidecar_path
from diffforge.scenes.model import Change, PairSpec, Scene

# Base scenes composed to find which object changes a file's scenes carry (``own_object_shares``)
PROBE_SCENES = 6
# ... and the share of the best type's scenes in which a type must act on the file's own objects
# to be drawn for them (the scenes a file's objects show in differ from file to file)
OWN_RATE_OF_BEST = 0.5
# The pilot that calibrates that chance on realized shares (``calibrated``): specs per pass
# (about 1.1 object changes each), sampled at pair indices past any dataset's (the pilot's
# draws are its own), and at most this many passes; a pass this close to the configured share
# ends it. Per (file, config, code): ``_CALIBRATED`` in the process, ``calibration_path`` on disk.
PILOT_SPECS, PILOT_INDEX, PILOT_PASSES, PILOT_CLOSE = 120, 1 << 40, 4, 0.015
# After the last pass, a measured chance this close to the share is kept rather than the
# secant's unmeasured step: over a flat, noisy pilot the secant leaps (instances read 0.62 at
# chances 0.80 to 0.67, then stepped to an unmeasured 0.391 that realized 0.480).
PILOT_NEAR = 0.03
_CALIBRATED: dict[str, dict[str, Any]] = {}


def own_object_shares(
    cfg: GenerateConfig,
    library,
    operators: dict[str, Any],
    params: dict[str, dict[str, Any]],
    weights: dict[str, float],
    large: Callable[[Scene], set[str]] | None = None,
) -> tuple[dict[str, float], list[str]]:
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
    distributions per type). Empty where no probe scene composes: the flat share holds.

    Also the reserve: the types that took the file's objects in some probe scene, but in fewer
    than ``OWN_RATE_OF_BEST`` of the best type's (most first); ``calibrated`` draws them for the
    file's objects too where the others alone cannot reach the share."""

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
        return {}, []
    # a type that finds one of the file's objects in far fewer scenes than the file's best
    # falls back when drawn for them (y_up: turns in 2 of 6 scenes against colour's 6, 0 of 3
    # such draws realized, the file's share 0.40): the types that find them take its share
    best = max(hits.values(), default=0)
    mine = {t for t, n in hits.items() if n > 0 and n >= OWN_RATE_OF_BEST * best}
    total = sum(objects[t] for t in carried | mine)
    able = sum(objects[t] for t in mine)
    boost = min(1.0, cfg.changes.file_objects * total / able) if able > 0 else 0.0
    reserve = sorted((t for t, n in hits.items() if n > 0 and t not in mine),
                     key=lambda t: (-hits[t], t))  # fmt: skip
    return {t: (boost if t in mine else 0.0) for t in objects}, reserve


def on_file_objects(spec: PairSpec, change: Change) -> bool:
    """Whether ``change`` acts on the file's own objects: a target whose asset is the file's
    (a count's linked duplicates of a file object included)."""
    objs = {o.id: o for scene in (spec.before, spec.after) for o in scene.objects}
    return any(t in objs and is_file_object(objs[t]) for t in change.targets)


def calibrated(
    cfg: GenerateConfig,
    own_p: dict[str, float],
    pilot: Callable[[dict[str, float], int], PairSpec | None],
    on_objects: Callable[[str], bool],
    uniforms: Callable[[int], Any],
    reserve: list[str] | tuple[str, ...] = (),
) -> dict[str, float]:
    """``own_p`` (``own_object_shares``) with the chance of the types that take the file's
    objects set so that ``changes.file_objects`` of the object changes sampled specs realize
    act on them. The probes say which types find the file's objects, not how often a draw
    for them is carried into view and through the gates: that rate differs from file to file
    (linked_library realized 0.43, a slab of primitives 0.79, for 0.6). A pilot of
    ``PILOT_SPECS`` specs (``pilot(own_p, index)``: pair ``index`` sampled with ``own_p``,
    None where it fails) measures the realized share; a ratio step, then secant steps, move
    the chance toward the configured share (up to ``PILOT_PASSES`` passes on the same pair
    indices, so a step sees the chance's effect, not new draws). A pass samples again only the
    pairs one of whose draws goes the other way at the new chance (``uniforms(index)``: the
    pair's uniforms compared with it): the rest come out as they did. Where every draw of
    those types cannot reach the share, the ``reserve`` types are drawn for the file's objects
    too (``widened``). Once per file, config and code: kept in the process and beside the file
    (``calibration_path``)."""
    able = sorted(t for t, p in own_p.items() if p > 0)
    target = cfg.changes.file_objects
    if not able or (target >= 1.0 and own_p[able[0]] >= 1.0):  # nothing a pilot could move
        return own_p
    key = calibration_key(cfg)
    found = _CALIBRATED.get(key) or _read_calibration(sidecar_path(cfg.assets.environment), key)
    if found is None:

        def measure_for(types: list[str]) -> Callable[[float], tuple[int, int]]:
            known: dict[tuple[int, tuple[bool, ...]], tuple[int, int]] = {}

            def measure(chance: float) -> tuple[int, int]:
                shares = {t: (chance if t in types else 0.0) for t in own_p}
                own = total = 0
                for index in range(PILOT_INDEX, PILOT_INDEX + PILOT_SPECS):
                    way = (index, tuple(bool(u < chance) for u in uniforms(index)))
                    if way not in known:
                        spec = pilot(shares, index)
                        hits = [] if spec is None else [on_file_objects(spec, c)
                                for c in spec.changes if on_objects(c.type)]  # fmt: skip
                        known[way] = (sum(hits), len(hits))
                    own, total = own + known[way][0], total + known[way][1]
                return own, total

            return measure

        found = widened(own_p[able[0]], target, able, list(reserve), measure_for)
        _write_calibration(sidecar_path(cfg.assets.environment), key, found)
    _CALIBRATED[key] = found
    types = found.get("types", able)
    return {t: (found["chance"] if t in types else 0.0) for t in own_p}


def widened(
    start: float,
    target: float,
    able: list[str],
    reserve: list[str],
    measure_for: Callable[[list[str]], Callable[[float], tuple[int, int]]],
) -> dict[str, Any]:
    """The calibration of ``able``'s chance (``_secant`` from ``start``); where it takes every
    draw of them (chance 1) and the share still falls short by more than ``PILOT_CLOSE``, the
    ``reserve`` types join them and the chance is stepped again (``measure_for(types)``: the
    pilot with those types drawn for the file's objects). centimetres' objects took colour
    and material only (its box and crate were found by disappear and replace in 2-3 of 6 probe
    scenes against colour's 6), and every draw of those two realized 0.494 of 0.6.
    {"chance", "types", "passes"}."""
    passes: list = []
    chance = _secant(start, target, measure_for(able), passes)
    best = max(p[1] / max(p[2], 1) for p in passes)
    if reserve and chance >= 1.0 and best < target - PILOT_CLOSE:
        able = sorted({*able, *reserve})
        more: list = []  # the secant's slope is the wider set's alone
        chance = _secant(chance, target, measure_for(able), more)
        passes += more
    return {"chance": chance, "types": able, "passes": passes}


def _secant(
    chance: float, target: float, measure: Callable[[float], tuple[int, int]], passes: list
) -> float:
    """The chance whose realized share is ``target``: measured at ``chance``, then a ratio
    step (the share is about proportional to the chance), then secant steps through the last
    two passes; the step after the last pass is taken unmeasured, unless a pass came within
    ``PILOT_NEAR`` of the target (that pass's chance is kept). ``passes`` gets
    [chance, own, object changes] per pass."""
    for _ in range(PILOT_PASSES):
        own, total = measure(chance)
        passes.append([chance, own, total])
        share = own / total if total else target
        if abs(share - target) <= PILOT_CLOSE:
            return chance
        step = None
        if len(passes) >= 2:
            (c0, o0, n0), (c1, o1, n1) = passes[-2], passes[-1]
            slope = (o1 / max(n1, 1) - o0 / max(n0, 1)) / (c1 - c0) if c1 != c0 else 0.0
            if slope > 0:
                step = c1 + (target - share) / slope
        if step is None:  # one pass, or a pilot too noisy for a slope: proportional
            step = chance * target / share if share > 0 else 1.0
        step = round(min(1.0, max(0.0, step)), 4)
        if step == chance:
            return chance
        chance = step
    best = min(passes, key=lambda p: abs(p[1] / max(p[2], 1) - target))
    return best[0] if abs(best[1] / max(best[2], 1) - target) <= PILOT_NEAR else chance


def calibration_key(cfg: GenerateConfig) -> str:
    """What a calibration depends on: the config (the mix included; not where the file is,
    which its scan stands for), the file's scan, the user's asset manifests and the code."""
    side = sidecar_path(cfg.assets.environment)
    where = {"assets": {"environment", "cache_dir"}}
    blob = json.dumps([
        _code_digest(), cfg.model_dump_json(exclude=where), _digest(side),
        [_digest(Path(m)) for m in cfg.assets.manifests],
    ])  # fmt: skip
    return hashlib.sha256(blob.encode()).hexdigest()[:32]


def calibration_path(side: Path) -> Path:
    """Where the calibrations of a user file are kept: beside its scan (``<file>.blend.json``),
    ``<file>.blend.own_share.json``, a dict of calibration key -> chance and pilot passes."""
    return side.with_name(side.name[: -len(".json")] + ".own_share.json")


# calibrations kept per file (one per config the user samples it with)
KEPT_CALIBRATIONS = 32


def _read_calibration(side: Path, key: str) -> dict[str, Any] | None:
    try:
        found = json.loads(calibration_path(side).read_text()).get(key)
    except (OSError, ValueError, AttributeError):
        return None
    return found if isinstance(found, dict) and isinstance(found.get("chance"), float) else None


def _write_calibration(side: Path, key: str, found: dict[str, Any]) -> None:
    """Added to the file's calibrations, written whole (another process may read it); a
    folder the user cannot write keeps it in the process only."""
    path = calibration_path(side)
    try:
        kept = json.loads(path.read_text())
        kept = kept if isinstance(kept, dict) else {}
    except (OSError, ValueError):
        kept = {}
    kept.pop(key, None)
    kept[key] = found
    kept = dict(list(kept.items())[-KEPT_CALIBRATIONS:])
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(json.dumps(kept, indent=1))
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)


def _digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


@functools.lru_cache(maxsize=1)
def _code_digest() -> str:
    """The package's code and data: a calibration made by other code is made again."""
    root = Path(__file__).resolve().parents[2]
    h = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.suffix in (".py", ".json", ".j2") and path.is_file():
            h.update(path.relative_to(root).as_posix().encode())
            h.update(path.read_bytes())
    return h.hexdigest()
