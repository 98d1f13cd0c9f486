"""`autodiff graph`: the allow-list expression parser, the gradient table, the picture, the errors."""

from __future__ import annotations

import builtins
import os
import re
import shutil
import subprocess
import sys
import time

import pytest

import autodiff
from autodiff import Value, cli
from autodiff.cli import MAX_DEPTH, MAX_STEPS, ExpressionError, main, parse_assignments, parse_expression

# (expression, values, the same function written by hand with Value)
VALID = [
    ("tanh(x*w + b)", {"x": 0.5, "w": -1.5, "b": 2.0}, lambda x, w, b: (x * w + b).tanh()),
    ("x**2 + 3*x - 1/x", {"x": 2.0}, lambda x: x**2 + 3 * x - 1 / x),
    ("-x**2", {"x": 3.0}, lambda x: -(x**2)),  # ** binds tighter than unary minus, as in Python
    ("2**-x", {"x": 1.5}, lambda x: 2 ** (-x)),
    ("2**3**x", {"x": 0.5}, lambda x: 2 ** (3**x)),  # right-associative
    ("x**y", {"x": 1.7, "y": 0.3}, lambda x, y: x**y),
    ("(x + y) * (x - y)", {"x": 1.25, "y": -0.5}, lambda x, y: (x + y) * (x - y)),
    ("x / y / 2", {"x": 3.0, "y": 4.0}, lambda x, y: x / y / 2),  # left-associative
    ("x - y - 1", {"x": 3.0, "y": 4.0}, lambda x, y: x - y - 1),
    ("a - b*c/d + e", {"a": 1.0, "b": 2.0, "c": 3.0, "d": 4.0, "e": 5.0},
     lambda a, b, c, d, e: a - b * c / d + e),
    ("exp(log(x)) + sqrt(x) / abs(y)", {"x": 2.5, "y": -0.5},
     lambda x, y: x.log().exp() + x.sqrt() / abs(y)),
    ("sigmoid(x) * relu(y) + leaky_relu(x) - elu(x)", {"x": -0.7, "y": 1.2},
     lambda x, y: x.sigmoid() * y.relu() + x.leaky_relu() - x.elu()),
    ("sin(x)**2 + cos(x)**2 + step(x)", {"x": 0.9}, lambda x: x.sin() ** 2 + x.cos() ** 2 + x.step()),
    ("x * x * x", {"x": -1.1}, lambda x: x * x * x),
    ("x - -y", {"x": 1.0, "y": 2.0}, lambda x, y: x - (-y)),
    ("1e-3 * x + .5 + 2.", {"x": 4.0}, lambda x: 1e-3 * x + 0.5 + 2.0),
    ("\u2212x + +x", {"x": 4.0}, lambda x: -x + x),  # the typographic minus sign is a minus
    ("((((x))))", {"x": 4.0}, lambda x: x),
    ("tanh(tanh(x) * 2) * (1 + 2)", {"x": 0.3}, lambda x: (x.tanh() * 2).tanh() * 3),
]


@pytest.mark.parametrize("text, values, by_hand", VALID, ids=[v[0] for v in VALID])
def test_parsed_expression_has_the_value_and_gradients_of_the_same_code_by_hand(text, values, by_hand):
    expr = parse_expression(text)
    assert set(expr.variables) == set(values)
    leaves = {n: Value(v, label=n) for n, v in values.items()}
    y = expr.evaluate(leaves)
    y.backward()
    hand = {n: Value(v, label=n) for n, v in values.items()}
    y2 = by_hand(**hand)
    y2.backward()
    assert y.data == pytest.approx(y2.data, rel=1e-12, abs=1e-15)
    for n in values:
        assert leaves[n].grad == pytest.approx(hand[n].grad, rel=1e-12, abs=1e-15), n


def test_the_program_is_reverse_polish_with_variables_in_order_of_appearance():
    expr = parse_expression("tanh(x*w + b) - w")
    assert expr.variables == ("x", "w", "b")
    assert expr.program == (("var", "x"), ("var", "w"), ("op", "*"), ("var", "b"), ("op", "+"),
                            ("call", "tanh"), ("var", "w"), ("op", "-"))


