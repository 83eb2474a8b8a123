"""Colour the renderer needs: shader RGBA from an sRGB colour, and each light's RGB."""

from __future__ import annotations

from diffforge.scenes.lighting import light_rgb as light_color
from diffforge.srgb import srgb_to_linear

__all__ = ["light_color", "linear_rgba"]


def linear_rgba(rgb: tuple[float, float, float]) -> tuple[float, float, float, float]:
    """A shader's RGBA input (scene-linear) for an sRGB colour (the vocabulary's)."""
    r, g, b = srgb_to_linear(rgb).tolist()
    return (r, g, b, 1.0)
