"""Colour captions name what the lit pixels show (issue 32): the colour gate measures the
target's colour on each side and refuses a pair whose caption would name a colour the light
turned into another (``scenes.colour_names``; a beige car under a red façade's light looked
salmon in the blind review).

Rendered (Cycles, 128×96, 4 samples): a cube between two others on a grey floor, under a red
light and under a white one. Beige -> blue under the red light is refused (the before cube
reads salmon); the same change under white light and red -> green under the red light are
kept, and every colour word of their captions is among the names that fit the rendered pixels.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from diffforge.config import GenerateConfig, VisibilityConfig
from diffforge.dataset import read_pairs
from diffforge.dataset.files import load_image
from diffforge.distributions import rng_for
from diffforge.render.facts import instance_ids, object_facts
from diffforge.render.gates import check_pair
from diffforge.scenes.changes.gating import mean_lab
from diffforge.scenes.colour_names import fitting_names
from diffforge.scenes.model import (
    Attributes,
    Camera,
    Change,
    Environment,
    Light,
    ObjectInstance,
    PairSpec,
    Scene,
    Transform,
    World,
)
from diffforge.vocabulary import COLORS

RED_LIGHT = (1.0, 0.3, 0.2)
WHITE = (1.0, 1.0, 1.0)
RES = (128, 96)


def _cube(oid: str, colour: str, x: float) -> ObjectInstance:
    return ObjectInstance(
        id=oid, asset="clevr_cube", category="cube", noun="cube",
        attributes=Attributes(color=colour, rgb=COLORS[colour], material="rubber"),
        transform=Transform(location=(x, 0.0, 0.0), scale=5.0), dimensions=(0.5, 0.5, 0.5),
        tags=["clevr"],
    )  # fmt: skip


def _scene(target: str, rgb) -> Scene:
    return Scene(
        environment=Environment(layout="tabletop", extent=(8.0, 8.0, 3.0), floor_color="gray"),
        objects=[
            _cube("cube_1", "yellow", -0.8),
            _cube("cube_2", target, 0.0),
            _cube("cube_3", "purple", 0.8),
        ],
        lights=[
            Light(
                id="key", type="area", location=(1.5, -3.0, 4.0), energy=900.0, size=2.0, rgb=rgb
            ),
            Light(id="fill", type="point", location=(-3.0, -2.0, 3.0), energy=250.0, rgb=rgb),
        ],
        camera=Camera(location=(0.0, -3.6, 1.4), look_at=(0.0, 0.0, 0.25), lens=35.0),
        world=World(background=(0.05, 0.05, 0.05)),
    )


def _pair(index: int, old: str, new: str, rgb) -> PairSpec:
    change = Change(type="color", targets=["cube_2"], before={"color": old}, after={"color": new})
    return PairSpec(
        id=f"{index:06d}", index=index, seed=int(rng_for(0, index, "cycles").integers(2**31)),
        before=_scene(old, rgb), after=_scene(new, rgb), changes=[change],
    )  # fmt: skip


CASES = [("beige", "blue", RED_LIGHT), ("beige", "blue", WHITE), ("red", "green", RED_LIGHT)]


def test_the_gate_refuses_a_colour_the_light_turned_into_another_name() -> None:
    """On flat patches: the before cube measured as a beige cube under the red light renders
    (Lab 62.4, 21.9, 25.7: salmon) is not beige; a beige one under white light is."""
    spec = _pair(0, "beige", "blue", RED_LIGHT)
    ids = instance_ids(spec)
    mask = np.zeros((40, 40), np.uint16)
    mask[10:30, 10:30] = ids["cube_2"]
    facts = {s: object_facts(mask, ids, set(ids)) for s in ("before", "after")}
    grey = np.full((40, 40, 3), 128, np.uint8)

    def pair(before_rgb) -> list[str]:
        before, after = grey.copy(), grey.copy()
        before[10:30, 10:30], after[10:30, 10:30] = before_rgb, (40, 60, 200)
        return check_pair(spec, ids, facts, (before, after), (mask, mask), 8, VisibilityConfig())

    assert pair((214, 140, 113)) == ["color: lit colour not before's name"]  # salmon
    assert pair((216, 199, 153)) == []  # beige


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> tuple[Path, dict]:
    from diffforge.render import generate

    out = tmp_path_factory.mktemp("lit-names") / "out"
    render = {"preset": "draft", "resolution": list(RES), "samples": 4, "denoise": False}
    cfg = GenerateConfig.model_validate({"seed": 0, "render": render})
    specs = [_pair(i, *case) for i, case in enumerate(CASES)]
    summary = generate(cfg, out, None, specs=specs, progress=False, workers=1)
    return out, summary


def test_a_colour_under_tinted_light_is_captioned_only_with_names_the_pixels_show(rendered):
    out, summary = rendered
    refused = {f["index"]: f["reason"] for f in summary["failures"]}
    assert set(refused) == {0}, summary["failures"]
    assert "color: lit colour not before's name" in refused[0]
    recs = {r.index: r for r in read_pairs(out)}
    assert set(recs) == {1, 2}
    for index, rec in recs.items():
        old, new, _ = CASES[index]
        scene = json.loads((out / rec.scene).read_text())
        cube = scene["instances"]["cube_2"]
        seen = {}
        for side in ("before", "after"):
            image = load_image(out / getattr(rec, side))
            mask = load_image(out / getattr(rec.masks, side)) == cube
            seen[side] = fitting_names(mean_lab(image, mask))
        assert old in seen["before"] and new in seen["after"], (index, seen)
        for caption in rec.captions:
            text = " ".join(caption.change)
            words = {w.strip(".,;:").lower() for w in text.split()} & set(COLORS)
            assert {old, new} <= words, text
            others = words - {"yellow", "purple"}  # the neighbours a caption may name
            assert others <= set(seen["before"]) | set(seen["after"]), (text, seen)
