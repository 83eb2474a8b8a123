"""Streets composed for a pose change carry a person the change can use: placed where the
framed camera sees it large enough (from the lower frame edge on: street cameras stand up to
8 m high) and clear of every upright thing's picture box, and kept there by staging. Before,
2 of 40 such streets gave the pose a target, and pose pairs of a text-heavy mix fell back on
streets (169 of 428 fallbacks)."""

from __future__ import annotations

from pathlib import Path

import pytest

from diffforge.config import load_config
from diffforge.errors import SamplingError
from diffforge.scenes.changes.base import NotApplicable
from diffforge.scenes.environments import staging
from diffforge.scenes.sampler import PairSampler

DEFAULT = Path(__file__).resolve().parents[2] / "configs" / "default.yaml"
# Streets composed for a pose alone; how many must carry a target: 1 before the carry, 12
# when it came; over 72 such streets 24 at 589cf59 and 22 with the deep crouch (its outline
# moves the pose draws), about a third: a quarter of these 24 (their first 24 carried 9, 7).
STREETS, LEAST = 24, 6


@pytest.fixture(scope="module")
def specs() -> list:
    sampler = PairSampler(load_config(DEFAULT, ["render.preset=draft"]))
    out = []
    for attempt in range(STREETS):
        try:
            out.append(sampler._sample_once(0, 3_000_000 + attempt, ["pose"], "street"))
        except (SamplingError, NotApplicable):
            continue
    return out


def test_streets_drawn_for_a_pose_carry_a_target_the_sampler_accepts(specs) -> None:
    assert len(specs) >= LEAST, len(specs)
    assert all(s.changes[0].type == "pose" for s in specs)


def test_the_carried_figure_keeps_clear_of_upright_things_in_the_picture(specs) -> None:
    for spec in specs:
        for scene in (spec.before, spec.after):
            assert not staging.silhouette_problems(scene), staging.silhouette_problems(scene)
