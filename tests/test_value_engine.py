"""The engine on Value graphs: reuse, accumulation, no_grad, seeds, check_finite, topological order
and the step-by-step backward."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from autodiff import (
    DomainError,
    NonFiniteError,
    RepeatedBackwardWarning,
    Value,
    backward_steps,
    enable_grad,
    is_grad_enabled,
    no_grad,
    topological_order,
)


# --- reuse: a node with several children gets the sum of their contributions ---------------------
def test_a_plus_a_gives_two():
    a = Value(3.0, "a")
    b = a + a
    b.backward()
    assert b.parents == (a, a)
    assert a.grad == 2.0


def test_x_times_x_times_x_gives_three_x_squared():
    x = Value(-1.5, "x")
    y = x * x * x
    y.backward()
    assert y.data == -1.5 ** 3
    assert x.grad == 3 * 1.5 ** 2


def test_diamond_reuse_of_an_intermediate_node():
    x = Value(0.8, "x")
    h = x.tanh()                 # h feeds both branches
    y = h * h + h.exp()
    y.backward()
    dh = 2 * h.data + math.exp(h.data)
    assert h.grad == pytest.approx(dh, rel=1e-15)
    assert x.grad == pytest.approx(dh * (1 - h.data ** 2), rel=1e-15)


def test_same_leaf_in_many_places():
    x = Value(2.0)
    y = x * 3 + x / 4 - x ** 2 + (x * x).sqrt()      # 3x + x/4 − x² + |x|
    y.backward()
    assert x.grad == pytest.approx(3 + 0.25 - 4 + 1, rel=1e-15)


# --- accumulation ------------------------------------------------------------------------------------
def _graph():
    x, w = Value(1.5, "x"), Value(-0.5, "w")
    z = x * w
    z.label = "z"
    y = z.tanh() + z
    return x, w, z, y


def test_second_backward_doubles_leaf_grads_but_not_intermediate_grads():
    x, w, z, y = _graph()
    y.backward()
    first = (x.grad, w.grad, z.grad, y.grad)
    assert z.grad == pytest.approx(1 - math.tanh(-0.75) ** 2 + 1, rel=1e-15)
    with pytest.warns(RepeatedBackwardWarning, match="zero_grad"):
        y.backward()
    assert x.grad == 2 * first[0]
    assert w.grad == 2 * first[1]
    assert z.grad == first[2]           # reset by the second call, not doubled
    assert y.grad == first[3] == 1.0


def test_leaf_grads_accumulate_across_different_roots():
    x = Value(2.0)
    (x * x).backward()
    (x * 10).backward()
    assert x.grad == 4.0 + 10.0


def test_zeroing_leaf_grads_resets_accumulation():
    x, w, z, y = _graph()
    y.backward()
    once = x.grad
    with pytest.warns(RepeatedBackwardWarning):
        y.backward()
    x.grad = w.grad = 0.0  # micrograd's way of zeroing: no warning after it
    with warnings.catch_warnings():
        warnings.simplefilter("error", RepeatedBackwardWarning)
        y.backward()
    assert x.grad == once


# --- seeds and leaves -----------------------------------------------------------------------------
@pytest.mark.parametrize("seed", [2.5, -1, 0.0, 3])
def test_backward_with_a_seed_scales_every_gradient(seed):
    x, w, z, y = _graph()
    y.backward()
    unit = (x.grad, w.grad, z.grad)
    x.grad = w.grad = 0.0
    y.backward(seed)
    assert y.grad == seed
    assert (x.grad, w.grad, z.grad) == pytest.approx(tuple(seed * g for g in unit), rel=1e-15)


def test_backward_seed_must_be_a_number():
    _, _, _, y = _graph()
    with pytest.raises(TypeError, match=r"backward\(grad=\.\.\.\).*str"):
        y.backward("1")


def test_backward_on_a_leaf_accumulates_the_seed():
    x = Value(7.0)
    x.backward()
    assert x.grad == 1.0
    x.backward(2.5)
    assert x.grad == 3.5


def test_backward_on_an_intermediate_node_stops_there():
    x = Value(0.3)
    h = x.sin()
    y = h * 5.0
    h.backward()
    assert x.grad == pytest.approx(math.cos(0.3), rel=1e-15)
    assert y.grad == 0.0     # downstream of the root: untouched


def test_constants_lifted_from_numbers_do_not_disturb_the_leaves():
    x = Value(2.0)
    y = 3 * x + 1
    y.backward()
    assert x.grad == 3.0
    const = [p for p in y.parents[0].parents if p is not x][0]
    assert const.data == 3.0 and const.grad == 2.0   # the constant is a leaf too: ∂y/∂3 = x


# --- no_grad / enable_grad ----------------------------------------------------------------------------
def test_no_grad_records_no_parents():
    x = Value(2.0)
    with no_grad():
        assert not is_grad_enabled()
        y = (x * x).exp() + 1
    assert is_grad_enabled()
    assert y.data == pytest.approx(math.exp(4.0) + 1, rel=1e-15)
    assert y.parents == () and y.local_grads == ()
    assert y.op == "+"
    y.backward()
    assert x.grad == 0.0 and y.grad == 1.0       # y is a leaf now: backward stops at it


def test_enable_grad_inside_no_grad_restores_recording():
    x = Value(2.0)
    with no_grad():
        with enable_grad():
            assert is_grad_enabled()
            y = x * x
        assert not is_grad_enabled()
        z = x * x
    assert y.parents == (x, x) and y.local_grads == (2.0, 2.0)
    assert z.parents == ()
    y.backward()
    assert x.grad == 4.0


def test_nested_no_grad_and_exceptions_restore_the_mode():
    with no_grad():
        with no_grad():
            pass
        assert not is_grad_enabled()
    assert is_grad_enabled()
    with pytest.raises(DomainError), no_grad():
        Value(-1.0).log()
    assert is_grad_enabled()


def test_a_no_grad_result_is_a_leaf_in_a_later_graph():
    x = Value(3.0)
    with no_grad():
        frozen = x * 2.0            # 6, detached from x
    y = frozen * x                  # ∂y/∂x = frozen only
    y.backward()
    assert x.grad == 6.0
    assert frozen.grad == 3.0


# --- check_finite --------------------------------------------------------------------------------------
def test_check_finite_names_the_labelled_node():
    x = Value(0.0, label="x")
    y = x.sqrt() * 2.0
    y.backward()                    # default: no check, the inf just lands in x.grad
    assert x.grad == math.inf
    x.grad = 0.0
    with pytest.raises(NonFiniteError, match=r"'x'.*data=0\.0.*inf") as info:
        y.backward(check_finite=True)
    assert isinstance(info.value, FloatingPointError)


def test_check_finite_names_the_op_whose_value_overflowed_first_in_forward_order():
    # issue 13 item 9: this named the constant 2.0 (whose gradient became inf) instead of exp
    x = Value(1000.0, label="x")
    y = x.exp() * 2.0
    with pytest.raises(NonFiniteError, match=r"value of the node made by 'exp' is not finite: inf"):
        y.backward(check_finite=True)
    t = Value(1.0, label="x") * 1000.0
    t.label = "t"
    y = t.exp() * 0.0 + 1.0         # exp overflows, its gradient then is 0·inf = NaN
    with pytest.raises(NonFiniteError, match=r"value of the node made by 'exp'"):
        y.backward(check_finite=True)


def test_check_finite_names_the_edge_that_made_a_gradient_non_finite():
    x = Value(0.0)
    y = x.sqrt() * 2.0              # every value finite; ∂sqrt/∂x = inf at 0
    with pytest.raises(NonFiniteError, match=r"gradient of an unlabelled leaf .*inf, made non-finite by the "
                                             r"edge from 'sqrt'"):
        y.backward(check_finite=True)
    assert math.isinf(x.grad)


def test_check_finite_passes_quietly_on_finite_gradients():
    x, w, z, y = _graph()
    y.backward(check_finite=True)
    assert math.isfinite(x.grad) and math.isfinite(w.grad)


# --- topological order ---------------------------------------------------------------------------------
def _reachable(root):
    seen, stack = {id(root): root}, [root]
    while stack:
        for p in stack.pop().parents:
            if id(p) not in seen:
                seen[id(p)] = p
                stack.append(p)
    return seen


def _messy_graph():
    x, y = Value(0.5, "x"), Value(-1.25, "y")
    a = x * y
    b = a + x
    c = a.tanh() * b
    d = Value.dot([a, b, c], [x, y, x], bias=a)
    e = Value.sum([d, c, a, x, 2.0])
    return (e * e + b.exp() - a) / (1 + c * c), (x, y)


def test_topological_order_root_first_each_node_before_its_parents_leaves_once():
    root, (x, y) = _messy_graph()
    order = topological_order(root)
    assert order[0] is root
    ids = [id(n) for n in order]
    assert len(ids) == len(set(ids)), "a node is listed twice"
    assert set(ids) == set(_reachable(root)), "order must cover every reachable node"
    position = {id(n): i for i, n in enumerate(order)}
    for node in order:
        for parent in node.parents:
            assert position[id(node)] < position[id(parent)]
    assert ids.count(id(x)) == 1 and ids.count(id(y)) == 1
    # leaves come after every interior node
    first_leaf = min(i for i, n in enumerate(order) if not n.parents)
    assert all(not n.parents for n in order[first_leaf:])


def test_topological_order_of_a_leaf_and_of_a_chain():
    x = Value(1.0)
    assert topological_order(x) == [x]
    a = x.exp()
    b = a.sin()
    c = b * 2.0
    order = topological_order(c)
    assert order[:3] == [c, b, a]
    assert set(map(id, order[3:])) == {id(x), id(c.parents[1])}


def test_topological_order_does_not_touch_gradients():
    root, (x, y) = _messy_graph()
    root.backward()
    before = [n.grad for n in topological_order(root)]
    after = [n.grad for n in topological_order(root)]
    assert before == after and x.grad != 0.0


# --- backward_steps ------------------------------------------------------------------------------------
def test_backward_steps_visit_interior_nodes_in_topological_order():
    root, _ = _messy_graph()
    interior = [n for n in topological_order(root) if n.parents]
    steps = list(backward_steps(root, 1.0))
    assert [s.index for s in steps] == list(range(len(interior)))
    assert [id(s.node) for s in steps] == [id(n) for n in interior]
    for s in steps:
        assert s.grad == s.node.grad          # a node's gradient is final when its step comes
        assert [id(p) for p, _ in s.contributions] == [id(p) for p in s.node.parents]
        for (_, c), local in zip(s.contributions, s.node.local_grads):
            assert c == local * s.grad


def test_backward_steps_contributions_sum_to_each_nodes_grad():
    root, (x, y) = _messy_graph()
    seed = 1.75
    steps = list(backward_steps(root, seed))
    received: dict[int, float] = {}
    for s in steps:
        for parent, c in s.contributions:
            received[id(parent)] = received.get(id(parent), 0.0) + c
    received[id(root)] = received.get(id(root), 0.0) + seed
    for node in topological_order(root):
        assert received[id(node)] == pytest.approx(node.grad, rel=1e-13, abs=1e-300)


def test_backward_steps_gives_the_same_grads_as_backward():
    root, (x, y) = _messy_graph()
    root.backward(0.5)
    expected = [n.grad for n in topological_order(root)]
    for leaf in (x, y):
        leaf.grad = 0.0
    for const in topological_order(root):
        if not const.parents:
            const.grad = 0.0
    list(backward_steps(root, 0.5))
    assert [n.grad for n in topological_order(root)] == expected


def test_backward_steps_on_a_leaf_yields_nothing_and_accumulates():
    x = Value(1.0)
    assert list(backward_steps(x, 2.0)) == []
    assert x.grad == 2.0


def test_has_grad_tells_whether_a_backward_pass_reached_the_value():
    x, unused = Value(2.0), Value(5.0)
    assert not x.has_grad and x.grad == 0.0
    (x * x).backward()
    assert x.has_grad and x.grad == 4.0 and not unused.has_grad
    zero_slope = Value(0.0)
    (zero_slope * zero_slope).backward()
    assert zero_slope.has_grad and zero_slope.grad == 0.0  # reached, with a zero gradient
    x.zero_grad()
    assert not x.has_grad and x.grad == 0.0


def test_a_huge_integer_is_refused_in_our_words():
    with pytest.raises(OverflowError, match="too large for a float"):
        Value(10**400)


def test_value_sum_and_dot_accept_numpy_scalars():
    # issue 13: they refused numpy scalars while saying they need "real numbers"
    s = Value.sum([np.float32(1.5), Value(2.0), np.int64(3)])
    assert s.data == 6.5 and len(s.parents) == 3
    w = Value(2.0)
    d = Value.dot([np.float64(1.0), w], [Value(3.0), np.float32(4.0)], np.int64(1))
    assert d.data == 1.0 * 3.0 + 2.0 * 4.0 + 1.0
    d.backward()
    assert w.grad == 4.0
    with pytest.raises(TypeError, match="Value.sum: expected a Value or a real number, got str"):
        Value.sum([Value(1.0), "a"])


def test_value_comparisons_compare_data_and_values_stay_hashable_by_identity():
    # issue 12: `v > 0` was a TypeError while `t > 0` worked
    a, b = Value(2.0), Value(2.0)
    assert a == b and not (a != b) and a == 2 and 2.0 == a and a >= 2 and a > 1.5 and a < 3 and a <= b
    assert (a > 0) is True and (a < Value(1.0)) is False
    assert len({a, b}) == 2 and {a: "x"}[a] == "x"  # distinct nodes, however equal their data
    assert bool(Value(0.0)) is False and bool(Value(-1.0)) is True
    assert (a == "2") is False  # not comparable: Python falls back to identity, False