# (hostile or invalid input, a fragment of the message it must be rejected with)
INVALID = [
    ("__import__('os')", "text in quotes"),
    ("__import__(os)", "'__import__' at column 1 is not an allowed function"),
    ("open(x)", "'open' at column 1 is not an allowed function"),
    ("eval(x)", "'eval' at column 1 is not an allowed function"),
    ("x(2)", "'x' at column 1 is not an allowed function"),
    ("x.real", "attribute access"),
    ("(x).__class__", "attribute access"),
    ("os.system(x)", "attribute access"),
    ("tanh", "'tanh' at column 1 is a function: write tanh(...)"),
    ("x ^ 2", "write ** for a power"),
    ("x; y", "unexpected character ';'"),
    ("lambda: x", "unexpected character ':'"),
    ("[x for x in y]", "unexpected character '['"),
    ("x == y", "unexpected character '='"),
    ("leaky_relu(x, 0.2)", "exactly one argument"),
    ("(x + 1", "unbalanced parentheses: '(' at column 1 is never closed"),
    ("x + 1)", "unbalanced parentheses: ')' at column 6 has no matching '('"),
    (")x(", "unbalanced parentheses: ')' at column 1"),
    ("1.2.3", "malformed number '1.2.3'"),
    ("2x", "malformed number '2x' at column 1 (for a product write 2*x)"),
    ("1e", "malformed number '1e'"),
    ("1e+", "malformed number '1e+'"),
    ("0x1f", "malformed number '0x1f'"),
    ("1_000", "malformed number '1_000'"),
    ("1e999", "too large"),
    ("", "empty expression"),
    ("   ", "empty expression"),
    ("x +", "incomplete expression"),
    ("x y", "unexpected name 'y' at column 3"),
    ("x * * y", "unexpected '*' at column 5"),
    ("()", "empty parentheses"),
    ("tanh()", "empty parentheses"),
    ("θ + 1", "unexpected character 'θ'"),
    ("(" * (MAX_DEPTH + 1) + "x" + ")" * (MAX_DEPTH + 1), "nested too deeply"),
    ("tanh(" * (MAX_DEPTH + 1) + "x" + ")" * (MAX_DEPTH + 1), "nested too deeply"),
    ("2**" * (MAX_DEPTH + 1) + "x", "nested too deeply"),
    ("x" * 100_001, "too long"),
]


@pytest.mark.parametrize("text, message", INVALID, ids=[t[:30] for t, _ in INVALID])
def test_hostile_or_invalid_expression_is_rejected_with_a_clear_message(text, message):
    with pytest.raises(ExpressionError) as info:
        parse_expression(text)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_nesting_up_to_the_limit_parses_and_long_flat_expressions_cost_no_stack():
    parse_expression("(" * MAX_DEPTH + "x" + ")" * MAX_DEPTH)
    parse_expression("tanh(" * MAX_DEPTH + "x" + ")" * MAX_DEPTH)
    parse_expression("2**" * MAX_DEPTH + "x")
    parse_expression("-" * 20_000 + "x")
    expr = parse_expression("+".join(["x"] * 20_000))
    assert expr.evaluate({"x": Value(1.0)}).data == 20_000


