"""Training loaders of the line/tabular formats: diffforge dataset dirs, Birds-to-Words TSV,
LLaVA JSON (parsed by ``diffforge.formats``, like the JSON formats in ``public``)."""

from __future__ import annotations

from pathlib import Path

from diffforge.formats import birds_to_words, diffforge, llava
from diffforge.training.data.base import Loaded
from diffforge.training.data.public import to_loaded


def load_diffforge(path: Path, images: Path | None = None) -> Loaded:
    """Our dataset directory (or its pairs file), read through ``diffforge.dataset``."""
    return to_loaded(diffforge.read(path), images)


def load_birds_to_words(path: Path, images: Path | None = None) -> Loaded:
    """Birds-to-Words TSV: rows with the same two image URLs form one pair."""
    return to_loaded(birds_to_words.read(path), images)


def load_llava(path: Path, images: Path | None = None) -> Loaded:
    """LLaVA-style two-image conversations; the gpt turn is the caption, the human turn the prompt."""
    return to_loaded(llava.read(path), images)
