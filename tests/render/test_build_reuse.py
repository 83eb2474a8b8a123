"""A pair's after image rendered from its before's build (only the changed parts rebuilt) matches
two fresh builds: the same masks and the same pixels.

One sampled room pair per change type, a street pair and a multi-change pair, rendered with
``RenderSettings.reuse`` on and off in one worker (Cycles on the CPU, 96x72, 4 samples, the
draft preset's OIDN), gates off. Tolerance: none, the images are bit-identical (measured: every
pair's mean difference 0.0). Pairs that change lights or the world are built twice
(``settings.reusable``): with Cycles' persistent data on (tried first, since left out) a relit
pair's reused after image differed by 2.15 levels on average.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from diffforge.config import load_config
from diffforge.dataset import pair_paths
from diffforge.dataset.files import load_image
from diffforge.render.assets import LibraryResolver
from diffforge.render.executors import LocalExecutor
from diffforge.render.pipeline import PairJob, WorkerContext
from diffforge.render.settings import resolve_settings, reusable
from diffforge.render.workers import PoolOptions
from diffforge.scenes.changes import BUILTIN_CHANGE_TYPES
from diffforge.scenes.model import PairSpec
from diffforge.scenes.sampler import PairSampler

pytestmark = [pytest.mark.blender, pytest.mark.slow, pytest.mark.timeout(900)]

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = ROOT / "configs" / "default.yaml"
TINY = [
    "render.preset=draft",
    "render.resolution=[96, 72]",
    "render.samples=4",
    "render.threads=1",
]
ROOM = [
    "scene.layouts={room: 1.0}",
    "distractors.camera_jitter.probability=0",
    "distractors.light_jitter.probability=0",
    *TINY,
]


def _specs() -> list[PairSpec]:
    runs = [
        (ROOM, [f"changes.weights={{{t}: 1.0}}", "changes.per_pair={1: 1.0}"])
        for t in BUILTIN_CHANGE_TYPES
    ]
    runs.append((ROOM, ["changes.weights={color: 1.0, move: 1.0, add: 1.0, remove: 1.0}"]))
    street = ["scene.layouts={street: 1.0}", *TINY]
    runs.append((street, ["changes.weights={color: 1.0, move: 1.0, illumination: 1.0}"]))
    specs = []
    for i, (base, sets) in enumerate(runs):
        spec = PairSampler(load_config(DEFAULT, [*base, *sets])).sample(0)
        specs.append(spec.model_copy(update={"id": f"{i:08d}", "index": i}))
    return specs


def _render(specs: list[PairSpec], out: Path, reuse: bool) -> None:
    cfg = load_config(DEFAULT, TINY)
    settings = replace(resolve_settings(cfg, 1), reuse=reuse)
    ctx = WorkerContext(cfg, settings, str(out), LibraryResolver(cfg.assets), gates=False)
    jobs = [PairJob(s.index, s.to_json()) for s in specs]
    results = list(LocalExecutor(PoolOptions(workers=1)).run(ctx, jobs))
    assert all(r["status"] == "ok" for r in results), [r.get("reason") for r in results]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> tuple[list[PairSpec], Path, Path]:
    specs = _specs()
    fresh, reused = tmp_path_factory.mktemp("fresh"), tmp_path_factory.mktemp("reused")
    _render(specs, fresh, reuse=False)
    _render(specs, reused, reuse=True)
    return specs, fresh, reused


def _label(spec: PairSpec) -> str:
    return f"{spec.before.environment.layout}:" + "+".join(c.type for c in spec.changes)


def test_reuse_gives_the_masks_of_a_fresh_build(rendered) -> None:
    specs, fresh, reused = rendered
    # not vacuous: most pairs take the reused path
    assert sum(reusable(s.before, s.after) for s in specs) >= len(specs) - 3
    for spec in specs:
        paths = pair_paths(spec.id)
        for key in ("mask_before", "mask_after", "mask_change"):
            a, b = load_image(fresh / paths[key]), load_image(reused / paths[key])
            assert np.array_equal(a, b), (_label(spec), key)


def test_reuse_gives_the_images_of_a_fresh_build(rendered) -> None:
    specs, fresh, reused = rendered
    for spec in specs:
        paths = pair_paths(spec.id)
        for side in ("before", "after"):
            a, b = load_image(fresh / paths[side]), load_image(reused / paths[side])
            assert np.array_equal(a, b), (
                _label(spec),
                side,
                float(np.abs(a - b.astype(int)).mean()),
            )


def test_a_none_pair_renders_identical_images_when_reused(rendered) -> None:
    specs, _, reused = rendered
    spec = next(s for s in specs if [c.type for c in s.changes] == ["none"])
    paths = pair_paths(spec.id)
    before, after = (load_image(reused / paths[k]) for k in ("before", "after"))
    assert np.array_equal(before, after)
