"""Every Value op in forward mode and to second order, then third derivatives in closed form.

For each entry of the op table a Value exposes (the SPECS of test_value_ops.py, inputs drawn by
hypothesis away from kinks): the forward-mode tangent equals Σ ∂y/∂xᵢ ẋᵢ and central
differences; every second partial ∂²y/∂xᵢ∂xⱼ by reverse over reverse equals forward over reverse
and central differences of the first derivative.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_value_ops import SPECS, Spec

import autodiff
from autodiff import Tensor, Value

SMOOTH = [s for s in SPECS if s.name not in ("sum", "dot")]  # (n-ary: checked below by hand)


def _f(spec: Spec, params):
    return lambda *xs: spec.build(xs, params)


def _fd(f, xs, i, h):
    up = list(xs)
    down = list(xs)
    up[i] += h
    down[i] -= h
    return (f(*up) - f(*down)) / (2 * h)


def _step(x: float) -> float:
    return 1e-5 * max(1.0, abs(x))


@pytest.mark.parametrize("spec", SMOOTH, ids=str)
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_value_jvp_is_the_sum_of_local_derivatives_times_tangents(spec, data) -> None:
    xs, params = data.draw(spec.draw, label="inputs, params")
    dxs = data.draw(st.lists(st.floats(-2, 2), min_size=len(xs), max_size=len(xs)), label="tangents")
    out, dout = autodiff.jvp(_f(spec, params), xs, dxs)
    node = spec.build([Value(x) for x in xs], params)
    expected = math.fsum(local * d for local, d in zip(node.local_grads, dxs))
    assert out == node.data
    assert dout == pytest.approx(expected, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("spec", SMOOTH, ids=str)
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_value_second_partials_reverse_over_reverse_forward_over_reverse_and_differences(spec, data) -> None:
    xs, params = data.draw(spec.draw, label="inputs, params")
    if any(abs(x) > 1e3 for x in xs):
        return  # (differences of derivatives lose every digit out there)
    f = _f(spec, params)
    n = len(xs)
    for i in range(n):
        d_i = autodiff.grad(f, i)
        for j in range(n):
            rr = autodiff.grad(d_i, j)(*xs)
            basis = [1.0 if k == j else 0.0 for k in range(n)]
            fr = autodiff.jvp(d_i, xs, basis)[1]
            fd = _fd(d_i, xs, j, _step(xs[j]))
            assert rr == pytest.approx(fr, rel=1e-10, abs=1e-10), f"∂²/∂x{i}∂x{j}: reverse vs forward"
            assert rr == pytest.approx(fd, rel=2e-4, abs=2e-5 * (1 + abs(fd))), f"∂²/∂x{i}∂x{j} vs differences"


def test_n_ary_sum_and_dot_second_derivatives() -> None:
    w = [0.5, -1.5, 2.0]
    f = lambda *v: Value.dot(v[:3], v[3:6], v[6]).tanh()  # noqa: E731
    xs = [0.3, -0.2, 0.1, 1.0, 2.0, -1.0, 0.25]
    h = autodiff.hessian(lambda *v: f(*v), argnums=0)
    s = math.fsum(a * b for a, b in zip(xs[:3], xs[3:6])) + xs[6]
    t = math.tanh(s)
    assert h(*xs) == pytest.approx(-2 * t * (1 - t * t) * xs[3] ** 2, rel=1e-12)
    g = autodiff.grad(lambda *v: Value.sum(list(v)) ** 2, (0, 1))(*w)
    assert g == pytest.approx((2 * sum(w), 2 * sum(w)))


# --- third derivatives against closed forms --------------------------------------------------------
THIRD = {
    "tanh": (lambda x: x.tanh(), lambda x: -2 * (1 - math.tanh(x) ** 2) * (1 - 3 * math.tanh(x) ** 2)),
    "sigmoid": (lambda x: x.sigmoid(),
                lambda x: (s := 1 / (1 + math.exp(-x))) * (1 - s) * (1 - 6 * s + 6 * s * s)),
    "log": (lambda x: x.log(), lambda x: 2 / x ** 3),
    "exp(x²)": (lambda x: (x * x).exp(), lambda x: (12 * x + 8 * x ** 3) * math.exp(x * x)),
    "√x": (lambda x: x.sqrt(), lambda x: 3 / (8 * x ** 2.5)),
}


@pytest.mark.parametrize("name", sorted(THIRD))
@pytest.mark.parametrize("x", [0.3, 1.7])
def test_third_derivative_matches_its_closed_form_for_value_and_tensor(name, x) -> None:
    f, closed = THIRD[name]
    d3 = autodiff.grad(autodiff.grad(autodiff.grad(f)))
    assert d3(x) == pytest.approx(closed(x), rel=1e-11)
    tensor_d3 = autodiff.grad(autodiff.grad(autodiff.grad(lambda t: f(t).sum())))
    assert float(tensor_d3(Tensor([x]).data)[0]) == pytest.approx(closed(x), rel=1e-11)
    via_jvp = autodiff.jvp(autodiff.grad(autodiff.grad(f)), (x,), (1.0,))[1]
    assert via_jvp == pytest.approx(closed(x), rel=1e-11)
