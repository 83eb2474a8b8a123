"""Parameter distributions users write in YAML, and the seeded RNG every draw goes through.

A parameter is a constant (``0.5``) or one of ``{uniform: [a, b]}``, ``{normal: [mu, sigma],
clip: [lo, hi]}``, ``{loguniform: [a, b]}``, ``{randint: [a, b]}`` (inclusive),
``{choice: [...], weights: [...]}`` or ``{bool: p}``.
"""

from __future__ import annotations

import math
import zlib
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, BeforeValidator, ConfigDict, model_validator


def rng_for(seed: int, index: int, stage: str, attempt: int = 0) -> np.random.Generator:
    """The only way to get randomness: a Generator keyed by (seed, pair index, stage, attempt).

    crc32 of the stage name keeps the key stable across processes (``hash()`` is salted).
    """
    key = [int(seed) & 0xFFFFFFFF, int(index), zlib.crc32(stage.encode()), int(attempt)]
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(key)))


class _Dist(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Constant(_Dist):
    kind: Literal["constant"] = "constant"
    value: Any

    def sample(self, rng: np.random.Generator) -> Any:
        return self.value


class Uniform(_Dist):
    kind: Literal["uniform"] = "uniform"
    low: float
    high: float

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        if self.high < self.low:
            raise ValueError(f"uniform needs low <= high, found [{self.low}, {self.high}]")
        return self

    def sample(self, rng: np.random.Generator) -> float:
        return float(rng.uniform(self.low, self.high))


class LogUniform(_Dist):
    kind: Literal["loguniform"] = "loguniform"
    low: float
    high: float

    @model_validator(mode="after")
    def _positive(self) -> LogUniform:
        if not 0 < self.low <= self.high:
            raise ValueError(f"loguniform needs 0 < low <= high, found [{self.low}, {self.high}]")
        return self

    def sample(self, rng: np.random.Generator) -> float:
        return float(math.exp(rng.uniform(math.log(self.low), math.log(self.high))))


class Normal(_Dist):
    kind: Literal["normal"] = "normal"
    mean: float
    std: float
    clip: tuple[float, float] | None = None

    @model_validator(mode="after")
    def _std(self) -> Normal:
        if self.std < 0:
            raise ValueError(f"normal needs std >= 0, found {self.std}")
        return self

    def sample(self, rng: np.random.Generator) -> float:
        x = float(rng.normal(self.mean, self.std))
        return float(np.clip(x, *self.clip)) if self.clip else x


class RandInt(_Dist):
    kind: Literal["randint"] = "randint"
    low: int
    high: int

    @model_validator(mode="after")
    def _ordered(self) -> RandInt:
        if self.high < self.low:
            raise ValueError(f"randint needs low <= high, found [{self.low}, {self.high}]")
        return self

    def sample(self, rng: np.random.Generator) -> int:
        return int(rng.integers(self.low, self.high + 1))


class Choice(_Dist):
    kind: Literal["choice"] = "choice"
    options: list[Any]
    weights: list[float] | None = None

    @model_validator(mode="after")
    def _weights(self) -> Choice:
        if not self.options:
            raise ValueError("choice needs at least one option")
        if self.weights is not None:
            if len(self.weights) != len(self.options):
                raise ValueError(
                    f"choice has {len(self.options)} options but {len(self.weights)} weights"
                )
            if any(w < 0 for w in self.weights) or sum(self.weights) <= 0:
                raise ValueError("choice weights must be >= 0 with a positive sum")
        return self

    def sample(self, rng: np.random.Generator) -> Any:
        p = None
        if self.weights is not None:
            p = np.asarray(self.weights, dtype=float) / sum(self.weights)
        return self.options[int(rng.choice(len(self.options), p=p))]


class Bernoulli(_Dist):
    kind: Literal["bool"] = "bool"
    p: float

    @model_validator(mode="after")
    def _prob(self) -> Bernoulli:
        if not 0.0 <= self.p <= 1.0:
            raise ValueError(f"bool needs a probability in [0, 1], found {self.p}")
        return self

    def sample(self, rng: np.random.Generator) -> bool:
        return bool(rng.random() < self.p)


_FORMS = {
    "uniform": lambda v, rest: Uniform(low=v[0], high=v[1]),
    "loguniform": lambda v, rest: LogUniform(low=v[0], high=v[1]),
    "normal": lambda v, rest: Normal(mean=v[0], std=v[1], clip=rest.get("clip")),
    "randint": lambda v, rest: RandInt(low=v[0], high=v[1]),
    "choice": lambda v, rest: Choice(options=v, weights=rest.get("weights")),
    "bool": lambda v, rest: Bernoulli(p=v),
}
_EXTRA_KEYS = {"normal": {"clip"}, "choice": {"weights"}}


def parse_distribution(value: Any) -> Any:
    """YAML shorthand -> a distribution model; raises ValueError naming the expected forms."""
    if isinstance(value, _Dist):
        return value
    if not isinstance(value, dict):
        return Constant(value=value)
    if "kind" in value:  # already in model form (round trip through model_dump)
        kind = value["kind"]
        cls = {c.model_fields["kind"].default: c for c in _ALL}.get(kind)
        if cls is None:
            raise ValueError(f"unknown distribution kind {kind!r}")
        return cls(**value)
    forms = [k for k in value if k in _FORMS]
    if len(forms) != 1:
        raise ValueError(
            f"expected a number or one of {{{', '.join(_FORMS)}}}, found keys {sorted(value)}"
        )
    form = forms[0]
    extra = set(value) - {form} - _EXTRA_KEYS.get(form, set())
    if extra:
        raise ValueError(f"unexpected keys {sorted(extra)} for a {form} distribution")
    args = value[form]
    if form in {"uniform", "loguniform", "normal", "randint"} and (
        not isinstance(args, list | tuple) or len(args) != 2
    ):
        raise ValueError(f"{form} expects a list of two numbers, found {args!r}")
    if form == "choice" and not isinstance(args, list | tuple):
        raise ValueError(f"choice expects a list of options, found {args!r}")
    return _FORMS[form](args, value)


_ALL = (Constant, Uniform, LogUniform, Normal, RandInt, Choice, Bernoulli)
AnyDist = Constant | Uniform | LogUniform | Normal | RandInt | Choice | Bernoulli
Distribution = Annotated[AnyDist, BeforeValidator(parse_distribution)]
