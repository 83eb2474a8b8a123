"""The scan's geometry whatever the file's winding (``scan_analysis.orient``), without Blender:
faces are read by their plane and turned to face where the scene is seen from."""

from __future__ import annotations

import math

import numpy as np
import pytest

from diffforge.render import scan_analysis as sa


def _quad_strip(profile: list[tuple[float, float]], down: bool) -> tuple[np.ndarray, np.ndarray]:
    """A backdrop: a profile (y, z) swept along x from -3 to 3; wound so its normals point
    down (and away from the front) when ``down``."""
    co = np.array([(x, y, z) for x in (-3.0, 3.0) for (y, z) in profile], float)
    n = len(profile)
    idx = []
    for i in range(n - 1):
        a, b, c, d = i, i + 1, n + i + 1, n + i
        idx += [(a, b, c), (a, c, d)] if down else [(a, c, b), (a, d, c)]
    return co, np.array(idx)


def _normals(co: np.ndarray, idx: np.ndarray) -> np.ndarray:
    t = co[idx]
    n = np.cross(t[:, 1] - t[:, 0], t[:, 2] - t[:, 0])
    return n / np.linalg.norm(n, axis=1, keepdims=True)


def _box(lo, hi, outward: bool) -> tuple[np.ndarray, np.ndarray]:
    """A closed box of 12 triangles, normals out (or all in)."""
    (x0, y0, z0), (x1, y1, z1) = lo, hi
    co = np.array([(x, y, z) for z in (z0, z1) for y in (y0, y1) for x in (x0, x1)], float)
    quads = [(0, 2, 3, 1), (4, 5, 7, 6), (0, 1, 5, 4), (2, 6, 7, 3), (0, 4, 6, 2), (1, 3, 7, 5)]
    idx = np.array([t for a, b, c, d in quads for t in ((a, b, c), (a, c, d))])
    return co, (idx if outward else idx[:, [0, 2, 1]])


PROFILE = [(-4.0, 0.0), (1.0, 0.0)] + [
    (1.0 + math.sin(k / 8 * math.pi / 2), 1.0 - math.cos(k / 8 * math.pi / 2)) for k in range(1, 9)
] + [(2.0, 6.0)]  # fmt: skip


def test_a_backdrop_whose_normals_all_point_down_is_turned_to_face_the_camera():
    co, idx = _quad_strip(PROFILE, down=True)
    assert (_normals(co, idx)[:, 2] <= 1e-9).all()  # as the public scene has it
    camera_and_lamps = np.array([[0.0, -5.0, 1.6], [-2.0, -3.0, 4.0], [2.0, -3.0, 4.0]])
    out, turned = sa.orient(co, idx, camera_and_lamps)
    assert turned == len(idx)
    normals = _normals(co, out)
    flat = np.abs(normals[:, 2]) > 0.99
    assert flat.any() and (normals[flat, 2] > 0.99).all()  # the floor part now faces up
    assert (normals[:, 1] <= 1e-9).all()  # the curve and the wall face the front


def test_an_open_ground_with_no_camera_or_lamp_faces_the_free_space_above():
    co, idx = _quad_strip([(-2.0, 0.0), (2.0, 0.0)], down=True)
    viewers = sa.viewpoints(np.zeros((0, 3)), np.zeros((0, 3)), co.min(0), co.max(0))
    assert viewers.shape == (1, 3) and viewers[0, 2] > co[:, 2].max()
    out, _ = sa.orient(co, idx, viewers)
    assert (_normals(co, out)[:, 2] > 0.99).all()


def test_a_closed_box_wound_inside_out_gets_its_normals_out():
    """A negative scale or a bad export turns a box's winding inside out: its top must still
    be an upward face (a support), its bottom a downward one."""
    co, idx = _box((0, 0, 0), (1, 1, 0.5), outward=False)
    out, turned = sa.orient(co, idx, np.array([[3.0, -3.0, 3.0]]))
    assert turned == len(idx)
    normals, centres = _normals(co, out), co[out].mean(1)
    assert (normals[centres[:, 2] > 0.49, 2] > 0.99).all()  # the top faces up
    assert (normals[centres[:, 2] < 0.01, 2] < -0.99).all()
    kept, turned_again = sa.orient(co, out, np.array([[3.0, -3.0, 3.0]]))
    assert turned_again == 0 and (kept == out).all()


def test_a_room_modelled_as_one_closed_box_faces_its_inside_where_the_lamp_is():
    co, idx = _box((-3, -2, 0), (3, 2, 2.7), outward=True)
    out, turned = sa.orient(co, idx, np.array([[0.0, 0.0, 2.5]]))  # a ceiling lamp inside
    assert turned == len(idx)
    normals, centres = _normals(co, out), co[out].mean(1)
    assert (normals[centres[:, 2] < 0.01, 2] > 0.99).all()  # the floor faces up, into the room


