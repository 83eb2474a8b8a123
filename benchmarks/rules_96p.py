"""The measures of review_std96p's rules on stored renders, per change: a sun turn's newly
lit and newly shaded shares (``sun_shift_shares``), a switched lamp's own ratio and the
frame's, an existence change's edge contrast beside a relighting, a small target's contrast
with its support, and a viewpoint's recorded steps with the pitch change of its cameras
(benchmarks/calibration.md, review_std96p section). ``--review`` marks the changes a review
rated B or P (pair:type), the rest C.

    PYTHONPATH=$PWD python benchmarks/rules_96p.py /work/runs/s1800 /work/runs/s6600 \\
        --review s1800/00000033:illumination,s6600/00000016:disappear
"""

from __future__ import annotations

from gate_replay import print_measures

from diffforge.captioner.change_groups import view_pitch_deg
from diffforge.scenes.changes import GateCheck
from diffforge.scenes.changes.salience import support_contrast
from diffforge.scenes.changes.scene_wide import (
    UNSEEN_LAMP,
    illumination_measures,
    lamp_luma_ratio,
    seen_kind,
    sun_shift_shares,
)

EXISTENCE = {"add", "remove", "disappear", "replace"}


def measures(check: GateCheck) -> str:
    """The 96p rules' measures for this change ('' where none applies)."""
    change, kind = check.change, check.change.type
    if kind == "viewpoint":
        before, after = check.spec.before.camera, check.spec.after.camera
        pitch = view_pitch_deg(after) - view_pitch_deg(before)
        p = change.params
        return (
            f"azimuth {p.get('azimuth_deg', 0):.1f}, elevation {p.get('elevation_deg', 0):.1f},"
            f" pitch {view_pitch_deg(before):.1f} -> {view_pitch_deg(after):.1f} ({pitch:+.1f}),"
            f" layout {check.spec.before.environment.layout}"
        )
    if kind == "illumination":
        said = seen_kind(check)
        if change.params.get("kind") == "sun_angle":
            lit, shaded = sun_shift_shares(check.images, check.masks)
            return f"sun lit {lit:.3f}, shaded {shaded:.3f}"
        ratio = lamp_luma_ratio(check) if said in UNSEEN_LAMP else None
        if ratio is None:
            return ""
        frame = illumination_measures(check.images, check.masks)["luma_ratio"]
        frame = max(frame, 1 / frame)
        return f"lamp x{ratio:.2f}, frame x{frame:.3f}"
    if kind not in EXISTENCE or not check.targets():
        return ""
    out = f"px {check.target_pixels()} ({check.target_pixels() / check.target_min:.1f}x)"
    out += f", edge {check.edge_contrast():.1f}"
    gap = support_contrast(check)
    out += "" if gap is None else f", support {gap:.1f}"
    return out + (", relit" if check.relit else "")


if __name__ == "__main__":
    print_measures(__doc__, measures, "B/P")
