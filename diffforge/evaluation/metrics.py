"""Caption metrics exactly as the COCO caption toolkit (pycocoevalcap) computes them.

Why the care: IDC papers compare numbers from this toolkit, so we call its own classes
(PTBTokenizer, Bleu(4), Meteor, Rouge, Cider, Spice) instead of re-implementing anything.
CIDEr's IDF weights come from the evaluated corpus, so every scorer runs ONCE over the whole
set (or once per requested group, as CLEVR-Change papers do for change types): never per item.
PTB tokenization runs once per evaluation: one JVM start for the predictions and references of
every group and every prediction set scored together (``evaluate_many``: several models or
decodings against the same references), and never again for a caption already tokenized in this
process (the tokenizer maps each line on its own, so the cache is exact). ``PTB_RUNS`` counts the
JVM starts. One METEOR process serves all groups and sets.

SPICE needs Stanford CoreNLP 3.6.0 jars that pycocoevalcap downloads on first use; offline
machines rarely have them, so SPICE runs only when they are present (in the toolkit's
spice/lib or a configured directory) and is otherwise reported as unavailable with the reason.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from diffforge.errors import DiffforgeError

METRICS = ("Bleu_1", "Bleu_2", "Bleu_3", "Bleu_4", "METEOR", "ROUGE_L", "CIDEr", "SPICE")
SCORERS = ("Bleu", "METEOR", "ROUGE_L", "CIDEr", "SPICE")
CORENLP_JARS = ("stanford-corenlp-3.6.0.jar", "stanford-corenlp-3.6.0-models.jar")
SPICE_ENV = "DIFFFORGE_SPICE_LIB"


def _toolkit_dir() -> Path:
    try:
        import pycocoevalcap
    except ImportError:  # pragma: no cover - depends on the install
        raise DiffforgeError(
            "evaluation needs pycocoevalcap: pip install 'diffforge[eval]'"
        ) from None
    return Path(next(iter(pycocoevalcap.__path__)))  # a namespace package: no __file__


@dataclass(frozen=True)
class SpiceSetup:
    """Where SPICE's CoreNLP jars are, or why SPICE cannot run."""

    corenlp_dir: Path | None
    reason: str | None = None
    in_toolkit: bool = False

    @property
    def available(self) -> bool:
        return self.corenlp_dir is not None


def spice_setup(spice_lib: Path | str | None = None) -> SpiceSetup:
    """Find the CoreNLP 3.6.0 jars: `spice_lib`, else $DIFFFORGE_SPICE_LIB, else the toolkit's lib.

    Never triggers the toolkit's download (there is no network on most eval nodes).
    """
    if shutil.which("java") is None:
        return SpiceSetup(None, "java is not on PATH")
    toolkit_lib = _toolkit_dir() / "spice" / "lib"
    configured = spice_lib or os.environ.get(SPICE_ENV)
    if configured:
        where = Path(configured)
        missing = [j for j in CORENLP_JARS if not (where / j).is_file()]
        if missing:
            return SpiceSetup(
                None, f"Stanford CoreNLP jars not found in {where}: {', '.join(missing)}"
            )
        return SpiceSetup(where)
    missing = [j for j in CORENLP_JARS if not (toolkit_lib / j).is_file()]
    if missing:
        return SpiceSetup(
            None,
            f"Stanford CoreNLP jars not found in {toolkit_lib} ({', '.join(missing)}); "
            f"put them there or point {SPICE_ENV} at a folder holding them",
        )
    return SpiceSetup(toolkit_lib, in_toolkit=True)


def _one_line_caption(text: str) -> str:
    """PTBTokenizer maps one input line to one output line; any line break inside a caption
    (\\r, U+2028, ...) would shift every later caption onto the wrong id."""
    return " ".join(str(text).splitlines())


PTB_RUNS = 0  # PTBTokenizer JVM starts in this process (tests and benchmarks read it)
_TOKENS: dict[str, str] = {}  # caption (one line) -> its PTB tokenization


