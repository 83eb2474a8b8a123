"""What hangs on a wall is told from the wall by colour: a pink poster on a pink wall and a
gray poster on a gray wall could not be seen (std48e review pairs 28 and 35). New wall objects
take a colour that stands out; wall objects that do not are never a change's target."""

from __future__ import annotations

from pathlib import Path

import pytest

from diffforge.captioner.synthetic import obj, room
from diffforge.config import GenerateConfig, load_config
from diffforge.distributions import rng_for
from diffforge.errors import SamplingError
from diffforge.scenes.changes.base import ChangeContext
from diffforge.scenes.changes.objects import _contrast_wall, stands_out
from diffforge.scenes.model import TextContent
from diffforge.scenes.sampler import PairSampler, load_library
from diffforge.vocabulary import COLORS

ROOT = Path(__file__).resolve().parents[2]
POSTER = (0.6, 0.02, 0.8)


def _pink_room(colour: str, text: TextContent | None = None):
    poster = obj("p", "poster", (0.0, 2.9, 1.2), POSTER, colour, "paper", support="wall", text=text)
    scene = room([poster])
    scene.environment.wall_color = "pink"
    return scene, poster


def test_a_poster_of_the_walls_colour_does_not_stand_out() -> None:
    assert not stands_out(*_pink_room("pink"))
    assert stands_out(*_pink_room("blue"))
    assert stands_out(*_pink_room("black"))
    floor = obj("c", "chair", (0.0, 0.0, 0.0), (0.5, 0.5, 0.9), "pink", "wood")
    scene = room([floor])
    scene.environment.wall_color = "pink"
    assert stands_out(scene, floor), "only what hangs on the wall is judged against it"


def test_a_new_wall_object_takes_a_colour_that_stands_out_and_keeps_its_letters_legible() -> None:
    from diffforge.scenes.instances import text_colors

    cfg = GenerateConfig()
    library = load_library(cfg)
    spec = next(s for s in library.select(tags_any=("indoor",)) if s.placement == "wall")
    for i in range(10):
        ctx = ChangeContext(rng=rng_for(0, i, "wall"), params={}, cfg=cfg, library=library)
        scene, poster = _pink_room("pink", TextContent(string="CAFE", color="white"))
        assert _contrast_wall(ctx, scene, poster, spec)
        assert poster.attributes.color != "pink" and stands_out(scene, poster)
        assert poster.attributes.rgb == COLORS[poster.attributes.color]
        assert "white" in text_colors(poster.attributes.color)


@pytest.fixture(scope="module")
def wall_targets():
    cfg = load_config(
        ROOT / "configs" / "default.yaml",
        ["changes.weights={add: 1.0, replace: 1.0, disappear: 1.0, move: 1.0}"],
    )
    sampler = PairSampler(cfg)
    out = []
    for i in range(120):
        try:
            spec = sampler.sample(i)
        except SamplingError:
            continue
        for change in spec.changes:
            for side in (spec.before, spec.after):
                for target in change.targets:
                    o = side.find(target)
                    if o is not None and o.support == "wall":
                        out.append((spec.index, change.type, side, o))
    return out


def test_every_wall_object_a_change_touches_stands_out(wall_targets) -> None:
    assert len(wall_targets) >= 20
    bad = [(i, t, o.id) for i, t, side, o in wall_targets if not stands_out(side, o)]
    assert not bad, bad
