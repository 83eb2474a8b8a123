"""The tiny model learns: its losses drop, a run with a learning rate of (nearly) zero does not,
and the change head it trains marks the changed patches.

Both runs see the same batches in the same order (the data seed is fixed, CPU training is
deterministic), so the trained run's losses are compared with the control's on the very same
batches as well as with its own first steps. The config refuses ``lr=0``: the control uses
1e-12, a step far below float32's resolution of the weights.

The tiny language model's own loss falls slowly (random frozen embeddings and lm_head, LoRA r=8:
6.5 -> 5.6 in 24 steps), so the 20 % drop is asked of the change loss, which a working
optimizer halves within these steps; the total loss must still fall below the control's.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from tiny_train import tiny

from diffforge.dataset import read_pairs
from diffforge.training.trainer import run_training

pytestmark = [pytest.mark.train, pytest.mark.slow]

STEPS = 24
SETS = (
    f"train.max_steps={STEPS}",
    "train.global_batch=4",
    "model.mdp.change_loss=1.0",
    "optim.scheduler=constant_with_warmup",
    "optim.warmup_ratio=0",
    "train.save_steps=1000",
)


def _run(root: Path, lr: float) -> dict:
    out = run_training(tiny(root, *SETS, f"optim.lr={lr}", f"optim.vit_lr={lr}"))
    assert out["steps"] == STEPS
    assert len(out["change_losses"]) == STEPS and len(out["losses"]) == STEPS
    return out


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, dict]:
    root = tmp_path_factory.mktemp("learning")
    return {"trained": _run(root / "trained", 5e-3), "control": _run(root / "control", 1e-12)}


def first(xs: list[float]) -> float:
    return float(np.mean(xs[:5]))


def last(xs: list[float]) -> float:
    return float(np.mean(xs[-5:]))


def test_losses_drop_and_not_without_a_learning_rate(runs) -> None:
    trained, control = runs["trained"], runs["control"]
    ch, ch0 = trained["change_losses"], control["change_losses"]
    print(
        f"change loss {first(ch):.3f} -> {last(ch):.3f}; control {first(ch0):.3f} -> {last(ch0):.3f}"
    )
    assert last(ch) < 0.8 * first(ch)
    assert last(ch) < 0.8 * last(ch0)  # the same batches, untrained
    assert last(trained["losses"]) < 0.95 * last(control["losses"])
    for xs in (ch0, control["losses"]):  # nothing learnt: the last batches score as the first
        assert last(xs) > 0.9 * first(xs)


def _changed_vs_rest(model: Path, toy: Path) -> tuple[float, float]:
    """Mean change probability on patches the toy masks mark, and on the others (test split)."""
    from diffforge.training.inference import Describer

    d = Describer.load(model, device="cpu")
    g = d.spec.size // d.spec.patch
    inside, outside = [], []
    for rec in read_pairs(toy, "test") + read_pairs(toy, "val"):
        probs = d.change_map(toy / rec.before, toy / rec.after)
        mask = np.asarray(Image.open(toy / rec.masks.change)) > 0
        h, w = mask.shape
        cells = mask.reshape(g, h // g, g, w // g).any(axis=(1, 3))
        inside += probs[cells].tolist()
        outside += probs[~cells].tolist()
    return float(np.mean(inside)), float(np.mean(outside))


def test_trained_heatmap_is_higher_on_the_changed_patches(runs, tmp_path: Path) -> None:
    toy = Path(runs["trained"]["output_dir"]).parents[1] / "toy"
    inside, outside = _changed_vs_rest(Path(runs["trained"]["output_dir"]), toy)
    c_in, c_out = _changed_vs_rest(Path(runs["control"]["output_dir"]), toy)
    print(f"trained {inside:.3f} vs {outside:.3f}; control {c_in:.3f} vs {c_out:.3f}")
    assert inside > outside + 0.1
    assert abs(c_in - c_out) < 0.05  # an untrained head does not tell them apart