def tokenize(captions: Mapping[Any, Sequence[str]]) -> dict[Any, list[str]]:
    """PTB-tokenize (lower-case, punctuation dropped) with the toolkit's tokenizer: one JVM call
    for the captions not tokenized before in this process, none when all were."""
    global PTB_RUNS
    from pycocoevalcap.tokenizer.ptbtokenizer import PTBTokenizer

    lines = {k: [_one_line_caption(c) for c in caps] for k, caps in captions.items()}
    new = list(dict.fromkeys(c for caps in lines.values() for c in caps if c not in _TOKENS))
    if new:
        wanted = {i: [{"caption": c}] for i, c in enumerate(new)}
        PTB_RUNS += 1
        out = PTBTokenizer().tokenize(wanted)
        # The toolkit drops trailing empty lines: an id whose (empty) caption went missing is "".
        _TOKENS.update({c: (out.get(i) or [""])[0] for i, c in enumerate(new)})
    return {k: [_TOKENS[c] for c in caps] for k, caps in lines.items()}


@contextlib.contextmanager
def _meteor() -> Iterator[Any]:
    """The toolkit's METEOR 1.5 process, closed deterministically (its __del__ may never run)."""
    from pycocoevalcap.meteor.meteor import Meteor

    meteor = Meteor()
    try:
        yield meteor
    finally:
        with meteor.lock:
            meteor.meteor_p.stdin.close()
            meteor.meteor_p.kill()
            meteor.meteor_p.wait()


def _run_spice(gts: dict, res: dict, setup: SpiceSetup) -> tuple[float, dict[Any, float]]:
    """SPICE corpus score and per-item F-scores.

    With the jars in the toolkit's lib we call the toolkit's Spice class itself; with a
    configured folder we run the same jar with the same arguments, adding that folder to the
    class path (the jar's manifest only looks in its own lib/).
    """
    ids = sorted(gts)  # the toolkit orders SPICE results by sorted id
    if setup.in_toolkit:
        from pycocoevalcap.spice.spice import Spice

        score, items = Spice().compute_score(gts, res)
        return float(score), {i: float(s["All"]["f"]) for i, s in zip(ids, items, strict=True)}
    spice_dir = _toolkit_dir() / "spice"
    with tempfile.TemporaryDirectory(prefix="diffforge-spice-") as tmp:
        inp, out = Path(tmp) / "in.json", Path(tmp) / "out.json"
        data = [{"image_id": i, "test": res[i][0], "refs": gts[i]} for i in ids]
        inp.write_text(json.dumps(data))
        classpath = os.pathsep.join(
            [
                str(spice_dir / "spice-1.0.jar"),
                str(spice_dir / "lib" / "*"),
                f"{setup.corenlp_dir}/*",
            ]
        )
        cmd = ["java", "-Xmx8G", "-cp", classpath, "edu.anu.spice.SpiceScorer", str(inp)]
        cmd += ["-cache", str(spice_dir / "cache"), "-out", str(out), "-subset", "-silent"]
        proc = subprocess.run(cmd, cwd=spice_dir, capture_output=True, text=True)
        if proc.returncode != 0:
            lines = proc.stderr.strip().splitlines() or ["no output"]
            tail = next((ln for ln in lines if "Error" in ln or "Exception" in ln), lines[-1])
            raise RuntimeError(f"java exited with {proc.returncode}: {tail}")
        results = {r["image_id"]: r["scores"]["All"]["f"] for r in json.loads(out.read_text())}
    items_f = {i: _float_or_nan(results[i]) for i in ids}
    import numpy as np

    return float(np.mean(list(items_f.values()))), items_f


