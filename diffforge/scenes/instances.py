"""Turn an asset into an object instance: scale, colour, material, text and pose draws."""

from __future__ import annotations

import functools

import numpy as np

from diffforge.config import TextConfig
from diffforge.scenes.assets.shapes import draw_shape, variants
from diffforge.scenes.model import Attributes, ObjectInstance, Pose, TextContent, Transform
from diffforge.scenes.perception import _XYZ_FROM_LINEAR
from diffforge.srgb import srgb_to_linear
from diffforge.vocabulary import CLOTHING_WORDS, COLORS, size_word

# Scale ranges (relative to the asset's nominal size) by how the asset is placed.
SCALE_RANGES: dict[str, tuple[float, float]] = {
    "floor": (0.9, 1.1),
    "ground": (0.9, 1.1),
    "surface": (0.75, 1.3),
    "wall": (0.85, 1.15),
    "hanging": (0.9, 1.1),
    "person": (0.93, 1.07),
}
CLEVR_SCALES = (0.7, 1.4)  # CLEVR's two sizes: small and large
CLEVR_COLORS = ("gray", "red", "blue", "green", "brown", "purple", "cyan", "yellow")
CLEVR_MATERIALS = ("rubber", "metal")
TEXT_COLORS = ("black", "white", "red", "blue", "yellow", "green")
# Letters need this luminance contrast ratio against their board (WCAG's 3:1 for large text):
# yellow on white or blue on green passed a name check and read as a blur when rendered.
MIN_TEXT_CONTRAST = 3.0


def choose(rng: np.random.Generator, options):
    """One element of a sequence (np.choice would turn strings into numpy scalars)."""
    options = list(options)
    return options[int(rng.integers(len(options)))]


def misspell(rng: np.random.Generator, word: str) -> str:
    """A plausible typo (swap, drop or double a letter), like OmniDiff's "Cautiuos" signs."""
    letters = [i for i, c in enumerate(word) if c.isalpha()]
    if len(letters) < 3:
        return word
    i = letters[int(rng.integers(1, len(letters) - 1))]
    kind = int(rng.integers(3))
    if kind == 0 and i + 1 < len(word) and word[i + 1].isalpha() and word[i] != word[i + 1]:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == 1:
        return word[:i] + word[i + 1 :]
    return word[:i] + word[i] + word[i:]


def draw_text(rng: np.random.Generator, cfg: TextConfig, avoid: str | None = None) -> str:
    """A sign's string from the configured vocabulary, misspelt at the configured rate."""
    words = [w for w in cfg.vocabulary if w != avoid] or list(cfg.vocabulary)
    word = choose(rng, words)
    if rng.random() < cfg.misspelling_rate:
        word = misspell(rng, word)
    return word if word != avoid else word + "!"


def _luminance(name: str) -> float:
    return float(srgb_to_linear(COLORS[name]) @ _XYZ_FROM_LINEAR[1])  # Y, relative luminance


def contrast_ratio(a: str, b: str) -> float:
    """WCAG contrast ratio of two named colours (1 = none, 21 = black on white)."""
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def text_colors(board_color: str | None) -> list[str]:
    """The letter colours that read on a board of this colour (all of them on a board of no
    named colour; the most contrasting one where none reaches ``MIN_TEXT_CONTRAST``)."""
    return list(_text_colors(board_color))


@functools.lru_cache(maxsize=256)
def _text_colors(board_color: str | None) -> tuple[str, ...]:
    return tuple(_readable_colors(board_color))


def _readable_colors(board_color: str | None) -> list[str]:
    if board_color not in COLORS:
        return [c for c in TEXT_COLORS if c != board_color]
    ratios = {c: contrast_ratio(c, board_color) for c in TEXT_COLORS}
    return [c for c in TEXT_COLORS if ratios[c] >= MIN_TEXT_CONTRAST] or [
        max(ratios, key=ratios.__getitem__)
    ]


def draw_text_content(rng: np.random.Generator, cfg: TextConfig, board_color: str | None):
    color = choose(rng, text_colors(board_color))
    return TextContent(
        string=draw_text(rng, cfg), font=choose(rng, cfg.fonts), color=color, rgb=COLORS[color]
    )


def is_person(spec) -> bool:
    return spec.type == "rig" or "person" in spec.tags


def clothing_parts(spec) -> list[str]:
    """The clothes a person asset declares as recolourable material slots ("top", "bottom")."""
    return [p for p in CLOTHING_WORDS if p in spec.material_slots]


def instantiate(
    rng: np.random.Generator,
    spec,
    obj_id: str,
    text_cfg: TextConfig,
    location=(0.0, 0.0, 0.0),
    yaw: float = 0.0,
    support: str = "floor",
    scale: float | None = None,
    color: str | None = None,
) -> ObjectInstance:
    """A new instance of ``spec`` (an AssetSpec) with freshly drawn appearance."""
    clevr = "clevr" in spec.tags
    drawn = scale is None
    if scale is None:
        if clevr:
            scale = float(choose(rng, CLEVR_SCALES))
        else:
            lo, hi = SCALE_RANGES["person" if is_person(spec) else spec.placement]
            scale = float(rng.uniform(lo, hi))
    attrs = Attributes(size=size_word(scale))
    pose = None
    if is_person(spec):
        from diffforge.scenes.assets.characters import POSES

        worn = clothing_parts(spec)
        if worn:  # colours only for clothes the manifest declares (a rig may wear none)
            picks = rng.choice(list(COLORS), size=len(worn), replace=False)
            attrs.clothing = {part: str(c) for part, c in zip(worn, picks, strict=True)}
        name = choose(rng, sorted(POSES))
        pose = Pose(name=name, bones={k: tuple(v) for k, v in POSES[name].items()})
    elif spec.material_slots:
        palette = CLEVR_COLORS if clevr else (spec.colors or list(COLORS))
        attrs.color = color or choose(rng, palette)
        attrs.rgb = COLORS[attrs.color]
        materials = CLEVR_MATERIALS if clevr else (spec.materials or [spec.default_material])
        attrs.material = choose(rng, materials)
    else:
        attrs.color = spec.default_color
        attrs.rgb = COLORS.get(spec.default_color) if spec.default_color else None
        attrs.material = spec.default_material
    text = None
    if spec.text_anchor is not None:
        text = draw_text_content(rng, text_cfg, attrs.color)
    shape = draw_shape(rng, spec)
    if drawn and shape and is_person(spec):  # a body variant is as tall as its params say
        from diffforge.scenes.assets.characters import body_scale

        scale = body_scale(scale, float(variants(spec)[shape].get("height", 1.0)))
        attrs.size = size_word(scale)
    sx, sy, sz = spec.size
    return ObjectInstance(
        id=obj_id,
        asset=spec.id,
        shape=shape,
        category=spec.category,
        noun=spec.noun,
        attributes=attrs,
        transform=Transform(location=tuple(location), rotation=(0.0, 0.0, yaw), scale=scale),
        dimensions=(sx * scale, sy * scale, sz * scale),
        support=support,
        text=text,
        pose=pose,
        tags=list(spec.tags),
    )
