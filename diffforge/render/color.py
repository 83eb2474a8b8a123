"""Colour the renderer needs: shader RGBA from an sRGB colour, and each light's RGB."""

from __future__ import annotations

from diffforge.scenes.lighting import kelvin_to_rgb
from diffforge.scenes.model import Light
from diffforge.srgb import srgb_to_linear


def linear_rgba(rgb: tuple[float, float, float]) -> tuple[float, float, float, float]:
    """A shader's RGBA input (scene-linear) for an sRGB colour (the vocabulary's)."""
    r, g, b = srgb_to_linear(rgb).tolist()
    return (r, g, b, 1.0)


def light_color(light: Light) -> tuple[float, float, float]:
    """The light's RGB: an explicit non-white ``rgb`` wins, else the colour of its temperature.

    Layouts and illumination changes set either an ``rgb`` derived from the temperature or only
    the temperature; this rule renders both conventions the same and never applies both.
    """
    if tuple(light.rgb) != (1.0, 1.0, 1.0):
        return tuple(float(c) for c in light.rgb)  # type: ignore[return-value]
    return kelvin_to_rgb(light.temperature)
