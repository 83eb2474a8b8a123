"""Issue 6's experiment: does diffforge's data train a model that describes differences?

Renders a fresh synthetic split (skipped when ``--out``/data already holds ``--pairs`` pairs),
trains the same tiny M³Diff three ways: with MDP, without MDP, and with MDP plus the auxiliary
change-mask loss (same seed, vocabulary and data order, the runs side by side with ``--threads``
each; a run whose ``OUT/<run>/final`` exists is reused), captions the held-out test split with
each, scores the trivial baseline (the most frequent training caption), and writes the
Table-12-shaped report ``benchmarks/experiment.md``. Results also go to ``OUT/results.json``.

    .venv/bin/python benchmarks/run_experiment.py --pairs 24 --steps 20 --out runs/experiment_smoke
"""

from __future__ import annotations

import argparse
import ast
import datetime as dt
import json
import math
import os
import platform
import shutil
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DATA_CONFIG = REPO / "configs/experiment/data.yaml"
TRAIN_CONFIG = REPO / "configs/experiment/train_mdp.yaml"
COLUMNS = ["Bleu_4", "METEOR", "ROUGE_L", "CIDEr"]
# ``eval --grounded``'s figures on the same predictions, as table columns (×100): changes found
# (recall), stated changes that are true (precision), pairs exactly right, "no change" said on
# the pairs without one (tnr); "invented" is the count behind precision (claims matching no record).
GROUNDED = {"recall": "G-recall", "precision": "G-precision", "exact": "G-exact", "tnr": "G-TNR"}


@dataclass(frozen=True)
class Row:
    """One trained model of the table: its label, a short name for prose, its own overrides."""

    label: str
    short: str
    sets: tuple[str, ...] = ()
    per_pair: bool = False  # an epoch is one caption per pair (before issue 15), not every caption


CHANGE_LOSS = 1.0  # weight of the change-mask loss in the third row
ROWS = {
    "mdp": Row("M³Diff (tiny) with MDP", "with MDP"),
    "no_mdp": Row("M³Diff (tiny) without MDP", "without MDP", ("model.mdp=false",)),
    "mdp_change": Row(
        "M³Diff (tiny) with MDP + change-mask loss",
        "with MDP + change loss",
        (f"model.mdp.change_loss={CHANGE_LOSS}",),
    ),
    "mdp_change_pair": Row(
        "M³Diff (tiny) with MDP + change-mask loss, one caption per pair per epoch",
        "with MDP + change loss, one caption per pair",
        (f"model.mdp.change_loss={CHANGE_LOSS}", "data.sources.0.captions=one_per_pair"),
        per_pair=True,
    ),
}
BASELINE = "most frequent training caption"
OTHER = "_other"  # result key suffix: the same model with the decoding not chosen on val


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--pairs", type=int, default=1000, help="pairs to render (all splits)")
    p.add_argument("--workers", type=int, default=2, help="render workers")
    p.add_argument("--steps", type=int, default=1000, help="optimizer steps per training run")
    p.add_argument("--out", type=Path, default=REPO / "runs/experiment")
    p.add_argument("--data", type=Path, default=None, help="dataset dir (default OUT/data)")
    p.add_argument("--max-changes", type=int, default=None,
                   help="train and test on the pairs with at most this many changes only")  # fmt: skip
    p.add_argument("--threads", type=int, default=None,
                   help="torch threads per training run (default: cores / runs to train) and for the evaluation (default: cores)")  # fmt: skip
    p.add_argument("--rows", default="mdp,no_mdp,mdp_change",
                   help="comma-separated rows to train and score (default: all of " + ", ".join(ROWS) + ")")  # fmt: skip
    p.add_argument("--data-config", type=Path, default=DATA_CONFIG)
    p.add_argument("--train-config", type=Path, default=TRAIN_CONFIG)
    p.add_argument("--set", action="append", default=[], help="extra training override")
    p.add_argument("--max-new-tokens", type=int, default=160)
    p.add_argument("--num-beams", type=int, default=3,
                   help="beam width compared with greedy decoding on val; the better one "
                        "(mean CIDEr over the models) is the reported decoding")  # fmt: skip
    p.add_argument("--report", type=Path, default=REPO / "benchmarks/experiment.md")
    p.add_argument("--notes", type=Path, default=None,
                   help="hand-written markdown (what the numbers mean) put under the title")  # fmt: skip
    p.add_argument("--date", default=dt.date.today().isoformat())
    p.add_argument(
        "--title",
        default="The experiment: a tiny M³Diff trained on a fresh diffforge split (issue 6)",
    )
    p.add_argument(
        "--report-only", action="store_true", help="rewrite the report from OUT/results.json"
    )
    args = p.parse_args(argv)
    args.rows = [r.strip() for r in args.rows.split(",") if r.strip()]
    if not args.rows or any(r not in ROWS for r in args.rows):
        p.error(f"--rows: choose from {', '.join(ROWS)}")
    if args.num_beams < 2:
        p.error("--num-beams must be at least 2: that beam width is compared with greedy decoding")
    return args


