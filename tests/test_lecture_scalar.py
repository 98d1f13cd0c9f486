"""The worked examples of the lecture notes (seeds/003, "Automatic differentiation through
examples" and "First network example"), by hand and by autodiff, side by side."""

from __future__ import annotations

import math

import pytest

from autodiff import Value, gradcheck

XS = [-1.7, -0.4, 0.0, 0.3, 1.0, 2.2]


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def sigmoid_prime(z: float) -> float:
    s = sigmoid(z)
    return s * (1.0 - s)


# --- "Simple example": f(x) = exp(x²), f'(x) = 2x·exp(x²) ------------------------------------------------
@pytest.mark.parametrize("x0", XS)
def test_simple_example_exp_of_x_squared(x0):
    x = Value(x0, "x")
    f = (x * x).exp()
    f.backward()
    assert f.data == pytest.approx(math.exp(x0 ** 2), rel=1e-15)
    assert x.grad == pytest.approx(2 * x0 * math.exp(x0 ** 2), rel=1e-15, abs=0)


@pytest.mark.parametrize("x0", XS)
def test_simple_example_reduced_operations_a_equals_x_squared_b_equals_exp_a(x0):
    """With a = x², b = exp(a): df/db = 1, db/da = exp(a) = b, df/dx = 2x·b."""
    x = Value(x0, "x")
    a = x ** 2
    b = a.exp()
    b.backward()
    assert b.grad == 1.0
    assert a.grad == pytest.approx(b.data, rel=1e-15)
    assert x.grad == pytest.approx(2 * x0 * b.data, rel=1e-15)


# --- "More complicated function": f(x) = √(x² + exp x²) ----------------------------------------------------
def _sqrt_example(x0: float):
    x = Value(x0, "x")
    a = x * x
    a.label = "a"
    b = a.exp()
    b.label = "b"
    c = a + b
    c.label = "c"
    d = c.sqrt()
    d.label = "d"
    return x, a, b, c, d


@pytest.mark.parametrize("x0", XS)
def test_sqrt_example_derivative_matches_closed_form(x0):
    x, a, b, c, d = _sqrt_example(x0)
    d.backward()
    closed_form = x0 * (1 + math.exp(x0 ** 2)) / math.sqrt(x0 ** 2 + math.exp(x0 ** 2))
    assert d.data == pytest.approx(math.sqrt(x0 ** 2 + math.exp(x0 ** 2)), rel=1e-15)
    assert x.grad == pytest.approx(closed_form, rel=1e-14, abs=1e-300)
    # "which is just ∂f/∂x = x(1 + b)/d", three operations with the intermediates reused
    assert x.grad == pytest.approx(x0 * (1 + b.data) / d.data, rel=1e-14, abs=1e-300)


@pytest.mark.parametrize("x0", XS)
def test_sqrt_example_intermediates_match_notes(x0):
    x, a, b, c, d = _sqrt_example(x0)
    d.backward()
    # the forward intermediates x₂ = a, x₃ = b, x₄ = c, x₅ = d
    assert a.data == x0 ** 2
    assert b.data == pytest.approx(math.exp(a.data), rel=1e-15)
    assert c.data == a.data + b.data
    assert d.data == pytest.approx(math.sqrt(c.data), rel=1e-15)
    # the local partial derivatives on the edges
    assert a.local_grads == (x0, x0)                      # ∂a/∂x = 2x, one x per edge
    assert b.local_grads == (pytest.approx(math.exp(a.data), rel=1e-15),)   # ∂b/∂a = exp a
    assert c.local_grads == (1.0, 1.0)                     # ∂c/∂a = ∂c/∂b = 1
    assert d.local_grads == (pytest.approx(1 / (2 * math.sqrt(c.data)), rel=1e-15),)
    # the final derivatives, in the order the notes derive them
    assert d.grad == 1.0                                              # ∂f/∂d = 1
    assert c.grad == pytest.approx(1 / (2 * math.sqrt(c.data)), rel=1e-15)   # ∂f/∂c = 1/(2√c)
    assert b.grad == pytest.approx(1 / (2 * math.sqrt(c.data)), rel=1e-15)   # ∂f/∂b = ∂f/∂c·1
    assert a.grad == pytest.approx((1 + math.exp(a.data)) / (2 * math.sqrt(c.data)), rel=1e-15)
    assert x.grad == pytest.approx(x0 * (1 + math.exp(a.data)) / math.sqrt(c.data), rel=1e-14, abs=1e-300)


