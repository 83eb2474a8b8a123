"""Every loader against the real released annotation files (true counts) and small fixtures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from diffforge.commands.training import data_app
from diffforge.errors import DiffforgeError
from diffforge.training.data import DataError, load_pairs

pytestmark = pytest.mark.train


def splits(loaded) -> dict:
    return {
        s: (v["entries"], v["pairs"], v["captions"]) for s, v in loaded.summary()["splits"].items()
    }


def test_spot_the_diff_real_counts(shared_data: Path, tmp_path: Path, placeholder) -> None:
    for img_id in ("76", "5406", "256"):  # first entry of train, val, test
        placeholder(tmp_path / f"{img_id}.png")
        placeholder(tmp_path / f"{img_id}_2.png")
    placeholder(tmp_path / "1.png")  # an after image missing -> skipped
    loaded = load_pairs("spot_the_diff", shared_data / "spot_the_diff", tmp_path)
    # entries in the file, distinct img_ids, sentences (counted from the released files)
    assert splits(loaded) == {
        "train": (9524, 8566, 17676),
        "val": (1634, 1493, 3310),
        "test": (1404, 1270, 2107),
    }
    assert {p.id: p.split for p in loaded.pairs} == {"76": "train", "5406": "val", "256": "test"}
    assert loaded.missing["train"] == 8565
    test_pair = loaded.split("test")[0]
    assert test_pair.captions[:2] == (
        "person with umbrella is gone",
        "person with red coat is moved",
    )
    assert test_pair.after == tmp_path / "256_2.png"


def test_iedit_real_counts(shared_data: Path, tmp_path: Path, placeholder) -> None:
    placeholder(tmp_path / "Zhopped.com_gc9hq_gc9hq.jpg")
    placeholder(tmp_path / "Zhopped.com_gc9hq_cxyv8.jpg")
    loaded = load_pairs("iedit", shared_data / "iedit", tmp_path)
    # entries, distinct (img0, img1) pairs, sentences; "valid" is read as the val split
    assert splits(loaded) == {
        "train": (3061, 2507, 3061),
        "val": (383, 357, 1149),
        "test": (495, 446, 1485),
    }
    assert [p.id for p in loaded.pairs] == [
        "Zhopped_2"
    ]  # annotated 3 times (uids _2, _1519, _2681)
    assert (
        len(loaded.pairs[0].captions) == 3
        and loaded.pairs[0].captions[0] == "change the back ground"
    )


def test_clevr_change_real_counts(shared_data: Path, tmp_path: Path, placeholder) -> None:
    ann = tmp_path / "ann"
    ann.mkdir()
    for name in ("splits.json", "type_mapping.json"):
        (ann / name).write_bytes((shared_data / "clevr_change" / name).read_bytes())
    (ann / "change_captions.json").write_text(
        json.dumps({"CLEVR_default_001956.png": ["the cube changed to red", "x"]})
    )
    (ann / "no_change_captions.json").write_text(
        json.dumps({"CLEVR_default_001956.png": ["no change was made"]})
    )
    img = tmp_path / "img"
    placeholder(img / "images" / "CLEVR_default_001956.png")
    placeholder(img / "sc_images" / "CLEVR_semantic_001956.png")
    placeholder(img / "nsc_images" / "CLEVR_nonsemantic_001956.png")
    bare = load_pairs("clevr_change", shared_data / "clevr_change")
    # 39,803 scene indices, each a change pair and a distractor pair: 79,606 pairs
    assert splits(bare) == {
        "train": (33830, 67660, 0),
        "val": (1988, 3976, 0),
        "test": (3985, 7970, 0),
    }
    assert bare.notes and "change_captions.json" in bare.notes[0]
    loaded = load_pairs("clevr_change", ann, img)
    assert [(p.id, p.captions, p.changes) for p in loaded.pairs] == [
        ("001956", ("the cube changed to red", "x"), ("color",)),
        ("001956_nc", ("no change was made",), ("none",)),
    ]


def test_clevr_dc_real_counts(shared_data: Path, tmp_path: Path, placeholder) -> None:
    (tmp_path / "split.json").write_bytes((shared_data / "clevr_dc" / "split.json").read_bytes())
    (tmp_path / "change_captions.json").write_text(json.dumps({"7200": ["the small cube is gone"]}))
    placeholder(tmp_path / "bef" / "7200.png")
    placeholder(tmp_path / "aft" / "7200.png")
    assert splits(load_pairs("clevr_dc", shared_data / "clevr_dc")) == {
        "train": (40800, 40800, 0),
        "val": (2400, 2400, 0),
        "test": (4800, 4800, 0),
    }
    loaded = load_pairs("clevr_dc", tmp_path)
    assert [(p.id, p.split, p.captions) for p in loaded.pairs] == [
        ("7200", "test", ("the small cube is gone",))
    ]


BIRDS_HEADER = "img1ObservationURL\timg1ImgURL\timg1Species\timg1Selection\timg2ObservationURL\timg2ImgURL\timg2Species\timg2Selection\tsplit\tannN\tdescription\n"


def test_birds_to_words_tsv(tmp_path: Path, placeholder) -> None:
    rows = [
        ("https://o/1", "https://static.x.org/photos/11/medium.jpg", "a", "s", "https://o/2", "https://static.x.org/photos/22/medium.jpg", "b", "s", "train", "0", "animal1 has a longer beak."),
        ("https://o/1", "https://static.x.org/photos/11/medium.jpg", "a", "s", "https://o/2", "https://static.x.org/photos/22/medium.jpg", "b", "s", "train", "1", "animal2 is darker."),
        ("https://o/3", "https://static.x.org/photos/33/medium.jpg", "a", "s", "https://o/4", "https://static.x.org/photos/44/medium.jpg", "b", "s", "test", "0", "animal1 is smaller."),
    ]  # fmt: skip
    tsv = tmp_path / "birds-to-words-v1.0.tsv"
    tsv.write_text(BIRDS_HEADER + "".join("\t".join(r) + "\n" for r in rows))
    placeholder(tmp_path / "photos/11/medium.jpg")
    placeholder(tmp_path / "photos/22/medium.jpg")
    loaded = load_pairs("birds_to_words", tsv)
    assert splits(loaded) == {"train": (2, 1, 2), "test": (1, 1, 1)}
    assert loaded.pairs[0].captions == ("animal1 has a longer beak.", "animal2 is darker.")
    assert loaded.missing["test"] == 1
    tsv.write_text("a\tb\n1\t2\n")
    with pytest.raises(
        DataError, match=r"birds-to-words-v1.0.tsv: header: missing columns img1ImgURL"
    ):
        load_pairs("birds_to_words", tsv)


def test_llava_two_image_json(tmp_path: Path, placeholder) -> None:
    recs = [
        {"id": "a", "image": ["x/a1.png", "x/a2.png"], "conversations": [
            {"from": "human", "value": "<image>\n<image>\nWhat changed?"}, {"from": "gpt", "value": "The chair moved."}]},
        {"id": "b", "image": ["x/b1.png", "x/b2.png"], "conversations": [
            {"from": "human", "value": "<image>\n<image>\nDescribe."}, {"from": "gpt", "value": "Lights off."}]},
    ]  # fmt: skip
    f = tmp_path / "omnidiff_train.json"
    f.write_text(json.dumps(recs))
    for n in ("a1", "a2", "b1"):
        placeholder(tmp_path / "x" / f"{n}.png")
    loaded = load_pairs("llava", f)
    assert splits(loaded) == {"train": (2, 2, 2)}
    assert [(p.id, p.prompt, p.captions) for p in loaded.pairs] == [
        ("a", "What changed?", ("The chair moved.",))
    ]
    recs[1]["image"] = ["only-one.png"]
    f.write_text(json.dumps(recs))
    with pytest.raises(DataError, match=r"omnidiff_train.json: record 1: expected two images"):
        load_pairs("llava", f)


def test_diffforge_dir(tmp_path: Path, placeholder) -> None:
    lines = [
        {"id": "p0", "split": "train", "before": "images/p0_before.png", "after": "images/p0_after.png",
         "changes": [{"type": "color"}], "captions": [{"text": "the mug is now red.", "referring": "the mug", "change": "is now red"}]},
        {"id": "p1", "split": "test", "before": "images/p1_before.png", "after": "images/p1_after.png",
         "changes": [], "captions": [{"text": "nothing", "referring": "", "change": ""}]},
    ]  # fmt: skip
    (tmp_path / "pairs.jsonl").write_text("".join(json.dumps(r) + "\n" for r in lines))
    placeholder(tmp_path / "images/p0_before.png")
    placeholder(tmp_path / "images/p0_after.png")
    loaded = load_pairs("diffforge", tmp_path)
    assert [(p.id, p.changes, p.captions) for p in loaded.pairs] == [
        ("p0", ("color",), ("the mug is now red.",))
    ]
    assert loaded.missing == {"test": 1}
    (tmp_path / "pairs.jsonl").write_text('{"id": "p0"\n')
    with pytest.raises(DataError, match=r"pairs.jsonl: line 1: invalid JSON"):
        load_pairs("diffforge", tmp_path)


def test_malformed_and_unknown(tmp_path: Path) -> None:
    (tmp_path / "train.json").write_text('[{"img_id": "1", "sentences": ["a"]},')
    with pytest.raises(DataError, match=r"train.json: invalid JSON \(line 1, column \d+\)") as exc:
        load_pairs("spot_the_diff", tmp_path)
    assert "\n" not in str(exc.value) and isinstance(exc.value, DiffforgeError)
    (tmp_path / "train.json").write_text('[{"img": "1"}]')
    with pytest.raises(DataError, match=r"train.json: entry 0: expected keys img_id, sentences"):
        load_pairs("spot_the_diff", tmp_path)
    with pytest.raises(DataError, match=r"unknown data format 'coco'; valid: birds_to_words"):
        load_pairs("coco", tmp_path)
    with pytest.raises(DataError, match=r"nope: not found"):
        load_pairs("iedit", tmp_path / "nope")


def test_data_info_cli(shared_data: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(
        data_app, ["info", "--format", "iedit", str(shared_data / "iedit"), "--json"]
    )
    assert res.exit_code == 0, res.output
    info = json.loads(res.output)
    assert info["total"] == {
        "entries": 3939,
        "pairs": 3310,
        "captions": 5695,
        "usable": 0,
        "missing_images": 3310,
    }
    res = runner.invoke(
        data_app, ["info", "--format", "spot_the_diff", str(shared_data / "spot_the_diff")]
    )
    assert res.exit_code == 0
    lines = res.output.splitlines()
    assert lines[1].split() == ["split", "entries", "pairs", "captions", "usable", "missing_images"]
    assert lines[2].split() == ["train", "9524", "8566", "17676", "0", "8566"]
    assert lines[-1].split()[:4] == ["total", "12562", "11329", "23093"]
