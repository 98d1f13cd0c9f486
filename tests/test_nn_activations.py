"""Activations (nn.activations): each against seed 001/003's formula, its derivative by hand,
finite differences, and (when installed) PyTorch."""

from __future__ import annotations

import math

import numpy as np
import pytest

from autodiff import Tensor, Value, gradcheck
from nn import activations as A

X = np.array([-3.0, -1.2, -0.3, 0.4, 1.1, 2.5])  # no kinks (x = 0) for the finite differences


def sig(x):
    return 1.0 / (1.0 + np.exp(-x))


# name, our function, formula σ(x), derivative σ'(x) -- written out as in the notes
TABLE = [
    ("linear k=1", lambda v: A.linear(v), lambda x: x, lambda x: np.ones_like(x)),
    ("linear k=2.5", lambda v: A.linear(v, k=2.5), lambda x: 2.5 * x, lambda x: np.full_like(x, 2.5)),
    ("sigmoid", A.sigmoid, sig, lambda x: sig(x) * (1 - sig(x))),
    ("tanh", A.tanh, np.tanh, lambda x: 1 - np.tanh(x) ** 2),
    ("relu", A.relu, lambda x: np.maximum(0, x), lambda x: (x > 0).astype(float)),
    ("leaky_relu", A.leaky_relu, lambda x: np.where(x > 0, x, 0.01 * x), lambda x: np.where(x > 0, 1.0, 0.01)),
    ("leaky_relu a=0.2", lambda v: A.leaky_relu(v, alpha=0.2), lambda x: np.where(x > 0, x, 0.2 * x),
     lambda x: np.where(x > 0, 1.0, 0.2)),
    ("elu", A.elu, lambda x: np.where(x > 0, x, np.exp(x) - 1), lambda x: np.where(x > 0, 1.0, np.exp(x))),
    ("elu a=0.5", lambda v: A.elu(v, alpha=0.5), lambda x: np.where(x > 0, x, 0.5 * (np.exp(x) - 1)),
     lambda x: np.where(x > 0, 1.0, 0.5 * np.exp(x))),
    ("step k=0.5", lambda v: A.step(v, k=0.5), lambda x: (x >= 0.5).astype(float), lambda x: np.zeros_like(x)),
]


