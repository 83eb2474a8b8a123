"""Pose changes a viewer can check on a faceless figure: a turned head is not drawn, and a
figure whose record says it turned its head is captioned by what its limbs show (the std48e
review's "has turned their head" on pairs 02 and 03 could not be seen)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from diffforge.captioner.referring import pose_phrase
from diffforge.config import load_config
from diffforge.errors import SamplingError
from diffforge.scenes.assets.characters import POSES
from diffforge.scenes.sampler import PairSampler
from diffforge.vocabulary import POSE_SEEN_AS

ROOT = Path(__file__).resolve().parents[2]
N_SPECS = 60


def test_a_head_turned_figures_limbs_are_a_standing_ones() -> None:
    """The pose table's geometry: every bone but the head's is posed as the pose it is seen
    as, so what a viewer tells from the limbs is that pose."""
    for name, seen in POSE_SEEN_AS.items():
        differ = {
            bone
            for bone in set(POSES[name]) | set(POSES[seen])
            if not np.allclose(POSES[name].get(bone, (0, 0, 0)), POSES[seen].get(bone, (0, 0, 0)))
        }
        assert differ <= {"head", "neck"}, (name, differ)
        assert pose_phrase(name) == pose_phrase(seen)
    assert "head" not in pose_phrase("head_turned")


@pytest.fixture(scope="module")
def pose_changes():
    cfg = load_config(
        ROOT / "configs" / "default.yaml",
        ["changes.weights={pose: 1.0}", "changes.per_pair={1: 1.0}"],
    )
    sampler = PairSampler(cfg)
    changes = []
    for i in range(N_SPECS):
        try:
            changes += [c for c in sampler.sample(i).changes if c.type == "pose"]
        except SamplingError:  # a scene whose only person sits: no other pose to draw
            continue
    return changes


def test_pose_changes_never_draw_a_pose_that_looks_like_the_old_one(pose_changes) -> None:
    assert len(pose_changes) >= N_SPECS // 2
    for change in pose_changes:
        new, old = change.after["pose"], change.before["pose"]
        assert new not in POSE_SEEN_AS, change
        assert new != POSE_SEEN_AS.get(old, old), change
