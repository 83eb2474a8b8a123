"""Bad input to every command, through the installed entry point: exit code 2, one line on
stderr that names the problem (config key, file, line, option), no traceback, and nothing that
was already on disk touched. A torn LAST line of pairs.jsonl (a killed writer) is a warning.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pytest
from cli_entry import (
    CONFIG,
    TINY_TRAIN,
    cut_line,
    diffforge,
    ok,
    snapshot,
    tear_last_line,
)

BLENDER = (pytest.mark.blender, pytest.mark.slow)


class Inputs:
    """The files a case points at, made on first use (a case that needs no render renders
    nothing)."""

    def __init__(self, request: pytest.FixtureRequest, tmp: Path) -> None:
        self.request, self.tmp = request, tmp

    def path(self, name: str) -> Path:
        return self.tmp / name

    @cached_property
    def dataset(self) -> Path:
        return Path(shutil.copytree(self.request.getfixturevalue("rendered"), self.tmp / "ds"))

    @cached_property
    def corrupt(self) -> Path:
        """A rendered dataset whose pairs.jsonl line 2 (of 3) is cut short."""
        root = Path(shutil.copytree(self.request.getfixturevalue("rendered"), self.tmp / "bad"))
        cut_line(root / "pairs.jsonl", 2)
        return root

    @cached_property
    def empty(self) -> Path:
        """A folder that is not a dataset (it holds one unrelated file)."""
        root = self.tmp / "not_a_dataset"
        root.mkdir()
        (root / "notes.txt").write_text("not a dataset\n")
        return root

    @cached_property
    def regular_file(self) -> Path:
        p = self.tmp / "a_file"
        p.write_text("keep me\n")
        return p

    @cached_property
    def old_specs(self) -> Path:
        p = self.tmp / "old_specs.jsonl"
        p.write_text("old specs\n")
        return p

    @cached_property
    def old_out(self) -> Path:
        p = self.tmp / "old_out.json"
        p.write_text('{"old": true}\n')
        return p

    @cached_property
    def bad_specs(self) -> Path:
        """Three real pair specs from ``sample`` with the middle one cut short."""
        p = self.tmp / "specs.jsonl"
        ok(diffforge("sample", CONFIG, "--n", 3, "--out", p))
        cut_line(p, 2)
        return p

    @cached_property
    def bad_pairs_list(self) -> Path:
        p = self.tmp / "pairs_list.jsonl"
        p.write_text('{"before": "a.png", "after": "b.png"}\n{"before": "a.p\n')
        return p

    @cached_property
    def mixed_shards(self) -> Path:
        """Two shards of one dataset rendered with different seeds (so different configs)."""
        out = self.tmp / "mixed"
        for i, seed in ((0, 0), (1, 5)):
            ok(
                diffforge(
                    "generate", CONFIG, "--out", out, "--n", 2, "--shard", f"{i}/2",
                    "--preset", "draft", "--set", f"seed={seed}",
                )
            )  # fmt: skip
        return out

    @cached_property
    def plain_blend(self) -> Path:
        """An empty scene saved by Blender: nothing anything could stand on."""
        p = self.tmp / "blend" / "plain.blend"
        p.parent.mkdir()
        code = (
            "import bpy; bpy.ops.wm.read_homefile(use_empty=True); "
            f"bpy.ops.wm.save_as_mainfile(filepath={str(p)!r})"
        )
        subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
        return p

    @cached_property
    def truncated(self) -> Path:
        """A rendered dataset whose pair 1 after image is cut to half its bytes."""
        root = Path(shutil.copytree(self.request.getfixturevalue("rendered"), self.tmp / "trunc"))
        png = root / "images" / "00000001_after.png"
        png.write_bytes(png.read_bytes()[: png.stat().st_size // 2])
        return root

    @cached_property
    def shards(self) -> list[Path]:
        """The two finished shards of a sharded run (copied)."""
        run = Path(shutil.copytree(self.request.getfixturevalue("sharded"), self.tmp / "run"))
        return sorted((run / "shards").iterdir())

    @cached_property
    def half_sharded(self) -> Path:
        """A sharded run's OUT whose shard 1 of 2 never started."""
        run = Path(shutil.copytree(self.request.getfixturevalue("sharded"), self.tmp / "half"))
        shutil.rmtree(run / "shards" / "00001-of-00002")
        return run

    @cached_property
    def image_pair(self) -> list[Path]:
        from PIL import Image

        paths = [self.tmp / "before.png", self.tmp / "after.png"]
        for k, p in enumerate(paths):
            Image.new("RGB", (32, 24), (40 * k, 90, 160)).save(p)
        return paths

    @cached_property
    def references(self) -> Path:
        p = self.tmp / "refs.json"
        p.write_text(
            json.dumps(
                {
                    "images": [{"id": "0"}],
                    "annotations": [{"image_id": "0", "id": 0, "caption": "the cube is red"}],
                }
            )
        )
        return p


