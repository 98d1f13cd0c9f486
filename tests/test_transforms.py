"""The function transforms as a user meets them: jvp, grad, vjp, jacrev/jacfwd, hessian, hvp,
their composition, their counts of sweeps, their errors, and networks against torch.func."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autodiff as ad
from autodiff import GradError, ShapeError, Tensor, Value

torch = pytest.importorskip("torch")
tf = pytest.importorskip("torch.func")


def close(a, b, tol=1e-12):
    np.testing.assert_allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float), rtol=tol, atol=tol)


def f_notes(x):
    """The lecture notes' running example f(x) = √(x² + exp x²)."""
    return ad.sqrt(x * x + ad.exp(x * x))


# --- forward mode as the notes write it -------------------------------------------------------------
def test_jvp_of_the_notes_example_is_the_forward_trace() -> None:
    x = 0.5
    a, b = x * x, math.exp(x * x)
    c = a + b
    d = math.sqrt(c)
    xd = 1.0
    ad_, bd = 2 * x * xd, math.exp(a) * 2 * x * xd  # ȧ = 2xẋ, ḃ = e^a ȧ
    dd = (ad_ + bd) / (2 * d)  # ċ = ȧ + ḃ, ḋ = ċ/(2d)
    value, tangent = ad.jvp(f_notes, (x,), (xd,))
    assert value == pytest.approx(d, rel=1e-15) and tangent == pytest.approx(dd, rel=1e-15)
    assert ad.grad(f_notes)(x) == pytest.approx(dd, rel=1e-15)  # one reverse sweep gives the same


def test_jvp_keeps_no_graph_and_returns_numbers_for_numbers() -> None:
    value, tangent = ad.jvp(lambda x: (x * 2.0).tanh(), (0.3,), (1.0,))
    assert isinstance(value, float) and isinstance(tangent, float)
    v = Value(0.3)
    out, t = ad.jvp(lambda x: (x * 2.0).tanh(), (v,), (1.0,))
    assert isinstance(out, Value) and out.parents == ()  # one forward sweep, nothing kept
    arr_out, arr_t = ad.jvp(lambda x: x.exp(), (np.array([0.0, 1.0]),), (np.array([1.0, 2.0]),))
    close(arr_t, [1.0, 2 * math.e])
    assert isinstance(arr_out, np.ndarray)


def test_forward_and_reverse_sweep_counts_for_the_notes_cost_argument() -> None:
    # f: ℝⁿ → ℝ costs n forward sweeps or 1 reverse sweep; g: ℝ → ℝᵐ the other way round
    n = 6
    f = lambda x: (x * x).sum().sqrt()  # noqa: E731
    g = lambda t: (Tensor(np.arange(1.0, n + 1.0)) * t).sin()  # noqa: E731
    with ad.count_ops() as fwd:
        jf = ad.jacfwd(f)(np.ones(n))
    with ad.count_ops() as rev:
        jr = ad.jacrev(f)(np.ones(n))
    close(jf, jr)
    assert (fwd.forward_sweeps, fwd.reverse_sweeps) == (n, 0)
    assert (rev.forward_sweeps, rev.reverse_sweeps) == (0, 1)
    assert fwd.tangent_ops == n * 3 and rev.backward_ops == 3  # three primitives: *, sum, sqrt
    t0 = np.array(0.7)
    with ad.count_ops() as fwd:
        gf = ad.jacfwd(g)(t0)
    with ad.count_ops() as rev:
        gr = ad.jacrev(g)(t0)
    close(gf, gr)
    assert fwd.forward_sweeps == 1 and rev.reverse_sweeps == n


# --- composition ----------------------------------------------------------------------------------
def test_grad_of_grad_on_value_and_tensor_graphs() -> None:
    f = lambda x: x * x * x + x.sin()  # noqa: E731
    assert ad.grad(ad.grad(f))(0.4) == pytest.approx(6 * 0.4 - math.sin(0.4), rel=1e-14)
    ft = lambda x: (x * x * x + x.sin()).sum()  # noqa: E731
    close(ad.grad(lambda x: ad.grad(ft)(x).sum())(np.array([0.4, -1.0])), 6 * np.array([0.4, -1.0])
          - np.sin([0.4, -1.0]))


def test_perturbations_of_nested_forward_sweeps_are_not_confused() -> None:
    # Siskind & Pearlmutter: d/dx [x · d/dy (x + y)] = 1, not 2
    def inner(x):
        return ad.jvp(lambda y: x + y, (1.0,), (1.0,))[1]

    assert ad.jvp(lambda x: x * inner(x), (1.0,), (1.0,))[1] == pytest.approx(1.0)
    assert ad.grad(lambda x: x * inner(x))(1.0) == pytest.approx(1.0)
    # d/dx [x · d/dy (x·y)] = d/dx x² = 2x
    assert ad.jvp(lambda x: x * ad.jvp(lambda y: x * y, (1.0,), (1.0,))[1], (3.0,), (1.0,))[1] == 6.0


