"""What a PyTorch or micrograd user types first: each mistake says what is wrong and what to write,
and PyTorch's loss objects give PyTorch's numbers."""

from __future__ import annotations

import numpy as np
import pytest

import nn
from autodiff import Tensor


@pytest.mark.parametrize("call", [
    lambda m: nn.SGD(m.parameters, lr=0.1),
    lambda m: nn.Adam(m.parameters),
    lambda m: nn.optim.get_optimizer("adam", m.parameters),
    lambda m: nn.fit(m, "mse", nn.SGD(m.parameters), np.zeros((2, 2)), np.zeros((2, 1)), progress=False),
])
@pytest.mark.parametrize("make", [lambda: nn.Linear(2, 1, seed=0), lambda: nn.MLP(2, [1], seed=0)])
def test_the_parameters_method_instead_of_its_result_says_call_it(make, call):
    with pytest.raises(TypeError, match=r"got the method (Linear|MLP)\.parameters itself.*call it: "
                                        r"(SGD|Adam)\(model\.parameters\(\), \.\.\.\)"):
        call(make())


def test_clipping_the_parameters_method_says_call_it_too():
    with pytest.raises(TypeError, match=r"call it: clip_grad_norm\(model\.parameters\(\), \.\.\.\)"):
        nn.clip_grad_norm(nn.Linear(2, 1).parameters, 1.0)


@pytest.mark.parametrize("get, match", [
    (lambda: nn.functional, "nn.cross_entropy\\(logits, y\\)"),
    (lambda: nn.ModuleList, "a plain Python list of modules works"),
    (lambda: nn.Parameter, "Tensor\\(data, requires_grad=True\\)"),
    (lambda: nn.Conv2d, "dense layers only"),
    (lambda: nn.DataLoader, "nn.batches"),
    (lambda: nn.Linear(3, 2, seed=0).weight, r"it is W, of shape \(in, out\): PyTorch's weight, \(out, in\), is W.T"),
    (lambda: nn.Linear(3, 2, seed=0).bias, "it is b"),
    (lambda: nn.TensorMLP(2, [3, 1], seed=0).to("cuda"), "float64 on the CPU already"),
    (lambda: nn.MLP(2, [3, 1], seed=0).double(), "float64 on the CPU already"),
])
def test_a_pytorch_name_that_is_spelled_otherwise_here_says_what_to_write(get, match):
    with pytest.raises(AttributeError, match=match):
        get()


def test_an_unknown_name_is_still_a_plain_attribute_error():
    with pytest.raises(AttributeError, match="^module 'nn' has no attribute 'Nonsense'$"):
        nn.Nonsense  # noqa: B018
    assert not hasattr(nn, "Nonsense") and hasattr(nn, "Linear")
    with pytest.raises(AttributeError, match="^'Linear' object has no attribute 'nonsense'$"):
        nn.Linear(2, 1, seed=0).nonsense  # noqa: B018


def test_a_layer_class_without_parentheses_in_sequential_says_add_them():
    with pytest.raises(TypeError, match=r"item 1 is the class ReLU, not a layer: write ReLU\(\)"):
        nn.Sequential(nn.Linear(2, 3), nn.ReLU, nn.Linear(3, 1))


def test_a_tensor_batch_given_to_the_scalar_mlp_points_to_the_tensor_mlp():
    with pytest.raises(TypeError, match="scalar network.*x.tolist\\(\\).*nn.TensorMLP"):
        nn.MLP(2, [3, 1], seed=0)(Tensor(np.zeros((4, 2))))


def test_rmsprop_takes_pytorchs_alpha_for_rho():
    assert nn.RMSprop([Tensor(np.ones(1), requires_grad=True)], alpha=0.99).param_groups[0]["rho"] == 0.99


# --- PyTorch's loss objects --------------------------------------------------------------------------------
LOGITS = np.random.default_rng(0).normal(size=(5, 3))
LABELS = np.array([0, 2, 1, 1, 0])
PRED = np.random.default_rng(1).normal(size=(5, 2))
TARGET = np.random.default_rng(2).normal(size=(5, 2))
P = np.random.default_rng(3).uniform(0.05, 0.95, size=5)
Y01 = np.array([1.0, 0.0, 1.0, 1.0, 0.0])

LOSS_OBJECTS = [
    ("CrossEntropyLoss", LOGITS, LABELS), ("MSELoss", PRED, TARGET), ("BCELoss", P, Y01),
    ("BCEWithLogitsLoss", PRED[:, 0], Y01),
]


@pytest.mark.parametrize("reduction", ["mean", "sum"])
@pytest.mark.parametrize("name, pred, target", LOSS_OBJECTS, ids=[c[0] for c in LOSS_OBJECTS])
def test_loss_objects_give_pytorchs_loss_and_gradient(name, pred, target, reduction):
    torch = pytest.importorskip("torch")
    ours = Tensor(pred.copy(), requires_grad=True)
    loss = getattr(nn, name)(reduction=reduction)(ours, target)
    loss.backward()
    theirs = torch.tensor(pred, requires_grad=True)
    t = torch.tensor(target)
    expected = getattr(torch.nn, name)(reduction=reduction)(theirs, t)
    expected.backward()
    assert loss.item() == pytest.approx(expected.item(), rel=1e-12)
    np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_a_loss_object_refuses_reduction_none_and_reads_like_pytorchs():
    with pytest.raises(ValueError, match="reduction must be 'mean' or 'sum', got 'none'"):
        nn.CrossEntropyLoss(reduction="none")
    assert repr(nn.MSELoss()) == "MSELoss(reduction='mean')"
