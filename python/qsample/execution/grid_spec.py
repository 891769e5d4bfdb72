"""Grid specs: which settings vary (each over a list of values) and which are
fixed, read from a TOML or YAML file or from ``key=v1,v2`` strings.

A spec file::

    figure = "kl_divergence"          # optional: the figure to plot

    [vary]                            # the cross product of these is the grid
    learning_rate = [0.01, 0.03]
    instance = [0, 1, 2]

    [fixed]                           # optional: the same for every point
    num_reads = 1000

YAML takes the same keys (PyYAML reads ``1e-3`` as text: write ``1.0e-3``).
In ``key=v1,v2`` strings a value reads as a boolean
(``true``/``false``), an integer, a float, or else text (quotes force text: ``'"1"'``);
a key given one value is fixed, a key given several varies.
"""

from __future__ import annotations

import math
import os
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Union

import numpy as np

Scalar = Union[str, int, float, bool]

_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
_INT = re.compile(r"[+-]?\d+")
_FILE_KEYS = ("vary", "fixed", "figure")


@dataclass(frozen=True)
class GridSpec:
    """``vary``: setting -> its values, in the order given (the first varies
    slowest); ``fixed``: settings shared by every point; ``figure``: the figure
    to plot, if chosen. A spec with nothing varied is only good for overriding
    another (``overridden_by``); a grid needs at least one varied setting."""

    vary: dict[str, tuple[Scalar, ...]]
    fixed: dict[str, Any] = field(default_factory=dict)
    figure: str | None = None

    def __post_init__(self) -> None:
        # numpy values (e.g. np.logspace) as plain Python ones: ids read 0.01, not
        # np.float64(0.01); lists and arrays as tuples
        object.__setattr__(
            self,
            "vary",
            {
                k: tuple(_plain(v) for v in vs) if isinstance(vs, (list, tuple, np.ndarray)) else vs
                for k, vs in self.vary.items()
            },
        )
        object.__setattr__(self, "fixed", {k: _plain(v) for k, v in self.fixed.items()})
        for key, values in self.vary.items():
            check_key(key)
            if not isinstance(values, tuple) or not values:
                raise ValueError(
                    f"setting {key!r} must vary over a non-empty list of values: value = {values!r}"
                )
            seen: dict[str, Scalar] = {}
            for v in values:
                text = format_value(key, v)
                if text in seen:
                    raise ValueError(
                        f"setting {key!r} lists the value {text!r} twice ({seen[text]!r} and {v!r})"
                    )
                seen[text] = v
        for key in self.fixed:
            check_key(key)
            if key in self.vary:
                raise ValueError(f"setting {key!r} cannot be both varied and fixed")
        if self.figure is not None and not isinstance(self.figure, str):
            raise TypeError(f"'figure' must be the name of a figure: value = {self.figure!r}")

    def overridden_by(self, other: GridSpec | None) -> GridSpec:
        """This spec with every setting of ``other`` replacing the one of the same name."""
        if other is None:
            return self
        vary = {k: v for k, v in self.vary.items() if k not in other.fixed}
        vary.update(other.vary)
        fixed = {k: v for k, v in self.fixed.items() if k not in other.vary}
        fixed.update(other.fixed)
        return GridSpec(vary, fixed, other.figure or self.figure)

    def as_json(self) -> dict[str, Any]:
        return {
            "vary": {k: list(v) for k, v in self.vary.items()},
            "fixed": self.fixed,
            "figure": self.figure,
        }


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def check_key(key: Any) -> str:
    if not isinstance(key, str):
        raise TypeError(f"a setting's name must be a string: value = {key!r}")
    if not _KEY.fullmatch(key):
        raise ValueError(
            f"a setting's name must start with a letter or '_' and hold only "
            f"letters, digits, '_', '.' and '-': value = {key!r}"
        )
    return key