def rel(path: Path) -> str:
    """``path`` relative to the repository when it lies inside it (commands run from there)."""
    return os.path.relpath(path, REPO) if Path(path).resolve().is_relative_to(REPO) else str(path)


def count_pairs(data: Path, captions: bool = False) -> Counter:
    """Finished pairs (or, with ``captions``, their captions) per split in a dataset directory."""
    path = data / "pairs.jsonl"
    if not path.is_file():
        return Counter()
    out: Counter = Counter()
    with open(path) as f:
        for line in f:
            if line.strip():
                rec = json.loads(line)
                out[rec["split"]] += len(rec.get("captions") or []) if captions else 1
    return out


def render(args: argparse.Namespace, data: Path) -> dict[str, Any]:
    """Render the split unless ``data`` already holds ``--pairs`` pairs (resumes otherwise)."""
    have = sum(count_pairs(data).values())
    if have >= args.pairs:
        print(f"render: {data} already holds {have} pairs; skipped", flush=True)
        return {"skipped": True, "pairs": have, **earlier_renders(data)}
    from diffforge.config import load_config
    from diffforge.render.generate import format_summary, generate

    t0 = time.perf_counter()
    summary = generate(load_config(args.data_config), data, args.pairs, workers=args.workers,
                       preset="draft", progress=False)  # fmt: skip
    print(format_summary(summary), flush=True)
    return {"skipped": False, "pairs": summary["pairs"], "rendered": summary["rendered"],
            "resampled": summary["resampled"], "failed": summary["failed"],
            "seconds": round(time.perf_counter() - t0, 1)}  # fmt: skip


def subset(data: Path, out: Path, max_changes: int) -> Path:
    """A view of ``data`` holding only the pairs with at most ``max_changes`` changes (the
    records filtered, the image folder linked): what a config with fewer changes per pair gives,
    by rejection instead of re-rendering."""
    out.mkdir(parents=True, exist_ok=True)
    lines = (data / "pairs.jsonl").read_text().splitlines()
    keep = [x for x in lines if x.strip() and len(json.loads(x)["changes"]) <= max_changes]
    (out / "pairs.jsonl").write_text("\n".join(keep) + "\n")
    for folder in ("images", "masks"):
        link = out / folder
        if not link.exists() and (data / folder).is_dir():
            link.symlink_to((data / folder).resolve(), target_is_directory=True)
    return out


def earlier_renders(data: Path) -> dict[str, Any]:
    """Seconds and pairs of the ``generate`` runs recorded in ``dataset.json``."""
    try:
        runs = json.loads((data / "dataset.json").read_text()).get("runs", [])
    except (OSError, ValueError):
        return {"seconds": None}
    return {"seconds": round(sum(r.get("seconds", 0) for r in runs), 1),
            "rendered": sum(r.get("rendered", 0) for r in runs), "generate_runs": len(runs)}  # fmt: skip


def train_overrides(
    args: argparse.Namespace, data: Path, name: str, counts: dict[str, int]
) -> list[str]:
    """``--set`` values of one run: the data, steps, output dir, then the row's own overrides.
    ``counts``: training pairs and captions; one epoch is every caption once (a ``per_pair``
    row: one caption per pair), and the source's repeat factor covers ``steps`` batches, so
    every step sees fresh shuffles."""
    from diffforge.training.config import load_train_config

    batch = load_train_config(args.train_config).train.global_batch
    n_train = counts["pairs" if ROWS[name].per_pair else "captions"]
    weight = max(1, math.ceil(args.steps * batch / max(n_train, 1)))
    sets = [f"data.sources.0.path={rel(data)}", f"data.sources.0.weight={weight}",
            f"train.max_steps={args.steps}", f"train.output_dir={rel(args.out / name)}", *args.set]  # fmt: skip
    return sets + list(ROWS[name].sets)


def train_command(args: argparse.Namespace, sets: list[str]) -> list[str]:
    cmd = [sys.executable, "-m", "diffforge", "train", str(args.train_config)]
    return cmd + [x for s in sets for x in ("--set", s)]


