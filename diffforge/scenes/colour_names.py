"""Which vocabulary colour names fit a lit surface's colour: what a viewer may call it.

A rendered surface shows its albedo times the light reaching it, brighter or darker, plus a
veil of reflected light; a viewer still calls a shaded blue box blue, but calls a beige car
under a red façade's light salmon. A name fits a measured colour (CIELAB) when some exposure
of the name's colour, with some neutral veil over it, comes within reach of the measured one
(``residual``), as close as the best-fitting name's within ``NAME_TOLERANCE``. The contrast
gate's region gives the measured colour (its mean Lab, ``gating.mean_lab``); the colour change
checks its drawn names against it, and the sampler against the colour it predicts
(``lighting.lit_srgb``). Plain numpy.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from diffforge.scenes.perception import delta_e2000, srgb_to_lab
from diffforge.srgb import linear_to_srgb, srgb_to_linear
from diffforge.vocabulary import COLORS

# The exposures (times the albedo, linear) and neutral veils (linear, added) a surface may show
# under white light: from a dark corner to a highlight, from matte to a glossy sheen.
EXPOSURES = np.geomspace(0.02, 4.0, 18)
VEILS = np.array([0.0, 0.03, 0.08, 0.2])
NAMES = tuple(COLORS)
# A name fits where its residual is within this CIEDE2000 of the best name's (calibrated on
# renders of the 14 colours under white and tinted light: tests/render/test_lit_colour_names.py)
NAME_TOLERANCE = 8.0
# A predicted colour is judged looser: on those renders' 70 colours the light model then calls
# 2 misnamed that the render shows fit (an amber light's white and purple; 8 at NAME_TOLERANCE)
# and misses 4 the gate catches. The sampler avoids what is clearly misnamed; the gate decides.
PREDICTED_TOLERANCE = 10.0
# Names of light colours: darkened, they become other colours to a viewer (a pink cabinet in
# dim light, mean sRGB 102,47,55 at L* 27, read "dark crimson"; a beige glass table at L* 25
# "dark brown"; std48e review), although some exposure of the name's colour comes close.
# The least CIELAB L* a surface needs to be given the name.
LIGHT_NAMES_MIN_L = {"pink": 40.0, "beige": 40.0, "white": 45.0}


def _appearances() -> np.ndarray:
    """Lab of every name at every exposure and veil: (names, exposures × veils, 3)."""
    lin = srgb_to_linear(np.array([COLORS[n] for n in NAMES]))
    shown = lin[:, None, None, :] * EXPOSURES[None, :, None, None] + VEILS[None, None, :, None]
    lab = srgb_to_lab(linear_to_srgb(np.clip(shown, 0.0, 1.0)))
    return lab.reshape(len(NAMES), -1, 3)


_LABS = _appearances()


def residuals(lab) -> dict[str, float]:
    """Per vocabulary name: CIEDE2000 from ``lab`` to the closest way that colour can look."""
    de = delta_e2000(_LABS, np.asarray(lab, dtype=float)[None, None, :])
    return dict(zip(NAMES, de.min(axis=1).tolist(), strict=True))


# How much darker (CIELAB L*) an object's pixels look, on average over its whole outline,
# than ``lighting.lit_srgb`` predicts for its lit face: shaded sides and, for metal, the dark
# surroundings it reflects (median over 2,029 objects of the 200-pair standard set seed 2300:
# matte -12.6, glossy -14.7, metallic -25.2; a pink metal cabinet read maroon, pair 38).
OUTLINE_DARKENING = {"metallic": 25.0}
OUTLINE_DARKENING_DEFAULT = 13.0


def outline_lab(lab, look: str | None):
    """A predicted lit colour (``lab``) as the object's whole outline shows it on average, for
    a material of this look (``vocabulary.MATERIAL_LOOKS``): darker by ``OUTLINE_DARKENING``."""
    out = np.array(lab, dtype=float)
    out[..., 0] -= OUTLINE_DARKENING.get(look or "", OUTLINE_DARKENING_DEFAULT)
    return out


def light_enough(lab, name: str) -> bool:
    """Whether ``lab`` is light enough to carry ``name`` (``LIGHT_NAMES_MIN_L``)."""
    return float(np.asarray(lab, dtype=float)[0]) >= LIGHT_NAMES_MIN_L.get(name, 0.0)


def fitting_names(lab, tolerance: float = NAME_TOLERANCE) -> list[str]:
    """The names a viewer may give a surface of colour ``lab``, best first."""
    res = residuals(lab)
    best = min(res.values())
    return sorted(
        (n for n, r in res.items() if r <= best + tolerance and light_enough(lab, n)),
        key=res.__getitem__,
    )


def name_fits(lab, name: str, tolerance: float = NAME_TOLERANCE) -> bool:
    """Whether ``name`` is among ``fitting_names(lab)``."""
    res = residuals(lab)
    return res[name] <= min(res.values()) + tolerance and light_enough(lab, name)


def srgb_name_fits(rgb, name: str) -> bool:
    """Whether ``name`` fits a predicted lit colour (sRGB 0..1, ``lighting.lit_srgb``), within
    ``PREDICTED_TOLERANCE``. Kept per colour to two decimals (the sampler asks again for every
    draw in a scene)."""
    key = tuple(round(float(c), 2) for c in np.asarray(rgb, dtype=float).ravel())
    return _fits_cached(key, name)


@lru_cache(maxsize=65536)
def _fits_cached(rgb: tuple[float, float, float], name: str) -> bool:
    return name_fits(srgb_to_lab(np.asarray(rgb)), name, PREDICTED_TOLERANCE)
