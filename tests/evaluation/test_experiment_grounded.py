"""benchmarks/run_experiment.py reports ``eval --grounded``'s figures beside the toolkit's, from
the same prediction files: the figures equal the command's, and the report's tables carry them."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest
from grounded_corpus import write_dataset

from diffforge.dataset import read_pairs
from diffforge.evaluation.model_eval import write_results

TESTS = Path(__file__).resolve().parents[1]
REPO = TESTS.parent
sys.path.insert(0, str(TESTS / "cli"))
from cli_entry import diffforge, ok  # noqa: E402

NAMES = ["default:1", "default:11", "default:24", "clevr:0", "clevr:3", "clevr:8"]


def _script() -> ModuleType:
    """A fresh copy of the script (``main`` narrows its module-level ROWS)."""
    spec = importlib.util.spec_from_file_location(
        "run_experiment", REPO / "benchmarks/run_experiment.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def experiment(tmp_path: Path) -> tuple[Path, Path]:
    """A test split of six frozen pairs and the prediction files the script leaves in OUT: a
    model's (two right, one colour swapped, a "no change" on a changed pair) and the baseline's
    constant caption."""
    data = write_dataset(tmp_path / "data", NAMES)
    recs = read_pairs(data)
    out = tmp_path / "exp"
    model = {r.id: r.captions[0].text for r in recs}
    model["default-11"] = "The tree in the upper left changed from green to orange."
    model["clevr-0"] = "No change."
    model["clevr-8"] = "No change."
    write_results(model, out / "predictions_mdp.json")
    write_results(model, out / "predictions_mdp_other.json")
    constant = "No object, light or camera change can be seen between the two images."
    write_results({r.id: constant for r in recs}, out / "predictions_baseline.json")
    return data, out


def test_grounded_figures_are_eval_grounded_on_the_same_predictions(
    experiment: tuple[Path, Path],
) -> None:
    data, out = experiment
    script = _script()
    for key in ("mdp", "baseline"):
        got = script.grounded_figures(out, key, data)
        cli = ok(diffforge("eval", "--grounded", "--references", data, "--split", "test",
                           "--predictions", out / f"predictions_{key}.json", "--json"))  # fmt: skip
        want = json.loads(cli.stdout)["grounded"]
        del want["per_pair"]
        assert got == want, key
        assert json.loads((out / f"grounded_{key}.json").read_text())["per_pair"]
    model = script.grounded_figures(out, "mdp", data)
    assert (model["items"], model["found"], model["claims"], model["hallucinated"]) == (7, 5, 6, 1)
    base = script.grounded_figures(out, "baseline", data)
    assert (base["recall"], base["tnr"], base["claims"]) == (0.0, 1.0, 0)


def test_the_report_puts_the_grounded_columns_beside_cider(experiment: tuple[Path, Path]) -> None:
    data, out = experiment
    script = _script()
    args = script.parse_args(["--rows", "mdp", "--out", str(out), "--pairs", "6", "--steps", "2"])
    for name in [k for k in script.ROWS if k not in args.rows]:
        del script.ROWS[name]
    toolkit = {"n": 6, "Bleu_4": 0.2, "METEOR": 0.2, "ROUGE_L": 0.4, "CIDEr": 0.5}
    by_type = {"color": {**toolkit, "n": 2}}
    res = {
        "decoding": {"chosen": "greedy", "other": "beam 3",
                     "val": {"mdp": {"greedy": toolkit, "beam 3": toolkit}}},
        "mdp": {**toolkit, "by_type": by_type, "seconds": 1.0},
        "mdp_other": {**toolkit, "seconds": 1.0},
        "baseline": {**toolkit, "CIDEr": 0.1, "generation": {"constant": "No change."}},
    }  # fmt: skip
    for key in ("mdp", "mdp_other", "baseline"):
        res[key]["grounded"] = script.grounded_figures(out, key, data)
    info = {
        "machine": "test", "results": res, "splits": {"test": 6}, "captions": {"train": 0},
        "data": str(data), "render": {"pairs": 6, "seconds": 1.0},
        "train": {"mdp": {"sets": [], "seconds": 1.0, "losses": [0.5], "threads": 1, "parallel": 1}},
    }  # fmt: skip
    md = script.report(args, info)
    header = next(line for line in md.splitlines() if line.startswith("| model |"))
    assert header.endswith("| CIDEr | G-recall | G-precision | G-exact | G-TNR | invented |")
    row = next(
        line for line in md.splitlines() if line.startswith("| M³Diff (tiny) with MDP, greedy")
    )
    # 5 of 7 changes found, 5 of 6 claims real, 4 of 6 pairs exact, the none pair (clevr-0) said
    assert row.endswith("| 50.0 | 71.4 | 83.3 | 66.7 | 100.0 | 1/6 |"), row
    base = next(line for line in md.splitlines() if line.startswith("| Baseline"))
    assert base.endswith("| 10.0 | 0.0 | n/a | 16.7 | 100.0 | 0/0 |"), base
    assert "finds 5 of the 7 test changes (71.4 %)" in md
    assert "The baseline finds 0 of the 7 test changes (0.0 %); states no change" in md
    color = next(line for line in md.splitlines() if line.startswith("| color (with MDP)"))
    # CIDEr 50, then one of two colour changes found and one of two colour claims true (the
    # swapped tree)
    assert color.endswith("| 50.0 | 50.0 | 50.0 |"), color
    assert "diffforge eval --grounded --references" in md
