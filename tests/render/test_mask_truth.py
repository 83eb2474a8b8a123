"""Change masks checked against the truth on real Cycles renders (CPU, 96x72, 4 samples).

The truth is what the two scene graphs say changed (not the change record) and the rendered
instance masks: the change mask must be exactly the changed objects' visible pixels in the
before and the after image, and outside it the two images may differ only where a distractor,
a shadow or a reflection explains it. A mask that is everything (or nothing) fails.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from mask_checks import DIFF, changed_objects, grow
from PIL import Image
from render_fixtures import make_pair

from diffforge.scenes.model import Distractor, PairSpec

pytestmark = pytest.mark.blender  # four pairs, a few seconds


def light_jitter_none(index: int) -> PairSpec:
    """No change, only a distractor: the key light 30 % dimmer and moved a little."""
    spec = make_pair(index, "none", seed=11)
    key = spec.after.light("key")
    key.energy *= 0.7
    key.location = (key.location[0] + 0.3, key.location[1], key.location[2])
    spec.distractors = [Distractor(type="light_jitter", params={"energy_scale": [0.7, 1.0]})]
    return spec


def pair_specs() -> dict[str, PairSpec]:
    # color: the same pixels on both sides; move: two disjoint regions (before and after);
    # replace: one id only before, another only after; none + light jitter: nothing changed.
    specs = [make_pair(i, kind, seed=11) for i, kind in enumerate(("color", "move", "replace"))]
    specs.append(light_jitter_none(3))
    return {s.id: s for s in specs}


@pytest.fixture(scope="module")
def rendered(run, tmp_path_factory) -> tuple[Path, dict[str, PairSpec]]:
    out = tmp_path_factory.mktemp("mask_truth")
    specs = pair_specs()
    summary = run(out, n=None, specs=list(specs.values()), workers=1, gates=False)
    assert summary["failed"] == 0, summary
    return out, specs


def read(root: Path, rel: str) -> np.ndarray:
    with Image.open(root / rel) as img:
        if img.mode.startswith("I"):  # the 16-bit instance masks
            return np.asarray(img, dtype=np.uint16)
        if img.mode in ("L", "1"):  # the change mask
            return np.asarray(img.convert("L"))
        return np.asarray(img.convert("RGB")).astype(np.int16)


def truth_mask(root: Path, spec: PairSpec) -> np.ndarray:
    """Union of the changed objects' pixels in both instance masks."""
    scene = json.loads((root / f"scenes/{spec.id}.json").read_text())
    instances = scene["instances"]
    targets = changed_objects(spec)
    assert targets <= set(instances), (targets, instances)
    wanted = [instances[t] for t in targets]
    before = read(root, f"masks/{spec.id}_before.png")
    after = read(root, f"masks/{spec.id}_after.png")
    assert before.dtype == np.uint16 and before.shape == after.shape
    return np.isin(before, wanted) | np.isin(after, wanted)


def assert_mask_is_truth(change: np.ndarray, truth: np.ndarray, where: str) -> None:
    """Equal up to anti-aliasing: disagreements only on the truth's 1-px border, and few."""
    wrong = change != truth
    border = grow(truth, 1) & grow(~truth, 1)  # pixels within 1 px of the truth's edge
    assert not (wrong & ~border).any(), (
        f"{where}: {int((wrong & ~border).sum())} mask pixels off the changed objects "
        f"(mask {int(change.sum())} px, changed objects {int(truth.sum())} px)"
    )
    assert wrong.sum() <= max(2, 0.03 * truth.sum()), f"{where}: {int(wrong.sum())} px differ"


def change_of(root: Path, spec: PairSpec) -> np.ndarray:
    return read(root, f"masks/{spec.id}_change.png") > 0


def difference(root: Path, spec: PairSpec) -> np.ndarray:
    b, a = read(root, f"images/{spec.id}_before.png"), read(root, f"images/{spec.id}_after.png")
    return np.abs(a - b).max(-1)


@pytest.mark.parametrize("kind", ["color", "move", "replace"])
def test_change_mask_is_the_changed_objects_pixels_in_both_images(rendered, kind) -> None:
    root, specs = rendered
    spec = next(s for s in specs.values() if s.changes[0].type == kind)
    truth, change = truth_mask(root, spec), change_of(root, spec)
    assert 20 < truth.sum() < 0.5 * truth.size, f"{kind}: the change must be visible, not all"
    assert_mask_is_truth(change, truth, kind)
    if kind == "move":  # both positions are in it, not only one side's
        scene = json.loads((root / f"scenes/{spec.id}.json").read_text())
        idx = scene["instances"]["cube_1"]
        for side in ("before", "after"):
            own = read(root, f"masks/{spec.id}_{side}.png") == idx
            assert own.sum() > 10 and change[own].all(), side


@pytest.mark.parametrize("kind", ["color", "move", "replace"])
def test_without_distractors_nothing_changes_outside_the_mask(rendered, kind) -> None:
    root, specs = rendered
    spec = next(s for s in specs.values() if s.changes[0].type == kind)
    assert not spec.distractors
    change = change_of(root, spec)
    diff = difference(root, spec)
    outside = ~grow(change, 2)  # anti-aliased edges
    assert diff[change].max() > 40, f"{kind}: the changed pixels must change"
    share = (diff[outside] > DIFF).mean()
    if kind == "color":
        # same shape, same place: no shadow moves, only a little colour bleeding nearby
        assert share <= 0.005, f"{kind}: {share:.2%} of the pixels outside the mask changed"
        assert np.percentile(diff[outside], 99) <= 9 and diff[outside].mean() < 0.5
        return
    # an object that moves or is swapped moves its shadow too: a small share of the rest
    # (had the mask left out one side of the move, the cube alone would add ~5 %)
    assert share < (0.07 if kind == "move" else 0.04), f"{kind}: {share:.1%} changed outside"
    assert np.median(diff[outside]) == 0


def test_a_distractor_is_not_a_change(rendered) -> None:
    root, specs = rendered
    spec = next(s for s in specs.values() if s.distractors)
    assert changed_objects(spec) == set()
    diff = difference(root, spec)
    assert (diff > DIFF).sum() > 50, "the dimmer light must show"
    change = change_of(root, spec)
    assert not change.any(), f"{int(change.sum())} px of a no-change pair are in its mask"


def test_an_all_ones_mask_is_not_the_truth(rendered) -> None:
    """The check above is not vacuous: a whole-image or an empty mask fails it."""
    root, specs = rendered
    spec = next(s for s in specs.values() if s.changes[0].type == "color")
    truth = truth_mask(root, spec)
    for wrong in (np.ones_like(truth), np.zeros_like(truth), grow(truth, 3)):
        with pytest.raises(AssertionError):
            assert_mask_is_truth(wrong, truth, "wrong mask")
