"""autodiff.trace on Tensors: every tensor op against backward() on new inputs, an MLP's training
step with new minibatches and labels, fresh gradient arrays, and the errors."""

import unicodedata

import numpy as np
import pytest

import autodiff
from autodiff import Tensor, codegen, trace
from autodiff.errors import ShapeError, TraceError
from autodiff.tensor import apply
from autodiff.tensor_ops import TENSOR_OPS

RNG = np.random.default_rng(0)
WEIGHTS = RNG.standard_normal((3, 4))


def reference(f, inputs, grad_mask):
    """f's value and gradients by the graph and backward()."""
    nodes = [Tensor(x, requires_grad=bool(g)) if x.dtype.kind == "f" else x for x, g in zip(inputs, grad_mask)]
    out = f(*nodes)
    out.backward()
    return out.data, [(np.zeros(n.shape) if n.grad is None else n.grad) if g else None for n, g in zip(nodes, grad_mask)]


def assert_same(got, want):
    (out, grads), (ref_out, ref_grads) = got, want
    np.testing.assert_allclose(out, ref_out, rtol=1e-12, atol=1e-14)
    for g, r in zip(grads, ref_grads):
        if r is None:
            assert g is None
        else:
            np.testing.assert_allclose(g, r, rtol=1e-11, atol=1e-13)


def check(f, *shapes, data=(), positive=False, repeat=3):
    """Trace f at one draw of inputs, then replay on new draws: equal to backward() each time."""
    def draw():
        xs = [RNG.uniform(0.2, 2.0, s) if positive else RNG.standard_normal(s) for s in shapes]
        return xs + [d() if callable(d) else d for d in data]

    first = draw()
    grad_mask = [True] * len(shapes) + [False] * len(data)
    program = trace(f, *[Tensor(x, requires_grad=True) for x in first[:len(shapes)]], *first[len(shapes):])
    for xs in [first] + [draw() for _ in range(repeat)]:
        assert_same(program(*xs), reference(f, xs, grad_mask))
    return program


def loss(t):
    """A scalar of t that weights every entry differently (so every gradient entry is checked)."""
    w = np.cos(np.arange(t.size)).reshape(t.shape) + 1.5
    return (t * w).sum()


ELEMENTWISE_PARAMS = {"pow": (3.0,), "clip": (-0.5, 0.7), "leaky_relu": (0.1,), "elu": (1.2,)}
POSITIVE = {"log", "sqrt", "**", "/", "recip"}


@pytest.mark.parametrize("name", [n for n, op in autodiff.OPS.items() if op.arity > 0])
def test_every_elementwise_op_replays_backward(name):
    op = TENSOR_OPS[name]
    if autodiff.OPS[name].arity == 1:
        f = lambda x: loss(apply(op, (x,), *ELEMENTWISE_PARAMS.get(name, ())))  # noqa: E731
        check(f, (3, 4), positive=name in POSITIVE)
    else:  # broadcast (3, 4) against (4,): the gradient of b is summed back
        check(lambda a, b: loss(apply(op, (a, b))), (3, 4), (4,), positive=name in POSITIVE)


LABELS = lambda: RNG.integers(0, 4, 3)  # noqa: E731
STRUCTURAL = {
    "@": (lambda a, b: loss(a @ b), [(3, 5), (5, 4)]),
    "@ 1-d": (lambda a, b: loss(a @ b), [(5,), (5, 4)]),
    "affine": (lambda x, w, b: loss(autodiff.affine(x, w, b)), [(3, 5), (5, 4), (4,)]),
    "transpose": (lambda x: loss(x.permute(1, 0, 2)), [(2, 3, 4)]),
    "reshape": (lambda x: loss(x.reshape(4, 3)), [(3, 4)]),
    "broadcast_to": (lambda x: loss(autodiff.broadcast_to(x, (3, 4))), [(1, 4)]),
    "getitem": (lambda x: loss(x[[0, 2, 0], 1:]), [(3, 4)]),
    "scatter_add": (lambda v: loss(autodiff.scatter_add(v, ([0, 2, 0],), (3, 4))), [(3, 4)]),
    "concatenate": (lambda a, b: loss(autodiff.concatenate([a, b], axis=1)), [(3, 2), (3, 3)]),
    "stack": (lambda a, b: loss(autodiff.stack([a, b], axis=1)), [(3, 4), (3, 4)]),
    "where": (lambda a, b: loss(autodiff.where(WEIGHTS > 0, a, b)), [(3, 4), (4,)]),
    "sum": (lambda x: loss(x.sum(axis=0, keepdims=True)) + x.sum(), [(3, 4)]),
    "mean": (lambda x: loss(x.mean(axis=1)) + x.mean(), [(3, 4)]),
    "max": (lambda x: loss(x.max(axis=1)), [(3, 4)]),
    "min": (lambda x: loss(x.min(axis=0)), [(3, 4)]),
    "var": (lambda x: loss(x.var(axis=1, ddof=1)), [(3, 4)]),
    "std": (lambda x: loss(x.std(axis=0)), [(3, 4)]),
    "softmax": (lambda x: loss(x.softmax(axis=1)), [(3, 4)]),
    "log_softmax": (lambda x: loss(x.log_softmax(axis=0)), [(3, 4)]),
    "logsumexp": (lambda x: loss(x.logsumexp(axis=1)), [(3, 4)]),
}


