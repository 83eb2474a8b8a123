"""Data for training: loaders of each released IDC format (files parsed by diffforge.formats,
shared with evaluation), the mixture, prompts, datasets."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from diffforge.errors import valid_names
from diffforge.training.data.base import DataError, Loaded, Pair
from diffforge.training.data.public import (
    load_clevr_change,
    load_clevr_dc,
    load_iedit,
    load_spot_the_diff,
)
from diffforge.training.data.text_formats import load_birds_to_words, load_diffforge, load_llava
from diffforge.training.data.toy import ensure_toy_dataset


def load_toy(path: Path, images: Path | None = None) -> Loaded:
    """The procedural toy dataset (written to ``path`` on first use), read as a diffforge dir."""
    loaded = load_diffforge(ensure_toy_dataset(path), images)
    loaded.format = "toy"
    return loaded


LOADERS: dict[str, Callable[..., Loaded]] = {
    "toy": load_toy,
    "diffforge": load_diffforge,
    "clevr_change": load_clevr_change,
    "clevr_dc": load_clevr_dc,
    "spot_the_diff": load_spot_the_diff,
    "iedit": load_iedit,
    "birds_to_words": load_birds_to_words,
    "llava": load_llava,
}
FORMATS: tuple[str, ...] = tuple(LOADERS)


def load_pairs(fmt: str, path: Path, images: Path | None = None) -> Loaded:
    """Load a dataset in one of FORMATS; DataError for an unknown format or a bad file."""
    if fmt not in LOADERS:
        raise DataError(f"unknown data format {fmt!r}; {valid_names(FORMATS)}")
    path = Path(path)
    if not path.exists() and fmt != "toy":
        raise DataError(f"{path}: not found")
    return LOADERS[fmt](path, images)


__all__ = ["FORMATS", "LOADERS", "DataError", "Loaded", "Pair", "load_pairs"]