def _float_or_nan(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def _check(predictions: Mapping[str, str], references: Mapping[str, Sequence[str]]) -> None:
    if not predictions:
        raise DiffforgeError("evaluate: no predictions to score")
    missing = [k for k in predictions if k not in references]
    if missing:
        raise DiffforgeError(
            f"evaluate: {len(missing)} prediction id(s) have no references, e.g. {missing[:3]}"
        )
    empty = [k for k in predictions if not references[k]]
    if empty:
        raise DiffforgeError(f"evaluate: ids with an empty reference list, e.g. {empty[:3]}")
    bad = [k for k, v in predictions.items() if not isinstance(v, str)]
    if bad:
        raise DiffforgeError(f"evaluate: predictions must be one string per id, e.g. id {bad[0]}")


def _resolve_scorers(metrics: Iterable[str] | None) -> list[str]:
    if metrics is None:
        return list(SCORERS)
    chosen = []
    for m in metrics:
        name = "Bleu" if m.startswith("Bleu") else m
        if name not in SCORERS:
            raise DiffforgeError(f"evaluate: unknown metric {m!r}; valid: {', '.join(SCORERS)}")
        if name not in chosen:
            chosen.append(name)
    return chosen


def evaluate_groups(
    predictions: Mapping[Any, str],
    references: Mapping[Any, Sequence[str]],
    groups: Mapping[str, Iterable[Any]] | None = None,
    **kwargs: Any,
) -> dict[str, dict[str, Any]]:
    """Score each group of ids in one call per scorer; `groups=None` means one group "all".

    Ids are compared as strings. `spice`: None runs it when available, False skips it, True
    requires it (DiffforgeError when its jars are missing). Each group's dict holds the
    toolkit's metric names, `n`, `unavailable` {metric: reason} and, if asked, `per_item`.
    """
    return evaluate_many({"_": (predictions, references, groups)}, **kwargs)["_"]


def evaluate_many(
    runs: Mapping[
        str,
        tuple[Mapping[Any, str], Mapping[Any, Sequence[str]], Mapping[str, Iterable[Any]] | None],
    ],
    *,
    metrics: Iterable[str] | None = None,
    spice: bool | None = None,
    spice_lib: Path | str | None = None,
    per_item: bool = False,
) -> dict[str, dict[str, dict[str, Any]]]:
    """``evaluate_groups`` for several prediction sets (name -> (predictions, references,
    groups)) with ONE PTB tokenization for all of them and one METEOR process: what scoring
    several models or decodings on the same split costs, once."""
    chosen = _resolve_scorers(metrics)
    unavailable: dict[str, str] = {}
    setup: SpiceSetup | None = None
    if "SPICE" in chosen:
        setup = spice_setup(spice_lib) if spice is not False else SpiceSetup(None, "disabled")
        if not setup.available:
            if spice:
                raise DiffforgeError(f"SPICE requested but unavailable: {setup.reason}")
            unavailable["SPICE"] = setup.reason or "unavailable"
    plans = {}
    for name, (predictions, references, groups) in runs.items():
        preds = {str(k): v for k, v in predictions.items()}
        refs = {str(k): list(v) for k, v in references.items()}
        _check(preds, refs)
        group_ids = (
            {"all": list(preds)}
            if groups is None
            else {g: [str(i) for i in ids] for g, ids in groups.items()}
        )
        for g, ids in group_ids.items():
            stray = [i for i in ids if i not in preds]
            if stray:
                raise DiffforgeError(
                    f"evaluate: group {g!r} names ids without predictions: {stray[:3]}"
                )
        plans[name] = (preds, refs, group_ids)
    tok = tokenize(
        {
            (name, side, k): caps
            for name, (preds, refs, _g) in plans.items()
            for side, k, caps in [
                *(("r", k, refs[k]) for k in preds),
                *(("p", k, [v]) for k, v in preds.items()),
            ]
        }
    )
    meteor_cm = _meteor() if "METEOR" in chosen else contextlib.nullcontext()
    out: dict[str, dict[str, dict[str, Any]]] = {}
    with meteor_cm as meteor:
        for name, (_preds, _refs, group_ids) in plans.items():
            out[name] = {}
            for g, ids in group_ids.items():
                if not ids:
                    continue
                gts = {i: tok[(name, "r", i)] for i in ids}
                res = {i: tok[(name, "p", i)] for i in ids}
                out[name][g] = _score(gts, res, chosen, meteor, setup, unavailable, per_item)
    return out


def _score(
    gts: dict,
    res: dict,
    chosen: list[str],
    meteor: Any,
    setup: SpiceSetup | None,
    unavailable: dict[str, str],
    per_item: bool,
) -> dict[str, Any]:
    from pycocoevalcap.bleu.bleu import Bleu
    from pycocoevalcap.cider.cider import Cider
    from pycocoevalcap.rouge.rouge import Rouge

    ids = list(gts)
    scores: dict[str, float | None] = {}
    items: dict[str, dict[str, float]] = {i: {} for i in ids}
    local_unavailable = dict(unavailable)

    def put(name: str, corpus: float, per: Sequence[float]) -> None:
        scores[name] = float(corpus)
        for i, s in zip(ids, per, strict=True):
            items[i][name] = float(s)

    if "Bleu" in chosen:
        with contextlib.redirect_stdout(io.StringIO()):  # the toolkit prints its ratios
            corpus, per = Bleu(4).compute_score(gts, res, verbose=0)
        for n in range(4):
            put(f"Bleu_{n + 1}", corpus[n], per[n])
    if "METEOR" in chosen:
        put("METEOR", *meteor.compute_score(gts, res))
    if "ROUGE_L" in chosen:
        put("ROUGE_L", *Rouge().compute_score(gts, res))
    if "CIDEr" in chosen:
        put("CIDEr", *Cider().compute_score(gts, res))
    if "SPICE" in chosen:
        if setup is not None and setup.available and "SPICE" not in local_unavailable:
            try:
                corpus_spice, per_spice = _run_spice(gts, res, setup)
            except (
                subprocess.CalledProcessError,
                RuntimeError,
                OSError,
                KeyError,
                ValueError,
            ) as exc:
                local_unavailable["SPICE"] = f"SPICE failed: {type(exc).__name__}: {exc}"[:300]
            else:
                put("SPICE", corpus_spice, [per_spice[i] for i in ids])
        if "SPICE" in local_unavailable:
            scores["SPICE"] = None
    result: dict[str, Any] = {m: scores[m] for m in METRICS if m in scores}
    result["n"] = len(ids)
    result["unavailable"] = local_unavailable
    if per_item:
        result["per_item"] = items
    return result


def evaluate(
    predictions: Mapping[Any, str],
    references: Mapping[Any, Sequence[str]],
    **kwargs: Any,
) -> dict[str, Any]:
    """Whole-set COCO caption metrics for `predictions` (id → caption) against `references`
    (id → captions); keys are the toolkit's names (Bleu_1..Bleu_4, METEOR, ROUGE_L, CIDEr,
    SPICE), plus `n` and `unavailable`. See `evaluate_groups` for the options."""
    return evaluate_groups(predictions, references, None, **kwargs)["all"]


def type_groups(ids: Iterable[Any], types: Mapping[Any, Sequence[str]]) -> dict[str, list[str]]:
    """One group per change type (sorted), ids as strings. A pair with several changes counts
    in each of its types, as CLEVR-Change-style per-type tables do; no type: "unknown"."""
    typed = {str(k): list(v) for k, v in types.items()}
    groups: dict[str, dict[str, None]] = {}
    for k in map(str, ids):
        for t in typed.get(k) or ["unknown"]:
            groups.setdefault(t, {})[k] = None  # a dict keeps order and drops repeats
    return {t: list(g) for t, g in sorted(groups.items())}


def evaluate_by_type(
    predictions: Mapping[Any, str],
    references: Mapping[Any, Sequence[str]],
    types: Mapping[Any, Sequence[str]],
    **kwargs: Any,
) -> dict[str, dict[str, Any]]:
    """ "all" plus one group per change type (``type_groups``), each scored on its own
    (per-type corpus)."""
    preds = {str(k): v for k, v in predictions.items()}
    ordered = {"all": list(preds), **type_groups(preds, types)}
    return evaluate_groups(preds, references, ordered, **kwargs)
