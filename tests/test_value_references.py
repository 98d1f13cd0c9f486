"""The same expressions, written once, differentiated by Value, HIPS autograd and PyTorch (float64).

Each expression takes a namespace ``m`` (exp, log, ... spelled the same for all three libraries)
and three scalars; operators, ``abs`` and plain numbers on either side are written directly.
Gradients must agree to 1e-10 (relative to max(1, |gradient|)). The PyTorch tests skip when torch
is not importable; the autograd tests always run.
"""

from __future__ import annotations

import math

import autograd.numpy as anp
import pytest
from autograd import grad as autograd_grad

from autodiff import Value

TOL = 1e-10


class ValueNS:
    """The functions as Value methods."""

    exp = staticmethod(lambda v: v.exp())
    log = staticmethod(lambda v: v.log())
    sqrt = staticmethod(lambda v: v.sqrt())
    sin = staticmethod(lambda v: v.sin())
    cos = staticmethod(lambda v: v.cos())
    tanh = staticmethod(lambda v: v.tanh())
    sigmoid = staticmethod(lambda v: v.sigmoid())
    relu = staticmethod(lambda v: v.relu())
    leaky_relu = staticmethod(lambda v, alpha: v.leaky_relu(alpha))
    elu = staticmethod(lambda v, alpha: v.elu(alpha))
    clip = staticmethod(lambda v, lo, hi: v.clip(lo, hi))
    step = staticmethod(lambda v: v.step())


class AutogradNS:
    """The same functions in autograd.numpy (the non-smooth ones by their definition)."""

    exp, log, sqrt, sin, cos, tanh = anp.exp, anp.log, anp.sqrt, anp.sin, anp.cos, anp.tanh
    sigmoid = staticmethod(lambda x: 1.0 / (1.0 + anp.exp(-x)))
    relu = staticmethod(lambda x: anp.maximum(x, 0.0))
    leaky_relu = staticmethod(lambda x, alpha: anp.where(x > 0, x, alpha * x))
    elu = staticmethod(lambda x, alpha: anp.where(x > 0, x, alpha * (anp.exp(x) - 1.0)))
    clip = staticmethod(lambda x, lo, hi: anp.clip(x, lo, hi))
    step = staticmethod(lambda x: anp.where(x > 0, 1.0, 0.0) + 0.0 * x)


def torch_ns(torch):
    F = torch.nn.functional

    class TorchNS:
        exp, log, sqrt, sin, cos, tanh = torch.exp, torch.log, torch.sqrt, torch.sin, torch.cos, torch.tanh
        sigmoid = torch.sigmoid
        relu = torch.relu
        leaky_relu = staticmethod(lambda x, alpha: F.leaky_relu(x, alpha))
        elu = staticmethod(lambda x, alpha: F.elu(x, alpha))
        clip = staticmethod(lambda x, lo, hi: torch.clamp(x, lo, hi))
        step = staticmethod(lambda x: torch.heaviside(x, torch.zeros_like(x)).detach() + 0.0 * x)

    return TorchNS


def _reuse(m, x, y, z):
    a = x * y                               # one node feeding three children
    return m.exp(-a * a) + a * m.sin(a) + a * z


EXPRESSIONS = {
    "affine": lambda m, x, y, z: x * y + z,
    "quotient": lambda m, x, y, z: (x - y) / (z + 2.0),
    "polynomial": lambda m, x, y, z: x ** 3 - 2 * x * y + y ** 2 - 0.5 * z ** 4,
    "exp_over": lambda m, x, y, z: m.exp(x * y) / (1 + z ** 2),
    "log_sin_cos": lambda m, x, y, z: m.log(x ** 2 + 1) * m.sin(y) + m.cos(z * x),
    "norm": lambda m, x, y, z: m.sqrt(x ** 2 + y ** 2 + z ** 2),
    "tanh_neuron": lambda m, x, y, z: m.tanh(x * y - z + 0.3),
    "perceptron_cost": lambda m, x, y, z: 0.5 * (m.sigmoid(x * y + z) - 0.3) ** 2,
    "piecewise_linear": lambda m, x, y, z: m.relu(x - y) + m.leaky_relu(y - z, 0.1) * m.elu(z - x, 1.5),
    "abs": lambda m, x, y, z: abs(x - 2 * y) * z + abs(z),
    "powers": lambda m, x, y, z: 2 ** x + (abs(x) + 0.5) ** y + 3.0 ** (z * 0.5),
    "reciprocals": lambda m, x, y, z: 1 / x + 3 / (y * y + 1) - (2 - z),
    "reuse": _reuse,
    "clip": lambda m, x, y, z: m.clip(x * y, -1.0, 1.0) * z + m.clip(z, -0.5, 0.5) * x,
    "softplus_logsumexp": lambda m, x, y, z: m.log(1 + m.exp(x)) + m.log(m.exp(y) + m.exp(z)),
    "deep_composition": lambda m, x, y, z: (m.sigmoid(m.tanh(m.sin(x) * m.cos(y)) + z) ** 2
                                            / m.sqrt(1 + x ** 2) - m.step(y) * x),
    "neg_sub_chain": lambda m, x, y, z: -(-x - (y - (z - x))) * (-(y * z)),
}

