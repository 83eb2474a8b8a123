"""The visibility prediction tests a ray only against the boxes whose image can hold it (issue
23's speed): the same footprints as testing every ray against every box, on sampled rooms,
streets and tabletops, at two frame sizes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from diffforge.config import load_config
from diffforge.scenes import geometry
from diffforge.scenes.architecture import occluders
from diffforge.scenes.sampler import PairSampler

DEFAULT = Path(__file__).resolve().parents[2] / "configs" / "default.yaml"


def brute_footprints(scene, resolution, fill=0.45):
    """``predicted_footprints`` with every ray tested against every box (walls included), and
    no wall skipped for an object clear of them all."""
    n = len(scene.objects)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(geometry, "_ray_box_entry", lambda o, d, objs, tested: geometry.ray_box_entry(
            o, d,
            np.array([x.dimensions for x in objs], float),
            np.array([x.transform.location for x in objs], float),
            np.array([x.transform.rotation[2] for x in objs], float),
        ))  # fmt: skip
        mp.setattr(geometry, "wall_distance", brute_walls)
        # every ray asks for its wall, even for objects clear of every wall
        mp.setattr(geometry, "_clear_of_walls", lambda s, o, world: np.zeros(len(world), bool))
        assert n
        return geometry._predict(scene, resolution, fill)  # not the kept answer


def brute_walls(scene, origin, dirs, rays=None, grid=None):
    """``wall_distance`` with every ray tested against every wall (``rays``: these rows)."""
    dirs = dirs if rays is None else dirs[rays]
    walls = occluders(scene.elements or ())
    if not walls:
        return np.full(len(dirs), np.inf)
    size = np.array([e.size for e in walls], float)
    loc = np.array([e.location for e in walls], float) - [0.0, 0.0, 0.5] * size
    return geometry.ray_box_entry(origin, dirs, size, loc, np.zeros(len(walls))).min(axis=1)


def test_culled_rays_predict_what_every_ray_does() -> None:
    sampler = PairSampler(load_config(DEFAULT))
    layouts = set()
    for i in range(24):
        spec = sampler.sample(i)
        layouts.add(spec.before.environment.layout)
        for scene in (spec.before, spec.after):
            for resolution in ((128, 96), (320, 240)):
                geometry._wall_distance.cache_clear()
                fast = geometry.predicted_footprints(scene, resolution, 0.45)
                slow = brute_footprints(scene, resolution)
                assert fast.keys() == slow.keys()
                for k, f in fast.items():
                    assert f.box == slow[k].box and f.in_frame == slow[k].in_frame
                    assert f.pixels == pytest.approx(slow[k].pixels, rel=1e-9, abs=1e-9)
    assert layouts == {"room", "street", "tabletop"}


def test_culled_wall_distances_are_every_rays() -> None:
    """Where each ray meets its first wall, door or kerb: the culled test and every ray
    against every wall agree (the footprints above rarely depend on a side wall)."""
    sampler = PairSampler(load_config(DEFAULT))
    rooms = 0
    for i in range(16):
        scene = sampler.sample(i).before
        cam = scene.camera
        w, h = 128, 96
        step = w / geometry.PREDICT_RAYS_ACROSS
        px, py = np.meshgrid(np.arange(step / 2, w, step), np.arange(step / 2, h, step))
        focal = cam.lens / cam.sensor_width * w
        local = np.stack([(px - w / 2) / focal, -(py - h / 2) / focal, -np.ones_like(px)], -1)
        dirs = local.reshape(-1, 3) @ geometry.look_at_matrix(cam.location, cam.look_at).T
        origin = np.asarray(cam.location, float)
        geometry._wall_distance.cache_clear()
        some = np.arange(0, len(dirs), 7)  # a few rays first, then all: the same distances
        part = geometry.wall_distance(scene, origin, dirs, some)
        fast = geometry.wall_distance(scene, origin, dirs)
        np.testing.assert_allclose(fast, brute_walls(scene, origin, dirs), rtol=1e-12)
        np.testing.assert_array_equal(part, fast[some])
        rooms += scene.environment.layout == "room"
    assert rooms >= 3


def test_a_wall_reaching_behind_the_camera_is_tested_where_it_shows() -> None:
    """A side wall from behind the camera to the back of the room: its rectangle is the part
    in front of the camera, inside the frame's side, not the whole view."""
    corners = geometry.box_points_axis(np.array([[0.1, 10.0, 3.0]]), np.array([[2.0, 0.0, -1.5]]))
    # camera at the origin looking down +Y: camera frame x = world x, y = world z, -z = world y
    cam = np.stack([corners[..., 0], corners[..., 2], -corners[..., 1]], axis=-1)
    lo, hi = geometry._view_rects(cam)
    assert lo[0, 0] > 0.0  # only right of the view's centre...
    assert hi[0, 0] > 100.0  # ...out to past the frame's edge, where it passes the camera
    assert np.isfinite(lo).all() and np.isfinite(hi).all()
    behind = cam.copy()
    behind[..., 2] = np.abs(behind[..., 2]) + 1.0  # wholly behind: nothing to test
    lo, hi = geometry._view_rects(behind)
    assert (lo > hi).all()


