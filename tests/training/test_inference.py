"""Inference (`describe`) and model-driven evaluation on tiny CPU models (no downloads)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from diffforge.errors import DiffforgeError

pytestmark = pytest.mark.train
REPO = Path(__file__).resolve().parents[2]
needs_java = pytest.mark.skipif(shutil.which("java") is None, reason="the COCO toolkit needs Java")
# prompts of different lengths, so a batch needs padding
PROMPTS = [
    "Describe the differences between the two images.",
    "What changed?",
    "Point out what is different in the second image compared with the first, in one sentence.",
    "Hi",
    "What has changed from the first image to the second?",
    "Describe.",
]


@pytest.fixture(scope="module")
def toy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from diffforge.training.data.toy import ensure_toy_dataset

    return ensure_toy_dataset(tmp_path_factory.mktemp("toy") / "data")


@pytest.fixture(scope="module")
def test_pairs(toy: Path) -> list:
    from diffforge.training.data import load_pairs

    return load_pairs("diffforge", toy).split("test")


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory, toy: Path) -> Path:
    """A tiny M³Diff trained for 2 steps (LoRA + MDP + ViT): its output_dir."""
    from diffforge.training.config import load_train_config
    from diffforge.training.trainer import run_training

    out = tmp_path_factory.mktemp("run")
    cfg = load_train_config(REPO / "configs/train/tiny.yaml", [
        f"train.output_dir={out}", f"data.sources.0.path={toy}", "train.max_steps=2",
        "train.save_steps=2", "train.global_batch=4", "train.report_to=[none]",
        "train.progress_bar=false",
    ])  # fmt: skip
    run_training(cfg)
    return out


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny plain backbone (mdp off, untrained) saved in HF format."""
    from diffforge.training.config import M3DiffConfig
    from diffforge.training.model.build import build_model, export_final

    cfg = M3DiffConfig.model_validate({
        "model": {"backbone": "llava_onevision", "tiny": {}, "mdp": False, "dtype": "float32"},
    })  # fmt: skip
    model, tok, spec = build_model(cfg.model)
    return export_final(model, tok, spec, tmp_path_factory.mktemp("base") / "model")


@pytest.mark.slow
def test_describe_checkpoint_batch_equals_single(trained: Path, test_pairs: list) -> None:
    from diffforge.training.inference import Describer

    pairs = [(p.before, p.after) for p in test_pairs]
    d = Describer.load(trained / "final")
    assert d.mdp
    calls: list[int] = []
    d.model.model.mdp.register_forward_hook(lambda *a: calls.append(1))
    single = [
        d.describe([p], prompt=q, max_new_tokens=12)[0] for p, q in zip(pairs, PROMPTS, strict=True)
    ]
    assert len(calls) == len(pairs)  # generate() went through MDP, once per prefill
    batch = d.describe(pairs, prompt=PROMPTS, batch_size=4, max_new_tokens=12)
    assert batch == single and all(isinstance(c, str) for c in batch)
    assert d.describe(pairs, prompt=PROMPTS, batch_size=4, max_new_tokens=12) == batch
    # a training checkpoint (adapter + trainable tensors + the run's config) gives the same model
    ckpt = Describer.load(trained / "checkpoint-2")
    assert ckpt.mdp
    assert ckpt.describe(pairs, prompt=PROMPTS, batch_size=4, max_new_tokens=12) == batch


@pytest.mark.slow
def test_beam_search_is_batch_independent_and_validated(trained: Path, test_pairs: list) -> None:
    from diffforge.training.inference import Describer

    pairs = [(p.before, p.after) for p in test_pairs[:4]]
    d = Describer.load(trained / "final")
    beam = d.describe(pairs, prompt=PROMPTS[:4], batch_size=4, max_new_tokens=10, num_beams=3)
    single = [
        d.describe([p], prompt=q, max_new_tokens=10, num_beams=3)[0]
        for p, q in zip(pairs, PROMPTS[:4], strict=True)
    ]
    assert beam == single and len(beam) == 4
    with pytest.raises(DiffforgeError, match="num_beams must be at least 1"):
        d.describe(pairs, num_beams=0)


