"""autodiff.trace on Values: the notes' derivation as a program, every op against backward(),
random programs with shared subexpressions, replay on new inputs, and the errors."""

import math
import random
import unicodedata

import numpy as np
import pytest

import autodiff
import nn
from autodiff import Value, ops, trace
from autodiff.custom_op import DEFINED
from autodiff.errors import TraceError
from autodiff.value import apply


def backward_reference(f, *xs):
    """f's value and gradients by the graph and backward(): what a program must reproduce."""
    leaves = [Value(x) for x in xs]
    out = f(*leaves)
    out.backward()
    return out.data, tuple(v.grad for v in leaves)


def assert_same(got, want, rel=1e-12):
    (out, grads), (ref_out, ref_grads) = got, want
    for a, b in zip((out, *grads), (ref_out, *ref_grads)):
        if math.isnan(b):
            assert math.isnan(a), (got, want)
        else:
            assert a == pytest.approx(b, rel=rel, abs=1e-300), (got, want)


# --- seed 003: the notes' intermediates and operation counts -----------------------------------------
NOTES_SQRT = """\
forward: 4 operations (5 recorded, 1 repeated computation done once)
    a = x²
    b = exp(a)
    c = a + b
    d = √c
adjoint: 7 operations
    d̄ = 1
    c̄ = d̄ · 1/(2d)
    ā = c̄
    b̄ = c̄
    ā += b̄ · b
    x̄ = ā · 2x
return d, x̄
"""

NOTES_EXP = """\
forward: 2 operations
    a = x²
    b = exp(a)
adjoint: 3 operations
    b̄ = 1
    ā = b̄ · b
    x̄ = ā · 2x
return b, x̄
"""


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def test_the_program_of_sqrt_x2_plus_exp_x2_is_the_notes_derivation():
    program = trace(lambda x: (x**2 + (x**2).exp()).sqrt(), 0.5)
    assert str(program) == nfc(NOTES_SQRT)
    out, (dx,) = program(0.5)
    assert out == pytest.approx(math.sqrt(0.25 + math.exp(0.25)), rel=1e-15)
    assert dx == pytest.approx(0.5 * (1 + math.exp(0.25)) / out, rel=1e-15)  # the notes' x(1 + b)/d


def test_the_program_of_exp_x2_is_the_notes_two_intermediates():
    program = trace(lambda x: (x**2).exp(), 0.5)
    assert str(program) == nfc(NOTES_EXP)
    assert program.counts == autodiff.TraceCounts(forward=2, forward_recorded=2, adjoint=3, adjoint_lines=3)


def test_operation_counts_set_beside_the_notes_counts():
    """Notes: f costs 5 as written (x² twice), 4 with intermediates; the adjoint is mechanical."""
    c = trace(lambda x: (x**2 + (x**2).exp()).sqrt(), 0.7).counts
    assert (c.forward_recorded, c.forward) == (5, 4)
    assert (c.adjoint, c.adjoint_lines) == (7, 6)


def test_labels_name_the_lines_and_inputs_keep_their_parameter_names():
    def f(speed, time):
        d = speed * time
        d.label = "distance"
        return d.tanh()

    text = str(trace(f, 2.0, 3.0))
    assert "distance = speed · time" in text
    assert "a = tanh(distance)" in text
    assert nfc("s̄peed = d̄istance · time") in text


# --- every op of the table against backward() ------------------------------------------------------
def unary(name, *params):
    op = ops.OPS[name]
    return lambda x, y: apply(op, (x,), *params) * y


def binary(name):
    op = ops.OPS[name]
    return lambda x, y: apply(op, (x, y)) * (x + 1.5)


