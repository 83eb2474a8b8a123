"""Every command once on a success path, through the installed entry point, at tiny sizes:
Cycles at the draft preset (96×72) on the session's 3-pair dataset, the tiny random-weight
M³Diff of configs/train/tiny.yaml trained for one step."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from cli_entry import CONFIG, DIFFFORGE, TINY_TRAIN, diffforge, ok
from tiny_train import tiny_sets

pytestmark = [pytest.mark.blender, pytest.mark.slow]


def lines(path: Path) -> list[str]:
    return [line for line in path.read_text().splitlines() if line.strip()]


def test_sample(tmp_path: Path) -> None:
    out = tmp_path / "specs.jsonl"
    proc = ok(diffforge("sample", CONFIG, "--n", 4, "--out", out))
    assert len(lines(out)) == 4 and "4 pair specs" in proc.stdout
    assert {"before", "after", "changes"} <= set(json.loads(lines(out)[0]))


def test_generate_wrote_and_resumes(rendered: Path, dataset_copy: Path) -> None:
    recs = [json.loads(line) for line in lines(rendered / "pairs.jsonl")]
    assert [r["index"] for r in recs] == [0, 1, 2]
    for r in recs:
        for rel in (r["before"], r["after"], r["scene"], r["masks"]["change"]):
            assert (rendered / rel).is_file(), rel
        assert r["captions"] and r["captions"][0]["text"]
    proc = ok(diffforge("generate", CONFIG, "--out", dataset_copy, "--n", 3, "--preset", "draft"))
    assert "0 rendered now, 3 already done" in " ".join(proc.stdout.split())


def test_merge(rendered: Path, tmp_path: Path) -> None:
    proc = ok(diffforge("merge", tmp_path / "merged", rendered))
    assert "3 pairs merged from 1 datasets" in proc.stdout
    assert len(lines(tmp_path / "merged" / "pairs.jsonl")) == 3


def test_scan_env(tmp_path: Path) -> None:
    blend = tmp_path / "room.blend"
    code = (
        "import bpy\n"
        "bpy.ops.wm.read_factory_settings(use_empty=True)\n"
        "bpy.ops.mesh.primitive_plane_add(size=8)\n"
        "bpy.context.object['diffforge_surface'] = 'floor'\n"
        "bpy.ops.object.camera_add(location=(0, -6, 3))\n"
        "bpy.context.object['diffforge_camera'] = 6.0\n"
        f"bpy.ops.wm.save_as_mainfile(filepath={str(blend)!r})\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
    proc = ok(diffforge("scan-env", blend))
    # the file's camera looks straight down past the floor's edge: views are synthesised
    assert "1 surfaces, 3 cameras" in proc.stdout
    assert json.loads((tmp_path / "room.blend.json").read_text())["surfaces"]


def test_preview(rendered: Path, tmp_path: Path) -> None:
    out = tmp_path / "preview.html"
    ok(diffforge("preview", rendered, "--out", out))
    assert "00000002" in out.read_text()


def test_caption(dataset_copy: Path) -> None:
    proc = ok(diffforge("caption", dataset_copy, "--per-pair", 1))
    recs = [json.loads(line) for line in lines(dataset_copy / "pairs.jsonl")]
    assert len(recs) == 3 and all(len(r["captions"]) == 1 for r in recs), proc.stdout


def test_caption_again_changes_nothing(dataset_copy: Path) -> None:
    """Re-captioning judges rivals by the pixels generation used (render.min_visible_pixels):
    a pair captioned at render time is neither ambiguous nor worded differently afterwards."""

    def texts() -> list[list[str]]:
        recs = [json.loads(line) for line in lines(dataset_copy / "pairs.jsonl")]
        return [[c["text"] for c in r["captions"]] for r in recs]

    before = texts()
    proc = ok(diffforge("caption", dataset_copy))
    after = texts()
    assert "ambiguous" not in proc.stdout and after == before, proc.stdout


def test_stats(rendered: Path, tmp_path: Path) -> None:
    proc = ok(diffforge("stats", rendered, "--json", "--out", tmp_path / "stats"))
    assert json.loads(proc.stdout)["pairs"] == 3
    for name in ("stats.json", "wordcloud.png", "caption_lengths.png"):
        assert (tmp_path / "stats" / name).is_file(), name


def test_export(rendered: Path, tmp_path: Path) -> None:
    llava, coco = tmp_path / "llava.json", tmp_path / "coco.json"
    proc = ok(diffforge("export", rendered, "--format", "llava", "--out", llava))
    records = json.loads(llava.read_text())
    assert f"{len(records)} records" in proc.stdout and len(records) >= 3
    assert records[0]["conversations"][1]["value"]
    ok(diffforge("export", rendered, "--format", "coco", "--out", coco))
    assert json.loads(coco.read_text())["annotations"]


def test_dataset_check(rendered: Path) -> None:
    assert "ok, 3 pairs" in ok(diffforge("dataset", "check", rendered)).stdout


def test_data_info(rendered: Path) -> None:
    info = json.loads(ok(diffforge("data", "info", rendered, "--json")).stdout)
    assert info["format"] == "diffforge" and info["total"]["pairs"] == 3
    assert info["total"]["missing_images"] == 0


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> Path:
    """configs/train/tiny.yaml for one step on the toy set; the checkpoint describe/eval use."""
    tmp = tmp_path_factory.mktemp("train")
    sets = [a for s in tiny_sets(tmp, "train.max_steps=1") for a in ("--set", s)]
    proc = ok(diffforge("train", TINY_TRAIN, *sets))
    assert "trained 1 steps" in proc.stdout, proc.stdout
    assert (tmp / "run" / "final").is_dir()
    return tmp / "run" / "final"


@pytest.mark.train
def test_train(trained: Path) -> None:
    assert any(trained.iterdir())


@pytest.mark.train
def test_describe(trained: Path, rendered: Path) -> None:
    before, after = rendered / "images/00000000_before.png", rendered / "images/00000000_after.png"
    out = json.loads(
        ok(diffforge("describe", before, after, "--model", trained, "--json", "--max-new-tokens", 4)).stdout
    )  # fmt: skip
    assert out["id"] == "0" and isinstance(out["caption"], str)


def test_eval(rendered: Path, tmp_path: Path) -> None:
    """Predictions = each pair's second caption, references = the dataset: scores > 0."""
    recs = [json.loads(line) for line in lines(rendered / "pairs.jsonl")]
    preds = tmp_path / "preds.json"
    preds.write_text(json.dumps({r["id"]: r["captions"][-1]["text"] for r in recs}))
    result = json.loads(
        ok(diffforge("eval", "--predictions", preds, "--references", rendered, "--json")).stdout
    )
    assert result, result