def test_every_structural_op_has_a_case():
    structural = {n for n, op in TENSOR_OPS.items() if op.elementwise is None}
    assert structural == {k.split()[0] for k in STRUCTURAL} | {"softmax_cross_entropy"}


@pytest.mark.parametrize("name", list(STRUCTURAL))
def test_every_structural_op_replays_backward(name):
    f, shapes = STRUCTURAL[name]
    check(f, *shapes)


def test_cross_entropy_replays_with_new_labels_and_targets():
    check(lambda z, t: autodiff.softmax_cross_entropy(z, t), (3, 4), data=[LABELS])
    check(lambda z, t: autodiff.softmax_cross_entropy(z, t, reduction="sum"), (3, 4),
          data=[lambda: np.eye(4)[RNG.integers(0, 4, 3)]])


def test_an_index_array_given_as_an_input_varies_with_it():
    check(lambda x, idx: loss(x[idx]), (5, 2), data=[lambda: RNG.integers(0, 5, 4)])


def mlp_loss(X, t, W1, b1, W2, b2):
    a = autodiff.affine(X, W1, b1).relu()
    return autodiff.softmax_cross_entropy(autodiff.affine(a, W2, b2), t)


def test_an_mlp_step_replays_with_new_minibatches_and_reads_like_the_delta_rule():
    params = [RNG.standard_normal(s) * 0.5 for s in [(6, 5), (5,), (5, 3), (3,)]]
    X, t = RNG.standard_normal((8, 6)), RNG.integers(0, 3, 8)
    nodes = [Tensor(p, requires_grad=True, label=n) for p, n in zip(params, ["W1", "b1", "W2", "b2"])]
    program = trace(mlp_loss, X, t, *nodes)
    for _ in range(3):
        X, t = RNG.standard_normal((8, 6)), RNG.integers(0, 3, 8)
        out, grads = program(X, t, *params)
        ref_out, ref_grads = reference(mlp_loss, [X, t, *params], [False, False, True, True, True, True])
        assert_same((out, grads), (ref_out, ref_grads))
        for p, g in zip(params, grads[2:]):
            p -= 0.1 * g
    text = str(program)
    for line in ["W̄1 = Xᵀ @ ā", "ā = where(a > 0, b̄, 0)", "W̄2 = bᵀ @ c̄", "b̄ = c̄ @ W2ᵀ"]:
        assert unicodedata.normalize("NFC", line) in text, text


def test_gradients_are_new_arrays_on_every_call():
    x = Tensor(np.ones((2, 2)), requires_grad=True)
    y = Tensor(np.ones((2, 2)), requires_grad=True)
    program = trace(lambda x, y: (x + y).sum(), x, y)  # both gradients are the seed's ones
    _, (gx, gy) = program(np.ones((2, 2)), np.ones((2, 2)))
    assert gx is not gy
    gx += 100.0
    _, (gx2, gy2) = program(np.ones((2, 2)), np.ones((2, 2)))
    np.testing.assert_array_equal(gx2, np.ones((2, 2)))
    np.testing.assert_array_equal(gy, np.ones((2, 2)))


def test_a_different_shape_or_dtype_or_count_is_refused_clearly():
    program = trace(lambda x, t: autodiff.softmax_cross_entropy(x, t), Tensor(np.zeros((4, 3)), requires_grad=True),
                    np.array([0, 1, 2, 0]))
    with pytest.raises(ShapeError, match=r"has shape \(5, 3\), but this program was traced with shape \(4, 3\)"):
        program(np.zeros((5, 3)), np.array([0, 1, 2, 0, 1]))
    with pytest.raises(TypeError, match="has dtype float64, but this program was traced with int64"):
        program(np.zeros((4, 3)), np.zeros(4))
    with pytest.raises(TypeError, match=r"takes 2 input\(s\)"):
        program(np.zeros((4, 3)))
    out, (g, none) = program(Tensor(np.zeros((4, 3))), [0, 1, 2, 2])  # Tensors and lists are accepted
    assert none is None and g.shape == (4, 3) and out == pytest.approx(np.log(3))


def test_a_parameter_reached_only_by_closure_is_refused():
    w = Tensor(np.ones(3), requires_grad=True, label="w")
    with pytest.raises(TraceError, match="'w', which requires grad but is not an input"):
        trace(lambda x: (x * w).sum(), Tensor(np.ones(3), requires_grad=True))


def test_an_array_made_from_an_input_outside_the_graph_is_refused():
    def f(x, idx):
        return x[idx.data[:2]].sum()  # a view of the input idx: it would be baked in

    with pytest.raises(TraceError, match="made from an input outside the graph"):
        trace(f, Tensor(np.ones(5), requires_grad=True), np.array([0, 1, 2]))


