"""How far apart two colours look: sRGB to CIELAB (D65) and the CIEDE2000 difference.

Shared by the colour operator (it draws a new colour far from the old one) and the render's
contrast gate (the target's mean visible colour must change by a perceptible amount), so both
judge "visible" on the same scale. Plain numpy; inputs broadcast (…×3).
"""

from __future__ import annotations

import functools

import numpy as np

from diffforge.srgb import linear_to_srgb, srgb_to_linear

_XYZ_FROM_LINEAR = np.array(
    [[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]
)
_D65 = np.array([0.95047, 1.0, 1.08883])


def srgb_to_lab(rgb) -> np.ndarray:
    """sRGB in 0..1 (…×3) to CIELAB L*, a*, b*."""
    xyz = srgb_to_linear(rgb) @ _XYZ_FROM_LINEAR.T / _D65
    f = np.where(xyz > 216 / 24389, np.cbrt(xyz), (24389 / 27 * xyz + 16) / 116)
    return np.stack(
        [116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])],
        axis=-1,
    )


def delta_e2000(lab1, lab2) -> np.ndarray:
    """CIEDE2000 colour difference (Sharma, Wu and Dalal's formulation); about 2 is a just
    noticeable difference side by side, and saturated hues weigh less than in plain ΔE*ab."""
    lab1, lab2 = np.asarray(lab1, dtype=float), np.asarray(lab2, dtype=float)
    l1, a1, b1 = lab1[..., 0], lab1[..., 1], lab1[..., 2]
    l2, a2, b2 = lab2[..., 0], lab2[..., 1], lab2[..., 2]
    c_mean = (np.hypot(a1, b1) + np.hypot(a2, b2)) / 2
    g = 0.5 * (1 - np.sqrt(c_mean**7 / (c_mean**7 + 25.0**7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = np.hypot(a1p, b1), np.hypot(a2p, b2)
    h1p = np.degrees(np.arctan2(b1, a1p)) % 360
    h2p = np.degrees(np.arctan2(b2, a2p)) % 360
    chroma = c1p * c2p
    dh = h2p - h1p
    dh = np.where(dh > 180, dh - 360, np.where(dh < -180, dh + 360, dh))
    dh = np.where(chroma == 0, 0.0, dh)
    d_big_h = 2 * np.sqrt(chroma) * np.sin(np.radians(dh / 2))
    l_mean, cp_mean = (l1 + l2) / 2, (c1p + c2p) / 2
    h_sum = h1p + h2p
    h_mean = np.where(
        chroma == 0,
        h_sum,
        np.where(
            np.abs(h1p - h2p) <= 180,
            h_sum / 2,
            np.where(h_sum < 360, (h_sum + 360) / 2, (h_sum - 360) / 2),
        ),
    )
    t = (
        1
        - 0.17 * np.cos(np.radians(h_mean - 30))
        + 0.24 * np.cos(np.radians(2 * h_mean))
        + 0.32 * np.cos(np.radians(3 * h_mean + 6))
        - 0.20 * np.cos(np.radians(4 * h_mean - 63))
    )
    d_theta = 30 * np.exp(-(((h_mean - 275) / 25) ** 2))
    r_c = 2 * np.sqrt(cp_mean**7 / (cp_mean**7 + 25.0**7))
    s_l = 1 + 0.015 * (l_mean - 50) ** 2 / np.sqrt(20 + (l_mean - 50) ** 2)
    s_c, s_h = 1 + 0.045 * cp_mean, 1 + 0.015 * cp_mean * t
    r_t = -np.sin(np.radians(2 * d_theta)) * r_c
    dl, dc, dhh = (l2 - l1) / s_l, (c2p - c1p) / s_c, d_big_h / s_h
    return np.sqrt(dl**2 + dc**2 + dhh**2 + r_t * dc * dhh)


def colour_distance(rgb1, rgb2) -> float:
    """CIEDE2000 between two sRGB colours (0..1). Kept per pair: the sampler asks the same
    named colours' distances for every colour draw."""
    a = tuple(float(c) for c in np.ravel(rgb1))
    b = tuple(float(c) for c in np.ravel(rgb2))
    return _colour_distance(a, b)


@functools.lru_cache(maxsize=65536)
def _colour_distance(rgb1: tuple[float, ...], rgb2: tuple[float, ...]) -> float:
    return float(delta_e2000(srgb_to_lab(np.array(rgb1)), srgb_to_lab(np.array(rgb2))))


def mixed_colour(parts: list[tuple[tuple[float, float, float], float]]) -> np.ndarray:
    """The mean sRGB colour (0..1) of surfaces with these colours and area weights, averaged
    in linear light: what a recoloured object looks like from afar, its fixed parts included."""
    lin = srgb_to_linear([c for c, _ in parts])
    w = np.array([a for _, a in parts], dtype=float)
    return linear_to_srgb((lin * w[:, None]).sum(axis=0) / w.sum())


def mean_labs(image: np.ndarray, mask: np.ndarray, n_ids: int) -> np.ndarray:
    """Mean CIELAB of each mask id's pixels (``n_ids`` x 3; rows of absent ids are 0),
    averaged in Lab like the colour gate (``gating.mean_lab``)."""
    lab = srgb_to_lab(image[..., :3].reshape(-1, 3).astype(np.float64) / 255.0)
    flat = mask.ravel()
    n = max(n_ids, int(flat.max(initial=0)) + 1)
    counts = np.maximum(np.bincount(flat, minlength=n), 1)
    return np.stack(
        [np.bincount(flat, weights=lab[:, k], minlength=n) / counts for k in range(3)], axis=1
    )


def stored_lab(row) -> list[float]:
    """A mean CIELAB row as the render facts store it (``lab``: one decimal)."""
    return [round(float(v), 1) for v in row]
