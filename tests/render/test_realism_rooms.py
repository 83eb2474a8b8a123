"""Rendered rooms are closed (no camera ray leaves them but through a window), lit, and a lamp
switched off never leaves a black frame."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

pytestmark = [pytest.mark.blender, pytest.mark.slow, pytest.mark.timeout(1800)]  # CLI renders

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = ROOT / "configs" / "default.yaml"
ROOM = ["scene.layouts={room: 1.0}", "distractors.camera_jitter.probability=0"]


def cli(*args: str) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "diffforge", *args],
        capture_output=True, text=True, timeout=900, cwd=ROOT,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-1500:] + proc.stderr[-1500:]


def sample(tmp: Path, name: str, *sets: str, n: int = 1) -> list[dict]:
    out = tmp / f"{name}.jsonl"
    args = [x for s in (*ROOM, "changes.per_pair={1: 1.0}", *sets) for x in ("--set", s)]
    cli("sample", str(DEFAULT), "--n", str(n), "--out", str(out), *args)
    return [json.loads(line) for line in out.read_text().splitlines()]


def luma(path: Path) -> np.ndarray:
    rgb = np.asarray(Image.open(path).convert("RGB"), dtype=np.float64)
    return rgb @ np.array([0.2126, 0.7152, 0.0722])


def test_closed_room_and_light_off(tmp_path):
    closed = sample(tmp_path, "closed", "changes.weights={none: 1.0}")[0]
    for side in ("before", "after"):  # windows shut: every camera ray must hit the room
        env = closed[side]["environment"]
        env["openings"] = [o for o in env["openings"] if o["kind"] == "door"]
        closed[side]["elements"] = None  # the sampled walls have window holes: emit them anew
    # a lamp is switched only where a viewer sees it (its fixture in view, or the main light):
    # the first such room of a few
    offs = sample(
        tmp_path, "off", "changes.weights={illumination: 1.0}",
        "changes.params.illumination.kind=light_off", n=40,
    )  # fmt: skip  # a switch needs its lamp in view: 2 of 40 rooms since the staging rules
    off = next(s for s in offs if s["changes"][0]["params"]["kind"] == "light_off")
    off["id"], off["index"] = "00000001", 1
    specs = tmp_path / "specs.jsonl"
    specs.write_text(json.dumps(closed) + "\n" + json.dumps(off) + "\n")
    out = tmp_path / "data"
    cli(
        "generate", str(DEFAULT), "--out", str(out), "--specs", str(specs), "--preset", "draft",
        "--set", "render.depth=true",
        # what the room looks like with the lamp off, not whether the frame moved enough to
        # pass the lamp-switch gates (tests/render/test_visibility_gates.py holds those)
        "--set", "visibility.illumination_switch_luma_ratio=0",
        "--set", "visibility.illumination_local_fraction=0",
        "--set", "visibility.min_plain_switch_frame_ratio=0",
        "--set", "visibility.min_switch_lamp_luma_ratio=1.0",
    )  # fmt: skip
    records = {r["id"]: r for r in map(json.loads, (out / "pairs.jsonl").read_text().splitlines())}
    closed_id = closed["id"]
    for side in ("before", "after"):
        depth = np.asarray(Image.open(out / "depth" / f"{closed_id}_{side}.png"))
        assert depth.max() < 30000, "a camera ray left the closed room (depth > 30 m)"
        assert luma(out / records[closed_id][side]).mean() > 40  # the lamps light the room
    after = luma(out / records["00000001"]["after"])
    before = luma(out / records["00000001"]["before"])
    assert after.mean() > 40 and (after < 12).mean() < 0.10, "light_off left the room dark"
    assert after.mean() < before.mean()  # and the change is visible


POSED = """
import json, sys
from pathlib import Path
import bpy
import numpy as np
from diffforge.config import load_config
from diffforge.render.assets import LibraryResolver
from diffforge.render.blender.backend import BlenderBackend, SceneBuilder
from diffforge.render.facts import instance_ids
from diffforge.render.settings import resolve_settings
from diffforge.scenes.assets.characters import POSES
from diffforge.scenes.model import PairSpec, Pose

cfg = load_config(Path(sys.argv[1]))
# staging may drop a person that merges with furniture: the first room that kept one
spec = next(
    s
    for s in map(PairSpec.model_validate_json, Path(sys.argv[2]).read_text().splitlines())
    if any(o.category == "person" for o in s.before.objects)
)
be = BlenderBackend(resolve_settings(cfg, 1, "draft"), LibraryResolver(cfg.assets), Path(sys.argv[3]))
scene = spec.before
person = next(o for o in scene.objects if o.category == "person")
out = {}
for name in sorted(POSES):
    person.pose = Pose(name=name, bones={k: tuple(v) for k, v in POSES[name].items()})
    be.prepare([scene])  # before the new file: converting an uncached asset resets it
    bpy.ops.wm.read_homefile(use_empty=True)
    sc = bpy.data.scenes.new("t")
    SceneBuilder(be).build(sc, scene, instance_ids(spec))
    sc.view_layers[0].update()
    ob = bpy.data.objects[person.id].evaluated_get(sc.view_layers[0].depsgraph)
    me = ob.to_mesh()
    z = min((ob.matrix_world @ v.co).z for v in me.vertices)
    out[name] = z - person.transform.location[2]
