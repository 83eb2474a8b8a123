"""README's documented command sequences, run as written through the installed entry point,
at tiny scale. The commands come from README.md's ```bash blocks; only the sizes and the model
are swapped by the explicit table SUBSTITUTIONS, so a changed README command changes what runs
here (and a substitution that no longer matches fails the test)."""

from __future__ import annotations

import json
import re
import shlex
import sys
import textwrap
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "cli"))
sys.path.insert(0, str(Path(__file__).parent / "render"))

from cli_entry import REPO, diffforge, ok
from dataset_compare import assert_same_dataset

pytestmark = [pytest.mark.blender, pytest.mark.slow, pytest.mark.train]

README = (REPO / "README.md").read_text()

# (pattern, replacement): sizes down to seconds on 2 CPU cores. The 7B model README trains is
# not on this machine, so train/eval/describe use configs/train/tiny.yaml (a random-weight
# M³Diff, one step) written where README's config would write, on README's dataset.
SUBSTITUTIONS = [
    (r"--n 10000\b", "--n 3"),
    (r"--n 1000\b", "--n 3"),
    (r"--workers 8\b", "--workers 1"),
    (r"--preset standard\b", "--preset draft"),
    (r"configs/train/m3diff_llava_ov_7b\.yaml", "configs/train/tiny.yaml"),
    (
        r"--set model\.path=\S+",
        "--set data.sources.0.format=diffforge --set train.output_dir=runs/m3diff_llava_ov_7b "
        "--set train.max_steps=1 --set train.report_to=[none] --set train.progress_bar=false",
    ),
    (r"before\.png after\.png", "data/v1/images/00000002_before.png data/v1/images/00000002_after.png"),
]  # fmt: skip


def bash_blocks(text: str) -> list[str]:
    return re.findall(r"```bash\n(.*?)```", text, flags=re.S)


def commands(block: str) -> list[str]:
    """One string per command: continuations joined, comments dropped, ``a && b`` split."""
    joined = re.sub(r"\\\n\s*", " ", block)
    out = []
    for line in joined.splitlines():
        line = line.split("  #")[0].strip()
        out += [c.strip() for c in line.split("&&") if c.strip()]
    return out


def substitute(commands: list[str]) -> list[str]:
    used = set()
    out = []
    for cmd in commands:
        for i, (pattern, repl) in enumerate(SUBSTITUTIONS):
            cmd, n = re.subn(pattern, repl, cmd)
            used |= {i} if n else set()
        out.append(cmd)
    unused = [SUBSTITUTIONS[i][0] for i in range(len(SUBSTITUTIONS)) if i not in used]
    assert not unused, f"README no longer has {unused}: update SUBSTITUTIONS"
    return out


def run_readme(cmd: str, cwd: Path, env: dict | None = None):
    argv = shlex.split(cmd)
    assert argv[0] == "diffforge", cmd
    return ok(diffforge(*argv[1:], cwd=cwd, env=env))


def workspace(tmp: Path) -> Path:
    """A folder laid out like the repository root for README's relative paths."""
    (tmp / "configs").symlink_to(REPO / "configs")
    return tmp


@pytest.fixture(scope="module")
def scenes_to_model(tmp_path_factory) -> Path:
    """ "From scenes to a trained model", every command in order."""
    block = next(b for b in bash_blocks(README) if "diffforge generate" in b)
    cmds = substitute(commands(block))
    assert [c.split()[1] for c in cmds] == [
        "sample", "generate", "stats", "preview", "export", "train", "eval", "describe",
    ]  # fmt: skip
    root = workspace(tmp_path_factory.mktemp("readme"))
    for cmd in cmds:
        run_readme(cmd, root)
    return root


def test_scenes_to_trained_model(scenes_to_model: Path) -> None:
    root = scenes_to_model
    assert len((root / "specs.jsonl").read_text().splitlines()) == 3
    assert len((root / "data/v1/pairs.jsonl").read_text().splitlines()) == 3
    assert (root / "data/v1/stats/stats.json").is_file()
    assert (root / "data/v1/preview.html").is_file()
    assert json.loads((root / "data/v1/llava.json").read_text())
    assert (root / "runs/m3diff_llava_ov_7b/final").is_dir()
    assert "CIDEr" in (root / "results.md").read_text()


def test_cluster_shards_then_merge_equal_one_run(scenes_to_model: Path) -> None:
    """README: slices with ``--shard i/N``, joined by ``diffforge merge OUT``: the same dataset
    as the single run above."""
    assert "`--shard i/N`" in README and "`diffforge merge OUT`" in README
    block = next(b for b in bash_blocks(README) if "diffforge generate" in b)
    generate = next(c for c in substitute(commands(block)) if c.startswith("diffforge generate"))
    sharded = generate.replace("data/v1", "data/sharded")
    for i in range(2):
        run_readme(f"{sharded} --shard {i}/2", scenes_to_model)
    run_readme("diffforge merge data/sharded", scenes_to_model)
    assert_same_dataset(scenes_to_model / "data/v1", scenes_to_model / "data/sharded")