GRID = [-2.0, -0.5, 0.0, 0.3, 1.0, 2.5]
POSITIVE = [0.1, 0.5, 1.0, 3.0]
CASES = [
    ("+", binary("+"), GRID), ("-", binary("-"), GRID), ("*", binary("*"), GRID), ("/", binary("/"), POSITIVE),
    ("**", binary("**"), POSITIVE), ("neg", unary("neg"), GRID), ("pow 3", unary("pow", 3.0), GRID),
    ("pow 0.5", unary("pow", 0.5), POSITIVE + [0.0]), ("pow -2", unary("pow", -2.0), POSITIVE),
    ("pow 0", unary("pow", 0.0), GRID), ("exp", unary("exp"), GRID), ("log", unary("log"), POSITIVE),
    ("recip", unary("recip"), POSITIVE + [-1.5]), ("sqrt", unary("sqrt"), POSITIVE + [0.0]),
    ("abs", unary("abs"), GRID), ("sin", unary("sin"), GRID), ("cos", unary("cos"), GRID),
    ("clip", unary("clip", -0.5, 1.0), GRID), ("clip lo>hi", unary("clip", 1.0, -1.0), GRID),
    ("maximum", binary("maximum"), GRID), ("minimum", binary("minimum"), GRID), ("tanh", unary("tanh"), GRID),
    ("sigmoid", unary("sigmoid"), GRID + [-800.0, 800.0]), ("relu", unary("relu"), GRID),
    ("leaky_relu", unary("leaky_relu", 0.2), GRID), ("elu", unary("elu", 1.5), GRID), ("step", unary("step"), GRID),
    ("bce_with_logits", binary("bce_with_logits"), GRID),
    ("sum", lambda x, y: Value.sum([x, y, x * y, x]), GRID),
    ("dot", lambda x, y: Value.dot([x, y, y], [y, x, x], 0.5), GRID),
    ("dot without bias", lambda x, y: Value.dot([x, y], [x, 1.5]), GRID),
]


def test_every_op_of_the_table_has_a_case():
    covered = {name.split()[0] for name, _, _ in CASES}
    assert covered == set(ops.OPS) - DEFINED  # (ops a user defines with define_op are tested there)


@pytest.mark.parametrize("name, f, grid", CASES, ids=[c[0] for c in CASES])
def test_every_op_replays_what_backward_computes(name, f, grid):
    program = trace(f, grid[1], grid[2])
    for x in grid:
        for y in grid:
            assert_same(program(x, y), backward_reference(f, x, y))


def test_every_op_is_written_as_code_not_called():
    """The rules render as expressions: no op falls back to calling its rule."""
    for name, f, grid in CASES:
        assert "f_" not in trace(f, grid[1], grid[2]).python, name


def test_selections_pass_an_exact_zero_even_against_an_infinite_slope():
    f = lambda x: x.relu().sqrt()  # noqa: E731  sqrt'(0) = inf, relu passes an exact 0 below 0
    program = trace(f, 1.0)
    assert program(-1.0) == backward_reference(f, -1.0) == (0.0, (0.0,))
    assert program(0.0) == backward_reference(f, 0.0)


def test_a_ties_max_splits_the_gradient_in_halves():
    program = trace(lambda a, b: autodiff.maximum(a, b), 1.0, 2.0)
    assert program(3.0, 3.0) == (3.0, (0.5, 0.5))


# --- random programs with shared subexpressions ----------------------------------------------------
STEPS = [
    lambda a, b: a + b, lambda a, b: a - b, lambda a, b: a * b, lambda a, b: a / (b * b + 1.0),
    lambda a, b: autodiff.maximum(a, b), lambda a, b: Value.dot([a, b], [b, a], 0.25),
    lambda a, b: Value.sum([a, b, a]), lambda a, b: (a**2).exp() * 0.1, lambda a, b: a.tanh(),
    lambda a, b: a.relu(), lambda a, b: abs(a), lambda a, b: a.sigmoid(), lambda a, b: a.sin() * b.cos(),
    lambda a, b: (a * a + 1.0).log(), lambda a, b: (a * a + 0.5).sqrt(), lambda a, b: a**2,
]