def format_value(key: str, value: Any) -> str:
    """A varied value as written in point ids (``learning_rate=0.01``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"setting {key!r} must vary over finite numbers: value = {value!r}")
        return repr(value)
    if isinstance(value, str):
        if not value or any(c in value for c in ",=/\\") or value != value.strip():
            raise ValueError(
                f"setting {key!r}: a varied text value must be non-empty, without "
                f"',', '=', slashes or surrounding spaces: value = {value!r}"
            )
        return value
    raise TypeError(
        f"setting {key!r} must vary over text, numbers or booleans: "
        f"value = {value!r} ({type(value).__name__})"
    )


def parse_value(text: str) -> Scalar:
    """One value of a ``key=v1,v2`` string."""
    t = text.strip()
    if len(t) >= 2 and t[0] == t[-1] and t[0] in "\"'":
        return t[1:-1]
    if t.lower() in ("true", "false"):
        return t.lower() == "true"
    if _INT.fullmatch(t):
        return int(t)
    try:
        number = float(t)
    except ValueError:
        return t
    return number if math.isfinite(number) else t


def grid_spec_from_sets(items: Iterable[str]) -> GridSpec:
    """A spec from ``key=v1,v2`` strings (as repeated ``--set`` options give them)."""
    vary: dict[str, tuple[Scalar, ...]] = {}
    fixed: dict[str, Any] = {}
    for item in items:
        if not isinstance(item, str):
            raise TypeError(f"a grid setting must be a 'key=v1,v2' string: value = {item!r}")
        key, sep, rest = item.partition("=")
        key = key.strip()
        if not sep or not rest.strip():
            raise ValueError(f"a grid setting must read key=v1,v2: value = {item!r}")
        check_key(key)
        if key in vary or key in fixed:
            raise ValueError(f"setting {key!r} is given twice: {item!r}")
        values = tuple(parse_value(v) for v in rest.split(","))
        if len(values) == 1:
            fixed[key] = values[0]
        else:
            vary[key] = values
    return GridSpec(vary, fixed)


def grid_spec_from_file(path: str | os.PathLike) -> GridSpec:
    """A spec from a ``.toml``, ``.yaml`` or ``.yml`` file."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".toml":
        data = _read_toml(path)
    elif suffix in (".yaml", ".yml"):
        data = _read_yaml(path)
    else:
        raise ValueError(f"a grid spec must be a .toml, .yaml or .yml file: value = {str(path)!r}")
    return grid_spec_from_mapping(data, where=str(path))


def grid_spec_from_mapping(data: Any, where: str = "grid spec") -> GridSpec:
    if not isinstance(data, Mapping):
        raise ValueError(
            f"{where}: must hold a table with 'vary' (and optionally 'fixed', "
            f"'figure'), found {type(data).__name__}"
        )
    unknown = [k for k in data if k not in _FILE_KEYS]
    if unknown:
        raise ValueError(f"{where}: unknown key {unknown[0]!r}; allowed: {', '.join(_FILE_KEYS)}")
    vary_in, fixed_in = data.get("vary"), data.get("fixed", {})
    for name, table in (("vary", vary_in), ("fixed", fixed_in)):
        if not isinstance(table, Mapping):
            raise ValueError(
                f"{where}: '{name}' must be a table of settings, found {type(table).__name__}"
            )
    assert isinstance(vary_in, Mapping)  # checked just above; tells the type checker
    vary: dict[str, tuple[Scalar, ...]] = {}
    for key, values in vary_in.items():
        if not isinstance(values, list):
            raise ValueError(f"{where}: vary.{key} must be a list of values: value = {values!r}")
        vary[key] = tuple(values)
    try:
        return GridSpec(vary, dict(fixed_in), data.get("figure"))
    except (TypeError, ValueError) as e:
        raise type(e)(f"{where}: {e}") from None


def _read_toml(path: Path) -> Any:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python 3.9 and 3.10
        import tomli as tomllib
    with open(path, "rb") as f:
        try:
            return tomllib.load(f)
        except (tomllib.TOMLDecodeError, UnicodeDecodeError, RecursionError) as e:
            raise ValueError(f"{path}: not valid TOML: {e or 'nested too deeply'}") from None


def _read_yaml(path: Path) -> Any:
    try:
        import yaml
    except ImportError:
        raise ImportError(
            f"reading the YAML grid spec {path} needs PyYAML: pip install pyyaml"
        ) from None
    with open(path, encoding="utf-8") as f:
        try:
            return yaml.safe_load(f)
        except (yaml.YAMLError, UnicodeDecodeError, RecursionError) as e:
            raise ValueError(f"{path}: not valid YAML: {e or 'nested too deeply'}") from None