def test_laptop_walkthrough_as_written(tmp_path: Path) -> None:
    """README "On a laptop": every command exactly as written (no substitutions): the tiny
    config reads the generated dataset and trains into the folder describe looks in."""
    block = next(b for b in bash_blocks(README) if "tiny_demo.yaml" in b)
    cmds = commands(block)
    assert [c.split()[1] for c in cmds] == ["generate", "dataset", "train", "eval", "describe"]
    assert "--model" not in cmds[-1], "describe relies on its default --model"
    root = workspace(tmp_path)
    procs = [run_readme(cmd, root) for cmd in cmds]
    assert (root / "runs/m3diff/final").is_dir()
    assert "CIDEr" in procs[3].stdout
    caption = procs[-1].stdout.strip()
    assert caption and "\n" not in caption  # one line, whatever the tiny model says


def test_custom_distribution_example(tmp_path: Path) -> None:
    block = next(b for b in bash_blocks(README) if "clevr_like.yaml" in b)
    root = workspace(tmp_path)
    for cmd in substitute_only_sizes(commands(block)):
        run_readme(cmd, root)
    specs = [json.loads(s) for s in (root / "clevr_specs.jsonl").read_text().splitlines()]
    assert len(specs) == 3
    assert {s["before"]["environment"]["layout"] for s in specs} == {"tabletop"}
    assert all(len(s["changes"]) == 1 for s in specs)


def substitute_only_sizes(cmds: list[str]) -> list[str]:
    return [re.sub(r"--n \d+\b", "--n 3", c) for c in cmds]


def test_your_own_operator(tmp_path: Path) -> None:
    """README's ``changes.operators`` line, with an operator written as README describes it
    (subclass ChangeOperator, set type and fields, apply -> Change, NotApplicable)."""
    m = re.search(r'operators: \{(\w+): "([\w.]+):(\w+)"\}', README)
    assert m, "README's config block no longer shows changes.operators"
    name, module, cls = m.groups()
    parts = module.split(".")
    lib = tmp_path / "lib"
    for i in range(1, len(parts)):  # my_pkg/__init__.py for my_pkg.ops
        (lib / Path(*parts[:i])).mkdir(parents=True, exist_ok=True)
        (lib / Path(*parts[:i]) / "__init__.py").touch()
    pkg = lib / Path(*parts)
    pkg.with_suffix(".py").write_text(
        textwrap.dedent(
            f"""
            from diffforge.scenes.changes import ChangeOperator, NotApplicable
            from diffforge.scenes.model import Change

            class {cls}(ChangeOperator):
                type = "{name}"
                fields = ("transform.location",)

                def apply(self, ctx, before, after):
                    floor = [o for o in after.objects if o.support in ("floor", "ground")]
                    if not floor:
                        raise NotApplicable("nothing on the floor")
                    obj = ctx.pick(floor)
                    x, y, z = obj.transform.location
                    obj.transform.location = (x, y, z + 0.5)
                    return Change(type=self.type, targets=[obj.id],
                                  before={{"z": z}}, after={{"z": z + 0.5}})
            """
        )
    )
    config = tmp_path / "mine.yaml"
    config.write_text(
        f'changes:\n  operators: {{{name}: "{module}:{cls}"}}\n'
        f"  weights: {{{name}: 1.0}}\n  per_pair: {{1: 1.0}}\n"
    )
    env = {"PYTHONPATH": str(lib)}
    run_readme(f"diffforge sample {config} --n 2 --out specs.jsonl", tmp_path, env)
    specs = [json.loads(s) for s in (tmp_path / "specs.jsonl").read_text().splitlines()]
    assert [c["type"] for s in specs for c in s["changes"]] == [name, name]


def test_your_own_assets(tmp_path: Path) -> None:
    """README "Assets": a downloads folder imported, then sampled with the manifest."""
    import trimesh

    block = next(b for b in bash_blocks(README) if "diffforge assets import" in b)
    root = workspace(tmp_path)
    (root / "downloads" / "mugs").mkdir(parents=True)
    mug = trimesh.creation.cylinder(radius=0.05, height=0.1)
    (root / "downloads" / "mugs" / "coffee_mug.glb").write_bytes(mug.export(file_type="glb"))
    for cmd in commands(block):
        run_readme(cmd, root)
    manifest = json.loads((root / "my_assets.json").read_text())
    assert [(a["noun"], a["category"]) for a in manifest["assets"]] == [("coffee mug", "mug")]
    assert len((root / "specs.jsonl").read_text().splitlines()) == 20


def test_your_own_scene(tmp_path: Path) -> None:
    """README "Your own scenes": an untagged interior (a .blend made the way the user-scene tests
    make theirs) scanned, rendered, audited and previewed as README writes it; the file's own
    objects are listed and the pairs are of the environment layout."""
    import subprocess

    block = next(b for b in bash_blocks(README) if "diffforge scan-env" in b)
    root = workspace(tmp_path)
    script = REPO / "tests" / "render" / "user_scenes_script.py"
    subprocess.run([sys.executable, str(script), "interior", str(root / "my_room.blend")],
                   check=True, capture_output=True)  # fmt: skip
    cmds = [c.replace("--preset standard", "--preset draft") for c in commands(block)]
    for cmd in substitute_only_sizes(cmds):
        run_readme(cmd, root)
    side = json.loads((root / "my_room.blend.json").read_text())
    assert any(o["changeable"] for o in side["objects"]), side["objects"]
    pairs = [json.loads(s) for s in (root / "data/mine/pairs.jsonl").read_text().splitlines()]
    assert len(pairs) == 3
    scene = json.loads((root / "data/mine" / pairs[0]["scene"]).read_text())
    assert scene["spec"]["before"]["environment"]["layout"] == "environment"
    assert (root / "data/mine/audit/audit.json").is_file()
    assert (root / "data/mine/preview.html").is_file()
