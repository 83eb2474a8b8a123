"""The dataset package: round trip, torn and corrupt lines, crash repair, finalize, merge, check.

Everything here builds dataset directories directly (tiny PNGs, hand-made records), so each
guarantee is tested without Blender and without relying on when a kill happens to land.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import numpy as np
import pytest

from diffforge.dataset import (
    DatasetError,
    DatasetMeta,
    DatasetWriter,
    Failure,
    PairRecord,
    merge,
    pair_paths,
    read_meta,
    read_pairs,
    write_pairs,
)
from diffforge.dataset.check import check_dataset
from diffforge.dataset.files import save_png, tmp_name
from diffforge.dataset.writer import append_pair

BASE = DatasetMeta(
    engine={"name": "cycles", "blender": "5.0.1"},
    seed=7,
    config={"seed": 7},
    render={"resolution": [8, 6], "samples": 1, "denoise": False, "engine": "cycles"},
    fingerprint="abc123",
)


def record(i: int, split: str = "train", kind: str = "color") -> PairRecord:
    paths = pair_paths(f"{i:06d}")
    return PairRecord(
        id=f"{i:06d}",
        index=i,
        split=split,
        before=paths["before"],
        after=paths["after"],
        changes=[{"type": kind, "targets": ["cube_1"], "before": {"color": "red"}}],
        captions=[{"text": f"pair {i} changed.", "referring": ["the cube"], "source": "template"}],
        scene=paths["scene"],
        masks={
            "before": paths["mask_before"],
            "after": paths["mask_after"],
            "change": paths["mask_change"],
        },
        resampled=["color: target not visible (before)"] if i % 3 == 0 else [],
    )


def write_files(root: Path, rec: PairRecord) -> None:
    """What a worker writes before the orchestrator commits the record."""
    for sub in ("images", "masks", "scenes"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(rec.index)
    for rel in (rec.before, rec.after):
        save_png(root / rel, rng.integers(0, 255, (6, 8, 3), dtype=np.uint8))
    for rel in (rec.masks.before, rec.masks.after):
        save_png(root / rel, rng.integers(0, 3, (6, 8), dtype=np.uint16))
    save_png(root / rec.masks.change, rng.random((6, 8)) > 0.5)
    (root / rec.scene).write_text(json.dumps({"id": rec.id}))


def run(
    root: Path,
    indices: list[int],
    fails: tuple[int, ...] = (),
    n: int = 10,
    shard: list[int] | None = None,
) -> DatasetMeta:
    """A render run's bookkeeping without Blender: files, commit, failures, finalize."""
    writer = DatasetWriter(root, BASE, {"shard": shard, "n": n})
    for i in indices:
        if i in fails:
            writer.fail(Failure(index=i, status="rejected", reason="gates"))
            continue
        rec = record(i, split=("train", "val", "test")[i % 3])
        write_files(root, rec)
        writer.commit(rec)
    meta = writer.finalize({"executor": "test"})
    writer.close()
    return meta


def test_records_round_trip_byte_for_byte(tmp_path):
    recs = [record(i) for i in range(3)]
    extra = record(3).to_dict() | {"future_field": {"kept": True}}
    recs.append(PairRecord.model_validate(extra))
    write_pairs(tmp_path, recs)
    text = (tmp_path / "pairs.jsonl").read_text()
    back = read_pairs(tmp_path)
    assert [r.to_dict() for r in back] == [r.to_dict() for r in recs]
    assert back[3].to_dict()["future_field"] == {"kept": True}  # unknown keys survive
    write_pairs(tmp_path, back)
    assert (tmp_path / "pairs.jsonl").read_text() == text


def test_plain_string_captions_and_minimal_records_are_read(tmp_path):
    line = {"id": 5, "before": "a.png", "after": "b.png", "captions": ["it moved", "gone"]}
    (tmp_path / "pairs.jsonl").write_text(json.dumps(line) + "\n")
    (rec,) = read_pairs(tmp_path)
    assert rec.id == "5" and rec.split == "train" and rec.texts == ["it moved", "gone"]
    assert rec.change_types == ["none"] and rec.change_mask is None
    assert rec.to_dict()["captions"] == [{"text": "it moved"}, {"text": "gone"}]


