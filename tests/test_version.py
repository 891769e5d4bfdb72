"""One version, written once: Cargo.toml holds it, pyproject.toml takes it from
there (maturin), the compiled core reports it, and the package and its
installed metadata say the same."""

from __future__ import annotations

import importlib.metadata
import sys
from pathlib import Path

import qsample
from qsample import _core

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - a dependency below 3.11
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]


def _toml(name: str) -> dict:
    return tomllib.loads((ROOT / name).read_text())


def test_the_package_the_core_and_the_installed_metadata_agree_on_the_version():
    assert qsample.__version__ == _core.__version__ == importlib.metadata.version("qsample")


def test_the_version_is_written_in_cargo_toml_only():
    assert _toml("Cargo.toml")["package"]["version"] == qsample.__version__
    project = _toml("pyproject.toml")["project"]
    assert "version" not in project and "version" in project["dynamic"]