def test_reverse_over_forward_and_forward_over_forward() -> None:
    f = lambda x: (x * x).exp()  # noqa: E731
    d2 = 2 * math.exp(0.64) + 4 * 0.64 * math.exp(0.64)
    assert ad.grad(lambda x: ad.jvp(f, (x,), (1.0,))[1])(0.8) == pytest.approx(d2, rel=1e-13)
    assert ad.jvp(lambda x: ad.jvp(f, (x,), (1.0,))[1], (0.8,), (1.0,))[1] == pytest.approx(d2, rel=1e-13)


def test_hvp_is_jvp_of_grad_and_equals_hessian_times_v() -> None:
    f = lambda x: (x.tanh() * x[::-1]).sum()  # noqa: E731
    x = np.array([0.3, -0.5, 1.2])
    v = np.array([1.0, 2.0, -1.0])
    close(ad.hvp(f, (x,), (v,)), ad.hessian(f)(x) @ v, 1e-12)


def test_an_output_independent_of_an_input_gets_zeros() -> None:
    assert ad.grad(lambda x, y: x * 2.0, argnums=1)(1.0, 5.0) == 0.0
    close(ad.grad(lambda x, y: (x * 2.0).sum(), argnums=1)(np.ones(2), np.ones(3)), np.zeros(3))
    assert ad.grad(lambda x: 3.0)(1.0) == 0.0
    assert ad.jvp(lambda x: 3.0, (1.0,), (1.0,))[1] == 0.0
    close(ad.jacrev(lambda x: Tensor([1.0, 2.0]))(np.ones(3)), np.zeros((2, 3)))


# --- errors ---------------------------------------------------------------------------------------
def test_grad_of_a_non_scalar_names_its_shape_and_points_to_jacobian() -> None:
    with pytest.raises(GradError, match=r"shape \(3,\).*jacobian"):
        ad.grad(lambda x: x * 2.0)(np.ones(3))


def test_a_tangent_of_the_wrong_shape_or_count_is_refused() -> None:
    with pytest.raises(ShapeError, match=r"tangent of shape \(2,\) for a primal of shape \(3,\)"):
        ad.jvp(lambda x: x, (np.ones(3),), (np.ones(2),))
    with pytest.raises(TypeError, match="1 primal"):
        ad.jvp(lambda x: x, (1.0,), (1.0, 2.0))
    with pytest.raises(TypeError, match="argnums"):
        ad.grad(lambda x: x, argnums=3)(1.0)
    with pytest.raises(TypeError, match="a real number, an array"):
        ad.grad(lambda x: x)("1.0")


# --- the gradient's graph is a graph like any other -----------------------------------------------
def test_create_graph_gives_a_drawable_gradient_and_plain_backward_builds_nothing_extra() -> None:
    x = Value(0.5, label="x")
    y = (x * x).tanh()
    y.backward()
    assert isinstance(x.grad, float)  # the default backward builds no node
    x.zero_grad()
    y.backward(create_graph=True)
    g = x.grad
    assert isinstance(g, Value) and g.parents  # dy/dx as a graph
    assert g.data == pytest.approx((1 - math.tanh(0.25) ** 2) * 2 * 0.5, rel=1e-15)
    dot = ad.draw(g).source
    assert "tanh" in dot
    text = ad.explain(x, g)
    assert "x" in text
    x.zero_grad()
    g.backward()
    t = math.tanh(0.25)
    assert x.grad == pytest.approx(2 * (1 - t * t) - 8 * 0.25 * t * (1 - t * t), rel=1e-13)


# --- networks against torch.func --------------------------------------------------------------------
def _mlp(x, W1, b1, W2, b2):
    return ad.affine(ad.affine(x, W1, b1).tanh(), W2, b2).sigmoid()


def _torch_mlp(x, W1, b1, W2, b2):
    return torch.sigmoid(torch.tanh(x @ W1 + b1) @ W2 + b2)


def _mlp_params(seed=0):
    rng = np.random.default_rng(seed)
    return [rng.normal(size=s) for s in [(2, 3), (3, 4), (4,), (4, 2), (2,)]]


def test_mlp_jacobians_by_jacfwd_and_jacrev_agree_with_each_other_and_torch() -> None:
    args = _mlp_params()
    targs = tuple(torch.tensor(a) for a in args)
    for argnums in range(5):
        fwd = ad.jacfwd(_mlp, argnums)(*args)
        rev = ad.jacrev(_mlp, argnums)(*args)
        theirs = tf.jacrev(_torch_mlp, argnums)(*targs).numpy()
        assert fwd.shape == rev.shape == theirs.shape
        close(fwd, rev, 1e-13)
        close(rev, theirs, 1e-12)


