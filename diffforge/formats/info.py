"""What a format module says about itself: its names and whether its pairs carry splits.

Each ``formats/<name>.py`` declares one ``FormatInfo`` as ``INFO``; the registry collects them
and training configs, ``diffforge eval`` and the caption-stats figure read the names from
there, so a format is named once, in its own module.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FormatInfo:
    name: str  # the key in configs, ``--compare FORMAT=PATH`` and ``Annotations.format``
    title: str  # as papers print it (figure legends)
    report_name: str  # the ``format`` eval's JSON reports
    has_splits: bool  # its pairs carry a split that ``--split`` selects (else one per file)
