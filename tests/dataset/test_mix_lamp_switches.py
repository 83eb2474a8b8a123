"""A lamp switch is drawn with its illumination change (``ChangeOperator.param_needs``): the
pair's room is composed with a lamp in view, so the switch is realized rather than turned into
another kind of illumination (1 in 24 forced room pairs switched a lamp before)."""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

import pytest

from diffforge.config import load_config
from diffforge.scenes.sampler import PairSampler

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = ROOT / "configs" / "default.yaml"
SWITCHES = ("light_off", "light_on")


@pytest.mark.parametrize("kind", SWITCHES)
def test_a_forced_lamp_switch_is_realized_in_room_pairs(kind: str) -> None:
    cfg = load_config(
        DEFAULT,
        [
            "changes.weights={illumination: 1.0}",
            "scene.layouts={room: 1.0}",
            f"changes.params={{illumination: {{kind: {kind}}}}}",
            "changes.per_pair={1: 1.0}",
        ],
    )
    sampler = PairSampler(cfg)
    got = Counter(sampler.sample(i).changes[0].params["kind"] for i in range(10))
    assert got[kind] >= 9, got  # 24 of 24 when measured; 1 of 24 before


def test_a_drawn_switch_goes_to_a_room_and_is_realized() -> None:
    """The pair's layout is one that stands a lamp in view, and the realized kind is the drawn
    one (drawn once per pair: ``draw_pins`` takes no attempt)."""
    sampler = PairSampler(load_config(DEFAULT))
    pairs = [
        i
        for i in range(400)
        if any(pin.get("kind") in SWITCHES for pin in sampler.draw_pins(i, sampler.draw_types(i)))
    ][:6]
    kept = 0
    for i in pairs:
        kinds = sampler.draw_types(i)
        assert sampler.pair_layout(i) == "room"
        spec = sampler.sample(i)
        if spec.fallbacks:  # the last resort lets the kind go too (pair 23: three fell back)
            continue
        drawn = [p.get("kind") for p in sampler.draw_pins(i, kinds)]
        got = [c.params.get("kind") for c in spec.changes if c.type == "illumination"]
        assert [k for k in drawn if k in SWITCHES] == [k for k in got if k in SWITCHES], (i, spec)
        kept += 1
    assert kept >= 4, pairs


def test_switches_are_drawn_at_their_share_of_illumination_kinds() -> None:
    """Over 3,000 pairs' draws: light_off and light_on together within four binomial standard
    errors of their configured share of illumination kinds (0.8 + 0.5 of 5.3)."""
    sampler = PairSampler(load_config(DEFAULT))
    kinds = []
    for i in range(3000):
        drawn = sampler.draw_types(i)
        pins = sampler.draw_pins(i, drawn)
        kinds += [pin["kind"] for t, pin in zip(drawn, pins, strict=True) if t == "illumination"]
    p = 1.3 / 5.3
    share = sum(k in SWITCHES for k in kinds) / len(kinds)
    assert abs(share - p) <= 4 * math.sqrt(p * (1 - p) / len(kinds)), (share, len(kinds))
