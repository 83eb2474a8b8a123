"""Mixture proportions and determinism; training config loading, overrides and errors."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest

from diffforge.errors import ConfigError
from diffforge.training.config import load_train_config
from diffforge.training.data.base import Pair
from diffforge.training.data.mixture import Source, mixture_epoch, proportions, source_count
from diffforge.training.data.prompts import SWAPPED_PROMPT

pytestmark = pytest.mark.train

REPO = Path(__file__).resolve().parents[2]


def pairs(name: str, n: int) -> list[Pair]:
    return [
        Pair(
            f"{name}{i}",
            "train",
            Path(f"{name}{i}_b.png"),
            Path(f"{name}{i}_a.png"),
            (f"{name} cap {i}", f"{name} alt {i}"),
            name,
        )
        for i in range(n)
    ]


def test_an_epoch_is_every_caption_once() -> None:
    """The default (seed Table 9): each (pair, caption) is one sample, natural proportions."""
    many = [replace(p, captions=tuple(f"b {i} {k}" for k in range(5))) for i, p in enumerate(pairs("b", 10))]  # fmt: skip
    srcs = [Source("a", pairs("a", 30), ("pa",)), Source("b", many, ("pb",))]
    samples = mixture_epoch(srcs, seed=1)
    assert Counter(s.source for s in samples) == {"a": 60, "b": 50}
    assert Counter((s.pair_id, s.answer) for s in samples).most_common(1)[0][1] == 1
    assert {s.answer for s in samples if s.source == "b"} == {c for p in many for c in p.captions}
    assert [source_count(s) for s in srcs] == [60, 50]
    again = mixture_epoch(srcs, seed=1, epoch=1)  # the same samples, in another order
    assert sorted((s.pair_id, s.answer) for s in again) == sorted((s.pair_id, s.answer) for s in samples)  # fmt: skip
    assert [s.answer for s in again] != [s.answer for s in samples]


def test_one_caption_per_pair_draws_a_caption_per_epoch() -> None:
    src = Source("a", pairs("a", 200), ("pa",), captions="one_per_pair")
    one, two = mixture_epoch([src], seed=0), mixture_epoch([src], seed=0, epoch=1)
    assert len(one) == 200 and len({s.pair_id for s in one}) == 200
    assert 0.4 < sum(" alt " in s.answer for s in one) / 200 < 0.6  # either caption
    assert {s.pair_id: s.answer for s in one} != {s.pair_id: s.answer for s in two}


def test_captions_mode_is_a_config_key(tmp_path: Path) -> None:
    f = tmp_path / "c.yaml"
    f.write_text("model: {tiny: {}}\ndata: {sources: [{format: toy, path: x}]}\n")
    assert load_train_config(f).data.sources[0].captions == "all"
    cfg = load_train_config(f, ["data.sources.0.captions=one_per_pair"])
    assert cfg.data.sources[0].captions == "one_per_pair"
    with pytest.raises(ConfigError, match=r"data.sources.0.captions: .*'all' or 'one_per_pair'"):
        load_train_config(f, ["data.sources.0.captions=some"])


def test_mixture_weights_and_caps_hold_exactly() -> None:
    """Weights up- or down-sample a source's samples (here one per pair, to count pairs)."""
    one = {"captions": "one_per_pair"}
    srcs = [
        Source("a", pairs("a", 300), ("pa",), weight=1.0, **one),
        Source("b", pairs("b", 200), ("pb",), weight=0.5, **one),  # a random half
        Source("c", pairs("c", 40), ("pc",), weight=2.5, **one),  # each twice + half again
        Source("d", pairs("d", 500), ("pd",), weight=1.0, cap=100, **one),
    ]
    samples = mixture_epoch(srcs, seed=7)
    counts = Counter(s.source for s in samples)
    assert counts == {"a": 300, "b": 100, "c": 100, "d": 100}
    assert proportions(samples) == {"a": 0.5, "b": 1 / 6, "c": 1 / 6, "d": 1 / 6}
    assert [source_count(s) for s in srcs] == [300, 100, 100, 100]
    c_ids = Counter(s.pair_id for s in samples if s.source == "c")
    assert sorted(set(c_ids.values())) == [2, 3] and sum(v == 3 for v in c_ids.values()) == 20
    assert len({s.pair_id for s in samples if s.source == "a"}) == 300  # weight 1: every pair once
    assert all(s.prompt == f"p{s.source}" for s in samples)
    assert all(s.answer.startswith(s.source) for s in samples)


