"""Facts read a change type's scope from its operator: a plugin declared scene-wide changes
the whole frame, like a viewpoint change (no list of built-in names to keep up to date)."""

from __future__ import annotations

import numpy as np

from diffforge.render.facts import change_mask, is_scene_wide
from diffforge.scenes.changes import ChangeOperator, registry
from diffforge.scenes.model import Camera, Change, Environment, ObjectInstance, PairSpec, Scene


class Dusk(ChangeOperator):
    type = "dusk"
    scene_wide = True


class Nudge(ChangeOperator):
    type = "nudge"


def _spec(change_type: str) -> PairSpec:
    scene = Scene(
        environment=Environment(layout="tabletop"),
        camera=Camera(location=(0.0, -2.0, 1.0), look_at=(0.0, 0.0, 0.0)),
        objects=[ObjectInstance(id="cube_1", asset="clevr_cube", category="cube", noun="cube",
                                dimensions=(0.1, 0.1, 0.1))],
    )  # fmt: skip
    return PairSpec(id="0", index=0, seed=0, before=scene, after=scene.clone(),
                    changes=[Change(type=change_type, targets=["cube_1"])])  # fmt: skip


def test_scope_comes_from_the_operator():
    registry({"dusk": f"{__name__}:Dusk", "nudge": f"{__name__}:Nudge"})
    assert is_scene_wide("viewpoint") and is_scene_wide("illumination") and is_scene_wide("dusk")
    assert not is_scene_wide("color") and not is_scene_wide("nudge")
    assert not is_scene_wide("no_such_type")
    ids = np.zeros((4, 6), dtype=np.uint16)
    assert change_mask(_spec("dusk"), {"cube_1": 1}, ids, ids).all()
    ids[1, 2] = 1
    mask = change_mask(_spec("nudge"), {"cube_1": 1}, ids, ids)
    assert mask.sum() == 1 and mask[1, 2]
