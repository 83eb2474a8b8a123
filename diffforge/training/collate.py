"""From samples to model inputs: image preprocessing, chat prompts, labels only on the answer, and
truncation that trims the caption (then the prompt) but never an image span. What differs per
backbone (image span, pixel layout, chat format) comes from its registry entry."""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import torch
from PIL import Image

from diffforge.training.data.base import DataError
from diffforge.training.data.mixture import Sample
from diffforge.training.model.image_spec import ImageSpec
from diffforge.training.model.registry import get_backbone

log = logging.getLogger(__name__)
IGNORE = -100


def load_image(path: str, mode: str = "RGB") -> Image.Image | None:
    """The image in ``mode``, or None when the file is missing or cannot be decoded."""
    try:
        with Image.open(path) as im:
            return im.convert(mode)
    except (OSError, ValueError, Image.DecompressionBombError):
        return None


def pixels(img: Image.Image, spec: ImageSpec) -> np.ndarray:
    """(3, S, S) float32: bicubic resize to a square, rescale, normalise (as the HF processors)."""
    arr = np.asarray(img.resize((spec.size, spec.size), Image.BICUBIC), dtype=np.float32) / 255.0
    arr = (arr - np.array(spec.mean, np.float32)) / np.array(spec.std, np.float32)
    return arr.transpose(2, 0, 1)


def load_mask(path: str | None) -> Image.Image | None:
    """A change mask as a grey image (nonzero = changed), or None when absent or unreadable."""
    return load_image(path, "L") if path is not None else None


def patch_targets(mask: Image.Image, spec: ImageSpec) -> np.ndarray:
    """(grid*grid,) float32 in raster order: 1 where any pixel of the patch changed, after the
    same square resize the image gets (so a patch's target matches what the ViT sees there)."""
    g = spec.size // spec.patch
    arr = np.asarray(mask.resize((spec.size, spec.size), Image.NEAREST)) > 0
    arr = arr[: g * spec.patch, : g * spec.patch].reshape(g, spec.patch, g, spec.patch)
    return arr.any(axis=(1, 3)).reshape(-1).astype(np.float32)


class PairDataset(torch.utils.data.Dataset):
    """Samples with their decoded images. A missing or corrupt image is skipped and counted: the
    next sample is used instead, so a bad file never stops a run."""

    def __init__(self, samples: list[Sample], change_masks: bool = False) -> None:
        self.samples = samples
        self.change_masks = change_masks  # also decode each pair's change mask (None if absent)
        self.skipped: set[int] = set()

    def __len__(self) -> int:
        return len(self.samples)

    def __getitem__(self, idx: int) -> dict[str, Any]:
        for k in range(len(self.samples)):
            i = (idx + k) % len(self.samples)
            s = self.samples[i]
            a, b = load_image(s.first), load_image(s.second)
            if a is not None and b is not None:
                item: dict[str, Any] = {"sample": s, "images": (a, b)}
                if self.change_masks:
                    item["change_mask"] = load_mask(s.change_mask)
                return item
            if i not in self.skipped:
                self.skipped.add(i)
                log.warning(
                    "skipping %s/%s: unreadable image (%d skipped so far)",
                    s.source,
                    s.pair_id,
                    len(self.skipped),
                )
        raise DataError("no readable image pair in the training data")


