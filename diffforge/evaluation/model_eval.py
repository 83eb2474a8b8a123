"""``diffforge eval --model CKPT --data DIR --split test``: caption a split with a model, then score.

Captions are generated in batches (``Describer``), written as a COCO results file and scored by
``scoring.run_eval``, the same code that scores a predictions file: a model's numbers
and the numbers of its saved predictions cannot disagree, and CIDEr sees the whole split at once.
Our datasets are their own references (with change types for the per-type breakdown); for other
formats the loader's captions are written as a COCO annotations file beside the predictions.
"""

from __future__ import annotations

import contextlib
import json
import logging
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from diffforge.dataset import is_dataset
from diffforge.errors import DiffforgeError
from diffforge.evaluation.scoring import run_eval, score_files
from diffforge.formats import normalize_split

log = logging.getLogger(__name__)


@dataclass
class Prepared:
    """A split's captioned pairs, and where their predictions and references live."""

    format: str
    pairs: list[Any]  # diffforge.training.data.Pair
    predictions: Path
    references: Path
    reference_split: str | None  # filter for dataset-dir references; None for a written file


def detect_format(data: Path) -> str:
    """'diffforge' for a dataset directory or its pairs file; other formats must be named."""
    if is_dataset(data):
        return "diffforge"
    raise DiffforgeError(
        f"{data}: not a diffforge dataset; name its format "
        "(clevr_change, clevr_dc, spot_the_diff, iedit, birds_to_words, llava) or give a "
        "training config (.yaml) for its mixture"
    )


MIXTURE = "mixture"  # --data is a training config: every source's split, one subset each


def is_mixture(data: Path) -> bool:
    return Path(data).suffix.lower() in (".yaml", ".yml")


def _load_mixture(data: Path, split: str, limit: int | None) -> tuple[str, Any, list[Any]]:
    """The ``split`` of every source of a training config (``data.sources``), ids prefixed by
    the source's label, each pair's subset the label (``label-Real`` where the pair names its
    own subset) and its prompt the source's first (or the pair's own)."""
    from dataclasses import replace

    from diffforge.training.config import load_train_config
    from diffforge.training.data import load_pairs
    from diffforge.training.data.prompts import prompts_for

    cfg = load_train_config(Path(data))
    pairs = []
    for s in cfg.data.sources:
        loaded = load_pairs(s.format, s.path, s.images)
        prompt = prompts_for(s.format, s.prompts)[0]
        got = [p for p in loaded.split(normalize_split(split)) if p.captions][:limit]
        pairs += [
            replace(p, id=f"{s.label}/{p.id}", prompt=p.prompt or prompt,
                    subset=f"{s.label}-{p.subset}" if p.subset else s.label)
            for p in got
        ]  # fmt: skip
    if not pairs:
        raise DiffforgeError(f"{data}: no {split!r} pairs with captions and both images")
    return MIXTURE, None, pairs


def _load_split(
    data: Path, split: str, fmt: str | None, images: Path | None, limit: int | None
) -> tuple[str, Any, list[Any]]:
    from diffforge.training.data import load_pairs

    if is_mixture(data):
        return _load_mixture(data, split, limit)
    fmt = fmt or detect_format(Path(data))
    loaded = load_pairs(fmt, Path(data), images)
    pairs = [p for p in loaded.split(normalize_split(split)) if p.captions]
    if limit is not None:
        pairs = pairs[:limit]
    if not pairs:
        raise DiffforgeError(f"{data}: no {split!r} pairs with captions and both images")
    return fmt, loaded, pairs


def write_results(predictions: dict[str, str], path: Path) -> Path:
    """A COCO caption results file ``[{"image_id", "caption"}]``."""
    rows = [{"image_id": k, "caption": v} for k, v in predictions.items()]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
    except OSError as exc:
        raise DiffforgeError(f"{path}: cannot write ({exc.strerror})") from None
    return path


def write_references(pairs: list[Any], path: Path) -> Path:
    """COCO caption annotations of ``pairs`` (with ``change_types`` and ``subset`` where the
    loader has them)."""
    anns: list[dict[str, Any]] = []
    for p in pairs:
        for c in p.captions:
            ann = {"id": len(anns), "image_id": p.id, "caption": c}
            if p.changes:
                ann["change_types"] = list(p.changes)
            if p.subset:
                ann["subset"] = p.subset
            anns.append(ann)
    data = {"images": [{"id": p.id} for p in pairs], "annotations": anns}
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


@contextlib.contextmanager
def _prepared(
    data: Path,
    split: str,
    fmt: str | None,
    images: Path | None,
    limit: int | None,
    out_predictions: Path | None,
) -> Iterator[Prepared]:
    """Load the split and choose the files; a temporary folder when no output path is given."""
    fmt, loaded, pairs = _load_split(data, split, fmt, images, limit)
    ids = [p.id for p in pairs]
    if len(set(ids)) != len(ids):
        dup = next(i for i, n in Counter(ids).items() if n > 1)
        raise DiffforgeError(f"{data}: pair id {dup!r} occurs twice in split {split!r}")
    with contextlib.ExitStack() as stack:
        if out_predictions is None:
            tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="diffforge-eval-")))
            out_predictions = tmp / "predictions.json"
        if fmt in ("diffforge", "toy"):
            refs, ref_split = Path(loaded.path), normalize_split(split)
        else:
            refs = out_predictions.with_name(out_predictions.stem + ".references.json")
            out_predictions.parent.mkdir(parents=True, exist_ok=True)
            write_references(pairs, refs)
            ref_split = None
        yield Prepared(fmt, pairs, out_predictions, refs, ref_split)