# points away from every kink used above (x ≠ y, y ≠ z, z ≠ x, |xy| ≠ 1, |z| ≠ 0.5, x ≠ 2y, ...)
POINTS = [(0.7, -1.3, 0.4), (1.9, 0.6, -2.2), (-0.35, 1.15, 2.7), (-1.6, -0.45, -0.9)]

CASES = [pytest.param(name, point, id=f"{name}-{i}") for name in EXPRESSIONS for i, point in enumerate(POINTS)]


def value_grads(name, point):
    xs = [Value(p) for p in point]
    out = EXPRESSIONS[name](ValueNS, *xs)
    out.backward()
    return out.data, [x.grad for x in xs]


def assert_close(ours, reference, what):
    assert math.isfinite(ours), f"{what}: {ours!r}"
    assert abs(ours - reference) <= TOL * max(1.0, abs(reference)), f"{what}: ours {ours!r}, reference {reference!r}"


@pytest.mark.parametrize("name, point", CASES)
def test_value_matches_autograd(name, point):
    data, grads = value_grads(name, point)
    f = EXPRESSIONS[name]
    assert_close(data, float(f(AutogradNS, *point)), f"{name} value")
    for i in range(3):
        reference = float(autograd_grad(lambda *a: f(AutogradNS, *a), i)(*point))
        assert_close(grads[i], reference, f"{name} ∂/∂arg{i} at {point}")


@pytest.mark.parametrize("name, point", CASES)
def test_value_matches_torch_float64(name, point):
    torch = pytest.importorskip("torch")
    data, grads = value_grads(name, point)
    ts = [torch.tensor(p, dtype=torch.float64, requires_grad=True) for p in point]
    out = EXPRESSIONS[name](torch_ns(torch), *ts)
    out.backward()
    assert_close(data, out.item(), f"{name} value")
    for i, t in enumerate(ts):
        assert_close(grads[i], t.grad.item(), f"{name} ∂/∂arg{i} at {point}")


def test_expression_table_exercises_every_value_function():
    """Every namespace function is used by some expression, so none escapes the comparison."""
    import inspect

    source = "\n".join(inspect.getsource(f) for f in EXPRESSIONS.values())
    for name in ("exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid", "relu", "leaky_relu", "elu",
                 "clip", "step"):
        assert f"m.{name}(" in source, name
    for operator_text in (" + ", " - ", " * ", " / ", " ** ", "abs(", "-("):
        assert operator_text in source, operator_text


@pytest.mark.parametrize("name", ["relu", "abs", "leaky_relu", "elu", "sqrt"])
def test_subgradients_at_zero_agree_with_torch(name):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    ours = {"relu": lambda v: v.relu(), "abs": lambda v: abs(v), "leaky_relu": lambda v: v.leaky_relu(0.2),
            "elu": lambda v: v.elu(0.7), "sqrt": lambda v: v.sqrt()}[name]
    theirs = {"relu": torch.relu, "abs": torch.abs, "leaky_relu": lambda t: F.leaky_relu(t, 0.2),
              "elu": lambda t: F.elu(t, 0.7), "sqrt": torch.sqrt}[name]
    x = Value(0.0)
    ours(x).backward()
    t = torch.tensor(0.0, dtype=torch.float64, requires_grad=True)
    theirs(t).backward()
    assert x.grad == t.grad.item()     # relu 0, abs 0, leaky_relu α, elu α, sqrt +inf
