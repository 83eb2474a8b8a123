"""Writes tests/data/eval_golden.json: frozen predictions and references with the scores the COCO
caption toolkit (pycocoevalcap 1.2) gives them, computed once with the toolkit alone.

    PYTHONPATH=. .venv/bin/python tests/data/make_eval_golden.py

The references are the first 16 image ids of Spot-the-Diff's test annotations; the predictions
are made from them (a reference, a shortened one, a neighbour's, a generic sentence, an empty
one), so the scores spread over the metrics' range. The steps are COCOEvalCap.evaluate's (PTB
tokenizer, then Bleu(4), METEOR, ROUGE_L, CIDEr) without its SPICE step, which downloads
Stanford CoreNLP. Run it again only to change the frozen set, never to make a test pass.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SPOT_TEST = HERE.parents[2] / "shared" / "data" / "spot_the_diff" / "test.json"
COMMAND = "PYTHONPATH=. .venv/bin/python tests/data/make_eval_golden.py"
N = 16


def frozen_set() -> tuple[dict[str, str], dict[str, list[str]]]:
    refs: dict[str, list[str]] = {}
    for entry in json.loads(SPOT_TEST.read_text()):
        if entry["img_id"] in refs or len(refs) < N:
            refs.setdefault(entry["img_id"], []).extend(entry["sentences"])
    ids = list(refs)
    preds = {}
    for n, k in enumerate(ids):
        own = refs[k][0]
        preds[k] = [
            own,
            " ".join(own.split()[:-2]) or own,
            refs[ids[(n + 5) % len(ids)]][-1],
            "the car in the top left is gone",
        ][n % 4]
    preds[ids[7]] = ""
    return preds, refs


def toolkit_scores(preds: dict[str, str], refs: dict[str, list[str]]) -> dict[str, float]:
    from pycocoevalcap.bleu.bleu import Bleu
    from pycocoevalcap.cider.cider import Cider
    from pycocoevalcap.meteor.meteor import Meteor
    from pycocoevalcap.rouge.rouge import Rouge
    from pycocoevalcap.tokenizer.ptbtokenizer import PTBTokenizer

    gts = PTBTokenizer().tokenize({k: [{"caption": c} for c in refs[k]] for k in preds})
    res = PTBTokenizer().tokenize({k: [{"caption": v}] for k, v in preds.items()})
    res = {k: res.get(k, [""]) for k in preds}
    out: dict[str, float] = {}
    with contextlib.redirect_stdout(io.StringIO()):
        bleu, _ = Bleu(4).compute_score(gts, res)
    out.update({f"Bleu_{i + 1}": float(b) for i, b in enumerate(bleu)})
    out["METEOR"] = float(Meteor().compute_score(gts, res)[0])
    out["ROUGE_L"] = float(Rouge().compute_score(gts, res)[0])
    out["CIDEr"] = float(Cider().compute_score(gts, res)[0])
    return out


def main() -> None:
    import importlib.metadata

    preds, refs = frozen_set()
    golden = {
        "about": "frozen predictions and references with the COCO caption toolkit's scores",
        "command": COMMAND,
        "toolkit": f"pycocoevalcap {importlib.metadata.version('pycocoevalcap')}",
        "source": "Spot-the-Diff test.json (first 16 image ids)",
        "scores": {k: round(v, 6) for k, v in toolkit_scores(preds, refs).items()},
        "predictions": preds,
        "references": refs,
    }
    path = HERE / "eval_golden.json"
    path.write_text(json.dumps(golden, indent=1) + "\n")
    print(json.dumps(golden["scores"]), file=sys.stderr)


if __name__ == "__main__":
    main()
