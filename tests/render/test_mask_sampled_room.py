"""Change masks on sampled rooms with the real asset library: one pair per change type and a
multi-change pair, rendered in one ``generate`` call (Cycles on the CPU, 96x72, 4 samples).

Object changes: the mask lies within the changed objects' pixels grown by 1 px and holds all
their visibly changed pixels (``mask_checks``). Scene-wide changes (viewpoint, illumination)
move or relight every pixel, so their mask is the whole frame, and a pair with no change has
an empty one. Distractors are off: with them a jittered camera or light changes pixels that no
record names, which ``test_mask_truth`` checks on its own.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from mask_checks import assert_mask_holds_the_change, changed_objects, pair_arrays

from diffforge.config import load_config
from diffforge.dataset import read_pairs
from diffforge.render.facts import pixel_difference
from diffforge.scenes.changes import BUILTIN_CHANGE_TYPES, operator_for
from diffforge.scenes.model import PairSpec
from diffforge.scenes.sampler import PairSampler

pytestmark = [pytest.mark.blender, pytest.mark.slow, pytest.mark.timeout(900)]

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = ROOT / "configs" / "default.yaml"
ROOM = [
    "scene.layouts={room: 1.0}",
    "distractors.camera_jitter.probability=0",
    "distractors.light_jitter.probability=0",
    "render.preset=draft",
    "render.resolution=[96, 72]",
    "render.samples=4",
    "render.denoise=false",
]
# several object changes in one pair: two sides of a move, a new object, a swapped one
MULTI = ["changes.weights={color: 1.0, move: 1.0, replace: 1.0, add: 1.0, size: 1.0}"]


def _specs() -> list[PairSpec]:
    runs = [
        [f"changes.weights={{{t}: 1.0}}", "changes.per_pair={1: 1.0}"] for t in BUILTIN_CHANGE_TYPES
    ]
    runs.append([*MULTI, "changes.per_pair={3: 1.0}"])
    specs = []
    for i, sets in enumerate(runs):
        spec = PairSampler(load_config(DEFAULT, [*ROOM, *sets])).sample(0)
        specs.append(spec.model_copy(update={"id": f"{i:08d}", "index": i}))
    return specs


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> tuple[Path, dict[str, object]]:
    from diffforge.render import generate

    out = tmp_path_factory.mktemp("sampled_room")
    specs = _specs()
    cfg = load_config(DEFAULT, ROOM)
    summary = generate(
        cfg, out, None, specs=specs, workers=1, gates=False, captions=False, progress=False
    )
    assert summary["failed"] == 0, summary
    records = {r.id: r for r in read_pairs(out)}
    return out, {s.id: (s, records[s.id]) for s in specs}


def _label(spec: PairSpec) -> str:
    return "+".join(c.type for c in spec.changes)


def test_every_change_type_and_a_multi_change_pair_were_rendered(rendered) -> None:
    _, pairs = rendered
    types = {c.type for spec, _ in pairs.values() for c in spec.changes}
    assert types >= set(BUILTIN_CHANGE_TYPES)
    multi = [s for s, _ in pairs.values() if len(s.changes) >= 2]
    assert multi and not any(operator_for(c.type).scene_wide for c in multi[0].changes)


def test_object_change_masks_hold_the_changed_objects_only(rendered) -> None:
    root, pairs = rendered
    checked = []
    for spec, rec in pairs.values():
        if any(operator_for(c.type).scene_wide for c in spec.changes) or not changed_objects(spec):
            continue
        arrays = pair_arrays(root, rec)
        assert_mask_holds_the_change(arrays, _label(spec))
        # the changed objects are seen: the mask is not empty, and pixels in it changed
        assert arrays["change"].sum() >= 10, _label(spec)
        diff = pixel_difference(arrays["before"], arrays["after"]) > 12
        assert (diff & arrays["change"]).sum() >= 5, _label(spec)
        checked.append(_label(spec))
    assert len(checked) >= 11, checked


def test_scene_wide_masks_are_the_whole_frame_and_none_is_empty(rendered) -> None:
    root, pairs = rendered
    for spec, rec in pairs.values():
        change = pair_arrays(root, rec)["change"]
        if any(operator_for(c.type).scene_wide for c in spec.changes):
            assert change.all(), _label(spec)
        elif [c.type for c in spec.changes] == ["none"]:
            assert not change.any() and not changed_objects(spec)


def test_a_whole_frame_mask_fails_the_object_check(rendered) -> None:
    """Not vacuous: the whole frame and an empty mask fail it."""
    root, pairs = rendered
    _, rec = next(p for p in pairs.values() if _label(p[0]) == "move")
    arrays = pair_arrays(root, rec)
    for wrong in (np.ones_like(arrays["change"]), np.zeros_like(arrays["change"])):
        with pytest.raises(AssertionError):
            assert_mask_holds_the_change({**arrays, "change": wrong}, "wrong")
