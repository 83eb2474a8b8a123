"""The render gate for review_std96u's text case, refusing what the older gates passed,
keeping a clear one and passing it with its rule off: a sign whose words change while a
wardrobe hides its first letters (4600/00: "...RKIING" -> "...OTEL", seen whole 0.73; the 60
text changes of 96q-96u rated C showed 0.927 and up). Masks are made by hand around the
fixture pair (``make_pair``); the real renders' measures are in benchmarks/calibration.md."""

from __future__ import annotations

import numpy as np
import pytest
from gate_fixtures import VIS, gate_check
from render_fixtures import make_pair

from diffforge.scenes.changes import operator_for
from diffforge.scenes.changes.seen_whole import seen_whole_share
from diffforge.scenes.geometry import predicted_footprint

IDS = {"cube_1": 1, "ball_1": 2, "sign_1": 3}
SIZE = (192, 256)  # rows, columns: the standard frame, where the thresholds are stated


def _sign_mask(pixels: int) -> np.ndarray:
    """The sign's mask: ``pixels`` pixels in a block 20 rows high from row 40, column 30."""
    width = -(-pixels // 20)
    block = np.zeros((width, 20), np.int32)
    block.reshape(-1)[:pixels] = IDS["sign_1"]
    mask = np.zeros(SIZE, np.int32)
    mask[40:60, 30 : 30 + width] = block.T
    return mask


def _seen(spec, share: float, vis=VIS):
    """The text pair with ``share`` of the sign's predicted pixels (alone in its scene) in
    sight on both sides."""
    sign = spec.before.object("sign_1")
    alone = predicted_footprint(
        spec.before.model_copy(update={"objects": [sign]}), "sign_1", SIZE[::-1], vis.predict_fill
    ).pixels
    mask = _sign_mask(round(share * alone))
    return gate_check(spec, spec.changes[0], (mask, mask.copy()), IDS, vis=vis)


def test_a_sign_partly_hidden_is_refused_for_a_text_change() -> None:
    spec = make_pair(0, "text")
    gate = operator_for("text").gate
    hidden = _seen(spec, 0.73)
    assert seen_whole_share(hidden) == pytest.approx(0.73, abs=0.01)
    assert gate(hidden) == ["text: sign partly hidden"]
    off = VIS.model_copy(update={"min_text_seen_whole_share": 0.0})
    assert gate(_seen(spec, 0.73, off)) == []
    assert gate(_seen(spec, 0.95)) == []