def test_a_torn_last_line_is_skipped_with_a_warning(tmp_path, caplog):
    write_pairs(tmp_path, [record(0), record(1)])
    with open(tmp_path / "pairs.jsonl", "a") as f:
        f.write(record(2).to_line()[:40])  # what a kill mid-append leaves
    with caplog.at_level(logging.WARNING):
        recs = read_pairs(tmp_path)
    assert [r.index for r in recs] == [0, 1]
    assert "line 3 is torn" in caplog.text


def test_a_corrupt_line_in_the_middle_is_an_error_naming_file_and_line(tmp_path):
    lines = [record(0).to_line(), '{"id": "x", "before"', record(2).to_line()]
    (tmp_path / "pairs.jsonl").write_text("\n".join(lines) + "\n")
    with pytest.raises(DatasetError, match=r"pairs\.jsonl: line 2: invalid JSON"):
        read_pairs(tmp_path)


def test_a_record_without_a_required_key_names_the_key_and_line(tmp_path):
    lines = [record(0).to_line(), json.dumps({"id": "x", "before": "a.png"})]
    (tmp_path / "pairs.jsonl").write_text("\n".join(lines) + "\n")
    with pytest.raises(DatasetError, match=r"line 2: not a pair record \(missing key 'after'\)"):
        read_pairs(tmp_path)


def test_not_a_dataset_is_one_line(tmp_path):
    with pytest.raises(DatasetError, match=r"no pairs\.jsonl"):
        read_pairs(tmp_path)


def test_resume_repairs_a_torn_line_and_sweeps_orphaned_temp_files(tmp_path):
    """A crash, set up directly: a torn last line, a worker's and a writer's temp files."""
    run(tmp_path, [0, 1, 2])
    with open(tmp_path / "pairs.jsonl", "a") as f:
        f.write(record(3).to_line()[:25])
    orphans = [
        tmp_name(tmp_path / "images" / "000003_before.png"),
        tmp_path / "masks" / ".000003_change.4242.tmp.png",
        tmp_path / ".pairs.4242.tmp.jsonl",
    ]
    for p in orphans:
        p.write_bytes(b"partial")
    live = tmp_path / "images" / "000000_before.png"
    before = live.read_bytes()
    writer = DatasetWriter(tmp_path, BASE)
    assert (tmp_path / "pairs.jsonl").read_text().endswith("\n")
    assert not [p for p in orphans if p.exists()]
    assert live.read_bytes() == before  # committed pairs are untouched
    assert sorted(writer.records) == [0, 1, 2] and writer.done(2) and not writer.done(3)
    writer.close()


def test_sweeping_one_worker_keeps_other_workers_files(tmp_path):
    run(tmp_path, [0])
    mine = tmp_path / "images" / ".000001_before.111.tmp.png"
    other = tmp_path / "images" / ".000002_before.222.tmp.png"
    for p in (mine, other):
        p.write_bytes(b"x")
    writer = DatasetWriter.__new__(DatasetWriter)
    writer.root = tmp_path
    writer.sweep_worker(111)
    assert not mine.exists() and other.exists()


def test_finalize_sorts_by_index_and_counts_from_the_records(tmp_path):
    meta = run(tmp_path, [4, 0, 2, 1], fails=(1,))
    assert [r.index for r in read_pairs(tmp_path)] == [0, 2, 4]
    assert meta.counts["pairs"] == 3 and meta.counts["failed"] == 1
    assert meta.counts["splits"] == {"train": 1, "val": 1, "test": 1}
    assert meta.counts["changes"] == {"color": 3}
    assert meta.counts["resampled"] == {"color: target not visible (before)": 1}
    on_disk = read_meta(tmp_path)
    assert on_disk.fingerprint == "abc123" and on_disk.seed == 7
    assert [f.index for f in on_disk.failures] == [1]
    assert on_disk.runs[0]["executor"] == "test"


