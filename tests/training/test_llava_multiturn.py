"""LLaVA JSON (OmniDiff's training format): multi-turn conversations train every assistant turn,
with the prompts and chat text masked; a record's subset is kept for per-subset evaluation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from tiny_train import tiny

from diffforge.training.collate import IGNORE, ImageSpec, PairCollator, PairDataset
from diffforge.training.data import load_pairs
from diffforge.training.data.mixture import Source, mixture_epoch
from diffforge.training.model.tiny import tiny_tokenizer

pytestmark = pytest.mark.train

ANSWERS = ("the red cube is gone.", "it was at the left.", "yes, one.")
RECORDS = [
    {"id": "single", "image": ["a.png", "b.png"], "subset": "Real",
     "conversations": [{"from": "human", "value": "<image>\n<image>\nWhat changed?"},
                       {"from": "gpt", "value": "a mug was added."}]},
    {"id": "multi", "images": ["a.png", "b.png"], "source": "Render",
     "conversations": [{"from": "human", "value": "<image>\n<image>\nWhat changed?"},
                       {"from": "gpt", "value": ANSWERS[0]},
                       {"from": "human", "value": "Where was it?"},
                       {"from": "gpt", "value": ANSWERS[1]},
                       {"from": "user", "value": "Was anything else removed?"},
                       {"from": "assistant", "value": ANSWERS[2]}]},
]  # fmt: skip


@pytest.fixture
def llava(tmp_path: Path, placeholder) -> Path:
    for name in ("a.png", "b.png"):
        placeholder(tmp_path / name)
    path = tmp_path / "omnidiff_train.json"
    path.write_text(json.dumps(RECORDS))
    return path


def test_reader_keeps_every_turn_and_the_subset(llava: Path) -> None:
    loaded = load_pairs("llava", llava)
    single, multi = loaded.pairs
    assert (single.captions, single.turns, single.subset) == (("a mug was added.",), (), "Real")
    assert multi.captions == (ANSWERS[0],) and multi.prompt == "What changed?"
    assert multi.turns == (
        ("What changed?", ANSWERS[0]),
        ("Where was it?", ANSWERS[1]),
        ("Was anything else removed?", ANSWERS[2]),
    )
    assert multi.subset == "Render"


def test_every_assistant_turn_is_labelled(llava: Path) -> None:
    tok = tiny_tokenizer()
    pairs = load_pairs("llava", llava).pairs
    samples = {s.pair_id: s for s in mixture_epoch([Source("o", pairs, ("p",), swap_prob=1.0)], 0)}
    multi = samples["multi"]
    assert not multi.swapped and samples["single"].swapped  # conversations are never swapped
    assert multi.turns == (
        ("Where was it?", ANSWERS[1]),
        ("Was anything else removed?", ANSWERS[2]),
    )
    col = PairCollator(tok, ImageSpec("llava_onevision", 32, 8, 17), max_length=512)
    ids, labels = col.encode(multi.prompt, multi.answer, multi.turns)
    runs, cur = [], []
    for t, lab in zip(ids, labels, strict=True):
        if lab != IGNORE:
            assert lab == t
            cur.append(t)
        elif cur:
            runs.append(tok.decode(cur))
            cur = []
    runs += [tok.decode(cur)] if cur else []
    assert runs == [f"{a}<|im_end|>" for a in ANSWERS]  # each answer and its eos, nothing else
    text = tok.decode(ids)
    assert "<|im_end|>\n<|im_start|>user\nWhere was it?<|im_end|>\n<|im_start|>assistant\n" in text
    # too long for all turns: later exchanges go first, whole; the first answer stays labelled
    short = PairCollator(tok, col.spec, max_length=len(ids) - 5)
    ids2, labels2 = short.encode(multi.prompt, multi.answer, multi.turns)
    kept = tok.decode([t for t, lab in zip(ids2, labels2, strict=True) if lab != IGNORE])
    assert kept == f"{ANSWERS[0]}<|im_end|>{ANSWERS[1]}<|im_end|>" and len(ids2) <= len(ids) - 5


def test_a_tiny_model_trains_on_a_conversation(llava: Path, tmp_path: Path) -> None:
    """The real tiny LLaVA-OneVision takes the batch: the loss covers the three answers."""
    from diffforge.training.model.build import build_model

    cfg = tiny(tmp_path)
    model, tok, spec = build_model(cfg.model)
    pairs = load_pairs("llava", llava).pairs
    samples = mixture_epoch([Source("o", pairs, ("p",))], 0)
    ds = PairDataset(samples)
    batch = PairCollator(tok, spec, 256)([ds[i] for i in range(len(ds))])
    multi = next(i for i, s in enumerate(samples) if s.pair_id == "multi")
    labelled = (batch["labels"][multi] != IGNORE).sum().item()
    assert labelled == sum(len(tok(a, add_special_tokens=False)["input_ids"]) + 1 for a in ANSWERS)
    loss = model(**batch).loss
    assert torch.isfinite(loss)
    loss.backward()
