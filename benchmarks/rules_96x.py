"""The measures of review_std96x's rule on stored renders, per replace: the share of the old
and new things' pixel union that both cover and the ΔE*ab between their mean colours
(``salience.swap_measures``; benchmarks/calibration.md, review_std96x row). ``--review``
marks the changes a review rated B (pair:type), the rest C.

    PYTHONPATH=$PWD python benchmarks/rules_96x.py /work/runs/r53/std48_6200 \\
        /work/runs/r53/std48_3500 --review std48_3500/00000021:replace
"""

from __future__ import annotations

from gate_replay import print_measures

from diffforge.scenes.changes import GateCheck
from diffforge.scenes.changes.salience import swap_measures


def measures(check: GateCheck) -> str:
    if check.change.type != "replace" or (got := swap_measures(check)) is None:
        return ""
    before, after = check.change.before, check.change.after
    return (
        f"overlap {got[0]:.2f} ΔE*ab {got[1]:.1f} ({before.get('category')} "
        f"{before.get('color')} -> {after.get('category')} {after.get('color')})"
    )


if __name__ == "__main__":
    print_measures(__doc__, measures, marked="B")
