"""Text pairs are gated on a cheap probe render before their full render (issue 31): an
illegible sign costs a 2-sample pair, not a full one, and a legible one still passes."""

from __future__ import annotations

import shutil

import pytest
from render_fixtures import make_pair

from diffforge.render.executors import LocalExecutor
from diffforge.render.pipeline import PairJob, WorkerContext
from diffforge.render.settings import resolve_settings
from diffforge.render.workers import PoolOptions
from diffforge.scenes.model import Camera

pytestmark = [pytest.mark.blender, pytest.mark.slow]


def _sign_pair(index: int, close: bool):
    spec = make_pair(index, "text", seed=2)
    if close:
        for scene in (spec.before, spec.after):
            scene.camera = Camera(location=(0.0, -0.45, 0.62), look_at=(0.0, 1.0, 0.58), lens=30.0)
    return spec


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="needs tesseract-ocr")
def test_probe_rejects_illegible_text_before_the_full_render(cfg, assets, cache_dir, tmp_path):
    render = cfg.render.model_copy(update={"ocr_gate": True, "denoise": False})
    ocr_cfg = cfg.model_copy(update={"render": render})
    settings = resolve_settings(ocr_cfg, 1, cache_dir=cache_dir)
    ctx = WorkerContext(ocr_cfg, settings, str(tmp_path), assets)
    jobs = [PairJob(i, _sign_pair(i, close=i == 0).to_json()) for i in (0, 1)]
    results = {r["index"]: r for r in LocalExecutor(PoolOptions(workers=1)).run(ctx, jobs)}
    kept, far = results[0], results[1]
    # the close sign passes the probe and then the full render's gates
    assert kept["status"] == "ok" and kept["probe_rejected"] == 0, kept
    assert kept["timings"]["probe"] > 0 and kept["timings"]["render_before"] > 0
    # the far sign's text is unreadable: the probe rejects it, nothing is rendered in full
    assert far["status"] == "rejected" and "not legible" in far["reason"], far
    assert far["probe_rejected"] == 1 and far["rejected_attempts"] == 0
    assert "render_before" not in far["timings"] and far["timings"]["probe"] > 0
