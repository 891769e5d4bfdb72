"""What a training run records: one entry per iteration, and the parameters
that reached the device range."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field


@dataclass
class RangeEvent:
    """A parameter that reached the device range."""

    iteration: int
    kind: str  # "h" or "J"
    index: int
    variables: tuple[Hashable, ...]
    value: float
    limit: tuple[float, float]


@dataclass
class History:
    """One entry per iteration (lists of equal length)."""

    moment_error_h: list[float] = field(default_factory=list)  # max |data - model| of <z_k>
    moment_error_J: list[float] = field(default_factory=list)  # max |data - model| of <z_k z_l>
    norm_h: list[float] = field(default_factory=list)
    norm_J: list[float] = field(default_factory=list)
    max_abs_J_intra: list[float] = field(default_factory=list)
    max_abs_J_inter: list[float] = field(default_factory=list)
    sampling_seconds: list[float] = field(default_factory=list)
    update_seconds: list[float] = field(default_factory=list)

    def append(self, **values: float) -> None:
        for k, v in values.items():
            getattr(self, k).append(float(v))

    def __len__(self) -> int:
        return len(self.norm_h)
