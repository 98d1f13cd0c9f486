"""Tensor layers (nn.layers): Linear against X @ W + b and seed 002's delta rule, Sequential,
activation modules, Dropout, BatchNorm1d (against its formulas and PyTorch) and TensorMLP."""

from __future__ import annotations

import numpy as np
import pytest

from autodiff import Tensor, Value, gradcheck
from autodiff.errors import ShapeError
from nn import activations as A
from nn import losses as L
from nn.layers import (
    ELU,
    BatchNorm1d,
    Dropout,
    Identity,
    LeakyReLU,
    Linear,
    LinearActivation,
    LogSoftmax,
    ReLU,
    Sequential,
    Sigmoid,
    Softmax,
    Step,
    Tanh,
    TensorMLP,
    activation_module,
)
from nn.module import Module

rng = np.random.default_rng(1)
X = rng.normal(size=(6, 3))


# --- Linear ----------------------------------------------------------------------------------------------
def test_linear_computes_x_at_w_plus_b_with_w_of_shape_nin_by_nout():
    layer = Linear(3, 4, seed=0)
    assert layer.W.shape == (3, 4) and layer.b.shape == (4,)
    np.testing.assert_allclose(layer(X).data, X @ layer.W.data + layer.b.data, rtol=1e-14)
    one = layer(X[0])
    assert one.shape == (4,)
    assert [n for n, _ in layer.named_parameters()] == ["W", "b"]


def test_linear_gradients_are_xt_g_and_column_sums():
    layer = Linear(3, 2, bias_init=0.5, seed=0)
    G = rng.normal(size=(6, 2))
    x = Tensor(X.copy(), requires_grad=True)
    (layer(x) * G).sum().backward()
    np.testing.assert_allclose(layer.W.grad, X.T @ G, rtol=1e-13)
    np.testing.assert_allclose(layer.b.grad, G.sum(axis=0), rtol=1e-13)
    np.testing.assert_allclose(x.grad, G @ layer.W.data.T, rtol=1e-13)
    assert gradcheck(lambda W, b, xx: (((xx @ W) + b) * G).sum(), [layer.W, layer.b, x])


def test_linear_seed_init_and_bias_options():
    a, b = Linear(5, 3, seed=7), Linear(5, 3, seed=7)
    np.testing.assert_array_equal(a.W.data, b.W.data)
    assert not np.array_equal(a.W.data, Linear(5, 3, seed=8).W.data)
    bound = np.sqrt(6 / (5 + 3))  # Glorot uniform by default
    assert np.all(np.abs(a.W.data) <= bound)
    np.testing.assert_array_equal(a.b.data, np.zeros(3))
    nb = Linear(5, 3, bias=False, init=0.5, seed=0)
    assert nb.b is None and [n for n, _ in nb.named_parameters()] == ["W"]
    np.testing.assert_array_equal(nb(np.ones((1, 5))).data, [[2.5, 2.5, 2.5]])
    ones = Linear(2, 2, bias_init="ones", init="he_normal", rng=np.random.default_rng(0))
    np.testing.assert_array_equal(ones.b.data, [1.0, 1.0])


def test_linear_errors():
    layer = Linear(3, 4, seed=0)
    with pytest.raises(ShapeError, match=r"Linear\(3 → 4\) expects inputs with 3 features.*\(6, 2\)"):
        layer(X[:, :2])
    with pytest.raises(ValueError, match="nin must be a positive int"):
        Linear(0, 3)
    with pytest.raises(ValueError, match="either rng= or seed="):
        Linear(2, 2, rng=1, seed=1)
    with pytest.raises(TypeError):
        layer("abc")


