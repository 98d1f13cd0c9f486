"""Every primitive of the op table, as a Value exposes it: forward value and local derivative.

The local derivatives a Value stores on its edges (``local_grads``) are checked against central
finite differences of an independent plain-float reference at many random points (hypothesis),
away from the non-smooth points; at those points the documented subgradient is checked exactly.
"""

from __future__ import annotations

import math
import operator
import sys
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import autodiff
from autodiff import OPS, AutodiffError, DomainError, ShapeError, Value
from autodiff.custom_op import DEFINED
from autodiff.value import apply as value_apply

INF = math.inf
EPS = sys.float_info.epsilon


# --- finite differences ---------------------------------------------------------------------------
def central_difference(f: Callable[[float], float], x: float, cap: float,
                       scale: float = 0.0) -> tuple[float, float]:
    """(f(x + h) − f(x − h)) / (x+h − (x−h)) and a bound on its rounding noise.

    h = 1e-6·max(1e-2, min(|x|, cap)); ``cap`` is the op's natural length scale (1 for exp, sin,
    tanh, ...; inf for power laws), so the step stays small where the function wiggles. Dividing
    by the representable step removes the rounding of x ± h; what is left is the rounding of the
    two function values, a few ulps of |f| each (of ``scale`` when intermediate terms are larger
    than the result, as in a sum), divided by the step."""
    h = 1e-6 * max(1e-2, min(abs(x), cap))
    xp, xm = x + h, x - h
    fp, fm = f(xp), f(xm)
    return (fp - fm) / (xp - xm), 8 * EPS * (abs(fp) + abs(fm) + 2 * scale) / (xp - xm)


def assert_matches_fd(analytic: float, fd: tuple[float, float], what: str) -> None:
    numeric, noise = fd
    assert math.isfinite(analytic), f"{what}: analytic derivative {analytic!r} is not finite"
    assert abs(analytic - numeric) <= 1e-6 * abs(numeric) + noise + 1e-12, (
        f"{what}: analytic {analytic!r} vs central difference {numeric!r} (rounding noise {noise:.1e})")


