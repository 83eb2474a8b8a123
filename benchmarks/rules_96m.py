"""The measures of review_std96m's gates on stored renders, per change: a colour, material,
size or move target's rendered share of its predicted pixels alone (``seen_whole_share``), a
size change's outline in pixels, a move's span in the target's sizes, a switched lamp's own
luminance ratio (benchmarks/calibration.md, review_std96m section). ``--review`` marks the
changes a review rated B (pair:type), the rest C.

    PYTHONPATH=$PWD python benchmarks/rules_96m.py /work/runs/rev43_4700 /work/runs/rev43_8600 \\
        --review rev43_4700/00000009:illumination,rev43_4700/00000037:move,...
"""

from __future__ import annotations

from gate_replay import print_measures

from diffforge.scenes.changes import GateCheck
from diffforge.scenes.changes.scene_wide import UNSEEN_LAMP, lamp_luma_ratio, seen_kind
from diffforge.scenes.changes.seen_whole import move_span, seen_whole_share

INSIDE = {"color", "material", "size", "move"}


def measures(check: GateCheck) -> str:
    """The 96m rules' measures for this change ('' where none applies)."""
    kind = check.change.type
    if kind == "illumination":
        said = seen_kind(check)
        ratio = lamp_luma_ratio(check) if said in UNSEEN_LAMP else None
        return "" if ratio is None else f"lamp x{ratio:.2f}"
    if kind not in INSIDE or not check.targets():
        return ""
    share = seen_whole_share(check)
    out = "seen -" if share is None else f"seen {share:.2f}"
    if kind == "size":
        out += f", outline {check.outline_pixels()} px"
    if kind == "move":
        span = move_span(check)
        out += "" if span is None else f", span {span:.2f}"
    return out


if __name__ == "__main__":
    print_measures(__doc__, measures, "B")
