"""Loaders refuse damaged or foreign files with one ValueError naming the file
and what was expected; argument checks go through one set of rules (wrong type:
TypeError, wrong value: ValueError, naming the parameter)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from test_datasets import OPTDIGITS

from qsample import datasets
from qsample import embedding as em
from qsample import evaluate as ev
from qsample import hardware as hw
from qsample.model import HardwareModel


@pytest.fixture(scope="module")
def model():
    return HardwareModel(em.clique_embedding(4, hw.chimera(2)), seed=1)


# -- targets ---------------------------------------------------------------------------
def test_a_forged_family_shape_is_refused_before_any_graph_is_built():
    d = hw.chimera(2).to_dict()
    with pytest.raises(ValueError, match=r"chimera shape \(3000, 3000, 4\) has 72000000 qubits"):
        hw.Target.from_dict({**d, "shape": [3000, 3000, 4]})
    with pytest.raises(ValueError, match=r"shape \(1, 1, 4\) has 8 qubits, fewer than the 32"):
        hw.Target.from_dict({**d, "shape": [1, 1, 4]})
    with pytest.raises(ValueError, match=r"a chimera shape is \(m, n, t\)"):
        hw.Target.from_dict({**d, "shape": [2, 2]})
    with pytest.raises(ValueError, match="'shape t' must be a positive integer"):
        hw.Target.from_dict({**d, "shape": [2, 2, "4"]})
    with pytest.raises(ValueError, match=r"zephyr shape \(4000, 4\)"):
        hw.zephyr(4000)


@pytest.mark.parametrize(
    "family,shape",
    [
        ("chimera", (2, 3, 4)),
        ("chimera", (16, 16, 4)),
        ("pegasus", (2,)),
        ("pegasus", (6,)),
        ("pegasus", (16,)),
        ("zephyr", (1, 4)),
        ("zephyr", (4, 2)),
        ("zephyr", (6, 4)),
    ],
)
def test_the_qubit_count_of_a_shape_is_that_of_its_graph(family, shape):
    assert hw.family_qubits(family, shape) == len(hw._family_graph(family, shape))


def test_target_descriptions_with_wrong_content_are_refused():
    d = hw.chimera(2).to_dict()
    assert set(hw.Target.from_dict(d).graph.edges) == set(hw.chimera(2).graph.edges)
    bad = [
        ([1, 2], "got list"),
        ({**d, "edges": d["edges"] + [[0, 31]]}, "not in the chimera"),
        ({**d, "nodes": [{"q": 1}]}, "label"),
        ({**d, "edges": [[1]]}, "unpack"),
        ({k: v for k, v in d.items() if k != "h_range"}, "no 'h_range' entry"),
        ({**d, "family": "hex"}, "'family'"),
    ]
    for description, match in bad:
        with pytest.raises(ValueError, match=match):
            hw.Target.from_dict(description)


# -- model and embedding files -----------------------------------------------------------
def _damaged(folder, good):
    data = good.read_bytes()
    files = {"empty": b"", "truncated": data[: len(data) // 2], "text": b"not a model\n"}
    for name, content in files.items():
        (folder / f"{name}{good.suffix}").write_bytes(content)
    return [folder / f"{name}{good.suffix}" for name in files]


def test_damaged_model_files_raise_value_error_naming_the_file(tmp_path, model):
    good = tmp_path / "model.npz"
    model.save(good)
    arrays = dict(np.load(good))
    variants = {
        "missing": {k: v for k, v in arrays.items() if k != "embedding"},
        "short": {**arrays, "h": np.ones(3)},
        "words": {**arrays, "h": np.array(["x"] * len(arrays["h"]))},
        "nan": {**arrays, "J": np.full(len(arrays["J"]), np.nan)},
        "notjson": {**arrays, "embedding": np.arange(3)},
        "format": {**arrays, "format": np.array("qsample-model-0")},
    }
    paths = _damaged(tmp_path, good)
    for name, content in variants.items():
        np.savez(tmp_path / f"{name}.npz", **content)
        paths.append(tmp_path / f"{name}.npz")
    embedding = tmp_path / "embedding.json"
    model.embedding.save(embedding)
    paths.append(embedding)
    for path in paths:
        with pytest.raises(ValueError, match=path.name):
            HardwareModel.load(path)


def test_damaged_embedding_files_raise_value_error_naming_the_file(tmp_path, model):
    good = tmp_path / "embedding.json"
    model.embedding.save(good)
    d = json.loads(good.read_text())
    paths = _damaged(tmp_path, good)
    for name, content in {
        "list": [1, 2],
        "nochains": {k: v for k, v in d.items() if k != "chains"},
        "badchains": {**d, "chains": "abc"},
        "forged": {**d, "target": {**d["target"], "shape": [900, 900, 4]}},
        "wrongqubit": {**d, "chains": [[0, [999]]] + d["chains"][1:]},
    }.items():
        (tmp_path / f"{name}.json").write_text(json.dumps(content))
        paths.append(tmp_path / f"{name}.json")
    model.save(tmp_path / "model.npz")
    paths.append(tmp_path / "model.npz")
    for path in paths:
        with pytest.raises(ValueError, match=path.name):
            em.Embedding.load(path)


# -- integer and argument checks --------------------------------------------------------
def test_embedding_seeds_and_tries_are_checked():
    t = hw.chimera(2)
    with pytest.raises(ValueError, match="'seed' must be an integer in"):
        em.find_embedding(3, t, seed=-5)
    with pytest.raises(ValueError, match="'seed'"):  # run i uses seed + i
        em.find_embedding(3, t, seed=2**64 - 1, tries=2)
    with pytest.raises(TypeError, match="'seed'"):
        em.find_embedding(3, t, seed="1")
    with pytest.raises(TypeError, match="'tries'"):
        em.find_embedding(3, t, tries=1.5)
    with pytest.raises(ValueError, match="'timeout'"):
        em.find_embedding(3, t, timeout=0)
    with pytest.raises(ValueError, match=r"'seed' must be an integer in \[0, 4294967295\]"):
        em.clique_embedding(3, t, seed=2**32)
    with pytest.raises(TypeError, match="'n'"):
        em.complete_graph(2.0)
    with pytest.raises(TypeError, match="'m'"):
        hw.chimera(2.5)


def test_dataset_arguments_are_checked():
    with pytest.raises(ValueError, match="'rows' must be a positive integer"):
        datasets.bars_and_stripes(0, 3)
    with pytest.raises(TypeError, match="'num_train'"):
        datasets.shuffled_split(datasets.bars_and_stripes(3, 3), 2.0)
    with pytest.raises(ValueError, match="'n' must be at most 30 for exact sampling"):
        datasets.sk_instance(31)
    with pytest.raises(ValueError, match="'n' must be an integer >= 2"):
        datasets.sk_instance(1)
    with pytest.raises(ValueError, match="'zeta'"):
        datasets.sk_instance(4, zeta=-1.0)


def test_an_optdigits_file_without_the_paper_classes_is_refused(tmp_path):
    lines = [",".join(["0"] * 64 + [str(c)]) for c in (1, 2, 2, 7)]
    path = tmp_path / "part.tra"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(ValueError, match=r"part.tra has no pictures of class 3, 4"):
        datasets.optdigits_train(path)


def test_evaluation_arguments_are_checked(model):
    draw = None  # never reached
    values = np.ones((2, 4), dtype=np.int8)
    with pytest.raises(ValueError, match=r"'pictures' must hold spins \+1 or -1: row 1"):
        ev.reconstruct(model, np.array([[1, 1, 1, 1], [1, 0, 1, 1]]), np.ones(4, bool), draw)
    with pytest.raises(ValueError, match="'num_reconstructions'"):
        ev.reconstruct(model, values, np.ones(4, bool), draw, num_reconstructions=0)
    with pytest.raises(ValueError, match=r"'pixels' must hold spins"):
        ev.classify(model, np.zeros((2, 2)), [0, 1], 2, draw)
    with pytest.raises(ValueError, match="'labels'"):
        ev.classify(model, np.ones((2, 2)), [0, 2], 2, draw)
    with pytest.raises(ValueError, match=r"'class_index' must be an integer in \[0, 1\]"):
        ev.generate(model, 2, 2, draw)
    with pytest.raises(TypeError, match="'rate'"):
        ev.salt_and_pepper(values, "half")
    with pytest.raises(ValueError, match=r"'values\[0\]' must be \+1 or -1"):
        model.clamped({0: 0})


@pytest.mark.skipif(not OPTDIGITS.exists(), reason=f"the UCI training file is not at {OPTDIGITS}")
def test_the_real_optdigits_file_has_the_paper_classes():
    assert set(datasets.optdigits_train(OPTDIGITS).labels) == {0, 1, 2, 3}