print(json.dumps(out))
"""


def test_people_stand_on_their_support_in_every_pose(tmp_path):
    """The rendered body's lowest point is on the floor (or sidewalk) it stands on."""
    specs = tmp_path / "people.jsonl"
    # several rooms (one change each: a none-only mix drawing two crashes the sampler),
    # since staging leaves a room without its person where it merged with furniture
    sets = [*ROOM, "scene.people.probability=1.0", "changes.weights={none: 1.0}",
            "changes.per_pair={1: 1.0}"]  # fmt: skip
    cli("sample", str(DEFAULT), "--n", "6", "--out", str(specs),
        *[x for s in sets for x in ("--set", s)])  # fmt: skip
    proc = subprocess.run(
        [sys.executable, "-c", POSED, str(DEFAULT), str(specs), str(tmp_path / "scratch")],
        capture_output=True, text=True, timeout=600, cwd=ROOT,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    lowest = json.loads(proc.stdout.strip().splitlines()[-1])
    assert len(lowest) >= 5
    assert all(abs(z) < 0.01 for z in lowest.values()), lowest
    assert "crouching" in lowest and "sitting" in lowest


def test_a_lamp_that_is_on_glows_and_lights_what_is_under_it(tmp_path):
    """A lamp's light sits under its shade (inside the closed shade it lit nothing) and the
    shade glows while the lamp is on: switched off, the lamp itself darkens, and so does the
    pool of light around it."""
    offs = sample(
        tmp_path, "off", "changes.weights={illumination: 1.0}",
        "changes.params.illumination.kind=light_off", n=40,
    )  # fmt: skip  # a switch needs its lamp in view: 2 of 40 rooms since the staging rules
    spec = next(s for s in offs if s["changes"][0]["targets"][0].startswith("lamp_"))
    lamp_id = spec["changes"][0]["targets"][0].removeprefix("lamp_")
    lamp = next(o for o in spec["before"]["objects"] if o["id"] == lamp_id)
    light = next(x for x in spec["before"]["lights"] if x["id"] == f"lamp_{lamp_id}")
    top = lamp["transform"]["location"][2] + lamp["dimensions"][2]
    assert light["location"][2] < top - 0.1 * lamp["dimensions"][2]  # under the shade
    specs = tmp_path / "specs.jsonl"
    specs.write_text(json.dumps(spec) + "\n")
    out = tmp_path / "data"
    cli(
        "generate", str(DEFAULT), "--out", str(out), "--specs", str(specs), "--preset", "draft",
        "--set", "visibility.illumination_switch_luma_ratio=0",
        "--set", "visibility.illumination_local_fraction=0",
        "--set", "visibility.min_plain_switch_frame_ratio=0",
    )  # fmt: skip
    record = json.loads((out / "pairs.jsonl").read_text().splitlines()[0])
    scene = json.loads((out / "scenes" / f"{record['id']}.json").read_text())
    mask = np.asarray(Image.open(out / "masks" / f"{record['id']}_before.png"))
    shown = mask == scene["instances"][lamp_id]
    assert shown.sum() > 0, "the switched lamp is in view"
    before, after = luma(out / record["before"]), luma(out / record["after"])
    assert before[shown].mean() > after[shown].mean() + 10  # the shade glowed
    ys, xs = np.nonzero(shown)  # the lamp's surroundings: its box, 3 times as large
    cy, cx, ry, rx = ys.mean(), xs.mean(), 1.5 * np.ptp(ys) + 2, 1.5 * np.ptp(xs) + 2
    near = np.zeros_like(shown)
    near[max(0, int(cy - ry)) : int(cy + ry) + 1, max(0, int(cx - rx)) : int(cx + rx) + 1] = True
    near &= ~shown
    assert before[near].mean() > after[near].mean() + 3  # and lit what is around it


def test_a_dimmed_lamp_glows_less(tmp_path):
    """A lamp's shade glows in proportion to its power: a room made darker does not keep its
    shades fully lit (they kept 97 % of their brightness while the room fell to 0.55x)."""
    darker = sample(
        tmp_path, "darker", "changes.weights={illumination: 1.0}",
        "changes.params.illumination.kind=darker", n=24,
    )  # fmt: skip
    lamps = [
        s for s in darker
        if s["changes"][0]["params"]["kind"] == "darker"
        and any(o["category"] in ("lamp", "floor lamp") for o in s["before"]["objects"])
    ][:3]  # fmt: skip
    assert lamps
    specs = tmp_path / "specs.jsonl"
    specs.write_text("".join(json.dumps(s) + "\n" for s in lamps))
    out = tmp_path / "data"
    cli("generate", str(DEFAULT), "--out", str(out), "--specs", str(specs), "--preset", "draft")
    checked = 0
    for line in (out / "pairs.jsonl").read_text().splitlines():
        record = json.loads(line)
        scene = json.loads((out / "scenes" / f"{record['id']}.json").read_text())
        mask = np.asarray(Image.open(out / "masks" / f"{record['id']}_before.png"))
        before, after = luma(out / record["before"]), luma(out / record["after"])
        for obj in scene["spec"]["before"]["objects"]:
            shown = mask == scene["instances"][obj["id"]]
            if obj["category"] in ("lamp", "floor lamp") and shown.sum() >= 12:
                assert after[shown].mean() < 0.85 * before[shown].mean(), obj["id"]
                checked += 1
    assert checked > 0