class PairCollator:
    """Turns ``PairDataset`` items into a padded batch for one backbone."""

    def __init__(
        self, tokenizer: Any, spec: ImageSpec, max_length: int, change_targets: bool = False
    ) -> None:
        self.tok = tokenizer
        self.spec = spec
        self.max_length = max_length
        self.change_targets = change_targets  # add per-patch change targets from the masks
        self.backbone = get_backbone(spec.backbone)
        self.chat = self.backbone.chat
        ids = tokenizer.convert_tokens_to_ids
        self.pad = (
            tokenizer.pad_token_id
            if tokenizer.pad_token_id is not None
            else ids(self.chat.pad_fallback)
        )
        self.eos = ids(self.chat.eos)
        self.span = self.backbone.image_span(ids, spec)

    def _text(self, text: str) -> list[int]:
        return self.tok(text, add_special_tokens=False)["input_ids"]

    def encode(
        self, prompt: str, answer: str | None, turns: tuple[tuple[str, str], ...] = ()
    ) -> tuple[list[int], list[int]]:
        """input_ids and labels of one sample (answer None: a generation prompt). ``turns``: the
        later (prompt, answer) exchanges of a multi-turn conversation; every answer (and its
        eos) is labelled, every prompt and the chat text around it masked. Over
        ``max_length``, whole later exchanges are dropped from the end first."""
        head = self._text(self.chat.head)
        nl = self._text("\n")
        body = self._text(prompt)
        tail = self._text(self.chat.tail)
        ans = [*self._text(answer), self.eos] if answer is not None else []
        fixed = len(head) + 2 * (len(self.span) + len(nl)) + len(tail)
        if fixed + 1 > self.max_length:
            raise DataError(
                f"data.max_length {self.max_length} leaves no room beyond the {fixed} prompt and image tokens"
            )
        later: list[tuple[list[int], list[int]]] = []  # (masked prefix, labelled answer)
        if answer is not None:
            for p, a in turns:
                later.append(
                    (self._text(self.chat.turn) + self._text(p) + tail, [*self._text(a), self.eos])
                )
        room = self.max_length - fixed - len(body) - len(ans)
        while later and sum(len(x) + len(y) for x, y in later) > room:
            later.pop()
        over = fixed + len(body) + len(ans) - self.max_length
        if over > 0 and ans:  # trim the caption first, keeping at least one token
            cut = min(over, len(ans) - 1)
            ans = ans[: len(ans) - cut]
            over -= cut
        if over > 0:  # then the prompt text; never an image span
            body = body[: max(0, len(body) - over)]
        prefix = head + self.span + nl + self.span + nl + body + tail
        ids, labels = prefix + ans, [IGNORE] * len(prefix) + ans
        for masked, labelled in later:
            ids += masked + labelled
            labels += [IGNORE] * len(masked) + labelled
        return ids, labels

    def image_inputs(self, images: list[Image.Image]) -> dict[str, torch.Tensor]:
        """Pixel tensors and the backbone's metadata, for images in pair order."""
        return self.backbone.image_inputs([pixels(im, self.spec) for im in images], self.spec)

    def __call__(self, items: list[dict[str, Any]]) -> dict[str, torch.Tensor]:
        seqs = [
            self.encode(it["sample"].prompt, it["sample"].answer, it["sample"].turns)
            for it in items
        ]
        width = max(len(ids) for ids, _ in seqs)
        input_ids = torch.full((len(seqs), width), self.pad, dtype=torch.long)
        labels = torch.full((len(seqs), width), IGNORE, dtype=torch.long)
        mask = torch.zeros((len(seqs), width), dtype=torch.long)
        for i, (ids, lab) in enumerate(seqs):  # right padding
            input_ids[i, : len(ids)] = torch.tensor(ids)
            labels[i, : len(lab)] = torch.tensor(lab)
            mask[i, : len(ids)] = 1
        images = [im for it in items for im in it["images"]]
        batch = {
            "input_ids": input_ids,
            "attention_mask": mask,
            "labels": labels,
            **self.image_inputs(images),
        }
        if self.change_targets:
            batch.update(self.change_inputs([it.get("change_mask") for it in items]))
        return batch

    def change_inputs(self, masks: list[Image.Image | None]) -> dict[str, torch.Tensor]:
        """``change_targets`` (pairs, patches, in the order MDP sees the patches) and
        ``change_valid`` (pairs,): which pairs have a mask. The trainer pops both before the forward pass."""
        g = self.spec.size // self.spec.patch
        order = self.backbone.raster_order(self.spec)  # MDP's token order (Qwen: merge units)
        targets = np.zeros((len(masks), g * g), np.float32)
        for i, m in enumerate(masks):
            if m is not None:
                targets[i] = patch_targets(m, self.spec)[order]
        return {
            "change_targets": torch.from_numpy(targets),
            "change_valid": torch.tensor([m is not None for m in masks]),
        }
