"""sRGB ↔ linear light: the one pair of transfer functions (IEC 61966-2-1).

Vocabulary colours, sidecar colours and rendered PNGs are sRGB; shader inputs and colour mixing
are linear. Perception, a user file's objects and the renderer all convert here, so the curve
exists once. Plain numpy, no bpy; inputs broadcast (a scalar, a tuple or an image), the result
is an array.
"""

from __future__ import annotations

import numpy as np


def srgb_to_linear(rgb) -> np.ndarray:
    """sRGB in 0..1 to linear light."""
    c = np.asarray(rgb, dtype=float)
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def linear_to_srgb(linear) -> np.ndarray:
    """Linear light in 0..1 to sRGB."""
    c = np.asarray(linear, dtype=float)
    return np.where(c <= 0.0031308, 12.92 * c, 1.055 * c ** (1 / 2.4) - 0.055)


# Rec. 709 luma weights: the Y row of sRGB's XYZ matrix. Applied to linear light they give
# relative luminance; applied to 8-bit pixels, the luma the gates and the audit compare.
LUMA = np.array([0.2126, 0.7152, 0.0722])


def luma(pixels) -> np.ndarray:
    """The luma of RGB(A) pixels (any leading shape; alpha ignored), in the pixels' own scale."""
    return np.asarray(pixels)[..., :3].astype(np.float32) @ LUMA.astype(np.float32)
