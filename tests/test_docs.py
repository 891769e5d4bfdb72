"""The README's example and the samplers' docstring examples run as written."""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest

import qsample.samplers.annealing
import qsample.samplers.exact
import qsample.samplers.persistent
import qsample.samplers.sqa
import qsample.samplers.tempering

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_examples():
    result = doctest.testfile(str(README), module_relative=False, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 5
    assert result.failed == 0


@pytest.mark.parametrize(
    "module",
    [
        qsample.samplers.annealing,
        qsample.samplers.exact,
        qsample.samplers.tempering,
        qsample.samplers.persistent,
        qsample.samplers.sqa,
    ],
)
def test_docstring_examples(module):
    result = doctest.testmod(module)
    assert result.attempted > 0
    assert result.failed == 0