def test_parts_and_whether_they_are_closed():
    box_co, box_idx = _box((0, 0, 0), (1, 1, 1), outward=True)
    _, strip_idx = _quad_strip(PROFILE, down=False)
    idx = np.concatenate([box_idx, strip_idx + len(box_co)])
    labels, closed = sa.parts_of(idx)
    assert len(closed) == 2
    assert closed[labels[0]] and not closed[labels[-1]]
    assert len(set(labels[: len(box_idx)])) == 1 and len(set(labels[len(box_idx) :])) == 1


def test_the_winding_number_tells_inside_from_outside():
    co, idx = _box((0, 0, 0), (1, 1, 1), outward=True)
    w = sa.winding_number(co[idx], np.array([[0.5, 0.5, 0.5], [2.0, 0.5, 0.5]]))
    assert w == pytest.approx([1.0, 0.0], abs=1e-6)
    w_in = sa.winding_number(co[idx[:, [0, 2, 1]]], np.array([[0.5, 0.5, 0.5]]))
    assert w_in == pytest.approx([-1.0], abs=1e-6)


def test_upward_patches_are_found_on_a_flipped_backdrop_once_oriented():
    """The old scan said "no upward-facing surface" for this backdrop; oriented, its flat
    part is the floor at height 0, not its bounding box's top."""
    co, idx = _quad_strip(PROFILE, down=True)
    with pytest.raises(sa.NoSurface, match="no upward-facing surface"):
        sa.support_patches(co[idx], np.zeros(len(idx), int), {})
    out, _ = sa.orient(co, idx, np.array([[0.0, -5.0, 1.6]]))
    _, _, floor = sa.support_patches(co[out], np.zeros(len(out), int), {})
    assert floor["height"] == pytest.approx(0.0, abs=0.01)  # with the curve's first flat step
    assert floor["area"] == pytest.approx(6.0 * 5.0, rel=0.1)


def test_a_y_up_file_is_told_by_its_flat_faces_or_else_by_its_camera_and_lamps():
    camera_up_y = np.array([[0.0, 1.0, 0.0]])
    co, idx = _box((-3, -0.05, -3), (3, 0.0, 3), outward=True)  # a floor slab across Y
    assert sa.up_axis(np.zeros((0, 3)), co[idx]) == "y"
    co, idx = _box((-3, -3, -0.05), (3, 3, 0.0), outward=True)
    assert sa.up_axis(np.zeros((0, 3)), co[idx]) == "z"
    # a camera looking straight down a Z-up floor has +Y up: the floor decides
    assert sa.up_axis(camera_up_y, co[idx]) == "z"
    cube_co, cube_idx = _box((0, 0, 0), (1, 1, 1), outward=True)  # no telling from a cube
    assert sa.up_axis(np.array([[0.0, 1.0, 0.0], [0.0, 0.9, 0.1]]), cube_co[cube_idx]) == "y"
    assert sa.up_axis(np.array([[0.0, 0.1, 1.0]]), cube_co[cube_idx]) == "z"


def test_an_empty_stage_seen_from_afar_is_scaled_to_a_near_view():
    """CLEVR's base scene: a backdrop and nothing on it, its camera 11 units away: at 1 m a
    unit every library object would be a speck; scaled, the camera looks from 3 m."""
    scale, reason = sa.scene_scale(1.0, 40.0, [], view=11.3)
    assert scale == pytest.approx(sa.STAGE_VIEW_M / 11.3) and "nothing stands" in reason
    assert sa.scene_scale(1.0, 40.0, [], view=5.0)[0] == 1.0  # near enough already
    assert sa.scene_scale(1.0, 6.0, [0.8, 0.5], view=11.3)[0] == 1.0  # things stand: sized by them


def test_a_camera_that_sees_a_corner_of_a_large_floor_keeps_that_corner():
    """A 50 m ground seen up close: a few of the 81 coarse points are in view, so the part
    seen is found on a finer grid rather than the floor dropped."""
    views = sa.frames([{"location": [0.0, -4.0, 2.0], "look_at": [0.0, 0.0, 0.0], "lens": 35.0}],
                      sa.ASPECT)  # fmt: skip
    part = sa.visible_part((0.0, 20.0, 25.0, 25.0), 0.0, views, lambda loc, p: False, 20.0)
    assert part is not None
    cx, _, hx, hy = part
    assert hx < 10.0 and hy < 15.0 and abs(cx) < 5.0  # the part in front of the camera
    assert sa.visible_part((0.0, 20.0, 25.0, 25.0), 0.0, views, lambda loc, p: True, 20.0) is None