def test_describe_base_backbone_without_mdp(base: Path, test_pairs: list, tmp_path: Path) -> None:
    from diffforge.training.inference import Describer

    pairs = [(p.before, p.after) for p in test_pairs[:3]]
    d = Describer.load(base)
    assert not d.mdp
    out = d.describe(pairs, prompt=PROMPTS[:3], batch_size=2, max_new_tokens=4)
    assert len(out) == 3 and out == [
        d.describe([p], prompt=q, max_new_tokens=4)[0]
        for p, q in zip(pairs, PROMPTS[:3], strict=True)
    ]
    # a base HF checkpoint has no image_spec.json: the spec comes from its config
    hf_dir = tmp_path / "hf"
    shutil.copytree(base, hf_dir)
    (hf_dir / "image_spec.json").unlink()
    plain = Describer.load(hf_dir)
    assert plain.spec == d.spec and not plain.mdp
    assert plain.describe(pairs, prompt=PROMPTS[:3], batch_size=2, max_new_tokens=4) == out


def test_bad_image_is_one_line_error_naming_the_file(base: Path, toy: Path, tmp_path: Path) -> None:
    from diffforge.training.inference import Describer

    d = Describer.load(base)
    good = next((toy / "images").glob("*_before.png"))
    missing = tmp_path / "nope.png"
    with pytest.raises(DiffforgeError) as err:
        d.describe([(good, good), (good, missing)])
    assert str(err.value) == f"{missing}: image not found"
    corrupt = tmp_path / "corrupt.png"
    corrupt.write_bytes(b"not a png at all")
    with pytest.raises(DiffforgeError) as err:
        d.describe([(corrupt, good)])
    msg = str(err.value)
    assert msg.startswith(f"{corrupt}: cannot read image") and "\n" not in msg
    with pytest.raises(DiffforgeError, match="model directory not found"):
        Describer.load(tmp_path / "no_model")


