"""``--shard auto``: which slice of a run this batch-system array task renders.

An array job starts the same command K times; each copy learns its place from the scheduler's
environment, so one job script serves every task. Supported (first match wins):

- Slurm: ``SLURM_ARRAY_TASK_ID``, ``SLURM_ARRAY_TASK_COUNT`` (ids may start at
  ``SLURM_ARRAY_TASK_MIN`` and step by ``SLURM_ARRAY_TASK_STEP``: ``--array=1-8`` is shard 0..7);
- SGE / UGE: ``SGE_TASK_ID`` with ``SGE_TASK_FIRST``, ``SGE_TASK_LAST``, ``SGE_TASK_STEPSIZE``;
- LSF: ``LSB_JOBINDEX`` with ``LSB_JOBINDEX_END`` (and ``LSB_JOBINDEX_STEP``), first index 1;
- PBS Pro / Torque: ``PBS_ARRAY_INDEX`` or ``PBS_ARRAYID`` (0-based), which carry no count, so
  ``DIFFFORGE_SHARD_COUNT`` must be set too;
- anything else: ``DIFFFORGE_SHARD_INDEX`` and ``DIFFFORGE_SHARD_COUNT`` (0-based).
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from diffforge.errors import ConfigError

HELP = (
    "SLURM_ARRAY_TASK_ID/COUNT, SGE_TASK_ID, LSB_JOBINDEX, PBS_ARRAY_INDEX + "
    "DIFFFORGE_SHARD_COUNT, or DIFFFORGE_SHARD_INDEX/COUNT"
)


def _int(env: Mapping[str, str], name: str, default: int | None = None) -> int:
    value = env.get(name)
    if value is None or value == "":
        if default is None:
            raise ConfigError(f"--shard auto: ${name} is not set")
        return default
    try:
        return int(value)
    except ValueError:
        raise ConfigError(f"--shard auto: ${name}={value!r} is not an integer") from None


def _strided(scheduler: str, task: int, first: int, step: int, count: int) -> tuple[int, int, str]:
    if step < 1 or (task - first) % step:
        raise ConfigError(
            f"--shard auto: {scheduler} task id {task} is not first {first} + k × step {step}"
        )
    return (task - first) // step, count, scheduler


def shard_from_env(env: Mapping[str, str] | None = None) -> tuple[int, int, str]:
    """(index, count, scheduler name) of this array task; a one-line error when there is none."""
    env = os.environ if env is None else env
    if env.get("SLURM_ARRAY_TASK_ID"):
        task = _int(env, "SLURM_ARRAY_TASK_ID")
        first = _int(env, "SLURM_ARRAY_TASK_MIN", 0)
        step = _int(env, "SLURM_ARRAY_TASK_STEP", 1)
        if env.get("SLURM_ARRAY_TASK_COUNT"):
            count = _int(env, "SLURM_ARRAY_TASK_COUNT")
        else:
            count = (_int(env, "SLURM_ARRAY_TASK_MAX") - first) // step + 1
        return _strided("Slurm", task, first, step, count)
    if env.get("SGE_TASK_ID") and env.get("SGE_TASK_ID") != "undefined":
        first = _int(env, "SGE_TASK_FIRST", 1)
        step = _int(env, "SGE_TASK_STEPSIZE", 1)
        count = (_int(env, "SGE_TASK_LAST") - first) // step + 1
        return _strided("SGE", _int(env, "SGE_TASK_ID"), first, step, count)
    if env.get("LSB_JOBINDEX") and env.get("LSB_JOBINDEX") != "0":
        step = _int(env, "LSB_JOBINDEX_STEP", 1)
        count = (_int(env, "LSB_JOBINDEX_END") - 1) // step + 1
        return _strided("LSF", _int(env, "LSB_JOBINDEX"), 1, step, count)
    for name in ("PBS_ARRAY_INDEX", "PBS_ARRAYID"):
        if env.get(name):
            return _int(env, name), _int(env, "DIFFFORGE_SHARD_COUNT"), "PBS"
    if env.get("DIFFFORGE_SHARD_INDEX"):
        return (
            _int(env, "DIFFFORGE_SHARD_INDEX"),
            _int(env, "DIFFFORGE_SHARD_COUNT"),
            "DIFFFORGE_SHARD_INDEX",
        )
    raise ConfigError(f"--shard auto: not in an array job (none of {HELP} is set)")