def test_sqrt_example_a_collects_two_paths():
    """∂f/∂a = ∂f/∂c·∂c/∂a + ∂f/∂b·∂b/∂a: a has two children, c and b."""
    x, a, b, c, d = _sqrt_example(0.9)
    d.backward()
    assert a.grad == pytest.approx(c.grad * 1.0 + b.grad * b.data, rel=1e-15)


def test_sqrt_example_passes_gradcheck():
    assert gradcheck(lambda x: (x * x + (x * x).exp()).sqrt(), [Value(0.7)], atol=1e-9, rtol=1e-8)


# --- "First network example, simple perceptron with one input" ----------------------------------------
PERCEPTRON_CASES = [(0.5, 0.8, -0.3, 1.0), (-1.2, -0.6, 0.4, 0.0), (2.0, 1.5, 0.1, 0.25)]


@pytest.mark.parametrize("x0, w0, b0, y", PERCEPTRON_CASES)
def test_perceptron_one_input_cost_derivatives_match_notes(x0, w0, b0, y):
    """C = ½(a₁ − y)², a₁ = σ(z₁), z₁ = w₁x + b₁:
    ∂C/∂w₁ = (a₁ − y)σ'₁x and ∂C/∂b₁ = (a₁ − y)σ'₁ = δ₁."""
    x, w1, b1 = Value(x0, "x"), Value(w0, "w1"), Value(b0, "b1")
    z1 = w1 * x + b1
    a1 = z1.sigmoid()
    C = 0.5 * (a1 - y) ** 2
    C.backward()

    z = w0 * x0 + b0
    delta1 = (sigmoid(z) - y) * sigmoid_prime(z)
    assert a1.data == pytest.approx(sigmoid(z), rel=1e-15)
    assert C.data == pytest.approx(0.5 * (sigmoid(z) - y) ** 2, rel=1e-14)
    assert a1.grad == pytest.approx(sigmoid(z) - y, rel=1e-14)          # ∂C/∂a₁
    assert z1.grad == pytest.approx(delta1, rel=1e-14)                   # δ₁ = ∂C/∂a₁·∂a₁/∂z₁
    assert w1.grad == pytest.approx(delta1 * x0, rel=1e-14)              # δ₁x
    assert b1.grad == pytest.approx(delta1, rel=1e-14)                   # δ₁
    assert x.grad == pytest.approx(delta1 * w0, rel=1e-14)


def test_perceptron_one_input_sigmoid_local_is_sigma_times_one_minus_sigma():
    z1 = Value(0.35)
    a1 = z1.sigmoid()
    assert a1.local_grads[0] == pytest.approx(sigmoid_prime(0.35), rel=1e-15)


# --- "Adding a hidden layer": z₁ = w₁a₀ + b₁, a₁ = σ(z₁), z₂ = w₂a₁ + b₂, a₂ = σ(z₂) --------------------
def _hidden_layer_net(x0, w1_0, b1_0, w2_0, b2_0, y):
    w1, b1, w2, b2 = Value(w1_0, "w1"), Value(b1_0, "b1"), Value(w2_0, "w2"), Value(b2_0, "b2")
    a0 = Value(x0, "a0")
    z1 = w1 * a0 + b1
    a1 = z1.sigmoid()
    z2 = w2 * a1 + b2
    a2 = z2.sigmoid()
    C = 0.5 * (a2 - y) ** 2
    C.backward()
    return {"w1": w1, "b1": b1, "w2": w2, "b2": b2, "a0": a0, "z1": z1, "a1": a1, "z2": z2, "a2": a2, "C": C}


HIDDEN_CASES = [(0.5, 0.8, -0.3, 1.4, 0.2, 1.0), (-1.1, -0.7, 0.25, -2.0, 0.5, 0.0),
                (2.0, 0.3, 0.1, 0.9, -0.4, 0.6)]


@pytest.mark.parametrize("x0, w1_0, b1_0, w2_0, b2_0, y", HIDDEN_CASES)
def test_one_hidden_layer_output_derivatives_match_notes(x0, w1_0, b1_0, w2_0, b2_0, y):
    """∂C/∂w₂ = (a₂ − y)σ'₂a₁ = δ₂a₁ and ∂C/∂b₂ = (a₂ − y)σ'₂ = δ₂."""
    n = _hidden_layer_net(x0, w1_0, b1_0, w2_0, b2_0, y)
    z1 = w1_0 * x0 + b1_0
    a1 = sigmoid(z1)
    z2 = w2_0 * a1 + b2_0
    delta2 = (sigmoid(z2) - y) * sigmoid_prime(z2)
    assert n["z2"].grad == pytest.approx(delta2, rel=1e-13)
    assert n["w2"].grad == pytest.approx(delta2 * a1, rel=1e-13)
    assert n["b2"].grad == pytest.approx(delta2, rel=1e-13)


