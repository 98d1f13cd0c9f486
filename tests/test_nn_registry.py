"""One registry per concept in nn: every activation name is read through ``nn.activations.resolve``,
every name of a table (activations, losses, optimizers, metrics, initialisers) through
``nn.checks.name_key``. The scalar MLP, the tensor MLP, the activation modules and
``get_activation`` accept the same names and compute the same numbers.

The structural tests read nn's source (ast, not text): they fail when a second table of
activation names, or a second name normaliser, appears."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

import nn
from autodiff import Tensor, Value
from nn import activations as A
from nn.layers import Activation, Identity, LinearActivation, activation_module

NN = Path(nn.__file__).resolve().parent
SOURCES = sorted(NN.glob("*.py"))
NAMES = sorted(A.ACTIVATIONS)  # every name and alias
X = [0.7, -1.3, 0.2]


def _trees():
    return [(path, ast.parse(path.read_text(), filename=str(path))) for path in SOURCES]


# --- behaviour: one registry, the same names and numbers everywhere ------------------------------------------
@pytest.mark.parametrize("name", NAMES)
def test_every_activation_name_resolves_to_one_entry_that_every_user_accepts(name):
    entry = A.resolve(name)
    assert entry in A.REGISTRY and A.get_activation(name) is entry.fn
    module = activation_module(name)
    assert isinstance(module, Activation) and module.name in (entry.name, "identity")
    if entry.whole_layer:
        nn.Layer(3, 4, name, seed=0)
        with pytest.raises(ValueError, match="whole layer"):
            nn.Neuron(3, name)
    else:
        nn.Neuron(3, name, seed=0)
        nn.TensorMLP(3, [4, 2], activation=name, seed=0)
    nn.MLP(3, [4, 2], output_activation=name, seed=0)
    nn.TensorMLP(3, [4, 2], output_activation=name, seed=0)


@pytest.mark.parametrize("name", NAMES)
def test_a_scalar_layer_and_its_tensor_twin_agree_for_every_activation(name):
    layer = nn.Layer(3, 4, name, init="normal", bias_init="normal", seed=1)
    W = np.array([[w.data for w in n.w] for n in layer.neurons]).T
    b = np.array([n.b.data for n in layer.neurons])
    scalar = [v.data for v in layer(X)]
    tensor = activation_module(name)(Tensor(np.array(X) @ W + b)).data
    np.testing.assert_allclose(scalar, tensor, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("entry", [e for e in A.REGISTRY if e.table_op], ids=lambda e: e.name)
def test_an_entry_marked_table_op_is_that_op_at_its_default_parameters(entry):
    for x in (-1.5, 0.0, 0.8):
        assert entry.fn(Value(x)).data == getattr(Value, entry.name)(Value(x)).data


def test_the_scalar_mlp_takes_the_names_the_tensor_mlp_takes():
    # the issue that made one registry: MLP(..., "logistic") failed where TensorMLP accepted it
    net = nn.MLP(2, [3, 1], activation="Logistic", output_activation="LeakyReLU", seed=0)
    assert repr(net) == "MLP(2 → 3 → 1, activation=logistic, output=leakyrelu)"
    assert net.layers[0].neurons[0]([0.5, -0.5]).op == "sigmoid"
    assert nn.MLP(2, [3], output_activation=None, seed=0).output_activation == "identity"
    assert nn.Layer(2, 3, "log_softmax", seed=0)([1.0, 2.0])[0].data < 0.0


def test_linear_with_k_one_is_the_identity_module_and_other_k_are_kept():
    assert type(activation_module("linear")) is Identity
    assert type(activation_module("linear", k=2.0)) is LinearActivation
    net = nn.TensorMLP(2, [3, 1], output_activation=LinearActivation(2.0), seed=0)
    plain = nn.TensorMLP(2, [3, 1], output_activation="linear", seed=0)
    x = np.array([[0.3, -0.4]])
    assert len(net) == 4 and len(plain) == 3
    np.testing.assert_allclose(net(x).data, 2.0 * plain(x).data, rtol=1e-15)


def test_each_lookup_normalises_names_the_same_way():
    assert A.resolve(" Leaky-ReLU ") is A.resolve("leaky_relu")
    assert nn.get_loss("Cross-Entropy") is nn.cross_entropy
    assert isinstance(nn.get_optimizer("RMS-Prop", [Value(0.0)]), nn.RMSprop)
    assert nn.init.get("He-Uniform") is nn.init.kaiming_uniform


# --- structure: nothing in nn keeps a second copy --------------------------------------------------------------
def _string_items(node: ast.AST) -> list[str]:
    items = node.keys if isinstance(node, ast.Dict) else getattr(node, "elts", [])
    return [k.value for k in items if isinstance(k, ast.Constant) and isinstance(k.value, str)]


def _exempt(tree: ast.AST, registry: bool) -> set[int]:
    """ids of the literals that are no table of names: ``__all__`` (names of Python functions) and,
    in the registry's own file, the aliases written as arguments of ``Entry(...)``."""
    exports = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Assign)
               and any(getattr(t, "id", None) == "__all__" for t in node.targets)}
    aliases = {id(kw.value) for call in ast.walk(tree)
               if isinstance(call, ast.Call) and getattr(call.func, "id", None) == "Entry" for kw in call.keywords}
    return exports | (aliases if registry else set())


def test_no_second_table_of_activation_names_in_nn():
    """A dict, set, list or tuple literal holding two activation names is a second registry
    (``{"relu", "leaky_relu", "elu"}``, ``("linear", "identity", "none")``): read the entry's
    fields instead (``A.resolve(name).rectifier``)."""
    found = []
    for path, tree in _trees():
        exempt = _exempt(tree, registry=path.name == "activations.py")
        for node in ast.walk(tree):
            if isinstance(node, (ast.Dict, ast.Set, ast.List, ast.Tuple)) and id(node) not in exempt:
                names = [s for s in _string_items(node) if s in A.ACTIVATIONS]
                if len(names) >= 2:
                    found.append(f"{path.name}:{node.lineno} {names}")
    assert not found, "activation names listed outside nn.activations.REGISTRY: " + "; ".join(found)


def test_activation_names_are_looked_up_only_by_resolve():
    """The registry's name table is read in one function: ``resolve``."""
    readers = []
    for path, tree in _trees():
        for fn in ast.walk(tree):
            if isinstance(fn, (ast.FunctionDef, ast.Lambda)):
                used = {n.id for n in ast.walk(fn) if isinstance(n, ast.Name)}
                if used & {"_BY_NAME", "ACTIVATIONS"}:
                    readers.append(f"{path.name}:{fn.lineno} {getattr(fn, 'name', 'lambda')}")
    assert readers == [f"activations.py:{_line(NN / 'activations.py', 'def resolve(')} resolve"]


def test_one_name_normaliser_in_nn():
    """``.lower()`` (or ``.casefold()``) on a name is written once, in ``nn.checks.name_key``."""
    calls = [f"{path.name}:{node.lineno}" for path, tree in _trees() for node in ast.walk(tree)
             if isinstance(node, ast.Call) and getattr(node.func, "attr", None) in ("lower", "casefold")]
    assert calls == [f"checks.py:{_line(NN / 'checks.py', 'return name.strip().lower()')}"]


def _line(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)
