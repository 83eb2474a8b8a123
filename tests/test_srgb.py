"""The one sRGB transfer-function pair, and that its users agree with it."""

import numpy as np

from diffforge.srgb import linear_to_srgb, srgb_to_linear


def test_known_values_and_round_trip() -> None:
    assert abs(float(srgb_to_linear(0.5)) - 0.2140411) < 1e-6  # mid grey
    assert float(srgb_to_linear(0.04)) == 0.04 / 12.92  # the linear toe
    x = np.linspace(0.0, 1.0, 101)
    assert np.allclose(linear_to_srgb(srgb_to_linear(x)), x, atol=1e-12)
    assert srgb_to_linear([[0.2, 0.4, 0.6]]).shape == (1, 3)  # broadcasts over images


def test_the_renderer_and_file_objects_convert_with_it() -> None:
    from diffforge.render.color import linear_rgba
    from diffforge.scenes.file_objects import srgb

    rgb = (0.8, 0.08, 0.5)
    assert linear_rgba(rgb) == (*srgb_to_linear(rgb).tolist(), 1.0)
    assert srgb((0.2, 0.3, 0.001, 1.0)) == tuple(linear_to_srgb((0.2, 0.3, 0.001)).tolist())
