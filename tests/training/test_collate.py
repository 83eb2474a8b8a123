"""Collation: labels only on the answer; captions (then prompts) are trimmed, never image spans."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from diffforge.training.collate import IGNORE, ImageSpec, PairCollator, PairDataset
from diffforge.training.data.base import DataError
from diffforge.training.data.mixture import Sample
from diffforge.training.model.backbones.qwen2_5_vl import patches as qwen_patches
from diffforge.training.model.tiny import tiny_tokenizer

pytestmark = pytest.mark.train


@pytest.fixture(scope="module")
def tok():
    return tiny_tokenizer()


def spans(ids: list[int], token: int) -> list[int]:
    """Lengths of the runs of ``token`` in ids."""
    runs, n = [], 0
    for i in [*ids, None]:
        if i == token:
            n += 1
        elif n:
            runs.append(n)
            n = 0
    return runs


@pytest.mark.parametrize(
    "backbone,token",
    [
        ("llava_onevision", "<image>"),
        ("qwen2_5_vl", "<|image_pad|>"),
        ("internvl3", "<IMG_CONTEXT>"),
    ],
)
def test_labels_on_answer_and_truncation_keeps_images(tok, backbone: str, token: str) -> None:
    spec = ImageSpec(backbone, 32, 8, 17)
    img = tok.convert_tokens_to_ids(token)
    col = PairCollator(tok, spec, max_length=512)
    ids, labels = col.encode("What changed?", "the red cube moved.")
    assert spans(ids, img) == [17, 17]
    answer = [t for t, lab in zip(ids, labels, strict=True) if lab != IGNORE]
    assert tok.decode(answer) == "the red cube moved.<|im_end|>"
    assert ids[-len(answer) :] == answer
    full = len(ids)
    # 10 tokens too long: the caption loses 10 tokens, images intact
    short = PairCollator(tok, spec, max_length=full - 10)
    ids2, labels2 = short.encode("What changed?", "the red cube moved.")
    assert len(ids2) == full - 10 and spans(ids2, img) == [17, 17]
    assert sum(lab != IGNORE for lab in labels2) == len(answer) - 10
    # far too long: the caption keeps one token, then the prompt text is trimmed; images intact
    tight = PairCollator(tok, spec, max_length=full - len(answer) - 5)
    ids3, labels3 = tight.encode("What changed?", "the red cube moved.")
    assert len(ids3) == full - len(answer) - 5 and spans(ids3, img) == [17, 17]
    assert sum(lab != IGNORE for lab in labels3) == 1
    with pytest.raises(DataError, match=r"data\.max_length 40 leaves no room"):
        PairCollator(tok, spec, max_length=40).encode("What changed?", "x")


def test_batch_padding_and_pixels(tok) -> None:
    spec = ImageSpec("llava_onevision", 32, 8, 17)
    col = PairCollator(tok, spec, 256)
    img = Image.new("RGB", (50, 40), (255, 0, 0))
    items = [
        {"sample": Sample("s", str(i), "a", "b", "Q?", "ans" * (i + 1)), "images": (img, img)}
        for i in range(3)
    ]
    b = col(items)
    assert b["pixel_values"].shape == (6, 1, 3, 32, 32)
    assert b["batch_num_images"].tolist() == [2, 2, 2]
    assert (b["attention_mask"].sum(1)[1:] - b["attention_mask"].sum(1)[:-1]).tolist() == [3, 3]
    assert (b["labels"][b["attention_mask"] == 0] == IGNORE).all()


def test_qwen_patch_layout_matches_hf_processor() -> None:
    from transformers.models.qwen2_vl.image_processing_pil_qwen2_vl import Qwen2VLImageProcessorPil

    spec = ImageSpec("qwen2_5_vl", 56, 14, 4)
    chw = np.random.default_rng(0).standard_normal((3, 56, 56)).astype(np.float32)
    ours = qwen_patches(chw, spec)
    ref, gh, gw = Qwen2VLImageProcessorPil().patchify(
        chw, patch_size=14, merge_size=2, temporal_patch_size=2
    )
    assert (gh, gw) == (4, 4)
    np.testing.assert_array_equal(ours, ref)


def test_corrupt_and_missing_images_are_skipped_and_counted(tmp_path: Path, placeholder) -> None:
    colours = [(200, 40, 40), (40, 40, 200)]  # told apart, so the images' order shows
    good = [placeholder(tmp_path / f"g{i}.png", color=c) for i, c in enumerate(colours)]
    (tmp_path / "bad.png").write_bytes(b"not a png")
    samples = [
        Sample("s", "0", str(good[0]), str(good[1]), "Q", "a"),
        Sample("s", "1", str(tmp_path / "bad.png"), str(good[1]), "Q", "b"),
        Sample("s", "2", str(tmp_path / "missing.png"), str(good[1]), "Q", "c"),
        Sample("s", "3", str(good[1]), str(good[0]), "Q", "d"),
    ]
    ds = PairDataset(samples)
    got = [ds[i]["sample"].pair_id for i in range(4)]
    assert got == ["0", "3", "3", "3"] and ds.skipped == {1, 2}

    def shown(i: int) -> list[tuple[int, int, int]]:
        images = ds[i]["images"]
        assert all(isinstance(im, Image.Image) for im in images)
        return [im.convert("RGB").getpixel((0, 0)) for im in images]

    assert shown(0) == colours  # sample 0: its own files, before then after
    assert shown(1) == shown(3) == colours[::-1]  # a skipped sample serves sample 3's pair
