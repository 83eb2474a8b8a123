"""The measures of review_std96k's gates on stored renders, per change: a colour change's
changed pixels, a size change's outline (mask XOR) in pixels beside a relighting, what comes,
goes or is swapped against its surround (ΔE*ab across its edge), a switched lamp's kind as
seen and the frame's luminance ratio, a folded turn's outline share
(benchmarks/calibration.md, review_std96k section).

    PYTHONPATH=$PWD python benchmarks/rules_96k.py /work/runs/vis5/s6400 /work/runs/vis5/s7700
"""

from __future__ import annotations

from gate_replay import print_measures

from diffforge.scenes.changes import GateCheck
from diffforge.scenes.changes.scene_wide import illumination_measures, seen_kind

COMES_GOES = {"add", "remove", "disappear", "replace"}


def measures(check: GateCheck) -> str:
    """The 96k rule's measure for this change's type ('' where none applies)."""
    kind = check.change.type
    if not check.targets() and kind != "illumination":
        return ""
    if kind == "color":
        return f"changed {check.changed_pixels()} px"
    if kind == "size":
        return f"outline {check.outline_pixels()} px{' (relit)' if check.relit else ''}"
    if kind in COMES_GOES:
        return f"edge dE {check.edge_contrast():.1f}"
    if kind == "orientation":
        order = check.change.params.get("symmetry", 1)
        return f"outline share {check.outline_change():.2f} (symmetry {order})"
    if kind == "illumination":
        said = check.change.params.get("kind", "")
        ratio = illumination_measures(check.images, check.masks)["luma_ratio"]
        return f"{said} seen as {seen_kind(check)}, luma x{ratio:.3f}"
    return ""


if __name__ == "__main__":
    print_measures(__doc__, measures)