def test_bench_sample() -> None:
    proc = ok(diffforge("bench", "sample", CONFIG, "--n", 5, "--repeats", 1))
    assert "pair specs/s" in proc.stdout and "ms per spec" in proc.stdout
    assert "base scenes composed per spec" in proc.stdout
    # --set reaches the config (e.g. an environment .blend): a bad layout is the usual error
    bad = diffforge("bench", "sample", CONFIG, "--n", 5, "--set", "scene.layouts={nowhere: 1}")
    assert bad.returncode == 2 and "nowhere" in bad.stderr, bad.stderr


def test_bench_caption() -> None:
    proc = ok(diffforge("bench", "caption", CONFIG, "--n", 5, "--repeats", 1))
    assert proc.stdout.strip()


def test_bench_render() -> None:
    proc = ok(
        diffforge(
            "bench",
            "render",
            CONFIG,
            "--presets",
            "draft",
            "--pairs",
            1,
            "--workers",
            "1",
            "--noise-pairs",
            "0",
        )
    )
    assert "draft" in proc.stdout


@pytest.mark.train
def test_bench_train() -> None:
    proc = ok(diffforge("bench", "train", "--steps", 1, "--warmup", 0, "--json"))
    assert json.loads(proc.stdout.strip().splitlines()[-1])


def test_help_into_a_closed_pipe_is_quiet() -> None:
    """`diffforge --help | head -1`: the reader leaves early; no traceback on stderr."""
    proc = subprocess.run(
        f"'{DIFFFORGE}' --help | head -c 1", shell=True, capture_output=True, text=True
    )
    assert proc.stdout and "Traceback" not in proc.stderr, proc.stderr
