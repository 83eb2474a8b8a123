"""Suite-wide test settings.

The sampler's mix pilot (``PairSampler._loss_corrected``: a few hundred specs per config,
minutes of CPU for a default-like config, cached on disk per config and code) is off unless a
test turns it on (``monkeypatch.delenv("DIFFFORGE_MIX_PILOT")``, tests/scenes/test_mix_loss.py):
the suite builds samplers for dozens of configs, and a cold cache would pay a pilot for each.
``DIFFFORGE_MIX_PILOT=1 make test`` runs everything with it.
"""

from __future__ import annotations

import os

os.environ.setdefault("DIFFFORGE_MIX_PILOT", "0")
