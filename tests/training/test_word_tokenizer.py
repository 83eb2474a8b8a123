"""The word-level tokenizer of tiny models: vocabulary from the training captions, exact round
trips, <unk> for unseen words, and the same tokenizer back from a trained checkpoint."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pytestmark = pytest.mark.train
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def toy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from diffforge.training.data.toy import ensure_toy_dataset

    return ensure_toy_dataset(tmp_path_factory.mktemp("toy") / "data")


def _config(toy: Path, *extra: str):
    from diffforge.training.config import load_train_config

    return load_train_config(REPO / "configs/train/tiny.yaml", [
        f"data.sources.0.path={toy}", "data.sources.0.format=diffforge",
        "model.tiny.tokenizer=words", *extra,
    ])  # fmt: skip


def _captions(toy: Path, split: str) -> list[str]:
    from diffforge.training.data import load_pairs

    return [c for p in load_pairs("diffforge", toy).split(split) for c in p.captions]


def test_vocab_from_training_captions(toy: Path) -> None:
    from diffforge.training.model.tiny import byte_tokenizer, tiny_tokenizer, words_of

    cfg = _config(toy)
    assert cfg.model.tiny.vocab_from[0].path == toy  # defaults to data.sources
    tok = tiny_tokenizer(cfg.model.tiny)
    words = cfg.model.tiny.words  # resolved into the config
    # far fewer tokens than the byte-level tokenizer's alphabet (plus the same specials)
    assert words and len(tok) < len(byte_tokenizer()) / 2
    vocab = tok.get_vocab()
    train_words = {w for c in _captions(toy, "train") for w in words_of(c)}
    assert train_words <= set(words) <= set(vocab)
    assert tok.unk_token == "<unk>"
    # a word-level config's embedding matches its vocabulary, rounded up to 64
    from diffforge.training.model.tiny import tiny_config

    hf = tiny_config("llava_onevision", cfg.model.tiny, tok)
    assert hf.text_config.vocab_size == -(-len(tok) // 64) * 64


def test_round_trip_and_unknown_words(toy: Path) -> None:
    from diffforge.training.model.tiny import tiny_tokenizer

    tok = tiny_tokenizer(_config(toy).model.tiny)
    for caption in _captions(toy, "train")[:20]:
        ids = tok(caption, add_special_tokens=False)["input_ids"]
        assert tok.unk_token_id not in ids
        assert len(ids) < len(caption.encode()) / 2  # words, not bytes
        assert tok.decode(ids) == caption
    ids = tok("the qwxzy cube", add_special_tokens=False)["input_ids"]
    assert tok.convert_ids_to_tokens(ids)[1] == "<unk>"
    assert tok.decode(ids, skip_special_tokens=True).split()[0] == "the"
    # the chat template's words are always known, and specials stay single tokens
    template = "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\n"
    ids = tok(template, add_special_tokens=False)["input_ids"]
    assert tok.unk_token_id not in ids
    assert tok.convert_ids_to_tokens(ids)[0] == "<|im_start|>"


def test_bytes_stay_the_default() -> None:
    from diffforge.training.config import TinyConfig
    from diffforge.training.model.tiny import model_vocab_size, tiny_tokenizer

    t = TinyConfig()
    tok = tiny_tokenizer(t)
    assert t.tokenizer == "bytes" and t.words is None
    assert model_vocab_size(t, tok) == 320
    assert tok.decode(tok("héllo", add_special_tokens=False)["input_ids"]) == "héllo"


@pytest.mark.slow
def test_saved_and_reloaded_with_checkpoint(toy: Path, tmp_path: Path) -> None:
    from diffforge.training.data import load_pairs
    from diffforge.training.inference import Describer
    from diffforge.training.trainer import run_training

    data = tmp_path / "data"  # a private copy, deleted before reloading
    shutil.copytree(toy, data)
    out = tmp_path / "run"
    cfg = _config(data, f"train.output_dir={out}", "train.max_steps=2", "train.save_steps=2",
                  "train.global_batch=4", "train.report_to=[none]", "train.progress_bar=false")  # fmt: skip
    run_training(cfg)
    words = cfg.model.tiny.words
    assert words
    probe = _captions(data, "test")[0] + " qwxzy"
    pair = load_pairs("diffforge", data).split("test")[0]
    kept = tmp_path / "images"
    kept.mkdir()
    images = tuple(shutil.copy(p, kept / Path(p).name) for p in (pair.before, pair.after))
    shutil.rmtree(data)  # reloading must not need the training data
    expected = None
    for model_dir in (out / "final", out / "checkpoint-2"):
        d = Describer.load(model_dir)
        vocab = d.tokenizer.get_vocab()
        assert set(words) <= set(vocab)
        assert len(vocab) == len(set(words) | set(d.tokenizer.all_special_tokens))
        ids = d.tokenizer(probe, add_special_tokens=False)["input_ids"]
        assert ids[-1] == d.tokenizer.unk_token_id
        expected = expected or ids
        assert ids == expected  # the export and the training checkpoint agree
        (caption,) = d.describe([images], max_new_tokens=6)
        assert isinstance(caption, str)
