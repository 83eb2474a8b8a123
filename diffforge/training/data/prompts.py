"""Instruction templates per dataset. Captions stay as released; the prompt tells the model which
kind of text the source wants (an edit request for IEdit, a paragraph for Birds-to-Words...)."""

from __future__ import annotations

GENERIC = (
    "Describe the differences between the two images.",
    "What has changed from the first image to the second?",
    "Point out what is different in the second image compared with the first.",
)

DEFAULT_PROMPTS: dict[str, tuple[str, ...]] = {
    "diffforge": (
        "Describe the differences between the two images: first say where the changed object is, then what changed.",
        *GENERIC,
    ),
    "clevr_change": (
        "Describe the change between the two images of objects, ignoring changes of viewpoint and lighting.",
        *GENERIC,
    ),
    "clevr_dc": (
        "The two images show the same scene from different viewpoints. Describe what changed.",
        *GENERIC,
    ),
    "spot_the_diff": (
        "Describe what is different between these two surveillance frames.",
        *GENERIC,
    ),
    "iedit": (
        "Write the image-editing request that turns the first image into the second.",
        "What edit was applied to the first image to obtain the second?",
    ),
    "birds_to_words": (
        "Describe how the bird in the first image differs from the bird in the second.",
        "Write a paragraph comparing the two birds.",
    ),
    "llava": GENERIC,
}

# Used when a sample's images are presented in swapped order: the caption still describes
# before -> after, so the prompt says which image is which.
SWAPPED_PROMPT = (
    "The first image is the AFTER image and the second is the BEFORE image. "
    "Describe what changed from before to after."
)


def prompts_for(fmt: str, override: list[str] | None = None) -> tuple[str, ...]:
    """The prompts a source uses: its config override or the format's defaults."""
    if override:
        return tuple(override)
    return DEFAULT_PROMPTS.get(fmt, GENERIC)