def _prompts(prep: Prepared, prompt: str | None) -> list[str]:
    """The pair's own instruction (LLaVA JSON), else the format's first training prompt."""
    from diffforge.training.data.prompts import prompts_for

    default = prompt or prompts_for(prep.format)[0]
    return [prompt or p.prompt or default for p in prep.pairs]


def generate_predictions(
    prep: Prepared,
    model: Path,
    *,
    batch_size: int = 8,
    max_new_tokens: int = 64,
    num_beams: int = 1,
    prompt: str | None = None,
    device: str = "auto",
    dtype: str | None = None,
) -> dict[str, Any]:
    """Caption ``prep.pairs`` with the model and write the results file; returns timing info."""
    from diffforge.training.inference import Describer

    describer = Describer.load(model, device=device, dtype=dtype)
    start = time.perf_counter()
    captions = describer.describe(
        [(p.before, p.after) for p in prep.pairs],
        prompt=_prompts(prep, prompt),
        batch_size=batch_size,
        max_new_tokens=max_new_tokens,
        num_beams=num_beams,
    )
    seconds = time.perf_counter() - start
    write_results({p.id: c for p, c in zip(prep.pairs, captions, strict=True)}, prep.predictions)
    info = {
        "pairs": len(captions),
        "seconds": round(seconds, 3),
        "pairs_per_s": round(len(captions) / seconds, 3) if seconds > 0 else None,
        "batch_size": batch_size,
        "max_new_tokens": max_new_tokens,
        "num_beams": num_beams,
        "mdp": describer.mdp,
        "device": str(describer.device),
    }
    log.info("captioned %d pairs in %.1f s", len(captions), seconds)
    return info


def eval_model(
    model: Path,
    data: Path,
    split: str = "test",
    *,
    format: str | None = None,
    images: Path | None = None,
    batch_size: int = 8,
    max_new_tokens: int = 64,
    num_beams: int = 1,
    out_predictions: Path | None = None,
    prompt: str | None = None,
    device: str = "auto",
    dtype: str | None = None,
    limit: int | None = None,
    markdown: Path | None = None,
    **eval_kwargs: Any,
) -> dict[str, Any]:
    """Generate captions for ``split`` of ``data`` and score them (``run_eval``'s dict, plus
    ``model``, ``data``, ``split`` and ``generation``), the table also written to ``markdown``.
    ``eval_kwargs`` go to ``run_eval`` (metrics, spice, spice_lib, by_type, judge...). Without
    ``out_predictions`` the captions live in a temporary file and ``predictions`` is None."""
    with _prepared(data, split, format, images, limit, out_predictions) as prep:
        info = generate_predictions(
            prep,
            model,
            batch_size=batch_size,
            max_new_tokens=max_new_tokens,
            num_beams=num_beams,
            prompt=prompt,
            device=device,
            dtype=dtype,
        )
        result = score_files(
            prep.predictions,
            prep.references,
            split=prep.reference_split,
            context=_context(model, data, split, info),
            markdown=markdown,
            **eval_kwargs,
        )
    return _annotate(result, out_predictions)


def caption_split(
    model: Path,
    data: Path,
    split: str,
    out_predictions: Path,
    *,
    format: str | None = None,
    images: Path | None = None,
    limit: int | None = None,
    **generate_kwargs: Any,
) -> dict[str, Any]:
    """Generate only: the predictions file, its references and split (what ``score_many``
    takes, so several models or decodings are scored in one toolkit pass) and generation info."""
    with _prepared(data, split, format, images, limit, out_predictions) as prep:
        info = generate_predictions(prep, model, **generate_kwargs)
        return {"predictions": prep.predictions, "references": prep.references,
                "split": prep.reference_split, "generation": info}  # fmt: skip


def _context(model: Path | str, data: Path, split: str, info: dict[str, Any]) -> dict[str, Any]:
    """What was evaluated and how it was generated: keys added to the metrics."""
    return {"model": str(model), "data": str(data), "split": split, "generation": info}


def _annotate(result: dict[str, Any], out_predictions: Path | None) -> dict[str, Any]:
    """Without ``out_predictions`` the captions lived in temporary files: no paths to report."""
    if out_predictions is None:
        result["predictions"] = None
        if result.get("format") == "coco":
            result["references"] = None
    return result


def most_frequent_caption(data: Path, *, format: str | None = None, split: str = "train",
                          images: Path | None = None) -> str:  # fmt: skip
    """The trivial baseline's caption: the most frequent reference caption of ``split``."""
    _fmt, _loaded, pairs = _load_split(Path(data), split, format, images, None)
    return Counter(c for p in pairs for c in p.captions).most_common(1)[0][0]


def eval_constant(
    caption: str,
    data: Path,
    split: str = "test",
    *,
    format: str | None = None,
    images: Path | None = None,
    out_predictions: Path | None = None,
    **eval_kwargs: Any,
) -> dict[str, Any]:
    """Score one caption for every pair of ``split`` (the trivial baseline of an experiment)."""
    with _prepared(data, split, format, images, None, out_predictions) as prep:
        write_results({p.id: caption for p in prep.pairs}, prep.predictions)
        result = run_eval(
            prep.predictions, prep.references, split=prep.reference_split, **eval_kwargs
        )
    info = {"pairs": len(prep.pairs), "constant": caption}
    result.update(_context("constant", data, split, info))
    return _annotate(result, out_predictions)
