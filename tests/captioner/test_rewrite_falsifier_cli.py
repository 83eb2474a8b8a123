"""Issue 24 as a new user met it: `diffforge caption DIR --rewrite openai --base-url ...` against
a loopback OpenAI-compatible server that answers captions with facts exchanged (left and right
inside "upper-left", the first two colours, numbers or quoted strings swapped). Through the
console script: every falsified answer is refused and its template kept, faithful answers are
kept, the command reports kept / rejected by reason, and `diffforge audit` shows the rate.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
from chat_server import ChatServer, Reply
from PIL import Image

from diffforge.captioner.compose import caption_or_reason
from diffforge.config import load_config
from diffforge.render.facts import predicted_facts
from diffforge.scenes.sampler import PairSampler
from diffforge.vocabulary import COLORS, NUMBER_WORDS

DIFFFORGE = Path(sys.executable).with_name("diffforge")
REPO = Path(__file__).resolve().parents[2]
_COMPOUND = re.compile(r"\b(upper|lower)-(left|right)\b")
_COLOR = re.compile(r"\b(" + "|".join(COLORS) + r")\b")
_NUMBER = re.compile(r"\b(" + "|".join(NUMBER_WORDS[1:]) + r")\b(?! (?:images|pictures))")
_QUOTE = re.compile(r'"[^"]+"')


def swap_first_two(text: str, pattern: re.Pattern[str]) -> str | None:
    found = [m for m in pattern.finditer(text)]
    other = next((m for m in found[1:] if m.group(0) != found[0].group(0)), None)
    if other is None:
        return None
    a = found[0]
    return (
        text[: a.start()]
        + other.group(0)
        + text[a.end() : other.start()]
        + a.group(0)
        + text[other.end() :]
    )


def falsify(caption: str) -> tuple[str, str | None]:
    """(answer, the issue's case it falsifies or None for a faithful answer)."""
    m = _COMPOUND.search(caption)
    if m:
        flipped = f"{m.group(1)}-{'right' if m.group(2) == 'left' else 'left'}"
        return caption[: m.start()] + flipped + caption[m.end() :], "compound position"
    for case, pattern in (("colours", _COLOR), ("numbers", _NUMBER), ("quotes", _QUOTE)):
        swapped = swap_first_two(caption, pattern)
        if swapped:
            return swapped, f"swapped {case}"
    return "Looking closely, " + caption[0].lower() + caption[1:], None


class Falsifier:
    def __init__(self) -> None:
        self.answers: dict[str, tuple[str, str | None]] = {}

    def __call__(self, body: dict, n: int) -> Reply:
        caption = body["messages"][-1]["content"].split("\n", 1)[1].strip()
        self.answers[caption] = falsify(caption)
        return Reply(content=self.answers[caption][0])


def run(*args: object, cache: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "DIFFFORGE_CACHE_DIR": str(cache), "OPENAI_API_KEY": "sk-test"}
    env["COLUMNS"] = "200"
    proc = subprocess.run(
        [str(DIFFFORGE), *map(str, args)], cwd=REPO, env=env, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def standard_dataset(root: Path, n: int = 48) -> Path:
    """A dataset as `generate` lays it out (without rendering): pairs of the standard config,
    their specs with the sampler's predicted render facts, grey images for the audit."""
    cfg = load_config(REPO / "configs" / "default.yaml")
    resolution = tuple(cfg.render.resolved().resolution)
    sampler = PairSampler(cfg)
    for sub in ("scenes", "images"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    lines: list[str] = []
    i = 0
    while len(lines) < n:
        spec = sampler.sample(i)
        i += 1
        facts = predicted_facts(spec, resolution, cfg.visibility.predict_fill)
        if caption_or_reason(spec, 2, resolution, facts)[0] is None:
            continue  # ambiguous: generate would have redrawn it
        record = {"spec": spec.model_dump(mode="json"), "facts": facts}
        (root / "scenes" / f"{spec.id}.json").write_text(json.dumps(record))
        for side in ("before", "after"):
            grey = np.full((resolution[1], resolution[0], 3), 120, np.uint8)
            Image.fromarray(grey).save(root / "images" / f"{spec.id}_{side}.png")
        row = {
            "id": spec.id,
            "split": "train",
            "before": f"images/{spec.id}_before.png",
            "after": f"images/{spec.id}_after.png",
            "changes": [c.model_dump(mode="json") for c in spec.changes],
            "captions": [],
            "scene": f"scenes/{spec.id}.json",
        }
        lines.append(json.dumps(row))
    (root / "pairs.jsonl").write_text("\n".join(lines) + "\n")
    (root / "dataset.json").write_text(json.dumps({"config": cfg.model_dump(mode="json")}))
    return root


def test_falsifying_server_through_the_entry_point(tmp_path: Path) -> None:
    root = standard_dataset(tmp_path / "ds")
    server = Falsifier()
    with ChatServer(server) as srv:
        proc = run(
            "caption", root, "--rewrite", "openai", "--base-url", srv.url, "--model", "m",
            "--per-pair", 2,
            cache=tmp_path / "cache",
        )  # fmt: skip
    caps = [
        cap
        for line in (root / "pairs.jsonl").read_text().splitlines()
        for cap in json.loads(line)["captions"]
    ]
    assert len(caps) == 96
    lies = {c: case for c, (_, case) in server.answers.items() if case}
    cases = set(lies.values())
    assert {"compound position", "swapped colours"} <= cases, cases
    assert len(lies) >= 30, "most captions admit one of the issue's falsifications"
    kept = rejected = 0
    for cap in caps:
        template = cap.get("template") or cap["text"]
        answer, case = server.answers[template]
        if case:  # every falsified answer refused, the template kept
            assert cap["source"] == "rejected" and cap["text"] == template, (case, answer)
            rejected += 1
        else:
            assert cap["source"] == "rewrite" and cap["text"] == answer, template
            kept += 1
    out = proc.stdout
    print(f"\n{len(lies)} falsified answers ({sorted(cases)}), {kept} faithful\n{out}")
    assert f"{kept} rewritten (kept), {rejected} rejected by the fact guard" in out, out
    reasons = dict(
        (name.strip(), int(n))
        for name, n in re.findall(r"([a-z/ ]+?) (\d+)(?:,|$)", out.split("rejected by reason:")[1])
    )
    assert reasons.get("position", 0) >= sum(1 for c in lies.values() if "position" in c)
    assert "before/after" in reasons or "object" in reasons, reasons
    assert max(reasons.values()) <= rejected

    audit = run("audit", root, "--out", tmp_path / "audit", cache=tmp_path / "cache").stdout
    rate = 100 * kept / (kept + rejected)
    assert (
        f"LLM rewrites: {kept} kept, {rejected} rejected by the fact guard "
        f"(acceptance rate {rate:.1f} %)" in audit
    ), audit
    saved = json.loads((tmp_path / "audit" / "audit.json").read_text())["rewrite"]
    assert (saved["kept"], saved["rejected"]) == (kept, rejected)
