"""The .blend scan's surface analysis on small hand-made triangle sets (no Blender)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from diffforge.render import scan_analysis as sa


def quad(a, b, c, d) -> list[np.ndarray]:
    """Two triangles of the quad a-b-c-d (counter-clockwise seen from its normal's side)."""
    a, b, c, d = (np.asarray(p, float) for p in (a, b, c, d))
    return [np.stack([a, b, c]), np.stack([a, c, d])]


def floor(x0, y0, x1, y1, z=0.0) -> list[np.ndarray]:
    return quad((x0, y0, z), (x1, y0, z), (x1, y1, z), (x0, y1, z))


def box(lo, hi) -> list[np.ndarray]:
    """A closed box with outward normals: its top faces up, its bottom down, sides sideways."""
    (x0, y0, z0), (x1, y1, z1) = lo, hi
    return [
        *floor(x0, y0, x1, y1, z1),  # top, up
        *quad((x0, y0, z0), (x0, y1, z0), (x1, y1, z0), (x1, y0, z0)),  # bottom, down
        *quad((x0, y0, z0), (x1, y0, z0), (x1, y0, z1), (x0, y0, z1)),  # front, -y
        *quad((x1, y1, z0), (x0, y1, z0), (x0, y1, z1), (x1, y1, z1)),  # back, +y
        *quad((x0, y1, z0), (x0, y0, z0), (x0, y0, z1), (x0, y1, z1)),  # left, -x
        *quad((x1, y0, z0), (x1, y1, z0), (x1, y1, z1), (x1, y0, z1)),  # right, +x
    ]


def scene(*meshes: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Triangles (T×3×3) and their owner index, one owner per mesh."""
    tris = np.stack([t for m in meshes for t in m])
    owner = np.concatenate([np.full(len(m), i) for i, m in enumerate(meshes)])
    return tris, owner


def test_triangle_normals_point_where_the_helpers_say():
    tris, _ = scene(box((0, 0, 0), (1, 1, 1)))
    n = np.cross(tris[:, 1] - tris[:, 0], tris[:, 2] - tris[:, 0])
    assert (n[:2, 2] > 0).all() and (n[2:4, 2] < 0).all() and (n[4:, 2] == 0).all()


def test_a_floor_is_one_patch_at_its_height():
    tris, owner = scene(floor(-2, -2, 2, 2, z=0.3))
    _, found, ground = sa.support_patches(tris, owner, {})
    assert len(found) == 1 and found[0] is ground
    assert ground["height"] == pytest.approx(0.3)
    assert ground["area"] == pytest.approx(16.0, rel=0.05)
    assert ground["owners"] == [0]


def test_a_table_top_is_its_own_patch_above_the_floor():
    tris, owner = scene(floor(-3, -3, 3, 3), box((0.5, 0.5, 0.0), (1.7, 1.3, 0.75)))
    _, found, ground = sa.support_patches(tris, owner, {})
    heights = sorted(p["height"] for p in found)
    assert heights == pytest.approx([0.0, 0.75])
    top = next(p for p in found if p is not ground)
    assert top["owners"] == [1]
    (x0, y0), (x1, y1) = top["bounds"]
    assert (x0, y0, x1, y1) == pytest.approx((0.5, 0.5, 1.7, 1.3))
    assert ground["owners"] == [0]  # the box's bottom faces down: not part of the floor


def test_walls_and_ceilings_are_left_out_by_their_normals():
    w = 2.0
    walls = [  # four inward walls and a ceiling facing down
        *quad((-w, -w, 0), (w, -w, 0), (w, -w, 2.5), (-w, -w, 2.5)),
        *quad((w, w, 0), (-w, w, 0), (-w, w, 2.5), (w, w, 2.5)),
        *quad((-w, w, 0), (-w, -w, 0), (-w, -w, 2.5), (-w, w, 2.5)),
        *quad((w, -w, 0), (w, w, 0), (w, w, 2.5), (w, -w, 2.5)),
        *quad((-w, -w, 2.5), (-w, w, 2.5), (w, w, 2.5), (w, -w, 2.5)),
    ]
    tris, owner = scene(floor(-w, -w, w, w), walls)
    _, found, ground = sa.support_patches(tris, owner, {})
    assert [p["height"] for p in found] == [0.0]
    assert ground["owners"] == [0]


def test_a_curved_backdrops_floor_is_its_flat_part_not_its_box_top():
    """A photo backdrop: flat from y=-2 to 0, then a quarter circle of radius 1 up to a
    vertical sheet; the support is the flat part at z=0 (the box's top is at z=2)."""
    mesh = floor(-1.5, -2.0, 1.5, 0.0)
    steps = 12
    for k in range(steps):
        a0, a1 = math.pi / 2 * k / steps, math.pi / 2 * (k + 1) / steps
        (y0, z0), (y1, z1) = (math.sin(a0), 1 - math.cos(a0)), (math.sin(a1), 1 - math.cos(a1))
        mesh += quad((-1.5, y0, z0), (1.5, y0, z0), (1.5, y1, z1), (-1.5, y1, z1))
    mesh += quad((-1.5, 1.0, 1.0), (1.5, 1.0, 1.0), (1.5, 1.0, 2.0), (-1.5, 1.0, 2.0))
    tris, owner = scene(mesh)
    _, found, ground = sa.support_patches(tris, owner, {})
    assert ground["height"] == pytest.approx(0.0, abs=1e-3)
    (_, y0), (_, y1) = ground["bounds"]
    assert y0 == pytest.approx(-2.0) and y1 < 0.2  # the flat part, at most the curve's foot
    # the curve's foot, under 20 degrees, makes low slivers that hold nothing; steeper, nothing
    assert max(p["height"] for p in found) < 0.1
    assert sa.in_reach(found, ground, 1.0) == [ground]


def test_a_tagged_floor_wins_and_then_only_tagged_meshes_hold_things():
    tris, owner = scene(
        floor(-3, -3, 3, 3), floor(0, 0, 1, 1, z=0.8), box((2, 2, 0), (2.5, 2.5, 1))
    )
    _, found, ground = sa.support_patches(tris, owner, {1: "floor"})
    assert [p["owners"] for p in found] == [[1]] and found[0] is ground


def test_free_rectangles_keep_off_what_stands_on_the_floor():
    table = box((-0.5, -0.5, 0.0), (0.5, 0.5, 0.7))
    tris, owner = scene(floor(-2, -2, 2, 2), table)
    grid, found, ground = sa.support_patches(tris, owner, {})
    found = sa.in_reach(found, ground, 1.0)
    supports = sa.free_rectangles(tris, owner, set(), found, ground, grid, ["floor", "table"], 1.0)
    on_floor = [r for p, _, _, r in supports if p is ground]
    assert on_floor and supports[0][0] is ground  # the floor's first
    for cx, cy, hx, hy in on_floor:
        apart = abs(cx) >= hx + 0.5 - grid.cell or abs(cy) >= hy + 0.5 - grid.cell
        assert apart, (cx, cy, hx, hy)
    cx, cy, hx, hy = next(r for p, name, _, r in supports if name == "table")
    assert (cx, cy, hx, hy) == pytest.approx((0.0, 0.0, 0.5, 0.5))  # snapped to its edges
    # the table may move: the floor under it is then free
    moving = sa.free_rectangles(tris, owner, {1}, found, ground, grid, ["floor", "table"], 1.0)
    _, _, hx, hy = next(r for p, _, _, r in moving if p is ground)
    assert hx * hy == pytest.approx(4.0, rel=0.05)


def test_patches_out_of_reach_hold_nothing():
    tris, owner = scene(floor(-3, -3, 3, 3), floor(0, 0, 1, 1, z=0.1), floor(1, 1, 2, 2, z=2.4))
    _, found, ground = sa.support_patches(tris, owner, {})
    assert len(found) == 3
    assert sa.in_reach(found, ground, 1.0) == [ground]  # a step and a wardrobe top
    assert len(sa.in_reach(found, ground, 0.01)) == 1  # in centimetres: 1 mm and 2.4 cm


def wall(x0, x1, y, height) -> list[np.ndarray]:
    return quad((x0, y, 0), (x1, y, 0), (x1, y, height), (x0, y, height))


def scale_of(*meshes: list[np.ndarray]) -> tuple[float, str, list[float]]:
    tris, owner = scene(*meshes)
    _, _, ground = sa.support_patches(tris, owner, {})
    heights = sa.standing_heights(tris, owner, ground)
    return (*sa.scene_scale(1.0, float(np.sqrt(ground["area"])), heights), heights)


def test_the_scale_comes_from_what_stands_on_the_floor():
    # a room modelled in centimetres: an 80-unit cabinet (the 250-unit wall is architecture)
    scale, reason, heights = scale_of(
        floor(-300, -300, 300, 300), box((0, 0, 0), (50, 40, 80)), wall(-300, 300, 300, 250)
    )
    assert heights == pytest.approx([80.0])
    assert scale == pytest.approx(0.01) and reason.startswith("centimetres")
    # Blender's 2-unit default cubes on a thick slab: a toy scene, 40 cm objects
    scale, reason, heights = scale_of(
        box((-5, -5, -1), (5, 5, 0)), box((0, 0, 0), (2, 2, 2)), box((3, 0, 0), (5, 2, 2))
    )
    assert heights == pytest.approx([2.0, 2.0])
    assert scale == pytest.approx(0.2) and "tabletop" in reason
    # a room in metres stays in metres
    scale, reason, heights = scale_of(
        floor(-4, -4, 4, 4), box((0, 0, 0), (0.8, 0.5, 0.9)), wall(-4, 4, 4, 2.5)
    )
    assert heights == pytest.approx([0.9]) and scale == 1.0


def test_largest_rectangle_finds_the_biggest_all_true_block():
    mask = np.zeros((6, 8), bool)
    mask[1:4, 2:7] = True  # 3 × 5
    mask[5, :] = True  # 1 × 8
    assert sa.largest_rectangle(mask) == (15, 1, 2, 3, 6)
    assert sa.largest_rectangle(np.zeros((3, 3), bool))[0] == 0


def test_surfaces_get_one_floor_and_numbered_names():
    seen = [
        {"name": "Plane", "kind": "floor", "half": [1.0, 1.0]},
        {"name": "Table", "kind": "surface", "half": [0.5, 0.3]},
        {"name": "Plane", "kind": "floor", "half": [2.0, 1.5]},
    ]
    named = sa.name_surfaces(seen)
    assert [(s["name"], s["kind"], s["half"]) for s in named] == [
        ("Plane", "floor", [2.0, 1.5]),
        ("Plane.1", "surface", [1.0, 1.0]),
        ("Table", "surface", [0.5, 0.3]),
    ]
    with pytest.raises(sa.NoSurface):
        sa.name_surfaces([{"name": "Table", "kind": "surface", "half": [1.0, 1.0]}])


def test_nothing_upward_is_no_surface():
    tris, owner = scene(quad((0, 0, 0), (1, 0, 0), (1, 0, 1), (0, 0, 1)))
    with pytest.raises(sa.NoSurface):
        sa.support_patches(tris, owner, {})


def test_a_camera_sees_the_part_of_a_rectangle_in_its_frame():
    cam = {"location": [0.0, -4.0, 1.6], "look_at": [0.0, 0.0, 0.0], "lens": 30.0}
    views = sa.frames([cam], sa.ASPECT)
    whole = sa.visible_part((0.0, 0.0, 1.0, 1.0), 0.0, views, lambda loc, p: False, 20.0)
    assert whole == pytest.approx((0.0, 0.0, 1.0, 1.0))
    hidden = sa.visible_part((0.0, 0.0, 1.0, 1.0), 0.0, views, lambda loc, p: True, 20.0)
    assert hidden is None
    behind = sa.visible_part((0.0, -8.0, 1.0, 1.0), 0.0, views, lambda loc, p: False, 20.0)
    assert behind is None