@pytest.mark.parametrize("x0, w1_0, b1_0, w2_0, b2_0, y", HIDDEN_CASES)
def test_one_hidden_layer_hidden_derivatives_match_chain_rule(x0, w1_0, b1_0, w2_0, b2_0, y):
    """∂C/∂w₁ = ∂C/∂a₂·∂a₂/∂z₂·∂z₂/∂a₁·∂a₁/∂z₁·∂z₁/∂w₁ = (a₂ − y)σ'₂·w₂·σ'₁·a₀ = δ₁a₀,
    ∂C/∂b₁ = (a₂ − y)σ'₂·w₂·σ'₁ = δ₁.

    The notes print the factor ∂z₂/∂a₁ as a₁; it is w₂ (z₂ = w₂a₁ + b₂), which is what the chain
    of partials they write out gives, and what δ₁ = δ₂w₂σ'₁ of the general back-propagation
    equations says."""
    n = _hidden_layer_net(x0, w1_0, b1_0, w2_0, b2_0, y)
    z1 = w1_0 * x0 + b1_0
    a1 = sigmoid(z1)
    z2 = w2_0 * a1 + b2_0
    delta2 = (sigmoid(z2) - y) * sigmoid_prime(z2)
    delta1 = delta2 * w2_0 * sigmoid_prime(z1)
    assert n["a1"].grad == pytest.approx(delta2 * w2_0, rel=1e-13)          # ∂C/∂a₁ = δ₂w₂
    assert n["z1"].grad == pytest.approx(delta1, rel=1e-13)
    assert n["w1"].grad == pytest.approx(delta1 * x0, rel=1e-13)            # δ₁a₀
    assert n["b1"].grad == pytest.approx(delta1, rel=1e-13)                 # δ₁
    # and the printed a₁ in place of w₂ would be a different number
    assert n["w1"].grad != pytest.approx(delta2 * a1 * sigmoid_prime(z1) * x0, rel=1e-6)


def test_one_hidden_layer_gradient_descent_updates_match_notes():
    """"w_i ← w_i − η δ_i a_{i−1} and b_i ← b_i − η δ_i", five steps by hand and by autodiff."""
    x0, y, eta = 0.7, 0.2, 0.5
    by_hand = {"w1": 0.4, "b1": -0.1, "w2": -0.9, "b2": 0.3}
    auto = dict(by_hand)
    for _ in range(5):
        n = _hidden_layer_net(x0, auto["w1"], auto["b1"], auto["w2"], auto["b2"], y)
        auto = {k: n[k].data - eta * n[k].grad for k in auto}

        p = by_hand
        z1 = p["w1"] * x0 + p["b1"]
        a1 = sigmoid(z1)
        z2 = p["w2"] * a1 + p["b2"]
        delta2 = (sigmoid(z2) - y) * sigmoid_prime(z2)
        delta1 = delta2 * p["w2"] * sigmoid_prime(z1)
        by_hand = {"w1": p["w1"] - eta * delta1 * x0, "b1": p["b1"] - eta * delta1,
                   "w2": p["w2"] - eta * delta2 * a1, "b2": p["b2"] - eta * delta2}
    for k in by_hand:
        assert auto[k] == pytest.approx(by_hand[k], rel=1e-12)
    # and training reduced the cost
    start = _hidden_layer_net(x0, 0.4, -0.1, -0.9, 0.3, y)["C"].data
    end = _hidden_layer_net(x0, auto["w1"], auto["b1"], auto["w2"], auto["b2"], y)["C"].data
    assert end < start


def test_micrograd_style_tanh_neuron_from_the_readme():
    x, w, b = Value(0.5, "x"), Value(-1.5, "w"), Value(2.0, "b")
    y = (x * w + b).tanh()
    y.backward()
    t = math.tanh(0.5 * -1.5 + 2.0)
    assert y.data == pytest.approx(t, rel=1e-15)
    assert x.grad == pytest.approx((1 - t * t) * -1.5, rel=1e-14)
    assert w.grad == pytest.approx((1 - t * t) * 0.5, rel=1e-14)
    assert b.grad == pytest.approx(1 - t * t, rel=1e-14)
