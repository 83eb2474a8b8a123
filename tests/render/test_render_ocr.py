"""The optional legibility gate: Tesseract must read a text change's new string back."""

from __future__ import annotations

import shutil

import pytest
from render_fixtures import make_pair

from diffforge.scenes.model import Camera

pytestmark = [pytest.mark.blender, pytest.mark.slow]


def _sign_pair(index: int, close: bool):
    spec = make_pair(index, "text", seed=2)
    if close:
        for scene in (spec.before, spec.after):
            scene.camera = Camera(location=(0.0, -0.45, 0.62), look_at=(0.0, 1.0, 0.58), lens=30.0)
    return spec


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="needs tesseract-ocr")
def test_ocr_gate_keeps_legible_and_rejects_illegible_text(run, cfg, tmp_path):
    # Without denoising the far sign's new text is visible but unreadable: the OCR gate, not the
    # visibility gate, must be what rejects it.
    render = cfg.render.model_copy(update={"ocr_gate": True, "denoise": False})
    ocr_cfg = cfg.model_copy(update={"render": render})
    specs = [_sign_pair(0, close=True), _sign_pair(1, close=False)]
    summary = run(tmp_path, n=None, specs=specs, cfg=ocr_cfg, workers=1)
    assert summary["pairs"] == 1, summary
    (failure,) = summary["failures"]
    assert failure["index"] == 1 and "not legible" in failure["reason"]
