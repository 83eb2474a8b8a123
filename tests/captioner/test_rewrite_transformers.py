"""The ``transformers`` rewrite backend on a tiny random-weight causal LM saved to disk.

No download: the model is built from a Qwen2Config (hidden size 32, two layers) and the trainer's
byte-level tokenizer, saved with ``save_pretrained`` and loaded back from the local path. Its
answers are garbage, so every rewrite must be rejected by the fact guard with the template kept;
forward hooks on the real model count what the backend asks of it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from diffforge.captioner.compose import caption_pair
from diffforge.captioner.rewrite import (
    TransformersBackend,
    lexicon_for,
    make_backend,
    rewrite_captions,
)
from diffforge.captioner.synthetic import synthetic_spec
from diffforge.config import RewriteConfig
from diffforge.training.model.tiny import tiny_tokenizer

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

N_CAPTIONS = 6
BATCH = 4
NEW_TOKENS = 12


@pytest.fixture(scope="module")
def tiny_lm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2-layer Qwen2 with random weights and a byte-level tokenizer, saved like a hub model."""
    tok = tiny_tokenizer()
    cfg = transformers.Qwen2Config(
        vocab_size=len(tok), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
        num_attention_heads=2, num_key_value_heads=1, max_position_embeddings=2048,
        pad_token_id=tok.pad_token_id, eos_token_id=tok.eos_token_id, bos_token_id=None,
        tie_word_embeddings=False,
    )  # fmt: skip
    torch.manual_seed(0)
    model = transformers.Qwen2ForCausalLM(cfg)
    path = tmp_path_factory.mktemp("tiny_lm")
    model.save_pretrained(path)
    tok.save_pretrained(path)
    return path


def _captions() -> tuple[list[str], list[dict[str, str]]]:
    texts, lexicons = [], []
    for i in range(N_CAPTIONS // 2):
        spec = synthetic_spec(i)
        for cap in caption_pair(spec, 2):
            texts.append(cap["text"])
            lexicons.append(lexicon_for(spec))
    return texts, lexicons


def _backend(path: Path, cache: Path) -> TransformersBackend:
    cfg = RewriteConfig(backend="transformers", model=str(path), temperature=0.0)
    backend = make_backend(
        cfg, batch_size=BATCH, max_new_tokens=NEW_TOKENS, cache_path=cache, device="cpu"
    )
    assert isinstance(backend, TransformersBackend)
    return backend


def _count_batches(backend: TransformersBackend) -> list[tuple[int, int]]:
    """(batch, length) of every forward pass of the backend's model, via a pre-hook."""
    seen: list[tuple[int, int]] = []

    def hook(_module: Any, args: tuple, kwargs: dict) -> None:
        ids = kwargs.get("input_ids", args[0] if args else None)
        if ids is None:  # generate may pass embeddings instead
            ids = kwargs["inputs_embeds"]
        seen.append((int(ids.shape[0]), int(ids.shape[1])))

    backend.model.register_forward_pre_hook(hook, with_kwargs=True)
    return seen


def test_local_model_batched_garbage_rejected_then_cached(
    tiny_lm: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    captions, lexicons = _captions()
    assert len(captions) == N_CAPTIONS
    cache = tmp_path / "llm.sqlite"

    backend = _backend(tiny_lm, cache)
    assert backend.model.config.num_hidden_layers == 2  # it is the tiny model, from the path
    forwards = _count_batches(backend)
    texts, sources, report = rewrite_captions(captions, lexicons, backend)
    backend.close()

    # Batched: a prefill of BATCH prompts, then of the rest, each followed by decode steps.
    prefills = [b for b, length in forwards if length > 1]
    assert prefills == [BATCH, N_CAPTIONS - BATCH]
    assert len(forwards) <= 2 * NEW_TOKENS  # at most NEW_TOKENS passes per batch
    # Garbage from random weights never replaces a caption: templates kept, all counted.
    assert texts == captions
    assert set(sources) <= {"rejected", "failed"}
    assert report.rejected + report.failed == N_CAPTIONS and report.rewritten == 0
    assert report.rejected == N_CAPTIONS  # answers came back; the fact guard refused them
    assert report.cached == 0 and len(report.rejections) == N_CAPTIONS

    # A rerun (a new backend on the same cache) answers from the cache: no forward pass at all.
    again = _backend(tiny_lm, cache)
    rerun = _count_batches(again)
    texts2, sources2, report2 = rewrite_captions(captions, lexicons, again)
    again.close()
    assert rerun == []
    assert report2.cached == N_CAPTIONS
    assert (texts2, sources2) == (texts, sources)
    assert report2.rejections == report.rejections  # the same garbage, from the cache


def test_generation_crash_fails_the_batch_without_losing_captions(
    tiny_lm: Path, tmp_path: Path
) -> None:
    captions, lexicons = _captions()
    backend = _backend(tiny_lm, tmp_path / "llm.sqlite")

    def boom(*_: Any, **__: Any) -> None:
        raise RuntimeError("out of memory (simulated)")

    backend.model.register_forward_pre_hook(boom)
    texts, sources, report = rewrite_captions(captions, lexicons, backend)
    backend.close()
    assert texts == captions and sources == ["failed"] * N_CAPTIONS
    assert report.failed == N_CAPTIONS and report.rejected == report.rewritten == 0
    assert "simulated" in report.errors[0]