def test_delta_rule_matches_autodiff_two_layer_tanh():
    """Seed 002: Z = tanh(X̃V), Y = Z̃W, E = (1/N)(1/K)ΣΣ(T − Y)², and by hand
    ∂E/∂W = −2/(NK) Z̃ᵀ(T − Y),  ∂E/∂V = −2/(NK) X̃ᵀ(((T − Y) Ŵᵀ) ⊙ (1 − Z²))."""
    N, D, M, K = 7, 2, 5, 3
    Xn = rng.normal(size=(N, D))
    Tn = rng.normal(size=(N, K))
    hidden, output = Linear(D, M, bias_init="uniform", seed=3), Linear(M, K, bias_init="uniform", seed=4)
    net = Sequential(hidden, Tanh(), output)
    E = L.mse(net(Xn), Tn)
    E.backward()

    add_ones = lambda A_: np.insert(A_, 0, 1, axis=1)  # noqa: E731  (seed 002's addOnes)
    V = np.vstack([hidden.b.data, hidden.W.data])      # bias row first, as X̃ has its 1s first
    W = np.vstack([output.b.data, output.W.data])
    Z = np.tanh(add_ones(Xn) @ V)
    Y = add_ones(Z) @ W
    dW = -2 / (N * K) * add_ones(Z).T @ (Tn - Y)
    dV = -2 / (N * K) * add_ones(Xn).T @ (((Tn - Y) @ W[1:, :].T) * (1 - Z**2))
    assert E.item() == pytest.approx(np.mean((Tn - Y) ** 2), rel=1e-13)
    np.testing.assert_allclose(np.vstack([output.b.grad, output.W.grad]), dW, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(np.vstack([hidden.b.grad, hidden.W.grad]), dV, rtol=1e-12, atol=1e-15)


# --- Sequential -----------------------------------------------------------------------------------------
def test_sequential_chains_indexes_and_names_parameters():
    net = Sequential(Linear(3, 4, seed=0), Tanh(), Linear(4, 2, seed=1))
    assert len(net) == 3 and isinstance(net[1], Tanh) and [type(m).__name__ for m in net] == ["Linear", "Tanh", "Linear"]
    expected = np.tanh(X @ net[0].W.data + net[0].b.data) @ net[2].W.data + net[2].b.data
    np.testing.assert_allclose(net(X).data, expected, rtol=1e-13)
    assert [n for n, _ in net.named_parameters()] == ["layers.0.W", "layers.0.b", "layers.2.W", "layers.2.b"]
    net.append(Softmax())
    np.testing.assert_allclose(net(X).data.sum(axis=1), 1.0)
    assert "(3): Softmax()" in repr(net)
    also = Sequential([Linear(3, 1, seed=0), A.sigmoid])  # a list, and a plain function as a layer
    assert also(X).shape == (6, 1)
    with pytest.raises(TypeError, match="item 1 is not a module"):
        Sequential(Linear(3, 1), 5)


# --- activation modules ---------------------------------------------------------------------------------
@pytest.mark.parametrize("module,fn", [
    (Sigmoid(), A.sigmoid), (Tanh(), A.tanh), (ReLU(), A.relu),
    (LeakyReLU(0.2), lambda x: A.leaky_relu(x, 0.2)), (ELU(0.5), lambda x: A.elu(x, 0.5)),
    (Step(0.3), lambda x: A.step(x, 0.3)), (LinearActivation(2.0), lambda x: A.linear(x, 2.0)),
    (Identity(), A.identity), (Softmax(), A.softmax), (Softmax(axis=0), lambda x: A.softmax(x, 0)),
    (LogSoftmax(), A.log_softmax),
])
def test_activation_modules_apply_the_functional_activation(module, fn):
    np.testing.assert_allclose(module(Tensor(X)).data, fn(Tensor(X)).data, rtol=1e-15)
    assert isinstance(module, Module) and module.parameters() == []


def test_activation_modules_work_on_values_too():
    out = Tanh()([Value(0.5), Value(-1.0)])
    assert [o.data for o in out] == pytest.approx([np.tanh(0.5), np.tanh(-1.0)])


def test_activation_module_by_name_and_function():
    assert isinstance(activation_module("leaky_relu", alpha=0.1), LeakyReLU)
    assert activation_module("leaky_relu", alpha=0.1).alpha == 0.1
    assert isinstance(activation_module("linear"), Identity) and isinstance(activation_module(None), Identity)
    t = Tanh()
    assert activation_module(t) is t
    wrapped = activation_module(A.elu)
    assert repr(wrapped) == "Activation(elu)"
    np.testing.assert_allclose(wrapped(Tensor(X)).data, A.elu(Tensor(X)).data)
    with pytest.raises(ValueError, match="unknown activation 'gelu'"):
        activation_module("gelu")
    assert repr(LeakyReLU(0.2)) == "LeakyReLU(alpha=0.2)"


# --- Dropout ------------------------------------------------------------------------------------------------
def test_dropout_is_inverted_and_seeded_in_training():
    x = np.ones((200, 50))
    d = Dropout(0.3, seed=0)
    y = d(x).data
    kept = y != 0
    assert abs(1 - kept.mean() - 0.3) < 0.01                # ≈ p zeroed
    np.testing.assert_allclose(y[kept], 1 / 0.7)             # survivors scaled by 1/(1 − p)
    assert abs(y.mean() - 1.0) < 0.02                        # E[y] = x
    np.testing.assert_array_equal(Dropout(0.3, seed=0)(x).data, y)  # same seed, same mask


def test_dropout_gradient_is_the_scaled_mask_and_eval_is_identity():
    d = Dropout(0.5, seed=1)
    x = Tensor(np.ones((4, 5)), requires_grad=True)
    y = d(x)
    y.sum().backward()
    np.testing.assert_allclose(x.grad, y.data)  # mask/(1 − p), with x = 1
    d.eval()
    xe = Tensor(X)
    assert d(xe) is xe
    d.train()
    assert Dropout(0.0)(xe) is xe
    np.testing.assert_array_equal(Dropout(1.0, seed=0)(X).data, np.zeros_like(X))
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        Dropout(1.5)


# --- BatchNorm1d ---------------------------------------------------------------------------------------------
def test_batchnorm_training_normalises_with_batch_statistics_biased_variance():
    bn = BatchNorm1d(3)
    x = rng.normal(3.0, 2.0, size=(8, 3))
    y = bn(x).data
    mu, var = x.mean(axis=0), x.var(axis=0)  # biased (1/N) for normalising
    np.testing.assert_allclose(y, (x - mu) / np.sqrt(var + 1e-5), rtol=1e-12)
    np.testing.assert_allclose(y.mean(axis=0), 0.0, atol=1e-12)
    # running statistics: momentum 0.1, the unbiased variance (1/(N − 1)), as PyTorch
    np.testing.assert_allclose(bn.running_mean, 0.1 * mu, rtol=1e-13)
    np.testing.assert_allclose(bn.running_var, 0.9 * 1.0 + 0.1 * x.var(axis=0, ddof=1), rtol=1e-13)


def test_batchnorm_eval_uses_running_statistics_and_affine_parameters():
    bn = BatchNorm1d(3, momentum=1.0)  # running stats = the last batch's
    x = rng.normal(size=(10, 3))
    bn(x)
    bn.weight.data = np.array([2.0, 1.0, 0.5])
    bn.bias.data = np.array([0.0, 1.0, -1.0])
    bn.eval()
    z = rng.normal(size=(2, 3))
    expected = (z - x.mean(0)) / np.sqrt(x.var(0, ddof=1) + 1e-5) * bn.weight.data + bn.bias.data
    np.testing.assert_allclose(bn(z).data, expected, rtol=1e-12)
    assert bn(z[:1]).shape == (1, 3)  # a single sample is fine in eval mode
    bn.train()
    with pytest.raises(ValueError, match="at least 2 samples"):
        bn(z[:1])
    with pytest.raises(ShapeError, match=r"\(N, 3\)"):
        bn(np.ones((4, 2)))


def test_batchnorm_buffers_are_saved_and_loaded(tmp_path):
    bn = BatchNorm1d(2)
    bn(rng.normal(size=(5, 2)))
    state = bn.state_dict()
    assert set(state) == {"weight", "bias", "running_mean", "running_var"}
    assert [n for n, _ in bn.named_parameters()] == ["weight", "bias"]
    path = bn.save(tmp_path / "bn.npz")
    fresh = BatchNorm1d(2).load(path)
    np.testing.assert_array_equal(fresh.running_mean, bn.running_mean)
    np.testing.assert_array_equal(fresh.running_var, bn.running_var)


def test_batchnorm_gradients_flow_through_the_batch_statistics():
    bn = BatchNorm1d(3)
    x = Tensor(rng.normal(size=(5, 3)), requires_grad=True)
    w = rng.normal(size=(5, 3))
    assert gradcheck(lambda xx, g, b: (bn(xx) * w).sum(), [x, bn.weight, bn.bias], atol=1e-5)


def test_batchnorm_agrees_with_pytorch():
    torch = pytest.importorskip("torch")
    x0 = rng.normal(2.0, 3.0, size=(7, 4))
    w = rng.normal(size=(7, 4))
    ours = BatchNorm1d(4)
    xa = Tensor(x0.copy(), requires_grad=True)
    (ours(xa) * w).sum().backward()
    ref = torch.nn.BatchNorm1d(4).double()
    xb = torch.tensor(x0, requires_grad=True)
    (ref(xb) * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(ours(Tensor(x0)).data, ref(torch.tensor(x0)).detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(xa.grad, xb.grad.numpy(), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(ours.weight.grad, ref.weight.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ours.running_var, ref.running_var.numpy(), rtol=1e-12)
    ours.eval()
    ref.eval()
    np.testing.assert_allclose(ours(Tensor(x0)).data, ref(torch.tensor(x0)).detach().numpy(), rtol=1e-10, atol=1e-12)


# --- TensorMLP -----------------------------------------------------------------------------------------------
def test_tensor_mlp_structure_mirrors_the_scalar_mlp_signature():
    net = TensorMLP(64, [100, 30, 10], activation="leaky_relu", seed=0)
    assert [type(m).__name__ for m in net] == ["Linear", "LeakyReLU", "Linear", "LeakyReLU", "Linear"]
    assert net.num_parameters() == 64 * 100 + 100 + 100 * 30 + 30 + 30 * 10 + 10
    assert repr(net).startswith("TensorMLP(64 → 100 → 30 → 10, activation=leaky_relu, output=linear")
    # He uniform after a ReLU-family activation: |w| ≤ √(6/fan_in)
    assert np.abs(net[0].W.data).max() <= np.sqrt(6 / 64)
    sig = TensorMLP(2, [4, 1], activation="tanh", output_activation="sigmoid", seed=0)
    assert [type(m).__name__ for m in sig] == ["Linear", "Tanh", "Linear", "Sigmoid"]
    out = sig(np.array([[0.0, 1.0], [1.0, 1.0]]))
    assert out.shape == (2, 1) and np.all((out.data > 0) & (out.data < 1))


def test_tensor_mlp_seed_dropout_batchnorm_and_save_load(tmp_path):
    a = TensorMLP(3, [5, 2], seed=4, dropout=0.2, batchnorm=True)
    b = TensorMLP(3, [5, 2], seed=4, dropout=0.2, batchnorm=True)
    assert [type(m).__name__ for m in a] == ["Linear", "BatchNorm1d", "ReLU", "Dropout", "Linear"]
    for (na, pa), (nb, pb) in zip(a.named_parameters(), b.named_parameters()):
        assert na == nb and np.array_equal(pa.data, pb.data)
    a.eval()
    y = a(X).data
    path = a.save(tmp_path / "mlp.npz")
    c = TensorMLP(3, [5, 2], seed=99, dropout=0.2, batchnorm=True).load(path)
    c.eval()
    np.testing.assert_array_equal(c(X).data, y)
    with pytest.raises(ValueError, match="at least one layer"):
        TensorMLP(3, [])
    single = TensorMLP(3, 1, seed=0)
    assert [type(m).__name__ for m in single] == ["Linear"]
