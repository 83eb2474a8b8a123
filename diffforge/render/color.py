"""Colour maths the renderer needs: sRGB to linear, and each light's RGB."""

from __future__ import annotations

from diffforge.scenes.lighting import kelvin_to_rgb
from diffforge.scenes.model import Light

# Material classes the renderer knows: the vocabulary's object materials (plastic, metal, wood,
# ceramic, fabric, rubber, glass) plus surface classes used by rooms and streets. "metal" is
# brushed metal; "metal_polished" a mirror-like one.
MATERIAL_CLASSES = (
    "plastic", "rubber", "wood", "fabric", "leather", "metal", "metal_polished", "ceramic",
    "glass", "paper", "brick", "concrete", "asphalt", "tiles",
)  # fmt: skip


def srgb_to_linear(c: float) -> float:
    """Shader inputs are scene-linear; vocabulary colours are sRGB."""
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def linear_rgba(rgb: tuple[float, float, float]) -> tuple[float, float, float, float]:
    return (*(srgb_to_linear(float(c)) for c in rgb), 1.0)


def light_color(light: Light) -> tuple[float, float, float]:
    """The light's RGB: an explicit non-white ``rgb`` wins, else the colour of its temperature.

    Layouts and illumination changes set either an ``rgb`` derived from the temperature or only
    the temperature; this rule renders both conventions the same and never applies both.
    """
    if tuple(light.rgb) != (1.0, 1.0, 1.0):
        return tuple(float(c) for c in light.rgb)  # type: ignore[return-value]
    return kelvin_to_rgb(light.temperature)
