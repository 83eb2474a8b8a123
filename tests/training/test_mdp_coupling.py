"""MDP couples the two images of a pair: changing one changes the OTHER image's features.

That coupling is the point of MDP (the gate reads [F1‖F2], the difference ΔF feeds both images'
cross-attention); without it each image would be encoded alone, as by the plain backbone.
MDP zero-initialises its output projection, so at step 0 nothing couples: the weights are
perturbed here first. Checked on the module (each cross path on its own, and no leak across
pairs) and end to end on the three tiny backbones, where the language model's states over the
first image (which, causally, see nothing of the second image's tokens) must move when only
the second image changes.
"""

from __future__ import annotations

import pytest
import torch
from PIL import Image

from diffforge.training.model.mdp import MDP

pytestmark = pytest.mark.train
D, L, N = 16, 3, 6


def randomised(seed: int = 0) -> MDP:
    torch.manual_seed(seed)
    mdp = MDP(dim=D, num_layers=L, heads=2).eval()
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in mdp.parameters():  # the zero output included: every part now matters
            p.add_(0.3 * torch.randn(p.shape, generator=g))
    return mdp


def inputs(pairs: int = 2, seed: int = 1):
    g = torch.Generator().manual_seed(seed)
    taps1 = [torch.randn(pairs, N, D, generator=g) for _ in range(L)]
    taps2 = [torch.randn(pairs, N, D, generator=g) for _ in range(L)]
    return (
        taps1,
        taps2,
        torch.randn(pairs, N, D, generator=g),
        torch.randn(pairs, N, D, generator=g),
    )


def replace_image(taps, base, pair: int = 0, seed: int = 2):
    """One side's image of ``pair`` replaced by another image: new taps and base features."""
    g = torch.Generator().manual_seed(seed)
    taps = [t.clone() for t in taps]
    base = base.clone()
    for t in taps:
        t[pair] = torch.randn(N, D, generator=g)
    base[pair] = torch.randn(N, D, generator=g)
    return taps, base


def moved(a: torch.Tensor, b: torch.Tensor) -> float:
    return float((a - b).abs().max() / a.abs().max())


@torch.no_grad()
def coupling(mdp: MDP) -> tuple[float, float]:
    """How much image 1's output moves when image 2 of its pair changes, and how much the other
    pair's outputs move (which must be not at all)."""
    taps1, taps2, base1, base2 = inputs()
    o1, o2 = mdp(taps1, taps2, base1, base2)
    t2, b2 = replace_image(taps2, base2, pair=0)
    n1, n2 = mdp(taps1, t2, base1, b2)
    other = max(moved(o1[1], n1[1]), moved(o2[1], n2[1]))
    return moved(o1[0], n1[0]), other


def test_changing_one_image_changes_the_other_images_features() -> None:
    mdp = randomised()
    own, other_pair = coupling(mdp)
    assert own > 0.05, f"image 1 moved by {own:.2e} when image 2 changed"
    assert other_pair == 0.0, "a pair's features must not depend on another pair"
    # and the other way round: image 2's output follows image 1
    taps1, taps2, base1, base2 = inputs()
    with torch.no_grad():
        _, o2 = mdp(taps1, taps2, base1, base2)
        t1, b1 = replace_image(taps1, base1, pair=0)
        _, n2 = mdp(t1, taps2, b1, base2)
    assert moved(o2[0], n2[0]) > 0.05


def _cut_gate_cross(mdp: MDP) -> None:
    """Each image's gate reads only its own features (W_m's off-diagonal blocks zero)."""
    with torch.no_grad():
        mdp.gate[:, :D, D:] = 0
        mdp.gate[:, D:, :D] = 0


def _cut_difference(mdp: MDP) -> None:
    """ΔF constant: W_p zero (its bias left), so the cross-attention sees nothing of the pair."""
    with torch.no_grad():
        mdp.diff.zero_()


def test_the_gate_alone_couples_the_images() -> None:
    mdp = randomised()
    _cut_difference(mdp)
    own, other_pair = coupling(mdp)
    assert own > 0.05 and other_pair == 0.0, own


def test_the_difference_alone_couples_the_images() -> None:
    mdp = randomised()
    _cut_gate_cross(mdp)
    own, other_pair = coupling(mdp)
    assert own > 0.05 and other_pair == 0.0, own


def test_without_both_cross_terms_the_images_are_independent() -> None:
    """The measurement above is not vacuous: with the two cross paths cut it reads zero."""
    mdp = randomised()
    _cut_gate_cross(mdp)
    _cut_difference(mdp)
    own, _ = coupling(mdp)
    assert own == 0.0


def test_at_init_mdp_adds_nothing_so_nothing_couples() -> None:
    torch.manual_seed(0)
    own, _ = coupling(MDP(dim=D, num_layers=L, heads=2).eval())
    assert own == 0.0


# ----------------------------------------------------------------------- whole models


def _model(backbone: str, mdp: bool):
    from diffforge.training.config import M3DiffConfig
    from diffforge.training.model.build import build_model

    size = 64 if backbone == "qwen2_5_vl" else 32
    cfg = M3DiffConfig.model_validate({
        "model": {"backbone": backbone, "tiny": {"image_size": size}, "mdp": {"enabled": mdp, "layers": [1, 2, 4], "heads": 2}, "dtype": "float32"},
    })  # fmt: skip
    model, tok, spec = build_model(cfg.model)
    if mdp:
        g = torch.Generator().manual_seed(3)
        with torch.no_grad():
            for name, p in model.named_parameters():
                if ".mdp." in f".{name}":
                    p.add_(0.1 * torch.randn(p.shape, generator=g))
    return model.eval(), tok, spec


def _picture(seed: int) -> Image.Image:
    g = torch.Generator().manual_seed(seed)
    return Image.fromarray(
        torch.randint(0, 255, (48, 40, 3), generator=g, dtype=torch.uint8).numpy()
    )


def _first_image_states(model, tok, spec, second: Image.Image) -> torch.Tensor:
    """Final hidden states of the tokens up to the second image's span (causally blind to it)."""
    from diffforge.training.collate import PairCollator
    from diffforge.training.data.mixture import Sample

    collator = PairCollator(tok, spec, 512)
    item = {
        "sample": Sample("t", "0", "a", "b", "What changed?", "x"),
        "images": (_picture(1), second),
    }
    batch = collator([item])
    batch.pop("labels")
    ids = batch["input_ids"][0].tolist()
    span = list(collator.span)
    starts = [i for i in range(len(ids) - len(span) + 1) if ids[i : i + len(span)] == span]
    assert len(starts) == 2, "one image span per image"
    with torch.no_grad():
        out = model(**batch, output_hidden_states=True)
    return out.hidden_states[-1][0, : starts[1]]


@pytest.mark.parametrize("backbone", ["llava_onevision", "qwen2_5_vl", "internvl3"])
def test_the_second_image_reaches_the_first_images_tokens_only_through_mdp(backbone) -> None:
    plain = _model(backbone, mdp=False)
    a, b = (_first_image_states(*plain, _picture(s)) for s in (2, 3))
    torch.testing.assert_close(a, b, rtol=0, atol=1e-6)  # the backbone alone: independent
    with_mdp = _model(backbone, mdp=True)
    a, b = (_first_image_states(*with_mdp, _picture(s)) for s in (2, 3))
    assert moved(a, b) > 0.01, f"{backbone}: the first image's tokens ignore the second image"
