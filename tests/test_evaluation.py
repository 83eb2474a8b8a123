"""diffforge.evaluation on the real released annotation files, checked against pycocoevalcap.

Java runs the PTB tokenizer and METEOR, so each full `evaluate` costs a couple of JVM starts:
most tests ask only for the metrics they check, and reference sets stay small except where the
whole file is the point (marked slow).
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import shutil
from pathlib import Path

import chat_server
import pytest

from diffforge.commands.evaluation import eval_command
from diffforge.errors import DiffforgeError
from diffforge.evaluation import (
    evaluate,
    evaluate_by_type,
    evaluate_groups,
    load_predictions,
    load_references,
    markdown_table,
    spice_setup,
    tokenize,
)
from diffforge.evaluation.judge import judge, parse_score
from diffforge.evaluation.references import align
from diffforge.llm import ChatClient

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
SPOT_TEST = DATA / "spot_the_diff" / "test.json"
CLEVR = DATA / "clevr_change"

# Java runs the PTB tokenizer (every metric), METEOR and SPICE; the readers, the judge and the
# table do not need it.
needs_java = pytest.mark.skipif(shutil.which("java") is None, reason="needs java")


def made_up_candidates(refs: dict[str, list[str]]) -> dict[str, str]:
    """Deterministic candidates of mixed quality: a reference, a truncated one, a neighbour's,
    a generic sentence, and one empty caption."""
    ids = list(refs)
    out = {}
    for n, k in enumerate(ids):
        own = refs[k][0]
        match n % 4:
            case 0:
                out[k] = own
            case 1:
                out[k] = " ".join(own.split()[:-2]) or own
            case 2:
                out[k] = refs[ids[(n + 7) % len(ids)]][-1]
            case _:
                out[k] = "The car in the top left is gone."
    out[ids[5]] = ""
    return out


def toolkit_direct(preds: dict[str, str], refs: dict[str, list[str]], meteor: bool = True) -> dict:
    """What pycocoevalcap's COCOEvalCap.evaluate computes, step by step with its own classes
    (its SPICE step would try to download CoreNLP, so it is left out here)."""
    from pycocoevalcap.bleu.bleu import Bleu
    from pycocoevalcap.cider.cider import Cider
    from pycocoevalcap.meteor.meteor import Meteor
    from pycocoevalcap.rouge.rouge import Rouge
    from pycocoevalcap.tokenizer.ptbtokenizer import PTBTokenizer

    gts = PTBTokenizer().tokenize({k: [{"caption": c} for c in refs[k]] for k in preds})
    res = PTBTokenizer().tokenize({k: [{"caption": v}] for k, v in preds.items()})
    res = {k: res.get(k, [""]) for k in preds}  # the toolkit drops a trailing empty line
    out = {}
    with contextlib.redirect_stdout(io.StringIO()):
        bleu, _ = Bleu(4).compute_score(gts, res)
    out.update({f"Bleu_{i + 1}": b for i, b in enumerate(bleu)})
    if meteor:
        out["METEOR"], _ = Meteor().compute_score(gts, res)
    out["ROUGE_L"], _ = Rouge().compute_score(gts, res)
    out["CIDEr"], _ = Cider().compute_score(gts, res)
    return out


@pytest.fixture(scope="module")
def spot() -> dict[str, list[str]]:
    return load_references(SPOT_TEST).captions


# ---------------------------------------------------------------- readers


def test_spot_the_diff_reader_merges_repeated_ids(spot: dict[str, list[str]]) -> None:
    raw = json.loads(SPOT_TEST.read_text())
    ids = {e["img_id"] for e in raw}
    assert set(spot) == ids and len(spot) < len(raw)  # the file repeats img_ids
    repeated = next(k for k in ids if sum(e["img_id"] == k for e in raw) > 1)
    expected = [s for e in raw if e["img_id"] == repeated for s in e["sentences"]]
    assert spot[repeated] == expected
    assert sum(map(len, spot.values())) == sum(len(e["sentences"]) for e in raw)


def test_clevr_change_reader_ids_types_and_splits(tmp_path: Path) -> None:
    for name in ("splits.json", "type_mapping.json"):
        shutil.copy(CLEVR / name, tmp_path / name)
    splits = json.loads((CLEVR / "splits.json").read_text())
    test_ids = sorted(splits["test"])[:3]
    train_id = splits["train"][0]
    names = [f"CLEVR_default_{i:06d}.png" for i in [*test_ids, train_id]]
    change = {n: [f"the cube changed {n}", "something moved"] for n in names}
    (tmp_path / "change_captions.json").write_text(json.dumps(change))
    (tmp_path / "no_change_captions.json").write_text(
        json.dumps({n: ["no change was made", "the scene is the same"] for n in names})
    )
    refs = load_references(tmp_path, split="test")
    assert refs.format == "clevr-change"
    wanted = {f"{i:06d}.png" for i in test_ids} | {f"{i:06d}.png_n" for i in test_ids}
    assert set(refs.captions) == wanted
    mapping = json.loads((CLEVR / "type_mapping.json").read_text())
    kind = next(t for t, files in mapping.items() if f"{test_ids[0]:06d}.png" in files)
    assert refs.types[f"{test_ids[0]:06d}.png"] == [kind]
    assert refs.types[f"{test_ids[0]:06d}.png_n"] == ["none"]
    assert len(load_references(tmp_path).captions) == 8  # no split: everything
    single = load_references(tmp_path / "no_change_captions.json")
    assert all(k.endswith("_n") for k in single.captions)
    # predictions keyed by the full released image name still find their references
    preds = {names[0]: "the cube changed"}
    assert align(preds, refs, "p.json") == {f"{test_ids[0]:06d}.png": "the cube changed"}


def test_coco_files_and_dataset_dir(tmp_path: Path) -> None:
    anns = {"annotations": [{"image_id": 1, "caption": "a"}, {"image_id": 1, "caption": "b"}]}
    (tmp_path / "anns.json").write_text(json.dumps(anns))
    assert load_references(tmp_path / "anns.json").captions == {"1": ["a", "b"]}
    res = [{"image_id": 1, "caption": "x"}, {"image_id": "2", "caption": "y"}]
    (tmp_path / "res.json").write_text(json.dumps(res))
    assert load_predictions(tmp_path / "res.json") == {"1": "x", "2": "y"}
    (tmp_path / "map.json").write_text(json.dumps({"1": "x", "2": ["y"]}))
    assert load_predictions(tmp_path / "map.json") == {"1": "x", "2": "y"}
    ds = make_dataset(tmp_path / "ds")
    refs = load_references(ds, split="test")
    assert refs.format == "diffforge" and set(refs.captions) == {"p1", "p2", "p3", "p4"}
    assert refs.types["p3"] == ["none"] and refs.types["p4"] == ["color", "move"]


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (None, "file not found"),
        ("{not json", r"invalid JSON \(line 1, column 2\)"),
        ('{"some": "thing"}', "unknown reference format"),
        ("[1, 2]", "unknown reference format"),
    ],
)
def test_bad_reference_files_name_the_file(
    tmp_path: Path, content: str | None, problem: str
) -> None:
    path = tmp_path / "refs.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(DiffforgeError, match=problem) as info:
        load_references(path)
    assert str(path) in str(info.value) and "\n" not in str(info.value)


def test_prediction_problems_name_the_file(tmp_path: Path, spot: dict[str, list[str]]) -> None:
    dup = tmp_path / "dup.json"
    dup.write_text(json.dumps([{"image_id": 1, "caption": "a"}, {"image_id": 1, "caption": "b"}]))
    with pytest.raises(DiffforgeError, match=r"dup\.json: id '1' has more than one"):
        load_predictions(dup)
    stray = tmp_path / "stray.json"
    stray.write_text(json.dumps([{"image_id": "no-such-pair", "caption": "a"}]))
    with pytest.raises(
        DiffforgeError, match=r"stray\.json: 1 of 1 prediction ids are not in .*test\.json"
    ):
        eval_command(stray, SPOT_TEST, json_out=True)
    with pytest.raises(DiffforgeError, match="no references"):
        evaluate({"nope": "x"}, spot, metrics=["CIDEr"])


# ---------------------------------------------------------------- metrics


@needs_java
def test_metrics_equal_the_toolkit_on_real_references(spot: dict[str, list[str]]) -> None:
    refs = dict(list(spot.items())[:40])
    preds = made_up_candidates(refs)
    # METEOR's JVM takes seconds to load its tables: it is compared in the slow whole-file test
    ours = evaluate(preds, refs, metrics=["Bleu", "ROUGE_L", "CIDEr", "SPICE"], spice=False)
    direct = toolkit_direct(preds, refs, meteor=False)
    for name, value in direct.items():
        assert ours[name] == pytest.approx(value, abs=1e-12), name
    assert ours["SPICE"] is None and ours["unavailable"] == {"SPICE": "disabled"}
    assert ours["n"] == 40 and 0 < ours["CIDEr"] < 10


@pytest.mark.slow
@needs_java
def test_metrics_equal_the_toolkit_on_the_whole_spot_the_diff_test_file(
    spot: dict[str, list[str]],
) -> None:
    preds = made_up_candidates(spot)
    ours = evaluate(preds, spot, spice=False)
    direct = toolkit_direct(preds, spot)
    assert {k: ours[k] for k in direct} == pytest.approx(direct, abs=1e-12)
    assert ours["n"] == len(spot) == 1270


@needs_java
def test_cider_is_computed_over_the_whole_set(spot: dict[str, list[str]]) -> None:
    preds = made_up_candidates(spot)
    subset = list(spot)[100:130]
    whole = evaluate(preds, spot, metrics=["CIDEr"], per_item=True)
    alone = evaluate({k: preds[k] for k in subset}, spot, metrics=["CIDEr"], per_item=True)
    inside = [whole["per_item"][k]["CIDEr"] for k in subset]
    by_itself = [alone["per_item"][k]["CIDEr"] for k in subset]
    assert inside != pytest.approx(by_itself, rel=1e-3), "IDF must come from the whole corpus"
    assert alone["CIDEr"] == pytest.approx(sum(by_itself) / len(subset))
    assert whole["CIDEr"] == pytest.approx(
        sum(v["CIDEr"] for v in whole["per_item"].values()) / 1270
    )
    # and groups are scored as their own corpora, in the same run
    grouped = evaluate_groups(preds, spot, {"all": list(spot), "sub": subset}, metrics=["CIDEr"])
    assert grouped["all"]["CIDEr"] == pytest.approx(whole["CIDEr"])
    assert grouped["sub"]["CIDEr"] == pytest.approx(alone["CIDEr"])


@needs_java
def test_spice_unavailable_is_reported_not_crashed_on(tmp_path: Path, spot) -> None:
    refs = dict(list(spot.items())[:6])
    preds = made_up_candidates(refs)
    setup = spice_setup(tmp_path)
    assert not setup.available and str(tmp_path) in setup.reason
    out = evaluate(preds, refs, metrics=["Bleu", "SPICE"], spice_lib=tmp_path)
    assert out["SPICE"] is None and "CoreNLP" in out["unavailable"]["SPICE"]
    assert out["Bleu_4"] >= 0.0
    with pytest.raises(DiffforgeError, match="SPICE requested but unavailable"):
        evaluate(preds, refs, metrics=["SPICE"], spice=True, spice_lib=tmp_path)
    # jars that are there but broken: SPICE fails at run time, the rest still comes out
    for jar in ("stanford-corenlp-3.6.0.jar", "stanford-corenlp-3.6.0-models.jar"):
        (tmp_path / jar).write_bytes(b"not a jar")
    out = evaluate(preds, refs, metrics=["ROUGE_L", "SPICE"], spice_lib=tmp_path)
    assert out["SPICE"] is None and out["unavailable"]["SPICE"].startswith("SPICE failed")
    assert out["ROUGE_L"] > 0.0


@needs_java
def test_tokenizer_keeps_ids_aligned_across_odd_line_breaks() -> None:
    caps = {"a": ["The red\rcar."], "b": ["x\u2028y"], "c": [""], "d": ["Last one!"], "e": [""]}
    assert tokenize(caps) == {
        "a": ["the red car"],
        "b": ["x y"],
        "c": [""],
        "d": ["last one"],
        "e": [""],
    }


def make_dataset(root: Path) -> Path:
    """A diffforge dataset directory as `generate` writes it (only its pair records matter here)."""
    root.mkdir(parents=True)
    rows = [
        ("p1", "test", ["the red chair has been moved to the left"], ["move"]),
        ("p2", "test", ["the blue vase changed to green", "the vase is now green"], ["color"]),
        ("p3", "test", ["nothing has changed"], []),
        ("p4", "test", ["the cup turned yellow and the lamp moved"], ["color", "move"]),
        ("p5", "train", ["a training caption"], ["add"]),
    ]
    with (root / "pairs.jsonl").open("w") as fh:
        for pid, split, caps, kinds in rows:
            rec = {
                "id": pid,
                "split": split,
                "before": f"images/{pid}_before.png",
                "after": f"images/{pid}_after.png",
                "captions": [{"text": c, "referring": "", "change": ""} for c in caps],
                "changes": [{"type": k, "targets": [], "params": {}} for k in kinds],
            }
            fh.write(json.dumps(rec) + "\n")
    return root


@pytest.mark.slow
@needs_java
def test_eval_command_json_with_per_type_breakdown(tmp_path: Path, capsys) -> None:
    ds = make_dataset(tmp_path / "ds")
    preds = [
        {"image_id": "p1", "caption": "the red chair moved to the left"},
        {"image_id": "p2", "caption": "the vase is now green"},
        {"image_id": "p3", "caption": "there is no change"},
        {"image_id": "p4", "caption": "the cup became yellow"},
    ]
    (tmp_path / "preds.json").write_text(json.dumps(preds))
    md = tmp_path / "out" / "table.md"
    result = eval_command(tmp_path / "preds.json", ds, json_out=True, split="test", markdown=md)
    printed = json.loads(capsys.readouterr().out)  # exactly one JSON object
    for key in ("Bleu_1", "Bleu_2", "Bleu_3", "Bleu_4", "METEOR", "ROUGE_L", "CIDEr", "SPICE"):
        assert key in printed
    assert printed["SPICE"] is None and "SPICE" in printed["unavailable"]
    assert printed["n"] == 4 and printed["format"] == "diffforge"
    assert set(printed["by_type"]) == {"color", "move", "none"}
    assert printed["by_type"]["color"]["n"] == 2 and printed["by_type"]["move"]["n"] == 2
    assert printed["CIDEr"] == pytest.approx(result["CIDEr"])
    # per type means scored per type: the same as evaluating that subset alone
    refs = load_references(ds, split="test").captions
    color = {k: v["caption"] for k, v in zip(["p1", "p2", "p3", "p4"], preds, strict=True)}
    color = {k: color[k] for k in ("p2", "p4")}
    alone = evaluate(color, refs, metrics=["Bleu", "CIDEr"])
    assert printed["by_type"]["color"]["CIDEr"] == pytest.approx(alone["CIDEr"])
    assert printed["by_type"]["color"]["Bleu_4"] == pytest.approx(alone["Bleu_4"])
    table = md.read_text()
    assert table.splitlines()[0].startswith("| pairs | n | B-1 |") and "| color | 2 |" in table
    assert "n/a" in table  # SPICE column


@needs_java
def test_eval_per_subset_is_one_tables_11_12_table(tmp_path: Path, capsys, spot) -> None:
    """References that carry a subset (OmniDiff's training JSON: Real / Render) give one row per
    subset, each scored on its own corpus, in JSON and as a Tables 11-12 markdown table; every
    group and subset is tokenized in one PTB run."""
    from diffforge.evaluation import metrics

    ids = list(spot)[:10]
    records = [
        {"id": k, "split": "test", "image": ["a.png", "b.png"],
         "subset": "Real" if n < 4 else "Render",
         "conversations": [{"from": "human", "value": "<image>\n<image>\nWhat changed?"},
                           {"from": "gpt", "value": f"{spot[k][0]} ({tmp_path.name})"}]}
        for n, k in enumerate(ids)
    ]  # fmt: skip
    refs = tmp_path / "omnidiff_test.json"
    refs.write_text(json.dumps(records))
    preds = made_up_candidates({k: [f"{spot[k][0]} ({tmp_path.name})"] for k in ids})
    (tmp_path / "p.json").write_text(json.dumps(preds))
    md = tmp_path / "t.md"
    runs = metrics.PTB_RUNS
    eval_command(tmp_path / "p.json", refs, json_out=True, markdown=md, metrics=["Bleu", "CIDEr"])
    printed = json.loads(capsys.readouterr().out)
    assert metrics.PTB_RUNS - runs == 1  # new captions: one JVM start for all groups
    assert {k: v["n"] for k, v in printed["by_subset"].items()} == {"Real": 4, "Render": 6}
    loaded = load_references(refs)
    real = evaluate({k: preds[k] for k in ids[:4]}, loaded.captions, metrics=["Bleu", "CIDEr"])
    assert printed["by_subset"]["Real"]["CIDEr"] == pytest.approx(real["CIDEr"])
    assert metrics.PTB_RUNS - runs == 1  # already tokenized: no JVM start at all
    lines = md.read_text().splitlines()
    assert "| model | Real B-4 | Real CIDEr | Render B-4 | Render CIDEr |" in lines
    row = next(ln for ln in lines if ln.startswith("| p.json |"))
    assert f"{real['CIDEr'] * 100:.1f}" in row.split(" | ")[2]
    assert "Pairs per subset: Real 4, Render 6." in lines


@needs_java
def test_score_many_scores_several_files_in_one_tokenization(tmp_path: Path, spot) -> None:
    """Several models or decodings against the same references: one PTB run for all of them,
    and each file's numbers equal its own ``run_eval``."""
    from diffforge.evaluation import metrics
    from diffforge.evaluation.scoring import run_eval, score_many

    refs = {k: spot[k] for k in list(spot)[:12]}
    runs = {}
    for name, shift in (("a", 1), ("b", 3)):
        preds = {
            k: f"{' '.join(v[0].split()[shift:])} {name}{tmp_path.name}" for k, v in refs.items()
        }
        (tmp_path / f"{name}.json").write_text(json.dumps(preds))
        runs[name] = (tmp_path / f"{name}.json", SPOT_TEST, None)
    before = metrics.PTB_RUNS
    both = score_many(runs, metrics=["Bleu", "CIDEr"])
    assert metrics.PTB_RUNS - before == 1
    for name, (path, ref, _split) in runs.items():
        alone = run_eval(path, ref, metrics=["Bleu", "CIDEr"])
        assert both[name]["CIDEr"] == pytest.approx(alone["CIDEr"]) and both[name]["n"] == 12
    assert metrics.PTB_RUNS - before == 1  # all cached
    assert both["a"]["Bleu_4"] != both["b"]["Bleu_4"]


def test_markdown_table_shape() -> None:
    rows = {"all": {"n": 3, "Bleu_4": 0.1234, "CIDEr": 1.5, "SPICE": None}, "move": {"n": 1}}
    lines = markdown_table(rows).splitlines()
    assert lines[0] == "|  | n | B-4 | CIDEr | SPICE |"
    assert lines[2] == "| all | 3 | 12.3 | 150.0 | n/a |"
    assert lines[3] == "| move | 1 | n/a | n/a | n/a |"


@needs_java
def test_evaluate_by_type_counts_multi_change_pairs_in_each_type(tmp_path: Path) -> None:
    refs = load_references(make_dataset(tmp_path / "ds"), split="test")
    preds = {k: v[0] for k, v in refs.captions.items()}
    groups = evaluate_by_type(preds, refs.captions, refs.types, metrics=["Bleu"])
    assert list(groups) == ["all", "color", "move", "none"]
    assert {g: r["n"] for g, r in groups.items()} == {"all": 4, "color": 2, "move": 2, "none": 1}
    assert all(math.isclose(r["Bleu_1"], 1.0, rel_tol=1e-6) for r in groups.values())


# ---------------------------------------------------------------- LLM judge


@pytest.mark.parametrize(
    ("answer", "score"),
    [
        ("Score: 85", 85.0),
        ("85/100", 85.0),
        ('```json\n{"score": 72}\n```', 72.0),
        ("The candidate misses the colour. A score of 100 means identical.\nScore: 40", 40.0),
        ("**Score:** 90", 90.0),
        ("I would rate it 60 out of 100.", 60.0),
        ("70", 70.0),
        ("Score: 4/5", None),
        ('{"score": 55, "justification": "a {brace} inside"}', 55.0),
        ('{"score": "80", "justification": "he said "red""}', 80.0),
        ("Coverage: 3 of 4 aspects. Score: 75%", 75.0),
        ("Score: 150", None),
        ("The captions describe different changes.", None),
        ("", None),
    ],
)
def test_parse_score(answer: str, score: float | None) -> None:
    assert parse_score(answer) == score


def test_judge_against_a_loopback_server(tmp_path: Path, spot: dict[str, list[str]]) -> None:
    """The seed's protocol: one call per (prediction, reference), each answer parsed, a pair's
    score the mean over its references' parsed scores, the judge score the mean over pairs;
    failed and unparseable calls are counted and left out; answered calls come from the cache."""
    answers = {
        "good": chat_server.Reply(content='{"score": 90, "justification": "all aspects"}'),
        "json": chat_server.Reply(content='```json\n{"score": "40", "justification": "the "colour" is wrong"}\n```'),
        "vague": chat_server.Reply(content="I am not sure what to say here."),
        "down": chat_server.Reply(status=500, raw=b"overloaded"),
    }  # fmt: skip

    def respond(body: dict, n: int):
        prompt = body["messages"][-1]["content"]
        kind = next(k for k in answers if f"CANDIDATE-{k}" in prompt)
        if kind == "good" and "REF-1" in prompt:  # a second reference, half covered
            return chat_server.Reply(content="Aspects: 4, covered: 2.\nScore: 50")
        return answers[kind]

    ids = list(spot)[:4]
    refs = {k: [f"REF-0 {spot[k][0]}", f"REF-1 {spot[k][-1]}"] for k in ids}
    refs[ids[1]] = refs[ids[1]][:1]  # one reference only
    preds = {k: f"CANDIDATE-{kind}" for k, kind in zip(ids, answers, strict=True)}
    with chat_server.ChatServer(respond) as srv:
        client = ChatClient(
            "judge-model", srv.url, None, retries=1, backoff=0.01, cache_path=tmp_path / "judge.sqlite"
        )  # fmt: skip
        out = judge(preds, refs, client)
        assert out["protocol"] == "aspects" and "mean of its references" in out["aggregation"]
        assert out["items"][ids[0]]["score"] == pytest.approx(70.0)  # (90 + 50) / 2
        assert out["items"][ids[1]]["score"] == pytest.approx(40.0)
        assert out["items"][ids[2]]["score"] is None and out["items"][ids[3]]["score"] is None
        assert out["judge_score"] == pytest.approx(55.0)  # mean over the two scored pairs
        assert (out["n"], out["scored"], out["calls"]) == (4, 2, 7)
        assert (out["unparseable"], out["failed"]) == (2, 2)
        assert out["items"][ids[0]]["references"][1]["raw"].endswith("Score: 50")
        assert "HTTP 500" in out["items"][ids[3]]["references"][0]["error"]
        assert srv.count == 9  # 7 calls, the two 500s retried once
        bodies = [b for b in srv.bodies if "CANDIDATE-good" in b["messages"][0]["content"]]
        assert len(bodies) == 2  # one call per reference, each holding that reference only
        prompt = bodies[0]["messages"][0]["content"]
        assert ("REF-0" in prompt) != ("REF-1" in prompt)
        for words in ("aspects", "exactly or partly", "same weight", "0 (none)", "100", "justification"):  # fmt: skip
            assert words in prompt
        assert bodies[0]["temperature"] == 0.0 and bodies[0]["model"] == "judge-model"

        again = judge(preds, refs, client)  # answered ones come from the cache
        assert again["judge_score"] == out["judge_score"]
        cached = [a["cached"] for k in ids for a in again["items"][k]["references"]]
        assert cached == [True, True, True, True, True, False, False]
        assert srv.count == 13


def test_judge_rubric_protocol_by_name(tmp_path: Path, spot: dict[str, list[str]]) -> None:
    """The earlier rubric stays available: one call per prediction over all its references."""
    ids = list(spot)[:3]
    refs = {k: spot[k] for k in ids}
    with chat_server.ChatServer(lambda body, n: chat_server.Reply(content="Score: 50")) as srv:
        client = ChatClient("j", srv.url, None, cache_path=tmp_path / "c.sqlite")
        out = judge({k: "a caption" for k in ids}, refs, client, protocol="rubric")
        assert (out["protocol"], out["calls"], out["judge_score"], srv.count) == (
            "rubric",
            3,
            50.0,
            3,
        )
        prompts = [b["messages"][0]["content"] for b in srv.bodies]  # in arrival order
        assert any(all(r in p for r in refs[ids[0]]) for p in prompts)  # all references at once
        assert all("- 50:" in p for p in prompts)
    with pytest.raises(
        DiffforgeError, match=r"--judge-protocol: unknown 'likert'; valid: aspects, rubric"
    ):
        judge({}, {}, client, protocol="likert")


@needs_java
def test_eval_command_prints_a_table_for_spot_the_diff(tmp_path: Path, spot) -> None:
    from rich.console import Console

    preds = made_up_candidates(dict(list(spot.items())[:20]))
    path = tmp_path / "preds.json"
    path.write_text(json.dumps([{"image_id": int(k), "caption": v} for k, v in preds.items()]))
    console = Console(file=io.StringIO(), width=120)
    result = eval_command(path, SPOT_TEST, metrics=["Bleu", "CIDEr", "SPICE"], console=console)
    text = console.file.getvalue()
    assert "B-4" in text and "CIDEr" in text and "SPICE unavailable" in text
    assert f"{result['CIDEr'] * 100:.1f}" in text
    assert result["unpredicted_references"] == len(spot) - 20 and "by_type" not in result


@needs_java
def test_eval_command_with_judge(tmp_path: Path, spot, capsys, monkeypatch) -> None:
    monkeypatch.setenv("DIFFFORGE_CACHE_DIR", str(tmp_path / "cache"))
    preds = made_up_candidates(dict(list(spot.items())[:6]))
    path = tmp_path / "preds.json"
    path.write_text(json.dumps(preds))
    with chat_server.ChatServer(lambda body, n: chat_server.Reply(content="Score: 50")) as srv:
        kwargs = {"metrics": ["CIDEr"], "judge_model": "j", "judge_base_url": srv.url}
        result = eval_command(path, SPOT_TEST, json_out=True, judge=True, **kwargs)
        printed = json.loads(capsys.readouterr().out)
        assert printed["judge"]["judge_score"] == 50.0 and printed["judge"]["scored"] == 6
        items = printed["judge"]["items"].values()
        assert all(a["raw"] == "Score: 50" for i in items for a in i["references"])
        calls = sum(len(spot[k]) for k in preds)  # the seed's protocol: one per reference
        assert result["CIDEr"] == pytest.approx(printed["CIDEr"]) and srv.count == calls
        assert (tmp_path / "cache" / "llm.sqlite").is_file()
        monkeypatch.delenv("OPENAI_MODEL", raising=False)  # no model named: the seed's GPT-4o
        kwargs.pop("judge_model")
        eval_command(path, SPOT_TEST, json_out=True, judge=True, judge_protocol="rubric", **kwargs)
        assert srv.bodies[-1]["model"] == "gpt-4o" and srv.count == calls + 6
