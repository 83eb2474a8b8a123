"""``ImageSpec``: how a backbone wants one image. Its own module so that the collator and the
backbone modules (which build specs) can both import it without importing each other."""

from __future__ import annotations

from dataclasses import dataclass

CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
CLIP_STD = (0.26862954, 0.26130258, 0.27577711)


@dataclass(frozen=True)
class ImageSpec:
    """Square side, normalisation and token span of one image for the backbone ``backbone``.

    Saved as ``image_spec.json`` with every checkpoint, so its fields (and their order) are a
    file format: ``merge``/``temporal`` matter only to backbones that patch by merge units."""

    backbone: str
    size: int
    patch: int
    tokens: int  # placeholder tokens per image
    mean: tuple[float, ...] = CLIP_MEAN
    std: tuple[float, ...] = CLIP_STD
    merge: int = 2  # spatial merge (patches per side of a merge unit)
    temporal: int = 2  # temporal patch (frames per patch; a still image is repeated)
