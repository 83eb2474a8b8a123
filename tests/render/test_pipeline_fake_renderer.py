"""The pair pipeline's flow on a fake renderer (no Blender): sample, render, gate, caption,
write. The fake paints each object's projected box, nearest last, into the image (in its
colour) and into the instance mask (its pass index)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from diffforge.config import load_config
from diffforge.dataset.files import load_image
from diffforge.dataset.layout import pair_paths
from diffforge.render.assets import LibraryResolver
from diffforge.render.facts import change_mask, instance_ids, object_facts
from diffforge.render.pipeline import PairJob, PairPipeline, WorkerContext, default_caption_gate
from diffforge.render.renderer import RenderOutput
from diffforge.render.settings import resolve_settings
from diffforge.scenes.geometry import project, screen_box
from diffforge.scenes.model import PairSpec, Scene
from diffforge.scenes.sampler import sample_pair
from diffforge.vocabulary import COLORS

ROOT = Path(__file__).resolve().parents[2]
RESOLUTION = (160, 120)


class BoxRenderer:
    """Flat-shaded projected boxes; ``frozen`` keeps every object's before colour in the after
    image (a renderer that drops colour changes, which the gates must catch)."""

    version = "boxes-1"

    def __init__(self, frozen: bool = False):
        self.frozen = frozen
        self.prepared: list[int] = []
        self.seeds: list[int] = []

    def prepare(self, scenes: list[Scene]) -> None:
        self.prepared.append(len(scenes))

    def draw(self, scene: Scene, ids: dict[str, int], colours: dict[str, tuple] | None = None):
        w, h = RESOLUTION
        mask = np.zeros((h, w), np.uint16)
        image = np.full((h, w, 3), 120, np.uint8)
        cam = scene.camera
        depth = {
            o.id: float(project(cam, [o.transform.location], RESOLUTION)[1][0])
            for o in scene.objects
        }
        for obj in sorted(scene.objects, key=lambda o: -depth[o.id]):  # far first
            box = screen_box(cam, obj, RESOLUTION)
            if box is None or depth[obj.id] <= 0:
                continue
            x0, y0, x1, y1 = (round(v) for v in box)
            rgb = (colours or {}).get(obj.id) or obj.attributes.rgb
            rgb = rgb or COLORS.get(obj.attributes.color or "", (0.5, 0.5, 0.5))
            mask[y0:y1, x0:x1] = ids[obj.id]
            image[y0:y1, x0:x1] = np.round(np.asarray(rgb) * 255).astype(np.uint8)
        return mask, image

    def render_pair(self, before, after, ids, pngs, seed):
        self.prepare([before, after])
        self.seeds.append(seed)
        kept = None
        if self.frozen:
            kept = {
                o.id: o.attributes.rgb or COLORS.get(o.attributes.color or "")
                for o in before.objects
            }
        outs = []
        for scene, png, colours in ((before, pngs[0], None), (after, pngs[1], kept)):
            mask, image = self.draw(scene, ids, colours)
            Image.fromarray(image).save(png, format="PNG")
            outs.append(RenderOutput(mask, None, {"build": 0.0, "render": 0.0, "save": 0.0}))
        return outs[0], outs[1]


def context(out: Path, *sets: str) -> WorkerContext:
    cfg = load_config(
        ROOT / "configs/examples/clevr_like.yaml",
        ["render.preset=draft", f"render.resolution=[{RESOLUTION[0]}, {RESOLUTION[1]}]", *sets],
    )
    return WorkerContext(
        cfg=cfg,
        settings=resolve_settings(cfg, 1, "draft"),
        out=str(out),
        resolver=LibraryResolver(cfg.assets),
        sampler=sample_pair,
        max_attempts=cfg.changes.max_attempts,
        caption_gate=default_caption_gate(),
    )


COLOUR_ONLY = ("changes.weights={color: 1.0}", "changes.per_pair={1: 1.0}")


def test_a_pair_is_sampled_rendered_gated_captioned_and_written(tmp_path):
    renderer = BoxRenderer()
    pipeline = PairPipeline(context(tmp_path, *COLOUR_ONLY), renderer)
    assert pipeline.blender == "boxes-1"  # what workers report as the renderer version
    result = pipeline.run(PairJob(index=3))
    assert result["status"] == "ok", result
    assert result["blender"] == "boxes-1" and len(renderer.seeds) == 1 + result["rejected_attempts"]
    spec = PairSpec.model_validate_json(result["spec_json"])
    assert [c.type for c in spec.changes] == ["color"]
    ids = instance_ids(spec)
    paths = pair_paths(spec.id)
    masks = {}
    for side, scene in (("before", spec.before), ("after", spec.after)):
        want, _ = renderer.draw(scene, ids)
        masks[side] = np.asarray(Image.open(tmp_path / paths[f"mask_{side}"]))
        np.testing.assert_array_equal(masks[side], want)
        assert (tmp_path / paths[side]).is_file()
    cmask = np.asarray(Image.open(tmp_path / paths["mask_change"])).astype(bool)
    np.testing.assert_array_equal(cmask, change_mask(spec, ids, masks["before"], masks["after"]))
    assert cmask.any()
    record = json.loads((tmp_path / paths["scene"]).read_text())
    assert record["instances"] == ids
    assert record["image_size"] == list(RESOLUTION)
    for side, scene in (("before", spec.before), ("after", spec.after)):
        image = load_image(tmp_path / paths[side])
        facts = object_facts(masks[side], ids, {o.id for o in scene.objects}, image)
        assert record["facts"][side] == facts == result["facts"][side]
    change = spec.changes[0]
    target = change.targets[0]
    assert result["captions"] and all(c["types"] == ["color"] for c in result["captions"])
    new_colour = next(o for o in spec.after.objects if o.id == target).attributes.color
    assert all(new_colour in c["text"] for c in result["captions"])
    assert not list(tmp_path.glob("images/.*.tmp*"))  # renamed into place
    assert "bpy" not in sys.modules


def test_the_gates_reject_a_render_that_misses_the_change(tmp_path):
    spec = sample_pair(context(tmp_path / "cfg", *COLOUR_ONLY).cfg, 3)
    renderer = BoxRenderer(frozen=True)
    pipeline = PairPipeline(context(tmp_path, *COLOUR_ONLY), renderer)
    result = pipeline.run(PairJob(index=3, spec_json=spec.to_json()))
    assert result["status"] == "rejected"
    assert result["reason"] == "color: contrast too low"  # the colour gate saw no change
    assert len(renderer.seeds) == 1  # a fixed spec is rendered once, never resampled
    assert not list(tmp_path.rglob("*.png"))  # nothing written, the temporary images removed


def test_a_renderer_error_becomes_an_error_result(tmp_path):
    class Broken(BoxRenderer):
        def render_pair(self, *args):
            raise RuntimeError("no GPU today")

    result = PairPipeline(context(tmp_path, *COLOUR_ONLY), Broken()).run(PairJob(index=0))
    assert result["status"] == "error" and "no GPU today" in result["reason"]


@pytest.mark.parametrize("gates", [True, False])
def test_the_same_spec_gives_the_same_seed(tmp_path, gates):
    spec = sample_pair(context(tmp_path / "cfg", *COLOUR_ONLY).cfg, 5)
    seeds = []
    for k in range(2):
        renderer = BoxRenderer()
        ctx = context(tmp_path / str(k), *COLOUR_ONLY)
        ctx.gates = gates
        PairPipeline(ctx, renderer).run(PairJob(index=5, spec_json=spec.to_json()))
        seeds += renderer.seeds
    assert len(seeds) == 2 and seeds[0] == seeds[1]
