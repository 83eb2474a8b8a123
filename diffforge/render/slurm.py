"""Slurm job scripts for a sharded render: an array that runs ``generate --shard auto`` per task,
a merge job queued behind it (``afterok``), and the submit script that links the two.

The scripts hold the exact ``generate`` and ``merge`` lines, so running them by hand (one array
task at a time, with SLURM_ARRAY_TASK_ID/COUNT set) gives the same dataset as one ``generate``.
"""

from __future__ import annotations

import shlex
import sys
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined

from diffforge.dataset.layout import JOB_SCRIPTS
from diffforge.errors import ConfigError

TEMPLATES = {
    "render.sbatch": "slurm_array.sh.j2",
    "merge.sbatch": "slurm_merge.sh.j2",
    "submit.sh": "slurm_submit.sh.j2",
}


@dataclass
class SlurmJob:
    """What the scripts render: paths are made absolute, since jobs start in another cwd."""

    config: Path
    out: Path
    n: int
    tasks: int
    workers: int = 1
    gpus_per_task: int = 0
    cpus_per_task: int = 8
    partition: str | None = None
    time: str | None = None
    preset: str | None = None
    device: str | None = None
    sets: list[str] = field(default_factory=list)
    name: str = "diffforge"
    python: str = sys.executable
    script_dir: Path | None = None

    def check(self) -> None:
        if self.n < 1:
            raise ConfigError(f"--n {self.n}: need at least 1 pair")
        if not 1 <= self.tasks <= self.n:
            raise ConfigError(f"--tasks {self.tasks}: need 1 <= tasks <= --n ({self.n})")
        if self.workers < 1:
            raise ConfigError(f"--workers {self.workers}: need at least 1")
        if self.gpus_per_task < 0:
            raise ConfigError(f"--gpus-per-task {self.gpus_per_task}: need 0 or more")
        if self.cpus_per_task < 1:
            raise ConfigError(f"--cpus-per-task {self.cpus_per_task}: need at least 1")
        if not Path(self.config).is_file():
            raise ConfigError(f"{self.config}: config file not found")

    @property
    def scripts(self) -> Path:
        return Path(self.script_dir or Path(self.out) / JOB_SCRIPTS).absolute()

    def _diffforge(self, *args: str) -> str:
        return shlex.join([self.python, "-m", "diffforge", *args])

    def generate_line(self) -> str:
        args = ["generate", str(Path(self.config).absolute()), "--out", str(self._out)]
        args += ["--n", str(self.n), "--shard", "auto", "--workers", str(self.workers)]
        args += ["--preset", self.preset] if self.preset else []
        device = self.device or ("auto" if self.gpus_per_task else None)
        args += ["--device", device] if device else []
        for s in self.sets:
            args += ["--set", s]
        return self._diffforge(*args)

    @property
    def _out(self) -> Path:
        return Path(self.out).absolute()


def slurm_scripts(job: SlurmJob) -> dict[str, str]:
    """File name -> script text (render.sbatch, merge.sbatch, submit.sh)."""
    job.check()
    env = Environment(
        loader=PackageLoader("diffforge.render", "templates"),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    q = shlex.quote
    values = {
        "name": job.name,
        "n": job.n,
        "tasks": job.tasks,
        "out": str(job._out),
        "cpus_per_task": job.cpus_per_task,
        "gpus_per_task": job.gpus_per_task,
        "partition": job.partition,
        "time": job.time,
        "logs": str(job.scripts / "logs"),  # #SBATCH lines are not shell-parsed
        "logs_sh": q(str(job.scripts / "logs")),
        "workdir": q(str(Path.cwd())),
        "generate": job.generate_line(),
        "merge": job._diffforge("merge", str(job._out)),
        "status": job._diffforge("status", str(job._out)),
        "array_script": q(str(job.scripts / "render.sbatch")),
        "merge_script": q(str(job.scripts / "merge.sbatch")),
    }
    return {name: env.get_template(tpl).render(**values) for name, tpl in TEMPLATES.items()}


def write_slurm_scripts(job: SlurmJob) -> dict[str, Path]:
    """Write the scripts (executable) into ``job.scripts``; returns name -> path."""
    texts = slurm_scripts(job)
    job.scripts.mkdir(parents=True, exist_ok=True)
    (job.scripts / "logs").mkdir(exist_ok=True)
    paths = {}
    for name, text in texts.items():
        path = job.scripts / name
        path.write_text(text, encoding="utf-8")
        path.chmod(0o755)
        paths[name] = path
    return paths
