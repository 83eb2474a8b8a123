"""No command overwrites data it did not make (through the console script): ``merge`` into a
foreign OUT, over missing or unfinished shards; ``sample --out`` over a file or into a dataset;
``generate`` refused before it starts. Each refusal is one line, exit 2, and every file on disk
is the same afterwards; the flags that allow it (--force, --partial) do what they say."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from cli_entry import CONFIG, diffforge, ok, snapshot

pytestmark = [pytest.mark.blender, pytest.mark.slow]


def _refused(proc, *names: str) -> str:
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    assert len(lines) == 1 and lines[0].startswith("error:"), proc.stderr
    for name in names:
        assert name in lines[0], (name, lines[0])
    return lines[0]


def _pairs(root: Path) -> list[dict]:
    return [json.loads(x) for x in (root / "pairs.jsonl").read_text().splitlines()]


@pytest.fixture
def run(sharded: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(sharded, tmp_path / "run"))


def test_merge_twice_then_refuse_a_foreign_out_unless_forced(
    run: Path, dataset_copy: Path, tmp_path: Path
) -> None:
    ok(diffforge("merge", run))
    first = snapshot(run / "pairs.jsonl", run / "images")
    ok(diffforge("merge", run))  # OUT holds a merge of the same shards: replaced, same result
    assert [p["id"] for p in _pairs(run)] == ["00000000", "00000001"]
    assert {k: v[-1] for k, v in snapshot(run / "images").items()} == {
        k: v[-1] for k, v in first.items() if "images" in k
    }

    shards = sorted((run / "shards").iterdir())
    before = snapshot(dataset_copy)
    line = _refused(diffforge("merge", dataset_copy, *shards), str(dataset_copy), "--force")
    assert "not a merge of these shards" in line
    assert snapshot(dataset_copy) == before

    ok(diffforge("merge", dataset_copy, *shards, "--force"))
    assert [p["id"] for p in _pairs(dataset_copy)] == ["00000000", "00000001"]
    images = sorted(p.name for p in (dataset_copy / "images").iterdir())
    assert images == [f"0000000{i}_{s}.png" for i in range(2) for s in ("after", "before")]


def test_merge_refuses_a_missing_shard_unless_partial(run: Path) -> None:
    shutil.rmtree(run / "shards" / "00001-of-00002")
    before = snapshot(run)
    _refused(diffforge("merge", run), "00001-of-00002", "missing", "--partial")
    assert snapshot(run) == before
    proc = ok(diffforge("merge", run, "--partial"))
    assert "00001-of-00002 is missing" in proc.stderr and "1 pairs merged" in proc.stdout
    assert [p["index"] for p in _pairs(run)] == [0]


def test_merge_refuses_an_unfinished_shard_unless_partial(run: Path) -> None:
    # What a run killed early leaves: dataset.json names its target (n=6: 3 pairs for shard 0).
    meta_file = run / "shards" / "00000-of-00002" / "dataset.json"
    meta = json.loads(meta_file.read_text())
    meta["n"] = 6
    meta_file.write_text(json.dumps(meta))
    before = snapshot(run)
    _refused(diffforge("merge", run), "00000-of-00002", "holds 1 of its 3 pairs", "--partial")
    assert snapshot(run) == before
    ok(diffforge("merge", run, "--partial"))
    assert len(_pairs(run)) == 2


def test_merge_out_among_its_inputs(run: Path, dataset_copy: Path) -> None:
    before = snapshot(dataset_copy)
    _refused(diffforge("merge", dataset_copy, dataset_copy, "--force"), "both OUT and an input")
    assert snapshot(dataset_copy) == before


def test_merge_out_is_a_file(run: Path, tmp_path: Path) -> None:
    target = tmp_path / "a_file"
    target.write_text("keep me\n")
    shards = sorted((run / "shards").iterdir())
    before = snapshot(target, run)
    _refused(diffforge("merge", target, *shards), "a_file", "is a file")
    assert snapshot(target, run) == before


def test_sample_refuses_existing_out_and_dataset_files(dataset_copy: Path, tmp_path: Path) -> None:
    old = tmp_path / "specs.jsonl"
    old.write_text("mine\n")
    before = snapshot(old, dataset_copy)
    _refused(diffforge("sample", CONFIG, "--n", 2, "--out", old), "--out", "exists", "--force")
    for inside in (dataset_copy / "pairs.jsonl", dataset_copy / "specs.jsonl"):
        _refused(
            diffforge("sample", CONFIG, "--n", 2, "--out", inside, "--force"),
            "inside the dataset",
            str(dataset_copy),
        )
    _refused(diffforge("sample", CONFIG, "--n", 2, "--out", tmp_path), "is a directory")
    assert snapshot(old, dataset_copy) == before
    ok(diffforge("sample", CONFIG, "--n", 2, "--out", old, "--force"))
    assert len(old.read_text().splitlines()) == 2


def test_generate_refused_leaves_nothing(tmp_path: Path) -> None:
    _refused(diffforge("generate", CONFIG, "--out", tmp_path / "new"), "--n")
    assert not (tmp_path / "new").exists()
