"""The one sRGB transfer-function pair, and that its users agree with it."""

import numpy as np

from diffforge.srgb import LUMA, linear_to_srgb, luma, srgb_to_linear


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


def test_luma_is_the_y_of_srgbs_xyz_and_ignores_alpha() -> None:
    from diffforge.scenes.perception import _XYZ_FROM_LINEAR

    assert np.array_equal(LUMA, _XYZ_FROM_LINEAR[1])  # one set of weights for Y
    img = np.zeros((2, 3, 4), dtype=np.uint8)
    img[0, 0] = (255, 255, 255, 0)  # white, transparent: alpha does not count
    img[1, 2] = (0, 255, 0, 255)
    y = luma(img)
    assert y.shape == (2, 3)
    assert abs(float(y[0, 0]) - 255.0) < 1e-3 and abs(float(y[1, 2]) - 0.7152 * 255) < 1e-3
    assert float(y[0, 1]) == 0.0
