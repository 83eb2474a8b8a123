"""Sign letters contrast with their board: WCAG's 3:1 for large text, in every sampled scene."""

from __future__ import annotations

from pathlib import Path

from diffforge.config import load_config
from diffforge.scenes.instances import MIN_TEXT_CONTRAST, TEXT_COLORS, contrast_ratio, text_colors
from diffforge.scenes.sampler import PairSampler
from diffforge.vocabulary import COLORS

DEFAULT = Path(__file__).resolve().parents[2] / "configs" / "default.yaml"


def test_every_board_colour_has_letters_that_read_on_it():
    for board in COLORS:
        allowed = text_colors(board)
        assert allowed, board
        assert all(contrast_ratio(c, board) >= MIN_TEXT_CONTRAST for c in allowed), board
        # and nothing that would read is left out
        assert set(allowed) == {c for c in TEXT_COLORS if contrast_ratio(c, board) >= 3.0}


def test_yellow_on_white_and_blue_on_green_are_refused():
    assert contrast_ratio("yellow", "white") < MIN_TEXT_CONTRAST
    assert contrast_ratio("blue", "green") < MIN_TEXT_CONTRAST
    assert "yellow" not in text_colors("white") and "blue" not in text_colors("green")


def test_sampled_signs_keep_the_contrast_before_and_after():
    sampler = PairSampler(load_config(DEFAULT, ["changes.weights={text: 1.0}"]))
    signs = 0
    for index in range(60):
        spec = sampler.sample(index)
        for scene in (spec.before, spec.after):
            for obj in scene.objects:
                if obj.text is not None and obj.attributes.color in COLORS:
                    signs += 1
                    ratio = contrast_ratio(obj.text.color, obj.attributes.color)
                    assert ratio >= MIN_TEXT_CONTRAST, (spec.index, obj.id, obj.text.color)
    assert signs >= 60
