"""gradcheck: passes on correct functions, catches a wrong local derivative, reports a table and
leaves the inputs as it found them."""

from __future__ import annotations

import math

import pytest

from autodiff import DomainError, GradcheckReport, Value, gradcheck
from autodiff.check import GradcheckError

CORRECT = {
    "polynomial": (lambda x, y: x ** 3 * y - 2 * x * y ** 2 + 7, (1.3, -0.4)),
    "transcendental": (lambda x, y: (x * y).exp().log() + x.sin() * y.cos() + (x * x + 1).sqrt(), (0.6, 1.7)),
    "activations": (lambda x, y: x.tanh() * y.sigmoid() + (x - y).relu() + (y - x).elu(0.5)
                    + (x * 3).leaky_relu(0.1), (0.45, -0.8)),
    "quotient_pow": (lambda x, y: x / y + 2 ** x + x ** y, (1.25, 0.75)),
    "dot_sum": (lambda x, y: Value.dot([x, y], [y, 2.0], bias=x) + Value.sum([x, x, y]) * x, (0.3, -1.1)),
    "abs_clip": (lambda x, y: abs(x - y) + (x * y).clip(-0.5, 0.5), (0.9, -0.2)),
}


@pytest.mark.parametrize("name", CORRECT)
def test_gradcheck_passes_on_correct_functions(name):
    f, point = CORRECT[name]
    inputs = [Value(p, label=f"v{i}") for i, p in enumerate(point)]
    report = gradcheck(f, inputs)
    assert isinstance(report, GradcheckReport)
    assert report and report.passed
    assert len(report.rows) == len(inputs)
    for row, x in zip(report.rows, inputs):
        assert row.ok
        assert row.name == x.label and row.index == ()
        assert row.abs_err == abs(row.analytic - row.numeric)
        assert row.abs_err < 1e-7
        assert row.rel_err <= row.abs_err / max(abs(row.numeric), 1e-300) + 1e-300
    assert report.max_abs_err == max(r.abs_err for r in report.rows)
    assert gradcheck(f, inputs, raise_exception=True)


def test_gradcheck_analytic_column_is_backwards_gradient():
    x, y = Value(0.5), Value(2.0)
    report = gradcheck(lambda a, b: a * a * b, [x, y])
    assert report.rows[0].analytic == 2 * 0.5 * 2.0
    assert report.rows[1].analytic == 0.25
    assert report.rows[0].numeric == pytest.approx(2.0, rel=1e-8)
    assert [r.name for r in report.rows] == ["input0", "input1"]


# --- a deliberately wrong op ---------------------------------------------------------------------------
@pytest.fixture
def wrong_sin(monkeypatch):
    """Value.sin with the right forward value but twice the right local derivative."""
    right_sin = Value.sin

    def sin_with_wrong_slope(self):
        out = right_sin(self)
        if out.parents:                               # under no_grad there is no edge to corrupt
            out.local_grads = (2.0 * out.local_grads[0],)
        return out

    monkeypatch.setattr(Value, "sin", sin_with_wrong_slope)


def test_gradcheck_fails_on_a_wrong_local_derivative(wrong_sin):
    x, y = Value(0.4, label="x"), Value(-1.3, label="y")
    report = gradcheck(lambda a, b: a.sin() * b + b * b, [x, y])
    assert not report
    assert not report.passed
    bad, good = report.rows
    assert not bad.ok and good.ok
    assert bad.analytic == pytest.approx(2 * math.cos(0.4) * -1.3, rel=1e-14)
    assert bad.numeric == pytest.approx(math.cos(0.4) * -1.3, rel=1e-8)
    assert bad.rel_err == pytest.approx(0.5, rel=1e-6)


def test_gradcheck_raise_exception_carries_the_table(wrong_sin):
    x = Value(1.1, label="x")
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda a: a.sin(), [x], raise_exception=True)
    message = str(info.value)
    assert isinstance(info.value, AssertionError)
    assert "analytic" in message and "numeric" in message and "FAIL" in message
    assert f"{2 * math.cos(1.1):.9g}" in message


def test_gradcheck_report_string_is_the_table(wrong_sin):
    x, y = Value(0.4, label="x"), Value(-1.3, label="y")
    report = gradcheck(lambda a, b: a.sin() * b, [x, y])
    text = str(report)
    lines = text.splitlines()
    for column in ("input", "index", "analytic", "numeric", "abs err", "rel err"):
        assert column in lines[0]
    assert set(lines[1]) == {"-"}
    x_line, y_line = lines[2], lines[3]
    assert x_line.startswith("x") and x_line.endswith("<-- FAIL")
    assert y_line.startswith("y") and "FAIL" not in y_line
    assert f"{report.rows[0].analytic:.9g}" in x_line and f"{report.rows[0].numeric:.9g}" in x_line
    assert lines[-1].startswith("gradcheck FAILED: 2 partial derivatives")


def test_gradcheck_report_string_on_success():
    report = gradcheck(lambda a: a * a, [Value(3.0, label="a")])
    assert str(report).splitlines()[-1].startswith("gradcheck passed: 1 partial derivatives")
    assert "FAIL" not in str(report)


def test_gradcheck_tolerances_decide():
    """A slope wrong by 1e-7 (relative) passes the default tolerances and fails tight ones."""

    def f(a):
        out = a * 3.0
        if out.parents:
            out.local_grads = (out.local_grads[0] * (1 + 1e-7), out.local_grads[1])
        return out

    assert gradcheck(f, [Value(1.0)])
    assert not gradcheck(f, [Value(1.0)], atol=0.0, rtol=1e-9)


def test_gradcheck_eps_controls_the_step():
    f = lambda a: (a * 10).sin()
    x = Value(0.3)
    coarse = gradcheck(f, [x], eps=1e-2, atol=0.0, rtol=1e-6)
    fine = gradcheck(f, [x], eps=1e-6, atol=0.0, rtol=1e-6)
    assert not coarse and fine
    assert coarse.rows[0].abs_err > 1e-3 > fine.rows[0].abs_err


# --- the inputs are left as they were --------------------------------------------------------------------
def test_gradcheck_restores_input_grads_and_data():
    x, y = Value(0.7, label="x"), Value(-0.2, label="y")
    x.grad, y.grad = 5.0, -3.0
    report = gradcheck(lambda a, b: (a * b).exp(), [x, y])
    assert report
    assert (x.grad, y.grad) == (5.0, -3.0)
    assert (x.data, y.data) == (0.7, -0.2)
    # and the analytic column ignored the stale grads: it starts from zero
    assert report.rows[0].analytic == pytest.approx(-0.2 * math.exp(-0.14), rel=1e-15)


def test_gradcheck_restores_input_grads_when_f_raises():
    x = Value(-1.0, label="x")
    x.grad = 4.0
    with pytest.raises(DomainError):
        gradcheck(lambda a: a.log(), [x])
    assert x.grad == 4.0 and x.data == -1.0


def test_gradcheck_restores_data_when_a_perturbed_evaluation_raises():
    x = Value(0.0, label="x")                 # f is fine at 0 but not at −h
    f = lambda a: (a * a).sqrt() if a.data >= 0 else a.log()
    with pytest.raises(DomainError):
        gradcheck(f, [x])
    assert x.data == 0.0 and x.grad == 0.0


def test_gradcheck_runs_perturbed_evaluations_without_building_graphs():
    seen = []

    def f(a):
        out = a * a
        seen.append(bool(out.parents))
        return out

    gradcheck(f, [Value(1.5)])
    assert seen == [True, False, False]
