"""The Tensor node and the engine around it: how gradients accumulate, when backward refuses to run
and what it says, what counts as Tensor data, constants on either side, aliasing, numerical
stability at extreme logits, the small conveniences (detach, item, len, repr), and a graph
100,000 ops deep.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from autodiff import (
    DomainError,
    GradError,
    NonFiniteError,
    RepeatedBackwardWarning,
    ShapeError,
    Tensor,
    TensorIndexError,
    affine,
    concatenate,
    enable_grad,
    is_grad_enabled,
    maximum,
    minimum,
    no_grad,
    softmax_cross_entropy,
    stack,
    topological_order,
)


def close(actual, expected, tol: float = 1e-12) -> None:
    np.testing.assert_allclose(np.asarray(actual, dtype=float), np.asarray(expected, dtype=float),
                               rtol=tol, atol=tol)


# --- accumulation ---------------------------------------------------------------------------------
def test_leaf_gradients_accumulate_across_two_backward_calls() -> None:
    a = Tensor([1.0, -2.0, 3.0], requires_grad=True)
    (a * a).sum().backward()  # ∂/∂a Σa² = 2a
    close(a.grad, [2.0, -4.0, 6.0])
    (a.sin()).sum().backward()  # + cos a
    close(a.grad, 2 * a.data + np.cos(a.data))
    a.zero_grad()
    assert a.grad is None


def test_second_backward_on_the_same_graph_doubles_leaves_but_not_intermediates() -> None:
    a = Tensor([[0.5, -1.0], [2.0, 0.25]], requires_grad=True)
    h = a * 3.0  # intermediate, used twice below
    loss = (h * h).sum() + h.sum()
    loss.backward()
    h_grad_first = h.grad.copy()
    close(h_grad_first, 2 * h.data + 1)  # ∂loss/∂h = 2h + 1
    close(a.grad, 3 * (2 * h.data + 1))
    with pytest.warns(RepeatedBackwardWarning, match="added twice"):  # issue 12: never silent
        loss.backward()
    close(h.grad, h_grad_first)  # reset, then recomputed: not 2×
    close(a.grad, 2 * 3 * (2 * h.data + 1))  # the leaf accumulates


def test_reused_node_gets_the_sum_of_all_its_contributions() -> None:
    x = Tensor([1.5, -0.5], requires_grad=True)
    (x + x + x * x).sum().backward()  # 2 + 2x
    close(x.grad, 2 + 2 * x.data)
    y = Tensor([2.0], requires_grad=True)
    z = y * 1.0
    for _ in range(5):  # diamond: z feeds both branches each time
        z = z.exp().log() + z.sin() - z.sin()
    z.sum().backward()
    close(y.grad, [1.0])


def test_backward_from_different_roots_sharing_a_subgraph() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    h = x.tanh()
    (h * 2).sum().backward()
    (h ** 2).sum().backward()
    t = np.tanh(x.data)
    close(x.grad, (2 + 2 * t) * (1 - t ** 2))


# --- no_grad --------------------------------------------------------------------------------------
def test_no_grad_builds_no_graph() -> None:
    w = Tensor([1.0, 2.0], requires_grad=True)
    with no_grad():
        assert not is_grad_enabled()
        y = (w * 3).exp().sum()
        assert not y.requires_grad and y.parents == () and y.op == ""
        with enable_grad():
            z = (w * 2).sum()
        assert z.requires_grad and z.parents
    assert is_grad_enabled()
    with pytest.raises(GradError, match="does not require grad"):
        y.backward()
    z.backward()
    close(w.grad, [2.0, 2.0])


def test_no_grad_is_restored_after_an_exception() -> None:
    with pytest.raises(ShapeError), no_grad():
        _ = Tensor([1.0, 2.0]) + Tensor([1.0, 2.0, 3.0])
    assert is_grad_enabled()


def test_no_grad_result_used_later_acts_as_a_constant() -> None:
    w = Tensor([1.0, -1.0], requires_grad=True)
    with no_grad():
        frozen = w * 10.0
    (w * frozen).sum().backward()
    close(w.grad, [10.0, -10.0])  # frozen contributed no path back to w
    assert frozen.grad is None


def test_a_weight_update_under_no_grad_is_a_new_leaf() -> None:
    w = Tensor([1.0, 2.0], requires_grad=True)
    (w * w).sum().backward()
    with no_grad():
        w2 = w - 0.1 * Tensor(w.grad)
    assert w2.parents == () and not w2.requires_grad
    close(w2.data, [0.8, 1.6])


# --- backward's seed ------------------------------------------------------------------------------
def test_non_scalar_backward_without_a_seed_is_a_grad_error() -> None:
    y = Tensor(np.ones((2, 3)), requires_grad=True) * 2
    with pytest.raises(GradError, match="grad can be implicitly created only for scalar outputs") as e:
        y.backward()
    assert "(2, 3)" in str(e.value)


def test_seed_of_the_wrong_shape_names_both_shapes() -> None:
    y = Tensor(np.ones((2, 3)), requires_grad=True) * 2
    with pytest.raises(GradError) as e:
        y.backward(np.ones((3, 2)))
    assert "(3, 2)" in str(e.value) and "(2, 3)" in str(e.value)
    with pytest.raises(GradError):
        y.backward(np.ones(6))


def test_a_seed_is_the_vector_of_the_vector_jacobian_product() -> None:
    x = Tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    y = x ** 2
    seed = np.array([[1.0, 0.0, -1.0], [0.5, 2.0, 0.0]])
    y.backward(seed)
    close(x.grad, seed * 2 * x.data)
    x.grad = None
    y.backward(Tensor(seed))  # a Tensor seed works too
    close(x.grad, seed * 2 * x.data)
    x.grad = None
    y.backward(seed.tolist())  # and nested lists
    close(x.grad, seed * 2 * x.data)


def test_size_one_outputs_need_no_seed() -> None:
    x = Tensor([[3.0]], requires_grad=True)
    (x * x).backward()
    close(x.grad, [[6.0]])
    s = Tensor(2.0, requires_grad=True)
    s.exp().backward()
    close(s.grad, np.exp(2.0))


def test_backward_on_a_leaf() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    x.backward(np.array([3.0, 4.0]))
    close(x.grad, [3.0, 4.0])


def test_backward_without_requires_grad_is_a_grad_error() -> None:
    with pytest.raises(GradError):
        (Tensor([1.0, 2.0]) * 2).sum().backward()


# --- shape errors name both shapes ----------------------------------------------------------------
def test_matmul_shape_error_message() -> None:
    a, b = Tensor(np.zeros((32, 64))), Tensor(np.zeros((100, 30)))
    with pytest.raises(ShapeError, match=re.escape("cannot matmul (32, 64) @ (100, 30): inner sizes 64 and 100 differ")):
        a @ b


@pytest.mark.parametrize(("make", "shapes"), [
    (lambda: Tensor(np.zeros((2, 3))) + Tensor(np.zeros(4)), ["(2, 3)", "(4,)"]),
    (lambda: Tensor(np.zeros((2, 3))) * np.zeros((3, 2)), ["(2, 3)", "(3, 2)"]),
    (lambda: np.zeros((5,)) - Tensor(np.zeros((2,))), ["(5,)", "(2,)"]),
    (lambda: maximum(Tensor(np.zeros(3)), Tensor(np.zeros(2))), ["(3,)", "(2,)"]),
    (lambda: Tensor(np.zeros(3)) @ Tensor(np.zeros(4)), ["(3,)", "(4,)"]),
    (lambda: Tensor(np.zeros((2, 3, 4))) @ Tensor(np.zeros((3, 4, 5))), ["(2, 3, 4)", "(3, 4, 5)"]),
    (lambda: Tensor(np.zeros((2, 3))).reshape(4, 2), ["(2, 3)", "(4, 2)"]),
    (lambda: concatenate([Tensor(np.zeros((2, 3))), Tensor(np.zeros((2, 4)))], axis=0), ["(2, 3)", "(2, 4)"]),
    (lambda: stack([Tensor(np.zeros((2, 3))), Tensor(np.zeros((3, 2)))]), ["(2, 3)", "(3, 2)"]),
])
def test_shape_errors_are_raised_at_the_op_and_name_the_shapes(make, shapes) -> None:
    with pytest.raises(ShapeError) as e:
        make()
    for s in shapes:
        assert s in str(e.value), f"{s} not in {e.value}"


@pytest.mark.parametrize("make", [
    lambda: Tensor(3.0) @ Tensor([1.0, 2.0]),
    lambda: Tensor(np.zeros((2, 3))).sum(axis=2),
    lambda: Tensor(np.zeros((2, 3))).max(axis=-3),
    lambda: Tensor(np.zeros((2, 3))).softmax(axis=2),
    lambda: Tensor(np.zeros((2, 3))).transpose(0, 2),
    lambda: Tensor(np.zeros((2, 3))).permute(0, 0),
    lambda: Tensor(np.zeros((2, 3)))[5],
    lambda: Tensor(np.zeros(0)).max(),
    lambda: Tensor([1.0, 2.0]).item(),
])
def test_other_shape_errors(make) -> None:
    with pytest.raises(ShapeError):
        make()


def test_shape_error_is_a_value_error() -> None:
    assert issubclass(ShapeError, ValueError) and issubclass(DomainError, ValueError)


# --- what counts as data ----------------------------------------------------------------------------
@pytest.mark.parametrize("data", [
    ["a"], "abc", np.array([object()], dtype=object), [[1.0, 2.0], [3.0]], None, [1 + 2j], {"a": 1},
])
def test_non_numeric_data_is_a_type_error(data) -> None:
    with pytest.raises(TypeError):
        Tensor(data)


def test_bad_operands_and_indices_are_type_errors() -> None:
    t = Tensor([1.0, 2.0])
    with pytest.raises(TypeError):
        t + "a"
    with pytest.raises(TypeError):
        t * None
    with pytest.raises(TypeError):
        t[np.array([0.0, 1.0])]
    with pytest.raises(TypeError):
        Tensor(t)
    with pytest.raises(TypeError):
        Tensor([1, 2], dtype=np.int64, requires_grad=True)
    with pytest.raises(TypeError):
        len(Tensor(1.0))


def test_data_becomes_float64_by_default() -> None:
    for data in (1, [1, 2], np.arange(3, dtype=np.int32), np.float32(2.5), [[True, False]]):
        assert Tensor(data).dtype == np.float64
    assert Tensor([1, 2], dtype=np.float32).dtype == np.float32
    t = Tensor([[1, 2, 3], [4, 5, 6]])
    assert (t.shape, t.ndim, t.size) == ((2, 3), 2, 6)


# --- numbers and arrays on either side ------------------------------------------------------------
@pytest.mark.parametrize(("expr", "value", "grad"), [
    (lambda t: 2 + t, lambda x: 2 + x, lambda x: np.ones_like(x)),
    (lambda t: t + 2, lambda x: x + 2, lambda x: np.ones_like(x)),
    (lambda t: 2 - t, lambda x: 2 - x, lambda x: -np.ones_like(x)),
    (lambda t: 3 * t, lambda x: 3 * x, lambda x: np.full_like(x, 3.0)),
    (lambda t: 3 / t, lambda x: 3 / x, lambda x: -3 / x ** 2),
    (lambda t: t / 4, lambda x: x / 4, lambda x: np.full_like(x, 0.25)),
    (lambda t: 2 ** t, lambda x: 2 ** x, lambda x: np.log(2) * 2 ** x),
    (lambda t: t ** 2, lambda x: x ** 2, lambda x: 2 * x),
    (lambda t: np.float64(1.5) * t, lambda x: 1.5 * x, lambda x: np.full_like(x, 1.5)),
    (lambda t: np.array([1.0, 2.0, 3.0]) + t, lambda x: x + [1, 2, 3], lambda x: np.ones_like(x)),
    (lambda t: np.array([1.0, 2.0, 3.0]) * t, lambda x: x * [1, 2, 3], lambda x: np.array([1.0, 2, 3])),
    (lambda t: np.array([1.0, 2.0, 3.0]) - t, lambda x: [1, 2, 3] - x, lambda x: -np.ones_like(x)),
    (lambda t: np.array([1.0, 2.0, 3.0]) / t, lambda x: [1, 2, 3] / x, lambda x: -np.array([1.0, 2, 3]) / x ** 2),
    (lambda t: np.array([1.0, 2.0, 3.0]) ** t, lambda x: [1, 2, 3] ** x, lambda x: np.log([1, 2, 3]) * [1, 2, 3] ** x),
    (lambda t: np.ones((2, 3)) @ t, lambda x: np.ones((2, 3)) @ x, lambda x: np.full(3, 2.0)),
    (lambda t: t @ np.ones((3, 2)), lambda x: x @ np.ones((3, 2)), lambda x: np.full(3, 2.0)),
    (lambda t: [1.0, 2.0, 3.0] + t, lambda x: x + [1, 2, 3], lambda x: np.ones_like(x)),
    (lambda t: t * [1.0, 2.0, 3.0], lambda x: x * [1, 2, 3], lambda x: np.array([1.0, 2, 3])),
    # clip's bounds may be arrays that broadcast the result beyond x: the gradient is summed back
    (lambda t: t.clip(np.array([[0.0], [-3.0]]), 1.0), lambda x: np.clip(x, [[0.0], [-3.0]], 1.0),
     lambda x: np.array([2.0, 0.0, 1.0])),
])
def test_numbers_and_arrays_on_either_side(expr, value, grad) -> None:
    x = np.array([0.5, 1.5, -2.0])
    t = Tensor(x, requires_grad=True)
    out = expr(t)
    assert isinstance(out, Tensor), type(out)
    close(out.data, value(x))
    out.sum().backward()
    close(t.grad, grad(x))


@pytest.mark.parametrize("make", [
    lambda a, c: a + c, lambda a, c: c * a, lambda a, c: a @ c.reshape(3, 1), lambda a, c: maximum(a, c),
    lambda a, c: minimum(c, a), lambda a, c: a ** c, lambda a, c: concatenate([a, c]), lambda a, c: stack([c, a]),
], ids=["add", "mul", "matmul", "maximum", "minimum", "pow", "concatenate", "stack"])
def test_constants_receive_no_gradient(make) -> None:
    """An input with requires_grad=False is a constant: backward leaves its grad at None."""
    a = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    c = Tensor([0.5, 2.5, 1.0])
    make(a, c).sum().backward()
    assert a.grad is not None
    assert c.grad is None, f"constant got a gradient {c.grad}"


# --- aliasing ---------------------------------------------------------------------------------------
def test_leaf_grads_are_not_aliased() -> None:
    a = Tensor([1.0, 2.0], requires_grad=True)
    b = Tensor([3.0, 4.0], requires_grad=True)
    (a + b).sum().backward()
    a.grad += 100.0  # in place
    a.grad[0] = -1.0
    close(b.grad, [1.0, 1.0])
    assert not np.shares_memory(a.grad, b.grad)


@pytest.mark.parametrize("make", [
    lambda a: a.reshape(2, 2), lambda a: a.T, lambda a: a.sum(), lambda a: a.mean(axis=0), lambda a: +a,
    lambda a: a[:, 0], lambda a: a.flatten(), lambda a: a + 0.0,
])
def test_leaf_grad_owns_its_memory_after_views_and_broadcasts(make) -> None:
    a = Tensor(np.arange(4.0).reshape(2, 2), requires_grad=True)
    y = make(a)
    seed = np.ones(y.shape)
    y.backward(seed)
    assert a.grad.flags.writeable and a.grad.flags.owndata
    assert not np.shares_memory(a.grad, seed)
    before = seed.copy()
    a.grad *= 7.0
    np.testing.assert_array_equal(seed, before)


def test_leaf_grad_not_aliased_across_a_shared_upstream_gradient() -> None:
    a = Tensor([1.0, 2.0], requires_grad=True)
    b = Tensor([5.0, 6.0], requires_grad=True)
    c = a + b
    d = c * 1.0
    (d + c).sum().backward()
    a.grad[:] = 0.0
    close(b.grad, [2.0, 2.0])
    assert a.data.tolist() == [1.0, 2.0] and b.data.tolist() == [5.0, 6.0]


def test_backward_does_not_modify_data() -> None:
    x = Tensor(np.array([[1.0, -2.0], [3.0, 0.5]]), requires_grad=True)
    before = x.data.copy()
    ((x @ x.T).softmax(axis=1).log() * x).sum().backward()
    np.testing.assert_array_equal(x.data, before)


# --- stability at extreme logits ---------------------------------------------------------------------
def _softmax(z):
    e = np.exp(z - z.max())
    return e / e.sum()


LOGITS = [np.array([1000.0, 0.0, -1000.0]), np.array([-1000.0, -1000.0, -999.0]),
          np.array([1000.0, 1000.0, 999.0]), np.array([-1000.0, 0.5, 1000.0])]
W3 = np.array([0.3, -1.2, 2.0])


@pytest.mark.parametrize("z", LOGITS, ids=lambda z: str(z.tolist()))
def test_softmax_family_is_finite_with_correct_grads_at_extreme_logits(z) -> None:
    p = _softmax(z)
    lse = z.max() + np.log(np.exp(z - z.max()).sum())

    t = Tensor(z, requires_grad=True)
    out = t.softmax()
    (out * W3).sum().backward()
    close(out.data, p)
    close(t.grad, p * (W3 - (W3 * p).sum()))

    t = Tensor(z, requires_grad=True)
    out = t.log_softmax()
    (out * W3).sum().backward()
    assert np.isfinite(out.data).all()
    close(out.data, z - lse)
    close(t.grad, W3 - p * W3.sum())

    t = Tensor(z, requires_grad=True)
    out = t.logsumexp()
    out.backward()
    close(out.data, lse)
    close(t.grad, p)


@pytest.mark.parametrize("v", [1000.0, -1000.0, 710.0, -745.0])
def test_sigmoid_and_tanh_are_finite_at_extreme_inputs(v) -> None:
    x = Tensor([v, 0.0], requires_grad=True)
    s = x.sigmoid()
    s.sum().backward()
    assert np.isfinite(s.data).all() and np.isfinite(x.grad).all()
    close(s.data, [1.0 if v > 0 else 0.0, 0.5])
    close(x.grad, [0.0, 0.25])
    x.grad = None
    th = x.tanh()
    th.sum().backward()
    close(th.data, [np.sign(v), 0.0])
    close(x.grad, [0.0, 1.0])


def test_cross_entropy_from_extreme_logits_is_finite() -> None:
    z = Tensor([[1000.0, -1000.0, 0.0], [-500.0, 500.0, 499.0]], requires_grad=True)
    targets = np.array([1, 2])
    loss = -(z.log_softmax(axis=1)[np.arange(2), targets]).mean()
    loss.backward()
    assert np.isfinite(loss.item())
    close(loss.item(), (2000.0 + (500.0 + np.log1p(np.exp(-1.0)) - 499.0)) / 2)
    assert np.isfinite(z.grad).all()
    close(z.grad.sum(axis=1), [0.0, 0.0])


def test_fused_cross_entropy_matches_log_softmax_at_extreme_and_infinite_logits() -> None:
    rows = [[1000.0, -1000.0, 0.0], [-500.0, 500.0, 499.0], [np.inf, 0.0, 1.0], [-np.inf, 2.0, 1.0]]
    labels = np.array([1, 2, 1, 0])
    for n in (2, 4):  # finite rows, then with ±inf logits (the loss's fallback shift)
        z = Tensor(rows[:n], requires_grad=True)
        with np.errstate(invalid="ignore"):  # inf − inf in the rows of +inf logits: NaN, as it should
            fused = softmax_cross_entropy(z, labels[:n], reduction="sum")
            ref = -(Tensor(rows[:n]).log_softmax(axis=1)[np.arange(n), labels[:n]]).sum()
        np.testing.assert_array_equal(fused.data, ref.data)
        fused.backward()
    assert np.isfinite(z.grad[:2]).all()


@pytest.mark.parametrize("labels", [[0, 3], [-1, 2], np.array([0, 7], dtype=np.uint8)])
def test_cross_entropy_labels_out_of_range_raise_naming_the_range(labels) -> None:
    z = Tensor(np.zeros((2, 3)), requires_grad=True)
    with pytest.raises(DomainError, match=r"labels must be in 0\.\.2 .* got labels from -?\d+ to \d+"):
        softmax_cross_entropy(z, np.asarray(labels))


def test_check_finite_names_the_node() -> None:
    x = Tensor([0.0, 4.0], requires_grad=True, label="x")
    y = x.sqrt()
    with pytest.raises(NonFiniteError, match="'x'"):
        y.sum().backward(check_finite=True)


# --- domain errors -----------------------------------------------------------------------------------
@pytest.mark.parametrize(("make", "bad"), [
    (lambda: Tensor([1.0, 0.0, 2.0]).log(), "0.0"),
    (lambda: Tensor([1.0, -3.0]).log(), "-3.0"),
    (lambda: Tensor([4.0, -4.0]).sqrt(), "-4.0"),
    (lambda: Tensor([0.0, 1.0]) ** -1, "0"),
    (lambda: Tensor([-2.0, 1.0]) ** 0.5, "-2.0"),
    (lambda: Tensor([-2.0]) ** Tensor([1.5]), "-2.0"),
])
def test_out_of_domain_raises_domain_error_naming_the_value(make, bad) -> None:
    with pytest.raises(DomainError) as e:
        make()
    assert bad in str(e.value)


def test_negative_base_integer_exponent_is_fine() -> None:
    x = Tensor([-2.0, 3.0], requires_grad=True)
    y = x ** 3
    y.sum().backward()
    close(y.data, [-8.0, 27.0])
    close(x.grad, [12.0, 27.0])


# --- node anatomy and conveniences ----------------------------------------------------------------
def test_node_records_parents_op_and_local_grads() -> None:
    a = Tensor([1.0, 2.0], requires_grad=True, label="a")
    b = Tensor([3.0, 4.0], requires_grad=True, label="b")
    c = a * b
    assert c.parents == (a, b) and c.op == "*" and a.op == ""
    la, lb = c.local_grads
    close(la, b.data)  # ∂(ab)/∂a = b
    close(lb, a.data)
    t = a.tanh()
    close(t.local_grads[0], 1 - np.tanh(a.data) ** 2)
    assert (a @ b).local_grads is None  # a structural op carries a VJP rule instead
    assert a.local_grads is None
    order = topological_order((c + t).sum())
    position = {id(node): i for i, node in enumerate(order)}  # list.index would compare with ==
    assert order[0].op == "sum" and position[id(c)] < position[id(a)]


def test_detach_item_len_and_repr() -> None:
    a = Tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True, label="a")
    y = a * 2
    d = y.detach()
    assert d.parents == () and not d.requires_grad and d.grad is None and d.op == ""
    np.testing.assert_array_equal(d.data, y.data)
    (d * a).sum().backward()  # the detached copy is a constant
    close(a.grad, y.data)
    assert len(a) == 2 and len(a[0]) == 3
    assert Tensor(3.5).item() == 3.5 and isinstance(Tensor([[2.0]]).item(), float)
    assert a.sum().item() == 21.0
    r = repr(a)
    assert r.startswith("Tensor(") and "label='a'" in r and "requires_grad=True" in r
    assert "op='*'" in repr(y)
    assert "..." in repr(Tensor(np.arange(1000.0)))  # long tensors are summarised
    assert a.numpy() is a.data


def test_iteration_float_int_bool_and_index_errors() -> None:
    a = Tensor([[1.0, -2.0], [3.0, 4.0]], requires_grad=True)
    rows = list(a)  # each row is a node: gradients flow back through iteration
    assert [r.op for r in rows] == ["getitem", "getitem"]
    (rows[0] * 2.0 + rows[1]).sum().backward()
    close(a.grad, [[2.0, 2.0], [1.0, 1.0]])
    assert float(a[1, 0]) == 3.0 and int(a[1, 1]) == 4 and bool(a[0, 0]) and not bool(Tensor([0.0]))
    with pytest.raises(ValueError, match=r"truth value of a tensor of shape \(2, 2\) is ambiguous"):
        bool(a)
    with pytest.raises(ShapeError, match="exactly one element"):
        float(a)
    with pytest.raises(TypeError, match="iteration over a 0-d tensor"):
        list(Tensor(1.0))
    with pytest.raises(TensorIndexError, match=r"index 5 does not fit a tensor of shape \(2, 2\)"):
        a[5]
    with pytest.raises(IndexError):  # it is an IndexError, as Python expects of []
        a[:, 2]


def test_comparisons_are_constant_boolean_tensors() -> None:
    a = Tensor([[1.0, -2.0], [3.0, 0.0]], requires_grad=True)
    for got, want in [(a > 0, a.data > 0), (0 < a, a.data > 0), (a <= [1.0, 0.0], a.data <= [1.0, 0.0]),
                      (a >= a, np.ones((2, 2), bool)), (a < np.array(1.0), a.data < 1.0)]:
        assert isinstance(got, Tensor) and got.dtype == bool and not got.requires_grad
        assert got.parents == ()
        np.testing.assert_array_equal(got.data, want)
    assert (a > 0).mean().item() == 0.5  # e.g. an accuracy
    relu_by_mask = a * (a > 0)
    relu_by_mask.sum().backward()
    close(a.grad, [[1.0, 0.0], [1.0, 0.0]])
    close(a[a > 0].data, [1.0, 3.0])
    # == and != are elementwise too (as in PyTorch); a tensor stays hashable by identity
    close((a == Tensor(a.data)).data, [[True, True], [True, True]])
    close((a != np.array([1.0, 0.0])).data, [[False, True], [True, False]])
    assert len({a, Tensor(a.data)}) == 2 and {a: 1}[a] == 1
    with pytest.raises(TypeError):
        _ = a < "zero"
    with pytest.raises(ShapeError, match=r"cannot compare shapes \(2, 2\) and \(3,\)"):
        _ = a < np.zeros(3)


# --- depth --------------------------------------------------------------------------------------------
def test_a_chain_of_100000_tensor_ops_backpropagates_without_recursion() -> None:
    """y_{k+1} = sin(y_k), 100,000 times: dy_n/dy_0 = Π cos(y_k), computed alongside in numpy."""
    x0 = np.array([0.9, -0.4])
    x = Tensor(x0, requires_grad=True)
    y, v, d = x, x0.copy(), np.ones(2)
    for _ in range(100_000):
        d *= np.cos(v)
        v = np.sin(v)
        y = y.sin()
    y.sum().backward()
    close(y.data, v)
    close(x.grad, d, 1e-9)
    del y  # freeing a 100,000-deep chain must not overflow the C stack either


# --- data changed between forward and backward; copies ------------------------------------------
def test_a_leaf_assigned_new_data_after_forward_raises_at_backward() -> None:
    # issue 13: dL/dw came from the new data ([4, 6]) instead of the forward-time data ([2, 4])
    w = Tensor([1.0, 2.0], requires_grad=True, label="w")
    loss = (w * w).sum()
    w.data -= 1.0  # what an optimizer step does
    with pytest.raises(GradError, match="'w'.*assigned new data"):
        loss.backward()


def test_an_optimizer_step_between_forward_and_backward_raises() -> None:
    import nn

    w = Tensor([1.0, 2.0], requires_grad=True, label="w")
    opt = nn.SGD([w], lr=0.1)
    loss = (w * w).sum()
    loss.backward()
    opt.step()
    with pytest.raises(GradError, match="assigned new data"), pytest.warns(RepeatedBackwardWarning):
        loss.backward()


def test_rebinding_data_of_an_intermediate_or_a_third_input_is_caught() -> None:
    a = Tensor([1.0, 2.0], requires_grad=True)
    h = a * 3.0
    out = (h * h).sum()
    h.data = np.array([0.0, 0.0])
    with pytest.raises(GradError, match="shape \\(2,\\)"):
        out.backward()
    x = Tensor([[1.0, 2.0]], requires_grad=True)
    W = Tensor([[1.0], [1.0]], requires_grad=True)
    b = Tensor([0.5], requires_grad=True, label="b")
    y = affine(x, W, b).sum()
    b.data = np.array([1.0])
    with pytest.raises(GradError, match="'b'"):
        y.backward()


def test_data_changed_after_backward_is_fine_and_a_fresh_forward_uses_it() -> None:
    w = Tensor([1.0, 2.0], requires_grad=True)
    (w * w).sum().backward()
    w.data -= 1.0
    w.grad = None
    (w * w).sum().backward()
    np.testing.assert_array_equal(w.grad, [0.0, 2.0])


def test_tensor_copies_the_callers_array_and_from_numpy_shares_it() -> None:
    import nn

    arr = np.array([1.0, 2.0])
    t = Tensor(arr, requires_grad=True)
    t.grad = np.array([1.0, 1.0])
    nn.SGD([t], lr=1.0).step()
    np.testing.assert_array_equal(arr, [1.0, 2.0])  # the user's data is untouched
    shared = Tensor.from_numpy(arr, requires_grad=True)
    shared.data -= 1.0
    np.testing.assert_array_equal(arr, [0.0, 1.0])
    assert shared.data is arr
    assert Tensor.from_numpy(np.arange(3)).dtype == np.int64  # as torch.from_numpy: dtype kept
    with pytest.raises(TypeError, match="numpy array"):
        Tensor.from_numpy([1.0, 2.0])
    with pytest.raises(TypeError, match="floating-point"):
        Tensor.from_numpy(np.arange(3), requires_grad=True)


def test_assigning_a_list_to_data_stores_an_array() -> None:
    t = Tensor([1.0, 2.0])
    t.data = [3, 4]
    assert t.data.dtype == np.float64 and t.data.tolist() == [3.0, 4.0]


@pytest.mark.parametrize("layout", ["permuted", "advanced-indexed", "fortran", "negative-strided"])
def test_softmax_cross_entropy_gradient_for_non_contiguous_3d_logits(layout) -> None:
    # issue 13 item 2: the one-hot subtraction went into a copy: softmax/N instead of (softmax − onehot)/N
    rng = np.random.default_rng(0)
    base = rng.normal(size=(4, 2, 3))
    views = {"permuted": lambda a: a.transpose(1, 0, 2).transpose(1, 0, 2).swapaxes(0, 1),
             "advanced-indexed": lambda a: a[[1, 0], :, :].transpose(2, 1, 0),
             "fortran": lambda a: np.asfortranarray(a),
             "negative-strided": lambda a: a[::-1, ::-1]}
    z_np = views[layout](base)
    labels = rng.integers(0, z_np.shape[-1], size=z_np.shape[:-1])
    z = Tensor.from_numpy(z_np, requires_grad=True)
    softmax_cross_entropy(z, labels).backward()
    p = np.exp(z_np - z_np.max(-1, keepdims=True))
    p /= p.sum(-1, keepdims=True)
    onehot = np.eye(z_np.shape[-1])[labels]
    np.testing.assert_allclose(z.grad, (p - onehot) / labels.size, rtol=1e-12, atol=1e-15)


def test_a_boolean_tensor_inside_an_index_tuple_selects_rows() -> None:
    # issue 13: only a top-level Tensor index was unwrapped
    x = Tensor([[1.0, 2.0], [-1.0, 3.0], [4.0, -5.0]], requires_grad=True)
    picked = x[x[:, 0] > 0, :]
    np.testing.assert_array_equal(picked.data, [[1.0, 2.0], [4.0, -5.0]])
    picked.sum().backward()
    np.testing.assert_array_equal(x.grad, [[1.0, 1.0], [0.0, 0.0], [1.0, 1.0]])
    np.testing.assert_array_equal(x[:, [1, 1]].data, [[2.0, 2.0], [3.0, 3.0], [-5.0, -5.0]])
    with pytest.raises(TypeError, match="integers or booleans"):
        x[:, Tensor([0.0])]


def test_concatenate_with_axis_none_flattens_and_backward_splits_back() -> None:
    # issue 13: the forward worked, the backward raised TypeError
    a = Tensor(np.ones((2, 2)), requires_grad=True)
    b = Tensor(np.ones(3), requires_grad=True)
    c = concatenate([a, b], axis=None)
    assert c.shape == (7,)
    (c * np.arange(7.0)).sum().backward()
    np.testing.assert_array_equal(a.grad, [[0.0, 1.0], [2.0, 3.0]])
    np.testing.assert_array_equal(b.grad, [4.0, 5.0, 6.0])