@pytest.mark.parametrize("name,fn,f,df", TABLE, ids=[t[0] for t in TABLE])
def test_activation_on_tensor_matches_formula_and_derivative(name, fn, f, df):
    x = Tensor(X.copy(), requires_grad=True)
    y = fn(x)
    assert isinstance(y, Tensor)
    np.testing.assert_allclose(y.data, f(X), rtol=1e-12, atol=1e-15)
    y.sum().backward()
    np.testing.assert_allclose(x.grad, df(X), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name,fn,f,df", TABLE, ids=[t[0] for t in TABLE])
def test_activation_on_values_matches_formula_and_derivative(name, fn, f, df):
    for x0 in X:
        x = Value(float(x0))
        y = fn(x)
        assert isinstance(y, Value)
        y.backward()
        assert y.data == pytest.approx(float(f(np.array(x0))), rel=1e-12, abs=1e-15)
        assert x.grad == pytest.approx(float(df(np.array(x0))), rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("name,fn,f,df", TABLE, ids=[t[0] for t in TABLE])
def test_activation_on_a_list_of_values_is_elementwise(name, fn, f, df):
    xs = [Value(float(v)) for v in X]
    ys = fn(xs)
    assert isinstance(ys, list) and len(ys) == len(xs)
    np.testing.assert_allclose([y.data for y in ys], f(X), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name,fn,f,df", TABLE[:-1], ids=[t[0] for t in TABLE[:-1]])
def test_activation_gradients_match_finite_differences(name, fn, f, df):
    x = Tensor(X.copy(), requires_grad=True)
    assert gradcheck(lambda t: (fn(t) * np.arange(1.0, 7.0)).sum(), [x])
    v = Value(0.7)
    assert gradcheck(lambda u: fn(u) * 3.0, [v])


def test_step_follows_seed_001_threshold_x_at_least_k():
    # σ_step(x; k) = 1 if x ≥ k else 0: x = k itself gives 1, and k = ½ turns a probability into a class
    assert A.step(Value(0.5), k=0.5).data == 1.0
    assert A.step(Value(0.4999), k=0.5).data == 0.0
    assert A.step(Value(0.0)).data == 1.0
    assert A.step(Value(-1e-12)).data == 0.0
    np.testing.assert_array_equal(A.step(Tensor([0.2, 0.5, 0.9]), 0.5).data, [0.0, 1.0, 1.0])


def test_linear_with_k_one_is_the_input_itself():
    v = Value(2.0)
    t = Tensor([1.0, 2.0])
    assert A.linear(v) is v and A.identity(t) is t


def test_numbers_and_arrays_are_lifted_to_nodes():
    assert isinstance(A.sigmoid(0.0), Value) and A.sigmoid(0.0).data == 0.5
    out = A.tanh(np.array([0.0, 1.0]))
    assert isinstance(out, Tensor)
    with pytest.raises(TypeError, match="activation needs"):
        A.relu("x")


def test_sigmoid_is_stable_for_large_inputs():
    y = A.sigmoid(Tensor([-1000.0, 1000.0]))
    np.testing.assert_array_equal(y.data, [0.0, 1.0])
    assert A.sigmoid(Value(-1000.0)).data == 0.0


# --- softmax -------------------------------------------------------------------------------------------
def test_softmax_tensor_matches_seed_001_formula_on_the_last_axis():
    z = np.array([[1.0, 2.0, 3.0], [0.5, -1.0, 4.0]])
    expected = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(A.softmax(Tensor(z)).data, expected, rtol=1e-13)
    expected0 = np.exp(z) / np.exp(z).sum(axis=0, keepdims=True)
    np.testing.assert_allclose(A.softmax(Tensor(z), axis=0).data, expected0, rtol=1e-13)


def test_softmax_over_a_list_of_values_matches_formula_and_jacobian():
    z = [1.0, -0.5, 2.0]
    s = np.exp(z) / np.exp(z).sum()
    for i in range(3):
        zs = [Value(v) for v in z]
        out = A.softmax(zs)
        assert [o.data for o in out] == pytest.approx(list(s), rel=1e-13)
        out[i].backward()
        # ∂σᵢ/∂zⱼ = σᵢ(δᵢⱼ − σⱼ)
        jac_row = [s[i] * ((i == j) - s[j]) for j in range(3)]
        assert [v.grad for v in zs] == pytest.approx(jac_row, rel=1e-12, abs=1e-15)


def test_softmax_is_stable_for_huge_logits():
    out = A.softmax([Value(1000.0), Value(1001.0)])
    assert [o.data for o in out] == pytest.approx([1 / (1 + math.e), math.e / (1 + math.e)], rel=1e-12)
    t = A.softmax(Tensor([[1000.0, 1001.0]]))
    assert np.isfinite(t.data).all() and t.data.sum() == pytest.approx(1.0)


def test_log_softmax_values_equal_log_of_softmax_and_are_stable():
    zs = [Value(0.3), Value(-2.0), Value(1.5)]
    ls = A.log_softmax(zs)
    s = A.softmax([Value(v.data) for v in zs])
    assert [v.data for v in ls] == pytest.approx([math.log(p.data) for p in s], rel=1e-12)
    big = A.log_softmax([Value(-1000.0), Value(1000.0)])
    assert big[0].data == pytest.approx(-2000.0) and big[1].data == pytest.approx(0.0, abs=1e-12)
    np.testing.assert_allclose(A.log_softmax(Tensor([[0.3, -2.0, 1.5]])).data[0], [v.data for v in ls], rtol=1e-12)


def test_softmax_gradients_match_finite_differences():
    x = Tensor(np.array([[0.1, -0.4, 2.0], [1.0, 1.5, -1.0]]), requires_grad=True)
    w = np.array([[1.0, 2.0, 3.0], [-1.0, 0.5, 2.0]])
    assert gradcheck(lambda t: (A.softmax(t) * w).sum(), [x])
    vs = [Value(0.1), Value(-0.4), Value(2.0)]
    assert gradcheck(lambda a, b, c: A.softmax([a, b, c])[0] * 2.0 + A.log_softmax([a, b, c])[2], vs)


def test_softmax_errors():
    with pytest.raises(TypeError, match="vector"):
        A.softmax(Value(1.0))
    with pytest.raises(ValueError, match="empty"):
        A.softmax([])


# --- registry --------------------------------------------------------------------------------------------
def test_get_activation_by_name_alias_callable_and_params():
    assert A.get_activation("tanh") is A.tanh
    assert A.get_activation("Logistic") is A.sigmoid
    assert A.get_activation("leaky-relu") is A.leaky_relu
    assert A.get_activation(None) is A.identity
    f = lambda v: v * 3  # noqa: E731
    assert A.get_activation(f) is f
    lrelu = A.get_activation("leaky_relu", alpha=0.2)
    assert lrelu(Value(-1.0)).data == pytest.approx(-0.2)
    step = A.get_activation("step", k=0.5)
    assert step(Value(0.6)).data == 1.0 and step(Value(0.4)).data == 0.0
    for name in ["linear", "identity", "step", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "softmax"]:
        assert callable(A.get_activation(name))


def test_get_activation_unknown_name_lists_the_choices():
    with pytest.raises(ValueError, match="unknown activation 'swish'.*sigmoid"):
        A.get_activation("swish")
    with pytest.raises(TypeError):
        A.get_activation(3)


def test_activations_agree_with_pytorch():
    torch = pytest.importorskip("torch")
    tf = torch.nn.functional
    pairs = [
        (A.sigmoid, torch.sigmoid), (A.tanh, torch.tanh), (A.relu, torch.relu),
        (lambda v: A.leaky_relu(v, 0.1), lambda t: tf.leaky_relu(t, 0.1)),
        (lambda v: A.elu(v, 0.7), lambda t: tf.elu(t, 0.7)),
        (A.softmax, lambda t: torch.softmax(t, -1)), (A.log_softmax, lambda t: torch.log_softmax(t, -1)),
    ]
    data = np.array([[-2.0, -0.5, 0.3], [1.7, -3.0, 0.9]])
    w = np.array([[0.3, -1.0, 2.0], [1.0, 0.5, -0.7]])
    for ours, theirs in pairs:
        x = Tensor(data.copy(), requires_grad=True)
        (ours(x) * w).sum().backward()
        xt = torch.tensor(data, requires_grad=True)
        yt = theirs(xt)
        (yt * torch.tensor(w)).sum().backward()
        np.testing.assert_allclose(ours(Tensor(data)).data, yt.detach().numpy(), rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(x.grad, xt.grad.numpy(), rtol=1e-12, atol=1e-15)