# --- strategies -----------------------------------------------------------------------------------
def reals(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


def away_from_zero(lo: float, hi: float) -> st.SearchStrategy[float]:
    """Either sign, magnitude in [lo, hi]: never the kink at 0 (nor within a FD step of it)."""
    return st.tuples(reals(lo, hi), st.sampled_from((1.0, -1.0))).map(lambda t: t[0] * t[1])


NO_PARAMS = st.just(())


def args(*xs: st.SearchStrategy, params: st.SearchStrategy = NO_PARAMS) -> st.SearchStrategy:
    """Draw (inputs, params): inputs become Value leaves, params stay plain numbers."""
    return st.tuples(st.tuples(*xs), params)


@st.composite
def clip_args(draw):
    lo = draw(st.one_of(st.none(), reals(-10.0, 10.0)))
    hi = draw(st.one_of(st.none(), reals(-10.0, 10.0).map(lambda w: (lo or 0.0) + 10.5 + w)))
    x = draw(reals(-1e3, 1e3))
    for bound in (lo, hi):
        assume(bound is None or abs(x - bound) > 1e-4)
    return (x,), (lo, hi)


def _clip_ref(xs, ps):
    x, (lo, hi) = xs[0], ps
    if lo is not None:
        x = max(x, lo)
    if hi is not None:
        x = min(x, hi)
    return x


@st.composite
def dot_args(draw):
    n = draw(st.integers(0, 5))
    with_bias = draw(st.booleans())
    xs = draw(st.lists(reals(-1e3, 1e3), min_size=2 * n + with_bias, max_size=2 * n + with_bias))
    return tuple(xs), (n, with_bias)


def _dot_build(vs, ps):
    n, with_bias = ps
    return Value.dot(vs[:n], vs[n:2 * n], bias=vs[-1] if with_bias else None)


def _dot_ref(xs, ps):
    n, with_bias = ps
    total = sum((w * x for w, x in zip(xs[:n], xs[n:2 * n])), 0.0)
    return total + xs[-1] if with_bias else total


def _sigmoid_ref(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


# --- the table: one row per op-table entry a Value exposes ----------------------------------------
@dataclass(frozen=True)
class Spec:
    name: str                                   # key in autodiff.OPS
    build: Callable                             # (tuple of Values, params) -> Value
    ref: Callable                               # (tuple of floats, params) -> float
    draw: st.SearchStrategy                     # -> (inputs, params)
    cap: float = INF                            # the FD step's length scale, see central_difference
    scale: Callable = lambda x, p: 0.0          # size of intermediate terms, see central_difference

    def __str__(self) -> str:
        return self.name


BIG = 1e6
SPECS = [
    Spec("+", lambda v, p: v[0] + v[1], lambda x, p: x[0] + x[1], args(reals(-BIG, BIG), reals(-BIG, BIG))),
    Spec("-", lambda v, p: v[0] - v[1], lambda x, p: x[0] - x[1], args(reals(-BIG, BIG), reals(-BIG, BIG))),
    Spec("*", lambda v, p: v[0] * v[1], lambda x, p: x[0] * x[1], args(reals(-BIG, BIG), reals(-BIG, BIG))),
    Spec("/", lambda v, p: v[0] / v[1], lambda x, p: x[0] / x[1],
         args(reals(-BIG, BIG), away_from_zero(1e-3, BIG))),
    Spec("neg", lambda v, p: -v[0], lambda x, p: -x[0], args(reals(-1e12, 1e12))),
    # x ** n, n a plain number: integer n for either sign of x, any real n for x > 0
    Spec("pow", lambda v, p: v[0] ** p[0], lambda x, p: x[0] ** p[0],
         st.one_of(args(away_from_zero(1e-2, 1e3), params=st.tuples(st.integers(-5, 5))),
                   args(reals(1e-2, 1e3), params=st.tuples(reals(-3.0, 3.0))))),
    # x ** y, both Values (x > 0: the exponent's derivative x^y·ln x is defined)
    Spec("**", lambda v, p: v[0] ** v[1], lambda x, p: x[0] ** x[1], args(reals(1e-2, 1e2), reals(-5.0, 5.0)),
         cap=1.0),
    Spec("exp", lambda v, p: v[0].exp(), lambda x, p: math.exp(x[0]), args(reals(-700.0, 700.0)), cap=1.0),
    Spec("log", lambda v, p: v[0].log(), lambda x, p: math.log(x[0]), args(reals(1e-3, 1e12))),
    Spec("sqrt", lambda v, p: v[0].sqrt(), lambda x, p: math.sqrt(x[0]), args(reals(1e-3, 1e12))),
    Spec("abs", lambda v, p: abs(v[0]), lambda x, p: abs(x[0]), args(away_from_zero(1e-3, 1e12))),
    Spec("sin", lambda v, p: v[0].sin(), lambda x, p: math.sin(x[0]), args(reals(-1e3, 1e3)), cap=1.0),
    Spec("cos", lambda v, p: v[0].cos(), lambda x, p: math.cos(x[0]), args(reals(-1e3, 1e3)), cap=1.0),
    Spec("clip", lambda v, p: v[0].clip(*p), _clip_ref, clip_args(), cap=1.0),
    Spec("tanh", lambda v, p: v[0].tanh(), lambda x, p: math.tanh(x[0]), args(reals(-50.0, 50.0)), cap=1.0),
    Spec("sigmoid", lambda v, p: v[0].sigmoid(), lambda x, p: _sigmoid_ref(x[0]), args(reals(-50.0, 50.0)),
         cap=1.0),
    Spec("relu", lambda v, p: v[0].relu(), lambda x, p: max(x[0], 0.0), args(away_from_zero(1e-3, BIG))),
    Spec("leaky_relu", lambda v, p: v[0].leaky_relu(*p),
         lambda x, p: x[0] if x[0] > 0 else p[0] * x[0],
         args(away_from_zero(1e-3, BIG), params=st.tuples(reals(0.0, 1.0)))),
    Spec("elu", lambda v, p: v[0].elu(*p),
         lambda x, p: x[0] if x[0] > 0 else p[0] * math.expm1(x[0]),
         args(away_from_zero(1e-3, 50.0), params=st.tuples(reals(0.1, 3.0))), cap=1.0),
    Spec("step", lambda v, p: v[0].step(), lambda x, p: 1.0 if x[0] >= 0 else 0.0,
         args(away_from_zero(1e-3, BIG))),
    Spec("maximum", lambda v, p: autodiff.maximum(v[0], v[1]), lambda x, p: max(x),
         st.tuples(reals(-BIG, BIG), reals(-BIG, BIG)).filter(lambda x: abs(x[0] - x[1]) > 1e-3).map(
             lambda x: (x, ()))),
    Spec("minimum", lambda v, p: autodiff.minimum(v[0], v[1]), lambda x, p: min(x),
         st.tuples(reals(-BIG, BIG), reals(-BIG, BIG)).filter(lambda x: abs(x[0] - x[1]) > 1e-3).map(
             lambda x: (x, ()))),
    Spec("bce_with_logits", lambda v, p: autodiff.bce_with_logits(v[0], v[1]),
         lambda x, p: max(x[0], 0.0) - x[0] * x[1] + math.log1p(math.exp(-abs(x[0]))),
         args(reals(-30.0, 30.0), reals(0.0, 1.0)), cap=1.0,
         scale=lambda x, p: 2 * abs(x[0]) + 1.0),  # max(z, 0) − zt cancels: terms of size |z|
    Spec("recip", lambda v, p: value_apply(OPS["recip"], (v[0],)), lambda x, p: 1.0 / x[0],
         args(away_from_zero(1e-2, 1e6))),
    Spec("sum", lambda v, p: Value.sum(v), lambda x, p: sum(x, 0.0),
         st.tuples(st.lists(reals(-BIG, BIG), min_size=0, max_size=8).map(tuple), NO_PARAMS),
         scale=lambda x, p: sum(map(abs, x))),
    Spec("dot", _dot_build, _dot_ref, dot_args(), scale=lambda x, p: _dot_ref(tuple(map(abs, x)), p)),
]
def test_every_op_a_value_exposes_is_in_the_table():
    assert {s.name for s in SPECS} == set(OPS) - DEFINED


@pytest.mark.parametrize("spec", SPECS, ids=str)
@settings(max_examples=120, deadline=None)
@given(data=st.data())
def test_local_derivatives_match_central_differences(spec, data):
    xs, params = data.draw(spec.draw, label="inputs, params")
    leaves = [Value(x) for x in xs]
    out = spec.build(leaves, params)

    assert out.op == spec.name
    assert len(out.parents) == len(leaves)
    assert all(p is leaf for p, leaf in zip(out.parents, leaves))
    assert out.data == pytest.approx(spec.ref(xs, params), rel=1e-12, abs=1e-300)
    assert len(out.local_grads) == len(leaves)
    for i, x in enumerate(xs):
        def f(t, i=i):
            return spec.ref(xs[:i] + (t,) + xs[i + 1:], params)

        fd = central_difference(f, x, spec.cap, spec.scale(xs, params))
        assert_matches_fd(out.local_grads[i], fd,
                          f"∂{spec.name}/∂input{i} at {xs}, params {params}")

    out.backward()
    assert out.grad == 1.0
    assert [leaf.grad for leaf in leaves] == list(out.local_grads)


@given(a=reals(-BIG, BIG), b=reals(-BIG, BIG))
def test_arithmetic_local_grads_are_exact(a, b):
    x, y = Value(a), Value(b)
    assert (x + y).local_grads == (1.0, 1.0)
    assert (x - y).local_grads == (1.0, -1.0)
    assert (x * y).local_grads == (b, a)
    assert (-x).local_grads == (-1.0,)


# --- non-smooth points: the documented subgradient, exactly --------------------------------------
@pytest.mark.parametrize("build, expected_data, expected_slope", [
    pytest.param(lambda x: x.relu(), 0.0, 0.0, id="relu'(0)=0"),
    pytest.param(lambda x: x.leaky_relu(), 0.0, 0.01, id="leaky_relu'(0)=alpha default 0.01"),
    pytest.param(lambda x: x.leaky_relu(0.3), 0.0, 0.3, id="leaky_relu'(0)=alpha"),
    pytest.param(lambda x: x.elu(), 0.0, 1.0, id="elu'(0)=alpha default 1"),
    pytest.param(lambda x: x.elu(2.5), 0.0, 2.5, id="elu'(0)=alpha"),
    pytest.param(lambda x: abs(x), 0.0, 0.0, id="abs'(0)=0 builtin"),
    pytest.param(lambda x: x.abs(), 0.0, 0.0, id="abs'(0)=0 method"),
    pytest.param(lambda x: x.step(), 1.0, 0.0, id="step(0)=1 (seed 001: x ≥ k) step'(0)=0"),
    pytest.param(lambda x: x ** 1, 0.0, 1.0, id="(x**1)'(0)=1"),
    pytest.param(lambda x: x ** 2, 0.0, 0.0, id="(x**2)'(0)=0"),
    pytest.param(lambda x: x ** 3.0, 0.0, 0.0, id="(x**3)'(0)=0"),
    pytest.param(lambda x: x ** 0, 1.0, 0.0, id="(x**0)'(0)=0"),
    pytest.param(lambda x: x.clip(0.0, 1.0), 0.0, 1.0, id="clip at lo boundary: 1"),
    pytest.param(lambda x: x.clip(-1.0, 0.0), 0.0, 1.0, id="clip at hi boundary: 1"),
])
@pytest.mark.parametrize("zero", [0.0, -0.0], ids=["+0", "-0"])
def test_subgradient_at_the_non_smooth_point(build, expected_data, expected_slope, zero):
    x = Value(zero)
    y = build(x)
    assert y.data == expected_data
    assert y.local_grads == (expected_slope,)
    y.backward()
    assert x.grad == expected_slope


@pytest.mark.parametrize("build", [lambda x: x.sqrt(), lambda x: x ** 0.5], ids=["sqrt", "x**0.5"])
def test_sqrt_slope_at_zero_is_infinite(build):
    x = Value(0.0)
    y = build(x)
    assert y.data == 0.0 and y.local_grads == (INF,)
    y.backward()
    assert x.grad == INF
    # at -0.0 only the magnitude is pinned: IEEE gives 1/(2·(−0)) = −inf, as PyTorch does
    assert abs(build(Value(-0.0)).local_grads[0]) == INF


@pytest.mark.parametrize("build, left, right", [
    pytest.param(lambda x: x.relu(), 0.0, 1.0, id="relu"),
    pytest.param(lambda x: x.leaky_relu(0.2), 0.2, 1.0, id="leaky_relu"),
    pytest.param(lambda x: x.elu(0.7), 0.7, 1.0, id="elu"),
    pytest.param(lambda x: abs(x), -1.0, 1.0, id="abs"),
    pytest.param(lambda x: x.step(), 0.0, 0.0, id="step"),
])
def test_one_sided_slopes_next_to_the_kink(build, left, right):
    tiny = 5e-324
    assert build(Value(-tiny)).local_grads == (pytest.approx(left, abs=1e-15),)
    assert build(Value(tiny)).local_grads == (right,)


@given(x=reals(-1e300, 1e300))
def test_step_has_zero_derivative_everywhere(x):
    v = Value(x)
    y = v.step()
    assert y.data == (1.0 if x >= 0 else 0.0)
    assert y.local_grads == (0.0,)
    y.backward()
    assert v.grad == 0.0


def test_clip_outside_the_interval_has_zero_slope_and_clamps():
    assert Value(5.0).clip(-1.0, 2.0).data == 2.0
    assert Value(5.0).clip(-1.0, 2.0).local_grads == (0.0,)
    assert Value(-5.0).clip(-1.0, 2.0).data == -1.0
    assert Value(-5.0).clip(-1.0, 2.0).local_grads == (0.0,)
    assert Value(-5.0).clip(None, 2.0).local_grads == (1.0,)
    assert Value(5.0).clip(-1.0).local_grads == (1.0,)


# --- numerical stability -------------------------------------------------------------------------
@pytest.mark.parametrize("x, sigmoid, tanh", [(1000.0, 1.0, 1.0), (-1000.0, 0.0, -1.0),
                                              (745.2, 1.0, 1.0), (-745.2, 0.0, -1.0)])
def test_sigmoid_and_tanh_are_stable_at_large_inputs(x, sigmoid, tanh):
    for build, expected in ((lambda v: v.sigmoid(), sigmoid), (lambda v: v.tanh(), tanh)):
        v = Value(x)
        y = build(v)
        assert math.isfinite(y.data)
        assert y.data == expected
        y.backward()
        assert v.grad == 0.0


def test_sigmoid_keeps_relative_precision_in_the_far_negative_tail():
    x = -700.0
    y = Value(x).sigmoid()
    assert y.data == pytest.approx(math.exp(x), rel=1e-12)                # σ(x) ≈ eˣ
    assert y.local_grads[0] == pytest.approx(math.exp(x), rel=1e-12)      # σ(1 − σ) ≈ eˣ


def test_exp_overflow_gives_inf_as_ieee_and_underflow_gives_zero():
    big = Value(1000.0).exp()
    assert big.data == INF and big.local_grads == (INF,)
    small = Value(-1000.0)
    y = small.exp()
    assert y.data == 0.0
    y.backward()
    assert small.grad == 0.0


def test_elu_saturates_without_overflow():
    x = Value(-1000.0)
    y = x.elu(2.0)
    assert y.data == -2.0
    y.backward()
    assert x.grad == 0.0


@pytest.mark.parametrize("base, n, expected", [(1e200, 2, INF), (-1e200, 3, -INF), (-1e200, 2, INF),
                                               (1e-200, -2, INF)])
def test_pow_overflow_gives_signed_inf(base, n, expected):
    assert (Value(base) ** n).data == expected


# --- pow with a Value exponent ---------------------------------------------------------------------
@given(a=reals(1e-2, 1e2), b=reals(-5.0, 5.0))
def test_pow_value_exponent_grads_follow_the_formula(a, b):
    x, e = Value(a), Value(b)
    y = x ** e
    y.backward()
    assert y.data == a ** b
    assert x.grad == pytest.approx(b * a ** (b - 1), rel=1e-12, abs=1e-300)
    assert e.grad == pytest.approx(a ** b * math.log(a), rel=1e-12, abs=1e-300)


@pytest.mark.parametrize("b, data, dbase, dexp", [
    (2.0, 0.0, 0.0, 0.0),
    (3.0, 0.0, 0.0, 0.0),
    (1.0, 0.0, 1.0, 0.0),
    (0.5, 0.0, INF, 0.0),
    (0.0, 1.0, 0.0, 0.0),   # 0⁰ = 1; ∂/∂base = 0 as PyTorch and HIPS autograd give
])
def test_pow_value_exponent_at_base_zero(b, data, dbase, dexp):
    x, e = Value(0.0), Value(b)
    y = x ** e
    assert y.data == data
    assert y.local_grads == (dbase, dexp)
    y.backward()
    assert (x.grad, e.grad) == (dbase, dexp)


@pytest.mark.parametrize("a, b", [(-2.0, 3.0), (-2.0, 2.0), (-0.5, -3.0), (-3.0, 0.0)])
def test_pow_value_exponent_with_negative_base_and_integer_exponent(a, b):
    x, e = Value(a), Value(b)
    y = x ** e
    y.backward()
    assert y.data == a ** b
    assert x.grad == pytest.approx(b * a ** (b - 1), rel=1e-15)
    assert math.isnan(e.grad)  # a^b·ln a is undefined for a < 0 (PyTorch gives NaN too)


@pytest.mark.parametrize("build", [lambda: Value(-8.0) ** Value(0.5), lambda: Value(-8.0) ** 0.5,
                                   lambda: (-8.0) ** Value(0.5)])
def test_negative_base_to_a_fractional_power_is_a_domain_error(build):
    with pytest.raises(DomainError, match=r"-8\.0 \*\* 0\.5") as info:
        build()
    assert "negative base" in str(info.value)


@pytest.mark.parametrize("build", [lambda: Value(0.0) ** -1, lambda: Value(0.0) ** Value(-1.0),
                                   lambda: 0 ** Value(-1.0), lambda: Value(0.0) ** -0.5])
def test_zero_to_a_negative_power_is_a_domain_error(build):
    with pytest.raises(DomainError, match=r"0 \*\* -") as info:
        build()
    assert "non-negative exponent" in str(info.value)


def test_rpow_with_base_zero_has_zero_slope():
    x = Value(2.5)
    y = 0 ** x
    y.backward()
    assert y.data == 0.0 and x.grad == 0.0


def test_x_to_the_x():
    x = Value(1.7)
    y = x ** x
    y.backward()
    assert x.grad == pytest.approx(1.7 ** 1.7 * (math.log(1.7) + 1.0), rel=1e-14)


# --- plain numbers on either side of an operator -------------------------------------------------
X0 = 4.0
REVERSE_FORMS = [
    ("2 + x", lambda c, x: c + x, 6.0, 1.0),
    ("x + 2", lambda c, x: x + c, 6.0, 1.0),
    ("2 - x", lambda c, x: c - x, -2.0, -1.0),
    ("x - 2", lambda c, x: x - c, 2.0, 1.0),
    ("2 * x", lambda c, x: c * x, 8.0, 2.0),
    ("x * 2", lambda c, x: x * c, 8.0, 2.0),
    ("2 / x", lambda c, x: c / x, 0.5, -2.0 / X0 ** 2),
    ("x / 2", lambda c, x: x / c, 2.0, 0.5),
    ("2 ** x", lambda c, x: c ** x, 16.0, 16.0 * math.log(2.0)),
    ("x ** 2", lambda c, x: x ** c, 16.0, 2.0 * X0),
]


@pytest.mark.parametrize("form, build, data, grad", REVERSE_FORMS, ids=[f[0] for f in REVERSE_FORMS])
@pytest.mark.parametrize("two", [2, 2.0, np.float64(2.0), np.int64(2)], ids=["int", "float", "f64", "i64"])
def test_plain_numbers_on_either_side(form, build, data, grad, two):
    x = Value(X0)
    y = build(two, x)
    assert type(y) is Value
    assert y.data == pytest.approx(data, rel=1e-15)
    y.backward()
    assert x.grad == pytest.approx(grad, rel=1e-15)
    constants = [p for p in y.parents if p is not x]
    if form != "x ** 2":   # x ** n keeps n as a parameter, not a node
        assert [c.data for c in constants] == [2.0]
        assert all(not c.parents and type(c.data) is float for c in constants)


def test_unary_plus_and_float_conversion():
    x = Value(-3.5)
    assert +x is x
    assert float(x) == -3.5


@pytest.mark.parametrize("build", [lambda x: x + "a", lambda x: "a" * x, lambda x: x ** "2",
                                   lambda x: x - None, lambda x: [1.0] / x, lambda x: x * 1j])
def test_operators_reject_non_numbers_with_type_error(build):
    with pytest.raises(TypeError):
        build(Value(1.0))


# --- construction errors ---------------------------------------------------------------------------
@pytest.mark.parametrize("data, type_name", [("abc", "str"), (None, "NoneType"), ([1, 2], "list"),
                                             ((1.0,), "tuple"), (1 + 2j, "complex"),
                                             (np.array([1.0, 2.0]), "ndarray"),
                                             (Value(1.0), "Value")])
def test_value_rejects_non_real_data_naming_the_type(data, type_name):
    with pytest.raises(TypeError, match=r"real number") as info:
        Value(data)
    assert f"got {type_name}" in str(info.value)


def test_value_type_error_messages_give_a_hint():
    with pytest.raises(TypeError, match=r"float\(s\)"):
        Value("1.5")
    with pytest.raises(TypeError, match="Tensor"):
        Value([1, 2])


@pytest.mark.parametrize("data", [3, 3.0, np.float64(3.0), np.int32(3), np.float32(3.0)])
def test_value_accepts_real_numbers_and_stores_a_float(data):
    v = Value(data, label="v")
    assert type(v.data) is float and v.data == 3.0
    assert (v.grad, v.label, v.op, v.parents, v.local_grads) == (0.0, "v", "", (), ())


# --- domain errors -----------------------------------------------------------------------------------
@pytest.mark.parametrize("build, pattern", [
    (lambda: Value(-2.5).log(), r"log\(-2\.5\)"),
    (lambda: Value(0.0).log(), r"log\(0\.0\)"),
    (lambda: Value(-1e-300).log(), r"log\(-1e-300\)"),
    (lambda: Value(-4.0).sqrt(), r"sqrt\(-4\.0\)"),
    (lambda: Value(-1e-12).sqrt(), r"sqrt\(-1e-12\)"),
    (lambda: Value(0.0) ** -2, r"0 \*\* -2\.0"),
    (lambda: Value(-27.0) ** (1 / 3), r"-27\.0 \*\* 0\.333"),
])
def test_domain_errors_name_the_offending_value(build, pattern):
    with pytest.raises(DomainError, match=pattern) as info:
        build()
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, AutodiffError)


def test_log_and_sqrt_at_the_domain_edge():
    assert Value(0.0).sqrt().data == 0.0
    assert Value(1.0).log().data == 0.0
    assert Value(5e-324).log().data == pytest.approx(-744.44007192138126, rel=1e-15)


# --- the n-ary nodes: Value.sum and Value.dot -------------------------------------------------------
def test_sum_is_one_node_with_unit_edges_and_counts_repeats():
    a, b = Value(1.5, "a"), Value(-2.0, "b")
    s = Value.sum([a, b, a, 3])
    assert s.op == "sum"
    assert s.data == 1.5 - 2.0 + 1.5 + 3.0
    assert len(s.parents) == 4 and s.parents[0] is a and s.parents[2] is a
    assert s.local_grads == (1.0, 1.0, 1.0, 1.0)
    (s * s).backward()
    assert a.grad == 2 * (2 * s.data)
    assert b.grad == 2 * s.data


def test_sum_of_nothing_is_zero():
    s = Value.sum([])
    assert s.data == 0.0 and s.parents == () and s.local_grads == ()


def test_sum_accepts_a_generator_and_rejects_non_numbers():
    xs = [Value(float(i)) for i in range(5)]
    s = Value.sum(x * x for x in xs)
    s.backward()
    assert [x.grad for x in xs] == [0.0, 2.0, 4.0, 6.0, 8.0]
    with pytest.raises(TypeError, match="got str"):
        Value.sum([Value(1.0), "x"])


def test_dot_local_grads_are_inputs_then_weights_then_one():
    w = [Value(2.0, "w1"), Value(-3.0, "w2")]
    x = [Value(0.5, "x1"), Value(4.0, "x2")]
    b = Value(0.25, "b")
    z = Value.dot(w, x, b)
    assert z.op == "dot"
    assert z.data == 2.0 * 0.5 - 3.0 * 4.0 + 0.25
    assert z.parents == (*w, *x, b)
    assert z.local_grads == (0.5, 4.0, 2.0, -3.0, 1.0)
    z.backward()
    assert [v.grad for v in w] == [0.5, 4.0]
    assert [v.grad for v in x] == [2.0, -3.0]
    assert b.grad == 1.0


def test_dot_without_bias_and_with_plain_numbers():
    w = Value(3.0)
    z = Value.dot([w, 2], [5.0, w])      # 3·5 + 2·3
    assert z.data == 21.0
    assert z.local_grads == (5.0, 3.0, 3.0, 2.0)
    z.backward()
    assert w.grad == 5.0 + 2.0           # w is a weight (slope 5) and an input (slope 2)


def test_dot_with_the_same_node_as_weight_and_input_is_a_square():
    x = Value(-1.25)
    z = Value.dot([x], [x], bias=1)
    z.backward()
    assert z.data == 1.25 ** 2 + 1
    assert x.grad == 2 * -1.25


def test_dot_shape_and_type_errors():
    with pytest.raises(ShapeError, match="2 weights and 1 inputs"):
        Value.dot([1.0, 2.0], [3.0])
    with pytest.raises(TypeError, match="got str"):
        Value.dot([1.0], ["a"])
    with pytest.raises(TypeError, match="got NoneType"):
        Value.dot([None], [1.0])


def test_pow_exponent_is_a_parameter_not_a_parent():
    x = Value(3.0)
    y = x ** 2
    assert y.op == "pow" and len(y.parents) == 1
    z = x ** Value(2.0)
    assert z.op == "**" and len(z.parents) == 2
    assert y.data == z.data == 9.0


@pytest.mark.parametrize("a, b", [(1.0, 0.0), (-1.0, 0.0), (0.0, 0.0)])
def test_division_by_zero_raises(a, b):
    with pytest.raises((ZeroDivisionError, DomainError)):
        Value(a) / Value(b)


def test_unary_methods_document_their_formula():
    for name in ("exp", "log", "sqrt", "tanh", "sigmoid", "relu", "sin", "cos", "step"):
        assert getattr(Value, name).__doc__ == OPS[name].formula


def test_binary_ops_with_operator_module():
    a, b = Value(6.0), Value(1.5)
    for fn, expected in ((operator.add, 7.5), (operator.sub, 4.5), (operator.mul, 9.0),
                         (operator.truediv, 4.0), (operator.pow, 6.0 ** 1.5)):
        assert fn(a, b).data == pytest.approx(expected, rel=1e-15)