def random_program(seed: int):
    """A function of three inputs: 12 random ops over all earlier values (so values are shared,
    and x**2 may be written twice), summed at the end."""
    rng = random.Random(seed)
    plan = [(rng.randrange(len(STEPS)), rng.random(), rng.random()) for _ in range(12)]

    def f(x, y, z):
        values = [x, y, z]
        for k, u, v in plan:
            values.append(STEPS[k](values[int(u * len(values))], values[int(v * len(values))]))
        return Value.sum(values[3:]) * 0.5 + values[-1]

    return f


@pytest.mark.parametrize("seed", range(40))
def test_random_programs_replay_what_backward_computes(seed):
    f = random_program(seed)
    rng = np.random.default_rng(seed)
    program = trace(f, *rng.uniform(-2, 2, 3))
    for point in rng.uniform(-2, 2, (5, 3)):
        assert_same(program(*point), backward_reference(f, *point), rel=1e-10)


def test_a_computation_written_twice_is_done_once_and_different_parameters_are_not_merged():
    program = trace(lambda x: x.leaky_relu(0.1) + x.leaky_relu(0.2) + x * 2 + x * 2, 1.5)
    assert program.counts.forward_recorded == 7
    assert program.counts.forward == 6  # the second x * 2 (same op, parameters, parents) is merged


# --- replay, errors, names ---------------------------------------------------------------------------
def test_the_program_builds_no_graph_and_keeps_no_state():
    program = trace(lambda x, y: (x * y).tanh() + y, 0.3, 0.7)
    first = program(1.0, 2.0)
    program(-3.0, 0.25)
    assert program(1.0, 2.0) == first
    out, grads = first
    assert type(out) is float and all(type(g) is float for g in grads)


def test_an_input_the_output_does_not_use_gets_zero():
    assert trace(lambda x, y: x * 3.0, 1.0, 2.0)(2.0, 5.0) == (6.0, (3.0, 0.0))


def test_wrong_inputs_get_clear_errors():
    program = trace(lambda x, y: x * y, 1.0, 2.0)
    with pytest.raises(TypeError, match=r"takes 2 input\(s\) \(x, y\), got 1"):
        program(1.0)
    with pytest.raises(TypeError, match="must be a real number, got str"):
        program(1.0, "2")
    with pytest.raises(TypeError, match=r"pass its number, v.data"):
        program(1.0, Value(2.0))
    assert program(2, 3) == (6.0, (3.0, 2.0))  # ints are numbers


def test_f_must_return_one_value():
    with pytest.raises(TraceError, match="must return a Value"):
        trace(lambda x: [x, x], 1.0)
    with pytest.raises(TypeError, match="inputs are numbers, Values"):
        trace(lambda x: x, "1.0")
    x = Value(1.0)
    with pytest.raises(TraceError, match="passed twice"):
        trace(lambda a, b: a * b, x, x)


def test_a_branch_on_the_data_is_baked_in_but_a_kink_is_an_op():
    def with_branch(x):
        return x * 2 if x.data > 0 else -x  # Python control flow: recorded as it ran

    program = trace(with_branch, 1.0)
    assert program(-1.0) == (-2.0, (2.0,))  # the x > 0 branch, as traced (the docstring's rule)
    kink = trace(lambda x: x.relu() * 2 + abs(x), 1.0)
    assert kink(-1.0) == backward_reference(lambda x: x.relu() * 2 + abs(x), -1.0)


HOSTILE = ["x); __import__('os').system('echo pwned') #", "a\nb = 1", "'\"\\", "for", "1x", "", "ā"]


@pytest.mark.parametrize("label", HOSTILE)
def test_labels_cannot_reach_the_code(label):
    x = Value(0.5, label=label)

    def f(x):
        y = x * x
        y.label = label
        return y.exp()

    program = trace(f, x)
    assert label not in program.python or label == ""
    assert program.python.isascii() and not any(c in program.python for c in "'\"#\\")
    assert program(0.5) == backward_reference(lambda v: (v * v).exp(), 0.5)
    for line in str(program).splitlines()[1:3]:
        name = line.split(" = ")[0].strip()
        assert name.isidentifier(), line