def test_data_inputs_are_recorded_like_parameters():
    """Work done on a data input (standardising a minibatch) is part of the program."""
    def f(X, w):
        Z = (X - X.mean(axis=0)) / (X.std(axis=0) + 1.0)
        return ((Z @ w) ** 2).mean()

    w = RNG.standard_normal(4)
    program = trace(f, RNG.standard_normal((6, 4)), Tensor(w, requires_grad=True))
    X = RNG.standard_normal((6, 4))
    assert_same(program(X, w), reference(f, [X, w], [False, True]))


def test_a_rule_that_reads_its_numbers_is_called_not_inlined():
    program = trace(lambda x: x.log().sum(), Tensor(np.ones(3) * 2, requires_grad=True))
    assert "f_log(" in program.python  # log checks its domain: called as it is
    with pytest.raises(autodiff.DomainError):
        program(np.array([1.0, -1.0, 2.0]))


def test_replay_accumulates_into_tensor_grads():
    w = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    program = trace(lambda w: (w * w).sum(), w)
    program.replay()
    program.replay()
    np.testing.assert_array_equal(w.grad, [4.0, 8.0])


def test_an_input_read_through_the_original_array_is_refused():
    X = np.ones((3, 2))
    original = Tensor.from_numpy(X)  # f should use its argument, not this
    with pytest.raises(TraceError, match="reads an input's array through another tensor"):
        trace(lambda x, w: ((original @ w) * 1.0).sum(), X, Tensor(np.ones(2), requires_grad=True))


def test_outputs_of_one_element_and_programs_of_no_input():
    w = Tensor(np.array([2.0]), requires_grad=True)
    program = trace(lambda w: w * 3.0, w)  # shape (1,): one number
    out, (g,) = program(np.array([5.0]))
    assert out.tolist() == [15.0] and g.tolist() == [3.0]
    assert trace(lambda w: w, w)(np.array([4.0]))[1][0].tolist() == [1.0]
    out, grads = trace(lambda: Tensor(np.array(2.0)).exp())()
    assert out == pytest.approx(np.exp(2.0)) and grads == ()
    with pytest.raises(autodiff.GradError, match=r"shape \(2,\)"):
        trace(lambda w: w * 1.0, Tensor(np.ones(2), requires_grad=True))


TENSOR_STEPS = [
    lambda a, b: a + b, lambda a, b: a - b * 0.5, lambda a, b: a * b, lambda a, b: a / (b * b + 1.0),
    lambda a, b: autodiff.maximum(a, b), lambda a, b: a.tanh(), lambda a, b: a.relu() + b.sigmoid(),
    lambda a, b: abs(a), lambda a, b: (a @ b.T) @ b * 0.1, lambda a, b: a.T.T + b.mean(axis=0),
    lambda a, b: a.sum(axis=1, keepdims=True) * b, lambda a, b: (a * 0.3).exp(), lambda a, b: a**2,
    lambda a, b: a.softmax(axis=1) + b, lambda a, b: a.max(axis=0) * b, lambda a, b: a.reshape(4, 3).T,
]


@pytest.mark.parametrize("seed", range(25))
def test_random_tensor_programs_replay_what_backward_computes(seed):
    """Three (3, 4) inputs, 10 random ops over all earlier values (shared, some written twice)."""
    rng = np.random.default_rng(seed)
    plan = [(rng.integers(len(TENSOR_STEPS)), rng.random(), rng.random()) for _ in range(10)]

    def f(x, y, z):
        values = [x, y, z]
        for k, u, v in plan:
            values.append(TENSOR_STEPS[k](values[int(u * len(values))], values[int(v * len(values))]))
        return sum((loss(v) for v in values[3:]), values[-1].sum())

    check(f, (3, 4), (3, 4), (3, 4), repeat=2)


def test_a_rule_writing_into_an_array_of_its_own_is_called_not_written_down():
    """numpy calls with out= into a concrete array (or ufunc.at) are refused by the stand-ins: the
    rule is called as it is, so the program never writes into a constant of its own."""
    from autodiff.arraytrace import Recorder, Traced
    from autodiff.symbolic import Untraceable, var

    rec = Recorder()
    t = Traced(var("x0"), np.ones(3), rec)
    buffer = np.zeros(3)
    with pytest.raises(Untraceable):
        np.add(t, 1.0, out=buffer)
    with pytest.raises(Untraceable):
        buffer += t
    with pytest.raises(Untraceable):
        np.add.at(buffer, [0, 0], t[:2])
    with pytest.raises(Untraceable):
        buffer[...] = t
    np.testing.assert_array_equal(t.example, np.ones(3))
    np.add(t, 1.0, out=t)  # into the program's own array: written down, in place
    assert codegen.lines(rec.stmts[-1:], codegen.python) == ["add(x0, 1.0, out=x0)"]
