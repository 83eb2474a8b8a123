"""The backbone registry is the single source of backbone knowledge: every registered backbone works
from its own module alone, unknown names fail in one line, and no other module names a backbone."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import torch
from PIL import Image

from diffforge.errors import ConfigError
from diffforge.training.collate import PairCollator
from diffforge.training.config import TinyConfig, load_train_config
from diffforge.training.data.mixture import Sample
from diffforge.training.model.registry import (
    BACKBONE_NAMES,
    DEFAULT_BACKBONE,
    all_backbones,
    backbone_for_model_type,
    get_backbone,
)
from diffforge.training.model.tiny import tiny_config, tiny_tokenizer

pytestmark = pytest.mark.train
PACKAGE = Path(__file__).resolve().parents[2] / "diffforge"
MODEL = PACKAGE / "training" / "model"


@pytest.mark.parametrize("name", BACKBONE_NAMES)
def test_each_backbone_runs_mdp_from_its_own_tiny_config(name: str) -> None:
    backbone = get_backbone(name)
    t = TinyConfig()
    tok = tiny_tokenizer(t)
    hf = tiny_config(name, t, tok)
    hf.mdp = {"layers": [1, t.vision_layers], "heads": 2, "dropout": 0.0}
    torch.manual_seed(0)
    model = backbone.model_class(hf).eval()
    spec = backbone.image_spec(hf, t.image_size)
    assert spec.backbone == name and spec.tokens > 0
    red, blue = Image.new("RGB", (40, 30), (200, 0, 0)), Image.new("RGB", (40, 30), (0, 0, 200))
    item = {
        "sample": Sample("t", "0", "a", "b", "What changed?", "it is blue"),
        "images": (red, blue),
    }
    batch = PairCollator(tok, spec, max_length=512)([item])
    calls: list[int] = []
    model.model.mdp.register_forward_hook(lambda *_: calls.append(1))
    with torch.no_grad():
        out = model(**batch)
    assert calls == [1]  # one pair, one MDP pass
    assert out.logits.shape[:2] == batch["input_ids"].shape and torch.isfinite(out.loss)


def test_registry_entries_are_consistent() -> None:
    backbones = all_backbones()
    assert [b.name for b in backbones] == list(BACKBONE_NAMES)
    assert DEFAULT_BACKBONE in BACKBONE_NAMES
    modules = sorted(p.stem for p in (MODEL / "backbones").glob("*.py") if p.stem != "__init__")
    assert modules == sorted(BACKBONE_NAMES)  # one module per backbone, each registered
    assert len({b.model_type for b in backbones}) == len(backbones)
    vocab = tiny_tokenizer().get_vocab()
    for b in backbones:
        assert backbone_for_model_type(b.model_type) is b
        assert all(t in vocab for t in b.special_tokens), b.name
        assert list(b.mdp_layers) == sorted(set(b.mdp_layers)) and b.mdp_layers[0] > 0
    assert backbone_for_model_type("bert") is None


def test_unknown_backbone_is_a_one_line_config_error() -> None:
    with pytest.raises(ConfigError) as err:
        get_backbone("gpt2")
    msg = str(err.value)
    assert "\n" not in msg and "'gpt2'" in msg
    assert msg.endswith("valid: " + ", ".join(sorted(BACKBONE_NAMES)))
    with pytest.raises(ConfigError) as err:  # in a training config: the same words as a Literal
        load_train_config(None, ["model.backbone=gpt2", "model.tiny={}"])
    quoted = [f"'{n}'" for n in BACKBONE_NAMES]
    expected = f"Input should be {', '.join(quoted[:-1])} or {quoted[-1]}, found 'gpt2'"
    # blamed on the --set item that gave the value, not on a config file
    assert str(err.value) == f"--set model.backbone=gpt2: model.backbone: {expected}"


def _backbone_words() -> re.Pattern[str]:
    words = {w for b in all_backbones() for w in (b.name, b.model_type)}
    return re.compile("|".join(sorted(map(re.escape, words))), re.IGNORECASE)


# Branching on a backbone name: `backbone == "..."`, `.backbone != '...'`, `backbone in ("...",`.
NAME_BRANCH = re.compile(r"backbone\s*(==|!=|\bin\b)\s*[(\[{]?\s*[\"']")


def test_only_backbone_modules_and_the_registry_name_backbones() -> None:
    allowed = {MODEL / "registry.py", *(MODEL / "backbones").glob("*.py")}
    words = _backbone_words()
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path in allowed:
            continue
        for n, line in enumerate(path.read_text().splitlines(), 1):
            if words.search(line) or NAME_BRANCH.search(line):
                offenders.append(f"{path.relative_to(PACKAGE.parent)}:{n}: {line.strip()}")
    assert not offenders, "backbone names outside the backbone modules:\n" + "\n".join(offenders)


def test_the_name_check_catches_a_branch() -> None:
    assert NAME_BRANCH.search('    if spec.backbone == "qwen2_5_vl":')
    assert NAME_BRANCH.search("elif backbone in ('internvl3', 'x'):")
    assert _backbone_words().search("from transformers import InternVLConfig")
    assert not NAME_BRANCH.search("backbone = get_backbone(cfg.backbone)")