def test_the_parser_never_calls_eval_exec_or_compile(monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("eval/exec/compile must never run on user input")

    for name in ("eval", "exec", "compile"):
        monkeypatch.setattr(builtins, name, forbidden)
    expr = parse_expression("tanh(x*w + b) ** 2 / exp(-x)")
    y = expr.evaluate({n: Value(1.0, label=n) for n in expr.variables})
    y.backward()
    with pytest.raises(ExpressionError):
        parse_expression("__import__('os').system('echo hi')")


def test_evaluation_errors_are_expression_errors():
    with pytest.raises(ExpressionError, match="division by zero"):
        parse_expression("x / 0").evaluate({"x": Value(1.0)})
    with pytest.raises(ExpressionError, match="log"):
        parse_expression("log(x)").evaluate({"x": Value(-1.0)})
    with pytest.raises(ExpressionError, match="not a real number"):
        parse_expression("(-8) ** (1/3)").evaluate({})


def test_assignments_are_name_equals_number():
    assert parse_assignments(["x=0.5", "w=-1.5", " b = 2 "]) == {"x": 0.5, "w": -1.5, "b": 2.0}
    for bad, message in [("x", "malformed --at item"), ("=1", "malformed --at item"),
                         ("x=abc", "malformed number 'abc' for x"), ("x=1e999", "too large"),
                         ("x=nan", "malformed number"), ("x=--1", "malformed number"),
                         ("tanh=1", "is a function")]:
        with pytest.raises(ExpressionError, match=message):
            parse_assignments([bad])
    with pytest.raises(ExpressionError, match="given twice"):
        parse_assignments(["x=1", "x=2"])


# --- the command ------------------------------------------------------------------------------------
def test_graph_prints_each_variables_value_and_gradient_and_writes_svg(tmp_path, capsys):
    out = tmp_path / "graph.svg"
    code = main(["graph", "tanh(x*w + b)", "--at", "x=0.5", "w=-1.5", "b=2", "-o", str(out)])
    assert code == 0
    x, w, b = Value(0.5), Value(-1.5), Value(2.0)
    y = (x * w + b).tanh()
    y.backward()
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"f = tanh(x*w + b) = {y.data:.10g}"
    rows = {ln.split()[0]: ln.split()[1:] for ln in lines[2:5]}
    for name, v in (("x", x), ("w", w), ("b", b)):
        assert rows[name] == [f"{v.data:.10g}", f"{v.grad:.10g}"]
    assert lines[-1] == f"wrote {out}"
    svg = out.read_text(encoding="utf-8")
    assert "<svg" in svg and "local = 0.5" in svg  # (dot writes the minus of -1.5 as &#45;)


@pytest.mark.parametrize("ext, magic", [("png", b"\x89PNG"), ("pdf", b"%PDF"), ("dot", b"digraph")])
def test_picture_format_comes_from_the_extension(tmp_path, ext, magic):
    out = tmp_path / f"g.{ext}"
    assert main(["graph", "x*x", "--at", "x=3", "-o", str(out)]) == 0
    assert out.read_bytes().startswith(magic)


def test_graph_options_explain_steps_and_top_down(tmp_path, capsys):
    out = tmp_path / "g.dot"
    code = main(["graph", "x*x + y", "--at", "x=3", "y=1", "--explain", "--top-down", "--digits", "3",
                 "--no-edge-labels", "--steps", str(tmp_path / "steps"), "-o", str(out)])
    assert code == 0
    printed = capsys.readouterr().out
    assert "df/dx = Σ_c df/dc · ∂c/∂x" in printed and "x.grad = 6" in printed
    assert "rankdir=TB" in out.read_text() and "local =" not in out.read_text()
    assert (tmp_path / "steps" / "steps.html").exists()
    # the step pictures ran backward once: gradients are not doubled
    assert [ln.split() for ln in printed.splitlines()[2:4]] == [["x", "3", "6"], ["y", "1", "1"]]


BAD_COMMANDS = [
    (["graph", "x*w", "--at", "x=1", "w=2", "z=3"], "unknown variable 'z' in --at: the expression uses x, w"),
    (["graph", "x*w", "--at", "x=1"], "missing value for variable 'w'"),
    (["graph", "x*w"], "missing values for variables x, w"),
    (["graph", "x*w", "--at", "x=1", "w=abc"], "malformed number 'abc' for w"),
    (["graph", "x*w", "--at", "x", "w=1"], "malformed --at item 'x'"),
    (["graph", "tanh(x", "--at", "x=1"], "unbalanced parentheses"),
    (["graph", "__import__('os').system('ls')"], "text in quotes"),
    (["graph", "x", "--at", "x=1", "-o", "g.bmpx"], "cannot tell the picture format"),
    (["graph", "1/x", "--at", "x=0"], "division by zero"),
    (["graph", "sqrt(x)", "--at", "x=-4"], "sqrt(-4.0) is undefined"),
]


@pytest.mark.parametrize("argv, message", BAD_COMMANDS, ids=[" ".join(a[1:])[:40] for a, _ in BAD_COMMANDS])
def test_bad_input_is_one_line_on_stderr_and_exit_code_2(argv, message, capsys):
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert captured.err.startswith("autodiff graph: error: ") and message in captured.err


def test_missing_dot_program_keeps_the_dot_source_and_exits_1(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PATH", str(tmp_path))
    out = tmp_path / "g.svg"
    assert main(["graph", "x*x", "--at", "x=3", "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "apt-get install graphviz" in err and "brew install graphviz" in err
    assert f"dot -Tsvg {tmp_path / 'g.dot'} -o {out}" in err and err.count("\n") == 1
    assert (tmp_path / "g.dot").read_text().startswith("digraph")
    assert not out.exists()
    assert main(["graph", "x*x", "--at", "x=3", "--steps", str(tmp_path / "steps")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("autodiff graph: error: graphviz's dot program is not on PATH") and err.count("\n") == 1


def test_no_command_is_a_one_line_error_that_shows_an_example(capsys):
    assert main([]) == 2
    err = capsys.readouterr().err
    assert err.startswith("autodiff: error: no command given") and err.count("\n") == 1
    assert 'autodiff graph "tanh(x*w + b)"' in err


def test_python_dash_m_autodiff_runs_the_same_command(tmp_path):
    out = tmp_path / "g.svg"
    proc = subprocess.run([sys.executable, "-m", "autodiff", "graph", "tanh(x*w + b)", "--at", "x=0.5",
                           "w=-1.5", "b=2", "-o", str(out)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "f = tanh(x*w + b) = 0.84828364\n" in proc.stdout and out.exists()
    bad = subprocess.run([sys.executable, "-m", "autodiff", "graph", "x +", "--at", "x=1"],
                         capture_output=True, text=True)
    assert bad.returncode == 2 and bad.stderr.startswith("autodiff graph: error: incomplete expression")


def test_console_script_autodiff_is_installed():
    exe = shutil.which("autodiff")
    if exe is None:
        pytest.skip("the package is not installed (pip install -e .), so there is no console script")
    proc = subprocess.run([exe, "graph", "x*y", "--at", "x=2", "y=3"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[2].split() == ["x", "2", "3"]


# --- issue 13: every bad input is one line and exit code 2, nothing printed before it ------------
def run(argv, capsys) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_one_line_error(code, out, err, message, prog="autodiff graph"):
    assert code == 2, (out, err)
    assert out == ""  # nothing computed and printed before the error
    assert err.count("\n") == 1 and err.startswith(f"{prog}: error: "), err
    assert message in err, err


UNICODE = [
    ("x²", "'²' at column 2: write a power with **, e.g. x**2"),
    ("x**²", "write a power with **"),
    ("x + ١", "'١' at column 5 is not one of the digits 0-9"),   # Arabic-Indic one
    ("x * ৩", "is not one of the digits 0-9"),                   # Bengali three
    ("½ * x", "'½' at column 1 is not one of the digits 0-9"),
    ("x + Ⅻ", "is not one of the digits 0-9"),
    ("ｘ + 1", "'ｘ' at column 1 is a full-width character: type 'x' instead"),
    ("x ＋ 1", "'＋' at column 3 is a full-width character: type '+' instead"),
    ("x + １", "type '1' instead"),
    ("x × y", "'×' at column 3: write * for a product"),
    ("x · y", "write * for a product"),
    ("x ÷ y", "'÷' at column 3: write / for a division"),
    ("é + 1", "unexpected character 'é' at column 1: names use the letters a-z"),
    ("x\u200b+1", "unexpected character '\\u200b' at column 2"),
]


@pytest.mark.parametrize("text, message", UNICODE, ids=[t for t, _ in UNICODE])
def test_unicode_digits_superscripts_and_full_width_characters_are_named_in_one_line(text, message, capsys):
    with pytest.raises(ExpressionError, match=re.escape(message)):
        parse_expression(text)
    assert_one_line_error(*run(["graph", text, "--at", "x=3", "y=2"], capsys), message)


def test_the_output_is_not_called_f_when_a_variable_is(capsys):
    code, out, _ = run(["graph", "f*f1*2", "--at", "f=1", "f1=3"], capsys)
    assert code == 0 and out.splitlines()[:2] == ["f2 = f*f1*2 = 6", f"{'variable':<8}  {'value':>16}  {'df2/d(variable)':>16}"]


def test_the_typographic_minus_is_a_minus_in_the_expression_and_in_at(capsys):
    code, out, _ = run(["graph", "\u2212x * y", "--at", "x=\u22122", "y=3"], capsys)
    assert code == 0 and out.splitlines()[0].endswith("= 6")


def test_sin_and_cos_of_an_overflowed_value_are_nan_or_a_one_line_error(capsys):
    """math.sin(inf) raises ValueError: the CLI says so in one line, or (once Value returns NaN
    for it, as numpy and torch do) prints the NaN; never a traceback."""
    for f in ("sin", "cos"):
        for inner, value in (("x*10", "inf"), ("-(x*10)", "-inf")):
            code, out, err = run(["graph", f"{f}({inner})", "--at", "x=1e308"], capsys)
            if code == 0:
                assert err == "" and out.startswith(f"f = {f}({inner}) = nan\n")
            else:
                assert_one_line_error(code, out, err, f"{f}({value}) is undefined: {f} needs a finite input")


SPECIAL = {"inf": "(x*10)", "-inf": "(-(x*10))", "nan": "(x*10 - x*10)", "1e308": "x", "-1e308": "(-x)",
           "0": "(x*0)", "-0": "(-(x*0))", "5e-324": "(x*0 + 5e-324)", "1": "(x*0 + 1)", "-1": "(x*0 - 1)",
           "0.5": "(x*0 + 0.5)", "-3": "(x*0 - 3)"}


def test_every_function_and_operator_at_every_special_value_is_a_result_or_a_one_line_error(capsys):
    """inf, -inf, nan, ±1e308 (overflows), ±0 (log, sqrt, 1/x, 0**-1), the smallest float, ..."""
    from autodiff.ops import UNARY_FUNCTIONS

    exprs = [f"{f}({a})" for f in UNARY_FUNCTIONS for a in SPECIAL.values()]
    exprs += [f"{a} {op} {b}" for a in SPECIAL.values() for b in SPECIAL.values()
              for op in ("+", "-", "*", "/", "**")]
    for text in exprs:
        for at in ("x=1e308", "x=-1e308", "x=0", "x=5e-324"):
            code, out, err = run(["graph", text, "--at", at], capsys)
            assert code in (0, 2), (text, at, err)
            if code == 2:
                assert out == "" and err.count("\n") == 1 and err.startswith("autodiff graph: error: ")
            else:
                assert err == "" and out.startswith("f = ")


def test_sums_that_overflow_are_explained_and_drawn_as_inf_and_nan(tmp_path, capsys):
    """math.fsum refuses 1e308 + 1e308 and inf + (-inf); the chain-rule sums must not."""
    for expr, at, grad in (("x*x", "x=1e308", "inf"), ("x/x/x", "x=5e-188", "nan")):
        out = tmp_path / "g.dot"
        code, printed, err = run(["graph", expr, "--at", at, "--explain", "-o", str(out)], capsys)
        assert code == 0 and err == ""
        assert f"x.grad = {grad}" in printed and "note" not in printed
        # the edge that stands for x's parallel edges ends in their summed contribution
        assert re.search(rf'label="×2 edges: [^"]* = {grad}"', out.read_text(encoding="utf-8"))


def test_options_are_checked_before_anything_is_computed_or_printed(tmp_path, capsys):
    afile = tmp_path / "a.txt"
    afile.write_text("x")
    cases = [
        (["-o", str(tmp_path / "missing" / "g.svg")], "the directory"),
        (["-o", str(afile / "g.svg")], "is not a directory"),
        (["-o", str(tmp_path / "d.svg")], "is a directory"),
        (["--steps", str(afile)], "is a file, not a directory"),
        (["--steps", str(afile / "steps")], "cannot make the directory"),
        (["--digits", "100000"], "--digits must be between 1 and 17"),
        (["--digits", "0"], "--digits must be between 1 and 17"),
        (["--max-nodes", "-1"], "--max-nodes must be 0"),
        (["-o", str(tmp_path / "g.bmp")], "cannot tell the picture format"),
        (["-o", str(tmp_path / "s.svg"), "--steps", str(tmp_path / "s.svg")], "both name"),
    ]
    (tmp_path / "d.svg").mkdir()
    for extra, message in cases:
        assert_one_line_error(*run(["graph", "x*x", "--at", "x=3", *extra], capsys), message)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "d.svg"]


def test_the_picture_may_go_into_the_directory_steps_makes(tmp_path, capsys):
    steps = tmp_path / "out"
    code, printed, err = run(["graph", "x*x", "--at", "x=3", "--steps", str(steps), "-o",
                              str(steps / "g.svg")], capsys)
    assert (code, err) == (0, "") and (steps / "g.svg").exists() and (steps / "steps.html").exists()


def test_steps_of_an_expression_that_is_a_single_value_says_there_are_none(tmp_path, capsys):
    code, printed, err = run(["graph", "x", "--at", "x=3", "--steps", str(tmp_path / "s")], capsys)
    assert (code, err) == (0, "")
    assert printed.splitlines()[-1] == "no backward steps to draw: the output x is not computed from anything"


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="root may write anywhere")
def test_an_unwritable_directory_is_refused_before_anything_is_printed(tmp_path, capsys):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    assert_one_line_error(*run(["graph", "x", "--at", "x=1", "-o", str(locked / "g.svg")], capsys),
                          "permission denied")


ARGUMENT_ERRORS = [
    (["graph"], "the following arguments are required: expression", "autodiff graph"),
    (["grph", "x"], "invalid choice: 'grph'", "autodiff"),
    (["graph", "x", "--digits", "abc"], "argument --digits: invalid int value: 'abc'", "autodiff graph"),
    (["graph", "x", "--bogus"], "unrecognized arguments: --bogus", "autodiff"),
    (["graph", "--at", "x=2", "-x**2"], "goes after '--': autodiff graph --at x=2 -- \"-x**2\"", "autodiff graph"),
    (["graph", "--at", "x=1", "x*x"], "write the expression before --at", "autodiff graph"),
    (["graph", "x", "--bogus\nline two"], "unrecognized arguments: --bogus\\nline two", "autodiff"),
]


@pytest.mark.parametrize("argv, message, prog", ARGUMENT_ERRORS, ids=[" ".join(a) for a, _, _ in ARGUMENT_ERRORS])
def test_argument_errors_are_one_line_not_the_usage_text(argv, message, prog, capsys):
    code, out, err = run(argv, capsys)
    assert_one_line_error(code, out, err, message, prog)
    assert "usage:" not in err


def test_version_prints_the_package_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"autodiff {autodiff.__version__}\n"
    proc = subprocess.run([sys.executable, "-m", "autodiff", "--version"], capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout == f"autodiff {autodiff.__version__}\n"


# --- issue 13: short inputs that repeat a variable hung in graphviz's layout ------------------------
def test_a_variable_used_fifty_times_is_drawn_within_the_layout_bound(tmp_path, capsys):
    product = "*".join(["x"] * 50)  # x used 50 times: 2 600 units of layout, a minute of dot
    out = tmp_path / "g.svg"
    code, printed, err = run(["graph", product, "--at", "x=1.01", "-o", str(out)], capsys)
    assert code == 0, err
    assert printed.splitlines()[2].split() == ["x", "1.01", f"{50 * 1.01 ** 49:.10g}"]
    assert "drawing more would make dot slow" in out.read_text(encoding="utf-8")
    dot = tmp_path / "g.dot"
    assert main(["graph", product, "--at", "x=1.01", "-o", str(dot)]) == 0
    drawn = dot.read_text(encoding="utf-8").count("<TABLE")
    assert 1 < drawn < 50


def test_steps_refuses_graphs_too_large_to_draw_step_by_step(tmp_path, capsys):
    steps = tmp_path / "steps"
    long_chain = "+".join(["x"] * (MAX_STEPS + 2))
    assert_one_line_error(*run(["graph", long_chain, "--at", "x=1", "--steps", str(steps)], capsys),
                          f"this one has {MAX_STEPS + 1} steps (the limit is {MAX_STEPS})")
    hub = "*".join(["x"] * 25)  # 24 steps, but 24 long edges from x
    assert_one_line_error(*run(["graph", hub, "--at", "x=1", "--steps", str(steps)], capsys),
                          "too large to lay out 24 times")
    assert not steps.exists()


def test_dot_is_killed_with_a_one_line_error_when_it_runs_out_of_time(tmp_path, capsys, monkeypatch):
    started = spy_on_dot(monkeypatch)
    monkeypatch.setattr(cli, "DRAW_SECONDS", 0.5)
    product = "*".join(["x"] * 60)  # with --max-nodes 0 nothing bounds the layout but the clock
    code, out, err = run(["graph", product, "--at", "x=1.01", "--max-nodes", "0", "-o",
                          str(tmp_path / "g.svg")], capsys)
    assert_one_line_error(code, out, err, "graphviz's dot was stopped after 0.5 s")
    assert started and all(p.poll() is not None for p in started)  # dead and reaped
    assert not (tmp_path / "g.svg").exists()


def test_dot_is_killed_when_the_user_interrupts(tmp_path, capsys, monkeypatch):
    started = spy_on_dot(monkeypatch)

    def interrupted(self, *args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(subprocess.Popen, "communicate", interrupted)
    code, out, err = run(["graph", "x*x", "--at", "x=2", "-o", str(tmp_path / "g.svg")], capsys)
    assert (code, out, err) == (130, "", "autodiff graph: error: interrupted\n")
    assert started and all(p.poll() is not None for p in started)


def spy_on_dot(monkeypatch) -> list:
    """Record every process autodiff starts, to check that none is left running."""
    started = []
    real_init = subprocess.Popen.__init__

    def init(self, *args, **kwargs):
        real_init(self, *args, **kwargs)
        started.append(self)

    monkeypatch.setattr(subprocess.Popen, "__init__", init)
    return started


def test_a_reader_that_stops_early_gets_no_traceback():
    names = [f"a{i}" for i in range(3000)]  # a table longer than a pipe's buffer
    cmd = [sys.executable, "-m", "autodiff", "graph", "+".join(names), "--at", *[f"{n}=1" for n in names]]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout.readline().startswith(b"f = ")
    proc.stdout.close()  # as `| head -1` does
    err = proc.stderr.read()
    proc.stderr.close()
    assert proc.wait(timeout=30) == 141 and err == b""


@pytest.mark.skipif(not os.path.exists("/proc/self/task"), reason="reads a process's children from /proc")
def test_a_terminated_command_takes_its_dot_process_with_it(tmp_path):
    """`timeout 5 autodiff graph …` or kill: dot must not run on at 100 % CPU."""
    product = "*".join(["x"] * 80)  # with --max-nodes 0, a layout that takes dot minutes
    cmd = [sys.executable, "-m", "autodiff", "graph", product, "--at", "x=1.01", "--max-nodes", "0",
           "-o", str(tmp_path / "g.svg")]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    children = f"/proc/{proc.pid}/task/{proc.pid}/children"
    dot = []
    for _ in range(300):  # until dot has started (at most 30 s)
        dot = open(children).read().split() if os.path.exists(children) else []
        if dot or proc.poll() is not None:
            break
        time.sleep(0.1)
    assert dot, "dot never started"
    proc.terminate()
    assert proc.wait(timeout=10) == 143 and proc.stderr.read() == b""
    proc.stderr.close()
    assert not os.path.exists(f"/proc/{dot[0]}")  # killed and reaped, not left running
