"""Text pairs whose strings the sampler predicts too small to read are redrawn before any
render (issue 31): the OCR gate would reject them after a probe and a full render each, and a
pair whose text changes no scene could fit was rendered 20 times and lost."""

from __future__ import annotations

from pathlib import Path

import pytest

from diffforge.config import load_config
from diffforge.render.assets import LibraryResolver
from diffforge.render.pipeline import PairJob, PairPipeline, WorkerContext
from diffforge.render.settings import resolve_settings
from diffforge.scenes.sampler import letter_pixels, load_library, sample_pair

ROOT = Path(__file__).resolve().parents[2]


class NoRenderer:
    """Counts renders; the test's pairs must never reach one."""

    version = "none"

    def __init__(self):
        self.calls = 0

    def prepare(self, scenes) -> None:
        pass

    def render_pair(self, before, after, ids, pngs, seed):
        self.calls += 1
        raise AssertionError("a pair predicted illegible was rendered")


@pytest.fixture(scope="module")
def text_cfg():
    sets = ["render.preset=standard", "changes.weights={text: 1.0}"]
    return load_config(ROOT / "configs" / "default.yaml", sets)


def _pipeline(cfg, tmp_path, renderer) -> PairPipeline:
    ctx = WorkerContext(cfg, resolve_settings(cfg, 1), str(tmp_path), LibraryResolver(cfg.assets))
    return PairPipeline(ctx, renderer=renderer)


def _text_spec(cfg, strings: int):
    """The first sampled text-only pair with ``strings`` text changes."""
    for index in range(40):
        spec = sample_pair(cfg, index, 0)
        if len(spec.changes) == strings:
            return spec
    raise AssertionError(f"no pair with {strings} text changes")


def test_a_sampled_legible_pair_is_not_predicted_illegible(text_cfg, tmp_path):
    pipe = _pipeline(text_cfg, tmp_path, NoRenderer())
    assert pipe._illegible(_text_spec(text_cfg, 1)) == []


def _illegible_spec(cfg):
    """A sampled one-text pair whose new string is four times as long: its letters shrink to
    fit the board, below the readable height."""
    spec = _text_spec(cfg, 1)
    sign = spec.after.find(spec.changes[0].targets[0])
    long = " ".join([sign.text.string] * 4)
    sign.text = sign.text.model_copy(update={"string": long})
    spec.changes[0].after["text"] = long
    return spec


def test_a_long_new_string_is_rejected_without_a_render(text_cfg, tmp_path):
    """The pair is rejected on the prediction alone."""
    spec = _illegible_spec(text_cfg)
    sign = spec.after.find(spec.changes[0].targets[0])
    library = load_library(text_cfg)
    assert letter_pixels(library, sign, 40) < letter_pixels(
        library, sign.model_copy(update={"text": sign.text.model_copy(update={"string": "AB"})}), 40
    )
    renderer = NoRenderer()
    result = _pipeline(text_cfg, tmp_path, renderer).run(PairJob(spec.index, spec.to_json()))
    assert result["status"] == "rejected", result
    assert "text: new text predicted illegible" in result["reason"]
    assert result["predicted_rejected"] == 1 and result["rejected_attempts"] == 0
    assert renderer.calls == 0


def test_the_probe_renders_the_signs_boxes_with_a_margin(text_cfg, tmp_path):
    """The probe's region holds every text target's predicted box on both sides, grown by
    ``PROBE_MARGIN``, and is smaller than the frame; a pair without text gets none."""
    from diffforge.render.facts import predicted_facts
    from diffforge.render.pipeline import PROBE_MARGIN

    pipe = _pipeline(text_cfg, tmp_path, NoRenderer())
    spec = _text_spec(text_cfg, 1)
    x0, y0, x1, y1 = pipe._sign_region(spec)
    w, h = pipe.ctx.settings.resolution
    assert (x1 - x0 + 1) * (y1 - y0 + 1) < w * h / 2
    facts = predicted_facts(spec, (w, h), text_cfg.visibility.predict_fill)
    target = spec.changes[0].targets[0]
    for side in ("before", "after"):
        bx0, by0, bx1, by1 = facts[side][target]["box"]
        grow_x, grow_y = PROBE_MARGIN * (bx1 - bx0), PROBE_MARGIN * (by1 - by0)
        assert x0 <= max(0, bx0 - grow_x) and y0 <= max(0, by0 - grow_y)
        assert x1 >= min(w - 1, bx1 + grow_x) and y1 >= min(h - 1, by1 + grow_y)
    spec.changes = []
    assert pipe._sign_region(spec) is None


def _always_illegible(cfg, index: int, attempt: int):
    spec = _illegible_spec(cfg)
    spec.attempt = attempt
    return spec


def test_a_pair_whose_draws_are_all_illegible_is_given_up_early(text_cfg, tmp_path):
    """After ``ILLEGIBLE_DRAWS`` draws predicted illegible in a row (each a sampler call that
    composed its scenes in vain) the pair is lost without a render, not after 20."""
    from diffforge.render.pipeline import ILLEGIBLE_DRAWS

    renderer = NoRenderer()
    ctx = WorkerContext(
        text_cfg,
        resolve_settings(text_cfg, 1),
        str(tmp_path),
        LibraryResolver(text_cfg.assets),
        sampler=_always_illegible,
        max_attempts=20,
    )
    result = PairPipeline(ctx, renderer=renderer).run(PairJob(0))
    assert result["status"] == "rejected", result
    assert result["predicted_rejected"] == ILLEGIBLE_DRAWS < 20
    assert result["rejected_attempts"] == 0 and renderer.calls == 0
