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