Args = Callable[[Inputs], list]


@dataclass
class Case:
    id: str
    args: Args
    names: Callable[[Inputs], list[str]] | list[str]  # what the one line must mention
    keep: Callable[[Inputs], list[Path]] = lambda f: []  # on disk before: the same after
    blender: bool = False
    prefix: str = "error:"
    marks: tuple = field(default_factory=tuple)


def not_created(name: str) -> Callable[[Inputs], list[Path]]:
    return lambda f: [f.path(name)]


C = CONFIG
CASES = [
    # -- sample ----------------------------------------------------------------------------
    Case("sample-bad-key", lambda f: ["sample", C, "--n", 2, "--out", f.old_specs, "--set", "nosuch.key=1"],
         ["nosuch", "unknown key"], lambda f: [f.old_specs]),
    Case("sample-bad-value", lambda f: ["sample", C, "--out", f.old_specs, "--set", "scene.objects.min=abc"],
         ["scene.objects.min", "abc"], lambda f: [f.old_specs]),
    Case("sample-missing-config", lambda f: ["sample", f.path("nope.yaml"), "--out", f.old_specs],
         ["nope.yaml", "not found"], lambda f: [f.old_specs]),
    Case("sample-out-under-a-file", lambda f: ["sample", C, "--n", 2, "--out", f.regular_file / "sub" / "s.jsonl"],
         ["--out", "a_file"], lambda f: [f.regular_file]),
    Case("sample-n-zero", lambda f: ["sample", C, "--n", 0, "--out", f.old_specs],
         ["--n"], lambda f: [f.old_specs]),
    # -- generate --------------------------------------------------------------------------
    Case("generate-device-cuda", lambda f: ["generate", C, "--out", f.path("new"), "--n", 1, "--device", "cuda"],
         ["--device cuda", "Cycles sees no CUDA device", "CPU only"], not_created("new"), blender=True),
    Case("generate-device-cuda-existing-out", lambda f: ["generate", C, "--out", f.dataset, "--n", 5, "--device", "cuda"],
         ["--device cuda", "Cycles sees"], lambda f: [f.dataset], blender=True),
    Case("generate-out-is-a-file", lambda f: ["generate", C, "--out", f.regular_file, "--n", 1],
         ["--out", "a_file", "not a directory"], lambda f: [f.regular_file]),
    Case("generate-specs-corrupt-line", lambda f: ["generate", C, "--out", f.path("new"), "--specs", f.bad_specs],
         ["specs.jsonl", "line 2"], not_created("new")),
    Case("generate-bad-preset", lambda f: ["generate", C, "--out", f.path("new"), "--preset", "nosuch"],
         ["render.preset", "nosuch"], not_created("new")),
    Case("generate-bad-shard", lambda f: ["generate", C, "--out", f.path("new"), "--shard", "3/2"],
         ["--shard 3/2"], not_created("new")),
    # -- merge -----------------------------------------------------------------------------
    Case("merge-without-shards", lambda f: ["merge", f.empty],
         ["shards"], lambda f: [f.empty]),
    Case("merge-different-configs", lambda f: ["merge", f.mixed_shards],
         ["different configs", "00000-of-00002", "00001-of-00002"], lambda f: [f.mixed_shards], blender=True),
    # -- scan-env --------------------------------------------------------------------------
    Case("scan-env-missing-file", lambda f: ["scan-env", f.path("room.blend")],
         ["room.blend", "not found"]),
    Case("scan-env-nothing-to-stand-on", lambda f: ["scan-env", f.plain_blend],
         ["plain.blend", "no mesh geometry"], lambda f: [f.plain_blend.parent], blender=True),
    # -- not a dataset ---------------------------------------------------------------------
    *(
        Case(f"{cmd[0]}-not-a-dataset", lambda f, cmd=cmd: [*cmd[:1], f.empty, *cmd[1:]],
             ["not_a_dataset", "pairs.jsonl"], lambda f: [f.empty])
        for cmd in (["stats"], ["preview"], ["caption"], ["export", "--format", "llava", "--out", "x.json"])
    ),
    Case("dataset-check-not-a-dataset", lambda f: ["dataset", "check", f.empty],
         ["not_a_dataset", "pairs.jsonl"], lambda f: [f.empty]),
    Case("data-info-not-a-dataset", lambda f: ["data", "info", f.empty],
         ["not_a_dataset", "pairs.jsonl"], lambda f: [f.empty]),
    # -- a corrupt line in the middle of pairs.jsonl ----------------------------------------
    *(
        Case(f"{cmd[0]}-corrupt-middle-line", lambda f, cmd=cmd: [*cmd[:1], f.corrupt, *cmd[1:]],
             ["pairs.jsonl", "line 2"], lambda f: [f.corrupt], blender=True)
        for cmd in (["stats"], ["preview"], ["caption"], ["export", "--format", "llava", "--out", "x.json"])
    ),
    Case("dataset-check-corrupt-middle-line", lambda f: ["dataset", "check", f.corrupt],
         ["pairs.jsonl", "line 2", "invalid JSON"], lambda f: [f.corrupt], blender=True, prefix="problem:"),
    Case("data-info-corrupt-middle-line", lambda f: ["data", "info", f.corrupt],
         ["pairs.jsonl", "line 2"], lambda f: [f.corrupt], blender=True),
    # -- options on a good dataset ---------------------------------------------------------
    Case("export-format-csv", lambda f: ["export", f.dataset, "--format", "csv", "--out", f.old_out],
         ["'csv'", "llava"], lambda f: [f.dataset, f.old_out], blender=True),
    Case("export-missing-format", lambda f: ["export", f.empty, "--out", f.old_out],
         ["--format"], lambda f: [f.old_out]),
    Case("caption-bad-rewrite", lambda f: ["caption", f.dataset, "--rewrite", "nosuch"],
         ["caption.rewrite.backend", "nosuch"], lambda f: [f.dataset], blender=True),
    Case("data-info-bad-format", lambda f: ["data", "info", f.empty, "--format", "nosuch"],
         ["'nosuch'", "diffforge", "clevr_change"]),
    # -- training and evaluation -----------------------------------------------------------
    Case("train-bad-key", lambda f: ["train", TINY_TRAIN, "--set", f"train.output_dir={f.path('run')}", "--set", "train.nosuch=1"],
         ["train.nosuch", "unknown key"], not_created("run")),
    Case("train-bad-value", lambda f: ["train", TINY_TRAIN, "--set", f"train.output_dir={f.path('run')}", "--set", "optim.lr=abc"],
         ["optim.lr", "abc"], not_created("run")),
    Case("train-missing-config", lambda f: ["train", f.path("nope.yaml")],
         ["nope.yaml", "not found"]),
    Case("describe-missing-images", lambda f: ["describe", f.path("before.png"), f.path("after.png"), "--model", f.path("model")],
         ["before.png", "not found"]),
    Case("describe-pairs-corrupt-line", lambda f: ["describe", "--pairs", f.bad_pairs_list, "--model", f.path("model"), "--out", f.old_out],
         ["pairs_list.jsonl", "line 2"], lambda f: [f.old_out]),
    Case("eval-missing-predictions", lambda f: ["eval", "--predictions", f.path("preds.json"), "--references", f.references],
         ["preds.json", "not found"], lambda f: [f.references]),
    Case("eval-model-without-data", lambda f: ["eval", "--model", f.path("model")],
         ["--model needs --data"]),
    # -- bench -----------------------------------------------------------------------------
    Case("bench-sample-missing-config", lambda f: ["bench", "sample", f.path("nope.yaml")],
         ["nope.yaml", "not found"]),
    Case("bench-render-unknown-preset", lambda f: ["bench", "render", "--presets", "draft,nosuch"],
         ["--presets", "'nosuch'", "standard"]),
    Case("bench-caption-missing-config", lambda f: ["bench", "caption", f.path("nope.yaml")],
         ["nope.yaml", "not found"]),
    Case("bench-train-bad-key", lambda f: ["bench", "train", "--set", "nosuch=1"],
         ["nosuch", "unknown key"]),
    Case("bench-train-no-steps", lambda f: ["bench", "train", "--steps", "0"],
         ["--steps", "greater than or equal to 1"]),
    # -- assets, cluster ---------------------------------------------------------------------
    Case("assets-import-missing-folder",
         lambda f: ["assets", "import", f.path("nope"), "--out", f.path("m.json")],
         ["nope", "not a folder"]),
    Case("assets-import-bad-scale",
         lambda f: ["assets", "import", f.empty, "--out", f.path("m.json"), "--scale", "big"],
         ["--scale", "'big'"]),
    Case("slurm-missing-config",
         lambda f: ["slurm", f.path("nope.yaml"), "--out", f.path("o"), "--n", "4", "--tasks", "2"],
         ["nope.yaml", "not found"]),
    Case("status-not-a-dataset", lambda f: ["status", f.empty], ["not_a_dataset"]),
    Case("audit-not-a-dataset", lambda f: ["audit", f.empty],
         ["not_a_dataset", "pairs.jsonl"], lambda f: [f.empty]),
    Case("unknown-command", lambda f: ["nosuch"], ["nosuch"]),
    # -- a newcomer's first hour (issue 30): nothing overwritten, the right source named --------
    Case("generate-without-n", lambda f: ["generate", C, "--out", f.path("new")],
         ["--n is required"], not_created("new")),
    Case("generate-resume-other-config", lambda f: ["generate", C, "--out", f.dataset, "--n", 3, "--preset", "draft", "--set", "seed=4"],
         ["different config", "config.seed: 0 -> 4"], lambda f: [f.dataset], blender=True),
    Case("generate-preset-blamed-on-the-flag", lambda f: ["generate", C, "--out", f.path("new"), "--n", 1, "--preset", "nosuch"],
         ["--preset nosuch:", "render.preset"], not_created("new")),
    Case("sample-set-blamed-on-the-flag", lambda f: ["sample", C, "--out", f.path("s.jsonl"), "--set", "scene.objects.min=abc"],
         ["--set scene.objects.min=abc:"], not_created("s.jsonl")),
    Case("sample-out-exists", lambda f: ["sample", C, "--n", 2, "--out", f.old_specs],
         ["--out", "old_specs.jsonl", "exists", "--force"], lambda f: [f.old_specs]),
    Case("sample-out-is-dataset-pairs", lambda f: ["sample", C, "--n", 2, "--out", f.dataset / "pairs.jsonl", "--force"],
         ["--out", "inside the dataset"], lambda f: [f.dataset], blender=True),
    Case("merge-out-is-a-file", lambda f: ["merge", f.regular_file, f.empty],
         ["a_file", "is a file"], lambda f: [f.regular_file, f.empty]),
    Case("merge-into-another-dataset", lambda f: ["merge", f.dataset, *f.shards],
         ["not a merge of these shards", "--force"], lambda f: [f.dataset, *f.shards], blender=True),
    Case("merge-missing-shard", lambda f: ["merge", f.half_sharded],
         ["00001-of-00002 is missing", "--partial"], lambda f: [f.half_sharded], blender=True),
    Case("dataset-check-truncated-image", lambda f: ["dataset", "check", f.truncated],
         ["00000001_after.png", "cannot be decoded"], lambda f: [f.truncated], blender=True, prefix="problem:"),
    Case("audit-truncated-image", lambda f: ["audit", f.truncated],
         ["00000001_after.png", "cannot be decoded"], lambda f: [f.truncated], blender=True),
    Case("export-out-is-a-directory", lambda f: ["export", f.dataset, "--format", "llava", "--out", f.empty],
         ["--out", "is a directory"], lambda f: [f.dataset, f.empty], blender=True),
    Case("export-out-unwritable", lambda f: ["export", f.dataset, "--format", "coco", "--out", "/proc/refs.json"],
         ["--out /proc/refs.json", "cannot write"], lambda f: [f.dataset], blender=True),
    Case("train-output-unwritable", lambda f: ["train", TINY_TRAIN, "--set", "train.output_dir=/proc/run"],
         ["--set train.output_dir=/proc/run", "cannot write"]),
    Case("train-model-path-missing", lambda f: ["train", TINY_TRAIN, "--set", f"train.output_dir={f.path('run')}", "--set", "model.path=/models/nope"],
         ["--set model.path=/models/nope", "no such directory"], not_created("run")),
    *(
        Case(f"describe-device-{dev.replace(':', '')}", lambda f, dev=dev: ["describe", *f.image_pair, "--model", f.path("model"), "--device", dev],
             [f"--device {dev}"])
        for dev in ("cuda", "tpu", "cuda:7")
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    "case", [pytest.param(c, id=c.id, marks=BLENDER if c.blender else ()) for c in CASES]
)
def test_bad_input_is_one_line_and_touches_nothing(case: Case, request, tmp_path) -> None:
    if case.id.startswith(("generate-device-cuda", "describe-device-cuda")) and shutil.which(
        "nvidia-smi"
    ):
        pytest.skip("this machine may have CUDA: --device cuda is not bad input here")
    f = Inputs(request, tmp_path)
    args = case.args(f)
    keep = case.keep(f)
    before = snapshot(*keep)
    proc = diffforge(*args, cwd=tmp_path)
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr
    assert len(lines) == 1, proc.stderr
    line = lines[0]
    assert line.startswith(case.prefix), line
    names = case.names(f) if callable(case.names) else case.names
    for name in names:
        assert name in line, (name, line)
    assert snapshot(*keep) == before, "a failed command changed what was on disk"


def registered_commands() -> set[str]:
    """Every command and sub-command the installed app has (a new one needs a case here)."""
    import typer.main

    from diffforge.commands import app

    def walk(cmd, prefix: str):
        subs = getattr(cmd, "commands", None)
        if subs is None:
            yield prefix
            return
        for name, sub in subs.items():
            yield from walk(sub, f"{prefix} {name}".strip())

    return set(walk(typer.main.get_command(app), ""))


def test_there_is_a_case_for_every_command() -> None:
    firsts = {" ".join(map(str, c.args(_Names())[:2])) for c in CASES}
    commands = registered_commands()
    assert {"generate", "dataset check", "bench train", "assets import"} <= commands
    missing = {c for c in commands if not any(f == c or f.startswith(c + " ") for f in firsts)}
    assert not missing


class _Names:
    """Stands in for Inputs when only the command words of a case are read."""

    shards = (Path("shard"),)
    image_pair = (Path("before.png"), Path("after.png"))

    def __getattr__(self, name: str) -> Path:
        return Path(name)

    def path(self, name: str) -> Path:
        return Path(name)


# -- a torn last line is what a killed writer leaves: a warning, not an error ------------------


@pytest.fixture
def torn(dataset_copy: Path) -> Path:
    tear_last_line(dataset_copy / "pairs.jsonl")
    return dataset_copy


def _warned(proc: subprocess.CompletedProcess) -> None:
    assert "line 4" in proc.stderr and "torn" in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.blender
@pytest.mark.slow
def test_torn_last_line_stats(torn: Path, tmp_path: Path) -> None:
    proc = ok(diffforge("stats", torn, "--json", "--out", tmp_path / "stats"))
    _warned(proc)
    assert json.loads(proc.stdout)["pairs"] == 3


@pytest.mark.blender
@pytest.mark.slow
def test_torn_last_line_export(torn: Path, tmp_path: Path) -> None:
    out = tmp_path / "llava.json"
    proc = ok(diffforge("export", torn, "--format", "llava", "--out", out))
    _warned(proc)
    assert len({r["id"].split("_")[0] for r in json.loads(out.read_text())}) >= 1
    assert "records" in proc.stdout


@pytest.mark.blender
@pytest.mark.slow
def test_torn_last_line_preview(torn: Path, tmp_path: Path) -> None:
    out = tmp_path / "preview.html"
    proc = ok(diffforge("preview", torn, "--out", out))
    _warned(proc)
    assert out.read_text().count("00000002") >= 1


@pytest.mark.blender
@pytest.mark.slow
def test_torn_last_line_dataset_check(torn: Path) -> None:
    proc = ok(diffforge("dataset", "check", torn))
    _warned(proc)
    assert "ok, 3 pairs" in proc.stdout
