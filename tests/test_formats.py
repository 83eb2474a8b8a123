"""Training and evaluation read the released files through one parser (diffforge.formats): the
same captions for the same files, and the same one-line error for a corrupt entry."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from diffforge.errors import DiffforgeError
from diffforge.evaluation.references import load_references
from diffforge.formats import FormatError, detect
from diffforge.training.data import DataError, load_pairs

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"

pytestmark = pytest.mark.skipif(not DATA.is_dir(), reason=f"real annotation files not at {DATA}")


def touch(*paths: Path) -> None:
    """Empty image files: loaders only check that images exist."""
    for p in paths:
        p.parent.mkdir(parents=True, exist_ok=True)
        p.touch()


def training_captions(loaded) -> dict[str, list[str]]:
    return {p.id: list(p.captions) for p in loaded.pairs}


def test_spot_the_diff_same_captions(tmp_path: Path) -> None:
    file = DATA / "spot_the_diff" / "test.json"
    for rec in json.loads(file.read_text()):
        touch(tmp_path / f"{rec['img_id']}.png", tmp_path / f"{rec['img_id']}_2.png")
    train = training_captions(load_pairs("spot_the_diff", file, tmp_path))
    refs = load_references(file)
    assert refs.format == "spot-the-diff" and len(train) == 1270
    assert train == refs.captions  # repeated img_ids merged the same way, in the same order


def test_iedit_same_captions_training_merges_image_pairs(tmp_path: Path) -> None:
    file = DATA / "iedit" / "valid.json"
    raw = json.loads(file.read_text())
    for rec in raw:
        touch(tmp_path / rec["img0"], tmp_path / rec["img1"])
    loaded = load_pairs("iedit", file, tmp_path)
    refs = load_references(file)
    assert refs.format == "iedit" and set(refs.captions) == {r["uid"] for r in raw}
    train = training_captions(loaded)
    assert len(train) == 357 < len(refs.captions) == 383  # training: one pair per image pair
    for pair in loaded.pairs:  # each uid's captions, in file order, under the first uid
        group = [
            r["uid"] for r in raw if (r["img0"], r["img1"]) == (pair.before.name, pair.after.name)
        ]
        assert pair.id == group[0]
        assert train[pair.id] == [c for uid in group for c in refs.captions[uid]]


def test_clevr_change_same_captions_and_types_under_both_id_schemes(tmp_path: Path) -> None:
    for name in ("splits.json", "type_mapping.json"):
        (tmp_path / name).write_bytes((DATA / "clevr_change" / name).read_bytes())
    test_ids = sorted(json.loads((DATA / "clevr_change" / "splits.json").read_text())["test"])[:3]
    names = [f"CLEVR_default_{i:06d}.png" for i in test_ids]
    (tmp_path / "change_captions.json").write_text(
        json.dumps({n: [f"the thing in {n} changed", " something moved "] for n in names})
    )
    (tmp_path / "no_change_captions.json").write_text(
        json.dumps({n: ["no change was made"] for n in names})
    )
    for i in test_ids:
        touch(
            tmp_path / "images" / f"CLEVR_default_{i:06d}.png",
            tmp_path / "sc_images" / f"CLEVR_semantic_{i:06d}.png",
            tmp_path / "nsc_images" / f"CLEVR_nonsemantic_{i:06d}.png",
        )
    loaded = load_pairs("clevr_change", tmp_path)
    refs = load_references(tmp_path, split="test")
    # training "000123"/"000123_nc" are the authors' evaluation ids "000123.png"/"000123.png_n"
    as_eval = {
        (p.id[:-3] + ".png_n" if p.id.endswith("_nc") else p.id + ".png"): p for p in loaded.pairs
    }
    assert set(as_eval) == set(refs.captions)
    for key, pair in as_eval.items():
        assert list(pair.captions) == refs.captions[key]
        assert list(pair.changes) == refs.types[key]
    assert refs.captions[f"{test_ids[0]:06d}.png"][1] == "something moved"  # stripped on both sides


def test_clevr_dc_same_captions(tmp_path: Path) -> None:
    (tmp_path / "split.json").write_bytes((DATA / "clevr_dc" / "split.json").read_bytes())
    test_ids = json.loads((tmp_path / "split.json").read_text())["test"][:4]
    caps = {str(i): [f"pair {i} changed", "the cube is gone"] for i in test_ids}
    (tmp_path / "change_captions.json").write_text(json.dumps(caps))
    for i in test_ids:
        touch(tmp_path / "bef" / f"{i}.png", tmp_path / "aft" / f"{i}.png")
    train = training_captions(load_pairs("clevr_dc", tmp_path))
    assert detect(tmp_path)[0] == "clevr_dc"
    assert train == load_references(tmp_path, split="test").captions == caps
    assert load_references(tmp_path / "change_captions.json").captions == caps


def test_diffforge_dataset_same_captions(tmp_path: Path) -> None:
    rows = [
        {"id": "p0", "split": "test", "before": "images/p0_before.png", "after": "images/p0_after.png",
         "captions": [{"text": "the mug is now red."}, "a plain string caption"],
         "changes": [{"type": "color"}, {"type": "color"}, {"type": "move"}]},
        {"id": "p1", "split": "test", "before": "images/p1_before.png", "after": "images/p1_after.png",
         "captions": ["nothing changed"], "changes": []},
    ]  # fmt: skip
    (tmp_path / "pairs.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    touch(*(tmp_path / r[side] for r in rows for side in ("before", "after")))
    loaded = load_pairs("diffforge", tmp_path)
    refs = load_references(tmp_path, split="test")
    assert training_captions(loaded) == refs.captions
    assert {p.id: list(p.changes) for p in loaded.pairs} == refs.types
    assert refs.types == {"p0": ["color", "move"], "p1": ["none"]}


CORRUPT = {
    "spot_the_diff": (
        "test.json",
        json.dumps([{"img_id": 1, "sentences": ["a"]}, {"img_id": 2}]),
        "entry 1: expected keys img_id, sentences",
    ),
    "iedit": (
        "valid.json",
        json.dumps(
            [
                {"img0": "a.jpg", "img1": "b.jpg", "sents": ["x"], "uid": "u0"},
                {"img0": "c.jpg", "img1": "d.jpg", "sents": [3], "uid": "u1"},
            ]
        ),
        "entry 1.sents: expected a list of strings",
    ),
    "llava": (
        "omnidiff_test.json",
        json.dumps(
            [
                {"id": "a", "image": ["a1.png", "a2.png"], "conversations": [{"from": "gpt", "value": "x"}]},
                {"id": "b", "image": ["only.png"], "conversations": [{"from": "gpt", "value": "y"}]},
            ]
        ),
        "record 1: expected two images",
    ),
    "diffforge": (
        "pairs.jsonl",
        '{"id": "p0", "before": "b.png", "after": "a.png", "captions": ["x"]}\n{"id": "p1"}\n'
        '{"id": "p2", "before": "b.png", "after": "a.png", "captions": ["y"]}\n',
        "line 2: not a pair record (missing key 'before')",
    ),
}  # fmt: skip


@pytest.mark.parametrize("fmt", sorted(CORRUPT))
def test_a_corrupt_entry_is_the_same_one_line_error_in_both_paths(tmp_path: Path, fmt: str) -> None:
    name, content, problem = CORRUPT[fmt]
    file = tmp_path / name
    file.write_text(content)
    with pytest.raises(DataError) as trained:
        load_pairs(fmt, file)
    with pytest.raises(DiffforgeError) as evaluated:
        load_references(file)
    for exc in (trained.value, evaluated.value):
        assert isinstance(exc, FormatError)
        message = str(exc)
        assert message.startswith(f"{file}: ") and problem in message and "\n" not in message
    assert str(trained.value) == str(evaluated.value)


def test_each_format_names_itself_once_and_every_reader_of_names_agrees() -> None:
    """The registry's names come from each module's ``INFO``; training, its prompts, eval's
    report names and the stats figure's titles all key on them."""
    import importlib
    import pkgutil

    import diffforge.formats as formats_pkg
    from diffforge.captioner.stats import parse_compare
    from diffforge.formats import DATASET_READERS, FORMATS
    from diffforge.training.config import FORMATS as TRAIN_FORMATS
    from diffforge.training.data import LOADERS
    from diffforge.training.data.prompts import DEFAULT_PROMPTS

    declared = {}
    for mod in pkgutil.iter_modules(formats_pkg.__path__):
        module = importlib.import_module(f"diffforge.formats.{mod.name}")
        for value in vars(module).values():
            if isinstance(value, formats_pkg.FormatInfo):
                declared[value.name] = value
    assert declared == FORMATS  # every declared format is registered, and only those
    assert set(DATASET_READERS) <= set(FORMATS)
    assert TRAIN_FORMATS == ("toy", *DATASET_READERS) == tuple(LOADERS)
    assert set(DEFAULT_PROMPTS) <= set(TRAIN_FORMATS)
    assert parse_compare("clevr_dc=x") == ("CLEVR-DC", "clevr_dc", Path("x"))
    assert FORMATS["spot_the_diff"].report_name == "spot-the-diff"