def test_describe_cli_single_and_batch(base: Path, toy: Path, tmp_path: Path) -> None:
    import typer
    from typer.testing import CliRunner

    from diffforge.commands.training import describe

    app = typer.Typer()
    app.command("describe")(describe)
    app.command("other")(lambda: None)  # keep `describe` a subcommand
    runner = CliRunner()
    imgs = sorted((toy / "images").glob("toy0000[0-2]_*.png"))  # after, before per pair
    flags = ["--model", str(base), "--max-new-tokens", "4"]
    res = runner.invoke(app, ["describe", str(imgs[1]), str(imgs[0]), *flags])
    assert res.exit_code == 0, res.output
    single = res.stdout.rstrip("\n")
    assert "\n" not in single
    rows = [
        {"id": f"p{i}", "before": f"images/toy0000{i}_before.png", "after": f"images/toy0000{i}_after.png"}
        for i in range(3)
    ]  # fmt: skip
    (toy / "batch.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = tmp_path / "captions.json"
    args = ["describe", "--pairs", str(toy / "batch.jsonl"), "--out", str(out), "--batch-size", "2"]
    res = runner.invoke(app, [*args, *flags])
    assert res.exit_code == 0, res.output
    coco = json.loads(out.read_text())
    assert [r["image_id"] for r in coco] == ["p0", "p1", "p2"]
    assert coco[0]["caption"] == " ".join(single.split())
    (toy / "batch.csv").write_text(
        "before,after\n" + "".join(f"{r['before']},{r['after']}\n" for r in rows)
    )
    res = runner.invoke(app, ["describe", "--pairs", str(toy / "batch.csv"), "--json", *flags])
    assert res.exit_code == 0, res.output
    lines = [json.loads(ln) for ln in res.stdout.splitlines()]
    assert [ln["id"] for ln in lines] == ["0", "1", "2"]
    assert [ln["caption"] for ln in lines] == [r["caption"] for r in coco]
    res = runner.invoke(app, ["describe", *flags])
    assert isinstance(res.exception, DiffforgeError)
    # --num-beams reaches the decoder
    from diffforge.training.inference import Describer

    res = runner.invoke(app, ["describe", str(imgs[1]), str(imgs[0]), *flags, "--num-beams", "2"])
    assert res.exit_code == 0, res.output
    beam = Describer.load(base).describe([(imgs[1], imgs[0])], max_new_tokens=4, num_beams=2)[0]
    assert res.stdout.rstrip("\n") == " ".join(beam.split())


@needs_java
def test_eval_cli_model_flags_reach_generation(base: Path, toy: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from diffforge.cli import app

    preds = tmp_path / "p.json"
    args = ["eval", "--model", str(base), "--data", str(toy), "--split", "test", "--json",
            "--num-beams", "2", "--max-new-tokens", "3", "--predictions", str(preds)]  # fmt: skip
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout[res.stdout.index("{") :])
    assert out["generation"]["num_beams"] == 2 and out["generation"]["max_new_tokens"] == 3
    assert out["n"] == 6 and len(json.loads(preds.read_text())) == 6


@pytest.mark.slow
@needs_java
def test_eval_model_scores_a_split(
    trained: Path, toy: Path, test_pairs: list, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    from diffforge.commands.evaluation import eval_model_printed
    from diffforge.evaluation import METRICS
    from diffforge.evaluation.model_eval import eval_constant, eval_model, most_frequent_caption

    preds = tmp_path / "preds.json"
    res = eval_model(trained / "final", toy, "test", batch_size=4, max_new_tokens=16,
                     out_predictions=preds)  # fmt: skip
    assert set(METRICS) <= set(res) and res["n"] == len(test_pairs) == 6
    assert res["format"] == "diffforge" and res["unpredicted_references"] == 0
    assert set(res["by_type"]) <= {"add", "remove", "color"} and res["generation"]["mdp"]
    rows = json.loads(preds.read_text())
    assert sorted(r["image_id"] for r in rows) == sorted(p.id for p in test_pairs)
    # the CLI path prints what `eval --predictions --json` prints for the same captions
    capsys.readouterr()
    md = tmp_path / "table.md"
    cli = eval_model_printed(trained / "final", toy, "test", True, batch_size=4,
                             max_new_tokens=16, metrics=["CIDEr"], markdown=md)  # fmt: skip
    printed = json.loads(capsys.readouterr().out)
    assert printed["CIDEr"] == pytest.approx(res["CIDEr"]) == pytest.approx(cli["CIDEr"])
    assert md.read_text().startswith("| pairs | n | CIDEr |")
    # the trivial baseline, scored the same way
    caption = most_frequent_caption(toy)
    const = eval_constant(caption, toy, "test", metrics=["CIDEr"])
    assert const["n"] == 6 and const["CIDEr"] >= 0 and const["predictions"] is None
    # another loader's format: references are written beside the predictions (COCO annotations)
    llava = [
        {"id": p.id, "split": "test", "image": [str(p.before), str(p.after)],
         "conversations": [{"from": "human", "value": "<image>\n<image>\nWhat changed?"},
                           {"from": "gpt", "value": p.captions[0]}]}
        for p in test_pairs
    ]  # fmt: skip
    (tmp_path / "test.json").write_text(json.dumps(llava))
    res = eval_model(trained / "final", tmp_path / "test.json", "test", format="llava",
                     metrics=["CIDEr"], out_predictions=tmp_path / "l.json")  # fmt: skip
    assert res["n"] == 6 and res["format"] == "coco" and "CIDEr" in res
    assert (tmp_path / "l.references.json").is_file()
    with pytest.raises(DiffforgeError, match="name its format"):
        eval_model(trained / "final", tmp_path / "test.json")


@pytest.mark.parametrize("backbone", ["llava_onevision", "qwen2_5_vl", "internvl3"])
def test_left_padded_batches_for_every_backbone(backbone: str, test_pairs: list) -> None:
    import torch

    from diffforge.training.config import M3DiffConfig
    from diffforge.training.inference import Describer
    from diffforge.training.model.build import build_model

    size = 64 if backbone == "qwen2_5_vl" else 32  # Qwen: a window order that is not the identity
    cfg = M3DiffConfig.model_validate({
        "model": {"backbone": backbone, "tiny": {"image_size": size}, "mdp": {"layers": [1, 2, 4], "heads": 2}, "dtype": "float32"},
    })  # fmt: skip
    model, tok, spec = build_model(cfg.model)
    gen = torch.Generator().manual_seed(0)
    with torch.no_grad():  # a non-zero fusion output, so MDP changes what the LLM sees
        for name, p in model.named_parameters():
            if ".mdp." in name:
                p.add_(0.05 * torch.randn(p.shape, generator=gen))
    d = Describer(model, tok, spec, "cpu")
    pairs = [(p.before, p.after) for p in test_pairs[:4]]
    prompts = PROMPTS[:4]
    single = [
        d.describe([p], prompt=q, max_new_tokens=6)[0] for p, q in zip(pairs, prompts, strict=True)
    ]
    assert d.describe(pairs, prompt=prompts, batch_size=4, max_new_tokens=6) == single


@pytest.mark.slow
@needs_java
def test_eval_model_on_a_mixture_gives_one_row_per_subset(
    base: Path, toy: Path, test_pairs: list, tmp_path: Path
) -> None:
    """``eval --model --data CONFIG.yaml``: every source's test split, one subset per source
    (OmniDiff's own Real / Render kept apart), one Tables 11-12 table in markdown and JSON."""
    from typer.testing import CliRunner

    from diffforge.cli import app
    from diffforge.evaluation import metrics

    llava = [
        {"id": f"o{i}", "split": "test", "subset": "Real" if i % 2 else "Render",
         "image": [str(p.before), str(p.after)],
         "conversations": [{"from": "human", "value": "<image>\n<image>\nWhat changed?"},
                           {"from": "gpt", "value": p.captions[0]}]}
        for i, p in enumerate(test_pairs)
    ]  # fmt: skip
    (tmp_path / "omni.json").write_text(json.dumps(llava))
    cfg = tmp_path / "mix.yaml"
    cfg.write_text(
        "model: {tiny: {}}\ndata:\n  sources:\n"
        f"    - {{name: Synthetic, format: diffforge, path: {toy}}}\n"
        f"    - {{name: OmniDiff, format: llava, path: {tmp_path / 'omni.json'}}}\n"
    )
    md, preds = tmp_path / "table.md", tmp_path / "p.json"
    runs = metrics.PTB_RUNS
    args = ["eval", "--model", str(base), "--data", str(cfg), "--json", "--max-new-tokens", "4",
            "--markdown", str(md), "--predictions", str(preds)]  # fmt: skip
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout[res.stdout.index("{") :])
    assert metrics.PTB_RUNS - runs <= 1  # every group and subset: one tokenization at most
    assert {k: v["n"] for k, v in out["by_subset"].items()} == {
        "Synthetic": 6, "OmniDiff-Render": 3, "OmniDiff-Real": 3,
    }  # fmt: skip
    ids = [r["image_id"] for r in json.loads(preds.read_text())]
    assert out["n"] == 12 and {i.split("/")[0] for i in ids} == {"Synthetic", "OmniDiff"}
    text = md.read_text()
    assert "| model | Synthetic B-4 | Synthetic METEOR |" in text
    assert "OmniDiff-Real CIDEr" in text and "Pairs per subset: Synthetic 6, OmniDiff-Render 3, OmniDiff-Real 3." in text  # fmt: skip
