"""What every backbone's adapter shares: MDP settings from the HF config, building MDP, swapping
MDP's output into the projector's input, and the M³Diff model's construction.

MDP settings live in the HF config (``config.mdp``), so ``from_pretrained`` rebuilds them. Pairs
are the consecutive images of a sample: (0, 1), (2, 3), ...
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from diffforge.training.model.mdp import MDP


def mdp_settings(config: Any) -> dict | None:
    """The ``mdp`` entry of an HF config ({layers, heads, dropout}) or None (plain backbone)."""
    mdp = getattr(config, "mdp", None)
    return mdp if isinstance(mdp, dict) and mdp.get("layers") else None


def build_mdp(config: Any, dim: int, depth: int) -> MDP | None:
    """MDP for a vision tower of ``depth`` layers of width ``dim`` (initialised), or None
    without settings."""
    s = mdp_settings(config)
    if s is None:
        return None
    bad = [i for i in s["layers"] if not 0 < i <= depth]
    if bad:
        raise ValueError(f"MDP layers {bad} outside the vision tower's 1..{depth}")
    mdp = MDP(
        dim, len(s["layers"]), s.get("heads", 8), s.get("dropout", 0.0), s.get("change_head", False)
    )
    mdp.reset_parameters()  # zero output: step 0 equals the base model
    return mdp


class MDPInit:
    """Mixin for the inner models: MDP's own init (zero output) also when loading a base checkpoint."""

    def _init_weights(self, module: nn.Module) -> None:
        super()._init_weights(module)  # type: ignore[misc]
        if isinstance(module, MDP):
            module.reset_parameters()


def apply_mdp(
    mdp: MDP, taps: list[torch.Tensor], base: torch.Tensor, first: list[int], second: list[int]
) -> torch.Tensor:
    """Replace the rows ``first``/``second`` of ``base`` (images, tokens, dim) by MDP's output."""
    if not first:
        return base
    i1 = torch.tensor(first, device=base.device)
    i2 = torch.tensor(second, device=base.device)
    new1, new2 = mdp([t[i1] for t in taps], [t[i2] for t in taps], base[i1], base[i2])
    return base.index_copy(0, i1, new1).index_copy(0, i2, new2)


def init_with_inner(model: nn.Module, base: type, inner: type, config: Any) -> None:
    """``base.__init__`` with our MDP inner model in place of theirs (built once, not twice)."""
    super(base, model).__init__(config)
    model.model = inner(config)
    model.lm_head = nn.Linear(
        config.text_config.hidden_size, config.text_config.vocab_size, bias=False
    )
    model.post_init()
