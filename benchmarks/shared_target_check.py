"""How many template captions name one target of two changes with two different referring
expressions (issue 32: "the medium tree ... is now green. Third, the brown tree ... has shrunk").

Specs are sampled (no render) and captioned on predicted geometry, as the caption linter test
does. A caption counts when two changes of its pair share a target and its referring parts for
that target are two different full expressions (a later "the same tree"/"that tree" is one).

PYTHONPATH=. DIFFFORGE_MIX_PILOT=0 python benchmarks/shared_target_check.py N [--start S]
    [--per-pair K] [--style concise|rich] [--config C] [--set key=value ...]
"""

from __future__ import annotations

import argparse
import time
from collections import Counter


def second_mention(text: str) -> bool:
    """A reference back to something the caption already named."""
    return text.startswith(("the same ", "that same ", "that ", "it", "they"))


def split_names(caption: dict, changes: list, nouns: dict[str, str]) -> tuple[int, list[str]]:
    """(shared targets in this caption, the ones named twice in full) for one caption record."""
    unused = list(range(len(changes)))
    by_target: dict[str, list[str]] = {}
    for kind, ref in zip(caption["types"], caption["referring"], strict=True):
        # two changes of one type ("the tree has turned brown", "the mailbox has turned
        # black"): the one whose target's noun the reference says
        alike = [j for j in unused if changes[j].type == kind]
        named = [
            j for j in alike if changes[j].targets and nouns.get(changes[j].targets[0], "?") in ref
        ]
        i = (named or alike or [None])[0]
        if i is None or not changes[i].targets:
            continue
        unused.remove(i)
        by_target.setdefault(changes[i].targets[0], []).append(ref)
    shared = {t: refs for t, refs in by_target.items() if len(refs) > 1}
    twice = [t for t, refs in shared.items() if len({r for r in refs if not second_mention(r)}) > 1]
    return len(shared), twice


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int, help="pairs to sample")
    ap.add_argument("--start", type=int, default=0)
    ap.add_argument("--per-pair", type=int, default=5)
    ap.add_argument("--style", default="concise")
    ap.add_argument("--config", default="configs/default.yaml")
    ap.add_argument("--set", action="append", default=["render.preset=standard"])
    ap.add_argument("--examples", type=int, default=3)
    args = ap.parse_args()

    from diffforge.captioner.compose import AmbiguousReference, caption_pair
    from diffforge.captioner.lint import lint_record
    from diffforge.config import load_config
    from diffforge.scenes.sampler import PairSampler

    cfg = load_config(args.config, args.set)
    sampler = PairSampler(cfg)
    res = tuple(cfg.render.resolved().resolution)
    clock = time.process_time()
    n = Counter()
    examples: list[str] = []
    for index in range(args.start, args.start + args.n):
        spec = sampler.sample(index)
        targets = [c.targets[0] for c in spec.changes if c.targets]
        nouns = {o.id: o.noun for o in (*spec.before.objects, *spec.after.objects)}
        shared = len(targets) != len(set(targets))
        n["pairs"] += 1
        n["shared_pairs"] += shared
        try:
            caps = caption_pair(spec, args.per_pair, res, style=args.style)
        except AmbiguousReference:
            n["ambiguous"] += 1
            n["shared_ambiguous"] += shared
            continue
        bad_pair = False
        for cap in caps:
            n["captions"] += 1
            n["lint"] += bool(lint_record(cap))
            count, twice = split_names(cap, spec.changes, nouns)
            n["shared_captions"] += bool(count)
            if twice:
                n["named_twice"] += 1
                bad_pair = True
                if len(examples) < args.examples:
                    examples.append(f"{index}: {cap['text']}")
        n["pairs_named_twice"] += bad_pair
    cpu = time.process_time() - clock
    print(f"resolution={res} style={args.style} pairs {args.start}..{args.start + args.n - 1}")
    print(dict(n))
    print(f"cpu={cpu:.0f} s")
    for e in examples:
        print(" ", e)


if __name__ == "__main__":
    main()
