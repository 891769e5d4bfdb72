"""The type stubs of the compiled core (python/qsample/_core.pyi) describe
exactly what the module holds: the same functions, classes, methods,
properties and constants, each function with the same parameters in the same
order, the same ones optional."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path
from typing import Any

import qsample
from qsample import _core

STUB = Path(qsample.__file__).with_name("_core.pyi")


def _parameters(args: ast.arguments, method: bool) -> tuple[tuple[str, bool], ...]:
    """(name, has a default) of each parameter, ``self`` left out of methods."""
    positional = [*args.posonlyargs, *args.args]
    optional = len(args.defaults)
    out = [(a.arg, i >= len(positional) - optional) for i, a in enumerate(positional)]
    out += [(a.arg, d is not None) for a, d in zip(args.kwonlyargs, args.kw_defaults)]
    return tuple(out[1:] if method else out)


def _is_property(node: ast.FunctionDef) -> bool:
    return any(isinstance(d, ast.Name) and d.id == "property" for d in node.decorator_list)


def stub_members() -> dict[str, Any]:
    """What the stub declares: name -> parameters, "property" or the constant's type."""
    out: dict[str, Any] = {}
    for node in ast.parse(STUB.read_text()).body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            out[node.target.id] = ast.unparse(node.annotation)
        elif isinstance(node, ast.FunctionDef):
            out[node.name] = _parameters(node.args, method=False)
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if not isinstance(item, ast.FunctionDef):
                    continue
                if item.name == "__init__":  # the class is called with these
                    out[node.name] = _parameters(item.args, method=True)
                elif _is_property(item):
                    out[f"{node.name}.{item.name}"] = "property"
                else:
                    out[f"{node.name}.{item.name}"] = _parameters(item.args, method=True)
    return out


def _signature(obj: Any, method: bool = False) -> tuple[tuple[str, bool], ...]:
    params = list(inspect.signature(obj).parameters.values())
    if method:
        params = params[1:]
    return tuple((p.name, p.default is not inspect.Parameter.empty) for p in params)


def compiled_members() -> dict[str, Any]:
    """The same, read from the compiled module (its text signatures)."""
    out: dict[str, Any] = {}
    for name, obj in vars(_core).items():
        if name.startswith("__") and name != "__version__":
            continue
        if isinstance(obj, type):
            out[name] = _signature(obj)
            for attr, member in vars(obj).items():
                if attr.startswith("__"):
                    continue
                if inspect.isgetsetdescriptor(member) or isinstance(member, property):
                    out[f"{name}.{attr}"] = "property"
                else:
                    out[f"{name}.{attr}"] = _signature(member, method=True)
        elif callable(obj):
            out[name] = _signature(obj)
        else:
            out[name] = type(obj).__name__
    return out


def test_the_stub_lists_exactly_the_compiled_members():
    stub, compiled = stub_members(), compiled_members()
    assert sorted(stub) == sorted(compiled), (
        f"only in the stub: {sorted(set(stub) - set(compiled))}; only compiled: "
        f"{sorted(set(compiled) - set(stub))}"
    )


def test_each_stub_signature_and_constant_type_is_the_compiled_one():
    stub, compiled = stub_members(), compiled_members()
    differ = {
        name: (stub[name], compiled[name])
        for name in set(stub) & set(compiled)
        if stub[name] != compiled[name]
    }
    assert not differ, differ


def test_the_comparison_sees_every_kind_of_member():
    """The two readings find functions, a class with methods and properties, and
    constants, so the tests above compare something of each kind."""
    compiled = compiled_members()
    kinds = {
        "function": "anneal",
        "class": "IsingModel",
        "method": "IsingModel.energies",
        "property": "IsingModel.num_spins",
        "constant": "MAX_EXACT_SPINS",
    }
    assert all(name in compiled for name in kinds.values())
    assert compiled["IsingModel.num_spins"] == "property"
    assert compiled["MAX_EXACT_SPINS"] == "int"
    assert ("read_offset", True) in compiled["anneal"]
