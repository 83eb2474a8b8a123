"""Multi-scale Differential Perception (MDP), the module M³Diff adds in front of the projector.

For each tapped ViT layer i and the two images k = 1, 2 of a pair:
    λ_k = σ(W_m[F1‖F2]),  F̂_k = λ_k ⊙ F_k                      (gated modulation)
    ΔF = W_p[F̂1‖F̂2‖F̂1−F̂2]                                    (difference projection)
    F̃_k = G + CrossAttn(G, ΔF),  G = F̂_k + SelfAttn(F̂_k)      (fusion, residual)
    score_i = softmax_i(MLP(mean_tokens(F̃_k^i)))                (per-layer scores)
    F′_k = Σ_i score_i ⊙ F̃_k^i
and image k's features become ``base_k + W_o F′_k`` (same token count). ``W_o`` starts at zero,
so at step 0 the model is exactly its backbone. Gates and projections are per layer; the two
attention blocks are shared across layers so all layers and both images run as one batch.

With ``change_head``, a linear probe reads each layer's ΔF per patch and leaves its logits in
``change_logits`` (L, P, N) for the trainer's auxiliary change-mask loss: captions alone are a weak
signal for *where* two renders differ, and the masks say it per patch.
"""

from __future__ import annotations

import torch
from torch import nn


class MDP(nn.Module):
    def __init__(
        self,
        dim: int,
        num_layers: int,
        heads: int = 8,
        dropout: float = 0.0,
        change_head: bool = False,
    ) -> None:
        super().__init__()
        heads = max(h for h in range(1, heads + 1) if dim % h == 0)
        self.num_layers = num_layers
        self.gate = nn.Parameter(torch.empty(num_layers, 2 * dim, 2 * dim))  # W_m per layer
        self.gate_bias = nn.Parameter(torch.zeros(num_layers, 2 * dim))
        self.diff = nn.Parameter(torch.empty(num_layers, 3 * dim, dim))  # W_p per layer
        self.diff_bias = nn.Parameter(torch.zeros(num_layers, dim))
        self.norm_self = nn.LayerNorm(dim)
        self.self_attn = nn.MultiheadAttention(dim, heads, dropout=dropout, batch_first=True)
        self.norm_q = nn.LayerNorm(dim)
        self.norm_kv = nn.LayerNorm(dim)
        self.cross_attn = nn.MultiheadAttention(dim, heads, dropout=dropout, batch_first=True)
        hidden = max(16, dim // 4)
        self.score = nn.Sequential(nn.Linear(dim, hidden), nn.GELU(), nn.Linear(hidden, 1))
        self.norm_out = nn.LayerNorm(dim)
        self.out = nn.Linear(dim, dim)
        self.change_head = nn.Linear(dim, 1) if change_head else None
        self.change_logits: torch.Tensor | None = None  # of the last forward, with change_head
        self.reset_parameters()

    @torch.no_grad()
    def reset_parameters(self) -> None:
        """Xavier for the gates/projections (gates start near 0.5) and a zero output."""
        for w in (self.gate, self.diff):  # xavier per layer slice, on the whole parameter
            bound = (6.0 / (w.shape[1] + w.shape[2])) ** 0.5
            nn.init.uniform_(w, -bound, bound)
        self.gate_bias.zero_()
        self.diff_bias.zero_()
        for mod in (self.self_attn, self.cross_attn):
            mod._reset_parameters()
        for m in self.score:
            if isinstance(m, nn.Linear):
                nn.init.xavier_uniform_(m.weight)
                nn.init.zeros_(m.bias)
        for ln in (self.norm_self, self.norm_q, self.norm_kv, self.norm_out):
            ln.reset_parameters()
        nn.init.zeros_(self.out.weight)
        nn.init.zeros_(self.out.bias)
        if self.change_head is not None:
            self.change_head.reset_parameters()

    def forward(
        self,
        taps1: list[torch.Tensor],
        taps2: list[torch.Tensor],
        base1: torch.Tensor,
        base2: torch.Tensor,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """taps*: per tapped layer, (P, N, D) features of the first / second images of P pairs;
        base*: the (P, N, D) features the projector would see. Returns the new base1, base2."""
        f1 = torch.stack(taps1)  # (L, P, N, D)
        f2 = torch.stack(taps2)
        L, P, N, D = f1.shape
        dtype = f1.dtype
        gate = torch.sigmoid(
            torch.einsum("lpnc,lcd->lpnd", torch.cat([f1, f2], -1), self.gate.to(dtype))
            + self.gate_bias[:, None, None].to(dtype)
        )
        h1, h2 = f1 * gate[..., :D], f2 * gate[..., D:]
        delta = torch.einsum(
            "lpnc,lcd->lpnd", torch.cat([h1, h2, h1 - h2], -1), self.diff.to(dtype)
        ) + self.diff_bias[:, None, None].to(dtype)
        if self.change_head is not None:
            self.change_logits = self.change_head(delta).squeeze(-1).float()
        x = torch.cat([h1, h2], 1).reshape(L * 2 * P, N, D)  # layers x images x pairs as one batch
        kv = self.norm_kv(torch.cat([delta, delta], 1).reshape(L * 2 * P, N, D))
        q = self.norm_self(x)
        x = x + self.self_attn(q, q, q, need_weights=False)[0]
        x = x + self.cross_attn(self.norm_q(x), kv, kv, need_weights=False)[0]
        x = x.reshape(L, 2 * P, N, D)
        scores = torch.softmax(self.score(x.mean(2)), dim=0)  # (L, 2P, 1): weights over layers
        fused = (scores[:, :, None] * x).sum(0)  # (2P, N, D)
        update = self.out(self.norm_out(fused))
        return base1 + update[:P].to(base1.dtype), base2 + update[P:].to(base2.dtype)


def change_mask_loss(
    logits: torch.Tensor, targets: torch.Tensor, valid: torch.Tensor
) -> torch.Tensor:
    """Class-balanced BCE of per-patch change logits (L, P, N) against 0/1 targets (P, N), over the
    pairs marked ``valid``: changed and unchanged patches weigh half each within an image, so a
    one-patch change is not drowned by 63 quiet ones. Zero (with a graph) when no pair is valid."""
    valid = valid.to(logits.device)
    if not bool(valid.any()):
        return logits.sum() * 0.0
    x = logits[:, valid]
    t = targets.to(x.device, x.dtype)[valid].expand_as(x)
    bce = nn.functional.binary_cross_entropy_with_logits(x, t, reduction="none")
    pos, neg = t.sum(-1, keepdim=True), (1 - t).sum(-1, keepdim=True)
    weight = t / pos.clamp(min=1) + (1 - t) / neg.clamp(min=1)
    classes = (pos > 0).to(x.dtype) + (neg > 0).to(x.dtype)
    return ((weight * bce).sum(-1, keepdim=True) / classes).mean()