def test_replay_adds_the_gradients_into_the_inputs_like_backward():
    w, b = Value(0.5, label="w"), Value(-1.0, label="b")
    program = trace(lambda w, b: (w * 3.0 + b).tanh(), w, b)
    out = program.replay()
    ref_w, ref_b = Value(0.5), Value(-1.0)
    ref = (ref_w * 3.0 + ref_b).tanh()
    ref.backward()
    assert out == ref.data and (w.grad, b.grad) == (ref_w.grad, ref_b.grad)
    program.replay()
    assert w.grad == 2 * ref_w.grad  # accumulates, as backward() does


def test_a_sum_of_many_terms_and_a_long_chain_compile_without_recursion():
    program = trace(lambda *xs: Value.sum([x * x for x in xs]), *[0.5] * 700)
    out, grads = program(*[2.0] * 700)
    assert out == 2800.0 and set(grads) == {4.0}

    def chain(x):
        for _ in range(3000):
            x = x * 0.999 + 0.001
        return x

    out, (dx,) = trace(chain, 1.0)(2.0)
    assert dx == pytest.approx(0.999**3000, rel=1e-12)


def test_a_zero_gradient_skips_a_neuron_only_where_that_is_exact():
    """A dot behind a ReLU that did not fire is skipped, except when an input is infinite: then
    0·inf = NaN, as backward() computes."""
    def f(w, x):
        return Value.dot([w, w, w], [x, 1.0, 2.0], 0.0).relu() * 2.0

    program = trace(f, 1.0, 1.0)
    assert "if " in program.python
    for w, x in [(-1.0, 1.0), (1.0, 2.0), (-1.0, math.inf), (0.0, math.inf), (-1.0, -math.inf)]:
        assert_same(program(w, x), backward_reference(f, w, x))


# --- micrograd's demo, traced once and replayed every step -------------------------------------------
def demo_loss(model, X, Y):
    scores = [model(list(map(Value, row))) for row in X]
    losses = [(1 + -yi * si).relu() for yi, si in zip(Y, scores)]
    data_loss = Value.sum(losses) * (1.0 / len(losses))
    return data_loss + 1e-4 * Value.sum([p * p for p in model.parameters()])


def test_micrograd_demo_trains_through_a_traced_step_with_the_same_losses():
    """MLP 2-16-16-1, 100 moons, hinge loss + L2, SGD: the untraced step and the traced one
    (traced once, its parameters updated in place) give the same loss at every step."""
    X, y = nn.moons(100, noise=0.1, seed=1)
    X, Y = X.tolist(), (2.0 * y - 1.0).tolist()
    plain = nn.MLP(2, [16, 16, 1], activation="relu", output_activation="linear", seed=3)
    traced = nn.MLP(2, [16, 16, 1], activation="relu", output_activation="linear", seed=3)
    params = traced.parameters()
    program = trace(lambda *ps: demo_loss(traced, X, Y), *params)
    for _ in range(4):
        plain.zero_grad()
        loss = demo_loss(plain, X, Y)
        loss.backward()
        for p in plain.parameters():
            p.data -= 0.1 * p.grad
        traced_loss, grads = program(*(p.data for p in params))
        for p, g in zip(params, grads):
            p.data -= 0.1 * g
        assert traced_loss == pytest.approx(loss.data, rel=1e-12)
    for p, q in zip(plain.parameters(), params):
        assert q.data == pytest.approx(p.data, rel=1e-12, abs=1e-15)
    assert "more statements (program.python has them all)" in str(program)  # 76 000 lines: the start


def test_a_trace_inside_no_grad_still_records_but_f_s_own_no_grad_is_a_constant():
    with autodiff.no_grad():
        program = trace(lambda x: x * x, 3.0)
    assert program(2.0) == (4.0, (4.0,))

    def f(x):
        with autodiff.no_grad():
            scale = x * 2  # a constant of the program: no gradient through it, its value now
        return x * scale

    assert trace(f, 3.0)(2.0) == (12.0, (6.0,))
