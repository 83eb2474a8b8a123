"""The trainer end to end on the tiny CPU config: param groups, checkpoints, exact resume, export."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from tiny_train import REPO, tiny, tiny_sets

from diffforge.errors import ConfigError
from diffforge.training.model.build import load_exported, part_of
from diffforge.training.trainer import check_deepspeed, make_trainer, run_training

pytestmark = pytest.mark.train


def test_param_groups_and_accumulation(tmp_path: Path) -> None:
    cfg = tiny(
        tmp_path,
        "optim.lr=1e-5",
        "optim.vit_lr=2e-6",
        "train.global_batch=16",
        "train.micro_batch=4",
    )
    trainer, _, _ = make_trainer(cfg)
    assert trainer.args.gradient_accumulation_steps == 4
    opt = trainer.create_optimizer()
    assert isinstance(opt, torch.optim.AdamW)
    assert [g["lr"] for g in opt.param_groups] == [1e-5, 2e-6]
    names = {id(p): n for n, p in trainer.model.named_parameters()}
    assert {part_of(names[id(p)]) for p in opt.param_groups[1]["params"]} == {"vit"}
    assert {part_of(names[id(p)]) for p in opt.param_groups[0]["params"]} == {
        "lora",
        "projector",
        "mdp",
    }
    with pytest.raises(
        ConfigError,
        match=r"train\.global_batch: 10 is not a multiple of micro_batch x processes = 4",
    ):
        make_trainer(tiny(tmp_path, "train.global_batch=10"))


def test_deepspeed_json_without_optimizer(tmp_path: Path) -> None:
    import importlib.util

    have_ds = importlib.util.find_spec("deepspeed") is not None
    for name in ("zero2.json", "zero3.json"):
        ds = json.loads((REPO / "configs/train" / name).read_text())
        assert "optimizer" not in ds and ds["zero_optimization"]["stage"] in (2, 3)
        if have_ds:
            assert check_deepspeed(REPO / "configs/train" / name)
        else:  # a one-line error that says what to install, not an ImportError mid-launch
            with pytest.raises(ConfigError, match=r"pip install 'diffforge\[deepspeed\]'"):
                check_deepspeed(REPO / "configs/train" / name)
    bad = tmp_path / "ds.json"
    bad.write_text(json.dumps({"optimizer": {"type": "AdamW"}}))
    with pytest.raises(ConfigError, match="has an 'optimizer' block"):
        check_deepspeed(bad)


@pytest.mark.slow
def test_resume_reproduces_losses_and_export_loads(tmp_path: Path) -> None:
    full = run_training(
        tiny(
            tmp_path / "a",
            "train.max_steps=6",
            "train.save_steps=3",
            "train.report_to=[tensorboard]",
        )
    )
    assert full["steps"] == 6 and len(full["losses"]) == 6
    ckpt = tmp_path / "a/run/checkpoint-3"
    from safetensors.torch import load_file

    keys = load_file(str(ckpt / "trainable.safetensors")).keys()
    assert {part_of(k) for k in keys} == {"lora", "vit", "projector", "mdp"}
    assert list((tmp_path / "a/run/tb").rglob("events.out.tfevents.*"))
    # a second run from checkpoint-3 continues with exactly the same losses
    resumed = run_training(
        tiny(
            tmp_path / "a",
            "train.max_steps=6",
            "train.save_steps=3",
            f"train.resume={ckpt}",
            f"train.output_dir={tmp_path / 'b'}",
        )
    )
    # (the history holds the checkpoint's first three losses, then the three computed after resume)
    assert len(resumed["losses"]) == 6
    assert resumed["losses"][3:] == pytest.approx(full["losses"][3:], rel=1e-6, abs=1e-7)
    # (that training lowers the loss is tests/training/test_learning.py's: two single noisy
    # losses six steps apart said little)
    model, _tok, spec = load_exported(Path(full["output_dir"]))
    assert model.model.mdp is not None and spec.tokens == 17


def _app():
    import typer

    from diffforge.commands.training import bench_train, data_app, train

    app = typer.Typer()
    app.add_typer(data_app, name="data")
    app.command("train")(train)
    app.command("bench-train")(bench_train)
    return app


@pytest.mark.slow
def test_cli_train_and_bench(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    runner = CliRunner()
    sets = [
        f"train.output_dir={tmp_path / 'run'}",
        f"data.sources.0.path={tmp_path / 'toy'}",
        "train.max_steps=2",
        "train.report_to=[none]",
        "train.progress_bar=false",
    ]
    args = ["train", str(REPO / "configs/train/tiny.yaml")] + [
        x for s in sets for x in ("--set", s)
    ]
    res = runner.invoke(_app(), args)
    assert res.exit_code == 0, res.output
    assert f"trained 2 steps; final model in {tmp_path / 'run' / 'final'}" in res.output
    res = runner.invoke(_app(), ["bench-train", "--steps", "2", "--warmup", "1", "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(next(ln for ln in res.output.splitlines() if ln.startswith('{"shape"')))
    assert out["mdp_on"]["samples_per_s"] > 0 and out["mdp_off"]["mdp"] is False
    res = runner.invoke(_app(), ["train", str(tmp_path / "nope.yaml")])
    assert isinstance(res.exception, ConfigError) and "config file not found" in str(res.exception)


@pytest.mark.slow
def test_training_never_imports_scenes_or_render() -> None:
    import subprocess
    import sys

    code = (
        "import sys, diffforge.commands.training, diffforge.training.trainer, diffforge.training.bench;"
        "bad = [m for m in sys.modules if m.startswith(('diffforge.scenes', 'diffforge.render', 'bpy'))];"
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)


@pytest.mark.slow
@pytest.mark.timeout(900)  # its torchrun subprocess alone may take 600 s
def test_ddp_on_two_cpu_processes_matches_one_process(tmp_path: Path) -> None:
    """`torchrun` (what `accelerate launch` runs) with 2 gloo processes: each takes half of the
    global batch with half the accumulation, so the logged losses equal one process's."""
    import os
    import subprocess
    import sys

    from diffforge.training.data import ensure_toy_dataset

    ensure_toy_dataset(tmp_path / "toy")
    sets = [
        "train.max_steps=3",
        "train.save_steps=3",
        "train.global_batch=8",
        "train.micro_batch=4",
    ]
    one = run_training(tiny(tmp_path, *sets, f"train.output_dir={tmp_path / 'one'}"))
    args = [
        sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
        "-m", "diffforge", "train", str(REPO / "configs/train/tiny.yaml"),
    ]  # fmt: skip
    for s in tiny_sets(tmp_path, *sets, f"train.output_dir={tmp_path / 'ddp'}"):
        args += ["--set", s]
    env = {**os.environ, "OMP_NUM_THREADS": "1", "HF_HUB_OFFLINE": "1"}
    res = subprocess.run(args, cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr[-3000:]
    assert res.stdout.count("trained 3 steps") == 2  # both ranks finished
    state = json.loads((tmp_path / "ddp/checkpoint-3/trainer_state.json").read_text())
    ddp = [h["loss"] for h in state["log_history"] if "loss" in h]
    assert ddp == pytest.approx(one["losses"], rel=1e-4)
    model, _tok, _spec = load_exported(tmp_path / "ddp/final")  # written once, by rank 0
    assert model.model.mdp is not None