def trained(args: argparse.Namespace) -> dict[str, Any]:
    """Runs already trained in OUT (a ``final`` export and a log), with what results.json said
    of them (threads, seconds), so a rerun adds only the missing rows."""
    old = {}
    if (args.out / "results.json").is_file():
        old = json.loads((args.out / "results.json").read_text()).get("train", {})
    done = {}
    for name in ROWS:
        log = args.out / f"{name}.log"
        if (args.out / name / "final" / "config.json").is_file() and log.is_file():
            runtime = losses(log, "train_runtime")
            done[name] = {**old.get(name, {}), "losses": losses(log), "reused": True,
                          "change_losses": losses(log, "change_loss")}  # fmt: skip
            done[name].setdefault("seconds", runtime[-1] if runtime else None)
            if "threads" in done[name]:  # older results.json: runs were split evenly over cores
                done[name].setdefault("parallel", (os.cpu_count() or 2) // done[name]["threads"])
            print(f"train {name}: reusing {rel(args.out / name / 'final')}", flush=True)
    return done


def train_all(args: argparse.Namespace, data: Path, counts: dict[str, int]) -> dict[str, Any]:
    """The runs not trained yet, as parallel subprocesses (``--threads`` torch threads each);
    their logs go to OUT/<run>.log. Returns each run's overrides, threads, seconds and losses."""
    runs = trained(args)
    for name in runs:  # a reused run trained with these overrides (older results lack them)
        runs[name].setdefault("sets", train_overrides(args, data, name, counts))
    todo = [name for name in ROWS if name not in runs]
    threads = args.threads or max(1, (os.cpu_count() or 2) // max(len(todo), 1))
    env = {**os.environ, "OMP_NUM_THREADS": str(threads), "MKL_NUM_THREADS": str(threads),
           "TOKENIZERS_PARALLELISM": "false", "HF_HUB_OFFLINE": "1"}  # fmt: skip
    procs = {}
    for name in todo:
        sets = train_overrides(args, data, name, counts)
        cmd = train_command(args, sets)
        log = open(args.out / f"{name}.log", "w")  # noqa: SIM115 - closed below
        procs[name] = (subprocess.Popen(cmd, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT),
                       log, time.perf_counter())  # fmt: skip
        runs[name] = {"sets": sets, "threads": threads, "parallel": len(todo)}
    pending = dict(procs)
    while pending:  # poll, so each run's wall time is its own
        for name, (proc, log, t0) in list(pending.items()):
            rc = proc.poll()
            if rc is None:
                continue
            del pending[name]
            runs[name]["seconds"] = round(time.perf_counter() - t0, 1)
            log.close()
            if rc != 0:
                tail = (args.out / f"{name}.log").read_text().splitlines()[-15:]
                raise SystemExit(f"training {name} failed (rc {rc}):\n" + "\n".join(tail))
            runs[name]["losses"] = losses(args.out / f"{name}.log")
            runs[name]["change_losses"] = losses(args.out / f"{name}.log", "change_loss")
            print(f"train {name}: {runs[name]['seconds']:.0f} s", flush=True)
        time.sleep(2)
    return runs


def losses(log: Path, key: str = "loss") -> list[float]:
    """A value the HF Trainer logged (``{'loss': ...}`` lines; ``train_runtime`` at the end)."""
    out = []
    for line in log.read_text().splitlines() if log.is_file() else []:
        if line.startswith("{") and f"'{key}'" in line:
            try:
                out.append(float(ast.literal_eval(line)[key]))
            except (SyntaxError, KeyError, ValueError, TypeError):
                continue
    return out


def _train_time(args: argparse.Namespace, info: dict[str, Any], name: str) -> str:
    """The Trainer's own runtime, and the run's wall time (model build + export included)."""
    runtime = losses(args.out / f"{name}.log", "train_runtime")
    wall = info["train"][name]["seconds"]
    return f"{runtime[-1]:.0f} ({wall:.0f} wall)" if runtime else f"{wall:.0f}"


def decodings(args: argparse.Namespace) -> dict[str, int]:
    """The two decodings compared on val: name -> beam width."""
    return {"greedy": 1, f"beam {args.num_beams}": args.num_beams}


def evaluate(args: argparse.Namespace, data: Path) -> dict[str, Any]:
    """Caption val and test with each model both ways and write the baseline's predictions, then
    score everything in ONE toolkit pass (one PTB tokenization); the decoding is chosen on val
    (mean CIDEr over the models)."""
    import torch

    from diffforge.evaluation.model_eval import caption_split, most_frequent_caption, write_results
    from diffforge.evaluation.scoring import score_many

    torch.set_num_threads(args.threads or os.cpu_count() or 2)
    decs = decodings(args)
    made: dict[tuple[str, str, str], dict[str, Any]] = {}
    for name in ROWS:
        for split in ("val", "test"):
            for dec, beams in decs.items():
                t0 = time.perf_counter()
                out = args.out / f"predictions_{split}_{name}_{beams}.json"
                made[name, split, dec] = caption_split(
                    args.out / name / "final", data, split, out, batch_size=16, device="cpu",
                    max_new_tokens=args.max_new_tokens, num_beams=beams,
                )  # fmt: skip
                made[name, split, dec]["seconds"] = round(time.perf_counter() - t0, 1)
    caption = most_frequent_caption(data)
    first = made[next(iter(ROWS)), "test", "greedy"]
    test_ids = [r["image_id"] for r in json.loads(first["predictions"].read_text())]
    base = write_results({k: caption for k in test_ids}, args.out / "predictions_baseline.json")
    runs = {f"{n}|{sp}|{d}": (m["predictions"], m["references"], m["split"])
            for (n, sp, d), m in made.items()}  # fmt: skip
    runs["baseline"] = (base, first["references"], first["split"])
    t0 = time.perf_counter()
    ptb = metrics_ptb_runs()
    scores = score_many(runs, spice=False)
    scoring = {"seconds": round(time.perf_counter() - t0, 1), "ptb_runs": metrics_ptb_runs() - ptb,
               "prediction_files": len(runs)}  # fmt: skip
    print(f"scored {len(runs)} prediction files in {scoring['seconds']} s, "
          f"{scoring['ptb_runs']} PTB tokenizer run(s)", flush=True)  # fmt: skip
    val = {n: {d: {c: scores[f"{n}|val|{d}"][c] for c in COLUMNS} for d in decs} for n in ROWS}
    chosen = max(decs, key=lambda d: sum(val[n][d]["CIDEr"] for n in ROWS))
    other = next(d for d in decs if d != chosen)
    print(f"decoding chosen on val: {chosen}", flush=True)
    results: dict[str, Any] = {"decoding": {"chosen": chosen, "other": other, "val": val},
                               "scoring": scoring}  # fmt: skip
    for name in ROWS:
        for key, dec in ((name, chosen), (name + OTHER, other)):
            m = made[name, "test", dec]
            results[key] = {**scores[f"{name}|test|{dec}"], "generation": m["generation"],
                            "seconds": m["seconds"]}  # fmt: skip
            shutil.copyfile(m["predictions"], args.out / f"predictions_{key}.json")
    for name in ROWS:
        results[name]["image_use"] = image_use(args.out / name / "final", data)
    results["baseline"] = {**scores["baseline"], "generation": {"constant": caption}}
    for key in results:
        if key in ("decoding", "scoring"):
            continue
        results[key]["grounded"] = grounded_figures(args.out, key, data)
    return results


def grounded_figures(out: Path, key: str, data: Path) -> dict[str, Any]:
    """``eval --grounded`` on ``OUT/predictions_<key>.json`` (the test predictions the toolkit
    scored) against the dataset's change records: the summary for results.json, the per-pair
    decisions in ``OUT/grounded_<key>.json``."""
    from diffforge.evaluation.scoring import grounded_scores

    g = grounded_scores(out / f"predictions_{key}.json", data, "test")
    (out / f"grounded_{key}.json").write_text(json.dumps(g, indent=1, default=str))
    return {k: v for k, v in g.items() if k != "per_pair"}


def with_grounded(row: dict[str, Any], g: dict[str, Any] | None) -> dict[str, Any]:
    """A table row: the toolkit's scores, then the grounded columns of the same predictions
    (``invented``: claims matching no change record / claims stated)."""
    if not g:
        return row
    out = {**row, **{col: g.get(k) for k, col in GROUNDED.items()}}
    if "claims" in g:
        out["invented"] = f"{g['hallucinated']}/{g['claims']}"
    return out


def metrics_ptb_runs() -> int:
    from diffforge.evaluation import metrics

    return metrics.PTB_RUNS


def image_use(model: Path, data: Path, n: int = 128) -> dict[str, float]:
    """Does the model read the change, or only the scene? Mean caption loss (nats/token) on the
    first ``n`` test pairs with the right images, with another pair's images, and with the
    before image twice (no change at all). A model that describes the change has a clearly
    higher loss without it; one that reads only the scene does not."""
    import torch

    from diffforge.training.collate import PairCollator
    from diffforge.training.data import load_pairs
    from diffforge.training.data.mixture import Sample
    from diffforge.training.data.prompts import prompts_for
    from diffforge.training.inference import Describer, open_image

    d = Describer.load(model, device="cpu")
    pairs = load_pairs("diffforge", data).split("test")[:n]
    prompt = prompts_for("diffforge")[0]
    collate = PairCollator(d.tokenizer, d.spec, 1 << 30)

    def mean_loss(images: list[tuple[Path, Path]]) -> float:
        total = 0.0
        for p, (a, b) in zip(pairs, images, strict=True):
            sample = Sample("test", p.id, str(a), str(b), prompt, p.captions[0])
            ims = (open_image(a), open_image(b))
            with torch.no_grad():
                total += d.model(**collate([{"sample": sample, "images": ims}])).loss.item()
        return round(total / len(pairs), 4)

    right = [(p.before, p.after) for p in pairs]
    return {"pairs": len(pairs), "right": mean_loss(right),
            "other_pair": mean_loss(right[1:] + right[:1]),
            "no_change": mean_loss([(p.before, p.before) for p in pairs])}  # fmt: skip


def machine() -> str:
    """CPU model, cores, memory, Python and torch versions."""
    import torch

    cpu = "unknown CPU"
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
        cpu = next(x.split(":", 1)[1].strip() for x in lines if x.startswith("model name"))
        lines = Path("/proc/meminfo").read_text().splitlines()
        mem = next(int(x.split()[1]) for x in lines if x.startswith("MemTotal"))
        mem_s = f", {mem / 2**20:.0f} GiB RAM"
    except (OSError, StopIteration, ValueError):
        mem_s = ""
    return (f"{platform.node()}: {cpu}, {os.cpu_count()} cores{mem_s}, no GPU; Python "
            f"{platform.python_version()}, torch {torch.__version__}")  # fmt: skip


def report(args: argparse.Namespace, info: dict[str, Any]) -> str:
    """The markdown of benchmarks/experiment.md."""
    from diffforge.evaluation.report import markdown_table

    res = info["results"]
    beam, other = res["decoding"]["chosen"], res["decoding"]["other"]
    rows = {f"{ROWS[k].label}, {beam}": res[k] for k in ROWS}
    rows |= {f"{ROWS[k].label}, {other}": res[k + OTHER] for k in ROWS}
    rows |= {f"Baseline: {BASELINE}": res["baseline"]}
    rows = {name: with_grounded(row, row.get("grounded")) for name, row in rows.items()}
    grounded = any("grounded" in res[k] for k in ROWS)
    columns = COLUMNS + ([*GROUNDED.values(), "invented"] if grounded else [])
    splits = info["splits"]
    types = sorted({t for k in ROWS for t in res[k].get("by_type", {})})
    by_type = {f"{t} ({ROWS[k].short})": _type_row(res[k], t)
               for t in types for k in ROWS if t in res[k].get("by_type", {})}  # fmt: skip
    tr, r = info["train"], info["render"]
    sets = " ".join(f"--set {s}" for s in args.set)
    data_dir = args.data or args.out / "data"
    extra = (f" --data {rel(args.data)}" if args.data else "") + (
        f" --max-changes {args.max_changes}" if args.max_changes is not None else "")  # fmt: skip
    if args.report != REPO / "benchmarks/experiment.md":
        extra += f" --report {rel(args.report)}"
    if args.notes:
        extra += f" --notes {rel(args.notes)}"
    if args.rows != ["mdp", "no_mdp", "mdp_change"]:
        extra += f" --rows {','.join(args.rows)}"
    if args.threads:
        extra += f" --threads {args.threads}"
    cmd = (f".venv/bin/python benchmarks/run_experiment.py --pairs {args.pairs} --workers "
           f"{args.workers} --steps {args.steps} --out {rel(args.out)}{extra}" + (f" {sets}" if sets else ""))  # fmt: skip
    subset_note = (
        f" Only the pairs with at most {args.max_changes} change(s) are used, train and test alike: "
        f"the script filters the {r['pairs']} rendered pairs (what a config with fewer changes per "
        "pair would give, by rejection instead of re-rendering)."
        if args.max_changes is not None
        else ""
    )
    train_cmds = "\n".join(
        "diffforge train " + rel(args.train_config) + " " + " ".join(f"--set {s}" for s in tr[k]["sets"])
        for k in ROWS
    )  # fmt: skip
    verdict = _verdict(res)
    tr_data = Path(info["data"])
    lines = [
        f"# {args.title}",
        "",
        *([args.notes.read_text().rstrip(), ""] if args.notes else []),
        f"Date: {args.date}. Machine: {info['machine']}.",
        "",
        "Shaped like the OmniDiff supplement's Table 12 (with / without MDP), plus MDP trained with "
        "the auxiliary change-mask loss (`model.mdp.change_loss`). Scores on the held-out "
        f"**test** split ({splits.get('test', 0)} pairs, 2 reference captions each), COCO caption "
        "toolkit (pycocoevalcap, PTB tokenization), ×100; CIDEr is CIDEr-D over the whole split."
        + (
            " The G- columns are `diffforge eval --grounded` on the same predictions, against "
            "each test pair's change records: G-recall = changes found / changes, G-precision = "
            "stated changes that match a record / changes stated (invented = the ones that match "
            "none), G-exact = pairs with every change found and nothing invented, G-TNR = `none` "
            "pairs whose caption says nothing changed."
            if grounded
            else ""
        ),
        "",
        markdown_table(rows, columns, label="model"),
        verdict + (" " + _grounded_verdict(res) if grounded else ""),
        "",
        f"Baseline caption: “{res['baseline']['generation']['constant']}”",
        "",
        *(x for line in diagnostics(args, info) for x in (line, "")),
        "## Setup",
        "",
        f"- Data: `{rel(args.data_config)}` (default change distribution, 1–2 changes per pair, "
        f"draft preset {_preset(Path(data_dir))}, seed fixed): {sum(splits.values())} pairs — train "
        f"{splits.get('train', 0)}, val {splits.get('val', 0)}, test {splits.get('test', 0)}. "
        "The model never sees val or test; the word vocabulary comes from the training captions only."
        + subset_note
        + (
            f" An epoch is every training caption once ({info['captions'].get('train', 0)} samples,"
            " `captions: all`, the default since issue 15); the source's repeat factor covers the "
            "steps."
            if info.get("captions")
            else " An epoch was one random caption per training pair (before issue 15)."
        ),
        f"- Model: `{rel(args.train_config)}`: tiny random-initialised LLaVA-OneVision shape "
        "(Qwen2 LLM 192-d × 4 layers, SigLIP ViT 64-d × 4 layers, 64×64 input, patch 8, 65 tokens "
        "per image), word-level tokenizer, MDP tapping ViT layers 1–4. Random weights, so the whole "
        "LLM trains (no LoRA) with the ViT, projector and MDP; AdamW lr 1e-3, cosine, 5 % warm-up, "
        f"batch 16, {args.steps} steps. All runs: same seed, vocabulary and sample order. The "
        f"change-mask loss (weight {CHANGE_LOSS}) is a class-balanced per-patch BCE on MDP's "
        "difference features against the change masks diffforge writes with every pair.",
        f"- Threads: {_threads(tr)}.",
        f"- Decoding: {beam}, chosen on **val** over {other} by the models' mean CIDEr "
        f"({_val_cider(res)}); the {other} rows are for comparison. Batch 16, "
        f"at most {args.max_new_tokens} new tokens.",
        "",
        "## Time",
        "",
        "| stage | seconds |",
        "|---|---:|",
        f"| render: {r.get('rendered', r['pairs'])} pairs with {args.workers} workers"
        + (
            f" over {r['generate_runs']} resumed `generate` runs"
            if r.get("generate_runs", 1) > 1
            else ""
        )
        + f" ({r['pairs']} in the dataset) | {r['seconds'] or 0:.0f} |",
        *(
            f"| train {ROWS[k].short} ({args.steps} steps) | {_train_time(args, info, k)} |"
            for k in ROWS
        ),
        *(
            (
                f"| caption test, {ROWS[k].short} ({beam}) | {res[k]['seconds']:.0f} |"
                if "scoring" in res
                else f"| caption + score test, {ROWS[k].short} ({beam}) | {res[k]['seconds']:.0f} |"
            )
            for k in ROWS
        ),
        *(
            [
                f"| score all {res['scoring']['prediction_files']} prediction files (val and test, "
                f"both decodings, baseline) in one pass: {res['scoring']['ptb_runs']} PTB tokenizer "
                f"run(s) | {res['scoring']['seconds']:.0f} |"
            ]
            if "scoring" in res
            else []
        ),
        "",
        "Final caption loss (last logged, nats/token; the logged loss less the weighted "
        "change-mask loss where that is on): "
        + ", ".join(f"{ROWS[k].short} {_last(tr[k])}" for k in ROWS)
        + "."
        + "".join(
            f" Change-mask loss of the {ROWS[k].short} run: {tr[k]['change_losses'][0]:.3f} at "
            f"the first log, {tr[k]['change_losses'][-1]:.3f} at the last (ln 2 = 0.693 is chance)."
            for k in ROWS
            if tr[k].get("change_losses")
        ),
        "",
    ]
    if r.get("note"):
        lines += [r["note"], ""]
    if by_type:
        lines += [
            "## Per change type (test)",
            "",
            markdown_table(
                by_type, COLUMNS + (["G-recall", "G-precision"] if grounded else []), label="type"
            ),
            "",
        ]
    lines += [
        "## Reproduce",
        "",
        "```",
        cmd,
        "```",
        "",
        "which runs (render, then the trainings, then the evaluation):",
        "",
        "```",
        f"diffforge generate {rel(args.data_config)} --out {rel(data_dir)} --n {args.pairs} "
        f"--preset draft --workers {args.workers}",
        train_cmds,
        *(
            f"diffforge eval --model {rel(args.out / k / 'final')} --data {rel(tr_data)} --split test "
            f"--num-beams {decodings(args)[beam]} --max-new-tokens {args.max_new_tokens}"
            for k in ROWS
        ),
        *(
            f"diffforge eval --grounded --references {rel(tr_data)} --split test "
            f"--predictions {rel(args.out / f'predictions_{k}.json')}"
            for k in (*ROWS, "baseline")
            if grounded
        ),
        "```",
        "",
        f"Predictions: `{rel(args.out)}/predictions_*.json`; all numbers: `{rel(args.out)}/results.json`"
        + (
            f"; grounded decisions per pair: `{rel(args.out)}/grounded_*.json`."
            if grounded
            else "."
        ),
        "",
    ]
    return "\n".join(lines)


def _preset(data: Path) -> str:
    """The render settings ``dataset.json`` records ("128×96 at 8 spp, denoised"); the
    issue-6 preset's wording where the dataset is gone."""
    try:
        r = json.loads((data / "dataset.json").read_text())["render"]
        w, h = r["resolution"]
    except (OSError, ValueError, KeyError, TypeError):
        return "96×72 at 4 spp"
    return f"{w}×{h} at {r['samples']} spp" + (", denoised" if r.get("denoise") else "")


def _type_row(result: dict[str, Any], change_type: str) -> dict[str, Any]:
    """A per-type row: the toolkit's scores for the pairs holding ``change_type`` and, beside
    them, the grounded recall and precision of that type's changes."""
    row = dict(result["by_type"][change_type])
    g = result.get("grounded", {}).get("by_type", {}).get(change_type)
    if g:
        row |= {"G-recall": g["recall"], "G-precision": g["precision"]}
    return row


def _grounded_verdict(res: dict[str, Any]) -> str:
    """The grounded figures in words: what share of the changes each model finds, how many of
    the changes it states are real, and how the constant baseline fares."""
    out = []
    for k in (*ROWS, "baseline"):
        g = res[k].get("grounded")
        if not g:
            continue
        label = "The baseline" if k == "baseline" else f"The model {ROWS[k].short}"
        found = f"finds {g['found']} of the {g['items']} test changes ({_pct(g['recall'])} %)"
        if g["claims"]:
            said = (f"{g['claims'] - g['hallucinated']} of the {g['claims']} changes it states "
                    f"are real ({_pct(g['precision'])} %)")  # fmt: skip
        else:
            said = "states no change it could be held to"
        tnr = (f"says \"no change\" on {_pct(g['tnr'])} % of the {g['none_pairs']} `none` pairs"
               if g["none_pairs"] else "has no `none` pair to say \"no change\" on")  # fmt: skip
        out.append(f"{label} {found}; {said}; it {tnr}.")
    return " ".join(out)


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}"


def _threads(train: dict[str, Any]) -> str:
    """How each run was scheduled (timings of runs that shared the cores are not comparable
    with a run that had them to itself)."""
    return "; ".join(
        f"{ROWS[k].short}: {t.get('threads', '?')} torch thread(s), "
        + ("alone" if t.get("parallel") == 1 else f"{t.get('parallel', '?')} runs side by side")
        for k, t in train.items()
        if k in ROWS
    )


def _val_cider(res: dict[str, Any]) -> str:
    """Val CIDEr of each model under each decoding, for the setup line."""
    val = res["decoding"]["val"]
    return "; ".join(
        f"{ROWS[k].short}: " + ", ".join(f"{d} {v['CIDEr'] * 100:.1f}" for d, v in val[k].items())
        for k in ROWS
    )


def _last(run: dict[str, Any]) -> str:
    """The last logged caption loss: the Trainer logs the sum with the weighted change loss."""
    if not run.get("losses"):
        return "n/a"
    change = run.get("change_losses") or [0.0]
    return f"{run['losses'][-1] - CHANGE_LOSS * change[-1]:.3f}"


def _verdict(res: dict[str, Any]) -> str:
    """Plain sentences: where each model beats the baseline, and what MDP does (CIDEr)."""
    short = {"Bleu_4": "BLEU-4", "ROUGE_L": "ROUGE-L"}
    out = []
    for k in ROWS:
        wins = [short.get(c, c) for c in COLUMNS if res[k][c] > res["baseline"][c]]
        losses = [short.get(c, c) for c in COLUMNS if res[k][c] <= res["baseline"][c]]
        label = ROWS[k].short
        if not losses:
            out.append(f"The model {label} beats the baseline on all four metrics.")
        elif not wins:
            out.append(f"The model {label} does not beat the baseline on any metric.")
        else:
            won = ", ".join(wins) if wins else "no metric"
            out.append(
                f"The model {label} beats the baseline on {won} but not on {', '.join(losses)}."
            )
    for a, b, what in (("mdp", "no_mdp", "MDP"), ("mdp_change", "mdp", "The change-mask loss"),
                       ("mdp_change", "mdp_change_pair", "Every caption once per epoch (against one caption per pair)")):  # fmt: skip
        if a not in ROWS or b not in ROWS:
            continue
        diff = (res[a]["CIDEr"] - res[b]["CIDEr"]) * 100
        out.append(
            f"{what} {'raises' if diff > 0 else 'lowers'} CIDEr by {abs(diff):.1f} points."
            if abs(diff) >= 0.05
            else f"{what} makes no CIDEr difference."
        )
    out.append("(One seed, a tiny model and split: treat differences of a few points as noise.)")
    return " ".join(out)


def diagnostics(args: argparse.Namespace, info: dict[str, Any]) -> list[str]:
    """Where the baseline's CIDEr comes from, and caption lengths (CIDEr-D penalises length)."""
    res, lines = info["results"], []
    base = res["baseline"].get("by_type", {})
    total = sum(v["CIDEr"] * v["n"] for v in base.values())
    if total > 0:
        t, v = max(base.items(), key=lambda kv: kv[1]["CIDEr"] * kv[1]["n"])
        lines.append(
            f"{v['CIDEr'] * v['n'] / total:.0%} of the baseline's per-type CIDEr mass comes from the "
            f"{v['n']} `{t}` test pairs (CIDEr {v['CIDEr'] * 100:.0f} on them): CIDEr is a mean of "
            "unbounded per-pair scores, so a constant that matches a few references word for word "
            "scores high while matching nothing elsewhere."
        )
    data = Path(info.get("data", args.out / "data"))
    refs = [len(c["text"].split()) for r in _records(data) if r["split"] == "test" for c in r["captions"]]  # fmt: skip
    lens = [f"references {sum(refs) / max(len(refs), 1):.1f}"]
    for k in (*ROWS, *(k + OTHER for k in ROWS)):
        path = args.out / f"predictions_{k}.json"
        if path.is_file():
            words = [len(x["caption"].split()) for x in json.loads(path.read_text())]
            dec = res["decoding"]["other" if k.endswith(OTHER) else "chosen"]
            label = f"{ROWS[k.removesuffix(OTHER)].short} ({dec})"
            lens.append(f"{label} {sum(words) / max(len(words), 1):.1f}")
    lines.append(f"Mean test caption length in words: {', '.join(lens)}.")
    use = {k: res[k]["image_use"] for k in ROWS if "image_use" in res[k]}
    if use:
        lines.append(
            "What the models read from the images (mean caption loss on the first "
            f"{next(iter(use.values()))['pairs']} test pairs, nats/token; `image_use` in the script):"
        )
        lines.append(
            "| model | right images | another pair's images | before image twice (no change) |\n"
            "|---|---:|---:|---:|\n"
            + "\n".join(
                f"| {ROWS[k].short} | {u['right']:.3f} | "
                f"{u['other_pair']:.3f} | {u['no_change']:.3f} |"
                for k, u in use.items()
            )
        )
    return lines


def _records(data: Path) -> list[dict[str, Any]]:
    with open(data / "pairs.jsonl") as f:
        return [json.loads(line) for line in f if line.strip()]


def _data_dir(args: argparse.Namespace, data: Path) -> Path:
    """The dataset the models train and test on: ``data``, or its filtered view."""
    if args.max_changes is None:
        return data
    return args.out / f"data_max{args.max_changes}changes"


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = parse_args(argv)
    for name in [k for k in ROWS if k not in args.rows]:  # only the rows asked for
        del ROWS[name]
    args.out = args.out.resolve()
    args.out.mkdir(parents=True, exist_ok=True)
    data = (args.data or args.out / "data").resolve()
    if args.report_only:
        info = json.loads((args.out / "results.json").read_text())
        info.setdefault("data", str(_data_dir(args, data)))
        args.report.write_text(report(args, info))
        return info
    info: dict[str, Any] = {
        "machine": machine(),
        "args": {k: str(v) for k, v in vars(args).items()},
    }
    info["render"] = render(args, data)
    if args.max_changes is not None:
        data = subset(data, _data_dir(args, data), args.max_changes)
    info["data"] = str(data)
    splits = count_pairs(data)
    info["splits"] = dict(splits)
    info["captions"] = dict(count_pairs(data, captions=True))
    print(f"data: {dict(splits)} pairs, {info['captions']} captions", flush=True)
    counts = {"pairs": splits.get("train", 0), "captions": info["captions"].get("train", 0)}
    info["train"] = train_all(args, data, counts)
    info["results"] = evaluate(args, data)
    (args.out / "results.json").write_text(json.dumps(info, indent=1, default=str))
    md = report(args, info)
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(md)
    print(md)
    return info


if __name__ == "__main__":
    main()
