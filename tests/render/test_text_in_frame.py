"""A text change's letters lie whole inside the frame (review of 2026-12-06: a changed shop
sign cut at the right edge read "BAN"). The writable face's picture box
(``sampler.text_face_box``) is checked against a Cycles render of the letters, and sampled
text pairs that the pipeline would render keep their faces inside the frame."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from mask_checks import pair_arrays
from render_fixtures import SIGN_ANCHOR, make_pair

from diffforge.config import load_config
from diffforge.dataset import read_pairs
from diffforge.render.assets import LibraryResolver
from diffforge.render.pipeline import PairPipeline, WorkerContext
from diffforge.render.settings import resolve_settings
from diffforge.scenes import sampler as sampler_module
from diffforge.scenes.assets.manifest import TextAnchor
from diffforge.scenes.model import Camera
from diffforge.scenes.sampler import face_in_frame, load_library, sample_pair, text_face_box

ROOT = Path(__file__).resolve().parents[2]
FACE = TextAnchor(**SIGN_ANCHOR)
# the sign board straight ahead, filling most of the 96x72 frame (the OCR test's camera)
CLOSE = Camera(location=(0.0, -0.45, 0.62), look_at=(0.0, 1.0, 0.58), lens=30.0)


@pytest.mark.blender
@pytest.mark.slow
def test_the_face_box_holds_the_rendered_letters(run, cfg, tmp_path):
    """OPEN -> EXIT: every sign pixel the letters change lies in the face's box (1.5 px slack for
    anti-aliasing), and the letters span most of its width, so the box is neither too small
    nor far too large."""
    spec = make_pair(0, "text", seed=2)
    for scene in (spec.before, spec.after):
        scene.camera = CLOSE
    summary = run(tmp_path, n=None, specs=[spec], workers=1)
    assert summary["pairs"] == 1, summary
    (rec,) = read_pairs(tmp_path)
    arrays = pair_arrays(tmp_path, rec)
    diff = np.abs(arrays["after"].astype(int) - arrays["before"].astype(int)).max(axis=2)
    ys, xs = np.nonzero((diff > 40) & arrays["objects"])  # the sign's pixels: not the noise
    assert len(xs) > 50, "the letters changed too few pixels to measure"
    h, w = diff.shape
    x0, y0, x1, y1 = text_face_box(FACE, spec.after.object("sign_1"), CLOSE, (w, h))
    slack = 1.5
    assert x0 - slack <= xs.min() and xs.max() + 1 <= x1 + slack, (xs.min(), xs.max(), x0, x1)
    assert y0 - slack <= ys.min() and ys.max() + 1 <= y1 + slack, (ys.min(), ys.max(), y0, y1)
    assert xs.max() + 1 - xs.min() >= 0.5 * (x1 - x0)


def test_a_face_cut_by_the_frame_is_refused():
    """The same sign seen from a camera moved to its right: its face runs off the left edge."""
    sign = make_pair(0, "text").after.object("sign_1")
    moved = CLOSE.model_copy(update={"location": (0.45, -0.45, 0.62), "look_at": (0.45, 1, 0.58)})
    assert face_in_frame(text_face_box(FACE, sign, CLOSE, (96, 72)), (96, 72))
    cut = text_face_box(FACE, sign, moved, (96, 72))
    assert cut[0] < 0 and not face_in_frame(cut, (96, 72))


class Unrendered:
    """The pipeline's renderer slot: these tests ask only its prediction (``_illegible``)."""

    version = "none"

    def prepare(self, scenes) -> None:
        pass

    def render_pair(self, *args):
        raise AssertionError("the prediction test rendered")


@pytest.fixture(scope="module")
def text_cfg():
    sets = ["render.preset=standard", "changes.weights={text: 1.0}"]
    return load_config(ROOT / "configs" / "default.yaml", sets)


def _cut_faces(cfg, pipe: PairPipeline | None, n: int, rule) -> tuple[int, int]:
    """(text targets' sides whose face the frame cuts, by ``rule``; all sides) over the first
    ``n`` sampled text pairs, those the pipeline's prediction refuses left out (with ``pipe``)."""
    library = load_library(cfg)
    resolution = cfg.render.resolved().resolution
    cut = total = 0
    for index in range(n):
        spec = sample_pair(cfg, index, 0)
        if pipe is not None and pipe._illegible(spec):
            continue
        for change in spec.changes:
            for scene in (spec.before, spec.after):
                sign = scene.find(change.targets[0])
                if sign is None or sign.text is None:
                    continue
                total += 1
                cut += not rule(library, scene.camera, sign, resolution)
    return cut, total


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_sampled_text_changes_keep_their_letters_inside_the_frame(text_cfg, tmp_path, monkeypatch):
    """Over 30 text-only standard pairs none reaches a render with a cut face; with the rule
    switched off in the sampler and the pipeline, some would (14 of 140 sides over 40 pairs
    when measured)."""
    ctx = WorkerContext(
        text_cfg, resolve_settings(text_cfg, 1), str(tmp_path), LibraryResolver(text_cfg.assets)
    )
    pipe = PairPipeline(ctx, renderer=Unrendered())
    rule = sampler_module.text_in_frame
    cut, total = _cut_faces(text_cfg, pipe, 30, rule)
    assert total >= 20 and cut == 0, (cut, total)

    monkeypatch.setattr(sampler_module, "text_in_frame", lambda *a: True)
    cut, _ = _cut_faces(text_cfg, None, 30, rule)
    assert cut > 0
