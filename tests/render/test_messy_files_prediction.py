"""The visibility prediction in a user's file, without Blender: the file's fixed objects hide
what stands behind them (``geometry.blockers``), and the last resort's width test
(``Footprint.mean_width``). linked_library's pair 0 (tests/render/test_messy_files.py) drew a
box behind a table leg, a chair behind the table's top and a frying pan seen edge-on: each
rendered a third to half smaller than predicted, or under the mask width gate's 10 px."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from diffforge.config import GenerateConfig
from diffforge.scenes.file_objects import fixed_boxes
from diffforge.scenes.geometry import Footprint, blockers, predicted_footprint
from diffforge.scenes.model import Camera, Environment, ObjectInstance, Scene, Transform


def _entry(name: str, lo, hi, changeable: bool = False, on: str | None = None) -> dict:
    return {"name": name, "min": list(lo), "max": list(hi), "changeable": changeable,
            "noun": name.lower(), "on": on}  # fmt: skip


@pytest.fixture
def blend(tmp_path: Path) -> Path:
    """A floor, a table (top and one leg), a backdrop that holds the floor, a hidden source and
    a ball that may change."""
    path = tmp_path / "room.blend"
    path.write_bytes(b"")
    info = {
        "surfaces": [
            {"name": "Floor", "kind": "floor", "center": [0, 0], "half": [4, 4], "height": 0.0,
             "object": "Floor"},
            {"name": "Table", "kind": "surface", "center": [0, 0], "half": [0.8, 0.45],
             "height": 0.75, "object": "Table"},
            {"name": "Backdrop", "kind": "floor", "center": [0, 2], "half": [4, 1],
             "height": 0.0, "object": "Backdrop"},
        ],
        "objects": [
            _entry("Floor", (-4, -4, -0.05), (4, 4, 0.0)),
            _entry("Table", (-0.8, -0.45, 0.70), (0.8, 0.45, 0.9)),  # a raised rim
            _entry("TableLeg", (-0.775, -0.425, 0.0), (-0.725, -0.375, 0.70), on="Floor"),
            _entry("Backdrop", (-4, -4, 0.0), (4, 4, 5.0)),
            _entry("Source", (2, 2, 0), (3, 3, 1)),
            _entry("Ball", (1.5, -1.3, 0.0), (1.7, -1.1, 0.2), changeable=True, on="Floor"),
        ],
        "render_objects": ["Ball", "Backdrop", "Floor", "Table", "TableLeg"],
    }  # fmt: skip
    Path(f"{path}.json").write_text(json.dumps(info))
    return path


def test_fixed_objects_are_boxes_cut_at_their_own_tops(blend: Path):
    """A table's box ends at its top; the floor's slab, a backdrop that holds the floor, a
    hidden source and an object that may change are no boxes."""
    boxes = sorted(fixed_boxes(blend))
    assert len(boxes) == 2
    (leg_c, leg_s), (top_c, top_s) = boxes
    assert top_c[2] == pytest.approx(0.725) and top_s[2] == pytest.approx(0.05)
    assert leg_c[:2] == pytest.approx((-0.75, -0.4)) and leg_s[2] == pytest.approx(0.7)
    assert fixed_boxes(blend.with_name("none.blend")) == ()


def _scene(blend: Path | None, camera: tuple[float, float, float]) -> Scene:
    """A box on the floor right behind the table's leg, seen from the front."""
    env = Environment(layout="environment" if blend else "tabletop",
                      blend_file=str(blend) if blend else None)  # fmt: skip
    box = ObjectInstance(id="box_1", asset="box", category="box", noun="box",
                         transform=Transform(location=(-0.75, 0.0, 0.0)),
                         dimensions=(0.2, 0.16, 0.12), support="floor")  # fmt: skip
    return Scene(environment=env, objects=[box],
                 camera=Camera(location=camera, look_at=(-0.75, 0.0, 0.06), lens=50.0))  # fmt: skip


def test_a_table_leg_in_front_hides_part_of_what_stands_behind_it(blend: Path):
    res = (256, 192)
    eye = (-0.75, -3.0, 0.3)
    seen = predicted_footprint(_scene(blend, eye), "box_1", res).pixels
    alone = predicted_footprint(_scene(None, eye), "box_1", res).pixels
    assert seen < 0.85 * alone  # the leg's 5 cm of the box's 20
    assert len(blockers(_scene(blend, eye))) == 2
    # a camera inside a fixed object's box (a room modelled as one mesh) is not blind
    assert len(blockers(_scene(blend, (0.0, 0.0, 0.72)))) == 1


def test_the_mean_width_is_a_discs_diameter_and_a_flat_things_height():
    disc = Footprint((0.0, 0.0, 20.0, 20.0), math.pi * 100.0, 1.0)
    assert disc.mean_width() == pytest.approx(20.0)
    pan = Footprint((94.1, 144.0, 119.3, 159.0), 170.7, 1.0)  # linked_library's edge-on pan
    vis = GenerateConfig().visibility
    assert min(pan.box[2] - pan.box[0], pan.box[3] - pan.box[1]) >= vis.target_width((256, 192))
    assert pan.mean_width() < vis.mask_width((256, 192))  # rendered 7.2 px wide