def test_a_commit_cut_between_its_append_and_its_bookkeeping_keeps_the_pair(tmp_path):
    """Ctrl-C can land after ``commit`` appended the line and before it noted the record: the
    finalize that follows (in ``generate``'s ``finally``) must not rewrite the line away."""
    writer = DatasetWriter(tmp_path, BASE)
    for i in (0, 1):
        rec = record(i)
        write_files(tmp_path, rec)
        writer.commit(rec)
    cut = record(2)
    write_files(tmp_path, cut)
    append_pair(tmp_path, cut)  # the append happened; the interrupt came before the bookkeeping
    meta = writer.finalize({"executor": "test"})
    writer.close()
    assert [r.index for r in read_pairs(tmp_path)] == [0, 1, 2]
    assert meta.counts["pairs"] == 3


def test_a_second_writer_and_another_fingerprint_are_refused(tmp_path):
    first = DatasetWriter(tmp_path, BASE)
    with pytest.raises(DatasetError, match="another run"):
        DatasetWriter(tmp_path, BASE)
    first.close()
    with pytest.raises(DatasetError, match="different config"):
        DatasetWriter(tmp_path, BASE.model_copy(update={"fingerprint": "zzz"}))


def test_merge_of_shards_equals_a_single_run(tmp_path):
    single = run(tmp_path / "single", list(range(6)), fails=(5,), n=6)
    run(tmp_path / "out" / "shards" / "00000-of-00002", [0, 2, 4], n=6, shard=[0, 2])
    run(tmp_path / "out" / "shards" / "00001-of-00002", [1, 3, 5], fails=(5,), n=6, shard=[1, 2])
    summary = merge([], tmp_path / "out")
    assert summary == {
        "out": str(tmp_path / "out"),
        "inputs": 2,
        "pairs": 5,
        "failed": 1,
        "failures": [{"index": 5, "status": "rejected", "reason": "gates"}],
        "skipped": [],
    }
    merged = read_meta(tmp_path / "out")
    assert merged.counts == single.counts
    assert (tmp_path / "out" / "pairs.jsonl").read_bytes() == (
        tmp_path / "single" / "pairs.jsonl"
    ).read_bytes()
    for rec in read_pairs(tmp_path / "out"):
        for rel in pair_paths(rec.id).values():
            assert (tmp_path / "out" / rel).read_bytes() == (tmp_path / "single" / rel).read_bytes()


def test_merge_refuses_inputs_of_different_configs(tmp_path):
    run(tmp_path / "a", [0], n=1)
    other = BASE.model_copy(update={"fingerprint": "other"})
    DatasetWriter(tmp_path / "b", other).close()
    with pytest.raises(DatasetError, match="different configs"):
        merge([tmp_path / "a", tmp_path / "b"], tmp_path / "out")
    assert not (tmp_path / "out" / "pairs.jsonl").exists()


def test_check_lists_every_problem_with_its_line(tmp_path):
    run(tmp_path, [0, 1, 2])
    assert check_dataset(tmp_path).ok
    lines = (tmp_path / "pairs.jsonl").read_text().splitlines()
    os.unlink(tmp_path / "images" / "000001_after.png")
    lines.insert(2, "{not json")
    lines.append(lines[0])  # a duplicate pair
    (tmp_path / "pairs.jsonl").write_text("\n".join(lines) + "\n")
    report = check_dataset(tmp_path)
    text = "\n".join(report.problems)
    assert "line 2: pair 000001: missing images/000001_after.png" in text
    assert "line 3: invalid JSON" in text
    assert "1 duplicate ids (e.g. '000000')" in text and "1 duplicate indices (e.g. 0)" in text
    del lines[2]  # once every line reads, dataset.json's counts are compared too
    (tmp_path / "pairs.jsonl").write_text("\n".join(lines) + "\n")
    text = "\n".join(check_dataset(tmp_path).problems)
    assert "counts 3 pairs, pairs.jsonl holds 4" in text


def test_check_warns_but_passes_on_a_torn_last_line(tmp_path):
    run(tmp_path, [0, 1])
    with open(tmp_path / "pairs.jsonl", "a") as f:
        f.write('{"id": "000002", "bef')
    report = check_dataset(tmp_path)
    assert report.ok and report.pairs == 2
    assert any("line 3 is torn" in w for w in report.warnings)
