"""The code generator behind autodiff.trace: only generated names and numbers become code."""

import math

import pytest

from autodiff import codegen
from autodiff.codegen import ACC, ASSIGN, GUARD, Stmt
from autodiff.errors import TraceError
from autodiff.symbolic import CALL, SYMBOLIC, TUPLE, Expr, binary, number_text, pretty, python, var


class Sneaky(float):
    def __repr__(self):
        return "__import__('os').system('echo pwned')"


def build(stmts, returns, params=("x0",)):
    namespace = {}
    text = codegen.source("program", list(params), stmts, returns, namespace)
    return text, codegen.build("program", text, namespace)


def test_a_program_is_its_statements_as_one_function():
    x, y, g = var("x0", "x"), var("v1", "y"), var("g1", "ȳ")
    stmts = [Stmt(ASSIGN, (y,), SYMBOLIC.exp(x * x)), Stmt(ASSIGN, (g,), 1.0),
             Stmt(ACC, (g,), binary("*", y, 2.0))]
    text, fn = build(stmts, Expr(TUPLE, args=(y, g)))
    assert text == ("def program(x0):\n    v1 = exp(x0 * x0)\n    g1 = 1.0\n    g1 = g1 + v1 * 2.0\n"
                    "    return (v1, g1)\n")
    assert fn(0.5) == (math.exp(0.25), 1.0 + 2 * math.exp(0.25))
    assert codegen.printed(stmts) == ["y = exp(x · x)", "ȳ = 1", "ȳ += y · 2"]


def test_numbers_are_written_as_digits_only():
    assert number_text(0.1) == "0.1" and number_text(-2.5e-300) == "-2.5e-300"
    assert number_text(math.inf) == "inf" and number_text(-math.inf) == "-inf" and number_text(math.nan) == "nan"
    with pytest.raises(ValueError, match="not a numeric literal"):
        number_text(Sneaky(1.0))
    _, fn = build([], Expr(TUPLE, args=(math.inf, -math.inf)), params=())
    assert fn() == (math.inf, -math.inf)


@pytest.mark.parametrize("name", ["x; import os", "a b", "for", "x0\n", "ā", "1x"])
def test_a_name_that_is_not_a_generated_identifier_is_refused(name):
    with pytest.raises(TraceError, match="not a generated identifier"):
        build([Stmt(ASSIGN, (var(name),), 1.0)], var("x0"))
    with pytest.raises(TraceError, match="not a generated identifier"):
        build([], Expr(CALL, name, (var("x0"),), obj=abs))
    with pytest.raises(TraceError, match="not a generated identifier"):
        build([], var("x0"), params=(name,))


def test_one_name_for_two_objects_is_refused():
    stmts = [Stmt(ASSIGN, (var("v1"),), Expr(CALL, "f", (var("x0"),), obj=abs))]
    with pytest.raises(TraceError, match="bound to two objects"):
        build(stmts, Expr(CALL, "f", (var("v1"),), obj=round))


def test_printing_keeps_python_precedence():
    a, b, c = var("a"), var("b"), var("c")
    cases = {
        a - (b - c): "a - (b - c)", (a - b) - c: "a - b - c", a * (b + c): "a * (b + c)",
        -(a**b): "-a**b", (-a) ** b: "(-a)**b", a ** (-b): "a**-b", (a / b) / c: "a / b / c",
        a / (b * c): "a / (b * c)", SYMBOLIC.where(a > b, a, b + c): "a if a > b else b + c",
        (a > b) < c: "(a > b) < c", a * -1.0: "-a", a * -2.0: "a * -2.0", 2.0 ** -a: "2.0**-a", -2.0 * a: "-2.0 * a",
    }
    for e, text in cases.items():
        assert python(e) == text


def test_a_selection_is_a_gate_shown_as_an_iverson_bracket():
    g, z = var("g1", "z̄"), var("v1", "z")
    gate = binary("*", g, SYMBOLIC.positive(z))
    assert python(gate) == "g1 if v1 > 0 else 0.0"
    assert pretty(gate) == "z̄·[z > 0]"
    assert binary("*", g, SYMBOLIC.unselected(z)) == 0.0


def test_long_sums_are_split_into_statements_in_the_same_order():
    xs = [var(f"x{i}") for i in range(3 * codegen.CHAIN + 5)]
    total = sum(xs[1:], xs[0])
    text, fn = build([Stmt(ASSIGN, (var("v"),), total)], var("v"), params=[x.name for x in xs])
    assert text.count("v = v + ") == 3
    values = [0.1 * (i % 7) for i in range(len(xs))]
    expected = values[0]
    for v in values[1:]:
        expected += v
    assert fn(*values) == expected


def test_a_guard_runs_its_body_only_when_its_test_holds():
    g, w = var("g1"), var("g2")
    stmts = [Stmt(ASSIGN, (w,), 0.0), Stmt(GUARD, expr=g, body=[Stmt(ACC, (w,), binary("*", g, 3.0))], name="ḡ ≠ 0")]
    text, fn = build([Stmt(ASSIGN, (g,), var("x0"))] + stmts, w)
    assert "    if g1:\n        g2 = g2 + g1 * 3.0\n" in text
    assert fn(2.0) == 6.0 and fn(0.0) == 0.0
    assert codegen.printed(stmts)[1] == "if ḡ ≠ 0:"
