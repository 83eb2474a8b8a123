"""Inference checked for content: a tiny M³Diff that has memorised a few captions says them.

The other inference tests compare outputs with each other (batch == single); a model that
drops the images, swaps them in a batch, pads on the wrong side or ignores ``num_beams`` would
pass those. Here a tiny model (MDP on, all weights trained on the CPU for a few seconds) learns
five (images, prompt) -> caption pairs by heart, and must say exactly those captions after
export and ``Describer.load``, greedily and with beams, alone and in batches.

Two pairs share a prompt and differ only by the order of the same two images, so the images
and their order decide the caption. One more input was trained on three answers, "red cubes"
x3, "blue ball" x2 and "blue bell" x2: greedy decoding takes "blue" (4/7) and then one of
two halves (2/7 in all), beam search finds "red cubes" (3/7).
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
import torch
from PIL import Image

pytestmark = [pytest.mark.train, pytest.mark.slow]  # ~20 s of training
STEPS = 240


def img(rgb: tuple[int, int, int]) -> Image.Image:
    return Image.new("RGB", (40, 32), rgb)


RED, GREEN, BLUE = img((200, 30, 30)), img((30, 200, 30)), img((30, 30, 200))
YELLOW, BLACK, WHITE = img((220, 220, 40)), img((40, 40, 40)), img((245, 245, 245))
SAME = "Describe the differences."
# (before, after), prompt, caption; prompts of different lengths so batches are left-padded
MEMORISED = [
    ((RED, GREEN), SAME, "the red box turned green"),
    ((GREEN, RED), SAME, "the green box turned red"),
    ((YELLOW, BLACK), "What is different in the second image?", "the yellow light went out"),
    ((BLUE, BLUE), "Hi", "nothing has changed"),
    ((WHITE, BLUE), "What changed?", "the white wall is blue now"),
]
AMBIGUOUS = (img((0, 160, 160)), img((160, 0, 160)))
GUESS = "Guess."
ANSWERS = {"red cubes": 3, "blue ball": 2, "blue bell": 2}


@contextlib.contextmanager
def one_thread():
    """A few seconds on one thread; two threads on a shared 2-core box are several times slower."""
    was = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(was)


@pytest.fixture(scope="module")
def describer(tmp_path_factory: pytest.TempPathFactory):
    from diffforge.training.collate import PairCollator
    from diffforge.training.config import M3DiffConfig
    from diffforge.training.data.mixture import Sample
    from diffforge.training.inference import Describer
    from diffforge.training.model.build import build_model, export_final

    cfg = M3DiffConfig.model_validate({
        "model": {"backbone": "llava_onevision", "tiny": {}, "mdp": {"layers": [1, 2, 3], "heads": 2}, "dtype": "float32"},
    })  # fmt: skip
    model, tok, spec = build_model(cfg.model)
    items = [
        {"sample": Sample("t", str(i), "a", "b", prompt, caption), "images": images}
        for i, (images, prompt, caption) in enumerate(MEMORISED)
    ]
    for caption, copies in ANSWERS.items():
        sample = Sample("t", "guess", "a", "b", GUESS, caption)
        items += [{"sample": sample, "images": AMBIGUOUS}] * copies
    batch = PairCollator(tok, spec, 512)(items)
    torch.manual_seed(0)
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.0)
    model.train()
    with one_thread():
        for _ in range(STEPS):  # full-batch steps: the same inputs every time
            loss = model(**batch).loss
            loss.backward()
            opt.step()
            opt.zero_grad()
    # the floor is the ambiguous input's entropy (~1.1 nats over its few answer tokens)
    assert loss.item() < 0.2, f"the tiny model did not memorise its captions (loss {loss:.3f})"
    out = export_final(model.eval(), tok, spec, tmp_path_factory.mktemp("memorised") / "model")
    return Describer.load(Path(out), device="cpu")


def pairs_prompts_captions(rows=MEMORISED):
    return [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]


@pytest.mark.parametrize("num_beams", [1, 3])
def test_memorised_captions_come_back_alone(describer, num_beams: int) -> None:
    with one_thread():
        for images, prompt, caption in MEMORISED:
            got = describer.describe(
                [images], prompt=prompt, max_new_tokens=40, num_beams=num_beams
            )
            assert got == [caption], f"{prompt!r} with beams={num_beams}"


@pytest.mark.parametrize("num_beams", [1, 3])
@pytest.mark.parametrize("batch_size", [5, 2])
def test_memorised_captions_come_back_in_batches(describer, num_beams, batch_size) -> None:
    pairs, prompts, captions = pairs_prompts_captions()
    with one_thread():
        got = describer.describe(
            pairs, prompt=prompts, batch_size=batch_size, max_new_tokens=40, num_beams=num_beams
        )
    assert got == captions


def test_the_images_and_their_order_decide_the_caption(describer) -> None:
    """Same prompt, same two images: only their order tells these two captions apart."""
    (a, b), _, forward = MEMORISED[0]
    backward = MEMORISED[1][2]
    with one_thread():
        got = describer.describe([(a, b), (b, a)], prompt=SAME, batch_size=2, max_new_tokens=40)
    assert got == [forward, backward]


def test_beam_search_finds_the_likelier_caption_greedy_misses(describer) -> None:
    with one_thread():
        greedy = describer.describe([AMBIGUOUS], prompt=GUESS, max_new_tokens=20)[0]
        beams = describer.describe([AMBIGUOUS], prompt=GUESS, max_new_tokens=20, num_beams=3)[0]
        # and in a batch, next to the memorised pairs
        pairs, prompts, captions = pairs_prompts_captions()
        batch = describer.describe(
            [*pairs, AMBIGUOUS], prompt=[*prompts, GUESS], batch_size=6, max_new_tokens=40,
            num_beams=3,
        )  # fmt: skip
    assert greedy in ("blue ball", "blue bell"), greedy
    assert beams == "red cubes"
    assert batch == [*captions, "red cubes"]
