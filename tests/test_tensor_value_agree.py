"""One op table, two node types: the same expression built from scalar Values and from a Tensor
gives the same numbers and the same gradients (to 1e-12).

The Value side is written the way the lecture notes write a neuron — one weight, one input, one
product at a time; the Tensor side the way a layer is written — one matmul. They share the
forward and local-derivative rules of ``autodiff/ops.py``, so they must agree to rounding.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from autodiff import Tensor, Value

TOL = 1e-12


def close(actual, expected, tol: float = TOL) -> None:
    np.testing.assert_allclose(np.asarray(actual, dtype=float), np.asarray(expected, dtype=float),
                               rtol=tol, atol=tol)


def values(arr: np.ndarray, name: str) -> list:
    return [Value(float(v), label=f"{name}{i}") for i, v in enumerate(np.ravel(arr))]


def grads(vs: list, shape: tuple = ()) -> np.ndarray:
    return np.array([v.grad for v in vs]).reshape(shape) if shape else np.array([v.grad for v in vs])


SEEDS = [0, 1, 2, 3]


@pytest.mark.parametrize("seed", SEEDS)
def test_three_input_tanh_neuron(seed) -> None:
    """y = tanh(w₁x₁ + w₂x₂ + w₃x₃ + b):  ∂y/∂wᵢ = (1 − y²)xᵢ, ∂y/∂xᵢ = (1 − y²)wᵢ, ∂y/∂b = 1 − y²."""
    rng = np.random.default_rng(seed)
    w0, x0, b0 = rng.normal(size=3), rng.normal(size=3), rng.normal()

    w, x, b = values(w0, "w"), values(x0, "x"), Value(b0, label="b")
    y = (w[0] * x[0] + w[1] * x[1] + w[2] * x[2] + b).tanh()
    y.backward()

    tw, tx, tb = (Tensor(v, requires_grad=True) for v in (w0, x0, b0))
    ty = (tw @ tx + tb).tanh()
    ty.backward()

    close(ty.item(), y.data)
    close(tw.grad, grads(w))
    close(tx.grad, grads(x))
    close(tb.grad, b.grad)
    close(tb.grad, 1 - y.data ** 2)  # and both equal the notes' formula
    close(tw.grad, (1 - y.data ** 2) * x0)


@pytest.mark.parametrize("seed", SEEDS)
def test_neuron_as_one_dot_node_matches_tensor_sum(seed) -> None:
    rng = np.random.default_rng(seed)
    w0, x0, b0 = rng.normal(size=3), rng.normal(size=3), rng.normal()
    w, x, b = values(w0, "w"), values(x0, "x"), Value(b0)
    y = Value.dot(w, x, b).sigmoid()
    y.backward()
    tw, tx, tb = (Tensor(v, requires_grad=True) for v in (w0, x0, b0))
    ty = ((tw * tx).sum() + tb).sigmoid()
    ty.backward()
    close(ty.item(), y.data)
    close(tw.grad, grads(w))
    close(tx.grad, grads(x))
    close(tb.grad, b.grad)


@pytest.mark.parametrize("seed", SEEDS)
def test_softmax_of_three_values_written_as_exp_over_sum(seed) -> None:
    """pᵢ = e^{zᵢ} / Σⱼ e^{zⱼ} from Values; L = −log p_k + Σ cᵢpᵢ (a cross-entropy plus a weighting)."""
    rng = np.random.default_rng(seed)
    z0, c, k = rng.normal(size=3) * 2, rng.normal(size=3), int(rng.integers(3))

    z = values(z0, "z")
    e = [zi.exp() for zi in z]
    s = Value.sum(e)
    p = [ei / s for ei in e]
    loss = -p[k].log() + Value.sum(ci * pi for ci, pi in zip(c, p))
    loss.backward()

    for make in (lambda t: t.softmax(), lambda t: t.exp() / t.exp().sum(), lambda t: t.log_softmax().exp()):
        tz = Tensor(z0, requires_grad=True)
        tp = make(tz)
        tloss = -tp[k].log() + (tp * c).sum()
        tloss.backward()
        close(tp.data, [pi.data for pi in p])
        close(tloss.item(), loss.data)
        close(tz.grad, grads(z))

    # the closed form: ∂(−log p_k)/∂z = p − onehot(k), ∂(Σcᵢpᵢ)/∂z = p ⊙ (c − Σcⱼpⱼ)
    pv = np.array([pi.data for pi in p])
    close(grads(z), pv - np.eye(3)[k] + pv * (c - (c * pv).sum()))


@pytest.mark.parametrize("seed", SEEDS)
def test_logsumexp_of_values_matches_tensor(seed) -> None:
    rng = np.random.default_rng(seed)
    z0 = rng.normal(size=4)
    z = values(z0, "z")
    m = max(z0)
    lse = Value.sum((zi - m).exp() for zi in z).log() + m
    lse.backward()
    tz = Tensor(z0, requires_grad=True)
    tz.logsumexp().backward()
    close(tz.grad, grads(z))


UNARY = [
    ("exp", lambda v: v.exp(), "real"), ("log", lambda v: v.log(), "positive"),
    ("sqrt", lambda v: v.sqrt(), "positive"), ("abs", lambda v: v.abs(), "real"),
    ("abs()", lambda v: abs(v), "real"), ("neg", lambda v: -v, "real"),
    ("sin", lambda v: v.sin(), "real"), ("cos", lambda v: v.cos(), "real"),
    ("tanh", lambda v: v.tanh(), "real"), ("sigmoid", lambda v: v.sigmoid(), "real"),
    ("relu", lambda v: v.relu(), "real"), ("leaky_relu", lambda v: v.leaky_relu(), "real"),
    ("leaky_relu(0.3)", lambda v: v.leaky_relu(0.3), "real"), ("elu", lambda v: v.elu(), "real"),
    ("elu(0.5)", lambda v: v.elu(0.5), "real"), ("step", lambda v: v.step(), "real"),
    ("clip", lambda v: v.clip(-0.5, 0.5), "real"), ("x**3", lambda v: v ** 3, "real"),
    ("x**-0.5", lambda v: v ** -0.5, "positive"), ("2**x", lambda v: 2 ** v, "real"),
    ("1/x", lambda v: 1 / v, "positive"), ("3-x", lambda v: 3 - v, "real"),
]


@pytest.mark.parametrize(("name", "f", "domain"), UNARY, ids=[u[0] for u in UNARY])
def test_every_unary_op_agrees_elementwise(name, f, domain) -> None:
    rng = np.random.default_rng(7)
    x0 = rng.uniform(-2, 2, size=(2, 3)) if domain == "real" else rng.uniform(0.2, 3, size=(2, 3))
    x0[0, 0] = 0.0 if domain == "real" else x0[0, 0]  # a kink: both node types choose the same subgradient
    c = rng.normal(size=(2, 3))
    xs = values(x0, "x")
    loss = Value.sum(ci * f(xi) for ci, xi in zip(c.ravel(), xs))
    loss.backward()
    t = Tensor(x0, requires_grad=True)
    out = f(t)
    (out * c).sum().backward()
    close(out.data, np.array([f(Value(float(v))).data for v in x0.ravel()]).reshape(2, 3))
    close(t.grad, grads(xs, (2, 3)))


@pytest.mark.parametrize("name", ["exp", "log", "sqrt", "abs", "sin", "cos", "tanh", "sigmoid", "relu", "step"])
def test_value_edges_carry_the_same_local_derivative_as_tensor_edges(name) -> None:
    for x in (0.3, 1.7):
        v = getattr(Value(x), name)()
        t = getattr(Tensor([x]), name)()
        t_local = Tensor([x], requires_grad=True)
        t_local = getattr(t_local, name)()
        close(t.data[0], v.data)
        close(np.broadcast_to(t_local.local_grads[0], (1,))[0], v.local_grads[0])


BINARY = [
    ("add", lambda a, b: a + b, "real"), ("sub", lambda a, b: a - b, "real"),
    ("mul", lambda a, b: a * b, "real"), ("div", lambda a, b: a / b, "positive"),
    ("pow", lambda a, b: a ** b, "positive"),
]


@pytest.mark.parametrize(("name", "f", "domain"), BINARY, ids=[b[0] for b in BINARY])
def test_broadcast_binary_op_equals_the_double_loop_over_values(name, f, domain) -> None:
    """A (3,1) ∘ (1,4) Tensor op equals 12 Value ops; each aᵢ collects the sum over its row."""
    rng = np.random.default_rng(11)
    lo, hi = (-2, 2) if domain == "real" else (0.3, 2.5)
    a0, b0 = rng.uniform(lo, hi, size=(3, 1)), rng.uniform(lo, hi, size=(1, 4))
    c = rng.normal(size=(3, 4))
    a, b = values(a0, "a"), values(b0, "b")
    loss = Value.sum(c[i, j] * f(a[i], b[j]) for i in range(3) for j in range(4))
    loss.backward()
    ta, tb = Tensor(a0, requires_grad=True), Tensor(b0, requires_grad=True)
    tloss = (f(ta, tb) * c).sum()
    tloss.backward()
    close(tloss.item(), loss.data)
    close(ta.grad, grads(a, (3, 1)))
    close(tb.grad, grads(b, (1, 4)))


@pytest.mark.parametrize("seed", SEEDS)
def test_two_layer_mlp_with_mse_values_equal_tensors(seed) -> None:
    """Y = tanh(X W₁ + b₁) W₂ + b₂,  E = mean (Y − T)²: every weight's gradient, Value vs Tensor."""
    rng = np.random.default_rng(seed)
    n, d, m, k = 4, 3, 5, 2
    X, T = rng.normal(size=(n, d)), rng.normal(size=(n, k))
    W1, b1, W2, b2 = rng.normal(size=(d, m)), rng.normal(size=m), rng.normal(size=(m, k)), rng.normal(size=k)

    vW1 = [values(row, "w1") for row in W1]
    vb1 = values(b1, "b1")
    vW2 = [values(row, "w2") for row in W2]
    vb2 = values(b2, "b2")
    errors = []
    for i in range(n):
        z = [Value.dot([vW1[j][h] for j in range(d)], X[i].tolist(), vb1[h]).tanh() for h in range(m)]
        for o in range(k):
            y = Value.dot([vW2[h][o] for h in range(m)], z, vb2[o])
            errors.append((y - T[i, o]) ** 2)
    E = Value.sum(errors) / (n * k)
    E.backward()

    tW1, tb1, tW2, tb2 = (Tensor(a, requires_grad=True) for a in (W1, b1, W2, b2))
    tE = ((((X @ tW1 + tb1).tanh() @ tW2 + tb2) - T) ** 2).mean()
    tE.backward()

    close(tE.item(), E.data)
    close(tW1.grad, np.array([[v.grad for v in row] for row in vW1]))
    close(tb1.grad, grads(vb1))
    close(tW2.grad, np.array([[v.grad for v in row] for row in vW2]))
    close(tb2.grad, grads(vb2))


def test_value_exponent_equals_tensor_exponent() -> None:
    a0, b0 = 1.7, -0.6
    a, b = Value(a0), Value(b0)
    (a ** b).backward()
    ta, tb = Tensor(a0, requires_grad=True), Tensor(b0, requires_grad=True)
    (ta ** tb).backward()
    close(ta.grad, a.grad)
    close(tb.grad, b.grad)
    close(tb.grad, a0 ** b0 * math.log(a0))  # ∂aᵇ/∂b = aᵇ ln a


def test_mean_and_variance_from_values_equal_tensor_reductions() -> None:
    x0 = np.array([0.3, -1.2, 2.5, 0.9, 1.1])
    xs = values(x0, "x")
    mean = Value.sum(xs) / len(xs)
    var = Value.sum((xi - mean) ** 2 for xi in xs) / (len(xs) - 1)
    std = var.sqrt()
    (std + mean * 0.5).backward()
    t = Tensor(x0, requires_grad=True)
    (t.std(ddof=1) + t.mean() * 0.5).backward()
    close(t.grad, grads(xs))