def test_an_object_surely_unseen_has_no_footprint() -> None:
    """The sampler skips the prediction where a change's target is surely out of the frame
    (``geometry.surely_unseen``): never for an object the prediction gives a footprint, and
    for most of those it gives none (objects moved about the scene, behind the camera too)."""
    sampler = PairSampler(load_config(DEFAULT))
    rng = np.random.default_rng(5)
    unseen = skipped = 0
    for i in range(12):
        scene = sampler.sample(i).after
        for obj in scene.objects[::3]:
            w, d, _ = scene.environment.extent
            x, y = rng.uniform(-w, w), rng.uniform(-d - 4, d)
            obj.transform.location = (float(x), float(y), obj.transform.location[2])
        feet = geometry.predicted_footprints(scene, (128, 96), 0.45)
        for obj in scene.objects:
            sure = geometry.surely_unseen(scene.camera, obj, (128, 96))
            assert not (sure and obj.id in feet), obj.id
            unseen += obj.id not in feet
            skipped += sure
    assert unseen >= 10 and skipped >= 0.8 * unseen, (skipped, unseen)


def test_a_prediction_is_kept_by_what_it_reads() -> None:
    """``predicted_footprints`` answers a scene whose geometry it has seen from its memo: a
    colour change keeps it, a moved object or a turned camera does not."""
    sampler = PairSampler(load_config(DEFAULT))
    scene = sampler.sample(3).before
    first = geometry.predicted_footprints(scene, (128, 96), 0.45)
    recoloured = scene.clone()
    recoloured.objects[0].attributes.color = "zzz"
    assert geometry._footprint_key(recoloured, (128, 96), 0.45) == geometry._footprint_key(
        scene, (128, 96), 0.45
    )
    assert geometry.predicted_footprints(recoloured, (128, 96), 0.45) == first
    moved = scene.clone()
    x, y, z = moved.objects[0].transform.location
    moved.objects[0].transform.location = (x + 0.5, y, z)
    turned = scene.clone()
    turned.camera = turned.camera.model_copy(update={"look_at": (0.3, 0.0, 0.5)})
    for other in (moved, turned):
        assert geometry._footprint_key(other, (128, 96), 0.45) != geometry._footprint_key(
            scene, (128, 96), 0.45
        )
        assert geometry.predicted_footprints(other, (128, 96), 0.45) == geometry._predict(
            other, (128, 96), 0.45
        )


def test_objects_clear_of_walls_are_most_of_a_rooms() -> None:
    """``_clear_of_walls`` skips the wall rays for most objects of a closed room (the saving)
    and never for a sign on its wall (whose box touches it)."""
    sampler = PairSampler(load_config(DEFAULT))
    rooms, clear, on_wall = 0, [], []
    for i in range(40):
        scene = sampler.sample(i).before
        if scene.environment.layout != "room" or not scene.environment.ceiling:
            continue
        rooms += 1
        world = geometry.box_points(scene.objects, geometry.BOX_CORNERS)
        ok = geometry._clear_of_walls(scene, np.asarray(scene.camera.location, float), world)
        clear += list(ok)
        on_wall += [c for c, o in zip(ok, scene.objects, strict=True) if o.support == "wall"]
    assert rooms >= 5
    assert np.mean(clear) > 0.6 and on_wall and not any(on_wall)


def test_one_targets_footprint_is_the_whole_predictions() -> None:
    """``predicted_footprint`` (the target's rays only, what the sampler's check after a draw
    asks) gives each object exactly the footprint the whole prediction does, None where that
    has none: on sampled rooms, streets and tabletops, objects moved about (some off-frame)."""
    sampler = PairSampler(load_config(DEFAULT))
    rng = np.random.default_rng(7)
    layouts, absent = set(), 0
    for i in range(18):
        scene = sampler.sample(i).after
        layouts.add(scene.environment.layout)
        for obj in scene.objects[::4]:
            x, y, z = obj.transform.location
            obj.transform.location = (x + float(rng.uniform(-3, 3)), y, z)
        whole = geometry._predict(scene, (128, 96), 0.45)
        for obj in scene.objects:
            i_obj = [o.id for o in scene.objects].index(obj.id)
            assert geometry._predict_one(scene, i_obj, (128, 96), 0.45) == whole.get(obj.id)
            absent += obj.id not in whole
    assert layouts == {"room", "street", "tabletop"} and absent >= 3