def test_mixture_is_deterministic_and_shuffled() -> None:
    srcs = [Source("a", pairs("a", 50), ("pa",)), Source("b", pairs("b", 50), ("pb",))]
    one, two = mixture_epoch(srcs, seed=3), mixture_epoch(srcs, seed=3)
    assert one == two
    assert mixture_epoch(srcs, seed=3, epoch=1) != one
    assert mixture_epoch(srcs, seed=4) != one
    assert [s.source for s in one[:20]].count("a") not in (0, 20)  # interleaved, not blocked


def test_mixture_swap_presents_after_first() -> None:
    src = Source("a", pairs("a", 2000), ("pa",), swap_prob=0.25)
    samples = mixture_epoch([src], seed=0)
    swapped = [s for s in samples if s.swapped]
    assert 0.22 < len(swapped) / len(samples) < 0.28
    assert all(s.first.endswith("_a.png") and s.prompt == SWAPPED_PROMPT for s in swapped)
    assert all(s.first.endswith("_b.png") for s in samples if not s.swapped)


def test_pairs_without_captions_are_not_sampled() -> None:
    ps = [*pairs("a", 4), Pair("x", "train", Path("x"), Path("y"), (), "a")]
    assert len(mixture_epoch([Source("a", ps, ("p",))], seed=0)) == 8  # 2 captions each
    assert len(mixture_epoch([Source("a", ps, ("p",), captions="one_per_pair")], seed=0)) == 4


def test_config_files_load_and_override(tmp_path: Path) -> None:
    for f in sorted((REPO / "configs" / "train").glob("*.yaml")):
        load_train_config(f)
    cfg = load_train_config(
        REPO / "configs/train/tiny.yaml", ["train.max_steps=3", "model.mdp=false", "optim.vit_lr=0"]
    )
    assert cfg.train.max_steps == 3 and not cfg.model.mdp.enabled and cfg.optim.vit_lr == 0
    paper = load_train_config(REPO / "configs/train/m3diff_llava_ov_7b.yaml")
    assert (paper.lora.r, paper.lora.alpha, paper.optim.lr, paper.optim.vit_lr) == (
        128,
        256,
        1e-5,
        2e-6,
    )
    assert (paper.train.global_batch, paper.train.epochs, paper.optim.warmup_ratio) == (
        256,
        1.0,
        0.03,
    )
    assert paper.model.mdp_layers() == [17, 20, 23, 26]


def test_config_errors_name_the_key(tmp_path: Path) -> None:
    f = tmp_path / "c.yaml"
    f.write_text("model: {tiny: {}}\ntrain: {micro_bach: 2}\n")
    with pytest.raises(ConfigError, match=r"c.yaml: train.micro_bach: unknown key"):
        load_train_config(f)
    f.write_text("model: {tiny: {}}\ndata: {sources: [{format: coco, path: x}]}\n")
    with pytest.raises(ConfigError, match=r"data.sources.0.format: unknown format 'coco'"):
        load_train_config(f)
    f.write_text("model: {backbone: llava_onevision}\n")
    with pytest.raises(ConfigError, match=r"model.path \(weights\) or model.tiny"):
        load_train_config(f)
    with pytest.raises(
        ConfigError, match=r"train.micro_batch: Input should be greater than or equal to 1"
    ):
        load_train_config(f, ["model.tiny={}", "train.micro_batch=0"])
