"""Small hand-built assets and pair specs for the renderer tests.

A module (not conftest) so spawned workers and Ray actors can import ``fixture_sampler`` by name.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import trimesh

from diffforge.config import GenerateConfig
from diffforge.distributions import rng_for
from diffforge.render.assets import RenderAsset, StaticResolver
from diffforge.scenes.model import (
    Attributes,
    Camera,
    Change,
    Environment,
    Light,
    ObjectInstance,
    PairSpec,
    Scene,
    TextContent,
    Transform,
    World,
)
from diffforge.vocabulary import COLORS

REFERENCE_N = 6  # pairs in the session's reference run
Z_UP_TO_GLTF = trimesh.transformations.rotation_matrix(-math.pi / 2, [1, 0, 0])
SIGN_ANCHOR = {
    "location": (0.0, -0.05, 0.55),
    "normal": (0.0, -1.0, 0.0),
    "width": 1.0,
    "height": 0.5,
}


def _part(mesh: trimesh.Trimesh, name: str, rgba) -> tuple[trimesh.Trimesh, str]:
    mesh.visual = trimesh.visual.TextureVisuals(
        material=trimesh.visual.material.PBRMaterial(name=name, baseColorFactor=rgba)
    )
    return mesh, name


def _export(path: Path, parts: list[tuple[trimesh.Trimesh, str]]) -> None:
    scene = trimesh.Scene()
    for mesh, name in parts:
        mesh.apply_transform(Z_UP_TO_GLTF)
        scene.add_geometry(mesh, node_name=name, geom_name=name)
    path.write_bytes(scene.export(file_type="glb"))


def write_fixture_assets(root: Path) -> StaticResolver:
    """cube (1 m), ball (0.8 m), sign (board + post, text anchor on its front): origin bottom centre."""
    root.mkdir(parents=True, exist_ok=True)
    cube = trimesh.creation.box(extents=(1, 1, 1))
    cube.apply_translation((0, 0, 0.5))
    _export(root / "cube.glb", [_part(cube, "body", (200, 200, 200, 255))])
    ball = trimesh.creation.icosphere(subdivisions=3, radius=0.4)
    ball.apply_translation((0, 0, 0.4))
    _export(root / "ball.glb", [_part(ball, "body", (200, 200, 200, 255))])
    board = trimesh.creation.box(extents=(1.2, 0.08, 0.7))
    board.apply_translation((0, 0, 0.55))
    post = trimesh.creation.box(extents=(0.08, 0.08, 0.25))
    post.apply_translation((0, 0, 0.1))
    _export(
        root / "sign.glb",
        [_part(board, "board", (230, 230, 230, 255)), _part(post, "post", (60, 60, 60, 255))],
    )
    return StaticResolver(
        {
            "cube": RenderAsset("cube", "mesh", str(root / "cube.glb"), ("body",)),
            "ball": RenderAsset("ball", "mesh", str(root / "ball.glb"), ("body",)),
            "sign": RenderAsset(
                "sign", "mesh", str(root / "sign.glb"), ("board",), text_anchor=SIGN_ANCHOR
            ),
        }
    )


DIMS = {"cube": (1.0, 1.0, 1.0), "ball": (0.8, 0.8, 0.8), "sign": (1.2, 0.08, 0.8)}


def obj(
    oid: str,
    asset: str,
    loc,
    color: str = "red",
    material: str = "plastic",
    scale=1.0,
    yaw=0.0,
    text=None,
):
    d = tuple(x * scale for x in DIMS[asset])
    return ObjectInstance(
        id=oid,
        asset=asset,
        category=asset,
        noun=asset,
        attributes=Attributes(color=color, rgb=COLORS[color], material=material),
        transform=Transform(location=loc, rotation=(0.0, 0.0, yaw), scale=scale),
        dimensions=d,
        text=TextContent(string=text, color="black", rgb=COLORS["black"]) if text else None,
    )


def base_scene() -> Scene:
    return Scene(
        environment=Environment(layout="tabletop", extent=(6.0, 6.0, 3.0), floor_color="gray"),
        objects=[
            obj("cube_1", "cube", (-1.0, 0.0, 0.0), "red"),
            obj("ball_1", "ball", (1.1, -0.2, 0.0), "blue"),
            obj("sign_1", "sign", (0.0, 1.0, 0.0), "white", text="OPEN"),
        ],
        lights=[
            Light(id="key", type="area", location=(2.5, -3.0, 4.5), energy=900.0, size=2.0),
            Light(id="fill", type="point", location=(-3.0, -2.0, 3.0), energy=300.0),
        ],
        camera=Camera(location=(0.0, -6.0, 3.4), look_at=(0.0, 0.2, 0.4), lens=35.0),
        world=World(background=(0.3, 0.3, 0.32)),
    )


CHANGE_TYPES = (
    "color", "move", "remove", "add", "size", "material", "orientation", "text",
    "illumination", "viewpoint", "replace", "none",
)  # fmt: skip


def make_pair(index: int, kind: str, seed: int = 0, jitter: float = 0.0) -> PairSpec:
    """A pair whose after differs from before by one change of ``kind`` (by hand, no sampler)."""
    before = base_scene()
    if jitter:
        rng = rng_for(seed, index, "fixture")
        for o in before.objects:
            x, y, z = o.transform.location
            o.transform.location = (x + float(rng.uniform(-jitter, jitter)), y, z)
    after = before.model_copy(deep=True)
    cube = after.object("cube_1")
    change: Change | None = None
    if kind == "color":
        cube.attributes.color, cube.attributes.rgb = "green", COLORS["green"]
        change = Change(
            type="color", targets=["cube_1"], before={"color": "red"}, after={"color": "green"}
        )
    elif kind == "move":
        x, y, z = cube.transform.location
        cube.transform.location = (x, y - 1.5, z)
        change = Change(type="move", targets=["cube_1"])
    elif kind == "remove":
        after.objects = [o for o in after.objects if o.id != "cube_1"]
        change = Change(type="remove", targets=["cube_1"])
    elif kind == "add":
        after.objects.append(obj("ball_2", "ball", (-0.2, -1.4, 0.0), "yellow"))
        change = Change(type="add", targets=["ball_2"])
    elif kind == "size":
        new = obj("cube_1", "cube", cube.transform.location, "red", scale=0.5)
        after.objects[0] = new
        change = Change(type="size", targets=["cube_1"])
    elif kind == "material":
        cube.attributes.material = "metal"
        change = Change(type="material", targets=["cube_1"])
    elif kind == "orientation":
        sign = after.object("sign_1")
        sign.transform.rotation = (0.0, 0.0, math.radians(70))
        change = Change(type="orientation", targets=["sign_1"])
    elif kind == "text":
        after.object("sign_1").text.string = "EXIT"
        change = Change(
            type="text", targets=["sign_1"], before={"text": "OPEN"}, after={"text": "EXIT"}
        )
    elif kind == "illumination":
        after.light("key").energy *= 0.2
        change = Change(type="illumination", targets=["key"])
    elif kind == "viewpoint":
        x, y, z = after.camera.location
        after.camera.location = (x + 1.8, y + 0.3, z)
        change = Change(type="viewpoint")
    elif kind == "replace":
        after.objects[0] = obj("ball_3", "ball", cube.transform.location, "purple")
        change = Change(type="replace", targets=["cube_1", "ball_3"])
    elif kind == "none":
        change = Change(type="none")
    else:
        raise ValueError(kind)
    return PairSpec(
        id=f"{index:06d}",
        index=index,
        seed=int(rng_for(seed, index, "cycles").integers(2**31)),
        before=before,
        after=after,
        changes=[change],
    )


def fixture_sampler(cfg: GenerateConfig, index: int, attempt: int) -> PairSpec:
    """Stands in for the scenes sampler: cycles through change types, jitters placement."""
    kind = CHANGE_TYPES[index % len(CHANGE_TYPES)]
    spec = make_pair(index, kind, seed=cfg.seed, jitter=0.3)
    spec.attempt = attempt
    return spec


def hidden_target_sampler(cfg: GenerateConfig, index: int, attempt: int) -> PairSpec:
    """First attempt keeps the cube's colour (the render gate refuses it; the prediction
    before rendering cannot see colours, and would redraw a cube hidden from the camera
    without a render), then a good one."""
    spec = make_pair(index, "color", seed=cfg.seed)
    if attempt == 0:
        old, new = spec.before.object("cube_1"), spec.after.object("cube_1")
        new.attributes = old.attributes.model_copy()
    spec.attempt = attempt
    return spec


def twin_sampler(cfg: GenerateConfig, index: int, attempt: int) -> PairSpec:
    """First attempt puts an identical red cube in the changed cube's place: no caption can
    tell them apart (the captioner sees that from the predicted visibility), then a good one."""
    spec = make_pair(index, "color", seed=cfg.seed)
    if attempt == 0:
        for scene in (spec.before, spec.after):
            twin = spec.before.object("cube_1").model_copy(deep=True, update={"id": "cube_2"})
            scene.objects.append(twin)
    spec.attempt = attempt
    return spec


def mean_abs(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a.astype(float) - b.astype(float)).mean())


def slow_sampler(cfg: GenerateConfig, index: int, attempt: int) -> PairSpec:
    """Pair 0 hangs (a stuck worker); the others are ordinary."""
    if index == 0:
        import time

        time.sleep(60)
    return fixture_sampler(cfg, index, attempt)