def test_hessian_of_the_backprop_notes_network_loss_is_symmetric_and_matches_torch() -> None:
    # the notes' sigmoid network, one example a column: x_i = σ(W_i x_{i−1} + b_i), E = ½‖x_L − y‖²
    rng = np.random.default_rng(4)
    W1, W2 = rng.uniform(-1, 1, (3, 2)), rng.uniform(-1, 1, (1, 3))
    b1, b2 = rng.uniform(-1, 1, (3, 1)), rng.uniform(-1, 1, (1, 1))
    x0, y = np.array([[0.2], [0.3]]), np.array([[0.7]])

    def loss(w1):
        x1 = (w1 @ x0 + b1).sigmoid()
        x2 = (Tensor(W2) @ x1 + b2).sigmoid()
        return 0.5 * ((x2 - y) ** 2).sum()

    def t_loss(w1):
        x2 = torch.sigmoid(torch.tensor(W2) @ torch.sigmoid(w1 @ torch.tensor(x0) + torch.tensor(b1))
                           + torch.tensor(b2))
        return 0.5 * ((x2 - torch.tensor(y)) ** 2).sum()

    h = ad.hessian(loss)(W1)
    assert h.shape == (3, 2, 3, 2)
    flat = h.reshape(6, 6)
    close(flat, flat.T, 1e-15)
    close(h, tf.hessian(t_loss)(torch.tensor(W1)).numpy(), 1e-12)


# --- random compositions, first and second order ----------------------------------------------------
UNARY = [("tanh", torch.tanh), ("sigmoid", torch.sigmoid), ("sin", torch.sin), ("exp", lambda t: torch.exp(t)),
         ("softplus", None)]
BINARY = [("+", lambda a, b: a + b), ("*", lambda a, b: a * b), ("-", lambda a, b: a - b)]


def _apply(name, a, ours: bool):
    if name == "softplus":  # log(1 + e^x), composed: exp and log of a positive number
        return (a.exp() + 1.0).log() if ours else torch.log(torch.exp(a) + 1.0)
    if name == "exp":
        return (a * 0.3).exp() if ours else torch.exp(a * 0.3)
    return getattr(a, name)() if ours else dict(UNARY)[name](a)


@st.composite
def programs(draw):
    steps = draw(st.lists(st.tuples(st.sampled_from([n for n, _ in UNARY] + [n for n, _ in BINARY]),
                                    st.integers(0, 10), st.integers(0, 10)), min_size=1, max_size=7))
    x = draw(st.lists(st.floats(-1.5, 1.5), min_size=3, max_size=3))
    return steps, np.array(x)


def _run(steps, x, ours: bool):
    nodes = [x, x * 2.0 if ours else x * 2.0]
    for name, i, j in steps:
        a, b = nodes[i % len(nodes)], nodes[j % len(nodes)]
        if name in dict(BINARY):
            nodes.append(dict(BINARY)[name](a, b))
        else:
            nodes.append(_apply(name, a, ours))
    return (nodes[-1] * nodes[-2]).sum()


@settings(max_examples=40, deadline=None)
@given(programs())
def test_random_compositions_first_and_second_order_match_torch(program) -> None:
    steps, x = program
    v = np.array([0.3, -1.0, 0.5])
    g = ad.grad(lambda t: _run(steps, t, True))(x)
    hv = ad.hvp(lambda t: _run(steps, t, True), (x,), (v,))
    tx = torch.tensor(x)
    tg = tf.grad(lambda t: _run(steps, t, False))(tx)
    thv = tf.jvp(tf.grad(lambda t: _run(steps, t, False)), (tx,), (torch.tensor(v),))[1]
    close(g, tg.numpy(), 1e-11)
    close(hv, thv.numpy(), 1e-10)


def test_tangent_trace_prints_the_notes_forward_sweep_and_draws_tangents() -> None:
    def f(x):
        a = x ** 2
        b = ad.exp(a)
        c = a + b
        return ad.sqrt(c)

    trace = ad.tangent_trace(f, (0.5,), (1.0,))
    text = str(trace)
    assert [line.split("=")[0].strip() for line in text.splitlines()] == ["x", "a", "b", "c", "d"]
    assert "ȧ = ∂a/∂x·ẋ = 1·1 = 1" in text and "ċ = ∂c/∂a·ȧ + ∂c/∂b·ḃ" in text
    assert trace.output_tangent == pytest.approx(ad.grad(f)(0.5), rel=1e-15)
    assert "ḋ = 0.9221" in trace.draw().source
    w = Tensor([1.0, 2.0], label="w")
    tt = ad.tangent_trace(lambda x: (x * w).tanh().sum(), (np.array([0.1, 0.2]),), (np.array([1.0, 0.0]),))
    assert "w" in str(tt) and tt.output_tangent == pytest.approx(1.0 - math.tanh(0.1) ** 2)
